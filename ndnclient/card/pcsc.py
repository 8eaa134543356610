"""The PC/SC adapter: the only module that imports pyscard.

It uses pyscard's thin `scard` layer (the PC/SC API itself), so every failure keeps its PC/SC
code and becomes one of the card layer's typed errors. Its objects belong to the thread
that made them; only `cancel_wait` may be called from another thread.
"""

from __future__ import annotations

import logging
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from smartcard import scard

from ndnclient.card.connection import ReaderSlot, ReaderSnapshot
from ndnclient.card.errors import (
    CardError,
    CardInUseError,
    CardNotRespondingError,
    CardRemovedError,
    NoCardError,
    NoReaderError,
    NoServiceError,
    TransportError,
)

log = logging.getLogger(__name__)

# pcsc-lite and Windows both announce reader arrival and removal on this pseudo reader.
PNP_NOTIFICATION = "\\\\?PnP?\\Notification"


def _code(hresult: int) -> int:
    return hresult & 0xFFFFFFFF


SUCCESS = 0
E_CANCELLED = _code(scard.SCARD_E_CANCELLED)
E_TIMEOUT = _code(scard.SCARD_E_TIMEOUT)
E_NO_READERS = _code(scard.SCARD_E_NO_READERS_AVAILABLE)
E_INVALID_HANDLE = _code(scard.SCARD_E_INVALID_HANDLE)
E_NO_SERVICE = _code(scard.SCARD_E_NO_SERVICE)
E_SERVICE_STOPPED = _code(scard.SCARD_E_SERVICE_STOPPED)

# pcscd polls a reader for the card every 400 ms; a little longer covers one poll.
CARD_GONE_GRACE = 0.6

CARD_GONE = frozenset({_code(scard.SCARD_W_REMOVED_CARD), _code(scard.SCARD_E_NO_SMARTCARD)})

# A context made before the service restarted is dead: these mean "make a new one".
STALE_CONTEXT = frozenset({E_INVALID_HANDLE, E_NO_SERVICE, E_SERVICE_STOPPED})

_ERROR_CLASSES: dict[int, type[CardError]] = {
    E_NO_SERVICE: NoServiceError,
    E_SERVICE_STOPPED: NoServiceError,
    E_NO_READERS: NoReaderError,
    _code(scard.SCARD_E_UNKNOWN_READER): NoReaderError,
    _code(scard.SCARD_E_READER_UNAVAILABLE): NoReaderError,
    _code(scard.SCARD_E_NO_SMARTCARD): NoCardError,
    _code(scard.SCARD_W_REMOVED_CARD): CardRemovedError,
    _code(scard.SCARD_W_RESET_CARD): CardRemovedError,
    _code(scard.SCARD_E_SHARING_VIOLATION): CardInUseError,
    _code(scard.SCARD_W_UNRESPONSIVE_CARD): CardNotRespondingError,
    _code(scard.SCARD_W_UNPOWERED_CARD): CardNotRespondingError,
    _code(scard.SCARD_W_UNSUPPORTED_CARD): CardNotRespondingError,
    _code(scard.SCARD_E_PROTO_MISMATCH): CardNotRespondingError,
}


def _card_absent(state: int) -> bool:
    """SCardStatus' state: bit flags on pcsc-lite, an enumeration on Windows (pyscard
    exports neither set of constants)."""
    if sys.platform == "win32":
        return state <= 1  # SCARD_UNKNOWN, SCARD_ABSENT
    return bool(state & 0x0002)  # pcsc-lite SCARD_ABSENT


def pcsc_error(hresult: int, action: str, reader: str | None = None) -> CardError:
    """The typed error for a failed PC/SC call."""
    code = _code(hresult)
    kind = _ERROR_CLASSES.get(code, TransportError)
    message = f"{action}: {scard.SCardGetErrorMessage(hresult)} (0x{code:08X})"
    if kind is TransportError:
        return TransportError(message, pcsc_code=code, reader=reader)
    return kind(message, reader=reader, pcsc_code=f"0x{code:08X}")


