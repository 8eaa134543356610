"""Hostile command lines: every command and option of the real parser, with hostile values.

The commands and their options come from walking `ndnclient.cli._parser.build_parser()`, so
a new option is fuzzed the day it is added. Each case is one command line (valid values,
empty strings, ".", "/", names too long for the file system, undecodable bytes as the
system hands them over ("\\udcff"), Japanese text, nan, inf, -1, a 5,000-digit number,
brackets thousands deep, an option twice, unknown options), what stdin holds (possibly
bytes that are not UTF-8), what is typed at the prompts, whether the streams are a
terminal, and which virtual cards are inserted.

It runs in process against the in-process virtual card, never pcscd, the network, the
user's files or keyring, nor the window:

- settings, logs, IT policy (none), HOME and the working folder are a fresh copy of a
  template per case, so every case replays alone (`benchmarks/fuzz.py --replay`);
- LDAP points at a closed port on 127.0.0.1, and names other than the loopback do not
  resolve (a case that sets another LDAP URL gets the resolver's error at once);
- the keyring is in memory (and, like the real ones, refuses text it cannot encode);
- `simulator` builds its card but never connects to vpcd; `gui` is never run.

What counts as an escape: an exception out of `main`, an exit status other than 0, 1 and 2,
an exception the CLI turned into "unexpected error" (its log record, or the sentence on
stderr), a traceback on stderr (a thread's, a logging error's), and a PIN sent to a card
more than once by one command.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import getpass
import io
import logging
import os
import random
import shutil
import socket
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import keyring
import keyring.errors

from ndnclient.simulator.repository import free_port as _closed_port
from tests.fuzzing import Escaped, UnexpectedCatcher, saved_environment
from tests.keyrings_for_tests import MemoryKeyring

# --- what the parser offers -------------------------------------------------------------------

# Never run: the window (it would start Qt and wait for the user).
SKIPPED_COMMANDS = {("gui",)}


@dataclass(frozen=True)
class Option:
    """One argparse action of a command: an option (`strings`) or a positional."""

    dest: str
    strings: tuple[str, ...]
    nargs: int | str | None
    choices: tuple[str, ...] | None
    required: bool

    @property
    def flag(self) -> bool:
        return self.nargs == 0


@dataclass(frozen=True)
class Command:
    words: tuple[str, ...]
    options: tuple[Option, ...]
    positionals: tuple[Option, ...]


def _option(action: argparse.Action) -> Option:
    choices = None if action.choices is None else tuple(str(c) for c in action.choices)
    return Option(
        dest=action.dest,
        strings=tuple(action.option_strings),
        nargs=action.nargs,
        choices=choices,
        required=bool(action.required),
    )


@cache
def commands() -> tuple[Command, ...]:
    """Every command of the real parser (built in full), its options and positionals."""
    from ndnclient.cli._parser import build_parser

    found: list[Command] = []

    def walk(parser: argparse.ArgumentParser, words: tuple[str, ...]) -> None:
        subparsers = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
        if subparsers:
            for name, child in subparsers[0].choices.items():
                if (*words, name) not in SKIPPED_COMMANDS:
                    walk(child, (*words, name))
            return
        options: list[Option] = []
        positionals: list[Option] = []
        for action in parser._actions:
            if isinstance(action, argparse._HelpAction) or action.dest in ("lang", "verbose"):
                continue  # --help is added now and then; the common options have their own
            (options if action.option_strings else positionals).append(_option(action))
        found.append(Command(words, tuple(options), tuple(positionals)))

    walk(build_parser(), ())
    return tuple(found)


# --- values -------------------------------------------------------------------------------

CARD_NUMBER = "9392000012345678"
SECOND_CARD_NUMBER = "9392000087654321"
LONG_NAME = "n" * 300  # longer than any file system's name limit
DEEP = "[" * 3000 + "]" * 3000
HUGE_NUMBER = "1" + "0" * 5000

# Never a path outside the case's own folder but "/" (a folder, never written): the fuzzer
# may run as root, and "/dev/null" once written over by `settings export` is a plain file.
# "null-link" (a link to it in the case's folder) stands for it: written over, only the
# link would go.
HOSTILE = (
    "",
    " ",
    ".",
    "..",
    "/",
    "-",
    "--",
    "-1",
    "0",
    "nan",
    "NaN",
    "inf",
    "-inf",
    "1e308",
    "1e400",
    "-0",
    HUGE_NUMBER,
    "9" * 400,
    DEEP,
    '{"a":' * 3000 + "1" + "}" * 3000,
    '"\\ud800"',
    '["\\udcff"]',
    "\udcff",
    "a\udcffb",
    "\udc80\udcfe",
    "日本語",
    "電子 花子",
    "ｇ０４",
    "\u3000",
    "\u202etxt.exe",
    "x\ny",
    "\t",
    "{key}",
    "{0}",
    "%s%n",
    "null",
    "true",
    "[]",
    "{}",
    "~",
    "$HOME",
    "con",
    LONG_NAME,
    LONG_NAME + "/x",
    "missing-folder/file.txt",
    "folder",
    "folder/",
    "null-link",
    "x" * 100_000,
    "--bogus",
)

# Good values by what the option is (command words + dest).
GOOD: dict[str, tuple[str, ...]] = {
    "card": (
        CARD_NUMBER,
        "9392-0000-1234-5678",
        "９３９２０００００１２３４５６７８",
        SECOND_CARD_NUMBER,
    ),
    "reader": ("Virtual", "ndnclient Virtual Reader 0", "Reader 1", "nowhere"),
    "label": ("2026年度", "old card", "x" * 500),
    "card_number": (CARD_NUMBER, "9392-0000-1234-5678", "1234"),
    "only": ("G01", "G02", "G04", "G14", "g04", "Ｇ０４", "動作確認エラー:G04", "G99"),
    "timeout": ("0.5", "1", "2", "0.01", "1e-9", "86400", "1e12", "１"),
    "report": ("report.html", "report.json", "report.txt", "folder/report.txt", "existing.txt"),
    "code": ("G01", "G04", "g04", "Ｇ０４", "動作確認エラー:G04", "動作確認エラー: G04", "G99"),
    "settings export file": ("export.json", "existing.txt", "folder/export.json"),
    "settings import file": ("export.json", "garbage.bin", "empty", "cert.pem", "message.txt"),
    "cert show file": ("cert.pem", "cert.der", "bundle.p12", "garbage.bin", "empty", "folder"),
    "url": (
        "https://example.com",
        "example.com",
        "https://例え.jp",
        "https://ＥＸＡＭＰＬＥ.com",
        "http://example.com",
        "https://example.com:8443/path",
        "https://[::1]:1",
    ),
    "valid_to": (
        "2026-03-31",
        "1900-01-01",
        "9998-12-31",
        "9999-12-31",
        "2026-02-29",
        "0001-01-01",
    ),
    "received": ("2026-01-15", "1900-01-01", "9998-12-31", "2030-01-01"),
    "first_use": ("2026-04-01", "9998-12-31", "1900-01-01"),
    "test_from": ("2026-03-01", "9998-12-31", "1900-01-01"),
    "valid_from": ("2025-04-01", "2030-01-01", "1900-01-01", "9999-12-31"),
    "kind": ("web", "ev", "email"),
    "cn": ("www.example.co.jp", "電子 花子", "*.example.jp", "a" * 70),
    "o": ("Example K.K.", "株式会社例", "Example (nickname)"),
    "ou": ("Sales", "営業部"),
    "l": ("Chiyoda-ku", "千代田区"),
    "st": ("Tokyo", "東京都"),
    "c": ("JP", "日本", "jp", "XX"),
    "san": ("www2.example.co.jp", "hanako@example.jp", "*.*.example"),
    "key_out": ("key.pem", "existing.txt", "folder/key.pem"),
    "out": ("out.pem", "signed.eml", "existing.txt", "folder/out.pem"),
    "message": ("message.txt", "sjis.txt", "missing.txt", "empty"),
    "vpcd": ("127.0.0.1:35963", "[::1]:1", "host:0", "host:65536", "host:", ":1"),
    "state": ("state.json", "new-state.json", "garbage.bin"),
    "card_number simulator": (CARD_NUMBER, "1234"),
    "holder": ("電子 花子", "Hanako", "x" * 300),
    "pin_tries_left": ("0", "1", "10", "11", "１", "²"),
    "unlock_tries_left": ("0", "3", "4"),
    "proxy_action": ("set", "clear"),
}

SETTINGS_VALUES: dict[str, tuple[str, ...]] = {
    "cards": (
        "[]",
        f'[{{"card_number": "{CARD_NUMBER}", "valid_from": "2025-04-01",'
        ' "valid_to": "2030-03-31", "label": "x"}]',
        '[{"card_number": NaN}]',
        "[1, 2]",
    ),
    "verification_method": ("ldap", "multitrust", "LDAP"),
    "ldap.url": (
        "ldap://127.0.0.1:1/o=x,c=JP",
        "ldap://repository.example.jp:389/o=Nippon Denshi Ninsho,c=JP",
        "ldaps://[::1]:636/o=x,c=JP",
        "ldap://user:pw@host/o=x",
        "ldap://host:99999/o=x",
    ),
    "ldap.connect_timeout": ("0.1", "3", "60", "61", "NaN", "Infinity", "1e999", "9" * 400),
    "ldap.receive_timeout": ("0.1", "5", "120", "0", "-1", "true"),
    "trust.anchor_files": ('["anchor.pem"]', "anchor.pem", '[""]', "[1]"),
    "urls.allowed": ('["https://example.com"]', "https://example.com", '["ftp://x"]'),
    "proxy.url": ("http://127.0.0.1:3128", "", "null", "http://user:pw@proxy:8080", "socks://x"),
    "language": ("ja", "en", "fr"),
    "readers.supported": ('["Virtual"]', "Virtual", "[]"),
}

STDIN_CHOICES: tuple[bytes, ...] = (
    b"",
    b"1234\n",
    b"1234",
    b"0000\n",
    b"1234\nAbcd99\n",
    b"12345678\nZz1234\n",
    b"12345678\nZz1234\nZz1234\n",
    b"passphrase1\npassphrase1\n",
    b"short\nshort\n",
    b"secret\n",
    b"proxy-password\n",
    b"yes\n1234\n",
    b"\xff\xfe\n",
    b"\xff\xfe\n\xff\xfe\n",
    b"12\xff4\n",
    "１２３４\n".encode(),
    b"\n\n\n",
    b"1234\r\n",
    b"x" * 100_000 + b"\n",
    b"\x00\x00\n",
)

TYPED_CHOICES: tuple[bytes, ...] = (
    b"1234",
    b"0000",
    b"Abcd99",
    b"12345678",
    b"yes",
    b"no",
    b"",
    b"\xff\xfe",
    "１２３４".encode(),
    b"passphrase1",
    b"x" * 10_000,
)

CARD_SCENARIOS = ("one", "one", "one", "none", "last_try", "blocked", "two", "mynumber")


def _value(rng: random.Random, command: Command, option: Option, chosen: dict[str, str]) -> str:
    """A value for `option`: mostly a good one, often a hostile one."""
    if rng.random() < 0.35:
        return rng.choice(HOSTILE)
    if option.choices:
        return rng.choice(option.choices)
    words = " ".join(command.words)
    if command.words == ("settings", "set") and option.dest == "value":
        return rng.choice(SETTINGS_VALUES.get(chosen.get("key", ""), ("x",)))
    for name in (f"{words} {option.dest}", f"{option.dest} {command.words[0]}", option.dest):
        if name in GOOD:
            return rng.choice(GOOD[name])
    return rng.choice(HOSTILE)


# --- cases ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ArgumentCase:
    argv: tuple[str, ...]
    stdin: bytes
    typed: tuple[bytes, ...]  # answers at the prompts, in order (the console is a terminal)
    terminal: bool  # stdin, stdout and stderr are a terminal (else redirected)
    cards: str  # one of CARD_SCENARIOS
    reader_leaves_after: int | None = None  # stdout is a pipe closed after so many bytes

    def __repr__(self) -> str:  # the argv first, the long values cut
        argv = [a if len(a) <= 80 else f"{a[:40]}…({len(a)} chars)" for a in self.argv]
        return (
            f"ArgumentCase(argv={argv!r}, stdin={self.stdin[:80]!r}, typed={self.typed!r}, "
            f"terminal={self.terminal}, cards={self.cards!r}, "
            f"reader_leaves_after={self.reader_leaves_after})"
        )


def _option_piece(
    rng: random.Random, command: Command, option: Option, chosen: dict[str, str]
) -> list[str]:
    """One option as it is typed: the flag, or the option and its values (or --opt=value)."""
    string = rng.choice(option.strings)
    if option.flag:
        return [string]
    count = 1
    if option.nargs in ("+", "*") and rng.random() < 0.3:
        count = rng.randint(0, 4)
    values = [_value(rng, command, option, chosen) for _ in range(count)]
    if option.nargs == "?" and rng.random() < 0.3:
        values = []
    if values:
        chosen[option.dest] = values[0]
    if len(values) == 1 and string.startswith("--") and rng.random() < 0.2:
        return [f"{string}={values[0]}"]
    return [string, *values]


def _command_line(rng: random.Random, command: Command) -> list[str]:
    chosen: dict[str, str] = {}
    pieces = [
        _option_piece(rng, command, option, chosen)
        for option in command.options
        if rng.random() < (0.9 if option.required else 0.35)
    ]
    positionals: list[str] = []
    for option in command.positionals:
        if rng.random() < 0.95:
            value = _value(rng, command, option, chosen)
            chosen[option.dest] = value
            positionals.append(value)
    rng.shuffle(pieces)
    argv = [*command.words]
    for piece in pieces:
        argv += piece
    if positionals and rng.random() < 0.2:
        argv.append("--")  # what follows is positional, even "-1"
    argv += positionals
    # The mistakes people make.
    if pieces and rng.random() < 0.1:
        argv += rng.choice(pieces)  # an option twice
    if rng.random() < 0.05:
        argv.insert(rng.randint(len(command.words), len(argv)), rng.choice(["--bogus", "-Z"]))
    if rng.random() < 0.05:
        argv.append(rng.choice(HOSTILE) or "extra")  # one positional too many
    if rng.random() < 0.03:
        argv.append("--help")
    # The options every command takes, before or after the command words.
    for common in (["--lang", rng.choice(["ja", "en", "fr", "\udcff"])], ["-v"], ["-vv"]):
        if rng.random() < 0.1:
            where = rng.choice([0, len(argv)])
            argv[where:where] = common
    if rng.random() < 0.05:
        argv.append("--traffic")
    return argv


def _has_command(argv: list[str], command: Command) -> bool:
    """argparse will find the command (a `--lang` that takes the command word as its value
    makes a usage error, never the window)."""
    return command.words[0] in argv


# --- the isolated world -----------------------------------------------------------------------


class StrictKeyring(MemoryKeyring):
    """In memory; refuses what the system keyrings cannot encode (they store UTF-8)."""

    def set_password(self, service: str, username: str, password: str) -> None:
        for text in (service, username, password):
            text.encode("utf-8")  # UnicodeEncodeError, as SecretService and WinVault raise
        super().set_password(service, username, password)


class _Pipe(io.BytesIO):
    """The bytes the reader of a pipe takes; after `reader_leaves_after` of them it has gone
    away (`ndnclient ... | head -c 100`), and a write is BrokenPipeError."""

    def __init__(self, data: bytes, reader_leaves_after: int | None) -> None:
        super().__init__(data)
        self.reader_leaves_after = reader_leaves_after

    def write(self, data: Any) -> int:
        limit = self.reader_leaves_after
        if limit is not None and self.tell() + len(data) > limit:
            raise BrokenPipeError(errno.EPIPE, "Broken pipe")
        return super().write(data)


class Terminal(io.TextIOWrapper):
    """A stream over bytes that says whether it is a terminal; strict about what it can
    encode, as a redirected stream is before `main` sets it up."""

    def __init__(
        self, data: bytes = b"", *, terminal: bool, reader_leaves_after: int | None = None
    ) -> None:
        super().__init__(_Pipe(data, reader_leaves_after), encoding="utf-8", errors="strict")
        self._terminal = terminal

    def isatty(self) -> bool:
        return self._terminal

    def text(self) -> str:
        raw = self.buffer
        assert isinstance(raw, _Pipe)
        with contextlib.suppress(BrokenPipeError):
            self.flush()
        raw.reader_leaves_after = None  # what is left may go now (when the stream closes)
        return raw.getvalue().decode("utf-8", "replace")


_LOOPBACK = {"127.0.0.1", "::1", "localhost"}


def _no_network(real: Callable[..., Any]) -> Callable[..., Any]:
    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        name = host.decode("ascii", "replace") if isinstance(host, bytes) else str(host)
        if name not in _LOOPBACK:
            raise socket.gaierror(socket.EAI_NONAME, "the fuzzer resolves loopback only")
        return real(host, *args, **kwargs)

    return getaddrinfo


class _StubBridge:
    """`simulator` builds its card, then would serve it to vpcd until Ctrl+C: not here."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.running = False
        self.error: Exception | None = None

    def start(self) -> None:
        return None

    def stop(self) -> None:
        return None


