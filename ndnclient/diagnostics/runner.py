"""The runner: every check at the earliest moment its prerequisites allow, side by side, each
result handed back the moment it is ready.

- A check starts when everything in its `requires` and `after` has finished; if something
  in `requires` did not pass, it is `skipped` and says which.
- Each check has a time bound; one that overruns is reported `fail` ("did not finish in N s")
  and the run goes on (its thread is left to end on its own bounds).
- No check can raise: an unexpected error becomes a `fail` naming its class.
- `cancel` (a threading.Event) stops the run: what has not finished is `skipped`.
- An optional `deadline` bounds the whole run the same way.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable, Iterable, Iterator

from ndnclient.diagnostics.catalogue import Catalogue
from ndnclient.diagnostics.context import CheckContext
from ndnclient.diagnostics.model import (
    DEFAULT_TIME_BOUND,
    Check,
    CheckResult,
    CheckStatus,
    Outcome,
)

log = logging.getLogger(__name__)

# How often a waiting runner looks at the cancel flag and the bounds.
POLL_SECONDS = 0.05


def with_prerequisites(checks: Iterable[Check], only: Iterable[str]) -> list[Check]:
    """The checks named in `only` and everything they need (`requires` and `after`: a check
    that uses another's findings must not run without them), in catalogue order."""
    by_code = {check.code: check for check in checks}
    wanted: set[str] = set()
    stack = [code for code in only if code in by_code]
    while stack:
        code = stack.pop()
        if code not in wanted:
            wanted.add(code)
            stack.extend((*by_code[code].requires, *by_code[code].after))
    return [check for check in by_code.values() if check.code in wanted]


def _refuse_cycles(checks: list[Check]) -> None:
    """A cycle among `requires`/`after` would leave the runner waiting for ever."""
    graph = {c.code: [*c.requires, *c.after] for c in checks}
    done: set[str] = set()

    def visit(code: str, path: tuple[str, ...]) -> None:
        if code in path:
            raise ValueError(f"checks depend on each other in a cycle: {' → '.join(path)}")
        if code in done or code not in graph:
            return
        for dependency in graph[code]:
            visit(dependency, (*path, code))
        done.add(code)

    for code in graph:
        visit(code, ())


class CheckRunner:
    def __init__(
        self,
        checks: Iterable[Check],
        context: CheckContext,
        *,
        deadline: float | None = None,
        window: bool = False,
    ) -> None:
        """`deadline` (seconds) bounds the whole run; texts come in the context's language,
        in the window's form when `window` (a page to open rather than a command)."""
        self.checks = list(checks)
        _refuse_cycles(self.checks)
        self.context = context
        self.catalogue: Catalogue = context.catalogue
        self.deadline = deadline
        self.window = window

    def run(self, on_result: Callable[[CheckResult], None] | None = None) -> list[CheckResult]:
        """Run everything; call `on_result` with each result as it comes; return them all
        in the checks' order."""
        results = {}
        for result in self.results():
            results[result.code] = result
            if on_result is not None:
                on_result(result)
        return [results[check.code] for check in self.checks]

    def results(self) -> Iterator[CheckResult]:
        """Each result the moment it is ready."""
        started_run = time.monotonic()
        if self.deadline is not None:
            self.context.deadline = started_run + self.deadline
        codes = {check.code for check in self.checks}
        pending = {check.code: check for check in self.checks}
        finished: dict[str, CheckResult] = {}
        running: dict[str, tuple[Check, float, float]] = {}
        arrived: queue.SimpleQueue[CheckResult] = queue.SimpleQueue()
        while pending or running:
            for result in self._start_ready(pending, finished, running, codes, arrived):
                finished[result.code] = result
                yield result
            if not running:
                continue
            try:
                result = arrived.get(timeout=POLL_SECONDS)
            except queue.Empty:
                pass
            else:
                if result.code in running:  # else it overran and was reported already
                    del running[result.code]
                    finished[result.code] = result
                    yield result
            for result in self._overdue(running, started_run):
                finished[result.code] = result
                yield result

    def _start_ready(
        self,
        pending: dict[str, Check],
        finished: dict[str, CheckResult],
        running: dict[str, tuple[Check, float, float]],
        codes: set[str],
        arrived: queue.SimpleQueue[CheckResult],
    ) -> list[CheckResult]:
        immediate: list[CheckResult] = []
        for code, check in list(pending.items()):
            waits_for = [c for c in (*check.requires, *check.after) if c in codes]
            if any(c not in finished for c in waits_for):
                continue
            del pending[code]
            blocked = [c for c in check.requires if c in finished and not finished[c].status.passed]
            if self.context.cancel.is_set():
                immediate.append(self._result(check, Outcome(CheckStatus.SKIPPED, "cancelled"), 0))
            elif blocked and all(finished[c].status is CheckStatus.NOT_APPLICABLE for c in blocked):
                # Moot because what it needs is moot (G08 under multi-trust): no problem.
                immediate.append(
                    self._result(
                        check,
                        Outcome(
                            CheckStatus.NOT_APPLICABLE,
                            "prerequisite_not_applicable",
                            {"codes": ", ".join(blocked)},
                            {"because": blocked},
                        ),
                        0,
                    )
                )
            elif blocked:
                # What it needs was not checked either (no card inserted): no fault to solve.
                not_checked = all(finished[c].status is CheckStatus.SKIPPED for c in blocked)
                immediate.append(
                    self._result(
                        check,
                        Outcome(
                            CheckStatus.SKIPPED,
                            "prerequisite_not_checked" if not_checked else "skipped",
                            {"codes": ", ".join(blocked)},
                            {"because": blocked},
                        ),
                        0,
                    )
                )
            else:
                running[code] = (check, time.monotonic(), self._bound(check))
                # A daemon thread: a check stuck past its bound must never keep the program
                # from ending (a thread pool's workers are waited for at exit).
                threading.Thread(
                    target=lambda c=check: arrived.put(self._run_one(c)),
                    name=f"check-{code}",
                    daemon=True,
                ).start()
        return immediate

    def _bound(self, check: Check) -> float:
        try:
            return float(check.time_bound(self.context))
        except Exception:
            log.info("time bound of %s failed", check.code, exc_info=True)
            return DEFAULT_TIME_BOUND

    def _overdue(
        self, running: dict[str, tuple[Check, float, float]], started_run: float
    ) -> list[CheckResult]:
        now = time.monotonic()
        run_over = self.deadline is not None and now - started_run > self.deadline
        late: list[CheckResult] = []
        for code, (check, started, bound) in list(running.items()):
            if self.context.cancel.is_set():
                outcome = Outcome(CheckStatus.SKIPPED, "cancelled")
            elif run_over or now - started > bound:
                limit = self.deadline if run_over and self.deadline is not None else bound
                outcome = Outcome(
                    CheckStatus.FAIL,
                    "timed_out",
                    {"seconds": f"{limit:g}"},
                    {"time_bound_s": limit},
                )
            else:
                continue
            del running[code]  # its thread ends on its own bounds; its result is dropped
            late.append(self._result(check, outcome, round((now - started) * 1000)))
        return late

    def _run_one(self, check: Check) -> CheckResult:
        started = time.monotonic()
        try:
            outcome = check.run(self.context)
        except Exception as error:
            # INFO, not ERROR: the user gets the sentence, the log file the traceback.
            log.info("check %s failed unexpectedly", check.code, exc_info=True)
            outcome = Outcome(
                CheckStatus.FAIL,
                "unexpected",
                {"error": f"{type(error).__name__}: {error}"},
                {"exception": type(error).__name__},
            )
        return self._result(check, outcome, round((time.monotonic() - started) * 1000))

    def _result(self, check: Check, outcome: Outcome, elapsed_ms: int) -> CheckResult:
        title, detail, remedy = self.catalogue.render(check.code, outcome, window=self.window)
        return CheckResult(
            check.code,
            outcome.status,
            title,
            detail,
            remedy,
            dict(outcome.facts),
            elapsed_ms,
            outcome.key,
            dict(outcome.params),
        )
