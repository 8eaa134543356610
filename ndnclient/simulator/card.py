"""The virtual GoSign card: docs/card-profile.md, command by command, over raw APDUs.

Where the profile is silent the card answers as an ISO/IEC 7816-4 card would; each such
choice is marked "Profile silent" below, so that the client's authors can find them.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum

from ndnclient.card.profile import GOSIGN_PROFILE, GoSignProfile
from ndnclient.simulator.state import VirtualCardState

logger = logging.getLogger(__name__)


ATR_T1 = bytes.fromhex("3B80800101")
"""TS=3B, T0=80 (TD1 follows, no historical bytes), TD1=80 (TD2 follows; T=0), TD2=01 (T=1),
TCK=01. The PC/SC part 3 form contactless readers give ISO 14443-4 cards; pcscd prefers T=1
whenever the card offers it, so the connection runs T=1."""

ATR_T0 = bytes.fromhex("3B00")
"""TS=3B (direct convention), T0=00: no interface bytes and no historical bytes. Without a
TD1 the only protocol is the implicit T=0 (ISO/IEC 7816-3), and a T=0-only ATR has no TCK,
so this two-byte answer is the smallest valid ATR and offers nothing but T=0."""

# Status words (docs/card-profile.md, "Status words"; and the ISO ones this card adds).
SW_OK = 0x9000
SW_END_OF_FILE = 0x6282
SW_WRONG_LENGTH = 0x6700
SW_SECURITY_STATUS_NOT_SATISFIED = 0x6982
SW_AUTHENTICATION_BLOCKED = 0x6983
SW_CONDITIONS_NOT_SATISFIED = 0x6985  # ISO: conditions of use not satisfied
SW_NO_CURRENT_EF = 0x6986  # ISO: command not allowed (no current EF)
SW_WRONG_DATA = 0x6A80
SW_NOT_FOUND = 0x6A82
SW_INCORRECT_P1P2 = 0x6A86  # ISO: incorrect parameters P1-P2
SW_REFERENCE_NOT_FOUND = 0x6A88  # ISO: referenced data or reference data not found
SW_WRONG_P1P2 = 0x6B00
SW_INS_NOT_SUPPORTED = 0x6D00
SW_CLA_NOT_SUPPORTED = 0x6E00
SW_NO_PRECISE_DIAGNOSIS = 0x6F00
SW_MORE_DATA = 0x6100  # | number of bytes available (00: 256 or more)
SW_WRONG_LE = 0x6C00  # | the right Le
SW_VERIFY_FAILED = 0x63C0  # | tries left

INS_VERIFY = 0x20
INS_CHANGE_REFERENCE_DATA = 0x24
INS_PERFORM_SECURITY_OPERATION = 0x2A
INS_MANAGE_SECURITY_ENVIRONMENT = 0x22
INS_RESET_RETRY_COUNTER = 0x2C
INS_SELECT = 0xA4
INS_READ_BINARY = 0xB0
INS_GET_RESPONSE = 0xC0

SUPPORTED_CLA = 0x00

# DER DigestInfo prefixes (RFC 8017 section 9.2, note 1), by the digest length they announce.
DIGEST_INFO_PREFIXES: dict[str, tuple[bytes, int]] = {
    "sha256": (bytes.fromhex("3031300d060960864801650304020105000420"), 32),
    "sha384": (bytes.fromhex("3041300d060960864801650304020205000430"), 48),
    "sha512": (bytes.fromhex("3051300d060960864801650304020305000440"), 64),
}


class StatusWordError(Exception):
    """Ends a command early with a status word (and no data). Never leaves the card."""

    def __init__(self, sw: int) -> None:
        super().__init__(f"SW {sw:04X}")
        self.sw = sw


@dataclass(frozen=True)
class CommandApdu:
    """A parsed command APDU (ISO/IEC 7816-3 cases 1, 2S/E, 3S/E, 4S/E)."""

    cla: int
    ins: int
    p1: int
    p2: int
    data: bytes
    le: int | None  # None: no Le field; else Ne, 1..256 (short) or 1..65536 (extended)
    extended: bool


def parse_command_apdu(apdu: bytes) -> CommandApdu:
    """Split `apdu` into header, data and Le; StatusWordError(6700) when the lengths disagree."""
    if len(apdu) < 4:
        raise StatusWordError(SW_WRONG_LENGTH)
    cla, ins, p1, p2 = apdu[0], apdu[1], apdu[2], apdu[3]
    body = apdu[4:]

    def command(data: bytes, le: int | None, extended: bool) -> CommandApdu:
        return CommandApdu(cla, ins, p1, p2, data, le, extended)

    if not body:  # case 1
        return command(b"", None, False)
    if len(body) == 1:  # case 2S; Le=00 means 256
        return command(b"", body[0] or 256, False)
    if body[0] != 0:  # case 3S or 4S
        lc = body[0]
        if len(body) == 1 + lc:
            return command(body[1:], None, False)
        if len(body) == 2 + lc:
            return command(body[1:-1], body[-1] or 256, False)
        raise StatusWordError(SW_WRONG_LENGTH)
    # body[0] == 00 with more bytes after it: extended length.
    if len(body) == 3:  # case 2E; Le=0000 means 65536
        return command(b"", int.from_bytes(body[1:3], "big") or 65536, True)
    if len(body) < 3:
        raise StatusWordError(SW_WRONG_LENGTH)
    lc = int.from_bytes(body[1:3], "big")
    if lc == 0:
        raise StatusWordError(SW_WRONG_LENGTH)
    if len(body) == 3 + lc:  # case 3E
        return command(body[3:], None, True)
    if len(body) == 5 + lc:  # case 4E
        return command(body[3:-2], int.from_bytes(body[-2:], "big") or 65536, True)
    raise StatusWordError(SW_WRONG_LENGTH)


def encode_ber_length(length: int) -> bytes:
    """A BER length: one byte below 128, else 81 xx, 82 xx xx, ..."""
    if length < 0x80:
        return bytes([length])
    body = length.to_bytes((length.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(body)]) + body


def encode_tlv(tag: int, value: bytes) -> bytes:
    """One BER-TLV (a tag of one or two bytes, as a profile names them)."""
    return (
        tag.to_bytes(max(1, (tag.bit_length() + 7) // 8), "big")
        + encode_ber_length(len(value))
        + value
    )


def build_card_info(state: VirtualCardState, profile: GoSignProfile = GOSIGN_PROFILE) -> bytes:
    """The CARD_INFO file in the profile's tags (GoSign: 70 { 80 number, 81 holder, 82 from,
    83 to, 84 version })."""
    body = b"".join(
        [
            encode_tlv(profile.tag_card_number, state.card_number.encode("ascii")),
            encode_tlv(profile.tag_holder, state.holder.encode("utf-8")),
            encode_tlv(profile.tag_valid_from, state.valid_from.strftime("%Y%m%d").encode()),
            encode_tlv(profile.tag_valid_to, state.valid_to.strftime("%Y%m%d").encode()),
            encode_tlv(profile.tag_profile_version, bytes([profile.version])),
        ]
    )
    return encode_tlv(profile.tag_card_info, body)


def parse_digest_info(digest_info: bytes) -> str | None:
    """The hash name when `digest_info` is a DER DigestInfo for SHA-256/384/512, else None."""
    for name, (prefix, digest_length) in DIGEST_INFO_PREFIXES.items():
        if len(digest_info) == len(prefix) + digest_length and digest_info.startswith(prefix):
            return name
    return None


def _sw_bytes(sw: int) -> bytes:
    return sw.to_bytes(2, "big")


def _split_two_blocks(data: bytes) -> tuple[bytes, bytes]:
    """`L1 FIRST L2 SECOND` → (FIRST, SECOND); 6700 when the inner lengths disagree with Lc."""
    # Profile silent on a malformed block: the inner lengths describe the data field's
    # length, so a mismatch is "wrong length" (6700), like Lc itself. No try is spent.
    if len(data) < 2:
        raise StatusWordError(SW_WRONG_LENGTH)
    first_length = data[0]
    if len(data) < 2 + first_length:
        raise StatusWordError(SW_WRONG_LENGTH)
    first = data[1 : 1 + first_length]
    second_length = data[1 + first_length]
    second = data[2 + first_length :]
    if len(second) != second_length:
        raise StatusWordError(SW_WRONG_LENGTH)
    return first, second


class _Application(Enum):
    GOSIGN = "gosign"
    JPKI = "jpki"


StateChangeCallback = Callable[[VirtualCardState], None]


class VirtualGoSignCard:
    """A GoSign card (or, with card_type "mynumber", a My Number card) in software.

    Thread-safe: the vpcd bridge's thread and a test's thread may both drive it.
    Power is not modelled beyond its effect: power_on, power_off and reset each end the card
    session (selection, verified PIN, pending T=0 data); commands are answered at any time.
    """

    def __init__(
        self,
        state: VirtualCardState,
        *,
        on_state_change: StateChangeCallback | None = None,
        profile: GoSignProfile = GOSIGN_PROFILE,
    ) -> None:
        self._state = state
        # The layout it answers in: the shipped GoSign profile, or another profile file's
        # (`ndnclient simulator ... --profile FILE`), so that a second layout is tested end to end.
        self._profile = profile
        self._on_state_change = on_state_change
        self._lock = threading.RLock()
        self._application: _Application | None = None
        self._current_file: int | None = None
        self._pin_verified = False
        self._pending: bytes | None = None  # T=0: data waiting for GET RESPONSE
        self._pending_sw = SW_OK
        self._signing_numbers: tuple[bytes, tuple[int, int, int, int, int, int, int]] | None = None
        self._handlers: dict[int, Callable[[CommandApdu], bytes]] = {
            INS_SELECT: self._select,
            INS_READ_BINARY: self._read_binary,
            INS_VERIFY: self._verify,
            INS_CHANGE_REFERENCE_DATA: self._change_reference_data,
            INS_RESET_RETRY_COUNTER: self._reset_retry_counter,
            INS_PERFORM_SECURITY_OPERATION: self._compute_digital_signature,
            INS_GET_RESPONSE: self._get_response,
        }
        self._signing_key_chosen = False
        if profile.key_reference is not None:
            # A layout that names its signing key takes MSE SET before each signing session.
            self._handlers[INS_MANAGE_SECURITY_ENVIRONMENT] = self._manage_security_environment

    # --- Outside view ----------------------------------------------------------------------

    @property
    def state(self) -> VirtualCardState:
        """The card's persistent state (shared, not a copy)."""
        return self._state

    @property
    def atr(self) -> bytes:
        """The answer to reset: T=0 only when the state asks for T=0, else T=1."""
        return ATR_T0 if self._state.t0 else ATR_T1

    @property
    def pin_verified(self) -> bool:
        """Whether the PIN is verified in the current card session."""
        return self._pin_verified

    def power_on(self) -> None:
        """The reader powers the card: a new card session."""
        with self._lock:
            self._end_session()

    def power_off(self) -> None:
        """The reader cuts the power (or the card is pulled): the session ends."""
        with self._lock:
            self._end_session()

    def reset(self) -> None:
        """A warm reset: the session ends."""
        with self._lock:
            self._end_session()

    def process_apdu(self, apdu: bytes | bytearray) -> bytes:
        """Answer one command APDU with data + SW1 SW2. Never raises."""
        with self._lock:
            header = ""
            try:
                command = bytes(apdu)
                # Only the header ever goes to the log: a command's data may be a PIN.
                header = command[:4].hex(" ").upper()
                response = self._process(command)
            except Exception:
                logger.exception("virtual card: internal error on %s", header)
                self._pending = None
                response = _sw_bytes(SW_NO_PRECISE_DIAGNOSIS)
            logger.debug("virtual card: %s -> %s", header, response[-2:].hex().upper())
            return response

    # --- Dispatch ---------------------------------------------------------------------------

    def _end_session(self) -> None:
        self._signing_key_chosen = False
        self._application = None
        self._current_file = None
        self._pin_verified = False
        self._pending = None

    def _process(self, apdu: bytes) -> bytes:
        try:
            command = parse_command_apdu(apdu)
        except StatusWordError as status:
            self._pending = None
            return _sw_bytes(status.sw)
        # T=0 data waits only for the command right after it (ISO/IEC 7816-4: any other
        # command discards it).
        if not (command.cla == SUPPORTED_CLA and command.ins == INS_GET_RESPONSE):
            self._pending = None
        if command.extended and not self._state.extended_length:
            return _sw_bytes(SW_WRONG_LENGTH)
        # Profile silent on CLA: only 00 is defined; secure messaging, chaining and logical
        # channels are not offered, and every other class answers 6E00.
        if command.cla != SUPPORTED_CLA:
            return _sw_bytes(SW_CLA_NOT_SUPPORTED)
        handler = self._handlers.get(command.ins)
        if handler is None:
            return _sw_bytes(SW_INS_NOT_SUPPORTED)
        try:
            return handler(command)
        except StatusWordError as status:
            return _sw_bytes(status.sw)

    def _reply(self, data: bytes, sw: int = SW_OK) -> bytes:
        """Data and SW; a T=0 card announces the data with 61xx and keeps it for GET RESPONSE."""
        if data and self._state.t0:
            self._pending = data
            self._pending_sw = sw
            return _sw_bytes(SW_MORE_DATA | (min(len(data), 256) & 0xFF))
        return data + _sw_bytes(sw)

    def _persist(self) -> None:
        if self._on_state_change is not None:
            self._on_state_change(self._state)

    @staticmethod
    def _no_le(command: CommandApdu) -> None:
        # Profile silent on an Le the command has no use for: the profile gives these
        # commands without Le, so another case is a wrong length (ISO/IEC 7816-3 cases).
        if command.le is not None:
            raise StatusWordError(SW_WRONG_LENGTH)

    # --- SELECT -----------------------------------------------------------------------------

    def _select(self, command: CommandApdu) -> bytes:
        # Profile silent on other P1/P2: only "by AID" and "by FID", both with P2=0C (no
        # response data), are offered; everything else (FCI, MF, paths) answers 6A86.
        if command.p2 != self._profile.select_no_response_p2:
            raise StatusWordError(SW_INCORRECT_P1P2)
        if command.p1 == self._profile.select_by_aid_p1:
            self._no_le(command)
            return self._select_application(command.data)
        if command.p1 == self._profile.select_by_fid_p1:
            self._no_le(command)
            return self._select_file(command.data)
        raise StatusWordError(SW_INCORRECT_P1P2)

    def _applications(self) -> dict[bytes, _Application]:
        if self._state.card_type == "mynumber":
            return {self._profile.jpki_aid: _Application.JPKI}
        return {self._profile.aid: _Application.GOSIGN}

    def _select_application(self, aid: bytes) -> bytes:
        if not aid:
            raise StatusWordError(SW_WRONG_LENGTH)
        # Profile silent on partial AIDs: only the exact AID matches (no right truncation).
        application = self._applications().get(aid)
        if application is None:
            # ISO/IEC 7816-4: a failed selection leaves the current one as it was.
            raise StatusWordError(SW_NOT_FOUND)
        # "another application is selected" ends the verified state; selecting the current
        # application again does not leave it, so the PIN stays verified (profile silent).
        if application is not self._application:
            self._pin_verified = False
        self._application = application
        self._current_file = None
        return _sw_bytes(SW_OK)

    def _select_file(self, fid: bytes) -> bytes:
        if len(fid) != 2:
            raise StatusWordError(SW_WRONG_LENGTH)
        # Files live under the GoSign application; without it (nothing selected, or the
        # My Number card's JPKI application, whose files this card does not model) none is found.
        if self._application is not _Application.GOSIGN:
            raise StatusWordError(SW_NOT_FOUND)
        file_id = int.from_bytes(fid, "big")
        if file_id not in (
            self._profile.fid_card_info,
            self._profile.fid_user_cert,
            self._profile.fid_ca_cert,
        ):
            raise StatusWordError(SW_NOT_FOUND)
        self._current_file = file_id
        return _sw_bytes(SW_OK)

    def _file_content(self, file_id: int) -> bytes:
        if file_id == self._profile.fid_card_info:
            return build_card_info(self._state, self._profile)
        if file_id == self._profile.fid_user_cert:
            return self._state.user_certificate_der
        if file_id == self._profile.fid_ca_cert:
            return self._state.ca_certificate_der
        raise AssertionError(f"no such file {file_id:04X}")  # _select_file admits only these

    # --- READ BINARY ------------------------------------------------------------------------

    def _read_binary(self, command: CommandApdu) -> bytes:
        if command.data or command.le is None:
            raise StatusWordError(SW_WRONG_LENGTH)
        # Profile: the offset is P1P2 on 15 bits. P1 bit 8 would be ISO's short-EF-identifier
        # addressing, which this card does not offer (profile silent): 6A86.
        if command.p1 & 0x80:
            raise StatusWordError(SW_INCORRECT_P1P2)
        # Profile silent on READ BINARY with no file selected: ISO 6986 (no current EF).
        if self._current_file is None:
            raise StatusWordError(SW_NO_CURRENT_EF)
        content = self._file_content(self._current_file)
        offset = (command.p1 << 8) | command.p2
        if offset >= len(content):
            raise StatusWordError(SW_WRONG_P1P2)
        chunk = content[offset : offset + command.le]
        if len(chunk) < command.le:
            # A T=0 card cannot send fewer bytes than P3 announced: it asks for the right Le.
            # Profile silent when more than 256 bytes are left (only with an extended Le):
            # 6Cxx cannot say so, so the bytes go out with 6282 as on T=1.
            if self._state.t0 and len(chunk) <= 256:
                raise StatusWordError(SW_WRONG_LE | (len(chunk) & 0xFF))
            return self._reply(chunk, SW_END_OF_FILE)
        return self._reply(chunk)

    # --- PIN commands -----------------------------------------------------------------------

    def _require_application_for_pin(self) -> None:
        # Profile silent: the PIN and unlock code belong to the GoSign application; with
        # another (or no) application current, the reference is not found (ISO 6A88).
        if self._application is not _Application.GOSIGN:
            raise StatusWordError(SW_REFERENCE_NOT_FOUND)

    @property
    def _card_dead(self) -> bool:
        """Ten wrong unlock codes: every PIN command answers 6983, for good."""
        return self._state.unlock_tries_left == 0

    def _pin_failure_sw(self) -> int:
        tries = self._state.pin_tries_left
        return SW_AUTHENTICATION_BLOCKED if tries == 0 else SW_VERIFY_FAILED | tries

    def _spend_pin_try(self, pin: bytes) -> bool:
        """Take one try and persist that first, then compare: pulling the card mid-command
        never gives a free try. The caller restores the counter on success."""
        self._state.pin_tries_left -= 1
        self._persist()
        return self._state.check_pin(pin)

    def _verify(self, command: CommandApdu) -> bytes:
        # Profile silent on other P1-P2: only 0081 and 0082 exist; 6A86 otherwise.
        if command.p1 != 0 or command.p2 not in (
            self._profile.pin_reference,
            self._profile.unlock_reference,
        ):
            raise StatusWordError(SW_INCORRECT_P1P2)
        self._no_le(command)
        self._require_application_for_pin()
        if not command.data:
            return _sw_bytes(self._status_only(command.p2))
        if command.p2 == self._profile.unlock_reference:
            # Profile silent: the unlock code is presented only inside RESET RETRY COUNTER;
            # VERIFY with data on 82 is refused without spending a try (ISO 6985), so that
            # it cannot serve to test codes outside the unlock command.
            if self._card_dead:
                raise StatusWordError(SW_AUTHENTICATION_BLOCKED)
            raise StatusWordError(SW_CONDITIONS_NOT_SATISFIED)
        pin = command.data
        # Format errors come before the blocked state (ISO order: syntax, then conditions);
        # neither spends a try.
        if not self._profile.pin_min_length <= len(pin) <= self._profile.pin_max_length:
            raise StatusWordError(SW_WRONG_LENGTH)
        if self._card_dead or self._state.pin_tries_left == 0:
            raise StatusWordError(SW_AUTHENTICATION_BLOCKED)
        # A PIN with characters outside the alphabet is simply wrong: the card compares.
        if self._spend_pin_try(pin):
            self._state.pin_tries_left = self._profile.pin_max_tries
            self._persist()
            self._pin_verified = True
            return _sw_bytes(SW_OK)
        # Profile silent: a failed VERIFY also ends an earlier verified state (ISO, PIV).
        self._pin_verified = False
        return _sw_bytes(self._pin_failure_sw())

    def _status_only(self, reference: int) -> int:
        if self._card_dead:
            return SW_AUTHENTICATION_BLOCKED
        if reference == self._profile.unlock_reference:
            # Never 9000: the unlock code is not "verified" in a session.
            return SW_VERIFY_FAILED | self._state.unlock_tries_left
        if self._state.pin_tries_left == 0:
            return SW_AUTHENTICATION_BLOCKED
        if self._pin_verified:
            return SW_OK
        return SW_VERIFY_FAILED | self._state.pin_tries_left

    def _change_reference_data(self, command: CommandApdu) -> bytes:
        # Profile silent: only the PIN (0081) can be changed; 6A86 for anything else.
        if command.p1 != 0 or command.p2 != self._profile.pin_reference:
            raise StatusWordError(SW_INCORRECT_P1P2)
        self._no_le(command)
        self._require_application_for_pin()
        old_pin, new_pin = _split_two_blocks(command.data)
        if not self._profile.pin_min_length <= len(old_pin) <= self._profile.pin_max_length:
            raise StatusWordError(SW_WRONG_LENGTH)  # as VERIFY: 6700, no try spent
        if not self._profile.is_valid_pin(new_pin):
            raise StatusWordError(SW_WRONG_DATA)  # NEW breaks the format: 6A80, no try spent
        if self._card_dead or self._state.pin_tries_left == 0:
            raise StatusWordError(SW_AUTHENTICATION_BLOCKED)
        if self._spend_pin_try(old_pin):
            self._state.set_pin(new_pin)
            self._state.pin_tries_left = self._profile.pin_max_tries
            self._persist()
            # Profile silent: the old PIN was just proven, so the PIN counts as verified
            # afterwards, as PIV's CHANGE REFERENCE DATA does.
            self._pin_verified = True
            return _sw_bytes(SW_OK)
        self._pin_verified = False
        return _sw_bytes(self._pin_failure_sw())

    def _reset_retry_counter(self, command: CommandApdu) -> bytes:
        # Profile: P1=00 (code and new PIN in the data), P2=81 (the PIN). ISO's other P1
        # values (code only, new PIN only, nothing) are not offered: 6A86.
        if command.p1 != 0 or command.p2 != self._profile.pin_reference:
            raise StatusWordError(SW_INCORRECT_P1P2)
        self._no_le(command)
        self._require_application_for_pin()
        code, new_pin = _split_two_blocks(command.data)
        # Profile silent on a code of the wrong length: the code is always 8 digits, so any
        # other length is a wrong length (6700, no try spent), as for VERIFY's PIN.
        if len(code) != self._profile.unlock_code_length:
            raise StatusWordError(SW_WRONG_LENGTH)
        if not self._profile.is_valid_pin(new_pin):
            raise StatusWordError(SW_WRONG_DATA)
        if self._card_dead:
            raise StatusWordError(SW_AUTHENTICATION_BLOCKED)
        # Same order as for the PIN: the spent try is on disk before the code is compared.
        self._state.unlock_tries_left -= 1
        self._persist()
        if self._state.check_unlock_code(code):
            self._state.set_pin(new_pin)
            self._state.pin_tries_left = self._profile.pin_max_tries
            self._state.unlock_tries_left = self._profile.unlock_max_tries
            self._persist()
            # Profile silent: unlocking does not present the PIN, so the holder verifies
            # the new PIN before signing.
            self._pin_verified = False
            return _sw_bytes(SW_OK)
        if self._card_dead:
            self._pin_verified = False  # unusable for good, from this command on
            return _sw_bytes(SW_AUTHENTICATION_BLOCKED)
        return _sw_bytes(SW_VERIFY_FAILED | self._state.unlock_tries_left)

    # --- COMPUTE DIGITAL SIGNATURE ----------------------------------------------------------

    def _compute_digital_signature(self, command: CommandApdu) -> bytes:
        # Profile silent on other PERFORM SECURITY OPERATION P1-P2 (decipher, hash ...): 6A86.
        if (command.p1, command.p2) != (self._profile.sign_p1, self._profile.sign_p2):
            raise StatusWordError(SW_INCORRECT_P1P2)
        if not command.data or command.le is None:
            raise StatusWordError(SW_WRONG_LENGTH)
        # Security before data: without the PIN the card does not look at the data.
        if self._application is not _Application.GOSIGN or not self._pin_verified:
            raise StatusWordError(SW_SECURITY_STATUS_NOT_SATISFIED)
        if self._profile.key_reference is not None and not self._signing_key_chosen:
            raise StatusWordError(SW_CONDITIONS_NOT_SATISFIED)  # no MSE SET named the key
        if parse_digest_info(command.data) is None:
            raise StatusWordError(SW_WRONG_DATA)
        # Profile silent on an Le below the signature's length: ISO's 6Cxx with the right
        # Le (00 = 256), before any signing happens.
        if command.le < self._profile.signature_length:
            raise StatusWordError(SW_WRONG_LE | (self._profile.signature_length & 0xFF))
        return self._reply(self._sign(command.data))

    def _manage_security_environment(self, command: CommandApdu) -> bytes:
        """MSE SET for a digital signature (P1 41, P2 B6) with the key reference 84 01 kk."""
        if (command.p1, command.p2) != (0x41, 0xB6):
            raise StatusWordError(SW_INCORRECT_P1P2)
        if command.data != bytes([0x84, 0x01, self._profile.key_reference or 0]):
            raise StatusWordError(SW_REFERENCE_NOT_FOUND)
        self._signing_key_chosen = True
        return _sw_bytes(SW_OK)

    def _private_numbers(self) -> tuple[int, int, int, int, int, int, int]:
        """(n, e, p, q, dp, dq, qinv) of the user key, parsed once per key."""
        pem = self._state.user_key_pem
        if self._signing_numbers is None or self._signing_numbers[0] != pem:
            numbers = self._state.user_private_key().private_numbers()
            public = numbers.public_numbers
            self._signing_numbers = (
                pem,
                (
                    public.n,
                    public.e,
                    numbers.p,
                    numbers.q,
                    numbers.dmp1,
                    numbers.dmq1,
                    numbers.iqmp,
                ),
            )
        return self._signing_numbers[1]

    def _sign(self, digest_info: bytes) -> bytes:
        """RSASSA-PKCS1-v1_5 over a ready DigestInfo: EMSA padding, then the raw RSA operation.

        cryptography's sign() would hash (or, with Prehashed, wrap a digest in its own
        DigestInfo); the card receives the DigestInfo itself, so it pads and exponentiates.
        """
        n, e, p, q, dp, dq, qinv = self._private_numbers()
        k = (n.bit_length() + 7) // 8
        padding_length = k - 3 - len(digest_info)
        if padding_length < 8:  # RFC 8017 9.2 step 3: "intended encoded message length too short"
            raise StatusWordError(SW_WRONG_DATA)
        encoded = b"\x00\x01" + b"\xff" * padding_length + b"\x00" + digest_info
        m = int.from_bytes(encoded, "big")
        # CRT: about four times faster than pow(m, d, n).
        s_p = pow(m, dp, p)
        s_q = pow(m, dq, q)
        s = s_q + q * ((qinv * (s_p - s_q)) % p)
        # A faulty result would leak the key (Bellcore); a real card checks, so does this one.
        if pow(s, e, n) != m:
            raise RuntimeError("the signature did not verify")
        return s.to_bytes(k, "big")

    # --- GET RESPONSE -----------------------------------------------------------------------

    def _get_response(self, command: CommandApdu) -> bytes:
        if command.p1 != 0 or command.p2 != 0:
            raise StatusWordError(SW_INCORRECT_P1P2)
        if command.data or command.le is None:
            raise StatusWordError(SW_WRONG_LENGTH)
        # Profile silent on GET RESPONSE with nothing pending (always so on T=1): the
        # instruction exists, but its condition of use is not met, so ISO 6985 rather than
        # 6D00, which would claim the card has no GET RESPONSE at all.
        if self._pending is None:
            raise StatusWordError(SW_CONDITIONS_NOT_SATISFIED)
        pending = self._pending
        if command.le > len(pending) and len(pending) <= 256:
            # Asked for more than is left: the right Le, and the data stays for the retry.
            raise StatusWordError(SW_WRONG_LE | (len(pending) & 0xFF))
        chunk, rest = pending[: command.le], pending[command.le :]
        if rest:
            self._pending = rest
            return chunk + _sw_bytes(SW_MORE_DATA | (min(len(rest), 256) & 0xFF))
        self._pending = None
        return chunk + _sw_bytes(self._pending_sw)
