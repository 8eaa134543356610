"""The window's PIN page and the lending ledger: a PIN sent from the page writes exactly one
`use` entry (from the card thread, through the PIN gate's hook the application installs),
and the IT policy `ledger.require_lending` refuses a card that is not lent out, with its
sentence on the page, before anything is sent."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from ndnclient.card import pin_events
from ndnclient.ledger.entries import Entry
from ndnclient.ledger.sqlite_store import LEDGER_FILE, SqliteStore, data_dir
from ndnclient.settings.policy import Policy
from tests.gui.test_pin_page import banner_text, open_pin_page, spy_pin_commands, submit

CANARY_PIN = "Qz7CanaryPin9"  # found nowhere else by chance (the card number holds 1234)


def ledger_entries() -> list[Entry]:
    path = data_dir() / LEDGER_FILE
    if not path.exists():
        return []
    store = SqliteStore(path)
    try:
        return list(store.all_entries())
    finally:
        store.close()


def test_a_verify_on_the_page_writes_one_use_entry(
    qtbot: QtBot, gui: Callable[..., Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NDNCLIENT_DATA_DIR", str(tmp_path / "data"))
    started = gui(lang="en", pin=CANARY_PIN.encode())
    page = open_pin_page(qtbot, started, "10 of 10")
    submit(qtbot, page, page.verify_form.button, (page.verify_pin, CANARY_PIN))
    qtbot.waitUntil(lambda: len(ledger_entries()) == 1, timeout=3000)
    (use,) = ledger_entries()
    assert (use.kind, use.operation, use.result, use.tries_left) == ("use", "pin_verify", "ok", 10)
    assert use.lending_id is None  # not lent out: recorded with that fact
    for name in (LEDGER_FILE, f"{LEDGER_FILE}-wal"):
        if (data_dir() / name).exists():
            assert CANARY_PIN.encode() not in (data_dir() / name).read_bytes()
    started.app.stop()
    assert pin_events._observers == ()  # the application removed its hook when it stopped


def test_require_lending_refuses_on_the_page_and_sends_nothing(
    qtbot: QtBot, gui: Callable[..., Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NDNCLIENT_DATA_DIR", str(tmp_path / "data"))
    policy = Policy(
        presets={"ledger.require_lending": True}, locked=frozenset({"ledger.require_lending"})
    )
    started = gui(lang="ja", policy=policy, pin_tries_left=6)
    page = started.window.pin
    started.window.show_page("pin")
    qtbot.waitUntil(lambda: page.pin_tries.text() == "PINの残り回数: 6回（最大10回）", timeout=3000)
    sent = spy_pin_commands(started.reader, monkeypatch)
    submit(qtbot, page, page.verify_form.button, (page.verify_pin, "1234"))
    assert sent == []
    assert started.reader.card.state.pin_tries_left == 6
    assert "貸し出されていない" in banner_text(page)
    (use,) = ledger_entries()
    assert (use.operation, use.result) == ("pin_verify", "not_sent")
