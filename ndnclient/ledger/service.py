"""The ledger's rules over any store: lend, return, the client's own use records, corrections,
each card's state and the chain's check. Every refusal is a LedgerError with one sentence
under [ledger] in the message catalogues."""

from __future__ import annotations

import getpass
import logging
import socket
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from ndnclient.card.info import format_card_number, parse_card_number
from ndnclient.ledger import chain
from ndnclient.ledger.chain import VerifyResult
from ndnclient.ledger.entries import Entry, LedgerError, Operation, Result
from ndnclient.ledger.sqlite_store import LEDGER_FILE, OUTBOX_FILE, SqliteStore, data_dir
from ndnclient.ledger.store import LedgerStore, LedgerUnavailableError, OutboxStore

log = logging.getLogger(__name__)

JAPAN = timezone(timedelta(hours=9), "JST")

# What a correction may change, and how its new value is read.
CORRECTABLE_FIELDS = ("user", "purpose", "destination", "approver", "due", "note")

# How long a connection to a shared ledger server may take before a use is kept locally.
CONNECT_TIMEOUT = 5


def japan_time(moment: datetime) -> str:
    """A ledger time as a person reads it: Japan time, to the minute."""
    return moment.astimezone(JAPAN).strftime("%Y-%m-%d %H:%M")


@dataclass(frozen=True)
class CardState:
    card_number: str
    lending: Entry | None  # the lend in force, with its corrections applied; None = held
    overdue: bool = False

    @property
    def lent(self) -> bool:
        return self.lending is not None


def _pc_name() -> str | None:
    try:
        return socket.gethostname() or None
    except OSError:
        return None


def _os_user() -> str | None:
    try:
        return getpass.getuser()
    except (OSError, KeyError, ImportError):  # no login name in the environment or passwd
        return None


def _card(card_number: str) -> str:
    number = parse_card_number(card_number)
    if number is None:
        raise LedgerError("ledger.bad_card_number", card=card_number)
    return number


def _required(value: str | None, key: str) -> str:
    if value is None or not value.strip():
        raise LedgerError(key)
    return value.strip()


def _optional(value: str | None) -> str | None:
    return value.strip() or None if value is not None else None


def _same_content(a: Entry, b: Entry) -> bool:
    """Equal apart from where they sit in a chain (a flushed entry that was already sent)."""
    blank = {"id": 0, "prev_hash": "", "hash": "", "lending_id": None}
    return replace(a, **blank) == replace(b, **blank)  # type: ignore[arg-type]


