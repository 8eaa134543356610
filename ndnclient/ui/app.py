"""Starting the GUI: `ndnclient`, `ndnclient gui`, or the `ndnclient-gui` program."""

from __future__ import annotations

import sys
from collections.abc import Callable

from PySide6.QtWidgets import QApplication

from ndnclient.card.connection import ReaderBackend
from ndnclient.messages import DEFAULT_LANGUAGE, Messages
from ndnclient.ui.card_bridge import CardBridge
from ndnclient.ui.main_window import MainWindow


def default_backend() -> ReaderBackend:
    from ndnclient.card.pcsc import PcscBackend

    return PcscBackend()


def build_main_window(
    messages: Messages, backend_factory: Callable[[], ReaderBackend] = default_backend
) -> MainWindow:
    """The window with its card bridge started (the caller stops it: window.bridge.stop())."""
    bridge = CardBridge(backend_factory)
    window = MainWindow(bridge, messages)
    bridge.start()
    return window


def run_gui(lang: str = DEFAULT_LANGUAGE) -> int:
    app = QApplication.instance() or QApplication(sys.argv)
    window = build_main_window(Messages(lang))
    window.show()
    try:
        return app.exec()
    finally:
        window.bridge.stop()


def main() -> None:
    sys.exit(run_gui())
