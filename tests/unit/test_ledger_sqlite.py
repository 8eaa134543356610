"""The ledger on SQLite (ndnclient/ledger/sqlite_store.py) and its rules (service.py):
tampering with the file, kill -9 while writing, two processes lending one card, the outbox,
and no secret in the file."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from ndnclient.ledger.chain import Row, canonical, iso_utc, seal
from ndnclient.ledger.entries import Entry, LedgerError
from ndnclient.ledger.service import Ledger, lending_required, open_ledger
from ndnclient.ledger.sqlite_store import SqliteStore
from ndnclient.ledger.store import LedgerTransaction, LedgerUnavailableError
from ndnclient.messages import Messages
from ndnclient.settings.errors import InvalidValueError
from ndnclient.settings.keys import normalize

CARD = "9200000099990001"
OTHER = "9200000099990002"
REPO = Path(__file__).resolve().parents[2]
T0 = datetime(2025, 4, 1, 0, 30, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.moment = T0

    def __call__(self) -> datetime:
        self.moment += timedelta(seconds=1)
        return self.moment


@pytest.fixture
def ledger(tmp_path: Path) -> Iterator[Ledger]:
    opened = Ledger(
        SqliteStore(tmp_path / "ledger.sqlite3"),
        outbox=SqliteStore(tmp_path / "outbox.sqlite3"),
        pc="PC-01",
        os_user="yamada",
        now=Clock(),
    )
    yield opened
    opened.close()


def fill(ledger: Ledger) -> None:
    """Six entries of every kind, Japanese text included."""
    lend = ledger.lend(CARD, user="山田 花子", purpose="入札書の提出", destination="県電子入札")
    ledger.record_use(CARD, operation="pin_verify", result="ok", tries_left=3)
    ledger.record_use(CARD, operation="sign_g14", result="ok", data_sha256="ab" * 32)
    ledger.correct(lend.id, reason="名前の誤り", user="山田 華子")
    ledger.return_card(CARD, note="引き出しに戻した")
    ledger.record_use(OTHER, operation="pin_change", result="wrong", tries_left=2)


def sql(path: Path, *statements: str, values: tuple[Any, ...] = ()) -> None:
    """Edits the file behind the program's back, as someone with the file would."""
    connection = sqlite3.connect(path, isolation_level=None)
    for statement in statements:
        connection.execute(statement, values if "?" in statement else ())
    connection.close()


def rows(path: Path) -> list[tuple[Any, ...]]:
    connection = sqlite3.connect(path)
    found = connection.execute("SELECT * FROM entries ORDER BY id").fetchall()
    connection.close()
    return found


def verify_file(path: Path) -> int | None:
    store = SqliteStore(path)
    try:
        return Ledger(store).verify().first_broken
    finally:
        store.close()


# --- the rules ---------------------------------------------------------------------------


def test_lend_use_return_and_the_lending_in_force(ledger: Ledger) -> None:
    unlent = ledger.record_use(CARD, operation="pin_verify", result="ok", tries_left=3)
    assert unlent is not None
    assert unlent.lending_id is None
    lend = ledger.lend("9200-0000-9999-0001", user="山田", purpose="入札", approver="課長")
    use = ledger.record_use(CARD, operation="sign_g14", result="ok", data_sha256="00" * 32)
    assert use is not None
    assert use.lending_id == lend.id
    assert use.pc == "PC-01"
    back = ledger.return_card(CARD, note="返却")
    assert back.refers_to == lend.id
    assert [e.kind for e in ledger.store.entries()] == ["use", "lend", "use", "return"]
    assert ledger.verify().intact


