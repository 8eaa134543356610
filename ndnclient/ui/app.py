"""Starting the GUI: `ndnclient`, `ndnclient gui [--demo]`, or the `ndnclient-gui` program.

The application object owns what outlives a window: the card thread, the background pool,
the settings and the translators. Switching the language rebuilds the window in the new one.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import socket
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import platformdirs
from PySide6.QtCore import (
    QEvent,
    QLibraryInfo,
    QLocale,
    QObject,
    QSocketNotifier,
    QTimer,
    QTranslator,
    Slot,
)
from PySide6.QtWidgets import QApplication

import ndnclient
from ndnclient.card.connection import ReaderBackend
from ndnclient.card.jobs import system_backend
from ndnclient.card.profile import use_profile_files
from ndnclient.messages import LANGUAGES
from ndnclient.resources import resource_path
from ndnclient.settings.notices import Notice
from ndnclient.settings.service import SettingsService
from ndnclient.ui import display_missing
from ndnclient.ui.card_bridge import CardBridge
from ndnclient.ui.collector import GuiThreadCollector
from ndnclient.ui.errors import CrashHandler, setup_logging
from ndnclient.ui.main_window import MainWindow, application_icon, warm_up
from ndnclient.ui.services import Services, SettingsHub
from ndnclient.ui.tasks import Tasks

if TYPE_CHECKING:
    from ndnclient.ui.demo import DemoCard

log = logging.getLogger(__name__)

LANGUAGE_RETRY_MS = 300


LOG_DIR_ENV = "NDNCLIENT_LOG_DIR"


def log_folder() -> Path:
    """NDNCLIENT_LOG_DIR, else the per-user log folder (%LOCALAPPDATA%\\ndnclient\\Logs on
    Windows)."""
    chosen = os.environ.get(LOG_DIR_ENV)
    if chosen:
        return Path(chosen)
    return Path(platformdirs.user_log_dir("ndnclient", appauthor=False))


def translation_file(lang: str) -> Path:
    return resource_path("translations", f"ndnclient_{lang}.qm")


class GuiApplication(QObject):
    def __init__(
        self,
        app: QApplication,
        *,
        demo: bool = False,
        demo_folder: Path | None = None,
        lang: str | None = None,
        backend_factory: Callable[[], ReaderBackend] | None = None,
        settings_service: SettingsService | None = None,
        log_dir: Path | None = None,
    ) -> None:
        # A child of the QApplication: destroyed on the GUI thread, never by a garbage
        # collection on another thread (see collector.py).
        super().__init__(app)
        self.app = app
        self.demo: DemoCard | None = None
        if demo:
            from ndnclient.ui.demo import DemoCard  # the virtual card's cryptography: demo only

            self.demo = DemoCard(demo_folder)
        self.log_dir = log_dir or log_folder()
        self.settings_service = settings_service or (
            self.demo.settings_service() if self.demo else SettingsService()
        )
        settings, self.notices = self.settings_service.load()
        if self.demo is not None:
            self.notices = (*self.notices, *self.demo.notices)
        # The card layouts IT added (card.profile_files), tried after the shipped GoSign one.
        left_out = use_profile_files(settings.card_profile_files)
        self.notices = (*self.notices, *(Notice(e.message_key, e.params) for e in left_out))
        self.lang = lang if lang in LANGUAGES else settings.language
        self.settings = SettingsHub(settings, self)
        factory = backend_factory or (self.demo.backend_factory if self.demo else system_backend)
        self.card = CardBridge(factory, self)
        self.tasks = Tasks(self)
        self.collector = GuiThreadCollector(self)
        self.crash_handler = CrashHandler(self)
        self.crash_handler.crashed.connect(self._crashed)
        # A bug in background work is told like one anywhere else.
        self.tasks.deliverer.unexpected.connect(self._crashed)
        self.card.deliverer.unexpected.connect(self._crashed)
        self._translators: list[QTranslator] = []
        self._offering_report = False
        self._language_waiting: str | None = None
        self.window: MainWindow | None = None
        self._remove_ledger_hooks: Callable[[], None] | None = None

    def start(self) -> MainWindow:
        self.app.setWindowIcon(application_icon())  # every window, the taskbar's too
        self.collector.start()
        self._install_translators(self.lang)
        if self.demo is None:  # the demo's virtual card is no card to keep a ledger of
            from ndnclient.ledger.hooks import install_ledger_hooks

            # Every PIN and signature the window sends is recorded (on the card thread).
            self._remove_ledger_hooks = install_ledger_hooks(lambda: self.settings.current)
        self.card.start()
        return self._build_window()

    def stop(self) -> None:
        """The end of this application object: the card thread and the pool stop, and the
        object itself goes when the GUI thread next handles its events."""
        self.card.stop()
        self.tasks.shutdown()
        if self._remove_ledger_hooks is not None:
            self._remove_ledger_hooks()
            self._remove_ledger_hooks = None
        self._remove_translators()
        self.collector.stop()
        self.deleteLater()

    def services(self) -> Services:
        return Services(
            self.settings_service,
            self.settings,
            self.card,
            self.tasks,
            self.lang,
            self.log_dir,
            self.demo,
            change_language=self.change_language,
        )

    def _build_window(self, page: str = "home") -> MainWindow:
        window = MainWindow(self.services(), self.notices)
        self.notices = ()  # told once
        window.show_page(page)
        self.window = window
        return window

    def change_language(self, lang: str) -> bool:
        """Rebuild the window in `lang` (the setting is saved by the page that asked).

        Not while a PIN command or an operation check runs: their results belong to this
        window. Then the switch waits for them to end, and this returns False."""
        if lang not in LANGUAGES or lang == self.lang:
            return True
        if self.window is not None and self.window.busy():
            if self._language_waiting is None:
                QTimer.singleShot(LANGUAGE_RETRY_MS, self._retry_language)
            self._language_waiting = lang
            return False
        self._language_waiting = None
        self.lang = lang
        self._install_translators(lang)
        old = self.window
        page = old.current_page_name() if old is not None else "home"
        geometry = old.saveGeometry() if old is not None else None
        window = self._build_window(page)
        if old is not None:
            window.carry_over(old)  # the check results survive the switch
        if geometry is not None:
            window.restoreGeometry(geometry)
        window.show()
        if old is not None:
            old.close()
            old.deleteLater()
        return True

    def _retry_language(self) -> None:
        lang, self._language_waiting = self._language_waiting, None
        if lang is not None:
            self.change_language(lang)

    def _remove_translators(self) -> None:
        for translator in self._translators:
            self.app.removeTranslator(translator)
        self._translators = []

    def _install_translators(self, lang: str) -> None:
        self._remove_translators()
        if lang == "en":
            return  # the source texts are English
        ours = QTranslator(self.app)
        if ours.load(str(translation_file(lang))):
            self._translators.append(ours)
        else:
            log.warning(
                "translation %s missing: run scripts/build-translations.sh", translation_file(lang)
            )
        qt = QTranslator(self.app)  # Qt's own dialogs' buttons (保存, 閉じる ...)
        if qt.load(
            QLocale(lang),
            "qtbase",
            "_",
            QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath),
        ):
            self._translators.append(qt)
        for translator in self._translators:
            self.app.installTranslator(translator)

    @Slot(str)
    def _crashed(self, kind: str) -> None:
        window = self.window
        if window is None or self._offering_report:
            return  # one dialog at a time; every exception is in the log anyway
        self._offering_report = True
        try:
            window.offer_crash_report(kind)
        finally:
            self._offering_report = False


def quit_on_termination_signals(app: QApplication) -> None:
    """Ctrl+C in a console, or a scripted stop (SIGTERM), closes the program as the window's
    close button would. Python runs signal handlers only between its own bytecodes, so the
    signal also wakes Qt's event loop through a socket, and the handler runs at once."""
    wake_read, wake_write = socket.socketpair()
    wake_read.setblocking(False)
    wake_write.setblocking(False)
    signal.set_wakeup_fd(wake_write.fileno())
    notifier = QSocketNotifier(wake_read.fileno(), QSocketNotifier.Type.Read, app)
    notifier.activated.connect(lambda: wake_read.recv(64))
    # The sockets live as long as the application.
    app.setProperty("ndnclient_wakeup", (wake_read, wake_write, notifier))
    for number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(number, lambda *_: app.quit())


