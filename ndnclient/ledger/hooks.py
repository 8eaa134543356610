"""The ledger at the PIN gate: the front ends (the command line's main, the window) install
these on the card layer's hooks (`card.pin_events`), so that every PIN command and signature
the program sends writes exactly one `use` entry, and the IT policy `ledger.require_lending`
refuses a card that is not lent out before anything is sent.

The ledger is opened for each event and closed after it: events come from whichever thread
talks to the card, and the settings (the policy, `ledger.url`) are read as they are then.
Writing the use record never fails the PIN command (Ledger.record_use never raises).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from ndnclient.card.info import format_card_number
from ndnclient.card.pin_events import PinEvent, install_pin_hooks
from ndnclient.ledger.entries import LedgerError
from ndnclient.ledger.store import LedgerUnavailableError

log = logging.getLogger(__name__)

# The settings in force when an event comes (a Settings object; Any keeps this module light).
SettingsSource = Callable[[], Any]


def record_event(settings: Any, event: PinEvent) -> None:
    """The use entry for one PIN command. Never raises."""
    from ndnclient.ledger.service import open_ledger

    try:
        ledger = open_ledger(settings)
    except Exception:
        log.exception("the ledger could not be opened; use record lost: %s", event.operation)
        return
    try:
        # A card whose number could not be read is still recorded, under no number.
        ledger.record_use(
            event.card_number or "",
            operation=event.operation,
            result=event.result,
            tries_left=event.tries_left,
            data_sha256=event.data_sha256,
        )
    finally:
        try:
            ledger.close()
        except Exception:
            log.exception("the ledger did not close cleanly")


def require_lending(settings: Any, card_number: str | None) -> None:
    """Raise LedgerError when the policy wants a lending and this card is not lent out. A
    ledger that cannot be reached does not hold the PIN back: the use is recorded locally
    and sent later, as any use is."""
    from ndnclient.ledger.service import lending_required, open_ledger

    if not lending_required(settings):
        return
    if card_number is None:
        raise LedgerError("ledger.hooks.number_unknown")
    ledger = open_ledger(settings)
    try:
        (state,) = ledger.status([card_number])
    except LedgerError as error:
        if isinstance(error.__cause__, LedgerUnavailableError):
            log.warning("lending not checked, the ledger is unavailable: %s", error.__cause__)
            return
        raise
    finally:
        ledger.close()
    if not state.lent:
        raise LedgerError("ledger.pin_refused_not_lent", card=format_card_number(card_number))


def install_ledger_hooks(settings_source: SettingsSource) -> Callable[[], None]:
    """Install the use record and the lending rule; returns the function that removes them."""

    def observe(event: PinEvent) -> None:
        record_event(settings_source(), event)

    def admission(card_number: str | None) -> None:
        require_lending(settings_source(), card_number)

    return install_pin_hooks(observe, admission)
