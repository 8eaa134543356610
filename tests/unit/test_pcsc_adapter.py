"""The PC/SC adapter's mapping of service codes to errors, with pyscard's scard scripted."""

from __future__ import annotations

import sys
from typing import Any

import pytest
from smartcard import scard

from ndnclient.card import pcsc
from ndnclient.card.errors import (
    CardInUseError,
    CardNotRespondingError,
    CardRemovedError,
    NoCardError,
    NoReaderError,
    NoServiceError,
    TransportError,
)


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        (scard.SCARD_E_NO_SERVICE, NoServiceError),
        (scard.SCARD_E_SERVICE_STOPPED, NoServiceError),
        (scard.SCARD_E_NO_READERS_AVAILABLE, NoReaderError),
        (scard.SCARD_E_UNKNOWN_READER, NoReaderError),
        (scard.SCARD_E_NO_SMARTCARD, NoCardError),
        (scard.SCARD_W_REMOVED_CARD, CardRemovedError),
        (scard.SCARD_W_RESET_CARD, CardRemovedError),
        (scard.SCARD_E_SHARING_VIOLATION, CardInUseError),
        (scard.SCARD_W_UNRESPONSIVE_CARD, CardNotRespondingError),
        (scard.SCARD_W_UNPOWERED_CARD, CardNotRespondingError),
        (scard.SCARD_E_NOT_TRANSACTED, TransportError),
    ],
)
def test_codes_map_to_their_errors(code: int, kind: type[Exception]) -> None:
    error = pcsc.pcsc_error(code, "doing something", "Reader 0")
    assert type(error) is kind
    assert f"0x{code & 0xFFFFFFFF:08X}" in str(error)


class FakeScard:
    """Stands in for pyscard's scard module in one connection's calls."""

    def __init__(self, transmit: tuple[int, list[int]], statuses: list[tuple[int, int]]) -> None:
        self.transmit_result = transmit
        self.statuses = statuses

    def SCardTransmit(self, hcard: Any, protocol: int, command: list[int]) -> tuple[int, list[int]]:
        return self.transmit_result

    def SCardStatus(self, hcard: Any) -> tuple[int, str, int, int, list[int]]:
        code, state = self.statuses.pop(0) if len(self.statuses) > 1 else self.statuses[0]
        return code, "Reader 0", state, 2, []

    def __getattr__(self, name: str) -> Any:
        return getattr(scard, name)


def connection_with(monkeypatch: pytest.MonkeyPatch, fake: FakeScard) -> pcsc.PcscConnection:
    monkeypatch.setattr(pcsc, "scard", fake)
    monkeypatch.setattr(pcsc, "CARD_GONE_GRACE", 0.2)
    return pcsc.PcscConnection(1, "Reader 0", scard.SCARD_PROTOCOL_T1, b"\x3b")


# SCardStatus' state: bit flags on pcsc-lite, an enumeration on Windows (see pcsc._card_absent).
if sys.platform == "win32":
    PRESENT, ABSENT = 6, 1  # SCARD_SPECIFIC; SCARD_ABSENT
else:
    PRESENT, ABSENT = 0x0034, 0x0002  # pcsc-lite: present+powered+specific; absent


def test_an_empty_answer_with_the_card_gone_is_removed(monkeypatch: pytest.MonkeyPatch) -> None:
    # vpcd reports a pulled card as success with no bytes; the service notices a poll later.
    fake = FakeScard((0, []), [(0, PRESENT), (scard.SCARD_W_REMOVED_CARD, 0)])
    with pytest.raises(CardRemovedError):
        connection_with(monkeypatch, fake).transmit(b"\x00\xb0\x00\x00\x04")


def test_an_empty_answer_with_the_card_still_in_is_not_answering(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fake = FakeScard((0, [0x90]), [(0, PRESENT)])
    with pytest.raises(CardNotRespondingError):
        connection_with(monkeypatch, fake).transmit(b"\x00\xb0\x00\x00\x04")


def test_a_failed_transmit_with_the_card_absent_is_removed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fake = FakeScard((scard.SCARD_E_NOT_TRANSACTED, []), [(0, ABSENT)])
    with pytest.raises(CardRemovedError):
        connection_with(monkeypatch, fake).transmit(b"\x00\xb0\x00\x00\x04")


def test_a_failed_transmit_with_a_dead_handle_is_not_called_removed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fake = FakeScard((scard.SCARD_E_NOT_TRANSACTED, []), [(scard.SCARD_E_INVALID_HANDLE, 0)])
    with pytest.raises(TransportError):
        connection_with(monkeypatch, fake).transmit(b"\x00\xb0\x00\x00\x04")


def test_the_transmitted_list_is_zeroed(monkeypatch: pytest.MonkeyPatch) -> None:
    handed: list[list[int]] = []
    fake = FakeScard((0, [0x90, 0x00]), [(0, PRESENT)])
    original = fake.SCardTransmit

    def keep(hcard: Any, protocol: int, command: list[int]) -> tuple[int, list[int]]:
        handed.append(command)
        return original(hcard, protocol, command)

    fake.SCardTransmit = keep  # type: ignore[method-assign]
    connection_with(monkeypatch, fake).transmit(bytes.fromhex("002000810431323334"))
    assert handed[0] == [0] * 9
