"""The Windows installer's screens as a user sees them: the 64-bit installer from the stand-in
payload, run under Wine on a real X server, in Japanese and English, into docs/screenshots/.

    .venv/bin/python scripts/installer-screenshots.py [--lang ja|en] [--out DIR]

Shows the folder page, the message when the program is running (the window left open), and the
finish page. Needs Debian wine64, nsis, xvfb, xdotool and, for Japanese, the ja_JP.UTF-8 locale
(scripts/setup.sh installs them all). Wine draws without a window manager: no title bars.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
OUT = ROOT / "docs" / "screenshots"
LOCALES = {"ja": "ja_JP.UTF-8", "en": "C.UTF-8"}
TITLE = "GoSign"  # the installer's windows' titles start with the product name


def build(out: Path, version: str) -> Path:
    subprocess.run(
        [
            "bash",
            str(ROOT / "scripts" / "build-installer.sh"),
            "--check",
            "--out",
            str(out),
            "--version",
            version,
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return out / "ndnclient-setup-check.exe"


def shoot(language: str, display: str, work: Path, out: Path) -> list[Path]:
    from PySide6.QtGui import QGuiApplication

    from tests.installer.screen import Screen
    from tests.installer.wine import WinePrefix

    os.environ["LANG"] = os.environ["LC_ALL"] = LOCALES[language]
    current = build(work / "current", "0.1.0")
    newer = build(work / "newer", "0.2.0")
    wine = WinePrefix(work / f"wine-{language}", display)
    screen = Screen(display)
    saved: list[Path] = []

    def grab(name: str) -> None:
        path = out / f"installer-{name}-{language}.png"
        if not QGuiApplication.primaryScreen().grabWindow(0).save(str(path)):
            raise SystemExit(f"could not save {path}")
        saved.append(path)

    try:
        wine.boot()
        wine.put(current, r"C:\Deploy\setup-old.exe")
        wine.put(newer, r"C:\Deploy\setup.exe")
        if wine.run(r"C:\Deploy\setup-old.exe /S") != 0:
            raise SystemExit("the first install failed")
        folder = rf"{wine.localappdata}\Programs\ndnclient"
        stop = r"C:\ndnclient-tests\stop"
        program = wine.start(rf"{folder}\ndnclient-gui.exe", f"/UNTIL={stop}")
        time.sleep(2)
        installer = wine.start(r"C:\Deploy\setup.exe")
        screen.wait_for_windows(TITLE, 1)
        grab("folder")
        screen.key("Return")
        screen.wait_for_windows(TITLE, 2)
        grab("program-running")
        wine.host(stop).write_text("")
        program.wait(timeout=60)
        screen.key("Return")  # retry
        time.sleep(3)
        screen.wait_for_windows(TITLE, 1)
        grab("finish")
        screen.key("Return")
        installer.wait(timeout=60)
    finally:
        wine.shutdown()
    return saved


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lang", choices=sorted(LOCALES), action="append")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)

    from PySide6.QtGui import QGuiApplication

    from tests.xserver import running_xvfb

    with running_xvfb("1024x768x24") as display, tempfile.TemporaryDirectory() as work:
        os.environ["DISPLAY"] = display
        app = QGuiApplication(["installer-screenshots", "-platform", "xcb"])
        for language in args.lang or ["ja", "en"]:
            for path in shoot(language, display, Path(work), args.out):
                print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)
        del app


if __name__ == "__main__":
    main()
