"""What the command line writes when a script reads it: UTF-8, whatever the locale."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_redirected_output_is_utf8_even_in_an_ascii_locale() -> None:
    # An ASCII locale stands in for cp932 (Japanese Windows): neither can hold ✔ or 動作確認.
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in ("PYTHONIOENCODING", "PYTHONUTF8", "LANG", "LC_ALL", "LC_CTYPE")
    }
    environment |= {
        "LC_ALL": "C",
        "PYTHONCOERCECLOCALE": "0",  # keep Python from switching the C locale to UTF-8
        "PYTHONUTF8": "0",
        "PYTHONPATH": str(ROOT),
    }
    done = subprocess.run(
        [sys.executable, "-m", "ndnclient", "explain", "G04"],
        capture_output=True,
        timeout=60,
        check=False,
        env=environment,
    )
    assert done.returncode == 0, done.stderr.decode("utf-8", errors="replace")
    assert "確認コード:G04" in done.stdout.decode("utf-8")