class Ledger:
    def __init__(
        self,
        store: LedgerStore,
        *,
        outbox: OutboxStore | None = None,
        pc: str | None = None,
        os_user: str | None = None,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.store = store
        self.outbox = outbox
        self.pc = pc if pc is not None else _pc_name()
        self.os_user = os_user if os_user is not None else _os_user()
        self._now = now

    def _stamp(self, **values: Any) -> Entry:
        return Entry(time=self._now(), pc=self.pc, os_user=self.os_user, **values)

    def lend(
        self,
        card_number: str,
        *,
        user: str,
        purpose: str,
        destination: str | None = None,
        approver: str | None = None,
        due: datetime | None = None,
    ) -> Entry:
        number = _card(card_number)
        entry = self._stamp(
            kind="lend",
            card_number=number,
            user=_required(user, "ledger.user_required"),
            purpose=_required(purpose, "ledger.purpose_required"),
            destination=_optional(destination),
            approver=_optional(approver),
            due=due,
        )
        if due is not None:
            if due.tzinfo is None:
                raise LedgerError("ledger.due_without_zone")
            if due <= entry.time:
                raise LedgerError("ledger.due_past", due=japan_time(due))
        self.flush_outbox()
        try:
            with self.store.transaction() as transaction:
                current = transaction.open_lending(number)
                if current is not None:
                    current = self._corrected(current)
                    raise LedgerError(
                        "ledger.already_lent",
                        card=format_card_number(number),
                        user=current.user or "",
                        since=japan_time(current.time),
                    )
                return transaction.append(entry)
        except LedgerUnavailableError as error:
            log.info("ledger unavailable for a lending: %s", error)
            raise _unavailable(error) from error

    def return_card(self, card_number: str, *, note: str | None = None) -> Entry:
        number = _card(card_number)
        self.flush_outbox()
        try:
            with self.store.transaction() as transaction:
                current = transaction.open_lending(number)
                if current is None:
                    raise LedgerError("ledger.not_lent", card=format_card_number(number))
                entry = self._stamp(
                    kind="return",
                    card_number=number,
                    user=current.user,
                    note=_optional(note),
                    refers_to=current.id,
                )
                return transaction.append(entry)
        except LedgerUnavailableError as error:
            log.info("ledger unavailable for a return: %s", error)
            raise _unavailable(error) from error

    def record_use(
        self,
        card_number: str,
        *,
        operation: Operation,
        result: Result,
        tries_left: int | None = None,
        data_sha256: str | None = None,
    ) -> Entry | None:
        """The client's own record of a PIN or signature it sent. Never raises: the card
        operation has happened, and a ledger that cannot be written must not hide that;
        when the store fails, the entry waits in the outbox (or, failing that too, is
        logged — without any secret, since an entry holds none)."""
        try:
            entry = self._stamp(
                kind="use",
                card_number=parse_card_number(card_number) or card_number,
                operation=operation,
                result=result,
                tries_left=tries_left,
                data_sha256=data_sha256,
            )
        except Exception:  # a clock or host lookup gone wrong: still never raise
            log.exception("use record could not be made")
            return None
        try:
            # Earlier entries first, so that the ledger keeps the order things happened in.
            self.flush_outbox()
            if self.pending() == 0:
                with self.store.transaction() as transaction:
                    lending = transaction.open_lending(entry.card_number)
                    return transaction.append(
                        replace(entry, lending_id=lending.id if lending else None)
                    )
        except Exception as error:
            log.warning("ledger unavailable, use record kept locally: %s", error)
        return self._keep_locally(entry)

    def _keep_locally(self, entry: Entry) -> Entry | None:
        if self.outbox is None:
            log.error("use record lost, no outbox: %s %s", entry.operation, entry.result)
            return None
        try:
            with self.outbox.transaction() as transaction:
                return transaction.append(entry)
        except Exception:
            log.exception("use record could not be kept locally either")
            return None

    def correct(self, entry_id: int, *, reason: str, **fields: str | datetime | None) -> Entry:
        why = _required(reason, "ledger.reason_required")
        unknown = sorted(set(fields) - set(CORRECTABLE_FIELDS))
        if unknown:
            raise LedgerError("ledger.bad_field", field=", ".join(unknown))
        if not fields:
            raise LedgerError("ledger.nothing_corrected")
        values: dict[str, str] = {}
        for name, value in fields.items():
            if isinstance(value, datetime):
                values[name] = chain.iso_utc(value)
            else:
                values[name] = "" if value is None else str(value).strip()
        try:
            target = next((e for e in self.store.all_entries() if e.id == entry_id), None)
            if target is None:
                raise LedgerError("ledger.no_such_entry", id=entry_id)
            entry = self._stamp(
                kind="correction",
                card_number=target.card_number,
                refers_to=target.id,
                reason=why,
                fields=values,
            )
            with self.store.transaction() as transaction:
                return transaction.append(entry)
        except LedgerUnavailableError as error:
            raise _unavailable(error) from error

    def _corrected(self, entry: Entry) -> Entry:
        """`entry` with the corrections made to it since, in order."""
        corrections = self.store.entries(card_number=entry.card_number, kind="correction")
        changes: dict[str, Any] = {}
        for correction in corrections:
            if correction.refers_to != entry.id:
                continue
            for name, value in correction.fields.items():
                if name not in CORRECTABLE_FIELDS:
                    continue
                if name == "due":
                    changes[name] = datetime.fromisoformat(value) if value else None
                else:
                    changes[name] = value or None
        return replace(entry, **changes) if changes else entry

    def status(self, registered_cards: Sequence[str]) -> list[CardState]:
        now = self._now()
        states: list[CardState] = []
        try:
            with self.store.transaction() as transaction:
                open_lendings = {
                    number: transaction.open_lending(number)
                    for number in (_card(card) for card in registered_cards)
                }
            for number, lending in open_lendings.items():
                if lending is not None:
                    lending = self._corrected(lending)
                overdue = bool(lending and lending.due and lending.due < now)
                states.append(CardState(number, lending, overdue))
        except LedgerUnavailableError as error:
            raise _unavailable(error) from error
        return states

    def pending(self) -> int:
        if self.outbox is None:
            return 0
        try:
            return len(self._undelivered())
        except Exception:
            log.exception("outbox unreadable")
            return 0

    def _undelivered(self) -> list[Entry]:
        assert self.outbox is not None  # noqa: S101 - callers check
        delivered = self.outbox.delivered()
        return [entry for entry in self.outbox.entries() if entry.id > delivered]

    def flush_outbox(self) -> int:
        """Send the entries waiting in the outbox, oldest first; how many were sent. Stops
        quietly at the first failure (the rest wait for the next time)."""
        if self.outbox is None:
            return 0
        sent = 0
        try:
            for waiting in self._undelivered():
                local_id = waiting.id
                with self.store.transaction() as transaction:
                    if not self._already_sent(waiting):
                        transaction.append(self._in_force(waiting))
                self.outbox.mark_delivered(local_id)
                sent += 1
        except Exception as error:
            log.warning("outbox not sent (%d sent): %s", sent, error)
        return sent

    def _already_sent(self, waiting: Entry) -> bool:
        # A crash between the server's commit and the outbox's note must not send it twice.
        twins = self.store.entries(
            start=waiting.time,
            end=waiting.time + timedelta(microseconds=1),
            card_number=waiting.card_number,
        )
        return any(_same_content(twin, waiting) for twin in twins)

    def _in_force(self, use: Entry) -> Entry:
        """A use kept locally, with the lending that was in force when it happened."""
        history = self.store.entries(card_number=use.card_number, end=use.time)
        last = next((e for e in reversed(history) if e.kind in ("lend", "return")), None)
        lending_id = last.id if last is not None and last.kind == "lend" else None
        return replace(use, id=0, prev_hash="", hash="", lending_id=lending_id)

    def verify(self) -> VerifyResult:
        try:
            return chain.verify_rows(self.store.all_rows())
        except LedgerUnavailableError as error:
            raise _unavailable(error) from error

    def close(self) -> None:
        self.store.close()
        if self.outbox is not None:
            self.outbox.close()


def lending_required(settings: Any) -> bool:
    """IT policy `ledger.require_lending`: no PIN is sent for a card that is not lent out."""
    values: Mapping[str, Any] = settings.values
    return bool(values.get("ledger.require_lending", False))


def open_ledger(settings: Any) -> Ledger:
    """The ledger the settings name: `ledger.url` (a PostgreSQL server shared by several PCs,
    with a local outbox for when it cannot be reached), else the SQLite file in the data
    folder. Uses go through the outbox in both cases, so that they are never lost."""
    values: Mapping[str, Any] = settings.values
    url = values.get("ledger.url")
    folder = data_dir()
    outbox = SqliteStore(folder / OUTBOX_FILE)
    if url:
        from ndnclient.ledger.postgres_store import PostgresStore

        return Ledger(PostgresStore(str(url), connect_timeout=CONNECT_TIMEOUT), outbox=outbox)
    return Ledger(SqliteStore(folder / LEDGER_FILE), outbox=outbox)


def _unavailable(error: LedgerUnavailableError) -> LedgerError:
    """The sentence for a ledger that cannot be reached: the store's own when it has one (the
    server refused the login, did not answer in time ...), else the general one."""
    if isinstance(error, LedgerError):
        return LedgerError(error.message_key, **error.params)
    return LedgerError("ledger.unavailable")
