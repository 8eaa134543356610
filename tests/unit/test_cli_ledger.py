"""`ndnclient ledger` on the in-process virtual card: lend, a PIN verify that the PIN gate
records as exactly one `use` entry, return, the chain's check (and a changed byte in the
SQLite file found and named), the IT policy that refuses a card not lent out before anything
is sent, and a PIN that never reaches the database file."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from ndnclient import cli
from ndnclient.card import pin_events
from ndnclient.cli.ledger import due_argument
from ndnclient.simulator.inprocess import VirtualReaderBackend
from ndnclient.simulator.state import DEFAULT_CARD_NUMBER
from tests.console import ScriptedConsole

MakeReader = Callable[..., VirtualReaderBackend]
CARD = DEFAULT_CARD_NUMBER
CANARY_PIN = "Qz7CanaryPin9"  # the virtual card's PIN here: searched for in the files


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "data"
    monkeypatch.setenv("NDNCLIENT_DATA_DIR", str(folder))
    monkeypatch.setenv("NDNCLIENT_CONFIG_DIR", str(tmp_path / "config"))
    return folder


def run(
    capsys: pytest.CaptureFixture[str],
    *args: str,
    backend: VirtualReaderBackend | None = None,
    stdin: str = "",
) -> tuple[int, str, str]:
    try:
        code = cli.main(
            list(args),
            backend_factory=(lambda: backend) if backend is not None else None,
            console=ScriptedConsole(stdin=stdin),
        )
    except SystemExit as usage:  # argparse's refusal of an argument
        code = int(usage.code or 0)
    out = capsys.readouterr()
    return code, out.out, out.err


def entries(capsys: pytest.CaptureFixture[str], *options: str) -> list[dict[str, Any]]:
    code, out, _ = run(capsys, "ledger", "list", "--json", *options)
    assert code == 0
    listed: list[dict[str, Any]] = json.loads(out)["entries"]
    return listed


def pin_commands_sent(backend: VirtualReaderBackend) -> list[bytes]:
    """Every PIN-bearing command (VERIFY, CHANGE, RESET RETRY with data) the card receives."""
    seen: list[bytes] = []
    original = backend.card.process_apdu

    def spy(apdu: bytes | bytearray) -> bytes:
        if apdu[1] in (0x20, 0x24, 0x2C) and len(apdu) > 4:  # a header and data
            seen.append(bytes(apdu))
        return original(apdu)

    backend.card.process_apdu = spy  # type: ignore[method-assign]
    return seen


def test_lend_verify_return_verify_the_done_when_flow(
    reader: MakeReader, capsys: pytest.CaptureFixture[str], data_dir: Path
) -> None:
    backend = reader(pin=CANARY_PIN.encode())
    code, out, err = run(
        capsys,
        "ledger", "lend", "--card", "9392-0000-1234-5678", "--user", "田中 花子",
        "--purpose", "電子入札（第12号）", "--to", "財務課", "--approver", "佐藤",
        "--due", "2099-12-01 17:00",
    )  # fmt: skip
    assert (code, err) == (0, "")
    assert "9392-0000-1234-5678" in out
    code, _, _ = run(
        capsys, "pin", "verify", "--pin-stdin", backend=backend, stdin=f"{CANARY_PIN}\n"
    )
    assert code == 0

    listed = entries(capsys)
    assert [entry["kind"] for entry in listed] == ["lend", "use"]
    lend, use = listed
    assert (lend["user"], lend["purpose"], lend["destination"], lend["approver"]) == (
        "田中 花子",
        "電子入札（第12号）",
        "財務課",
        "佐藤",
    )
    assert lend["due"] == "2099-12-01T17:00:00+09:00"
    assert use["card_number"] == CARD
    assert (use["operation"], use["result"], use["tries_left"]) == ("pin_verify", "ok", 10)
    assert use["lending_id"] == lend["id"]
    assert use["pc"]
    assert use["os_user"]
    assert set(use) >= {
        "id", "kind", "time", "card_number", "user", "purpose", "destination", "approver",
        "operation", "result", "pc", "os_user", "refers_to", "hash",
    }  # fmt: skip

    code, out, err = run(capsys, "ledger", "return", "--card", CARD, "--note", "異常なし")
    assert (code, err) == (0, "")
    code, out, _ = run(capsys, "ledger", "verify", "--json")
    assert code == 0
    assert json.loads(out) == {
        "intact": True,
        "entries": 3,
        "first_broken": None,
        "head": entries(capsys)[-1]["hash"],
    }
    assert pin_events._observers == ()  # main removed its hooks when the command ended


def test_a_wrong_pin_and_a_use_without_lending_are_recorded_as_such(
    reader: MakeReader, capsys: pytest.CaptureFixture[str], data_dir: Path
) -> None:
    backend = reader(pin=CANARY_PIN.encode())
    code, _, _ = run(capsys, "pin", "verify", "--pin-stdin", backend=backend, stdin="0000\n")
    assert code == 1
    (use,) = entries(capsys, "--kind", "use")
    assert (use["result"], use["tries_left"], use["lending_id"]) == ("wrong", 9, None)
    code, out, _ = run(capsys, "ledger", "list")
    assert "貸出なし" in out
    assert "PIN誤り" in out


def test_changing_one_byte_of_an_entry_in_the_file_is_found_and_named(
    reader: MakeReader, capsys: pytest.CaptureFixture[str], data_dir: Path
) -> None:
    backend = reader(pin=CANARY_PIN.encode())
    run(capsys, "ledger", "lend", "--card", CARD, "--user", "田中", "--purpose", "入札")
    run(capsys, "pin", "verify", "--pin-stdin", backend=backend, stdin=f"{CANARY_PIN}\n")
    run(capsys, "ledger", "return", "--card", CARD)
    assert run(capsys, "ledger", "verify")[0] == 0

    database = sqlite3.connect(data_dir / "ledger.sqlite3")
    with database:
        (body,) = database.execute("SELECT body FROM entries WHERE id = 2").fetchone()
        changed = body.replace('"tries_left":10', '"tries_left":11')
        assert changed != body
        database.execute("UPDATE entries SET body = ? WHERE id = 2", (changed,))
    database.close()

    code, out, _ = run(capsys, "ledger", "verify", "--json")
    assert code == 1
    document = json.loads(out)
    assert (document["intact"], document["first_broken"]) == (False, 2)
    code, _, err = run(capsys, "ledger", "verify")
    assert code == 1
    assert "No.2" in err


def test_require_lending_refuses_a_card_not_lent_and_sends_nothing(
    reader: MakeReader,
    capsys: pytest.CaptureFixture[str],
    data_dir: Path,
    isolated_settings: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    policy = isolated_settings.parent / "ledger-policy.toml"
    policy.write_text('"ledger.require_lending" = true\n', encoding="utf-8")
    monkeypatch.setenv("NDNCLIENT_POLICY_FILE", str(policy))
    backend = reader(pin=CANARY_PIN.encode(), pin_tries_left=7)
    sent = pin_commands_sent(backend)

    code, _, err = run(
        capsys, "pin", "verify", "--pin-stdin", backend=backend, stdin=f"{CANARY_PIN}\n"
    )
    assert code == 1
    assert "貸し出されていない" in err
    assert sent == []
    assert backend.card.state.pin_tries_left == 7

    # Lent out, the same command goes through, and is recorded under the lending.
    run(capsys, "ledger", "lend", "--card", CARD, "--user", "田中", "--purpose", "入札")
    code, _, _ = run(
        capsys, "pin", "verify", "--pin-stdin", backend=backend, stdin=f"{CANARY_PIN}\n"
    )
    assert code == 0
    assert len(sent) == 1
    uses = entries(capsys, "--kind", "use")
    assert [(use["result"], use["lending_id"]) for use in uses] == [("ok", 1)]


def test_pin_change_and_unlock_write_one_use_each_and_no_secret_reaches_the_file(
    reader: MakeReader, capsys: pytest.CaptureFixture[str], data_dir: Path
) -> None:
    backend = reader(pin=CANARY_PIN.encode(), unlock_code=b"80917263")
    new_pin = "Nw5CanaryNewPin"
    code, _, err = run(
        capsys,
        "pin", "change", "--pin-stdin",
        backend=backend, stdin=f"{CANARY_PIN}\n{new_pin}\n{new_pin}\n",
    )  # fmt: skip
    assert code == 0, err
    code, _, err = run(
        capsys,
        "pin", "unlock", "--pin-stdin",
        backend=backend, stdin=f"80917263\n{CANARY_PIN}\n{CANARY_PIN}\n",
    )  # fmt: skip
    assert code == 0, err
    uses = entries(capsys, "--kind", "use")
    assert [(use["operation"], use["result"]) for use in uses] == [
        ("pin_change", "ok"),
        ("pin_unlock", "ok"),
    ]
    files = sorted(data_dir.iterdir())  # the ledger, its WAL, the outbox ...
    assert data_dir / "ledger.sqlite3" in files
    for path in files:
        raw = path.read_bytes()
        for secret in (CANARY_PIN, new_pin, "80917263"):
            assert secret.encode() not in raw, (path.name, secret)
            assert secret.encode("utf-16-le") not in raw, (path.name, secret)


def test_export_writes_the_sheet_and_refuses_another_format(
    capsys: pytest.CaptureFixture[str], data_dir: Path, tmp_path: Path
) -> None:
    run(capsys, "ledger", "lend", "--card", CARD, "--user", "田中", "--purpose", "入札")
    target = tmp_path / "貸出管理簿.xlsx"
    code, out, err = run(capsys, "ledger", "export", str(target), "--from", "2000/1/1")
    assert (code, err) == (0, "")
    assert target.stat().st_size > 0
    assert "1 件" in out
    csv_target = tmp_path / "ledger.csv"
    assert run(capsys, "ledger", "export", str(csv_target))[0] == 0
    assert csv_target.read_bytes().startswith(b"\xef\xbb\xbf")
    code, _, err = run(capsys, "ledger", "export", str(tmp_path / "ledger.pdf"))
    assert code == 2
    assert ".xlsx" in err


def test_lending_twice_is_refused_with_a_sentence(
    capsys: pytest.CaptureFixture[str], data_dir: Path
) -> None:
    assert (
        run(capsys, "ledger", "lend", "--card", CARD, "--user", "田中", "--purpose", "入札")[0] == 0
    )
    code, _, err = run(capsys, "ledger", "lend", "--card", CARD, "--user", "鈴木", "--purpose", "x")
    assert code == 1
    assert "田中" in err
    code, _, err = run(capsys, "ledger", "return", "--card", "9200000099990001")
    assert code == 1
    assert "返却は記録できません" in err


def test_status_lists_registered_cards_held_or_lent(
    reader: MakeReader, capsys: pytest.CaptureFixture[str], data_dir: Path
) -> None:
    backend = reader()
    assert run(capsys, "card", "register", backend=backend)[0] == 0
    code, out, _ = run(capsys, "ledger", "status")
    assert code == 0
    assert "9392-0000-1234-5678  保管中" in out
    run(capsys, "ledger", "lend", "--card", CARD, "--user", "田中", "--purpose", "入札",
        "--due", "2099-01-01")  # fmt: skip
    code, out, _ = run(capsys, "ledger", "status", "--json")
    assert code == 0
    (card,) = json.loads(out)["cards"]
    assert (card["card_number"], card["state"], card["user"], card["overdue"]) == (
        CARD,
        "lent",
        "田中",
        False,
    )
    assert card["due"] == "2099-01-01T23:59:00+09:00"
    assert json.loads(out)["pending"] == 0


def test_list_filters_by_period_card_and_kind(
    capsys: pytest.CaptureFixture[str], data_dir: Path
) -> None:
    run(capsys, "ledger", "lend", "--card", CARD, "--user", "田中", "--purpose", "入札")
    run(capsys, "ledger", "return", "--card", CARD)
    assert [entry["kind"] for entry in entries(capsys, "--kind", "return")] == ["return"]
    assert entries(capsys, "--card", "9200-0000-9999-0001") == []
    assert entries(capsys, "--to", "2001-01-01") == []
    code, _, err = run(capsys, "ledger", "list", "--from", "2026-12-02", "--to", "2026-12-01")
    assert code == 2
    assert "--from" in err


def test_correct_adds_a_correction_and_keeps_the_original(
    capsys: pytest.CaptureFixture[str], data_dir: Path
) -> None:
    run(capsys, "ledger", "lend", "--card", CARD, "--user", "田中", "--purpose", "入札")
    code, _, err = run(
        capsys, "ledger", "correct", "1", "--reason", "宛先の書き漏れ", "--to", "財務課"
    )
    assert (code, err) == (0, "")
    lend, correction = entries(capsys)
    assert lend["destination"] is None
    assert (correction["kind"], correction["refers_to"]) == ("correction", 1)
    assert correction["fields"] == {"destination": "財務課"}
    code, _, err = run(capsys, "ledger", "correct", "1", "--reason", "x")
    assert code == 2
    assert "--user" in err


@pytest.mark.parametrize(
    ("text", "japan"),
    [
        ("2026-12-01 17:00", datetime(2026, 12, 1, 8, 0, tzinfo=UTC)),
        ("R8.12.1 9:30", datetime(2026, 12, 1, 0, 30, tzinfo=UTC)),
        ("令和8年12月1日17時", datetime(2026, 12, 1, 8, 0, tzinfo=UTC)),
        ("2026/12/1", datetime(2026, 12, 1, 14, 59, tzinfo=UTC)),
    ],
)
def test_due_takes_a_date_and_an_optional_time_in_japan(text: str, japan: datetime) -> None:
    assert due_argument(text) == japan


def test_due_refuses_a_time_that_is_not_one(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(
        capsys, "ledger", "lend", "--card", CARD, "--user", "a", "--purpose", "b",
        "--due", "2026-12-01 25:00",
    )  # fmt: skip
    assert code == 2
    assert "時刻" in err


def test_an_smime_signature_writes_one_use_with_the_sha256_of_the_message_only(
    reader: MakeReader, capsys: pytest.CaptureFixture[str], data_dir: Path, tmp_path: Path
) -> None:
    from ndnclient.pki.smime import text_entity

    backend = reader(pin=CANARY_PIN.encode())
    message = tmp_path / "message.txt"
    text = "入札書を送ります。秘密の本文 8f3a"
    message.write_text(text, encoding="utf-8")
    argv = ["smime", "sign", "--in", str(message), "--out", str(tmp_path / "signed.eml")]
    code, _, err = run(capsys, *argv, "--pin-stdin", backend=backend, stdin=f"{CANARY_PIN}\n")
    assert code == 0, err
    (use,) = entries(capsys, "--kind", "use")
    assert (use["operation"], use["result"]) == ("sign_smime", "ok")
    assert use["data_sha256"] == hashlib.sha256(text_entity(text)).hexdigest()
    raw = (data_dir / "ledger.sqlite3").read_bytes()
    wal = data_dir / "ledger.sqlite3-wal"
    raw += wal.read_bytes() if wal.exists() else b""
    assert "秘密の本文".encode() not in raw
    assert CANARY_PIN.encode() not in raw


def test_the_signature_test_g14_writes_one_use(
    reader: MakeReader, capsys: pytest.CaptureFixture[str], data_dir: Path
) -> None:
    backend = reader(pin=CANARY_PIN.encode())
    argv = ["check", "--sign-test", "--only", "G14", "--pin-stdin"]
    code, _, err = run(capsys, *argv, backend=backend, stdin=f"{CANARY_PIN}\n")
    assert code == 0, err
    (use,) = entries(capsys, "--kind", "use")
    assert (use["operation"], use["result"], use["card_number"]) == ("sign_g14", "ok", CARD)
    assert len(use["data_sha256"]) == 64  # the random challenge's hash, never the challenge
