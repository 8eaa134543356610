"""ホーム: the reader and the card at a glance, kept current without a button, and the first
day's steps in order, each ticked off from the real state."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ndnclient.card.errors import (
    CardChoiceNeededError,
    CardRemovedError,
    MyNumberCardError,
    NoCardError,
)
from ndnclient.card.pin import PinRisk, assess
from ndnclient.card.session import CardType
from ndnclient.card.status import CardStatus, today_in_japan
from ndnclient.renewal import plan_renewal
from ndnclient.settings.cards import Registration
from ndnclient.settings.notices import Notice
from ndnclient.settings.service import Settings
from ndnclient.ui.actions import register_inserted_card
from ndnclient.ui.card_probe import CardProbeAction
from ndnclient.ui.services import Services
from ndnclient.ui.widgets import BANNER_STYLE, SELECTABLE_TEXT, Banner

if TYPE_CHECKING:  # the operation check's modules load later, with its page
    from ndnclient.diagnostics.report import CheckReport
    from ndnclient.ledger.service import CardState

log = logging.getLogger(__name__)


# A card not in the reader is a normal moment of the day, not a fault: told calmly, no code.
CALM_CARD_STATES = (NoCardError, CardRemovedError)
# The first day's steps in order; a step's button opens the page named (MainWindow's names).
FIRST_DAY_STEPS = ("card", "register", "check", "urls")
STEP_PAGES = {"register": "user_info", "check": "check", "urls": "urls"}


class FirstDayGuide(QFrame):
    """The first day in four steps, in order: insert the card, register it, run the operation
    check, add the sites that use the card. Each step is ticked from what is true now (the
    card read, the settings, the last operation check of this session), never from a button
    pressed; a step not done yet is something to do, shown calmly, never as an error."""

    open_page = Signal(str)  # the name of the page a step's button opens

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("first_day_guide")
        self.setStyleSheet(
            "QFrame#first_day_guide { border: 1px solid #c4c7c5; border-radius: 4px; }"
        )
        self.heading = QLabel()
        self.heading.setWordWrap(True)
        self.heading.setStyleSheet("font-weight: bold;")
        self.fold_button = QPushButton()
        self.fold_button.clicked.connect(self.toggle_folded)
        self.fold_button.hide()
        texts = {
            "card": self.tr("1. Insert the GoSign IC card into the card reader."),
            "register": self.tr("2. Register the card in the user info settings."),
            "check": self.tr("3. Run the operation check."),
            "urls": self.tr(
                "4. Add the sites where you use the card (e-bidding and others) to the"
                " allowed URL list."
            ),
        }
        buttons = {
            "register": self.tr("Open user info settings"),
            "check": self.tr("Open operation check"),
            "urls": self.tr("Open allowed URL list"),
        }
        self.steps_box = QWidget()
        grid = QGridLayout(self.steps_box)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setColumnStretch(1, 1)
        self.marks: dict[str, QLabel] = {}
        self.labels: dict[str, QLabel] = {}
        self.buttons: dict[str, QPushButton] = {}
        self.done: dict[str, bool] = dict.fromkeys(FIRST_DAY_STEPS, False)
        self.folded = False
        for row, step in enumerate(FIRST_DAY_STEPS):
            mark = QLabel()
            label = QLabel(texts[step])
            label.setWordWrap(True)
            self.marks[step], self.labels[step] = mark, label
            grid.addWidget(mark, row, 0, Qt.AlignmentFlag.AlignVCenter)
            grid.addWidget(label, row, 1)
            if step in buttons:
                button = QPushButton(buttons[step])
                button.clicked.connect(
                    lambda _=False, page=STEP_PAGES[step]: self.open_page.emit(page)
                )
                self.buttons[step] = button
                grid.addWidget(button, row, 2)
        top = QHBoxLayout()
        top.addWidget(self.heading, 1)
        top.addWidget(self.fold_button, 0, Qt.AlignmentFlag.AlignTop)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.steps_box)
        self.set_done(self.done)

    def set_done(self, done: dict[str, bool]) -> None:
        self.done = {step: bool(done.get(step)) for step in FIRST_DAY_STEPS}
        ok_colour = BANNER_STYLE["ok"][1]
        next_step = next((step for step in FIRST_DAY_STEPS if not self.done[step]), None)
        for step in FIRST_DAY_STEPS:
            mark, label = self.marks[step], self.labels[step]
            if self.done[step]:
                mark.setText("✔")
                mark.setStyleSheet(f"color: {ok_colour};")
                label.setStyleSheet(f"color: {ok_colour};")
                state = self.tr("done")
            else:
                # To do: the plain text colour, never red or amber; the next one in bold.
                mark.setText("○")
                mark.setStyleSheet("")
                label.setStyleSheet("font-weight: bold;" if step == next_step else "")
                state = self.tr("to do")
            mark.setAccessibleName(state)
            label.setAccessibleName(f"{label.text()} ({state})")
        all_done = next_step is None
        if all_done:
            self.heading.setText(self.tr("✔ The first-day steps are all done."))
        else:
            self.heading.setText(
                self.tr("First day: do these steps in order (%1 of %2 done).")
                .replace("%1", str(sum(self.done.values())))
                .replace("%2", str(len(FIRST_DAY_STEPS)))
            )
        # Folding away is offered once every step is done; a folded guide stays folded.
        self.fold_button.setVisible(all_done or self.folded)
        self.steps_box.setVisible(not self.folded)
        self.fold_button.setText(
            self.tr("Show the steps") if self.folded else self.tr("Hide the steps")
        )

    def toggle_folded(self) -> None:
        self.folded = not self.folded
        self.set_done(self.done)


class HomePage(QWidget):
    open_page = Signal(str)  # a page's name: the window shows it

    def __init__(
        self, services: Services, notices: tuple[Notice, ...] = (), parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.services = services
        self.status: CardStatus | None = None
        # The last operation check of this session (the window hands it over).
        self.check_report: CheckReport | None = None
        messages = services.messages
        t = messages.text
        self.notice = Banner()
        self.guide = FirstDayGuide()
        self.guide.open_page.connect(self.open_page)
        self.problem = Banner()
        self.renewal = Banner()
        self.unregistered = Banner()
        self.unregistered.action.connect(self._register)
        # A card the client does not recognise may be a GoSign card in a layout it does not
        # know yet: a read-only look (no PIN) gives the helpdesk what the card answers.
        self.probe_offer = QWidget()
        self.probe_note = QLabel(
            self.tr(
                "If this shows for a GoSign IC card, look at the card's information and send it"
                " to the helpdesk."
            )
        )
        self.probe_note.setWordWrap(True)
        self.probe_note.setTextFormat(Qt.TextFormat.PlainText)
        self.probe = CardProbeAction(services, self)
        self.probe_result = Banner()
        self.probe.finished.connect(self.probe_result.show_message)
        probe_row = QHBoxLayout()
        probe_row.addWidget(self.probe.button)
        probe_row.addStretch(1)
        probe_layout = QVBoxLayout(self.probe_offer)
        probe_layout.setContentsMargins(0, 0, 0, 0)
        probe_layout.addWidget(self.probe_note)
        probe_layout.addLayout(probe_row)
        probe_layout.addWidget(self.probe_result)
        self.probe_offer.hide()
        self.reader = QLabel(self.tr("Looking for the card reader…"))
        self.card_type = QLabel()
        self.card_number = QLabel()
        self.holder = QLabel()
        self.validity = QLabel()
        self.pin_tries = QLabel()
        # While several cards wait for the user's choice: what tells them apart.
        self.cards_list = QLabel()
        self.cards_list.setWordWrap(True)
        self.cards_list.setTextFormat(Qt.TextFormat.PlainText)  # holders' names from the cards
        self.cards_list.setTextInteractionFlags(SELECTABLE_TEXT)
        self.cards_list.setAccessibleName(self.tr("Inserted cards"))
        self.cards_list.hide()
        # To whom the inserted card is lent, from the lending ledger (read off the GUI thread).
        self.lending = QLabel()
        self.lending.setWordWrap(True)
        self.lending.setTextFormat(Qt.TextFormat.PlainText)  # a borrower's name as typed
        self.lending.setTextInteractionFlags(SELECTABLE_TEXT)
        self.lending.hide()
        self._lending_card: str | None = None  # the card whose lending is shown or asked
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
            # What the card and the reader say, shown as text, never as markup.
            label.setTextFormat(Qt.TextFormat.PlainText)
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
        layout.addWidget(self.notice)
        layout.addWidget(self.problem)
        layout.addWidget(self.probe_offer)
        for banner in (self.renewal, self.unregistered):
            layout.addWidget(banner)
        layout.addWidget(self.details)
        layout.addWidget(self.lending)
        layout.addWidget(self.cards_list)
        layout.addWidget(self.guide)
        layout.addStretch(1)
        # Done once on this PC: the guide stays away (the setting is saved when it happens).
        self.guide.setVisible(not services.settings.current.values["ui.first_day_done"])
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
        self._offer_probe(status)
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
        problem = status.problem
        if problem is None:
            self.problem.hide()
        elif isinstance(problem, CALM_CARD_STATES):
            self.problem.hide()  # the verdict line says it all, calmly
        else:
            kind = "info" if isinstance(problem, MyNumberCardError) else "error"
            self.problem.show_message(kind, self.services.describe(problem))
        self._update_banners()
        gosign = info is not None and status.card_type is CardType.GOSIGN
        card = info.card_number if info is not None and gosign else None
        if card != self._lending_card:
            self._lending_card = card
            self.read_lending()

    def _offer_probe(self, status: CardStatus) -> None:
        """The look at the card, for a card that answered but is not one the client knows
        (not for a card that could not be read, nor a My Number card)."""
        if status.card_type_key != "card_type.unknown":
            self.probe_result.hide()  # about a card no longer shown
            self.probe_offer.hide()
            return
        self.probe.set_reader(status.reader)
        self.probe_offer.show()

    def on_shown(self) -> None:
        """Back on the home page: the lending may have been recorded meanwhile."""
        self.read_lending()

    def read_lending(self) -> None:
        """Ask the lending ledger, on the task thread, to whom the inserted card is lent."""
        card = self._lending_card
        if card is None:
            self.lending.hide()
            return
        services = self.services

        def work() -> CardState:
            from ndnclient.ui.pages.ledger import with_ledger

            return with_ledger(services, lambda ledger: ledger.status([card]))()[0]

        def failed(error: BaseException) -> None:
            # The card page is about the card: a ledger out of reach is said on its own page.
            log.info("the lending of the inserted card could not be read: %s", error)
            self.lending.hide()

        self.services.tasks.run(work, self._show_lending, failed, owner=self)

    def _show_lending(self, state: CardState) -> None:
        from ndnclient.ui.pages.ledger import japan_time, short_due

        lending = state.lending
        if state.card_number != self._lending_card or lending is None:
            self.lending.hide()
            return
        since = japan_time(lending.time)
        if lending.due is None:
            text = self.tr("Lent out: to %1 (since %2)")
        else:
            text = self.tr("Lent out: to %1 (since %2, due %3)").replace(
                "%3", short_due(lending.due, lending.time)
            )
        text = text.replace("%2", since).replace("%1", lending.user or "")
        if state.overdue:
            text = "⚠ " + text + self.tr(" — overdue: the card should be back")
            self.lending.setStyleSheet(f"color: {BANNER_STYLE['warn'][1]}; font-weight: bold;")
        else:
            self.lending.setStyleSheet("")
        self.lending.setText(text)
        self.lending.setAccessibleName(text)
        self.lending.show()

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
            # What to do is said once, by the card selector's banner right above the pages.
            count = str(len(status.problem.cards))
            return "info", self.tr("%1 cards are inserted.").replace("%1", count)
        if isinstance(status.problem, CALM_CARD_STATES):
            # The catalogue's sentence (how to insert the card), without a check code.
            problem = status.problem
            return "info", self.services.messages.text(problem.message_key, **problem.params)
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

    def show_check_report(self, report: CheckReport | None) -> None:
        """The last operation check's report (None: not run in this session)."""
        self.check_report = report
        self._update_guide()

    def _update_guide(self) -> None:
        status, settings = self.status, self.services.settings.current
        choice_needed = status is not None and isinstance(status.problem, CardChoiceNeededError)
        info = status.info if status is not None else None
        gosign = info is not None and status is not None and status.card_type is CardType.GOSIGN
        registered = {card.card_number for card in settings.cards}
        done = {
            "card": gosign or choice_needed,
            "register": gosign and info is not None and info.card_number in registered,
            "check": _card_checked_without_error(self.check_report),
            "urls": bool(settings.urls_allowed),
        }
        self.guide.set_done(done)
        if all(done.values()) and not settings.values["ui.first_day_done"]:
            self._remember_first_day_done()

    def _remember_first_day_done(self) -> None:
        service, hub = self.services.settings_service, self.services.settings

        def failed(error: BaseException) -> None:
            # Only the guide comes back on the next start; nothing to tell the user about.
            log.info("could not save that the first day is done: %s", error)

        self.services.tasks.run(
            lambda: service.set("ui.first_day_done", True), hub.update, failed, owner=self
        )

    def _update_banners(self) -> None:
        self._update_guide()
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


def _card_checked_without_error(report: CheckReport | None) -> bool:
    """The first day's check step: a run that examined the card (G02 and G03 passed: not a
    run without a card, nor one cancelled before it reached the card) and found no error."""
    if report is None or report.failed:
        return False
    from ndnclient.diagnostics.model import CheckStatus  # loaded with the report already

    passed = {result.code for result in report.results if result.status is CheckStatus.OK}
    return {"G02", "G03"} <= passed
