"""The application around the pages: unexpected errors (logged, then a calm dialog that
offers a report), the rotating log, and demo mode."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox
from pytestqt.qtbot import QtBot

from ndnclient.card.errors import NoCardError
from ndnclient.ui.app import GuiApplication
from ndnclient.ui.demo import DemoCard
from ndnclient.ui.errors import LOG_FILE_NAME, setup_logging
from ndnclient.ui.main_window import MainWindow

Start = Callable[..., Any]


@pytest.fixture
def offered(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The crash dialogs the window would show (by exception class name)."""
    shown: list[str] = []
    monkeypatch.setattr(MainWindow, "offer_crash_report", lambda self, kind: shown.append(kind))
    return shown


def test_a_bug_in_background_work_is_logged_and_offers_a_report(
    qtbot: QtBot, gui: Start, offered: list[str], caplog: pytest.LogCaptureFixture
) -> None:
    started = gui(lang="en")
    heard: list[BaseException] = []
    started.app.tasks.run(lambda: 1 / 0, lambda _: None, heard.append, owner=started.window)
    qtbot.waitUntil(lambda: bool(heard), timeout=3000)
    assert offered == ["ZeroDivisionError"]
    assert isinstance(heard[0], ZeroDivisionError)  # the page still hears it, to recover
    failures = [r for r in caplog.records if "unexpectedly" in r.getMessage()]
    assert failures
    assert failures[0].exc_info is not None


def test_an_error_a_user_can_meet_is_no_bug(
    qtbot: QtBot, gui: Start, offered: list[str], caplog: pytest.LogCaptureFixture
) -> None:
    started = gui(lang="en")
    heard: list[BaseException] = []

    def no_card() -> None:
        raise NoCardError("no card")

    started.app.tasks.run(no_card, lambda _: None, heard.append, owner=started.window)
    qtbot.waitUntil(lambda: bool(heard), timeout=3000)
    assert offered == []
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_an_uncaught_exception_on_any_thread_is_logged_and_offers_a_report(
    qtbot: QtBot, gui: Start, offered: list[str], caplog: pytest.LogCaptureFixture
) -> None:
    started = gui(lang="en")
    handler = started.app.crash_handler
    handler.install()
    try:

        def broken() -> None:
            raise KeyError("a bug")

        thread = threading.Thread(target=broken)
        thread.start()
        thread.join()
        qtbot.waitUntil(lambda: offered == ["KeyError"], timeout=3000)
    finally:
        handler.uninstall()
    assert any(r.exc_info and r.exc_info[0] is KeyError for r in caplog.records)


def test_the_crash_dialog_offers_to_save_a_report(
    qtbot: QtBot, gui: Start, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    started = gui(lang="ja")
    target = tmp_path / "report.json"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    seen: list[str] = []

    def press_save() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(50, press_save)
            return
        seen.append(box.text())
        box.button(QMessageBox.StandardButton.Save).click()

    QTimer.singleShot(50, press_save)
    started.window.offer_crash_report("KeyError")
    qtbot.waitUntil(target.exists, timeout=3000)
    assert "KeyError" in seen[0]
    assert "ヘルプデスク" in seen[0]
    assert "Traceback" not in seen[0]


def test_the_log_file_rotates_in_its_folder(tmp_path: Path) -> None:
    root = logging.getLogger()
    before = list(root.handlers)
    try:
        path = setup_logging(tmp_path / "logs")
        assert path == tmp_path / "logs" / LOG_FILE_NAME
        added = [h for h in root.handlers if h not in before]
        assert len(added) == 1
        handler = added[0]
        assert isinstance(handler, logging.handlers.RotatingFileHandler)
        assert handler.maxBytes > 0
        assert handler.backupCount > 0
        logging.getLogger("ndnclient.test").warning("written to the log")
        handler.flush()
        assert "written to the log" in path.read_text(encoding="utf-8")
    finally:
        for handler in [h for h in root.handlers if h not in before]:
            root.removeHandler(handler)
            handler.close()


def test_a_log_folder_that_cannot_be_made_costs_only_the_log(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    root = logging.getLogger()
    before = list(root.handlers)
    assert setup_logging(blocker / "logs") is None
    assert root.handlers == before


def test_demo_mode_runs_on_its_own_card_and_settings(qtbot: QtBot, tmp_path: Path) -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    gui = GuiApplication(app, demo=True, demo_folder=tmp_path / "demo", log_dir=tmp_path / "logs")
    try:
        window = gui.start()
        qtbot.addWidget(window)
        home = window.home
        qtbot.waitUntil(
            lambda: home.status is not None and home.status.info is not None, timeout=3000
        )
        assert "デモ" in window.windowTitle() or "Demo" in window.windowTitle()
        # The demo's own settings trust the demo card's CA, so its chain check can pass.
        anchors = gui.settings_service.load()[0].trust_anchor_files
        assert str(tmp_path / "demo" / "demo-ca.der") in anchors
        window.demo_button.click()  # pull the demo card
        qtbot.waitUntil(lambda: home.status is not None and home.status.info is None, timeout=3000)
        window.demo_button.click()  # and put it back
        qtbot.waitUntil(
            lambda: home.status is not None and home.status.info is not None, timeout=3000
        )
        assert home.status is not None
        number = home.status.info.card_number if home.status.info else None
        # The renewal period for training: the renewed card in the second reader makes the
        # window ask which card to use; its CA is trusted too.
        assert str(tmp_path / "demo" / "demo-ca-2.der") in anchors
        selector = window.card_selector  # (the window is not shown: isHidden, not isVisible)
        assert selector.isHidden()
        window.demo_renewed_button.click()
        qtbot.waitUntil(lambda: not selector.isHidden(), timeout=3000)
        assert selector.combo.count() == 3  # "choose…" and the two cards
        window.demo_renewed_button.click()
        qtbot.waitUntil(selector.isHidden, timeout=3000)
    finally:
        gui.stop()
    # Like a real card, the demo card is the same card the next time.
    assert DemoCard(tmp_path / "demo").state.card_number == number
