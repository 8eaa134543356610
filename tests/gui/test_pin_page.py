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
        assert f"Wrong PIN. Tries left: {expected}." in banner_text(page)
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
    assert banner_text(page) == "Nothing was sent to the card."
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
    assert "Unlock" in banner_text(page)
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
    assert "nothing was sent" in banner_text(page)
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
    assert not page.verify_form.button.isEnabled()
    assert not page.change_form.button.isEnabled()
    assert page.unlock_form.button.isEnabled()
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
    # The guidance's button leads to the unlock section.
    QTest.mouseClick(page.tries_banner.button, Qt.MouseButton.LeftButton)
    assert page.tabs.currentWidget() is page.unlock_form.page
    assert page.tries_banner.button.isHidden()  # already there
    assert "PIN is locked" in page.tries_banner.text.text()


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
    assert "PIN is locked" in banner_text(page)
    assert page.result.button.text() == "Go to Unlock"
    qtbot.waitUntil(lambda: page.pin_tries.text() == "PIN tries left: 0 of 10")


def test_unlock_with_the_code_restores_the_pin(
    qtbot: QtBot, gui: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    started = gui(lang="en", pin_tries_left=0)
    page = open_pin_page(qtbot, started, "0 of 10")
    qtbot.waitUntil(lambda: not page.tries_banner.button.isHidden())
    QTest.mouseClick(page.tries_banner.button, Qt.MouseButton.LeftButton)
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
    assert "Wrong unlock code" in banner_text(page)
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
    assert all(field.text() == "" for field in page.change_form.fields)


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
    assert len(buffers) == 1 + 1 + 3 + 3
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
