"""Scripted fakes for unit tests: a connection that answers from a script."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

Answer = bytes | BaseException | Callable[[bytes], bytes]


@dataclass
class Step:
    """One expected command and what comes back. `expect` is hex (spaces ignored), the
    whole command, or its beginning when it ends with "..."."""

    expect: str
    answer: Answer

    def matches(self, command: bytes) -> bool:
        if self.expect.endswith("..."):
            return command.startswith(h(self.expect[:-3]))
        return command == h(self.expect)


def h(text: str) -> bytes:
    return bytes.fromhex(text.replace(" ", ""))


@dataclass
class ScriptedConnection:
    """Answers commands in order from `steps`; fails the test on any unexpected command."""

    steps: list[Step]
    reader_name: str = "Scripted Reader 0"
    atr: bytes = b"\x3b\x80\x80\x01\x01"
    protocol: str = "T=1"
    sent: list[bytes] = field(default_factory=list)
    sent_in_transaction: list[bool] = field(default_factory=list)
    in_transaction: bool = False
    closed: bool = False

    def transmit(self, apdu: bytes | bytearray) -> bytes:
        command = bytes(apdu)
        self.sent.append(command)
        self.sent_in_transaction.append(self.in_transaction)
        if not self.steps:
            raise AssertionError(f"unexpected command {command.hex(' ')}")
        step = self.steps.pop(0)
        if not step.matches(command):
            raise AssertionError(f"expected {step.expect}, got {command.hex(' ')}")
        if isinstance(step.answer, BaseException):
            raise step.answer
        if callable(step.answer):
            return step.answer(command)
        return step.answer

    @contextmanager
    def transaction(self) -> Iterator[None]:
        self.in_transaction = True
        try:
            yield
        finally:
            self.in_transaction = False

    def close(self, *, reset: bool = False) -> None:
        self.closed = True

    def done(self) -> bool:
        return not self.steps


def script(*pairs: tuple[str, Answer]) -> ScriptedConnection:
    return ScriptedConnection([Step(expect, answer) for expect, answer in pairs])
