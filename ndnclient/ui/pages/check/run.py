"""Running the operation check off the GUI thread.

The checks run on a thread of their own, never the GUI's: each result crosses to the GUI
thread through a queued signal (`RunChannel`), and the card is reached only through the card
thread (`CardBridge.blocking_access`). Every run has an id, so that what an older (cancelled)
run still sends never lands in a newer run's table.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QObject, Signal

from ndnclient.card.choice import CardChoice
from ndnclient.card.pin import SecretBuffer
from ndnclient.card.readers import reader_filter_from_env
from ndnclient.diagnostics.checks import ALL_CHECKS, checks_for
from ndnclient.diagnostics.context import CheckContext
from ndnclient.diagnostics.model import Check, CheckResult
from ndnclient.diagnostics.runner import CheckRunner
from ndnclient.diagnostics.signature_test import SIGNATURE_TEST
from ndnclient.ui.pages.check.signature_form import SignatureRequest
from ndnclient.ui.services import Services

log = logging.getLogger(__name__)


class RunChannel(QObject):
    """Carries a run's news from the runner's thread to the GUI thread (queued signals).

    Not a child of the page but of the application: a runner thread that outlives the page
    (the window rebuilt for another language) still emits into a live object, which then
    reaches no one; and the object is never destroyed on the runner's thread."""

    result_arrived = Signal(int, object)  # run id, CheckResult
    run_ended = Signal(int, object)  # run id, list[CheckResult] in the checks' order
    run_failed = Signal(int, str)  # run id, the unexpected exception's class name


@dataclass
class CheckRun:
    """One press of Start: its context (the cancel flag, the card findings) and what came."""

    run_id: int
    context: CheckContext
    checks: tuple[Check, ...]
    results: dict[str, CheckResult] = field(default_factory=dict)
    cancelled: bool = False
    ended: bool = False
    signature_pin: SecretBuffer | None = None  # G14's PIN, wiped when the run ends

    def order(self, code: str) -> int:
        return next((i for i, c in enumerate(self.checks) if c.code == code), len(self.checks))


class StopOnClose:
    """Cancels the run in progress when the page goes (the slot must not hold the page)."""

    def __init__(self) -> None:
        self.cancel: threading.Event | None = None

    def stop(self, *_: Any) -> None:
        if self.cancel is not None:
            self.cancel.set()


def start_run(
    services: Services,
    run_id: int,
    channel: RunChannel,
    choice: CardChoice,
    signature: SignatureRequest | None,
) -> CheckRun:
    """Start a run that examines the chosen card (`choice`; without one, of several cards the
    first GoSign card, the others noted), with G14 when `signature` is given."""
    context = CheckContext(
        services.settings.current,
        services.card.blocking_access(),
        reader_filter=reader_filter_from_env(),
        card_choice=signature.choice if signature is not None else choice,
        lang=services.lang,
        signature_pin=signature.pin if signature is not None else None,
        signature_last_try_confirmed=signature is not None and signature.last_try_confirmed,
        signature_card=signature.card if signature is not None else None,
    )
    in_force = checks_for(context.settings)  # G04 waits for the card only when it must
    checks = (*in_force, SIGNATURE_TEST) if signature is not None else in_force
    runner = CheckRunner(checks, context, window=True)  # remedies name pages, not commands
    run = CheckRun(
        run_id, context, checks, signature_pin=signature.pin if signature is not None else None
    )
    # A daemon: a check stuck past its bound must never keep the program from ending.
    threading.Thread(
        target=run_checks,
        args=(runner, run_id, channel),
        name=f"operation-check-{run_id}",
        daemon=True,
    ).start()
    return run


def run_checks(runner: CheckRunner, run_id: int, channel: RunChannel) -> None:
    """The runner's thread: run every check, emitting each result as it comes. It touches
    no widget: it only emits."""
    try:
        results = runner.run(on_result=lambda result: channel.result_arrived.emit(run_id, result))
    except Exception as error:  # the runner turns check errors into results; this is a bug
        log.exception("the operation check stopped unexpectedly")
        channel.run_failed.emit(run_id, type(error).__name__)
        return
    channel.run_ended.emit(run_id, results)


def check_count(with_signature_test: bool) -> int:
    return len(ALL_CHECKS) + (1 if with_signature_test else 0)