@dataclass
class World:
    template: Path
    root: Path
    ca: Any
    user_key: Any
    unexpected: list[BaseException] = field(default_factory=list)
    thread_errors: list[BaseException] = field(default_factory=list)
    keyring: StrictKeyring = field(default_factory=StrictKeyring)


class _CurrentStderr(logging.StreamHandler):  # type: ignore[type-arg]
    """Logging to whatever sys.stderr is now (each case has its own), as `main`'s
    basicConfig handler writes to the process's stderr."""

    def __init__(self) -> None:
        super().__init__()
        self.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))

    @property
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, _value: Any) -> None:
        pass


ENV_NAMES = (
    "NDNCLIENT_CONFIG_DIR",
    "NDNCLIENT_LOG_DIR",
    "NDNCLIENT_POLICY_FILE",
    "NDNCLIENT_READER",
    "HOME",
    "XDG_CONFIG_HOME",
    "XDG_DATA_HOME",
    "XDG_CACHE_HOME",
)


def _point_environment_at(folder: Path) -> None:
    os.environ["NDNCLIENT_CONFIG_DIR"] = str(folder / "config")
    os.environ["NDNCLIENT_LOG_DIR"] = str(folder / "log")
    os.environ["NDNCLIENT_POLICY_FILE"] = str(folder / "no-policy.toml")  # never created
    os.environ["HOME"] = str(folder / "home")
    os.environ["XDG_CONFIG_HOME"] = str(folder / "home" / ".config")
    os.environ["XDG_DATA_HOME"] = str(folder / "home" / ".local" / "share")
    os.environ["XDG_CACHE_HOME"] = str(folder / "home" / ".cache")
    os.environ.pop("NDNCLIENT_READER", None)


