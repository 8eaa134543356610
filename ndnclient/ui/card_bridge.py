"""The GUI's side of the card thread: worker events and results arrive as Qt signals.

The `CardWorker` (core, no Qt) owns the card on its own thread. Its listener here only emits
a signal; Qt queues the signal to the GUI thread, where the slots run. No widget is touched
from the worker thread, and the GUI thread never touches the card: pages hand their card
work to `run_job`, and the operation check's thread uses `blocking_access`.
"""

from __future__ import annotations

import concurrent.futures
import logging
from collections.abc import Callable
from concurrent.futures import Future
from typing import TypeVar

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from ndnclient.card.choice import NO_CHOICE, CardChoice, choose_card
from ndnclient.card.connection import ReaderBackend
from ndnclient.card.errors import (
    CardChoiceNeededError,
    CardError,
    CardNotRespondingError,
    ChosenCardNotFoundError,
    NoServiceError,
)
from ndnclient.card.jobs import CardAccess
from ndnclient.card.readers import reader_filter_from_env
from ndnclient.card.session import CardType
from ndnclient.card.status import CardStatus, CardSurvey, survey_cards
from ndnclient.card.worker import CardEvent, CardEventKind, CardWorker
from ndnclient.ui.tasks import Deliverer, Failed

log = logging.getLogger(__name__)

T = TypeVar("T")

# Events after which what the pages show of the card may be out of date.
STATUS_CHANGING_EVENTS = frozenset(
    {
        CardEventKind.READERS_CHANGED,
        CardEventKind.CARD_INSERTED,
        CardEventKind.CARD_REMOVED,
        CardEventKind.SERVICE_LOST,
    }
)
WORKER_RESTART_DELAY_MS = 1000
# The longest the operation check's thread waits for the card thread to take its job.
BLOCKING_JOB_TIMEOUT_S = 30.0


class CardBridge(QObject):
    """The card thread's events and results on the GUI thread, and which card the window acts
    on: the one the user chose in the card selector, or the only one inserted.

    `status_read` carries the status of that card. When several cards may be GoSign cards
    and none is chosen, it carries a status whose problem is CardChoiceNeededError: no page
    acts on any card until the user chooses."""

    card_event = Signal(object)  # CardEvent
    status_read = Signal(object)  # CardStatus of the card in use
    cards_read = Signal(object)  # CardSurvey: every inserted card (for the selector)

    def __init__(
        self, backend_factory: Callable[[], ReaderBackend], parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._backend_factory = backend_factory
        self._worker: CardWorker | None = None
        self.deliverer = Deliverer(self)
        self._stopped = False
        self.last_status: CardStatus | None = None
        self.survey: CardSurvey | None = None
        self.selected: CardChoice = NO_CHOICE  # what the user chose in the selector
        self.card_event.connect(self._on_card_event)

    def start(self) -> None:
        if self._stopped:
            return  # a restart scheduled before stop() must not revive the card thread
        worker = CardWorker(self._backend_factory)
        worker.subscribe(self.card_event.emit)  # runs on the worker thread: emit only
        self._worker = worker
        worker.start()

    def stop(self) -> None:
        self._stopped = True
        if self._worker is not None:
            self._worker.stop()
            self._worker = None

    def run_job(
        self,
        job: Callable[[ReaderBackend], T],
        on_done: Callable[[T], None],
        on_error: Failed | None = None,
        *,
        owner: QObject | None = None,
    ) -> Future[T] | None:
        """Run `job(backend)` on the card thread; the answer comes back on the GUI thread.
        Returns the job's future (None when there is no card thread), for clean-up that must
        happen even if the owner is gone by then."""
        if self._worker is None:
            if on_error is not None:
                on_error(NoServiceError("the card thread is not running"))
            return None
        future = self._worker.submit(job)
        self.deliverer.watch(future, on_done, on_error, owner)
        return future

    def blocking_access(self) -> CardAccess:
        """For threads other than the GUI's (the operation check): run a job on the card
        thread and wait for it, within a bound."""
        return _BlockingAccess(self)

    def refresh_status(self) -> None:
        """Read every inserted card on the card thread; `cards_read` and `status_read`
        follow."""
        self.run_job(
            lambda backend: survey_cards(backend, reader_filter_from_env()),
            self._survey_arrived,
            self._status_failed,
        )

    def select(self, choice: CardChoice) -> None:
        """The user chose a card in the selector: every page now acts on it."""
        self.selected = choice
        if self.survey is not None:
            self._survey_arrived(self.survey)

    @property
    def card_choice(self) -> CardChoice:
        """The choice card jobs pass to the core: the card in use, by its number and reader;
        no choice while the user has not chosen one of several (the core then refuses)."""
        status = self.last_status
        if status is None or status.reader is None:
            return NO_CHOICE
        number = status.info.card_number if status.info is not None else None
        return CardChoice(card_number=number, reader=status.reader)

    @property
    def choice_needed(self) -> bool:
        status = self.last_status
        return status is not None and isinstance(status.problem, CardChoiceNeededError)

    def _survey_arrived(self, survey: CardSurvey) -> None:
        self.survey = survey
        status = self._card_in_use(survey)
        self.last_status = status
        self.cards_read.emit(survey)
        self.status_read.emit(status)

    def _card_in_use(self, survey: CardSurvey) -> CardStatus:
        if not survey.cards:
            return survey.primary()
        try:
            return choose_card(survey.cards, self.selected)
        except ChosenCardNotFoundError:
            # The chosen card was pulled: the choice stays for when it comes back, and
            # meanwhile a lone card is used as ever.
            pass
        except CardChoiceNeededError as several:
            return _choice_needed_status(survey, several)
        try:
            return choose_card(survey.cards)
        except CardChoiceNeededError as several:
            return _choice_needed_status(survey, several)

    @staticmethod
    def _status_failed(error: BaseException) -> None:
        if isinstance(error, CardError):
            log.info("reading the card status failed: %s", error)
        else:
            log.error("reading the card status failed", exc_info=error)

    @Slot(object)  # emitted on the card thread: a declared slot is queued safely
    def _on_card_event(self, event: CardEvent) -> None:
        if event.kind is CardEventKind.WORKER_FAILED:
            # The card thread died (logged there): start a fresh one with a fresh context.
            log.warning("card worker failed; restarting it")
            self._worker = None
            QTimer.singleShot(WORKER_RESTART_DELAY_MS, self.start)
        elif event.kind in STATUS_CHANGING_EVENTS:
            self.refresh_status()


def _choice_needed_status(survey: CardSurvey, error: CardChoiceNeededError) -> CardStatus:
    return CardStatus(survey.readers, None, CardType.UNKNOWN, problem=error)


class _BlockingAccess:
    """A `CardAccess` over the bridge's card thread, for the operation check's thread."""

    def __init__(self, bridge: CardBridge) -> None:
        self._bridge = bridge

    def __call__(self, job: Callable[[ReaderBackend], T]) -> T:
        worker = self._bridge._worker
        if worker is None:
            raise NoServiceError("the card thread is not running")
        try:
            return worker.submit(job).result(timeout=BLOCKING_JOB_TIMEOUT_S)
        except concurrent.futures.TimeoutError:
            # The card thread is stuck in a call to the smart-card service; the check must
            # not wait for ever, and says the card does not answer (G02).
            raise CardNotRespondingError(
                f"the card thread did not answer within {BLOCKING_JOB_TIMEOUT_S} s"
            ) from None
