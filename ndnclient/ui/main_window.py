"""The main window: a navigation list beside the pages.

Only the home page is built with the window; every other page is built the first time it is
shown (or asked for), so that the window paints without loading the operation check's ldap3,
the certificate tools' cryptography or the keyring first. `warm_up` loads those modules on a
background thread after the first paint, so that opening a page then costs only its widgets.
"""

from __future__ import annotations

import importlib
import logging
from pathlib import Path
from typing import TYPE_CHECKING, cast

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices, QIcon, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ndnclient.card.errors import CardChoiceNeededError
from ndnclient.card.status import CardStatus
from ndnclient.resources import resource_path
from ndnclient.settings.notices import Notice
from ndnclient.ui.card_selector import CardSelector
from ndnclient.ui.errors import offer_report
from ndnclient.ui.pages.home import HomePage
from ndnclient.ui.services import Services

if TYPE_CHECKING:
    from ndnclient.diagnostics.report import CheckReport
    from ndnclient.ui.pages.about import AboutPage
    from ndnclient.ui.pages.cert_tools import CertToolsPage
    from ndnclient.ui.pages.check import CheckPage
    from ndnclient.ui.pages.ledger import LedgerPage
    from ndnclient.ui.pages.pin import PinPage
    from ndnclient.ui.pages.settings import SettingsPage
    from ndnclient.ui.pages.urls import UrlsPage
    from ndnclient.ui.pages.user_info import UserInfoPage

log = logging.getLogger(__name__)

ICON_SIZES = (16, 32, 48, 256)


def application_icon() -> QIcon:
    """The application's icon (resources/icons, made by scripts/build-icons.py), every size."""
    icon = QIcon()
    for size in ICON_SIZES:
        icon.addFile(str(resource_path("icons", f"ndnclient-{size}.png")))
    return icon


def user_guide_path() -> Path:
    """The user guide (取扱説明書) as HTML, bundled in resources/guide (scripts/build-guide.py)."""
    return resource_path("guide", "index.html")


PAGE_NAMES = (
    "home",
    "user_info",
    "check",
    "pin",
    "cert_tools",
    "urls",
    "ledger",
    "settings",
    "about",
)
# Where each page built on first use lives: module and class.
LATER_PAGES = {
    "user_info": ("ndnclient.ui.pages.user_info", "UserInfoPage"),
    "check": ("ndnclient.ui.pages.check", "CheckPage"),
    "pin": ("ndnclient.ui.pages.pin", "PinPage"),
    "cert_tools": ("ndnclient.ui.pages.cert_tools", "CertToolsPage"),
    "urls": ("ndnclient.ui.pages.urls", "UrlsPage"),
    "ledger": ("ndnclient.ui.pages.ledger", "LedgerPage"),
    "settings": ("ndnclient.ui.pages.settings", "SettingsPage"),
    "about": ("ndnclient.ui.pages.about", "AboutPage"),
}


def warm_up() -> None:
    """Import the later pages' modules (and so the operation check, the certificate tools,
    the keyring ...). For a background thread after the first paint: importing is not
    touching widgets, and Python's import lock keeps it safe beside the GUI thread. A module
    that fails here is only logged: its page says what is wrong when it is opened."""
    for module, _ in LATER_PAGES.values():
        try:
            importlib.import_module(module)
        except Exception:
            log.warning("preparing %s failed; its page will try again", module, exc_info=True)
    try:
        # The OS's name for reports: on Windows a program start (cmd /c ver), done here once
        # rather than on the GUI thread when the helpdesk text is copied.
        importlib.import_module("ndnclient.diagnostics.report").os_name()
    except Exception:
        log.warning("reading the OS's name failed", exc_info=True)


