"""貸出管理簿 in the window: lend, a second lend refused in one sentence with the inputs kept,
return, the month and card filters, a correction through its dialog, the chain's state after
the SQLite file is edited behind the program's back, the export read back with openpyxl, and
the home page's line saying to whom the inserted card is lent."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from PySide6.QtWidgets import QDialog, QFileDialog
from pytestqt.qtbot import QtBot

from ndnclient.card.status import today_in_japan
from ndnclient.ledger.service import Ledger
from ndnclient.ledger.sqlite_store import LEDGER_FILE, SqliteStore, data_dir
from ndnclient.settings.cards import RegisteredCard
from ndnclient.ui.pages.ledger import CorrectionDialog, LedgerPage
from tests.gui.conftest import drain

Start = Callable[..., Any]
OTHER_CARD = "1111222233334444"


def with_cards(started: Any, *numbers: str) -> None:
    today = today_in_japan()
    cards = [RegisteredCard(n, today, today + timedelta(days=700)) for n in numbers]
    started.settings_service.set("cards", [card.to_json() for card in cards])
    started.window.services.settings.update(started.settings_service.load()[0])


def open_page(qtbot: QtBot, started: Any) -> LedgerPage:
    """The ledger page with the inserted card and OTHER_CARD registered."""
    home = started.window.home
    qtbot.waitUntil(lambda: home.status is not None and home.status.info is not None, timeout=3000)
    with_cards(started, OTHER_CARD, started.reader.card.state.card_number)  # not first
    started.window.show_page("ledger")
    page: LedgerPage = started.window.ledger
    drain(qtbot, started.window.services)
    return page


def lend(qtbot: QtBot, page: LedgerPage, user: str, purpose: str, due: str = "") -> None:
    page.user.setText(user)
    page.purpose.setText(purpose)
    page.destination.setText("契約課")
    page.approver.setText("課長 田中")
    page.due_day.setText(due)
    page.lend_button.click()
    drain(qtbot, page.services)
    drain(qtbot, page.services)  # the refresh that follows a write


def cell(page: LedgerPage, row: int, column: int) -> str:
    item = page.table.item(row, column)
    assert item is not None
    return item.text()


def inserted_state(page: LedgerPage) -> str:
    """The state line of the card in the reader (registered after OTHER_CARD)."""
    (line,) = [label.text() for label in page.state_labels if "1234-5678" in label.text()]
    return line


def ledger_path() -> Path:
    return data_dir() / LEDGER_FILE


def test_lend_refuse_a_second_lend_and_return(qtbot: QtBot, gui: Start) -> None:
    started = gui(lang="ja")
    page = open_page(qtbot, started)
    inserted = started.reader.card.state.card_number
    assert page.card.currentData() == inserted  # the inserted card, preselected
    assert inserted_state(page).endswith("保管中")
    lend(qtbot, page, "山田 花子", "道路補修工事の入札", due="2099-12-01")
    first = inserted_state(page)
    assert "貸出中" in first
    assert "山田 花子" in first
    assert "2099-12-01 17:00" in first
    assert page.banner.kind == "ok"

    # A second lend of the same card: one sentence, and what was typed stays.
    lend(qtbot, page, "佐藤 一郎", "別件")
    assert page.lend_note.isVisible()
    assert "山田 花子" in page.lend_note.text()
    assert "返却" in page.lend_note.text()
    assert (page.user.text(), page.purpose.text()) == ("佐藤 一郎", "別件")
    assert not page.banner.isVisible()

    # The purpose is required: said under the form, nothing written.
    page.card.setCurrentIndex(page.card.findData(OTHER_CARD))
    lend(qtbot, page, "佐藤 一郎", "  ")
    assert "件名" in page.lend_note.text()

    page.card.setCurrentIndex(page.card.findData(inserted))
    page.return_note.setText("異常なし")
    page.return_button.click()
    drain(qtbot, page.services)
    drain(qtbot, page.services)
    assert inserted_state(page).endswith("保管中")
    kinds = [cell(page, row, 2) for row in range(page.table.rowCount())]
    assert kinds == ["貸出", "返却"]
    assert "異常なし" in cell(page, 1, 6)
    assert page.chain_state.text() == "✔ 改ざんは見つかりませんでした（2件）"


def test_the_list_filters_by_month_and_card(qtbot: QtBot, gui: Start) -> None:
    started = gui(lang="en")
    # Two lendings last year (written directly), one now from the page.
    ledger = Ledger(SqliteStore(ledger_path()), now=lambda: datetime(2025, 5, 10, 1, tzinfo=UTC))
    ledger.lend(OTHER_CARD, user="Old Borrower", purpose="old bid")
    ledger.return_card(OTHER_CARD)
    ledger.close()
    page = open_page(qtbot, started)
    lend(qtbot, page, "Hanako Yamada", "bid")
    shown = {cell(page, row, 4) for row in range(page.table.rowCount())}
    assert shown == {"Hanako Yamada"}  # this month only
    page.month.setCurrentIndex(0)  # all months
    page.refresh()
    drain(qtbot, page.services)
    assert page.table.rowCount() == 3
    page.filter_card.setCurrentIndex(page.filter_card.findData(OTHER_CARD))
    page.refresh()
    drain(qtbot, page.services)
    assert [cell(page, r, 0) for r in range(page.table.rowCount())] == ["1", "2"]
    assert cell(page, 0, 1) == "2025-05-10 10:00"  # Japan time


def test_a_correction_through_the_dialog(
    qtbot: QtBot, gui: Start, monkeypatch: pytest.MonkeyPatch
) -> None:
    started = gui(lang="ja")
    page = open_page(qtbot, started)
    lend(qtbot, page, "山田 花子", "入札")
    page.table.selectRow(0)
    assert page.correct_button.isEnabled()
    seen: list[CorrectionDialog] = []

    def fill(dialog: CorrectionDialog) -> int:
        seen.append(dialog)
        dialog.fields["user"].setText("山田 花")
        dialog.submit()  # no reason: refused in the dialog, the new name kept
        assert "理由" in dialog.note.text()
        assert dialog.fields["user"].text() == "山田 花"
        dialog.reason_field.setText("名前の入力誤り")
        dialog.submit()
        return int(dialog.result())

    monkeypatch.setattr(CorrectionDialog, "exec", fill)
    page.correct_button.click()
    drain(qtbot, page.services)
    drain(qtbot, page.services)
    assert seen
    assert seen[0].result() == QDialog.DialogCode.Accepted
    assert "山田 花" in inserted_state(page)
    assert "山田 花子" not in inserted_state(page)
    last = page.table.rowCount() - 1
    assert cell(page, last, 2) == "訂正"
    assert "名前の入力誤り" in cell(page, last, 6)


def test_the_chain_state_after_editing_the_file(qtbot: QtBot, gui: Start) -> None:
    started = gui(lang="ja")
    page = open_page(qtbot, started)
    lend(qtbot, page, "山田 花子", "入札")
    page.return_button.click()
    drain(qtbot, page.services)
    drain(qtbot, page.services)
    assert page.chain_state.text() == "✔ 改ざんは見つかりませんでした（2件）"
    head = page.verified.head if page.verified else ""
    assert head in page.head.text()
    assert len(head) == 64
    with sqlite3.connect(ledger_path()) as connection:
        connection.execute("UPDATE entries SET body = replace(body, '山田', '田中') WHERE id = 1")
    page.verify_button.click()
    drain(qtbot, page.services)
    assert page.chain_state.text().startswith("✖ No.1 の記録が一致しません")


def test_export_writes_a_workbook_openpyxl_reads(
    qtbot: QtBot, gui: Start, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    started = gui(lang="ja")
    page = open_page(qtbot, started)
    lend(qtbot, page, "山田 花子", "入札")
    target = tmp_path / "out" / "ledger"  # no suffix: saved as Excel
    target.parent.mkdir()
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a: (str(target), ""))
    page.export_button.click()
    drain(qtbot, page.services)
    saved = target.with_name("ledger.xlsx")
    assert page.banner.kind == "ok"
    assert str(saved) in page.banner.text.text()
    sheet = openpyxl.load_workbook(saved).active
    assert sheet is not None
    cells = [str(cell) for row in sheet.iter_rows(values_only=True) for cell in row if cell]
    assert "山田 花子" in cells
    assert "入札" in cells
    assert page.verified is not None
    assert page.verified.head in cells


def test_home_says_to_whom_the_inserted_card_is_lent(qtbot: QtBot, gui: Start) -> None:
    started = gui(lang="ja")
    home = started.window.home
    page = open_page(qtbot, started)
    assert not home.lending.isVisible()
    tomorrow = date.today() + timedelta(days=2)
    lend(qtbot, page, "山田 花子", "入札", due=tomorrow.isoformat())
    started.window.show_page("home")
    qtbot.waitUntil(home.lending.isVisible, timeout=3000)
    text = home.lending.text()
    assert text.startswith("貸出中: 山田 花子 さん（")
    assert "から、期限" in text
    assert tomorrow.strftime("%m-%d") + " 17:00" in text
    assert "⚠" not in text


def test_home_shows_an_overdue_lending_in_warning_colour(qtbot: QtBot, gui: Start) -> None:
    started = gui(lang="ja")
    number = started.reader.card.state.card_number
    past = datetime(2026, 1, 1, tzinfo=UTC)
    ledger = Ledger(SqliteStore(ledger_path()), now=lambda: past)
    ledger.lend(number, user="山田 花子", purpose="入札", due=past + timedelta(hours=3))
    ledger.close()
    home = started.window.home
    qtbot.waitUntil(lambda: home.status is not None and home.status.info is not None, timeout=3000)
    home.on_shown()
    qtbot.waitUntil(home.lending.isVisible, timeout=3000)
    assert home.lending.text().startswith("⚠ 貸出中: 山田 花子 さん（2026-01-01 09:00 から")
    assert "#" in home.lending.styleSheet()
