"""貸出管理簿: each registered card's state, the lend and return forms, the records of a month
(with corrections), the hash chain's state in words and the export for the custodian's seal.

Every ledger call runs on the task thread (a shared PostgreSQL ledger may take seconds); the
ledger is opened for each piece of work and closed after it, as the PIN gate's hooks do."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from PySide6.QtCore import QTime
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from ndnclient.card.info import format_card_number
from ndnclient.dates import DateInputError, parse_date
from ndnclient.ui.services import Services
from ndnclient.ui.widgets import BANNER_STYLE, SELECTABLE_TEXT, Banner, FieldNote

if TYPE_CHECKING:  # the ledger's modules load with the work, on the task thread
    from ndnclient.ledger.chain import VerifyResult
    from ndnclient.ledger.entries import Entry
    from ndnclient.ledger.service import CardState, Ledger

log = logging.getLogger(__name__)

JAPAN = timezone(timedelta(hours=9), "JST")
T = TypeVar("T")
# How many months back the month filter offers.
MONTHS_OFFERED = 24
DEFAULT_DUE_TIME = QTime(17, 0)


def open_ledger(services: Services) -> Ledger:
    """The ledger this window keeps: the demo's own file in demo mode (never the user's data
    folder), else the one the settings name (SQLite, or the shared PostgreSQL server)."""
    if services.demo is not None:
        return services.demo.open_ledger()
    from ndnclient.ledger.service import open_ledger as open_configured

    return open_configured(services.settings.current)


def with_ledger(services: Services, work: Callable[[Ledger], T]) -> Callable[[], T]:
    """`work` on a freshly opened ledger, closed after it: for the task thread."""

    def run() -> T:
        ledger = open_ledger(services)
        try:
            return work(ledger)
        finally:
            ledger.close()

    return run


def japan_time(moment: datetime) -> str:
    return moment.astimezone(JAPAN).strftime("%Y-%m-%d %H:%M")


def short_due(due: datetime, since: datetime) -> str:
    """The due time, without the year when it is the lending's own year."""
    shown, start = due.astimezone(JAPAN), since.astimezone(JAPAN)
    return shown.strftime("%m-%d %H:%M" if shown.year == start.year else "%Y-%m-%d %H:%M")


def month_start(year: int, month: int) -> datetime:
    """The first moment of a month in Japan time, in UTC."""
    return datetime(year, month, 1, tzinfo=JAPAN).astimezone(UTC)


def next_month(year: int, month: int) -> tuple[int, int]:
    return (year + 1, 1) if month == 12 else (year, month + 1)


def due_moment(day_text: str, clock: QTime) -> datetime | None:
    """The due time typed (a date in any form parse_date reads, and a time of day), in UTC;
    None when no date is given. Raises DateInputError for a date it cannot read."""
    if not day_text.strip():
        return None
    day = parse_date(day_text)
    moment = datetime.combine(day, time(clock.hour(), clock.minute()), JAPAN)
    return moment.astimezone(UTC)


@dataclass(frozen=True)
class Listing:
    """What one read of the ledger gives the page."""

    states: list[CardState]
    entries: list[Entry]
    verified: VerifyResult | None


