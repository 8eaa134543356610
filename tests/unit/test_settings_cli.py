"""The settings, URL, renewal and card-registration commands (in-process virtual card)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import keyring
import pytest

from ndnclient import cli
from ndnclient.card.status import today_in_japan
from ndnclient.simulator.inprocess import VirtualReaderBackend
from tests.console import ScriptedConsole
from tests.keyrings_for_tests import failing_keyring

Capture = pytest.CaptureFixture[str]


def run(
    capsys: Capture,
    *args: str,
    card: VirtualReaderBackend | None = None,
    stdin: str | None = None,
) -> tuple[int, str, str]:
    """The command on `card` (a virtual one; None: the system's service, never reached by
    these commands) with `stdin` piped in."""
    code = cli.main(
        list(args),
        backend_factory=None if card is None else lambda: card,
        console=None if stdin is None else ScriptedConsole(stdin=stdin),
    )
    out = capsys.readouterr()
    return code, out.out, out.err


def test_a_garbage_settings_file_is_one_sentence_and_stays_on_disk(
    isolated_settings: Path, capsys: Capture
) -> None:
    isolated_settings.mkdir(parents=True)
    garbage = bytes(range(256)) * 20
    (isolated_settings / "settings.json").write_bytes(garbage)
    code, out, err = run(capsys, "settings", "show", "--json")
    assert code == 0
    assert err.count("\n") == 1
    assert "Traceback" not in err
    assert "設定ファイルが壊れていた" in err
    kept = list(isolated_settings.glob("settings.corrupt-*.json"))
    assert len(kept) == 1
    assert kept[0].read_bytes() == garbage
    assert str(kept[0]) in err
    assert json.loads(out)["settings"]["language"] == "ja"
    assert run(capsys, "settings", "show")[2] == ""  # told once, then quiet


def test_set_show_unset(capsys: Capture) -> None:
    code, out, _ = run(
        capsys, "settings", "set", "urls.allowed", '["https://A.example.jp/", "a.example.jp"]'
    )
    assert code == 0
    assert '["https://a.example.jp"]' in out
    shown = json.loads(run(capsys, "settings", "show", "--json")[1])
    assert shown["settings"]["urls.allowed"] == ["https://a.example.jp"]
    assert shown["sources"]["urls.allowed"] == "user"
    assert run(capsys, "settings", "set", "ldap.connect_timeout", "2")[0] == 0
    assert run(capsys, "settings", "unset", "ldap.connect_timeout")[0] == 0
    shown = json.loads(run(capsys, "settings", "show", "--json")[1])
    assert shown["settings"]["ldap.connect_timeout"] == 3


def test_a_bad_value_is_a_sentence(capsys: Capture) -> None:
    code, _, err = run(capsys, "settings", "set", "urls.allowed", '["http://x.jp"]')
    assert code == 1
    assert "https で始まっていません" in err
    with pytest.raises(SystemExit) as usage:
        cli.main(["settings", "set", "no.such", "1"])
    assert usage.value.code == 2


def test_language_from_the_settings(capsys: Capture) -> None:
    run(capsys, "settings", "set", "language", "en")
    code, out, _ = run(capsys, "urls", "list")
    assert code == 0
    assert "allowed URL list is empty" in out
    assert "許可URL" in run(capsys, "--lang", "ja", "urls", "list")[1]


def test_a_locked_value(
    capsys: Capture, isolated_settings: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    policy = isolated_settings.parent / "policy.toml"
    policy.write_text(
        'verification_method = "multitrust"\n[policy]\n'
        'locked = ["verification_method"]\ncontact = "IT 内線 99"\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("NDNCLIENT_POLICY_FILE", str(policy))
    code, _, err = run(capsys, "settings", "set", "verification_method", "ldap")
    assert code == 1
    assert "IT 内線 99" in err
    shown = json.loads(run(capsys, "settings", "show", "--json")[1])
    assert shown["sources"]["verification_method"] == "locked"


def test_urls_commands(capsys: Capture) -> None:
    assert "追加しました" in run(capsys, "urls", "add", "https://www.e-bisc.go.jp/")[1]
    assert "すでに" in run(capsys, "urls", "add", "www.e-bisc.go.jp")[1]
    listed = json.loads(run(capsys, "urls", "list", "--json")[1])
    assert listed == {"urls": ["https://www.e-bisc.go.jp"], "locked": False}
    assert run(capsys, "urls", "remove", "https://www.e-bisc.go.jp")[0] == 0
    assert run(capsys, "urls", "remove", "https://www.e-bisc.go.jp")[0] == 1
    assert run(capsys, "urls", "add", "https://x.jp/page")[0] == 1


def test_renewal_plan_the_faq_example(capsys: Capture) -> None:
    code, out, _ = run(capsys, "renewal", "plan", "--valid-to", "2021-04-30", "--json")
    plan = json.loads(out)
    assert code == 0
    assert plan["renewal_valid_from"] == "2021-04-01"
    assert (plan["remind_from"], plan["apply_by"]) == ("2021-03-30", "2021-03-30")
    assert plan["latest_delivery"] == "2021-04-13"
    code, out, _ = run(
        capsys, "renewal", "plan", "--valid-to", "2026-05-31", "--received", "2026-04-28", "--json"
    )
    assert json.loads(out)["latest_delivery"] == "2026-05-18"
    text = run(capsys, "renewal", "plan", "--valid-to", "2021-04-30")[1]
    assert "2021-04-01" in text
    assert "30日前" in text
    first = json.loads(
        run(
            capsys,
            "renewal",
            "plan",
            "--first-use",
            "2026-12-01",
            "--test-from",
            "2026-11-16",
            "--json",
        )[1]
    )
    assert first["recommended_valid_from"] == "2026-11-16"
    assert run(capsys, "renewal", "plan")[0] == 2  # no registered card, no --valid-to


def test_register_the_inserted_card_and_its_renewal(
    reader: Callable[..., VirtualReaderBackend], capsys: Capture
) -> None:
    today = today_in_japan()
    old_to = today + timedelta(days=10)  # today is inside the renewal's switching period
    card = reader(
        card_number="1111222233334444", valid_from=old_to - timedelta(days=730), valid_to=old_to
    )
    status = json.loads(run(capsys, "card", "status", "--json", card=card)[1])
    assert status["registered"] is False
    code, out, _ = run(capsys, "card", "register", "--label", "旧カード", card=card)
    assert code == 0
    assert "1111-2222-3333-4444" in out
    assert json.loads(run(capsys, "card", "status", "--json", card=card)[1])["registered"] is True
    plan = json.loads(run(capsys, "renewal", "plan", "--json")[1])
    assert plan["renewal_valid_from"] == (old_to - timedelta(days=29)).isoformat()

    renewed = reader(
        card_number="5555666677778888",
        valid_from=old_to - timedelta(days=29),
        valid_to=old_to + timedelta(days=730),
    )
    code, out, _ = run(capsys, "card", "register", card=renewed)
    assert code == 0
    assert "切替期間中" in out
    cards = json.loads(run(capsys, "settings", "show", "--json")[1])["settings"]["cards"]
    assert [c["card_number"] for c in cards] == ["1111222233334444", "5555666677778888"]
    assert cards[0]["label"] == "旧カード"
    code, _, err = run(capsys, "card", "unregister", "1111222233334444")
    assert code == 1
    assert "切替期間中" in err


def test_register_without_a_card(
    reader: Callable[..., VirtualReaderBackend], capsys: Capture
) -> None:
    card = reader()
    card.remove()
    code, _, err = run(capsys, "card", "register", card=card)
    assert code == 1
    assert "カードが入っていません" in err


def test_unregister(capsys: Capture) -> None:
    run(
        capsys,
        "settings",
        "set",
        "cards",
        '[{"card_number": "1111222233334444", "valid_from": "2020-01-01",'
        ' "valid_to": "2022-01-01"}]',
    )
    assert run(capsys, "card", "unregister", "1111-2222-3333-4444")[0] == 0
    code, _, err = run(capsys, "card", "unregister", "1111222233334444")
    assert code == 1
    assert "登録されていません" in err


def test_export_import(capsys: Capture, tmp_path: Path) -> None:
    run(capsys, "settings", "set", "language", "en")
    target = tmp_path / "export.json"
    assert run(capsys, "settings", "export", str(target))[0] == 0
    run(capsys, "settings", "set", "language", "ja")
    assert run(capsys, "settings", "import", str(target))[0] == 0
    assert json.loads(run(capsys, "settings", "show", "--json")[1])["settings"]["language"] == "en"
    (tmp_path / "junk.json").write_text("junk", encoding="utf-8")
    code, _, err = run(capsys, "settings", "import", str(tmp_path / "junk.json"))
    assert code == 1
    assert "settings" in err.lower()


def test_proxy_password_without_a_keyring(capsys: Capture, monkeypatch: pytest.MonkeyPatch) -> None:
    run(capsys, "settings", "set", "proxy.url", "http://proxy.example.lg.jp:8080")
    previous = keyring.get_keyring()
    keyring.set_keyring(failing_keyring())
    try:
        code, _, err = run(
            capsys, "settings", "proxy-password", "set", "--password-stdin", stdin="pw\n"
        )
        assert code == 1
        assert "資格情報マネージャー" in err
        assert "pw" not in err
        assert run(capsys, "settings", "show")[0] == 0  # everything else works
    finally:
        keyring.set_keyring(previous)


def test_the_real_program_says_one_sentence_about_a_garbage_file(isolated_settings: Path) -> None:
    # In its own process, as a user runs it: logging configured, nothing captured by pytest.
    isolated_settings.mkdir(parents=True)
    (isolated_settings / "settings.json").write_bytes(b"\x00garbage\xff" * 100)
    # A pipe, not a console: the child's stderr would use the ANSI code page (cp1252 on an
    # English Windows, where Japanese comes out as \u escapes). Ask for UTF-8 both ways.
    done = subprocess.run(
        [sys.executable, "-m", "ndnclient", "urls", "list"],
        capture_output=True,
        encoding="utf-8",
        timeout=60,
        check=False,
        env={
            **os.environ,
            "PYTHONPATH": str(Path(__file__).parents[2]),
            "PYTHONIOENCODING": "utf-8",
        },
    )
    assert done.returncode == 0
    assert done.stderr.count("\n") == 1, done.stderr
    assert "Traceback" not in done.stderr, done.stderr
    assert "設定ファイルが壊れていた" in done.stderr


def test_an_unusable_settings_folder_does_not_stop_a_command(
    capsys: Capture, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "afile").write_text("x", encoding="utf-8")  # a file where a folder should be
    monkeypatch.setenv("NDNCLIENT_CONFIG_DIR", str(tmp_path / "afile" / "ndnclient"))
    code, out, err = run(capsys, "renewal", "plan", "--valid-to", "2021-04-30", "--json")
    assert code == 0
    assert json.loads(out)["renewal_valid_from"] == "2021-04-01"
    code, _, err = run(capsys, "urls", "add", "https://a.jp")
    assert code == 1
    assert "Traceback" not in err


def test_a_date_out_of_range_is_bad_usage() -> None:
    with pytest.raises(SystemExit) as usage:
        cli.main(["renewal", "plan", "--valid-to", "0001-01-10"])
    assert usage.value.code == 2
