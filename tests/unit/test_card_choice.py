"""Choosing the card: a lone candidate is used, several need the user's choice, a choice that
fits nothing is refused, and a PIN command checks the card's number inside its transaction."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from ndnclient.card.access import open_chosen_session, recovering_guard
from ndnclient.card.choice import CardChoice, choose_card, may_be_gosign
from ndnclient.card.errors import (
    CardChoiceNeededError,
    CardInUseError,
    CardSwappedError,
    ChosenCardNotFoundError,
    MyNumberCardError,
    NotGoSignCardError,
)
from ndnclient.card.info import CardInfo, parse_card_number
from ndnclient.card.jobs import DirectCardAccess
from ndnclient.card.operations import pin_guarded_session, read_counters
from ndnclient.card.pin import UNREADABLE, PinGuard, SecretBuffer
from ndnclient.card.session import CardType
from ndnclient.card.status import CardStatus, survey_cards
from ndnclient.diagnostics.catalogue import Catalogue
from ndnclient.diagnostics.checks import (
    g01_service_and_reader,
    g02_card_present,
    g03_gosign_certificate,
)
from ndnclient.diagnostics.context import CheckContext
from ndnclient.diagnostics.model import CheckStatus
from ndnclient.diagnostics.signature_test import g14_signature_test
from ndnclient.settings.policy import Policy
from ndnclient.settings.service import merge
from ndnclient.simulator.card import VirtualGoSignCard
from ndnclient.simulator.inprocess import VirtualReaderSet
from ndnclient.simulator.state import create_state
from ndnclient.simulator.testca import TestCA

A, B = "9392000011110001", "9392000022220002"


def gosign(reader: str, number: str | None) -> CardStatus:
    info = None
    if number is not None:
        info = CardInfo(number, "電子 太郎", date(2026, 4, 1), date(2028, 3, 31), 1)
    return CardStatus((), reader, CardType.GOSIGN, info=info)


def other(reader: str, card_type: CardType, problem: Any) -> CardStatus:
    return CardStatus((), reader, card_type, problem=problem)


MYNUMBER = other("R3", CardType.MYNUMBER, MyNumberCardError("x"))
BANK_CARD = other("R4", CardType.UNKNOWN, NotGoSignCardError("x"))
HELD = other("R5", CardType.UNKNOWN, CardInUseError("x"))


def test_a_lone_gosign_card_is_used_beside_cards_that_are_not() -> None:
    card = gosign("R1", A)
    assert choose_card([MYNUMBER, card, BANK_CARD]) is card


def test_two_gosign_cards_need_a_choice() -> None:
    first, second = gosign("R1", A), gosign("R2", B)
    with pytest.raises(CardChoiceNeededError) as raised:
        choose_card([first, second])
    assert raised.value.cards == (first, second)
    assert raised.value.params["cards"] == "9392-0000-1111-0001, 9392-0000-2222-0002"


def test_a_card_held_by_another_program_may_be_the_gosign_card() -> None:
    """It could not be asked, so it may be the user's card: no PIN goes out on a guess."""
    assert may_be_gosign(HELD)
    assert not may_be_gosign(BANK_CARD)
    assert not may_be_gosign(MYNUMBER)
    with pytest.raises(CardChoiceNeededError):
        choose_card([gosign("R1", A), HELD])


@pytest.mark.parametrize(
    ("choice", "expected"),
    [
        (CardChoice(card_number=B), "R2"),
        (CardChoice(reader="R2"), "R2"),
        (CardChoice(reader="r1"), "R1"),  # names are matched without case
        (CardChoice(card_number=A, reader="R1"), "R1"),
    ],
)
def test_a_choice_picks_its_card(choice: CardChoice, expected: str) -> None:
    assert choose_card([gosign("R1", A), gosign("R2", B)], choice).reader == expected


def test_an_exact_reader_name_wins_over_a_part_of_another() -> None:
    cards = [gosign("Reader 1", A), gosign("Reader 10", B)]
    assert choose_card(cards, CardChoice(reader="Reader 1")).reader == "Reader 1"
    with pytest.raises(CardChoiceNeededError):
        choose_card(cards, CardChoice(reader="Reader"))


