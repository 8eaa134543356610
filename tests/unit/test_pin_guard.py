"""PIN safety rules, proved on a scripted connection: what is sent, and what is not."""

from __future__ import annotations

import logging
import pickle
from collections.abc import Callable

import pytest

from ndnclient.card.errors import (
    CardRemovedError,
    InvalidPinError,
    LastTryNotConfirmedError,
    MalformedResponseError,
    PinBlockedError,
    PinFormatError,
    PinResultUnknownError,
    TransportError,
    UnlockCodeBlockedError,
)
from ndnclient.card.pin import PinGuard, PinRisk, SecretBuffer, assess
from ndnclient.card.session import GoSignSession, PinCounter
from ndnclient.card.transport import TRAFFIC
from ndnclient.messages import Messages
from tests.fakes import ScriptedConnection, h, script

SELECT_APP = "00 A4 04 0C 08 F0474F5349474E01"
OK = h("9000")
PIN_STATUS = "00 20 00 81"
UNLOCK_STATUS = "00 20 00 82"
VERIFY_1234 = "00 20 00 81 04 31323334"


def pin_commands_with_data(sent: list[bytes]) -> list[bytes]:
    return [c for c in sent if c[1] in (0x20, 0x24, 0x2C) and len(c) > 4]


def guard(conn: ScriptedConnection) -> PinGuard:
    return PinGuard(GoSignSession(conn))


def test_select_counter_and_pin_go_out_in_one_transaction() -> None:
    conn = script((SELECT_APP, OK), (PIN_STATUS, h("63CA")), (VERIFY_1234, OK))
    counter = guard(conn).verify(SecretBuffer(b"1234"))
    assert counter.verified
    assert counter.tries_left == 10
    assert conn.done()
    assert all(conn.sent_in_transaction)


def test_the_application_is_selected_again_for_every_operation() -> None:
    # Another program may have selected another application in between.
    conn = script(
        (SELECT_APP, OK),
        (PIN_STATUS, h("63CA")),
        (VERIFY_1234, h("63C9")),
        (SELECT_APP, OK),
        (PIN_STATUS, h("63C9")),
        (VERIFY_1234, OK),
    )
    pin_guard = guard(conn)
    with pytest.raises(InvalidPinError):
        pin_guard.verify(SecretBuffer(b"1234"))
    pin_guard.verify(SecretBuffer(b"1234"))
    assert conn.done()


@pytest.mark.parametrize("pin", [b"123", b"12345678901234567", b"12 4", "１２３４".encode(), b""])
def test_a_malformed_pin_is_never_sent(pin: bytes) -> None:
    conn = script()
    with pytest.raises(PinFormatError):
        guard(conn).verify(SecretBuffer(pin))
    assert conn.sent == []


def test_blocked_sends_nothing_but_status_reads() -> None:
    conn = script((SELECT_APP, OK), (PIN_STATUS, h("6983")), (UNLOCK_STATUS, h("63CA")))
    with pytest.raises(PinBlockedError) as caught:
        guard(conn).verify(SecretBuffer(b"1234"))
    assert type(caught.value) is PinBlockedError  # "ask the helpdesk for an unlock code"
    assert caught.value.sent is False  # what was typed was not checked: not "wrong"
    assert pin_commands_with_data(conn.sent) == []


def test_blocked_pin_and_blocked_unlock_code_say_the_card_is_dead() -> None:
    conn = script((SELECT_APP, OK), (PIN_STATUS, h("6983")), (UNLOCK_STATUS, h("6983")))
    with pytest.raises(UnlockCodeBlockedError) as caught:
        guard(conn).verify(SecretBuffer(b"1234"), last_try_confirmed=True)
    assert caught.value.sent is False
    assert pin_commands_with_data(conn.sent) == []


