"""The hash chain: each entry's hash covers its whole canonical content, which includes its
position (`id`) and the previous entry's hash. Changing, removing, inserting or moving any
stored entry therefore breaks the chain at that entry or the one after it, and `verify`
names the first entry that does not match. (Appending a correctly sealed entry at the end
cannot be told from a real one; the head hash printed on a stamped export pins the history
up to that point.)
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields, replace
from datetime import UTC, datetime
from typing import Any, cast

from ndnclient.ledger.entries import GENESIS_HASH, KINDS, Entry, Kind

_TIME_FIELDS = frozenset({"time", "due"})
_CONTENT_FIELDS = tuple(f.name for f in fields(Entry) if f.name != "hash")


def iso_utc(moment: datetime) -> str:
    """The one text form of a time in the ledger: ISO-8601 in UTC with microseconds, so that
    the same moment always gives the same bytes and texts sort in time order."""
    if moment.tzinfo is None:
        raise ValueError("ledger times must be timezone-aware")
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def _content(entry: Entry) -> dict[str, Any]:
    content: dict[str, Any] = {}
    for name in _CONTENT_FIELDS:
        value = getattr(entry, name)
        if name in _TIME_FIELDS and value is not None:
            value = iso_utc(value)
        elif name == "fields":
            value = dict(sorted(value.items()))
        content[name] = value
    return content


def canonical(entry: Entry) -> bytes:
    """JSON with sorted keys, UTF-8, no spaces: every field except `hash`."""
    return json.dumps(
        _content(entry), sort_keys=True, ensure_ascii=False, separators=(",", ":")
    ).encode("utf-8")


def entry_hash(entry: Entry) -> str:
    return hashlib.sha256(canonical(entry)).hexdigest()


def seal(entry: Entry, previous: Entry | None, id: int) -> Entry:
    """The entry at chain position `id`, linked to `previous` and hashed."""
    linked = replace(entry, id=id, prev_hash=previous.hash if previous else GENESIS_HASH, hash="")
    return replace(linked, hash=entry_hash(linked))


def parse(body: str | bytes) -> Entry:
    """The entry whose canonical form is `body` (without its hash). Raises ValueError when
    `body` is not exactly such a form: a stored row must be byte for byte what was sealed."""
    raw = json.loads(body)
    if not isinstance(raw, dict) or set(raw) != set(_CONTENT_FIELDS):
        raise ValueError("not an entry")
    values: dict[str, Any] = {}
    for name in _CONTENT_FIELDS:
        value = raw[name]
        if name in _TIME_FIELDS and value is not None:
            value = datetime.fromisoformat(value)
        elif name == "fields" and not (
            isinstance(value, dict) and all(isinstance(v, str) for v in value.values())
        ):
            raise ValueError("fields is not a mapping of texts")
        values[name] = value
    if values["kind"] not in KINDS:
        raise ValueError("unknown kind")
    entry = Entry(**values)
    expected = body.encode("utf-8") if isinstance(body, str) else body
    if canonical(entry) != expected:
        raise ValueError("not in canonical form")
    return entry


def from_row(
    *, id: int, kind: str, time: str, card_number: str, body: str, prev_hash: str, hash: str
) -> Entry:
    """The entry a stored row holds. The columns beside `body` exist for indexes; when a
    column and the body disagree, or the body is not exactly a canonical entry, the row is
    damaged, and the entry comes back with an empty hash, which `verify` reports as broken."""
    try:
        entry = parse(body)
    except (ValueError, TypeError):
        entry = None
    if (
        entry is not None
        and entry.id == id
        and entry.kind == kind
        and iso_utc(entry.time) == time
        and entry.card_number == card_number
        and entry.prev_hash == prev_hash
    ):
        return replace(entry, hash=hash)
    return Entry(
        kind=cast(Kind, kind) if kind in KINDS else "correction",
        time=_time_or_epoch(time),
        card_number=card_number,
        id=id,
        prev_hash=prev_hash,
        hash="",
    )


def _time_or_epoch(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return datetime.fromtimestamp(0, UTC)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@dataclass(frozen=True)
class VerifyResult:
    intact: bool
    entries: int  # how many entries were read
    first_broken: int | None  # id of the first entry that does not match
    head: str  # the last entry's stored hash (GENESIS_HASH for an empty ledger)

    def as_json(self) -> Mapping[str, Any]:
        return {
            "intact": self.intact,
            "entries": self.entries,
            "first_broken": self.first_broken,
            "head": self.head,
        }


def verify(entries: Iterable[Entry]) -> VerifyResult:
    """Recompute the chain: the first entry whose position (ids 1..N, consecutive), link to
    the previous entry's stored hash, or own hash does not match is named. Streams: memory
    does not grow with the ledger."""
    count = 0
    previous_hash = GENESIS_HASH
    first_broken: int | None = None
    for entry in entries:
        count += 1
        if first_broken is None and (
            entry.id != count
            or entry.prev_hash != previous_hash
            or not entry.hash
            or entry_hash(entry) != entry.hash
        ):
            first_broken = entry.id
        previous_hash = entry.hash
    return VerifyResult(
        intact=first_broken is None, entries=count, first_broken=first_broken, head=previous_hash
    )


# A stored row as both stores keep it: id, kind, time, card_number, body, prev_hash, hash.
Row = tuple[int, str, str, str, str, str, str]


def verify_rows(rows: Iterable[Row]) -> VerifyResult:
    """`verify` over stored rows, without building entries (a 100,000-entry chain in under a
    second). The same proof: each row's hash is the SHA-256 of its body (the canonical form
    that was sealed), its id is its position, its prev_hash is the previous row's hash, and
    the columns kept beside the body for the indexes say what the body says."""
    count = 0
    previous_hash = GENESIS_HASH
    first_broken: int | None = None
    for id_, kind, time, card_number, body, prev_hash, hash_ in rows:
        count += 1
        if first_broken is None and not _row_holds(
            count, previous_hash, (id_, kind, time, card_number, body, prev_hash, hash_)
        ):
            first_broken = id_
        previous_hash = hash_
    return VerifyResult(
        intact=first_broken is None, entries=count, first_broken=first_broken, head=previous_hash
    )


def _row_holds(position: int, previous_hash: str, row: Row) -> bool:
    id_, kind, time, card_number, body, prev_hash, hash_ = row
    if id_ != position or prev_hash != previous_hash or not hash_:
        return False
    if hashlib.sha256(body.encode("utf-8")).hexdigest() != hash_:
        return False
    try:
        content = json.loads(body)
    except ValueError:
        return False
    return isinstance(content, dict) and (
        content.get("id"),
        content.get("kind"),
        content.get("time"),
        content.get("card_number"),
        content.get("prev_hash"),
    ) == (id_, kind, time, card_number, prev_hash)