def test_refusals_are_one_sentence_naming_who_and_since(ledger: Ledger) -> None:
    ledger.lend(CARD, user="山田 花子", purpose="入札")
    with pytest.raises(LedgerError) as refused:
        ledger.lend(CARD, user="佐藤", purpose="契約")
    assert refused.value.message_key == "ledger.already_lent"
    sentence = Messages("ja").describe(refused.value)
    assert "山田 花子" in sentence
    assert "2025-04-01 09:30" in sentence
    assert sentence.count("。") == 2
    assert "9200-0000-9999-0001" in sentence
    with pytest.raises(LedgerError, match=r"ledger\.not_lent"):
        ledger.return_card(OTHER)
    for user, purpose, key in (
        (" ", "x", "ledger.user_required"),
        ("x", "", "ledger.purpose_required"),
    ):
        with pytest.raises(LedgerError) as refused:
            ledger.lend(OTHER, user=user, purpose=purpose)
        assert refused.value.message_key == key
    with pytest.raises(LedgerError, match="bad_card_number"):
        ledger.lend("1234", user="x", purpose="y")
    for key in ("already_lent", "not_lent", "unavailable", "due_past", "pin_refused_not_lent"):
        assert Messages("ja").has(f"ledger.{key}")
        assert Messages("en").has(f"ledger.{key}")


def test_overdue_and_corrections_show_in_the_status(ledger: Ledger) -> None:
    lend = ledger.lend(CARD, user="山田", purpose="入札", due=T0 + timedelta(hours=1))
    states = {state.card_number: state for state in ledger.status([CARD, OTHER])}
    assert states[CARD].lent
    assert not states[CARD].overdue
    assert not states[OTHER].lent
    ledger.correct(lend.id, reason="期限の延長", due=T0 - timedelta(hours=1), user="山田 花子")
    state = ledger.status([CARD])[0]
    assert state.overdue
    assert state.lending is not None
    assert state.lending.user == "山田 花子"
    with pytest.raises(LedgerError, match="bad_field"):
        ledger.correct(lend.id, reason="x", card_number=OTHER)
    with pytest.raises(LedgerError, match="reason_required"):
        ledger.correct(lend.id, reason=" ", user="x")


# --- tampering with the file -------------------------------------------------------------


def test_a_changed_character_anywhere_in_a_stored_entry_names_it(tmp_path: Path) -> None:
    path = tmp_path / "ledger.sqlite3"
    filled = Ledger(SqliteStore(path), now=Clock(), pc="PC", os_user="u")
    fill(filled)
    filled.close()
    assert verify_file(path) is None
    columns = ("kind", "time", "card_number", "body", "prev_hash", "hash")
    chooser = random.Random(15)  # noqa: S311 - positions to tamper with, not secrets
    checked = 0
    for row in rows(path):
        entry_id = row[0]
        for column, original in zip(columns, row[1:], strict=True):
            positions = (
                range(len(original))
                if column != "body" or entry_id == 4
                else (chooser.sample(range(len(original)), 25))
            )
            for position in positions:
                changed = (
                    original[:position]
                    + ("x" if original[position] != "x" else "y")
                    + original[position + 1 :]
                )
                sql(
                    path,
                    f"UPDATE entries SET {column} = ? WHERE id = {entry_id}",  # noqa: S608
                    values=(changed,),
                )
                assert verify_file(path) == entry_id, (column, position, changed)
                checked += 1
            sql(
                path,
                f"UPDATE entries SET {column} = ? WHERE id = {entry_id}",  # noqa: S608
                values=(original,),
            )
    assert checked > 1000
    assert verify_file(path) is None


