"""The tests' OpenLDAP server: the virtual CA repository of ndnclient.simulator.repository."""

from ndnclient.simulator.repository import (
    BASE,
    SUFFIX,
    RepositoryEntry,
    Slapd,
    free_port,
    slapd_binary,
)

__all__ = ["BASE", "SUFFIX", "RepositoryEntry", "Slapd", "free_port", "slapd_binary"]
