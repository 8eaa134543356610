"""Transport quirks and the GoSign session over a scripted connection."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ndnclient.card.apdu import CommandApdu
from ndnclient.card.errors import (
    ApduError,
    CardError,
    CardRemovedError,
    InvalidPinError,
    MalformedResponseError,
    MyNumberCardError,
    NotGoSignCardError,
    PinBlockedError,
    PinFormatError,
    SecurityStatusNotSatisfiedError,
    TransportError,
    UnlockCodeBlockedError,
)
from ndnclient.card.session import CardType, GoSignSession
from ndnclient.card.tlv import encode_tlv
from tests.fakes import ScriptedConnection, Step, h, script

SELECT_APP = "00 A4 04 0C 08 F0474F5349474E01"
SELECT_JPKI = "00 A4 04 0C 0A D392F000260100000001"
OK = h("9000")
CERT = encode_tlv(0x30, bytes(range(256)) * 5 + b"end")  # 1283 bytes in all
CARD_INFO = encode_tlv(
    0x70,
    b"".join(
        [
            encode_tlv(0x80, b"1111222233334444"),
            encode_tlv(0x81, "申請 太郎".encode()),
            encode_tlv(0x82, b"20260101"),
            encode_tlv(0x83, b"20271231"),
            encode_tlv(0x84, b"\x01"),
        ]
    ),
)


def session_on(conn: ScriptedConnection) -> GoSignSession:
    return GoSignSession(conn)


# --- T=0 and 6Cxx --------------------------------------------------------------------------


def test_t0_get_response_chain_is_assembled() -> None:
    conn = script(
        (SELECT_APP, OK),
        ("00 A4 02 0C 02 0101", OK),
        ("00 B0 00 00 00", h("6100")),
        ("00 C0 00 00 00", CARD_INFO[:20] + h("61 00")),
        ("00 C0 00 00 00", CARD_INFO[20:] + OK),
    )
    info = session_on(conn).read_card_info()
    assert info.card_number == "1111222233334444"
    assert info.holder == "申請 太郎"
    assert conn.done()


def test_6cxx_resends_once_with_the_named_le() -> None:
    n = len(CARD_INFO)
    conn = script(
        (SELECT_APP, OK),
        ("00 A4 02 0C 02 0101", OK),
        ("00 B0 00 00 00", h(f"6C {n:02X}")),
        (f"00 B0 00 00 {n:02X}", h(f"61 {n:02X}")),
        (f"00 C0 00 00 {n:02X}", CARD_INFO + OK),
    )
    assert session_on(conn).read_card_info().valid_to.year == 2027
    assert conn.done()


def test_get_response_loop_is_bounded() -> None:
    conn = ScriptedConnection([])
    conn.transmit = lambda apdu: h("61 10")  # type: ignore[method-assign]
    with pytest.raises(MalformedResponseError, match="61xx"):
        GoSignSession(conn).transport.send(CommandApdu(0, 0xB0, 0, 0, le=16))


def test_a_pin_command_is_never_resent_on_6cxx() -> None:
    conn = script((SELECT_APP, OK), ("00 20 00 81 04 31323334", h("6C 00")))
    with pytest.raises(ApduError):
        session_on(conn).verify_pin(bytearray(b"1234"))
    assert sum(1 for c in conn.sent if c.startswith(h("00 20 00 81 04"))) == 1


def test_the_transmitted_pin_buffer_is_wiped() -> None:
    handed: list[bytearray] = []
    conn = script((SELECT_APP, OK), ("00 20 00 81 04 31323334", OK))
    original = conn.transmit

    def spy(apdu: bytes | bytearray) -> bytes:
        assert isinstance(apdu, bytearray)
        handed.append(apdu)
        return original(apdu)

    conn.transmit = spy  # type: ignore[method-assign]
    session_on(conn).verify_pin(bytearray(b"1234"))
    assert handed[-1] == bytearray(len(handed[-1]))  # zeroed after the exchange


# --- reading files -------------------------------------------------------------------------


def test_certificate_in_two_reads_with_extended_length() -> None:
    rest = len(CERT) - 4
    conn = script(
        (SELECT_APP, OK),
        ("00 A4 02 0C 02 0102", OK),
        ("00 B0 00 00 04", CERT[:4] + OK),
        (f"00 B0 00 04 00 {rest:04X}", CERT[4:] + OK),
    )
    session = session_on(conn)
    assert session.read_user_certificate() == CERT
    assert session.extended_length is True
    assert conn.done()
    assert session.transport.commands_sent == 4


def test_fallback_to_short_reads_on_6700_is_remembered() -> None:
    rest = len(CERT) - 4
    steps: list[tuple[str, object]] = [
        (SELECT_APP, OK),
        ("00 A4 02 0C 02 0102", OK),
        ("00 B0 00 00 04", CERT[:4] + OK),
        (f"00 B0 00 04 00 {rest:04X}", h("6700")),
    ]
    offset = 4
    while offset < len(CERT):
        size = min(256, len(CERT) - offset)
        steps.append((f"00 B0 {offset:04X} {size % 256:02X}", CERT[offset : offset + size] + OK))
        offset += size
    steps += [("00 A4 02 0C 02 0103", OK), ("00 B0 00 00 04", CERT[:4] + OK)]
    offset = 4
    while offset < len(CERT):  # the CA certificate: short reads at once, no extended try
        size = min(256, len(CERT) - offset)
        steps.append((f"00 B0 {offset:04X} {size % 256:02X}", CERT[offset : offset + size] + OK))
        offset += size
    conn = script(*steps)  # type: ignore[arg-type]
    session = session_on(conn)
    assert session.read_user_certificate() == CERT
    assert session.extended_length is False
    assert session.read_ca_certificate() == CERT
    assert conn.done()


def test_end_of_file_warning_returns_the_bytes_left() -> None:
    conn = script(
        (SELECT_APP, OK),
        ("00 A4 02 0C 02 0101", OK),
        ("00 B0 00 00 00", CARD_INFO + h("6282")),
    )
    assert session_on(conn).read_card_info().card_number == "1111222233334444"


def test_file_shorter_than_its_header_is_a_clear_error() -> None:
    conn = script(
        (SELECT_APP, OK),
        ("00 A4 02 0C 02 0102", OK),
        ("00 B0 00 00 04", CERT[:4] + OK),
        ("00 B0 00 04 00 05 03", CERT[4:100] + h("6282")),
    )
    with pytest.raises(MalformedResponseError, match="shorter"):
        session_on(conn).read_user_certificate()


def test_offset_past_the_end_is_a_clear_error() -> None:
    conn = script(
        (SELECT_APP, OK),
        ("00 A4 02 0C 02 0102", OK),
        ("00 B0 00 00 04", CERT[:4] + OK),
        ("00 B0 00 04 00 05 03", h("6B00")),
    )
    with pytest.raises(MalformedResponseError):
        session_on(conn).read_user_certificate()


def test_a_card_sending_more_than_asked_is_refused() -> None:
    conn = script(
        (SELECT_APP, OK),
        ("00 A4 02 0C 02 0102", OK),
        ("00 B0 00 00 04", CERT[:9] + OK),
    )
    with pytest.raises(MalformedResponseError, match="for Le 4"):
        session_on(conn).read_user_certificate()


def test_missing_file() -> None:
    conn = script((SELECT_APP, OK), ("00 A4 02 0C 02 0103", h("6A82")))
    with pytest.raises(ApduError) as caught:
        session_on(conn).read_ca_certificate()
    assert caught.value.sw == 0x6A82
    assert (caught.value.sw1, caught.value.sw2) == (0x6A, 0x82)


def test_card_pulled_during_a_read_surfaces_as_removed() -> None:
    conn = script(
        (SELECT_APP, OK),
        ("00 A4 02 0C 02 0102", OK),
        ("00 B0 00 00 04", CardRemovedError("pulled")),
    )
    with pytest.raises(CardRemovedError):
        session_on(conn).read_user_certificate()


# --- identification --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("answers", "card_type"),
    [
        ([(SELECT_APP, OK)], CardType.GOSIGN),
        ([(SELECT_APP, h("6A82")), (SELECT_JPKI, OK)], CardType.MYNUMBER),
        ([(SELECT_APP, h("6A82")), (SELECT_JPKI, h("6A82"))], CardType.UNKNOWN),
        ([(SELECT_APP, h("6E00")), (SELECT_JPKI, h("6D00"))], CardType.UNKNOWN),
    ],
)
def test_identification_by_application(
    answers: list[tuple[str, bytes]], card_type: CardType
) -> None:
    assert session_on(script(*answers)).identify() is card_type


def test_select_application_names_a_my_number_card() -> None:
    with pytest.raises(MyNumberCardError):
        session_on(script((SELECT_APP, h("6A82")), (SELECT_JPKI, OK))).select_application()
    with pytest.raises(NotGoSignCardError):
        session_on(script((SELECT_APP, h("6A82")), (SELECT_JPKI, h("6A82")))).select_application()


# --- PIN answers ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sw", "tries", "verified"),
    [("9000", 10, True), ("63CA", 10, False), ("63C3", 3, False), ("6983", 0, False)],
)
def test_pin_counter(sw: str, tries: int, verified: bool) -> None:
    counter = session_on(script((SELECT_APP, OK), ("00 20 00 81", h(sw)))).pin_counter()
    assert (counter.tries_left, counter.verified, counter.blocked) == (tries, verified, tries == 0)


def test_unlock_counter_uses_reference_82() -> None:
    conn = script((SELECT_APP, OK), ("00 20 00 82", h("63C9")))
    assert session_on(conn).pin_counter("unlock").tries_left == 9
    assert conn.sent[-1] == h("00 20 00 82")  # status only: no Lc, no data


def test_pin_counter_rejects_an_impossible_answer() -> None:
    with pytest.raises(ApduError):
        session_on(script((SELECT_APP, OK), ("00 20 00 81", h("6A88")))).pin_counter()


@pytest.mark.parametrize(
    ("sw", "error"),
    [
        ("63C7", InvalidPinError),
        ("6983", PinBlockedError),
        ("63C0", PinBlockedError),
        ("6700", PinFormatError),
        ("6F00", ApduError),
    ],
)
def test_verify_answers(sw: str, error: type[Exception]) -> None:
    conn = script((SELECT_APP, OK), ("00 20 00 81 04 31323334", h(sw)))
    with pytest.raises(error) as caught:
        session_on(conn).verify_pin(bytearray(b"1234"))
    if isinstance(caught.value, InvalidPinError):
        assert caught.value.tries_left == 7


def test_change_pin_encodes_both_pins_with_their_lengths() -> None:
    conn = script((SELECT_APP, OK), ("00 24 00 81 0B 04 31323334 05 4E65773132", OK))
    session_on(conn).change_pin(bytearray(b"1234"), bytearray(b"New12"))
    assert conn.done()


def test_change_pin_new_pin_refused() -> None:
    conn = script((SELECT_APP, OK), ("00 24 00 81 ...", h("6A80")))
    with pytest.raises(PinFormatError) as caught:
        session_on(conn).change_pin(bytearray(b"1234"), bytearray(b"abcd"))
    assert caught.value.which == "new_pin"


@pytest.mark.parametrize(
    ("sw", "error"), [("63C4", InvalidPinError), ("6983", UnlockCodeBlockedError)]
)
def test_unlock_answers(sw: str, error: type[Exception]) -> None:
    conn = script((SELECT_APP, OK), ("00 2C 00 81 0E 08 3132333435363738 04 39393939", h(sw)))
    with pytest.raises(error) as caught:
        session_on(conn).unlock_pin(bytearray(b"12345678"), bytearray(b"9999"))
    assert getattr(caught.value, "which", "unlock") == "unlock"


def test_sign_needs_the_pin() -> None:
    conn = script((SELECT_APP, OK), ("00 2A 9E 9A 03 010203 00", h("6982")))
    with pytest.raises(SecurityStatusNotSatisfiedError):
        session_on(conn).sign_digest_info(b"\x01\x02\x03")


def test_sign_returns_256_bytes() -> None:
    conn = script((SELECT_APP, OK), ("00 2A 9E 9A 02 3031 00", bytes(range(256)) + OK))
    assert session_on(conn).sign_digest_info(b"\x30\x31") == bytes(range(256))
    bad = script((SELECT_APP, OK), ("00 2A 9E 9A 02 3031 00", bytes(10) + OK))
    with pytest.raises(MalformedResponseError):
        session_on(bad).sign_digest_info(b"\x30\x31")


# --- rules a test must be able to break ------------------------------------------------------


def test_a_secret_bearing_command_with_le_is_not_resent_on_6cxx() -> None:
    # VERIFY has no Le, so this guards the rule itself: the instruction decides.
    conn = script(("00 20 00 81 04 31323334 10", h("6C 08")))
    response = GoSignSession(conn).transport.send(
        CommandApdu(0x00, 0x20, 0x00, 0x81, bytearray(b"1234"), le=16)
    )
    assert response.sw == 0x6C08
    assert len(conn.sent) == 1


def test_a_command_repr_never_shows_its_data() -> None:
    assert "1234" not in repr(CommandApdu(0x00, 0x20, 0x00, 0x81, bytearray(b"1234")))


def test_6cxx_on_an_extended_read() -> None:
    rest = len(CERT) - 4
    conn = script(
        (SELECT_APP, OK),
        ("00 A4 02 0C 02 0102", OK),
        ("00 B0 00 00 04", CERT[:4] + OK),
        (f"00 B0 00 04 00 {rest:04X}", h("6C 00")),
        ("00 B0 00 04 00 01 00", CERT[4:260] + OK),  # same form, the Le the card named
        (f"00 B0 01 04 00 {rest - 256:04X}", CERT[260:] + OK),
    )
    assert session_on(conn).read_user_certificate() == CERT


def test_a_service_refusing_extended_length_falls_back_to_short_reads() -> None:
    steps: list[tuple[str, object]] = [
        (SELECT_APP, OK),
        ("00 A4 02 0C 02 0102", OK),
        ("00 B0 00 00 04", CERT[:4] + OK),
        (
            f"00 B0 00 04 00 {len(CERT) - 4:04X}",
            TransportError("Transaction failed", pcsc_code=0x80100016),
        ),
    ]
    for offset in range(4, len(CERT), 256):
        size = min(256, len(CERT) - offset)
        steps.append((f"00 B0 {offset:04X} {size % 256:02X}", CERT[offset : offset + size] + OK))
    session = session_on(script(*steps))  # type: ignore[arg-type]
    assert session.read_user_certificate() == CERT
    assert session.extended_length is False


def test_a_transport_error_after_extended_length_worked_is_not_hidden() -> None:
    conn = script(
        (SELECT_APP, OK),
        ("00 A4 02 0C 02 0102", OK),
        ("00 B0 00 00 04", CERT[:4] + OK),
        (f"00 B0 00 04 00 {len(CERT) - 4:04X}", TransportError("lost", pcsc_code=1)),
    )
    session = session_on(conn)
    session.extended_length = True
    with pytest.raises(TransportError):
        session.read_user_certificate()


def test_t0_starts_with_short_reads() -> None:
    conn = script((SELECT_APP, OK), ("00 A4 02 0C 02 0102", OK), ("00 B0 00 00 04", CERT[:4] + OK))
    for offset in range(4, len(CERT), 256):
        size = min(256, len(CERT) - offset)
        conn.steps.append(
            Step(f"00 B0 {offset:04X} {size % 256:02X}", CERT[offset : offset + size] + OK)
        )
    conn.protocol = "T=0"
    assert session_on(conn).read_user_certificate() == CERT


@pytest.mark.parametrize(("ins", "sw"), [("20", "63CB"), ("20", "6A80"), ("2C", "63CF")])
def test_pin_answers_outside_the_profile_are_not_guessed_at(ins: str, sw: str) -> None:
    session = session_on(script((SELECT_APP, OK), (f"00 {ins} 00 81 ...", h(sw))))
    send: Callable[[], object] = (
        (lambda: session.verify_pin(bytearray(b"1234")))
        if ins == "20"
        else (lambda: session.unlock_pin(bytearray(b"12345678"), bytearray(b"1234")))
    )
    with pytest.raises(CardError) as caught:
        send()
    # Not read as "wrong PIN, n tries left" (InvalidPinError): the answer is the card's own.
    assert isinstance(caught.value, ApduError)


def test_the_card_refusing_a_length_is_told_apart_from_our_own_check() -> None:
    conn = script((SELECT_APP, OK), ("00 2C 00 81 ...", h("6700")))
    with pytest.raises(PinFormatError) as caught:
        session_on(conn).unlock_pin(bytearray(b"12345678"), bytearray(b"1234"))
    assert caught.value.which == "rejected_length"


class RandomCard:
    """Answers every command with bytes drawn by hypothesis."""

    def __init__(self, data: st.DataObject) -> None:
        self.data = data
        self.reader_name, self.atr, self.protocol = "Random 0", b"\x3b\x00", "T=1"
        self.count = 0

    def transmit(self, apdu: bytes | bytearray) -> bytes:
        self.count += 1
        assert self.count < 2000, "the session loops"
        if self.data.draw(st.booleans()):  # a plausible answer: data and a status word
            return self.data.draw(st.binary(max_size=300)) + self.data.draw(
                st.sampled_from(
                    [
                        OK,
                        h("6282"),
                        h("6100"),
                        h("6C04"),
                        h("6B00"),
                        h("6700"),
                        h("63C3"),
                        h("6983"),
                        h("6A82"),
                        h("6F00"),
                    ]
                )
            )
        return self.data.draw(st.binary(max_size=8))

    @contextmanager
    def transaction(self) -> Iterator[None]:
        yield

    def close(self, *, reset: bool = False) -> None:
        pass


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_random_answers_give_card_errors_only(data: st.DataObject) -> None:
    session = GoSignSession(RandomCard(data))
    operations: list[Callable[[], object]] = [
        session.identify,
        session.read_card_info,
        session.read_user_certificate,
        session.pin_counter,
        lambda: session.verify_pin(bytearray(b"1234")),
        lambda: session.sign_digest_info(b"\x30\x31"),
    ]
    for operation in operations:
        with contextlib.suppress(CardError):
            operation()
