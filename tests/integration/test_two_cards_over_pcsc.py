"""Two GoSign cards at once (the renewal period), through the real pcscd with a virtual card in
each of vpcd's two slots: a PIN only ever goes to the card the user chose."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from ndnclient.card.choice import CardChoice
from ndnclient.card.errors import CardSwappedError
from ndnclient.card.operations import read_counters, run_pin_operation
from ndnclient.card.pcsc import PcscBackend
from ndnclient.card.pin import PinGuard, SecretBuffer
from ndnclient.card.status import today_in_japan
from ndnclient.settings.cards import RegisteredCard
from ndnclient.settings.service import SettingsService
from tests.integration.support import READER, READER_2, PluggedCard, run_cli

Plug = Callable[..., PluggedCard]
pytestmark = pytest.mark.integration

OLD = "9392000011110001"  # the card being renewed
NEW = "9392000022220002"  # its successor, valid from 30 days before the old one ends
OLD_SHOWN, NEW_SHOWN = "9392-0000-1111-0001", "9392-0000-2222-0002"


@pytest.fixture
def two_cards(plug_card: Plug) -> tuple[PluggedCard, PluggedCard]:
    """The old card in the first reader, the renewed one in the second, both valid."""
    today = today_in_japan()
    old = plug_card(
        card_number=OLD,
        holder="電子 太郎",
        valid_from=today - timedelta(days=700),
        valid_to=today + timedelta(days=20),
    )
    new = plug_card(
        slot=1,
        card_number=NEW,
        holder="電子 太郎",
        valid_from=today - timedelta(days=10),
        valid_to=today + timedelta(days=1085),
    )
    return old, new


def register(*cards: PluggedCard) -> None:
    service = SettingsService()
    for card in cards:
        state = card.state
        service.register_card(
            RegisteredCard(state.card_number, state.valid_from, state.valid_to),
            min(today_in_japan(), state.valid_to),
        )


def verify_commands(card: PluggedCard) -> list[bytes]:
    return [apdu for apdu in card.pin_commands_received() if apdu[1] == 0x20]


# --- The command line --------------------------------------------------------------------------


def test_no_choice_sends_no_pin_to_either_card(two_cards: tuple[PluggedCard, ...]) -> None:
    old, new = two_cards
    result = run_cli("pin", "verify", "--pin-stdin", stdin="1234\n")
    assert result.code == 2, result.stderr
    assert OLD_SHOWN in result.stderr
    assert NEW_SHOWN in result.stderr
    assert "--card" in result.stderr
    assert old.pin_commands_received() == []
    assert new.pin_commands_received() == []
    # Nothing was spent either: both counters are full.
    status = run_cli("card", "status", "--json").json()
    assert [c["pin_tries_left"] for c in status["cards"]] == [10, 10]


def test_no_choice_in_json_lists_the_cards(two_cards: tuple[PluggedCard, ...]) -> None:
    old, new = two_cards
    result = run_cli("pin", "verify", "--pin-stdin", "--json", stdin="1234\n")
    assert result.code == 2
    document = result.json()
    assert document["error"]["kind"] == "CardChoiceNeededError"
    assert [c["card_number"] for c in document["cards"]] == [OLD, NEW]
    assert [c["reader"] for c in document["cards"]] == [READER, READER_2]
    assert old.pin_commands_received() == []
    assert new.pin_commands_received() == []


@pytest.mark.parametrize(
    "choice", [("--card", NEW_SHOWN), ("--card", NEW), ("--reader", READER_2)], ids=str
)
def test_a_choice_reaches_only_that_card(
    two_cards: tuple[PluggedCard, ...], choice: tuple[str, str]
) -> None:
    old, new = two_cards
    result = run_cli("pin", "verify", "--pin-stdin", *choice, stdin="1234\n")
    assert result.code == 0, result.stderr
    assert len(verify_commands(new)) == 1
    assert old.pin_commands_received() == []
    # The card is named before the PIN goes out, and in the result.
    assert f"対象のカード: {NEW_SHOWN}" in result.stderr
    assert READER_2 in result.stderr
    assert NEW_SHOWN in result.stdout


def test_a_wrong_pin_spends_only_the_chosen_cards_try(two_cards: tuple[PluggedCard, ...]) -> None:
    _, new = two_cards
    result = run_cli("pin", "verify", "--pin-stdin", "--json", "--card", OLD, stdin="9999\n")
    assert result.code == 1
    assert result.json()["pin_tries_left"] == 9
    status = {c["card_number"]: c for c in run_cli("card", "status", "--json").json()["cards"]}
    assert status[OLD]["pin_tries_left"] == 9
    assert status[NEW]["pin_tries_left"] == 10
    assert new.pin_commands_received() == []


def test_a_choice_that_fits_no_card_sends_nothing(two_cards: tuple[PluggedCard, ...]) -> None:
    old, new = two_cards
    result = run_cli("pin", "verify", "--pin-stdin", "--card", "9392000099990009", stdin="1234\n")
    assert result.code == 1
    assert "9392-0000-9999-0009" in result.stderr
    assert OLD_SHOWN in result.stderr
    assert old.pin_commands_received() == []
    assert new.pin_commands_received() == []


def test_a_reader_part_that_fits_both_is_no_choice(two_cards: tuple[PluggedCard, ...]) -> None:
    old, new = two_cards
    result = run_cli("pin", "verify", "--pin-stdin", "--reader", "Virtual PCD", stdin="1234\n")
    assert result.code == 2
    assert old.pin_commands_received() == []
    assert new.pin_commands_received() == []


def test_the_reader_filter_narrowing_to_one_is_a_choice(
    two_cards: tuple[PluggedCard, ...],
) -> None:
    old, new = two_cards
    result = run_cli(
        "pin", "verify", "--pin-stdin", stdin="1234\n", env={"NDNCLIENT_READER": "PCD 00 00"}
    )
    assert result.code == 0, result.stderr
    assert len(verify_commands(old)) == 1
    assert new.pin_commands_received() == []


def test_the_signature_test_and_smime_need_a_choice(
    two_cards: tuple[PluggedCard, ...], tmp_path: Path
) -> None:
    old, new = two_cards
    check = run_cli("check", "--sign-test", "--only", "G14", "--pin-stdin", stdin="1234\n")
    assert check.code == 2
    assert NEW_SHOWN in check.stderr
    message = tmp_path / "message.txt"
    message.write_text("入札書を送ります。\n", encoding="utf-8")
    signed = tmp_path / "signed.eml"
    smime = run_cli(
        "smime", "sign", "--in", str(message), "--out", str(signed), "--pin-stdin", stdin="1234\n"
    )
    assert smime.code == 2
    assert OLD_SHOWN in smime.stderr
    assert not signed.exists()
    assert old.pin_commands_received() == []
    assert new.pin_commands_received() == []


def test_the_signature_test_on_the_chosen_card(two_cards: tuple[PluggedCard, ...]) -> None:
    old, new = two_cards
    register(old, new)
    result = run_cli(
        "check", "--sign-test", "--only", "G14", "--pin-stdin", "--json", "--card", NEW,
        stdin="1234\n",
    )  # fmt: skip
    assert result.code == 0, result.stderr
    document = result.json()
    g14 = next(r for r in document["results"] if r["code"] == "G14")
    assert g14["status"] == "ok"
    assert document["card_number"] == NEW_SHOWN
    assert document["other_cards"] == [OLD_SHOWN]
    assert len(verify_commands(new)) == 1
    assert old.pin_commands_received() == []


def test_card_status_lists_both_cards(two_cards: tuple[PluggedCard, ...]) -> None:
    old, new = two_cards
    register(old, new)
    result = run_cli("card", "status", "--json")
    assert result.code == 0, result.stderr
    status = result.json()
    assert status["choice_needed"] is True
    cards = status["cards"]
    assert [c["card_number"] for c in cards] == [OLD, NEW]
    assert [c["reader"] for c in cards] == [READER, READER_2]
    for card in cards:
        assert card["card_type"] == "gosign"
        assert card["registered"] is True
        assert card["holder"] == "電子 太郎"
        assert (card["pin_tries_left"], card["unlock_tries_left"]) == (10, 10)
    assert cards[1]["valid_to"] == (today_in_japan() + timedelta(days=1085)).isoformat()
    # The top-level fields stay: with --card they describe the card named.
    chosen = run_cli("card", "status", "--json", "--card", NEW).json()
    assert chosen["card_number"] == NEW
    assert chosen["choice_needed"] is False
    text = run_cli("card", "status")
    assert OLD_SHOWN in text.stdout
    assert NEW_SHOWN in text.stdout
    assert "2枚" in text.stdout
    assert "--card" in text.stdout


def test_register_and_cert_name_their_card(two_cards: tuple[PluggedCard, ...]) -> None:
    """Which card would be meant is unclear, so these ask for a choice too."""
    assert run_cli("card", "register").code == 2
    assert run_cli("card", "cert", "--pem").code == 2
    assert run_cli("cert", "show", "--card").code == 2
    registered = run_cli("card", "register", "--json", "--card", NEW)
    assert registered.code == 0, registered.stderr
    assert registered.json()["registered"]["card_number"] == NEW
    shown = run_cli("cert", "show", "--card", NEW_SHOWN, "--json")
    assert shown.code == 0, shown.stderr
    assert NEW in shown.stdout  # the certificate's serialNumber names the card


def test_one_card_is_used_without_a_choice(plug_card: Plug) -> None:
    card = plug_card(slot=1, card_number=NEW)
    result = run_cli("pin", "verify", "--pin-stdin", "--json", stdin="1234\n")
    assert result.code == 0, result.stderr
    assert result.json()["card"] == {
        "reader": READER_2,
        "card_number": NEW,
        "card_number_display": NEW_SHOWN,
        "holder": card.state.holder,
    }
    status = run_cli("card", "status", "--json").json()
    assert status["choice_needed"] is False
    assert len(status["cards"]) == 1


def test_the_check_says_which_card_it_examined(two_cards: tuple[PluggedCard, ...]) -> None:
    old, new = two_cards
    register(old, new)
    result = run_cli("check", "--only", "G02", "G03", "G06", "--json")
    document = result.json()
    g02 = next(r for r in document["results"] if r["code"] == "G02")
    assert g02["status"] == "ok"
    assert [o["card_number"] for o in g02["facts"]["others"]] == [NEW]
    assert OLD_SHOWN in g02["detail"]
    assert NEW_SHOWN in g02["detail"]
    assert "登録済み" in g02["detail"]
    assert "切り替え期間" in g02["detail"]
    g06 = next(r for r in document["results"] if r["code"] == "G06")
    assert g06["status"] == "ok"
    assert document["card_number"] == OLD_SHOWN
    assert document["other_cards"] == [NEW_SHOWN]
    chosen = run_cli("check", "--only", "G03", "--json", "--card", NEW).json()
    assert chosen["card_number"] == NEW_SHOWN
    assert chosen["other_cards"] == [OLD_SHOWN]
    assert old.pin_commands_received() == []
    assert new.pin_commands_received() == []


# --- A card swapped between the count and the submit ------------------------------------------


@pytest.fixture
def backend() -> Iterator[PcscBackend]:
    pcsc = PcscBackend()
    yield pcsc
    pcsc.close()


def test_a_card_swapped_after_the_count_receives_nothing(
    plug_card: Plug, backend: PcscBackend
) -> None:
    """The user sees card A's tries in the first reader; A is pulled and B put in its place
    before the PIN is submitted: nothing goes to B (its number is compared inside the
    transaction that would send the PIN)."""
    first = plug_card(card_number=OLD)
    counters = read_counters(backend)
    assert counters.card_number == OLD
    assert counters.reader == READER
    first.pull()
    second = plug_card(card_number=NEW)
    with SecretBuffer(b"1234") as pin:
        outcome = run_pin_operation(
            backend,
            lambda guard: guard.verify(pin),
            [],
            choice=CardChoice(reader=counters.reader),
            expected_card_number=counters.card_number,
        )
    assert isinstance(outcome.error, CardSwappedError)
    assert second.pin_commands_received() == []
    assert first.pin_commands_received() == []
    # The counters afterwards are the new card's, so the window shows what is in the reader.
    assert outcome.counters.card_number == NEW
    assert outcome.counters.pin is not None
    assert outcome.counters.pin.tries_left == 10


def test_the_guard_compares_the_number_inside_the_transaction(
    plug_card: Plug, backend: PcscBackend
) -> None:
    card = plug_card(card_number=OLD)
    from ndnclient.card.access import open_gosign_session

    session = open_gosign_session(backend)
    try:
        guard = PinGuard(session, expected_card_number=NEW)
        with SecretBuffer(b"1234") as pin, pytest.raises(CardSwappedError):
            guard.verify(pin)
    finally:
        session.connection.close(reset=True)
    assert card.pin_commands_received() == []


# --- The window --------------------------------------------------------------------------------


def test_the_window_asks_which_card_and_sends_only_to_it(
    two_cards: tuple[PluggedCard, ...], qtbot: object, tmp_path: Path
) -> None:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from pytestqt.qtbot import QtBot

    from tests.gui.window import start_window

    assert isinstance(qtbot, QtBot)
    old, new = two_cards
    app, window, _ = start_window(qtbot, tmp_path, PcscBackend)
    try:
        selector, pin_page = window.card_selector, window.pin
        # Two cards: the selector appears, asks, and no page acts on either card yet.
        qtbot.waitUntil(
            lambda: selector.isVisible() and selector.combo.count() == 3, timeout=10_000
        )
        assert selector.combo.currentData() is None  # "choose the card to use…"
        assert NEW_SHOWN in selector.combo.itemText(2)
        assert READER_2 in selector.combo.itemText(2)
        window.show_page("pin")
        qtbot.waitUntil(lambda: "2枚" in pin_page.tries_banner.text.text(), timeout=10_000)
        assert not pin_page.verify_pin.isEnabled()
        assert not pin_page.verify_form.button.isEnabled()
        assert "選んで" in selector.banner.text.text()  # said once, above every page
        assert "2枚" in window.home.verdict.text()

        # The user chooses the second card: the PIN page names it and opens its entry.
        selector.combo.setCurrentIndex(2)
        selector.combo.activated.emit(2)
        qtbot.waitUntil(lambda: NEW_SHOWN in pin_page.target_card.text(), timeout=10_000)
        assert READER_2 in pin_page.target_card.text()
        qtbot.waitUntil(pin_page.verify_pin.isEnabled, timeout=10_000)
        assert NEW_SHOWN in window.home.card_number.text()

        pin_page.verify_pin.setText("1234")
        pin_page.verify_form.button.click()
        qtbot.waitUntil(lambda: not pin_page.busy and pin_page.result.isVisible(), timeout=10_000)
        assert "正しい" in pin_page.result.text.text()
        assert len(verify_commands(new)) == 1
        assert old.pin_commands_received() == []

        # The chosen card is pulled while a PIN is typed for it: what was typed goes, and the
        # other card (now the only one) is named instead; nothing is sent.
        pin_page.verify_pin.setText("1234")
        new.pull()
        qtbot.waitUntil(lambda: OLD_SHOWN in pin_page.target_card.text(), timeout=10_000)
        assert pin_page.verify_pin.text() == ""
        assert old.pin_commands_received() == []
        assert not selector.isVisible()
    finally:
        app.stop()
