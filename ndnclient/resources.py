"""Where the bundled resources (messages, translations, trust anchors) are found."""

from __future__ import annotations

import os
import sys
from pathlib import Path

RESOURCES_ENV = "NDNCLIENT_RESOURCES"


def resources_dir() -> Path:
    """The `resources/` folder: NDNCLIENT_RESOURCES, the frozen program's bundle, or the
    source tree (the project is installed editable)."""
    override = os.environ.get(RESOURCES_ENV)
    if override:
        return Path(override)
    bundle = getattr(sys, "_MEIPASS", None)  # set by PyInstaller's one-folder build
    if bundle:
        return Path(bundle) / "resources"
    return Path(__file__).resolve().parent.parent / "resources"


def resource_path(*parts: str) -> Path:
    return resources_dir().joinpath(*parts)
