"""The virtual GoSign card against docs/card-profile.md, driven with raw APDU bytes."""

from __future__ import annotations

import argparse
import base64
import functools
import hashlib
import io
import json
import os
import socket
import stat
import sys
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from cryptography.x509.name import _ASN1Type
from cryptography.x509.oid import NameOID
from hypothesis import given, settings
from hypothesis import strategies as st

from ndnclient import cli
from ndnclient.card.connection import ReaderBackend, SmartCardConnection
from ndnclient.card.errors import CardRemovedError, NoCardError, NoReaderError
from ndnclient.cli import simulator as simulator_main
from ndnclient.simulator.card import ATR_T0, ATR_T1, VirtualGoSignCard
from ndnclient.simulator.inprocess import VirtualReaderBackend
from ndnclient.simulator.state import (
    StateFileError,
    VirtualCardState,
    create_state,
    default_valid_to,
    load_state,
    save_state,
)
from ndnclient.simulator.testca import (
    JAPAN_TIME,
    TestCA,
    generate_rsa_key,
    issue_user_certificate,
)
from ndnclient.simulator.vpcd import Fault, VpcdBridge
from tests.console import ScriptedConsole

SELECT_GOSIGN = bytes.fromhex("00A4040C08F0474F5349474E01")
SELECT_JPKI = bytes.fromhex("00A4040C0AD392F000260100000001")
SELECT_CARD_INFO = bytes.fromhex("00A4020C020101")
SELECT_USER_CERT = bytes.fromhex("00A4020C020102")
SELECT_CA_CERT = bytes.fromhex("00A4020C020103")
VERIFY_STATUS = bytes.fromhex("00200081")
UNLOCK_STATUS = bytes.fromhex("00200082")

PIN = b"1234"
UNLOCK_CODE = b"12345678"

SHA256_PREFIX = bytes.fromhex("3031300d060960864801650304020105000420")
SHA384_PREFIX = bytes.fromhex("3041300d060960864801650304020205000430")
SHA512_PREFIX = bytes.fromhex("3051300d060960864801650304020305000440")


# --- Helpers -----------------------------------------------------------------------------------


def short(ins: int, p1: int, p2: int, data: bytes = b"", le: int | None = None) -> bytes:
    """A short command APDU, CLA 00 (le=256 is sent as 00)."""
    apdu = bytes([0x00, ins, p1, p2])
    if data:
        apdu += bytes([len(data)]) + data
    if le is not None:
        apdu += bytes([le & 0xFF])
    return apdu


def extended(ins: int, p1: int, p2: int, data: bytes = b"", le: int | None = None) -> bytes:
    """An extended-length command APDU, CLA 00 (le=65536 is sent as 0000)."""
    apdu = bytes([0x00, ins, p1, p2, 0x00])
    if data:
        apdu += len(data).to_bytes(2, "big") + data
    if le is not None:
        apdu += (le & 0xFFFF).to_bytes(2, "big")
    return apdu


def verify(pin: bytes) -> bytes:
    return short(0x20, 0x00, 0x81, pin)


def change(old: bytes, new: bytes) -> bytes:
    return short(0x24, 0x00, 0x81, bytes([len(old)]) + old + bytes([len(new)]) + new)


def unlock(code: bytes, new_pin: bytes) -> bytes:
    return short(0x2C, 0x00, 0x81, bytes([len(code)]) + code + bytes([len(new_pin)]) + new_pin)


def sign(digest_info: bytes) -> bytes:
    return short(0x2A, 0x9E, 0x9A, digest_info, le=256)


def digest_info_sha256(message: bytes) -> bytes:
    return SHA256_PREFIX + hashlib.sha256(message).digest()


def tx(card: VirtualGoSignCard, apdu: bytes) -> tuple[bytes, int]:
    """Send `apdu`; (data, SW)."""
    response = card.process_apdu(apdu)
    assert len(response) >= 2
    return response[:-2], int.from_bytes(response[-2:], "big")


def sw(card: VirtualGoSignCard, apdu: bytes) -> int:
    data, status = tx(card, apdu)
    assert data == b"", f"unexpected data with SW {status:04X}"
    return status


def parse_tlvs(data: bytes) -> list[tuple[int, bytes]]:
    """One-byte-tag BER-TLVs, written independently of the card's encoder."""
    items = []
    i = 0
    while i < len(data):
        tag = data[i]
        first = data[i + 1]
        i += 2
        if first < 0x80:
            length = first
        else:
            count = first & 0x7F
            length = int.from_bytes(data[i : i + count], "big")
            i += count
        items.append((tag, data[i : i + length]))
        i += length
    assert i == len(data), "TLV lengths do not add up"
    return items


def read_file(card: VirtualGoSignCard, select_apdu: bytes, chunk: int = 0xE0) -> bytes:
    """Read a whole DER file with short READ BINARY, the way the profile describes."""
    assert sw(card, SELECT_GOSIGN) == 0x9000
    assert sw(card, select_apdu) == 0x9000
    header, status = tx(card, short(0xB0, 0, 0, le=4))
    assert status == 0x9000
    total = parse_der_length(header)
    content = bytearray()
    while len(content) < total:
        offset = len(content)
        data, status = tx(
            card, short(0xB0, offset >> 8, offset & 0xFF, le=min(chunk, total - offset))
        )
        assert status == 0x9000
        content += data
    return bytes(content)


def parse_der_length(header: bytes) -> int:
    """Total length of a DER SEQUENCE from its first 4 bytes (30 82 HH LL)."""
    assert header[0] == 0x30
    assert header[1] == 0x82
    return 4 + int.from_bytes(header[2:4], "big")


def assert_owner_only(path: Path) -> None:
    """The state file holds keys: mode 0600 on POSIX. Windows has no such mode bits (its
    st_mode shows only the read-only flag), so there is nothing to check there."""
    if sys.platform != "win32":
        assert stat.S_IMODE(path.stat().st_mode) == 0o600


# --- Fixtures ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def keys() -> tuple[TestCA, rsa.RSAPrivateKey]:
    """One CA and one user key for the whole module: key generation is the slow part."""
    return TestCA.generate(), generate_rsa_key()


@pytest.fixture
def make_state(
    keys: tuple[TestCA, rsa.RSAPrivateKey],
) -> Callable[..., VirtualCardState]:
    def make(**options: object) -> VirtualCardState:
        return create_state(ca=keys[0], user_key=keys[1], **options)  # type: ignore[arg-type]

    return make


@pytest.fixture
def card(make_state: Callable[..., VirtualCardState]) -> VirtualGoSignCard:
    return VirtualGoSignCard(make_state())


@pytest.fixture
def selected(card: VirtualGoSignCard) -> VirtualGoSignCard:
    assert sw(card, SELECT_GOSIGN) == 0x9000
    return card


def block_pin(card: VirtualGoSignCard) -> None:
    for tries_left in range(9, 0, -1):
        assert sw(card, verify(b"0000")) == 0x63C0 | tries_left
    assert sw(card, verify(b"0000")) == 0x6983


# --- APDU parsing and dispatch ---------------------------------------------------------------


def test_atr_is_t1_by_default_and_t0_only_when_asked(
    make_state: Callable[..., VirtualCardState],
) -> None:
    assert VirtualGoSignCard(make_state()).atr == bytes.fromhex("3B80800101") == ATR_T1
    assert VirtualGoSignCard(make_state(t0=True)).atr == bytes.fromhex("3B00") == ATR_T0


