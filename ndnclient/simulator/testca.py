"""A generated test CA that issues the virtual card's certificates (and CRLs for the tests)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, timezone

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.name import _ASN1Type  # no public alias for the string types
from cryptography.x509.oid import NameOID

JAPAN_TIME = timezone(timedelta(hours=9), "JST")
"""Japan has no daylight saving time, so a fixed offset is exact."""

CA_COMMON_NAME = "ndnclient Test GoSign CA"
ORGANIZATION = "ndnclient test"
COUNTRY = "JP"
KEY_SIZE = 2048
UB_COMMON_NAME_BYTES = 64
CA_VALIDITY_DAYS = 20 * 365


def generate_rsa_key() -> rsa.RSAPrivateKey:
    """A new RSA-2048 key with the usual public exponent."""
    return rsa.generate_private_key(public_exponent=65537, key_size=KEY_SIZE)


@dataclass(frozen=True)
class TestCA:
    """The test CA: its private key and self-signed certificate."""

    __test__ = False  # pytest: a class named Test* that is not a test class

    key: rsa.RSAPrivateKey = field(repr=False)
    certificate: x509.Certificate

    @classmethod
    def generate(cls, *, common_name: str = CA_COMMON_NAME) -> TestCA:
        """Generate a new CA key and a self-signed CA certificate valid for 20 years."""
        key = generate_rsa_key()
        name = x509.Name(
            [
                x509.NameAttribute(NameOID.COUNTRY_NAME, COUNTRY),
                x509.NameAttribute(NameOID.ORGANIZATION_NAME, ORGANIZATION),
                x509.NameAttribute(NameOID.COMMON_NAME, common_name),
            ]
        )
        # A day of slack before now, so that a clock a little behind still accepts the CA.
        not_before = datetime.now(UTC).replace(microsecond=0) - timedelta(days=1)
        ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
        certificate = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(not_before)
            .not_valid_after(not_before + timedelta(days=CA_VALIDITY_DAYS))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=False,
                    content_commitment=False,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=True,
                    crl_sign=True,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
            .add_extension(ski, critical=False)
            .sign(key, hashes.SHA256())
        )
        return cls(key=key, certificate=certificate)

    @classmethod
    def load(cls, key_pem: bytes, certificate_der: bytes) -> TestCA:
        """The CA from its stored key (PEM, unencrypted) and certificate (DER)."""
        key = serialization.load_pem_private_key(key_pem, password=None)
        if not isinstance(key, rsa.RSAPrivateKey):
            raise ValueError("the test CA key is not an RSA key")
        certificate = x509.load_der_x509_certificate(certificate_der)
        if certificate.public_key() != key.public_key():
            raise ValueError("the test CA key does not belong to its certificate")
        return cls(key=key, certificate=certificate)

    def key_pem(self) -> bytes:
        """The CA key as unencrypted PKCS#8 PEM (a test key: the state file is mode 0600)."""
        return self.key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )

    def certificate_der(self) -> bytes:
        """The CA certificate, DER."""
        return self.certificate.public_bytes(serialization.Encoding.DER)

    def _authority_key_identifier(self) -> x509.AuthorityKeyIdentifier:
        ski = self.certificate.extensions.get_extension_for_class(x509.SubjectKeyIdentifier)
        return x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski.value)

    def issue_crl(
        self,
        revoked: Iterable[tuple[int, datetime]] = (),
        *,
        crl_number: int = 1,
        this_update: datetime | None = None,
        next_update: datetime | None = None,
    ) -> x509.CertificateRevocationList:
        """A CRL revoking the given (serial number, revocation time) pairs; next update in 1 day."""
        this_update = this_update or datetime.now(UTC).replace(microsecond=0)
        next_update = next_update or this_update + timedelta(days=1)
        builder = (
            x509.CertificateRevocationListBuilder()
            .issuer_name(self.certificate.subject)
            .last_update(this_update)
            .next_update(next_update)
            .add_extension(x509.CRLNumber(crl_number), critical=False)
            .add_extension(self._authority_key_identifier(), critical=False)
        )
        for serial_number, revoked_at in revoked:
            builder = builder.add_revoked_certificate(
                x509.RevokedCertificateBuilder()
                .serial_number(serial_number)
                .revocation_date(revoked_at)
                .build()
            )
        return builder.sign(self.key, hashes.SHA256())


