"""PIN: verify, change and unlock (ロック解除) with the helpdesk's code.

The tries left are read on the card thread and shown before anything is typed; every
command goes through `PinGuard` on the card thread, so the GUI thread never touches the
card. Typed values become `SecretBuffer`s the moment they are taken, the fields are cleared
at once, and the buffers are wiped when the job ends, whatever the outcome.

What is typed is checked on the page first (the PIN rule, the two new PINs alike): a
correctable mistake clears only the fields that hold it, so the helpdesk's unlock code, just
read over the phone, survives a mistyped new PIN. What the card refused is cleared.

One banner per state: the tries banner tells what the count read from the card means (its
colour follows how close the card is to a lock); the result banner tells only what the last
submit did, never the count again.
"""

from __future__ import annotations

import hmac
import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

from PySide6.QtCore import Qt
from PySide6.QtGui import QHideEvent
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ndnclient.card.access import expected_number
from ndnclient.card.choice import CardChoice
from ndnclient.card.connection import ReaderBackend
from ndnclient.card.errors import (
    CardChoiceNeededError,
    CardRemovedError,
    CardSwappedError,
    InvalidPinError,
    LastTryNotConfirmedError,
    NoCardError,
    PinBlockedError,
    PinFormatError,
    PinResultUnknownError,
    UnlockCodeBlockedError,
)
from ndnclient.card.operations import (
    UNKNOWN_COUNTERS,
    Counters,
    PinOutcome,
    read_counters,
    run_pin_operation,
)
from ndnclient.card.pin import PinGuard, PinRisk, SecretBuffer, assess
from ndnclient.card.profile import GOSIGN_PROFILE, GoSignProfile, profile_named
from ndnclient.card.readers import reader_filter_from_env
from ndnclient.card.session import PinCounter
from ndnclient.card.status import CardStatus
from ndnclient.ui.card_selector import target_card_text
from ndnclient.ui.services import Services
from ndnclient.ui.widgets import Banner, FieldNote, empty_secret, secret_field

Operation = Literal["verify", "change", "unlock"]


def _wipe_all(secrets: Sequence[SecretBuffer]) -> None:
    for secret in secrets:
        secret.wipe()


# --- The page -------------------------------------------------------------------------------


def _take_secret(field: QLineEdit) -> SecretBuffer:
    """The field's value as a SecretBuffer; the field is emptied at once."""
    secret = SecretBuffer.from_text(field.text())
    empty_secret(field)
    return secret


def _is_valid(field: QLineEdit, which: Literal["pin", "unlock"], profile: GoSignProfile) -> bool:
    """Whether the field's value follows the card's rule (checked in a wiped buffer)."""
    with SecretBuffer.from_text(field.text()) as secret:
        if which == "unlock":
            return profile.is_valid_unlock_code(secret.value)
        return profile.is_valid_pin(secret.value)


def _same(first: QLineEdit, second: QLineEdit) -> bool:
    with SecretBuffer.from_text(first.text()) as one, SecretBuffer.from_text(second.text()) as two:
        return hmac.compare_digest(one.value, two.value)


@dataclass
class _Form:
    """One section: its description, its fields in order (each with its hint and the note
    under it) and its button."""

    page: QWidget
    description: QLabel
    fields: list[QLineEdit]
    notes: list[FieldNote]
    button: QPushButton

    def note_for(self, field: QLineEdit) -> FieldNote:
        return self.notes[self.fields.index(field)]

    def clear_notes(self) -> None:
        for note in self.notes:
            note.clear_error()


