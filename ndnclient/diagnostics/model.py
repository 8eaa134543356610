"""What a check is and what it gives back (docs/check-codes.md, "What one result holds")."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ndnclient.diagnostics.context import CheckContext


class CheckStatus(StrEnum):
    OK = "ok"
    WARN = "warn"
    FAIL = "fail"
    # Not checked: a prerequisite did not pass, the run was cancelled, or nothing to check
    # yet (no card inserted, the card pulled out): never a fault by itself.
    SKIPPED = "skipped"
    NOT_APPLICABLE = "not_applicable"  # the settings make it moot (G04 under multi-trust)

    @property
    def passed(self) -> bool:
        """What a dependent check needs from this one."""
        return self in (CheckStatus.OK, CheckStatus.WARN)

    @property
    def is_fault(self) -> bool:
        """Only a failure is a fault: its code is told as 「動作確認エラー:Gxx」 (the issuer's
        FAQ), every other row's as the neutral 「確認コード:Gxx」."""
        return self is CheckStatus.FAIL


@dataclass(frozen=True)
class Outcome:
    """What a check's code returns: a status, which text of the catalogue says it (the
    outcome key under the code), the values that text needs, and machine-readable facts."""

    status: CheckStatus
    key: str
    params: Mapping[str, Any] = field(default_factory=dict)
    facts: Mapping[str, Any] = field(default_factory=dict)


DEFAULT_TIME_BOUND = 10.0  # seconds, for a check that states none


@dataclass(frozen=True)
class Check:
    """One check. `requires` must have passed, or this one is skipped; `after` only orders
    (this check uses their data when there is any). `time_bound` is the longest it may take,
    in seconds, for the settings in force."""

    code: str
    run: Callable[[CheckContext], Outcome]
    requires: tuple[str, ...] = ()
    after: tuple[str, ...] = ()
    time_bound: Callable[[CheckContext], float] = lambda _context: DEFAULT_TIME_BOUND


@dataclass(frozen=True)
class CheckResult:
    code: str
    status: CheckStatus
    title: str
    detail: str
    remedy: str
    facts: Mapping[str, Any]
    elapsed_ms: int
    outcome: str  # the outcome key, stable for scripts (e.g. "refused" under G04)
    # The values the texts were filled with, kept so that the texts can be rendered again
    # in another language (Catalogue.rerender); not part of the JSON (the facts are).
    params: Mapping[str, Any] = field(default_factory=dict, compare=False)

    def to_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "status": self.status.value,
            "title": self.title,
            "detail": self.detail,
            "remedy": self.remedy,
            "facts": dict(self.facts),
            "elapsed_ms": self.elapsed_ms,
            "outcome": self.outcome,
        }