@pytest.mark.parametrize(
    "apdu",
    [
        "",
        "00",
        "00A404",
        "00A4040C08F0474F5349474E",  # Lc 8, 7 bytes of data
        "00A4040C08F0474F5349474E010000",  # Lc 8, data, two more bytes
        "00B0000000FF",  # 00 then a lone byte: neither short nor extended
        "00B00000000000000000",  # extended Lc 0000 is not allowed
        "00A4040C000008F0474F5349474E",  # extended Lc 8, 7 bytes of data
    ],
)
def test_malformed_lengths_answer_6700(selected: VirtualGoSignCard, apdu: str) -> None:
    assert sw(selected, bytes.fromhex(apdu)) == 0x6700


def test_unknown_class_and_instruction(selected: VirtualGoSignCard) -> None:
    assert sw(selected, bytes.fromhex("80A4040C08F0474F5349474E01")) == 0x6E00
    assert sw(selected, bytes.fromhex("0CB0000004")) == 0x6E00
    assert sw(selected, bytes.fromhex("00CA010100")) == 0x6D00
    assert sw(selected, bytes.fromhex("00B1000004")) == 0x6D00


def test_every_apdu_case_is_parsed(selected: VirtualGoSignCard) -> None:
    assert sw(selected, SELECT_CARD_INFO) == 0x9000  # case 3S
    assert tx(selected, bytes.fromhex("00B0000002"))[0] == b"\x70\x38"  # case 2S
    assert tx(selected, bytes.fromhex("00B00000000002"))[0] == b"\x70\x38"  # case 2E
    assert sw(selected, bytes.fromhex("00200081")) == 0x63CA  # case 1
    assert sw(selected, bytes.fromhex("002000810000043132333A")) == 0x63C9  # case 3E
    assert sw(selected, bytes.fromhex("00200081000004") + PIN) == 0x9000  # case 3E
    data, status = tx(selected, extended(0x2A, 0x9E, 0x9A, digest_info_sha256(b"x"), 0))
    assert (len(data), status) == (256, 0x9000)  # case 4E, Le 0000
    data, status = tx(selected, sign(digest_info_sha256(b"x")))
    assert (len(data), status) == (256, 0x9000)  # case 4S, Le 00


@functools.cache
def fuzz_keys() -> tuple[TestCA, rsa.RSAPrivateKey]:
    return TestCA.generate(), generate_rsa_key()


@settings(max_examples=400, deadline=None)
@given(st.binary(max_size=300), st.booleans())
def test_random_bytes_never_raise_nor_hit_an_internal_error(apdu: bytes, t0: bool) -> None:
    # A fresh card per example (hypothesis and function fixtures do not mix); keys shared.
    ca, user_key = fuzz_keys()
    card = VirtualGoSignCard(create_state(ca=ca, user_key=user_key, t0=t0, kdf_iterations=1))
    card.process_apdu(SELECT_GOSIGN)
    response = card.process_apdu(apdu)
    assert len(response) >= 2
    assert response[-2:] != b"\x6f\x00"


def test_internal_error_answers_6f00_and_the_try_stays_spent(
    make_state: Callable[..., VirtualCardState],
) -> None:
    state = make_state()

    def disk_full(changed: VirtualCardState) -> None:
        raise OSError("disk full")

    card = VirtualGoSignCard(state, on_state_change=disk_full)
    assert sw(card, SELECT_GOSIGN) == 0x9000
    assert sw(card, verify(PIN)) == 0x6F00
    # The try was taken before the PIN was looked at: a failing write gives no free try.
    assert state.pin_tries_left == 9
    assert not card.pin_verified


# --- SELECT ------------------------------------------------------------------------------------


def test_select(card: VirtualGoSignCard) -> None:
    assert sw(card, SELECT_CARD_INFO) == 0x6A82  # no application selected yet
    assert sw(card, SELECT_JPKI) == 0x6A82  # a GoSign card has no JPKI application
    assert sw(card, bytes.fromhex("00A4040C08F0474F5349474E02")) == 0x6A82
    assert sw(card, bytes.fromhex("00A4040C07F0474F5349474E")) == 0x6A82  # no partial AIDs
    assert sw(card, bytes.fromhex("00A4040008F0474F5349474E01")) == 0x6A86  # P2 00 (FCI)
    assert sw(card, bytes.fromhex("00A4000C020101")) == 0x6A86
    assert sw(card, bytes.fromhex("00A4040C08F0474F5349474E0100")) == 0x6700  # Le with P2 0C
    assert sw(card, bytes.fromhex("00A4040C")) == 0x6700
    assert sw(card, SELECT_GOSIGN) == 0x9000
    for select_file in (SELECT_CARD_INFO, SELECT_USER_CERT, SELECT_CA_CERT):
        assert sw(card, select_file) == 0x9000
    assert sw(card, bytes.fromhex("00A4020C020104")) == 0x6A82
    assert sw(card, bytes.fromhex("00A4020C03010100")) == 0x6700
    assert sw(card, bytes.fromhex("00A4020C0101")) == 0x6700


def test_mynumber_card_has_only_the_jpki_application(
    make_state: Callable[..., VirtualCardState],
) -> None:
    card = VirtualGoSignCard(make_state(card_type="mynumber"))
    assert sw(card, SELECT_GOSIGN) == 0x6A82
    assert sw(card, SELECT_JPKI) == 0x9000
    assert sw(card, SELECT_GOSIGN) == 0x6A82
    assert sw(card, SELECT_CARD_INFO) == 0x6A82
    assert sw(card, short(0xB0, 0, 0, le=4)) == 0x6986
    assert sw(card, VERIFY_STATUS) == 0x6A88
    assert sw(card, verify(PIN)) == 0x6A88
    assert sw(card, sign(digest_info_sha256(b"x"))) == 0x6982
    assert card.state.pin_tries_left == 10


# --- READ BINARY and the files ---------------------------------------------------------------


def test_card_info_content(make_state: Callable[..., VirtualCardState]) -> None:
    card = VirtualGoSignCard(make_state(valid_from=date(2025, 4, 1), valid_to=date(2027, 3, 31)))
    assert sw(card, SELECT_GOSIGN) == 0x9000
    assert sw(card, SELECT_CARD_INFO) == 0x9000
    data, status = tx(card, short(0xB0, 0, 0, le=256))
    holder = "電子 花子".encode()
    expected = (
        bytes([0x70, 0x38])
        + b"\x80\x10"
        + b"9392000012345678"
        + bytes([0x81, len(holder)])
        + holder
        + b"\x82\x08"
        + b"20250401"
        + b"\x83\x08"
        + b"20270331"
        + b"\x84\x01\x01"
    )
    # 56 bytes are left of the 256 asked: the bytes and 6282.
    assert (data, status) == (expected, 0x6282)


@pytest.mark.parametrize(
    ("characters", "holder_length_field", "card_info_header"),
    [
        (43, b"\x81\x81", b"\x70\x81\xad"),  # 129 bytes: 81 xx; 173 in all: 81 xx
        (100, b"\x81\x82\x01\x2c", b"\x70\x82\x01\x59"),  # 300 bytes: 82 xx xx; 345 in all
    ],
)
def test_card_info_long_japanese_holder_uses_ber_long_form(
    make_state: Callable[..., VirtualCardState],
    characters: int,
    holder_length_field: bytes,
    card_info_header: bytes,
) -> None:
    holder = ("寿限無" * 40)[:characters]
    card = VirtualGoSignCard(make_state(holder=holder))
    assert sw(card, SELECT_GOSIGN) == 0x9000
    assert sw(card, SELECT_CARD_INFO) == 0x9000
    content, status = tx(card, extended(0xB0, 0, 0, le=65536))
    assert status == 0x6282
    assert content.startswith(card_info_header)
    (outer,) = parse_tlvs(content)
    assert outer[0] == 0x70
    fields = dict(parse_tlvs(outer[1]))
    assert [tag for tag, _ in parse_tlvs(outer[1])] == [0x80, 0x81, 0x82, 0x83, 0x84]
    assert fields[0x81].decode("utf-8") == holder
    # The certificate's common name is cut to 64 UTF-8 bytes; CARD_INFO has the whole name.
    (cn,) = card.state.user_certificate().subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    assert cn.value == holder[:21]  # 21 three-byte characters
    assert holder_length_field + holder.encode() in content
    assert fields[0x80] == b"9392000012345678"
    assert fields[0x84] == b"\x01"


