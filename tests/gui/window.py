"""The whole window started for a test: its own settings and logs in a temporary folder, on
the card backend the test gives (the in-process virtual card, or the real pcscd)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from ndnclient.card.connection import ReaderBackend
from ndnclient.settings.policy import Policy
from ndnclient.settings.service import SettingsService
from ndnclient.settings.store import SettingsStore
from ndnclient.ui.app import GuiApplication
from ndnclient.ui.main_window import MainWindow


def start_window(
    qtbot: QtBot,
    folder: Path,
    backend_factory: Callable[[], ReaderBackend],
    *,
    lang: str = "ja",
    policy: Policy | None = None,
) -> tuple[GuiApplication, MainWindow, SettingsService]:
    """Start the application and show its window; the caller stops the application."""
    service = SettingsService(SettingsStore(folder / "config"), policy or Policy())
    qapp = QApplication.instance()
    assert isinstance(qapp, QApplication)
    app = GuiApplication(
        qapp,
        lang=lang,
        backend_factory=backend_factory,
        settings_service=service,
        log_dir=folder / "logs",
    )
    window = app.start()
    qtbot.addWidget(window)
    window.show()
    return app, window, service
