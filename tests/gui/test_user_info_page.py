"""ユーザ情報設定: the card dialog (sized for its content, no date defaulting to today, dates
that cannot be right refused or warned about) and removals that are asked first."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from ndnclient.card.status import today_in_japan
from ndnclient.settings.cards import RegisteredCard
from ndnclient.ui.pages.user_info import CardEditDialog, parse_typed_date
from tests.gui.conftest import drain

Start = Callable[..., Any]


def wait_for_card(qtbot: QtBot, started: Any) -> None:
    home = started.window.home
    qtbot.waitUntil(lambda: home.status is not None and home.status.info is not None, timeout=3000)


def with_cards(started: Any, *cards: RegisteredCard) -> None:
    started.settings_service.set("cards", [card.to_json() for card in cards])
    started.window.services.settings.update(started.settings_service.load()[0])


def answering(monkeypatch: pytest.MonkeyPatch, answer: QMessageBox.StandardButton) -> list[Any]:
    """QMessageBox.question answered with `answer`; each call's arguments are kept."""
    asked: list[Any] = []

    def question(*args: Any) -> QMessageBox.StandardButton:
        asked.append(args)
        return answer

    monkeypatch.setattr(QMessageBox, "question", question)
    return asked


def test_a_new_card_has_no_dates_until_they_are_entered(qtbot: QtBot, gui: Start) -> None:
    started = gui(lang="en")
    dialog = CardEditDialog(started.window.services, None)
    qtbot.addWidget(dialog)
    assert dialog.valid_from.text() == ""
    assert dialog.valid_to.text() == ""  # never today: that is a card valid for one day
    dialog.number.setText("9392-0000-9999-0001")
    dialog._check()
    assert dialog.result_card is None
    assert "first day of the validity" in dialog.dates_note.text()


def test_the_dialog_shows_a_whole_number_and_whole_notes(qtbot: QtBot, gui: Start) -> None:
    started = gui(lang="ja")
    dialog = CardEditDialog(started.window.services, None)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.number.setText("9392-0000-9999-0001")
    metrics = dialog.number.fontMetrics()
    assert dialog.number.width() > metrics.horizontalAdvance("9392-0000-9999-0001") + 8
    dialog.number.setText("92-0000-9999-00")
    dialog._check()
    for note in (dialog.number_note, dialog.dates_note):
        assert note.isVisible()
        # The note's whole wrapped text fits in the room it is given: nothing clipped.
        assert note.height() >= note.heightForWidth(note.width())
    assert dialog.number_note.height() > metrics.height() * 1.5  # wrapped, not one cut line


def test_dates_are_read_as_printed_on_the_notice() -> None:
    expected = date(2027, 4, 30)
    for typed in ("2027-04-30", "2027/4/30", "20270430", "２０２７／０４／３０", "R9.4.30"):
        assert parse_typed_date(typed) == expected, typed
    assert parse_typed_date("令和9年4月30日") == expected
    assert parse_typed_date("2027年4月30日") == expected
    for typed in ("2027-02-30", "4/30", "tomorrow", ""):
        assert parse_typed_date(typed) is None, typed


def test_a_short_validity_is_warned_about_once(qtbot: QtBot, gui: Start) -> None:
    started = gui(lang="en")
    dialog = CardEditDialog(started.window.services, None)
    qtbot.addWidget(dialog)
    today = today_in_japan()
    dialog.number.setText("9392-0000-9999-0001")
    dialog.valid_from.setText(str(today))
    dialog.valid_to.setText(str(today))
    dialog._check()
    assert dialog.result_card is None
    assert "only 1 day(s) long" in dialog.dates_note.text()
    dialog._check()  # OK again: the user has checked the notice
    assert dialog.result_card is not None


def test_an_end_date_in_the_past_is_refused(qtbot: QtBot, gui: Start) -> None:
    started = gui(lang="en")
    dialog = CardEditDialog(started.window.services, None)
    qtbot.addWidget(dialog)
    today = today_in_japan()
    dialog.number.setText("9392-0000-9999-0001")
    dialog.valid_from.setText(str(today - timedelta(days=800)))
    dialog.valid_to.setText(str(today - timedelta(days=1)))
    dialog._check()
    dialog._check()
    assert dialog.result_card is None
    assert "has already passed" in dialog.dates_note.text()