def test_deleted_inserted_and_reordered_rows_are_named(tmp_path: Path) -> None:
    path = tmp_path / "ledger.sqlite3"
    filled = Ledger(SqliteStore(path), now=Clock())
    fill(filled)
    head = filled.verify().head
    filled.close()
    original = rows(path)
    restore = ("DELETE FROM entries",)

    def put_back() -> None:
        sql(path, *restore)
        for row in original:
            sql(path, "INSERT INTO entries VALUES (?, ?, ?, ?, ?, ?, ?)", values=row)
        assert verify_file(path) is None

    sql(path, "DELETE FROM entries WHERE id = 3")
    assert verify_file(path) == 4
    put_back()
    sql(path, "DELETE FROM entries WHERE id = 1")
    assert verify_file(path) == 2
    put_back()
    # Removing the newest entry keeps a valid chain; the head hash on a stamped export
    # shows it: the head changes.
    sql(path, "DELETE FROM entries WHERE id = 6")
    store = SqliteStore(path)
    assert Ledger(store).verify().head != head
    store.close()
    put_back()

    # Inserted: a correctly sealed forgery at position 3, the later rows moved down one.
    previous = Entry(kind="use", time=T0, card_number=CARD, hash=original[1][6])
    forged = seal(Entry(kind="use", time=T0, card_number=CARD, result="ok"), previous, 3)
    sql(
        path,
        "UPDATE entries SET id = -id WHERE id >= 3",
        "UPDATE entries SET id = 1 - id WHERE id < 0",
    )
    sql(
        path,
        "INSERT INTO entries VALUES (?, ?, ?, ?, ?, ?, ?)",
        values=(
            3,
            "use",
            iso_utc(T0),
            CARD,
            canonical(forged).decode(),
            forged.prev_hash,
            forged.hash,
        ),
    )
    assert [row[0] for row in rows(path)] == list(range(1, 8))
    assert verify_file(path) == 4
    put_back()

    # Reordered: rows 2 and 4 swap places (their ids stay where they were).
    second, fourth = original[1], original[3]
    sql(path, "DELETE FROM entries WHERE id IN (2, 4)")
    sql(path, "INSERT INTO entries VALUES (?, ?, ?, ?, ?, ?, ?)", values=(2, *fourth[1:]))
    sql(path, "INSERT INTO entries VALUES (?, ?, ?, ?, ?, ?, ?)", values=(4, *second[1:]))
    assert verify_file(path) == 2


# --- durability and concurrency ------------------------------------------------------------

_WRITER = """
import sys
from ndnclient.ledger.service import Ledger
from ndnclient.ledger.sqlite_store import SqliteStore
ledger = Ledger(SqliteStore(sys.argv[1]), pc="PC", os_user="u")
card = "9200000099990001"
number = 0
if ledger.status([card])[0].lent:
    number = 2  # killed while lent: go on with a use and the return
while True:
    number += 1
    if number % 3 == 1:
        entry = ledger.lend(card, user="山田" * 20, purpose="入札" * 50)
    elif number % 3 == 2:
        entry = ledger.record_use(card, operation="pin_verify", result="ok", tries_left=3)
    else:
        entry = ledger.return_card(card, note="戻し")
    print(entry.id, flush=True)
"""


def child_env(tmp_path: Path) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(REPO), "NDNCLIENT_DATA_DIR": str(tmp_path / "data")}


def test_kill_9_while_appending_loses_nothing_committed(tmp_path: Path) -> None:
    path = tmp_path / "ledger.sqlite3"
    chooser = random.Random(9)  # noqa: S311 - kill moments, not secrets
    committed = 0
    for _ in range(20):
        child = subprocess.Popen(
            [sys.executable, "-c", _WRITER, str(path)],
            stdout=subprocess.PIPE,
            env=child_env(tmp_path),
            text=True,
        )
        try:
            assert child.stdout is not None
            first = child.stdout.readline()
            assert first, "the writer did not start"
            time.sleep(chooser.uniform(0, 0.15))
            child.send_signal(signal.SIGKILL)
            reported = [int(first), *(int(line) for line in child.stdout if line.strip())]
        finally:
            child.kill()  # no-op once dead; a failed assertion leaves no writer behind
            child.wait()
            if child.stdout is not None:
                child.stdout.close()
        assert child.returncode == -signal.SIGKILL
        committed = max(committed, *reported)
        store = SqliteStore(path)
        result = Ledger(store).verify()
        store.close()
        assert result.intact, result
        assert result.entries >= committed  # every reported commit survived
    assert committed > 20


