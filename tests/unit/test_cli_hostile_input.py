"""Ordinary mistakes on the command line end in one sentence and exit 1 or 2, never in a
traceback or "unexpected error" (issue 12): undecodable bytes in arguments and on stdin, output
paths that name no file, numbers and JSON no setting or option can take, the end of input at a
prompt, and no screen for the window. `tests/fuzzing/arguments.py` looks for more."""

from __future__ import annotations

import io
import json
import logging
import os
import stat
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from ndnclient import cli
from ndnclient.cli._common import SystemConsole
from ndnclient.cli._parser import build_parser
from ndnclient.simulator.inprocess import VirtualReaderBackend
from ndnclient.ui import display_missing
from tests.console import ScriptedConsole

ROOT = Path(__file__).resolve().parents[2]
MakeReader = Callable[..., VirtualReaderBackend]
UNEXPECTED = ("予期しない", "unexpected")
posix_only = pytest.mark.skipif(sys.platform == "win32", reason="argv is text on Windows")


def program(*args: str | bytes, cwd: Path | None = None) -> subprocess.CompletedProcess[bytes]:
    """`python -m ndnclient ARGS` with its output to pipes (redirected, as a script has it)
    and the settings of the test (conftest points them at a temporary folder)."""
    return subprocess.run(
        [sys.executable, "-m", "ndnclient", *args],
        capture_output=True,
        timeout=60,
        check=False,
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


def one_sentence(err: str) -> None:
    assert "Traceback" not in err
    assert not any(word in err for word in UNEXPECTED), err
    assert err.strip().count("\n") == 0, err


class Streams:
    """stdout and stderr as a process has them when redirected: strict UTF-8 over bytes."""

    def __init__(self, *, terminal: bool = False) -> None:
        self.out = _Stream(terminal)
        self.err = _Stream(terminal)

    def text(self) -> tuple[str, str]:
        return self.out.text(), self.err.text()


class _Stream(io.TextIOWrapper):
    def __init__(self, terminal: bool) -> None:
        super().__init__(io.BytesIO(), encoding="utf-8", errors="strict")
        self.terminal = terminal

    def isatty(self) -> bool:
        return self.terminal

    def text(self) -> str:
        self.flush()
        buffer = self.buffer
        assert isinstance(buffer, io.BytesIO)
        return buffer.getvalue().decode("utf-8")


def redirect(monkeypatch: pytest.MonkeyPatch, *, terminal: bool = False) -> Streams:
    """stdout and stderr replaced for the rest of the test (in its body: pytest puts its own
    capture streams in place between the fixtures' set-up and the test)."""
    streams = Streams(terminal=terminal)
    monkeypatch.setattr(sys, "stdout", streams.out)
    monkeypatch.setattr(sys, "stderr", streams.err)
    return streams


def run(argv: list[str], **options: Any) -> int:
    try:
        return cli.main(argv, **options)
    except SystemExit as exit_:
        return exit_.code if isinstance(exit_.code, int) else 0


def pin_commands_sent(backend: VirtualReaderBackend) -> list[bytes]:
    sent: list[bytes] = []
    original = backend.card.process_apdu

    def spy(apdu: bytes | bytearray) -> bytes:
        if len(apdu) > 4 and apdu[1] in (0x20, 0x24, 0x2C):
            sent.append(bytes(apdu[:4]))
        return original(apdu)

    backend.card.process_apdu = spy  # type: ignore[method-assign]
    return sent


# --- 4. output that dies on the user's own file names -------------------------------------


@posix_only
def test_an_undecodable_argument_is_one_sentence_when_stderr_is_a_pipe() -> None:
    # `ndnclient urls remove $'\xff' 2>&1 | cat` ended in UnicodeEncodeError.
    done = program("urls", "remove", "\xff".encode("latin-1"))
    err = done.stderr.decode("utf-8")
    assert done.returncode == 2, err
    one_sentence(err)
    assert "\\xff" in err


@posix_only
def test_a_shift_jis_file_name_is_shown_in_its_sentence(tmp_path: Path) -> None:
    name = "設定.json".encode("cp932")  # not UTF-8: Python holds it as lone surrogates
    done = program("settings", "export", name, cwd=tmp_path)
    err = done.stderr.decode("utf-8")
    assert done.returncode == 0, err
    assert "\\udc" in done.stdout.decode("utf-8")  # the name as Python escapes it
    assert os.listdir(os.fsencode(tmp_path)) == [name]  # the file has the user's bytes


@posix_only
@pytest.mark.parametrize(
    "argv", [["settings", "show", "--json"], ["explain", "G04"], ["--help"], ["--version"]]
)
def test_a_reader_that_goes_away_ends_the_command_quietly(argv: list[str]) -> None:
    # `ndnclient settings show --json | head -0`: "unexpected error (BrokenPipeError)" and
    # two tracebacks before.
    read, write = os.pipe()
    os.close(read)
    try:
        done = subprocess.run(
            [sys.executable, "-m", "ndnclient", *argv],
            stdout=write,
            stderr=subprocess.PIPE,
            timeout=60,
            check=False,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
    finally:
        os.close(write)
    assert done.returncode == (0 if argv == ["--help"] else 1)  # argparse lets it pass
    assert done.stderr == b""


def test_a_terminal_shows_lone_surrogates_too(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # The console path: a terminal keeps its encoding, but no longer dies on a surrogate.
    streams = redirect(monkeypatch, terminal=True)
    monkeypatch.chdir(tmp_path)
    assert run(["settings", "export", "a\udcff.json"]) == 0
    out, err = streams.text()
    assert err == ""
    assert "a\\udcff.json" in out


@pytest.mark.parametrize(
    "argv",
    [
        ["urls", "add", "https://a\udcff.example.jp"],
        ["urls", "remove", "\udcff"],
        ["settings", "set", "readers.supported", "Reader \udc82\udca0"],
        ["card", "register", "--label", "\udc94\udc4e\udc93\udc78"],  # 年度 in Shift_JIS
    ],
)
def test_text_arguments_that_are_not_text_are_refused_before_anything_is_stored(
    argv: list[str], reader: MakeReader, monkeypatch: pytest.MonkeyPatch, isolated_settings: Path
) -> None:
    streams = redirect(monkeypatch)
    backend = reader()
    assert run(argv, backend_factory=lambda: backend) == 2
    _, err = streams.text()
    one_sentence(err)
    assert "UTF-8" in err
    assert not (isolated_settings / "settings.json").exists()  # nothing was saved


def test_a_json_escape_that_is_no_character_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    streams = redirect(monkeypatch)
    assert run(["settings", "set", "urls.allowed", '["https://a\\udcff.example.jp"]']) == 1
    one_sentence(streams.text()[1])


# --- 5. errors outside the hierarchy from ordinary mistakes ---------------------------------


@pytest.mark.parametrize(
    ("value", "sentence"),
    [
        ("1" + "0" * 5000, "大きすぎる数"),  # past Python's 4,300 digits: ValueError
        ("9" * 400, "大きすぎる数"),  # OverflowError in the seconds rule
        ("[" * 3000 + "]" * 3000, "入れ子が深すぎる"),  # RecursionError
        ("[" * 50 + "]" * 50, "入れ子が深すぎる"),  # parses, but no setting is that deep
    ],
)
@pytest.mark.parametrize("key", ["language", "ldap.connect_timeout", "urls.allowed"])
def test_settings_set_refuses_numbers_and_nesting_no_setting_can_hold(
    key: str, value: str, sentence: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    streams = redirect(monkeypatch)
    assert run(["settings", "set", key, value]) == 1
    err = streams.text()[1]
    one_sentence(err)
    assert sentence in err


OUTPUT_COMMANDS: dict[str, Callable[[str], list[str]]] = {
    "check --report": lambda path: ["check", "--report", path],
    "card probe --report": lambda path: ["card", "probe", "--report", path],
    "settings export": lambda path: ["settings", "export", path],
    "csr create --out": lambda path: [
        *("csr", "create", "--kind", "web", "--cn", "www.example.co.jp"),
        *("--o", "Example K.K.", "--key-out", "key.pem", "--out", path),
    ],
    "csr create --key-out": lambda path: [
        *("csr", "create", "--kind", "web", "--cn", "www.example.co.jp"),
        *("--o", "Example K.K.", "--key-out", path, "--out", "csr.pem"),
    ],
    "smime sign --out": lambda path: ["smime", "sign", "--in", "message.txt", "--out", path],
    "simulator --state": lambda path: ["simulator", "--state", path],
}


@pytest.mark.parametrize("command", sorted(OUTPUT_COMMANDS))
@pytest.mark.parametrize("path", ["", ".", "/", "folder", "n" * 300, "pipe"])
def test_every_output_path_is_checked_before_anything_is_done(
    command: str,
    path: str,
    reader: MakeReader,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # "pipe" stands for /dev/null or /dev/stdout, which a write (a new file renamed over
    # the old) replaced by a plain file: for an administrator, a broken system.
    if path == "pipe" and not hasattr(os, "mkfifo"):
        pytest.skip("no named pipes here")
    streams = redirect(monkeypatch)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "folder").mkdir()
    (tmp_path / "message.txt").write_text("電子入札\n", encoding="utf-8")
    if path == "pipe":
        os.mkfifo(tmp_path / "pipe")
    backend = reader()
    sent = pin_commands_sent(backend)
    console = ScriptedConsole(stdin="1234\n")
    argv = OUTPUT_COMMANDS[command](path)
    assert run(argv, backend_factory=lambda: backend, console=console) == 2
    out, err = streams.text()
    if path:
        one_sentence(err)
    else:  # no name at all: bad usage of the option, which argparse reports with the usage
        assert "Traceback" not in err
        assert "ファイルの名前が空です" in err, err
        assert "「.」" not in err  # not "「.」 is a folder": nothing named "." was given
    assert out == ""  # not a check run first, then the failure
    assert sent == []
    made = {"folder", "message.txt"} | ({"pipe"} if path == "pipe" else set())
    assert {p.name for p in tmp_path.iterdir()} == made
    if path == "pipe":
        assert stat.S_ISFIFO((tmp_path / "pipe").stat().st_mode)


def test_the_output_options_are_all_known() -> None:
    # A new option that writes a file must join OUTPUT_COMMANDS (and call check_output_file).
    parser = build_parser()
    writes = set()

    def walk(node: Any, words: tuple[str, ...]) -> None:
        for action in node._actions:
            if hasattr(action, "choices") and isinstance(action.choices, dict):
                for name, child in action.choices.items():
                    walk(child, (*words, name))
            elif action.dest in ("report", "out", "key_out", "state") or (
                words == ("settings", "export") and action.dest == "file"
            ):
                writes.add(" ".join((*words, *action.option_strings[-1:])))

    walk(parser, ())
    assert writes == set(OUTPUT_COMMANDS)


@pytest.mark.parametrize("value", ["nan", "NaN", "inf", "-inf", "-1", "0", "1e308", "86401"])
def test_check_timeout_takes_only_a_sensible_number_of_seconds(
    value: str, reader: MakeReader, monkeypatch: pytest.MonkeyPatch
) -> None:
    streams = redirect(monkeypatch)
    backend = reader()
    assert run(["check", f"--timeout={value}"], backend_factory=lambda: backend) == 2
    out, err = streams.text()
    one_sentence(err)
    assert "--timeout" in err
    assert out == ""


def test_an_option_given_as_dash_dash_is_its_value() -> None:
    # Python 3.11's argparse turned `--out=--` into an empty list (AttributeError later).
    args = build_parser().parse_args(
        ["csr", "create", "--kind", "web", "--cn", "x", "--o", "y", "--key-out=--", "--out=z"]
    )
    assert args.key_out == Path("--")
    assert build_parser().parse_args(["card", "register", "--label=--"]).label == "--"
    # A positional too: the second "--" is a value (json.loads got a list: TypeError).
    assert build_parser().parse_args(["settings", "set", "--", "language", "--"]).value == "--"
    assert build_parser().parse_args(["settings", "set", "--", "language", "en"]).value == "en"


# --- secrets that are not text, input that ends ---------------------------------------------


def strict_stdin(data: bytes) -> io.TextIOWrapper:
    return io.TextIOWrapper(io.BytesIO(data), encoding="utf-8", errors="strict")


def test_pin_stdin_bytes_that_are_not_utf8_send_nothing(
    reader: MakeReader, monkeypatch: pytest.MonkeyPatch
) -> None:
    streams = redirect(monkeypatch)
    # The real console: main makes stdin hand the bytes over, the PIN format refuses them.
    monkeypatch.setattr(sys, "stdin", strict_stdin(b"\xff\xfe\n"))
    backend = reader()
    sent = pin_commands_sent(backend)
    assert run(["pin", "verify", "--pin-stdin"], backend_factory=lambda: backend) == 1
    one_sentence(streams.text()[1].splitlines()[-1])
    assert "Traceback" not in streams.text()[1]
    assert sent == []
    assert backend.card.state.pin_tries_left == 10


class StrictConsole(ScriptedConsole):
    """A console whose stdin is strict about UTF-8 (a stream main could not set up)."""

    def __init__(self, data: bytes) -> None:
        super().__init__()
        self._strict = strict_stdin(data)

    @property
    def stdin(self) -> Any:
        return self._strict


@pytest.mark.parametrize(
    "argv",
    [
        ["pin", "verify", "--pin-stdin"],
        ["settings", "proxy-password", "set", "--password-stdin"],
        [
            *("csr", "create", "--kind", "web", "--cn", "www.example.co.jp", "--o", "Example"),
            *("--l", "Chiyoda-ku", "--st", "Tokyo", "--key-out", "k.pem", "--out", "c.pem"),
            *("--passphrase-stdin", "--o-is-legal-name"),
        ],
    ],
)
def test_stdin_that_is_not_utf8_is_one_sentence(
    argv: list[str],
    reader: MakeReader,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    streams = redirect(monkeypatch)
    monkeypatch.chdir(tmp_path)
    assert run(["settings", "set", "proxy.url", "http://proxy.example.jp:8080"]) == 0
    backend = reader()
    sent = pin_commands_sent(backend)
    console = StrictConsole(b"\xff\xfe\n\xff\xfe\n")
    assert run(argv, backend_factory=lambda: backend, console=console) == 1
    err = streams.text()[1]
    assert "Traceback" not in err
    assert not any(word in err for word in UNEXPECTED), err
    assert "読めない" in err
    assert sent == []
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("secret", ["\udcff\udcfe", "パス\udc82フレーズ"])
def test_a_pass_phrase_or_password_that_is_not_text_is_refused(
    secret: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    streams = redirect(monkeypatch)
    # What main's stdin hands over for bytes that are not UTF-8: never encoded, never stored.
    monkeypatch.chdir(tmp_path)
    console = ScriptedConsole(stdin=f"{secret}\n{secret}\n")
    argv = [
        *("csr", "create", "--kind", "web", "--cn", "www.example.co.jp", "--o", "Example"),
        *("--l", "Chiyoda-ku", "--st", "Tokyo", "--key-out", "k.pem", "--out", "c.pem"),
        *("--passphrase-stdin", "--o-is-legal-name"),
    ]
    assert run(argv, console=console) == 1
    assert "読めない" in streams.text()[1]
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize(
    ("failure", "sentence"),
    [
        (UnicodeDecodeError("utf-8", b"\xff", 0, 1, "invalid start byte"), "読めない"),
        (EOFError(), "入力が途中で終わった"),
    ],
)
def test_a_prompt_that_gets_no_text_sends_nothing(
    failure: BaseException,
    sentence: str,
    reader: MakeReader,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    streams = redirect(monkeypatch)

    # getpass decodes the terminal's bytes strictly; Ctrl+D is EOFError.
    def getpass(prompt: str = "", stream: Any = None) -> str:
        raise failure

    monkeypatch.setattr("getpass.getpass", getpass)
    monkeypatch.setattr(SystemConsole, "interactive", lambda self: True)
    backend = reader()
    sent = pin_commands_sent(backend)
    assert run(["pin", "verify", "--json"], backend_factory=lambda: backend) == 1
    out, err = streams.text()
    assert sentence in err
    assert not any(word in err for word in UNEXPECTED), err
    assert json.loads(out)["error"]["kind"] in ("InputNotTextError", "InputEndedError")
    assert sent == []


def test_the_end_of_input_at_the_last_try_question_sends_nothing(
    reader: MakeReader, monkeypatch: pytest.MonkeyPatch
) -> None:
    streams = redirect(monkeypatch)
    monkeypatch.setattr(sys, "stdin", strict_stdin(b""))  # input() meets the end: EOFError
    monkeypatch.setattr(SystemConsole, "interactive", lambda self: True)
    backend = reader(pin_tries_left=1)
    sent = pin_commands_sent(backend)
    assert run(["pin", "verify"], backend_factory=lambda: backend) == 1
    assert "入力が途中で終わった" in streams.text()[1]
    assert sent == []


def test_a_users_mistake_is_not_logged_as_unexpected(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    redirect(monkeypatch)
    # The debug log's "unexpected error" (with its traceback) is kept for real surprises.
    with caplog.at_level(logging.DEBUG, logger="ndnclient.cli"):
        assert run(["settings", "set", "language", "fr"]) == 1
    assert not [r for r in caplog.records if r.getMessage() == "unexpected error"]


# --- 7. no screen for the window --------------------------------------------------------------


@pytest.mark.parametrize(
    ("environ", "platform", "missing"),
    [
        ({}, "linux", True),
        ({"DISPLAY": ""}, "linux", True),
        ({"DISPLAY": ":0"}, "linux", False),
        ({"WAYLAND_DISPLAY": "wayland-0"}, "linux", False),
        ({"QT_QPA_PLATFORM": "offscreen"}, "linux", False),
        ({}, "freebsd14", True),
        ({}, "win32", False),
        ({}, "darwin", False),
    ],
)
def test_display_missing(environ: dict[str, str], platform: str, missing: bool) -> None:
    assert display_missing(environ, platform) is missing


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="X11/Wayland only")
@pytest.mark.parametrize("argv", [[], ["gui"], ["--lang", "en"], ["gui", "--demo"]])
def test_no_display_is_one_sentence_not_a_qt_abort(argv: list[str]) -> None:
    environment = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")
    }
    done = subprocess.run(
        [sys.executable, "-m", "ndnclient", *argv],
        capture_output=True,
        timeout=60,
        check=False,
        env={**environment, "PYTHONPATH": str(ROOT)},
    )
    err = done.stderr.decode("utf-8")
    assert done.returncode == 1, err  # Qt aborted with 134
    one_sentence(err)
    assert "ndnclient card status" in err
    assert ("screen" in err) if "--lang" in argv else ("画面" in err)
