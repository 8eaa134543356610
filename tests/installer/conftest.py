"""Fixtures of the installer tests: the installers built once from the stand-in payload
(`scripts/build-installer.sh --check`), and a fresh Wine prefix for every test."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

import ndnclient
from tests.installer.screen import Screen
from tests.installer.wine import WinePrefix
from tests.xserver import running_xvfb

ROOT = Path(__file__).resolve().parents[2]
NEWER_VERSION = "99.1.0"  # an upgrade's installer


@dataclass(frozen=True)
class Build:
    installer: Path
    payload: Path  # the folder the installer carries (ndnclient.exe, _internal, ...)
    version: str


@dataclass(frozen=True)
class Builds:
    current: Build
    newer: Build
    standin: Path  # the stand-in program, also used in place of system tools


def _build(out: Path, version: str) -> Build:
    if shutil.which("makensis") is None:
        pytest.fail("makensis is missing: install it with `bash scripts/setup.sh` (Debian nsis).")
    script = str(ROOT / "scripts" / "build-installer.sh")
    done = subprocess.run(
        ["bash", script, "--check", "--out", str(out), "--version", version],
        capture_output=True,
        text=True,
        timeout=300,
    )
    if done.returncode != 0:
        pytest.fail(f"build-installer.sh --check failed:\n{done.stdout}\n{done.stderr}")
    return Build(out / "ndnclient-setup-check.exe", out / "ndnclient", version)


@pytest.fixture(scope="session")
def builds(tmp_path_factory: pytest.TempPathFactory) -> Builds:
    current = _build(tmp_path_factory.mktemp("installer-current"), ndnclient.__version__)
    newer = _build(tmp_path_factory.mktemp("installer-newer"), NEWER_VERSION)
    return Builds(current, newer, current.installer.parent / "standin.exe")


@contextmanager
def booted_prefix(root: Path, display: str = "") -> Iterator[WinePrefix]:
    prefix = WinePrefix(root, display)
    try:
        prefix.boot()
        yield prefix
    finally:
        prefix.shutdown()


@pytest.fixture
def wine(tmp_path: Path) -> Iterator[WinePrefix]:
    """A fresh prefix with no display: silent runs only."""
    with booted_prefix(tmp_path / "wine") as prefix:
        yield prefix


@pytest.fixture
def screen() -> Iterator[Screen]:
    with running_xvfb("1024x768x24") as display:
        yield Screen(display)


@pytest.fixture
def wine_on_screen(tmp_path: Path, screen: Screen) -> Iterator[WinePrefix]:
    """A fresh prefix whose windows show on SCREEN."""
    with booted_prefix(tmp_path / "wine", screen.display) as prefix:
        yield prefix
