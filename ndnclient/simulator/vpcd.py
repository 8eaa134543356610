"""The bridge to pcscd's vsmartcard driver (vpcd): the virtual card in a virtual reader.

vpcd listens on TCP (35963 for "Virtual PCD 00 00", 35964 for "Virtual PCD 00 01"); the
card connects to it. Being connected is being inserted; closing the connection is pulling
the card out. Every message either way is a frame: a 2-byte big-endian length, then the
payload. A 1-byte payload from vpcd is a control (power off, power on, reset, "send the
ATR"), anything longer an APDU; the card answers the ATR request and each APDU with one frame.
"""

from __future__ import annotations

import contextlib
import enum
import logging
import select
import socket
import threading
import time
from collections.abc import Callable
from types import TracebackType

from ndnclient.simulator import VPCD_HOST, VPCD_PORT
from ndnclient.simulator.card import SW_NO_PRECISE_DIAGNOSIS, VirtualGoSignCard

logger = logging.getLogger(__name__)

DEFAULT_HOST = VPCD_HOST
DEFAULT_PORT = VPCD_PORT

VPCD_CTRL_OFF = 0
VPCD_CTRL_ON = 1
VPCD_CTRL_RESET = 2
VPCD_CTRL_ATR = 4

MAX_FRAME = 0xFFFF
RECONNECT_INTERVAL = 0.2  # seconds between connection attempts
POLL_INTERVAL = 0.2  # how often a waiting bridge looks at its stop event


class Fault(enum.Enum):
    """A card pulled out during a command (for the tests)."""

    PULL_BEFORE = "pull_before"
    """The connection closes before the card acts on the command."""
    PULL_AFTER = "pull_after"
    """The card acts on the command (e.g. spends a PIN try); the connection closes unanswered."""


FaultHook = Callable[[bytes], Fault | None]


class _Outcome(enum.Enum):
    STOPPED = "stopped"  # remove() / stop(): the card was pulled on purpose
    PULLED = "pulled"  # a Fault pulled the card
    PEER_CLOSED = "peer_closed"  # vpcd went away (pcscd restarted): connect again


class _PeerClosed(Exception):
    pass


