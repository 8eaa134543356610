"""A throw-away Windows for the installer tests: a fresh Wine prefix (Debian `wine64`) with its
own home folder, no display, and nothing reaching the real user's desktop or menus.

Programs are started the way IT starts them, from a batch file with `start "" /wait`: the
command line reaches the installer exactly as written (NSIS's `/D=` and `_?=` take unquoted
paths with spaces, which Wine's own argument quoting would wrap in quotes), and the exit code
comes back through `%ERRORLEVEL%`."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path, PureWindowsPath

import pytest

BOOT_TIMEOUT = 180.0  # seconds; a new prefix takes about 5 s here
RUN_TIMEOUT = 120.0

# Debian's wine64 puts its programs in /usr/lib/wine (the `wine` package adds the wrappers
# in /usr/bin, which we do not need).
_WINE_DIRS = ("/usr/lib/wine", "/usr/bin")


def _wine_program(name: str) -> str:
    for folder in _WINE_DIRS:
        candidate = Path(folder) / name
        if candidate.exists():
            return str(candidate)
    found = shutil.which(name)
    if found is None:
        pytest.fail(
            f"Wine is missing ({name}): these tests run the Windows installer under it. Install "
            "it with `bash scripts/setup.sh` (Debian package `wine64`)."
        )
    return found


@dataclass(frozen=True)
class RegistryValue:
    kind: str  # "sz" or "dword"
    value: str | int


_REG_STRING = re.compile(r'^"((?:[^"\\]|\\.)*)"="((?:[^"\\]|\\.)*)"$')
_REG_DWORD = re.compile(r'^"((?:[^"\\]|\\.)*)"=dword:([0-9a-fA-F]{8})$')


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


def parse_reg_export(text: str) -> dict[str, RegistryValue]:
    """The values of the one key in a `reg export` file (strings and DWORDs: what the installer
    writes). Anything else in it fails the test rather than being skipped."""
    values: dict[str, RegistryValue] = {}
    for line in text.splitlines():
        line = line.strip().lstrip("\ufeff")
        if not line or line.startswith(("Windows Registry Editor", "[")):
            continue
        if match := _REG_STRING.match(line):
            values[_unescape(match[1])] = RegistryValue("sz", _unescape(match[2]))
        elif match := _REG_DWORD.match(line):
            values[_unescape(match[1])] = RegistryValue("dword", int(match[2], 16))
        else:
            raise AssertionError(f"unexpected line in the exported key: {line!r}")
    return values


class WinePrefix:
    """One fresh prefix. `run` starts a command line from a batch file and gives its exit code."""

    def __init__(self, root: Path, display: str = "") -> None:
        self.root = root
        self.prefix = root / "prefix"
        self.home = root / "home"
        self.home.mkdir(parents=True)
        self.wine = _wine_program("wine64")
        self.wineserver = _wine_program("wineserver64")
        self.env = {
            **os.environ,
            "WINEPREFIX": str(self.prefix),
            "WINESERVER": self.wineserver,
            "HOME": str(self.home),  # Wine links Desktop, Documents... to the home folder
            "WINEDEBUG": "-all",
            # No Mono or Gecko download dialogs, no menu entries on the Linux desktop, and a
            # native stand-in allowed to replace a system tool (see `replace_system_tool`).
            "WINEDLLOVERRIDES": "mscoree,mshtml=;winemenubuilder.exe=d;icacls.exe,takeown.exe=n,b",
            # No display, or an Xvfb's: Wine's desktop takes the display of the prefix's first
            # program, and every later window goes there.
            "DISPLAY": display,
            "WAYLAND_DISPLAY": "",
        }
        self._batches = 0
        # Wine's own output. Not a pipe: wineserver inherits it and lives on for a few seconds
        # after the last program, and a pipe would make every run wait for it.
        self.log = (root / "wine.log").open("ab")

    def boot(self) -> None:
        subprocess.run(
            [self.wine, "wineboot", "--init"],
            env=self.env,
            check=True,
            timeout=BOOT_TIMEOUT,
            stdout=self.log,
            stderr=self.log,
        )
        user_dirs = [p for p in (self.prefix / "drive_c" / "users").iterdir() if p.name != "Public"]
        assert len(user_dirs) == 1, user_dirs
        self.user = user_dirs[0].name

    # --- paths ----------------------------------------------------------------------------

    def host(self, windows_path: str) -> Path:
        """The Linux path of a C:\\ path inside the prefix."""
        path = PureWindowsPath(windows_path)
        assert path.drive.upper() == "C:", windows_path
        return self.prefix.joinpath("drive_c", *path.parts[1:])

    @property
    def appdata(self) -> str:
        return rf"C:\users\{self.user}\AppData\Roaming"

    @property
    def localappdata(self) -> str:
        return rf"C:\users\{self.user}\AppData\Local"

    def put(self, source: Path, windows_path: str) -> str:
        target = self.host(windows_path)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
        return windows_path

    def replace_system_tool(self, name: str, program: Path) -> None:
        """Put a program in place of C:\\windows\\system32\\NAME (allowed to load instead of
        Wine's own by WINEDLLOVERRIDES above)."""
        shutil.copyfile(program, self.host(rf"C:\windows\system32\{name}"))

    # --- running --------------------------------------------------------------------------

    def run(self, command_line: str, env: dict[str, str] | None = None) -> int:
        """Runs COMMAND_LINE as a batch file would (`start "" /wait ...`), its exit code.
        ASCII only: a batch file is read in the console's code page."""
        self._batches += 1
        batch = rf"C:\ndnclient-tests\run{self._batches}.cmd"
        self.host(batch).parent.mkdir(parents=True, exist_ok=True)
        lines = ["@echo off", f'start "" /wait {command_line}', "exit /b %ERRORLEVEL%", ""]
        self.host(batch).write_bytes("\r\n".join(lines).encode("ascii"))
        done = subprocess.run(
            [self.wine, "cmd", "/c", batch],
            env={**self.env, **(env or {})},
            timeout=RUN_TIMEOUT,
            stdout=self.log,
            stderr=self.log,
        )
        return done.returncode

    def start(
        self, windows_program: str, *args: str, env: dict[str, str] | None = None
    ) -> subprocess.Popen[bytes]:
        """Starts a program and leaves it running (the stand-in that is "the program")."""
        return subprocess.Popen(
            [self.wine, windows_program, *args],
            env={**self.env, **(env or {})},
            stdout=self.log,
            stderr=self.log,
        )

    def wait_for_programs(self) -> None:
        """Waits until every program in the prefix has ended (an uninstaller started without
        `_?=` goes on in a copy of itself after returning)."""
        subprocess.run(
            [self.wineserver, "--wait"], env=self.env, timeout=RUN_TIMEOUT, stdout=self.log
        )

    def registry_key(self, key: str) -> dict[str, RegistryValue] | None:
        """KEY's values (`reg export`, as Windows has it), or None when there is no such key."""
        self._batches += 1
        export = rf"C:\ndnclient-tests\key{self._batches}.reg"
        self.host(export).parent.mkdir(parents=True, exist_ok=True)
        done = subprocess.run(
            [self.wine, "reg", "export", key, export, "/y"],
            env=self.env,
            timeout=RUN_TIMEOUT,
            stdout=self.log,
            stderr=self.log,
        )
        if done.returncode != 0:
            return None
        return parse_reg_export(self.host(export).read_bytes().decode("utf-16"))

    def shutdown(self) -> None:
        subprocess.run(
            [self.wineserver, "--kill"], env=self.env, timeout=RUN_TIMEOUT, stdout=self.log
        )
        self.log.close()
