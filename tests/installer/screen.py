"""The installer's own windows on a real X server (Xvfb), under Wine, pressed with xdotool: the
interactive paths (a message box and its buttons) that a silent run never shows."""

from __future__ import annotations

import shutil
import subprocess
import time

import pytest

WAIT_TIMEOUT = 60.0  # seconds for a window to come or go


class Screen:
    def __init__(self, display: str) -> None:
        self.display = display
        found = shutil.which("xdotool")
        if found is None:
            pytest.fail("xdotool is missing: install it with `bash scripts/setup.sh`.")
        self.xdotool = found

    def _xdotool(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [self.xdotool, *args],
            env={"DISPLAY": self.display, "PATH": "/usr/bin:/bin"},
            capture_output=True,
            text=True,
            timeout=30,
        )

    def windows(self, title_start: str) -> list[str]:
        """The visible windows whose title starts with TITLE_START (the installer's and its
        message boxes' titles start with the product name, in either language)."""
        found = self._xdotool("search", "--onlyvisible", "--name", f"^{title_start}")
        return found.stdout.split()

    def wait_for_windows(self, title_start: str, count: int) -> None:
        deadline = time.monotonic() + WAIT_TIMEOUT
        while len(self.windows(title_start)) != count:
            assert time.monotonic() < deadline, f"not {count} window(s) {title_start!r}"
            time.sleep(0.2)
        time.sleep(0.5)  # drawn and focused before a key goes to it

    def wait_for_another_window(self, title_start: str, before: list[str]) -> list[str]:
        """Waits until the visible windows are others than `before` (a message box closed and
        a page came, say) and at least one is there; returns them."""
        deadline = time.monotonic() + WAIT_TIMEOUT
        while True:
            now = self.windows(title_start)
            if now and now != before:
                time.sleep(0.5)
                return now
            assert time.monotonic() < deadline, f"no other window {title_start!r}"
            time.sleep(0.2)

    def key(self, name: str) -> None:
        """Presses a key in the focused window (no window manager: Wine gives the focus)."""
        assert self._xdotool("key", name).returncode == 0
