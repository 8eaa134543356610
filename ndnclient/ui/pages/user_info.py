"""ユーザ情報設定: the registered cards (number, validity, label); register the inserted card,
edit, remove. Values IT locks are shown read-only with the reason."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
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

from ndnclient.card.info import CardInfo, format_card_number
from ndnclient.card.status import CardStatus, today_in_japan
from ndnclient.dates import DateInputError, parse_date
from ndnclient.settings.cards import RegisteredCard, Registration, switching_until
from ndnclient.settings.errors import CardInSwitchingPeriodError, InvalidValueError
from ndnclient.settings.service import Settings
from ndnclient.ui.actions import register_inserted_card
from ndnclient.ui.services import Services
from ndnclient.ui.widgets import Banner, DeleteKey, FieldNote

CARDS_KEY = "cards"


# A GoSign card is valid for years: a validity shorter than this is most likely a typo.
SHORT_VALIDITY_DAYS = 365


def _readable_date(text: str) -> bool:
    try:
        parse_date(text)
    except DateInputError:
        return False
    return True


def _column(*widgets: QWidget) -> QVBoxLayout:
    column = QVBoxLayout()
    for widget in widgets:
        column.addWidget(widget)
    return column


class CardEditDialog(QDialog):
    """Edit one registered card: number, validity and label, each checked next to its field.

    A new card starts with empty dates (or the inserted card's own, when it is the one being
    added): a default such as today would register a card valid for one day."""

    def __init__(
        self,
        services: Services,
        card: RegisteredCard | None,
        parent: QWidget | None = None,
        inserted: CardInfo | None = None,
    ) -> None:
        super().__init__(parent)
        self.services = services
        self.original = card
        self.setWindowTitle(self.tr("Registered card"))
        number = card.card_number if card else (inserted.card_number if inserted else "")
        self.number = QLineEdit(format_card_number(number) if number else "")
        self.number.setAccessibleName(self.tr("Card number"))
        self.number.setPlaceholderText("0000-0000-0000-0000")
        self.number_note = FieldNote()
        valid_from = card.valid_from if card else (inserted.valid_from if inserted else None)
        valid_to = card.valid_to if card else (inserted.valid_to if inserted else None)
        self.valid_from = self._date_field(valid_from, self.tr("Valid from"))
        self.valid_to = self._date_field(valid_to, self.tr("Valid to"))
        self.dates_note = FieldNote()
        self.dates_help = QLabel(
            self.tr(
                "As printed on the card's notice, for example 2027-04-30, 2027/04/30 or"
                " R9.4.30. Register the inserted card to have them read from the card."
            )
        )
        self.dates_help.setWordWrap(True)
        self.dates_help.setStyleSheet("color: #5f6368;")
        self.label = QLineEdit(card.label if card else "")
        self.label.setAccessibleName(self.tr("Label"))
        self.label.setPlaceholderText(self.tr("for example: 2026 renewal"))
        # Wide enough for a whole card number and a date, whatever the font and the scale.
        metrics = self.number.fontMetrics()
        field_width = (
            metrics.horizontalAdvance("0000-0000-0000-0000") + 8 * metrics.averageCharWidth()
        )
        for field in (self.number, self.valid_from, self.valid_to, self.label):
            field.setMinimumWidth(field_width)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        # A note sits in its field's column: a hidden one takes no room (an empty form row would).
        form.addRow(self.tr("Card number"), _column(self.number, self.number_note))
        form.addRow(self.tr("Valid from"), self.valid_from)
        form.addRow(self.tr("Valid to"), _column(self.valid_to, self.dates_help, self.dates_note))
        form.addRow(self.tr("Label"), self.label)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self._check)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)
        # Room for the labels, the fields and two lines of a note; it grows with longer notes.
        self.setMinimumWidth(metrics.averageCharWidth() * 24 + field_width * 2)
        self.number.textEdited.connect(lambda _: self._note_cleared(self.number_note))
        for field in (self.valid_from, self.valid_to):
            field.textEdited.connect(lambda _: self._note_cleared(self.dates_note))
        self.result_card: RegisteredCard | None = None

    def _date_field(self, day: date | None, name: str) -> QLineEdit:
        field = QLineEdit(day.isoformat() if day else "")
        field.setPlaceholderText(self.tr("for example 2027-04-30"))
        field.setAccessibleName(name)
        return field

    def _note_cleared(self, note: FieldNote) -> None:
        note.clear_error()
        self.adjustSize()

    def _show_note(self, note: FieldNote, text: str) -> None:
        note.show_error(text)
        self.adjustSize()  # the dialog grows: a note is never clipped
        # The focus goes to the field to correct (the first one, when there are two).
        if note is self.number_note:
            self.number.setFocus()
        elif self.number_note.isHidden():
            first_wrong = not _readable_date(self.valid_from.text().strip())
            (self.valid_from if first_wrong else self.valid_to).setFocus()

    def _typed_date(self, field: QLineEdit, name: str) -> date | None:
        text = field.text().strip()
        if not text:
            self._show_note(
                self.dates_note,
                self.tr("Enter %1 as printed on the card's notice.").replace("%1", name),
            )
            return None
        try:
            return parse_date(text)
        except DateInputError as error:
            # The same sentence as the command line's (what is wrong, and the forms it reads).
            self._show_note(self.dates_note, self.services.describe(error))
            return None

    def _check(self) -> None:
        self.number_note.clear_error()
        self.dates_note.clear_error()
        self.adjustSize()
        valid_from = self._typed_date(self.valid_from, self.tr("the first day of the validity"))
        valid_to = (
            self._typed_date(self.valid_to, self.tr("the last day of the validity"))
            if valid_from is not None
            else None
        )
        entry = {
            "card_number": self.number.text(),
            "valid_from": valid_from.isoformat() if valid_from else "",
            "valid_to": valid_to.isoformat() if valid_to else "",
            "label": self.label.text(),
        }
        try:
            card = RegisteredCard.from_json(entry)
        except InvalidValueError as error:
            if error.reason == "card_number":
                self._show_note(self.number_note, self.services.describe(error))
            elif valid_from is None or valid_to is None:
                pass  # the dates' note already says what is missing
            elif valid_to < valid_from:
                self._show_note(self.dates_note, self.tr("The validity ends before it starts."))
            else:
                self._show_note(self.dates_note, self.services.describe(error))
            return
        if valid_from is None or valid_to is None or not self._dates_plausible(card):
            return
        self.result_card = card
        self.accept()

    def _dates_plausible(self, card: RegisteredCard) -> bool:
        """Refuse an end date already past (unless it is the entry's own, unchanged); ask
        about a validity too short for a card (a second OK or Enter is not an answer)."""
        today = today_in_japan()
        unchanged = self.original is not None and self.original.valid_to == card.valid_to
        if card.expired(today) and not unchanged:
            self._show_note(
                self.dates_note,
                self.tr(
                    "The last day of the validity, %1, has already passed: an expired card cannot"
                    " be used. Check the date on the card's notice."
                ).replace("%1", str(card.valid_to)),
            )
            return False
        days = (card.valid_to - card.valid_from).days + 1
        if days >= SHORT_VALIDITY_DAYS:
            return True
        answer = QMessageBox.question(
            self,
            self.tr("Register a short validity?"),
            self.tr(
                "The card would be valid only from %1 to %2 (%3 day(s)), but a GoSign IC card is"
                " valid for years. Are both dates as printed on the card's notice?"
            )
            .replace("%1", str(card.valid_from))
            .replace("%2", str(card.valid_to))
            .replace("%3", str(days))
            + "\n\n"
            + self.tr("Yes registers these dates. No goes back to correct them."),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        if answer == QMessageBox.StandardButton.Yes:
            return True
        self.valid_to.setFocus()
        self.valid_to.selectAll()
        return False


class UserInfoPage(QWidget):
    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.inserted_number: str | None = None
        self.inserted_info: CardInfo | None = None
        # A removal on the task thread: its row is still selected, and must not be asked about
        # (and removed) a second time.
        self.removing = False
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
        # Numbers and dates are never cut ("9392-0000-1234..."): their columns fit their text,
        # and the label takes the room that is left.
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().hide()
        self.table.doubleClicked.connect(lambda _: self._edit())
        self.table.itemSelectionChanged.connect(self._enable_buttons)
        # Delete removes the selected card, after the same question as the button.
        self.delete_key = DeleteKey(self.table, self._remove_selected)
        self.register_button = QPushButton(self.tr("Register the inserted card"))
        self.add_button = QPushButton(self.tr("Add by hand…"))
        self.edit_button = QPushButton(self.tr("Edit…"))
        self.remove_button = QPushButton(self.tr("Remove"))
        for button in (self.register_button, self.add_button, self.edit_button, self.remove_button):
            button.setAccessibleName(button.text())
        self.register_button.clicked.connect(self._register)
        self.add_button.clicked.connect(self._add)
        self.edit_button.clicked.connect(self._edit)
        self.remove_button.clicked.connect(self._remove_selected)
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

    def on_shown(self) -> None:
        """What the page said last time is not news when the user comes back."""
        self.banner.hide()

    def _card_changed(self, status: CardStatus) -> None:
        self.inserted_info = status.info
        self.inserted_number = status.info.card_number if status.info else None
        self._show(self.services.settings.current)

    def _show(self, settings: Settings) -> None:
        cards = settings.cards
        chosen = self._selected_number()
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
        # The selection stays on the same card, or on none: never on the next row, where a
        # second click on 削除 would remove another card.
        numbers = [card.card_number for card in cards]
        if chosen in numbers:
            self.table.selectRow(numbers.index(chosen))
        else:
            self.table.clearSelection()
            self.table.setCurrentCell(-1, -1)
        locked = settings.locked(CARDS_KEY)
        if locked:
            self.locked.show_message("info", self.services.locked_sentence(CARDS_KEY))
        else:
            self.locked.hide()
        self._enable_buttons()

    def _enable_buttons(self) -> None:
        unlocked = not self.services.settings.current.locked(CARDS_KEY)
        self.register_button.setEnabled(unlocked)
        self.add_button.setEnabled(unlocked)
        chosen = unlocked and self._selected_number() is not None
        self.edit_button.setEnabled(chosen)
        self.remove_button.setEnabled(chosen and not self.removing)

    def _selected_number(self) -> str | None:
        rows = self.table.selectionModel().selectedRows()
        item = self.table.item(rows[0].row(), 0) if rows else None
        number = item.data(Qt.ItemDataRole.UserRole) if item else None
        return str(number) if number else None

    def _selected(self) -> RegisteredCard | None:
        number = self._selected_number()
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
        # The inserted card, when it is not registered yet, offers its own number and validity.
        info = self.inserted_info
        registered = {card.card_number for card in self.services.settings.current.cards}
        offered = info if info is not None and info.card_number not in registered else None
        dialog = CardEditDialog(self.services, None, self, inserted=offered)
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

    def _remove_selected(self) -> None:
        card = self._selected()
        if self.removing or card is None or self.services.settings.current.locked(CARDS_KEY):
            return
        if self._confirm_removal(card):
            self._remove(card)

    def _confirm_removal(self, card: RegisteredCard) -> bool:
        number = format_card_number(card.card_number)
        text = self.tr("Remove card %1 from the registered cards?").replace("%1", number)
        if card.card_number == self.inserted_number:
            text += "\n\n" + self.tr(
                "This is the card in the reader now. Until it is registered again, the"
                " operation check reports it as not registered."
            )
        answer = QMessageBox.question(
            self,
            self.tr("Remove the card?"),
            text,
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        return answer == QMessageBox.StandardButton.Yes

    def _remove(self, card: RegisteredCard, force: bool = False) -> None:
        service = self.services.settings_service

        def work() -> Settings:
            return service.unregister_card(card.card_number, today_in_japan(), force=force)

        def done(settings: Settings) -> None:
            self._removal_over()
            self.services.settings.update(settings)
            self.banner.show_message(
                "ok",
                self.tr("Card %1's entry is removed.").replace(
                    "%1", format_card_number(card.card_number)
                ),
            )

        def failed(error: BaseException) -> None:
            self._removal_over()
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
                    self._remove(card, force=True)
                return
            self._failed(error)

        self.removing = True
        self._enable_buttons()
        self.services.tasks.run(work, done, failed, owner=self)

    def _removal_over(self) -> None:
        self.removing = False
        self._enable_buttons()

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
