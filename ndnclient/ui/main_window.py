"""The main window: a navigation list beside the pages."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ndnclient.card.errors import CardChoiceNeededError
from ndnclient.card.status import CardStatus
from ndnclient.settings.notices import Notice
from ndnclient.ui.card_selector import CardSelector
from ndnclient.ui.errors import offer_report
from ndnclient.ui.pages.about import AboutPage
from ndnclient.ui.pages.cert_tools import CertToolsPage
from ndnclient.ui.pages.check import CheckPage
from ndnclient.ui.pages.home import HomePage
from ndnclient.ui.pages.pin import PinPage
from ndnclient.ui.pages.settings import SettingsPage
from ndnclient.ui.pages.urls import UrlsPage
from ndnclient.ui.pages.user_info import UserInfoPage
from ndnclient.ui.services import Services

PAGE_NAMES = ("home", "user_info", "check", "pin", "cert_tools", "urls", "settings", "about")


class MainWindow(QMainWindow):
    def __init__(self, services: Services, notices: tuple[Notice, ...] = ()) -> None:
        super().__init__()
        self.services = services
        self.setWindowTitle(self.tr("GoSign IC-card certificate client (ndnclient)"))
        self.home = HomePage(services, notices)
        self.user_info = UserInfoPage(services)
        self.check = CheckPage(services)
        self.pin = PinPage(services)
        self.cert_tools = CertToolsPage(services)
        self.urls = UrlsPage(services)
        self.settings_page = SettingsPage(services)
        self.about = AboutPage(services)
        pages = (
            (self.tr("Home"), self.home),
            (self.tr("User info settings"), self.user_info),
            (self.tr("Operation check"), self.check),
            (self.tr("PIN"), self.pin),
            (self.tr("Certificate tools"), self.cert_tools),
            (self.tr("Allowed URL list"), self.urls),
            (self.tr("Settings"), self.settings_page),
            (self.tr("About"), self.about),
        )
        self.navigation = QListWidget()
        self.navigation.setAccessibleName(self.tr("Menu"))
        # Roomy rows: the menu is what a first-time user reads first.
        self.navigation.setStyleSheet(
            "QListWidget { font-size: 11pt; } QListWidget::item { padding: 6px 8px; }"
        )
        self.page_list: list[QWidget] = []
        self.pages = QStackedWidget()
        for number, (title, page) in enumerate(pages, start=1):
            item = QListWidgetItem(title)
            item.setToolTip(f"Alt+{number}")
            self.navigation.addItem(item)
            self.page_list.append(page)
            self.pages.addWidget(_scrollable(page))
            # Alt+1 … Alt+8: every page is a keystroke away.
            shortcut = QShortcut(QKeySequence(f"Alt+{number}"), self)
            shortcut.activated.connect(lambda row=number - 1: self.navigation.setCurrentRow(row))
        self.navigation.currentRowChanged.connect(self.pages.setCurrentIndex)
        self.navigation.currentRowChanged.connect(self._page_shown)
        self.home.go_to_user_info.connect(lambda: self.show_page("user_info"))
        self.navigation.setFixedWidth(
            self.navigation.sizeHintForColumn(0) + 2 * self.navigation.frameWidth() + 24
        )
        # Above every page: which card the pages act on, while more than one is inserted.
        self.card_selector = CardSelector(services)
        central = QWidget()
        outer = QVBoxLayout(central)
        outer.addWidget(self.card_selector)
        layout = QHBoxLayout()
        layout.addWidget(self.navigation)
        layout.addWidget(self.pages, 1)
        outer.addLayout(layout, 1)
        self.setCentralWidget(central)
        self.card_state = QLabel()
        self.card_state.setAccessibleName(self.tr("Card state"))
        self.statusBar().addWidget(self.card_state, 1)
        if services.demo is not None:
            self._add_demo_controls()
        services.card.status_read.connect(self._show_card_state)
        if services.card.last_status is not None:
            self._show_card_state(services.card.last_status)
        self.navigation.setCurrentRow(0)
        self.resize(960, 640)

    def offer_crash_report(self, kind: str) -> None:
        """After an unexpected exception (already logged): say so calmly, offer a report."""
        offer_report(
            self,
            self.tr("Unexpected error"),
            self.tr(
                "Something unexpected went wrong (%1). The program goes on; the details"
                " are in the log. Save a report for the helpdesk?"
            ).replace("%1", kind),
            self.about.save_diagnostics,
        )

    def busy(self) -> bool:
        """A PIN command, an operation check or a key generation is running in this window."""
        return self.pin.busy or self.check.running or self.cert_tools.busy

    def show_page(self, name: str) -> None:
        self.navigation.setCurrentRow(PAGE_NAMES.index(name))

    def current_page_name(self) -> str:
        return PAGE_NAMES[max(0, self.navigation.currentRow())]

    def _page_shown(self, row: int) -> None:
        page = self.page_list[row]
        shown = getattr(page, "on_shown", None)
        if callable(shown):
            shown()

    def _show_card_state(self, status: CardStatus) -> None:
        messages = self.services.messages
        if isinstance(status.problem, CardChoiceNeededError):
            self.card_state.setText(
                self.tr("%1 cards inserted: choose the card to use").replace(
                    "%1", str(len(status.problem.cards))
                )
            )
            return
        text = messages.text(status.card_type_key)
        if status.info is not None:
            text += f"  {status.info.card_number_display}"
        self.card_state.setText(text)

    def _add_demo_controls(self) -> None:
        demo = self.services.demo
        if demo is None:
            return
        self.demo_button = QPushButton()
        self.demo_button.setAccessibleName(self.tr("Demo card"))
        # The renewal period for training: the renewed card in a second reader.
        self.demo_renewed_button = QPushButton()
        self.demo_renewed_button.setAccessibleName(self.tr("Demo: renewed card"))

        def label() -> None:
            self.demo_button.setText(
                self.tr("Demo: pull the card out")
                if demo.inserted
                else self.tr("Demo: insert the card")
            )
            self.demo_renewed_button.setText(
                self.tr("Demo: pull the renewed card out")
                if demo.renewed_inserted
                else self.tr("Demo: insert the renewed card")
            )

        def toggle() -> None:
            demo.toggle()
            label()

        def toggle_renewed() -> None:
            demo.toggle_renewed()
            label()

        label()
        self.demo_button.clicked.connect(toggle)
        self.demo_renewed_button.clicked.connect(toggle_renewed)
        self.statusBar().addPermanentWidget(self.demo_button)
        self.statusBar().addPermanentWidget(self.demo_renewed_button)
        self.statusBar().addPermanentWidget(QLabel(self.tr("Demo mode")), 0)
        self.setWindowTitle(self.windowTitle() + " — " + self.tr("Demo mode"))
        self.card_state.setAlignment(Qt.AlignmentFlag.AlignLeft)


def _scrollable(page: QWidget) -> QScrollArea:
    """A page that never gets squeezed: at 150 % scaling or in a small window it scrolls
    instead of cutting off a line of text."""
    area = QScrollArea()
    area.setWidget(page)
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    return area