def test_read_binary_rules(selected: VirtualGoSignCard) -> None:
    card = selected
    assert sw(card, short(0xB0, 0, 0, le=4)) == 0x6986  # no file selected yet
    assert sw(card, SELECT_USER_CERT) == 0x9000
    der = card.state.user_certificate_der
    size = len(der)
    assert tx(card, short(0xB0, 0, 0, le=4)) == (der[:4], 0x9000)
    assert parse_der_length(der[:4]) == size
    # Offset in P1P2; the last bytes, exactly.
    offset = size - 10
    assert tx(card, short(0xB0, offset >> 8, offset & 0xFF, le=10)) == (der[-10:], 0x9000)
    # Fewer left than asked: what is left and 6282.
    assert tx(card, short(0xB0, offset >> 8, offset & 0xFF, le=0x80)) == (der[-10:], 0x6282)
    # At or past the end: 6B00.
    assert sw(card, short(0xB0, size >> 8, size & 0xFF, le=1)) == 0x6B00
    assert sw(card, short(0xB0, 0x7F, 0xFF, le=1)) == 0x6B00
    # Extended: the whole file in one command.
    assert tx(card, extended(0xB0, 0, 0, le=size)) == (der, 0x9000)
    assert tx(card, extended(0xB0, 0, 0, le=65536)) == (der, 0x6282)
    # P1 bit 8 (short EF identifier), data, or no Le: refused.
    assert sw(card, short(0xB0, 0x81, 0, le=4)) == 0x6A86
    assert sw(card, bytes.fromhex("00B00000")) == 0x6700
    assert sw(card, bytes.fromhex("00B0000001FF04")) == 0x6700
    # Selecting the application (again) leaves no current file.
    assert sw(card, SELECT_GOSIGN) == 0x9000
    assert sw(card, short(0xB0, 0, 0, le=4)) == 0x6986


def test_certificate_files_read_whole(selected: VirtualGoSignCard) -> None:
    assert read_file(selected, SELECT_USER_CERT) == selected.state.user_certificate_der
    assert read_file(selected, SELECT_CA_CERT) == selected.state.ca_certificate_der
    user = x509.load_der_x509_certificate(read_file(selected, SELECT_USER_CERT))
    assert user.subject.get_attributes_for_oid(NameOID.SERIAL_NUMBER)[0].value == (
        "9392000012345678"
    )


# --- VERIFY ------------------------------------------------------------------------------------


def test_verify_status_only_and_with_data(selected: VirtualGoSignCard) -> None:
    card = selected
    assert sw(card, VERIFY_STATUS) == 0x63CA
    assert sw(card, verify(b"9999")) == 0x63C9
    assert card.state.pin_tries_left == 9
    assert sw(card, VERIFY_STATUS) == 0x63C9  # status only spends nothing
    assert sw(card, VERIFY_STATUS) == 0x63C9
    assert sw(card, verify(PIN)) == 0x9000
    assert card.state.pin_tries_left == 10  # a right PIN resets the counter
    assert sw(card, VERIFY_STATUS) == 0x9000
    # A wrong PIN ends the verified state.
    assert sw(card, verify(b"99999")) == 0x63C9
    assert sw(card, VERIFY_STATUS) == 0x63C9


@pytest.mark.parametrize("length", [1, 3, 17, 40])
def test_verify_length_outside_4_to_16_is_6700_without_a_try(
    selected: VirtualGoSignCard, length: int
) -> None:
    assert sw(selected, verify(b"1" * length)) == 0x6700
    assert selected.state.pin_tries_left == 10
    assert sw(selected, VERIFY_STATUS) == 0x63CA


def test_verify_16_characters_is_a_normal_try(selected: VirtualGoSignCard) -> None:
    assert sw(selected, verify(b"A" * 16)) == 0x63C9
    assert sw(selected, verify(b"a1b2")) == 0x63C8  # wrong, though well-formed


def test_tenth_wrong_pin_blocks_and_blocked_spends_nothing(
    selected: VirtualGoSignCard,
) -> None:
    card = selected
    block_pin(card)
    assert card.state.pin_tries_left == 0
    assert sw(card, VERIFY_STATUS) == 0x6983
    assert sw(card, verify(PIN)) == 0x6983  # the right PIN does not help
    assert sw(card, change(PIN, b"5678")) == 0x6983
    assert card.state.pin_tries_left == 0
    assert sw(card, sign(digest_info_sha256(b"x"))) == 0x6982


def test_verify_parameters(selected: VirtualGoSignCard) -> None:
    assert sw(selected, bytes.fromhex("00200181")) == 0x6A86
    assert sw(selected, bytes.fromhex("00200083")) == 0x6A86
    assert sw(selected, bytes.fromhex("0020008100")) == 0x6700  # Le on a status-only VERIFY
    assert sw(selected, verify(PIN) + b"\x00") == 0x6700
    # The unlock code is presented only through RESET RETRY COUNTER.
    assert sw(selected, short(0x20, 0x00, 0x82, UNLOCK_CODE)) == 0x6985
    assert selected.state.unlock_tries_left == 10
    assert selected.state.pin_tries_left == 10


def test_pin_commands_need_the_application(card: VirtualGoSignCard) -> None:
    assert sw(card, VERIFY_STATUS) == 0x6A88
    assert sw(card, verify(PIN)) == 0x6A88
    assert sw(card, change(PIN, b"5678")) == 0x6A88
    assert sw(card, unlock(UNLOCK_CODE, b"5678")) == 0x6A88
    assert card.state.pin_tries_left == 10


def test_verified_state_ends_on_reset_and_power_off(selected: VirtualGoSignCard) -> None:
    card = selected
    assert sw(card, verify(PIN)) == 0x9000
    assert sw(card, SELECT_JPKI) == 0x6A82  # a failed selection changes nothing
    assert sw(card, SELECT_GOSIGN) == 0x9000  # the same application again: still verified
    assert sw(card, VERIFY_STATUS) == 0x9000
    card.reset()
    assert sw(card, VERIFY_STATUS) == 0x6A88  # nothing selected after a reset
    assert sw(card, SELECT_GOSIGN) == 0x9000
    assert sw(card, VERIFY_STATUS) == 0x63CA
    assert sw(card, verify(PIN)) == 0x9000
    card.power_off()
    card.power_on()
    assert sw(card, SELECT_GOSIGN) == 0x9000
    assert sw(card, VERIFY_STATUS) == 0x63CA


def test_counter_is_persisted_before_the_pin_is_checked(
    make_state: Callable[..., VirtualCardState],
) -> None:
    seen: list[int] = []
    state = make_state()
    card = VirtualGoSignCard(state, on_state_change=lambda s: seen.append(s.pin_tries_left))
    assert sw(card, SELECT_GOSIGN) == 0x9000
    assert sw(card, VERIFY_STATUS) == 0x63CA
    assert seen == []  # status only: nothing to write
    assert sw(card, verify(b"0000")) == 0x63C9
    assert seen == [9]
    assert sw(card, verify(PIN)) == 0x9000
    assert seen == [9, 8, 10]  # spent first, then restored


