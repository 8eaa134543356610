"""The card layer against the in-process virtual card: counters, status, APDU counts."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest

from ndnclient.card.access import open_gosign_session
from ndnclient.card.errors import (
    CardRemovedError,
    InvalidPinError,
    LastTryNotConfirmedError,
    MyNumberCardError,
    NoCardError,
    PinBlockedError,
    SecurityStatusNotSatisfiedError,
    UnlockCodeBlockedError,
)
from ndnclient.card.pin import PinGuard, SecretBuffer
from ndnclient.card.session import CardType
from ndnclient.card.status import read_card_status
from ndnclient.simulator.inprocess import VirtualReaderBackend

MakeReader = Callable[..., VirtualReaderBackend]


def record_commands(reader: VirtualReaderBackend) -> list[bytes]:
    """Every command the card receives from now on."""
    received: list[bytes] = []
    original = reader.card.process_apdu

    def spy(apdu: bytes | bytearray) -> bytes:
        received.append(bytes(apdu))
        return original(apdu)

    reader.card.process_apdu = spy  # type: ignore[method-assign]
    return received


def guard_on(reader: VirtualReaderBackend) -> PinGuard:
    return PinGuard(open_gosign_session(reader))


def wrong(guard: PinGuard, confirmed: bool = False) -> int:
    with pytest.raises(InvalidPinError) as caught:
        guard.verify(SecretBuffer(b"0000"), last_try_confirmed=confirmed)
    return caught.value.tries_left


def test_three_wrong_then_right(virtual_reader: MakeReader) -> None:
    reader = virtual_reader()
    guard = guard_on(reader)
    assert [wrong(guard) for _ in range(3)] == [9, 8, 7]
    assert guard.counter().tries_left == 7
    assert guard.verify(SecretBuffer(b"1234")).tries_left == 10
    assert reader.card.state.pin_tries_left == 10


def test_ten_wrong_block_and_nothing_more_is_sent(virtual_reader: MakeReader) -> None:
    reader = virtual_reader()
    guard = guard_on(reader)
    assert [wrong(guard) for _ in range(8)] == [9, 8, 7, 6, 5, 4, 3, 2]
    assert wrong(guard) == 1
    with pytest.raises(LastTryNotConfirmedError):
        guard.verify(SecretBuffer(b"0000"))
    assert reader.card.state.pin_tries_left == 1  # the refusal cost nothing
    with pytest.raises(PinBlockedError):
        guard.verify(SecretBuffer(b"0000"), last_try_confirmed=True)
    assert reader.card.state.pin_tries_left == 0
    received = record_commands(reader)
    with pytest.raises(PinBlockedError):
        guard.verify(SecretBuffer(b"1234"), last_try_confirmed=True)
    # Status reads only: the right PIN was never sent to a blocked card.
    assert received
    assert all(len(apdu) <= 4 or apdu[1] not in (0x20, 0x24, 0x2C) for apdu in received)
    assert reader.card.state.pin_tries_left == 0


def test_unlock_restores_both_counters(virtual_reader: MakeReader) -> None:
    reader = virtual_reader(pin_tries_left=0, unlock_tries_left=3)
    guard = guard_on(reader)
    with pytest.raises(InvalidPinError) as caught:
        guard.unlock(SecretBuffer(b"00000000"), SecretBuffer(b"5555"))
    assert (caught.value.which, caught.value.tries_left) == ("unlock", 2)
    assert guard.unlock(SecretBuffer(b"12345678"), SecretBuffer(b"5555")).tries_left == 10
    state = reader.card.state
    assert (state.pin_tries_left, state.unlock_tries_left) == (10, 10)
    assert guard.verify(SecretBuffer(b"5555")).verified


def test_unlock_code_blocked_for_good(virtual_reader: MakeReader) -> None:
    reader = virtual_reader(pin_tries_left=0, unlock_tries_left=1)
    guard = guard_on(reader)
    with pytest.raises(LastTryNotConfirmedError):
        guard.unlock(SecretBuffer(b"00000000"), SecretBuffer(b"5555"))
    with pytest.raises(UnlockCodeBlockedError):
        guard.unlock(SecretBuffer(b"00000000"), SecretBuffer(b"5555"), last_try_confirmed=True)
    with pytest.raises(UnlockCodeBlockedError):
        guard.unlock(SecretBuffer(b"12345678"), SecretBuffer(b"5555"), last_try_confirmed=True)


def test_change_then_verify(virtual_reader: MakeReader) -> None:
    guard = guard_on(virtual_reader())
    guard.change(SecretBuffer(b"1234"), SecretBuffer(b"Abc987"))
    assert wrong(guard) == 9
    assert guard.verify(SecretBuffer(b"Abc987")).tries_left == 10


def test_signing_needs_the_pin(virtual_reader: MakeReader) -> None:
    session = open_gosign_session(virtual_reader())
    digest_info = bytes.fromhex("3031300d060960864801650304020105000420") + bytes(32)
    with pytest.raises(SecurityStatusNotSatisfiedError):
        session.sign_digest_info(digest_info)
    PinGuard(session).verify(SecretBuffer(b"1234"))
    assert len(session.sign_digest_info(digest_info)) == 256


@pytest.mark.parametrize(
    ("t0", "extended", "commands"),
    # select app, select+read info, select+header+rest of the certificate, two counters
    [(False, True, 8), (False, False, None), (True, True, None), (True, False, None)],
)
def test_status_and_its_command_count(
    virtual_reader: MakeReader, t0: bool, extended: bool, commands: int | None
) -> None:
    reader = virtual_reader(
        t0=t0,
        extended_length=extended,
        holder="申請 次郎",
        valid_from=date(2026, 1, 1),
        valid_to=date(2027, 12, 31),
    )
    status = read_card_status(reader)
    assert status.problem is None
    assert status.card_type is CardType.GOSIGN
    assert status.info is not None
    assert status.info.holder == "申請 次郎"
    assert status.info.valid_to == date(2027, 12, 31)
    assert status.pin is not None
    assert status.unlock is not None
    assert status.certificate is not None
    if commands is not None:
        session = open_gosign_session(reader)
        session.read_card_info()
        session.read_user_certificate()
        session.pin_counter("pin")
        session.pin_counter("unlock")
        assert session.transport.commands_sent == commands


def test_status_without_a_card_and_with_a_my_number_card(virtual_reader: MakeReader) -> None:
    reader = virtual_reader()
    reader.remove()
    status = read_card_status(reader)
    assert status.card_type is CardType.NONE
    assert isinstance(status.problem, NoCardError)
    mynumber = read_card_status(virtual_reader(card_type="mynumber"))
    assert mynumber.card_type is CardType.MYNUMBER
    assert isinstance(mynumber.problem, MyNumberCardError)
    assert not mynumber.usable


def test_a_pulled_card_fails_the_old_session(virtual_reader: MakeReader) -> None:
    reader = virtual_reader()
    session = open_gosign_session(reader)
    reader.remove()
    reader.insert()
    with pytest.raises(CardRemovedError):
        session.read_card_info()
