"""Every fuzz target by name. A module listed here defines `TARGETS`, a list of targets; a
module that has several (the hostile LDAP servers, one per scenario) lists each, so the long
run measures each one's memory in a process of its own."""

from __future__ import annotations

import importlib

from tests.fuzzing import FuzzTarget

TARGET_MODULES = (
    "tests.fuzzing.card_answers",
    "tests.fuzzing.certificates",
    "tests.fuzzing.ldap_servers",
    "tests.fuzzing.settings_files",
    "tests.fuzzing.arguments",
    "tests.fuzzing.virtual_card_state",
)


def all_targets() -> dict[str, FuzzTarget]:
    targets: dict[str, FuzzTarget] = {}
    for module_name in TARGET_MODULES:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as error:
            if error.name != module_name:
                raise
            continue  # not written yet
        for target in module.TARGETS:
            targets[target.name] = target
    return targets
