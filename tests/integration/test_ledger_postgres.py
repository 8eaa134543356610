"""The shared lending ledger on a real PostgreSQL server (a private cluster started here, see
postgres.py): the whole flow, two processes lending one card at once, the server going away
mid-session and coming back, a row changed on the server, and the password file. These tests
do not use the smart-card service."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest

from ndnclient.ledger.entries import Entry, LedgerError
from ndnclient.ledger.postgres_store import PostgresLedgerError, PostgresStore
from ndnclient.ledger.service import Ledger
from ndnclient.ledger.sqlite_store import SqliteStore
from ndnclient.ledger.store import SCHEMA_VERSION
from ndnclient.messages import Messages
from tests.integration.postgres import PostgresCluster, postgres_cluster
from tests.integration.support import ROOT

__all__ = ["postgres_cluster"]  # the fixture, used by name below

CARD = "9200000099990001"
OTHER_CARD = "9200000099990002"


@pytest.fixture
def database(postgres_cluster: PostgresCluster) -> str:
    """A new, empty database on the private cluster; its URL (no password)."""
    return postgres_cluster.fresh_database()


@pytest.fixture
def ledger(database: str, tmp_path: Path) -> Iterator[Ledger]:
    opened = Ledger(
        PostgresStore(database, connect_timeout=2, statement_timeout=5),
        outbox=SqliteStore(tmp_path / "outbox.sqlite3"),
        pc="PC-01",
        os_user="tanaka",
    )
    yield opened
    opened.close()


def server_rows(cluster: PostgresCluster, url: str) -> list[tuple[object, ...]]:
    with cluster.connect(url) as connection:
        return connection.execute(
            "SELECT id, kind, card_number FROM entries ORDER BY id"
        ).fetchall()


def test_lend_use_list_return_verify(
    ledger: Ledger, postgres_cluster: PostgresCluster, database: str
) -> None:
    due = datetime.now(UTC) + timedelta(hours=2)
    lend = ledger.lend(
        CARD, user="山田 花子", purpose="入札書の提出", destination="県庁", approver="課長", due=due
    )
    use = ledger.record_use(CARD, operation="pin_verify", result="ok", tries_left=10)
    assert use is not None
    assert use.lending_id == lend.id
    listed = ledger.store.entries(card_number=CARD)
    assert [(e.id, e.kind) for e in listed] == [(1, "lend"), (2, "use")]
    assert listed[0].user == "山田 花子"
    assert listed[0].due == due
    ledger.return_card(CARD, note="返却しました")
    assert ledger.store.entries(kind="return")[0].refers_to == lend.id
    this_hour = datetime.now(UTC) - timedelta(hours=1)
    assert len(ledger.store.entries(start=this_hour, end=this_hour + timedelta(hours=2))) == 3
    assert ledger.store.entries(start=datetime.now(UTC) + timedelta(hours=1)) == []

    result = ledger.verify()
    assert result.intact
    assert result.entries == 3
    assert result.first_broken is None
    assert result.head == ledger.store.entries()[-1].hash
    # On the server itself, not in the local outbox.
    assert server_rows(postgres_cluster, database) == [
        (1, "lend", CARD),
        (2, "use", CARD),
        (3, "return", CARD),
    ]
    assert ledger.pending() == 0


def test_schema_made_once_with_its_version(ledger: Ledger, database: str) -> None:
    ledger.lend(CARD, user="山田", purpose="入札")
    second = PostgresStore(database, connect_timeout=2)  # another PC on the same server
    try:
        assert len(second.entries()) == 1
    finally:
        second.close()
    with psycopg.connect(database, connect_timeout=5) as connection:
        versions = connection.execute("SELECT version FROM schema_version").fetchall()
    assert versions == [(SCHEMA_VERSION,)]


def test_a_newer_schema_is_refused(database: str) -> None:
    with psycopg.connect(database, connect_timeout=5, autocommit=True) as connection:
        connection.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
        connection.execute("INSERT INTO schema_version VALUES (%s)", (SCHEMA_VERSION + 1,))
    store = PostgresStore(database, connect_timeout=2)
    with pytest.raises(LedgerError) as caught:
        store.entries()
    assert caught.value.message_key == "ledger.postgres.newer_schema"


_LEND_SCRIPT = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from ndnclient.ledger.entries import Entry, LedgerError
    from ndnclient.ledger.postgres_store import PostgresStore
    from ndnclient.ledger.service import Ledger

    url, user, go = sys.argv[1], sys.argv[2], Path(sys.argv[3])
    ledger = Ledger(PostgresStore(url, connect_timeout=2), pc=user, os_user=user)
    ledger.status([])  # connected and the schema ready before the start signal
    print("ready", flush=True)
    while not go.exists():
        time.sleep(0.001)
    try:
        ledger.lend(CARD, user=user, purpose="入札")
    except LedgerError as error:
        print(error.message_key, error.params.get("user"), flush=True)
    else:
        print("lent", flush=True)
    """
).replace("CARD", repr(CARD))


