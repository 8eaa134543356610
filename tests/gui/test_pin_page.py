"""The PIN page on the virtual card: tries shown before entry, the warnings, the last-try
confirmation, the blocked guidance, and PINs that never linger in a field or a buffer."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit, QMessageBox, QPushButton, QTabWidget
from pytestqt.qtbot import QtBot

from ndnclient.card.errors import CardRemovedError
from ndnclient.card.pin import SecretBuffer
from ndnclient.simulator.inprocess import VirtualReaderBackend
from ndnclient.ui.pages.pin import PinPage
from ndnclient.ui.widgets import Banner
from tests.gui.conftest import drain

INS_VERIFY = 0x20
INS_CHANGE_REFERENCE_DATA = 0x24
INS_RESET_RETRY_COUNTER = 0x2C
Yes = QMessageBox.StandardButton.Yes
No = QMessageBox.StandardButton.No


def spy_pin_commands(reader: VirtualReaderBackend, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The INS of every command that reached the card carrying a PIN or code (a VERIFY with
    data, CHANGE REFERENCE DATA, RESET RETRY COUNTER); status-only VERIFYs are not counted."""
    sent: list[int] = []
    original = reader.card.process_apdu

    def spy(apdu: bytes | bytearray) -> bytes:
        ins = apdu[1]
        if (ins == INS_VERIFY and len(apdu) > 4) or ins in (
            INS_CHANGE_REFERENCE_DATA,
            INS_RESET_RETRY_COUNTER,
        ):
            sent.append(ins)
        return original(apdu)

    monkeypatch.setattr(reader.card, "process_apdu", spy)
    return sent


def answer_confirmation(
    monkeypatch: pytest.MonkeyPatch, answer: QMessageBox.StandardButton
) -> list[tuple[Any, ...]]:
    """Patch the last-try question; returns the arguments of every call."""
    asked: list[tuple[Any, ...]] = []

    def question(*args: Any) -> QMessageBox.StandardButton:
        asked.append(args)
        return answer

    monkeypatch.setattr(QMessageBox, "question", question)
    return asked


def open_pin_page(qtbot: QtBot, started: Any, tries: str) -> PinPage:
    page: PinPage = started.window.pin
    started.window.show_page("pin")
    qtbot.waitUntil(lambda: page.pin_tries.text() == f"PIN tries left: {tries}", timeout=3000)
    return page


def open_pin_page_ja(qtbot: QtBot, started: Any, tries: str) -> PinPage:
    page: PinPage = started.window.pin
    started.window.show_page("pin")
    qtbot.waitUntil(lambda: page.pin_tries.text() == f"PINの残り回数: {tries}", timeout=3000)
    return page


def submit(
    qtbot: QtBot, page: PinPage, button: QPushButton, *values: tuple[QLineEdit, str]
) -> None:
    """Type the values, click, and wait until the card thread has answered."""
    for field, value in values:
        field.setText(value)
    QTest.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not page.busy, timeout=3000)


def banner_text(page: PinPage) -> str:
    return page.result.text.text() if not page.result.isHidden() else ""


def test_counters_shown_on_open_and_read_again_when_shown(
    qtbot: QtBot, gui: Callable[..., Any]
) -> None:
    started = gui(lang="en", pin_tries_left=4)
    page = open_pin_page(qtbot, started, "4 of 10")
    assert page.unlock_tries.text() == "Unlock-code tries left: 10 of 10"
    assert page.tries_banner.isHidden()  # 4 is not yet "few"
    # Changed behind the page's back (no card event): opening the page reads it again.
    started.reader.card.state.pin_tries_left = 6
    started.window.show_page("home")
    started.window.show_page("pin")
    qtbot.waitUntil(lambda: page.pin_tries.text() == "PIN tries left: 6 of 10", timeout=3000)


