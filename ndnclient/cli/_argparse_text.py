"""argparse in the user's language: its own words ("usage:", "options", "the following
arguments are required", "invalid choice" ...) and the sentences of the argument types, from
the message catalogue's `[cli.argparse]` block, like every other sentence of the program.

How: argparse marks each of its sentences for gettext and looks `_` and `ngettext` up in its
module each time it builds a parser, formats help or reports an error. Those two names are
replaced once by functions that, while `argparse_speaks(messages)` is open in the calling
context (a context variable: per thread), answer from the catalogue, keyed by argparse's own
msgid (exactly what a gettext translation of argparse would be), and otherwise as before. The other
ways cost more: a gettext .mo file needs a build step and changes the process-wide default
domain; subclassing the parser would mean copying argparse's parsing code, where most of these
sentences are built. An msgid this table does not know (a later Python's new sentence)
stays in English; tests/unit/test_cli_japanese.py checks that every msgid below is still
argparse's.

An argument type reports a bad value as `ArgumentProblem(key, **params)`: argparse shows its
str(), which is the sentence in the language in force (English outside `argparse_speaks`).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import threading
import unicodedata
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, NoReturn

from ndnclient.messages import Messages

# argparse's msgids (Python 3.11 to 3.13) and their keys under cli.argparse. The values are
# %-templates, as argparse fills them in itself.
MSGIDS: dict[str, str] = {
    "usage: ": "usage",
    "positional arguments": "positional_arguments",
    "options": "options",
    "show this help message and exit": "help",
    "argument %(argument_name)s: %(message)s": "argument",
    "unrecognized arguments: %s": "unrecognized",
    "the following arguments are required: %s": "required",
    "one of the arguments %s is required": "one_required",
    "not allowed with argument %s": "not_allowed_with",
    "ignored explicit argument %r": "ignored_explicit",
    "expected one argument": "expected_one",
    "expected at most one argument": "expected_at_most_one",
    "expected at least one argument": "expected_at_least_one",
    "invalid choice: %(value)r (choose from %(choices)s)": "invalid_choice",
    "unknown parser %(parser_name)r (choices: %(choices)s)": "unknown_parser",
    "invalid %(type)s value: %(value)r": "invalid_value",
    "ambiguous option: %(option)s could match %(matches)s": "ambiguous",
    "unexpected option string: %s": "unexpected_option",
    "%(prog)s: error: %(message)s\n": "error",
}
PLURAL_MSGIDS: dict[tuple[str, str], str] = {
    ("expected %s argument", "expected %s arguments"): "expected_n",
}


@dataclass(frozen=True)
class _Speaking:
    messages: Messages
    wants_json: bool


_speaking: ContextVar[_Speaking | None] = ContextVar("argparse_speaking", default=None)


def _messages() -> Messages:
    speaking = _speaking.get()
    return Messages("en") if speaking is None else speaking.messages


@contextmanager
def argparse_speaks(messages: Messages, *, wants_json: bool = False) -> Iterator[None]:
    """argparse's words in `messages`' language while the block runs (build the parser and
    parse inside it). `wants_json`: a usage error also prints a JSON error document on
    stdout, as every other failure of a --json command does.

    The language is a context variable: two commands run at once in threads (the tests do)
    each speak their own, and argparse elsewhere in the process keeps its English."""
    _install_once()
    token = _speaking.set(_Speaking(messages, wants_json))
    try:
        yield
    finally:
        _speaking.reset(token)


_INSTALL_LOCK = threading.Lock()


def _install_once() -> None:
    """Put our two words functions into argparse, once: they answer in the language of the
    `argparse_speaks` block in force in the calling context, else as argparse would."""
    with _INSTALL_LOCK:
        module = vars(argparse)
        if getattr(module["_"], "ndnclient", False):
            return
        english_gettext, english_ngettext = module["_"], module["ngettext"]

        def gettext(msgid: str) -> str:
            speaking = _speaking.get()
            key = MSGIDS.get(msgid)
            if speaking is None or key is None:
                return str(english_gettext(msgid))
            return speaking.messages.text(f"cli.argparse.{key}")

        def ngettext(singular: str, plural: str, count: int) -> str:
            speaking = _speaking.get()
            key = PLURAL_MSGIDS.get((singular, plural))
            if speaking is None or key is None:
                return str(english_ngettext(singular, plural, count))
            return speaking.messages.text(f"cli.argparse.{key}")

        gettext.ndnclient = True  # type: ignore[attr-defined]
        module["_"], module["ngettext"] = gettext, ngettext


class ArgumentProblem(argparse.ArgumentTypeError):
    """A value an argument type refuses: its sentence is the catalogue's `key`, filled with
    `params`, in the language in force when argparse reports it."""

    def __init__(self, key: str, **params: Any) -> None:
        super().__init__(key)
        self.key = key
        self.params = params

    def __str__(self) -> str:
        return _messages().text(self.key, **self.params)


def report_usage_error(parser: argparse.ArgumentParser, message: str) -> NoReturn:
    """What `ArgumentParser.error` does (the usage, then the sentence, exit 2), plus where
    to read more, and the JSON error document for a --json command."""
    messages = _messages()
    speaking = _speaking.get()
    if speaking is not None and speaking.wants_json:
        error = {"kind": "UsageError", "code": None, "message": message}
        sys.stdout.write(json.dumps({"error": error}, ensure_ascii=False, indent=2) + "\n")
    parser.print_usage(sys.stderr)
    template = vars(argparse)["_"]("%(prog)s: error: %(message)s\n")
    sentence = template % {"prog": parser.prog, "message": message}
    more = messages.text("cli.argparse.see_help", prog=parser.prog)
    parser.exit(EXIT_USAGE, f"{sentence}{more}\n")


# --- Help text that wraps by what a terminal shows ---------------------------------------------

EXIT_USAGE = 2  # as cli._common says (which imports this module)


def display_width(text: str) -> int:
    """Columns on a terminal: a full-width character (Japanese) takes two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


