"""The main window: a navigation list beside the pages."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QListWidget, QMainWindow, QStackedWidget, QWidget

from ndnclient.card.status import CardStatus
from ndnclient.messages import Messages
from ndnclient.ui.card_bridge import CardBridge
from ndnclient.ui.home import HomePage


class MainWindow(QMainWindow):
    def __init__(self, bridge: CardBridge, messages: Messages) -> None:
        super().__init__()
        t = messages.text
        self.setWindowTitle(t("gui.title"))
        self.bridge = bridge
        self.home = HomePage(messages)
        self.navigation = QListWidget()
        self.navigation.setAccessibleName(t("gui.navigation"))
        self.navigation.addItem(t("gui.home"))
        self.navigation.setMaximumWidth(180)
        self.pages = QStackedWidget()
        self.pages.addWidget(self.home)
        self.navigation.currentRowChanged.connect(self.pages.setCurrentIndex)
        self.navigation.setCurrentRow(0)
        central = QWidget()
        layout = QHBoxLayout(central)
        layout.addWidget(self.navigation)
        layout.addWidget(self.pages, 1)
        self.setCentralWidget(central)
        self.resize(720, 420)
        bridge.status_read.connect(self._show_status)

    def _show_status(self, status: CardStatus) -> None:
        self.home.show_status(status)
