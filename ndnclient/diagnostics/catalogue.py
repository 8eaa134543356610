"""The code catalogue (resources/checks/<lang>.toml): for each code a title, what it means and
what to do, and the sentence for each outcome. Stable codes: the helpdesk's scripts and the
CLI's JSON use them.

A text that names a command (`ndnclient urls add ...`) has a form for the window beside it
(`gui_detail`, `gui_remedy`: "on the 許可URLリスト page ..."), and `gui_page` names the page
the window offers a button for. Values a text quotes that are sentences themselves
(`Phrase`, `ErrorSentence`, `Joined`) are resolved when the text is rendered, in the form
for the front end that shows it, so that a result can be rendered again in another language
(`rerender`)."""

from __future__ import annotations

import logging
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import cache
from typing import Any

from ndnclient.diagnostics.model import CheckResult, CheckStatus, Outcome
from ndnclient.messages import DEFAULT_LANGUAGE, LANGUAGES, Messages
from ndnclient.resources import resource_path

log = logging.getLogger(__name__)

COMMON = "common"  # outcomes every check can have: unexpected, timed_out, skipped, cancelled


@cache
def _load(lang: str) -> dict[str, Any]:
    path = resource_path("checks", f"{lang}.toml")
    try:
        with path.open("rb") as file:
            return tomllib.load(file)
    except (OSError, tomllib.TOMLDecodeError) as error:
        log.error("check catalogue %s unreadable: %s", path, error)
        return {}


@dataclass(frozen=True)
class Phrase:
    """A phrase of a code's `phrases` table, quoted in an outcome's text."""

    code: str
    name: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def in_language(self, catalogue: Catalogue, *, window: bool = False) -> str:  # noqa: ARG002
        # A phrase names no command, so it reads the same in the window.
        return catalogue.phrase(self.code, self.name, **self.params)


@dataclass(frozen=True)
class ErrorSentence:
    """Another layer's sentence for an error (a card error met by a check). In the window it
    is the sentence's window form: what to press, not what to type (`--card`)."""

    error: BaseException

    def in_language(self, catalogue: Catalogue, *, window: bool = False) -> str:
        return Messages(catalogue.lang).describe(self.error, in_window=window)


@dataclass(frozen=True)
class Joined:
    """Several phrases joined by a separator phrase (「、」 in Japanese, ", " in English)."""

    separator: Phrase
    parts: tuple[Any, ...]

    def in_language(self, catalogue: Catalogue, *, window: bool = False) -> str:
        return self.separator.in_language(catalogue, window=window).join(
            _resolved(part, catalogue, window=window) for part in self.parts
        )


def _resolved(value: Any, catalogue: Catalogue, *, window: bool = False) -> Any:
    in_language = getattr(value, "in_language", None)
    return in_language(catalogue, window=window) if callable(in_language) else value


def code_label(messages: Messages, code: str, status: CheckStatus | None = None) -> str:
    """How a row's code is told: 「動作確認エラー:G04」 for a failure only (as the issuer's FAQ
    writes it), the neutral 「確認コード:G10」 for a warning, a note or a row not checked, and
    for a code on its own (`status` None: `explain`)."""
    if status is not None and status.is_fault:
        return messages.text("check.code", code=code)
    return messages.text("check.code_neutral", code=code)


@dataclass(frozen=True)
class Explanation:
    code: str
    title: str
    meaning: str
    remedy: str
    outcomes: Mapping[str, Mapping[str, str]]