class MainWindow(QMainWindow):
    def __init__(self, services: Services, notices: tuple[Notice, ...] = ()) -> None:
        super().__init__()
        self.services = services
        self.setWindowTitle(self.tr("GoSign IC-card certificate client (ndnclient)"))
        self.home = HomePage(services, notices)
        self._built: dict[str, QWidget] = {"home": self.home}
        titles = (
            self.tr("Home"),
            self.tr("User info settings"),
            self.tr("Operation check"),
            self.tr("PIN"),
            self.tr("Certificate tools"),
            self.tr("Allowed URL list"),
            self.tr("Card lending ledger"),
            self.tr("Settings"),
            self.tr("About"),
        )
        self.navigation = QListWidget()
        self.navigation.setAccessibleName(self.tr("Menu"))
        # Roomy rows: the menu is what a first-time user reads first.
        self.navigation.setStyleSheet(
            "QListWidget { font-size: 11pt; } QListWidget::item { padding: 6px 8px; }"
        )
        self.pages = QStackedWidget()
        # One scroll area a page, filled when the page is first built; above it the page's
        # title, lifted out of the page so that it stays in view while the page scrolls.
        self._areas: list[QScrollArea] = []
        self._title_slots: list[QVBoxLayout] = []
        for number, title in enumerate(titles, start=1):
            item = QListWidgetItem(title)
            item.setToolTip(f"Alt+{number}")
            self.navigation.addItem(item)
            area = _scrollable()
            self._areas.append(area)
            frame = QWidget()
            column = QVBoxLayout(frame)
            column.setContentsMargins(0, 0, 0, 0)
            column.setSpacing(0)
            title_slot = QVBoxLayout()
            # The page's own margins, so that the title lines up with the page below it.
            title_slot.setContentsMargins(9, 9, 9, 0)
            self._title_slots.append(title_slot)
            column.addLayout(title_slot)
            column.addWidget(area, 1)
            self.pages.addWidget(frame)
            # Alt+1 … Alt+9: every page is a keystroke away.
            shortcut = QShortcut(QKeySequence(f"Alt+{number}"), self)
            shortcut.activated.connect(lambda row=number - 1: self.navigation.setCurrentRow(row))
        self.navigation.currentRowChanged.connect(self.pages.setCurrentIndex)
        self.navigation.currentRowChanged.connect(self._page_shown)
        self.home.open_page.connect(self.show_page)
        self.navigation.setFixedWidth(
            self.navigation.sizeHintForColumn(0) + 2 * self.navigation.frameWidth() + 24
        )
        # Above every page: which card the pages act on, while more than one is inserted.
        self.card_selector = CardSelector(services)
        # The user guide, offline: under the menu, and F1 as in other Windows programs.
        self.guide_button = QPushButton(self.tr("User guide"))
        self.guide_button.setAccessibleName(self.tr("Open the user guide"))
        self.guide_button.setToolTip("F1")
        self.guide_button.clicked.connect(self.open_user_guide)
        QShortcut(QKeySequence(QKeySequence.StandardKey.HelpContents), self).activated.connect(
            self.open_user_guide
        )
        side = QVBoxLayout()
        side.addWidget(self.navigation, 1)
        side.addWidget(self.guide_button)
        central = QWidget()
        outer = QVBoxLayout(central)
        outer.addWidget(self.card_selector)
        layout = QHBoxLayout()
        layout.addLayout(side)
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
        self._place(0, self.home)
        self.navigation.setCurrentRow(0)
        self.resize(960, 640)

    # --- the pages ------------------------------------------------------------------------------

    def page(self, name: str) -> QWidget:
        """The page `name`, built now if it has not been yet."""
        built = self._built.get(name)
        if built is not None:
            return built
        module, class_name = LATER_PAGES[name]
        page_class = getattr(importlib.import_module(module), class_name)
        page: QWidget = page_class(self.services)
        self._built[name] = page
        opener = getattr(page, "open_page", None)  # a page's "open the X page" button
        if opener is not None:
            opener.connect(self.show_page)
        self._place(PAGE_NAMES.index(name), page)
        return page

    def _place(self, index: int, page: QWidget) -> None:
        """Put a page in its scroll area, its title (the first widget of its layout, a label
        in the pages' title style) fixed above it."""
        layout = page.layout()
        item = layout.itemAt(0) if layout is not None else None
        first = item.widget() if item is not None else None
        if layout is not None and isinstance(first, QLabel) and "16pt" in first.styleSheet():
            layout.removeWidget(first)
            self._title_slots[index].addWidget(first)
        self._areas[index].setWidget(page)

    @property
    def user_info(self) -> UserInfoPage:
        return cast("UserInfoPage", self.page("user_info"))

    @property
    def check(self) -> CheckPage:
        return cast("CheckPage", self.page("check"))

    @property
    def pin(self) -> PinPage:
        return cast("PinPage", self.page("pin"))

    @property
    def cert_tools(self) -> CertToolsPage:
        return cast("CertToolsPage", self.page("cert_tools"))

    @property
    def urls(self) -> UrlsPage:
        return cast("UrlsPage", self.page("urls"))

    @property
    def ledger(self) -> LedgerPage:
        return cast("LedgerPage", self.page("ledger"))

    @property
    def settings_page(self) -> SettingsPage:
        return cast("SettingsPage", self.page("settings"))

    @property
    def about(self) -> AboutPage:
        return cast("AboutPage", self.page("about"))

    def offer_crash_report(self, kind: str) -> None:
        """After an unexpected exception (already logged): say so calmly, offer a report."""
        offer_report(
            self,
            self.tr("Unexpected error"),
            self.tr(
                "Something unexpected went wrong (%1). The program goes on; the details"
                " are in the log. Save a report for the helpdesk?"
            ).replace("%1", kind),
            # Built only if the user says yes: the dialog must not depend on another page.
            lambda: self.about.save_diagnostics(),
        )

    def busy(self) -> bool:
        """A PIN command, an operation check or a key generation is running in this window
        (a page not built yet runs nothing)."""
        built = self._built
        return (
            ("pin" in built and self.pin.busy)
            or ("check" in built and self.check.running)
            or ("cert_tools" in built and self.cert_tools.busy)
        )

    def show_page(self, name: str) -> None:
        self.navigation.setCurrentRow(PAGE_NAMES.index(name))

    def carry_over(self, old: MainWindow) -> None:
        """What the window rebuilt for another language keeps of the old one: the last
        operation check's results (shown again in the new language)."""
        earlier = old._built.get("check")
        if earlier is not None:
            self.check.carry_results_from(cast("CheckPage", earlier))
            self.home.show_check_report(self._last_check_report())  # the first-day guide

    def current_page_name(self) -> str:
        return PAGE_NAMES[max(0, self.navigation.currentRow())]

    def open_user_guide(self) -> None:
        """Open the bundled user guide in the PC's browser (no network needed)."""
        path = user_guide_path()
        if path.is_file() and QDesktopServices.openUrl(QUrl.fromLocalFile(str(path))):
            return
        QMessageBox.information(
            self,
            self.tr("User guide"),
            self.tr(
                "The user guide could not be opened. It is the file %1; open it in a web"
                " browser, or ask the helpdesk."
            ).replace("%1", str(path)),
        )

    def _last_check_report(self) -> CheckReport | None:
        """The report of this session's last operation check, if the check page has one."""
        page = self._built.get("check")
        return cast("CheckPage", page).report if page is not None else None

    def _page_shown(self, row: int) -> None:
        if PAGE_NAMES[max(0, row)] == "home":
            self.home.show_check_report(self._last_check_report())
        page = self.page(PAGE_NAMES[max(0, row)])
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


def _scrollable() -> QScrollArea:
    """Where a page goes, so that it never gets squeezed: at 150 % scaling or in a small
    window it scrolls instead of cutting off a line of text."""
    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    return area
