"""許可URLリスト: list, add, remove; an entry is checked (and normalised) before it is saved,
and the reason for a refusal sits right under the field."""

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
from ndnclient.ui.widgets import Banner, FieldNote

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
                " site as https://www.example.jp, without a path."
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
        self.add_button = QPushButton(self.tr("Add"))
        self.add_button.setAccessibleName(self.tr("Add the site"))
        self.add_button.clicked.connect(self._add)
        self.remove_button = QPushButton(self.tr("Remove the selected site"))
        self.remove_button.setAccessibleName(self.remove_button.text())
        self.remove_button.clicked.connect(self._remove)
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

    def _show(self, settings: Settings) -> None:
        self.list.clear()
        self.list.addItems(list(settings.urls_allowed))
        locked = settings.locked(URLS_KEY)
        for widget in (self.entry, self.add_button, self.remove_button):
            widget.setEnabled(not locked)
        if locked:
            self.locked.show_message("info", self.services.locked_sentence(URLS_KEY))
        else:
            self.locked.hide()

    def _add(self) -> None:
        self.note.clear_error()
        typed = self.entry.text().strip()
        if not typed:
            return
        service = self.services.settings_service

        def done(result: tuple[Settings, str, bool]) -> None:
            settings, origin, added = result
            self.services.settings.update(settings)
            if self.entry.text().strip() == typed:  # not what was typed meanwhile
                self.entry.clear()
            text = self.tr("%1 was added.") if added else self.tr("%1 is already on the list.")
            self.banner.show_message("ok", text.replace("%1", origin))

        def failed(error: BaseException) -> None:
            if isinstance(error, InvalidValueError):
                self.note.show_error(self.services.describe(error))
                self.entry.setFocus()
            else:
                self.banner.show_message("error", self.services.describe(error))

        self.services.tasks.run(lambda: service.add_url(typed), done, failed, owner=self)

    def _remove(self) -> None:
        item = self.list.currentItem()
        if item is None:
            return
        origin = item.text()
        service = self.services.settings_service

        def done(result: tuple[Settings, str, bool]) -> None:
            self.services.settings.update(result[0])
            self.banner.show_message("ok", self.tr("%1 was removed.").replace("%1", origin))

        self.services.tasks.run(
            lambda: service.remove_url(origin),
            done,
            lambda error: self.banner.show_message("error", self.services.describe(error)),
            owner=self,
        )