class Catalogue:
    def __init__(self, lang: str = DEFAULT_LANGUAGE) -> None:
        self.lang = lang if lang in LANGUAGES else DEFAULT_LANGUAGE

    def codes(self) -> list[str]:
        return sorted(code for code in _load(self.lang) if code != COMMON)

    def _entry(self, code: str) -> Mapping[str, Any]:
        entry = _load(self.lang).get(code)
        if entry is None:
            entry = _load("en").get(code, {})
        return entry  # type: ignore[no-any-return]

    def title(self, code: str) -> str:
        return str(self._entry(code).get("title", code))

    def explain(self, code: str, known: Mapping[str, Any] | None = None) -> Explanation | None:
        """A code's texts for `explain`: blanks filled from `known` (what this PC's settings
        say), the rest shown as "…"."""
        entry = self._entry(code)
        if not entry or code == COMMON:
            return None
        blanks = _Blanks(known or {})
        # The command line's texts: the window's forms (gui_*) are not for `explain`.
        outcomes = {
            key: {
                name: str(text).format_map(blanks).strip()
                for name, text in texts.items()
                if not name.startswith("gui_")
            }
            for key, texts in entry.get("outcomes", {}).items()
        }
        return Explanation(
            code,
            str(entry.get("title", code)),
            str(entry.get("meaning", "")).format_map(blanks),
            str(entry.get("remedy", "")).format_map(blanks),
            outcomes,
        )

    def cause_title(self, code: str, outcome: str) -> str:
        """A few words naming one outcome's cause, for the headings of `explain` (a code's
        `causes` table); the outcome's key when it has none."""
        for lang in (self.lang, "en"):
            title = _load(lang).get(code, {}).get("causes", {}).get(outcome)
            if title is not None:
                return str(title)
        return outcome

    def phrase(self, code: str, name: str, **params: Any) -> str:
        """A phrase a check puts into its own sentence (a code's `phrases` table)."""
        for lang in (self.lang, "en"):
            template = _load(lang).get(code, {}).get("phrases", {}).get(name)
            if template is not None:
                return _fill(str(template), params)
        return ""

    def render(self, code: str, outcome: Outcome, *, window: bool = False) -> tuple[str, str, str]:
        """Title, detail and remedy for one outcome; the remedy is empty when all is well.
        `window`: the texts for the window (a page to open, not a command to type)."""
        texts = self._outcome_texts(code, outcome.key)
        entry = self._entry(code)
        params = {
            name: _resolved(value, self, window=window) for name, value in outcome.params.items()
        }
        detail = texts.get("detail", outcome.key)
        if window:
            detail = texts.get("gui_detail", detail)
        remedy = ""
        if outcome.status not in (CheckStatus.WARN, CheckStatus.FAIL):
            # Not a problem; an outcome may still say what to do next (insert the card).
            remedy = texts.get("gui_remedy" if window else "remedy") or texts.get("remedy", "")
            remedy = _fill(remedy, params)
        else:
            remedy = texts.get("remedy") or str(entry.get("remedy", ""))
            if window:
                remedy = (
                    texts.get("gui_remedy")
                    or (None if texts.get("remedy") else entry.get("gui_remedy"))
                    or remedy
                )
            remedy = _fill(str(remedy), params)
        return self.title(code), _fill(detail, params), remedy

    def page_to_open(self, code: str, outcome_key: str) -> str | None:
        """The window's page a result's remedy names (`gui_page`), if any."""
        texts = self._outcome_texts(code, outcome_key, quiet=True)
        page = texts.get("gui_page") or self._entry(code).get("gui_page")
        return str(page) if page else None

    def rerender(self, result: CheckResult, *, window: bool = False) -> CheckResult:
        """The same result with its texts in this catalogue's language."""
        outcome = Outcome(result.status, result.outcome, result.params, result.facts)
        title, detail, remedy = self.render(result.code, outcome, window=window)
        return replace(result, title=title, detail=detail, remedy=remedy)

    def _outcome_texts(self, code: str, key: str, *, quiet: bool = False) -> Mapping[str, str]:
        for lang in (self.lang, "en"):
            for owner in (code, COMMON):
                outcomes = _load(lang).get(owner, {}).get("outcomes", {})
                if key in outcomes:
                    return outcomes[key]  # type: ignore[no-any-return]
        if not quiet:
            log.warning("no text for %s outcome %s", code, key)
        return {}


class _Blanks(dict[str, Any]):
    """Fills what is known; a phrase that depends on one result is left out, the rest "…"."""

    def __missing__(self, key: str) -> str:
        return "" if key.endswith("_note") else "…"


def _fill(template: str, params: Mapping[str, Any]) -> str:
    try:
        return template.format(**params)
    except (KeyError, IndexError, ValueError):
        log.warning("a check text lacks a parameter: %s", template)
        return template
