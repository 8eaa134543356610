"""The command line (cli.md): `ndnclient card ...`, `pin ...`, `simulator`, and the GUI.

Exit status: 0 success; 1 the command ran and found a problem (wrong PIN, no card ...);
2 bad usage. Errors go to stderr as one sentence with their code; this module and the GUI's
error handler are the only places that turn errors into sentences.
"""

from __future__ import annotations

import argparse
import getpass
import io
import logging
import sys
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TextIO

import ndnclient
from ndnclient.card.access import open_gosign_session
from ndnclient.card.choice import CardChoice, choose_card
from ndnclient.card.connection import ReaderBackend
from ndnclient.card.errors import (
    CardChoiceNeededError,
    CardError,
    ChosenCardNotFoundError,
    LastTryNotConfirmedError,
    NotGoSignCardError,
)
from ndnclient.card.info import format_card_number
from ndnclient.card.operations import GuardedCard, read_chosen_card
from ndnclient.card.operations import pin_guarded_session as guarded_session_on
from ndnclient.card.pin import PinGuard, PinRisk, SecretBuffer, assess
from ndnclient.card.readers import reader_filter_from_env
from ndnclient.card.session import CardType, CounterName, GoSignSession, PinCounter
from ndnclient.card.status import (
    CardStatus,
    CardSurvey,
    CertificateSummary,
    survey_cards,
    today_in_japan,
)
from ndnclient.card.transport import TRAFFIC
from ndnclient.check_cli import add_commands as add_check_commands
from ndnclient.cli_support import (
    EXIT_OK,
    EXIT_PROBLEM,
    EXIT_USAGE,
    Abort,
    UsageError,
    card_choice,
    card_choice_options,
    error_json,
    pin_entry_options,
    print_json,
)
from ndnclient.messages import LANGUAGES, Messages
from ndnclient.pki_cli import add_commands as add_pki_commands
from ndnclient.settings.cards import RegisteredCard, normalize_card_number, switching_until
from ndnclient.settings.errors import SettingsError
from ndnclient.settings.notices import Notice
from ndnclient.settings.service import Settings, SettingsService, merge
from ndnclient.settings_cli import add_commands as add_settings_commands

log = logging.getLogger(__name__)


# --- backend ------------------------------------------------------------------------------


def make_backend() -> ReaderBackend:
    """The system's smart-card service. Imported here: pyscard loads only when needed."""
    from ndnclient.card.pcsc import PcscBackend

    return PcscBackend()


# --- card ---------------------------------------------------------------------------------


def cmd_card_status(args: argparse.Namespace, messages: Messages) -> int:
    """Every inserted card; the top-level fields describe the one a PIN command would use."""
    backend = make_backend()
    try:
        survey = survey_cards(backend, reader_filter_from_env())
    finally:
        backend.close()
    status, choice_needed = _status_to_show(survey, card_choice(args))
    registered_numbers = {card.card_number for card in args.settings.cards}

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
    width = max(display_width(label) for label, _ in rows)
    for label, value in rows:
        padding = " " * (width - display_width(label))
        out.write(f"{indent}{label}{padding}  {value}\n")


def display_width(text: str) -> int:
    """Columns on a terminal: a full-width character (Japanese) takes two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def cmd_card_cert(args: argparse.Namespace, messages: Messages) -> int:
    with gosign_session(card_choice(args)) as session:
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


def cmd_card_register(args: argparse.Namespace, messages: Messages) -> int:
    """Register the inserted card's number and validity (ユーザ情報設定)."""
    backend = make_backend()
    try:
        status = read_chosen_card(backend, reader_filter_from_env(), card_choice(args))
    finally:
        backend.close()
    info = status.info
    if info is None:  # a usable GoSign card always has its CARD_INFO; never register nothing
        raise NotGoSignCardError("no card information was read")
    card = RegisteredCard(info.card_number, info.valid_from, info.valid_to, args.label or "")
    service: SettingsService = args.settings_service
    outcome = service.register_card(card, today_in_japan())
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
    t = messages.text
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


def cmd_card_unregister(args: argparse.Namespace, messages: Messages) -> int:
    service: SettingsService = args.settings_service
    service.unregister_card(args.card_number, today_in_japan(), force=args.force)
    print(
        messages.text(
            "settings.card_unregistered",
            card=format_card_number(normalize_card_number(args.card_number)),
        )
    )
    return EXIT_OK


def _pem(der: bytes) -> str:
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import Encoding

    return x509.load_der_x509_certificate(der).public_bytes(Encoding.PEM).decode("ascii")


@contextmanager
def gosign_session(choice: CardChoice, *, reset_on_close: bool = False) -> Iterator[GoSignSession]:
    """A session on the chosen GoSign card (or the only one), closed (and the backend) after."""
    backend = make_backend()
    try:
        session = open_gosign_session(backend, reader_filter_from_env(), choice=choice)
        try:
            yield session
        finally:
            session.connection.close(reset=reset_on_close)
    finally:
        backend.close()


