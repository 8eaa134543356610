"""The answer to reset, decoded for people (the card probe, the helpdesk).

ISO/IEC 7816-3 gives the frame: TS, T0, the interface bytes TAi TBi TCi TDi, the historical
bytes and TCK. ISO/IEC 7816-4 section 8.1.1 gives the historical bytes: a category indicator,
then COMPACT-TLV objects and a status indicator. The client never identifies a card by its ATR
(docs/card-profile.md, section 2): this is only to show what a card says about itself.

`decode_atr` never raises: a truncated or malformed ATR gives what could be read, with the
problems in `errors`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

CONVENTIONS = {0x3B: "direct", 0x3F: "inverse"}
INTERFACE_LETTERS = "ABCD"  # TAi, TBi, TCi, TDi, in the order the bits of Yi announce them
GLOBAL_PROTOCOL = 15  # T=15 is no protocol: it carries global interface bytes

# ISO/IEC 7816-4 table 83: the COMPACT-TLV tags of the historical bytes.
COMPACT_TLV_NAMES = {
    0x1: "country code",
    0x2: "issuer identification number",
    0x3: "card service data",
    0x4: "initial access data",
    0x5: "card issuer's data",
    0x6: "pre-issuing data",
    0x7: "card capabilities",
    0x8: "status indicator",
    0xF: "application identifier",
}

# Card service data, bits 4-2: how EF.DIR and EF.ATR are read.
EF_ACCESS = {0b100: "READ BINARY", 0b000: "READ RECORD", 0b010: "GET DATA"}
# Card capabilities, first byte: the selection methods, from bit 8 down.
SELECTION_METHODS = (
    (0x80, "full DF name"),
    (0x40, "partial DF name"),
    (0x20, "path"),
    (0x10, "file identifier"),
    (0x08, "implicit"),
)
CHANNEL_ASSIGNMENT = {0b10: "by the card", 0b01: "by the interface device", 0b00: "none"}


def hex_upper(data: bytes) -> str:
    return data.hex().upper()


@dataclass(frozen=True)
class CompactTlv:
    """One COMPACT-TLV object of the historical bytes: a 4-bit tag, its value, and what the
    value's bits mean (for card service data and card capabilities)."""

    tag: int
    value: bytes
    meaning: dict[str, Any] | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "tag": f"{self.tag:X}",
            "name": COMPACT_TLV_NAMES.get(self.tag, "RFU"),
            "value": hex_upper(self.value),
        }
        if self.meaning is not None:
            out["meaning"] = self.meaning
        return out


@dataclass(frozen=True)
class HistoricalBytes:
    """The historical bytes by category: "00" and "80" (COMPACT-TLV), "10" (DIR data
    reference), "proprietary" (anything else, kept raw) or None (no historical bytes)."""

    raw: bytes
    category: str | None
    objects: tuple[CompactTlv, ...] = ()
    status: bytes | None = None  # the status indicator: [LCS] [SW1 SW2]
    dir_reference: bytes | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "hex": hex_upper(self.raw),
            "category": self.category,
            "objects": [item.to_json() for item in self.objects],
            "status": None if self.status is None else hex_upper(self.status),
            "dir_reference": None if self.dir_reference is None else hex_upper(self.dir_reference),
        }


@dataclass(frozen=True)
class AtrInfo:
    """A decoded ATR. `interface_bytes` maps "TA1", "TD1" ... to their values; `protocols`
    lists the T= values the TDi bytes name (T=0 alone when there is no TD1; "T=15" when
    global interface bytes follow); `tck_ok` is None when the ATR has no TCK."""

    raw: bytes
    convention: str | None = None
    t0: int | None = None
    interface_bytes: tuple[tuple[str, int], ...] = ()
    protocols: tuple[str, ...] = ()
    historical: HistoricalBytes | None = None
    tck: int | None = None
    tck_ok: bool | None = None
    errors: tuple[str, ...] = ()

    @property
    def error(self) -> str | None:
        return "; ".join(self.errors) or None

    def to_json(self) -> dict[str, Any]:
        return {
            "hex": hex_upper(self.raw),
            "convention": self.convention,
            "t0": None if self.t0 is None else f"{self.t0:02X}",
            "interface_bytes": {name: f"{value:02X}" for name, value in self.interface_bytes},
            "protocols": list(self.protocols),
            "historical": None if self.historical is None else self.historical.to_json(),
            "tck": None if self.tck is None else f"{self.tck:02X}",
            "tck_ok": self.tck_ok,
            "error": self.error,
        }


