"""`ndnclient renewal plan`: when to apply for the renewed card, and its recommended validity
(the issuer's rules; the calendar's holidays come from the `holidays` package, loaded only
for this command)."""

from __future__ import annotations

import argparse
import sys
from datetime import date

from ndnclient.card.info import card_year
from ndnclient.cli._common import EXIT_OK, CommandContext, UsageError, add_command, print_json


def _iso_date(text: str) -> date:
    """A date as YYYY-MM-DD, within years a card can have (argparse reports the rest)."""
    day = date.fromisoformat(text)
    if not card_year(day):
        raise ValueError(text)
    return day


def add_commands(
    commands: argparse._SubParsersAction,  # type: ignore[type-arg]
    common: argparse.ArgumentParser,
) -> None:
    renewal = add_command(commands, "renewal", [common])
    renewal_actions = renewal.add_subparsers(
        dest="renewal_command", metavar="ACTION", required=True
    )
    plan = renewal_actions.add_parser(
        "plan", parents=[common], help="reminder, apply-by and new validity"
    )
    plan.add_argument(
        "--valid-to",
        type=_iso_date,
        help="the current card's last valid day (default: the registered card)",
    )
    plan.add_argument(
        "--received",
        type=_iso_date,
        help="the day the issuer receives the application (default: apply-by)",
    )
    plan.add_argument(
        "--first-use",
        type=_iso_date,
        help="a first application: the first day of real use",
    )
    plan.add_argument(
        "--test-from",
        type=_iso_date,
        help="with --first-use: the first day of a test period before it",
    )
    plan.add_argument("--json", action="store_true")
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
