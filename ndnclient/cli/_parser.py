"""The parser: the options every command takes, and each command group's own (each group's
module adds its commands). Built only when a command is run, never for `--version`; and only
the group of the command being run is imported: the other command words are listed for
`--help` from `COMMANDS`, without their modules."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from typing import Any, NoReturn

import ndnclient
from ndnclient.cli._argparse_text import HelpFormatter, report_usage_error
from ndnclient.cli._common import COMMANDS, EXIT_PROBLEM, CommandContext
from ndnclient.messages import LANGUAGES, Messages


def cmd_gui(ctx: CommandContext, args: argparse.Namespace) -> int:
    from ndnclient.ui import display_missing  # Qt-free: the package's __init__ only

    if display_missing():
        # Qt would abort the process (exit 134) with a page about platform plugins.
        print(ctx.messages.text("cli.no_display"), file=sys.stderr)
        return EXIT_PROBLEM
    try:
        from ndnclient.ui.app import run_gui
    except ImportError as error:
        print(ctx.messages.text("cli.gui_unavailable", error=error), file=sys.stderr)
        return EXIT_PROBLEM
    return run_gui(lang=ctx.lang_given, demo=bool(getattr(args, "demo", False)))


def command_word(argv: Sequence[str]) -> str | None:
    """The command the arguments name (`card` in `--lang en card status`), if any. A guess
    that misses costs nothing but time: a listed-only command that gets chosen makes `main`
    build the whole parser and parse again."""
    skip_next = False
    for argument in argv:
        if skip_next:
            skip_next = False
        elif len(argument) >= 3 and "--lang".startswith(argument):
            skip_next = True  # its value (argparse takes --l, --la ... too) is not a command
        elif not argument.startswith("-"):
            return argument
    return None


def language_word(argv: Sequence[str]) -> str | None:
    """The language `--lang` names in the arguments (`--lang en`, `--lang=en`, `--la en`),
    read before the parser is built so that its help and errors are in that language; None
    when it is not given or not one of LANGUAGES (the parser then says so).

    A guess, to be confirmed by the parser: an option of a command may also start like
    `--lang` (`csr create --l 横浜市`, the locality), so the scan goes on past a value that is
    not a language, and the last one given wins, as in argparse."""
    found = None
    for index, argument in enumerate(argv):
        if argument == "--":
            break
        name, equals, value = argument.partition("=")
        if len(name) < 3 or not "--lang".startswith(name):
            continue
        if not equals:
            value = argv[index + 1] if index + 1 < len(argv) else ""
        if value in LANGUAGES:
            found = value
    return found


class _Parser(argparse.ArgumentParser):
    """argparse in the user's language (`_argparse_text`: build and parse inside
    `argparse_speaks`), its help wrapped by terminal columns, a usage error that says where to
    read more (and prints a JSON error for --json).

    And a lone "--" given as a value (`--out=--`, or the second "--" in `settings set -- KEY
    --`) is that value. Python 3.11's argparse drops it as if it ended the options and hands
    the command an empty list where one string belongs (a traceback later, in whatever uses
    the value). For one value, "--" alone can only be a value: the "--" that ends the options
    never stands alone for an argument. The command words' parsers are of this class too
    (add_subparsers uses the parent's class)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", HelpFormatter)
        super().__init__(*args, **kwargs)

    def _get_values(self, action: argparse.Action, arg_strings: list[str]) -> Any:
        if action.nargs is None and arg_strings == ["--"]:
            value = self._get_value(action, "--")
            self._check_value(action, value)
            return value
        return super()._get_values(action, arg_strings)

    def error(self, message: str) -> NoReturn:
        report_usage_error(self, message)


def build_parser(
    argv: Sequence[str] | None = None, messages: Messages | None = None
) -> argparse.ArgumentParser:
    """The parser for `argv`: its command's group in full, the other commands as their help
    lines. Without `argv`, every group in full. Its texts are in `messages`' language
    (Japanese by default); argparse's own words too when built inside `argparse_speaks`."""
    messages = messages or Messages()
    t = messages.text
    # Options every command takes, accepted before or after the command words.
    common = _Parser(add_help=False)
    common.add_argument(
        "--lang",
        choices=LANGUAGES,
        default=argparse.SUPPRESS,
        help=t("cli.help.common.lang"),
    )
    common.add_argument(
        "-v",
        "--verbose",
        action="count",
        default=argparse.SUPPRESS,
        help=t("cli.help.common.verbose"),
    )
    common.add_argument(
        "--traffic",
        action="store_true",
        default=argparse.SUPPRESS,
        help=t("cli.help.common.traffic"),
    )

    parser = _Parser(prog="ndnclient", parents=[common], description=t("cli.help.description"))
    # Not set_defaults for the common options: it would change the shared actions' defaults
    # and let a subcommand's default override a value given before the subcommand.
    parser.set_defaults(handler=cmd_gui)
    parser.add_argument(
        "--version",
        action="version",
        version=f"ndnclient {ndnclient.__version__}",
        help=t("cli.help.common.version"),
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    gui = commands.add_parser("gui", parents=[common], help=t("cli.help.commands.gui"))
    gui.add_argument("--demo", action="store_true", help=t("cli.help.gui.demo"))
    gui.set_defaults(handler=cmd_gui)
    word = None if argv is None else command_word(argv)
    wanted = set(COMMANDS.values()) if argv is None else set()
    if word in COMMANDS:
        wanted.add(COMMANDS[word])
    for module in dict.fromkeys(COMMANDS.values()):
        if module in wanted:
            group = importlib.import_module(f"ndnclient.cli.{module}")
            group.add_commands(commands, common, messages)
    for name, module in COMMANDS.items():
        if module not in wanted:
            # Listed for --help and for "invalid choice". Should it be chosen after all (the
            # guess of the command word missed), `main` builds everything and parses again.
            listed = commands.add_parser(
                name, parents=[common], help=t(f"cli.help.commands.{name}")
            )
            listed.set_defaults(listed_only=True)
    return parser
