"""The ledger's hash chain (ndnclient/ledger/chain.py) and the append-only rule."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from ndnclient.ledger.chain import canonical, entry_hash, parse, seal, verify
from ndnclient.ledger.entries import GENESIS_HASH, Entry

T0 = datetime(2025, 4, 1, 0, 30, tzinfo=UTC)
CARD = "9200000099990001"


def chain_of(count: int) -> list[Entry]:
    entries: list[Entry] = []
    for number in range(count):
        draft = Entry(
            kind="use",
            time=T0 + timedelta(minutes=number),
            card_number=CARD,
            operation="pin_verify",
            result="ok",
            tries_left=3,
            pc="PC-01",
            os_user="山田",
        )
        entries.append(seal(draft, entries[-1] if entries else None, number + 1))
    return entries


def test_canonical_form_is_sorted_compact_utf8_without_the_hash() -> None:
    entry = seal(Entry(kind="lend", time=T0, card_number=CARD, user="山田 花子"), None, 1)
    text = canonical(entry).decode("utf-8")
    assert '"user":"山田 花子"' in text  # UTF-8, not \\u escapes
    assert ", " not in text
    assert ": " not in text
    assert '"time":"2025-04-01T00:30:00.000000+00:00"' in text
    assert '"hash"' not in text
    assert '"prev_hash":"' + GENESIS_HASH + '"' in text
    keys = re.findall(r'"([a-z_0-9]+)":', text)
    top_level = [key for key in keys if key in Entry.__dataclass_fields__]
    assert top_level == sorted(top_level)
    assert parse(canonical(entry)) == replace(entry, hash="")


def test_japan_time_gives_the_same_canonical_time_as_utc() -> None:
    japan = T0.astimezone(__import__("zoneinfo").ZoneInfo("Asia/Tokyo"))
    a = Entry(kind="lend", time=T0, card_number=CARD)
    assert canonical(a) == canonical(replace(a, time=japan))


def test_an_intact_chain_verifies_and_reports_its_head() -> None:
    entries = chain_of(5)
    result = verify(entries)
    assert result.intact
    assert result.entries == 5
    assert result.first_broken is None
    assert result.head == entries[-1].hash
    assert verify([]).head == GENESIS_HASH
    assert verify([]).intact


@pytest.mark.parametrize("position", range(5))
def test_a_changed_field_names_that_entry(position: int) -> None:
    entries = chain_of(5)
    entries[position] = replace(entries[position], tries_left=2)
    assert verify(entries).first_broken == position + 1


def test_a_recomputed_hash_breaks_the_link_of_the_next_entry() -> None:
    entries = chain_of(5)
    forged = replace(entries[1], result="wrong", hash="")
    entries[1] = replace(forged, hash=entry_hash(forged))
    assert verify(entries).first_broken == 3


def test_deleted_inserted_and_reordered_entries_are_named() -> None:
    entries = chain_of(5)
    assert verify(entries[:2] + entries[3:]).first_broken == 4
    extra = seal(Entry(kind="use", time=T0, card_number=CARD), entries[1], 3)
    assert verify([*entries[:2], extra, *entries[2:]]).first_broken == 3
    swapped = [entries[0], entries[2], entries[1], *entries[3:]]
    assert verify(swapped).first_broken == 3
    assert verify(entries[1:]).first_broken == 2  # the first one removed


def test_an_unsealed_entry_is_broken() -> None:
    entries = chain_of(2)
    entries[1] = replace(entries[1], hash="")
    assert verify(entries).first_broken == 2


def test_parse_refuses_a_body_that_is_not_exactly_canonical() -> None:
    body = canonical(chain_of(1)[0]).decode("utf-8")
    with pytest.raises(ValueError, match="canonical"):
        parse(body.replace(",", ", ", 1))
    with pytest.raises(ValueError, match="not an entry"):
        parse(body.replace('"pc"', '"pin"'))


# Statements that would change or remove a stored entry. The ledger only ever inserts.
_CHANGING = re.compile(r"\b(UPDATE|DELETE|REPLACE\s+INTO|TRUNCATE|DROP)\b")


def changing_statements(source: str) -> list[str]:
    return _CHANGING.findall(source)


def test_no_update_or_delete_statement_in_the_ledger_package() -> None:
    assert changing_statements("INSERT INTO entries VALUES (?)") == []
    assert changing_statements("x = 'UPDATE entries SET body = ?'") == ["UPDATE"]
    assert changing_statements('"DELETE FROM entries"') == ["DELETE"]
    package = Path(__file__).resolve().parents[2] / "ndnclient" / "ledger"
    sources = sorted(package.glob("*.py"))
    assert len(sources) >= 6
    found = {path.name: changing_statements(path.read_text("utf-8")) for path in sources}
    assert {name: hits for name, hits in found.items() if hits} == {}