def test_counter_written_before_checking_gives_no_free_try(
    make_state: Callable[..., VirtualCardState],
) -> None:
    """The card is pulled while it checks the PIN: the try is already spent on disk."""
    saved: list[int] = []
    state = make_state()

    def pulled_during_check(changed: VirtualCardState) -> None:
        saved.append(changed.pin_tries_left)
        raise ConnectionAbortedError("card pulled")

    card = VirtualGoSignCard(state, on_state_change=pulled_during_check)
    assert sw(card, SELECT_GOSIGN) == 0x9000
    assert sw(card, verify(PIN)) == 0x6F00
    assert saved == [9]


# --- CHANGE REFERENCE DATA ---------------------------------------------------------------------


def test_change_pin(selected: VirtualGoSignCard) -> None:
    card = selected
    assert sw(card, change(PIN, b"Abc123xyz")) == 0x9000
    assert sw(card, VERIFY_STATUS) == 0x9000  # the old PIN was just proven
    assert sw(card, verify(PIN)) == 0x63C9
    assert sw(card, verify(b"Abc123xyz")) == 0x9000
    assert card.state.pin_tries_left == 10


def test_change_pin_with_wrong_old_pin_spends_a_try(selected: VirtualGoSignCard) -> None:
    assert sw(selected, change(b"0000", b"5678")) == 0x63C9
    assert sw(selected, verify(b"5678")) == 0x63C8
    assert sw(selected, verify(PIN)) == 0x9000


@pytest.mark.parametrize(
    "new_pin",
    [b"123", b"1" * 17, b"12 4", b"12-4", "１２３４".encode(), b"abc\x00"],
)
def test_change_to_a_new_pin_that_breaks_the_format_is_6a80_without_a_try(
    selected: VirtualGoSignCard, new_pin: bytes
) -> None:
    assert sw(selected, change(PIN, new_pin)) == 0x6A80
    assert sw(selected, change(b"0000", new_pin)) == 0x6A80
    assert selected.state.pin_tries_left == 10
    assert sw(selected, verify(PIN)) == 0x9000


@pytest.mark.parametrize(
    "data",
    [
        "",  # no data: case 1
        "04313233",  # L1 4, 3 bytes, no L2
        "0431323334",  # no L2
        "043132333404353637",  # L2 4, 3 bytes
        "04313233340435363738FF",  # a byte after NEW
        "0931323334043536373839",  # L1 past the data
    ],
)
def test_change_with_malformed_blocks_is_6700_without_a_try(
    selected: VirtualGoSignCard, data: str
) -> None:
    assert sw(selected, short(0x24, 0x00, 0x81, bytes.fromhex(data))) == 0x6700
    assert selected.state.pin_tries_left == 10


def test_change_old_pin_of_wrong_length_is_6700_without_a_try(
    selected: VirtualGoSignCard,
) -> None:
    assert sw(selected, change(b"123", b"5678")) == 0x6700
    assert sw(selected, change(b"1" * 17, b"5678")) == 0x6700
    assert selected.state.pin_tries_left == 10


def test_change_parameters(selected: VirtualGoSignCard) -> None:
    assert sw(selected, short(0x24, 0x00, 0x82, b"\x041234\x045678")) == 0x6A86
    assert sw(selected, short(0x24, 0x01, 0x81, b"\x041234\x045678")) == 0x6A86


# --- RESET RETRY COUNTER -----------------------------------------------------------------------


def test_unlock_with_the_right_code(selected: VirtualGoSignCard) -> None:
    card = selected
    block_pin(card)
    assert sw(card, unlock(b"00000000", b"5678")) == 0x63C9
    assert sw(card, UNLOCK_STATUS) == 0x63C9
    assert card.state.unlock_tries_left == 9
    assert sw(card, unlock(UNLOCK_CODE, b"Neu4")) == 0x9000
    assert (card.state.pin_tries_left, card.state.unlock_tries_left) == (10, 10)
    assert sw(card, UNLOCK_STATUS) == 0x63CA
    assert sw(card, VERIFY_STATUS) == 0x63CA  # unlocking does not verify the PIN
    assert sw(card, verify(PIN)) == 0x63C9
    assert sw(card, verify(b"Neu4")) == 0x9000


def test_unlock_works_when_the_pin_is_not_blocked(selected: VirtualGoSignCard) -> None:
    assert sw(selected, verify(b"0000")) == 0x63C9
    assert sw(selected, unlock(UNLOCK_CODE, b"2468")) == 0x9000
    assert selected.state.pin_tries_left == 10
    assert sw(selected, verify(b"2468")) == 0x9000


def test_unlock_format_errors_spend_no_try(selected: VirtualGoSignCard) -> None:
    card = selected
    assert sw(card, unlock(b"1234567", b"5678")) == 0x6700  # code of 7 digits
    assert sw(card, unlock(b"123456789", b"5678")) == 0x6700
    assert sw(card, unlock(UNLOCK_CODE, b"567")) == 0x6A80  # the new PIN breaks the format
    assert sw(card, unlock(b"00000000", b"56 8")) == 0x6A80
    assert sw(card, short(0x2C, 0x00, 0x81, b"\x08" + UNLOCK_CODE)) == 0x6700
    assert sw(card, bytes.fromhex("002C0081")) == 0x6700
    assert sw(card, short(0x2C, 0x01, 0x81, b"\x08" + UNLOCK_CODE)) == 0x6A86
    assert card.state.unlock_tries_left == 10
    assert card.state.pin_tries_left == 10


def test_ten_wrong_unlock_codes_make_the_card_unusable(selected: VirtualGoSignCard) -> None:
    card = selected
    assert sw(card, verify(PIN)) == 0x9000
    for tries_left in range(9, 0, -1):
        assert sw(card, unlock(b"00000000", b"5678")) == 0x63C0 | tries_left
    assert sw(card, unlock(b"00000000", b"5678")) == 0x6983
    assert card.state.unlock_tries_left == 0
    assert card.state.pin_tries_left == 10  # the PIN was never blocked, yet:
    for apdu in (
        VERIFY_STATUS,
        UNLOCK_STATUS,
        verify(PIN),
        change(PIN, b"5678"),
        unlock(UNLOCK_CODE, b"5678"),
        short(0x20, 0x00, 0x82, UNLOCK_CODE),
    ):
        assert sw(card, apdu) == 0x6983, apdu.hex()
    assert sw(card, sign(digest_info_sha256(b"x"))) == 0x6982
    assert (card.state.pin_tries_left, card.state.unlock_tries_left) == (10, 0)


def test_unlock_counter_persisted_before_checking(
    make_state: Callable[..., VirtualCardState],
) -> None:
    seen: list[tuple[int, int]] = []
    card = VirtualGoSignCard(
        make_state(unlock_tries_left=3),
        on_state_change=lambda s: seen.append((s.pin_tries_left, s.unlock_tries_left)),
    )
    assert sw(card, SELECT_GOSIGN) == 0x9000
    assert sw(card, UNLOCK_STATUS) == 0x63C3
    assert sw(card, unlock(UNLOCK_CODE, b"5678")) == 0x9000
    assert seen == [(10, 2), (10, 10)]


# --- COMPUTE DIGITAL SIGNATURE -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("prefix", "algorithm"),
    [
        (SHA256_PREFIX, hashes.SHA256()),
        (SHA384_PREFIX, hashes.SHA384()),
        (SHA512_PREFIX, hashes.SHA512()),
    ],
)
def test_signature_verifies_with_the_certificate(
    selected: VirtualGoSignCard, prefix: bytes, algorithm: hashes.HashAlgorithm
) -> None:
    card = selected
    message = "入札書 2025-04-01".encode()
    digest = hashes.Hash(algorithm)
    digest.update(message)
    digest_info = prefix + digest.finalize()
    assert sw(card, short(0x2A, 0x9E, 0x9A, digest_info, le=256)) == 0x6982
    assert sw(card, verify(PIN)) == 0x9000
    signature, status = tx(card, short(0x2A, 0x9E, 0x9A, digest_info, le=256))
    assert status == 0x9000
    assert len(signature) == 256
    public_key = card.state.user_certificate().public_key()
    assert isinstance(public_key, rsa.RSAPublicKey)
    public_key.verify(signature, message, PKCS1v15(), algorithm)
    with pytest.raises(InvalidSignature):
        public_key.verify(signature, message + b"!", PKCS1v15(), algorithm)


