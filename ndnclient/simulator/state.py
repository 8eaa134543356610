"""What the virtual card remembers: identity, keys, PIN hashes, retry counters, behaviour flags.

The PIN and the unlock code are kept only as salted PBKDF2-HMAC-SHA256 hashes; neither
appears in clear in the state file, a log line, an exception or a repr.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import hmac
import json
import os
import secrets
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, Literal, TypeVar

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from ndnclient.card.profile import GOSIGN_PROFILE
from ndnclient.errors import UserFacingError
from ndnclient.simulator.testca import (
    JAPAN_TIME,
    TestCA,
    crl_distribution_points_of,
    generate_rsa_key,
    issue_user_certificate,
)

SCHEMA_VERSION = 1

_T = TypeVar("_T")

CardType = Literal["gosign", "mynumber"]
CARD_TYPES: tuple[CardType, ...] = ("gosign", "mynumber")

DEFAULT_CARD_NUMBER = "9392000012345678"
DEFAULT_HOLDER = "電子 花子"
DEFAULT_PIN = b"1234"
DEFAULT_UNLOCK_CODE = b"12345678"

KDF_NAME = "pbkdf2-hmac-sha256"
# The PIN space is small (4 digits at the least), so no iteration count stops an offline
# search; the hash keeps the PIN out of clear text, and the card's counter is what protects
# it. A modest count keeps each VERIFY (and the tests, which send many) fast.
KDF_ITERATIONS = 10_000
SALT_LENGTH = 16


MAX_STATE_BYTES = 256 * 1024  # two keys, two certificates and a few fields: about 10 KB
# A file could ask for any count; each VERIFY runs it, so a huge one would hang the card.
MAX_KDF_ITERATIONS = 1_000_000
MAX_HOLDER_LENGTH = 64  # more than CARD_INFO's holder field is ever given


class StateFileError(UserFacingError, ValueError):
    """The state file cannot be read: corrupt, truncated, or from an unknown schema. The
    message says where in English (for the developer tools); the sentence is the user's."""

    message_key = "simulator.state_damaged"


@dataclass(frozen=True)
class SecretHash:
    """A salted PBKDF2-HMAC-SHA256 hash of a PIN or unlock code."""

    salt: bytes = field(repr=False)
    digest: bytes = field(repr=False)
    iterations: int = KDF_ITERATIONS

    @classmethod
    def of(cls, secret: bytes | bytearray, *, iterations: int = KDF_ITERATIONS) -> SecretHash:
        """Hash `secret` with a new random salt."""
        salt = secrets.token_bytes(SALT_LENGTH)
        return cls(salt, hashlib.pbkdf2_hmac("sha256", secret, salt, iterations), iterations)

    def matches(self, secret: bytes | bytearray) -> bool:
        """True when `secret` hashes to this digest (constant-time compare)."""
        candidate = hashlib.pbkdf2_hmac("sha256", secret, self.salt, self.iterations)
        return hmac.compare_digest(candidate, self.digest)

    def to_json(self) -> dict[str, Any]:
        return {
            "kdf": KDF_NAME,
            "iterations": self.iterations,
            "salt": _b64(self.salt),
            "hash": _b64(self.digest),
        }

    @classmethod
    def from_json(cls, value: object, what: str) -> SecretHash:
        obj = _expect(value, dict, what)
        if obj.get("kdf") != KDF_NAME:
            raise StateFileError(f"{what}: unknown key derivation")
        iterations = _expect(obj.get("iterations"), int, f"{what}.iterations")
        if not 1 <= iterations <= MAX_KDF_ITERATIONS:
            raise StateFileError(f"{what}.iterations: must be from 1 to {MAX_KDF_ITERATIONS}")
        return cls(
            salt=_unb64(obj.get("salt"), f"{what}.salt"),
            digest=_unb64(obj.get("hash"), f"{what}.hash"),
            iterations=iterations,
        )


