"""The code catalogue (resources/checks/<lang>.toml): for each code a title, what it means and
what to do, and the sentence for each outcome. Stable codes: the helpdesk's scripts and the
CLI's JSON use them."""

from __future__ import annotations

import logging
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from ndnclient.diagnostics.model import CheckStatus, Outcome
from ndnclient.messages import DEFAULT_LANGUAGE, LANGUAGES
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
        outcomes = {
            key: {name: str(text).format_map(blanks).strip() for name, text in texts.items()}
            for key, texts in entry.get("outcomes", {}).items()
        }
        return Explanation(
            code,
            str(entry.get("title", code)),
            str(entry.get("meaning", "")).format_map(blanks),
            str(entry.get("remedy", "")).format_map(blanks),
            outcomes,
        )

    def phrase(self, code: str, name: str, **params: Any) -> str:
        """A phrase a check puts into its own sentence (a code's `phrases` table)."""
        for lang in (self.lang, "en"):
            template = _load(lang).get(code, {}).get("phrases", {}).get(name)
            if template is not None:
                return _fill(str(template), params)
        return ""

    def render(self, code: str, outcome: Outcome) -> tuple[str, str, str]:
        """Title, detail and remedy for one outcome; the remedy is empty when all is well."""
        texts = self._outcome_texts(code, outcome.key)
        detail = _fill(texts.get("detail", outcome.key), outcome.params)
        remedy = ""
        if outcome.status in (CheckStatus.WARN, CheckStatus.FAIL):
            remedy = _fill(
                texts.get("remedy") or str(self._entry(code).get("remedy", "")), outcome.params
            )
        return self.title(code), detail, remedy

    def _outcome_texts(self, code: str, key: str) -> Mapping[str, str]:
        for lang in (self.lang, "en"):
            for owner in (code, COMMON):
                outcomes = _load(lang).get(owner, {}).get("outcomes", {})
                if key in outcomes:
                    return outcomes[key]  # type: ignore[no-any-return]
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
