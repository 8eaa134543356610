"""Every fuzz target of `tests/fuzzing`, a few seconds each, seeded: no input may end in an
exception outside the project's errors. The long run is `benchmarks/fuzz.py`."""

from __future__ import annotations

import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.fuzzing import FuzzTarget, judge
from tests.fuzzing.registry import all_targets

TARGETS = all_targets()


def _examples(target: FuzzTarget) -> int:
    return int(getattr(target, "examples_in_tests", 200))


@pytest.mark.parametrize("name", sorted(TARGETS))
def test_no_input_escapes_the_project_errors(name: str) -> None:
    target = TARGETS[name]
    with target.session():

        @settings(
            max_examples=_examples(target),
            deadline=None,
            derandomize=True,  # seeded: the same inputs on every run
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(st.integers(min_value=0, max_value=2**32))
        def check(index: int) -> None:
            # The same numbering as benchmarks/fuzz.py, so `--replay NAME INDEX` reproduces it.
            case = target.generate(random.Random(f"ndnclient:{index}"))
            verdict = judge(target, case)
            assert verdict.ok, f"{name} case {index}: {verdict.escaped!r}"

        check()


def test_the_registry_names_every_kind_of_outside_input() -> None:
    # One target (or family) per kind the issue names; a missing module would skip silently.
    families = {name.split(":")[0] for name in TARGETS}
    assert families >= {
        "card_answers",
        "certificates",
        "ldap",
        "settings_files",
        "arguments",
        "virtual_card_state",
    }
