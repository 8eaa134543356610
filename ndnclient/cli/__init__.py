"""The command line (docs/cli.md): the parser, `main`, and the error handling every command
shares. Each command group is a module of this package (card, pin, check, pki, settings,
urls, renewal, simulator); they import `_common`, never this module, so imports go one way.

Exit status: 0 success; 1 the command ran and found a problem (wrong PIN, no card ...);
2 bad usage. Errors go to stderr as one sentence with their code; `main` and the GUI's error
handler are the only places that turn errors into sentences.
"""

from __future__ import annotations

import argparse
import io
import logging
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import ndnclient
from ndnclient.cli import card, check, pin, pki, renewal, settings, simulator, urls
from ndnclient.cli._common import (
    EXIT_PROBLEM,
    EXIT_USAGE,
    Abort,
    CommandContext,
    Console,
    Handler,
    SystemConsole,
    UsageError,
    error_json,
    print_json,
    system_backend,
)
from ndnclient.messages import LANGUAGES, Messages

if TYPE_CHECKING:
    from ndnclient.card.connection import ReaderBackend
    from ndnclient.card.errors import CardError
    from ndnclient.card.status import CardStatus
    from ndnclient.settings.notices import Notice
    from ndnclient.settings.service import Settings, SettingsService

log = logging.getLogger(__name__)

COMMAND_GROUPS = (card, pin, settings, urls, renewal, check, pki, simulator)


def cmd_gui(ctx: CommandContext, args: argparse.Namespace) -> int:
    try:
        from ndnclient.ui.app import run_gui
    except ImportError as error:
        print(ctx.messages.text("cli.gui_unavailable", error=error), file=sys.stderr)
        return EXIT_PROBLEM
    return run_gui(lang=ctx.lang_given, demo=bool(getattr(args, "demo", False)))


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
    for group in COMMAND_GROUPS:
        group.add_commands(commands, common)
    return parser


def _configure_logging(verbose: int, traffic: bool) -> None:
    level = logging.WARNING if verbose == 0 else logging.INFO if verbose == 1 else logging.DEBUG
    logging.basicConfig(
        level=level, stream=sys.stderr, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    if traffic:
        from ndnclient.card.transport import TRAFFIC

        # Only the traffic logger opens up; its records reach the root's handler directly.
        logging.getLogger("ndnclient.card.traffic").setLevel(TRAFFIC)


def _load_settings() -> tuple[SettingsService, Settings, tuple[Notice, ...]]:
    """The settings in force. Loading never fails a command: at worst the defaults are used
    and the user is told why."""
    from ndnclient.settings.errors import SettingsError
    from ndnclient.settings.notices import Notice
    from ndnclient.settings.service import SettingsService, merge

    service = SettingsService()
    try:
        loaded, notices = service.load()
    except SettingsError as error:
        loaded, notices = merge({}, service.policy), (Notice(error.message_key, error.params),)
    return service, loaded, notices


def _utf8_when_redirected() -> None:
    """Output is UTF-8 (docs/cli.md). A console shows Unicode anyway, but redirected to a file
    or a pipe Python would write the locale's code page (cp932 on Japanese Windows), which
    has no ✔ or ✖ and would garble what a script reads."""
    for stream in (sys.__stdout__, sys.__stderr__):
        if isinstance(stream, io.TextIOWrapper) and not stream.isatty():
            stream.reconfigure(encoding="utf-8")


def main(
    argv: Sequence[str] | None = None,
    *,
    backend_factory: Callable[[], ReaderBackend] | None = None,
    console: Console | None = None,
) -> int:
    """Run one command. `backend_factory` is the smart-card service (the system's PC/SC by
    default; tests pass a virtual one) and `console` where typed input comes from."""
    _utf8_when_redirected()
    args = build_parser().parse_args(argv)
    _configure_logging(getattr(args, "verbose", 0), getattr(args, "traffic", False))
    service, loaded, notices = _load_settings()
    lang_given = getattr(args, "lang", None)
    messages = Messages(lang_given or loaded.language)
    ctx = CommandContext(
        messages=messages,
        settings_service=service,
        settings=loaded,
        notices=notices,
        backend_factory=backend_factory or system_backend,
        console=console or SystemConsole(),
        lang_given=lang_given,
    )
    for notice in notices:
        print(messages.text(notice.message_key, **notice.params), file=sys.stderr)
    handler: Handler = args.handler
    return _run(handler, ctx, args)


def _run(handler: Handler, ctx: CommandContext, args: argparse.Namespace) -> int:
    """The handler, with every error turned into one sentence and its exit status."""
    from ndnclient.card.errors import CardChoiceNeededError, CardError, ChosenCardNotFoundError

    messages = ctx.messages
    wants_json = bool(getattr(args, "json", False))
    failure_json: Callable[[BaseException, Messages], dict[str, Any]] = getattr(
        args, "failure_json", _failure_json
    )
    try:
        return handler(ctx, args)
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
        _explain_card_choice(ctx, error, error.cards, failure_json if wants_json else None)
        return EXIT_USAGE
    except ChosenCardNotFoundError as error:
        _explain_card_choice(ctx, error, error.cards, failure_json if wants_json else None)
        return EXIT_PROBLEM
    except Exception as error:
        if not isinstance(error, CardError):
            log.debug("unexpected error", exc_info=True)
        print(messages.describe(error), file=sys.stderr)
        if wants_json:
            print_json(failure_json(error, messages), sys.stdout)
        return EXIT_PROBLEM


def _failure_json(error: BaseException, messages: Messages) -> dict[str, Any]:
    """The --json document of a command that failed."""
    return {"error": error_json(error, messages)}


def _explain_card_choice(
    ctx: CommandContext,
    error: CardError,
    cards: Sequence[CardStatus],
    failure_json: Callable[[BaseException, Messages], dict[str, Any]] | None,
) -> None:
    """The sentence, then the inserted cards one a line, so the user can name one."""
    messages = ctx.messages
    print(messages.describe(error), file=sys.stderr)
    registered_numbers = ctx.registered_numbers()
    for listed in cards:
        info = listed.info
        if info is None:
            reason = messages.describe(listed.problem) if listed.problem is not None else ""
            line = messages.text("cli.card_list_unread", reader=listed.reader, reason=reason)
        else:
            line = messages.text(
                "cli.card_list_line",
                card=info.card_number_display,
                holder=info.holder,
                valid_to=info.valid_to,
                reader=listed.reader,
            )
            if info.card_number in registered_numbers:
                line += " " + messages.text("cli.card_list_registered")
        print(f"  {line}", file=sys.stderr)
    if failure_json is not None:
        document = failure_json(error, messages)
        document["cards"] = [
            listed.card_json(
                None if listed.info is None else listed.info.card_number in registered_numbers
            )
            for listed in cards
        ]
        print_json(document, sys.stdout)