@pytest.mark.parametrize("round_", range(3))
def test_two_processes_lend_one_card_at_once(
    database: str, tmp_path: Path, postgres_cluster: PostgresCluster, round_: int
) -> None:
    go = tmp_path / f"go{round_}"
    environment = {**os.environ, "PYTHONPATH": str(ROOT)}
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", _LEND_SCRIPT, database, user, str(go)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=environment,
        )
        for user in ("佐藤", "鈴木")
    ]
    try:
        for process in processes:
            assert process.stdout is not None
            assert process.stdout.readline().strip() == "ready", process.stderr
        go.touch()
        outcomes = [process.communicate(timeout=30) for process in processes]
    finally:
        for process in processes:
            process.kill()
    answers = sorted(out.strip() for out, _ in outcomes)
    winners = [a for a in answers if a == "lent"]
    losers = [a for a in answers if a.startswith("ledger.already_lent")]
    assert (len(winners), len(losers)) == (1, 1), (answers, [err for _, err in outcomes])
    # The loser is told who has the card: the winner, whose lending is the one stored.
    winner = losers[0].split()[1]
    assert server_rows(postgres_cluster, database) == [(1, "lend", CARD)]
    reader = PostgresStore(database, connect_timeout=2)
    try:
        assert reader.entries()[0].user == winner
    finally:
        reader.close()


def _lend_outcome(ledger: Ledger, user: str) -> str:
    try:
        ledger.lend(CARD, user=user, purpose="入札")
    except LedgerError as error:
        return error.message_key
    return "lent"


def test_a_second_writer_waits_for_the_first(database: str) -> None:
    """Deterministic where the race above is not: while one PC's transaction holds the
    writer's lock, another PC's lending waits, then sees the first lending and is refused."""
    first = PostgresStore(database, connect_timeout=2)
    second = Ledger(PostgresStore(database, connect_timeout=2), pc="PC-02", os_user="suzuki")
    second.status([])  # connected, the schema made
    outcome: list[str] = []
    waiting = threading.Thread(target=lambda: outcome.append(_lend_outcome(second, "鈴木")))
    try:
        with first.transaction() as transaction:
            waiting.start()
            waiting.join(0.5)
            assert waiting.is_alive()  # blocked on the lock, not racing ahead
            transaction.append(
                Entry(
                    kind="lend",
                    time=datetime.now(UTC),
                    card_number=CARD,
                    user="佐藤",
                    purpose="入札",
                )
            )
        waiting.join(10)
        assert outcome == ["ledger.already_lent"]
    finally:
        waiting.join(10)
        first.close()
        second.close()


def test_waiting_for_the_lock_is_bounded(database: str) -> None:
    holder = PostgresStore(database, connect_timeout=2)
    impatient = PostgresStore(database, connect_timeout=2, statement_timeout=1)
    impatient.entries()  # connected
    try:
        with holder.transaction():
            started = time.monotonic()
            with pytest.raises(PostgresLedgerError) as caught, impatient.transaction():
                pass
            assert time.monotonic() - started < 5
        assert caught.value.message_key == "ledger.postgres.timeout"
        with impatient.transaction() as transaction:  # usable again once the lock is free
            assert transaction.head() is None
    finally:
        holder.close()
        impatient.close()