def _make_template(template: Path, ca: Any, user_key: Any) -> None:
    """The files every case starts from: settings that keep `check` on the loopback, and
    files for the commands that read some."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.serialization import pkcs12

    from ndnclient.settings.service import SettingsService
    from ndnclient.simulator.state import create_state, save_state

    for name in ("config", "log", "home", "work", "work/folder"):
        (template / name).mkdir(parents=True, exist_ok=True)
    _point_environment_at(template)
    service = SettingsService()
    service.set("ldap.url", f"ldap://127.0.0.1:{_closed_port()}/o=fuzz,c=JP")
    service.set("ldap.connect_timeout", 0.05)
    service.set("ldap.receive_timeout", 0.05)
    work = template / "work"
    service.export(work / "export.json")
    state = create_state(ca=ca, user_key=user_key, kdf_iterations=1000)
    save_state(state, work / "state.json")
    certificate = state.user_certificate()
    (work / "cert.pem").write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    (work / "cert.der").write_bytes(certificate.public_bytes(serialization.Encoding.DER))
    (work / "anchor.pem").write_bytes(ca.certificate.public_bytes(serialization.Encoding.PEM))
    bundle = pkcs12.serialize_key_and_certificates(
        b"fuzz",
        user_key,
        certificate,
        None,
        serialization.BestAvailableEncryption(b"secret"),
    )
    (work / "bundle.p12").write_bytes(bundle)
    (work / "garbage.bin").write_bytes(bytes(range(256)) * 4)
    (work / "empty").write_bytes(b"")
    (work / "existing.txt").write_text("already here\n", encoding="utf-8")
    (work / "message.txt").write_text("電子入札の書類です。\n", encoding="utf-8")
    (work / "sjis.txt").write_bytes("電子入札".encode("cp932"))
    # A device to write to, safely: written over, only the link would be replaced.
    (work / "null-link").symlink_to(os.devnull)


# --- the target -------------------------------------------------------------------------------


class ArgumentsTarget:
    """Every command of the parser with hostile arguments, stdin and prompts."""

    name = "arguments"
    examples_in_tests = 250

    def __init__(self) -> None:
        self._world: World | None = None

    @contextlib.contextmanager
    def session(self) -> Iterator[World]:
        from cryptography.hazmat.primitives.asymmetric import rsa

        import ndnclient.cli._parser as parser_module
        import ndnclient.simulator.vpcd as vpcd
        from ndnclient.simulator.testca import TestCA

        previous_keyring = keyring.get_keyring()
        real_getaddrinfo = socket.getaddrinfo
        real_bridge = vpcd.VpcdBridge
        real_gui = parser_module.cmd_gui
        real_excepthook = threading.excepthook
        root_logger = logging.getLogger()
        cli_logger = logging.getLogger("ndnclient.cli")
        previous_cli_level = cli_logger.level

        def no_gui(*_args: Any) -> int:
            raise AssertionError("the fuzzer must never start the window")

        with (
            saved_environment(ENV_NAMES),
            tempfile.TemporaryDirectory(prefix="ndnclient-fuzz-arguments-") as folder,
        ):
            root = Path(folder)
            ca = TestCA.generate()
            user_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
            world = World(template=root / "template", root=root, ca=ca, user_key=user_key)
            stderr_handler = _CurrentStderr()
            catcher = UnexpectedCatcher(world.unexpected)

            def excepthook(hook_args: threading.ExceptHookArgs) -> None:
                if hook_args.exc_value is not None:
                    world.thread_errors.append(hook_args.exc_value)

            try:
                socket.getaddrinfo = _no_network(real_getaddrinfo)
                keyring.set_keyring(world.keyring)
                vpcd.VpcdBridge = _StubBridge  # type: ignore[assignment,misc]
                parser_module.cmd_gui = no_gui  # type: ignore[assignment]
                threading.excepthook = excepthook
                # main's basicConfig then leaves logging as it is: to each case's stderr.
                root_logger.addHandler(stderr_handler)
                root_logger.addHandler(catcher)
                cli_logger.setLevel(logging.DEBUG)
                _make_template(world.template, ca, user_key)
                commands()  # the parser walked once, before the first case is timed
                self._world = world
                yield world
            finally:
                self._world = None
                root_logger.removeHandler(stderr_handler)
                root_logger.removeHandler(catcher)
                cli_logger.setLevel(previous_cli_level)
                threading.excepthook = real_excepthook
                parser_module.cmd_gui = real_gui
                vpcd.VpcdBridge = real_bridge  # type: ignore[misc]
                keyring.set_keyring(previous_keyring)
                socket.getaddrinfo = real_getaddrinfo

    def generate(self, rng: random.Random) -> ArgumentCase:
        command = rng.choice(commands())
        argv = _command_line(rng, command)
        while not _has_command(argv, command):  # (never: the words are always there)
            argv = _command_line(rng, command)
        stdin = rng.choice(STDIN_CHOICES) if rng.random() < 0.8 else rng.randbytes(16)
        typed = tuple(rng.choice(TYPED_CHOICES) for _ in range(rng.randint(0, 3)))
        return ArgumentCase(
            argv=tuple(argv),
            stdin=stdin,
            typed=typed,
            terminal=rng.random() < 0.4,
            cards=rng.choice(CARD_SCENARIOS),
            reader_leaves_after=rng.choice([0, 1, 100, 2000]) if rng.random() < 0.1 else None,
        )

    def run_one(self, case: ArgumentCase) -> None:
        world = self._world
        if world is None:
            raise RuntimeError("run_one outside session()")
        folder = Path(tempfile.mkdtemp(dir=world.root, prefix="case-"))
        try:
            shutil.copytree(world.template, folder, dirs_exist_ok=True, symlinks=True)
            _point_environment_at(folder)
            os.chdir(folder / "work")
            world.keyring.entries.clear()
            self._run(world, case)
        finally:
            os.chdir(world.root)
            shutil.rmtree(folder, ignore_errors=True)

    def _run(self, world: World, case: ArgumentCase) -> None:
        from ndnclient.cli import main

        backend, pin_commands = _backend(world, case.cards)
        out = Terminal(terminal=case.terminal, reader_leaves_after=case.reader_leaves_after)
        err = Terminal(terminal=case.terminal)
        stdin = Terminal(case.stdin, terminal=case.terminal)
        typed = list(case.typed)

        def fake_getpass(prompt: str = "Password: ", stream: Any = None) -> str:
            # What getpass does on a terminal: the prompt, then a line decoded strictly (a
            # UTF-8 terminal); Ctrl+D is EOFError.
            sys.stderr.write(prompt)
            if not typed:
                raise EOFError
            return typed.pop(0).decode("utf-8")

        world.unexpected.clear()
        world.thread_errors.clear()
        saved = (sys.stdin, sys.stdout, sys.stderr, getpass.getpass)
        sys.stdin, sys.stdout, sys.stderr = stdin, out, err
        getpass.getpass = fake_getpass
        code: int | str | None
        try:
            try:
                code = main(list(case.argv), backend_factory=lambda: backend)
            except SystemExit as exit_:  # argparse: --help, --version (0), bad usage (2)
                code = 0 if exit_.code is None else exit_.code
            except Exception as error:
                raise Escaped(f"main raised {type(error).__name__}") from error
        finally:
            sys.stdin, sys.stdout, sys.stderr, getpass.getpass = saved
        out.text()
        text = err.text()
        if world.unexpected:
            raise Escaped("unexpected error") from world.unexpected[0]
        if world.thread_errors:
            raise Escaped("a thread failed") from world.thread_errors[0]
        if code not in (0, 1, 2):
            raise Escaped() from AssertionError(f"exit status {code!r}")
        for sentence in _unexpected_sentences():
            if sentence in text:
                raise Escaped() from AssertionError(f"stderr says {sentence!r}: {text[-300:]}")
        if "Traceback (most recent call last)" in text or "--- Logging error ---" in text:
            raise Escaped() from AssertionError(f"a traceback on stderr: {text[-600:]}")
        if len(pin_commands) > 1:
            raise Escaped() from AssertionError(f"{len(pin_commands)} PIN commands were sent")


@cache
def _unexpected_sentences() -> tuple[str, ...]:
    """The start of "An unexpected error occurred (X)" in every language."""
    from ndnclient.messages import LANGUAGES, Messages

    marker = "\x00"
    return tuple(
        Messages(lang).text("cli.unexpected", error=marker).split(marker)[0] for lang in LANGUAGES
    )


def _backend(world: World, scenario: str) -> tuple[Any, list[bytes]]:
    """The virtual readers of a scenario, and the list the PIN-bearing commands sent to any
    of its cards are added to."""
    from ndnclient.simulator.card import VirtualGoSignCard
    from ndnclient.simulator.inprocess import VirtualReaderBackend, VirtualReaderSet
    from ndnclient.simulator.state import create_state

    sent: list[bytes] = []

    def card(**options: Any) -> VirtualGoSignCard:
        state = create_state(ca=world.ca, user_key=world.user_key, kdf_iterations=1000, **options)
        made = VirtualGoSignCard(state)
        original = made.process_apdu

        def spy(apdu: bytes | bytearray) -> bytes:
            if len(apdu) > 4 and apdu[1] in (0x20, 0x24, 0x2C):
                sent.append(bytes(apdu[:4]))  # the header only: never keep a PIN
            return original(apdu)

        made.process_apdu = spy  # type: ignore[method-assign]
        return made

    backend: Any
    if scenario == "two":
        backend = VirtualReaderSet(
            [(card(), "Reader 0"), (card(card_number=SECOND_CARD_NUMBER), "Reader 1")]
        )
    elif scenario == "none":
        backend = VirtualReaderBackend(card(), inserted=False)
    elif scenario == "last_try":
        backend = VirtualReaderBackend(card(pin_tries_left=1))
    elif scenario == "blocked":
        backend = VirtualReaderBackend(card(pin_tries_left=0))
    elif scenario == "mynumber":
        backend = VirtualReaderBackend(card(card_type="mynumber"))
    else:
        backend = VirtualReaderBackend(card())
    backend.close = lambda: None  # usable again by the next connection of the same command
    return backend, sent


TARGETS = [ArgumentsTarget()]