@pytest.mark.parametrize("operation", ["verify", "change", "unlock"])
def test_last_try_needs_an_explicit_confirmation(operation: str) -> None:
    status = UNLOCK_STATUS if operation == "unlock" else PIN_STATUS
    conn = script((SELECT_APP, OK), (status, h("63C1")))
    pin_guard = guard(conn)
    sends: dict[str, Callable[[], object]] = {
        "verify": lambda: pin_guard.verify(SecretBuffer(b"1234")),
        "change": lambda: pin_guard.change(SecretBuffer(b"1234"), SecretBuffer(b"5678")),
        "unlock": lambda: pin_guard.unlock(SecretBuffer(b"12345678"), SecretBuffer(b"5678")),
    }
    send = sends[operation]
    with pytest.raises(LastTryNotConfirmedError) as caught:
        send()
    assert caught.value.which == ("unlock" if operation == "unlock" else "pin")
    assert pin_commands_with_data(conn.sent) == []


def test_last_try_confirmed_sends_once() -> None:
    conn = script((SELECT_APP, OK), (PIN_STATUS, h("63C1")), (VERIFY_1234, h("6983")))
    with pytest.raises(PinBlockedError) as caught:
        guard(conn).verify(SecretBuffer(b"1234"), last_try_confirmed=True)
    assert caught.value.sent is True  # the card answered: this PIN used the last try
    assert len(pin_commands_with_data(conn.sent)) == 1


def test_wrong_pin_reports_the_tries_left() -> None:
    conn = script((SELECT_APP, OK), (PIN_STATUS, h("63C5")), (VERIFY_1234, h("63C4")))
    with pytest.raises(InvalidPinError) as caught:
        guard(conn).verify(SecretBuffer(b"1234"))
    assert caught.value.tries_left == 4


@pytest.mark.parametrize(
    "lost",
    [
        CardRemovedError("pulled"),
        TransportError("comm error", pcsc_code=0x80100016),
        MalformedResponseError("one byte"),
        KeyboardInterrupt(),  # Ctrl+C with the command already out
    ],
)
def test_a_lost_answer_to_verify_is_never_resent(lost: BaseException) -> None:
    # The card may have counted the try; the guard reads the counter and reports "unknown".
    conn = script(
        (SELECT_APP, OK),
        (PIN_STATUS, h("63CA")),
        (VERIFY_1234, lost),
        (PIN_STATUS, h("63C9")),
    )
    with pytest.raises(PinResultUnknownError) as caught:
        guard(conn).verify(SecretBuffer(b"1234"))
    assert caught.value.tries_left == 9
    assert caught.value.message_key == "pin.result_unknown"
    assert len(pin_commands_with_data(conn.sent)) == 1
    assert conn.done()


def test_a_lost_get_response_after_verify_is_not_resent() -> None:
    conn = script(
        (SELECT_APP, OK),
        (PIN_STATUS, h("63CA")),
        (VERIFY_1234, h("6100")),
        ("00 C0 00 00 00", CardRemovedError("pulled")),
        (PIN_STATUS, CardRemovedError("gone")),
    )
    with pytest.raises(PinResultUnknownError) as caught:
        guard(conn).verify(SecretBuffer(b"1234"))
    assert caught.value.tries_left is None
    assert len(pin_commands_with_data(conn.sent)) == 1


def test_an_unexpected_answer_is_unknown_too_and_says_so() -> None:
    conn = script(
        (SELECT_APP, OK),
        (PIN_STATUS, h("63CA")),
        (VERIFY_1234, h("6F00")),
        (PIN_STATUS, h("63CA")),
    )
    with pytest.raises(PinResultUnknownError) as caught:
        guard(conn).verify(SecretBuffer(b"1234"))
    assert caught.value.message_key == "pin.result_unexpected"
    assert caught.value.tries_left == 10


