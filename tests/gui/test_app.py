"""The application around the pages: unexpected errors (logged, then a calm dialog that
offers a report), the rotating log, and demo mode."""

from __future__ import annotations

import importlib.util
import logging
import re
import threading
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from PySide6.QtCore import QTimer, QUrl
from PySide6.QtGui import QDesktopServices, QImageReader
from PySide6.QtWidgets import QApplication, QFileDialog, QLabel, QMessageBox
from pytestqt.qtbot import QtBot

from ndnclient.card.errors import NoCardError
from ndnclient.resources import resource_path
from ndnclient.ui.app import GuiApplication
from ndnclient.ui.demo import DemoCard
from ndnclient.ui.errors import LOG_FILE_NAME, setup_logging
from ndnclient.ui.main_window import PAGE_NAMES, MainWindow

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


# --- The application icon and the user guide ------------------------------------------------


def _script(name: str) -> ModuleType:
    """A script under scripts/ (a file name with a dash), loaded as a module."""
    path = Path(__file__).resolve().parents[2] / "scripts" / name
    spec = importlib.util.spec_from_file_location(name.replace("-", "_"), path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_window_has_the_application_icon(gui: Start) -> None:
    window = gui(lang="en").window
    sizes = {(size.width(), size.height()) for size in window.windowIcon().availableSizes()}
    assert {(16, 16), (32, 32), (48, 48), (256, 256)} <= sizes


def test_the_icon_build_makes_every_size(tmp_path: Path) -> None:
    build_icons = _script("build-icons.py")
    written = build_icons.build(tmp_path)
    ico = (tmp_path / "ndnclient.ico").read_bytes()
    assert build_icons.ico_sizes(ico) == [16, 32, 48, 256]
    assert {path.name for path in written} >= {f"ndnclient-{s}.png" for s in (16, 32, 48, 256)}
    # Qt reads every entry back at its size (the bitmaps and the PNG alike).
    reader = QImageReader(str(tmp_path / "ndnclient.ico"))
    read = []
    for index in range(reader.imageCount()):
        reader.jumpToImage(index)
        image = reader.read()
        assert not image.isNull()
        assert image.pixelColor(image.width() // 2, image.height() // 2).alpha() == 255
        read.append(image.width())
    assert read == [16, 32, 48, 256]
    # What is committed is what the script makes from the SVG.
    committed = resource_path("icons", "ndnclient.ico").read_bytes()
    assert build_icons.ico_sizes(committed) == [16, 32, 48, 256]


def test_the_user_guide_button_opens_the_bundled_guide(
    gui: Start, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[QUrl] = []

    def open_url(url: QUrl) -> bool:
        opened.append(url)
        return True

    monkeypatch.setattr(QDesktopServices, "openUrl", open_url)
    window = gui(lang="ja").window
    assert window.guide_button.text() == "取扱説明書"
    window.guide_button.click()
    assert len(opened) == 1
    path = Path(opened[0].toLocalFile())
    assert path == resource_path("guide", "index.html")
    page = path.read_text(encoding="utf-8")
    assert "取扱説明書" in page
    # Every picture it shows is there beside it (offline: nothing from the network).
    pictures = re.findall(r'<img src="([^"]+)"', page)
    assert pictures
    assert all((path.parent / picture).is_file() for picture in pictures)
    assert "http" not in "".join(pictures)


def test_the_bundled_guide_is_built_from_the_current_markdown() -> None:
    assert _script("build-guide.py").out_of_date() == []


def test_a_missing_guide_is_told_not_hidden(
    gui: Start, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    told: list[str] = []
    monkeypatch.setattr("ndnclient.ui.main_window.user_guide_path", lambda: tmp_path / "no.html")
    monkeypatch.setattr(QMessageBox, "information", lambda *args: told.append(args[2]))
    window = gui(lang="en").window
    window.open_user_guide()
    assert len(told) == 1
    assert str(tmp_path / "no.html") in told[0]


def test_page_titles_stay_above_the_scrolling_page(gui: Start) -> None:
    """At 800×600 a page scrolls, its title does not: the title sits outside the scroll area."""
    window = gui(lang="ja").window
    window.resize(800, 600)
    for index, name in enumerate(PAGE_NAMES):
        page = window.page(name)
        area = window._areas[index]
        titles = [
            label
            for label in window.pages.widget(index).findChildren(QLabel)
            if "16pt" in label.styleSheet()
        ]
        assert len(titles) == 1, name
        assert not area.isAncestorOf(titles[0]), name
        assert area.widget() is page


def test_work_that_ends_after_the_application_stopped_is_dropped_quietly(
    qtbot: QtBot, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from PySide6.QtCore import QCoreApplication, QEvent

    app = QApplication.instance()
    assert isinstance(app, QApplication)
    gui = GuiApplication(app, demo=True, demo_folder=tmp_path / "demo", log_dir=tmp_path / "logs")
    release, finished = threading.Event(), threading.Event()

    def slow() -> int:
        release.wait(10)
        finished.set()
        return 1

    heard: list[object] = []
    gui.tasks.run(slow, heard.append)
    gui.stop()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)  # gone now
    release.set()
    assert finished.wait(10)
    qtbot.wait(200)  # the pool's thread calls the future's callbacks right after
    assert heard == []
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
