"""The shared ledger on a PostgreSQL server (IT policy `ledger.url = postgresql://...`), for a
department where several PCs share one card. Same schema and migrations as the SQLite file.

- One writer at a time across PCs: each write is a READ COMMITTED transaction that first
  takes `pg_advisory_xact_lock(ADVISORY_LOCK_KEY)`, so the head read after it is the latest.
- Durable: `synchronous_commit = on` for the session; a commit returns once the server has
  flushed it.
- Never an unbounded wait: `connect_timeout` on every connection, TCP keepalives and
  `tcp_user_timeout` for a server that goes silent, and `statement_timeout` (which also bounds
  the wait for the writer's lock).
- No password in the URL (refused with a sentence, without echoing the URL). The password, if
  the server asks for one, comes from libpq's own password file: `PGPASSFILE`, else
  `~/.pgpass` (`%APPDATA%\\postgresql\\pgpass.conf` on Windows), so it never passes through
  this program.
- The store only inserts and selects: no entry is ever changed or removed.
"""

from __future__ import annotations

import logging
import math
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

import psycopg
from psycopg import errors as pg_errors
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from ndnclient.ledger.chain import Row, canonical, from_row, iso_utc, seal
from ndnclient.ledger.entries import Entry, LedgerError
from ndnclient.ledger.store import (
    ADVISORY_LOCK_KEY,
    MIGRATIONS,
    SCHEMA_VERSION,
    LedgerUnavailableError,
    entries_query,
)

log = logging.getLogger(__name__)

DEFAULT_CONNECT_TIMEOUT = 5.0  # seconds
DEFAULT_STATEMENT_TIMEOUT = 15.0  # seconds; also the longest wait for the writer's lock
_BATCH = 5000  # rows per query when streaming the whole chain
_COLUMNS = "id, kind, time, card_number, body, prev_hash, hash"
_URL_SCHEMES = ("postgresql://", "postgres://")

Connection = psycopg.Connection[tuple[Any, ...]]


class PostgresLedgerError(LedgerError, LedgerUnavailableError):
    """The server could not be reached, did not answer in time, or refused the work. A
    LedgerError (it has a sentence) and a LedgerUnavailableError (a use record waits in the
    outbox instead of being lost)."""


def _checked_conninfo(url: str) -> dict[str, Any]:
    if not url.startswith(_URL_SCHEMES):
        raise LedgerError("ledger.postgres.bad_url")
    try:
        params = conninfo_to_dict(url)
    except psycopg.ProgrammingError:
        raise LedgerError("ledger.postgres.bad_url") from None  # the URL is not repeated
    if params.get("password"):
        raise LedgerError("ledger.postgres.password_in_url")
    return dict(params)


def _entry(row: tuple[Any, ...]) -> Entry:
    id, kind, time, card_number, body, prev_hash, hash = row
    return from_row(
        id=id,
        kind=kind,
        time=time,
        card_number=card_number,
        body=body,
        prev_hash=prev_hash,
        hash=hash,
    )


class _PostgresTransaction:
    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def head(self) -> Entry | None:
        row = self._connection.execute(
            f"SELECT {_COLUMNS} FROM entries ORDER BY id DESC LIMIT 1"  # noqa: S608 constant
        ).fetchone()
        return _entry(row) if row is not None else None

    def open_lending(self, card_number: str) -> Entry | None:
        row = self._connection.execute(
            f"SELECT {_COLUMNS} FROM entries"  # noqa: S608 constant columns
            " WHERE card_number = %s AND kind IN ('lend', 'return')"
            " ORDER BY id DESC LIMIT 1",
            (card_number,),
        ).fetchone()
        if row is None:
            return None
        entry = _entry(row)
        return entry if entry.kind == "lend" else None

    def append(self, entry: Entry) -> Entry:
        previous = self.head()
        sealed = seal(entry, previous, previous.id + 1 if previous is not None else 1)
        self._connection.execute(
            f"INSERT INTO entries ({_COLUMNS}) VALUES (%s, %s, %s, %s, %s, %s, %s)",  # noqa: S608
            _row(sealed),
        )
        return sealed


