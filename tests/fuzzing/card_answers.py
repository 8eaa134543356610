"""Card answers: the virtual card's answers, damaged on the way back, through the real status
read, counter read and PIN commands (and, for some cases, `card status` itself).

Faults are drawn per command from the case's own random stream: an answer with its bytes
mutated, a status word replaced, an answer lost (the card stops answering), the card pulled,
an error raised as a transaction begins, a damaged ATR. Whatever happens, one explicit submit
sends at most one PIN-bearing command (VERIFY, CHANGE REFERENCE DATA, RESET RETRY COUNTER
with data): a second would spend a try the user never gave.
"""

from __future__ import annotations

import copy
import random
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field

from ndnclient.card.apdu import SECRET_BEARING_INS
from ndnclient.card.connection import ReaderBackend, ReaderSnapshot, SmartCardConnection
from ndnclient.card.errors import CardNotRespondingError, CardRemovedError, TransportError
from ndnclient.card.operations import read_counters, run_pin_operation
from ndnclient.card.pin import PinGuard, SecretBuffer
from ndnclient.card.session import PinCounter
from ndnclient.card.status import survey_cards
from ndnclient.simulator.card import VirtualGoSignCard
from ndnclient.simulator.inprocess import VirtualReaderBackend
from ndnclient.simulator.state import VirtualCardState, create_state
from tests.fuzzing import Escaped, isolated_environment, mutate_bytes, run_cli

INTERESTING_SW = (0x9000, 0x6100, 0x61FF, 0x6C00, 0x6CFF, 0x63C0, 0x63CF, 0x6983, 0x6A82, 0x6F00)
OPERATIONS = ("status", "counters", "verify", "change", "unlock", "cli_status")


@dataclass
class HostileConnection:
    """A real (virtual) card's connection whose answers are damaged as `rng` says."""

    inner: SmartCardConnection
    rng: random.Random
    pin_commands: list[bytes] = field(default_factory=list)

    @property
    def reader_name(self) -> str:
        return self.inner.reader_name

    @property
    def atr(self) -> bytes:
        atr = self.inner.atr
        return mutate_bytes(self.rng, atr) if self.rng.random() < 0.05 else atr

    @property
    def protocol(self) -> str:
        return self.inner.protocol

    def transmit(self, apdu: bytes | bytearray) -> bytes:
        command = bytes(apdu)
        if len(command) > 5 and command[1] in SECRET_BEARING_INS:
            self.pin_commands.append(command[:4])  # the header only: never keep a PIN
        roll = self.rng.random()
        if roll < 0.01:
            raise CardNotRespondingError("fuzz: the command was lost")
        if roll < 0.02:
            self.inner.transmit(apdu)  # the card acted on it; its answer never comes back
            raise CardNotRespondingError("fuzz: the answer was lost")
        if roll < 0.03:
            raise CardRemovedError("fuzz: the card was pulled")
        if roll < 0.035:
            raise TransportError("fuzz: the reader failed")
        answer = self.inner.transmit(apdu)
        if roll < 0.15:
            return mutate_bytes(self.rng, answer)
        if roll < 0.20:
            sw = self.rng.choice(INTERESTING_SW) | (
                self.rng.randrange(256) if self.rng.random() < 0.5 else 0
            )
            return answer[:-2] + (sw & 0xFFFF).to_bytes(2, "big")
        if roll < 0.22:
            return answer[: self.rng.randrange(len(answer) + 1)]
        return answer

    def transaction(self) -> AbstractContextManager[None]:
        if self.rng.random() < 0.01:
            raise CardNotRespondingError("fuzz: the transaction could not begin")
        return self.inner.transaction()

    def close(self, *, reset: bool = False) -> None:
        self.inner.close(reset=reset)


@dataclass
class HostileBackend:
    """The in-process virtual reader, handing out hostile connections."""

    inner: VirtualReaderBackend
    rng: random.Random
    connections: list[HostileConnection] = field(default_factory=list)

    def list_readers(self) -> list[str]:
        return self.inner.list_readers()

    def snapshot(self) -> ReaderSnapshot:
        return self.inner.snapshot()

    def wait_for_change(self, previous: ReaderSnapshot, timeout: float) -> ReaderSnapshot:
        return self.inner.wait_for_change(previous, timeout)

    def cancel_wait(self) -> None:
        self.inner.cancel_wait()

    def connect(self, reader: str) -> HostileConnection:
        connection = HostileConnection(self.inner.connect(reader), self.rng)
        self.connections.append(connection)
        return connection

    def close(self) -> None:
        self.inner.close()

    def pin_commands(self) -> int:
        return sum(len(c.pin_commands) for c in self.connections)


@dataclass(frozen=True)
class CardCase:
    seed: int
    operation: str
    pin: bytes
    tries_left: int


class CardAnswersTarget:
    name = "card_answers"
    examples_in_tests = 1000

    def __init__(self) -> None:
        self._state: VirtualCardState | None = None

    @contextmanager
    def session(self) -> Iterator[None]:
        # One key pair for the whole run (its making is the slow part); a copy per case.
        self._state = create_state(kdf_iterations=1)
        try:
            with isolated_environment():
                yield
        finally:
            self._state = None

    def generate(self, rng: random.Random) -> CardCase:
        return CardCase(
            seed=rng.getrandbits(64),
            operation=rng.choice(OPERATIONS),
            pin=rng.choice([b"1234", b"9999", b"12345678"]),
            tries_left=rng.choice([10, 3, 2, 1, 0]),
        )

    def run_one(self, case: CardCase) -> None:
        state = self._state or create_state(kdf_iterations=1)
        own = copy.deepcopy(state)
        own.pin_tries_left = case.tries_left
        rng = random.Random(case.seed)
        backend = HostileBackend(VirtualReaderBackend(VirtualGoSignCard(own)), rng)
        try:
            self._operate(case, backend)
        finally:
            backend.close()

    def _operate(self, case: CardCase, backend: HostileBackend) -> None:
        if case.operation == "status":
            for status in survey_cards(backend).cards:
                status.to_json()
            return
        if case.operation == "counters":
            read_counters(backend)
            return
        if case.operation == "cli_status":
            _cli_status(backend)
            return
        secret = SecretBuffer(case.pin)
        extra = SecretBuffer(b"4321")

        def submit(guard: PinGuard) -> PinCounter:
            # One explicit submit; the last try is confirmed, as a user may do.
            if case.operation == "verify":
                return guard.verify(secret, last_try_confirmed=True)
            if case.operation == "change":
                return guard.change(secret, extra, last_try_confirmed=True)
            return guard.unlock(SecretBuffer(b"12345678"), extra, last_try_confirmed=True)

        outcome = run_pin_operation(backend, submit, [secret, extra])
        if backend.pin_commands() > 1:
            raise Escaped() from AssertionError(
                f"{backend.pin_commands()} PIN commands for one submit ({outcome.error!r})"
            )


def _cli_status(backend: ReaderBackend) -> None:
    run_cli(["card", "status", "--json"], backend_factory=lambda: backend)


TARGETS = [CardAnswersTarget()]
