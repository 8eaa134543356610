"""Errors in the GUI: a sentence with its code and remedy for everything a user can meet;
for the unexpected, a log entry with the traceback and a friendly dialog that offers to save
a report. Never a traceback on screen."""

from __future__ import annotations

import logging
import logging.handlers
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QMessageBox, QWidget

log = logging.getLogger(__name__)

LOG_FILE_NAME = "ndnclient.log"
LOG_FILE_BYTES = 1_000_000
LOG_FILE_COUNT = 5


def setup_logging(log_dir: Path) -> Path | None:
    """A rotating log file in the user's log folder (no PIN ever reaches it: the card layer
    logs APDUs only at TRAFFIC level, with PIN data masked, and not into this file).

    A folder that cannot be made or written (a locked-down profile) costs the log, not the
    program: the window still opens. Returns the log file, or None without one."""
    path = log_dir / LOG_FILE_NAME
    try:
        log_dir.mkdir(parents=True, exist_ok=True)
        handler = logging.handlers.RotatingFileHandler(
            path, maxBytes=LOG_FILE_BYTES, backupCount=LOG_FILE_COUNT, encoding="utf-8"
        )
    except OSError as error:
        logging.getLogger(__name__).warning("no log file in %s: %s", log_dir, error)
        return None
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.setLevel(logging.INFO)
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(min(root.level or logging.WARNING, logging.INFO))
    return path


class CrashHandler(QObject):
    """Catches what nothing else caught, on any thread; the dialog shows on the GUI thread."""

    crashed = Signal(str)  # the exception's class name

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._previous_hook = sys.excepthook

    def install(self) -> None:
        sys.excepthook = self._hook
        threading.excepthook = self._thread_hook

    def uninstall(self) -> None:
        sys.excepthook = self._previous_hook
        threading.excepthook = threading.__excepthook__

    def _hook(
        self, kind: type[BaseException], error: BaseException, trace: TracebackType | None
    ) -> None:
        if issubclass(kind, KeyboardInterrupt):
            self._previous_hook(kind, error, trace)
            return
        log.error("unexpected error", exc_info=(kind, error, trace))
        self.crashed.emit(kind.__name__)  # queued to the GUI thread when raised elsewhere

    def _thread_hook(self, arguments: threading.ExceptHookArgs) -> None:
        if arguments.exc_value is None:
            return
        self._hook(arguments.exc_type, arguments.exc_value, arguments.exc_traceback)


def offer_report(parent: QWidget | None, title: str, text: str, save: Callable[[], None]) -> None:
    """The friendly dialog for an unexpected error: what happened, and a way to save a
    report for the helpdesk."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle(title)
    box.setText(text)
    save_button = box.addButton(QMessageBox.StandardButton.Save)
    box.addButton(QMessageBox.StandardButton.Close)
    box.exec()
    if box.clickedButton() is save_button:
        save()
