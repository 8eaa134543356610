"""An independent GoSign test card, written from the "GoSign IC card profile, version 1" alone.

This card exists to be a *second reading* of the card profile: it was written from the
profile text alone, without looking at the client or at the project's own simulator. Where
the profile allows more than one answer, this card deliberately picks a different (but
still conformant) one from what a straightforward implementation would pick, so that a
client that passes against both cards follows the profile rather than one simulator's habits:

* CARD_INFO uses BER long-form lengths where DER would use the short form (``70 82 00 LL``,
  ``81 81 LL``), carries unknown tags after ``84`` (``85``, and an empty ``86``), and the
  file is padded with ``FF`` up to a fixed size, as a real card's fixed-size EF would be.
* The certificate files are fixed-size EFs too: DER followed by ``FF`` padding, so only a
  client that reads the DER header first (as the profile says) gets the exact certificate.
* READ BINARY past the end answers the bytes left and ``6282``; with ``t0=True`` it answers
  ``6Cxx`` instead, and every data-returning command answers ``61xx`` + GET RESPONSE.

:class:`IndependentCard` is the pure card logic; :class:`IndependentVpcdCard` plugs it into
pcscd through the vsmartcard ``vpcd`` driver (the card is the TCP client).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import secrets
import socket
import struct
import threading
import time
from collections.abc import Callable
from types import TracebackType

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

__all__ = [
    "CARD_INFO_FID",
    "CA_CERT_FID",
    "GOSIGN_AID",
    "JPKI_AID",
    "USER_CERT_FID",
    "IndependentCard",
    "IndependentVpcdCard",
]

# --- Values from the profile -------------------------------------------------------------

GOSIGN_AID = bytes.fromhex("F0474F5349474E01")
JPKI_AID = bytes.fromhex("D392F000260100000001")
CARD_INFO_FID = 0x0101
USER_CERT_FID = 0x0102
CA_CERT_FID = 0x0103
PIN_REF = 0x81
UNLOCK_REF = 0x82
MAX_TRIES = 10

JST = dt.timezone(dt.timedelta(hours=9), "JST")

# Status words (profile table, plus the few ISO ones the profile leaves open; see _SW_* below).
SW_OK = 0x9000
SW_EOF = 0x6282
SW_WRONG_LENGTH = 0x6700
SW_SECURITY = 0x6982
SW_BLOCKED = 0x6983
SW_WRONG_DATA = 0x6A80
SW_NOT_FOUND = 0x6A82
SW_WRONG_P1P2 = 0x6B00
SW_INS = 0x6D00
SW_CLA = 0x6E00
SW_UNKNOWN = 0x6F00
# Not in the profile's table; ISO 7816-4 meanings for situations the profile does not cover.
_SW_CONDITIONS = 0x6985  # no application selected / GET RESPONSE with nothing pending
_SW_NO_EF = 0x6986  # READ BINARY with no current EF

# Fixed EF sizes: a real card allocates files at personalisation, so the content is followed
# by erased (FF) bytes. 240 is deliberately not a multiple of 256, so a short READ BINARY with
# Le=00 runs into the end of CARD_INFO and exercises 6282 / 6Cxx.
_CARD_INFO_SIZE = 240
_CERT_FILE_SIZE = 2048

_PIN_ALPHABET = frozenset(b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")

# DER OIDs (content octets) of the hashes a DigestInfo may name, with their digest sizes.
_HASH_OIDS: dict[bytes, int] = {
    bytes.fromhex("608648016503040201"): 32,  # id-sha256 2.16.840.1.101.3.4.2.1
    bytes.fromhex("608648016503040202"): 48,  # id-sha384
    bytes.fromhex("608648016503040203"): 64,  # id-sha512
}


class _CardError(Exception):
    """Ends a command early with a status word."""

    def __init__(self, sw: int) -> None:
        super().__init__(f"{sw:04X}")
        self.sw = sw


# --- Small BER/DER helpers -----------------------------------------------------------------


def _ber_long_length(n: int) -> bytes:
    """BER length always in long form (``81 xx`` / ``82 xx xx``), legal in BER, not in DER."""
    if n < 0x100:
        return bytes([0x81, n])
    if n < 0x10000:
        return bytes([0x82]) + n.to_bytes(2, "big")
    raise ValueError("value too long for CARD_INFO")


def _der_read(buf: bytes, pos: int) -> tuple[int, bytes, int]:
    """Read one DER TLV (single-byte tag, minimal definite length); return tag, value, end."""
    if pos + 2 > len(buf):
        raise _CardError(SW_WRONG_DATA)
    tag = buf[pos]
    first = buf[pos + 1]
    pos += 2
    if first < 0x80:
        length = first
    else:
        count = first & 0x7F
        if count == 0 or count > 2 or pos + count > len(buf):
            raise _CardError(SW_WRONG_DATA)
        length = int.from_bytes(buf[pos : pos + count], "big")
        pos += count
        # DER demands the shortest length form; a DigestInfo must be DER.
        if length < 0x80 or (count == 2 and length < 0x100):
            raise _CardError(SW_WRONG_DATA)
    end = pos + length
    if end > len(buf):
        raise _CardError(SW_WRONG_DATA)
    return tag, buf[pos:end], end


def _check_digest_info(data: bytes) -> None:
    """Accept only a DER DigestInfo for SHA-256/384/512 with NULL parameters (RFC 8017 9.2)."""
    tag, body, end = _der_read(data, 0)
    if tag != 0x30 or end != len(data):
        raise _CardError(SW_WRONG_DATA)
    tag, alg, pos = _der_read(body, 0)
    if tag != 0x30:
        raise _CardError(SW_WRONG_DATA)
    tag, digest, end = _der_read(body, pos)
    if tag != 0x04 or end != len(body):
        raise _CardError(SW_WRONG_DATA)
    tag, oid, pos = _der_read(alg, 0)
    if tag != 0x06 or oid not in _HASH_OIDS:
        raise _CardError(SW_WRONG_DATA)
    # RFC 8017 writes the parameters as NULL; an absent parameter is not accepted here.
    if alg[pos:] != b"\x05\x00":
        raise _CardError(SW_WRONG_DATA)
    if len(digest) != _HASH_OIDS[oid]:
        raise _CardError(SW_WRONG_DATA)


def _pin_format_ok(value: bytes) -> bool:
    """PIN format of the profile: 4 to 16 characters 0-9 A-Z a-z."""
    return 4 <= len(value) <= 16 and all(b in _PIN_ALPHABET for b in value)


def _pad_ff(content: bytes, size: int) -> bytes:
    """Content followed by erased bytes up to the EF size (grown in 256-byte steps if needed)."""
    while size < len(content) + 1:
        size += 256
    return content + b"\xff" * (size - len(content))


# --- The card ------------------------------------------------------------------------------


class _Apdu:
    """A parsed command APDU (ISO 7816-4 cases 1-4, short and extended)."""

    __slots__ = ("cla", "data", "extended", "ins", "le", "p1", "p2")

    def __init__(self, raw: bytes, extended_ok: bool) -> None:
        if len(raw) < 4:
            raise _CardError(SW_WRONG_LENGTH)
        self.cla, self.ins, self.p1, self.p2 = raw[0], raw[1], raw[2], raw[3]
        self.data: bytes | None = None
        self.le: int | None = None
        self.extended = False
        body = raw[4:]
        if not body:
            return  # case 1
        if len(body) == 1:
            self.le = body[0] or 256  # case 2 short
            return
        if body[0] != 0:
            lc = body[0]
            if len(body) == 1 + lc:  # case 3 short
                self.data = body[1:]
            elif len(body) == 2 + lc:  # case 4 short
                self.data = body[1:-1]
                self.le = body[-1] or 256
            else:
                raise _CardError(SW_WRONG_LENGTH)
            return
        # A first body byte of 00 followed by more bytes can only be extended length.
        self.extended = True
        if not extended_ok:
            raise _CardError(SW_WRONG_LENGTH)
        if len(body) == 3:  # case 2 extended
            self.le = int.from_bytes(body[1:3], "big") or 65536
            return
        if len(body) < 3:
            raise _CardError(SW_WRONG_LENGTH)
        lc = int.from_bytes(body[1:3], "big")
        if lc == 0:
            raise _CardError(SW_WRONG_LENGTH)
        if len(body) == 3 + lc:  # case 3 extended
            self.data = body[3:]
        elif len(body) == 5 + lc:  # case 4 extended
            self.data = body[3:-2]
            self.le = int.from_bytes(body[-2:], "big") or 65536
        else:
            raise _CardError(SW_WRONG_LENGTH)


class IndependentCard:
    """Pure card logic of a GoSign card (or, with ``mynumber=True``, of a My Number card)."""

    def __init__(
        self,
        *,
        card_number: str = "4000123412341234",
        holder: str = "独立 検証",
        valid_from: dt.date = dt.date(2026, 1, 1),
        valid_to: dt.date = dt.date(2027, 12, 31),
        pin: bytes = b"2468",
        unlock_code: bytes = b"13572468",
        pin_tries_left: int = MAX_TRIES,
        unlock_tries_left: int = MAX_TRIES,
        t0: bool = False,
        extended_length: bool = True,
        mynumber: bool = False,
    ) -> None:
        if len(card_number) != 16 or not card_number.isascii() or not card_number.isdigit():
            raise ValueError("card_number must be 16 ASCII digits")
        if not _pin_format_ok(pin):
            raise ValueError("pin must be 4-16 characters 0-9 A-Z a-z")
        if len(unlock_code) != 8 or not unlock_code.isdigit():
            raise ValueError("unlock_code must be 8 ASCII digits")
        if not (0 <= pin_tries_left <= MAX_TRIES and 0 <= unlock_tries_left <= MAX_TRIES):
            raise ValueError("tries must be between 0 and 10")
        self.card_number = card_number
        self.holder = holder
        self.valid_from = valid_from
        self.valid_to = valid_to
        self.t0 = t0
        self.extended_length = extended_length
        self.mynumber = mynumber
        self.pin_tries_left = pin_tries_left
        self.unlock_tries_left = unlock_tries_left
        self.commands: list[bytes] = []
        self._pin = bytes(pin)
        self._unlock_code = bytes(unlock_code)

        self._make_keys_and_certificates()
        self.card_info = self._build_card_info()
        self._files: dict[int, bytes] = {
            CARD_INFO_FID: _pad_ff(self.card_info, _CARD_INFO_SIZE),
            USER_CERT_FID: _pad_ff(self.user_certificate_der, _CERT_FILE_SIZE),
            CA_CERT_FID: _pad_ff(self.ca_certificate_der, _CERT_FILE_SIZE),
        }

        self._dispatch: dict[int, Callable[[_Apdu], bytes]] = {
            0xA4: self._select,
            0xB0: self._read_binary,
            0xC0: self._get_response,
            0x20: self._verify,
            0x24: self._change_reference_data,
            0x2C: self._reset_retry_counter,
            0x2A: self._pso,
        }
        # Session state; cleared by power_off() / reset().
        self.powered = False
        self._app: bytes | None = None
        self._ef: int | None = None
        self._verified = False
        self._pending: bytes | None = None  # T=0: data waiting for GET RESPONSE
        self._pending_sw = SW_OK

    # -- personalisation ------------------------------------------------------------------

    def _make_keys_and_certificates(self) -> None:
        """Generate the CA and user RSA-2048 keys and certificates."""
        self._ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self._user_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        not_before = dt.datetime.combine(self.valid_from, dt.time(0, 0, 0), JST)
        not_after = dt.datetime.combine(self.valid_to, dt.time(23, 59, 59), JST)

        ca_name = x509.Name(
            [
                x509.NameAttribute(NameOID.COUNTRY_NAME, "JP"),
                x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Independent Card Test Issuer"),
                x509.NameAttribute(NameOID.COMMON_NAME, "独立検証用 認証局"),
            ]
        )
        ca_public = self._ca_key.public_key()
        # The CA outlives the user certificate on both sides, as a real issuing CA does.
        ca_cert = (
            x509.CertificateBuilder()
            .subject_name(ca_name)
            .issuer_name(ca_name)
            .public_key(ca_public)
            .serial_number(x509.random_serial_number())
            .not_valid_before(not_before - dt.timedelta(days=365))
            .not_valid_after(not_after + dt.timedelta(days=365))
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
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_public), critical=False)
            .sign(self._ca_key, hashes.SHA256())
        )
        user_public = self._user_key.public_key()
        user_cert = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, self.holder)]))
            .issuer_name(ca_name)
            .public_key(user_public)
            .serial_number(x509.random_serial_number())
            .not_valid_before(not_before)
            .not_valid_after(not_after)
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
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(user_public), critical=False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_public), critical=False
            )
            .sign(self._ca_key, hashes.SHA256())
        )
        self.ca_certificate = ca_cert
        self.user_certificate = user_cert
        self.ca_certificate_der: bytes = ca_cert.public_bytes(serialization.Encoding.DER)
        self.user_certificate_der: bytes = user_cert.public_bytes(serialization.Encoding.DER)

    def _build_card_info(self) -> bytes:
        """CARD_INFO: ``70 82 HH LL { 80 81 82 83 84 85 86 }`` with BER long-form lengths."""

        def tlv(tag: int, value: bytes, long_form: bool = False) -> bytes:
            length = _ber_long_length(len(value)) if long_form else bytes([len(value)])
            return bytes([tag]) + length + value

        body = (
            tlv(0x80, self.card_number.encode("ascii"))
            # Long form even for short names: BER allows it, a DER-only parser breaks on it.
            + tlv(0x81, self.holder.encode("utf-8"), long_form=True)
            + tlv(0x82, self.valid_from.strftime("%Y%m%d").encode("ascii"))
            + tlv(0x83, self.valid_to.strftime("%Y%m%d").encode("ascii"))
            + tlv(0x84, b"\x01")
            # Unknown tags the client must skip: one with a long-form length, one empty.
            + tlv(0x85, bytes.fromhex("49 4E 44 45 50 00 FF 70"), long_form=True)
            + tlv(0x86, b"")
        )
        return b"\x70\x82" + len(body).to_bytes(2, "big") + body

    # -- power ----------------------------------------------------------------------------

    def atr(self) -> bytes:
        """The ATR: T=1 (with TCK) or, for ``t0=True``, T=0 only; historical bytes "INDEPGOSGN"."""
        historical = b"INDEPGOSGN"
        if self.t0:
            # T0 = 0K: no interface bytes, so T=0 is implied and there is no TCK.
            return bytes([0x3B, len(historical)]) + historical
        # T0 = 8K (TD1 follows), TD1 = 80 (TD2 follows, T=0), TD2 = 01 (T=1); TCK needed.
        body = bytes([0x80 | len(historical), 0x80, 0x01]) + historical
        tck = 0
        for b in body:
            tck ^= b
        return b"\x3b" + body + bytes([tck])

    def _end_session(self) -> None:
        """Forget everything that lives only for one card session."""
        self._app = None
        self._ef = None
        self._verified = False
        self._pending = None

    def power_on(self) -> None:
        """Contacts powered: a fresh session."""
        self._end_session()
        self.powered = True

    def power_off(self) -> None:
        """Contacts unpowered: the verified state is lost."""
        self._end_session()
        self.powered = False

    def reset(self) -> None:
        """Warm reset: the verified state is lost."""
        self._end_session()
        self.powered = True

    @property
    def verified(self) -> bool:
        """Whether the PIN is verified in the current card session."""
        return self._verified

    @property
    def pin(self) -> bytes:
        """The current PIN (changes with CHANGE REFERENCE DATA / RESET RETRY COUNTER)."""
        return self._pin

    # -- dispatch -------------------------------------------------------------------------

    def process(self, apdu: bytes) -> bytes:
        """Answer one command APDU with a response APDU; never raises."""
        raw = bytes(apdu)
        self.commands.append(raw)
        try:
            if len(raw) < 2 or raw[1] != 0xC0:
                # Any command but GET RESPONSE throws away unfetched T=0 data, as on real cards.
                self._pending = None
            if len(raw) < 4:
                raise _CardError(SW_WRONG_LENGTH)
            if raw[0] != 0x00:
                raise _CardError(SW_CLA)
            handler = self._dispatch.get(raw[1])
            if handler is None:
                raise _CardError(SW_INS)
            return handler(_Apdu(raw, self.extended_length))
        except _CardError as err:
            return err.sw.to_bytes(2, "big")
        except Exception:
            self._pending = None
            return SW_UNKNOWN.to_bytes(2, "big")

    def _respond(self, data: bytes, sw: int = SW_OK) -> bytes:
        """Return data + SW, or on a T=0 card keep the data back and announce it with 61xx."""
        if not data:
            return sw.to_bytes(2, "big")
        if not self.t0:
            return data + sw.to_bytes(2, "big")
        self._pending = data
        self._pending_sw = sw
        return bytes([0x61, min(len(data), 256) & 0xFF])

    def _require_gosign(self) -> None:
        if self._app != GOSIGN_AID:
            raise _CardError(_SW_CONDITIONS)

    # -- SELECT / READ BINARY / GET RESPONSE ----------------------------------------------

    def _select(self, cmd: _Apdu) -> bytes:
        """SELECT by AID (P1=04) or by FID under the application (P1=02), P2=0C only."""
        if cmd.p1 not in (0x04, 0x02) or cmd.p2 != 0x0C:
            raise _CardError(SW_WRONG_P1P2)
        # P2=0C means "no response data": a command carrying Le is malformed for it.
        if cmd.data is None or cmd.le is not None:
            raise _CardError(SW_WRONG_LENGTH)
        if cmd.p1 == 0x04:
            own_aid = JPKI_AID if self.mynumber else GOSIGN_AID
            if cmd.data != own_aid:
                # A failed SELECT leaves the current selection (and verified state) alone.
                raise _CardError(SW_NOT_FOUND)
            if self._app != own_aid:
                # Selecting *another* application ends the verified state; re-selecting the
                # current one does not (the profile only names another application).
                self._verified = False
            self._app = own_aid
            self._ef = None
            return SW_OK.to_bytes(2, "big")
        if len(cmd.data) != 2:
            raise _CardError(SW_WRONG_LENGTH)
        fid = int.from_bytes(cmd.data, "big")
        if self._app != GOSIGN_AID or fid not in self._files:
            raise _CardError(SW_NOT_FOUND)
        self._ef = fid
        return SW_OK.to_bytes(2, "big")

    def _read_binary(self, cmd: _Apdu) -> bytes:
        """READ BINARY of the current EF at a 15-bit offset."""
        if cmd.p1 & 0x80:
            raise _CardError(SW_WRONG_P1P2)  # short-EF addressing is not part of the profile
        if cmd.data is not None or cmd.le is None:
            raise _CardError(SW_WRONG_LENGTH)
        self._require_gosign()
        if self._ef is None:
            raise _CardError(_SW_NO_EF)
        content = self._files[self._ef]
        offset = (cmd.p1 << 8) | cmd.p2
        if offset >= len(content):
            raise _CardError(SW_WRONG_P1P2)
        left = len(content) - offset
        if cmd.le <= left:
            return self._respond(content[offset : offset + cmd.le])
        if self.t0 and left <= 255:
            return bytes([0x6C, left])
        return self._respond(content[offset:], SW_EOF)

    def _get_response(self, cmd: _Apdu) -> bytes:
        """GET RESPONSE: hand out held-back T=0 data in chunks of at most Le."""
        if not self.t0:
            raise _CardError(SW_INS)  # a T=1 card never announces 61xx
        if cmd.p1 != 0 or cmd.p2 != 0:
            raise _CardError(SW_WRONG_P1P2)
        if cmd.data is not None or cmd.le is None:
            raise _CardError(SW_WRONG_LENGTH)
        if self._pending is None:
            raise _CardError(_SW_CONDITIONS)
        chunk, rest = self._pending[: cmd.le], self._pending[cmd.le :]
        if rest:
            self._pending = rest
            return chunk + bytes([0x61, min(len(rest), 256) & 0xFF])
        self._pending = None
        return chunk + self._pending_sw.to_bytes(2, "big")

    # -- PIN commands ---------------------------------------------------------------------

    @property
    def _dead(self) -> bool:
        """Ten wrong unlock codes: every PIN command answers 6983 for good."""
        return self.unlock_tries_left == 0

    def _tries_sw(self, tries: int) -> bytes:
        return bytes([0x63, 0xC0 | tries])

    def _pin_command_start(self, cmd: _Apdu) -> None:
        """Checks shared by VERIFY, CHANGE REFERENCE DATA and RESET RETRY COUNTER."""
        if cmd.p1 != 0x00:
            raise _CardError(SW_WRONG_P1P2)
        if cmd.le is not None:
            raise _CardError(SW_WRONG_LENGTH)  # PIN commands never return data
        self._require_gosign()
        if self._dead:
            raise _CardError(SW_BLOCKED)

    def _check_pin(self, candidate: bytes) -> None:
        """Compare a presented PIN; spend a try when wrong (the tenth wrong one blocks)."""
        if self.pin_tries_left == 0:
            raise _CardError(SW_BLOCKED)
        if not 4 <= len(candidate) <= 16:
            raise _CardError(SW_WRONG_LENGTH)
        if secrets.compare_digest(candidate, self._pin):
            self.pin_tries_left = MAX_TRIES
            return
        self.pin_tries_left -= 1
        self._verified = False  # a failed presentation also drops an earlier success
        if self.pin_tries_left == 0:
            raise _CardError(SW_BLOCKED)
        raise _CardError(int.from_bytes(self._tries_sw(self.pin_tries_left), "big"))

    def _verify(self, cmd: _Apdu) -> bytes:
        """VERIFY: status-only (no data) for 81 and 82, or presenting the PIN (81)."""
        if cmd.p2 not in (PIN_REF, UNLOCK_REF):
            raise _CardError(SW_WRONG_P1P2)
        self._pin_command_start(cmd)
        if cmd.p2 == UNLOCK_REF:
            if cmd.data is not None:
                # The unlock code is only presented inside RESET RETRY COUNTER.
                raise _CardError(SW_WRONG_P1P2)
            return self._tries_sw(self.unlock_tries_left)
        if cmd.data is None:
            if self.pin_tries_left == 0:
                return SW_BLOCKED.to_bytes(2, "big")
            if self._verified:
                return SW_OK.to_bytes(2, "big")
            return self._tries_sw(self.pin_tries_left)
        self._check_pin(cmd.data)
        self._verified = True
        return SW_OK.to_bytes(2, "big")

    @staticmethod
    def _split_two(data: bytes | None) -> tuple[bytes, bytes]:
        """Split ``L1 FIRST L2 SECOND``; anything that does not add up is a length error."""
        if data is None or len(data) < 2:
            raise _CardError(SW_WRONG_LENGTH)
        l1 = data[0]
        if 1 + l1 + 1 > len(data):
            raise _CardError(SW_WRONG_LENGTH)
        first = data[1 : 1 + l1]
        l2 = data[1 + l1]
        second = data[2 + l1 :]
        if len(second) != l2:
            raise _CardError(SW_WRONG_LENGTH)
        return first, second

    def _change_reference_data(self, cmd: _Apdu) -> bytes:
        """CHANGE REFERENCE DATA ``L1 OLD L2 NEW`` for the PIN."""
        if cmd.p2 != PIN_REF:
            raise _CardError(SW_WRONG_P1P2)
        self._pin_command_start(cmd)
        old, new = self._split_two(cmd.data)
        if self.pin_tries_left == 0:
            raise _CardError(SW_BLOCKED)
        if not 4 <= len(old) <= 16:
            raise _CardError(SW_WRONG_LENGTH)
        # NEW is judged before OLD is compared, so a bad NEW never costs a try.
        if not _pin_format_ok(new):
            raise _CardError(SW_WRONG_DATA)
        self._check_pin(old)
        # Changing the PIN neither grants nor removes the verified state.
        self._pin = new
        return SW_OK.to_bytes(2, "big")

    def _reset_retry_counter(self, cmd: _Apdu) -> bytes:
        """RESET RETRY COUNTER ``L1 CODE L2 NEWPIN``: unlock with the 8-digit code."""
        if cmd.p2 != PIN_REF:
            raise _CardError(SW_WRONG_P1P2)
        self._pin_command_start(cmd)
        code, new = self._split_two(cmd.data)
        if len(code) != 8:
            raise _CardError(SW_WRONG_LENGTH)  # like a PIN of the wrong length: no try spent
        if not _pin_format_ok(new):
            raise _CardError(SW_WRONG_DATA)
        if not secrets.compare_digest(code, self._unlock_code):
            self.unlock_tries_left -= 1
            if self._dead:
                self._verified = False
                raise _CardError(SW_BLOCKED)
            return self._tries_sw(self.unlock_tries_left)
        self._pin = new
        self.pin_tries_left = MAX_TRIES
        self.unlock_tries_left = MAX_TRIES
        return SW_OK.to_bytes(2, "big")

    # -- signing --------------------------------------------------------------------------

    def _pso(self, cmd: _Apdu) -> bytes:
        """PERFORM SECURITY OPERATION: only COMPUTE DIGITAL SIGNATURE (P1P2 = 9E9A)."""
        if (cmd.p1, cmd.p2) != (0x9E, 0x9A):
            raise _CardError(SW_WRONG_P1P2)
        if cmd.data is None or cmd.le is None:
            raise _CardError(SW_WRONG_LENGTH)  # the profile's form is "Lc DigestInfo 00"
        self._require_gosign()
        if not self._verified:
            raise _CardError(SW_SECURITY)
        _check_digest_info(cmd.data)
        if cmd.le < 256:
            return bytes([0x6C, 0x00])  # the signature is 256 bytes; 00 means 256
        return self._respond(self._sign_digest_info(cmd.data))

    def _sign_digest_info(self, digest_info: bytes) -> bytes:
        """RSASSA-PKCS1-v1_5 over a ready DigestInfo: EMSA-PKCS1-v1_5 padding + raw RSA (CRT)."""
        numbers = self._user_key.private_numbers()
        n = numbers.public_numbers.n
        k = (n.bit_length() + 7) // 8
        em = b"\x00\x01" + b"\xff" * (k - len(digest_info) - 3) + b"\x00" + digest_info
        m = int.from_bytes(em, "big")
        s1 = pow(m, numbers.dmp1, numbers.p)
        s2 = pow(m, numbers.dmq1, numbers.q)
        h = (numbers.iqmp * (s1 - s2)) % numbers.p
        return (s2 + h * numbers.q).to_bytes(k, "big")


# --- vpcd transport ------------------------------------------------------------------------

_VPCD_POWER_OFF = 0
_VPCD_POWER_ON = 1
_VPCD_RESET = 2
_VPCD_GET_ATR = 4


class IndependentVpcdCard:
    """Serve an :class:`IndependentCard` to pcscd through vsmartcard's vpcd driver.

    Entering connects to vpcd (the card is inserted); leaving closes the socket (the card is
    pulled out) and joins the serving thread.
    """

    def __init__(self, card: IndependentCard, host: str = "127.0.0.1", port: int = 35963) -> None:
        self.card = card
        self.host = host
        self.port = port
        self._sock: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self.error: BaseException | None = None  # what stopped the server, if not a close

    def __enter__(self) -> IndependentVpcdCard:
        deadline = time.monotonic() + 5.0
        while True:
            try:
                sock = socket.create_connection((self.host, self.port), timeout=1.0)
                break
            except OSError:
                # vpcd may still be starting, or another card may just have left the slot.
                if time.monotonic() >= deadline:
                    raise
                time.sleep(0.1)
        sock.settimeout(None)
        # Without these every small frame waits for Nagle / delayed ACK (~40 ms per APDU).
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._sock = sock
        self._thread = threading.Thread(target=self._serve, name="independent-vpcd", daemon=True)
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        sock = self._sock
        if sock is not None:
            # shutdown() wakes the serving thread's blocking recv(); close() alone may not.
            with contextlib.suppress(OSError):  # already disconnected by vpcd
                sock.shutdown(socket.SHUT_RDWR)
        if self._thread is not None:
            self._thread.join(timeout=5.0)
        if sock is not None:
            sock.close()
        self._sock = None
        self._thread = None
        self.card.power_off()  # pulled out of the reader

    def _recv_exact(self, sock: socket.socket, n: int) -> bytes | None:
        """Read exactly n bytes, or None when vpcd closed the connection."""
        buf = bytearray()
        quickack = getattr(socket, "TCP_QUICKACK", None)
        while len(buf) < n:
            if quickack is not None:
                # Linux turns quick ACK off again after a while, so set it before every recv.
                sock.setsockopt(socket.IPPROTO_TCP, quickack, 1)
            chunk = sock.recv(n - len(buf))
            if not chunk:
                return None
            buf += chunk
        return bytes(buf)

    def _send_frame(self, sock: socket.socket, payload: bytes) -> None:
        sock.sendall(struct.pack(">H", len(payload)) + payload)

    def _serve(self) -> None:
        """Frame loop: 1-byte payloads are power controls, longer ones are APDUs."""
        sock = self._sock
        assert sock is not None
        try:
            while True:
                header = self._recv_exact(sock, 2)
                if header is None:
                    return
                (length,) = struct.unpack(">H", header)
                payload = self._recv_exact(sock, length) if length else b""
                if payload is None:
                    return
                if len(payload) == 1:
                    control = payload[0]
                    if control == _VPCD_POWER_OFF:
                        self.card.power_off()
                    elif control == _VPCD_POWER_ON:
                        self.card.power_on()
                    elif control == _VPCD_RESET:
                        self.card.reset()
                    elif control == _VPCD_GET_ATR:
                        self._send_frame(sock, self.card.atr())
                    # Unknown controls are ignored: vpcd expects no answer to them.
                elif payload:
                    self._send_frame(sock, self.card.process(payload))
        except ConnectionError:
            return  # vpcd went away: the same as being pulled out
        except OSError as err:
            self.error = err
