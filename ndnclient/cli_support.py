"""What every command-line module shares: exit statuses, the two usage exceptions and the
JSON output."""

from __future__ import annotations

import json
from typing import Any, TextIO

from ndnclient.messages import Messages

EXIT_OK = 0
EXIT_PROBLEM = 1
EXIT_USAGE = 2


class UsageError(Exception):
    """Bad usage found after parsing (exit 2); the message is already user text."""


class Abort(Exception):
    """The user declined or input was missing; nothing was sent (exit 1). User text."""


def print_json(document: dict[str, Any], out: TextIO) -> None:
    out.write(json.dumps(document, ensure_ascii=False, indent=2) + "\n")


def error_json(error: BaseException | None, messages: Messages) -> dict[str, Any] | None:
    if error is None:
        return None
    return {
        "kind": type(error).__name__,
        "code": getattr(error, "check_code", None),
        "message": messages.describe(error),
    }
