"""What the command groups share: exit statuses, the two usage exceptions, the typed context a
handler receives, JSON output, the options more than one command takes, and the PIN entry
(secrets from a terminal or stdin, the tries shown and the gate applied before anything is
typed, the card named first).

Kept light on purpose: every command imports this module, and `ndnclient --version` must
not pay for cryptography, the keyring or the settings (docs/architecture.md, "Start-up").
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TextIO

from ndnclient.card.choice import CardChoice
from ndnclient.card.info import parse_card_number
from ndnclient.cli._argparse_text import ArgumentProblem, display_width
from ndnclient.errors import UserFacingError
from ndnclient.messages import Messages
from ndnclient.settings.documents import text_is_writable

if TYPE_CHECKING:
    from ndnclient.card.connection import ReaderBackend
    from ndnclient.card.operations import GuardedCard
    from ndnclient.card.pin import PinGuard, SecretBuffer
    from ndnclient.card.session import CounterName, GoSignSession, PinCounter
    from ndnclient.card.status import CardStatus
    from ndnclient.settings.notices import Notice
    from ndnclient.settings.service import Settings, SettingsService

EXIT_OK = 0
EXIT_PROBLEM = 1
EXIT_USAGE = 2


class UsageError(Exception):
    """Bad usage found after parsing (exit 2); the message is already user text."""


class Abort(Exception):
    """The user declined or input was missing; nothing was sent (exit 1). User text."""


class InputNotTextError(UserFacingError):
    """What was typed or piped in holds bytes that are not UTF-8 text (where a PIN's bytes
    are not checked by the PIN format: a pass phrase, a password); nothing was used."""

    message_key = "cli.input_not_text"


class InputEndedError(UserFacingError):
    """The input ended (Ctrl+D, Ctrl+Z) where an answer was asked for; nothing was sent."""

    message_key = "cli.input_ended"


# --- Text from outside --------------------------------------------------------------------


def printable(text: str, limit: int = 80) -> str:
    """`text` as a sentence can quote it: an undecodable byte as \\xff, another lone
    surrogate as \\ud800, a control character (which a terminal would obey: ESC starts a
    colour or cursor sequence) as \\x1b, cut after `limit` characters."""

    def shown(char: str) -> str:
        code = ord(char)
        if code < 0x20 or 0x7F <= code < 0xA0:
            return f"\\x{code:02x}"
        if 0xDC80 <= code <= 0xDCFF:  # Python's escape for the byte code - 0xDC00
            return f"\\x{code - 0xDC00:02x}"
        if 0xD800 <= code <= 0xDFFF:
            return f"\\u{code:04x}"
        return char

    quoted = "".join(shown(char) for char in text[:limit])
    return quoted if len(text) <= limit else quoted + "…"


def require_text(text: str) -> str:
    """`text` from the console, refused when it is not text (a pass phrase or password must
    be typed the same way again elsewhere, so its bytes must be UTF-8)."""
    if not text_is_writable(text):
        raise InputNotTextError("the input is not UTF-8 text")
    return text


def stdin_line(console: Console) -> str:
    """The next line of the console's stdin as it came (with its line end; "" at the end).
    `main` makes stdin hand undecodable bytes over as lone surrogates; a stream that is
    strict about them says so here, as a sentence."""
    try:
        return console.stdin.readline()
    except UnicodeDecodeError:
        raise InputNotTextError("stdin is not UTF-8") from None


@contextmanager
def _typed_answer() -> Iterator[None]:
    """A prompt's answer: bytes the terminal's encoding cannot decode, or the end of input,
    are a sentence, not a traceback."""
    try:
        yield
    except UnicodeDecodeError:
        raise InputNotTextError("the typed answer is not text") from None
    except EOFError:
        raise InputEndedError("the input ended at a prompt") from None


def check_output_file(path: Path, messages: Messages) -> None:
    """A file a command is to write, checked before the command does anything (a check run,
    a PIN): it needs a name ("", ".", "/" and folders have none) that the file system can
    take (not one too long), and what is there already must be a file. A file is written
    whole and then renamed over the old one, so a device or a pipe (/dev/null, /dev/stdout)
    would be replaced by a plain file, which for an administrator breaks the system."""
    shown = printable(str(path), 200)
    try:
        path.resolve()  # a loop of symbolic links: RuntimeError (3.11) or OSError (3.13)
        folder = path.name in ("", ".", "..") or path.is_dir()
        special = not folder and path.exists() and not path.is_file()
    except (OSError, ValueError, RuntimeError) as error:  # a name too long, a NUL, a loop
        detail = getattr(error, "strerror", None) or type(error).__name__
        raise UsageError(messages.text("cli.output_unusable", path=shown, detail=detail)) from None
    if folder:
        raise UsageError(messages.text("cli.output_is_folder", path=shown))
    if special:
        raise UsageError(messages.text("cli.output_not_a_file", path=shown))


# --- The console and the context ----------------------------------------------------------


class Console(Protocol):
    """Where a command reads what the user types: stdin, a prompt without echo, a question."""

    @property
    def stdin(self) -> TextIO: ...

    def interactive(self) -> bool:
        """A person at a terminal (not a pipe or a file)."""
        ...

    def secret(self, prompt: str) -> str:
        """Typed without echo."""
        ...

    def ask(self, prompt: str) -> str:
        """Typed with echo (a yes)."""
        ...


class SystemConsole:
    """The real terminal."""

    @property
    def stdin(self) -> TextIO:
        return sys.stdin

    def interactive(self) -> bool:
        return sys.stdin.isatty()

    def secret(self, prompt: str) -> str:
        import getpass

        with _typed_answer():
            return getpass.getpass(prompt)

    def ask(self, prompt: str) -> str:
        with _typed_answer():
            return input(prompt)


def system_backend() -> ReaderBackend:
    """The system's smart-card service (pyscard loads only when a command needs it)."""
    from ndnclient.card.pcsc import PcscBackend

    return PcscBackend()