class PcscBackend:
    """Readers and connections through the system's smart-card service."""

    def __init__(self) -> None:
        self._context: Any = None
        self._context_lock = threading.Lock()  # cancel_wait reads the context from elsewhere
        # The last event state per reader, change counter included, for GetStatusChange.
        self._event_states: dict[str, int] = {}
        self._reader_count = 0

    # --- context ----------------------------------------------------------------------------

    def _ctx(self) -> Any:
        if self._context is None:
            hresult, context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
            if _code(hresult) != SUCCESS:
                raise pcsc_error(hresult, "connecting to the smart-card service")
            with self._context_lock:
                self._context = context
        return self._context

    def _drop_context(self) -> None:
        with self._context_lock:
            context, self._context = self._context, None
        if context is not None:
            scard.SCardReleaseContext(context)
        self._event_states.clear()

    def _call(self, action: str, function: Any, *args: Any) -> tuple[int, Any]:
        """Call `function(context, *args)`, once more on a fresh context if it went stale
        (the service was restarted since)."""
        for attempt in range(2):
            result = function(self._ctx(), *args)
            hresult, value = result[0], result[1:] if len(result) > 2 else result[1]
            if _code(hresult) in STALE_CONTEXT and attempt == 0:
                log.info(
                    "%s: PC/SC context is stale (0x%08X); making a new one", action, _code(hresult)
                )
                self._drop_context()
                continue
            return _code(hresult), value
        raise AssertionError("unreachable")

    def close(self) -> None:
        self._drop_context()

    # --- readers ----------------------------------------------------------------------------

    def list_readers(self) -> list[str]:
        code, readers = self._call("listing readers", scard.SCardListReaders, [])
        if code == E_NO_READERS:
            return []
        if code != SUCCESS:
            raise pcsc_error(code, "listing readers")
        return list(readers)

    def snapshot(self) -> ReaderSnapshot:
        readers = self.list_readers()
        self._reader_count = len(readers)
        if not readers:
            self._event_states.clear()
            return {}
        code, states = self._call(
            "reading reader states",
            scard.SCardGetStatusChange,
            0,
            [(name, scard.SCARD_STATE_UNAWARE) for name in readers],
        )
        if code == E_TIMEOUT:  # a reader vanished between the two calls: look again later
            return {}
        if code != SUCCESS:
            raise pcsc_error(code, "reading reader states")
        return self._remember(states)

    def wait_for_change(self, previous: ReaderSnapshot, timeout: float) -> ReaderSnapshot:
        watched = [name for name in previous if name in self._event_states]
        states = [(PNP_NOTIFICATION, self._reader_count << 16)]
        states += [(name, self._event_states[name]) for name in watched]
        code, _ = self._call(
            "waiting for a reader or card change",
            scard.SCardGetStatusChange,
            max(0, int(timeout * 1000)),
            states,
        )
        if code not in (SUCCESS, E_TIMEOUT, E_CANCELLED):
            if code in (_code(scard.SCARD_E_UNKNOWN_READER), E_NO_READERS):
                return self.snapshot()  # a reader went away while we waited
            raise pcsc_error(code, "waiting for a reader or card change")
        return self.snapshot()

    def cancel_wait(self) -> None:
        with self._context_lock:
            if self._context is not None:
                scard.SCardCancel(self._context)

    def _remember(self, states: list[tuple[str, int, list[int]]]) -> ReaderSnapshot:
        snapshot: dict[str, ReaderSlot] = {}
        self._event_states = {}
        for name, event_state, atr in states:
            self._event_states[name] = event_state & ~scard.SCARD_STATE_CHANGED
            snapshot[name] = ReaderSlot(
                name=name,
                card_present=bool(event_state & scard.SCARD_STATE_PRESENT),
                atr=bytes(atr or b""),
                mute=bool(event_state & scard.SCARD_STATE_MUTE),
            )
        return snapshot

    # --- connections ------------------------------------------------------------------------

    def connect(self, reader: str) -> PcscConnection:
        code, (hcard, protocol) = self._call(
            f"connecting to the card in {reader}",
            scard.SCardConnect,
            reader,
            scard.SCARD_SHARE_SHARED,
            scard.SCARD_PROTOCOL_T0 | scard.SCARD_PROTOCOL_T1,
        )
        if code == _code(scard.SCARD_W_REMOVED_CARD):
            raise NoCardError(f"no card in {reader}", reader=reader)
        if code != SUCCESS:
            raise pcsc_error(code, f"connecting to the card in {reader}", reader)
        status = scard.SCardStatus(hcard)
        atr = bytes(status[4]) if _code(status[0]) == SUCCESS else b""
        return PcscConnection(hcard, reader, protocol, atr)


