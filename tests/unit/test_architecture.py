"""The layer rules hold and are enforced: a Qt import outside ndnclient/ui, or a pyscard import
outside ndnclient/card/pcsc.py, fails the static checks (docs/architecture.md); and there is
no import cycle among the package's modules."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
RUFF = Path(sys.executable).with_name("ruff")


def ruff_on(path: str, source: str) -> subprocess.CompletedProcess[str]:
    """ruff's verdict on `source` as if it were the file `path` of the project (its
    configuration for that place, nothing written)."""
    return subprocess.run(
        [str(RUFF), "check", "--select", "TID251", "--stdin-filename", path, "-"],
        input=source,
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )


@pytest.mark.skipif(not RUFF.exists(), reason="ruff is not installed beside this Python")
@pytest.mark.parametrize(
    ("path", "source", "allowed"),
    [
        ("ndnclient/card/probe.py", "import PySide6\n", False),
        ("ndnclient/card/probe.py", "from PySide6.QtCore import QObject\n", False),
        ("ndnclient/diagnostics/probe.py", "import shiboken6\n", False),
        ("ndnclient/cli/probe.py", "from smartcard import scard\n", False),
        ("ndnclient/ui/probe.py", "from smartcard import scard\n", False),
        ("ndnclient/card/session.py", "from smartcard import scard\n", False),
        ("ndnclient/ui/pages/probe.py", "from PySide6.QtWidgets import QLabel\n", True),
        ("ndnclient/card/pcsc.py", "from smartcard import scard\n", True),
    ],
)
def test_the_layer_rules_are_enforced(path: str, source: str, allowed: bool) -> None:
    result = ruff_on(path, source)
    assert (result.returncode == 0) == allowed, result.stdout + result.stderr
    if not allowed:
        assert "TID251" in result.stdout


def test_no_import_cycle() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "import-cycles.py")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout
    assert "no import cycle" in result.stdout


def test_the_window_says_errors_in_their_window_form() -> None:
    """A page turns an error into a sentence through `Services.describe`, which takes the
    message's window form (what to press, not what to type on the command line)."""
    calls = []
    for path in sorted((ROOT / "ndnclient" / "ui").rglob("*.py")):
        if path.name == "services.py":
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if "messages.describe(" in line:
                calls.append(f"{path.relative_to(ROOT)}:{number}")
    assert calls == []
