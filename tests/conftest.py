"""Shared fixtures: one generated test CA and user key for every virtual card, and the
in-process virtual reader. (pyproject.toml puts the source tree and tests/ on the path.)"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import keyring
import keyring.errors
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from ndnclient.card.profile import GOSIGN_PROFILE, GoSignProfile, use_profiles
from ndnclient.simulator.card import VirtualGoSignCard
from ndnclient.simulator.inprocess import VirtualReaderBackend
from ndnclient.simulator.state import create_state
from ndnclient.simulator.testca import TestCA
from tests.keyrings_for_tests import MemoryKeyring


@pytest.fixture(autouse=True)
def shipped_card_profile_only() -> Iterator[None]:
    """The card profiles in use are process-wide (set at start from `card.profile_files`): a
    test that adds some leaves the next test with the shipped GoSign profile only."""
    yield
    use_profiles((GOSIGN_PROFILE,))


@pytest.fixture(autouse=True)
def isolated_settings(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """Every test (and every program it starts) gets its own settings, log and data (the
    lending ledger) folders and no IT policy, never the user's real ones."""
    home = tmp_path_factory.mktemp("config")
    monkeypatch.setenv("NDNCLIENT_CONFIG_DIR", str(home / "ndnclient"))
    monkeypatch.setenv("NDNCLIENT_POLICY_FILE", str(home / "no-policy.toml"))
    monkeypatch.setenv("NDNCLIENT_LOG_DIR", str(home / "logs"))
    monkeypatch.setenv("NDNCLIENT_DATA_DIR", str(home / "data"))
    return home / "ndnclient"


@pytest.fixture(scope="session")
def shared_ca() -> TestCA:
    return TestCA.generate()


@pytest.fixture(scope="session")
def shared_user_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture
def virtual_reader(
    shared_ca: TestCA, shared_user_key: rsa.RSAPrivateKey
) -> Callable[..., VirtualReaderBackend]:
    """A virtual reader holding an in-process virtual card made with `create_state` options
    (and `profile=`: the layout it answers in)."""

    def make(profile: GoSignProfile = GOSIGN_PROFILE, **options: Any) -> VirtualReaderBackend:
        options.setdefault("kdf_iterations", 1000)
        state = create_state(ca=shared_ca, user_key=shared_user_key, **options)
        return VirtualReaderBackend(VirtualGoSignCard(state, profile=profile))

    return make


@pytest.fixture
def reader(
    virtual_reader: Callable[..., VirtualReaderBackend],
) -> Callable[..., VirtualReaderBackend]:
    """A virtual card made with the given options, for the command line: pass it as
    `cli.main(args, backend_factory=lambda: backend)`. It stays usable after a command
    (which closes its backend)."""

    def plug(**options: Any) -> VirtualReaderBackend:
        backend = virtual_reader(**options)
        backend.close = lambda: None  # type: ignore[method-assign]
        return backend

    return plug


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)