# --- PIN ----------------------------------------------------------------------------------


class SecretInput:
    """Where PINs come from: stdin lines (--pin-stdin) or prompts without echo."""

    def __init__(self, from_stdin: bool, messages: Messages) -> None:
        self.from_stdin = from_stdin
        self.messages = messages
        if not from_stdin and not sys.stdin.isatty():
            raise UsageError(messages.text("cli.no_terminal"))

    def read(self, prompt_key: str, stdin_lines: int, card: str = "") -> SecretBuffer:
        """One value: the next stdin line, or typed at a prompt that names the card (4-4-4-4).
        `stdin_lines` is how many lines the command needs in all (for the message when they
        run out)."""
        if self.from_stdin:
            line = sys.stdin.readline()
            if not line:
                raise Abort(self.messages.text("cli.stdin_short", needed=stdin_lines))
            return SecretBuffer.from_text(line.rstrip("\r\n"))
        return SecretBuffer.from_text(getpass.getpass(self.messages.text(prompt_key, card=card)))

    def read_new_pin(self, stdin_lines: int, card: str = "") -> SecretBuffer:
        new_pin = self.read("cli.prompt_new_pin", stdin_lines, card)
        if self.from_stdin:
            return new_pin
        with self.read("cli.prompt_new_pin_again", stdin_lines, card) as again:
            if again.value != new_pin.value:
                new_pin.wipe()
                raise Abort(self.messages.text("cli.new_pin_mismatch"))
        return new_pin

    def confirm_last_try(self) -> bool:
        if self.from_stdin:
            return False  # a script confirms with --i-understand-last-try, never by stdin
        answer = input(self.messages.text("cli.confirm_last_try"))
        return answer.strip().casefold() in self.messages.text("cli.confirm_answers").split()


def _show_counter(counter: PinCounter, messages: Messages) -> None:
    key = "cli.pin_tries" if counter.which == "pin" else "cli.unlock_tries"
    print(
        messages.text(key, tries_left=counter.tries_left, max_tries=counter.max_tries),
        file=sys.stderr,
    )
    if assess(counter) in (PinRisk.LOW, PinRisk.LAST_TRY):
        warning = "cli.warning_low" if counter.which == "pin" else "cli.warning_low_unlock"
        print(messages.text(warning), file=sys.stderr)


@contextmanager
def pin_guarded_session(choice: CardChoice) -> Iterator[GuardedCard]:
    """The chosen card's session and its PinGuard for one PIN command, on a backend of its
    own. The card is reset on close, so no verified PIN is left behind for other programs."""
    backend = make_backend()
    try:
        with guarded_session_on(backend, reader_filter_from_env(), choice) as guarded:
            yield guarded
    finally:
        backend.close()


def card_display(card: CardStatus, messages: Messages) -> str:
    """The card a PIN command acts on, as the prompts name it: its number (4-4-4-4), or its
    reader when the number could not be read."""
    if card.info is not None:
        return card.info.card_number_display
    return messages.text("cli.card_in_reader", reader=card.reader)


def announce_card(card: CardStatus, messages: Messages) -> None:
    """Name the card before anything is typed or sent: number, holder and reader."""
    info = card.info
    if info is not None:
        line = messages.text(
            "cli.target_card",
            card=info.card_number_display,
            holder=info.holder,
            reader=card.reader,
        )
    else:
        line = messages.text("cli.target_card_unread", reader=card.reader)
    print(line, file=sys.stderr)


def pass_the_pin_gate(
    guard: PinGuard,
    gated: CounterName,
    secrets: SecretInput,
    args: argparse.Namespace,
    messages: Messages,
) -> bool:
    """Read and show the tries left before anything is typed, then apply the gate: blocked
    raises; the last try needs --i-understand-last-try or a typed yes. Returns whether the
    last try was confirmed."""
    if gated == "unlock":
        _show_counter(guard.counter("pin"), messages)
    counter = guard.counter(gated)
    _show_counter(counter, messages)
    confirmed = bool(args.i_understand_last_try)
    try:
        guard.check(counter, last_try_confirmed=confirmed)
    except LastTryNotConfirmedError:
        if not secrets.confirm_last_try():
            raise
        confirmed = True
    return confirmed


def cmd_pin(args: argparse.Namespace, messages: Messages) -> int:
    secrets = SecretInput(args.pin_stdin, messages)
    gated: CounterName = "unlock" if args.pin_command == "unlock" else "pin"
    with pin_guarded_session(card_choice(args)) as guarded:
        announce_card(guarded.card, messages)
        confirmed = pass_the_pin_gate(guarded.guard, gated, secrets, args, messages)
        card = card_display(guarded.card, messages)
        result = _run_pin_command(args.pin_command, guarded.guard, secrets, confirmed, card)
    done_key = {"verify": "cli.verified", "change": "cli.changed", "unlock": "cli.unlocked"}
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
        print(messages.text(done_key[args.pin_command], card=card))
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


