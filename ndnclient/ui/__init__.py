"""The PySide6 GUI: the only package that imports Qt. This `__init__` stays Qt-free: the
command line asks `display_missing` here before anything of Qt is loaded."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping


def display_missing(environ: Mapping[str, str] = os.environ, platform: str = sys.platform) -> bool:
    """No screen for a window: on Linux and the other X11/Wayland systems, neither DISPLAY
    nor WAYLAND_DISPLAY is set and no Qt platform is chosen (QT_QPA_PLATFORM=offscreen, vnc
    ...). Windows and macOS always have one."""
    if platform in ("win32", "darwin"):
        return False
    return not any(environ.get(name) for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"))