def test_sign_command_from_the_profile_verbatim(selected: VirtualGoSignCard) -> None:
    message = b"hello"
    digest_info = digest_info_sha256(message)
    assert sw(selected, bytes.fromhex("0020008104") + PIN) == 0x9000
    apdu = bytes.fromhex("002A9E9A33") + digest_info + b"\x00"
    signature, status = tx(selected, apdu)
    assert status == 0x9000
    public_key = selected.state.user_certificate().public_key()
    assert isinstance(public_key, rsa.RSAPublicKey)
    public_key.verify(signature, message, PKCS1v15(), hashes.SHA256())


@pytest.mark.parametrize(
    "digest_info",
    [
        hashlib.sha256(b"x").digest(),  # a bare hash
        SHA256_PREFIX + hashlib.sha256(b"x").digest()[:31],  # one byte short
        SHA256_PREFIX + hashlib.sha512(b"x").digest(),  # SHA-256 header, 64 bytes
        # SHA-1, which the card refuses: the point of the case.
        bytes.fromhex("3021300906052b0e03021a05000414") + hashlib.sha1(b"x").digest(),  # noqa: S324
        bytes.fromhex("302f300b0609608648016503040201") + b"\x04\x20" + bytes(32),  # no NULL
        b"\x00" * 51,
    ],
)
def test_sign_rejects_a_malformed_digest_info(
    selected: VirtualGoSignCard, digest_info: bytes
) -> None:
    assert sw(selected, verify(PIN)) == 0x9000
    assert sw(selected, sign(digest_info)) == 0x6A80


def test_sign_session_rules(selected: VirtualGoSignCard) -> None:
    card = selected
    digest_info = digest_info_sha256(b"x")
    assert sw(card, verify(PIN)) == 0x9000
    assert sw(card, short(0x2A, 0x9E, 0x9A, digest_info)) == 0x6700  # no Le
    assert sw(card, short(0x2A, 0x9E, 0x9A, digest_info, le=0x80)) == 0x6C00
    assert sw(card, short(0x2A, 0x80, 0x86, digest_info, le=256)) == 0x6A86
    assert tx(card, sign(digest_info))[1] == 0x9000
    assert tx(card, sign(digest_info))[1] == 0x9000  # the PIN stays verified for the session
    card.reset()
    assert sw(card, SELECT_GOSIGN) == 0x9000
    assert sw(card, sign(digest_info)) == 0x6982


# --- T=0 ---------------------------------------------------------------------------------------


@pytest.fixture
def t0_card(make_state: Callable[..., VirtualCardState]) -> VirtualGoSignCard:
    card = VirtualGoSignCard(make_state(t0=True))
    assert sw(card, SELECT_GOSIGN) == 0x9000  # no data: plain 9000 on T=0 too
    return card


def get_response(le: int) -> bytes:
    return bytes([0x00, 0xC0, 0x00, 0x00, le & 0xFF])


def test_t0_data_comes_through_get_response(t0_card: VirtualGoSignCard) -> None:
    card = t0_card
    der = card.state.user_certificate_der
    assert sw(card, SELECT_USER_CERT) == 0x9000
    assert sw(card, short(0xB0, 0, 0, le=10)) == 0x610A
    assert tx(card, get_response(0x0A)) == (der[:10], 0x9000)
    assert sw(card, get_response(0x0A)) == 0x6985  # nothing pending any more
    # 256 bytes: 61 00; fetched in two parts, 61xx in between.
    assert sw(card, short(0xB0, 0, 0, le=256)) == 0x6100
    assert tx(card, get_response(0x80)) == (der[:128], 0x6180)
    assert tx(card, get_response(0x80)) == (der[128:256], 0x9000)


def test_t0_read_past_the_end_answers_6cxx(t0_card: VirtualGoSignCard) -> None:
    card = t0_card
    der = card.state.user_certificate_der
    assert sw(card, SELECT_USER_CERT) == 0x9000
    offset = len(der) - 0x21
    assert sw(card, short(0xB0, offset >> 8, offset & 0xFF, le=256)) == 0x6C21
    assert sw(card, short(0xB0, offset >> 8, offset & 0xFF, le=0x21)) == 0x6121
    assert tx(card, get_response(0x21)) == (der[-0x21:], 0x9000)


def test_t0_get_response_rules(t0_card: VirtualGoSignCard) -> None:
    card = t0_card
    assert sw(card, get_response(0)) == 0x6985  # nothing pending
    assert sw(card, SELECT_CARD_INFO) == 0x9000
    assert sw(card, short(0xB0, 0, 0, le=0x3A)) == 0x613A
    # Too long an Le: the right one, and the data waits.
    assert sw(card, get_response(0x40)) == 0x6C3A
    assert sw(card, bytes.fromhex("00C0010000")) == 0x6A86
    card_info, status = tx(card, get_response(0x3A))
    assert (card_info[:2], len(card_info), status) == (b"\x70\x38", 0x3A, 0x9000)
    # Any other command discards the pending data.
    assert sw(card, short(0xB0, 0, 0, le=4)) == 0x6104
    assert sw(card, VERIFY_STATUS) == 0x63CA
    assert sw(card, get_response(4)) == 0x6985


def test_t0_signature(t0_card: VirtualGoSignCard) -> None:
    card = t0_card
    message = b"t0"
    assert sw(card, verify(PIN)) == 0x9000
    assert sw(card, sign(digest_info_sha256(message))) == 0x6100
    first, status = tx(card, get_response(0xF0))
    assert status == 0x6110
    rest, status = tx(card, get_response(0x10))
    assert status == 0x9000
    public_key = card.state.user_certificate().public_key()
    assert isinstance(public_key, rsa.RSAPublicKey)
    public_key.verify(first + rest, message, PKCS1v15(), hashes.SHA256())


def test_t0_extended_read_of_more_than_256_left_ends_with_6282(
    t0_card: VirtualGoSignCard,
) -> None:
    card = t0_card
    der = card.state.user_certificate_der
    assert sw(card, SELECT_USER_CERT) == 0x9000
    assert sw(card, extended(0xB0, 0, 0, le=65536)) == 0x6100
    content = bytearray()
    status = 0x6100
    while status >> 8 == 0x61:  # as the profile says: GET RESPONSE with Le = xx
        data, status = tx(card, get_response(status & 0xFF))
        content += data
    assert (bytes(content), status) == (der, 0x6282)


def test_t1_get_response_has_nothing_to_give(selected: VirtualGoSignCard) -> None:
    assert sw(selected, SELECT_CARD_INFO) == 0x9000
    assert tx(selected, short(0xB0, 0, 0, le=4))[1] == 0x9000
    assert sw(selected, get_response(4)) == 0x6985


# --- No extended length ------------------------------------------------------------------------


def test_no_extended_length_answers_6700(make_state: Callable[..., VirtualCardState]) -> None:
    card = VirtualGoSignCard(make_state(extended_length=False))
    assert sw(card, extended(0xA4, 0x04, 0x0C, bytes.fromhex("F0474F5349474E01"))) == 0x6700
    assert sw(card, SELECT_GOSIGN) == 0x9000
    assert sw(card, SELECT_USER_CERT) == 0x9000
    assert sw(card, extended(0xB0, 0, 0, le=1000)) == 0x6700
    assert sw(card, extended(0x20, 0x00, 0x81, b"0000")) == 0x6700
    assert card.state.pin_tries_left == 10  # no try spent
    assert tx(card, short(0xB0, 0, 0, le=4))[1] == 0x9000