def test_server_away_mid_session_then_back(
    ledger: Ledger, postgres_cluster: PostgresCluster, database: str
) -> None:
    lend = ledger.lend(CARD, user="山田", purpose="入札")
    with postgres_cluster.stopped():
        started = time.monotonic()
        kept = ledger.record_use(CARD, operation="sign_g14", result="ok", data_sha256="ab" * 32)
        assert time.monotonic() - started < 10  # bounded, not a hang
        assert kept is not None  # kept locally, no exception
        assert ledger.pending() == 1
        with pytest.raises(LedgerError):  # a lending needs the server: refused in words
            ledger.lend(OTHER_CARD, user="佐藤", purpose="入札")
        assert ledger.flush_outbox() == 0  # still away: nothing sent, nothing lost
        assert ledger.pending() == 1
    assert ledger.flush_outbox() == 1
    assert ledger.pending() == 0
    rows = server_rows(postgres_cluster, database)
    assert rows == [(1, "lend", CARD), (2, "use", CARD)]
    sent = ledger.store.entries(kind="use")[0]
    assert sent.lending_id == lend.id
    assert sent.data_sha256 == "ab" * 32
    assert ledger.flush_outbox() == 0  # not sent twice
    ledger.return_card(CARD)
    result = ledger.verify()
    assert result.intact
    assert result.entries == 3


def test_a_connection_cut_while_idle_is_replaced(
    ledger: Ledger, postgres_cluster: PostgresCluster
) -> None:
    ledger.lend(CARD, user="山田", purpose="入札")
    postgres_cluster.stop()
    postgres_cluster.start()  # the ledger's connection is now dead, and it does not know
    assert [e.kind for e in ledger.store.entries()] == ["lend"]
    ledger.return_card(CARD)
    assert ledger.verify().intact


@pytest.mark.parametrize("changed", [1, 2, 3])
def test_a_changed_row_on_the_server_is_named(
    ledger: Ledger, postgres_cluster: PostgresCluster, database: str, changed: int
) -> None:
    ledger.lend(CARD, user="山田", purpose="入札書の提出")
    ledger.record_use(CARD, operation="pin_verify", result="ok", tries_left=10)
    ledger.return_card(CARD, note="返却")
    assert ledger.verify().intact
    with postgres_cluster.connect(database) as connection:
        # One character of the stored body: 山田 → 山口, ok → no, 返却 → 返送.
        body = connection.execute("SELECT body FROM entries WHERE id = %s", (changed,)).fetchone()
        assert body is not None
        text = str(body[0])
        for old, new in (("山田", "山口"), ('"ok"', '"no"'), ("返却", "返送")):
            text = text.replace(old, new, 1) if old in text else text
        assert text != body[0]
        connection.execute(
            "UPDATE entries SET body = %s WHERE id = %s",  # behind the ledger's back
            (text, changed),
        )
    result = ledger.verify()
    assert not result.intact
    assert result.first_broken == changed