def _explain_card_choice(
    error: CardError,
    cards: Sequence[CardStatus],
    args: argparse.Namespace,
    messages: Messages,
    wants_json: bool,
) -> None:
    """The sentence, then the inserted cards one a line, so the user can name one."""
    print(messages.describe(error), file=sys.stderr)
    registered_numbers = {card.card_number for card in args.settings.cards}
    for card in cards:
        info = card.info
        if info is None:
            reason = messages.describe(card.problem) if card.problem is not None else ""
            line = messages.text("cli.card_list_unread", reader=card.reader, reason=reason)
        else:
            line = messages.text(
                "cli.card_list_line",
                card=info.card_number_display,
                holder=info.holder,
                valid_to=info.valid_to,
                reader=card.reader,
            )
            if info.card_number in registered_numbers:
                line += " " + messages.text("cli.card_list_registered")
        print(f"  {line}", file=sys.stderr)
    if wants_json:
        document = _failure_json(args, error, messages)
        document["cards"] = [
            card.card_json(
                None if card.info is None else card.info.card_number in registered_numbers
            )
            for card in cards
        ]
        print_json(document, sys.stdout)


def _failure_json(
    args: argparse.Namespace, error: BaseException, messages: Messages
) -> dict[str, Any]:
    """The --json document of a command that failed."""
    document: dict[str, Any] = {"error": error_json(error, messages)}
    if args.handler is cmd_pin:
        # The count the error speaks of belongs to the PIN or to the unlock code.
        tries = getattr(error, "tries_left", None)
        unlock = getattr(error, "which", "pin") == "unlock"
        document = {
            "result": "error",
            "pin_tries_left": None if unlock else tries,
            "unlock_tries_left": tries if unlock else None,
            **document,
        }
    return document


# --- GUI and simulator --------------------------------------------------------------------


def cmd_gui(args: argparse.Namespace, messages: Messages) -> int:
    try:
        from ndnclient.ui.app import run_gui
    except ImportError as error:
        print(messages.text("cli.gui_unavailable", error=error), file=sys.stderr)
        return EXIT_PROBLEM
    return run_gui(lang=args.lang_given, demo=bool(getattr(args, "demo", False)))


def cmd_simulator(args: argparse.Namespace, messages: Messages) -> int:
    from ndnclient.simulator.main import run

    return run(args)


