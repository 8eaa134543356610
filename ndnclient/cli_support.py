"""What every command-line module shares: exit statuses, the two usage exceptions, the JSON
output, and the options that more than one command takes (choosing the card, entering a PIN)."""

from __future__ import annotations

import argparse
import json
from typing import Any, TextIO

from ndnclient.card.choice import CardChoice
from ndnclient.card.info import parse_card_number
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


# --- Options more than one command takes --------------------------------------------------


def card_number_argument(text: str) -> str:
    number = parse_card_number(text)
    if number is None:
        raise argparse.ArgumentTypeError(f"not a card number (16 digits): {text!r}")
    return number


def card_choice_options(*, for_pin: bool) -> argparse.ArgumentParser:
    """--card and --reader: which card, when more than one is inserted."""
    options = argparse.ArgumentParser(add_help=False)
    when = " (needed when several cards are inserted)" if for_pin else ""
    options.add_argument(
        "--card",
        type=card_number_argument,
        metavar="NUMBER",
        help=f"the card with this number, e.g. 9392-0000-1234-5678{when}",
    )
    options.add_argument(
        "--reader",
        metavar="NAME",
        help=f"the card in the reader with this name (or a part of it){when}",
    )
    return options


def card_choice(args: argparse.Namespace) -> CardChoice:
    return CardChoice(getattr(args, "card", None), getattr(args, "reader", None))


def pin_entry_options(*, command: str = "the command") -> argparse.ArgumentParser:
    """How a PIN command takes its secrets and the last-try confirmation."""
    options = argparse.ArgumentParser(add_help=False)
    options.add_argument(
        "--pin-stdin",
        action="store_true",
        help="read the PIN (and any code) from stdin, one a line (never from arguments)",
    )
    options.add_argument(
        "--i-understand-last-try",
        action="store_true",
        help=f"allow {command} when only one try is left",
    )
    return options
