"""`ndnclient check` (the operation check, 動作確認) and `ndnclient explain CODE`.

Text mode prints each result the moment it is ready; `--json` prints one document at the end;
`--report FILE` also writes the report (.html, .json, anything else as text). Exit status 0
when nothing failed, 1 when something did. The checks pull in ldap3 and most of
cryptography, so they are imported when a check runs, not when the program starts.
"""

from __future__ import annotations

import argparse
import re
import sys
import unicodedata
from collections.abc import Callable
from typing import TYPE_CHECKING

from ndnclient.cli._argparse_text import ArgumentProblem
from ndnclient.cli._common import (
    EXIT_OK,
    EXIT_PROBLEM,
    EXIT_USAGE,
    CommandContext,
    SecretInput,
    UsageError,
    add_command,
    card_choice,
    card_choice_options,
    card_display,
    check_output_file,
    output_path_argument,
    pass_the_pin_gate,
    pin_entry_options,
    pin_guarded_session,
    print_json,
    printable,
)
from ndnclient.messages import Messages

if TYPE_CHECKING:
    from ndnclient.card.choice import CardChoice
    from ndnclient.card.pin import ExpectedNumber, SecretBuffer
    from ndnclient.diagnostics.catalogue import Catalogue
    from ndnclient.diagnostics.model import CheckResult
    from ndnclient.diagnostics.report import CheckReport
    from ndnclient.settings.service import Settings

CODE_PATTERN = re.compile(r"G\d\d")
MAX_TIMEOUT = 86_400  # seconds: a day


def known_codes() -> list[str]:
    """Every operation-check code, G14 (the signature test) included."""
    from ndnclient.diagnostics.checks import ALL_CHECKS
    from ndnclient.diagnostics.signature_test import SIGNATURE_TEST

    return sorted({c.code for c in (*ALL_CHECKS, SIGNATURE_TEST)})


def normal_code(text: str) -> str:
    """A code as the helpdesk may type it: g04, Ｇ０４, 動作確認エラー:G04, 動作確認エラー: G04,
    確認コード:G04 (not checked against the known codes)."""
    code = unicodedata.normalize("NFKC", text).upper().replace(" ", "")
    for label in ("動作確認エラー:", "確認コード:"):
        code = code.removeprefix(label)
    return code


def _code(text: str) -> str:
    code = normal_code(text)
    known = known_codes()
    if not CODE_PATTERN.fullmatch(code) or code not in known:
        raise ArgumentProblem(
            "cli.argparse.unknown_code", value=printable(text), first=known[0], last=known[-1]
        )
    return code


def add_commands(
    commands: argparse._SubParsersAction,  # type: ignore[type-arg]
    common: argparse.ArgumentParser,
    messages: Messages,
) -> None:
    t = messages.text
    check = add_command(
        commands,
        "check",
        [common, card_choice_options(messages, for_pin=False), pin_entry_options(messages)],
        messages,
    )
    check.add_argument("--json", action="store_true", help=t("cli.help.options.json"))
    check.add_argument(
        "--only", nargs="+", type=_code, metavar="CODE", help=t("cli.help.check.only")
    )
    check.add_argument("--timeout", type=_seconds, metavar="S", help=t("cli.help.check.timeout"))
    check.add_argument(
        "--report", type=output_path_argument, metavar="FILE", help=t("cli.help.check.report")
    )
    check.add_argument("--sign-test", action="store_true", help=t("cli.help.check.sign_test"))
    check.set_defaults(handler=cmd_check)
    explain = add_command(commands, "explain", [common], messages)
    # Any text: an unknown code is answered with the list of codes (cmd_explain).
    explain.add_argument("code", metavar="CODE", help=t("cli.help.check.code"))
    explain.add_argument("--json", action="store_true", help=t("cli.help.options.json"))
    explain.set_defaults(handler=cmd_explain)


def _seconds(text: str) -> float:
    """--timeout: a number of seconds (its range is checked by the command, in one sentence)."""
    try:
        return float(unicodedata.normalize("NFKC", text))
    except ValueError:
        raise ArgumentProblem(
            "cli.argparse.bad_timeout", value=printable(text), max=MAX_TIMEOUT
        ) from None


