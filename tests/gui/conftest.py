"""GUI fixtures: the whole application on the in-process virtual card, offscreen, with
settings and logs of its own."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QCoreApplication, QEvent
from pytestqt.qtbot import QtBot

from ndnclient.resources import resource_path
from ndnclient.settings.policy import Policy
from ndnclient.settings.service import SettingsService
from ndnclient.simulator.inprocess import VirtualReaderBackend
from ndnclient.ui.app import GuiApplication
from ndnclient.ui.main_window import MainWindow
from ndnclient.ui.services import Services
from tests.gui.window import start_window

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(scope="session", autouse=True)
def translations_built() -> None:
    """The GUI's Japanese comes from the built .qm: build it when the tests run without."""
    source = resource_path("translations", "ndnclient_ja.ts")
    built = resource_path("translations", "ndnclient_ja.qm")
    if source.exists() and (not built.exists() or built.stat().st_mtime < source.stat().st_mtime):
        lrelease = Path(sys.executable).with_name("pyside6-lrelease")
        subprocess.run([str(lrelease), "-silent", str(source), "-qm", str(built)], check=True)


@pytest.fixture(autouse=True)
def qt_objects_end_on_the_gui_thread() -> Iterator[None]:
    """After each test, destroy what it left for deletion and collect its cycles here, on the
    GUI thread: otherwise a later test's background thread may collect them and destroy Qt
    objects on the wrong thread (a crash at random, far from its cause)."""
    yield
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)
    gc.collect()


@dataclass
class Gui:
    app: GuiApplication
    window: MainWindow
    reader: VirtualReaderBackend
    settings_service: SettingsService
    folder: Path


@pytest.fixture
def gui(
    qtbot: QtBot, virtual_reader: Callable[..., VirtualReaderBackend], tmp_path: Path
) -> Iterator[Callable[..., Gui]]:
    """Start the application: `gui(lang="ja", policy=Policy(), **card_options)`."""
    started: list[GuiApplication] = []

    def start(lang: str = "ja", policy: Policy | None = None, **card_options: Any) -> Gui:
        reader = virtual_reader(**card_options)
        app, window, service = start_window(
            qtbot, tmp_path, lambda: reader, lang=lang, policy=policy
        )
        started.append(app)
        return Gui(app, window, reader, service, tmp_path)

    yield start
    for app in started:
        app.stop()


def drain(qtbot: QtBot, services: Services) -> None:
    """Wait until the card thread and the task thread have finished all they were handed so
    far, and their answers have reached the GUI thread: what a test waits for before it says
    that nothing happened (never a fixed time)."""
    finished: list[str] = []
    services.card.run_job(lambda backend: None, lambda _: finished.append("card"))
    services.tasks.run(lambda: None, lambda _: finished.append("tasks"))
    qtbot.waitUntil(lambda: sorted(finished) == ["card", "tasks"], timeout=5000)
