"""Refresh the GUI's Japanese translation source and fill in translations, in one step.

    .venv/bin/python scripts/translate.py             # refresh; list what is untranslated
    .venv/bin/python scripts/translate.py FILE.json   # ... and fill in translations

FILE.json holds {"ContextClassName": {"English source": "日本語"}}.

Runs scripts/update-translations.sh (Qt's lupdate over ndnclient/ui), then writes each given
translation into resources/translations/ndnclient_ja.ts, and lists every entry still
unfinished. Holds a lock for the whole read-modify-write, so that two people (or two
scripts) working at once do not lose each other's entries. Then run
scripts/build-translations.sh (the tests build the .qm themselves when it is stale).
"""

from __future__ import annotations

import fcntl
import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TS_FILE = ROOT / "resources" / "translations" / "ndnclient_ja.ts"
LOCK_FILE = TS_FILE.with_suffix(".lock")  # beside the file it guards; ignored by git


def fill(tree: ET.ElementTree, wanted: dict[str, dict[str, str]]) -> int:
    filled = 0
    for context in tree.getroot().iter("context"):
        name = context.findtext("name", "")
        for message in context.iter("message"):
            source = message.findtext("source", "")
            text = wanted.get(name, {}).get(source)
            translation = message.find("translation")
            if text is None or translation is None:
                continue
            translation.text = text
            translation.attrib.pop("type", None)
            filled += 1
    return filled


def unfinished(tree: ET.ElementTree) -> list[tuple[str, str]]:
    left = []
    for context in tree.getroot().iter("context"):
        name = context.findtext("name", "")
        for message in context.iter("message"):
            translation = message.find("translation")
            if translation is None or translation.get("type") == "unfinished":
                left.append((name, message.findtext("source", "")))
    return left


def write(tree: ET.ElementTree) -> None:
    body = ET.tostring(tree.getroot(), encoding="unicode")
    text = '<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE TS>\n' + body + "\n"
    temporary = TS_FILE.with_suffix(".ts.tmp")
    temporary.write_text(text, encoding="utf-8")
    temporary.replace(TS_FILE)


def main(arguments: list[str]) -> int:
    wanted: dict[str, dict[str, str]] = {}
    if arguments:
        wanted = json.loads(Path(arguments[0]).read_text(encoding="utf-8"))
    with LOCK_FILE.open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        subprocess.run(["bash", str(ROOT / "scripts" / "update-translations.sh")], check=True)
        tree = ET.parse(TS_FILE)  # noqa: S314 - the project's own file, not outside input
        filled = fill(tree, wanted)
        if filled:
            write(tree)
            # lupdate's own layout again, so that diffs stay small
            subprocess.run(
                ["bash", str(ROOT / "scripts" / "update-translations.sh")],
                check=True,
                capture_output=True,
            )
        left = unfinished(ET.parse(TS_FILE))  # noqa: S314 - as above
    print(f"filled {filled}; {len(left)} untranslated")
    for context, source in left:
        print(f"  [{context}] {source}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
