"""設定: the verification method (with a sentence on what each means), the LDAP repository,
the proxy (its password goes to the keyring, never to the settings file), the language.
A value IT locks is shown read-only with the reason; an error sits next to its field."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from ndnclient.settings import secrets
from ndnclient.settings.errors import SettingsError
from ndnclient.settings.service import Settings
from ndnclient.ui.services import Services
from ndnclient.ui.widgets import Banner, FieldNote, empty_secret, scrolling, secret_field

LANGUAGES = (("ja", "日本語"), ("en", "English"))


class SettingsPage(QWidget):
    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        title = QLabel(self.tr("Settings"))
        title.setStyleSheet("font-size: 16pt; font-weight: bold;")
        self.banner = Banner()
        self.locked = Banner()

        method = QGroupBox(self.tr("Signature verification method"))
        self.ldap_method = QRadioButton(self.tr("LDAP method"))
        self.multitrust_method = QRadioButton(self.tr("Multi-trust method"))
        self.methods = QButtonGroup(self)
        self.methods.addButton(self.ldap_method)
        self.methods.addButton(self.multitrust_method)
        ldap_note = QLabel(
            self.tr(
                "The certificate is checked against the CA's revocation lists, fetched over LDAP."
                " The network must let LDAP through to the CA's repository."
            )
        )
        multitrust_note = QLabel(
            self.tr(
                "The e-bidding system checks the certificate itself; this PC does not use LDAP."
                " LDAP errors (G04) can then be ignored."
            )
        )
        for note in (ldap_note, multitrust_note):
            note.setWordWrap(True)
            note.setStyleSheet("color: #5f6368; margin-left: 1.5em;")
        method_layout = QVBoxLayout(method)
        method_layout.addWidget(self.ldap_method)
        method_layout.addWidget(ldap_note)
        method_layout.addWidget(self.multitrust_method)
        method_layout.addWidget(multitrust_note)

        repository = QGroupBox(self.tr("LDAP repository"))
        self.ldap_url = QLineEdit()
        self.ldap_url.setPlaceholderText("ldap://repository.example.jp:389/o=...,c=JP")
        self.ldap_url.setAccessibleName(self.tr("LDAP repository URL"))
        self.ldap_url_note = FieldNote()
        self.connect_timeout = self._seconds_field(60)
        self.connect_timeout.setAccessibleName(self.tr("Connection time limit (seconds)"))
        self.receive_timeout = self._seconds_field(120)
        self.receive_timeout.setAccessibleName(self.tr("Answer time limit (seconds)"))
        repository_form = QFormLayout(repository)
        # A note sits in its field's column: a hidden one takes no room (an empty row would).
        repository_form.addRow(self.tr("URL"), _with_note(self.ldap_url, self.ldap_url_note))
        repository_form.addRow(self.tr("Connection time limit (seconds)"), self.connect_timeout)
        repository_form.addRow(self.tr("Answer time limit (seconds)"), self.receive_timeout)

        proxy = QGroupBox(self.tr("Proxy"))
        self.proxy_url = QLineEdit()
        self.proxy_url.setPlaceholderText("http://proxy.example.lg.jp:8080")
        self.proxy_url.setAccessibleName(self.tr("Proxy URL"))
        self.proxy_url_note = FieldNote()
        self.proxy_password = secret_field(self.tr("Proxy password"))
        self.proxy_password_note = FieldNote()
        self.save_password = QPushButton(self.tr("Store the password"))
        self.save_password.clicked.connect(self._store_password)
        self.clear_password = QPushButton(self.tr("Remove the stored password"))
        self.clear_password.clicked.connect(self._clear_password)
        password_row = QHBoxLayout()
        password_row.addWidget(self.proxy_password, 1)
        password_row.addWidget(self.save_password)
        password_row.addWidget(self.clear_password)
        proxy_form = QFormLayout(proxy)
        proxy_form.addRow(self.tr("URL"), _with_note(self.proxy_url, self.proxy_url_note))
        password_column = QVBoxLayout()
        password_column.addLayout(password_row)
        password_column.addWidget(self.proxy_password_note)
        proxy_form.addRow(self.tr("Password"), password_column)
        proxy_form.addRow(
            "",
            QLabel(
                self.tr(
                    "The password is kept in Windows' credential manager,"
                    " never in the settings file."
                )
            ),
        )

        self.save_button = QPushButton(self.tr("Save"))
        self.save_button.setAccessibleName(self.tr("Save the settings"))
        self.save_button.clicked.connect(self._save)

        language = QGroupBox(self.tr("Language"))
        self.language = _WheelWhenFocusedComboBox()
        self.language.setAccessibleName(self.tr("Language"))
        for code, name in LANGUAGES:
            self.language.addItem(name, code)
        # Applied only by the button: a combo box also turns with the wheel or the arrow keys.
        self.language_button = QPushButton(self.tr("Switch the language"))
        self.language_button.clicked.connect(self._switch_language)
        language_row = QHBoxLayout(language)
        language_row.addWidget(self.language, 1)
        language_row.addWidget(self.language_button)
        for field in (self.language, self.connect_timeout, self.receive_timeout):
            field.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # not focused by the wheel

        # The title and the banners stay in view; the groups below scroll (one scroll area).
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(method)
        layout.addWidget(repository)
        layout.addWidget(proxy)
        save_row = QHBoxLayout()
        save_row.addStretch(1)
        save_row.addWidget(self.save_button)
        layout.addLayout(save_row)
        layout.addWidget(language)
        layout.addStretch(1)
        page = QVBoxLayout(self)
        page.addWidget(title)
        page.addWidget(self.locked)
        page.addWidget(self.banner)
        page.addWidget(scrolling(body), 1)
        # An edit makes its field's note and the last "saved" stale.
        # (Signals of the user's own edits only: what _show puts in must not count.)
        self.ldap_url.textEdited.connect(lambda _: self._edited(self.ldap_url_note))
        self.proxy_url.textEdited.connect(lambda _: self._edited(self.proxy_url_note))
        self.proxy_password.textEdited.connect(lambda _: self._edited(self.proxy_password_note))
        self.methods.buttonClicked.connect(lambda _: self._edited(None))
        self.fields: dict[str, list[QWidget]] = {
            "verification_method": [self.ldap_method, self.multitrust_method],
            "ldap.url": [self.ldap_url],
            "ldap.connect_timeout": [self.connect_timeout],
            "ldap.receive_timeout": [self.receive_timeout],
            "proxy.url": [self.proxy_url],
            "language": [self.language, self.language_button],
        }
        self.notes: dict[str, FieldNote] = {
            "ldap.url": self.ldap_url_note,
            "proxy.url": self.proxy_url_note,
        }
        # What _show last put in each field: a field that still holds it is untouched and
        # follows the settings; one the user changed keeps the change until it is saved.
        self._displayed: dict[str, Any] = {}
        services.settings.changed.connect(self._show)
        self._show(services.settings.current)

    def on_shown(self) -> None:
        """What the page said last time is not news when the user comes back."""
        self.banner.hide()

    def _edited(self, note: FieldNote | None) -> None:
        if note is not None:
            note.clear_error()
        if self.banner.kind in ("ok", "info"):
            self.banner.hide()

    @staticmethod
    def _seconds_field(maximum: float) -> QDoubleSpinBox:
        field = _WheelWhenFocusedSpinBox()
        field.setRange(0.5, maximum)
        field.setDecimals(1)
        field.setSingleStep(0.5)
        return field

    # --- showing ----------------------------------------------------------------------------

    def _on_screen(self) -> dict[str, Any]:
        return {
            "verification_method": "multitrust" if self.multitrust_method.isChecked() else "ldap",
            "ldap.url": self.ldap_url.text().strip(),
            "ldap.connect_timeout": self.connect_timeout.value(),
            "ldap.receive_timeout": self.receive_timeout.value(),
            "proxy.url": self.proxy_url.text().strip() or None,
            "language": self.language.currentData(),
        }

    def _put(self, key: str, value: Any) -> None:
        if key == "verification_method":
            (self.multitrust_method if value == "multitrust" else self.ldap_method).setChecked(True)
        elif key == "ldap.url":
            self.ldap_url.setText(value)
        elif key == "ldap.connect_timeout":
            self.connect_timeout.setValue(value)
        elif key == "ldap.receive_timeout":
            self.receive_timeout.setValue(value)
        elif key == "proxy.url":
            self.proxy_url.setText(value or "")
        elif key == "language":
            self.language.setCurrentIndex(max(0, self.language.findData(value)))

    def unsaved_changes(self) -> list[str]:
        """The keys whose fields the user changed and has not saved."""
        on_screen = self._on_screen()
        return [
            key
            for key, shown in self._displayed.items()
            if key != "language" and on_screen[key] != shown
        ]

    def _show(self, settings: Settings) -> None:
        on_screen = self._on_screen()
        for key in on_screen:
            value = settings.values[key]
            untouched = key not in self._displayed or on_screen[key] == self._displayed[key]
            if untouched or settings.locked(key):
                self._put(key, value)
                self._displayed[key] = self._on_screen()[key]
        locked = [key for key in self.fields if settings.locked(key)]
        for key, widgets in self.fields.items():
            for widget in widgets:
                widget.setEnabled(key not in locked)
                widget.setToolTip(self.services.locked_sentence(key) if key in locked else "")
        if locked:
            self.locked.show_message(
                "info", " ".join(self.services.locked_sentence(key) for key in locked)
            )
        else:
            self.locked.hide()

    def _wanted(self) -> dict[str, Any]:
        """The values on screen that differ from those in force and may be changed."""
        settings = self.services.settings.current
        on_screen = self._on_screen()
        del on_screen["language"]  # switched by its own button
        return {
            key: value
            for key, value in on_screen.items()
            if value != settings.values[key] and not settings.locked(key)
        }

    # --- saving -----------------------------------------------------------------------------

    def _save(self) -> None:
        for note in self.notes.values():
            note.clear_error()
        wanted = self._wanted()
        if not wanted:
            self.banner.show_message("info", self.tr("Nothing was changed."))
            return
        service = self.services.settings_service

        def work() -> tuple[Settings, dict[str, SettingsError]]:
            errors: dict[str, SettingsError] = {}
            for key, value in wanted.items():
                try:
                    service.set(key, value)
                except SettingsError as error:
                    errors[key] = error
            return service.load()[0], errors

        def done(result: tuple[Settings, dict[str, SettingsError]]) -> None:
            settings, errors = result
            on_screen = {
                key: widget.text()
                for key, widget in (("ldap.url", self.ldap_url), ("proxy.url", self.proxy_url))
            }
            # Saved fields follow the settings again; refused ones keep what was typed.
            for key in wanted:
                self._displayed.pop(key, None)
            self.services.settings.update(settings)
            for key, error in errors.items():
                # Keep what the user typed next to the sentence that says what is wrong.
                if key in on_screen:
                    (self.ldap_url if key == "ldap.url" else self.proxy_url).setText(on_screen[key])
                note = self.notes.get(key)
                if note is not None:
                    note.show_error(self.services.describe(error))
            if errors:
                if not any(key in self.notes for key in errors):
                    self.banner.show_message(
                        "error", " ".join(self.services.describe(e) for e in errors.values())
                    )
                else:
                    self.banner.hide()
            else:
                self.banner.show_message("ok", self.tr("The settings are saved."))

        self.services.tasks.run(work, done, self._failed, owner=self)

    def _switch_language(self) -> None:
        lang = str(self.language.currentData())
        if lang == self.services.lang:
            return
        if self.unsaved_changes() and not self._confirm_discard():
            return
        service = self.services.settings_service

        def done(settings: Settings) -> None:
            self.services.settings.update(settings)
            if not self.services.change_language(lang):
                self.banner.show_message(
                    "info",
                    self.tr(
                        "The language changes as soon as the running PIN command or"
                        " operation check ends."
                    ),
                )

        self.services.tasks.run(
            lambda: service.set("language", lang), done, self._failed, owner=self
        )

    def _confirm_discard(self) -> bool:
        answer = QMessageBox.question(
            self,
            self.tr("Unsaved changes"),
            self.tr(
                "Some settings on this page are changed but not saved. Switching the language"
                " rebuilds the window and drops those changes. Switch anyway?"
            ),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        return answer == QMessageBox.StandardButton.Yes

    def _store_password(self) -> None:
        self.proxy_password_note.clear_error()
        proxy = self.services.settings.current.proxy_url
        password = self.proxy_password.text()
        empty_secret(self.proxy_password)  # never kept on screen
        if proxy is None:
            # The catalogue's sentence names a command; in the window, the button is the way.
            self.proxy_password_note.show_error(
                self.tr("Enter the proxy URL and press Save first, then store its password.")
            )
            self.proxy_url.setFocus()
            return
        if not password:
            self.proxy_password_note.show_error(
                self.services.messages.text("settings.empty_password")
            )
            return

        def done(_: None) -> None:
            self.banner.show_message(
                "ok", self.services.messages.text("settings.proxy_password_saved")
            )

        self.services.tasks.run(
            lambda: secrets.set_proxy_password(proxy, password), done, self._failed, owner=self
        )

    def _clear_password(self) -> None:
        proxy = self.services.settings.current.proxy_url
        if proxy is None:
            return
        answer = QMessageBox.question(
            self,
            self.tr("Remove the stored password?"),
            self.tr(
                "Remove the stored password of the proxy %1? Until it is stored again, the"
                " connections through the proxy may be refused."
            ).replace("%1", proxy),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        if answer != QMessageBox.StandardButton.Yes:
            return

        def done(removed: bool) -> None:
            key = "settings.proxy_password_cleared" if removed else "settings.proxy_password_none"
            self.banner.show_message("ok", self.services.messages.text(key))

        self.services.tasks.run(
            lambda: secrets.delete_proxy_password(proxy), done, self._failed, owner=self
        )

    def _failed(self, error: BaseException) -> None:
        self.banner.show_message("error", self.services.describe(error))


def _with_note(field: QWidget, note: FieldNote) -> QVBoxLayout:
    column = QVBoxLayout()
    column.addWidget(field)
    column.addWidget(note)
    return column


# The mouse wheel turns these only once the user has clicked or tabbed into one; scrolling
# the page over them leaves the value alone (an ignored wheel event goes to the page).
class _WheelWhenFocusedComboBox(QComboBox):
    def wheelEvent(self, event: QWheelEvent) -> None:
        if self.hasFocus():
            super().wheelEvent(event)
        else:
            event.ignore()


class _WheelWhenFocusedSpinBox(QDoubleSpinBox):
    def wheelEvent(self, event: QWheelEvent) -> None:
        if self.hasFocus():
            super().wheelEvent(event)
        else:
            event.ignore()
