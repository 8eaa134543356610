"""The GoSign card protocol (docs/card-profile.md) over any `SmartCardConnection`.

Each method sends the profile's commands and turns the card's answer into a value or a
typed error. PIN policy (reading the counter first, the last-try confirmation, what to do
when an answer is lost) is not here but in `ndnclient.card.pin`, which is the only caller
of `verify_pin`, `change_pin` and `unlock_pin`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

from ndnclient.card.apdu import (
    EXTENDED_MAX_LE,
    SHORT_MAX_LE,
    SW,
    CommandApdu,
    Ins,
    ResponseApdu,
    describe_sw,
    tries_left_from_sw,
)
from ndnclient.card.connection import SmartCardConnection
from ndnclient.card.errors import (
    ApduError,
    CardError,
    InvalidPinError,
    MalformedResponseError,
    MyNumberCardError,
    NotFoundOnCardError,
    NotGoSignCardError,
    PinFormatError,
    SecurityStatusNotSatisfiedError,
    TransportError,
    WrongDataError,
    blocked_error,
)
from ndnclient.card.info import CardInfo, parse_card_info
from ndnclient.card.profile import GoSignProfile, active_profiles
from ndnclient.card.tlv import TlvIncomplete, read_header
from ndnclient.card.transport import ApduTransport

# READ BINARY addresses the file with 15 bits of P1-P2.
MAX_READ_OFFSET = 0x7FFF
# The profile's extended READ BINARY takes Le up to 65535.
MAX_EXTENDED_READ = EXTENDED_MAX_LE - 1

Secret = bytes | bytearray
CounterName = Literal["pin", "unlock"]


class CardType(StrEnum):
    GOSIGN = "gosign"
    MYNUMBER = "mynumber"
    UNKNOWN = "unknown"
    NONE = "none"  # no card in the reader


@dataclass(frozen=True)
class PinCounter:
    """A retry counter as the card reports it."""

    which: CounterName
    tries_left: int
    max_tries: int
    verified: bool = False

    @property
    def blocked(self) -> bool:
        return self.tries_left == 0


def error_for_card_type(card_type: CardType) -> CardError | None:
    """Why a card of this type cannot be used (None for a GoSign card)."""
    if card_type is CardType.GOSIGN:
        return None
    if card_type is CardType.MYNUMBER:
        return MyNumberCardError("this is a My Number card, not a GoSign card")
    return NotGoSignCardError("the card has no GoSign application")


def error_for_sw(sw: int, ins: int, what: str) -> ApduError:
    """The typed error for an unexpected status word."""
    kind: type[ApduError] = {
        SW.NOT_FOUND: NotFoundOnCardError,
        SW.SECURITY_STATUS_NOT_SATISFIED: SecurityStatusNotSatisfiedError,
        SW.WRONG_DATA: WrongDataError,
    }.get(sw, ApduError)  # type: ignore[call-overload]
    return kind(sw, ins=ins, what=what, meaning=describe_sw(sw))


ProfileChoice = GoSignProfile | Sequence[GoSignProfile] | None


def profile_candidates(profile: ProfileChoice) -> tuple[GoSignProfile, ...]:
    """The profiles to try: the one given, those given in order, or (None) the ones in use."""
    if profile is None:
        return active_profiles()
    if isinstance(profile, GoSignProfile):
        return (profile,)
    return tuple(profile)


def read_binary_answer(response: ResponseApdu, le: int, offset: int) -> tuple[bytes, bool]:
    """What one READ BINARY answer gives: its data, and True when the card said the file ended
    (6282, or 6B00 for an offset past the end). More data than Le asked for is malformed; any
    other status word, its typed error. (The session and the card probe read alike.)"""
    if len(response.data) > le:
        raise MalformedResponseError(
            f"READ BINARY returned {len(response.data)} bytes for Le {le}", offset=offset
        )
    if response.sw == SW.SUCCESS:
        return response.data, False
    if response.sw == SW.END_OF_FILE:
        return response.data, True
    if response.sw == SW.WRONG_P1P2:
        return b"", True
    raise error_for_sw(response.sw, Ins.READ_BINARY, f"READ BINARY at {offset}")


class GoSignSession:
    """One card session with a GoSign card, in the layout of the profile that matched."""

    def __init__(self, connection: SmartCardConnection, profile: ProfileChoice = None) -> None:
        self.connection = connection
        self.transport = ApduTransport(connection)
        self.candidates = profile_candidates(profile)
        # The first candidate until `identify` finds the one whose application answers.
        self.profile = self.candidates[0]
        # None until the first extended READ BINARY tells; remembered for the session.
        # T=0 cannot carry an extended Le (ISO/IEC 7816-3 has no case 2E for it), so a T=0
        # card starts with short reads rather than spend a command finding that out.
        self.extended_length: bool | None = False if connection.protocol == "T=0" else None
        self._application_selected = False

    @property
    def profile_known(self) -> bool:
        """Whether `profile` is the card's: identified, or the only one there is to try."""
        return self._application_selected or len(self.candidates) == 1

    # --- identification -------------------------------------------------------------------

    def identify(self) -> CardType:
        """Which card this is, by selecting applications (never by ATR): each profile's in
        order, the first that answers giving the session its layout; then the My Number
        applications the profiles name."""
        for candidate in self.candidates:
            if self._select_aid(candidate.aid).ok:
                self.profile = candidate
                self._application_selected = True
                return CardType.GOSIGN
        self._application_selected = False
        mynumber_aids = dict.fromkeys(aid for p in self.candidates for aid in p.mynumber_aids)
        for aid in mynumber_aids:
            if self._select_aid(aid).ok:
                return CardType.MYNUMBER
        return CardType.UNKNOWN

    def select_application(self) -> None:
        """Select the GoSign application; a card without it raises NotGoSignCardError."""
        error = error_for_card_type(self.identify())
        if error is not None:
            raise error

    def _ensure_application(self) -> None:
        if not self._application_selected:
            self.select_application()

    def _select_aid(self, aid: bytes) -> ResponseApdu:
        p = self.profile
        return self.transport.send(
            CommandApdu(0x00, Ins.SELECT, p.select_by_aid_p1, p.select_no_response_p2, aid)
        )

    def select_file(self, fid: int) -> None:
        self._ensure_application()
        p = self.profile
        response = self.transport.send(
            CommandApdu(
                0x00,
                Ins.SELECT,
                p.select_by_fid_p1,
                p.select_no_response_p2,
                fid.to_bytes(2, "big"),
            )
        )
        if not response.ok:
            raise error_for_sw(response.sw, Ins.SELECT, f"SELECT file {fid:04X}")

    # --- reading files ----------------------------------------------------------------------

    def read_binary(self, offset: int, length: int) -> tuple[bytes, bool]:
        """Up to `length` bytes of the selected file at `offset`, in one command (plus any
        GET RESPONSE). The flag is True when the card said the file ended (6282 or 6B00)."""
        if not 0 <= offset <= MAX_READ_OFFSET:
            raise MalformedResponseError(f"file offset {offset} beyond READ BINARY's reach")
        use_extended = length > SHORT_MAX_LE and self.extended_length is not False
        le = min(length, MAX_EXTENDED_READ if use_extended else SHORT_MAX_LE)
        try:
            response = self.transport.send(self._read_command(offset, le, use_extended))
        except TransportError:
            # Some readers refuse an extended APDU in the service instead of passing 6700
            # up from the card; on a first try that means "no extended length" too.
            if not use_extended or self.extended_length is not None:
                raise
            response = ResponseApdu(b"", SW.WRONG_LENGTH)
        if use_extended:
            if response.sw == SW.WRONG_LENGTH:
                # The card or reader does not take extended length: short reads from now on.
                self.extended_length = False
                le = min(length, SHORT_MAX_LE)
                response = self.transport.send(self._read_command(offset, le, False))
            elif response.sw in (SW.SUCCESS, SW.END_OF_FILE):
                self.extended_length = True
        return read_binary_answer(response, le, offset)

    @staticmethod
    def _read_command(offset: int, le: int, extended: bool) -> CommandApdu:
        return CommandApdu(
            0x00, Ins.READ_BINARY, offset >> 8, offset & 0xFF, le=le, extended=extended
        )

    def read_tlv_file(self, fid: int, first_read: int) -> bytes:
        """Read a file holding one BER-TLV object (CARD_INFO, a DER certificate).

        The first read takes `first_read` bytes, enough for the object's header; the
        header gives the total length, and the rest comes in as few reads as the reader
        allows (one extended read, or 256-byte short reads).
        """
        self.select_file(fid)
        data = bytearray()
        ended = False
        want = first_read
        while True:
            chunk, ended = self.read_binary(len(data), want)
            data += chunk
            try:
                total = read_header(data).total_length
                break
            except TlvIncomplete:
                if ended or not chunk:
                    raise MalformedResponseError(
                        f"file {fid:04X} ends inside its header", fid=f"{fid:04X}"
                    ) from None
                want = self.profile.der_header_length
        while len(data) < total:
            if ended:
                raise MalformedResponseError(
                    f"file {fid:04X} is shorter ({len(data)} bytes) than its header says ({total})",
                    fid=f"{fid:04X}",
                )
            chunk, ended = self.read_binary(len(data), total - len(data))
            if not chunk and not ended:
                raise MalformedResponseError(f"the card sent no data for file {fid:04X}")
            data += chunk
        return bytes(data[:total])

    def read_card_info(self) -> CardInfo:
        """CARD_INFO: number, holder, validity. It is small, so one short read normally."""
        return parse_card_info(
            self.read_tlv_file(self.profile.fid_card_info, SHORT_MAX_LE), self.profile
        )

    def read_user_certificate(self) -> bytes:
        """The holder's X.509 certificate, DER (header first, then the rest)."""
        return self.read_tlv_file(self.profile.fid_user_cert, self.profile.der_header_length)

    def read_ca_certificate(self) -> bytes:
        """The issuing CA's certificate, DER."""
        return self.read_tlv_file(self.profile.fid_ca_cert, self.profile.der_header_length)

    # --- PIN and unlock code ----------------------------------------------------------------

    def _reference(self, which: CounterName) -> int:
        return self.profile.pin_reference if which == "pin" else self.profile.unlock_reference

    def _max_tries(self, which: CounterName) -> int:
        return self.profile.pin_max_tries if which == "pin" else self.profile.unlock_max_tries

    def pin_counter(self, which: CounterName = "pin") -> PinCounter:
        """Tries left, read with a status-only VERIFY (no data: consumes nothing)."""
        self._ensure_application()
        response = self.transport.send(CommandApdu(0x00, Ins.VERIFY, 0x00, self._reference(which)))
        max_tries = self._max_tries(which)
        if response.ok:
            # Verified in this card session; a right PIN resets the counter to its maximum.
            return PinCounter(which, max_tries, max_tries, verified=True)
        tries = tries_left_from_sw(response.sw)
        if tries is None or tries > max_tries:
            raise error_for_sw(response.sw, Ins.VERIFY, f"{which} status")
        return PinCounter(which, tries, max_tries)

    def verify_pin(self, pin: Secret) -> None:
        """One VERIFY with the PIN. Raises InvalidPinError, PinBlockedError, PinFormatError."""
        self._ensure_application()
        response = self.transport.send(
            CommandApdu(0x00, Ins.VERIFY, 0x00, self.profile.pin_reference, pin)
        )
        self._check_pin_answer(response, Ins.VERIFY, "pin")

    def change_pin(self, old_pin: Secret, new_pin: Secret) -> None:
        """One CHANGE REFERENCE DATA: `L1 OLD L2 NEW`."""
        self._ensure_application()
        self._send_pin_pair(Ins.CHANGE_REFERENCE_DATA, old_pin, new_pin, "pin")

    def unlock_pin(self, unlock_code: Secret, new_pin: Secret) -> None:
        """One RESET RETRY COUNTER with the helpdesk's unlock code and a new PIN."""
        self._ensure_application()
        self._send_pin_pair(Ins.RESET_RETRY_COUNTER, unlock_code, new_pin, "unlock")

    def _send_pin_pair(self, ins: Ins, first: Secret, second: Secret, which: CounterName) -> None:
        # Built in place in one bytearray, so that the only copy of the secrets can be wiped.
        data = bytearray(2 + len(first) + len(second))
        try:
            data[0] = len(first)
            data[1 : 1 + len(first)] = first
            data[1 + len(first)] = len(second)
            data[2 + len(first) :] = second
            response = self.transport.send(
                CommandApdu(0x00, ins, 0x00, self.profile.pin_reference, data)
            )
        finally:
            data[:] = bytes(len(data))
        self._check_pin_answer(response, ins, which)

    def _check_pin_answer(self, response: ResponseApdu, ins: Ins, which: CounterName) -> None:
        if response.ok:
            return
        if response.sw == SW.WRONG_LENGTH:
            raise PinFormatError(
                "the card refused the length (no try spent)", which="rejected_length"
            )
        if response.sw == SW.WRONG_DATA and ins != Ins.VERIFY:
            raise PinFormatError("the card refused the new PIN (no try spent)", which="new_pin")
        tries = tries_left_from_sw(response.sw)
        if tries == 0:
            raise blocked_error(which)
        if tries is not None and tries <= self._max_tries(which):
            raise InvalidPinError(tries, which=which)
        raise error_for_sw(response.sw, ins, f"{which} command")

    # --- signing ----------------------------------------------------------------------------

    def sign_digest_info(self, digest_info: bytes) -> bytes:
        """RSA PKCS#1 v1.5 signature of a DigestInfo; the PIN must be verified first."""
        self._ensure_application()
        p = self.profile
        if p.key_reference is not None:
            # The profile names the key: MANAGE SECURITY ENVIRONMENT SET for signing (DST).
            chosen = self.transport.send(
                CommandApdu(
                    0x00,
                    Ins.MANAGE_SECURITY_ENVIRONMENT,
                    0x41,
                    0xB6,
                    bytes([0x84, 0x01, p.key_reference]),
                )
            )
            if not chosen.ok:
                raise error_for_sw(chosen.sw, Ins.MANAGE_SECURITY_ENVIRONMENT, "signing key")
        response = self.transport.send(
            CommandApdu(
                0x00,
                Ins.PERFORM_SECURITY_OPERATION,
                p.sign_p1,
                p.sign_p2,
                digest_info,
                le=SHORT_MAX_LE,
            )
        )
        if not response.ok:
            raise error_for_sw(response.sw, Ins.PERFORM_SECURITY_OPERATION, "signature")
        if len(response.data) != p.signature_length:
            raise MalformedResponseError(
                f"signature of {len(response.data)} bytes, {p.signature_length} expected"
            )
        return response.data
