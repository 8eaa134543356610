"""Shared fixtures: one generated test CA and user key for every virtual card, and the
in-process virtual reader. (pyproject.toml puts the source tree and tests/ on the path.)"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from ndnclient.simulator.card import VirtualGoSignCard
from ndnclient.simulator.inprocess import VirtualReaderBackend
from ndnclient.simulator.state import create_state
from ndnclient.simulator.testca import TestCA


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
    """A virtual reader holding an in-process virtual card made with `create_state` options."""

    def make(**options: Any) -> VirtualReaderBackend:
        options.setdefault("kdf_iterations", 1000)
        state = create_state(ca=shared_ca, user_key=shared_user_key, **options)
        return VirtualReaderBackend(VirtualGoSignCard(state))

    return make