def _row(entry: Entry) -> Row:
    return (
        entry.id,
        entry.kind,
        iso_utc(entry.time),
        entry.card_number,
        canonical(entry).decode("utf-8"),
        entry.prev_hash,
        entry.hash,
    )


class PostgresStore:
    """A LedgerStore on a PostgreSQL server. Connects lazily (a server that is away when the
    program starts does not stop it) and again after the connection was lost."""

    def __init__(
        self,
        url: str,
        *,
        connect_timeout: float = DEFAULT_CONNECT_TIMEOUT,
        statement_timeout: float = DEFAULT_STATEMENT_TIMEOUT,
    ) -> None:
        params = _checked_conninfo(url)
        host = str(params.get("host") or params.get("hostaddr") or "localhost")
        self.server = f"{host}:{params['port']}" if params.get("port") else host
        timeout_ms = max(1, round(statement_timeout * 1000))
        options = (
            f"-c statement_timeout={timeout_ms} -c lock_timeout={timeout_ms}"
            " -c idle_in_transaction_session_timeout=60000 -c synchronous_commit=on"
        )
        if params.get("options"):
            options = f"{params['options']} {options}"
        self._conninfo = make_conninfo(
            "",
            **{
                **params,
                # libpq counts whole seconds and treats 1 as 2.
                "connect_timeout": max(2, math.ceil(connect_timeout)),
                "options": options,
                "application_name": params.get("application_name") or "ndnclient",
                # A server that goes silent mid-request: the TCP connection is given up.
                "keepalives": 1,
                "keepalives_idle": 10,
                "keepalives_interval": 3,
                "keepalives_count": 3,
                "tcp_user_timeout": max(1000, round((connect_timeout + statement_timeout) * 1000)),
            },
        )
        self._connection: Connection | None = None
        self._schema_ready = False
        # One connection, used by one thread at a time (the GUI's jobs and the card thread).
        self._lock = threading.RLock()

    # --- errors ---------------------------------------------------------------------------

    def _failure(self, error: psycopg.Error) -> PostgresLedgerError:
        """The sentence for a failure of the server or the network; the connection is dropped
        so that the next use connects again."""
        self._drop_connection()
        log.info("shared ledger %s: %s: %s", self.server, type(error).__name__, error)
        if isinstance(error, pg_errors.QueryCanceled | pg_errors.LockNotAvailable):
            return PostgresLedgerError("ledger.postgres.timeout", server=self.server)
        if isinstance(error, psycopg.OperationalError):
            return PostgresLedgerError("ledger.postgres.unreachable", server=self.server)
        return PostgresLedgerError(
            "ledger.postgres.refused", server=self.server, code=error.sqlstate or "?"
        )

    def _drop_connection(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            try:
                connection.close()
            except psycopg.Error:
                log.debug("closing a broken connection failed", exc_info=True)

    # --- the connection -------------------------------------------------------------------

    def _ready(self) -> tuple[Connection, bool]:
        """The connection, made (and the schema brought up to date) when needed; and whether
        it was made just now (a reused one may have been cut while idle)."""
        fresh = self._connection is None or self._connection.closed
        if fresh:
            self._connection = None
            try:
                self._connection = psycopg.connect(self._conninfo, autocommit=True)
                self._connection.isolation_level = psycopg.IsolationLevel.READ_COMMITTED
            except psycopg.Error as error:
                if error.pgconn is not None and (
                    error.pgconn.needs_password or error.pgconn.used_password
                ):
                    # No password found (PGPASSFILE), or the one found was refused.
                    log.info("shared ledger %s: login failed: %s", self.server, error)
                    raise PostgresLedgerError(
                        "ledger.postgres.login_failed", server=self.server
                    ) from None
                raise self._failure(error) from None
        connection = self._connection
        assert connection is not None  # noqa: S101 made just above
        if not self._schema_ready:
            try:
                self._migrate(connection)
            except psycopg.Error as error:
                raise self._failure(error) from None
            except LedgerError:
                self._drop_connection()
                raise
            self._schema_ready = True
        return connection, fresh

    def _begin(self) -> Connection:
        """A write transaction holding the writer's lock. Transactions are begun by hand (the
        connection is in autocommit mode between them), READ COMMITTED so that statements
        after the lock see the latest commit. A reused connection that the server cut while
        idle (a restart) is replaced once."""
        for attempt in (1, 2):
            connection, fresh = self._ready()
            try:
                connection.execute("BEGIN ISOLATION LEVEL READ COMMITTED")
                connection.execute("SELECT pg_advisory_xact_lock(%s)", (ADVISORY_LOCK_KEY,))
            except psycopg.OperationalError as error:
                if fresh or attempt == 2 or not connection.closed:
                    raise self._failure(error) from None
                self._drop_connection()
                continue
            except psycopg.Error as error:
                raise self._failure(error) from None
            return connection
        raise AssertionError("unreachable")  # pragma: no cover

    def _migrate(self, connection: Connection) -> None:
        with connection.transaction():
            connection.execute("SELECT pg_advisory_xact_lock(%s)", (ADVISORY_LOCK_KEY,))
            version = 0
            exists = connection.execute("SELECT to_regclass('schema_version') IS NOT NULL")
            if (row := exists.fetchone()) is not None and row[0]:
                found = connection.execute("SELECT max(version) FROM schema_version").fetchone()
                version = int(found[0]) if found is not None and found[0] is not None else 0
            else:
                connection.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
            if version > SCHEMA_VERSION:
                raise PostgresLedgerError("ledger.postgres.newer_schema", server=self.server)
            for number in range(version, SCHEMA_VERSION):
                for statement in MIGRATIONS[number]:
                    connection.execute(statement)
                connection.execute(
                    "INSERT INTO schema_version (version) VALUES (%s)", (number + 1,)
                )
                log.info("shared ledger %s: schema version %d", self.server, number + 1)

    # --- the LedgerStore protocol ---------------------------------------------------------

    @contextmanager
    def transaction(self) -> Iterator[_PostgresTransaction]:
        with self._lock:
            connection = self._begin()
            try:
                yield _PostgresTransaction(connection)
            except BaseException:
                self._rollback(connection)
                raise
            try:
                connection.execute("COMMIT")
            except psycopg.Error as error:
                # Lost during COMMIT: whether it was kept is not known here.
                raise self._failure(error) from None

    def _rollback(self, connection: Connection) -> None:
        try:
            connection.execute("ROLLBACK")
        except psycopg.Error:
            self._drop_connection()  # the server ends the transaction with the connection

    def entries(
        self,
        *,
        start: datetime | None = None,
        end: datetime | None = None,
        card_number: str | None = None,
        kind: str | None = None,
    ) -> list[Entry]:
        query, values = entries_query(
            _COLUMNS, "%s", start=start, end=end, card_number=card_number, kind=kind
        )
        return [_entry(row) for row in self._fetch(query, values)]

    def all_entries(self) -> Iterator[Entry]:
        for row in self.all_rows():
            yield _entry(row)

    def all_rows(self) -> Iterator[Row]:
        """The whole chain in order, a batch at a time (no transaction held between them:
        the ledger only grows at its end, so id-ordered batches see every entry once)."""
        last = 0
        while True:
            rows = self._fetch(
                f"SELECT {_COLUMNS} FROM entries WHERE id > %s ORDER BY id LIMIT {_BATCH}",  # noqa: S608
                [last],
            )
            yield from rows
            if len(rows) < _BATCH:
                return
            last = rows[-1][0]

    def _fetch(self, query: str, values: list[Any]) -> list[tuple[Any, ...]]:
        with self._lock:
            for attempt in (1, 2):
                connection, fresh = self._ready()
                try:
                    return connection.execute(query, values).fetchall()
                except psycopg.OperationalError as error:
                    if fresh or attempt == 2 or not connection.closed:
                        raise self._failure(error) from None
                    self._drop_connection()  # cut while idle: once more on a new one
                except psycopg.Error as error:
                    raise self._failure(error) from None
            raise AssertionError("unreachable")  # pragma: no cover

    def close(self) -> None:
        with self._lock:
            self._drop_connection()