def cmd_check(ctx: CommandContext, args: argparse.Namespace) -> int:
    from ndnclient.card.jobs import DirectCardAccess
    from ndnclient.card.readers import reader_filter_from_env
    from ndnclient.diagnostics.checks import checks_for
    from ndnclient.diagnostics.context import CheckContext
    from ndnclient.diagnostics.model import CheckStatus
    from ndnclient.diagnostics.report import CheckReport, summary_lines, write_report
    from ndnclient.diagnostics.runner import CheckRunner, with_prerequisites
    from ndnclient.diagnostics.signature_test import SIGNATURE_TEST

    messages = ctx.messages
    # Written so that nan (every comparison false) fails too; inf and 1e308 would overflow
    # the waits, and no run needs a day.
    if args.timeout is not None and not 0 < args.timeout <= MAX_TIMEOUT:
        raise UsageError(messages.text("check.bad_timeout", max=MAX_TIMEOUT))
    if args.report is not None:
        check_output_file(args.report, messages)
    if args.only and "G14" in args.only and not args.sign_test:
        raise UsageError(messages.text("check.sign_test_needed"))
    choice = card_choice(args)
    pin, last_try_confirmed, signature_card = None, False, None
    if args.sign_test:
        pin, last_try_confirmed, choice, signature_card = _signature_test_pin(ctx, args, choice)
    access = DirectCardAccess(ctx.backend_factory)
    context = CheckContext(
        ctx.settings,
        access,
        reader_filter=reader_filter_from_env(),
        card_choice=choice,
        lang=messages.lang,
        signature_pin=pin,
        signature_last_try_confirmed=last_try_confirmed,
        signature_card=signature_card,
    )
    in_force = checks_for(ctx.settings)
    available = (*in_force, SIGNATURE_TEST) if args.sign_test else in_force
    checks = with_prerequisites(available, args.only) if args.only else list(available)
    runner = CheckRunner(checks, context, deadline=args.timeout)
    wanted = set(args.only or [c.code for c in checks])
    try:
        results = runner.run(on_result=None if args.json else _printer(wanted, messages))
    except KeyboardInterrupt:
        context.cancel.set()
        print(messages.text("cli.interrupted"), file=sys.stderr)
        return EXIT_PROBLEM
    finally:
        access.close()
        if pin is not None:
            pin.wipe()
    # A prerequisite that failed is shown too (and counts): a check it blocked must not end
    # the run on "no problems found". One not checked (no card inserted) says why.
    blocking = (CheckStatus.FAIL, CheckStatus.SKIPPED)
    shown = [r for r in results if r.code in wanted or r.status in blocking]
    if not args.json:
        for result in shown:
            if result.code not in wanted:
                _print_result(result, messages)
    report = CheckReport.of_run(shown, context)
    if args.json:
        print_json(report.to_json(messages), sys.stdout)
    else:
        print()
        for line in summary_lines(report, messages):
            print(line)
    if args.report is not None:
        write_report(args.report, report, messages)
        print(messages.text("check.report_written", path=args.report), file=sys.stderr)
    if report.failed:
        return EXIT_PROBLEM
    return EXIT_CARD_NOT_EXAMINED if _card_not_examined(report) else EXIT_OK


# Nothing failed, but the card was not examined (none inserted, or pulled out): not an error
# for a user, but a script that runs `check && echo OK` must not take it for a pass.
EXIT_CARD_NOT_EXAMINED = 3


def _card_not_examined(report: CheckReport) -> bool:
    from ndnclient.diagnostics.model import CheckStatus

    g02 = next((result for result in report.results if result.code == "G02"), None)
    return g02 is not None and g02.status is not CheckStatus.OK


