"""ndnclient: a client for GoSign IC-card certificates (日本電子認証 GoSign ICカード)."""

from __future__ import annotations

from functools import cache


@cache
def _installed_version() -> str:
    # Looked up on first use: reading the package metadata costs tens of milliseconds,
    # which every command would otherwise pay at start-up.
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("ndnclient")
    except PackageNotFoundError:  # running from a source tree that is not installed
        return "0.0.0+source"


def __getattr__(name: str) -> str:
    if name == "__version__":
        return _installed_version()
    raise AttributeError(f"module 'ndnclient' has no attribute {name!r}")
