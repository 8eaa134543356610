"""ユーザ情報設定: the registered cards (number, validity, label); register the inserted card,
edit, remove. Values IT locks are shown read-only with the reason."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ndnclient.card.info import format_card_number
from ndnclient.card.status import CardStatus, today_in_japan
from ndnclient.settings.cards import RegisteredCard, Registration, switching_until
from ndnclient.settings.errors import CardInSwitchingPeriodError, InvalidValueError
from ndnclient.settings.service import Settings
from ndnclient.ui.actions import register_inserted_card
from ndnclient.ui.services import Services
from ndnclient.ui.widgets import Banner, FieldNote

CARDS_KEY = "cards"


class CardEditDialog(QDialog):
    """Edit one registered card: number, validity and label, each checked next to its field."""

    def __init__(
        self, services: Services, card: RegisteredCard | None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.services = services
        self.setWindowTitle(self.tr("Registered card"))
        self.number = QLineEdit(format_card_number(card.card_number) if card else "")
        self.number.setAccessibleName(self.tr("Card number"))
        self.number.setPlaceholderText("0000-0000-0000-0000")
        self.number_note = FieldNote()
        today = today_in_japan()
        self.valid_from = self._date_field(card.valid_from if card else today)
        self.valid_from.setAccessibleName(self.tr("Valid from"))
        self.valid_to = self._date_field(card.valid_to if card else today)
        self.valid_to.setAccessibleName(self.tr("Valid to"))
        self.dates_note = FieldNote()
        self.label = QLineEdit(card.label if card else "")
        self.label.setAccessibleName(self.tr("Label"))
        self.label.setPlaceholderText(self.tr("for example: 2026 renewal"))
        form = QFormLayout()
        form.addRow(self.tr("Card number"), self.number)
        form.addRow("", self.number_note)
        form.addRow(self.tr("Valid from"), self.valid_from)
        form.addRow(self.tr("Valid to"), self.valid_to)
        form.addRow("", self.dates_note)
        form.addRow(self.tr("Label"), self.label)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self._check)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)
        self.result_card: RegisteredCard | None = None

    @staticmethod
    def _date_field(day: date) -> QDateEdit:
        field = QDateEdit(QDate(day.year, day.month, day.day))
        field.setCalendarPopup(True)
        field.setDisplayFormat("yyyy-MM-dd")
        return field

    def _check(self) -> None:
        self.number_note.clear_error()
        self.dates_note.clear_error()
        from_qt, to_qt = self.valid_from.date(), self.valid_to.date()
        entry = {
            "card_number": self.number.text(),
            "valid_from": date(from_qt.year(), from_qt.month(), from_qt.day()).isoformat(),
            "valid_to": date(to_qt.year(), to_qt.month(), to_qt.day()).isoformat(),
            "label": self.label.text(),
        }
        try:
            self.result_card = RegisteredCard.from_json(entry)
        except InvalidValueError as error:
            note = self.number_note if error.reason == "card_number" else self.dates_note
            if error.reason == "card_entry" and entry["valid_to"] < entry["valid_from"]:
                note.show_error(self.tr("The validity ends before it starts."))
            else:
                note.show_error(self.services.describe(error))
            return
        self.accept()


class UserInfoPage(QWidget):
    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.inserted_number: str | None = None
        title = QLabel(self.tr("User info settings"))
        title.setStyleSheet("font-size: 16pt; font-weight: bold;")
        intro = QLabel(
            self.tr(
                "Register the card number and validity of your GoSign IC card. During a renewal's"
                " switching period (30 days) the old and the new card are both registered."
            )
        )
        intro.setWordWrap(True)
        self.banner = Banner()
        self.locked = Banner()
        self.table = QTableWidget(0, 5)
        self.table.setHorizontalHeaderLabels(
            [
                self.tr("Card number"),
                self.tr("Valid from"),
                self.tr("Valid to"),
                self.tr("Label"),
                self.tr("State"),
            ]
        )
        self.table.setAccessibleName(self.tr("Registered cards"))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().hide()
        self.table.doubleClicked.connect(lambda _: self._edit())
        self.register_button = QPushButton(self.tr("Register the inserted card"))
        self.add_button = QPushButton(self.tr("Add by hand…"))
        self.edit_button = QPushButton(self.tr("Edit…"))
        self.remove_button = QPushButton(self.tr("Remove"))
        for button in (self.register_button, self.add_button, self.edit_button, self.remove_button):
            button.setAccessibleName(button.text())
        self.register_button.clicked.connect(self._register)
        self.add_button.clicked.connect(self._add)
        self.edit_button.clicked.connect(self._edit)
        self.remove_button.clicked.connect(self._remove)
        buttons = QHBoxLayout()
        for button in (self.register_button, self.add_button, self.edit_button, self.remove_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(intro)
        layout.addWidget(self.locked)
        layout.addWidget(self.banner)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        services.settings.changed.connect(self._show)
        services.card.status_read.connect(self._card_changed)
        if services.card.last_status is not None:
            self._card_changed(services.card.last_status)
        self._show(services.settings.current)

    # --- showing ----------------------------------------------------------------------------

    def _card_changed(self, status: CardStatus) -> None:
        self.inserted_number = status.info.card_number if status.info else None
        self._show(self.services.settings.current)

    def _show(self, settings: Settings) -> None:
        cards = settings.cards
        self.table.setRowCount(len(cards))
        today = today_in_japan()
        for row, card in enumerate(cards):
            state = []
            if card.card_number == self.inserted_number:
                state.append(self.tr("In the reader"))
            until = switching_until(card, cards)
            if until is not None and today <= until:
                state.append(self.tr("Switching period until %1").replace("%1", str(until)))
            if card.expired(today):
                state.append(self.tr("Expired"))
            for column, text in enumerate(
                (
                    format_card_number(card.card_number),
                    str(card.valid_from),
                    str(card.valid_to),
                    card.label,
                    " / ".join(state),
                )
            ):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, card.card_number)
                self.table.setItem(row, column, item)
        locked = settings.locked(CARDS_KEY)
        if locked:
            self.locked.show_message("info", self.services.locked_sentence(CARDS_KEY))
        else:
            self.locked.hide()
        for button in (self.register_button, self.add_button, self.edit_button, self.remove_button):
            button.setEnabled(not locked)

    def _selected(self) -> RegisteredCard | None:
        row = self.table.currentRow()
        if row < 0:
            return None
        item = self.table.item(row, 0)
        number = item.data(Qt.ItemDataRole.UserRole) if item else None
        return next(
            (c for c in self.services.settings.current.cards if c.card_number == number), None
        )

    # --- changing ---------------------------------------------------------------------------

    def _register(self) -> None:
        self.register_button.setEnabled(False)

        def done(registration: Registration) -> None:
            self.register_button.setEnabled(True)
            text = self.tr("Card %1 is registered.").replace(
                "%1", format_card_number(registration.card.card_number)
            )
            if registration.removed:
                text += " " + self.tr("Entries whose validity has ended were removed: %1").replace(
                    "%1", ", ".join(format_card_number(c.card_number) for c in registration.removed)
                )
            self.banner.show_message("ok", text)

        register_inserted_card(self.services, self, done, self._failed)

    def _add(self) -> None:
        dialog = CardEditDialog(self.services, None, self)
        if dialog.exec() and dialog.result_card is not None:
            new = dialog.result_card
            self._put_card(
                new,
                None,
                self.tr("Card %1 is registered.").replace(
                    "%1", format_card_number(new.card_number)
                ),
            )

    def _edit(self) -> None:
        card = self._selected()
        if card is None or self.services.settings.current.locked(CARDS_KEY):
            return
        dialog = CardEditDialog(self.services, card, self)
        if dialog.exec() and dialog.result_card is not None:
            self._put_card(
                dialog.result_card, card.card_number, self.tr("The card's entry is saved.")
            )

    def _remove(self, force: bool = False) -> None:
        card = self._selected()
        if card is None:
            return
        service = self.services.settings_service

        def work() -> Settings:
            return service.unregister_card(card.card_number, today_in_japan(), force=force)

        def done(settings: Settings) -> None:
            self.services.settings.update(settings)
            self.banner.show_message(
                "ok",
                self.tr("Card %1's entry is removed.").replace(
                    "%1", format_card_number(card.card_number)
                ),
            )

        def failed(error: BaseException) -> None:
            if isinstance(error, CardInSwitchingPeriodError) and not force:
                answer = QMessageBox.question(
                    self,
                    self.tr("Remove during the switching period?"),
                    self.services.describe(error)
                    + "\n\n"
                    + self.tr(
                        "Remove the entry anyway? Do this only if the old card was lost or"
                        " can no longer be used."
                    ),
                    QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                    QMessageBox.StandardButton.No,
                )
                if answer == QMessageBox.StandardButton.Yes:
                    self._remove(force=True)
                return
            self._failed(error)

        self.services.tasks.run(work, done, failed, owner=self)

    def _put_card(self, card: RegisteredCard, replacing: str | None, success: str) -> None:
        service = self.services.settings_service

        def done(settings: Settings) -> None:
            self.services.settings.update(settings)
            self.banner.show_message("ok", success)

        self.services.tasks.run(
            lambda: service.put_card(card, replacing=replacing), done, self._failed, owner=self
        )

    def _failed(self, error: BaseException) -> None:
        self.register_button.setEnabled(not self.services.settings.current.locked(CARDS_KEY))
        self.banner.show_message("error", self.services.describe(error))