@pytest.mark.parametrize(
    "choice", [CardChoice(card_number="9392000099990009"), CardChoice(reader="R9")]
)
def test_a_choice_that_fits_no_card_is_refused(choice: CardChoice) -> None:
    with pytest.raises(ChosenCardNotFoundError) as raised:
        choose_card([gosign("R1", A), gosign("R2", B)], choice)
    assert "9392-0000-1111-0001" in raised.value.params["cards"]


def test_a_number_cannot_choose_a_card_whose_number_was_not_read() -> None:
    with pytest.raises(ChosenCardNotFoundError):
        choose_card([gosign("R1", None)], CardChoice(card_number=A))
    assert choose_card([gosign("R1", None)], CardChoice(reader="R1")).reader == "R1"


def test_without_a_gosign_card_the_first_card_says_why() -> None:
    assert choose_card([MYNUMBER, BANK_CARD]) is MYNUMBER


@pytest.mark.parametrize(
    ("typed", "number"),
    [
        ("9392-0000-1234-5678", "9392000012345678"),
        ("9392 0000 1234 5678", "9392000012345678"),
        ("９３９２００００１２３４５６７８", "9392000012345678"),
        ("9392-0000-1234-567", None),
        ("9392-0000-1234-567x", None),
        ("", None),
    ],
)
def test_card_numbers_as_people_type_them(typed: str, number: str | None) -> None:
    assert parse_card_number(typed) == number


# --- Over two in-process readers -------------------------------------------------------------


@pytest.fixture
def two_readers(
    shared_ca: TestCA, shared_user_key: rsa.RSAPrivateKey
) -> Callable[..., VirtualReaderSet]:
    def make(*numbers: str, **options: Any) -> VirtualReaderSet:
        cards = [
            VirtualGoSignCard(
                create_state(
                    card_number=number,
                    ca=shared_ca,
                    user_key=shared_user_key,
                    kdf_iterations=1000,
                    **options,
                )
            )
            for number in numbers
        ]
        return VirtualReaderSet([(card, f"Reader {i}") for i, card in enumerate(cards)])

    return make


def test_a_survey_reads_every_card(two_readers: Callable[..., VirtualReaderSet]) -> None:
    readers = two_readers(A, B)
    survey = survey_cards(readers)
    assert [c.info.card_number for c in survey.cards if c.info] == [A, B]
    assert all(c.pin is not None and c.pin.tries_left == 10 for c in survey.cards)
    light = survey_cards(readers, full=False)
    assert all(c.pin is None and c.certificate is None for c in light.cards)


def test_sessions_open_on_the_chosen_card_only(
    two_readers: Callable[..., VirtualReaderSet],
) -> None:
    readers = two_readers(A, B)
    with pytest.raises(CardChoiceNeededError):
        open_chosen_session(readers)
    chosen = open_chosen_session(readers, choice=CardChoice(card_number=B))
    assert chosen.session.connection.reader_name == "Reader 1"
    assert chosen.card_number == B
    chosen.session.connection.close()
    assert read_counters(readers, choice=CardChoice(reader="Reader 0")).card_number == A


def test_the_reader_filter_narrowing_to_one_card_is_enough(
    two_readers: Callable[..., VirtualReaderSet],
) -> None:
    counters = read_counters(two_readers(A, B), name_filter="reader 1")
    assert counters.card_number == B


