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
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TextIO

import ndnclient
from ndnclient.card.access import (
    open_gosign_session,
    reader_filter_from_env,
    recovering_guard,
)
from ndnclient.card.connection import ReaderBackend
from ndnclient.card.errors import (
    CardError,
    LastTryNotConfirmedError,
    NotGoSignCardError,
)
from ndnclient.card.info import format_card_number
from ndnclient.card.pin import PinGuard, PinRisk, SecretBuffer, assess
from ndnclient.card.session import CounterName, GoSignSession, PinCounter
from ndnclient.card.status import CardStatus, CertificateSummary, read_card_status, today_in_japan
from ndnclient.card.transport import TRAFFIC
from ndnclient.check_cli import add_commands as add_check_commands
from ndnclient.cli_support import (
    EXIT_OK,
    EXIT_PROBLEM,
    EXIT_USAGE,
    Abort,
    UsageError,
    error_json,
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
    backend = make_backend()
    try:
        status = read_card_status(backend, reader_filter_from_env())
    finally:
        backend.close()
    registered = None
    if status.info is not None:
        numbers = {card.card_number for card in args.settings.cards}
        registered = status.info.card_number in numbers
    if args.json:
        print_json(
            {
                **status.to_json(),
                "registered": registered,
                "error": error_json(status.problem, messages),
            },
            sys.stdout,
        )
    else:
        _print_status_text(status, messages, sys.stdout)
    if status.problem is not None:
        print(messages.describe(status.problem), file=sys.stderr)
    return EXIT_OK if status.usable else EXIT_PROBLEM


def _print_status_text(status: CardStatus, messages: Messages, out: TextIO) -> None:
    t = messages.text
    rows: list[tuple[str, str]] = [
        (t("status.readers"), ", ".join(status.readers) or t("status.none")),
        (t("status.reader"), status.reader or t("status.none")),
        (t("status.card_type"), t(status.card_type_key)),
    ]
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
    width = max(len(label) for label, _ in rows)
    for label, value in rows:
        out.write(f"{label.ljust(width)}  {value}\n")


def cmd_card_cert(args: argparse.Namespace, messages: Messages) -> int:
    with gosign_session() as session:
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
        status = read_card_status(backend, reader_filter_from_env())
    finally:
        backend.close()
    if status.problem is not None:
        raise status.problem
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
def gosign_session(*, reset_on_close: bool = False) -> Iterator[GoSignSession]:
    """A session on the GoSign card in the chosen reader, closed (and the backend) after."""
    backend = make_backend()
    try:
        session = open_gosign_session(backend, reader_filter_from_env())
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

    def read(self, prompt_key: str, stdin_lines: int) -> SecretBuffer:
        """One value: the next stdin line, or typed at a prompt. `stdin_lines` is how many
        lines the command needs in all (for the message when they run out)."""
        if self.from_stdin:
            line = sys.stdin.readline()
            if not line:
                raise Abort(self.messages.text("cli.stdin_short", needed=stdin_lines))
            return SecretBuffer.from_text(line.rstrip("\r\n"))
        return SecretBuffer.from_text(getpass.getpass(self.messages.text(prompt_key)))

    def read_new_pin(self, stdin_lines: int) -> SecretBuffer:
        new_pin = self.read("cli.prompt_new_pin", stdin_lines)
        if self.from_stdin:
            return new_pin
        with self.read("cli.prompt_new_pin_again", stdin_lines) as again:
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
def pin_guarded_session() -> Iterator[tuple[GoSignSession, PinGuard]]:
    """The card's session and its PinGuard for one PIN command. The card is reset on close,
    so no verified PIN is left behind for other programs."""
    backend = make_backend()
    try:
        session = open_gosign_session(backend, reader_filter_from_env())
        try:
            yield session, recovering_guard(backend, session)
        finally:
            session.connection.close(reset=True)
    finally:
        backend.close()


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
    with pin_guarded_session() as (session, guard):
        confirmed = pass_the_pin_gate(guard, gated, secrets, args, messages)
        result = _run_pin_command(args.pin_command, guard, secrets, confirmed)
    done_key = {"verify": "cli.verified", "change": "cli.changed", "unlock": "cli.unlocked"}
    if args.json:
        tries = {"pin_tries_left": result.tries_left}
        if gated == "unlock":
            tries["unlock_tries_left"] = session.profile.unlock_max_tries  # a right code resets it
        print_json({"result": "ok", **tries, "error": None}, sys.stdout)
    else:
        print(messages.text(done_key[args.pin_command]))
    return EXIT_OK


def _run_pin_command(
    command: str, guard: PinGuard, secrets: SecretInput, confirmed: bool
) -> PinCounter:
    if command == "verify":
        with secrets.read("cli.prompt_pin", 1) as pin:
            return guard.verify(pin, last_try_confirmed=confirmed)
    if command == "change":
        with secrets.read("cli.prompt_old_pin", 2) as old_pin, secrets.read_new_pin(2) as new:
            return guard.change(old_pin, new, last_try_confirmed=confirmed)
    with secrets.read("cli.prompt_unlock_code", 2) as code, secrets.read_new_pin(2) as new:
        return guard.unlock(code, new, last_try_confirmed=confirmed)


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

    card = commands.add_parser("card", parents=[common], help="the IC card")
    card_commands = card.add_subparsers(dest="card_command", metavar="ACTION", required=True)
    status = card_commands.add_parser(
        "status", parents=[common], help="readers, card, holder, validity, tries left"
    )
    status.add_argument("--json", action="store_true", help="one JSON document on stdout")
    status.set_defaults(handler=cmd_card_status)
    cert = card_commands.add_parser("cert", parents=[common], help="the card's certificate")
    cert_format = cert.add_mutually_exclusive_group()
    cert_format.add_argument("--pem", action="store_true", help="print the certificate as PEM")
    cert_format.add_argument("--json", action="store_true", help="summary and PEM as JSON")
    cert.add_argument("--ca", action="store_true", help="the issuing CA's certificate instead")
    cert.set_defaults(handler=cmd_card_cert)

    register = card_commands.add_parser(
        "register", parents=[common], help="register the inserted card (ユーザ情報設定)"
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
        action = pin_commands.add_parser(name, parents=[common], help=help_text)
        action.add_argument(
            "--pin-stdin",
            action="store_true",
            help="read the values from stdin, one a line (never from arguments)",
        )
        action.add_argument(
            "--i-understand-last-try",
            action="store_true",
            help="allow the command when only one try is left",
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
    except Exception as error:
        if not isinstance(error, CardError):
            log.debug("unexpected error", exc_info=True)
        print(messages.describe(error), file=sys.stderr)
        if wants_json:
            print_json(_failure_json(args, error, messages), sys.stdout)
        return EXIT_PROBLEM


if __name__ == "__main__":
    sys.exit(main())