@dataclass
class VirtualCardState:
    """Everything the virtual card keeps across power cycles and restarts."""

    card_type: CardType
    card_number: str
    holder: str
    valid_from: date
    valid_to: date
    pin_hash: SecretHash = field(repr=False)
    unlock_code_hash: SecretHash = field(repr=False)
    pin_tries_left: int
    unlock_tries_left: int
    user_key_pem: bytes = field(repr=False)
    user_certificate_der: bytes = field(repr=False)
    ca_key_pem: bytes = field(repr=False)
    ca_certificate_der: bytes = field(repr=False)
    t0: bool = False
    extended_length: bool = True
    schema_version: int = SCHEMA_VERSION

    # --- PIN and unlock code -------------------------------------------------------------

    def check_pin(self, pin: bytes | bytearray) -> bool:
        """True when `pin` is the card's PIN. Counters are the card's business, not this."""
        return self.pin_hash.matches(pin)

    def set_pin(self, pin: bytes | bytearray) -> None:
        """Store a new PIN (its hash, with a new salt)."""
        self.pin_hash = SecretHash.of(pin, iterations=self.pin_hash.iterations)

    def check_unlock_code(self, code: bytes | bytearray) -> bool:
        """True when `code` is the card's unlock code."""
        return self.unlock_code_hash.matches(code)

    def set_unlock_code(self, code: bytes | bytearray) -> None:
        """Store a new unlock code (its hash, with a new salt)."""
        self.unlock_code_hash = SecretHash.of(code, iterations=self.unlock_code_hash.iterations)

    # --- Keys and certificates -----------------------------------------------------------

    def user_private_key(self) -> rsa.RSAPrivateKey:
        """The holder's signing key."""
        key = serialization.load_pem_private_key(self.user_key_pem, password=None)
        if not isinstance(key, rsa.RSAPrivateKey):
            raise ValueError("the card's user key is not an RSA key")
        return key

    def user_certificate(self) -> x509.Certificate:
        """The holder's certificate (the card's USER_CERT file)."""
        return x509.load_der_x509_certificate(self.user_certificate_der)

    def test_ca(self) -> TestCA:
        """The CA that issued the user certificate, with its key (to re-issue, or for CRLs)."""
        return TestCA.load(self.ca_key_pem, self.ca_certificate_der)

    def reissue_certificate(self, crl_distribution_points: Sequence[str] | None = None) -> None:
        """Issue the user certificate again from the stored CA, same key, current identity,
        and the given CRL distribution points (None: the same as before)."""
        if crl_distribution_points is None:
            crl_distribution_points = crl_distribution_points_of(self.user_certificate())
        certificate = issue_user_certificate(
            self.test_ca(),
            self.user_private_key().public_key(),
            self.holder,
            self.card_number,
            self.valid_from,
            self.valid_to,
            crl_distribution_points,
        )
        self.user_certificate_der = certificate.public_bytes(serialization.Encoding.DER)

    # --- JSON ----------------------------------------------------------------------------

    def to_json(self) -> dict[str, Any]:
        """The state as a JSON object (no PIN, no unlock code: only their hashes)."""
        return {
            "schema_version": self.schema_version,
            "card_type": self.card_type,
            "card_number": self.card_number,
            "holder": self.holder,
            "valid_from": self.valid_from.isoformat(),
            "valid_to": self.valid_to.isoformat(),
            "pin": self.pin_hash.to_json(),
            "unlock_code": self.unlock_code_hash.to_json(),
            "pin_tries_left": self.pin_tries_left,
            "unlock_tries_left": self.unlock_tries_left,
            "user_key_pem": self.user_key_pem.decode("ascii"),
            "user_certificate_der": _b64(self.user_certificate_der),
            "ca_key_pem": self.ca_key_pem.decode("ascii"),
            "ca_certificate_der": _b64(self.ca_certificate_der),
            "t0": self.t0,
            "extended_length": self.extended_length,
        }

    @classmethod
    def from_json(cls, value: object) -> VirtualCardState:
        """The state from `to_json`'s object; StateFileError names what is wrong."""
        obj = _expect(value, dict, "state")
        version = obj.get("schema_version")
        if version != SCHEMA_VERSION:
            raise StateFileError(f"unknown schema version {version!r} (expected {SCHEMA_VERSION})")
        card_type = _expect(obj.get("card_type"), str, "card_type")
        if card_type not in CARD_TYPES:
            raise StateFileError(f"card_type: unknown card type {card_type!r}")
        state = cls(
            card_type=card_type,
            card_number=_card_number(obj.get("card_number")),
            holder=_holder(obj.get("holder")),
            valid_from=_date(obj.get("valid_from"), "valid_from"),
            valid_to=_date(obj.get("valid_to"), "valid_to"),
            pin_hash=SecretHash.from_json(obj.get("pin"), "pin"),
            unlock_code_hash=SecretHash.from_json(obj.get("unlock_code"), "unlock_code"),
            pin_tries_left=_tries(obj.get("pin_tries_left"), "pin_tries_left"),
            unlock_tries_left=_tries(obj.get("unlock_tries_left"), "unlock_tries_left"),
            user_key_pem=_ascii(obj.get("user_key_pem"), "user_key_pem"),
            user_certificate_der=_unb64(obj.get("user_certificate_der"), "user_certificate_der"),
            ca_key_pem=_ascii(obj.get("ca_key_pem"), "ca_key_pem"),
            ca_certificate_der=_unb64(obj.get("ca_certificate_der"), "ca_certificate_der"),
            t0=_expect(obj.get("t0"), bool, "t0"),
            extended_length=_expect(obj.get("extended_length"), bool, "extended_length"),
        )
        # Parse the keys and certificates now, so a damaged file fails here and not mid-command.
        try:
            state.user_private_key()
            state.user_certificate()
            state.test_ca()
        except Exception as exc:  # cryptography raises more than ValueError for bad DER
            raise StateFileError(f"keys or certificates: {type(exc).__name__}") from None
        return state


