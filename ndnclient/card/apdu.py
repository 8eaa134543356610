"""Command and response APDUs (ISO/IEC 7816-4), status words and instruction codes."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum

from ndnclient.card.errors import MalformedResponseError

SHORT_MAX_LC = 255
SHORT_MAX_LE = 256
EXTENDED_MAX_LC = 65535
EXTENDED_MAX_LE = 65536


class Ins(IntEnum):
    """Instruction bytes the GoSign profile uses."""

    SELECT = 0xA4
    READ_BINARY = 0xB0
    GET_RESPONSE = 0xC0
    VERIFY = 0x20
    CHANGE_REFERENCE_DATA = 0x24
    RESET_RETRY_COUNTER = 0x2C
    PERFORM_SECURITY_OPERATION = 0x2A
    MANAGE_SECURITY_ENVIRONMENT = 0x22  # only for a profile that names a key reference


# Commands whose data is a PIN, an unlock code or a new PIN: never logged, never re-sent.
SECRET_BEARING_INS = frozenset({Ins.VERIFY, Ins.CHANGE_REFERENCE_DATA, Ins.RESET_RETRY_COUNTER})


class SW(IntEnum):
    """Status words with a fixed value. Families (61xx, 63Cx, 6Cxx) have helpers below."""

    SUCCESS = 0x9000
    END_OF_FILE = 0x6282
    WRONG_LENGTH = 0x6700
    SECURITY_STATUS_NOT_SATISFIED = 0x6982
    AUTH_METHOD_BLOCKED = 0x6983
    WRONG_DATA = 0x6A80
    NOT_FOUND = 0x6A82
    WRONG_P1P2 = 0x6B00
    INS_NOT_SUPPORTED = 0x6D00
    CLA_NOT_SUPPORTED = 0x6E00


def is_more_data(sw: int) -> bool:
    """61xx: the answer waits for GET RESPONSE (T=0)."""
    return sw >> 8 == 0x61


def is_wrong_le(sw: int) -> bool:
    """6Cxx: wrong Le; xx is the right one."""
    return sw >> 8 == 0x6C


def le_from_sw2(sw: int) -> int:
    """The Le a 61xx or 6Cxx names; 00 stands for 256."""
    return (sw & 0xFF) or SHORT_MAX_LE


def tries_left_from_sw(sw: int) -> int | None:
    """The one place PIN tries are decoded: 63Cx → x, 6983 → 0, anything else → None."""
    if sw & 0xFFF0 == 0x63C0:
        return sw & 0x0F
    if sw == SW.AUTH_METHOD_BLOCKED:
        return 0
    return None


def describe_sw(sw: int) -> str:
    """A short English name for a status word, for logs and developer messages."""
    try:
        return SW(sw).name.lower().replace("_", " ")
    except ValueError:
        pass
    if is_more_data(sw):
        return f"{le_from_sw2(sw)} bytes available"
    if is_wrong_le(sw):
        return f"wrong Le, {le_from_sw2(sw)} expected"
    tries = tries_left_from_sw(sw)
    if tries is not None:
        return f"verification failed, {tries} tries left"
    return "unknown status"


@dataclass(frozen=True)
class CommandApdu:
    """One command. `data` may be a bytearray holding a secret: the caller wipes it.

    `le` is None when no answer data is expected, else 1…65536 (256 and 65536 encode as 00).
    `extended` forces extended-length encoding; by default it is used only when needed.
    """

    cla: int
    ins: int
    p1: int
    p2: int
    data: bytes | bytearray = field(default=b"", repr=False)  # may be a PIN: never in a repr
    le: int | None = None
    extended: bool = False

    def __post_init__(self) -> None:
        for name in ("cla", "ins", "p1", "p2"):
            value = getattr(self, name)
            if not 0 <= value <= 0xFF:
                raise ValueError(f"{name} out of range: {value}")
        if len(self.data) > EXTENDED_MAX_LC:
            raise ValueError(f"command data too long: {len(self.data)} bytes")
        if self.le is not None and not 1 <= self.le <= EXTENDED_MAX_LE:
            raise ValueError(f"Le out of range: {self.le}")

    @property
    def carries_secret(self) -> bool:
        """True for the instructions whose data is a PIN or an unlock code. Decided by the
        instruction alone, so that nothing done to the data can change the rules."""
        return self.ins in SECRET_BEARING_INS

    @property
    def uses_extended_length(self) -> bool:
        return (
            self.extended
            or len(self.data) > SHORT_MAX_LC
            or (self.le is not None and self.le > SHORT_MAX_LE)
        )

    def encode(self) -> bytearray:
        """The bytes to transmit, in a bytearray so that a secret can be wiped after use."""
        out = bytearray((self.cla, self.ins, self.p1, self.p2))
        extended = self.uses_extended_length
        if self.data:
            if extended:
                out += b"\x00" + len(self.data).to_bytes(2, "big")
            else:
                out.append(len(self.data))
            out += self.data
        if self.le is not None:
            if extended:
                le_bytes = (self.le % EXTENDED_MAX_LE).to_bytes(2, "big")
                # Case 2E starts its Le with the 00 marker; in case 4E the Lc field had it.
                out += le_bytes if self.data else b"\x00" + le_bytes
            else:
                out.append(self.le % SHORT_MAX_LE)
        return out

    def with_le(self, le: int) -> CommandApdu:
        """The same command asking for `le` bytes (for a 6Cxx answer)."""
        return CommandApdu(self.cla, self.ins, self.p1, self.p2, self.data, le, self.extended)


@dataclass(frozen=True)
class ResponseApdu:
    """The card's answer: data and the status word."""

    data: bytes
    sw: int

    @classmethod
    def parse(cls, raw: bytes | bytearray) -> ResponseApdu:
        if len(raw) < 2:
            raise MalformedResponseError(
                f"answer of {len(raw)} bytes has no status word", length=len(raw)
            )
        return cls(bytes(raw[:-2]), (raw[-2] << 8) | raw[-1])

    @property
    def ok(self) -> bool:
        return self.sw == SW.SUCCESS


def format_command_for_log(command: bytes | bytearray) -> str:
    """Hex dump of a command with the data of every PIN-bearing command masked.

    Masking looks at the INS byte of what is actually transmitted, not at how the command
    was built, so a PIN cannot slip into the traffic log by any path.
    """
    if len(command) < 4:
        return command.hex(" ").upper()
    header = bytes(command[:4]).hex(" ").upper()
    body = command[4:]
    if command[1] in SECRET_BEARING_INS and len(body) > 1:
        # Not even the length: Lc, and so the body's size, tells how long the PIN is.
        return f"{header} <Lc, data and Le masked>"
    return f"{header} {bytes(body).hex(' ').upper()}".rstrip()


def format_response_for_log(response: ResponseApdu, limit: int = 64) -> str:
    """Hex dump of an answer, shortened to `limit` data bytes."""
    shown = response.data[:limit].hex(" ").upper()
    more = f" … (+{len(response.data) - limit} bytes)" if len(response.data) > limit else ""
    return f"{shown}{more} [{response.sw:04X} {describe_sw(response.sw)}]".lstrip()