_LENDER = """
import sys, time
from pathlib import Path
from ndnclient.ledger.entries import LedgerError
from ndnclient.ledger.service import Ledger
from ndnclient.ledger.sqlite_store import SqliteStore
ledger = Ledger(SqliteStore(sys.argv[1]), pc=sys.argv[3], os_user="u")
go = Path(sys.argv[2])
while not go.exists():
    time.sleep(0.001)
try:
    ledger.lend("9200000099990001", user=sys.argv[3], purpose="入札")
    print("lent", flush=True)
except LedgerError as error:
    print(error.message_key, error.params["user"], flush=True)
"""


def test_two_processes_lending_one_card_exactly_one_wins(tmp_path: Path) -> None:
    path = tmp_path / "ledger.sqlite3"
    SqliteStore(path).close()
    for round_ in range(5):
        go = tmp_path / f"go{round_}"
        children = [
            subprocess.Popen(
                [sys.executable, "-c", _LENDER, str(path), str(go), name],
                stdout=subprocess.PIPE,
                env=child_env(tmp_path),
                text=True,
            )
            for name in ("PC-A", "PC-B")
        ]
        time.sleep(1.0)  # both imported and waiting
        go.touch()
        try:
            answers = sorted(child.communicate(timeout=60)[0].strip() for child in children)
        finally:
            for child in children:
                child.kill()
                child.wait()
        assert answers[1] == "lent", answers
        assert answers[0].startswith("ledger.already_lent PC-"), answers
        store = SqliteStore(path)
        Ledger(store).return_card("9200000099990001")
        assert Ledger(store).verify().intact
        store.close()


def test_commits_are_durable_wal_and_synchronous_full(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "ledger.sqlite3")
    connection = store._connection
    assert connection.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    assert connection.execute("PRAGMA synchronous").fetchone() == (2,)  # FULL
    store.close()


# --- the outbox ----------------------------------------------------------------------------


class BrokenStore:
    """A store whose server went away."""

    def transaction(self) -> AbstractContextManager[LedgerTransaction]:
        raise LedgerUnavailableError("connection refused")

    def entries(self, **_: Any) -> list[Entry]:
        raise LedgerUnavailableError("connection refused")

    def all_entries(self) -> Iterator[Entry]:
        raise LedgerUnavailableError("connection refused")

    def all_rows(self) -> Iterator[Row]:
        raise LedgerUnavailableError("connection refused")

    def close(self) -> None:
        pass


def test_record_use_never_raises_and_waits_in_the_outbox(tmp_path: Path) -> None:
    outbox = SqliteStore(tmp_path / "outbox.sqlite3")
    away = Ledger(BrokenStore(), outbox=outbox, now=Clock(), pc="PC", os_user="u")
    kept = away.record_use(CARD, operation="pin_verify", result="wrong", tries_left=2)
    assert kept is not None
    assert kept.result == "wrong"
    away.record_use(CARD, operation="sign_smime", result="ok", data_sha256="cd" * 32)
    assert away.pending() == 2
    with pytest.raises(LedgerError, match="unavailable"):
        away.lend(CARD, user="x", purpose="y")

    server = SqliteStore(tmp_path / "server.sqlite3")
    back = Ledger(server, outbox=outbox, now=Clock(), pc="PC", os_user="u")
    assert back.flush_outbox() == 2
    assert back.pending() == 0
    assert back.flush_outbox() == 0  # sent once only
    sent = server.entries(kind="use")
    assert [(e.operation, e.result) for e in sent] == [
        ("pin_verify", "wrong"),
        ("sign_smime", "ok"),
    ]
    assert back.verify().intact

    nowhere = Ledger(BrokenStore(), outbox=None)
    assert nowhere.record_use(CARD, operation="pin_verify", result="ok") is None
    both_gone = Ledger(BrokenStore(), outbox=BrokenStore())  # type: ignore[arg-type]
    assert both_gone.record_use(CARD, operation="pin_verify", result="ok") is None