# --- Creating, loading, saving ---------------------------------------------------------------


def today_in_japan() -> date:
    """Today's date in Japan time."""
    return datetime.now(JAPAN_TIME).date()


def default_valid_to(valid_from: date) -> date:
    """Two years after `valid_from`, minus one day (a 29 February start ends on 28 February)."""
    try:
        two_years_later = valid_from.replace(year=valid_from.year + 2)
    except ValueError:  # 29 February, and the year two on is no leap year
        two_years_later = date(valid_from.year + 2, 3, 1)
    return two_years_later - timedelta(days=1)


def create_state(
    *,
    card_type: CardType = "gosign",
    card_number: str = DEFAULT_CARD_NUMBER,
    holder: str = DEFAULT_HOLDER,
    valid_from: date | None = None,
    valid_to: date | None = None,
    pin: bytes | bytearray = DEFAULT_PIN,
    unlock_code: bytes | bytearray = DEFAULT_UNLOCK_CODE,
    pin_tries_left: int = GOSIGN_PROFILE.pin_max_tries,
    unlock_tries_left: int = GOSIGN_PROFILE.unlock_max_tries,
    t0: bool = False,
    extended_length: bool = True,
    ca: TestCA | None = None,
    user_key: rsa.RSAPrivateKey | None = None,
    kdf_iterations: int = KDF_ITERATIONS,
    crl_distribution_points: Sequence[str] = (),
) -> VirtualCardState:
    """A new card: a user key (or `user_key`), its certificate from `ca` (or a new test CA),
    with `crl_distribution_points` (URIs; none by default) in the certificate."""
    if card_type not in CARD_TYPES:
        raise ValueError(f"unknown card type {card_type!r}")
    _card_number(card_number, error=ValueError)
    if not holder:
        raise ValueError("the holder name is empty")
    if not GOSIGN_PROFILE.is_valid_pin(pin):
        raise ValueError("the PIN breaks the PIN format")  # the value never goes in a message
    if not GOSIGN_PROFILE.is_valid_unlock_code(unlock_code):
        raise ValueError("the unlock code breaks the unlock-code format")
    _tries(pin_tries_left, "pin_tries_left", error=ValueError)
    _tries(unlock_tries_left, "unlock_tries_left", error=ValueError)
    valid_from = valid_from or today_in_japan()
    valid_to = valid_to or default_valid_to(valid_from)
    if valid_to < valid_from:
        raise ValueError("valid_to is before valid_from")

    ca = ca or TestCA.generate()
    user_key = user_key or generate_rsa_key()
    certificate = issue_user_certificate(
        ca,
        user_key.public_key(),
        holder,
        card_number,
        valid_from,
        valid_to,
        crl_distribution_points,
    )
    return VirtualCardState(
        card_type=card_type,
        card_number=card_number,
        holder=holder,
        valid_from=valid_from,
        valid_to=valid_to,
        pin_hash=SecretHash.of(pin, iterations=kdf_iterations),
        unlock_code_hash=SecretHash.of(unlock_code, iterations=kdf_iterations),
        pin_tries_left=pin_tries_left,
        unlock_tries_left=unlock_tries_left,
        user_key_pem=user_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ),
        user_certificate_der=certificate.public_bytes(serialization.Encoding.DER),
        ca_key_pem=ca.key_pem(),
        ca_certificate_der=ca.certificate_der(),
        t0=t0,
        extended_length=extended_length,
    )