def test_verified_after_a_lost_answer_means_the_verify_got_through() -> None:
    conn = script(
        (SELECT_APP, OK),
        (PIN_STATUS, h("63CA")),
        (VERIFY_1234, TransportError("lost")),
        (PIN_STATUS, OK),
    )
    assert guard(conn).verify(SecretBuffer(b"1234")).verified
    assert len(pin_commands_with_data(conn.sent)) == 1


def test_verified_before_and_after_a_lost_answer_proves_nothing() -> None:
    conn = script(
        (SELECT_APP, OK),
        (PIN_STATUS, OK),
        (VERIFY_1234, TransportError("lost")),
        (PIN_STATUS, OK),
    )
    with pytest.raises(PinResultUnknownError):
        guard(conn).verify(SecretBuffer(b"1234"))


def test_a_lost_answer_with_the_card_gone_reads_the_counter_on_a_fresh_connection() -> None:
    conn = script(
        (SELECT_APP, OK),
        (PIN_STATUS, h("63CA")),
        (VERIFY_1234, CardRemovedError("pulled")),
        (PIN_STATUS, CardRemovedError("gone")),
    )
    asked: list[str] = []

    def read_again(which: str) -> PinCounter:
        # A fresh connection would be refused while the old handle holds the card.
        assert not conn.in_transaction
        asked.append(which)
        return PinCounter("pin", 9, 10)

    pin_guard = PinGuard(GoSignSession(conn), read_counter_again=read_again)
    with pytest.raises(PinResultUnknownError) as caught:
        pin_guard.verify(SecretBuffer(b"1234"))
    assert (caught.value.tries_left, asked) == (9, ["pin"])
    assert len(pin_commands_with_data(conn.sent)) == 1


def test_a_lost_answer_without_any_way_to_read_again_says_unknown() -> None:
    conn = script(
        (SELECT_APP, OK),
        (PIN_STATUS, h("63CA")),
        (VERIFY_1234, CardRemovedError("pulled")),
        (PIN_STATUS, CardRemovedError("gone")),
    )
    with pytest.raises(PinResultUnknownError) as caught:
        guard(conn).verify(SecretBuffer(b"1234"))
    assert caught.value.tries_left is None
    assert "1234" not in str(caught.value)
    assert "1234" not in repr(caught.value.__cause__)


def test_unlock_is_gated_on_the_unlock_code_counter() -> None:
    blocked = script((SELECT_APP, OK), (UNLOCK_STATUS, h("6983")))
    with pytest.raises(UnlockCodeBlockedError) as caught:
        guard(blocked).unlock(SecretBuffer(b"12345678"), SecretBuffer(b"4321"))
    assert caught.value.sent is False
    assert pin_commands_with_data(blocked.sent) == []

    conn = script(
        (SELECT_APP, OK),
        (UNLOCK_STATUS, h("63CA")),
        ("00 2C 00 81 0E 08 3132333435363738 04 34333231", OK),
    )
    counter = guard(conn).unlock(SecretBuffer(b"12345678"), SecretBuffer(b"4321"))
    assert counter.tries_left == 10
    assert conn.done()


@pytest.mark.parametrize(("code", "new"), [(b"1234567", b"4321"), (b"12345678", b"43")])
def test_unlock_formats_are_checked_first(code: bytes, new: bytes) -> None:
    conn = script()
    with pytest.raises(PinFormatError):
        guard(conn).unlock(SecretBuffer(code), SecretBuffer(new))
    assert conn.sent == []


def test_change_is_sent_once() -> None:
    conn = script(
        (SELECT_APP, OK),
        (PIN_STATUS, h("63CA")),
        ("00 24 00 81 0A 04 31323334 04 35363738", TransportError("lost", pcsc_code=1)),
        (PIN_STATUS, h("63CA")),
    )
    with pytest.raises(PinResultUnknownError):
        guard(conn).change(SecretBuffer(b"1234"), SecretBuffer(b"5678"))
    assert len(pin_commands_with_data(conn.sent)) == 1


