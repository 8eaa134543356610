"""BER-TLV and CARD_INFO parsing: malformed and truncated input gives a clear error."""

from __future__ import annotations

import contextlib
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ndnclient.card.errors import MalformedResponseError
from ndnclient.card.info import format_card_number, parse_card_info
from ndnclient.card.tlv import (
    TlvIncomplete,
    encode_tlv,
    parse_sequence,
    read_header,
    read_tlv,
)


def card_info(*fields: tuple[int, bytes]) -> bytes:
    return encode_tlv(0x70, b"".join(encode_tlv(tag, value) for tag, value in fields))


GOOD_FIELDS = (
    (0x80, b"9392000012345678"),
    (0x81, "電子 花子".encode()),
    (0x82, b"20251101"),
    (0x83, b"20271031"),
    (0x84, b"\x01"),
)
GOOD = card_info(*GOOD_FIELDS)


def test_header_forms() -> None:
    assert read_header(b"\x30\x05") == read_header(b"\x30\x05xxxxx")
    assert read_header(b"\x30\x81\x80").length == 0x80
    header = read_header(bytes.fromhex("30820512"))
    assert (header.tag, header.length, header.header_length) == (0x30, 0x512, 4)
    assert header.total_length == 0x516
    assert read_header(bytes.fromhex("5F2002")).tag == 0x5F20


@pytest.mark.parametrize("data", ["", "30", "3082", "308205", "5F", "5F20"])
def test_incomplete_header(data: str) -> None:
    with pytest.raises(TlvIncomplete):
        read_header(bytes.fromhex(data))


@pytest.mark.parametrize("data", ["3080", "308500000001", "5FFFFFFF01"])
def test_bad_header(data: str) -> None:
    with pytest.raises(MalformedResponseError):
        read_header(bytes.fromhex(data))


def test_value_longer_than_data() -> None:
    with pytest.raises(MalformedResponseError, match="claims 5 bytes"):
        read_tlv(bytes.fromhex("8005010203"))


def test_sequence_skips_padding() -> None:
    items = parse_sequence(bytes.fromhex("00 80 01 AA FF FF 81 00 00"))
    assert [(i.tag, i.value) for i in items] == [(0x80, b"\xaa"), (0x81, b"")]


VALID_TAGS = [0x30, 0x70, 0x80, 0x81, 0x84, 0x5F20, 0x9F7F, 0xDF01, 0x7F21, 0x5F8101]


@given(st.sampled_from(VALID_TAGS), st.binary(max_size=600))
def test_encode_then_read_round_trip(tag: int, value: bytes) -> None:
    encoded = encode_tlv(tag, value)
    item, end = read_tlv(encoded)
    assert (item.tag, item.value, end) == (tag, value, len(encoded))


def test_card_info_parses() -> None:
    info = parse_card_info(GOOD)
    assert info.card_number == "9392000012345678"
    assert info.card_number_display == "9392-0000-1234-5678"
    assert info.holder == "電子 花子"
    assert (info.valid_from, info.valid_to) == (date(2025, 11, 1), date(2027, 10, 31))
    assert info.profile_version == 1


def test_card_info_skips_unknown_tags_and_reads_long_forms() -> None:
    holder = "長い名前" * 40  # over 127 bytes: BER long-form length
    data = card_info(
        (0x9F, b"\x01\x02"),
        GOOD_FIELDS[0],
        (0x81, holder.encode()),
        *GOOD_FIELDS[2:],
        (0xC5, b"future"),
    )
    assert parse_card_info(data + b"\xff\xff").holder == holder


@pytest.mark.parametrize(
    ("fields", "problem"),
    [
        (GOOD_FIELDS[1:], "card_number"),
        (((0x80, b"93920000123456"), *GOOD_FIELDS[1:]), "16 digits"),
        (((0x80, b"93920000123456x8"), *GOOD_FIELDS[1:]), "16 digits"),
        ((GOOD_FIELDS[0], (0x81, b"\xff\xfe"), *GOOD_FIELDS[2:]), "UTF-8"),
        ((*GOOD_FIELDS[:2], (0x82, b"20251301"), *GOOD_FIELDS[3:]), "calendar"),
        ((*GOOD_FIELDS[:2], (0x82, b"2025-1-1"), *GOOD_FIELDS[3:]), "YYYYMMDD"),
        ((*GOOD_FIELDS[:3], (0x83, b"20201031"), GOOD_FIELDS[4]), "ends before"),
    ],
)
def test_card_info_rejects_bad_fields(fields: tuple[tuple[int, bytes], ...], problem: str) -> None:
    with pytest.raises(MalformedResponseError, match=problem):
        parse_card_info(card_info(*fields))


def test_card_info_wrong_outer_tag() -> None:
    with pytest.raises(MalformedResponseError, match="starts with tag"):
        parse_card_info(encode_tlv(0x71, GOOD[2:]))


@pytest.mark.parametrize("cut", range(len(GOOD)))
def test_every_truncation_of_card_info_is_a_clear_error(cut: int) -> None:
    with pytest.raises(MalformedResponseError):
        parse_card_info(GOOD[:cut])


@given(st.binary(max_size=200))
def test_garbage_card_info_never_raises_anything_else(data: bytes) -> None:
    with contextlib.suppress(MalformedResponseError):
        parse_card_info(data)


@given(st.binary(max_size=200))
def test_garbage_sequence_never_raises_anything_else(data: bytes) -> None:
    with contextlib.suppress(MalformedResponseError):
        parse_sequence(data)


@given(st.lists(st.sampled_from(GOOD_FIELDS), max_size=8), st.data())
def test_mutated_card_info_never_raises_anything_else(
    fields: list[tuple[int, bytes]], data: st.DataObject
) -> None:
    raw = bytearray(card_info(*fields))
    for _ in range(data.draw(st.integers(0, 4))):
        if raw:
            raw[data.draw(st.integers(0, len(raw) - 1))] = data.draw(st.integers(0, 255))
    with contextlib.suppress(MalformedResponseError):
        parse_card_info(bytes(raw))


def test_format_card_number() -> None:
    assert format_card_number("1234567890123456") == "1234-5678-9012-3456"