def test_three_wrong_pins_then_the_right_one(
    qtbot: QtBot, gui: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    started = gui(lang="en")
    page = open_pin_page(qtbot, started, "10 of 10")
    sent = spy_pin_commands(started.reader, monkeypatch)
    for expected in (9, 8, 7):
        submit(qtbot, page, page.verify_form.button, (page.verify_pin, "9999"))

        def shows_tries(n: int = expected) -> bool:
            return page.pin_tries.text() == f"PIN tries left: {n} of 10"

        qtbot.waitUntil(shows_tries)
        # The count is the tries label's (read from the card), never repeated in the result.
        assert banner_text(page) == "The PIN is wrong. One try was used up."
        assert page.result.symbol.text() == "✖"
    assert started.reader.card.state.pin_tries_left == 7
    assert sent == [INS_VERIFY] * 3
    assert page.tries_banner.isHidden()
    # ホーム hears the new count too.
    home_tries = started.window.home.pin_tries
    qtbot.waitUntil(lambda: home_tries.text() == "7 of 10", timeout=3000)
    # The right PIN, typed with the keyboard and sent with Enter.
    QTest.keyClicks(page.verify_pin, "1234")
    QTest.keyClick(page.verify_pin, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: banner_text(page) == "The PIN is correct.", timeout=3000)
    qtbot.waitUntil(lambda: page.pin_tries.text() == "PIN tries left: 10 of 10")
    assert page.result.symbol.text() == "✔"
    assert started.reader.card.state.pin_tries_left == 10
    # The connection was closed with a reset: no verified PIN is left for anyone else.
    assert not started.reader.card.pin_verified
    qtbot.waitUntil(lambda: home_tries.text() == "10 of 10", timeout=3000)


def test_warning_at_two_tries(qtbot: QtBot, gui: Callable[..., Any]) -> None:
    page = open_pin_page(qtbot, gui(lang="en", pin_tries_left=2), "2 of 10")
    qtbot.waitUntil(lambda: not page.tries_banner.isHidden())
    assert "only 2 PIN tries are left" in page.tries_banner.text.text()
    assert page.tries_banner.symbol.text() == "▲"
    assert page.verify_form.button.isEnabled()


def test_last_try_declined_sends_nothing(
    qtbot: QtBot, gui: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    started = gui(lang="en", pin_tries_left=1)
    page = open_pin_page(qtbot, started, "1 of 10")
    assert "Only one PIN try is left" in page.tries_banner.text.text()
    sent = spy_pin_commands(started.reader, monkeypatch)
    asked = answer_confirmation(monkeypatch, No)
    submit(qtbot, page, page.verify_form.button, (page.verify_pin, "1234"))
    assert len(asked) == 1
    _parent, _title, text, buttons, default = asked[0]
    assert "the card will be locked" in text
    assert buttons == Yes | No
    assert default == No
    assert sent == []
    assert started.reader.card.state.pin_tries_left == 1
    assert banner_text(page) == "The PIN has not been sent to the card, so no try was used."
    assert page.verify_pin.text() == ""


def test_last_try_confirmed_sends_once(
    qtbot: QtBot, gui: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    started = gui(lang="en", pin_tries_left=1)
    page = open_pin_page(qtbot, started, "1 of 10")
    sent = spy_pin_commands(started.reader, monkeypatch)
    asked = answer_confirmation(monkeypatch, Yes)
    submit(qtbot, page, page.verify_form.button, (page.verify_pin, "9999"))
    assert len(asked) == 1
    assert sent == [INS_VERIFY]
    assert started.reader.card.state.pin_tries_left == 0
    # Now blocked: the guidance, and verify and change are closed.
    qtbot.waitUntil(lambda: page.pin_tries.text() == "PIN tries left: 0 of 10")
    assert "the PIN is now locked" in banner_text(page)
    assert "PIN is locked" in page.tries_banner.text.text()
    assert page.tabs.currentWidget() is page.unlock_form.page
    assert not page.verify_form.button.isEnabled()


def test_counter_fallen_to_one_meanwhile_sends_nothing(
    qtbot: QtBot, gui: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    started = gui(lang="en", pin_tries_left=2)
    page = open_pin_page(qtbot, started, "2 of 10")
    started.reader.card.state.pin_tries_left = 1  # e.g. another program spent one
    sent = spy_pin_commands(started.reader, monkeypatch)
    asked = answer_confirmation(monkeypatch, Yes)
    submit(qtbot, page, page.verify_form.button, (page.verify_pin, "9999"))
    assert asked == []  # the page still showed 2: the guard refused on the card's count
    assert sent == []
    assert "it was not sent to the card and no try was used" in banner_text(page)
    qtbot.waitUntil(lambda: page.pin_tries.text() == "PIN tries left: 1 of 10")


def test_blocked_shows_unlock_guidance_and_sends_nothing(
    qtbot: QtBot, gui: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    started = gui(lang="en", pin_tries_left=0)
    page = open_pin_page(qtbot, started, "0 of 10")
    qtbot.waitUntil(lambda: not page.tries_banner.isHidden())
    guidance = page.tries_banner.text.text()
    assert "PIN is locked" in guidance
    assert "Nobody can look a PIN up" in guidance
    assert "unlock code" in guidance
    assert page.tries_banner.symbol.text() == "✖"
    # The only section that can help is opened at once; its button would lead nowhere new.
    assert page.tabs.currentWidget() is page.unlock_form.page
    assert page.tries_banner.button.isHidden()
    assert not page.verify_form.button.isEnabled()
    assert not page.change_form.button.isEnabled()
    assert page.unlock_form.button.isEnabled()
    # The closed sections say why, not what a wrong PIN would cost.
    for form in (page.verify_form, page.change_form):
        assert "uses up one try" not in form.description.text()
        assert "The PIN is locked" in form.description.text()
        assert "Unlock tab" in form.description.text()
    sent = spy_pin_commands(started.reader, monkeypatch)
    # Even if a submission got through (Enter, a script), nothing goes to the card.
    page.verify_pin.setText("1234")
    page.submit_verify()
    page.change_old.setText("1234")
    page.change_new.setText("5678")
    page.change_again.setText("5678")
    page.submit_change()
    drain(qtbot, started.window.services)
    assert not page.busy
    assert sent == []
    assert started.reader.card.state.pin_tries_left == 0
    assert all(field.text() == "" for field in page.secret_fields)
    assert page.result.isHidden()  # the lock is told once, by the tries banner
    # Back on 確認 (the user looked), the guidance's button leads to the unlock section.
    page.tabs.setCurrentWidget(page.verify_form.page)
    assert not page.tries_banner.button.isHidden()
    QTest.mouseClick(page.tries_banner.button, Qt.MouseButton.LeftButton)
    assert page.tabs.currentWidget() is page.unlock_form.page
    assert page.tries_banner.button.isHidden()  # already there
    assert "PIN is locked" in page.tries_banner.text.text()
    # A re-read of the same locked card does not pull the user back to ロック解除 again.
    page.tabs.setCurrentWidget(page.verify_form.page)
    page.refresh_counters()
    drain(qtbot, started.window.services)
    assert page.tabs.currentWidget() is page.verify_form.page


def test_blocked_meanwhile_is_refused_on_the_card(
    qtbot: QtBot, gui: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    started = gui(lang="en")
    page = open_pin_page(qtbot, started, "10 of 10")
    started.reader.card.state.pin_tries_left = 0  # the page still shows 10
    sent = spy_pin_commands(started.reader, monkeypatch)
    submit(qtbot, page, page.verify_form.button, (page.verify_pin, "1234"))
    assert sent == []
    assert started.reader.card.state.pin_tries_left == 0
    qtbot.waitUntil(lambda: page.pin_tries.text() == "PIN tries left: 0 of 10")
    # One message each: the result says what became of the PIN, the tries banner what to do.
    assert banner_text(page).startswith("The PIN became locked after this page read the tries")
    assert "PIN is locked" in page.tries_banner.text.text()
    assert "PIN is locked" not in banner_text(page)
    assert page.tabs.currentWidget() is page.unlock_form.page


def test_last_try_used_elsewhere_while_asking_is_not_called_wrong(
    qtbot: QtBot, gui: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    started = gui(lang="en", pin_tries_left=1)
    page = open_pin_page(qtbot, started, "1 of 10")
    sent = spy_pin_commands(started.reader, monkeypatch)
    state = started.reader.card.state

    def yes_while_another_program_uses_the_last_try(*_args: Any) -> QMessageBox.StandardButton:
        state.pin_tries_left = 0
        return Yes

    monkeypatch.setattr(QMessageBox, "question", yes_while_another_program_uses_the_last_try)
    submit(qtbot, page, page.verify_form.button, (page.verify_pin, "1234"))
    qtbot.waitUntil(lambda: page.pin_tries.text() == "PIN tries left: 0 of 10")
    assert sent == []  # the guard refused on the card's count: nothing was checked
    result = banner_text(page)
    assert "wrong" not in result  # a right PIN must not be called wrong
    assert "was not sent to the card" in result
    assert page.result.kind == "info"
    assert "PIN is locked" in page.tries_banner.text.text()


def test_a_card_dead_meanwhile_is_told_as_dead_not_as_locked(
    qtbot: QtBot, gui: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    started = gui(lang="en")
    page = open_pin_page(qtbot, started, "10 of 10")
    state = started.reader.card.state
    state.pin_tries_left = state.unlock_tries_left = 0  # the page still shows 10
    sent = spy_pin_commands(started.reader, monkeypatch)
    submit(qtbot, page, page.verify_form.button, (page.verify_pin, "1234"))
    qtbot.waitUntil(lambda: "can no longer be used" in page.tries_banner.text.text())
    assert sent == []
    result = banner_text(page)
    assert result.startswith("This card can no longer be used, so the PIN you entered was not")
    assert "locked" not in result  # not the PIN's lock: the tries banner says the card is dead
    assert "wrong" not in result


def test_the_lock_results_in_japanese_match_what_happened(
    qtbot: QtBot, gui: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    started = gui(lang="ja", pin_tries_left=1)
    page = open_pin_page_ja(qtbot, started, "1回（最大10回）")
    state = started.reader.card.state

    def yes_while_another_program_uses_the_last_try(*_args: Any) -> QMessageBox.StandardButton:
        state.pin_tries_left = 0
        return Yes

    monkeypatch.setattr(QMessageBox, "question", yes_while_another_program_uses_the_last_try)
    submit(qtbot, page, page.verify_form.button, (page.verify_pin, "1234"))
    qtbot.waitUntil(lambda: page.pin_tries.text() == "PINの残り回数: 0回（最大10回）")
    result = banner_text(page)
    assert "違" not in result
    assert "カードに送っていません" in result


def test_unlock_with_the_code_restores_the_pin(
    qtbot: QtBot, gui: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    started = gui(lang="en", pin_tries_left=0)
    page = open_pin_page(qtbot, started, "0 of 10")
    assert page.tabs.currentWidget() is page.unlock_form.page
    sent = spy_pin_commands(started.reader, monkeypatch)
    # A wrong code first: one unlock-code try spent, the PIN still locked.
    submit(
        qtbot,
        page,
        page.unlock_form.button,
        (page.unlock_code, "87654321"),
        (page.unlock_new, "5678"),
        (page.unlock_again, "5678"),
    )
    assert banner_text(page).startswith("The unlock code is wrong.")
    qtbot.waitUntil(lambda: page.unlock_tries.text() == "Unlock-code tries left: 9 of 10")
    submit(
        qtbot,
        page,
        page.unlock_form.button,
        (page.unlock_code, "12345678"),
        (page.unlock_new, "5678"),
        (page.unlock_again, "5678"),
    )
    assert banner_text(page).startswith("The card is unlocked")
    qtbot.waitUntil(lambda: page.pin_tries.text() == "PIN tries left: 10 of 10")
    assert page.unlock_tries.text() == "Unlock-code tries left: 10 of 10"
    assert sent == [INS_RESET_RETRY_COUNTER] * 2
    state = started.reader.card.state
    assert state.pin_tries_left == 10
    assert state.check_pin(b"5678")
    assert page.verify_form.button.isEnabled()
    assert page.tries_banner.isHidden()


def test_last_unlock_code_try_needs_confirmation(
    qtbot: QtBot, gui: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    started = gui(lang="en", pin_tries_left=0, unlock_tries_left=1)
    page = open_pin_page(qtbot, started, "0 of 10")
    page.go_to_unlock()
    qtbot.waitUntil(lambda: not page.unlock_banner.isHidden())
    assert "Only one unlock-code try is left" in page.unlock_banner.text.text()
    sent = spy_pin_commands(started.reader, monkeypatch)
    asked = answer_confirmation(monkeypatch, No)
    submit(
        qtbot,
        page,
        page.unlock_form.button,
        (page.unlock_code, "12345678"),
        (page.unlock_new, "5678"),
        (page.unlock_again, "5678"),
    )
    assert len(asked) == 1
    assert "can never be used again" in asked[0][2]
    assert sent == []
    assert started.reader.card.state.unlock_tries_left == 1


def test_dead_card_says_so_and_offers_nothing(
    qtbot: QtBot, gui: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    started = gui(lang="en", pin_tries_left=0, unlock_tries_left=0)
    page = open_pin_page(qtbot, started, "0 of 10")
    qtbot.waitUntil(lambda: "can no longer be used" in page.tries_banner.text.text())
    assert not any(
        form.button.isEnabled() for form in (page.verify_form, page.change_form, page.unlock_form)
    )
    # The closed sections say so; none still explains how to enter a PIN or code.
    assert "cannot be unlocked" in page.unlock_form.description.text()
    assert "uses up one try" not in page.verify_form.description.text()
    assert "can no longer be used" in page.change_form.description.text()
    sent = spy_pin_commands(started.reader, monkeypatch)
    page.unlock_code.setText("12345678")
    page.unlock_new.setText("5678")
    page.unlock_again.setText("5678")
    page.submit_unlock()
    drain(qtbot, started.window.services)
    assert sent == []


def test_change_with_mismatched_new_pins_sends_nothing(
    qtbot: QtBot, gui: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    started = gui(lang="en")
    page = open_pin_page(qtbot, started, "10 of 10")
    page.tabs.setCurrentWidget(page.change_form.page)
    sent = spy_pin_commands(started.reader, monkeypatch)
    submit(
        qtbot,
        page,
        page.change_form.button,
        (page.change_old, "1234"),
        (page.change_new, "5678"),
        (page.change_again, "5679"),
    )
    note = page.change_form.notes[2]
    assert not note.isHidden()
    assert "do not match" in note.text()
    assert sent == []
    assert started.reader.card.state.check_pin(b"1234")
    # The current PIN was right as far as anyone knows: kept. The new ones are typed again.
    assert page.change_old.text() == "1234"
    assert page.change_new.text() == ""
    assert page.change_again.text() == ""
    assert page.change_new.hasFocus() or not page.window().isActiveWindow()


def test_change_the_pin(
    qtbot: QtBot, gui: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    started = gui(lang="en")
    page = open_pin_page(qtbot, started, "10 of 10")
    page.tabs.setCurrentWidget(page.change_form.page)
    sent = spy_pin_commands(started.reader, monkeypatch)
    submit(
        qtbot,
        page,
        page.change_form.button,
        (page.change_old, "1234"),
        (page.change_new, "abcd5678"),
        (page.change_again, "abcd5678"),
    )
    assert banner_text(page).startswith("The PIN has been changed")
    assert sent == [INS_CHANGE_REFERENCE_DATA]
    assert started.reader.card.state.check_pin(b"abcd5678")
    assert not started.reader.card.pin_verified


def test_format_errors_are_field_notes_and_cost_nothing(
    qtbot: QtBot, gui: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    started = gui(lang="en")
    page = open_pin_page(qtbot, started, "10 of 10")
    sent = spy_pin_commands(started.reader, monkeypatch)
    # Full-width digits (as an IME would type them) fail the format, not the card.
    submit(qtbot, page, page.verify_form.button, (page.verify_pin, "１２３４"))
    note = page.verify_form.notes[0]
    assert "4 to 16 letters or digits" in note.text()
    assert not note.isHidden()
    page.tabs.setCurrentWidget(page.change_form.page)
    submit(
        qtbot,
        page,
        page.change_form.button,
        (page.change_old, "1234"),
        (page.change_new, "12"),
        (page.change_again, "12"),
    )
    assert "new PIN" in page.change_form.notes[1].text()
    assert page.change_form.notes[0].isHidden()
    assert sent == []
    assert started.reader.card.state.pin_tries_left == 10


def test_secret_fields_are_masked_and_emptied_after_every_submission(
    qtbot: QtBot, gui: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    started = gui(lang="en")
    page = open_pin_page(qtbot, started, "10 of 10")
    fields = page.secret_fields
    assert len(fields) == 7
    for field in fields:
        assert field.echoMode() is QLineEdit.EchoMode.Password
        assert not field.testAttribute(Qt.WidgetAttribute.WA_InputMethodEnabled)
        assert field.completer() is None
    buffers: list[SecretBuffer] = []
    original = SecretBuffer.from_text

    def recording(text: str) -> SecretBuffer:
        buffer = original(text)
        buffers.append(buffer)
        return buffer

    monkeypatch.setattr(SecretBuffer, "from_text", recording)  # the class the page uses
    submit(qtbot, page, page.verify_form.button, (page.verify_pin, "9999"))  # wrong
    submit(qtbot, page, page.verify_form.button, (page.verify_pin, "1234"))  # right
    page.tabs.setCurrentWidget(page.change_form.page)
    submit(
        qtbot,
        page,
        page.change_form.button,
        (page.change_old, "1234"),
        (page.change_new, "5678"),
        (page.change_again, "5679"),
    )  # mismatch
    page.tabs.setCurrentWidget(page.unlock_form.page)
    submit(
        qtbot,
        page,
        page.unlock_form.button,
        (page.unlock_code, "12345678"),
        (page.unlock_new, "1234"),
        (page.unlock_again, "1234"),
    )  # unlock
    assert banner_text(page).startswith("The card is unlocked")
    for field in fields:
        assert field.text() == ""
        assert not field.isUndoAvailable()
    # Each submit first checks the rule in wiped buffers (one a field, two for the match),
    # then takes what it sends: verify 1+1 twice; the mismatch 4 checks, none taken; the
    # unlock 4 checks and 3 taken.
    assert len(buffers) == 2 + 2 + 4 + 7
    assert all(len(buffer) == 0 for buffer in buffers)  # every one wiped


def test_no_second_submission_while_one_is_in_flight(
    qtbot: QtBot, gui: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    started = gui(lang="en")
    page = open_pin_page(qtbot, started, "10 of 10")
    sent = spy_pin_commands(started.reader, monkeypatch)
    page.verify_pin.setText("9999")
    QTest.mouseClick(page.verify_form.button, Qt.MouseButton.LeftButton)
    assert page.busy
    assert not page.verify_form.button.isEnabled()
    assert not page.verify_pin.isEnabled()
    page.verify_pin.setText("9999")
    page.submit_verify()  # e.g. Enter pressed again before the answer came
    assert page.verify_pin.text() == ""
    QTest.mouseClick(page.verify_form.button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not page.busy, timeout=3000)
    assert sent == [INS_VERIFY]
    assert started.reader.card.state.pin_tries_left == 9
    assert page.verify_form.button.isEnabled()


def test_card_pulled_during_the_command_gives_a_sentence(
    qtbot: QtBot, gui: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    started = gui(lang="en")
    reader: VirtualReaderBackend = started.reader
    page = open_pin_page(qtbot, started, "10 of 10")
    original = reader.card.process_apdu

    def pulled_after_verify(apdu: bytes | bytearray) -> bytes:
        answer = original(apdu)
        if apdu[1] == INS_VERIFY and len(apdu) > 4:
            reader.remove()  # the card counted the try, then left: the answer is lost
            raise CardRemovedError("the card was removed")
        return answer

    monkeypatch.setattr(reader.card, "process_apdu", pulled_after_verify)
    submit(qtbot, page, page.verify_form.button, (page.verify_pin, "9999"))
    text = banner_text(page)
    assert "result is unknown" in text
    assert "not sent again" in text
    assert "Traceback" not in text
    # Visibly distinct from an ordinary failure: its own symbol and a button to read again.
    assert page.result.symbol.text() == "▲"
    assert page.result.button.text() == "Read the tries left again"
    assert page.result.button.accessibleName() == "Read the tries left again"
    qtbot.waitUntil(lambda: "no card in the reader" in page.tries_banner.text.text(), timeout=3000)
    assert page.pin_tries.text() == "PIN tries left: unknown"
    reader.insert()
    qtbot.waitUntil(lambda: page.pin_tries.text() == "PIN tries left: 9 of 10", timeout=3000)
    assert reader.card.state.pin_tries_left == 9


def test_no_card_closes_entry_with_a_sentence(
    qtbot: QtBot, gui: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    started = gui(lang="en")
    sent = spy_pin_commands(started.reader, monkeypatch)
    page = open_pin_page(qtbot, started, "10 of 10")
    started.reader.remove()
    qtbot.waitUntil(lambda: page.pin_tries.text() == "PIN tries left: unknown", timeout=3000)
    qtbot.waitUntil(lambda: "no card in the reader" in page.tries_banner.text.text(), timeout=3000)
    # With the tries left unknown, nothing can be typed or sent blind.
    for form in (page.verify_form, page.change_form, page.unlock_form):
        assert not form.button.isEnabled()
        assert not any(field.isEnabled() for field in form.fields)
    page.verify_pin.setText("1234")
    page.submit_verify()  # even a submit that slips through sends nothing
    assert not page.busy
    assert page.verify_pin.text() == ""
    started.reader.insert()
    qtbot.waitUntil(lambda: page.verify_form.button.isEnabled(), timeout=3000)
    assert page.pin_tries.text() == "PIN tries left: 10 of 10"
    assert sent == []


def test_every_control_is_named_labelled_and_reachable(
    qtbot: QtBot, gui: Callable[..., Any]
) -> None:
    page = open_pin_page(qtbot, gui(lang="en"), "10 of 10")
    controls = [
        *page.findChildren(QLineEdit),
        *page.findChildren(QPushButton),
        *page.findChildren(QTabWidget),
    ]
    assert controls
    for control in controls:
        parent = control.parent()
        if control.isHidden() or (isinstance(parent, Banner) and parent.isHidden()):
            continue  # a banner's button, named when the banner shows it
        assert control.accessibleName(), control
        assert control.focusPolicy() & Qt.FocusPolicy.TabFocus, control.accessibleName()
    buddies = {label.buddy() for label in page.findChildren(QLabel) if label.buddy() is not None}
    assert set(page.secret_fields) <= buddies
    # Tab walks from the first field through the others to the button.
    window = page.window()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    page.tabs.setCurrentWidget(page.change_form.page)
    page.change_old.setFocus()
    reached = [QApplication.focusWidget()]
    for _ in range(3):
        focused = QApplication.focusWidget()
        assert focused is not None
        QTest.keyClick(focused, Qt.Key.Key_Tab)
        reached.append(QApplication.focusWidget())
    assert reached == [*page.change_form.fields, page.change_form.button]


# --- one banner per state, its colour following the tries left ------------------------------


@pytest.mark.parametrize(
    ("tries", "kind", "symbol", "words"),
    [
        (10, None, None, None),
        (4, None, None, None),
        (3, "warn", "▲", "only 3 PIN tries are left"),
        (2, "warn", "▲", "only 2 PIN tries are left"),
        (1, "critical", "⚠", "do not enter it: ask the helpdesk first"),
        (0, "error", "✖", "PIN is locked"),
    ],
)
def test_the_tries_banner_follows_the_tries_left(
    qtbot: QtBot,
    gui: Callable[..., Any],
    tries: int,
    kind: str | None,
    symbol: str | None,
    words: str | None,
) -> None:
    page = open_pin_page(qtbot, gui(lang="en", pin_tries_left=tries), f"{tries} of 10")
    if kind is None:
        assert page.tries_banner.isHidden()  # plenty left: the bold count alone, calmly
        return
    assert not page.tries_banner.isHidden()
    assert page.tries_banner.kind == kind
    assert page.tries_banner.symbol.text() == symbol
    assert words is not None
    assert words in page.tries_banner.text.text()
    assert page.result.isHidden()


def test_one_try_left_is_told_more_strongly_than_three(
    qtbot: QtBot, gui: Callable[..., Any]
) -> None:
    started = gui(lang="ja", pin_tries_left=3)
    page = open_pin_page_ja(qtbot, started, "3回（最大10回）")
    three = page.tries_banner.styleSheet()
    started.reader.card.state.pin_tries_left = 1
    page.refresh_counters()
    qtbot.waitUntil(lambda: page.tries_banner.kind == "critical", timeout=3000)
    assert page.tries_banner.styleSheet() != three
    text = page.tries_banner.text.text()
    assert "残り回数はあと1回です" in text
    assert "PINが分からないときは入力せず、ヘルプデスクにご相談ください" in text


def test_a_wrong_pin_never_contradicts_the_tries_banner(
    qtbot: QtBot, gui: Callable[..., Any]
) -> None:
    """Issue 14: 「あと3回間違えるとロック」 beside 「続けて10回間違えるとロック」."""
    started = gui(lang="ja", pin_tries_left=4)
    page = open_pin_page_ja(qtbot, started, "4回（最大10回）")
    submit(qtbot, page, page.verify_form.button, (page.verify_pin, "9999"))
    qtbot.waitUntil(lambda: page.pin_tries.text() == "PINの残り回数: 3回（最大10回）")
    result = banner_text(page)
    assert result == "PINが違います。残り回数が1回減りました。"
    assert "10回" not in result
    assert "あと3回" in page.tries_banner.text.text()
    assert page.tries_banner.kind == "warn"


def test_a_lock_is_told_once_and_leads_to_unlock(
    qtbot: QtBot, gui: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    started = gui(lang="en", pin_tries_left=1)
    page = open_pin_page(qtbot, started, "1 of 10")
    answer_confirmation(monkeypatch, Yes)
    submit(qtbot, page, page.verify_form.button, (page.verify_pin, "9999"))
    qtbot.waitUntil(lambda: page.pin_tries.text() == "PIN tries left: 0 of 10")
    # Two banners, two different things: what happened, and what to do now.
    assert page.result.kind == "error"
    assert page.tries_banner.kind == "error"
    assert banner_text(page) != page.tries_banner.text.text()
    assert "unlock code" in page.tries_banner.text.text()
    assert "unlock code" not in banner_text(page)
    assert page.tabs.currentWidget() is page.unlock_form.page
    assert page.tries_banner.button.isHidden()
    assert "uses up one try" not in page.verify_form.description.text()


def test_no_card_is_an_ordinary_state_not_a_fault(qtbot: QtBot, gui: Callable[..., Any]) -> None:
    started = gui(lang="en")
    page = open_pin_page(qtbot, started, "10 of 10")
    started.reader.remove()
    qtbot.waitUntil(lambda: "no card in the reader" in page.tries_banner.text.text(), timeout=3000)
    assert page.tries_banner.kind == "info"
    assert page.tries_banner.symbol.text() == "ℹ"


# --- input kept on a correctable mistake; the rule shown before typing ----------------------


def type_unlock(page: PinPage, code: str, new: str, again: str) -> None:
    page.unlock_code.setText(code)
    page.unlock_new.setText(new)
    page.unlock_again.setText(again)


def test_the_unlock_code_survives_a_mistyped_new_pin(
    qtbot: QtBot, gui: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    started = gui(lang="en", pin_tries_left=0)
    page = open_pin_page(qtbot, started, "0 of 10")
    window = page.window()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    sent = spy_pin_commands(started.reader, monkeypatch)
    # The two new PINs differ: only they are typed again.
    type_unlock(page, "12345678", "5678", "5679")
    QTest.mouseClick(page.unlock_form.button, Qt.MouseButton.LeftButton)
    assert page.unlock_code.text() == "12345678"
    assert page.unlock_new.text() == page.unlock_again.text() == ""
    assert "do not match" in page.unlock_form.notes[2].text()
    assert page.unlock_form.notes[0].isHidden()
    assert page.unlock_new.hasFocus()
    # A new PIN that breaks the rule: the same.
    page.unlock_new.setText("12")
    page.unlock_again.setText("12")
    QTest.mouseClick(page.unlock_form.button, Qt.MouseButton.LeftButton)
    assert page.unlock_code.text() == "12345678"
    assert page.unlock_new.text() == page.unlock_again.text() == ""
    assert "4 to 16 letters or digits" in page.unlock_form.notes[1].text()
    assert page.unlock_new.hasFocus()
    assert sent == []
    assert started.reader.card.state.unlock_tries_left == 10
    # Corrected, with the code as it was kept: the card is unlocked, the code not retyped.
    page.unlock_new.setText("5678")
    page.unlock_again.setText("5678")
    QTest.mouseClick(page.unlock_form.button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not page.busy, timeout=3000)
    assert banner_text(page).startswith("The card is unlocked")
    assert sent == [INS_RESET_RETRY_COUNTER]
    assert started.reader.card.state.check_pin(b"5678")


def test_a_malformed_unlock_code_is_cleared_and_the_new_pin_kept(
    qtbot: QtBot, gui: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    started = gui(lang="en", pin_tries_left=0)
    page = open_pin_page(qtbot, started, "0 of 10")
    sent = spy_pin_commands(started.reader, monkeypatch)
    type_unlock(page, "1234567", "5678", "5678")  # seven digits
    page.submit_unlock()
    assert page.unlock_code.text() == ""
    assert page.unlock_new.text() == page.unlock_again.text() == "5678"
    assert "8 digits" in page.unlock_form.notes[0].text()
    assert sent == []
    assert started.reader.card.state.unlock_tries_left == 10


def test_a_refused_unlock_code_is_cleared(
    qtbot: QtBot, gui: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    started = gui(lang="en", pin_tries_left=0)
    page = open_pin_page(qtbot, started, "0 of 10")
    sent = spy_pin_commands(started.reader, monkeypatch)
    type_unlock(page, "87654321", "5678", "5678")
    QTest.mouseClick(page.unlock_form.button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not page.busy, timeout=3000)
    assert sent == [INS_RESET_RETRY_COUNTER]
    assert banner_text(page).startswith("The unlock code is wrong.")
    assert all(field.text() == "" for field in page.unlock_form.fields)


def test_a_pin_that_breaks_the_rule_costs_nothing_and_keeps_the_current_pin(
    qtbot: QtBot, gui: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    started = gui(lang="en")
    page = open_pin_page(qtbot, started, "10 of 10")
    page.tabs.setCurrentWidget(page.change_form.page)
    sent = spy_pin_commands(started.reader, monkeypatch)
    for bad in ("123", "12345678901234567", "12-4", "１２３４"):
        page.change_old.setText("1234")
        page.change_new.setText(bad)
        page.change_again.setText(bad)
        page.submit_change()
        assert page.change_old.text() == "1234", bad
        assert not page.change_form.notes[1].isHidden(), bad
    assert sent == []
    assert not page.busy
    assert started.reader.card.state.pin_tries_left == 10


@pytest.mark.parametrize(
    ("lang", "tries", "pin_rule", "code_rule"),
    [
        ("en", "10 of 10", "4 to 16 half-width letters or digits", "The 8 digits the helpdesk"),
        ("ja", "10回（最大10回）", "4～16文字の半角英数字", "ヘルプデスクから伝えられた8桁の数字"),
    ],
)
def test_the_rule_is_shown_under_each_field_before_anything_is_typed(
    qtbot: QtBot, gui: Callable[..., Any], lang: str, tries: str, pin_rule: str, code_rule: str
) -> None:
    opening = open_pin_page_ja if lang == "ja" else open_pin_page
    page = opening(qtbot, gui(lang=lang), tries)
    ruled = [page.verify_pin, page.change_new, page.unlock_new]
    for field in ruled:
        assert pin_rule in field.accessibleDescription()
    assert code_rule in page.unlock_code.accessibleDescription()
    hints = [label.text() for label in page.findChildren(QLabel)]
    assert sum(pin_rule in hint for hint in hints) >= len(ruled)
    assert any(code_rule in hint for hint in hints)
    # Shown, not only written: the verify field's rule is on screen with nothing typed.
    verify_hints = [
        label for label in page.verify_form.page.findChildren(QLabel) if pin_rule in label.text()
    ]
    assert verify_hints
    assert all(not label.isHidden() for label in verify_hints)


# --- stale messages, focus, Enter ------------------------------------------------------------


def test_messages_go_when_the_user_types_again(qtbot: QtBot, gui: Callable[..., Any]) -> None:
    started = gui(lang="en")
    page = open_pin_page(qtbot, started, "10 of 10")
    submit(qtbot, page, page.verify_form.button, (page.verify_pin, "9999"))
    assert banner_text(page)
    QTest.keyClicks(page.verify_pin, "1")
    assert page.result.isHidden()
    page.verify_pin.setText("12")
    page.submit_verify()  # breaks the rule: a note under the field
    note = page.verify_form.notes[0]
    assert not note.isHidden()
    QTest.keyClicks(page.verify_pin, "3")
    assert note.isHidden()
    assert not page.tries_banner.isHidden() or page.counters.pin is not None  # state stays


def test_leaving_the_page_clears_its_messages_and_what_was_typed(
    qtbot: QtBot, gui: Callable[..., Any]
) -> None:
    started = gui(lang="en")
    page = open_pin_page(qtbot, started, "10 of 10")
    submit(qtbot, page, page.verify_form.button, (page.verify_pin, "9999"))
    assert banner_text(page)
    page.tabs.setCurrentWidget(page.change_form.page)
    page.change_old.setText("1234")
    page.change_new.setText("1")
    page.change_again.setText("1")
    page.submit_change()
    assert not page.change_form.notes[1].isHidden()
    page.unlock_code.setText("12345678")  # typed in a tab that is not shown
    started.window.show_page("home")
    qtbot.waitUntil(lambda: not page.isVisible(), timeout=3000)
    started.window.show_page("pin")
    qtbot.waitUntil(lambda: page.isVisible(), timeout=3000)
    assert page.result.isHidden()
    assert page.change_form.notes[1].isHidden()
    assert all(field.text() == "" for field in page.secret_fields)


def test_switching_tabs_leaves_no_pin_behind(qtbot: QtBot, gui: Callable[..., Any]) -> None:
    page = open_pin_page(qtbot, gui(lang="en"), "10 of 10")
    page.verify_pin.setText("1234")
    page.tabs.setCurrentWidget(page.change_form.page)
    assert page.verify_pin.text() == ""
    assert not page.verify_pin.isUndoAvailable()


def test_focus_returns_to_the_pin_field_after_a_wrong_pin(
    qtbot: QtBot, gui: Callable[..., Any]
) -> None:
    started = gui(lang="en")
    page = open_pin_page(qtbot, started, "10 of 10")
    window = page.window()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    page.verify_form.button.setFocus()
    submit(qtbot, page, page.verify_form.button, (page.verify_pin, "9999"))
    qtbot.waitUntil(page.verify_pin.hasFocus, timeout=3000)
    assert page.verify_pin.text() == ""  # it was sent and refused: ready for the next try


def test_enter_before_the_last_field_only_moves_on(
    qtbot: QtBot, gui: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    started = gui(lang="en", pin_tries_left=0)
    page = open_pin_page(qtbot, started, "0 of 10")
    window = page.window()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    sent = spy_pin_commands(started.reader, monkeypatch)
    page.unlock_code.setFocus()
    QTest.keyClicks(page.unlock_code, "12345678")
    QTest.keyClick(page.unlock_code, Qt.Key.Key_Return)
    assert page.unlock_new.hasFocus()
    QTest.keyClicks(page.unlock_new, "5678")
    QTest.keyClick(page.unlock_new, Qt.Key.Key_Return)
    assert page.unlock_again.hasFocus()
    drain(qtbot, started.window.services)
    assert sent == []
    assert not page.busy
    assert page.unlock_code.text() == "12345678"


# --- wording ---------------------------------------------------------------------------------


def page_texts(page: PinPage) -> list[str]:
    return [label.text() for label in page.findChildren(QLabel) if label.text()]


def test_japanese_wording_is_plain_and_consistent(
    qtbot: QtBot, gui: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    started = gui(lang="ja", pin_tries_left=2)
    page = open_pin_page_ja(qtbot, started, "2回（最大10回）")
    seen = page_texts(page)
    answer_confirmation(monkeypatch, No)
    page.tabs.setCurrentWidget(page.change_form.page)
    page.change_old.setText("1234")
    page.change_new.setText("5678")
    page.change_again.setText("5679")
    page.submit_change()
    seen += page_texts(page)
    submit(qtbot, page, page.verify_form.button, (page.verify_pin, "9999"))
    seen += page_texts(page)
    submit(qtbot, page, page.verify_form.button, (page.verify_pin, "9999"))  # declined
    seen += page_texts(page)
    started.reader.card.state.pin_tries_left = 0
    page.refresh_counters()
    qtbot.waitUntil(lambda: page.tries_banner.kind == "error", timeout=3000)
    seen += page_texts(page)
    text = "\n".join(seen)
    assert "PINはまだカードに送っていないので、残り回数は減っていません" in text
    assert "何も送っていません" not in text  # the technical phrase of issue 14
    assert "だれ" not in text  # 誰, as the core's sentences write it
    for doubled in ("をを", "がが", "にに", "のの", "をも確"):
        assert doubled not in text
    assert "続けて10回間違えると" not in text
