"""A hostile certificate in the window: the home page still shows the card, with a sentence
for its certificate; the certificate viewer says in one sentence what it cannot read, and
does not read a file too large to be a certificate."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from pytestqt.qtbot import QtBot

from ndnclient.messages import Messages
from ndnclient.ui.pages.cert_tools import CertToolsPage
from tests.fuzzing import der as tree

Start = Callable[..., Any]
JA, EN = Messages("ja"), Messages("en")


def with_cn_as_bit_string(started: Any) -> bytes:
    """The card's certificate with its names' CN re-tagged as BIT STRING, signed again."""
    state = started.reader.card.state
    top = tree.parse(state.user_certificate_der)
    for value in tree.name_values(top, tree.COMMON_NAME):
        value.tag = tree.BIT_STRING
    return tree.sign_again(top, state.test_ca().key)


def viewer_of(started: Any) -> Any:
    started.window.show_page("cert_tools")
    tools: CertToolsPage = started.window.cert_tools
    return tools.viewer


def test_the_home_page_shows_the_card_and_a_sentence_for_its_certificate(
    qtbot: QtBot, gui: Start
) -> None:
    started = gui(lang="en", card_number="1111222233334444", pin_tries_left=4)
    home, reader = started.window.home, started.reader
    qtbot.waitUntil(lambda: home.card_number.text() == "1111-2222-3333-4444", timeout=3000)
    reader.remove()
    # The window must see the card go: a pull and a push between two looks of the card thread
    # leave the reader as it was (CI once checked in between).
    qtbot.waitUntil(lambda: home.card_type.text() == "no card", timeout=5000)
    reader.card.state.user_certificate_der = with_cn_as_bit_string(started)
    reader.insert()
    sentence = EN.text("card.bad_certificate")
    qtbot.waitUntil(lambda: sentence in home.problem.text.text(), timeout=5000)
    assert home.card_number.text() == "1111-2222-3333-4444"
    assert home.pin_tries.text() == "4 of 10"
    assert "cannot be used" in home.verdict.text()
    assert "unexpected" not in home.problem.text.text()


def test_the_viewer_says_what_it_cannot_read(qtbot: QtBot, gui: Start, tmp_path: Path) -> None:
    started = gui()
    viewer = viewer_of(started)
    hostile = tmp_path / "hostile.crt"
    hostile.write_bytes(with_cn_as_bit_string(started))
    viewer.path.setText(str(hostile))
    viewer.show_button.click()
    qtbot.waitUntil(lambda: viewer.banner.kind == "error", timeout=5000)
    assert viewer.banner.text.text().startswith(JA.text("cert.unreadable"))
    assert viewer.text.toPlainText() == ""

    big = tmp_path / "big.pem"
    big.write_bytes(b"0" * (5 * 1024 * 1024))
    viewer.path.setText(str(big))
    viewer.banner.hide()
    viewer.show_button.click()
    qtbot.waitUntil(lambda: "大きすぎる" in viewer.banner.text.text(), timeout=5000)


def test_the_viewer_with_the_cards_hostile_certificate(qtbot: QtBot, gui: Start) -> None:
    started = gui()
    started.reader.card.state.user_certificate_der = with_cn_as_bit_string(started)
    viewer = viewer_of(started)
    viewer.card_button.click()
    qtbot.waitUntil(lambda: viewer.banner.kind == "error", timeout=5000)
    assert viewer.banner.text.text().startswith(JA.text("card.bad_certificate"))
    assert viewer.card_button.isEnabled()
