"""The ledger in one SQLite file (the standard library's sqlite3): WAL, synchronous=FULL so
that a commit survives a power cut, BEGIN IMMEDIATE so that one process writes at a time."""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import platformdirs

from ndnclient.ledger.chain import Row, canonical, from_row, iso_utc, seal
from ndnclient.ledger.entries import Entry, LedgerError
from ndnclient.ledger.store import (
    MIGRATIONS,
    SCHEMA_VERSION,
    LedgerUnavailableError,
    entries_query,
)

log = logging.getLogger(__name__)

DATA_DIR_ENV = "NDNCLIENT_DATA_DIR"
LEDGER_FILE = "ledger.sqlite3"
OUTBOX_FILE = "ledger-outbox.sqlite3"

# How long a writer waits for another process's transaction before giving up (seconds).
BUSY_TIMEOUT = 10.0

_COLUMNS = "id, kind, time, card_number, body, prev_hash, hash"


def data_dir() -> Path:
    """NDNCLIENT_DATA_DIR, else the per-user data folder (%LOCALAPPDATA%\\ndnclient on
    Windows)."""
    override = os.environ.get(DATA_DIR_ENV)
    if override:
        return Path(override)
    return Path(platformdirs.user_data_dir("ndnclient", appauthor=False))


def _entry(row: tuple[Any, ...]) -> Entry:
    id_, kind, time, card_number, body, prev_hash, hash_ = row
    return from_row(
        id=id_,
        kind=kind,
        time=time,
        card_number=card_number,
        body=body,
        prev_hash=prev_hash,
        hash=hash_,
    )


class _SqliteTransaction:
    def __init__(self, connection: sqlite3.Connection) -> None:
        self._connection = connection

    def head(self) -> Entry | None:
        row = self._connection.execute(
            f"SELECT {_COLUMNS} FROM entries ORDER BY id DESC LIMIT 1"  # noqa: S608 - constant
        ).fetchone()
        return _entry(row) if row else None

    def open_lending(self, card_number: str) -> Entry | None:
        row = self._connection.execute(
            f"SELECT {_COLUMNS} FROM entries WHERE card_number = ? "  # noqa: S608 - constant
            "AND kind IN ('lend', 'return') ORDER BY id DESC LIMIT 1",
            (card_number,),
        ).fetchone()
        if row is None:
            return None
        entry = _entry(row)
        return entry if entry.kind == "lend" else None

    def append(self, entry: Entry) -> Entry:
        head = self.head()
        sealed = seal(entry, head, (head.id if head else 0) + 1)
        self._connection.execute(
            f"INSERT INTO entries ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)",  # noqa: S608
            (
                sealed.id,
                sealed.kind,
                iso_utc(sealed.time),
                sealed.card_number,
                canonical(sealed).decode("utf-8"),
                sealed.prev_hash,
                sealed.hash,
            ),
        )
        return sealed


class SqliteStore:
    """The ledger (or the outbox) in the SQLite file at `path`, created with its folder."""

    def __init__(self, path: Path | str, *, busy_timeout: float = BUSY_TIMEOUT) -> None:
        self.path = Path(path)
        self._lock = threading.RLock()  # one connection, shared by the threads of a process
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._connection = sqlite3.connect(
                self.path, timeout=busy_timeout, isolation_level=None, check_same_thread=False
            )
            self._connection.execute("PRAGMA journal_mode=WAL")
            self._connection.execute("PRAGMA synchronous=FULL")
            self._migrate()
        except (OSError, sqlite3.Error) as error:
            raise LedgerUnavailableError(f"{self.path}: {error}") from error

    def _migrate(self) -> None:
        with self._write() as connection:
            connection.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER)")
            connection.execute("CREATE TABLE IF NOT EXISTS delivered (up_to INTEGER)")
            (version,) = connection.execute(
                "SELECT COALESCE(MAX(version), 0) FROM schema_version"
            ).fetchone()
            if version > SCHEMA_VERSION:
                raise LedgerError("ledger.newer_schema", path=str(self.path))
            for number in range(version, SCHEMA_VERSION):
                for statement in MIGRATIONS[number]:
                    connection.execute(statement)
                connection.execute("INSERT INTO schema_version VALUES (?)", (number + 1,))

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            try:
                self._connection.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as error:
                raise LedgerUnavailableError(f"{self.path}: {error}") from error
            try:
                yield self._connection
            except BaseException:
                self._connection.execute("ROLLBACK")
                raise
            try:
                self._connection.execute("COMMIT")
            except sqlite3.Error as error:
                if self._connection.in_transaction:
                    self._connection.execute("ROLLBACK")
                raise LedgerUnavailableError(f"{self.path}: {error}") from error

    @contextmanager
    def transaction(self) -> Iterator[_SqliteTransaction]:
        with self._write() as connection:
            try:
                yield _SqliteTransaction(connection)
            except sqlite3.Error as error:
                raise LedgerUnavailableError(f"{self.path}: {error}") from error

    def entries(
        self,
        *,
        start: datetime | None = None,
        end: datetime | None = None,
        card_number: str | None = None,
        kind: str | None = None,
    ) -> list[Entry]:
        query, values = entries_query(
            _COLUMNS, "?", start=start, end=end, card_number=card_number, kind=kind
        )
        with self._lock:
            try:
                rows = self._connection.execute(
                    query,
                    values,
                ).fetchall()
            except sqlite3.Error as error:
                raise LedgerUnavailableError(f"{self.path}: {error}") from error
        return [_entry(row) for row in rows]

    def all_entries(self) -> Iterator[Entry]:
        for row in self.all_rows():
            yield _entry(row)

    def all_rows(self) -> Iterator[Row]:
        # A connection of its own, so that a long verify neither holds the lock of the
        # writers' connection nor sees half of a transaction (WAL: a consistent snapshot).
        try:
            reader = sqlite3.connect(self.path, isolation_level=None)
        except sqlite3.Error as error:
            raise LedgerUnavailableError(f"{self.path}: {error}") from error
        try:
            reader.execute("BEGIN")
            cursor = reader.execute(f"SELECT {_COLUMNS} FROM entries ORDER BY id")  # noqa: S608
            while rows := cursor.fetchmany(1000):
                yield from rows
            reader.execute("COMMIT")
        except sqlite3.Error as error:
            raise LedgerUnavailableError(f"{self.path}: {error}") from error
        finally:
            reader.close()

    def delivered(self) -> int:
        with self._lock:
            (up_to,) = self._connection.execute(
                "SELECT COALESCE(MAX(up_to), 0) FROM delivered"
            ).fetchone()
        return int(up_to)

    def mark_delivered(self, up_to: int) -> None:
        with self._write() as connection:
            connection.execute("INSERT INTO delivered VALUES (?)", (up_to,))

    def close(self) -> None:
        with self._lock:
            self._connection.close()
