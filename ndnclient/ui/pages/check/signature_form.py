"""The signature test's part of the check page (G14, 乱数署名): the tick box, the card its PIN
goes to, the tries, and the PIN field.

It needs the PIN, so it runs only when ticked and typed. The card is named and its tries are
read before anything can be typed, read again right before the PIN is used, and the last try
needs a yes. What it hands to the run (`SignatureRequest`) pins the run to the card that was
named when the PIN was typed (docs/card-choice.md).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QMessageBox, QVBoxLayout, QWidget

from ndnclient.card.access import expected_number
from ndnclient.card.choice import CardChoice
from ndnclient.card.connection import ReaderBackend
from ndnclient.card.operations import UNKNOWN_COUNTERS, Counters, read_counters
from ndnclient.card.pin import ExpectedNumber, PinRisk, SecretBuffer, assess
from ndnclient.card.readers import reader_filter_from_env
from ndnclient.card.status import CardStatus
from ndnclient.ui.card_selector import target_card_text
from ndnclient.ui.services import Services
from ndnclient.ui.widgets import FieldNote, empty_secret, secret_field


@dataclass(frozen=True)
class SignatureRequest:
    """What a run with the signature test needs: the typed PIN (the run wipes it), the yes
    for a last try, and the card it is meant for."""

    pin: SecretBuffer
    last_try_confirmed: bool
    choice: CardChoice  # the whole run examines this card
    card: ExpectedNumber  # and G14 sends the PIN to no other


class SignatureTestForm(QWidget):
    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.counters = UNKNOWN_COUNTERS
        self.preparing = False  # Start pressed: the tries are being read again
        self.running = False  # a run holds the PIN

        self.checkbox = QCheckBox(self.tr("Also run the si&gnature test (G14): it uses the PIN"))
        self.checkbox.toggled.connect(self._toggled)
        self.pin = secret_field(self.tr("PIN for the signature test"))
        self.tries = QLabel()
        self.tries.setWordWrap(True)
        # The card the signature test's PIN goes to, named before it is typed.
        self.card = QLabel()
        self.card.setTextFormat(Qt.TextFormat.PlainText)  # the holder's name, as read
        self.card.setWordWrap(True)
        self.card.setAccessibleName(self.tr("Card for the signature test"))
        self.note = FieldNote()
        self.pin_label = QLabel(self.tr("P&IN"))
        self.pin_label.setBuddy(self.pin)
        row = QHBoxLayout()
        row.addWidget(self.pin_label)
        row.addWidget(self.pin)
        row.addWidget(self.tries, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.checkbox)
        layout.addWidget(self.card)
        layout.addLayout(row)
        layout.addWidget(self.note)
        self._details = (self.pin_label, self.pin, self.tries, self.card)
        services.card.status_read.connect(self._card_status_read)
        self._toggled(False)

    @property
    def wanted(self) -> bool:
        return self.checkbox.isChecked()

    def set_running(self, running: bool) -> None:
        self.running = running
        self.checkbox.setEnabled(not running)
        self.pin.setReadOnly(running)

    def on_shown(self) -> None:
        if self.wanted and not self.running and not self.preparing:
            self.read_tries()  # read again whenever the page is opened

    # --- The tries and the card -------------------------------------------------------------

    def _toggled(self, on: bool) -> None:
        for widget in self._details:
            widget.setVisible(on)
        self.note.clear_error()
        empty_secret(self.pin)
        if on:
            self._show(UNKNOWN_COUNTERS, reading=True)
            self.read_tries()

    def _card_status_read(self, status: CardStatus) -> None:
        # The card changed, or was read again: a PIN typed for the old state goes.
        if not self.running and not self.preparing:
            empty_secret(self.pin)
        if status.problem is not None and status.pin is None:
            self._failed(status.problem)
        else:
            self._show(Counters(status.pin, status.unlock, status.reader, status.info))

    def _show(self, counters: Counters, *, reading: bool = False) -> None:
        self.counters = counters
        pin = counters.pin
        self._show_card(counters)
        # The count is read before every entry: no count, no entry.
        self.pin.setEnabled(pin is not None and not pin.blocked)
        if pin is None:
            self.tries.setText(
                self.tr("Reading the PIN's tries…")
                if reading
                else self.tr("The PIN's tries are not known yet: insert the card.")
            )
        elif pin.blocked:
            self.tries.setText(self.tr("The PIN is locked: unlock it on the PIN page first."))
        elif assess(pin) in (PinRisk.LOW, PinRisk.LAST_TRY):
            self.tries.setText(
                self.tr("▲ Tries left: %1. If you are not sure of the PIN, do not run it.").replace(
                    "%1", str(pin.tries_left)
                )
            )
        else:
            self.tries.setText(
                self.tr("PIN tries left: %1 of %2")
                .replace("%1", str(pin.tries_left))
                .replace("%2", str(pin.max_tries))
            )

    def _show_card(self, counters: Counters) -> None:
        text = target_card_text(counters)
        self.card.setText(text)
        self.card.setVisible(self.wanted and bool(text))

    def _counters_job(self) -> Callable[[ReaderBackend], Counters]:
        """Reads the tries of the card in use (the selector's): nothing is spent."""
        choice = self.services.card.card_choice
        return lambda backend: read_counters(backend, reader_filter_from_env(), choice)

    def read_tries(self) -> None:
        """Read the PIN's tries now (status-only VERIFY: nothing is spent)."""
        self.pin.setEnabled(False)
        self.services.card.run_job(self._counters_job(), self._show, self._failed, owner=self)

    def _failed(self, error: BaseException) -> None:
        self._show(UNKNOWN_COUNTERS)
        self.tries.setText(self.services.describe(error))

    # --- Taking the PIN ---------------------------------------------------------------------

    def take(
        self, on_ready: Callable[[SignatureRequest], None], on_done: Callable[[], None]
    ) -> None:
        """Take the typed PIN (the field is emptied at once), read the tries again, ask on the
        last try, and hand the request to `on_ready`, or say here why not. `on_done` follows
        either way, once the tries have been read (or at once when nothing was typed)."""
        self.note.clear_error()
        typed = self.pin.text()
        empty_secret(self.pin)
        known = self.counters.pin
        if not typed:
            blocked = known is not None and known.blocked
            self.note.show_error(
                self.tries.text()
                if blocked or known is None
                else self.tr("Type the PIN for the signature test.")
            )
            on_done()
            return
        buffer = SecretBuffer.from_text(typed)
        del typed
        # The card named beside the field when the PIN was typed.
        typed_for = (self.counters.reader, self.counters.card_number)
        self.preparing = True

        def counted(counters: Counters) -> None:
            self.preparing = False
            self._show(counters)
            on_done()
            if (counters.reader, counters.card_number) != typed_for:
                buffer.wipe()
                self.note.show_error(
                    self.tr(
                        "The card changed, so the PIN was cleared and nothing was sent. Check"
                        " the card named above and type the PIN again."
                    )
                )
                return
            request = self._request(buffer, counters)
            if request is not None:
                on_ready(request)

        def failed(error: BaseException) -> None:
            self.preparing = False
            buffer.wipe()
            self._failed(error)
            self.note.show_error(self.services.describe(error))
            on_done()

        future = self.services.card.run_job(self._counters_job(), counted, failed, owner=self)
        if future is None:
            buffer.wipe()
            self.preparing = False
            on_done()

    def _request(self, buffer: SecretBuffer, counters: Counters) -> SignatureRequest | None:
        pin = counters.pin
        if pin is None or pin.blocked:
            buffer.wipe()
            self.note.show_error(self.tries.text())
            return None
        confirmed = False
        if assess(pin) is PinRisk.LAST_TRY:
            answer = QMessageBox.question(
                self,
                self.tr("Last PIN try"),
                self.tr(
                    "Only one PIN try is left. A wrong PIN now locks the card, and only the"
                    " helpdesk's unlock code opens it again. Run the signature test anyway?"
                ),
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                QMessageBox.StandardButton.No,
            )
            if answer != QMessageBox.StandardButton.Yes:
                buffer.wipe()
                return None
            confirmed = True
        # The whole run examines the card whose tries were just read, and G14 sends the PIN
        # only to it (its number is compared inside the signature's transaction).
        return SignatureRequest(
            buffer,
            confirmed,
            CardChoice(counters.card_number, counters.reader),
            expected_number(counters.info),
        )
