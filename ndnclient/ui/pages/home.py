"""ホーム: the reader and the card at a glance, kept current without a button."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFormLayout, QLabel, QVBoxLayout, QWidget

from ndnclient.card.errors import CardChoiceNeededError, MyNumberCardError
from ndnclient.card.pin import PinRisk, assess
from ndnclient.card.session import CardType
from ndnclient.card.status import CardStatus, today_in_japan
from ndnclient.renewal import plan_renewal
from ndnclient.settings.cards import Registration
from ndnclient.settings.notices import Notice
from ndnclient.settings.service import Settings
from ndnclient.ui.actions import register_inserted_card
from ndnclient.ui.services import Services
from ndnclient.ui.widgets import BANNER_STYLE, SELECTABLE_TEXT, Banner


class HomePage(QWidget):
    go_to_user_info = Signal()

    def __init__(
        self, services: Services, notices: tuple[Notice, ...] = (), parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.services = services
        self.status: CardStatus | None = None
        messages = services.messages
        t = messages.text
        self.notice = Banner()
        self.problem = Banner()
        self.renewal = Banner()
        self.unregistered = Banner()
        self.unregistered.action.connect(self._register)
        self.reader = QLabel(self.tr("Looking for the card reader…"))
        self.card_type = QLabel()
        self.card_number = QLabel()
        self.holder = QLabel()
        self.validity = QLabel()
        self.pin_tries = QLabel()
        # While several cards wait for the user's choice: what tells them apart.
        self.cards_list = QLabel()
        self.cards_list.setWordWrap(True)
        self.cards_list.setTextInteractionFlags(SELECTABLE_TEXT)
        self.cards_list.setAccessibleName(self.tr("Inserted cards"))
        self.cards_list.hide()
        self.details = QWidget()
        form = QFormLayout(self.details)
        form.setContentsMargins(0, 0, 0, 0)
        for key, label in (
            ("status.reader", self.reader),
            ("status.card_type", self.card_type),
            ("status.card_number", self.card_number),
            ("status.holder", self.holder),
            ("status.validity", self.validity),
            ("status.pin_tries", self.pin_tries),
        ):
            label.setAccessibleName(t(key))
            form.addRow(t(key), label)
        title = QLabel(self.tr("GoSign IC card"))
        title.setStyleSheet("font-size: 16pt; font-weight: bold;")
        # The one line to read first: a symbol and words, never colour alone.
        self.verdict = QLabel(self.tr("Looking for the card reader…"))
        self.verdict.setWordWrap(True)
        self.verdict.setAccessibleName(self.tr("Card state"))
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(self.verdict)
        for banner in (self.notice, self.problem, self.renewal, self.unregistered):
            layout.addWidget(banner)
        layout.addWidget(self.details)
        layout.addWidget(self.cards_list)
        layout.addStretch(1)
        if notices:
            self.notice.show_message(
                "warn", " ".join(messages.text(n.message_key, **n.params) for n in notices)
            )
        services.card.status_read.connect(self.show_status)
        services.settings.changed.connect(self._settings_changed)
        if services.card.last_status is not None:
            self.show_status(services.card.last_status)

    def show_status(self, status: CardStatus) -> None:
        self.status = status
        choice_needed = isinstance(status.problem, CardChoiceNeededError)
        self.details.setVisible(not choice_needed)
        self.cards_list.setVisible(choice_needed)
        if isinstance(status.problem, CardChoiceNeededError):
            # The verdict and the selector above say what to do; here is what to choose from.
            self.problem.hide()
            self.cards_list.setText(self._cards_text(status.problem.cards))
            self._update_banners()
            return
        messages = self.services.messages
        t = messages.text
        none = t("status.none")
        self.reader.setText(status.reader or none)
        self.card_type.setText(t(status.card_type_key))
        info = status.info
        self.card_number.setText(info.card_number_display if info else none)
        self.holder.setText(info.holder if info else none)
        if info is None:
            self.validity.setText(none)
        else:
            days_left = status.days_left() or 0
            key = "status.validity_value" if days_left > 0 else "status.validity_expired"
            self.validity.setText(
                t(key, valid_from=info.valid_from, valid_to=info.valid_to, days_left=days_left)
            )
        self.pin_tries.setText(
            t(
                "status.tries_value",
                tries_left=status.pin.tries_left,
                max_tries=status.pin.max_tries,
            )
            if status.pin
            else none
        )
        if status.problem is None:
            self.problem.hide()
        else:
            kind = "info" if isinstance(status.problem, MyNumberCardError) else "error"
            self.problem.show_message(kind, messages.describe(status.problem))
        self._update_banners()

    def _cards_text(self, cards: Sequence[object]) -> str:
        """One line per card: number, holder, reader, validity, and whether it is registered."""
        registered = {card.card_number for card in self.services.settings.current.cards}
        lines = [self.tr("Inserted cards:")]
        for card in cards:
            if not isinstance(card, CardStatus):
                continue
            info = card.info
            if info is None:
                lines.append(
                    self.tr("• A card that could not be read (reader: %1)").replace(
                        "%1", card.reader or ""
                    )
                )
                continue
            mark = (
                self.tr("registered")
                if info.card_number in registered
                else self.tr("not registered")
            )
            lines.append(
                self.tr("• %1  %2 (reader: %3), valid until %4, %5")
                .replace("%1", info.card_number_display)
                .replace("%2", info.holder)
                .replace("%3", card.reader or "")
                .replace("%4", str(info.valid_to))
                .replace("%5", mark)
            )
        return "\n".join(lines)

    def _verdict(self, status: CardStatus) -> tuple[str, str]:
        """The card's state in one sentence, and its kind (ok, warn, error, info)."""
        if isinstance(status.problem, MyNumberCardError):
            return "info", self.tr("This is not a GoSign card: see below.")
        if isinstance(status.problem, CardChoiceNeededError):
            return "warn", self.tr("Choose the card to use at the top of the window.")
        if status.problem is not None or status.info is None:
            return "error", self.tr("The card cannot be used now: see below.")
        if (status.days_left() or 0) <= 0:
            return "error", self.tr("This card has expired.")
        risk = assess(status.pin) if status.pin is not None else PinRisk.NORMAL
        if risk is PinRisk.BLOCKED:
            return "error", self.tr("The PIN is locked: unlock it on the PIN page.")
        if risk is not PinRisk.NORMAL:
            return "warn", self.tr("The card can be used, but few PIN tries are left.")
        registered = {card.card_number for card in self.services.settings.current.cards}
        if status.info.card_number not in registered:
            return "warn", self.tr("The card works, but it is not registered yet: see below.")
        return "ok", self.tr("The card is ready to use.")

    def _settings_changed(self, _settings: Settings) -> None:
        self._update_banners()

    def _update_banners(self) -> None:
        status, settings = self.status, self.services.settings.current
        if status is not None:
            kind, verdict = self._verdict(status)
            symbol, colour, _ = BANNER_STYLE[kind]
            self.verdict.setText(f"{symbol} {verdict}")
            self.verdict.setStyleSheet(f"font-size: 13pt; font-weight: bold; color: {colour};")
        info = status.info if status is not None else None
        if info is None or status is None or status.card_type is not CardType.GOSIGN:
            self.renewal.hide()
            self.unregistered.hide()
            return
        numbers = {card.card_number for card in settings.cards}
        if info.card_number in numbers:
            self.unregistered.hide()
        else:
            self.unregistered.show_message(
                "warn",
                self.tr(
                    "The inserted card (%1) is not registered in the user info settings."
                ).replace("%1", info.card_number_display),
                self.tr("Register this card"),
            )
        plan = plan_renewal(info.valid_to)
        if plan.reminder_due(today_in_japan()):
            self.renewal.show_message(
                "info",
                self.tr(
                    "Time to renew: this card is valid until %1. Start the application by %2; the"
                    " renewed card's validity should start on %3."
                )
                .replace("%1", str(plan.valid_to))
                .replace("%2", str(plan.apply_by))
                .replace("%3", str(plan.renewal_valid_from)),
            )
        else:
            self.renewal.hide()

    def _register(self) -> None:
        self.unregistered.button.setEnabled(False)

        def done(_registration: Registration) -> None:
            self.unregistered.button.setEnabled(True)
            self.unregistered.show_message("ok", self.tr("The card is registered."))

        def failed(error: BaseException) -> None:
            self.unregistered.button.setEnabled(True)
            self.unregistered.show_message("error", self.services.describe(error))

        register_inserted_card(self.services, self, done, failed)
