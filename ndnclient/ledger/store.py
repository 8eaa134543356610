"""The store protocol both back ends implement (SQLite: sqlite_store, PostgreSQL:
postgres_store). Stores only ever insert: no entry is updated or deleted.

Schema (the same on both):
    entries(id INTEGER PRIMARY KEY, kind TEXT NOT NULL, time TEXT NOT NULL,
            card_number TEXT NOT NULL, body TEXT NOT NULL, prev_hash TEXT NOT NULL,
            hash TEXT NOT NULL UNIQUE)
    indexes on (time) and (card_number, id); schema_version(version INTEGER).
`body` is chain.canonical(entry) as text: the whole entry, so a stored row is checked by
recomputing its hash from exactly what is stored.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from ndnclient.ledger.entries import Entry

if TYPE_CHECKING:
    from ndnclient.ledger.chain import Row

# The migrations, in order: MIGRATIONS[n] brings a store from version n to n + 1. Plain SQL
# that both SQLite and PostgreSQL accept.
MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (
        "CREATE TABLE IF NOT EXISTS entries ("
        " id INTEGER PRIMARY KEY,"
        " kind TEXT NOT NULL,"
        " time TEXT NOT NULL,"
        " card_number TEXT NOT NULL,"
        " body TEXT NOT NULL,"
        " prev_hash TEXT NOT NULL,"
        " hash TEXT NOT NULL UNIQUE)",
        "CREATE INDEX IF NOT EXISTS entries_time ON entries (time)",
        "CREATE INDEX IF NOT EXISTS entries_card ON entries (card_number, id)",
    ),
)
SCHEMA_VERSION = len(MIGRATIONS)

# PostgreSQL: the key of the advisory lock that makes one writer at a time.
ADVISORY_LOCK_KEY = 0x4C454447  # "LEDG"


class LedgerUnavailableError(Exception):
    """The store cannot be reached or written (server away, disk full, file locked too long).
    Raised by stores; the service turns it into a LedgerError or, for a use record, into an
    entry in the outbox."""


class LedgerTransaction(Protocol):
    def head(self) -> Entry | None: ...  # the last entry

    def open_lending(self, card_number: str) -> Entry | None: ...  # lend not yet returned

    def append(self, entry: Entry) -> Entry: ...  # seals (id, prev_hash, hash) and inserts


class LedgerStore(Protocol):
    def transaction(self) -> AbstractContextManager[LedgerTransaction]:
        """One writer at a time across processes and PCs (SQLite: BEGIN IMMEDIATE;
        PostgreSQL: a transaction holding pg_advisory_xact_lock(ADVISORY_LOCK_KEY)). Commits
        on normal exit, rolls back on an exception; durable once committed."""
        ...

    def entries(
        self,
        *,
        start: datetime | None = None,
        end: datetime | None = None,
        card_number: str | None = None,
        kind: str | None = None,
    ) -> list[Entry]:
        """Entries in chain order; `start` inclusive, `end` exclusive."""
        ...

    def all_entries(self) -> Iterator[Entry]: ...  # chain order, streaming

    def all_rows(self) -> Iterator[Row]: ...  # the stored rows in chain order (verify)

    def close(self) -> None: ...


class OutboxStore(LedgerStore, Protocol):
    """A local store of entries waiting to be sent to the configured ledger. Being
    insert-only too, it remembers how far it has been delivered instead of deleting."""

    def delivered(self) -> int: ...  # the id of the last entry already sent

    def mark_delivered(self, up_to: int) -> None: ...


def entries_query(
    columns: str,
    placeholder: str,
    *,
    start: datetime | None = None,
    end: datetime | None = None,
    card_number: str | None = None,
    kind: str | None = None,
) -> tuple[str, list[str]]:
    """The SELECT both stores run for `LedgerStore.entries`, in their placeholder style
    ("?" for SQLite, "%s" for psycopg), and its values: only fixed text goes into the query."""
    from ndnclient.ledger.chain import iso_utc

    conditions: list[str] = []
    values: list[str] = []
    for condition, value in (
        ("time >=", None if start is None else iso_utc(start)),
        ("time <", None if end is None else iso_utc(end)),
        ("card_number =", card_number),
        ("kind =", kind),
    ):
        if value is not None:
            conditions.append(f"{condition} {placeholder}")
            values.append(value)
    where = f" WHERE {' AND '.join(conditions)}" if conditions else ""
    return f"SELECT {columns} FROM entries{where} ORDER BY id", values  # noqa: S608
