"""`ndnclient card status|cert|probe|register|unregister`: the inserted cards, a card's
certificate, a read-only look at a card the client does not recognise, and the user info
settings' registered cards (ユーザ情報設定)."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, TextIO

from ndnclient.cli._common import (
    EXIT_OK,
    EXIT_PROBLEM,
    CommandContext,
    add_command,
    card_choice,
    card_choice_options,
    check_output_file,
    error_json,
    gosign_session,
    output_path_argument,
    print_json,
    print_rows,
    printable,
)
from ndnclient.messages import Messages

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from ndnclient.card.choice import CardChoice
    from ndnclient.card.probe import CardProbe
    from ndnclient.card.status import CardStatus, CardSurvey


def add_commands(
    commands: argparse._SubParsersAction,  # type: ignore[type-arg]
    common: argparse.ArgumentParser,
    messages: Messages,
) -> None:
    t = messages.text
    choose = card_choice_options(messages, for_pin=False)
    card = add_command(commands, "card", [common], messages)
    card_commands = card.add_subparsers(dest="card_command", metavar="ACTION", required=True)
    status = card_commands.add_parser(
        "status", parents=[common, choose], help=t("cli.help.card.status")
    )
    status.add_argument("--json", action="store_true", help=t("cli.help.options.json"))
    status.set_defaults(handler=cmd_card_status)
    cert = card_commands.add_parser("cert", parents=[common, choose], help=t("cli.help.card.cert"))
    cert_format = cert.add_mutually_exclusive_group()
    cert_format.add_argument("--pem", action="store_true", help=t("cli.help.card.pem"))
    cert_format.add_argument("--json", action="store_true", help=t("cli.help.card.cert_json"))
    cert.add_argument("--ca", action="store_true", help=t("cli.help.card.ca"))
    cert.set_defaults(handler=cmd_card_cert)
    probe = card_commands.add_parser("probe", parents=[common], help=t("cli.help.card.probe"))
    probe.add_argument("--reader", metavar="NAME", help=t("cli.help.card.probe_reader"))
    probe.add_argument("--json", action="store_true", help=t("cli.help.options.json"))
    probe.add_argument(
        "--report",
        type=output_path_argument,
        metavar="FILE",
        help=t("cli.help.card.probe_report"),
    )
    probe.set_defaults(handler=cmd_card_probe)

    register = card_commands.add_parser(
        "register", parents=[common, choose], help=t("cli.help.card.register")
    )
    register.add_argument("--label", help=t("cli.help.card.label"))
    register.add_argument("--json", action="store_true", help=t("cli.help.options.json"))
    register.set_defaults(handler=cmd_card_register)
    unregister = card_commands.add_parser(
        "unregister", parents=[common], help=t("cli.help.card.unregister")
    )
    unregister.add_argument(
        "card_number", metavar="NUMBER", help=t("cli.help.card.unregister_number")
    )
    unregister.add_argument("--force", action="store_true", help=t("cli.help.card.force"))
    unregister.set_defaults(handler=cmd_card_unregister)


# --- status ------------------------------------------------------------------------------------


def cmd_card_status(ctx: CommandContext, args: argparse.Namespace) -> int:
    """Every inserted card; the top-level fields describe the one a PIN command would use."""
    from ndnclient.card.readers import reader_filter_from_env
    from ndnclient.card.status import survey_cards

    messages = ctx.messages
    with ctx.backend() as backend:
        survey = survey_cards(backend, reader_filter_from_env())
    status, choice_needed = _status_to_show(survey, card_choice(args))
    registered_numbers = ctx.registered_numbers()

    def registered(card: CardStatus) -> bool | None:
        return None if card.info is None else card.info.card_number in registered_numbers

    if args.json:
        print_json(
            {
                **status.to_json(),
                "registered": registered(status),
                "error": error_json(status.problem, messages),
                "choice_needed": choice_needed,
                "cards": [
                    {
                        **card.card_json(registered(card)),
                        "error": error_json(card.problem, messages),
                    }
                    for card in survey.cards
                ],
            },
            sys.stdout,
        )
    elif len(survey.cards) > 1:
        _print_several_cards(survey, choice_needed, registered, messages, sys.stdout)
    else:
        _print_status_text(status, messages, sys.stdout)
    if status.problem is not None:
        print(messages.describe(status.problem), file=sys.stderr)
    return EXIT_OK if status.usable else EXIT_PROBLEM


def _status_to_show(survey: CardSurvey, choice: CardChoice) -> tuple[CardStatus, bool]:
    """The card the top-level fields describe (the one a PIN command would use), and whether
    a PIN command would first need the user to choose one of several."""
    from ndnclient.card.choice import choose_card
    from ndnclient.card.errors import CardChoiceNeededError, ChosenCardNotFoundError
    from ndnclient.card.readers import reader_filter_from_env
    from ndnclient.card.session import CardType
    from ndnclient.card.status import CardStatus, CardSurvey

    if not survey.cards:
        return survey.primary(), False
    try:
        return choose_card(survey.cards, choice, reader_filter_from_env()), False
    except CardChoiceNeededError as several:
        # Shown as before (the first GoSign card), with the flag that says it is not chosen.
        return CardSurvey(survey.readers, several.cards).primary(), True
    except ChosenCardNotFoundError as error:
        return CardStatus(survey.readers, None, CardType.NONE, problem=error), False


def _print_several_cards(
    survey: CardSurvey,
    choice_needed: bool,
    registered: Callable[[CardStatus], bool | None],
    messages: Messages,
    out: TextIO,
) -> None:
    t = messages.text
    out.write(f"{t('status.readers')}  {', '.join(survey.readers)}\n")
    out.write(t("status.several_cards", count=len(survey.cards)) + "\n")
    if choice_needed:
        out.write(t("status.choose_for_pin") + "\n")
    for index, card in enumerate(survey.cards, start=1):
        out.write("\n" + t("status.card_heading", index=index, reader=card.reader) + "\n")
        mark = registered(card)
        extra = (
            []
            if mark is None
            else [(t("status.registered"), t("status.yes" if mark else "status.no"))]
        )
        _print_status_text(card, messages, out, with_readers=False, extra=extra, indent="  ")
        if card.problem is not None:
            out.write(f"  {messages.describe(card.problem)}\n")


def _print_status_text(
    status: CardStatus,
    messages: Messages,
    out: TextIO,
    *,
    with_readers: bool = True,
    extra: Sequence[tuple[str, str]] = (),
    indent: str = "",
) -> None:
    t = messages.text
    rows: list[tuple[str, str]] = []
    if with_readers:  # (a list of several cards names each card's reader in its heading)
        rows += [
            (t("status.readers"), ", ".join(status.readers) or t("status.none")),
            (t("status.reader"), status.reader or t("status.none")),
        ]
    rows.append((t("status.card_type"), t(status.card_type_key)))
    if status.info is not None:
        info = status.info
        days_left = status.days_left()
        expired = days_left is not None and days_left <= 0
        validity_key = "status.validity_expired" if expired else "status.validity_value"
        rows += [
            (t("status.card_number"), info.card_number_display),
            (t("status.holder"), info.holder),
            (
                t("status.validity"),
                t(
                    validity_key,
                    valid_from=info.valid_from,
                    valid_to=info.valid_to,
                    days_left=days_left,
                ),
            ),
        ]
    for label, counter in (
        ("status.pin_tries", status.pin),
        ("status.unlock_tries", status.unlock),
    ):
        if counter is not None:
            rows.append(
                (
                    t(label),
                    t(
                        "status.tries_value",
                        tries_left=counter.tries_left,
                        max_tries=counter.max_tries,
                    ),
                )
            )
    if status.certificate is not None:
        rows.append((t("status.certificate"), status.certificate.subject))
    rows += extra
    print_rows(rows, out, indent)


# --- cert ----------------------------------------------------------------------------------


def cmd_card_cert(ctx: CommandContext, args: argparse.Namespace) -> int:
    from ndnclient.card.status import CertificateSummary

    with gosign_session(ctx, card_choice(args)) as session:
        der = session.read_ca_certificate() if args.ca else session.read_user_certificate()
    summary = CertificateSummary.from_der(der)
    pem = _pem(der)
    if args.json:
        print_json({**summary.to_json(), "pem": pem}, sys.stdout)
    elif args.pem:
        sys.stdout.write(pem)
    else:
        for key, value in summary.to_json().items():
            sys.stdout.write(f"{key}: {value}\n")
    return EXIT_OK


def _pem(der: bytes) -> str:
    from cryptography.hazmat.primitives.serialization import Encoding

    from ndnclient.card.status import load_card_certificate

    return load_card_certificate(der).public_bytes(Encoding.PEM).decode("ascii")


# --- probe -------------------------------------------------------------------------------------


def cmd_card_probe(ctx: CommandContext, args: argparse.Namespace) -> int:
    """A read-only look at the inserted card (docs/card-profile.md, section 11): what it
    answers, for the helpdesk when the card is not recognised. Exit 0 when the card was looked
    at (whatever it is), 1 when there was no card or it went away during the look."""
    from ndnclient.card.errors import CardError
    from ndnclient.card.probe import probe_inserted_card, write_probe_report
    from ndnclient.card.readers import reader_filter_from_env
    from ndnclient.fileio import NewFileError

    messages = ctx.messages
    if args.report is not None:
        check_output_file(args.report, messages)
    try:
        with ctx.backend() as backend:
            probe = probe_inserted_card(backend, args.reader, reader_filter_from_env())
    except CardError as error:
        if args.json:
            print_json({"error": error_json(error, messages)}, sys.stdout)
        else:
            print(messages.describe(error), file=sys.stderr)
        return EXIT_PROBLEM
    if args.report is not None:
        try:
            write_probe_report(args.report, probe)
        except NewFileError as error:
            shown = printable(str(args.report), 200)
            detail = error.params["detail"]
            print(messages.text("file.cannot_write", path=shown, detail=detail), file=sys.stderr)
            return EXIT_PROBLEM
    if args.json:
        print_json(probe.to_json(), sys.stdout)
    else:
        _print_probe_text(probe, messages, sys.stdout)
    if args.report is not None:
        shown = printable(str(args.report), 200)
        print(messages.text("card_probe.saved", path=shown), file=sys.stderr)
    return EXIT_OK if probe.error is None else EXIT_PROBLEM


def _print_probe_text(probe: CardProbe, messages: Messages, out: TextIO) -> None:
    """The probe for a person on the telephone with the helpdesk: what kind of card, which
    applications answered, the files and certificates found, the counters."""
    t = messages.text
    out.write(t("card_probe.heading") + "\n")
    kind = {
        "gosign": t("card_probe.type_gosign", profile=probe.profile or ""),
        "mynumber": t("card_probe.type_mynumber"),
    }.get(probe.card_type, t("card_probe.type_unknown"))
    print_rows(
        [
            (t("card_probe.reader"), printable(probe.reader or "")),
            (t("card_probe.protocol"), probe.protocol or ""),
            (t("card_probe.atr"), probe.atr.hex().upper()),
            (t("card_probe.card_type"), kind),
        ],
        out,
    )
    out.write(t("card_probe.applications") + "\n")
    for application in probe.applications:
        state = t("card_probe.selected") if application.selected else t("card_probe.absent")
        sw = f"{application.sw:04X}" if application.sw is not None else "-"
        aid = application.aid.hex().upper().ljust(32)  # AIDs are 5 to 16 bytes
        out.write(f"  {aid}  {sw}  {state}  {printable(application.name)}\n")
    if probe.files:
        out.write(t("card_probe.files") + "\n")
        for file in probe.files:
            size = t("card_probe.size", size=file.size) if file.size is not None else "-"
            out.write(f"  {file.fid:04X}  {file.name.ljust(10)}  {size}\n")
    if probe.certificates:
        out.write(t("card_probe.certificates") + "\n")
        for certificate in probe.certificates:
            out.write(f"  {certificate.file}: {printable(certificate.subject or '', 200)}\n")
    if probe.counters:
        out.write(t("card_probe.counters") + "\n")
        for counter in probe.counters:
            label = t(f"card_probe.counter_{counter.name}")
            tries = counter.tries_left
            shown = t("card_probe.tries", tries=tries) if tries is not None else "-"
            out.write(f"  {label}: {shown}\n")
    out.write(t("card_probe.commands", count=len(probe.transcript)) + "\n")
    if probe.error is not None:
        out.write(t("card_probe.stopped", error=printable(probe.error, 200)) + "\n")


# --- register and unregister ---------------------------------------------------------------


def cmd_card_register(ctx: CommandContext, args: argparse.Namespace) -> int:
    """Register the card's number and validity (ユーザ情報設定): of several, the one named."""
    from ndnclient.card.errors import NotGoSignCardError
    from ndnclient.card.info import format_card_number
    from ndnclient.card.operations import read_chosen_card
    from ndnclient.card.readers import reader_filter_from_env
    from ndnclient.card.status import today_in_japan
    from ndnclient.settings.cards import RegisteredCard, switching_until

    with ctx.backend() as backend:
        status = read_chosen_card(backend, reader_filter_from_env(), card_choice(args))
    info = status.info
    if info is None:  # a usable GoSign card always has its CARD_INFO; never register nothing
        raise NotGoSignCardError("no card information was read")
    card = RegisteredCard(info.card_number, info.valid_from, info.valid_to, args.label or "")
    outcome = ctx.settings_service.register_card(card, today_in_japan())
    if args.json:
        print_json(
            {
                "registered": outcome.card.to_json(),
                "already_registered": outcome.already_registered,
                "removed": [c.to_json() for c in outcome.removed],
                "cards": [c.to_json() for c in outcome.cards],
            },
            sys.stdout,
        )
        return EXIT_OK
    t = ctx.messages.text
    key = "settings.card_updated" if outcome.already_registered else "settings.card_registered"
    print(
        t(
            key,
            card=format_card_number(card.card_number),
            valid_from=card.valid_from,
            valid_to=card.valid_to,
        )
    )
    for removed in outcome.removed:
        print(
            t(
                "settings.card_removed",
                card=format_card_number(removed.card_number),
                valid_to=removed.valid_to,
            )
        )
    for other in outcome.cards:
        until = switching_until(other, outcome.cards)
        if until is not None:
            print(
                t(
                    "settings.card_switching",
                    card=format_card_number(other.card_number),
                    until=until,
                )
            )
    return EXIT_OK


def cmd_card_unregister(ctx: CommandContext, args: argparse.Namespace) -> int:
    from ndnclient.card.info import format_card_number
    from ndnclient.card.status import today_in_japan
    from ndnclient.settings.cards import normalize_card_number

    ctx.settings_service.unregister_card(args.card_number, today_in_japan(), force=args.force)
    print(
        ctx.messages.text(
            "settings.card_unregistered",
            card=format_card_number(normalize_card_number(args.card_number)),
        )
    )
    return EXIT_OK