class VpcdBridge:
    """Serves one `VirtualGoSignCard` to vpcd, on a thread (`start`) or the caller's.

    `inserted` is set while connected to vpcd; pcscd notices the card at its next poll.
    `apdu_count` counts the APDUs answered. `fault`, when set, is asked about every APDU.
    """

    def __init__(
        self,
        card: VirtualGoSignCard,
        host: str = DEFAULT_HOST,
        port: int = DEFAULT_PORT,
        *,
        fault: FaultHook | None = None,
        connect_timeout: float = 5.0,
        on_inserted: Callable[[], None] | None = None,
    ) -> None:
        self.card = card
        self.host = host
        self.port = port
        self.fault = fault
        self.connect_timeout = connect_timeout
        self.on_inserted = on_inserted
        self.inserted = threading.Event()
        self.apdu_count = 0
        self.error: Exception | None = None
        """Why the serving thread ended, when it ended on an error (e.g. vpcd unreachable)."""
        self._lock = threading.Lock()
        self._sock: socket.socket | None = None
        self._stop_event: threading.Event | None = None
        self._thread: threading.Thread | None = None

    # --- Inserting and pulling ------------------------------------------------------------

    def start(self) -> None:
        """Insert the card: connect on a thread (retrying for `connect_timeout`), then serve."""
        with self._lock:
            if self._thread is not None and self._thread.is_alive():
                return
            stop_event = threading.Event()
            self._stop_event = stop_event
            self.error = None
            self._thread = threading.Thread(
                target=self._thread_main,
                args=(stop_event,),
                name=f"vpcd-bridge-{self.port}",
                daemon=True,
            )
            self._thread.start()

    def insert(self) -> None:
        """Put the card back in (connect again) after `remove` or a fault."""
        self.start()

    def remove(self) -> None:
        """Pull the card out: close the connection and end the serving thread."""
        with self._lock:
            stop_event, thread, sock = self._stop_event, self._thread, self._sock
        if stop_event is not None:
            stop_event.set()
        if sock is not None:
            # shutdown, not close: it wakes the serving thread, which then closes the socket.
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=5.0)

    def stop(self) -> None:
        """Pull the card out and stop (the same as `remove`; `insert` may still follow)."""
        self.remove()

    @property
    def running(self) -> bool:
        """True while the serving thread lives (connecting, serving, or reconnecting)."""
        thread = self._thread
        return thread is not None and thread.is_alive()

    def wait_inserted(self, timeout: float) -> bool:
        """Wait until connected to vpcd; False on timeout or when the thread gave up."""
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if self.inserted.wait(max(0.0, min(0.05, remaining))):
                return True
            if not self.running or remaining <= 0:
                return self.inserted.is_set()

    def __enter__(self) -> VpcdBridge:
        self.start()
        if not self.wait_inserted(self.connect_timeout + 1.0):
            self.stop()
            raise ConnectionError(str(self.error or f"vpcd at {self.host}:{self.port} not reached"))
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    # --- Serving ------------------------------------------------------------------------------

    def _thread_main(self, stop_event: threading.Event) -> None:
        try:
            self.serve_forever(stop_event)
        except Exception as exc:
            self.error = exc
            # Kept in `error` for the owner to report; logged here only for the record.
            logger.info("virtual card bridge stopped: %s", exc)

    def serve_forever(self, stop_event: threading.Event) -> None:
        """Connect and serve until `stop_event` is set, `remove` is called or a fault pulls
        the card. When vpcd drops the connection (pcscd restarted), connect again.
        ConnectionError when vpcd cannot be reached within `connect_timeout` at first."""
        with self._lock:
            self._stop_event = stop_event
        first_connection = True
        while not stop_event.is_set():
            sock = self._connect(stop_event, self.connect_timeout if first_connection else None)
            if sock is None:
                if stop_event.is_set():
                    return
                raise ConnectionError(
                    f"cannot reach vpcd at {self.host}:{self.port} "
                    f"(is pcscd running with the vsmartcard-vpcd driver?)"
                )
            first_connection = False
            try:
                outcome = self._serve_connection(sock, stop_event)
            finally:
                self._eject(sock)
            if outcome is not _Outcome.PEER_CLOSED:
                return
            logger.info("vpcd closed the connection; connecting again")

    def _connect(self, stop_event: threading.Event, timeout: float | None) -> socket.socket | None:
        """A connected socket, or None when stopped or (with a timeout) vpcd is not reached."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while not stop_event.is_set():
            try:
                sock = socket.create_connection((self.host, self.port), timeout=1.0)
            except OSError as exc:
                if deadline is not None and time.monotonic() >= deadline:
                    logger.debug("vpcd at %s:%d not reached: %s", self.host, self.port, exc)
                    return None
                stop_event.wait(RECONNECT_INTERVAL)
                continue
            sock.settimeout(None)
            # One frame per APDU each way: Nagle's algorithm would hold the small frames back.
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            with self._lock:
                if stop_event.is_set():
                    sock.close()
                    return None
                self._sock = sock
            self.card.power_off()  # a fresh insertion: no session left from before
            self.inserted.set()
            logger.info("virtual card inserted into vpcd %s:%d", self.host, self.port)
            if self.on_inserted is not None:
                self.on_inserted()
            return sock
        return None

    def _eject(self, sock: socket.socket) -> None:
        with self._lock:
            if self._sock is sock:
                self._sock = None
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)
        sock.close()
        self.card.power_off()  # a pulled card loses power, and with it its session
        self.inserted.clear()
        logger.info("virtual card removed from vpcd %s:%d", self.host, self.port)

    def _serve_connection(self, sock: socket.socket, stop_event: threading.Event) -> _Outcome:
        while not stop_event.is_set():
            try:
                # Wait in slices so that a stop event set without remove() is noticed too.
                readable, _, _ = select.select([sock], [], [], POLL_INTERVAL)
                if not readable:
                    continue
                length = int.from_bytes(_recv_exact(sock, 2), "big")
                payload = _recv_exact(sock, length)
            except (OSError, ValueError, _PeerClosed):
                return _Outcome.STOPPED if stop_event.is_set() else _Outcome.PEER_CLOSED
            try:
                outcome = self._handle_frame(sock, payload)
            except OSError:
                return _Outcome.STOPPED if stop_event.is_set() else _Outcome.PEER_CLOSED
            if outcome is not None:
                return outcome
        return _Outcome.STOPPED

    def _handle_frame(self, sock: socket.socket, payload: bytes) -> _Outcome | None:
        if not payload:
            return None  # vpcd never sends one; nothing to answer
        if len(payload) == 1:
            control = payload[0]
            if control == VPCD_CTRL_ATR:
                _send_frame(sock, self.card.atr)
            elif control == VPCD_CTRL_ON:
                self.card.power_on()
            elif control == VPCD_CTRL_OFF:
                self.card.power_off()
            elif control == VPCD_CTRL_RESET:
                self.card.reset()
            else:
                logger.warning("vpcd sent an unknown control byte %02X; ignored", control)
            return None
        fault = self.fault(payload) if self.fault is not None else None
        if fault is Fault.PULL_BEFORE:
            logger.info("fault: card pulled before INS %02X", payload[1])
            return _Outcome.PULLED
        response = self.card.process_apdu(payload)
        if fault is Fault.PULL_AFTER:
            logger.info("fault: card pulled after INS %02X", payload[1])
            return _Outcome.PULLED
        if len(response) > MAX_FRAME:  # cannot happen with this card's files; keep the frame valid
            response = SW_NO_PRECISE_DIAGNOSIS.to_bytes(2, "big")
        _send_frame(sock, response)
        self.apdu_count += 1
        return None


def _quickack(sock: socket.socket) -> None:
    # Linux turns quick ACKs off again after a while; without them every APDU waits ~40 ms
    # for a delayed ACK, so the option is set before each recv.
    quickack = getattr(socket, "TCP_QUICKACK", None)
    if quickack is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.IPPROTO_TCP, quickack, 1)


def _recv_exact(sock: socket.socket, count: int) -> bytes:
    chunks = bytearray()
    while len(chunks) < count:
        _quickack(sock)
        chunk = sock.recv(count - len(chunks))
        if not chunk:
            raise _PeerClosed
        chunks += chunk
    return bytes(chunks)


def _send_frame(sock: socket.socket, payload: bytes) -> None:
    # Header and payload in one send: one segment, no Nagle split.
    sock.sendall(len(payload).to_bytes(2, "big") + payload)