def test_the_password_comes_from_the_password_file(
    postgres_cluster: PostgresCluster, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    password = secrets.token_hex(12)
    url = postgres_cluster.add_password_user(password)
    passfile = tmp_path / "pgpass"
    passfile.write_text(f"127.0.0.1:{postgres_cluster.port}:*:ledger_password:{password}\n")
    passfile.chmod(0o600)
    monkeypatch.setenv("PGPASSFILE", str(passfile))
    store = PostgresStore(url, connect_timeout=2)
    try:
        assert store.entries() == []
    finally:
        store.close()

    passfile.write_text(f"127.0.0.1:{postgres_cluster.port}:*:ledger_password:wrong\n")
    store = PostgresStore(url, connect_timeout=2)
    with pytest.raises(PostgresLedgerError) as caught:
        store.entries()
    assert caught.value.message_key == "ledger.postgres.login_failed"
    sentence = Messages("ja").describe(caught.value)
    assert "PGPASSFILE" in sentence
    assert password not in sentence


def test_a_password_in_the_url_is_refused_without_repeating_it() -> None:
    with pytest.raises(LedgerError) as caught:
        PostgresStore("postgresql://ledger:s3cret-pass@db.example/ledger")
    assert caught.value.message_key == "ledger.postgres.password_in_url"
    for lang in ("ja", "en"):
        sentence = Messages(lang).describe(caught.value)
        assert "PGPASSFILE" in sentence
        assert "s3cret" not in sentence
    assert "s3cret" not in str(caught.value)
    assert "s3cret" not in repr(caught.value.params)


def test_an_unreachable_server_is_a_sentence_within_the_bound() -> None:
    # TEST-NET-1: nothing answers there, so only the connect timeout ends the wait (or the
    # network says at once that there is no route).
    store = PostgresStore("postgresql://ledger@192.0.2.1:5432/ledger", connect_timeout=2)
    started = time.monotonic()
    with pytest.raises(PostgresLedgerError) as caught, store.transaction():
        pass
    assert time.monotonic() - started < 6
    assert caught.value.message_key == "ledger.postgres.unreachable"
    sentence = Messages("ja").describe(caught.value)
    assert "192.0.2.1:5432" in sentence
    assert "{" not in sentence


@pytest.mark.parametrize("lang", ["ja", "en"])
@pytest.mark.parametrize(
    "key", ["unreachable", "login_failed", "timeout", "refused", "newer_schema", "bad_url"]
)
def test_every_sentence_is_written(lang: str, key: str) -> None:
    error = PostgresLedgerError(f"ledger.postgres.{key}", server="db:5432", code="42501")
    sentence = Messages(lang).describe(error)
    assert not sentence.startswith("ledger."), sentence
    assert "{" not in sentence, sentence


def test_a_url_of_another_kind_is_refused() -> None:
    with pytest.raises(LedgerError) as caught:
        PostgresStore("mysql://db.example/ledger")
    assert caught.value.message_key == "ledger.postgres.bad_url"


# --- the Done-when flow, through the command line, on the shared ledger ----------------


def test_the_command_line_flow_on_the_shared_ledger(
    database: str,
    postgres_cluster: PostgresCluster,
    reader: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    import json

    from ndnclient import cli
    from ndnclient.simulator.state import DEFAULT_CARD_NUMBER
    from tests.console import ScriptedConsole

    monkeypatch.setenv("NDNCLIENT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("NDNCLIENT_CONFIG_DIR", str(tmp_path / "config"))
    backend = reader()

    def run(*args: str, stdin: str = "") -> tuple[int, str]:
        code = cli.main(
            list(args), backend_factory=lambda: backend, console=ScriptedConsole(stdin=stdin)
        )
        return code, capsys.readouterr().out

    assert run("settings", "set", "ledger.url", database)[0] == 0
    lend = ("ledger", "lend", "--card", DEFAULT_CARD_NUMBER, "--user", "田中", "--purpose", "入札")
    assert run(*lend)[0] == 0
    assert run("pin", "verify", "--pin-stdin", stdin="1234\n")[0] == 0
    code, out = run("ledger", "list", "--json")
    assert code == 0
    listed = json.loads(out)["entries"]
    assert [(e["kind"], e["operation"]) for e in listed] == [("lend", None), ("use", "pin_verify")]
    assert listed[1]["lending_id"] == listed[0]["id"]
    assert run("ledger", "return", "--card", DEFAULT_CARD_NUMBER)[0] == 0
    code, out = run("ledger", "verify", "--json")
    assert (code, json.loads(out)["entries"]) == (0, 3)
    # The entries are on the server (not only in this PC's outbox).
    assert [row[1] for row in server_rows(postgres_cluster, database)] == ["lend", "use", "return"]
