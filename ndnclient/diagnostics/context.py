"""What the checks share: the settings in force, access to the card, the clock, and what
earlier checks found (the reader and card from G01–G03, the CRL and ARL from G04).

A check writes its findings before it finishes and a check that depends on it starts after,
so the findings need no lock. Card access goes through `with_card`, one job at a time: the
CLI runs the jobs on a backend of its own, the GUI hands them to its card thread
(ndnclient.card.jobs).
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import TypeVar

from cryptography import x509

from ndnclient.card.choice import NO_CHOICE, CardChoice
from ndnclient.card.connection import ReaderBackend, ReaderSlot
from ndnclient.card.info import CardInfo
from ndnclient.card.jobs import CardAccess
from ndnclient.card.pin import ExpectedNumber, SecretBuffer
from ndnclient.card.session import CardType, PinCounter
from ndnclient.card.status import JAPAN_TIME, CardStatus
from ndnclient.diagnostics.catalogue import Catalogue
from ndnclient.messages import DEFAULT_LANGUAGE, Messages
from ndnclient.pki.ldap_repository import ProbeResult
from ndnclient.pki.trust import AnchorSet, ChainResult, load_anchors
from ndnclient.settings.service import Settings

T = TypeVar("T")


def found(value: T | None, what: str) -> T:
    """What an earlier check found: the check that needs it runs only after that one passed,
    so it is there. Missing, it is a bug in the checks' order, and says so (the runner turns
    the error into a result)."""
    if value is None:
        raise LookupError(f"{what} is missing although the check that finds it passed")
    return value


@dataclass
class CardFindings:
    readers: list[str] = field(default_factory=list)
    slot: ReaderSlot | None = None
    card_type: CardType | None = None
    protocol: str | None = None
    info: CardInfo | None = None
    certificate: x509.Certificate | None = None
    ca_certificate: x509.Certificate | None = None  # the card's CA_CERT, an intermediate
    pin: PinCounter | None = None
    unlock: PinCounter | None = None
    # The number of the card G02 chose (None when it could not be read): G03 must find it.
    chosen_number: str | None = None
    # The other cards inserted beside the one examined (G02 chose it), as G02 saw them.
    others: list[CardStatus] = field(default_factory=list)


class CheckContext:
    def __init__(
        self,
        settings: Settings,
        card_access: CardAccess,
        *,
        reader_filter: str | None = None,
        card_choice: CardChoice = NO_CHOICE,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        cancel: threading.Event | None = None,
        lang: str = DEFAULT_LANGUAGE,
        signature_pin: SecretBuffer | None = None,
        signature_last_try_confirmed: bool = False,
        signature_card: ExpectedNumber | None = None,
    ) -> None:
        self.settings = settings
        # G14 (the signature test) only: the PIN the user typed for it, and their yes when
        # it is the last try. The caller owns and wipes the buffer.
        self.signature_pin = signature_pin
        self.signature_last_try_confirmed = signature_last_try_confirmed
        # ... and the card the user was shown when typing it: G14 sends the PIN to no other.
        self.signature_card = signature_card
        # Checks that quote another layer's sentence, or a phrase, need the run's language.
        self.messages = Messages(lang)
        self.catalogue = Catalogue(lang)
        self.card_access = card_access
        self.reader_filter = reader_filter
        # The card the user chose, when several may be inserted; without a choice G02
        # examines the first GoSign card and notes the others.
        self.card_choice = card_choice
        self._clock = clock
        self.cancel = cancel or threading.Event()
        self.card = CardFindings()
        self.ldap: ProbeResult | None = None
        self.chain: ChainResult | None = None  # G09's verified chain, for G08
        # The whole run's end (time.monotonic), when it has one: checks with bounds of their
        # own (the LDAP probe) shorten them to it, so they still give their own verdict.
        self.deadline: float | None = None
        self._anchors: AnchorSet | None = None
        self.platform = sys.platform  # whose trust store G09 reads (tests play Windows)
        self._anchors_lock = threading.Lock()

    @property
    def anchors(self) -> AnchorSet:
        """The trust anchors in force, read once per run."""
        with self._anchors_lock:
            if self._anchors is None:
                self._anchors = load_anchors(
                    self.settings.trust_anchor_files,
                    use_system_store=self.settings.trust_use_system_store,
                    platform=self.platform,
                )
            return self._anchors

    def with_card(self, job: Callable[[ReaderBackend], T]) -> T:
        return self.card_access(job)

    def now(self) -> datetime:
        return self._clock()

    def today(self) -> date:
        """Today in Japan, where validity dates are kept."""
        return self.now().astimezone(JAPAN_TIME).date()
