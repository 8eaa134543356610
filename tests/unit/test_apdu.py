"""APDU encoding, status words and the traffic-log masking."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ndnclient.card.apdu import (
    SW,
    CommandApdu,
    ResponseApdu,
    describe_sw,
    format_command_for_log,
    tries_left_from_sw,
)
from ndnclient.card.errors import MalformedResponseError


@pytest.mark.parametrize(
    ("command", "encoded"),
    [
        (CommandApdu(0x00, 0x20, 0x00, 0x81), "00 20 00 81"),  # case 1: status-only VERIFY
        (CommandApdu(0x00, 0xB0, 0x00, 0x00, le=4), "00 B0 00 00 04"),  # case 2S
        (CommandApdu(0x00, 0xB0, 0x01, 0x02, le=256), "00 B0 01 02 00"),  # Le 256 is 00
        (
            CommandApdu(0x00, 0xA4, 0x04, 0x0C, bytes.fromhex("F0474F5349474E01")),
            "00 A4 04 0C 08 F0 47 4F 53 49 47 4E 01",  # case 3S: the profile's SELECT
        ),
        (CommandApdu(0x00, 0x2A, 0x9E, 0x9A, b"\x01\x02", le=256), "00 2A 9E 9A 02 01 02 00"),
        (CommandApdu(0x00, 0xB0, 0x00, 0x04, le=1500), "00 B0 00 04 00 05 DC"),  # case 2E
        (CommandApdu(0x00, 0xB0, 0x00, 0x00, le=65536), "00 B0 00 00 00 00 00"),
        (CommandApdu(0x00, 0xB0, 0x00, 0x00, le=4, extended=True), "00 B0 00 00 00 00 04"),
        (
            CommandApdu(0x00, 0xDA, 0x00, 0x00, bytes(300)),  # case 3E
            "00 DA 00 00 00 01 2C" + " 00" * 300,
        ),
        (
            CommandApdu(0x00, 0x2A, 0x9E, 0x9A, bytes(300), le=256),  # case 4E: Le in 2 bytes
            "00 2A 9E 9A 00 01 2C" + " 00" * 300 + " 01 00",
        ),
    ],
)
def test_encoding(command: CommandApdu, encoded: str) -> None:
    assert command.encode() == bytes.fromhex(encoded.replace(" ", ""))


@pytest.mark.parametrize(
    "kwargs",
    [{"le": 0}, {"le": 65537}, {"data": bytes(65536)}, {"p1": 256}, {"cla": -1}],
)
def test_out_of_range_commands_are_refused(kwargs: dict[str, object]) -> None:
    base: dict[str, object] = {"cla": 0, "ins": 0xB0, "p1": 0, "p2": 0}
    with pytest.raises(ValueError, match=r"out of range|too long|Le|data"):
        CommandApdu(**{**base, **kwargs})  # type: ignore[arg-type]


def test_response_parse() -> None:
    response = ResponseApdu.parse(bytes.fromhex("0102039000"))
    assert response.data == b"\x01\x02\x03"
    assert response.sw == SW.SUCCESS
    assert response.ok


@given(st.binary(max_size=1))
def test_response_without_status_word_is_a_clear_error(raw: bytes) -> None:
    with pytest.raises(MalformedResponseError):
        ResponseApdu.parse(raw)


@given(st.binary(min_size=2, max_size=300))
def test_any_answer_of_two_bytes_or_more_parses(raw: bytes) -> None:
    response = ResponseApdu.parse(raw)
    assert response.data + response.sw.to_bytes(2, "big") == raw


@pytest.mark.parametrize(
    ("sw", "tries"),
    [(0x63C0, 0), (0x63C3, 3), (0x63CA, 10), (0x6983, 0), (0x9000, None), (0x6300, None)],
)
def test_tries_are_decoded_in_one_place(sw: int, tries: int | None) -> None:
    assert tries_left_from_sw(sw) == tries


def test_describe_sw_names_families() -> None:
    assert describe_sw(0x6A82) == "not found"
    assert "7 tries left" in describe_sw(0x63C7)
    assert "32 bytes" in describe_sw(0x6120)
    assert "wrong Le" in describe_sw(0x6C10)


@pytest.mark.parametrize("ins", [0x20, 0x24, 0x2C])
def test_log_masks_every_pin_bearing_command(ins: int) -> None:
    secret = b"9876ab"
    line = format_command_for_log(CommandApdu(0x00, ins, 0x00, 0x81, secret).encode())
    assert secret.hex(" ").upper() not in line
    assert "39 38" not in line
    assert "masked" in line
    assert line.startswith(f"00 {ins:02X} 00 81")


@pytest.mark.parametrize("secret", [b"1234", b"12345678", b"0123456789abcdef"])
def test_log_does_not_tell_the_pin_length(secret: bytes) -> None:
    # Lc (and so the length of what follows) would tell how many characters the PIN has.
    line = format_command_for_log(CommandApdu(0x00, 0x20, 0x00, 0x81, secret).encode())
    assert line == "00 20 00 81 <Lc, data and Le masked>"


def test_log_shows_other_commands() -> None:
    line = format_command_for_log(bytes.fromhex("00A4040C08F0474F5349474E01"))
    assert line == "00 A4 04 0C 08 F0 47 4F 53 49 47 4E 01"


def test_status_only_verify_is_not_masked_needlessly() -> None:
    assert format_command_for_log(bytes.fromhex("00200081")) == "00 20 00 81"