def load_state(path: str | os.PathLike[str]) -> VirtualCardState:
    """Read a state file. StateFileError (a ValueError) when it is corrupt; the file is kept."""
    path = Path(path)
    try:
        with path.open("rb") as file:
            raw = file.read(MAX_STATE_BYTES + 1)
    except OSError as exc:
        raise StateFileError(f"cannot read the state file {path}: {exc.strerror}") from None
    if len(raw) > MAX_STATE_BYTES:
        raise StateFileError(f"the state file {path} is larger than {MAX_STATE_BYTES} bytes")
    try:
        value = json.loads(raw.decode("utf-8"))
    except json.JSONDecodeError as exc:
        # Say where, never what: the file holds keys.
        raise StateFileError(
            f"the state file {path} is not valid JSON ({exc.msg}, line {exc.lineno})"
        ) from None
    except (ValueError, RecursionError):  # not UTF-8, nesting too deep, a huge number
        raise StateFileError(f"the state file {path} is not valid UTF-8 JSON") from None
    try:
        return VirtualCardState.from_json(value)
    except StateFileError as exc:
        raise StateFileError(f"the state file {path} is damaged: {exc}") from None


def save_state(state: VirtualCardState, path: str | os.PathLike[str]) -> None:
    """Write the state atomically (temporary file, fsync, rename), mode 0600."""
    path = Path(path)
    data = json.dumps(state.to_json(), ensure_ascii=False, indent=2).encode("utf-8") + b"\n"
    # mkstemp creates the file 0600 in the target folder, so os.replace stays on one file
    # system and the old file is whole until the new one is complete on disk.
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as file:
            if hasattr(os, "fchmod"):
                os.fchmod(file.fileno(), 0o600)
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    _fsync_directory(path.parent)


def _fsync_directory(folder: Path) -> None:
    # The rename itself survives a power cut only once the folder is synced (POSIX only).
    if os.name != "posix":
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


# --- JSON field helpers ----------------------------------------------------------------------


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(value: object, what: str) -> bytes:
    text = _expect(value, str, what)
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise StateFileError(f"{what}: not base64") from None


def _expect(value: object, kind: type[_T], what: str) -> _T:
    # bool is an int subclass: a counter must not be true/false, nor a flag 0/1.
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise StateFileError(f"{what}: expected {kind.__name__}")
    return value


def _ascii(value: object, what: str) -> bytes:
    text = _expect(value, str, what)
    if not text.isascii():
        raise StateFileError(f"{what}: not ASCII")
    return text.encode("ascii")


def _holder(value: object) -> str:
    text = _expect(value, str, "holder")
    if len(text) > MAX_HOLDER_LENGTH:
        raise StateFileError(f"holder: longer than {MAX_HOLDER_LENGTH} characters")
    try:
        text.encode("utf-8")  # a lone surrogate from a JSON escape could never be saved
    except UnicodeEncodeError:
        raise StateFileError("holder: not text") from None
    return text


def _date(value: object, what: str) -> date:
    text = _expect(value, str, what)
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise StateFileError(f"{what}: not a YYYY-MM-DD date") from None


def _card_number(value: object, *, error: type[ValueError] = StateFileError) -> str:
    digits = GOSIGN_PROFILE.card_number_digits
    if not (
        isinstance(value, str) and len(value) == digits and value.isascii() and value.isdigit()
    ):
        raise error(f"card_number: expected {digits} digits")
    return value


def _tries(value: object, what: str, *, error: type[ValueError] = StateFileError) -> int:
    maximum = (
        GOSIGN_PROFILE.pin_max_tries if what.startswith("pin") else GOSIGN_PROFILE.unlock_max_tries
    )
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= maximum:
        raise error(f"{what}: expected a number from 0 to {maximum}")
    return value