class LedgerPage(QWidget):
    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.states: list[CardState] = []
        self.entries: list[Entry] = []
        self.verified: VerifyResult | None = None
        self.working = False
        title = QLabel(self.tr("Card lending ledger"))
        title.setStyleSheet("font-size: 16pt; font-weight: bold;")
        intro = QLabel(
            self.tr(
                "Record here who borrows the IC card and when it comes back. The program also"
                " records by itself every PIN and signature it sends. Records are never changed"
                " or removed: a mistake is fixed with a correction."
            )
        )
        intro.setWordWrap(True)
        self.banner = Banner()

        # --- each card's state --------------------------------------------------------------
        self.states_box = QGroupBox(self.tr("Cards"))
        self.states_layout = QVBoxLayout(self.states_box)
        self.no_cards = QLabel(
            self.tr(
                "No card is registered yet. Register the card in the user info settings; it is"
                " then shown here."
            )
        )
        self.no_cards.setWordWrap(True)
        self.states_layout.addWidget(self.no_cards)
        self.state_labels: list[QLabel] = []

        # --- lend and return ----------------------------------------------------------------
        self.card = QComboBox()
        self.card.setAccessibleName(self.tr("Card"))
        self.user = QLineEdit()
        self.user.setAccessibleName(self.tr("Borrower"))
        self.purpose = QLineEdit()
        self.purpose.setAccessibleName(self.tr("Subject (required)"))
        self.purpose.setPlaceholderText(self.tr("e.g. bid for the road repair work"))
        self.destination = QLineEdit()
        self.destination.setAccessibleName(self.tr("Destination"))
        self.approver = QLineEdit()
        self.approver.setAccessibleName(self.tr("Custodian (approver)"))
        self.due_day = QLineEdit()
        self.due_day.setAccessibleName(self.tr("Return date"))
        self.due_day.setPlaceholderText(self.tr("e.g. 2026-12-01 (empty: no due date)"))
        self.due_time = QTimeEdit(DEFAULT_DUE_TIME)
        self.due_time.setDisplayFormat("HH:mm")
        self.due_time.setAccessibleName(self.tr("Return time"))
        due_row = QHBoxLayout()
        due_row.addWidget(self.due_day, 1)
        due_row.addWidget(self.due_time)
        self.lend_button = QPushButton(self.tr("Record the lending"))
        self.lend_button.setAccessibleName(self.lend_button.text())
        self.lend_button.clicked.connect(self.lend)
        self.lend_note = FieldNote()
        lend_box = QGroupBox(self.tr("Lend a card"))
        lend_form = QFormLayout(lend_box)
        lend_form.addRow(self.tr("&Borrower"), self.user)
        lend_form.addRow(self.tr("&Subject (required)"), self.purpose)
        lend_form.addRow(self.tr("&Destination"), self.destination)
        lend_form.addRow(self.tr("Custodian (&approver)"), self.approver)
        due_label = QLabel(self.tr("Return &due"))
        due_label.setBuddy(self.due_day)  # a row holding a layout gets no buddy of its own
        lend_form.addRow(due_label, due_row)
        lend_form.addRow(self.lend_note)
        lend_form.addRow(self.lend_button)
        for field in (self.user, self.purpose, self.destination, self.approver, self.due_day):
            field.textEdited.connect(lambda _: self.lend_note.clear_error())
            field.returnPressed.connect(self.lend)
        self.return_note = QLineEdit()
        self.return_note.setAccessibleName(self.tr("Note on the return"))
        self.return_note.setPlaceholderText(self.tr("optional"))
        self.return_button = QPushButton(self.tr("Record the return of the card"))
        self.return_button.setAccessibleName(self.return_button.text())
        self.return_button.clicked.connect(self.return_card)
        return_box = QGroupBox(self.tr("Return the card chosen above"))
        return_row = QHBoxLayout(return_box)
        note_label = QLabel(self.tr("&Note"))
        note_label.setBuddy(self.return_note)
        return_row.addWidget(note_label)
        return_row.addWidget(self.return_note, 1)
        return_row.addWidget(self.return_button)

        # --- the records --------------------------------------------------------------------
        self.month = QComboBox()
        self.month.setAccessibleName(self.tr("Month"))
        self.filter_card = QComboBox()
        self.filter_card.setAccessibleName(self.tr("Card shown"))
        self._fill_months()
        self.month.activated.connect(lambda _: self.refresh())
        self.filter_card.activated.connect(lambda _: self.refresh())
        filters = QHBoxLayout()
        month_label = QLabel(self.tr("&Month"))
        month_label.setBuddy(self.month)
        card_label = QLabel(self.tr("C&ard"))
        card_label.setBuddy(self.filter_card)
        filters.addWidget(month_label)
        filters.addWidget(self.month)
        filters.addWidget(card_label)
        filters.addWidget(self.filter_card, 1)
        self.table = QTableWidget(0, 7)
        self.table.setAccessibleName(self.tr("Ledger records"))
        self.table.setHorizontalHeaderLabels(
            [
                self.tr("No."),
                self.tr("Time (Japan)"),
                self.tr("Kind"),
                self.tr("Card"),
                self.tr("Person"),
                self.tr("Subject / destination"),
                self.tr("Details"),
            ]
        )
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.setMinimumHeight(220)
        self.table.itemSelectionChanged.connect(self._enable_correct)
        self.table.itemDoubleClicked.connect(lambda _: self.correct_selected())
        self.empty = QLabel(self.tr("No records for this month and card."))
        self.empty.hide()
        self.correct_button = QPushButton(self.tr("Correct the selected record…"))
        self.correct_button.setAccessibleName(self.correct_button.text())
        self.correct_button.clicked.connect(self.correct_selected)
        self.correct_button.setEnabled(False)
        self.export_button = QPushButton(self.tr("Export the month (Excel or CSV)…"))
        self.export_button.setAccessibleName(self.export_button.text())
        self.export_button.setToolTip(
            self.tr("Every card's records of the month chosen, with the latest hash, to print")
        )
        self.export_button.clicked.connect(self.choose_export_file)
        record_buttons = QHBoxLayout()
        record_buttons.addWidget(self.correct_button)
        record_buttons.addStretch(1)
        record_buttons.addWidget(self.export_button)
        records_box = QGroupBox(self.tr("Records"))
        records = QVBoxLayout(records_box)
        records.addLayout(filters)
        records.addWidget(self.table, 1)
        records.addWidget(self.empty)
        records.addLayout(record_buttons)

        # --- the chain ----------------------------------------------------------------------
        self.chain_state = QLabel(self.tr("Not checked yet."))
        self.chain_state.setWordWrap(True)
        self.chain_state.setAccessibleName(self.tr("Tamper check"))
        # The whole hash, to compare with a stamped sheet: a field that scrolls, since 64 hex
        # digits cannot wrap and would widen the page.
        self.head = QLineEdit()
        self.head.setReadOnly(True)
        self.head.setAccessibleName(self.tr("Hash of the latest record"))
        self.verify_button = QPushButton(self.tr("Check for tampering"))
        self.verify_button.setAccessibleName(self.verify_button.text())
        self.verify_button.clicked.connect(self.verify)
        chain_box = QGroupBox(self.tr("Tamper check"))
        chain = QVBoxLayout(chain_box)
        chain_top = QHBoxLayout()
        chain_top.addWidget(self.chain_state, 1)
        chain_top.addWidget(self.verify_button)
        chain.addLayout(chain_top)
        head_row = QHBoxLayout()
        head_row.addWidget(QLabel(self.tr("Hash of the latest record")))
        head_row.addWidget(self.head, 1)
        chain.addLayout(head_row)

        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(intro)
        layout.addWidget(self.banner)
        layout.addWidget(self.states_box)
        card_label = QLabel(self.tr("&Card to lend or return"))
        card_label.setBuddy(self.card)
        card_row = QHBoxLayout()
        card_row.addWidget(card_label)
        card_row.addWidget(self.card, 1)
        layout.addLayout(card_row)
        layout.addWidget(lend_box)
        layout.addWidget(return_box)
        layout.addWidget(chain_box)
        layout.addWidget(records_box, 1)
        self._fill_cards()
        services.settings.changed.connect(lambda _: self._cards_changed())
        services.card.status_read.connect(lambda _: self._preselect_inserted())
        self.refresh(verify=True)

    def on_shown(self) -> None:
        """Coming back: the last message is not news, the records may be (another PC)."""
        self.banner.hide()
        self.refresh()

    # --- cards ----------------------------------------------------------------------------------

    def registered_cards(self) -> list[str]:
        return [card.card_number for card in self.services.settings.current.cards]

    def _inserted_card(self) -> str | None:
        status = self.services.card.last_status
        info = status.info if status is not None else None
        return info.card_number if info is not None else None

    def _fill_cards(self) -> None:
        chosen, shown = self.card.currentData(), self.filter_card.currentData()
        self.card.clear()
        self.filter_card.clear()
        self.filter_card.addItem(self.tr("All cards"), None)
        for card in self.services.settings.current.cards:
            text = format_card_number(card.card_number)
            if card.label:
                text += f"  {card.label}"
            self.card.addItem(text, card.card_number)
            self.filter_card.addItem(text, card.card_number)
        index = self.card.findData(chosen)
        if index >= 0:
            self.card.setCurrentIndex(index)
        else:
            self._preselect_inserted()
        self.filter_card.setCurrentIndex(max(0, self.filter_card.findData(shown)))
        usable = self.card.count() > 0
        for widget in (self.lend_button, self.return_button):
            widget.setEnabled(usable)

    def _preselect_inserted(self) -> None:
        index = self.card.findData(self._inserted_card())
        if index >= 0 and not self.working:
            self.card.setCurrentIndex(index)

    def _cards_changed(self) -> None:
        self._fill_cards()
        self.refresh()

    def _fill_months(self) -> None:
        self.month.addItem(self.tr("All months"), None)
        today = datetime.now(JAPAN).date()
        year, month = today.year, today.month
        for _ in range(MONTHS_OFFERED):
            self.month.addItem(f"{year}-{month:02d}", (year, month))
            year, month = (year - 1, 12) if month == 1 else (year, month - 1)
        self.month.setCurrentIndex(1)  # this month

    def period(self) -> tuple[datetime | None, datetime | None]:
        chosen = self.month.currentData()
        if chosen is None:
            return None, None
        year, month = chosen
        return month_start(year, month), month_start(*next_month(year, month))

    # --- reading --------------------------------------------------------------------------------

    def refresh(self, verify: bool = False) -> None:
        """Read the cards' states and the records shown (and check the chain when asked)."""
        cards = self.registered_cards()
        start, end = self.period()
        card = self.filter_card.currentData()

        def work(ledger: Ledger) -> Listing:
            states = ledger.status(cards)
            entries = ledger.store.entries(start=start, end=end, card_number=card)
            return Listing(states, entries, ledger.verify() if verify else None)

        self.services.tasks.run(
            with_ledger(self.services, work), self._show_listing, self._failed, owner=self
        )

    def _show_listing(self, listing: Listing) -> None:
        self.states = listing.states
        self.entries = listing.entries
        self._show_states()
        self._show_entries()
        if listing.verified is not None:
            self._show_chain(listing.verified)

    def _show_states(self) -> None:
        for label in self.state_labels:
            self.states_layout.removeWidget(label)
            label.deleteLater()
        self.state_labels = []
        self.no_cards.setVisible(not self.states)
        for state in self.states:
            label = QLabel(self.state_text(state))
            label.setWordWrap(True)
            label.setTextInteractionFlags(SELECTABLE_TEXT)
            label.setAccessibleName(label.text())
            if state.overdue:
                label.setStyleSheet(f"color: {BANNER_STYLE['warn'][1]}; font-weight: bold;")
            self.state_labels.append(label)
            self.states_layout.addWidget(label)

    def state_text(self, state: CardState) -> str:
        card = format_card_number(state.card_number)
        lending = state.lending
        if lending is None:
            return self.tr("%1: in custody").replace("%1", card)
        text = (
            self.tr("%1: lent out to %2 since %3")
            .replace("%3", japan_time(lending.time))
            .replace("%1", card)
            .replace("%2", lending.user or "")
        )
        if lending.due is not None:
            text += self.tr(", due back %1").replace("%1", japan_time(lending.due))
        if lending.purpose:
            text += self.tr(" (subject: %1)").replace("%1", lending.purpose)
        if state.overdue:
            text = "⚠ " + text + self.tr(" — overdue")
        return text

    def _show_entries(self) -> None:
        self.table.setRowCount(len(self.entries))
        for row, entry in enumerate(self.entries):
            values = (
                str(entry.id),
                japan_time(entry.time),
                self.kind_name(entry.kind),
                format_card_number(entry.card_number) if entry.card_number else "",
                entry.user or entry.os_user or "",
                " / ".join(part for part in (entry.purpose, entry.destination) if part),
                self.details(entry),
            )
            for column, value in enumerate(values):
                item = QTableWidgetItem(value)
                if entry.kind == "correction":
                    item.setForeground(QColor("#5f6368"))
                self.table.setItem(row, column, item)
        self.table.clearSelection()
        self.empty.setVisible(not self.entries)
        self._enable_correct()

    def kind_name(self, kind: str) -> str:
        names = {
            "lend": self.tr("Lending"),
            "return": self.tr("Return"),
            "use": self.tr("Use"),
            "correction": self.tr("Correction"),
        }
        return names.get(kind, kind)

    def field_name(self, field: str) -> str:
        names = {
            "user": self.tr("borrower"),
            "purpose": self.tr("subject"),
            "destination": self.tr("destination"),
            "approver": self.tr("custodian"),
            "due": self.tr("due"),
            "note": self.tr("note"),
        }
        return names.get(field, field)

    def details(self, entry: Entry) -> str:
        parts: list[str] = []
        if entry.kind == "lend":
            if entry.approver:
                parts.append(self.tr("approved by %1").replace("%1", entry.approver))
            if entry.due is not None:
                parts.append(self.tr("due %1").replace("%1", japan_time(entry.due)))
        elif entry.kind == "use":
            operations = {
                "pin_verify": self.tr("PIN check"),
                "pin_change": self.tr("PIN change"),
                "pin_unlock": self.tr("PIN unlock"),
                "sign_g14": self.tr("signature test (G14)"),
                "sign_smime": self.tr("S/MIME signature"),
            }
            results = {
                "ok": self.tr("succeeded"),
                "wrong": self.tr("wrong PIN"),
                "blocked": self.tr("locked"),
                "not_sent": self.tr("not sent"),
                "error": self.tr("failed"),
            }
            parts.append(operations.get(entry.operation or "", entry.operation or ""))
            parts.append(results.get(entry.result or "", entry.result or ""))
            if entry.lending_id is None:
                parts.append(self.tr("card not lent out"))
            else:
                parts.append(self.tr("under lending No.%1").replace("%1", str(entry.lending_id)))
        elif entry.kind == "return" and entry.refers_to is not None:
            parts.append(self.tr("returns lending No.%1").replace("%1", str(entry.refers_to)))
        elif entry.kind == "correction" and entry.refers_to is not None:
            parts.append(self.tr("corrects No.%1").replace("%1", str(entry.refers_to)))
            for name, value in sorted(entry.fields.items()):
                if name == "due" and value:
                    value = japan_time(datetime.fromisoformat(value))
                parts.append(f"{self.field_name(name)}: {value}")
            if entry.reason:
                parts.append(self.tr("reason: %1").replace("%1", entry.reason))
        if entry.note:
            parts.append(entry.note)
        return ", ".join(part for part in parts if part)

    def _show_chain(self, result: VerifyResult) -> None:
        self.verified = result
        if result.intact:
            self.chain_state.setText(
                self.tr("✔ No tampering was found (records checked: %1).").replace(
                    "%1", str(result.entries)
                )
            )
            self.chain_state.setStyleSheet(f"color: {BANNER_STYLE['ok'][1]};")
        else:
            self.chain_state.setText(
                self.tr(
                    "✖ Record No.%1 does not match: it was changed, or records around it were"
                    " removed, added or reordered. Contact your IT department."
                ).replace("%1", str(result.first_broken))
            )
            self.chain_state.setStyleSheet(f"color: {BANNER_STYLE['error'][1]}; font-weight: bold;")
        self.head.setText(result.head)
        self.head.setCursorPosition(0)

    def _failed(self, error: BaseException) -> None:
        self.working = False
        self.banner.show_message("error", self.services.describe(error))

    # --- writing --------------------------------------------------------------------------------

    def lend(self) -> None:
        if self.working:
            return
        self.lend_note.clear_error()
        card = self.card.currentData()
        if card is None:
            return
        try:
            due = due_moment(self.due_day.text(), self.due_time.time())
        except DateInputError as error:
            self.lend_note.show_error(self.services.describe(error))
            self.due_day.setFocus()
            return
        values: dict[str, Any] = {
            "user": self.user.text(),
            "purpose": self.purpose.text(),
            "destination": self.destination.text(),
            "approver": self.approver.text(),
            "due": due,
        }

        def done(entry: Entry) -> None:
            self.working = False
            for field in (self.user, self.purpose, self.destination, self.due_day):
                field.clear()  # the approver is usually the same custodian: kept
            self.banner.show_message(
                "ok",
                self.tr("Recorded: card %1 lent to %2 (No.%3).")
                .replace("%3", str(entry.id))
                .replace("%1", format_card_number(entry.card_number))
                .replace("%2", entry.user or ""),
            )
            self.refresh(verify=True)

        def failed(error: BaseException) -> None:
            # Everything typed stays, to be corrected and sent again.
            self.working = False
            self.banner.hide()
            self.lend_note.show_error(self.services.describe(error))
            key = getattr(error, "message_key", "")
            focus = {"ledger.user_required": self.user, "ledger.purpose_required": self.purpose}
            focus.get(key, self.due_day if "due" in key else self.user).setFocus()

        self.working = True
        self.services.tasks.run(
            with_ledger(self.services, lambda ledger: ledger.lend(card, **values)),
            done,
            failed,
            owner=self,
        )

    def return_card(self) -> None:
        if self.working:
            return
        card = self.card.currentData()
        if card is None:
            return
        note = self.return_note.text()

        def done(entry: Entry) -> None:
            self.working = False
            self.return_note.clear()
            self.banner.show_message(
                "ok",
                self.tr("Recorded: card %1 returned (No.%2).")
                .replace("%1", format_card_number(entry.card_number))
                .replace("%2", str(entry.id)),
            )
            self.refresh(verify=True)

        self.working = True
        self.services.tasks.run(
            with_ledger(self.services, lambda ledger: ledger.return_card(card, note=note)),
            done,
            self._failed,
            owner=self,
        )

    def selected_entry(self) -> Entry | None:
        rows = {index.row() for index in self.table.selectionModel().selectedRows()}
        if len(rows) != 1:
            return None
        (row,) = rows
        return self.entries[row] if 0 <= row < len(self.entries) else None

    def _enable_correct(self) -> None:
        self.correct_button.setEnabled(self.selected_entry() is not None)

    def correct_selected(self) -> None:
        entry = self.selected_entry()
        if entry is None or self.working:
            return
        dialog = CorrectionDialog(self.services, entry, self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        self.correct(entry.id, dialog.reason(), dialog.changes())

    def correct(self, entry_id: int, reason: str, changes: dict[str, Any]) -> None:
        def done(entry: Entry) -> None:
            self.working = False
            self.banner.show_message(
                "ok",
                self.tr(
                    "Recorded the correction of No.%1 (No.%2). The original record stays as it was."
                )
                .replace("%1", str(entry_id))
                .replace("%2", str(entry.id)),
            )
            self.refresh(verify=True)

        self.working = True
        self.services.tasks.run(
            with_ledger(
                self.services, lambda ledger: ledger.correct(entry_id, reason=reason, **changes)
            ),
            done,
            self._failed,
            owner=self,
        )

    def verify(self) -> None:
        self.verify_button.setEnabled(False)

        def done(result: VerifyResult) -> None:
            self.verify_button.setEnabled(True)
            self._show_chain(result)

        def failed(error: BaseException) -> None:
            self.verify_button.setEnabled(True)
            self._failed(error)

        self.services.tasks.run(
            with_ledger(self.services, lambda ledger: ledger.verify()), done, failed, owner=self
        )

    # --- export ---------------------------------------------------------------------------------

    def choose_export_file(self) -> None:
        chosen = self.month.currentData()
        stem = "貸出管理簿" if chosen is None else f"貸出管理簿-{chosen[0]}-{chosen[1]:02d}"
        path, _ = QFileDialog.getSaveFileName(
            self,
            self.tr("Export the ledger"),
            str(Path.home() / f"{stem}.xlsx"),
            self.tr("Excel workbook (*.xlsx);;CSV for Excel (*.csv)"),
        )
        if path:
            self.export_to(Path(path))

    def export_to(self, path: Path) -> None:
        from ndnclient.ledger.export import export_format

        if export_format(path) is None:
            path = path.with_name(path.name + ".xlsx")
        start, end = self.period()

        def work(ledger: Ledger) -> int:
            from ndnclient.fileio import atomic_write
            from ndnclient.ledger.entries import GENESIS_HASH
            from ndnclient.ledger.export import ExportHeader

            writer = export_format(path)
            assert writer is not None  # noqa: S101 - the suffix was checked above
            entries = ledger.store.entries(start=start, end=end)
            # Read after the rows: the head pins at least every row on the sheet.
            with ledger.store.transaction() as transaction:
                head = transaction.head()
            header = ExportHeader(
                start, end, head.hash if head else GENESIS_HASH, datetime.now(UTC)
            )
            atomic_write(path, writer(entries, header))
            return len(entries)

        def done(count: int) -> None:
            self.banner.show_message(
                "ok",
                self.tr("Exported %1 records to %2.")
                .replace("%1", str(count))
                .replace("%2", str(path)),
            )

        def failed(error: BaseException) -> None:
            if isinstance(error, OSError):
                detail = error.strerror or type(error).__name__
                self.banner.show_message(
                    "error",
                    self.services.messages.text("file.cannot_write", path=str(path), detail=detail),
                )
            else:
                self._failed(error)

        self.services.tasks.run(with_ledger(self.services, work), done, failed, owner=self)


class CorrectionDialog(QDialog):
    """A correction of one record: the reason (required) and the values to correct, filled
    with the record's own; only what is changed is sent."""

    def __init__(self, services: Services, entry: Entry, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.entry = entry
        self.setWindowTitle(self.tr("Correct record No.%1").replace("%1", str(entry.id)))
        self.setMinimumWidth(480)
        explain = QLabel(
            self.tr(
                "The record stays as it is; the correction is added as a new record that"
                " refers to it."
            )
        )
        explain.setWordWrap(True)
        self.reason_field = QLineEdit()
        self.reason_field.setAccessibleName(self.tr("Reason for the correction (required)"))
        self.note = FieldNote()
        self.fields: dict[str, QLineEdit] = {}
        due_text = japan_time(entry.due).split(" ")[0] if entry.due is not None else ""
        self.originals: dict[str, str] = {
            "user": entry.user or "",
            "purpose": entry.purpose or "",
            "destination": entry.destination or "",
            "approver": entry.approver or "",
            "due": due_text,
            "note": entry.note or "",
        }
        names = {
            "user": self.tr("Borrower"),
            "purpose": self.tr("Subject"),
            "destination": self.tr("Destination"),
            "approver": self.tr("Custodian (approver)"),
            "due": self.tr("Return date"),
            "note": self.tr("Note"),
        }
        shown: Sequence[str] = (
            ("user", "purpose", "destination", "approver", "due")
            if entry.kind == "lend"
            else ("note",)
        )
        form = QFormLayout()
        form.addRow(self.tr("&Reason (required)"), self.reason_field)
        self.due_time = QTimeEdit(
            QTime(entry.due.astimezone(JAPAN).hour, entry.due.astimezone(JAPAN).minute)
            if entry.due is not None
            else DEFAULT_DUE_TIME
        )
        self.due_time.setDisplayFormat("HH:mm")
        self.due_time.setAccessibleName(self.tr("Return time"))
        self._original_time = self.due_time.time()
        for name in shown:
            field = QLineEdit(self.originals[name])
            field.setAccessibleName(names[name])
            field.textEdited.connect(lambda _: self.note.clear_error())
            self.fields[name] = field
            if name == "due":
                row = QHBoxLayout()
                row.addWidget(field, 1)
                row.addWidget(self.due_time)
                form.addRow(names[name], row)
            else:
                form.addRow(names[name], field)
        self.reason_field.textEdited.connect(lambda _: self.note.clear_error())
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText(self.tr("Record the correction"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("Cancel"))
        buttons.accepted.connect(self.submit)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(explain)
        layout.addLayout(form)
        layout.addWidget(self.note)
        layout.addWidget(buttons)

    def reason(self) -> str:
        return self.reason_field.text().strip()

    def changes(self) -> dict[str, Any]:
        """The corrected values: only the fields changed (the due date as a moment)."""
        changed: dict[str, Any] = {}
        for name, field in self.fields.items():
            text = field.text().strip()
            if name == "due":
                if text != self.originals["due"] or self.due_time.time() != self._original_time:
                    changed["due"] = due_moment(text, self.due_time.time())
            elif text != self.originals[name]:
                changed[name] = text
        return changed

    def submit(self) -> None:
        """Accept only what the ledger will take; otherwise say why and keep every input."""
        self.note.clear_error()
        text = self.services.messages.text
        if not self.reason():
            self.note.show_error(text("ledger.reason_required"))
            self.reason_field.setFocus()
            return
        try:
            changes = self.changes()
        except DateInputError as error:
            self.note.show_error(self.services.describe(error))
            self.fields["due"].setFocus()
            return
        if not changes:
            self.note.show_error(text("ledger.nothing_corrected"))
            return
        self.accept()
