"""`ndnclient ledger lend|return|status|list|export|verify|correct`: the card lending ledger
(カードの貸出管理簿, docs/cli.md). The use records (`use`) are written by the PIN gate itself,
never by hand; this command group lends, returns, corrects, lists, exports and checks.

Dates are typed as anywhere else (ndnclient.dates) and mean days in Japan; --due takes a
time too (`2026-12-01 17:00`; a date alone is due at the end of that day).
"""

from __future__ import annotations

import argparse
import re
import sys
import unicodedata
from datetime import UTC, date, datetime, time, timedelta, timezone
from typing import TYPE_CHECKING, Any

from ndnclient.cli._argparse_text import ArgumentProblem
from ndnclient.cli._common import (
    EXIT_OK,
    EXIT_PROBLEM,
    CommandContext,
    UsageError,
    add_command,
    card_number_argument,
    check_output_file,
    date_argument,
    output_path_argument,
    print_json,
    printable,
)
from ndnclient.messages import Messages

if TYPE_CHECKING:
    from ndnclient.ledger.entries import Entry
    from ndnclient.ledger.service import Ledger

JAPAN_TIME = timezone(timedelta(hours=9), "JST")
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2099, 12, 31)
KIND_CHOICES = ("lend", "return", "use", "correction")
# A time after the date: "17:00", "17時", "17時30分" (after NFKC, so full width counts too).
_TIME = re.compile(r"(?P<hour>\d{1,2})(?::(?P<minute>\d{2})|時(?:(?P<jminute>\d{1,2})分)?)")
_DATE_AND_TIME = re.compile(rf"(?P<date>.+?)(?:[ T]+|(?<=日)){_TIME.pattern}")

_day = date_argument(FIRST_DAY, LAST_DAY)


def due_argument(text: str) -> datetime:
    """--due: a date in any form `ndnclient.dates` reads, and a time (HH:MM) if given, in
    Japan time. A date alone means the end of that day (23:59)."""
    normal = unicodedata.normalize("NFKC", text).strip()
    found = _DATE_AND_TIME.fullmatch(normal)
    if found is None:
        return datetime.combine(_day(text), time(23, 59), JAPAN_TIME).astimezone(UTC)
    day = _day(found["date"])
    hour = int(found["hour"])
    minute = int(found["minute"] or found["jminute"] or 0)
    if hour > 23 or minute > 59:
        raise ArgumentProblem("ledger.cli.bad_time", value=printable(text))
    return datetime.combine(day, time(hour, minute), JAPAN_TIME).astimezone(UTC)


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time(0, 0), JAPAN_TIME).astimezone(UTC)