def test_a_locked_file_sends_the_use_to_the_outbox_and_it_follows_later(tmp_path: Path) -> None:
    path = tmp_path / "ledger.sqlite3"
    store = SqliteStore(path, busy_timeout=0.1)
    ledger = Ledger(store, outbox=SqliteStore(tmp_path / "outbox.sqlite3"), now=Clock())
    lend = ledger.lend(CARD, user="山田", purpose="入札")
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another program holds the writer's lock
    assert ledger.record_use(CARD, operation="pin_verify", result="ok") is not None
    assert ledger.pending() == 1
    other.execute("ROLLBACK")
    other.close()
    assert ledger.flush_outbox() == 1
    use = store.entries(kind="use")[0]
    assert use.lending_id == lend.id  # the lending in force when the PIN was sent
    assert ledger.verify().intact


def test_a_flush_interrupted_after_the_commit_does_not_send_twice(tmp_path: Path) -> None:
    outbox = SqliteStore(tmp_path / "outbox.sqlite3")
    Ledger(BrokenStore(), outbox=outbox, now=Clock()).record_use(
        CARD, operation="pin_unlock", result="ok"
    )
    waiting = outbox.entries()[0]
    server = SqliteStore(tmp_path / "server.sqlite3")
    with server.transaction() as transaction:  # sent, but the outbox never heard of it
        transaction.append(replace(waiting, id=0, prev_hash="", hash=""))
    ledger = Ledger(server, outbox=outbox)
    assert ledger.flush_outbox() == 1
    assert ledger.pending() == 0
    assert len(server.entries()) == 1


# --- secrets, settings, the data folder -----------------------------------------------------

CANARY_PIN = "7319CANARY"


def test_a_canary_pin_never_reaches_the_file(tmp_path: Path) -> None:
    ledger = Ledger(
        SqliteStore(tmp_path / "ledger.sqlite3"), outbox=SqliteStore(tmp_path / "o.sqlite3")
    )
    ledger.lend(CARD, user="山田", purpose="入札")
    # The flow a front end runs: the PIN goes to the card, only the outcome to the ledger.
    pin = bytearray(CANARY_PIN.encode())
    ledger.record_use(CARD, operation="pin_verify", result="ok", tries_left=3)
    with pytest.raises(TypeError):
        ledger.record_use(CARD, operation="pin_verify", result="ok", pin=pin)  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        Entry(kind="use", time=T0, card_number=CARD, pin=CANARY_PIN)  # type: ignore[call-arg]
    ledger.return_card(CARD)
    ledger.close()
    stored = b"".join(path.read_bytes() for path in tmp_path.iterdir())
    assert b"9200000099990001" in stored  # the files are read as they are
    assert CANARY_PIN.encode() not in stored
    assert CANARY_PIN.encode("utf-16-le") not in stored


def test_settings_keys_for_the_ledger() -> None:
    assert normalize("ledger.url", "postgres://ledger@db.example.lg.jp/ndn") == (
        "postgresql://ledger@db.example.lg.jp/ndn"
    )
    assert normalize("ledger.url", "") is None
    for bad in ("https://db/ndn", "postgresql://db", "postgresql:///ndn"):
        with pytest.raises(InvalidValueError, match="ledger_url"):
            normalize("ledger.url", bad)
    with pytest.raises(InvalidValueError) as refused:
        normalize("ledger.url", "postgresql://u:s3cret@db/ndn")
    assert "s3cret" not in str(refused.value)
    assert "s3cret" not in repr(refused.value.params)
    assert normalize("ledger.require_lending", "true") is True

    assert lending_required(SimpleNamespace(values={"ledger.require_lending": True}))
    assert not lending_required(SimpleNamespace(values={}))


def test_open_ledger_uses_the_data_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NDNCLIENT_DATA_DIR", str(tmp_path / "data"))

    ledger = open_ledger(SimpleNamespace(values={"ledger.url": None}))
    ledger.lend(CARD, user="山田", purpose="入札")
    ledger.close()
    assert (tmp_path / "data" / "ledger.sqlite3").is_file()
    assert rows(tmp_path / "data" / "ledger.sqlite3")[0][1] == "lend"
