"""ndnclient: a client for GoSign IC-card certificates (日本電子認証 GoSign ICカード)."""

from ndnclient._version import VERSION as __version__

__all__ = ["__version__"]