def test_a_pin_command_checks_the_number_inside_its_transaction(
    two_readers: Callable[..., VirtualReaderSet],
    shared_ca: TestCA,
    shared_user_key: rsa.RSAPrivateKey,
) -> None:
    """Card A's tries were shown; A was swapped for B in the same reader before the submit.
    A job that knows only the reader reaches B, and B receives no PIN."""
    readers = two_readers(A)
    with pin_guarded_session(readers) as guarded:
        assert guarded.guard.expected_card_number == A  # the card named before the prompt
    stranger = VirtualGoSignCard(
        create_state(card_number=B, ca=shared_ca, user_key=shared_user_key, kdf_iterations=1000)
    )
    sent: list[bytes] = []
    original = stranger.process_apdu

    def spy(apdu: bytes | bytearray) -> bytes:
        sent.append(bytes(apdu))
        return original(apdu)

    stranger.process_apdu = spy  # type: ignore[method-assign]
    reader = readers.readers[0]
    reader.remove()
    reader.insert(stranger)
    session = open_chosen_session(readers, choice=CardChoice(reader="Reader 0")).session
    try:
        guard = recovering_guard(readers, session, A)
        with SecretBuffer(b"1234") as pin, pytest.raises(CardSwappedError) as raised:
            guard.verify(pin)
    finally:
        session.connection.close()
    assert raised.value.params == {
        "reader": "Reader 0",
        "expected": "9392-0000-1111-0001",
        "found": "9392-0000-2222-0002",
    }
    assert sent
    assert not any(apdu[1] == 0x20 and len(apdu) > 4 for apdu in sent)


def test_a_gosign_card_with_unreadable_card_info_still_takes_pin_commands(
    two_readers: Callable[..., VirtualReaderSet], monkeypatch: pytest.MonkeyPatch
) -> None:
    readers = two_readers(A)
    monkeypatch.setattr("ndnclient.simulator.card.build_card_info", lambda state: b"\x99\x01\x00")
    with pin_guarded_session(readers) as guarded:
        assert guarded.card.info is None
        assert guarded.guard.expected_card_number is UNREADABLE
        with SecretBuffer(b"1234") as pin:
            assert guarded.guard.verify(pin).tries_left == 10


def test_a_readable_card_in_place_of_an_unreadable_one_receives_nothing(
    two_readers: Callable[..., VirtualReaderSet],
) -> None:
    """The user was shown "the card in Reader 0" with no number; a card whose number can be
    read is another card."""
    readers = two_readers(A)
    session = open_chosen_session(readers).session
    try:
        guard = PinGuard(session, expected_card_number=UNREADABLE)
        with SecretBuffer(b"1234") as pin, pytest.raises(CardSwappedError) as raised:
            guard.verify(pin)
    finally:
        session.connection.close()
    assert raised.value.which == "unread"
    assert readers.readers[0].card.state.pin_tries_left == 10


# --- The operation check keeps to the chosen card ---------------------------------------------


def _context(readers: VirtualReaderSet, **options: Any) -> CheckContext:
    return CheckContext(merge({}, Policy()), DirectCardAccess(lambda: readers), **options)


def test_a_card_swapped_between_g02_and_g03_is_not_examined(
    two_readers: Callable[..., VirtualReaderSet],
    shared_ca: TestCA,
    shared_user_key: rsa.RSAPrivateKey,
) -> None:
    readers = two_readers(A, B)
    context = _context(readers, card_choice=CardChoice(card_number=B))
    assert g01_service_and_reader(context).status is CheckStatus.OK
    assert g02_card_present(context).status is CheckStatus.OK
    assert context.card.chosen_number == B
    stranger = VirtualGoSignCard(
        create_state(
            card_number="9392000033330003",
            ca=shared_ca,
            user_key=shared_user_key,
            kdf_iterations=1000,
        )
    )
    reader = readers.readers[1]
    reader.remove()
    reader.insert(stranger)
    g03 = g03_gosign_certificate(context)
    sentence = g03.params["error"].in_language(Catalogue("ja"))  # the error, in words
    assert (g03.status, sentence.count("9392-0000-3333-0003")) == (CheckStatus.FAIL, 1)
    assert context.card.info is None  # G14 (which requires G03) cannot run on it


def test_the_signature_test_sends_to_no_other_card_than_the_one_shown(
    two_readers: Callable[..., VirtualReaderSet],
) -> None:
    readers = two_readers(A)
    with SecretBuffer(b"1234") as pin:
        context = _context(readers, signature_pin=pin, signature_card=B)
        for check in (g01_service_and_reader, g02_card_present, g03_gosign_certificate):
            assert check(context).status is CheckStatus.OK
        outcome = g14_signature_test(context)
    assert (outcome.status, outcome.facts["error"]) == (CheckStatus.FAIL, "CardSwappedError")
    assert readers.readers[0].card.state.pin_tries_left == 10
