"""「カードの情報を調べる（PINは使いません）」: offered on ホーム for a card the client does not
recognise and on the operation check's G03 "not a GoSign card" row; it looks at the card on
the card thread, asks where to save, and writes a JSON report that holds no PIN."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QFileDialog, QTableWidgetItem, QWidget
from pytestqt.qtbot import QtBot

from ndnclient.card.profile import GoSignProfile, load_profile_file
from ndnclient.ui.card_probe import DEFAULT_FILE_NAME
from ndnclient.ui.pages.check import CODE_COLUMN, CheckPage
from ndnclient.ui.pages.home import HomePage
from tests.gui.conftest import Gui, drain

ROOT = Path(__file__).resolve().parents[2]
# Nothing listens on port 1 of the loopback: G04 fails at once, with no network.
CLOSED_LDAP = "ldap://127.0.0.1:1/o=x,c=JP"
RUN_TIMEOUT_MS = 20_000
VERIFY_HEADER = "0020"
BARE_HEADER_HEX = 8  # CLA INS P1 P2: a VERIFY that only reads the counter


def other_layout() -> GoSignProfile:
    """A layout the client does not use: a card made with it is "not a GoSign card"."""
    return load_profile_file(ROOT / "tests" / "card_profiles" / "second-layout.toml")


def click(widget: QWidget) -> None:
    QTest.mouseClick(widget, Qt.MouseButton.LeftButton)


class SaveDialog:
    """Stands in for QFileDialog.getSaveFileName: answers `answer` and keeps what it was
    offered."""

    def __init__(self, answer: str) -> None:
        self.answer = answer
        self.offered: list[tuple[str, str]] = []

    def __call__(self, parent: Any, caption: str, folder: str, filters: str) -> tuple[str, str]:
        self.offered.append((folder, filters))
        return self.answer, filters


def home_with_unknown_card(qtbot: QtBot, gui: Callable[..., Gui], lang: str = "en") -> Gui:
    started = gui(lang=lang, profile=other_layout())
    home = started.window.home
    qtbot.waitUntil(lambda: home.status is not None, timeout=3000)
    qtbot.waitUntil(lambda: home.card_type.text() == card_type_text(home), timeout=3000)
    return started


def card_type_text(home: HomePage) -> str:
    return home.services.messages.text("card_type.unknown")


def test_the_offer_shows_for_an_unknown_card_only(qtbot: QtBot, gui: Callable[..., Gui]) -> None:
    started = home_with_unknown_card(qtbot, gui, lang="ja")
    home = started.window.home
    assert home.probe_offer.isVisible()
    assert home.probe.button.text() == "カードの情報を調べる（PINは使いません）"
    assert home.probe_note.text() == (
        "GoSign ICカードなのにこの表示になる場合は、カードの情報を調べてヘルプデスクに"
        "送ってください。"
    )
    # No card: nothing to look at, and the offer goes.
    started.reader.remove()
    qtbot.waitUntil(lambda: home.card_type.text() == "カードなし", timeout=3000)
    assert home.probe_offer.isHidden()


def test_no_offer_for_a_gosign_card(qtbot: QtBot, gui: Callable[..., Gui]) -> None:
    home = gui(lang="en", card_number="1111222233334444").window.home
    qtbot.waitUntil(lambda: home.card_number.text() == "1111-2222-3333-4444", timeout=3000)
    assert home.probe_offer.isHidden()


def test_the_look_is_saved_as_json_without_a_pin(
    qtbot: QtBot, gui: Callable[..., Gui], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    started = home_with_unknown_card(qtbot, gui)
    home = started.window.home
    chosen = tmp_path / "probe"  # no suffix: .json is added
    dialog = SaveDialog(str(chosen))
    monkeypatch.setattr(QFileDialog, "getSaveFileName", dialog)
    click(home.probe.button)
    qtbot.waitUntil(home.probe_result.isVisible, timeout=5000)
    saved = tmp_path / "probe.json"
    assert home.probe_result.kind == "ok"
    assert home.probe_result.text.text() == (
        f"The card's information was saved: {saved}. Send this file to the helpdesk. It holds no"
        " PIN; it holds the certificate's name and card number, so treat it as personal data."
    )
    assert home.probe.button.isEnabled()
    folder, filters = dialog.offered[0]
    assert Path(folder).name == DEFAULT_FILE_NAME
    assert "*.json" in filters
    text = saved.read_text(encoding="utf-8")
    report = json.loads(text)
    assert report["card_type"] == "unknown"
    assert report["reader"] == started.reader.reader_name
    commands = [exchange["command"] for exchange in report["transcript"]]
    assert commands  # the card was asked something
    verifies = [command for command in commands if command.startswith(VERIFY_HEADER)]
    assert all(len(command) == BARE_HEADER_HEX for command in verifies), verifies
    assert "  " in text  # indented for a person to read


def test_the_saved_sentence_in_japanese(
    qtbot: QtBot, gui: Callable[..., Gui], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = home_with_unknown_card(qtbot, gui, lang="ja").window.home
    saved = tmp_path / "カード.json"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", SaveDialog(str(saved)))
    click(home.probe.button)
    qtbot.waitUntil(home.probe_result.isVisible, timeout=5000)
    assert home.probe_result.text.text() == (
        f"カードの情報を保存しました: {saved}。このファイルをヘルプデスクに送ってください。"
        "PINは含まれていません（証明書の名義とカード番号は含まれるため、個人情報として"
        "扱ってください）。"
    )
    assert saved.exists()


def test_cancelling_the_dialog_saves_nothing_and_says_nothing(
    qtbot: QtBot, gui: Callable[..., Gui], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    started = home_with_unknown_card(qtbot, gui)
    home = started.window.home
    dialog = SaveDialog("")
    monkeypatch.setattr(QFileDialog, "getSaveFileName", dialog)
    before = sorted(tmp_path.rglob("*"))
    click(home.probe.button)
    qtbot.waitUntil(lambda: bool(dialog.offered), timeout=5000)
    drain(qtbot, started.window.services)
    assert home.probe.button.isEnabled()
    assert home.probe_result.isHidden()
    assert sorted(tmp_path.rglob("*")) == before


def test_a_failed_look_says_why_and_saves_nothing(
    qtbot: QtBot, gui: Callable[..., Gui], monkeypatch: pytest.MonkeyPatch
) -> None:
    home = home_with_unknown_card(qtbot, gui).window.home
    dialog = SaveDialog("unused.json")
    monkeypatch.setattr(QFileDialog, "getSaveFileName", dialog)
    home.probe.start("a reader that is not there")
    assert not home.probe.button.isEnabled()  # no second look while one runs
    qtbot.waitUntil(home.probe_result.isVisible, timeout=5000)
    assert home.probe_result.kind == "error"
    assert home.probe_result.text.text().startswith("There is no card in the reader.")
    assert dialog.offered == []
    assert home.probe.button.isEnabled()


def test_an_unwritable_place_is_told(
    qtbot: QtBot, gui: Callable[..., Gui], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = home_with_unknown_card(qtbot, gui).window.home
    missing = tmp_path / "missing" / "probe.json"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", SaveDialog(str(missing)))
    click(home.probe.button)
    qtbot.waitUntil(home.probe_result.isVisible, timeout=5000)
    assert home.probe_result.kind == "error"
    assert str(missing) in home.probe_result.text.text()
    assert not missing.exists()


def check_page_after_run(qtbot: QtBot, started: Gui) -> CheckPage:
    started.settings_service.set("ldap.url", CLOSED_LDAP)
    started.window.services.settings.update(started.settings_service.load()[0])
    started.window.show_page("check")
    page = started.window.check
    click(page.start_button)
    qtbot.waitUntil(lambda: not page.running, timeout=RUN_TIMEOUT_MS)
    return page


def select(page: CheckPage, code: str) -> None:
    for row in range(page.table.rowCount()):
        item = page.table.item(row, CODE_COLUMN)
        assert isinstance(item, QTableWidgetItem)
        if item.data(Qt.ItemDataRole.UserRole) == code:
            page.table.selectRow(row)
            return
    raise AssertionError(f"no row {code}")


def test_the_check_offers_the_look_on_g03_not_gosign(
    qtbot: QtBot, gui: Callable[..., Gui], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    started = gui(lang="en", profile=other_layout())
    page = check_page_after_run(qtbot, started)
    select(page, "G03")
    g03 = page.selected_result()
    assert g03 is not None
    assert g03.outcome == "not_gosign"
    assert page.probe.button.isVisible()
    assert page.probe.button.text() == "Look at the card's information (no PIN used)"
    saved = tmp_path / "from-check.json"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", SaveDialog(str(saved)))
    click(page.probe.button)
    qtbot.waitUntil(page.banner.isVisible, timeout=5000)
    assert page.banner.kind == "ok"
    assert str(saved) in page.banner.text.text()
    # The card the check examined: its reader, from the run's facts.
    assert json.loads(saved.read_text(encoding="utf-8"))["reader"] == started.reader.reader_name
    select(page, "G04")
    assert page.probe.button.isHidden()
    select(page, "G03")
    assert page.probe.button.isVisible()


def test_the_check_does_not_offer_the_look_for_a_gosign_card(
    qtbot: QtBot, gui: Callable[..., Gui]
) -> None:
    page = check_page_after_run(qtbot, gui(lang="en", card_number="1111222233334444"))
    for code in ("G03", "G04"):
        select(page, code)
        assert page.probe.button.isHidden()
