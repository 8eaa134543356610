"""The GUI's Japanese: every text the code asks for is in the .ts source, translated, with
its placeholders kept; so a Japanese screen never shows a stray English sentence."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from ndnclient.resources import resource_path

SOURCE = resource_path("translations", "ndnclient_ja.ts")
UI_PACKAGE = Path(__file__).resolve().parents[2] / "ndnclient" / "ui"


def messages(ts_file: Path) -> dict[tuple[str, str], ET.Element]:
    root = ET.parse(ts_file).getroot()  # noqa: S314 (the project's own translation file)
    found: dict[tuple[str, str], ET.Element] = {}
    for context in root.iter("context"):
        name = context.findtext("name") or ""
        for message in context.iter("message"):
            found[(name, message.findtext("source") or "")] = message
    return found


def test_every_text_is_translated_with_its_placeholders() -> None:
    entries = messages(SOURCE)
    assert len(entries) > 100  # the whole GUI, not an empty file
    for (context, source), message in entries.items():
        translation = message.find("translation")
        assert translation is not None, (context, source)
        assert translation.get("type") is None, (context, source)
        text = translation.text or ""
        assert text.strip(), (context, source)
        assert sorted(re.findall(r"%\d", text)) == sorted(re.findall(r"%\d", source)), (
            context,
            source,
            text,
        )
        # Keyboard mnemonics: a label with one keeps one in Japanese, e.g. 「開始(&S)」.
        assert ("&" in source.replace("&&", "")) == ("&" in text.replace("&&", "")), (
            context,
            source,
            text,
        )


def test_the_source_matches_the_code(tmp_path: Path) -> None:
    """What lupdate finds in the code now is exactly what the .ts holds: a text added or
    changed without scripts/update-translations.sh fails here."""
    lupdate = Path(sys.executable).with_name("pyside6-lupdate")
    if not lupdate.exists():
        pytest.skip("pyside6-lupdate is not installed beside this Python")
    fresh = tmp_path / "fresh.ts"
    shutil.copy(SOURCE, fresh)
    code = sorted(str(p) for p in UI_PACKAGE.rglob("*.py"))
    subprocess.run(
        [str(lupdate), "-silent", "-no-obsolete", "-locations", "none", *code, "-ts", str(fresh)],
        check=True,
        capture_output=True,
    )
    assert set(messages(fresh)) == set(messages(SOURCE))
