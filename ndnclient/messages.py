"""User-facing sentences from the message catalogue (resources/messages/<lang>.toml).

The CLI's main and the GUI's error handler are the only places that turn errors into
sentences, and they do it through `Messages.describe`.
"""

from __future__ import annotations

import logging
import re
import tomllib
from functools import cache
from typing import Any

from ndnclient.errors import UserFacingError
from ndnclient.resources import resource_path

log = logging.getLogger(__name__)

LANGUAGES = ("ja", "en")
DEFAULT_LANGUAGE = "ja"


@cache
def _catalogue(lang: str) -> dict[str, str]:
    path = resource_path("messages", f"{lang}.toml")
    try:
        with path.open("rb") as file:
            tree = tomllib.load(file)
    except (OSError, tomllib.TOMLDecodeError) as error:
        log.error("message catalogue %s unreadable: %s", path, error)
        return {}
    flat: dict[str, str] = {}

    def walk(prefix: str, node: dict[str, Any]) -> None:
        for key, value in node.items():
            name = f"{prefix}{key}"
            if isinstance(value, dict):
                walk(f"{name}.", value)
            else:
                flat[name] = str(value)

    walk("", tree)
    return flat


class Messages:
    """Sentences in one language, falling back to English, then to the key itself."""

    def __init__(self, lang: str = DEFAULT_LANGUAGE) -> None:
        self.lang = lang if lang in LANGUAGES else DEFAULT_LANGUAGE

    def has(self, key: str, /) -> bool:
        return key in _catalogue(self.lang) or key in _catalogue("en")

    def text(self, key: str, /, **params: Any) -> str:
        template = _catalogue(self.lang).get(key) or _catalogue("en").get(key)
        if template is None:
            log.warning("message %s missing", key)
            return key
        try:
            return template.format(**{name: _quotable(value) for name, value in params.items()})
        except (KeyError, IndexError, ValueError):
            log.warning("message %s lacks a parameter", key)
            return template

    def describe(self, error: BaseException, *, in_window: bool = False) -> str:
        """One sentence for an error, with its operation-check code where it has one.

        `in_window`: the sentence is for the GUI, so a message that tells what to type on the
        command line is taken in its window form (`KEY_gui`: what to press) where it has one."""
        if not isinstance(error, UserFacingError):
            return self.text("cli.unexpected", error=type(error).__name__)
        key = error.message_key
        which = getattr(error, "which", None)
        if which and self.has(f"{key}_{which}"):
            key = f"{key}_{which}"
        if in_window and self.has(f"{key}_gui"):
            key = f"{key}_gui"
        sentence = self.text(key, **error.params)
        if error.check_code:
            sentence = f"{sentence} {self.text('cli.code', code=error.check_code)}"
        return sentence


# Control characters a terminal obeys (ESC starts colour and cursor sequences), except the
# line breaks and tabs of a multi-line detail: shown as \x1b instead of acted on.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _quotable(value: Any) -> Any:
    """A sentence's parameter as it may be shown: a file name, a URL or a value the user
    typed may hold control characters; they are quoted, never written to the terminal raw."""
    if isinstance(value, str):
        return _CONTROL.sub(lambda found: f"\\x{ord(found.group()):02x}", value)
    return value