# --- State -------------------------------------------------------------------------------------


def test_create_state_defaults(make_state: Callable[..., VirtualCardState]) -> None:
    state = make_state()
    today_japan = datetime.now(JAPAN_TIME).date()
    assert state.card_number == "9392000012345678"
    assert state.holder == "電子 花子"
    assert state.card_type == "gosign"
    assert state.valid_from == today_japan
    assert state.valid_to == default_valid_to(today_japan)
    assert (state.pin_tries_left, state.unlock_tries_left) == (10, 10)
    assert (state.t0, state.extended_length) == (False, True)
    assert state.check_pin(bytearray(b"1234"))
    assert not state.check_pin(b"1235")
    assert state.check_unlock_code(bytearray(b"12345678"))
    assert not state.check_unlock_code(b"12345679")


def test_default_validity_is_two_years_minus_a_day() -> None:
    assert default_valid_to(date(2025, 4, 1)) == date(2027, 3, 31)
    assert default_valid_to(date(2024, 2, 29)) == date(2026, 2, 28)
    assert default_valid_to(date(2025, 1, 1)) == date(2026, 12, 31)


def test_create_state_rejects_bad_values_without_naming_the_secret(
    make_state: Callable[..., VirtualCardState],
) -> None:
    with pytest.raises(ValueError, match="PIN format") as error:
        make_state(pin=b"98!7")
    assert "98!7" not in str(error.value)
    with pytest.raises(ValueError, match="unlock-code format") as error:
        make_state(unlock_code=b"1234567X")
    assert "1234567X" not in str(error.value)
    with pytest.raises(ValueError, match="card_number"):
        make_state(card_number="123")
    with pytest.raises(ValueError, match="pin_tries_left"):
        make_state(pin_tries_left=11)
    with pytest.raises(ValueError, match="before valid_from"):
        make_state(valid_from=date(2025, 1, 2), valid_to=date(2025, 1, 1))


def test_secrets_never_in_clear(
    tmp_path: Path, make_state: Callable[..., VirtualCardState]
) -> None:
    pin, code = b"Zq7xP9w", b"58203917"
    state = make_state(pin=pin, unlock_code=code)
    path = tmp_path / "card.json"
    save_state(state, path)
    raw = path.read_bytes()
    for secret in (pin, code):
        for form in (secret, secret.hex().encode(), base64.b64encode(secret)):
            assert form not in raw
        assert secret.decode() not in repr(state)
    assert "salt" not in repr(state)
    assert "digest" not in repr(state)
    assert_owner_only(path)
    loaded = load_state(path)
    assert loaded.check_pin(pin)
    assert loaded.check_unlock_code(code)


def test_state_round_trip(tmp_path: Path, make_state: Callable[..., VirtualCardState]) -> None:
    state = make_state(
        holder="山田 太郎",
        card_number="1111222233334444",
        valid_from=date(2024, 2, 29),
        valid_to=date(2026, 2, 28),
        pin_tries_left=3,
        unlock_tries_left=7,
        t0=True,
        extended_length=False,
        card_type="mynumber",
    )
    path = tmp_path / "card.json"
    save_state(state, path)
    assert load_state(path) == state
    document = json.loads(path.read_text(encoding="utf-8"))
    assert document["holder"] == "山田 太郎"  # stored as text, not escaped bytes
    assert document["schema_version"] == 1
    # Saving again replaces atomically: no temporary file is left behind.
    state.pin_tries_left = 2
    save_state(state, path)
    assert load_state(path).pin_tries_left == 2
    assert sorted(os.listdir(tmp_path)) == ["card.json"]
    assert_owner_only(path)


