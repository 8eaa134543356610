"""Certificates and CRLs from outside — the card, a file the user picked, a trust-anchor
file, the LDAP repository — are parsed here and nowhere else.

`cryptography` parses a certificate in two steps: the outer structure when it is loaded,
the rest (the names, the extensions, the key, the signature algorithm) when a property is
first read, and it raises far more than `ValueError` on either (a name attribute of the
wrong ASN.1 type is a `TypeError`, an unknown algorithm `UnsupportedAlgorithm`, a repeated
extension `DuplicateExtension`, ...). So each function below loads *and reads everything
the rest of the program reads*, and turns any failure into one of the errors of this module,
each with a sentence. What it returns can then be read freely: what `cryptography` parses
again on a later read (a CRL's issuer, the key, the serial number) parsed once already.

Everything is read twice. A warning on the first read is kept quiet when it is not repeated
(a country name of three letters in a certificate: cryptography warns as it parses the name,
then keeps the name); the certificate inspector reports such things itself. A warning on
the second read would come again on every later read, outside this module (a serial number
that is not positive, a finite-field Diffie-Hellman key, a CRL's issuer with that odd
country name): such a certificate or CRL is refused, so the program never prints
cryptography's warnings, nor fails where warnings are errors. The warning filters are
process-wide, so the reads take turns (a lock).

Cheap to import: `cryptography` is loaded on the first call, not with this module (the card
layer's status read imports it, and commands that never see a certificate do not pay).
"""

from __future__ import annotations

import threading
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from ndnclient.errors import UserFacingError
from ndnclient.fileio import read_at_most

if TYPE_CHECKING:
    from cryptography import x509

T = TypeVar("T")

# A certificate, a chain or a PKCS#12 file is a few kilobytes; a CA's whole bundle a few
# hundred. Anything larger is not what the user meant to open.
MAX_FILE_BYTES = 4 * 1024 * 1024
_DETAIL_LENGTH = 200
_lock = threading.Lock()


class UntrustedDataError(UserFacingError):
    """Data from outside that is not what it claims to be. The message is technical (for
    the log and the operation check's facts); the sentence is the message key's."""

    message_key = "cert.damaged"


class UnreadableCertificateError(UntrustedDataError):
    """Not a certificate this program can read: damaged, or not X.509 at all."""

    message_key = "cert.damaged"


class UnsupportedCertificateError(UnreadableCertificateError):
    """A well-formed certificate (or PKCS#12 file) in a form this program does not handle:
    an unknown signature algorithm or key type, a deprecated encoding."""

    message_key = "cert.unsupported"


class UnreadableCrlError(UntrustedDataError):
    """Not a certificate revocation list this program can read."""

    message_key = "cert.crl_damaged"


class CrlTooLargeError(UnreadableCrlError):
    """A CRL listing more certificates than the caller's budget."""

    message_key = "cert.crl_too_large"


class Pkcs12LockedError(UntrustedDataError):
    """The PKCS#12 data did not open: its password is missing or wrong (or it is damaged
    where the password is checked, which looks the same)."""

    message_key = "cert.unreadable_password"


class FileTooLargeError(UntrustedDataError):
    """The file is larger than any certificate file: it is not read."""

    message_key = "cert.too_large"


# --- reading files -----------------------------------------------------------------------------