class _AfterFirstPaint(QObject):
    """Starts `warm_up` on a background thread once the window has been painted: the first
    paint does not wait for the pages' modules, and a page opened later seldom does."""

    def __init__(self, app: QApplication) -> None:
        super().__init__(app)
        self._app = app
        app.installEventFilter(self)

    def eventFilter(self, _watched: QObject, event: QEvent) -> bool:  # Qt's name
        if event.type() == QEvent.Type.Paint:
            self._app.removeEventFilter(self)
            threading.Thread(target=warm_up, name="ndnclient-warm-up", daemon=True).start()
        return False


def run_gui(lang: str | None = None, demo: bool = False) -> int:
    started = time.perf_counter()
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv)
    app.setApplicationName("ndnclient")
    log_dir = log_folder()
    setup_logging(log_dir)
    quit_on_termination_signals(app)
    gui = GuiApplication(app, demo=demo, lang=lang, log_dir=log_dir)
    gui.crash_handler.install()
    window = gui.start()
    _AfterFirstPaint(app)
    window.show()
    log.info(
        "ndnclient %s: the window is up on %s (%s%s), %.0f ms after start",
        ndnclient.__version__,
        app.platformName(),
        gui.lang,
        ", demo" if demo else "",
        (time.perf_counter() - started) * 1000,
    )
    try:
        return app.exec()
    finally:
        gui.crash_handler.uninstall()
        gui.stop()
        log.info("ndnclient closed")


def main() -> None:
    parser = argparse.ArgumentParser(prog="ndnclient-gui")
    parser.add_argument("--demo", action="store_true", help="the in-process virtual card")
    parser.add_argument("--lang", choices=LANGUAGES, default=None)
    args = parser.parse_args()
    if display_missing():  # Qt would abort the process
        from ndnclient.messages import DEFAULT_LANGUAGE, Messages
        from ndnclient.settings.errors import SettingsError

        lang = args.lang
        if lang is None:
            try:
                lang = SettingsService().load()[0].language
            except SettingsError:
                lang = DEFAULT_LANGUAGE
        print(Messages(lang).text("cli.no_display"), file=sys.stderr)
        sys.exit(1)
    sys.exit(run_gui(lang=args.lang or None, demo=args.demo))