def add_commands(
    commands: argparse._SubParsersAction,  # type: ignore[type-arg]
    common: argparse.ArgumentParser,
    messages: Messages,
) -> None:
    t = messages.text
    ledger = add_command(commands, "ledger", [common], messages)
    actions = ledger.add_subparsers(dest="ledger_command", metavar="ACTION", required=True)
    json_help = t("cli.help.options.json")

    def action(name: str, **extra: Any) -> argparse.ArgumentParser:
        parser: argparse.ArgumentParser = actions.add_parser(
            name, parents=[common], help=t(f"cli.help.ledger.{name}"), **extra
        )
        return parser

    lend = action("lend", description=t("cli.help.ledger.dates"))
    lend.add_argument(
        "--card",
        type=card_number_argument,
        metavar="NUMBER",
        required=True,
        help=t("cli.help.ledger.card"),
    )
    lend.add_argument("--user", metavar="NAME", required=True, help=t("cli.help.ledger.user"))
    lend.add_argument("--purpose", metavar="TEXT", required=True, help=t("cli.help.ledger.purpose"))
    _lending_options(lend, t)
    lend.set_defaults(handler=cmd_ledger_lend)

    back = action("return")
    back.add_argument(
        "--card",
        type=card_number_argument,
        metavar="NUMBER",
        required=True,
        help=t("cli.help.ledger.card"),
    )
    back.add_argument("--note", metavar="TEXT", help=t("cli.help.ledger.note"))
    back.set_defaults(handler=cmd_ledger_return)

    status = action("status")
    status.add_argument("--json", action="store_true", help=json_help)
    status.set_defaults(handler=cmd_ledger_status)

    listing = action("list", description=t("cli.help.ledger.dates"))
    _period_options(listing, t)
    listing.add_argument(
        "--card", type=card_number_argument, metavar="NUMBER", help=t("cli.help.ledger.card_filter")
    )
    listing.add_argument("--kind", choices=KIND_CHOICES, help=t("cli.help.ledger.kind"))
    listing.add_argument("--json", action="store_true", help=json_help)
    listing.set_defaults(handler=cmd_ledger_list)

    export = action("export", description=t("cli.help.ledger.dates"))
    export.add_argument(
        "file", type=output_path_argument, metavar="FILE", help=t("cli.help.ledger.file")
    )
    _period_options(export, t)
    export.set_defaults(handler=cmd_ledger_export)

    verify = action("verify")
    verify.add_argument("--json", action="store_true", help=json_help)
    verify.set_defaults(handler=cmd_ledger_verify)

    correct = action("correct", description=t("cli.help.ledger.dates"))
    correct.add_argument(
        "entry_id", type=_entry_id, metavar="ENTRY_ID", help=t("cli.help.ledger.entry_id")
    )
    correct.add_argument(
        "--reason", metavar="TEXT", required=True, help=t("cli.help.ledger.reason")
    )
    correct.add_argument("--user", metavar="NAME", help=t("cli.help.ledger.user"))
    correct.add_argument("--purpose", metavar="TEXT", help=t("cli.help.ledger.purpose"))
    _lending_options(correct, t)
    correct.add_argument("--note", metavar="TEXT", help=t("cli.help.ledger.note"))
    correct.set_defaults(handler=cmd_ledger_correct)


def _lending_options(parser: argparse.ArgumentParser, t: Any) -> None:
    parser.add_argument(
        "--to", dest="destination", metavar="DEST", help=t("cli.help.ledger.destination")
    )
    parser.add_argument("--approver", metavar="NAME", help=t("cli.help.ledger.approver"))
    parser.add_argument(
        "--due", type=due_argument, metavar="DATETIME", help=t("cli.help.ledger.due")
    )


def _period_options(parser: argparse.ArgumentParser, t: Any) -> None:
    parser.add_argument(
        "--from", dest="start", type=_day, metavar="DATE", help=t("cli.help.ledger.from")
    )
    parser.add_argument("--to", dest="end", type=_day, metavar="DATE", help=t("cli.help.ledger.to"))


def _entry_id(text: str) -> int:
    normal = unicodedata.normalize("NFKC", text).strip().removeprefix("No.").strip()
    if not normal.isdecimal() or int(normal) < 1:
        raise ArgumentProblem("ledger.cli.bad_entry_id", value=printable(text))
    return int(normal)


def _open(ctx: CommandContext) -> Ledger:
    from ndnclient.ledger.service import open_ledger

    return open_ledger(ctx.settings)


def _shown(moment: datetime | None) -> str:
    from ndnclient.ledger.export import japan_time

    return "" if moment is None else japan_time(moment)


def _card_shown(number: str) -> str:
    from ndnclient.card.info import format_card_number

    return format_card_number(number)


# --- lend, return, correct ---------------------------------------------------------------


def cmd_ledger_lend(ctx: CommandContext, args: argparse.Namespace) -> int:
    ledger = _open(ctx)
    try:
        entry = ledger.lend(
            args.card,
            user=args.user,
            purpose=args.purpose,
            destination=args.destination,
            approver=args.approver,
            due=args.due,
        )
    finally:
        ledger.close()
    t = ctx.messages.text
    print(
        t(
            "ledger.cli.lent",
            card=_card_shown(entry.card_number),
            user=entry.user or "",
            id=entry.id,
        )
    )
    if entry.due is not None:
        print(t("ledger.cli.due", due=_shown(entry.due)))
    return EXIT_OK