class PcscConnection:
    """A shared connection to the card in one reader."""

    def __init__(self, hcard: Any, reader: str, protocol: int, atr: bytes) -> None:
        self._hcard: Any = hcard
        self._reader = reader
        self._protocol = protocol
        self._atr = atr

    @property
    def reader_name(self) -> str:
        return self._reader

    @property
    def atr(self) -> bytes:
        return self._atr

    @property
    def protocol(self) -> str:
        return "T=0" if self._protocol == scard.SCARD_PROTOCOL_T0 else "T=1"

    def transmit(self, apdu: bytes | bytearray) -> bytes:
        if self._hcard is None:
            raise CardRemovedError("the connection to the card is closed", reader=self._reader)
        command = list(apdu)
        try:
            hresult, response = scard.SCardTransmit(self._hcard, self._protocol, command)
        finally:
            command[:] = [0] * len(command)  # the list is the last Python copy of a secret
        if _code(hresult) != SUCCESS:
            raise self._transmit_error(hresult)
        if len(response) < 2:
            # Some drivers (vpcd among them) report a card pulled mid-command as success
            # with no bytes, before the service has noticed the card is gone.
            raise self._no_answer_error(len(response))
        return bytes(response)

    def _transmit_error(self, hresult: int) -> CardError:
        error = pcsc_error(hresult, "sending a command", self._reader)
        if isinstance(error, TransportError) and self._card_gone_within(0):
            # pcsc-lite reports a card pulled mid-command as a generic failure.
            return CardRemovedError(
                f"the card was removed during a command ({error})", reader=self._reader
            )
        return error

    def _no_answer_error(self, length: int) -> CardError:
        if self._card_gone_within(CARD_GONE_GRACE):
            return CardRemovedError(
                "the card was removed during a command (no answer)", reader=self._reader
            )
        return CardNotRespondingError(
            f"the card answered with {length} bytes, no status word", reader=self._reader
        )

    def _card_gone_within(self, seconds: float) -> bool:
        """True when the service reports the card gone now or within `seconds` (bounded:
        the service notices a pulled card at its next poll of the reader)."""
        deadline = time.monotonic() + seconds
        while True:
            result = scard.SCardStatus(self._hcard)
            code = _code(result[0])
            if code in CARD_GONE or (code == SUCCESS and _card_absent(result[2])):
                return True
            if code != SUCCESS:
                return False  # some other failure (a dead context ...): not known to be gone
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.05)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        hresult = scard.SCardBeginTransaction(self._hcard)
        if _code(hresult) != SUCCESS:
            raise pcsc_error(hresult, "reserving the card", self._reader)
        try:
            yield
        finally:
            scard.SCardEndTransaction(self._hcard, scard.SCARD_LEAVE_CARD)

    def close(self, *, reset: bool = False) -> None:
        hcard, self._hcard = self._hcard, None
        if hcard is not None:
            scard.SCardDisconnect(
                hcard, scard.SCARD_RESET_CARD if reset else scard.SCARD_LEAVE_CARD
            )
