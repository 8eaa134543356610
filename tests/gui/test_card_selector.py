"""Two cards at once in the window (two in-process virtual readers): the card selector, the
PIN page and the signature test act on the chosen card only, and a card swapped behind the
window's back receives nothing."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from pytestqt.qtbot import QtBot

from ndnclient.card.apdu import SECRET_BEARING_INS
from ndnclient.simulator.card import VirtualGoSignCard
from ndnclient.simulator.inprocess import VirtualReaderBackend, VirtualReaderSet
from ndnclient.simulator.state import create_state
from ndnclient.simulator.testca import TestCA
from ndnclient.ui.main_window import MainWindow
from tests.gui.window import start_window

FIRST, SECOND = "内蔵リーダー", "USBリーダー"
OLD, NEW, OTHER = "9392000011110001", "9392000022220002", "9392000033330003"
OLD_SHOWN, NEW_SHOWN = "9392-0000-1111-0001", "9392-0000-2222-0002"


@dataclass
class TwoCards:
    window: MainWindow
    readers: VirtualReaderSet
    sent: dict[str, list[bytes]]  # card number -> PIN-bearing commands it received

    def reader(self, name: str) -> VirtualReaderBackend:
        return self.readers.reader(name)


@pytest.fixture
def make_card(
    shared_ca: TestCA, shared_user_key: rsa.RSAPrivateKey
) -> Callable[[str], tuple[VirtualGoSignCard, list[bytes]]]:
    def make(number: str) -> tuple[VirtualGoSignCard, list[bytes]]:
        state = create_state(
            card_number=number,
            holder="電子 太郎",
            ca=shared_ca,
            user_key=shared_user_key,
            kdf_iterations=1000,
        )
        card = VirtualGoSignCard(state)
        sent: list[bytes] = []
        original = card.process_apdu

        def spy(apdu: bytes | bytearray) -> bytes:
            if apdu[1] in SECRET_BEARING_INS and len(apdu) > 4:
                sent.append(bytes(apdu))
            return original(apdu)

        card.process_apdu = spy  # type: ignore[method-assign]
        return card, sent

    return make


@pytest.fixture
def two_cards(
    qtbot: QtBot,
    tmp_path: Path,
    make_card: Callable[[str], tuple[VirtualGoSignCard, list[bytes]]],
) -> Iterator[TwoCards]:
    (old, old_sent), (new, new_sent) = make_card(OLD), make_card(NEW)
    readers = VirtualReaderSet([(old, FIRST), (new, SECOND)])
    app, window, _ = start_window(qtbot, tmp_path, lambda: readers)
    yield TwoCards(window, readers, {OLD: old_sent, NEW: new_sent})
    app.stop()


def choose(qtbot: QtBot, window: MainWindow, number_shown: str) -> None:
    """Choose a card in the selector, as a user does."""
    combo = window.card_selector.combo
    qtbot.waitUntil(lambda: window.card_selector.isVisible(), timeout=5000)
    index = next(i for i in range(combo.count()) if number_shown in combo.itemText(i))
    combo.setCurrentIndex(index)
    combo.activated.emit(index)


def test_the_selector_asks_and_nothing_acts_until_a_card_is_chosen(
    qtbot: QtBot, two_cards: TwoCards
) -> None:
    window = two_cards.window
    selector = window.card_selector
    qtbot.waitUntil(lambda: selector.isVisible() and selector.combo.count() == 3, timeout=5000)
    assert selector.combo.currentData() is None
    assert [selector.combo.itemText(i).split()[0] for i in (1, 2)] == [OLD_SHOWN, NEW_SHOWN]
    assert SECOND in selector.combo.itemText(2)
    assert "2枚" in selector.banner.text.text()
    # What to do is said once, by the selector's banner; home says only what is there.
    assert "選んで" in selector.banner.text.text()
    assert window.home.verdict.text() == "ℹ カードが2枚差し込まれています。"
    assert "選んで" in window.card_state.text()
    window.show_page("pin")
    page = window.pin
    qtbot.waitUntil(lambda: "2枚" in page.tries_banner.text.text(), timeout=5000)
    assert not page.verify_pin.isEnabled()
    assert not page.unlock_code.isEnabled()
    window.show_page("check")
    window.check.signature.checkbox.setChecked(True)
    qtbot.waitUntil(lambda: "2枚" in window.check.signature.tries.text(), timeout=5000)
    assert not window.check.signature.pin.isEnabled()


def test_the_pin_goes_only_to_the_chosen_card(qtbot: QtBot, two_cards: TwoCards) -> None:
    window, page = two_cards.window, two_cards.window.pin
    choose(qtbot, window, NEW_SHOWN)
    window.show_page("pin")
    qtbot.waitUntil(lambda: NEW_SHOWN in page.target_card.text(), timeout=5000)
    assert SECOND in page.target_card.text()
    assert "電子 太郎" in page.target_card.text()
    qtbot.waitUntil(page.verify_pin.isEnabled, timeout=5000)
    assert not window.card_selector.banner.isVisible()  # chosen: nothing left to ask
    page.verify_pin.setText("1234")
    page.verify_form.button.click()
    qtbot.waitUntil(lambda: not page.busy and page.result.isVisible(), timeout=5000)
    assert page.result.kind == "ok"
    assert len(two_cards.sent[NEW]) == 1
    assert two_cards.sent[OLD] == []
    # Home shows the chosen card too.
    assert window.home.card_number.text() == NEW_SHOWN


def test_a_card_swapped_behind_the_windows_back_receives_nothing(
    qtbot: QtBot,
    two_cards: TwoCards,
    make_card: Callable[[str], tuple[VirtualGoSignCard, list[bytes]]],
) -> None:
    """The tries of the chosen card are shown; before the submit, the card in that reader is
    swapped so fast that the window hears nothing of it (same ATR, one lock). The submit
    reaches the new card's reader, compares the number inside the transaction, and sends
    nothing."""
    window, page = two_cards.window, two_cards.window.pin
    choose(qtbot, window, NEW_SHOWN)
    window.show_page("pin")
    qtbot.waitUntil(page.verify_pin.isEnabled, timeout=5000)
    qtbot.waitUntil(lambda: NEW_SHOWN in page.target_card.text(), timeout=5000)
    stranger, stranger_sent = make_card(OTHER)
    reader = two_cards.reader(SECOND)
    with two_cards.readers._condition:  # no reader event in between: the window cannot know
        reader.remove()
        reader.insert(stranger)
    page.verify_pin.setText("1234")
    page.verify_form.button.click()
    qtbot.waitUntil(lambda: not page.busy and page.result.isVisible(), timeout=5000)
    assert stranger_sent == []
    assert two_cards.sent[NEW] == []
    assert two_cards.sent[OLD] == []
    assert "差し替え" in page.result.text.text()
    assert "9392-0000-3333-0003" in page.result.text.text()
    # The chosen card is gone and two others are in: the window asks again.
    selector = window.card_selector
    qtbot.waitUntil(lambda: selector.combo.currentData() is None, timeout=5000)
    assert "9392-0000-3333-0003" in selector.combo.itemText(2)
    qtbot.waitUntil(lambda: "2枚" in page.tries_banner.text.text(), timeout=5000)
    assert not page.verify_pin.isEnabled()


def test_typed_input_goes_when_the_card_changes(qtbot: QtBot, two_cards: TwoCards) -> None:
    window, page = two_cards.window, two_cards.window.pin
    choose(qtbot, window, NEW_SHOWN)
    window.show_page("pin")
    qtbot.waitUntil(page.verify_pin.isEnabled, timeout=5000)
    page.verify_pin.setText("1234")
    two_cards.reader(SECOND).remove()  # the chosen card is pulled: the old one is left
    qtbot.waitUntil(lambda: OLD_SHOWN in page.target_card.text(), timeout=5000)
    assert page.verify_pin.text() == ""
    assert "入力した内容を消しました" in page.result.text.text()
    assert not window.card_selector.isVisible()  # one card: nothing to choose
    # Back in, the card chosen before is the one in use again.
    two_cards.reader(SECOND).insert()
    qtbot.waitUntil(lambda: NEW_SHOWN in page.target_card.text(), timeout=5000)


def test_the_signature_test_signs_with_the_chosen_card_only(
    qtbot: QtBot, two_cards: TwoCards
) -> None:
    window, page = two_cards.window, two_cards.window.check
    choose(qtbot, window, OLD_SHOWN)
    window.show_page("check")
    page.signature.checkbox.setChecked(True)
    qtbot.waitUntil(page.signature.pin.isEnabled, timeout=5000)
    assert OLD_SHOWN in page.signature.card.text()
    assert FIRST in page.signature.card.text()
    page.signature.pin.setText("1234")
    before = page._last_run_id
    page.start()
    qtbot.waitUntil(lambda: page._last_run_id > before and not page.running, timeout=20000)
    assert page.run is not None
    assert page.run.results["G14"].outcome == "ok"
    assert len(two_cards.sent[OLD]) == 1
    assert two_cards.sent[NEW] == []
    assert page.report is not None
    assert page.report.card_number == OLD_SHOWN
    assert page.report.other_cards == [NEW_SHOWN]
    g02 = page.run.results["G02"]
    assert NEW_SHOWN in g02.detail
    assert g02.facts["others"][0]["card_number"] == NEW


def test_the_check_without_a_choice_examines_one_and_notes_the_other(
    qtbot: QtBot, two_cards: TwoCards
) -> None:
    page = two_cards.window.check
    qtbot.waitUntil(lambda: two_cards.window.card_selector.isVisible(), timeout=5000)
    page.start()
    qtbot.waitUntil(lambda: page.report is not None and not page.running, timeout=20000)
    assert page.report is not None
    assert page.report.card_number == OLD_SHOWN
    assert page.report.other_cards == [NEW_SHOWN]
    assert OLD_SHOWN in page.examined.text()
    assert NEW_SHOWN in page.examined.text()
    assert f"{NEW_SHOWN}" in page.helpdesk_text()
    assert page.run is not None
    assert "G14" not in page.run.results
    assert two_cards.sent[OLD] == []
    assert two_cards.sent[NEW] == []