# What a line may not break inside: an ASCII word, or one other character; either with the
# opening brackets before it and the closing brackets and punctuation after it (a line of
# Japanese neither starts with 」, 。, ー or a small kana nor ends with 「), and the spaces
# after it.
_TOKENS = re.compile(
    r"[（「『【]*(?:[!-~]+|\S)[）」』】、。：ーぁぃぅぇぉっゃゅょァィゥェォッャュョ]*\s*"
)


def wrap_columns(text: str, width: int) -> list[str]:
    """`text` in lines of at most `width` terminal columns: a Japanese character takes two
    and a line may break between any two of them; ASCII words stay whole."""
    lines: list[str] = []
    line, used = "", 0
    for token in _TOKENS.findall(" ".join(text.split())):
        size = display_width(token.rstrip())
        if line and used + size > width:
            lines.append(line.rstrip())
            line, used = "", 0
            token = token.lstrip()
        line += token
        used += display_width(token)
    if line.strip():
        lines.append(line.rstrip())
    return lines


class HelpFormatter(argparse.HelpFormatter):
    """argparse's help layout, its lines wrapped by terminal columns, not characters
    (a line of Japanese is twice as wide as its length)."""

    def _format_usage(
        self,
        usage: str | None,
        actions: Iterable[argparse.Action],
        groups: Iterable[argparse._MutuallyExclusiveGroup],
        prefix: str | None,
    ) -> str:
        """The usage, its continued lines under the first one's arguments however wide the
        prefix ("使い方: ") is on screen."""
        if prefix is None:
            prefix = vars(argparse)["_"]("usage: ")
        text = super()._format_usage(usage, actions, groups, prefix)
        extra = " " * (display_width(prefix) - len(prefix))
        first, *rest = text.split("\n")
        return "\n".join([first, *(extra + line if line.strip() else line for line in rest)])

    def _split_lines(self, text: str, width: int) -> list[str]:
        return wrap_columns(text, width)

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        return "\n".join(indent + line for line in wrap_columns(text, width - len(indent)))