def japan_start_of_day(day: date) -> datetime:
    """00:00:00 Japan time on `day`."""
    return datetime.combine(day, time(0, 0, 0), JAPAN_TIME)


def japan_end_of_day(day: date) -> datetime:
    """23:59:59 Japan time on `day`: the profile's validity dates are inclusive."""
    return datetime.combine(day, time(23, 59, 59), JAPAN_TIME)


def common_name_for(holder: str) -> str:
    """`holder`, cut to fit a certificate's common name (64 UTF-8 bytes, whole characters).

    RFC 5280 bounds a common name at 64 characters, but cryptography counts UTF-8 bytes and
    warns on every parse of a longer one (22 kanji are 66 bytes). A name longer than that is
    cut in the certificate only; the card's CARD_INFO keeps it whole.
    """
    encoded = holder.encode("utf-8")
    if len(encoded) <= UB_COMMON_NAME_BYTES:
        return holder
    return encoded[:UB_COMMON_NAME_BYTES].decode("utf-8", errors="ignore")


def issue_user_certificate(
    ca: TestCA,
    user_public_key: rsa.RSAPublicKey,
    holder: str,
    card_number: str,
    valid_from: date,
    valid_to: date,
    crl_distribution_points: Sequence[str] = (),
) -> x509.Certificate:
    """The holder's signing certificate, valid from `valid_from` to `valid_to` (Japan time).

    `crl_distribution_points`: URIs for the CRL Distribution Points extension (RFC 5280
    4.2.1.13), one distribution point each, in order, e.g.
    `ldap://127.0.0.1:389/cn=...?certificateRevocationList;binary`. None by default: the
    test CA publishes its CRL nowhere unless a test serves it, and a certificate naming a
    repository nobody runs would make G04 fail on every machine without one."""
    if valid_to < valid_from:
        raise ValueError("valid_to is before valid_from")
    if not holder:
        raise ValueError("the holder name is empty")
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, COUNTRY, _type=_ASN1Type.PrintableString),
            x509.NameAttribute(
                NameOID.ORGANIZATION_NAME, ORGANIZATION, _type=_ASN1Type.PrintableString
            ),
            # UTF8String: the holder's name may be Japanese.
            x509.NameAttribute(
                NameOID.COMMON_NAME, common_name_for(holder), _type=_ASN1Type.UTF8String
            ),
            x509.NameAttribute(NameOID.SERIAL_NUMBER, card_number, _type=_ASN1Type.PrintableString),
        ]
    )
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(ca.certificate.subject)
        .public_key(user_public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(japan_start_of_day(valid_from))
        .not_valid_after(japan_end_of_day(valid_to))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(ca._authority_key_identifier(), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(user_public_key), critical=False)
    )
    if crl_distribution_points:
        points = [
            x509.DistributionPoint(
                full_name=[x509.UniformResourceIdentifier(uri)],
                relative_name=None,
                reasons=None,
                crl_issuer=None,
            )
            for uri in crl_distribution_points
        ]
        builder = builder.add_extension(x509.CRLDistributionPoints(points), critical=False)
    return builder.sign(ca.key, hashes.SHA256())


def crl_distribution_points_of(certificate: x509.Certificate) -> tuple[str, ...]:
    """The URIs of a certificate's CRL distribution points (what reissuing keeps)."""
    try:
        extension = certificate.extensions.get_extension_for_class(x509.CRLDistributionPoints)
    except x509.ExtensionNotFound:
        return ()
    return tuple(
        name.value
        for point in extension.value
        for name in point.full_name or ()
        if isinstance(name, x509.UniformResourceIdentifier)
    )
