"""The command line (docs/cli.md): `main`, and the error handling every command shares. The
parser is `_parser.py`; each command group is a module of this package (card, pin, check,
pki, settings, urls, renewal, simulator); they import `_common`, never this module, so
imports go one way.

Exit status: 0 success; 1 the command ran and found a problem (wrong PIN, no card ...);
2 bad usage. Errors go to stderr as one sentence with their code; `main` and the GUI's error
handler are the only places that turn errors into sentences.
"""

from __future__ import annotations

import contextlib
import io
import os
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
    from ndnclient.card.profile import use_profile_files
    from ndnclient.settings.errors import SettingsError
    from ndnclient.settings.notices import Notice
    from ndnclient.settings.service import SettingsService, merge

    service = SettingsService()
    try:
        loaded, notices = service.load()
    except SettingsError as error:
        loaded, notices = merge({}, service.policy), (Notice(error.message_key, error.params),)
    # The card layouts IT added (card.profile_files), tried after the shipped GoSign profile.
    left_out = use_profile_files(loaded.card_profile_files)
    notices = (*notices, *(Notice(error.message_key, error.params) for error in left_out))
    return service, loaded, notices


def _utf8_when_redirected() -> None:
    """Output is UTF-8 (docs/cli.md). A console shows Unicode anyway, but redirected to a file
    or a pipe Python would write the locale's code page (cp932 on Japanese Windows), which
    has no ✔ or ✖ and would garble what a script reads.

    And no output dies on the user's own text: a file name or an argument the system could
    not decode reaches Python as lone surrogates ("\\udcff" for the byte 0xff), which a
    strict stream refuses to write, so the sentence about that very name would end in a
    traceback. Output shows them as "\\udcff"; stdin hands undecodable bytes over the same
    way, and what reads it refuses them with a sentence."""
    for stream in dict.fromkeys((sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__)):
        if isinstance(stream, io.TextIOWrapper):
            if stream.isatty():
                stream.reconfigure(errors="backslashreplace")
            else:
                stream.reconfigure(encoding="utf-8", errors="backslashreplace")
    for stream in dict.fromkeys((sys.stdin, sys.__stdin__)):
        if isinstance(stream, io.TextIOWrapper):
            with contextlib.suppress(io.UnsupportedOperation, ValueError):  # already read
                stream.reconfigure(errors="surrogateescape")


def main(
    argv: Sequence[str] | None = None,
    *,
    backend_factory: Callable[[], ReaderBackend] | None = None,
    console: Console | None = None,
) -> int:
    """Run one command. `backend_factory` is the smart-card service (the system's PC/SC by
    default; tests pass a virtual one) and `console` where typed input comes from."""
    _utf8_when_redirected()
    try:
        code = _main(argv, backend_factory, console)
        if sys.stdout is not None:
            sys.stdout.flush()  # a reader that went away is found here, not at exit
    except BrokenPipeError:
        _output_gone()
        return 1  # EXIT_PROBLEM (_common is not imported for --version)
    return code


def _output_gone() -> None:
    """The program reading the output went away (`ndnclient explain G04 | head -1`): the
    rest goes nowhere, quietly, as any command line tool's does. (Python's advice: else the
    flush at exit reports the broken pipe once more.)"""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
    except OSError:
        return
    try:
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(AttributeError, OSError, ValueError):  # no file under it
                os.dup2(devnull, stream.fileno())
    finally:
        os.close(devnull)


def _main(
    argv: Sequence[str] | None,
    backend_factory: Callable[[], ReaderBackend] | None,
    console: Console | None,
) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    if tuple(arguments) == VERSION_ONLY:
        # What IT scripts ask most often, answered without building the parser.
        print(f"ndnclient {ndnclient.__version__}")
        return 0
    from ndnclient.cli._argparse_text import argparse_speaks
    from ndnclient.cli._common import EXIT_USAGE, CommandContext, SystemConsole, system_backend
    from ndnclient.cli._parser import build_parser, language_word
    from ndnclient.messages import Messages

    # The language is known before the parser is built: its help and its errors are in it.
    service, loaded, notices = _load_settings()
    messages = Messages(language_word(arguments) or loaded.language)
    with argparse_speaks(messages, wants_json="--json" in arguments):
        args = build_parser(arguments, messages).parse_args(arguments)
        if getattr(args, "listed_only", False):
            args = build_parser(None, messages).parse_args(arguments)
    _configure_logging(getattr(args, "verbose", 0), getattr(args, "traffic", False))
    lang_given = getattr(args, "lang", None)
    if lang_given is not None and lang_given != messages.lang:
        messages = Messages(lang_given)  # the parser's reading of --lang is the one that counts
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
    broken = _argument_not_text(args)
    if broken is not None:
        print(messages.text("cli.argument_not_text", argument=broken), file=sys.stderr)
        return EXIT_USAGE
    handler: Handler = args.handler
    if getattr(args, "command", None) in (None, "gui"):
        return _run(handler, ctx, args)  # the window installs its own ledger hooks
    from ndnclient.ledger.hooks import install_ledger_hooks

    # Every PIN this command sends is recorded in the lending ledger (and refused by the
    # IT policy for a card that is not lent out).
    remove_ledger_hooks = install_ledger_hooks(lambda: ctx.settings)
    try:
        return _run(handler, ctx, args)
    finally:
        remove_ledger_hooks()


def _argument_not_text(args: argparse.Namespace) -> str | None:
    """The first text argument (not a file name) that holds bytes the system could not
    decode, shown as it can be printed; None when every one is text.

    Such an argument (a Shift_JIS label, a URL from a file saved in another code page)
    reaches Python as lone surrogates, which no UTF-8 file can hold: stored in the
    settings, it would fail every later save. File names are paths, not text, and keep
    their bytes."""
    from ndnclient.cli._common import printable
    from ndnclient.settings.documents import text_is_writable

    for value in vars(args).values():
        for item in value if isinstance(value, list | tuple) else (value,):
            if isinstance(item, str) and not text_is_writable(item):
                return printable(item)
    return None


def _run(handler: Handler, ctx: CommandContext, args: argparse.Namespace) -> int:
    """The handler, with every error turned into one sentence and its exit status."""
    from ndnclient.card.errors import CardChoiceNeededError, ChosenCardNotFoundError
    from ndnclient.cli._common import EXIT_PROBLEM, EXIT_USAGE, Abort, UsageError, print_json
    from ndnclient.errors import UserFacingError

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
    except BrokenPipeError:
        raise  # the reader of the output went away: main ends quietly
    except CardChoiceNeededError as error:
        # Several cards and none named: nothing was sent; the user names one (bad usage).
        _explain_card_choice(ctx, error, error.cards, failure_json if wants_json else None)
        return EXIT_USAGE
    except ChosenCardNotFoundError as error:
        _explain_card_choice(ctx, error, error.cards, failure_json if wants_json else None)
        return EXIT_PROBLEM
    except Exception as error:
        if not isinstance(error, UserFacingError):
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