def read_limited(path: Path, limit: int = MAX_FILE_BYTES) -> bytes:
    """The file's bytes, read no further than `limit` (a device such as /dev/zero has no
    size to ask for, and a pipe none either). OSError is the caller's to tell."""
    data = read_at_most(path, limit)
    if len(data) > limit:
        raise FileTooLargeError(
            f"{path}: larger than {limit} bytes",
            path=str(path),
            limit_mb=max(1, limit // (1024 * 1024)),
        )
    return data


# --- certificates ----------------------------------------------------------------------------


def certificate_from_der(data: bytes) -> x509.Certificate:
    """One DER certificate, read in full."""
    from cryptography import x509

    (certificate,) = _guarded(
        UnreadableCertificateError,
        "certificate",
        lambda: [x509.load_der_x509_certificate(data)],
        _read_certificate,
    )
    return certificate


def certificates_from_pem(data: bytes) -> list[x509.Certificate]:
    """Every certificate of a PEM text, each read in full."""
    from cryptography import x509

    return _guarded(
        UnreadableCertificateError,
        "PEM certificates",
        lambda: x509.load_pem_x509_certificates(data),
        _read_certificate,
    )


def certificates_from_pkcs12(data: bytes, password: bytes | None) -> list[x509.Certificate]:
    """The certificates of a PKCS#12 file, the end-entity one first, each read in full. The
    key it may hold is not used. An empty file raises UnreadableCertificateError."""
    from cryptography.hazmat.primitives.serialization import pkcs12

    def load() -> list[x509.Certificate]:
        try:
            bundle = pkcs12.load_pkcs12(data, password)
        except ValueError as error:
            text = str(error).lower()
            if "password" in text or "mac" in text:
                raise Pkcs12LockedError(
                    "the PKCS#12 data did not open with this password"
                ) from None
            raise
        certificates = [c.certificate for c in bundle.additional_certs]
        if bundle.cert is not None:
            certificates.insert(0, bundle.cert.certificate)
        if not certificates:
            raise UnreadableCertificateError("the PKCS#12 file holds no certificate")
        return certificates

    return _guarded(UnreadableCertificateError, "PKCS#12", load, _read_certificate)


def _read_certificate(certificate: x509.Certificate) -> x509.Certificate:
    """Read every part of `certificate` the program uses, so that no later read raises.
    Only through this module's guard (the functions above): alone, what it raises is raw."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.serialization import Encoding

    _touch(certificate.version, certificate.serial_number)
    _read_name(certificate.subject)
    _read_name(certificate.issuer)
    _touch(certificate.not_valid_before_utc, certificate.not_valid_after_utc)
    _touch(certificate.signature_algorithm_oid, certificate.signature_hash_algorithm)
    _touch(certificate.signature_algorithm_parameters, certificate.signature)
    _touch(certificate.public_key_algorithm_oid, certificate.public_key())
    _read_extensions(certificate.extensions)
    _touch(certificate.tbs_certificate_bytes, certificate.public_bytes(Encoding.PEM))
    _touch(certificate.fingerprint(hashes.SHA256()))
    return certificate


# --- revocation lists ----------------------------------------------------------------------


def crl_from_der(data: bytes, *, max_entries: int | None = None) -> x509.CertificateRevocationList:
    """One DER CRL (or ARL), read in full: its names, dates, extensions and every entry.
    With `max_entries`, a list longer than that is refused (`CrlTooLargeError`) before its
    entries are read, which takes a few µs each."""
    from cryptography import x509

    def load() -> list[x509.CertificateRevocationList]:
        crl = x509.load_der_x509_crl(data)  # the outer structure only: quick
        if max_entries is not None and len(crl) > max_entries:
            raise CrlTooLargeError(f"CRL: {len(crl)} entries, more than {max_entries}")
        return [crl]

    (crl,) = _guarded(UnreadableCrlError, "CRL", load, _read_crl)
    return crl


def _read_crl(crl: x509.CertificateRevocationList) -> x509.CertificateRevocationList:
    """Read every part of `crl` the program uses (as `_read_certificate`)."""
    _read_name(crl.issuer)
    _touch(crl.last_update_utc, crl.next_update_utc, len(crl))
    _touch(crl.signature_algorithm_oid, crl.signature_hash_algorithm, crl.signature)
    _touch(crl.signature_algorithm_parameters, crl.tbs_certlist_bytes)
    _read_extensions(crl.extensions)
    for entry in crl:
        # A CA's CRL may list 100,000 certificates: each entry's extensions are parsed (as
        # their values are made), not also spelled out.
        _touch(entry.serial_number, entry.revocation_date_utc)
        _touch(*(extension.value for extension in entry.extensions))
    return crl


# --- the guard -------------------------------------------------------------------------------


def _touch(*_values: object) -> None:
    """The values were computed to be sure they can be; nothing else is done with them."""


def _read_name(name: x509.Name) -> None:
    _touch(name.rfc4514_string(), hash(name))
    for attribute in name:
        _touch(attribute.oid.dotted_string, str(attribute.value), attribute.rfc4514_string())


def _read_extensions(extensions: x509.Extensions) -> None:
    for extension in extensions:
        _touch(extension.oid.dotted_string, extension.critical, repr(extension.value))


def _guarded(
    error_class: type[UntrustedDataError],
    what: str,
    load: Callable[[], list[T]],
    read: Callable[[T], object],
) -> list[T]:
    """What `load` parses, each read in full twice by `read`; every failure turned into
    `error_class` (or the more precise error raised on the way), cryptography's warnings
    kept from the terminal, and what warns on the second read refused."""
    from cryptography.exceptions import UnsupportedAlgorithm
    from cryptography.utils import CryptographyDeprecationWarning

    with _lock, warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            items = load()
            for item in items:
                read(item)
            caught.clear()  # the first read's warnings: parsed once, kept by cryptography
            for item in items:
                read(item)
        except UntrustedDataError:
            raise
        except UnsupportedAlgorithm as error:
            raise _error(error_class, what, error, unsupported=True) from None
        except Exception as error:  # whatever cryptography raises on bytes from outside
            raise _error(error_class, what, error) from None
        except BaseException as error:
            # A panic inside cryptography's Rust code arrives as pyo3's PanicException, a
            # BaseException (not importable by name); Ctrl-C and exits go on as they are.
            if type(error).__name__ != "PanicException":
                raise
            raise _error(error_class, what, error) from None
    # Only cryptography's own: the record is process-wide, and another thread may warn.
    ours = [w for w in caught if _from_cryptography(w, CryptographyDeprecationWarning)]
    if ours:
        raise _error(error_class, what, ours[0].message, unsupported=True)
    return items


def _from_cryptography(caught: warnings.WarningMessage, deprecation: type[Warning]) -> bool:
    """True for a warning cryptography raised while this module read: its own category,
    or one from its code. A warning from its Rust parts names the Python frame that called
    them (this file); one from its Python parts, their file."""
    import cryptography

    package = str(Path(cryptography.__file__).parent)
    return (
        issubclass(caught.category, deprecation)
        or caught.filename == __file__
        or caught.filename.startswith(package)
    )


def _error(
    error_class: type[UntrustedDataError],
    what: str,
    error: BaseException | Warning | str,
    *,
    unsupported: bool = False,
) -> UntrustedDataError:
    """The error for a failure: "unsupported" only for a certificate (an unknown algorithm
    in a CRL is still a CRL that cannot be read)."""
    if unsupported and issubclass(UnsupportedCertificateError, error_class):
        error_class = UnsupportedCertificateError
    detail = f"{what}: {type(error).__name__}: {error}"[:_DETAIL_LENGTH]
    return error_class(detail)