def decode_atr(atr: bytes | bytearray) -> AtrInfo:
    """Decode an ATR; never raises (problems are in `errors`)."""
    raw = bytes(atr)
    if not raw:
        return AtrInfo(raw, errors=("empty ATR",))
    convention = CONVENTIONS.get(raw[0])
    errors = [] if convention else [f"TS {raw[0]:02X} is neither 3B nor 3F"]
    if len(raw) < 2:
        return AtrInfo(raw, convention, errors=(*errors, "ATR ends before T0"))
    t0 = raw[1]
    interface, protocols, pos, truncated = _interface_bytes(raw)
    if truncated:
        errors.append(truncated)
        return AtrInfo(raw, convention, t0, interface, protocols, errors=tuple(errors))
    historical_count = t0 & 0x0F
    historical_raw = raw[pos : pos + historical_count]
    pos += len(historical_raw)
    historical: HistoricalBytes | None = None
    if historical_raw:
        historical, notes = decode_historical_bytes(historical_raw)
        errors.extend(f"historical bytes: {note}" for note in notes)
    tck: int | None = None
    tck_ok: bool | None = None
    if len(historical_raw) < historical_count:
        errors.append(
            f"ATR ends in the historical bytes ({len(historical_raw)} of {historical_count})"
        )
    # TCK is present unless T=0 is the only protocol indicated (ISO/IEC 7816-3, 8.2.5).
    elif any(name != "T=0" for name in protocols):
        if pos < len(raw):
            tck = raw[pos]
            checksum = 0
            for byte in raw[1 : pos + 1]:
                checksum ^= byte
            tck_ok = checksum == 0
            if not tck_ok:
                errors.append(f"TCK {tck:02X} is wrong (the XOR of T0 to TCK is {checksum:02X})")
            pos += 1
        else:
            errors.append("TCK missing")
    if pos < len(raw):
        errors.append(f"{len(raw) - pos} bytes after the end of the ATR")
    return AtrInfo(
        raw, convention, t0, interface, protocols, historical, tck, tck_ok, tuple(errors)
    )


def _interface_bytes(
    raw: bytes,
) -> tuple[tuple[tuple[str, int], ...], tuple[str, ...], int, str | None]:
    """TAi TBi TCi TDi as T0 and each TDi announce them; the protocols the TDi name; where
    the historical bytes start; and a note if the ATR ends among them."""
    interface: list[tuple[str, int]] = []
    protocols: list[str] = []
    presence = raw[1] >> 4
    pos = 2
    level = 1
    while presence:
        td: int | None = None
        for bit, letter in enumerate(INTERFACE_LETTERS):
            if not presence & (1 << bit):
                continue
            if pos >= len(raw):
                return tuple(interface), tuple(protocols), pos, f"ATR ends before T{letter}{level}"
            interface.append((f"T{letter}{level}", raw[pos]))
            td = raw[pos] if letter == "D" else None
            pos += 1
        if td is None:
            break
        if f"T={td & 0x0F}" not in protocols:
            protocols.append(f"T={td & 0x0F}")
        presence = td >> 4
        level += 1
    return tuple(interface), tuple(protocols) or ("T=0",), pos, None  # no TD1: T=0 implied


def decode_historical_bytes(data: bytes) -> tuple[HistoricalBytes, list[str]]:
    """The historical bytes by category indicator (ISO/IEC 7816-4, 8.1.1), and any problem."""
    category = data[0]
    if category == 0x00:
        if len(data) < 4:
            return HistoricalBytes(data, "00"), ["category 00 without its 3-byte status"]
        objects, notes = parse_compact_tlv(data[1:-3])
        return HistoricalBytes(data, "00", objects, status=data[-3:]), notes
    if category == 0x80:
        objects, notes = parse_compact_tlv(data[1:])
        status = next((item.value for item in objects if item.tag == 0x8), None)
        return HistoricalBytes(data, "80", objects, status=status), notes
    if category == 0x10:
        return HistoricalBytes(data, "10", dir_reference=data[1:]), []
    return HistoricalBytes(data, "proprietary"), []


def parse_compact_tlv(data: bytes) -> tuple[tuple[CompactTlv, ...], list[str]]:
    """COMPACT-TLV objects (tag in the high nibble, length in the low) and any problem."""
    objects: list[CompactTlv] = []
    pos = 0
    while pos < len(data):
        tag, length = data[pos] >> 4, data[pos] & 0x0F
        value = data[pos + 1 : pos + 1 + length]
        if len(value) < length:
            return tuple(objects), [f"object {tag:X} claims {length} bytes, {len(value)} present"]
        objects.append(CompactTlv(tag, value, _meaning(tag, value)))
        pos += 1 + length
    return tuple(objects), []


def _meaning(tag: int, value: bytes) -> dict[str, Any] | None:
    if tag == 0x3 and value:
        return card_service_data(value[0])
    if tag == 0x7 and value:
        return card_capabilities(value)
    return None


def card_service_data(byte: int) -> dict[str, Any]:
    """ISO/IEC 7816-4 table 85."""
    access = (byte >> 1) & 0b111
    return {
        "selection_by_full_df_name": bool(byte & 0x80),
        "selection_by_partial_df_name": bool(byte & 0x40),
        "data_objects_in_ef_dir": bool(byte & 0x20),
        "data_objects_in_ef_atr": bool(byte & 0x10),
        "ef_dir_ef_atr_access": EF_ACCESS.get(access, f"RFU ({access:03b})"),
        "card_without_mf": bool(byte & 0x01),
    }


def card_capabilities(value: bytes) -> dict[str, Any]:
    """ISO/IEC 7816-4 tables 86-88: as many of the three bytes as are present."""
    first = value[0]
    out: dict[str, Any] = {
        "df_selection": [name for bit, name in SELECTION_METHODS if first & bit],
        "short_ef_identifier": bool(first & 0x04),
        "record_number": bool(first & 0x02),
        "record_identifier": bool(first & 0x01),
    }
    if len(value) > 1:
        out["data_coding"] = f"{value[1]:02X}"
    if len(value) > 2:
        third = value[2]
        channels = third & 0x07
        out.update(
            {
                "command_chaining": bool(third & 0x80),
                "extended_length": bool(third & 0x40),
                "logical_channel_assignment": CHANNEL_ASSIGNMENT.get((third >> 3) & 0b11, "RFU"),
                # Bits 3-1 give the maximum minus one; 111 means eight or more.
                "max_logical_channels": channels + 1,
            }
        )
    return out
