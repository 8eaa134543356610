"""The one boundary for settings-shaped documents from outside: the user's settings file, an
export being imported, the IT policy, a value typed on the command line.

JSON and TOML parsers accept more than a settings value can be: nesting thousands deep
(`RecursionError` in the parser, or later in anything that walks the value), integers with
thousands of digits (`ValueError` past Python's digit limit, `OverflowError` in arithmetic),
and, in JSON, lone surrogates (`"\\ud800"`), which load as text but can never be written as
UTF-8 again, so one of them would block every later save. Here a document is parsed with
those failures turned into `DocumentError`, a JSON file's lone surrogates are replaced by
U+FFFD, and each value is checked by `value_problem` before any rule sees it, so the
callers' usual path (drop the value, name the key, keep the file) handles the rest like any
other bad value.
"""

from __future__ import annotations

import json
import re
from typing import Any

MAX_DOCUMENT_BYTES = 1024 * 1024  # a settings file is a few KB; a list of URLs a few hundred
# Settings values are at most a list of tables of text (cards); a few levels more than that
# is still plainly not a settings value, and checking stops there.
MAX_DEPTH = 8
# TOML's integers are 64-bit; JSON's are what a reader makes of them. No setting needs more.
INT_LIMIT = 2**63
# In a Python string from JSON a surrogate is always a lone one (pairs were joined).
_SURROGATE = re.compile("[\ud800-\udfff]")


class DocumentError(ValueError):
    """The bytes are not a usable document; the message says why, in English, for a log and
    the `detail` of a notice (never a value from the document). `problem` is None for a
    syntax error, else `value_problem`'s word for what the parser met ("too_deep",
    "number_too_large") or "too_large"."""

    def __init__(self, message: str, problem: str | None = None) -> None:
        super().__init__(message)
        self.problem = problem


def _decode(raw: bytes) -> str:
    if len(raw) > MAX_DOCUMENT_BYTES:
        raise DocumentError(f"{len(raw)} bytes, more than {MAX_DOCUMENT_BYTES}")
    try:
        # utf-8-sig: Notepad and PowerShell 5 write a byte-order mark.
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise DocumentError(f"not UTF-8 (byte {error.start})") from None


def parse_json(raw: bytes) -> Any:
    """A JSON file's document, its lone surrogates (see `repaired_text`) repaired."""
    return _repaired(parse_json_text(_decode(raw)), 0)


def repaired_text(text: str) -> str:
    """`text` with each lone surrogate replaced by U+FFFD (the replacement character). A
    JSON escape like "\\ud800" is no character at all; replaced, the rest of the value
    (a card's label, say) is kept and can be written again."""
    if text_is_writable(text):
        return text
    return _SURROGATE.sub("\ufffd", text)


def _repaired(value: Any, depth: int) -> Any:
    if isinstance(value, str):
        return repaired_text(value)
    if depth > MAX_DEPTH:
        return value  # `value_problem` refuses it as too deep anyway
    if isinstance(value, list):
        return [_repaired(item, depth + 1) for item in value]
    if isinstance(value, dict):
        return {repaired_text(k): _repaired(v, depth + 1) for k, v in value.items()}
    return value


def parse_json_text(text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise DocumentError(f"not JSON: {error}") from None
    except (ValueError, RecursionError, MemoryError) as error:
        raise DocumentError(f"not JSON: {_why(error)}", _problem(error)) from None


def parse_toml(raw: bytes) -> dict[str, Any]:
    import tomllib  # only where a policy is read

    text = _decode(raw)
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise DocumentError(f"not TOML: {error}") from None
    except (ValueError, RecursionError, MemoryError) as error:
        raise DocumentError(f"not TOML: {_why(error)}", _problem(error)) from None


def _problem(error: BaseException) -> str:
    if isinstance(error, RecursionError):
        return "too_deep"
    if isinstance(error, MemoryError):
        return "too_large"
    return "number_too_large"  # ValueError: past Python's digit limit for integers


def _why(error: BaseException) -> str:
    """What a parser's non-syntax failure means, for IT (the parsers' own texts quote the
    document or, for RecursionError, say nothing useful)."""
    if isinstance(error, RecursionError):
        return "nested too deeply"
    if isinstance(error, MemoryError):
        return "too large"
    return "a number with too many digits"


def value_problem(value: Any, depth: int = 0) -> str | None:
    """Why `value` cannot be a settings value at all, before its key's own rule looks at it:
    "too_deep", "number_too_large" or "bad_text"; None when it can be."""
    if depth > MAX_DEPTH:
        return "too_deep"
    if isinstance(value, str):
        return None if text_is_writable(value) else "bad_text"
    if isinstance(value, bool) or value is None or isinstance(value, float):
        return None
    if isinstance(value, int):
        return None if -INT_LIMIT <= value < INT_LIMIT else "number_too_large"
    if isinstance(value, list):
        items: list[Any] = value
    elif isinstance(value, dict):
        items = [*value.keys(), *value.values()]
    else:
        return None  # TOML dates and times: each key's rule refuses what it does not take
    for item in items:
        problem = value_problem(item, depth + 1)
        if problem is not None:
            return problem
    return None


def text_is_writable(text: str) -> bool:
    """True unless `text` holds a lone surrogate (from a JSON escape, or a file name or
    argument the system could not decode), which no UTF-8 file can hold."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