def test_the_guard_sends_its_own_copy_and_leaves_the_callers_buffer_alone() -> None:
    caller = SecretBuffer(b"1234")

    def wipe_the_callers_buffer_meanwhile(command: bytes) -> bytes:
        caller.wipe()  # e.g. a dialog closed on another thread
        return OK

    conn = script(
        (SELECT_APP, OK), (PIN_STATUS, h("63CA")), (VERIFY_1234, wipe_the_callers_buffer_meanwhile)
    )
    assert guard(conn).verify(caller).verified
    assert conn.sent[-1] == h(VERIFY_1234)


@pytest.mark.parametrize(
    ("tries", "risk"),
    [
        (10, PinRisk.NORMAL),
        (4, PinRisk.NORMAL),
        (3, PinRisk.LOW),
        (2, PinRisk.LOW),
        (1, PinRisk.LAST_TRY),
        (0, PinRisk.BLOCKED),
    ],
)
def test_risk_levels(tries: int, risk: PinRisk) -> None:
    assert assess(PinCounter("pin", tries, 10)) is risk


def test_secret_buffer_wipes_and_hides() -> None:
    buffer = SecretBuffer.from_text("9876")
    view = buffer.value
    assert "9876" not in repr(buffer)
    assert "9876" not in str(buffer)
    with buffer:
        pass
    assert len(buffer) == 0
    assert view == bytearray()
    with pytest.raises(TypeError):
        pickle.dumps(SecretBuffer(b"1234"))


def test_the_traffic_log_never_shows_a_pin(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(TRAFFIC, logger="ndnclient.card.traffic")
    conn = script(
        (SELECT_APP, OK),
        (PIN_STATUS, h("63CA")),
        ("00 20 00 81 06 ...", h("63C9")),
        (SELECT_APP, OK),
        (PIN_STATUS, h("63C9")),
        ("00 24 00 81 ...", OK),
        (SELECT_APP, OK),
        (UNLOCK_STATUS, h("63CA")),
        ("00 2C 00 81 ...", OK),
    )
    pin_guard = guard(conn)
    with pytest.raises(InvalidPinError):
        pin_guard.verify(SecretBuffer(b"Zq7Zq7"))
    pin_guard.change(SecretBuffer(b"Wx8Wx8"), SecretBuffer(b"Vy9Vy9"))
    pin_guard.unlock(SecretBuffer(b"76543210"), SecretBuffer(b"Ut0Ut0"))
    text = caplog.text
    assert "00 20 00 81" in text
    assert "masked" in text
    for secret in (b"Zq7Zq7", b"Wx8Wx8", b"Vy9Vy9", b"76543210", b"Ut0Ut0"):
        assert secret.hex(" ").upper() not in text
        assert secret.hex().upper() not in text.replace(" ", "")
        assert secret.decode() not in text


def test_traffic_log_is_silent_unless_asked(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    conn = script((SELECT_APP, OK), (PIN_STATUS, h("63CA")))
    guard(conn).counter()
    assert "A4 04 0C" not in caplog.text


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_every_pin_outcome_has_a_sentence(lang: str) -> None:
    messages = Messages(lang)
    errors = [
        InvalidPinError(3),
        InvalidPinError(3, which="unlock"),
        PinBlockedError(),
        UnlockCodeBlockedError(),
        LastTryNotConfirmedError(),
        LastTryNotConfirmedError(which="unlock"),
        PinResultUnknownError(tries_left=None, cause="x"),
        PinResultUnknownError(tries_left=4, cause="x", answered=True),
        *(PinFormatError("x", which=w) for w in ("pin", "new_pin", "unlock", "rejected_length")),
    ]
    sentences = [messages.describe(error) for error in errors]
    for error, sentence in zip(errors, sentences, strict=True):
        assert not sentence.startswith(("pin.", "card.")), (error, sentence)
    assert len(set(sentences)) == len(sentences)  # each outcome says something of its own
