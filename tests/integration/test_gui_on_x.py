"""`ndnclient gui` as a user starts it: a real X server (Xvfb), the real smart-card service
with the virtual card in the vpcd reader, the program in a process of its own. It opens its
window, reads the card, follows a pull and a reinsertion, spends no PIN try, and stays up
without a traceback until it is told to stop."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.integration.support import ROOT, PluggedCard
from tests.xserver import running_xvfb


@pytest.fixture
def display() -> Iterator[str]:
    with running_xvfb() as name:
        yield name


def wait_for(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.05)


def test_the_gui_starts_on_x_reads_the_card_and_stays_up(
    display: str, plug_card: Callable[..., PluggedCard], tmp_path: Path
) -> None:
    card = plug_card()
    log_dir = Path(os.environ["NDNCLIENT_LOG_DIR"])
    log_file = log_dir / "ndnclient.log"
    environment = {
        **{k: v for k, v in os.environ.items() if k not in ("NDNCLIENT_READER", "QT_QPA_PLATFORM")},
        "PYTHONPATH": str(ROOT),
        "DISPLAY": display,
        "QT_QPA_PLATFORM": "xcb",
    }
    stderr_file = tmp_path / "stderr.txt"
    with stderr_file.open("wb") as stderr:
        program = subprocess.Popen(
            [sys.executable, "-m", "ndnclient", "gui"],
            env=environment,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )
        try:
            wait_for(
                lambda: log_file.exists() and "the window is up on xcb" in log_file.read_text(),
                timeout=30,
                what="the window on the X server",
            )
            # The home page reads the card through pcscd without being asked.
            wait_for(lambda: len(card.received) > 0, timeout=10, what="the card to be read")

            # Pulled and put back: the live monitor reads it again, with no button.
            card.pull()
            time.sleep(1.0)
            read_before = len(card.received)
            card.insert()
            wait_for(
                lambda: len(card.received) > read_before, timeout=10, what="the card read again"
            )
            time.sleep(2.0)  # and it stays up
            assert program.poll() is None, "the GUI exited on its own"
        finally:
            if program.poll() is None:
                program.send_signal(signal.SIGTERM)  # a scripted stop closes it cleanly
            try:
                code = program.wait(timeout=15)
            except subprocess.TimeoutExpired:
                program.kill()
                program.wait()
                pytest.fail("the GUI did not close on SIGTERM within 15 s")

    said = stderr_file.read_text(errors="replace")
    log = log_file.read_text()
    assert code == 0, said
    assert "Traceback" not in said, said
    assert "Traceback" not in log, log
    assert " ERROR " not in log, log
    assert " CRITICAL " not in log, log
    assert "ndnclient closed" in log
    assert card.pin_commands_received() == []  # not one PIN try spent