def test_adding_by_hand_offers_the_inserted_cards_own_validity(
    qtbot: QtBot, gui: Start, monkeypatch: pytest.MonkeyPatch
) -> None:
    today = today_in_japan()
    started = gui(
        lang="en",
        card_number="1111222233334444",
        valid_from=today - timedelta(days=10),
        valid_to=today + timedelta(days=700),
    )
    wait_for_card(qtbot, started)
    shown: list[CardEditDialog] = []

    def look(dialog: CardEditDialog) -> bool:
        shown.append(dialog)
        return False

    monkeypatch.setattr(CardEditDialog, "exec", look)
    started.window.user_info.add_button.click()
    assert shown[0].number.text() == "1111-2222-3333-4444"
    assert shown[0].valid_from.text() == str(today - timedelta(days=10))
    assert shown[0].valid_to.text() == str(today + timedelta(days=700))


def test_a_removal_is_asked_first_and_no_means_no(
    qtbot: QtBot, gui: Start, monkeypatch: pytest.MonkeyPatch
) -> None:
    started = gui(lang="ja")
    today = today_in_japan()
    card = RegisteredCard("9392000099990001", today, today + timedelta(days=700))
    with_cards(started, card)
    page = started.window.user_info
    page.table.selectRow(0)
    asked = answering(monkeypatch, QMessageBox.StandardButton.No)
    page.remove_button.click()
    drain(qtbot, started.window.services)
    assert "カード 9392-0000-9999-0001 を登録から削除しますか？" in asked[0][2]
    assert asked[0][4] == QMessageBox.StandardButton.No  # the default button
    assert page.table.rowCount() == 1
    assert len(started.settings_service.load()[0].cards) == 1


def test_repeated_removals_never_remove_the_next_card(
    qtbot: QtBot, gui: Start, monkeypatch: pytest.MonkeyPatch
) -> None:
    started = gui(lang="en")
    today = today_in_japan()
    # The same start: none is the renewal of another (no switching-period question).
    start, end = today - timedelta(days=100), today + timedelta(days=600)
    first = RegisteredCard("1111222233334444", start, end)
    second = RegisteredCard("5555666677778888", start, end)
    third = RegisteredCard("9999000011112222", start, end)
    with_cards(started, first, second, third)
    page = started.window.user_info
    page.table.selectRow(0)
    asked = answering(monkeypatch, QMessageBox.StandardButton.Yes)
    page.remove_button.click()
    qtbot.waitUntil(lambda: page.table.rowCount() == 2, timeout=3000)
    assert not page.remove_button.isEnabled()  # nothing is selected after a removal
    page.remove_button.click()
    page._remove_selected()
    drain(qtbot, started.window.services)
    assert len(asked) == 1
    assert page.table.rowCount() == 2


def test_the_delete_key_removes_the_selected_card_after_the_question(
    qtbot: QtBot, gui: Start, monkeypatch: pytest.MonkeyPatch
) -> None:
    started = gui(lang="en")
    today = today_in_japan()
    with_cards(started, RegisteredCard("1111222233334444", today, today + timedelta(days=700)))
    page = started.window.user_info
    started.window.show_page("user_info")
    page.table.selectRow(0)
    page.table.setFocus()
    asked = answering(monkeypatch, QMessageBox.StandardButton.Yes)
    QTest.keyClick(page.table, Qt.Key.Key_Delete)
    qtbot.waitUntil(lambda: page.table.rowCount() == 0, timeout=3000)
    assert len(asked) == 1
    assert "Remove card 1111-2222-3333-4444" in asked[0][2]


def test_the_last_message_goes_when_the_page_is_left(
    qtbot: QtBot, gui: Start, monkeypatch: pytest.MonkeyPatch
) -> None:
    started = gui(lang="en")
    today = today_in_japan()
    with_cards(started, RegisteredCard("1111222233334444", today, today + timedelta(days=700)))
    window = started.window
    window.show_page("user_info")
    page = window.user_info
    page.table.selectRow(0)
    answering(monkeypatch, QMessageBox.StandardButton.Yes)
    page.remove_button.click()
    qtbot.waitUntil(lambda: page.banner.isVisible(), timeout=3000)
    window.show_page("home")
    window.show_page("user_info")
    assert not page.banner.isVisible()