def _signature_test_pin(
    ctx: CommandContext, args: argparse.Namespace, choice: CardChoice
) -> tuple[SecretBuffer | None, bool, CardChoice, ExpectedNumber | None]:
    """The PIN for G14, asked as every PIN command asks it: the card is named and its tries
    shown first, nothing is asked when the PIN is blocked, the last try needs a yes. When
    the card cannot take a PIN now, the sentence is shown and the check runs without the
    signature test. Returns the PIN, the yes, the choice that pins the whole run to the card
    that was named, and that card's number for G14 (several cards and none chosen: nothing
    is asked, exit 2)."""
    from ndnclient.card.access import expected_number
    from ndnclient.card.choice import CardChoice
    from ndnclient.card.errors import CardChoiceNeededError, CardError, ChosenCardNotFoundError

    messages = ctx.messages
    secrets = SecretInput(args.pin_stdin, ctx)
    try:
        with pin_guarded_session(ctx, choice) as guarded:
            confirmed = pass_the_pin_gate(guarded.guard, "pin", secrets, args, messages)
    except (CardChoiceNeededError, ChosenCardNotFoundError):
        raise  # the user must name the card first: main says how
    except CardError as error:
        print(messages.describe(error), file=sys.stderr)
        return None, False, choice, None
    card = guarded.card
    number = card.info.card_number if card.info is not None else None
    named = CardChoice(card_number=number, reader=card.reader)
    pin = secrets.read("cli.prompt_pin", 1, card_display(card, messages))
    return pin, confirmed, named, expected_number(card.info)


def _printer(wanted: set[str], messages: Messages) -> Callable[[CheckResult], None]:
    """Print each wanted result the moment it is ready, row by row."""

    def show(result: CheckResult) -> None:
        if result.code in wanted:
            _print_result(result, messages)

    return show


def _print_result(result: CheckResult, messages: Messages) -> None:
    from ndnclient.diagnostics.report import format_result_lines

    for line in format_result_lines(result, messages):
        print(line, flush=True)


def _known_params(settings: Settings) -> dict[str, str]:
    """What a general explanation can say for this PC: the repository's host and port."""
    from ndnclient.pki.ldap_repository import LdapTarget

    if not settings.ldap_url:
        return {}  # unset: the check reads the repository from the card's certificate
    target = LdapTarget.from_url(settings.ldap_url)
    return {"host": target.host, "port": str(target.port)}


def cmd_explain(ctx: CommandContext, args: argparse.Namespace) -> int:
    from ndnclient.diagnostics.catalogue import Catalogue

    messages = ctx.messages
    catalogue = Catalogue(messages.lang)
    code = normal_code(args.code)
    explanation = None
    if CODE_PATTERN.fullmatch(code) and code in known_codes():
        explanation = catalogue.explain(code, _known_params(ctx.settings))
    if explanation is None:
        return _unknown_code(args, catalogue, messages)
    causes = {key: catalogue.cause_title(code, key) for key in explanation.outcomes}
    if args.json:
        print_json(
            {
                "code": explanation.code,
                "title": explanation.title,
                "meaning": explanation.meaning,
                "remedy": explanation.remedy,
                "outcomes": {
                    key: {"cause": causes[key], **texts}
                    for key, texts in explanation.outcomes.items()
                },
            },
            sys.stdout,
        )
        return EXIT_OK
    t = messages.text
    print(f"{t('check.code_neutral', code=explanation.code)}  {explanation.title}")
    print()
    print(f"{t('check.meaning')}: {explanation.meaning}")
    print(f"{t('check.what_to_do')}: {explanation.remedy}")
    specific = [(k, v) for k, v in explanation.outcomes.items() if v.get("remedy")]
    if specific:
        print()
        print(f"{t('check.by_outcome')}:")
        for key, texts in specific:
            print(t("cli.explain.cause", cause=causes[key]))
            print(t("cli.explain.cause_remedy", remedy=texts["remedy"]))
    return EXIT_OK


def _unknown_code(args: argparse.Namespace, catalogue: Catalogue, messages: Messages) -> int:
    """Not a code: the sentence, and every code with its title, so that the right one can
    be picked (exit 2, bad usage)."""
    codes = [(code, catalogue.title(code)) for code in known_codes()]
    sentence = messages.text("cli.explain.unknown_code", code=printable(args.code))
    if args.json:
        error = {"kind": "UsageError", "code": None, "message": sentence}
        listing = [{"code": code, "title": title} for code, title in codes]
        print_json({"error": error, "codes": listing}, sys.stdout)
    print(sentence, file=sys.stderr)
    for code, title in codes:
        print(f"  {code}  {title}", file=sys.stderr)
    return EXIT_USAGE