class PinPage(QWidget):
    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.counters = UNKNOWN_COUNTERS
        self._card_profile: str | None = None  # the profile of the card shown (its rules)
        self.busy = False
        # The counters a new lock is told against: the page moves to ロック解除 only when the
        # PIN becomes locked (or a locked card is first shown), never again on every re-read.
        self._lock_seen_for: tuple[str | None, str | None] | None = None
        self._result_action: Callable[[], None] | None = None

        title = QLabel(self.tr("PIN of the IC card"))
        title.setStyleSheet("font-size: 16pt; font-weight: bold;")
        intro = QLabel(
            self.tr(
                "Check, change or unlock the PIN of your GoSign IC card. This program never"
                " saves the PIN, and nobody can look it up."
            )
        )
        intro.setWordWrap(True)
        # The card every command here goes to, named before anything is typed.
        self.target_card = QLabel()
        self.target_card.setTextFormat(Qt.TextFormat.PlainText)  # the holder's name, as read
        self.target_card.setWordWrap(True)
        self.target_card.setStyleSheet("font-weight: bold;")
        self.target_card.setAccessibleName(self.tr("Card"))
        self.pin_tries = QLabel(self.tr("PIN tries left: reading…"))
        self.pin_tries.setAccessibleName(self.tr("PIN tries left"))
        self.pin_tries.setStyleSheet("font-weight: bold;")
        self.tries_banner = Banner()
        self.tries_banner.button.setAccessibleName(self.tr("Go to Unlock"))
        self.tries_banner.action.connect(self.go_to_unlock)
        self.result = Banner()
        self.result.action.connect(self._run_result_action)

        self.tabs = QTabWidget()
        self.tabs.setAccessibleName(self.tr("PIN operations"))
        self.verify_form = self._build_verify()
        self.change_form = self._build_change()
        self.unlock_form = self._build_unlock()
        self.tabs.addTab(self.verify_form.page, self.tr("Verify"))
        self.tabs.addTab(self.change_form.page, self.tr("Change"))
        self.tabs.addTab(self.unlock_form.page, self.tr("Unlock"))
        self.tabs.currentChanged.connect(self._tab_changed)

        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(intro)
        layout.addWidget(self.target_card)
        layout.addWidget(self.pin_tries)
        layout.addWidget(self.tries_banner)
        layout.addWidget(self.result)
        layout.addWidget(self.tabs)
        layout.addStretch(1)

        services.card.status_read.connect(self._status_read)
        if services.card.last_status is not None:
            self._status_read(services.card.last_status)
        self._update_controls()

    # --- building -----------------------------------------------------------------------------

    def _build_form(
        self,
        description: str,
        rows: list[tuple[str, str, str]],
        button_text: str,
        submit: Callable[[], None],
        extra: Sequence[QWidget] = (),
    ) -> _Form:
        """A section: its description, any extra widgets, labelled secret fields each with
        its rule shown under it (before anything is typed) and a note for errors, and the
        button. `rows` holds (label with mnemonic, accessible name, hint or "")."""
        page = QWidget()
        text = QLabel(description)
        text.setWordWrap(True)
        form_layout = QFormLayout()
        fields: list[QLineEdit] = []
        notes: list[FieldNote] = []
        form: _Form
        for label_text, accessible_name, hint_text in rows:
            field = secret_field(accessible_name)
            note = FieldNote()
            label = QLabel(label_text)
            label.setBuddy(field)
            cell = QVBoxLayout()
            cell.setContentsMargins(0, 0, 0, 0)
            cell.setSpacing(2)
            cell.addWidget(field)
            if hint_text:
                hint = QLabel(hint_text)
                hint.setWordWrap(True)
                hint.setStyleSheet("color: #5f6368;")
                field.setAccessibleDescription(hint_text)
                cell.addWidget(hint)
            cell.addWidget(note)
            form_layout.addRow(label, cell)
            # A stale message goes as soon as the user types again.
            field.textEdited.connect(lambda _text: self._typed_in(form))
            fields.append(field)
            notes.append(note)
        # Enter moves to the next field; on the last one it submits.
        for field, following in itertools.pairwise(fields):
            field.returnPressed.connect(lambda following=following: following.setFocus())
        fields[-1].returnPressed.connect(submit)
        button = QPushButton(button_text)
        button.setAccessibleName(button_text)
        button.clicked.connect(submit)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(button)
        layout = QVBoxLayout(page)
        layout.addWidget(text)
        for widget in extra:
            layout.addWidget(widget)
        layout.addLayout(form_layout)
        layout.addLayout(buttons)
        layout.addStretch(1)
        form = _Form(page, text, fields, notes, button)
        return form

    def _pin_rule(self) -> str:
        return (
            self.tr("%1 to %2 half-width letters or digits (0-9, A-Z, a-z)")
            .replace("%1", str(GOSIGN_PROFILE.pin_min_length))
            .replace("%2", str(GOSIGN_PROFILE.pin_max_length))
        )

    def _verify_text(self) -> str:
        return self.tr("Check that you remember the PIN correctly. A wrong PIN uses up one try.")

    def _change_text(self) -> str:
        return self.tr(
            "Enter the current PIN, then the new PIN twice. A wrong current PIN uses up one try."
        )

    def _unlock_text(self) -> str:
        return self.tr(
            "If the PIN is locked, call the helpdesk for an unlock code (8 digits) and set"
            " a new PIN here. Nobody can look up the old PIN."
        )

    def _build_verify(self) -> _Form:
        form = self._build_form(
            self._verify_text(),
            [(self.tr("&PIN"), self.tr("PIN"), self._pin_rule())],
            self.tr("Check the PIN"),
            self.submit_verify,
        )
        self.verify_pin = form.fields[0]
        return form

    def _build_change(self) -> _Form:
        form = self._build_form(
            self._change_text(),
            [
                (self.tr("&Current PIN"), self.tr("Current PIN"), ""),
                (self.tr("&New PIN"), self.tr("New PIN"), self._pin_rule()),
                (self.tr("New PIN &again"), self.tr("New PIN again"), ""),
            ],
            self.tr("Change the PIN"),
            self.submit_change,
        )
        self.change_old, self.change_new, self.change_again = form.fields
        return form

    def _build_unlock(self) -> _Form:
        self.unlock_tries = QLabel(self.tr("Unlock-code tries left: reading…"))
        self.unlock_tries.setAccessibleName(self.tr("Unlock-code tries left"))
        self.unlock_tries.setStyleSheet("font-weight: bold;")
        self.unlock_banner = Banner()
        form = self._build_form(
            self._unlock_text(),
            [
                (
                    self.tr("&Unlock code (8 digits)"),
                    self.tr("Unlock code"),
                    self.tr("The %1 digits the helpdesk gave you").replace(
                        "%1", str(GOSIGN_PROFILE.unlock_code_length)
                    ),
                ),
                (self.tr("&New PIN"), self.tr("New PIN"), self._pin_rule()),
                (self.tr("New PIN &again"), self.tr("New PIN again"), ""),
            ],
            self.tr("Unlock and set the new PIN"),
            self.submit_unlock,
            extra=(self.unlock_tries, self.unlock_banner),
        )
        self.unlock_code, self.unlock_new, self.unlock_again = form.fields
        return form

    @property
    def secret_fields(self) -> list[QLineEdit]:
        return [*self.verify_form.fields, *self.change_form.fields, *self.unlock_form.fields]

    # --- the counters -------------------------------------------------------------------------

    def on_shown(self) -> None:
        """Read the tries left whenever the user opens the page."""
        self.refresh_counters()

    def refresh_counters(self) -> None:
        choice = self.services.card.card_choice  # the card in use (the selector's)
        self.services.card.run_job(
            lambda backend: read_counters(backend, reader_filter_from_env(), choice),
            self._show_counters,
            self._counters_failed,
            owner=self,
        )

    def _status_read(self, status: CardStatus) -> None:
        self._card_profile = status.profile
        # The card changed (or was read again): its counters were just read on the card thread.
        counters = Counters(status.pin, status.unlock, status.reader, status.info)
        if counters.pin is None and status.problem is not None:
            self._counters_failed(status.problem)
        else:
            self._show_counters(counters)

    def _counters_failed(self, error: BaseException) -> None:
        self._forget_typed_if_card_changed(UNKNOWN_COUNTERS)
        self.counters = UNKNOWN_COUNTERS
        self._show_counter_labels()
        # No card in the reader is an ordinary state, not a fault.
        neutral = isinstance(error, NoCardError | CardRemovedError)
        self.tries_banner.show_message("info" if neutral else "warn", self.services.describe(error))
        self.unlock_banner.hide()
        self._show_form_texts()
        self._update_controls()

    def _show_counters(self, counters: Counters) -> None:
        self._forget_typed_if_card_changed(counters)
        self.counters = counters
        self._show_counter_labels()
        self._show_pin_risk(counters)
        self._show_unlock_risk(counters)
        self._show_form_texts()
        self._update_controls()
        self._move_to_unlock_when_newly_locked(counters)

    def _move_to_unlock_when_newly_locked(self, counters: Counters) -> None:
        """A locked PIN leaves only ロック解除: go there once, when the lock is first shown."""
        card = (counters.reader, counters.card_number)
        locked = counters.pin is not None and counters.pin.blocked and not counters.card_dead
        if not locked:
            self._lock_seen_for = None
            return
        if self._lock_seen_for == card:
            return
        self._lock_seen_for = card
        if self.tabs.currentWidget() is not self.unlock_form.page:
            self.go_to_unlock()

    def _forget_typed_if_card_changed(self, counters: Counters) -> None:
        """What was typed was meant for the card shown then: when another card (or none)
        takes its place, it goes, so it cannot be sent to a card it was not meant for."""
        before = (self.counters.reader, self.counters.card_number)
        if before == (None, None) or before == (counters.reader, counters.card_number):
            return
        typed = [field for field in self.secret_fields if field.text()]
        for field in self.secret_fields:
            empty_secret(field)
        if typed and not self.busy:
            self._show_result("info", self._card_changed_text())

    def _card_changed_text(self) -> str:
        return self.tr(
            "The card was changed, so what you typed was cleared. It was not sent to any card,"
            " so no try was used. Check the card named above and enter it again."
        )

    def _show_counter_labels(self) -> None:
        self._show_target_card()
        pin, unlock = self.counters.pin, self.counters.unlock
        if pin is None:
            self.pin_tries.setText(self.tr("PIN tries left: unknown"))
        else:
            self.pin_tries.setText(
                self.tr("PIN tries left: %1 of %2")
                .replace("%1", str(pin.tries_left))
                .replace("%2", str(pin.max_tries))
            )
        if unlock is None:
            self.unlock_tries.setText(self.tr("Unlock-code tries left: unknown"))
        else:
            self.unlock_tries.setText(
                self.tr("Unlock-code tries left: %1 of %2")
                .replace("%1", str(unlock.tries_left))
                .replace("%2", str(unlock.max_tries))
            )
        self.pin_tries.setAccessibleDescription(self.pin_tries.text())
        self.unlock_tries.setAccessibleDescription(self.unlock_tries.text())

    def _show_target_card(self) -> None:
        text = target_card_text(self.counters) or self.tr("Card: not read yet")
        self.target_card.setText(text)
        self.target_card.setAccessibleDescription(text)

    def _show_pin_risk(self, counters: Counters) -> None:
        """The one message about the PIN's tries left: its colour follows how near a lock is."""
        pin = counters.pin
        if counters.card_dead:
            self.tries_banner.show_message(
                "error", self.services.describe(UnlockCodeBlockedError())
            )
            return
        risk = None if pin is None else assess(pin)
        if pin is None:
            self.tries_banner.show_message(
                "info",
                self.tr(
                    "The tries left have not been read from the card, so nothing can be"
                    " entered yet. Check that the card is inserted; the page reads them again"
                    " as soon as it is."
                ),
            )
        elif risk is PinRisk.NORMAL:
            self.tries_banner.hide()
        elif risk is PinRisk.BLOCKED:
            on_unlock = self.tabs.currentWidget() is self.unlock_form.page
            self.tries_banner.show_message(
                "error",
                self.services.describe(PinBlockedError()),
                None if on_unlock else self.tr("Go to Unlock"),
            )
        elif risk is PinRisk.LAST_TRY:
            self.tries_banner.show_message(
                "critical",
                self.tr(
                    "Only one PIN try is left. If the next PIN is wrong, the card will be"
                    " locked. If you are not sure of your PIN, do not enter it: ask the"
                    " helpdesk first. You will be asked to confirm before the PIN is sent."
                ),
            )
        else:
            self.tries_banner.show_message(
                "warn",
                self.tr(
                    "Caution: only %1 PIN tries are left. After %1 more wrong PINs the card"
                    " will be locked. If you are not sure of your PIN, ask the helpdesk first."
                ).replace("%1", str(pin.tries_left)),
            )

    def _show_form_texts(self) -> None:
        """A locked (or dead) card's closed sections say why, not what a wrong PIN costs."""
        pin = self.counters.pin
        if self.counters.card_dead:
            closed = self.tr("This card can no longer be used, so its PIN cannot be used here.")
            self.verify_form.description.setText(closed)
            self.change_form.description.setText(closed)
            self.unlock_form.description.setText(
                self.tr("No unlock-code tries are left, so this card cannot be unlocked.")
            )
            return
        if pin is not None and pin.blocked:
            self.verify_form.description.setText(
                self.tr(
                    "The PIN is locked, so it cannot be checked. Unlock it on the Unlock tab"
                    " with the unlock code from the helpdesk."
                )
            )
            self.change_form.description.setText(
                self.tr(
                    "The PIN is locked, so it cannot be changed. Unlock it on the Unlock tab"
                    " with the unlock code from the helpdesk; you set a new PIN there."
                )
            )
        else:
            self.verify_form.description.setText(self._verify_text())
            self.change_form.description.setText(self._change_text())
        self.unlock_form.description.setText(self._unlock_text())

    def _show_unlock_risk(self, counters: Counters) -> None:
        unlock = counters.unlock
        risk = None if unlock is None else assess(unlock)
        # A dead card is explained at the top of the page.
        if unlock is None or risk in (PinRisk.NORMAL, PinRisk.BLOCKED):
            self.unlock_banner.hide()
        elif risk is PinRisk.LAST_TRY:
            self.unlock_banner.show_message(
                "critical",
                self.tr(
                    "Only one unlock-code try is left. If the code is wrong, the card can never"
                    " be used again. Check the code with the helpdesk; you will be asked to"
                    " confirm before it is sent."
                ),
            )
        else:
            self.unlock_banner.show_message(
                "warn",
                self.tr(
                    "Caution: only %1 unlock-code tries are left. When none are left, the card"
                    " can never be used again. Check the code with the helpdesk before"
                    " entering it."
                ).replace("%1", str(unlock.tries_left)),
            )

    def _update_controls(self) -> None:
        pin, unlock = self.counters.pin, self.counters.unlock
        dead = self.counters.card_dead
        # Entry opens only once the tries left are known and shown: never blind.
        pin_usable = not self.busy and not dead and pin is not None and not pin.blocked
        unlock_usable = not self.busy and not dead and unlock is not None
        for form, usable in (
            (self.verify_form, pin_usable),
            (self.change_form, pin_usable),
            (self.unlock_form, unlock_usable),
        ):
            form.button.setEnabled(usable)
            for field in form.fields:
                field.setEnabled(usable)

    def go_to_unlock(self) -> None:
        self.tabs.setCurrentWidget(self.unlock_form.page)
        if self.unlock_code.isEnabled() and self.isVisible():  # never steal another page's
            self.unlock_code.setFocus()

    @property
    def _forms(self) -> tuple[_Form, _Form, _Form]:
        return (self.verify_form, self.change_form, self.unlock_form)

    def _tab_changed(self, _index: int) -> None:
        self.result.hide()
        if self.counters.pin is not None:
            self._show_pin_risk(self.counters)  # "Go to Unlock" only outside Unlock
        for form in self._forms:
            form.clear_notes()
            if form.page is not self.tabs.currentWidget():
                # A PIN does not wait, unseen, in a tab the user has left.
                for field in form.fields:
                    empty_secret(field)

    def _typed_in(self, form: _Form) -> None:
        """The user is correcting: last time's messages no longer apply."""
        form.clear_notes()
        self.result.hide()

    def hideEvent(self, event: QHideEvent) -> None:
        # Leaving the page (not minimising the window): no message or typed PIN stays for
        # the next visit.
        if not event.spontaneous():
            self.result.hide()
            for form in self._forms:
                form.clear_notes()
                for field in form.fields:
                    empty_secret(field)
        super().hideEvent(event)

    # --- submitting ---------------------------------------------------------------------------

    def submit_verify(self) -> None:
        self._submit("verify", self.verify_form)

    def submit_change(self) -> None:
        self._submit("change", self.change_form)

    def submit_unlock(self) -> None:
        self._submit("unlock", self.unlock_form)

    def _submit(self, operation: Operation, form: _Form) -> None:
        if self.busy:
            # One command in flight at a time: a PIN is never sent twice. Nothing typed
            # meanwhile stays in a field either.
            for field in form.fields:
                empty_secret(field)
            return
        form.clear_notes()
        self.result.hide()
        if not self._may_send(operation):
            for field in form.fields:
                empty_secret(field)
            return
        if not self._input_follows_the_rules(operation, form):
            return  # the notes say what to correct; what was right is kept
        counter = self.counters.unlock if operation == "unlock" else self.counters.pin
        confirmed = counter is not None and assess(counter) is PinRisk.LAST_TRY
        card = (self.counters.reader, self.counters.card_number)
        secrets = [_take_secret(field) for field in form.fields]
        handed_to_job = False
        try:
            if confirmed and not self._confirm_last_try(operation):
                self._show_result("info", self._not_sent_text(operation))
                return
            if card != (self.counters.reader, self.counters.card_number) or self.busy:
                # The card changed while the question was open: the yes was for another card.
                self._show_result("info", self._card_changed_text())
                return
            self._start(operation, form, secrets, confirmed)
            handed_to_job = True
        finally:
            if not handed_to_job:
                for secret in secrets:
                    secret.wipe()

    def _input_follows_the_rules(self, operation: Operation, form: _Form) -> bool:
        """Check what was typed before anything is sent (no try is spent on a PIN the card
        would refuse anyway). Each mistake is told under its field and only that field (the
        new PIN with its confirmation) is emptied; the first of them gets the focus."""
        first = form.fields[0]
        wrong: list[QLineEdit] = []
        # The rule of the card shown (its profile); the card layer checks again before sending.
        rules = profile_named(self._card_profile)
        if not _is_valid(first, "unlock" if operation == "unlock" else "pin", rules):
            which = "unlock" if operation == "unlock" else "pin"
            form.notes[0].show_error(self.services.describe(PinFormatError("", which=which)))
            empty_secret(first)
            wrong.append(first)
        if operation != "verify":
            new, again = form.fields[1], form.fields[2]
            if not _is_valid(new, "pin", rules):
                form.notes[1].show_error(
                    self.services.describe(PinFormatError("", which="new_pin"))
                )
                wrong.append(new)
            elif not _same(new, again):
                form.notes[2].show_error(
                    self.tr(
                        "The two new PINs do not match. Enter the new PIN twice again. It has"
                        " not been sent to the card, so no try was used."
                    )
                )
                wrong.append(new)
            if new in wrong:
                empty_secret(new)
                empty_secret(again)
        if wrong:
            wrong[0].setFocus()
        return not wrong

    def _not_sent_text(self, operation: Operation) -> str:
        if operation == "unlock":
            return self.tr("The unlock code has not been sent to the card, so no try was used.")
        return self.tr("The PIN has not been sent to the card, so no try was used.")

    def _may_send(self, operation: Operation) -> bool:
        """False (and the guidance shown) when the counters already say nothing may be sent.
        The guard checks again on the card; this only spares a useless trip."""
        if self.counters.card_dead:
            self.tries_banner.show_message(
                "error", self.services.describe(UnlockCodeBlockedError())
            )
            return False
        pin = self.counters.pin
        counter = self.counters.unlock if operation == "unlock" else pin
        if counter is None or (operation != "unlock" and pin is not None and pin.blocked):
            self._show_pin_risk(self.counters)  # unknown tries: nothing is sent blind
            return False
        return True

    def _confirm_last_try(self, operation: Operation) -> bool:
        if operation == "unlock":
            text = self.tr(
                "Only one unlock-code try is left. If this code is wrong, the card can never be"
                " used again and a new card will be needed. Send the unlock code now?"
            )
        else:
            text = self.tr(
                "Only one PIN try is left. If this PIN is wrong, the card will be locked and"
                " you will need an unlock code from the helpdesk. Send the PIN now?"
            )
        answer = QMessageBox.question(
            self,
            self.tr("Last try"),
            text,
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        return answer == QMessageBox.StandardButton.Yes

    def _start(
        self, operation: Operation, form: _Form, secrets: list[SecretBuffer], confirmed: bool
    ) -> None:
        action: Callable[[PinGuard], PinCounter]
        if operation == "verify":
            (pin,) = secrets

            def action(guard: PinGuard) -> PinCounter:
                return guard.verify(pin, last_try_confirmed=confirmed)

        elif operation == "change":
            old, new, _again = secrets

            def action(guard: PinGuard) -> PinCounter:
                return guard.change(old, new, last_try_confirmed=confirmed)

        else:
            code, new, _again = secrets

            def action(guard: PinGuard) -> PinCounter:
                return guard.unlock(code, new, last_try_confirmed=confirmed)

        def done(outcome: PinOutcome) -> None:
            self._finished(operation, form, outcome.error, outcome.counters)

        def failed(error: BaseException) -> None:
            for secret in secrets:  # the job may never have run
                secret.wipe()
            self._finished(operation, form, error, None)

        # The card named on the page: the one in that reader, and only while it is the card
        # whose tries were shown (its number is compared inside the command's transaction).
        choice = CardChoice(reader=self.counters.reader)
        expected = expected_number(self.counters.info)

        def job(backend: ReaderBackend) -> PinOutcome:
            return run_pin_operation(
                backend,
                action,
                secrets,
                name_filter=reader_filter_from_env(),
                choice=choice,
                expected_card_number=expected,
            )

        self.busy = True
        self._update_controls()
        future = self.services.card.run_job(job, done, failed, owner=self)
        if future is not None:
            # Wiped however the job ends, even if this page is gone by then (the job's own
            # `finally` wipes them too; a wiped buffer is wiped again harmlessly).
            future.add_done_callback(lambda _: _wipe_all(secrets))

    # --- results ------------------------------------------------------------------------------

    def _finished(
        self,
        operation: Operation,
        form: _Form,
        error: BaseException | None,
        counters: Counters | None,
    ) -> None:
        self.busy = False
        # Unknown when the card went away; the status read below says why.
        self._show_counters(counters or UNKNOWN_COUNTERS)
        # Every page showing the card (ホーム's tries left) hears the new state.
        self.services.card.refresh_status()
        if error is None:
            self._show_result("ok", self._success_text(operation))
        elif isinstance(error, InvalidPinError):
            # The tries left and what they mean are in the tries banner, read from the card.
            self._show_result("error", self._wrong_text(operation))
        elif isinstance(error, PinBlockedError):
            # What to do is the tries banner's (the page is on ロック解除 now); this says only
            # what became of what was typed. Only the guard knows whether it went out: a yes
            # to the last-try question is no proof (the try may have gone meanwhile).
            self._show_result(
                "error" if error.sent else "info", self._blocked_text(operation, error)
            )
        elif isinstance(error, PinFormatError):
            self._show_format_error(operation, form, error)
        elif isinstance(error, LastTryNotConfirmedError):
            # The counter fell to one between our read and the command: nothing was sent.
            self._show_result(
                "warn",
                self.tr(
                    "Only one try is left now, so it was not sent to the card and no try was"
                    " used. Enter it again; you will be asked to confirm before it is sent."
                ),
            )
        elif isinstance(error, PinResultUnknownError):
            # Not an ordinary failure: the command may or may not have counted.
            self._show_result(
                "warn",
                self.services.describe(error),
                self.tr("Read the tries left again"),
                self.refresh_counters,
            )
        elif isinstance(error, CardSwappedError | CardChoiceNeededError):
            # Nothing was sent: the card is not (or no longer) the one named on the page.
            self._show_result(
                "warn",
                self.services.describe(error),
                self.tr("Read the card again"),
                self.refresh_counters,
            )
        else:
            self._show_result("error", self.services.describe(error))
        if error is not None and self.tabs.currentWidget() is form.page:
            focus = next((field for field in form.fields if field.isEnabled()), None)
            if focus is not None and not any(field.hasFocus() for field in form.fields):
                focus.setFocus()

    def _wrong_text(self, operation: Operation) -> str:
        if operation == "verify":
            return self.tr("The PIN is wrong. One try was used up.")
        if operation == "change":
            return self.tr(
                "The current PIN is wrong, so the PIN was not changed. One try was used up."
            )
        return self.tr(
            "The unlock code is wrong. One unlock-code try was used up. Please check the code"
            " with the helpdesk again."
        )

    def _blocked_text(self, operation: Operation, error: PinBlockedError) -> str:
        if operation == "unlock":
            if error.sent:
                return self.tr(
                    "The unlock code was wrong, and no unlock-code tries are left."
                    " What to do now is shown above."
                )
            return self.tr(
                "No unlock-code tries were left, so the code was not sent to the card."
                " What to do now is shown above."
            )
        if error.sent:
            return self.tr(
                "The PIN was wrong, and no tries are left, so the PIN is now locked."
                " What to do now is shown above."
            )
        if isinstance(error, UnlockCodeBlockedError):  # the PIN's and the code's tries are gone
            return self.tr(
                "This card can no longer be used, so the PIN you entered was not sent to it."
                " What to do now is shown above."
            )
        # Nothing was checked, so nothing is known to be wrong: the PIN locked after the page
        # read the tries (the last try used elsewhere, e.g. while the question was open).
        return self.tr(
            "The PIN became locked after this page read the tries left (for example, another"
            " program used them up), so the PIN you entered was not sent to the card."
            " What to do now is shown above."
        )

    def _success_text(self, operation: Operation) -> str:
        if operation == "verify":
            return self.tr("The PIN is correct.")
        if operation == "change":
            return self.tr("The PIN has been changed. Use the new PIN from now on.")
        return self.tr("The card is unlocked and the new PIN is set. Use the new PIN from now on.")

    def _show_format_error(self, operation: Operation, form: _Form, error: PinFormatError) -> None:
        # "pin" and "unlock" are the first field, "new_pin" the second; a length the card
        # refused is put on the first field (the card does not say which).
        new_pin_field = error.which == "new_pin" and operation != "verify"
        field = form.fields[1] if new_pin_field else form.fields[0]
        form.note_for(field).show_error(self.services.describe(error))
        field.setFocus()

    def _show_result(
        self,
        kind: str,
        text: str,
        button: str | None = None,
        action: Callable[[], None] | None = None,
    ) -> None:
        self._result_action = action
        self.result.show_message(kind, text, button)
        if button is not None:
            self.result.button.setAccessibleName(button)

    def _run_result_action(self) -> None:
        if self._result_action is not None:
            self._result_action()
