"""The command line with two cards in two in-process readers: PIN commands refuse to guess,
name their card, and reach only the card chosen (the same through pcscd in
tests/integration/test_two_cards_over_pcsc.py)."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from ndnclient import cli
from ndnclient.card.apdu import SECRET_BEARING_INS
from ndnclient.simulator.card import VirtualGoSignCard
from ndnclient.simulator.inprocess import VirtualReaderSet
from ndnclient.simulator.state import create_state
from ndnclient.simulator.testca import TestCA
from tests.console import ScriptedConsole

A, B = "9392000011110001", "9392000022220002"
A_SHOWN, B_SHOWN = "9392-0000-1111-0001", "9392-0000-2222-0002"
Sent = dict[str, list[bytes]]


@dataclass
class TwoCards:
    readers: VirtualReaderSet
    sent: Sent  # what each card received that carried a PIN, by card number

    def run(self, stdin: str, *args: str) -> int:
        return cli.main(
            list(args),
            backend_factory=lambda: self.readers,
            console=ScriptedConsole(stdin=stdin),
        )


@pytest.fixture
def two_cards(
    shared_ca: TestCA, shared_user_key: rsa.RSAPrivateKey, monkeypatch: pytest.MonkeyPatch
) -> TwoCards:
    """Card A in "Reader A", card B in "Reader B"."""
    sent: Sent = {A: [], B: []}
    cards = []
    for number in (A, B):
        state = create_state(
            card_number=number, ca=shared_ca, user_key=shared_user_key, kdf_iterations=1000
        )
        card = VirtualGoSignCard(state)
        monkeypatch.setattr(card, "process_apdu", spying(card.process_apdu, sent[number]))
        cards.append(card)
    readers = VirtualReaderSet([(cards[0], "Reader A"), (cards[1], "Reader B")])
    readers.close = lambda: None  # type: ignore[method-assign]
    monkeypatch.delenv("NDNCLIENT_READER", raising=False)
    return TwoCards(readers, sent)


def spying(
    process: Callable[[bytes | bytearray], bytes], into: list[bytes]
) -> Callable[[bytes | bytearray], bytes]:
    """The card's APDU handler, noting every command that carried a PIN or code."""

    def spy(apdu: bytes | bytearray) -> bytes:
        if apdu[1] in SECRET_BEARING_INS and len(apdu) > 4:
            into.append(bytes(apdu))
        return process(apdu)

    return spy


def test_no_choice_exits_2_and_lists_the_cards(
    two_cards: TwoCards, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert two_cards.run("1234\n", "pin", "verify", "--pin-stdin", "--json") == 2
    out = capsys.readouterr()
    document = json.loads(out.out)
    assert [c["card_number"] for c in document["cards"]] == [A, B]
    assert [c["reader"] for c in document["cards"]] == ["Reader A", "Reader B"]
    assert A_SHOWN in out.err
    assert B_SHOWN in out.err
    assert "--card" in out.err
    assert two_cards.sent == {A: [], B: []}


@pytest.mark.parametrize(
    "choice", [["--card", B_SHOWN], ["--reader", "Reader B"], ["--reader", "reader b"]], ids=str
)
def test_a_choice_reaches_that_card_only(
    two_cards: TwoCards,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    choice: list[str],
) -> None:
    assert two_cards.run("1234\n", "pin", "verify", "--pin-stdin", *choice) == 0
    out = capsys.readouterr()
    assert f"対象のカード: {B_SHOWN}" in out.err
    assert "Reader B" in out.err
    assert B_SHOWN in out.out
    assert (len(two_cards.sent[B]), two_cards.sent[A]) == (1, [])


def test_a_choice_outside_the_reader_filter_says_so(
    two_cards: TwoCards, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("NDNCLIENT_READER", "Reader A")
    assert two_cards.run("1234\n", "pin", "verify", "--pin-stdin", "--card", B) == 1
    err = capsys.readouterr().err
    assert "NDNCLIENT_READER" in err
    assert B_SHOWN in err
    assert two_cards.sent == {A: [], B: []}


def test_the_reader_filter_alone_can_choose(
    two_cards: TwoCards, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NDNCLIENT_READER", "Reader A")
    assert two_cards.run("1234\n", "pin", "verify", "--pin-stdin") == 0
    assert (len(two_cards.sent[A]), two_cards.sent[B]) == (1, [])


@pytest.mark.parametrize(
    "command",
    [
        ["check", "--sign-test", "--only", "G14", "--pin-stdin"],
        ["pin", "change", "--pin-stdin"],
        ["pin", "unlock", "--pin-stdin"],
        ["card", "register"],
        ["card", "cert"],
        ["cert", "show", "--card"],
    ],
    ids=" ".join,
)
def test_every_single_card_command_asks_for_a_choice(
    two_cards: TwoCards, monkeypatch: pytest.MonkeyPatch, command: list[str]
) -> None:
    assert two_cards.run("1234\n5678\n", *command) == 2
    assert two_cards.sent == {A: [], B: []}


def test_a_card_number_that_is_not_one_is_bad_usage(
    two_cards: TwoCards, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        two_cards.run("1234\n", "pin", "verify", "--pin-stdin", "--card", "9392-0000")
    assert exited.value.code == 2
    assert "「9392-0000」はカード番号ではありません" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exited:
        two_cards.run("1234\n", "--lang", "en", "pin", "verify", "--card", "9392-0000")
    assert exited.value.code == 2
    assert '"9392-0000" is not a card number' in capsys.readouterr().err


def test_card_status_lists_both(
    two_cards: TwoCards, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert two_cards.run("", "card", "status", "--json") == 0
    status = json.loads(capsys.readouterr().out)
    assert status["choice_needed"] is True
    assert [(c["card_number"], c["registered"]) for c in status["cards"]] == [
        (A, False),
        (B, False),
    ]
    assert two_cards.run("", "card", "status", "--json", "--reader", "Reader B") == 0
    chosen = json.loads(capsys.readouterr().out)
    assert (chosen["card_number"], chosen["choice_needed"]) == (B, False)
