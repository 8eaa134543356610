"""The command line (docs/cli.md): `main`, and the error handling every command shares. The
parser is `_parser.py`; each command group is a module of this package (card, pin, check,
pki, settings, urls, renewal, simulator); they import `_common`, never this module, so
imports go one way.

Exit status: 0 success; 1 the command ran and found a problem (wrong PIN, no card ...);
2 bad usage. Errors go to stderr as one sentence with their code; `main` and the GUI's error
handler are the only places that turn errors into sentences.
"""

from __future__ import annotations

import io
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import ndnclient

# Nothing else at import: `ndnclient --version` must not pay for argparse, logging or the
# command groups (each group, and what it needs, is imported when its command runs).
if TYPE_CHECKING:
    import argparse

    from ndnclient.card.connection import ReaderBackend
    from ndnclient.card.errors import CardError
    from ndnclient.card.status import CardStatus
    from ndnclient.cli._common import CommandContext, Console, Handler
    from ndnclient.messages import Messages
    from ndnclient.settings.notices import Notice
    from ndnclient.settings.service import Settings, SettingsService

VERSION_ONLY = ("--version",)


def _configure_logging(verbose: int, traffic: bool) -> None:
    import logging

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
    arguments = list(sys.argv[1:] if argv is None else argv)
    if tuple(arguments) == VERSION_ONLY:
        # What IT scripts ask most often, answered without building the parser.
        print(f"ndnclient {ndnclient.__version__}")
        return 0
    from ndnclient.cli._common import CommandContext, SystemConsole, system_backend
    from ndnclient.cli._parser import build_parser
    from ndnclient.messages import Messages

    args = build_parser(arguments).parse_args(arguments)
    if getattr(args, "listed_only", False):
        args = build_parser().parse_args(arguments)
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
    from ndnclient.cli._common import EXIT_PROBLEM, EXIT_USAGE, Abort, UsageError, print_json

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
            import logging

            logging.getLogger(__name__).debug("unexpected error", exc_info=True)
        print(messages.describe(error), file=sys.stderr)
        if wants_json:
            print_json(failure_json(error, messages), sys.stdout)
        return EXIT_PROBLEM


def _failure_json(error: BaseException, messages: Messages) -> dict[str, Any]:
    """The --json document of a command that failed."""
    from ndnclient.cli._common import error_json

    return {"error": error_json(error, messages)}


def _explain_card_choice(
    ctx: CommandContext,
    error: CardError,
    cards: Sequence[CardStatus],
    failure_json: Callable[[BaseException, Messages], dict[str, Any]] | None,
) -> None:
    """The sentence, then the inserted cards one a line, so the user can name one."""
    from ndnclient.cli._common import print_json

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
