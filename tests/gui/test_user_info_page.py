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
from ndnclient.ui.pages import user_info
from ndnclient.ui.pages.user_info import CardEditDialog
from tests.gui.conftest import drain

Start = Callable[..., Any]

# The dialog's today, fixed: a test that read the clock itself would disagree with the dialog
# across midnight in Japan.
TODAY = date(2026, 6, 15)


@pytest.fixture
def fixed_today(monkeypatch: pytest.MonkeyPatch) -> date:
    monkeypatch.setattr(user_info, "today_in_japan", lambda: TODAY)
    return TODAY


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


def typed_dates(started: Any, qtbot: QtBot, valid_from: str, valid_to: str) -> CardEditDialog:
    """The dialog after OK with these dates typed (and a short validity agreed to)."""
    dialog = CardEditDialog(started.window.services, None)
    qtbot.addWidget(dialog)
    dialog.number.setText("9392-0000-9999-0001")
    dialog.valid_from.setText(valid_from)
    dialog.valid_to.setText(valid_to)
    dialog._check()
    return dialog


def test_dates_are_read_as_the_command_line_reads_them(
    qtbot: QtBot, gui: Start, fixed_today: date, monkeypatch: pytest.MonkeyPatch
) -> None:
    started = gui(lang="ja")
    answering(monkeypatch, QMessageBox.StandardButton.Yes)
    expected = date(2027, 4, 30)
    for typed in (
        "2027-04-30",
        "2027/4/30",
        "20270430",
        "２０２７／０４／３０",
        "R9.4.30",
        "令和9年4月30日",
        "2027年4月30日",
    ):
        dialog = typed_dates(started, qtbot, "2019-04-30", typed)
        assert dialog.result_card is not None, typed
        assert dialog.result_card.valid_to == expected, typed
    # The last days of 平成, as printed on an old notice.
    for typed in ("H31.4.30", "平成31年4月30日"):
        dialog = typed_dates(started, qtbot, typed, "2027-04-30")
        assert dialog.result_card is not None, typed
        assert dialog.result_card.valid_from == date(2019, 4, 30), typed


@pytest.mark.parametrize(
    ("typed", "sentence"),
    [
        # 令和 began on 1 May 2019: R1.4.30 is no day (the old parser made it 2019-04-30).
        ("R1.4.30", "「R1.4.30」: 令和元年4月30日という日はありません。令和は元年5月1日"),
        ("R0.12.31", "「R0.12.31」: 令和0年12月31日という日はありません"),
        # ISO keeps its two digits, as on the command line.
        ("2027-4-30", "「2027-4-30」を日付として読み取れません。2027-04-30、2027/4/30"),
        ("2027-02-30", "2027年2月30日という日はありません"),
    ],
)
def test_a_date_that_is_not_one_gets_the_command_lines_sentence(
    qtbot: QtBot, gui: Start, fixed_today: date, typed: str, sentence: str
) -> None:
    started = gui(lang="ja")
    dialog = typed_dates(started, qtbot, "2026-04-01", typed)
    assert dialog.result_card is None
    assert dialog.dates_note.isVisibleTo(dialog)
    assert sentence in dialog.dates_note.text()
    assert dialog.valid_to.text() == typed  # kept, to be corrected


def test_a_short_validity_is_a_question_that_names_the_dates(
    qtbot: QtBot, gui: Start, fixed_today: date, monkeypatch: pytest.MonkeyPatch
) -> None:
    started = gui(lang="en")
    asked = answering(monkeypatch, QMessageBox.StandardButton.No)
    dialog = CardEditDialog(started.window.services, None)
    qtbot.addWidget(dialog)
    dialog.number.setText("9392-0000-9999-0001")
    dialog.valid_from.setText(str(fixed_today))
    dialog.valid_to.setText(str(fixed_today))
    dialog._check()
    dialog._check()  # a double Enter is not a yes
    assert dialog.result_card is None
    assert len(asked) == 2
    text = asked[0][2]
    assert "from 2026-06-15 to 2026-06-15 (1 day(s))" in text
    assert asked[0][4] == QMessageBox.StandardButton.No  # Enter answers No
    answering(monkeypatch, QMessageBox.StandardButton.Yes)
    dialog._check()
    assert dialog.result_card is not None
    assert dialog.result_card.valid_to == fixed_today


def test_a_validity_of_a_year_or_more_is_not_asked_about(
    qtbot: QtBot, gui: Start, fixed_today: date, monkeypatch: pytest.MonkeyPatch
) -> None:
    started = gui(lang="en")
    asked = answering(monkeypatch, QMessageBox.StandardButton.No)
    dialog = typed_dates(started, qtbot, str(fixed_today), str(fixed_today + timedelta(days=364)))
    assert asked == []
    assert dialog.result_card is not None


def test_an_end_date_in_the_past_is_refused(
    qtbot: QtBot, gui: Start, fixed_today: date, monkeypatch: pytest.MonkeyPatch
) -> None:
    started = gui(lang="en")
    asked = answering(monkeypatch, QMessageBox.StandardButton.Yes)
    dialog = CardEditDialog(started.window.services, None)
    qtbot.addWidget(dialog)
    dialog.number.setText("9392-0000-9999-0001")
    dialog.valid_from.setText(str(fixed_today - timedelta(days=800)))
    dialog.valid_to.setText(str(fixed_today - timedelta(days=1)))
    dialog._check()
    dialog._check()
    assert dialog.result_card is None
    assert asked == []
    assert "2026-06-14, has already passed" in dialog.dates_note.text()


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


def test_a_removal_under_way_cannot_be_asked_for_again(
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
    page.remove_button.click()
    # The task has not reported yet (no event handled since): the row is still selected.
    assert page.table.rowCount() == 1
    assert not page.remove_button.isEnabled()
    QTest.keyClick(page.table, Qt.Key.Key_Delete)
    page._remove_selected()
    assert len(asked) == 1
    qtbot.waitUntil(lambda: page.table.rowCount() == 0, timeout=3000)
    drain(qtbot, started.window.services)
    assert page.banner.kind == "ok"
    assert "1111-2222-3333-4444's entry is removed" in page.banner.text.text()
