"""BER-TLV parsing for what cards answer: every truncation or bad length is a clear
MalformedResponseError, never an IndexError."""

from __future__ import annotations

from dataclasses import dataclass

from ndnclient.card.errors import MalformedResponseError

# ISO/IEC 7816-4: 00 and FF are not valid first tag bytes and may pad between objects.
PADDING_BYTES = (0x00, 0xFF)
MAX_LENGTH_OCTETS = 4


@dataclass(frozen=True)
class TlvHeader:
    """A tag and length as read from the front of a TLV."""

    tag: int
    length: int
    header_length: int

    @property
    def total_length(self) -> int:
        return self.header_length + self.length


@dataclass(frozen=True)
class Tlv:
    tag: int
    value: bytes


class TlvIncomplete(MalformedResponseError):
    """The bytes end inside a tag or length: more bytes are needed to read the header."""


def read_header(data: bytes | bytearray, offset: int = 0) -> TlvHeader:
    """Read the tag and length at `offset`."""
    pos = offset
    end = len(data)
    if pos >= end:
        raise TlvIncomplete("TLV expected, but the data ends", offset=offset)
    first = data[pos]
    tag = first
    pos += 1
    if first & 0x1F == 0x1F:  # the tag number continues in following bytes
        while True:
            if pos >= end:
                raise TlvIncomplete("the data ends inside a multi-byte tag", offset=offset)
            if pos - offset > 3:
                raise MalformedResponseError("tag longer than 3 bytes", offset=offset)
            byte = data[pos]
            tag = (tag << 8) | byte
            pos += 1
            if not byte & 0x80:
                break
    if pos >= end:
        raise TlvIncomplete("the data ends before the length", offset=offset, tag=f"{tag:X}")
    length = data[pos]
    pos += 1
    if length & 0x80:
        octets = length & 0x7F
        if octets == 0:
            raise MalformedResponseError("indefinite length is not allowed", offset=offset)
        if octets > MAX_LENGTH_OCTETS:
            raise MalformedResponseError(f"length of {octets} octets", offset=offset)
        if pos + octets > end:
            raise TlvIncomplete("the data ends inside a length", offset=offset)
        length = int.from_bytes(data[pos : pos + octets], "big")
        pos += octets
    return TlvHeader(tag=tag, length=length, header_length=pos - offset)


def read_tlv(data: bytes | bytearray, offset: int = 0) -> tuple[Tlv, int]:
    """Read one TLV at `offset`; return it and the offset just past it."""
    header = read_header(data, offset)
    start = offset + header.header_length
    stop = start + header.length
    if stop > len(data):
        raise MalformedResponseError(
            f"TLV {header.tag:X} claims {header.length} bytes, {len(data) - start} present",
            tag=f"{header.tag:X}",
        )
    return Tlv(header.tag, bytes(data[start:stop])), stop


def parse_sequence(data: bytes | bytearray) -> list[Tlv]:
    """All TLVs in `data`, skipping padding bytes between them."""
    items: list[Tlv] = []
    pos = 0
    while pos < len(data):
        if data[pos] in PADDING_BYTES:
            pos += 1
            continue
        item, pos = read_tlv(data, pos)
        items.append(item)
    return items


def encode_tlv(tag: int, value: bytes) -> bytes:
    """BER-encode one TLV (definite length, shortest form)."""
    tag_bytes = tag.to_bytes(max(1, (tag.bit_length() + 7) // 8), "big")
    size = len(value)
    if size < 0x80:
        length = bytes([size])
    else:
        octets = size.to_bytes((size.bit_length() + 7) // 8, "big")
        length = bytes([0x80 | len(octets)]) + octets
    return tag_bytes + length + value
