"""`ndnclient renewal plan`: when to apply for the renewed card, and its recommended validity
(the issuer's rules; the calendar's holidays come from the `holidays` package, loaded only
for this command)."""

from __future__ import annotations

import argparse
import sys
from datetime import date

from ndnclient.card.info import CARD_YEARS
from ndnclient.cli._common import (
    EXIT_OK,
    CommandContext,
    UsageError,
    add_command,
    date_argument,
    print_json,
)
from ndnclient.messages import Messages


def add_commands(
    commands: argparse._SubParsersAction,  # type: ignore[type-arg]
    common: argparse.ArgumentParser,
    messages: Messages,
) -> None:
    t = messages.text
    renewal = add_command(commands, "renewal", [common], messages)
    renewal_actions = renewal.add_subparsers(
        dest="renewal_command", metavar="ACTION", required=True
    )
    plan = renewal_actions.add_parser(
        "plan",
        parents=[common],
        help=t("cli.help.renewal.plan"),
        description=t("cli.help.renewal.dates"),
    )
    # Within the years a card can have: the plan's day arithmetic needs room at both ends.
    day = date_argument(date(CARD_YEARS[0], 1, 1), date(CARD_YEARS[1], 12, 31))
    for option, key in (
        ("--valid-to", "valid_to"),
        ("--received", "received"),
        ("--first-use", "first_use"),
        ("--test-from", "test_from"),
    ):
        plan.add_argument(option, type=day, metavar="DATE", help=t(f"cli.help.renewal.{key}"))
    plan.add_argument("--json", action="store_true", help=t("cli.help.options.json"))
    plan.set_defaults(handler=cmd_renewal_plan)


def cmd_renewal_plan(ctx: CommandContext, args: argparse.Namespace) -> int:
    messages = ctx.messages
    from ndnclient.card.status import today_in_japan
    from ndnclient.renewal import first_valid_from, plan_renewal

    t = messages.text
    if args.first_use is not None:
        valid_from = first_valid_from(args.first_use, args.test_from)
        if args.json:
            print_json(
                {"first_application": True, "recommended_valid_from": valid_from.isoformat()},
                sys.stdout,
            )
        else:
            print(t("renewal.first_application", valid_from=valid_from))
        return EXIT_OK
    if args.test_from is not None:
        raise UsageError(t("renewal.test_from_needs_first_use"))
    valid_to = args.valid_to
    if valid_to is None:
        cards = ctx.settings.cards
        if not cards:
            raise UsageError(t("renewal.no_card"))
        valid_to = max(card.valid_to for card in cards)
    plan = plan_renewal(valid_to, args.received)
    if args.json:
        print_json(
            {**plan.to_json(), "reminder_due": plan.reminder_due(today_in_japan())}, sys.stdout
        )
        return EXIT_OK
    for key, value in (
        ("renewal.valid_to", plan.valid_to),
        ("renewal.remind_from", plan.remind_from),
        ("renewal.apply_by", plan.apply_by),
        ("renewal.renewal_valid_from", plan.renewal_valid_from),
        ("renewal.latest_delivery", plan.latest_delivery),
    ):
        print(t(key, date=value, received=plan.received))
    if not plan.delivered_before_expiry:
        print(t("renewal.late"), file=sys.stderr)
    return EXIT_OK