@dataclass
class CommandContext:
    """What every handler receives beside its parsed arguments: the messages in the user's
    language, the settings in force (loaded once by `main`), the smart-card service and the
    console."""

    messages: Messages
    settings_service: SettingsService
    settings: Settings
    notices: tuple[Notice, ...] = ()
    backend_factory: Callable[[], ReaderBackend] = system_backend
    console: Console = field(default_factory=SystemConsole)
    lang_given: str | None = None  # the GUI honours only an explicit --lang

    @contextmanager
    def backend(self) -> Iterator[ReaderBackend]:
        """A backend for one command, released after."""
        backend = self.backend_factory()
        try:
            yield backend
        finally:
            backend.close()

    def registered_numbers(self) -> set[str]:
        return {card.card_number for card in self.settings.cards}


Handler = Callable[[CommandContext, argparse.Namespace], int]

# Every command word and the module of ndnclient.cli that defines it; its line in `ndnclient
# --help` is cli.help.commands.<word>. Only the module of the command being run is imported
# (docs/cli.md).
COMMANDS: dict[str, str] = {
    "card": "card",
    "pin": "pin",
    "settings": "settings",
    "urls": "urls",
    "renewal": "renewal",
    "check": "check",
    "explain": "check",
    "csr": "pki",
    "cert": "pki",
    "smime": "pki",
    "simulator": "simulator",
    "ledger": "ledger",
}


def add_command(
    commands: argparse._SubParsersAction,  # type: ignore[type-arg]
    name: str,
    parents: list[argparse.ArgumentParser],
    messages: Messages,
) -> argparse.ArgumentParser:
    """A command word's parser, with its line of `ndnclient --help`."""
    parser: argparse.ArgumentParser = commands.add_parser(
        name, parents=parents, help=messages.text(f"cli.help.commands.{name}")
    )
    return parser


# --- Output --------------------------------------------------------------------------------


def print_json(document: dict[str, Any], out: TextIO) -> None:
    out.write(json.dumps(document, ensure_ascii=False, indent=2) + "\n")


def error_json(error: BaseException | None, messages: Messages) -> dict[str, Any] | None:
    if error is None:
        return None
    return {
        "kind": type(error).__name__,
        "code": getattr(error, "check_code", None),
        "message": messages.describe(error),
    }


def print_rows(rows: list[tuple[str, str]], out: TextIO, indent: str = "") -> None:
    """Label and value rows, the values aligned however wide the labels' characters are."""
    width = max(display_width(label) for label, _ in rows)
    for label, value in rows:
        padding = " " * (width - display_width(label))
        out.write(f"{indent}{label}{padding}  {value}\n")


# --- Options more than one command takes --------------------------------------------------


def card_number_argument(text: str) -> str:
    number = parse_card_number(text)
    if number is None:
        raise ArgumentProblem("cli.argparse.not_a_card_number", value=printable(text))
    return number


def date_argument(first: date, last: date) -> Callable[[str], date]:
    """A date option's type: any form `ndnclient.dates` reads (2027-04-30, 2027/4/30,
    20270430, R9.4.30, 令和9年4月30日), between `first` and `last`."""

    def parse(text: str) -> date:
        from ndnclient.dates import DateInputError, parse_date

        try:
            day = parse_date(text)
        except DateInputError as error:
            # The text as typed may hold control characters: quoted as printable, as elsewhere.
            params = {**error.params, "text": printable(text)}
            raise ArgumentProblem(error.message_key, **params) from None
        if not first <= day <= last:
            raise ArgumentProblem(
                "cli.argparse.date_out_of_range", value=printable(text), first=first, last=last
            )
        return day

    return parse


def output_path_argument(text: str) -> Path:
    """A file a command writes: a name is needed ("" would be the current folder)."""
    if not text.strip():
        raise ArgumentProblem("cli.argparse.no_file_name")
    return Path(text)


def input_path_argument(text: str) -> Path:
    """A file a command reads: a name is needed ("" would be the current folder)."""
    if not text.strip():
        raise ArgumentProblem("cli.argparse.no_file_name_to_read")
    return Path(text)


