"""Making the key pair and the certificate signing request from a checked request
(`ndnclient.pki.csr_rules`), writing both as new files, and the summary the user checks
against the application form (the CLI and the GUI alike)."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

from ndnclient.fileio import NewFileError, NewFileExistsError, create_new_file
from ndnclient.messages import Messages
from ndnclient.pki.csr_rules import CheckedRequest, KeyType

PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey


OIDS = {
    "c": NameOID.COUNTRY_NAME,
    "st": NameOID.STATE_OR_PROVINCE_NAME,
    "l": NameOID.LOCALITY_NAME,
    "o": NameOID.ORGANIZATION_NAME,
    "ou": NameOID.ORGANIZATIONAL_UNIT_NAME,
    "cn": NameOID.COMMON_NAME,
}


def generate_key(key_type: KeyType) -> PrivateKey:
    if key_type is KeyType.P256:
        return ec.generate_private_key(ec.SECP256R1())
    return rsa.generate_private_key(
        public_exponent=65537, key_size=3072 if key_type is KeyType.RSA3072 else 2048
    )


def signature_hash(_key_type: KeyType) -> hashes.SHA256:
    """SHA-256 for all three: it matches P-256 and RSA up to 3072 bits (128-bit strength)."""
    return hashes.SHA256()


def build_csr(checked: CheckedRequest, key: PrivateKey) -> x509.CertificateSigningRequest:
    """The CSR, signed by `key`. cryptography writes C as PrintableString and the other
    attributes as UTF8String, which is what the CA's FAQ asks for."""
    name = x509.Name([x509.NameAttribute(OIDS[f], v) for f, v in checked.subject.items()])
    general_names: list[x509.GeneralName] = [x509.DNSName(n) for n in checked.dns_names]
    general_names += [x509.RFC822Name(a) for a in checked.email_addresses]
    builder = x509.CertificateSigningRequestBuilder().subject_name(name)
    if general_names:
        builder = builder.add_extension(x509.SubjectAlternativeName(general_names), critical=False)
    return builder.sign(key, signature_hash(checked.key_type))


def encrypted_key_pem(key: PrivateKey, passphrase: bytes) -> bytes:
    """PKCS#8, encrypted with the pass phrase (cryptography's best available: PBES2 with
    AES-256-CBC)."""
    if not passphrase:
        raise ValueError("an empty pass phrase would leave the key unprotected")
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(passphrase),
    )


def string_type(field: str) -> str:
    """The ASN.1 string type `build_csr` gives a subject field (cryptography's choice)."""
    return "PrintableString" if field == "c" else "UTF8String"


def describe_key(key_type: KeyType) -> str:
    return {
        KeyType.RSA2048: "RSA 2048, sha256WithRSAEncryption",
        KeyType.RSA3072: "RSA 3072, sha256WithRSAEncryption",
        KeyType.P256: "ECDSA P-256, ecdsa-with-SHA256",
    }[key_type]


@dataclass(frozen=True)
class CsrFiles:
    key_path: Path
    csr_path: Path
    csr_sha256: str  # the CSR's fingerprint, to tell it from another


def make_key_and_csr(
    checked: CheckedRequest, passphrase: bytearray, key_path: Path, csr_path: Path
) -> CsrFiles:
    """Generate the key pair, sign the CSR, and write both as new files: the key PKCS#8
    encrypted with `passphrase` and readable by its owner only. Slow (key generation): never
    on the GUI thread. `passphrase` is wiped whatever happens."""
    try:
        for path in (key_path, csr_path):  # told before a key is made for nothing
            if path.exists():
                raise NewFileExistsError(f"{path} exists", path=str(path))
        key = generate_key(checked.key_type)
        request = build_csr(checked, key)
        key_pem = encrypted_key_pem(key, bytes(passphrase))
    finally:
        passphrase[:] = bytes(len(passphrase))
    create_new_file(key_path, key_pem, private=True)
    try:
        create_new_file(csr_path, request.public_bytes(serialization.Encoding.PEM))
    except NewFileError:
        with contextlib.suppress(OSError):  # the CSR's error is the one to tell
            key_path.unlink()  # a key without its CSR was never handed out: take it back
        raise
    digest = hashes.Hash(hashes.SHA256())
    digest.update(request.public_bytes(serialization.Encoding.DER))
    return CsrFiles(key_path, csr_path, digest.finalize().hex(":").upper())


def summary_lines(checked: CheckedRequest, files: CsrFiles, messages: Messages) -> list[str]:
    """What the user checks against the application form (the CLI and the GUI alike)."""
    t = messages.text
    lines = [t("csr.kind_line", kind=t(f"csr.kind.{checked.kind.value}"))]
    for name, value in checked.subject.items():
        lines.append(f"{t(f'csr.field.{name}')}: {value}  [{string_type(name)}]")
    names = [f"DNS:{n}" for n in checked.dns_names]
    names += [f"email:{a}" for a in checked.email_addresses]
    lines.append(t("csr.san_line", names=", ".join(names) or "-"))
    lines.append(t("csr.key_line", key=describe_key(checked.key_type)))
    lines.append(t("csr.csr_written", path=files.csr_path, fingerprint=files.csr_sha256))
    lines.append(t("csr.key_written", path=files.key_path))
    return lines


def note_lines(checked: CheckedRequest, messages: Messages) -> list[str]:
    return [messages.text(f"csr.note.{n.key}", **n.params) for n in checked.notes]