# --- parser -------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    # Options every command takes, accepted before or after the command words.
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--lang",
        choices=LANGUAGES,
        default=argparse.SUPPRESS,
        help="language of messages (default ja)",
    )
    common.add_argument(
        "-v",
        "--verbose",
        action="count",
        default=argparse.SUPPRESS,
        help="log more (twice for debug)",
    )
    common.add_argument(
        "--traffic",
        action="store_true",
        default=argparse.SUPPRESS,
        help="log APDU traffic to stderr (PIN data is always masked)",
    )

    parser = argparse.ArgumentParser(
        prog="ndnclient",
        parents=[common],
        description="GoSign IC-card certificate client / GoSign ICカード証明書クライアント",
    )
    # Not set_defaults for the common options: it would change the shared actions' defaults
    # and let a subcommand's default override a value given before the subcommand.
    parser.set_defaults(handler=cmd_gui)
    parser.add_argument("--version", action="version", version=f"ndnclient {ndnclient.__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    gui = commands.add_parser("gui", parents=[common], help="open the window (default)")
    gui.add_argument(
        "--demo",
        action="store_true",
        help="the in-process virtual card (helpdesk training, screenshots)",
    )
    gui.set_defaults(handler=cmd_gui)

    choose = card_choice_options(for_pin=False)
    choose_for_pin = card_choice_options(for_pin=True)
    card = commands.add_parser("card", parents=[common], help="the IC card")
    card_commands = card.add_subparsers(dest="card_command", metavar="ACTION", required=True)
    status = card_commands.add_parser(
        "status",
        parents=[common, choose],
        help="readers, every inserted card: holder, validity, tries left",
    )
    status.add_argument("--json", action="store_true", help="one JSON document on stdout")
    status.set_defaults(handler=cmd_card_status)
    cert = card_commands.add_parser("cert", parents=[common, choose], help="the card's certificate")
    cert_format = cert.add_mutually_exclusive_group()
    cert_format.add_argument("--pem", action="store_true", help="print the certificate as PEM")
    cert_format.add_argument("--json", action="store_true", help="summary and PEM as JSON")
    cert.add_argument("--ca", action="store_true", help="the issuing CA's certificate instead")
    cert.set_defaults(handler=cmd_card_cert)

    register = card_commands.add_parser(
        "register", parents=[common, choose], help="register the inserted card (ユーザ情報設定)"
    )
    register.add_argument("--label", help="a name for the card, e.g. 2026年度")
    register.add_argument("--json", action="store_true")
    register.set_defaults(handler=cmd_card_register)
    unregister = card_commands.add_parser(
        "unregister", parents=[common], help="remove a registered card's entry"
    )
    unregister.add_argument("card_number")
    unregister.add_argument(
        "--force",
        action="store_true",
        help="also during its renewal's switching period (lost card)",
    )
    unregister.set_defaults(handler=cmd_card_unregister)

    pin = commands.add_parser("pin", parents=[common], help="verify, change or unlock the PIN")
    pin_commands = pin.add_subparsers(dest="pin_command", metavar="ACTION", required=True)
    for name, help_text in (
        ("verify", "check the PIN once; prints the tries left"),
        ("change", "change the PIN (stdin: old, new)"),
        ("unlock", "unlock with the helpdesk's code (stdin: code, new PIN)"),
    ):
        action = pin_commands.add_parser(
            name, parents=[common, choose_for_pin, pin_entry_options()], help=help_text
        )
        action.add_argument("--json", action="store_true", help="one JSON document on stdout")
        action.set_defaults(handler=cmd_pin)

    add_settings_commands(commands, common)
    add_check_commands(commands, common)
    add_pki_commands(commands, common)

    simulator = commands.add_parser(
        "simulator", parents=[common], help="run the virtual GoSign card"
    )
    from ndnclient.simulator.main import add_arguments

    add_arguments(simulator)
    simulator.set_defaults(handler=cmd_simulator)
    return parser


def _configure_logging(verbose: int, traffic: bool) -> None:
    level = logging.WARNING if verbose == 0 else logging.INFO if verbose == 1 else logging.DEBUG
    logging.basicConfig(
        level=level, stream=sys.stderr, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    if traffic:
        # Only the traffic logger opens up; its records reach the root's handler directly.
        logging.getLogger("ndnclient.card.traffic").setLevel(TRAFFIC)


def _load_settings() -> tuple[SettingsService, Settings, tuple[Notice, ...]]:
    """The settings in force. Loading never fails a command: at worst the defaults are used
    and the user is told why."""
    service = SettingsService()
    try:
        settings, notices = service.load()
    except SettingsError as error:
        settings, notices = merge({}, service.policy), (Notice(error.message_key, error.params),)
    return service, settings, notices


def _utf8_when_redirected() -> None:
    """Output is UTF-8 (cli.md). A console shows Unicode anyway, but redirected to a file or a
    pipe Python would write the locale's code page (cp932 on Japanese Windows), which has no
    ✔ or ✖ and would garble what a script reads."""
    for stream in (sys.__stdout__, sys.__stderr__):
        if isinstance(stream, io.TextIOWrapper) and not stream.isatty():
            stream.reconfigure(encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> int:
    _utf8_when_redirected()
    parser = build_parser()
    args = parser.parse_args(argv)
    _configure_logging(getattr(args, "verbose", 0), getattr(args, "traffic", False))
    args.settings_service, args.settings, notices = _load_settings()
    args.make_backend = lambda: make_backend()  # looked up when called (tests replace it)
    args.lang_given = getattr(args, "lang", None)  # the GUI honours only an explicit one
    args.lang = args.lang_given or args.settings.language
    messages = Messages(args.lang)
    for notice in notices:
        print(messages.text(notice.message_key, **notice.params), file=sys.stderr)
    handler: Callable[[argparse.Namespace, Messages], int] = args.handler
    wants_json = bool(getattr(args, "json", False))
    try:
        return handler(args, messages)
    except UsageError as error:
        print(error, file=sys.stderr)
        return EXIT_USAGE
    except Abort as error:
        print(error, file=sys.stderr)
        return EXIT_PROBLEM
    except KeyboardInterrupt:
        print(messages.text("cli.interrupted"), file=sys.stderr)
        return EXIT_PROBLEM
    except CardChoiceNeededError as error:
        # Several cards and none named: nothing was sent; the user names one (bad usage).
        _explain_card_choice(error, error.cards, args, messages, wants_json)
        return EXIT_USAGE
    except ChosenCardNotFoundError as error:
        _explain_card_choice(error, error.cards, args, messages, wants_json)
        return EXIT_PROBLEM
    except Exception as error:
        if not isinstance(error, CardError):
            log.debug("unexpected error", exc_info=True)
        print(messages.describe(error), file=sys.stderr)
        if wants_json:
            print_json(_failure_json(args, error, messages), sys.stdout)
        return EXIT_PROBLEM


if __name__ == "__main__":
    sys.exit(main())