def card_choice_options(messages: Messages, *, for_pin: bool) -> argparse.ArgumentParser:
    """--card and --reader: which card, when more than one is inserted."""
    t = messages.text
    options = argparse.ArgumentParser(add_help=False)
    when = t("cli.help.options.when_several") if for_pin else ""
    options.add_argument(
        "--card",
        type=card_number_argument,
        metavar="NUMBER",
        help=t("cli.help.options.card") + when,
    )
    options.add_argument(
        "--reader",
        metavar="NAME",
        help=t("cli.help.options.reader") + when,
    )
    return options


def card_choice(args: argparse.Namespace) -> CardChoice:
    card = getattr(args, "card", None)
    return CardChoice(card if isinstance(card, str) else None, getattr(args, "reader", None))


def pin_entry_options(messages: Messages) -> argparse.ArgumentParser:
    """How a PIN command takes its secrets and the last-try confirmation."""
    options = argparse.ArgumentParser(add_help=False)
    options.add_argument(
        "--pin-stdin",
        action="store_true",
        help=messages.text("cli.help.options.pin_stdin"),
    )
    options.add_argument(
        "--i-understand-last-try",
        action="store_true",
        help=messages.text("cli.help.options.last_try"),
    )
    return options


# --- Sessions on the chosen card ----------------------------------------------------------


@contextmanager
def gosign_session(
    ctx: CommandContext, choice: CardChoice, *, reset_on_close: bool = False
) -> Iterator[GoSignSession]:
    """A session on the chosen GoSign card (or the only one), closed (and the backend) after."""
    from ndnclient.card.access import open_gosign_session
    from ndnclient.card.readers import reader_filter_from_env

    with ctx.backend() as backend:
        session = open_gosign_session(backend, reader_filter_from_env(), choice=choice)
        try:
            yield session
        finally:
            session.connection.close(reset=reset_on_close)


@contextmanager
def pin_guarded_session(ctx: CommandContext, choice: CardChoice) -> Iterator[GuardedCard]:
    """The chosen card's session and its PinGuard for one PIN command, on a backend of its
    own, the card named on stderr before anything is typed or sent. The card is reset on
    close, so no verified PIN is left behind for other programs."""
    from ndnclient.card.operations import pin_guarded_session as guarded_on
    from ndnclient.card.readers import reader_filter_from_env

    with ctx.backend() as backend, guarded_on(backend, reader_filter_from_env(), choice) as card:
        announce_card(card.card, ctx.messages)
        yield card


# --- Entering a PIN -------------------------------------------------------------------------


class SecretInput:
    """Where PINs come from: stdin lines (--pin-stdin) or prompts without echo."""

    def __init__(self, from_stdin: bool, ctx: CommandContext) -> None:
        self.from_stdin = from_stdin
        self.messages = ctx.messages
        self.console = ctx.console
        if not from_stdin and not self.console.interactive():
            raise UsageError(self.messages.text("cli.no_terminal"))

    def read(self, prompt_key: str, stdin_lines: int, card: str = "") -> SecretBuffer:
        """One value: the next stdin line, or typed at a prompt that names the card (4-4-4-4).
        `stdin_lines` is how many lines the command needs in all (for the message when they
        run out)."""
        from ndnclient.card.pin import SecretBuffer

        if self.from_stdin:
            line = stdin_line(self.console)
            if not line:
                raise Abort(self.messages.text("cli.stdin_short", needed=stdin_lines))
            return SecretBuffer(_secret_bytes(line.rstrip("\r\n")))
        return SecretBuffer(
            _secret_bytes(self.console.secret(self.messages.text(prompt_key, card=card)))
        )

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
        answer = self.console.ask(self.messages.text("cli.confirm_last_try"))
        return answer.strip().casefold() in self.messages.text("cli.confirm_answers").split()


def _secret_bytes(text: str) -> bytes:
    """A PIN or code as bytes, whatever was typed: UTF-8, so a full-width digit reaches the
    PIN format check and fails there; an undecodable byte goes back to itself (or a lone
    surrogate to its UTF-8 form) and fails there too, never as a traceback."""
    try:
        return text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogatepass")


def show_counter(counter: PinCounter, messages: Messages) -> None:
    from ndnclient.card.pin import PinRisk, assess

    key = "cli.pin_tries" if counter.which == "pin" else "cli.unlock_tries"
    print(
        messages.text(key, tries_left=counter.tries_left, max_tries=counter.max_tries),
        file=sys.stderr,
    )
    if assess(counter) in (PinRisk.LOW, PinRisk.LAST_TRY):
        warning = "cli.warning_low" if counter.which == "pin" else "cli.warning_low_unlock"
        print(messages.text(warning), file=sys.stderr)


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
    from ndnclient.card.errors import LastTryNotConfirmedError

    if gated == "unlock":
        show_counter(guard.counter("pin"), messages)
    counter = guard.counter(gated)
    show_counter(counter, messages)
    confirmed = bool(args.i_understand_last_try)
    try:
        guard.check(counter, last_try_confirmed=confirmed)
    except LastTryNotConfirmedError:
        if not secrets.confirm_last_try():
            raise
        confirmed = True
    return confirmed
