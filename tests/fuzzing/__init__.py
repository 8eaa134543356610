"""The project's own fuzzing: hostile input from every kind of outside source.

A *target* feeds one generated input through the real code path a user's input takes (the
card layer, the certificate boundary, the G04 probe, the settings loader, the command line)
and lets any exception out. The harness sorts what comes out:

- nothing, or an error of the project's hierarchy (`UserFacingError`): the promise held;
- anything else: an *escape*, the kind of failure that ends in a traceback or in
  "unexpected error (X)" with no sentence.

Targets that see escapes only indirectly (the CLI catches everything and prints "unexpected
error") raise `Escaped` themselves. The same targets run in the test suite under Hypothesis
(seeded, a few seconds each: `tests/unit/test_fuzzing.py`) and at length from
`benchmarks/fuzz.py`, which counts inputs, escapes, hangs and peak memory.
"""

from __future__ import annotations

import io
import logging
import os
import random
import tempfile
from collections.abc import Iterator
from contextlib import (
    AbstractContextManager,
    contextmanager,
    nullcontext,
    redirect_stderr,
    redirect_stdout,
)
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from ndnclient.errors import UserFacingError


class Escaped(Exception):
    """A target saw a failure outside the project's errors (the original is its cause)."""


class FuzzTarget(Protocol):
    """One kind of outside input. `generate` must be a pure function of `rng`, so a seed
    reproduces the input; `run_one` feeds it through the real path."""

    name: str

    def session(self) -> AbstractContextManager[Any]:
        """What the target needs for a run (a server, a temporary folder), set up once."""
        ...

    def generate(self, rng: random.Random) -> Any: ...

    def run_one(self, case: Any) -> None: ...


@dataclass(frozen=True)
class Verdict:
    escaped: BaseException | None

    @property
    def ok(self) -> bool:
        return self.escaped is None


def judge(target: FuzzTarget, case: Any) -> Verdict:
    """Run one case; an error of the project's hierarchy is a held promise."""
    try:
        target.run_one(case)
    except UserFacingError:
        return Verdict(None)
    except Escaped as escaped:
        return Verdict(escaped.__cause__ or escaped)
    except Exception as error:  # the thing being looked for
        return Verdict(error)
    return Verdict(None)


def no_session() -> AbstractContextManager[None]:
    return nullcontext()


@contextmanager
def saved_environment(names: tuple[str, ...]) -> Iterator[None]:
    """The environment variables `names` and the working folder as they were, put back
    whatever a target changed."""
    saved = {name: os.environ.get(name) for name in names}
    cwd = Path.cwd()
    try:
        yield
    finally:
        os.chdir(cwd)
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


ENVIRONMENT = (
    "NDNCLIENT_CONFIG_DIR",
    "NDNCLIENT_LOG_DIR",
    "NDNCLIENT_POLICY_FILE",
    "NDNCLIENT_READER",
)


@contextmanager
def isolated_environment() -> Iterator[Path]:
    """A temporary folder for settings, logs and the working directory, and no IT policy,
    so a target never reads or writes the user's own files. Yields the folder."""
    with (
        saved_environment(ENVIRONMENT),
        tempfile.TemporaryDirectory(prefix="ndnclient-fuzz-") as folder,
    ):
        root = Path(folder)
        os.environ["NDNCLIENT_CONFIG_DIR"] = str(root / "config")
        os.environ["NDNCLIENT_LOG_DIR"] = str(root / "log")
        os.environ["NDNCLIENT_POLICY_FILE"] = str(root / "policy.toml")
        os.environ.pop("NDNCLIENT_READER", None)
        (root / "work").mkdir()
        os.chdir(root / "work")
        yield root


# --- mutators over bytes, shared by the targets --------------------------------------------

INTERESTING_BYTES = (0x00, 0x01, 0x7F, 0x80, 0x81, 0x82, 0x83, 0x84, 0xFF)


def mutate_bytes(rng: random.Random, data: bytes, *, rounds: int | None = None) -> bytes:
    """A few random edits of `data`: flips, interesting bytes (DER lengths), cuts, inserts,
    duplicated or removed slices. Pure in `rng`."""
    buffer = bytearray(data)
    for _ in range(rounds if rounds is not None else rng.randint(1, 4)):
        choice = rng.randrange(7)
        position = rng.randrange(len(buffer) + 1)
        if choice == 0 and buffer:
            buffer[position % len(buffer)] ^= 1 << rng.randrange(8)
        elif choice == 1 and buffer:
            buffer[position % len(buffer)] = rng.choice(INTERESTING_BYTES)
        elif choice == 2:
            del buffer[position:]
        elif choice == 3:
            buffer[position:position] = rng.randbytes(rng.randint(1, 8))
        elif choice == 4 and buffer:
            end = min(len(buffer), position + rng.randint(1, 64))
            buffer[position:position] = buffer[position:end]
        elif choice == 5:
            end = min(len(buffer), position + rng.randint(1, 16))
            del buffer[position:end]
        else:
            buffer[position:position] = bytes([rng.choice(INTERESTING_BYTES)] * rng.randint(1, 4))
    return bytes(buffer)


# --- the command line, as a target sees it ----------------------------------------------------


def run_cli(argv: list[str], **main_options: Any) -> int:
    """`ndnclient.cli.main(argv)` with its output going to strict UTF-8 streams (as when
    redirected), and the failures it would hide raised as `Escaped`: an exception it turned
    into "unexpected error", an exit status other than 0, 1 or 2."""
    from ndnclient.cli import main

    out = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
    err = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
    with redirect_stdout(out), redirect_stderr(err), capture_unexpected() as unexpected:
        try:
            code = main(argv, **main_options)
        except SystemExit as exit_:  # argparse: --help (0) and bad usage (2)
            code = exit_.code if isinstance(exit_.code, int) else 2
    # The CLI logs every error outside the card layer; the project's own are sentences.
    escaped = [error for error in unexpected if not isinstance(error, UserFacingError)]
    if escaped:
        raise Escaped() from escaped[0]
    if code not in (0, 1, 2):
        raise Escaped() from AssertionError(f"exit status {code}")
    return code


class UnexpectedCatcher(logging.Handler):
    """Collects the exceptions the CLI turned into "unexpected error" (it logs each with
    exc_info, as `cli._run` does for anything outside the project's errors)."""

    def __init__(self, caught: list[BaseException]) -> None:
        super().__init__(logging.DEBUG)
        self.caught = caught

    def emit(self, record: logging.LogRecord) -> None:
        if record.getMessage() == "unexpected error" and record.exc_info:
            self.caught.append(record.exc_info[1] or RuntimeError("unexpected error"))


@contextmanager
def capture_unexpected() -> Iterator[list[BaseException]]:
    """The exceptions the CLI turned into "unexpected error" while the block ran."""
    caught: list[BaseException] = []
    logger = logging.getLogger("ndnclient.cli")
    handler = UnexpectedCatcher(caught)
    previous = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        yield caught
    finally:
        logger.removeHandler(handler)
        logger.setLevel(previous)
