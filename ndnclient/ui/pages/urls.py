"""許可URLリスト: list, add, remove; an entry is checked (and normalised) before it is saved,
and the reason for a refusal sits right under the field. A page's address pasted from the
browser is offered as its site; a removal is asked first."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ndnclient.settings.errors import InvalidValueError
from ndnclient.settings.service import Settings
from ndnclient.ui.services import Services
from ndnclient.ui.widgets import Banner, DeleteKey, FieldNote, ask

URLS_KEY = "urls.allowed"


class UrlsPage(QWidget):
    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        title = QLabel(self.tr("Allowed URL list"))
        title.setStyleSheet("font-size: 16pt; font-weight: bold;")
        intro = QLabel(
            self.tr(
                "The sites (such as the e-bidding system) that may use the IC card. Enter each"
                " site as https://www.example.jp, or paste the address from the browser: the"
                " site's part of it is kept."
            )
        )
        intro.setWordWrap(True)
        self.locked = Banner()
        self.banner = Banner()
        self.list = QListWidget()
        self.list.setAccessibleName(self.tr("Allowed sites"))
        self.list.setStyleSheet("QListWidget::item { padding: 4px; }")
        self.entry = QLineEdit()
        self.entry.setPlaceholderText("https://www.example.jp")
        self.entry.setAccessibleName(self.tr("Site to add"))
        self.entry.returnPressed.connect(self._add)
        self.note = FieldNote()
        self.entry.textEdited.connect(lambda _: self.note.clear_error())
        self.add_button = QPushButton(self.tr("Add"))
        self.add_button.setAccessibleName(self.tr("Add the site"))
        self.add_button.clicked.connect(self._add)
        self.remove_button = QPushButton(self.tr("Remove the selected site"))
        self.remove_button.setAccessibleName(self.remove_button.text())
        self.remove_button.clicked.connect(self._remove)
        self.list.itemSelectionChanged.connect(self._enable_remove)
        # Delete removes the selected site, after the same question as the button.
        self.delete_key = DeleteKey(self.list, self._remove)
        removing = QHBoxLayout()
        removing.addStretch(1)
        removing.addWidget(self.remove_button)
        entry_label = QLabel(self.tr("&Site to add"))
        entry_label.setBuddy(self.entry)
        adding = QHBoxLayout()
        adding.addWidget(entry_label)
        adding.addWidget(self.entry, 1)
        adding.addWidget(self.add_button)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(intro)
        layout.addWidget(self.locked)
        layout.addWidget(self.banner)
        layout.addWidget(self.list, 1)
        layout.addLayout(removing)
        layout.addLayout(adding)
        layout.addWidget(self.note)
        services.settings.changed.connect(self._show)
        self._show(services.settings.current)

    def on_shown(self) -> None:
        """What the page said last time is not news when the user comes back."""
        self.banner.hide()

    def _show(self, settings: Settings) -> None:
        self.list.clear()  # no row stays selected: a second Delete removes nothing more
        self.list.addItems(list(settings.urls_allowed))
        locked = settings.locked(URLS_KEY)
        for widget in (self.entry, self.add_button):
            widget.setEnabled(not locked)
        self._enable_remove()
        if locked:
            self.locked.show_message("info", self.services.locked_sentence(URLS_KEY))
        else:
            self.locked.hide()

    def _enable_remove(self) -> None:
        locked = self.services.settings.current.locked(URLS_KEY)
        self.remove_button.setEnabled(not locked and bool(self.list.selectedItems()))

    def _add(self) -> None:
        self.note.clear_error()
        typed = self.entry.text().strip()
        if not typed:
            self.note.show_error(
                self.services.describe(
                    InvalidValueError("empty", key=URLS_KEY, reason="url_empty", value="")
                )
            )
            self.entry.setFocus()
            return
        self._save(typed, typed)

    def _save(self, typed: str, entry: str) -> None:
        """Add `entry` (what was typed, or the site the user agreed to for it)."""
        service = self.services.settings_service

        def done(result: tuple[Settings, str, bool]) -> None:
            settings, origin, added = result
            self.services.settings.update(settings)
            if self.entry.text().strip() == typed:  # not what was typed meanwhile
                self.entry.clear()
            text = self.tr("%1 was added.") if added else self.tr("%1 is already on the list.")
            self.note.clear_error()
            self.banner.show_message("ok", text.replace("%1", origin))
            self.entry.setFocus()  # ready for the next site

        def failed(error: BaseException) -> None:
            # One message a state: the refusal under the field replaces an earlier success.
            self.banner.hide()
            if isinstance(error, InvalidValueError) and error.reason == "url_has_path":
                self._offer_site(typed, str(error.params["origin"]))
            elif isinstance(error, InvalidValueError):
                self.note.show_error(self.services.describe(error))
                self.entry.setFocus()
            else:
                self.banner.show_message("error", self.services.describe(error))

        self.services.tasks.run(lambda: service.add_url(entry), done, failed, owner=self)

    def _offer_site(self, typed: str, origin: str) -> None:
        """A page's address: show the site that would be saved and let the user agree."""
        agreed = ask(
            self,
            self.tr("Add the site?"),
            self.tr(
                "%1 is the address of a page. The list holds sites, so this would be saved:"
            ).replace("%1", typed)
            + f"\n\n{origin}\n\n"
            + self.tr("Add this site?"),
            default_yes=True,
        )
        if agreed:
            self._save(typed, origin)
        else:
            self.note.show_error(
                self.tr("Nothing was added. Enter the site only, like %1.").replace("%1", origin)
            )
            self.entry.setFocus()

    def _remove(self) -> None:
        items = self.list.selectedItems()
        if not items or self.services.settings.current.locked(URLS_KEY):
            return
        origin = items[0].text()
        if not ask(
            self,
            self.tr("Remove the site?"),
            self.tr(
                "Remove %1 from the allowed URL list? The IC card can then no longer be used"
                " on that site."
            ).replace("%1", origin),
        ):
            return
        service = self.services.settings_service

        def done(result: tuple[Settings, str, bool]) -> None:
            self.services.settings.update(result[0])
            self.note.clear_error()
            self.banner.show_message("ok", self.tr("%1 was removed.").replace("%1", origin))

        self.services.tasks.run(
            lambda: service.remove_url(origin),
            done,
            lambda error: self.banner.show_message("error", self.services.describe(error)),
            owner=self,
        )
