"""`ndnclient pin verify|change|unlock`: the card is named and its tries shown before anything
is typed; the PIN goes to that card only, once (docs/card-choice.md, docs/architecture.md)."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from ndnclient.cli._common import (
    EXIT_OK,
    CommandContext,
    SecretInput,
    add_command,
    card_choice,
    card_choice_options,
    card_display,
    error_json,
    pass_the_pin_gate,
    pin_entry_options,
    pin_guarded_session,
    print_json,
)
from ndnclient.messages import Messages

if TYPE_CHECKING:
    from ndnclient.card.pin import PinGuard
    from ndnclient.card.session import CounterName, PinCounter
    from ndnclient.card.status import CardStatus

DONE_KEYS = {"verify": "cli.verified", "change": "cli.changed", "unlock": "cli.unlocked"}


def add_commands(
    commands: argparse._SubParsersAction,  # type: ignore[type-arg]
    common: argparse.ArgumentParser,
    messages: Messages,
) -> None:
    t = messages.text
    pin = add_command(commands, "pin", [common], messages)
    pin_commands = pin.add_subparsers(dest="pin_command", metavar="ACTION", required=True)
    for name in ("verify", "change", "unlock"):
        action = pin_commands.add_parser(
            name,
            parents=[
                common,
                card_choice_options(messages, for_pin=True),
                pin_entry_options(messages),
            ],
            help=t(f"cli.help.pin.{name}"),
        )
        action.add_argument("--json", action="store_true", help=t("cli.help.options.json"))
        action.set_defaults(handler=cmd_pin, failure_json=pin_failure_json)


def cmd_pin(ctx: CommandContext, args: argparse.Namespace) -> int:
    messages = ctx.messages
    secrets = SecretInput(args.pin_stdin, ctx)
    gated: CounterName = "unlock" if args.pin_command == "unlock" else "pin"
    with pin_guarded_session(ctx, card_choice(args)) as guarded:
        confirmed = pass_the_pin_gate(guarded.guard, gated, secrets, args, messages)
        card = card_display(guarded.card, messages)
        result = _run_pin_command(args.pin_command, guarded.guard, secrets, confirmed, card)
    if args.json:
        tries = {"pin_tries_left": result.tries_left}
        if gated == "unlock":
            # A right code resets its counter.
            tries["unlock_tries_left"] = guarded.session.profile.unlock_max_tries
        print_json(
            {"result": "ok", **tries, "card": _card_json(guarded.card), "error": None},
            sys.stdout,
        )
    else:
        print(messages.text(DONE_KEYS[args.pin_command], card=card))
    return EXIT_OK


def _card_json(card: CardStatus) -> dict[str, Any]:
    info = card.info
    return {
        "reader": card.reader,
        "card_number": info.card_number if info else None,
        "card_number_display": info.card_number_display if info else None,
        "holder": info.holder if info else None,
    }


def _run_pin_command(
    command: str, guard: PinGuard, secrets: SecretInput, confirmed: bool, card: str
) -> PinCounter:
    if command == "verify":
        with secrets.read("cli.prompt_pin", 1, card) as pin:
            return guard.verify(pin, last_try_confirmed=confirmed)
    if command == "change":
        with (
            secrets.read("cli.prompt_old_pin", 2, card) as old_pin,
            secrets.read_new_pin(2, card) as new,
        ):
            return guard.change(old_pin, new, last_try_confirmed=confirmed)
    with (
        secrets.read("cli.prompt_unlock_code", 2, card) as code,
        secrets.read_new_pin(2, card) as new,
    ):
        return guard.unlock(code, new, last_try_confirmed=confirmed)


def pin_failure_json(error: BaseException, messages: Messages) -> dict[str, Any]:
    """The --json document of a PIN command that failed: the count the error speaks of
    belongs to the PIN or to the unlock code."""
    tries = getattr(error, "tries_left", None)
    unlock = getattr(error, "which", "pin") == "unlock"
    return {
        "result": "error",
        "pin_tries_left": None if unlock else tries,
        "unlock_tries_left": tries if unlock else None,
        "error": error_json(error, messages),
    }