def cmd_ledger_return(ctx: CommandContext, args: argparse.Namespace) -> int:
    ledger = _open(ctx)
    try:
        entry = ledger.return_card(args.card, note=args.note)
    finally:
        ledger.close()
    print(
        ctx.messages.text(
            "ledger.cli.returned",
            card=_card_shown(entry.card_number),
            user=entry.user or "",
            id=entry.id,
        )
    )
    return EXIT_OK


def cmd_ledger_correct(ctx: CommandContext, args: argparse.Namespace) -> int:
    fields: dict[str, str | datetime | None] = {
        name: getattr(args, name)
        for name in ("user", "purpose", "destination", "approver", "due", "note")
        if getattr(args, name) is not None
    }
    if not fields:
        raise UsageError(ctx.messages.text("ledger.cli.nothing_to_correct"))
    ledger = _open(ctx)
    try:
        entry = ledger.correct(args.entry_id, reason=args.reason, **fields)
    finally:
        ledger.close()
    print(ctx.messages.text("ledger.cli.corrected", id=entry.id, refers_to=args.entry_id))
    return EXIT_OK


# --- status ------------------------------------------------------------------------------


def cmd_ledger_status(ctx: CommandContext, args: argparse.Namespace) -> int:
    t = ctx.messages.text
    registered = sorted(ctx.registered_numbers())
    ledger = _open(ctx)
    try:
        states = ledger.status(registered)
        pending = ledger.pending()
    finally:
        ledger.close()
    if args.json:
        cards = []
        for state in states:
            lending = state.lending
            cards.append(
                {
                    "card_number": state.card_number,
                    "state": "lent" if lending is not None else "held",
                    "user": lending.user if lending else None,
                    "purpose": lending.purpose if lending else None,
                    "since": _iso(lending.time) if lending else None,
                    "due": _iso(lending.due) if lending and lending.due else None,
                    "overdue": state.overdue,
                    "lending_id": lending.id if lending else None,
                }
            )
        print_json({"cards": cards, "pending": pending}, sys.stdout)
        return EXIT_OK
    if not states:
        print(t("ledger.cli.no_cards"))
    for state in states:
        card = _card_shown(state.card_number)
        lending = state.lending
        if lending is None:
            print(t("ledger.cli.held", card=card))
            continue
        line = t(
            "ledger.cli.lent_to", card=card, user=lending.user or "", since=_shown(lending.time)
        )
        if lending.due is not None:
            line += t("ledger.cli.lent_due", due=_shown(lending.due))
        if state.overdue:
            line += t("ledger.cli.overdue")
        print(line)
    if pending:
        print(t("ledger.cli.pending", count=pending))
    return EXIT_OK


# --- list ----------------------------------------------------------------------------------


def _iso(moment: datetime | None) -> str | None:
    """Times in JSON: ISO-8601 in Japan time, with its +09:00."""
    return None if moment is None else moment.astimezone(JAPAN_TIME).isoformat()


def entry_json(entry: Entry) -> dict[str, Any]:
    return {
        "id": entry.id,
        "kind": entry.kind,
        "time": _iso(entry.time),
        "card_number": entry.card_number,
        "user": entry.user,
        "purpose": entry.purpose,
        "destination": entry.destination,
        "approver": entry.approver,
        "due": _iso(entry.due),
        "note": entry.note,
        "operation": entry.operation,
        "result": entry.result,
        "tries_left": entry.tries_left,
        "data_sha256": entry.data_sha256,
        "pc": entry.pc,
        "os_user": entry.os_user,
        "lending_id": entry.lending_id,
        "refers_to": entry.refers_to,
        "reason": entry.reason,
        "fields": dict(entry.fields),
        "hash": entry.hash,
    }


def _period(
    ctx: CommandContext, args: argparse.Namespace
) -> tuple[datetime | None, datetime | None]:
    start = None if args.start is None else _start_of(args.start)
    end = None if args.end is None else _start_of(args.end + timedelta(days=1))
    if start is not None and end is not None and end <= start:
        raise UsageError(ctx.messages.text("ledger.cli.period_reversed"))
    return start, end