@pytest.mark.parametrize(
    "damage",
    [
        lambda text: text[: len(text) // 2],  # truncated
        lambda text: "",
        lambda text: "\udcff",  # not UTF-8 once written with surrogateescape
        lambda text: text.replace('"pin_tries_left": 10', '"pin_tries_left": "10"'),
        lambda text: text.replace('"pin_tries_left": 10', '"pin_tries_left": 11'),
        lambda text: text.replace('"schema_version": 1', '"schema_version": 99'),
        lambda text: text.replace('"card_number": "9392000012345678"', '"card_number": "9"'),
        lambda text: text.replace('"t0": false', '"t0": 0'),
        lambda text: text.replace("-----BEGIN PRIVATE KEY-----", "-----BEGIN KEY-----", 1),
        lambda text: json.dumps([1, 2]),
    ],
)
def test_corrupt_state_file_raises_and_is_kept(
    tmp_path: Path,
    make_state: Callable[..., VirtualCardState],
    damage: Callable[[str], str],
) -> None:
    path = tmp_path / "card.json"
    save_state(make_state(), path)
    damaged = damage(path.read_text(encoding="utf-8"))
    path.write_bytes(damaged.encode("utf-8", "surrogateescape"))
    with pytest.raises(StateFileError) as error:
        load_state(path)
    assert isinstance(error.value, ValueError)
    assert str(path) in str(error.value)
    assert path.read_bytes() == damaged.encode("utf-8", "surrogateescape")


def test_missing_state_file_raises_state_file_error(tmp_path: Path) -> None:
    with pytest.raises(StateFileError):
        load_state(tmp_path / "absent.json")


def test_counters_survive_a_new_card_object(
    tmp_path: Path, make_state: Callable[..., VirtualCardState]
) -> None:
    path = tmp_path / "card.json"
    save_state(make_state(), path)
    card = VirtualGoSignCard(load_state(path), on_state_change=lambda s: save_state(s, path))
    assert sw(card, SELECT_GOSIGN) == 0x9000
    assert sw(card, verify(b"0000")) == 0x63C9
    assert sw(card, verify(b"0001")) == 0x63C8
    assert sw(card, unlock(b"00000000", b"5678")) == 0x63C9
    # The "card" is pulled and put in again: a new object from the file.
    again = VirtualGoSignCard(load_state(path))
    assert sw(again, SELECT_GOSIGN) == 0x9000
    assert sw(again, VERIFY_STATUS) == 0x63C8
    assert sw(again, UNLOCK_STATUS) == 0x63C9


# --- Test CA -----------------------------------------------------------------------------------


def test_test_ca_certificate(keys: tuple[TestCA, rsa.RSAPrivateKey]) -> None:
    ca = keys[0]
    certificate = ca.certificate
    assert certificate.subject == certificate.issuer
    assert certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == (
        "ndnclient Test GoSign CA"
    )
    certificate.verify_directly_issued_by(certificate)
    constraints = certificate.extensions.get_extension_for_class(x509.BasicConstraints)
    assert constraints.critical
    assert constraints.value.ca
    usage = certificate.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.key_cert_sign
    assert usage.crl_sign
    assert not usage.digital_signature
    certificate.extensions.get_extension_for_class(x509.SubjectKeyIdentifier)
    assert isinstance(ca.key, rsa.RSAPrivateKey)
    assert ca.key.key_size == 2048
    reloaded = TestCA.load(ca.key_pem(), ca.certificate_der())
    assert reloaded.certificate == certificate


def test_user_certificate(keys: tuple[TestCA, rsa.RSAPrivateKey]) -> None:
    ca, user_key = keys
    certificate = issue_user_certificate(
        ca,
        user_key.public_key(),
        "電子 花子",
        "9392000012345678",
        date(2025, 4, 1),
        date(2027, 3, 31),
    )
    certificate.verify_directly_issued_by(ca.certificate)
    assert certificate.signature_hash_algorithm is not None
    assert certificate.signature_hash_algorithm.name == "sha256"
    subject = certificate.subject
    (cn,) = subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    assert (cn.value, cn._type) == ("電子 花子", _ASN1Type.UTF8String)
    (serial,) = subject.get_attributes_for_oid(NameOID.SERIAL_NUMBER)
    assert serial.value == "9392000012345678"
    (country,) = subject.get_attributes_for_oid(NameOID.COUNTRY_NAME)
    assert (country.value, country._type) == ("JP", _ASN1Type.PrintableString)
    assert subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value == "ndnclient test"
    # 2025-04-01 00:00:00 and 2027-03-31 23:59:59 Japan time.
    assert certificate.not_valid_before_utc == datetime(2025, 3, 31, 15, 0, 0, tzinfo=UTC)
    assert certificate.not_valid_after_utc == datetime(2027, 3, 31, 14, 59, 59, tzinfo=UTC)
    usage = certificate.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.digital_signature
    assert usage.content_commitment
    assert not usage.key_cert_sign
    assert not certificate.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    aki = certificate.extensions.get_extension_for_class(x509.AuthorityKeyIdentifier).value
    ca_ski = ca.certificate.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    assert aki.key_identifier == ca_ski.digest
    ski = certificate.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    assert ski == x509.SubjectKeyIdentifier.from_public_key(user_key.public_key())
    other = issue_user_certificate(
        ca, user_key.public_key(), "x", "9392000012345678", date(2025, 4, 1), date(2027, 3, 31)
    )
    assert other.serial_number != certificate.serial_number  # random serials


def test_ca_issues_a_crl(keys: tuple[TestCA, rsa.RSAPrivateKey]) -> None:
    ca = TestCA.load(keys[0].key_pem(), keys[0].certificate_der())
    revoked_at = datetime(2025, 5, 1, tzinfo=UTC)
    crl = ca.issue_crl([(1234, revoked_at)], crl_number=7)
    assert crl.is_signature_valid(ca.certificate.public_key())  # type: ignore[arg-type]
    entry = crl.get_revoked_certificate_by_serial_number(1234)
    assert entry is not None
    assert entry.revocation_date_utc == revoked_at
    assert crl.extensions.get_extension_for_class(x509.CRLNumber).value.crl_number == 7


def test_reissued_certificate_keeps_the_key(make_state: Callable[..., VirtualCardState]) -> None:
    state = make_state()
    before = state.user_certificate()
    state.holder = "新しい 名前"
    state.reissue_certificate()
    after = state.user_certificate()
    assert after.public_key() == before.public_key()
    assert after.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "新しい 名前"


# --- In-process reader -------------------------------------------------------------------------


def test_inprocess_backend(card: VirtualGoSignCard) -> None:
    backend = VirtualReaderBackend(card)
    _: ReaderBackend = backend  # structural check by mypy
    assert backend.list_readers() == ["ndnclient Virtual Reader 0"]
    slot = backend.snapshot()["ndnclient Virtual Reader 0"]
    assert (slot.card_present, slot.atr) == (True, ATR_T1)
    connection = backend.connect("ndnclient Virtual Reader 0")
    assert isinstance(connection, SmartCardConnection)
    assert (connection.protocol, connection.atr) == ("T=1", ATR_T1)
    with connection.transaction():
        assert connection.transmit(SELECT_GOSIGN) == b"\x90\x00"
        assert connection.transmit(verify(PIN)) == b"\x90\x00"
    connection.close()
    # Closing without reset leaves the session as it was (SCARD_LEAVE_CARD).
    second = backend.connect("ndnclient Virtual Reader 0")
    assert second.transmit(VERIFY_STATUS) == b"\x90\x00"
    second.close(reset=True)
    third = backend.connect("ndnclient Virtual Reader 0")
    assert third.transmit(SELECT_GOSIGN) == b"\x90\x00"
    assert third.transmit(VERIFY_STATUS) == b"\x63\xca"

    backend.remove()
    assert not backend.snapshot()["ndnclient Virtual Reader 0"].card_present
    with pytest.raises(CardRemovedError):
        third.transmit(VERIFY_STATUS)
    with pytest.raises(NoCardError):
        backend.connect("ndnclient Virtual Reader 0")
    with pytest.raises(NoReaderError):
        backend.connect("another reader")
    backend.insert()
    with pytest.raises(CardRemovedError):  # a connection dies with its insertion
        third.transmit(VERIFY_STATUS)
    fourth = backend.connect("ndnclient Virtual Reader 0")
    assert fourth.transmit(SELECT_GOSIGN) == b"\x90\x00"
    assert fourth.transmit(VERIFY_STATUS) == b"\x63\xca"  # pulled: the session ended


def test_inprocess_t0_protocol(make_state: Callable[..., VirtualCardState]) -> None:
    backend = VirtualReaderBackend(VirtualGoSignCard(make_state(t0=True)))
    connection = backend.connect(backend.reader_name)
    assert (connection.protocol, connection.atr) == ("T=0", ATR_T0)


def test_inprocess_wait_for_change(card: VirtualGoSignCard) -> None:
    backend = VirtualReaderBackend(card)
    before = backend.snapshot()
    started = time.monotonic()
    assert backend.wait_for_change(before, 0.05) == before  # timeout: nothing changed
    assert time.monotonic() - started >= 0.05
    assert backend.wait_for_change({}, 5.0) == before  # differs from an empty view at once

    timer = threading.Timer(0.05, backend.remove)
    timer.start()
    after = backend.wait_for_change(before, 5.0)
    timer.join()
    assert not after[backend.reader_name].card_present

    timer = threading.Timer(0.05, backend.cancel_wait)
    timer.start()
    started = time.monotonic()
    assert backend.wait_for_change(after, 5.0) == after
    assert time.monotonic() - started < 4.0
    timer.join()

    backend.cancel_wait()  # a cancel while nobody waits is kept for the next wait
    started = time.monotonic()
    backend.wait_for_change(after, 5.0)
    assert time.monotonic() - started < 1.0
    backend.close()


# --- vpcd bridge (against a fake vpcd on a local socket) ---------------------------------------


class FakeVpcd:
    """The server side of the vpcd protocol, as pcscd's driver speaks it."""

    def __init__(self) -> None:
        self.server = socket.create_server(("127.0.0.1", 0))
        self.server.settimeout(5.0)
        self.port: int = self.server.getsockname()[1]

    def accept(self) -> socket.socket:
        conn, _ = self.server.accept()
        conn.settimeout(5.0)
        return conn

    @staticmethod
    def send(conn: socket.socket, payload: bytes) -> None:
        conn.sendall(len(payload).to_bytes(2, "big") + payload)

    @staticmethod
    def receive(conn: socket.socket) -> bytes | None:
        """One frame; None when the card closed the connection."""
        header = FakeVpcd._exact(conn, 2)
        if header is None:
            return None
        return FakeVpcd._exact(conn, int.from_bytes(header, "big"))

    @staticmethod
    def _exact(conn: socket.socket, count: int) -> bytes | None:
        data = b""
        while len(data) < count:
            chunk = conn.recv(count - len(data))
            if not chunk:
                return None
            data += chunk
        return data

    def transmit(self, conn: socket.socket, apdu: bytes) -> bytes | None:
        self.send(conn, apdu)
        return self.receive(conn)

    def close(self) -> None:
        self.server.close()


@pytest.fixture
def fake_vpcd() -> Iterator[FakeVpcd]:
    server = FakeVpcd()
    yield server
    server.close()


def wait_until(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def test_vpcd_bridge_frames(fake_vpcd: FakeVpcd, card: VirtualGoSignCard) -> None:
    with VpcdBridge(card, "127.0.0.1", fake_vpcd.port) as bridge:
        conn = fake_vpcd.accept()
        assert bridge.inserted.is_set()
        fake_vpcd.send(conn, b"\x01")  # power on: no answer
        fake_vpcd.send(conn, b"\x04")
        assert fake_vpcd.receive(conn) == ATR_T1
        assert fake_vpcd.transmit(conn, SELECT_GOSIGN) == b"\x90\x00"
        assert fake_vpcd.transmit(conn, verify(PIN)) == b"\x90\x00"
        fake_vpcd.send(conn, b"\x02")  # reset: the session ends
        assert fake_vpcd.transmit(conn, SELECT_GOSIGN) == b"\x90\x00"
        assert fake_vpcd.transmit(conn, VERIFY_STATUS) == b"\x63\xca"
        wait_until(lambda: bridge.apdu_count == 4)  # counted just after the answer is sent
    # Leaving the block pulls the card: vpcd sees the connection close.
    assert fake_vpcd.receive(conn) is None
    assert not bridge.inserted.is_set()
    assert not bridge.running
    conn.close()


def test_vpcd_fault_pull_after_spends_the_try(fake_vpcd: FakeVpcd, card: VirtualGoSignCard) -> None:
    def pull_on_verify(apdu: bytes) -> Fault | None:
        return Fault.PULL_AFTER if apdu[1] == 0x20 and len(apdu) > 4 else None

    bridge = VpcdBridge(card, "127.0.0.1", fake_vpcd.port, fault=pull_on_verify)
    bridge.start()
    try:
        conn = fake_vpcd.accept()
        assert fake_vpcd.transmit(conn, SELECT_GOSIGN) == b"\x90\x00"
        assert fake_vpcd.transmit(conn, verify(b"0000")) is None  # no answer: pulled
        assert card.state.pin_tries_left == 9  # but the card acted on it
        wait_until(lambda: not bridge.running)
        assert not bridge.inserted.is_set()
        conn.close()

        bridge.fault = lambda apdu: Fault.PULL_BEFORE if apdu[1] == 0x20 else None
        bridge.insert()
        conn = fake_vpcd.accept()
        assert fake_vpcd.transmit(conn, SELECT_GOSIGN) == b"\x90\x00"
        assert fake_vpcd.transmit(conn, verify(b"0000")) is None
        assert card.state.pin_tries_left == 9  # the card never saw it
        wait_until(lambda: not bridge.running)
        conn.close()
        assert bridge.apdu_count == 2
    finally:
        bridge.stop()


def test_vpcd_bridge_reconnects_when_vpcd_drops_it(
    fake_vpcd: FakeVpcd, card: VirtualGoSignCard
) -> None:
    with VpcdBridge(card, "127.0.0.1", fake_vpcd.port) as bridge:
        first = fake_vpcd.accept()
        assert fake_vpcd.transmit(first, SELECT_GOSIGN) == b"\x90\x00"
        assert fake_vpcd.transmit(first, verify(PIN)) == b"\x90\x00"
        first.close()  # pcscd restarted
        second = fake_vpcd.accept()
        wait_until(bridge.inserted.is_set)
        fake_vpcd.send(second, b"\x04")
        assert fake_vpcd.receive(second) == ATR_T1
        assert fake_vpcd.transmit(second, SELECT_GOSIGN) == b"\x90\x00"
        assert fake_vpcd.transmit(second, VERIFY_STATUS) == b"\x63\xca"  # a new session
        bridge.remove()
        assert fake_vpcd.receive(second) is None
        second.close()


def test_vpcd_bridge_gives_up_when_vpcd_is_absent(card: VirtualGoSignCard) -> None:
    probe = socket.create_server(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()  # nothing listens there now
    bridge = VpcdBridge(card, "127.0.0.1", port, connect_timeout=0.3)
    bridge.start()
    assert not bridge.wait_inserted(3.0)
    wait_until(lambda: not bridge.running)
    assert isinstance(bridge.error, ConnectionError)
    bridge.stop()


# --- The command -------------------------------------------------------------------------------


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    simulator_main.add_arguments(parser)
    return parser.parse_args(argv)


def test_command_options() -> None:
    args = parse([])
    assert args.vpcd == ("127.0.0.1", 35963)
    assert (args.state, args.t0, args.extended_length, args.mynumber) == (None, None, None, None)
    args = parse(
        [
            *("--vpcd", "localhost:35964", "--t0", "--no-extended-length", "--mynumber"),
            *("--card-number", "1111-2222-3333-4444", "--valid-to", "2030-01-31"),
        ]
    )
    assert args.vpcd == ("localhost", 35964)
    assert (args.t0, args.extended_length, args.mynumber) == (True, False, True)
    assert args.card_number == "1111222233334444"
    assert args.valid_to == date(2030, 1, 31)
    for bad in (
        ["--vpcd", "35963"],
        ["--card-number", "12"],
        ["--valid-from", "2025-1-1"],
        ["--pin-tries-left", "11"],
        ["--pin", "1234"],  # a PIN is never an argument
    ):
        with pytest.raises(SystemExit):
            parse(bad)


def test_command_state_file_created_then_overridden(
    tmp_path: Path,
    keys: tuple[TestCA, rsa.RSAPrivateKey],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Skip key generation: the command's create_state gets the module's keys.
    monkeypatch.setattr(
        "ndnclient.simulator.state.create_state",
        lambda **options: create_state(ca=keys[0], user_key=keys[1], **options),
    )
    path = tmp_path / "card.json"
    pin, code = simulator_main._read_secrets(io.StringIO("Secret9\n24681357\n"))
    first = simulator_main.build_state(
        parse(["--state", str(path), "--pin-tries-left", "5", "--t0"]), pin, code
    )
    assert path.exists()
    assert first.check_pin(b"Secret9")
    assert first.check_unlock_code(b"24681357")
    assert (first.pin_tries_left, first.t0) == (5, True)
    raw = path.read_bytes()
    assert b"Secret9" not in raw
    assert b"24681357" not in raw

    # Second start: the file is kept; explicit options override it and are saved.
    second = simulator_main.build_state(
        parse(["--state", str(path), "--holder", "山田 太郎", "--valid-to", "2031-12-31"]),
        None,
        None,
    )
    assert (second.pin_tries_left, second.t0) == (5, True)  # kept
    assert second.check_pin(b"Secret9")
    certificate = second.user_certificate()
    assert certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "山田 太郎"
    assert certificate.public_key() == first.user_certificate().public_key()
    assert certificate.not_valid_after_utc == datetime(2031, 12, 31, 14, 59, 59, tzinfo=UTC)
    assert load_state(path) == second

    third = simulator_main.build_state(
        parse(["--state", str(path), "--no-t0", "--mynumber"]), None, None
    )
    assert (third.t0, third.card_type) == (False, "mynumber")
    assert third.user_certificate_der == second.user_certificate_der  # nothing to re-issue


def test_command_rejects_a_bad_pin_on_stdin(capsys: pytest.CaptureFixture[str]) -> None:
    # Bad usage, with the exit status every command has (2).
    assert cli.main(["simulator", "--pin-stdin"], console=ScriptedConsole(stdin="x!\n")) == 2
    captured = capsys.readouterr()
    assert "PIN" in captured.err
    assert "x!" not in captured.err + captured.out
    stdin = ScriptedConsole(stdin="1234\n1234\n")
    assert cli.main(["simulator", "--pin-stdin"], console=stdin) == 2
    assert "unlock code" in capsys.readouterr().err


def test_command_reports_a_corrupt_state_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "card.json"
    path.write_text("{not json", encoding="utf-8")
    assert cli.main(["simulator", "--state", str(path)]) == 1
    assert "card.json" in capsys.readouterr().err
    assert path.read_text(encoding="utf-8") == "{not json"  # the old file is never lost
