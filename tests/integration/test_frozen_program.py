"""The frozen program (installer/ndnclient.spec, one folder) as IT installs it, run against real
parts: the virtual card through real pcscd, a real slapd for the operation check, a real
Secret Service (gnome-keyring on its own D-Bus) for the keyring, and the window offscreen.

These tests run when the frozen folder exists: NDNCLIENT_FROZEN names it, else dist/ndnclient
(what scripts/build-frozen.sh makes; .ci/run builds it before the tests). Without a build they
are skipped, with the reason shown."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from jeepney import DBusAddress, new_method_call  # type: ignore[import-untyped]
from jeepney.io.blocking import open_dbus_connection  # type: ignore[import-untyped]
from keyring.backends import SecretService

import ndnclient
from tests.integration.support import ROOT, CliResult, PluggedCard, Setup, run_cli

pytestmark = pytest.mark.integration

FROZEN_ENV = "NDNCLIENT_FROZEN"
SUFFIX = ".exe" if sys.platform == "win32" else ""


@pytest.fixture(scope="module")
def frozen() -> Path:
    """The frozen folder; the tests fail if it is named but broken, and skip if never built."""
    named = os.environ.get(FROZEN_ENV)
    folder = Path(named) if named else ROOT / "dist" / "ndnclient"
    if not folder.exists():
        if named:
            pytest.fail(f"{FROZEN_ENV}={named}: no such folder")
        pytest.skip("no frozen build: run scripts/build-frozen.sh (or set NDNCLIENT_FROZEN)")
    for name in ("ndnclient", "ndnclient-gui"):
        assert (folder / f"{name}{SUFFIX}").is_file(), f"{name} missing from {folder}"
    return folder


def run_frozen(frozen: Path, *args: str, stdin: str | None = None) -> CliResult:
    # Nothing from the source tree may leak in: code or resources.
    environment = {"PYTHONPATH": "", "NDNCLIENT_RESOURCES": ""}
    return run_cli(
        *args, stdin=stdin, env=environment, program=[str(frozen / f"ndnclient{SUFFIX}")]
    )


def test_the_version_is_the_packages(frozen: Path) -> None:
    result = run_frozen(frozen, "--version")
    assert result.code == 0
    assert result.stdout.strip() == f"ndnclient {ndnclient.__version__}"


def test_card_status_reads_the_virtual_card_through_pcscd(
    frozen: Path, plug_card: Callable[..., PluggedCard]
) -> None:
    card = plug_card(pin_tries_left=7)
    result = run_frozen(frozen, "card", "status", "--json")
    assert result.code == 0, result.stderr
    status = result.json()
    assert status["card_type"] == "gosign"
    assert status["card_number"] == card.state.card_number
    assert status["holder"] == card.state.holder
    assert status["pin_tries_left"] == 7
    assert status["error"] is None
    assert card.pin_commands_received() == []  # reading the count spends nothing


def test_the_operation_check_passes_on_a_healthy_setup(
    frozen: Path, healthy: Callable[..., Setup]
) -> None:
    # Every check, the LDAP probe (ldap3) and the CRL check (cryptography) included.
    healthy()
    result = run_frozen(frozen, "check", "--json")
    assert result.code == 0, result.stdout + result.stderr
    document = result.json()
    assert {r["code"]: r["status"] for r in document["results"]} == {
        f"G{n:02d}": "ok" for n in range(1, 14)
    }
    assert document["system"]["frozen"] == "true"
    assert document["system"]["utf8_mode"] == "true"  # stdin and files in UTF-8, not cp932
    # The catalogue travelled with the program: titles are sentences, not keys.
    titles = {r["code"]: r["title"] for r in document["results"]}
    assert "LDAP" in titles["G04"]
    assert not titles["G04"].startswith("check.")


def test_texts_in_both_languages_are_bundled(frozen: Path) -> None:
    japanese = run_frozen(frozen, "explain", "G04")
    english = run_frozen(frozen, "explain", "G04", "--lang", "en")
    assert japanese.code == english.code == 0
    assert "確認コード:G04" in japanese.stdout  # explain is a reference, not a verdict
    assert "リポジトリ" in japanese.stdout
    assert "repository" in english.stdout.lower()
    assert japanese.stderr == english.stderr == ""  # no "message missing" warnings


def test_the_renewal_plan_knows_japanese_holidays(frozen: Path) -> None:
    # The holidays library loads its countries by name: the frozen program must have Japan's.
    # The same plan as the source tree's, for an expiry whose dates cross Golden Week.
    arguments = ("renewal", "plan", "--valid-to", "2027-05-20", "--json")
    frozen_plan = run_frozen(frozen, *arguments)
    source_plan = run_cli(*arguments)
    assert frozen_plan.code == source_plan.code == 0, frozen_plan.stderr
    assert frozen_plan.json() == source_plan.json()


@pytest.fixture
def secret_service(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A session D-Bus with gnome-keyring's Secret Service on it, unlocked, keeping its files
    in tmp_path (never the user's keyrings). The environment points every program at it."""
    for tool in ("dbus-daemon", "gnome-keyring-daemon"):
        if shutil.which(tool) is None:
            pytest.fail(f"{tool} is missing: scripts/setup.sh installs it")
    home = tmp_path / "home"
    (home / ".local" / "share").mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path))
    bus = subprocess.Popen(
        ["dbus-daemon", "--session", "--nofork", "--print-address=1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    daemon: subprocess.Popen[bytes] | None = None
    try:
        assert bus.stdout is not None
        monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", bus.stdout.readline().strip())
        daemon = subprocess.Popen(
            ["gnome-keyring-daemon", "--foreground", "--unlock", "--components=secrets"],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        assert daemon.stdin is not None
        daemon.stdin.write(b"test keyring password\n")  # a throwaway keyring's, not a user's
        daemon.stdin.close()
        # Wait until our unlocked daemon owns the name: asked earlier, D-Bus would start
        # a second daemon of its own, one without the password.
        deadline = time.monotonic() + 10
        while not _secrets_name_owned():
            if time.monotonic() > deadline:
                pytest.fail("gnome-keyring's Secret Service did not come up")
            time.sleep(0.1)
        yield
    finally:
        for process in (daemon, bus):
            if process is not None:
                process.terminate()
                process.wait(timeout=10)
                if process.stdout is not None:
                    process.stdout.close()


def _secrets_name_owned() -> bool:
    message = new_method_call(
        DBusAddress("/org/freedesktop/DBus", "org.freedesktop.DBus", "org.freedesktop.DBus"),
        "NameHasOwner",
        "s",
        ("org.freedesktop.secrets",),
    )
    with open_dbus_connection(bus="SESSION") as connection:
        return bool(connection.send_and_get_reply(message, timeout=5).body[0])


def test_the_keyring_backend_is_found_and_keeps_the_proxy_password(
    frozen: Path, secret_service: None
) -> None:
    # keyring finds its backends through package metadata (entry points); a frozen program
    # without that metadata would fall back to "no keyring" and lose the proxy password.
    shown = run_frozen(frozen, "settings", "show", "--json")
    assert shown.code == 0, shown.stderr
    assert shown.json()["keyring"] == {
        "backend": "keyring.backends.SecretService.Keyring",
        "usable": True,
    }
    proxy = "http://proxy.example.lg.jp:8080"
    assert run_frozen(frozen, "settings", "set", "proxy.url", proxy).code == 0
    stored = run_frozen(
        frozen, "settings", "proxy-password", "set", "--password-stdin", stdin="frozen-pw\n"
    )
    assert stored.code == 0, stored.stderr
    assert "frozen-pw" not in stored.stdout + stored.stderr
    # Read back from the real Secret Service by this (unfrozen) process.
    # (keyring's SecretService backend is untyped.)
    stored_here = SecretService.Keyring().get_password("ndnclient", f"proxy:{proxy}")  # type: ignore[no-untyped-call]
    assert stored_here == "frozen-pw"
    assert "frozen-pw" not in json.dumps(run_frozen(frozen, "settings", "show", "--json").json())


@pytest.mark.parametrize(
    "command",
    [("ndnclient",), ("ndnclient-gui",)],
    ids=["console-program-without-arguments", "windowed-program"],
)
def test_the_window_opens_offscreen_and_closes_cleanly(
    frozen: Path,
    plug_card: Callable[..., PluggedCard],
    command: tuple[str, ...],
    tmp_path: Path,
) -> None:
    card = plug_card()
    log_file = Path(os.environ["NDNCLIENT_LOG_DIR"]) / "ndnclient.log"
    environment = {
        **{k: v for k, v in os.environ.items() if k != "NDNCLIENT_READER"},
        "PYTHONPATH": "",
        "QT_QPA_PLATFORM": "offscreen",
    }
    stderr_file = tmp_path / "stderr.txt"
    with stderr_file.open("wb") as stderr:
        program = subprocess.Popen(
            [str(frozen / f"{command[0]}{SUFFIX}"), *command[1:]],
            env=environment,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )
        try:
            deadline = time.monotonic() + 30
            while not (log_file.exists() and "the window is up" in log_file.read_text()):
                assert program.poll() is None, stderr_file.read_text(errors="replace")
                assert time.monotonic() < deadline, "the window did not come up in 30 s"
                time.sleep(0.05)
            time.sleep(3)  # a few seconds up: the card is read, the pages are built
            assert program.poll() is None, "the program ended by itself"
            program.send_signal(signal.SIGTERM)
            code = program.wait(timeout=15)
        finally:
            if program.poll() is None:
                program.kill()
                program.wait()
    log = log_file.read_text(encoding="utf-8")
    errors = stderr_file.read_text(errors="replace")
    assert code == 0, errors
    assert "ndnclient closed" in log
    assert "Traceback" not in log + errors
    assert " ERROR " not in log, log
    assert " WARNING " not in log, log  # e.g. a missing translation
    assert card.pin_commands_received() == []


def test_the_ledger_with_its_excel_export_and_postgresql_driver_is_bundled(
    frozen: Path, tmp_path: Path
) -> None:
    lent = run_frozen(
        frozen, "ledger", "lend", "--card", "9392000012345678", "--user", "山田 花子",
        "--purpose", "入札書の提出",
    )  # fmt: skip
    assert lent.code == 0, lent.stderr
    sheet = tmp_path / "ledger.xlsx"
    exported = run_frozen(frozen, "ledger", "export", str(sheet))
    assert exported.code == 0, exported.stderr  # openpyxl is in the frozen program
    assert sheet.read_bytes()[:2] == b"PK"  # an xlsx is a zip
    assert run_frozen(frozen, "ledger", "verify").code == 0
    # A shared ledger on a server that is not there: psycopg loads, and says so in a sentence.
    assert (
        run_frozen(frozen, "settings", "set", "ledger.url", "postgresql://127.0.0.1:1/x").code == 0
    )
    shared = run_frozen(frozen, "ledger", "status")
    assert shared.code == 1
    assert "Traceback" not in shared.stderr
    assert "127.0.0.1" in shared.stderr