def cmd_ledger_list(ctx: CommandContext, args: argparse.Namespace) -> int:
    start, end = _period(ctx, args)
    ledger = _open(ctx)
    try:
        entries = ledger.store.entries(start=start, end=end, card_number=args.card, kind=args.kind)
    finally:
        ledger.close()
    if args.json:
        print_json({"entries": [entry_json(entry) for entry in entries]}, sys.stdout)
        return EXIT_OK
    if not entries:
        print(ctx.messages.text("ledger.cli.no_entries"))
    for entry in entries:
        print(_entry_line(entry, ctx.messages))
    return EXIT_OK


def _entry_line(entry: Entry, messages: Messages) -> str:
    from ndnclient.ledger.export import KIND_NAMES, OPERATION_NAMES, RESULT_NAMES

    t = messages.text
    # The export's Japanese names in Japanese, the plain words otherwise.
    japanese = messages.lang == "ja"
    kind = KIND_NAMES.get(entry.kind, entry.kind) if japanese else entry.kind
    parts = [f"No.{entry.id}", _shown(entry.time), kind, _card_shown(entry.card_number)]
    if entry.kind == "use":
        operation: str = entry.operation or ""
        result: str = entry.result or ""
        if japanese:
            operation = OPERATION_NAMES.get(operation, operation)
            result = RESULT_NAMES.get(result, result)
        parts += [operation, result]
        if entry.tries_left is not None:
            parts.append(t("ledger.cli.tries_left", tries=entry.tries_left))
        parts.append(
            t("ledger.cli.not_lent")
            if entry.lending_id is None
            else t("ledger.cli.under_lending", id=entry.lending_id)
        )
        parts += [value for value in (entry.pc, entry.os_user) if value]
    else:
        parts += [
            value
            for value in (entry.user, entry.purpose, entry.destination, entry.approver)
            if value
        ]
        if entry.due is not None:
            parts.append(t("ledger.cli.due", due=_shown(entry.due)))
        if entry.refers_to is not None:
            key = "ledger.cli.returns" if entry.kind == "return" else "ledger.cli.refers_to"
            parts.append(t(key, id=entry.refers_to))
        parts += [value for value in (entry.note, entry.reason) if value]
        parts += [f"{name}={value}" for name, value in sorted(entry.fields.items())]
    return "  ".join(printable(str(part), 200) for part in parts)


# --- export, verify -----------------------------------------------------------------------


def cmd_ledger_export(ctx: CommandContext, args: argparse.Namespace) -> int:
    from ndnclient.fileio import atomic_write
    from ndnclient.ledger.export import ExportHeader, export_format

    t = ctx.messages.text
    path = args.file
    check_output_file(path, ctx.messages)
    writer = export_format(path)
    if writer is None:
        raise UsageError(t("ledger.cli.export_format", path=printable(str(path), 200)))
    start, end = _period(ctx, args)
    ledger = _open(ctx)
    try:
        entries = ledger.store.entries(start=start, end=end)
        # Read after the rows: the head pins at least every row on the sheet.
        with ledger.store.transaction() as transaction:
            head = transaction.head()
    finally:
        ledger.close()
    from ndnclient.ledger.entries import GENESIS_HASH

    header = ExportHeader(start, end, head.hash if head else GENESIS_HASH, datetime.now(UTC))
    payload = writer(entries, header)
    try:
        atomic_write(path, payload)
    except OSError as error:
        detail = error.strerror or type(error).__name__
        shown = printable(str(path), 200)
        print(t("file.cannot_write", path=shown, detail=detail), file=sys.stderr)
        return EXIT_PROBLEM
    print(t("ledger.cli.exported", path=printable(str(path), 200), count=len(entries)))
    return EXIT_OK


def cmd_ledger_verify(ctx: CommandContext, args: argparse.Namespace) -> int:
    t = ctx.messages.text
    ledger = _open(ctx)
    try:
        result = ledger.verify()
    finally:
        ledger.close()
    if args.json:
        print_json(dict(result.as_json()), sys.stdout)
    elif result.intact:
        print(t("ledger.cli.intact", count=result.entries, head=result.head))
    else:
        print(t("ledger.cli.broken", id=result.first_broken, count=result.entries), file=sys.stderr)
    return EXIT_OK if result.intact else EXIT_PROBLEM
