"""Settings and policy files: hostile documents through the commands every user runs.

Each case is the bytes of one file: the user's settings.json or IT's policy.toml, made from a
valid one with hostile values put in (nesting thousands deep, integers with thousands of
digits, lone surrogates, the wrong type in the wrong place, huge text) or its bytes mutated.
The commands then run as a user would: `settings show` (text and --json), a save
(`settings set language en`), `explain G04`, and `settings import` of the same bytes. The
promise: one sentence at most, a working program, the bad file kept.
"""

from __future__ import annotations

import json
import random
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.fuzzing import isolated_environment, mutate_bytes, run_cli

KNOWN_KEYS = (
    "cards",
    "verification_method",
    "ldap.url",
    "ldap.connect_timeout",
    "ldap.receive_timeout",
    "trust.anchor_files",
    "urls.allowed",
    "proxy.url",
    "language",
    "readers.supported",
)
IMPORT_PLACEHOLDER = "{import}"
COMMANDS = (
    ["settings", "show"],
    ["settings", "show", "--json"],
    ["settings", "set", "language", "en"],
    ["explain", "G04"],
    ["settings", "import", IMPORT_PLACEHOLDER],  # the same bytes, as a file to import
)


def _json_string(rng: random.Random) -> str:
    """A JSON string literal, sometimes with escapes no UTF-8 file can hold."""
    pieces = ["ok", "電子入札", "\\ud800", "\\udc80", "\\u0000", "\\ud83d\\ude00", '\\"', "x" * 200]
    return '"' + "".join(rng.choice(pieces) for _ in range(rng.randint(0, 4))) + '"'


def hostile_json_value(rng: random.Random, depth: int = 0) -> str:
    """JSON text for a value a settings file should never hold (or sometimes a fine one)."""
    kind = rng.randrange(10)
    if kind == 0:
        n = rng.choice([50, 1000, 5000, 100_000])
        return "[" * n + "]" * n
    if kind == 1:
        n = rng.choice([50, 1000, 5000])
        return '{"a":' * n + "1" + "}" * n
    if kind == 2:
        return rng.choice(["-", ""]) + "9" * rng.choice([19, 20, 400, 4300, 4301, 6000])
    if kind == 3:
        return rng.choice(["NaN", "Infinity", "-Infinity", "1e999", "-0", "0.0", "1e-400"])
    if kind == 4:
        return _json_string(rng)
    if kind == 5:
        return rng.choice(["true", "false", "null", "0", "3", '""', "[]", "{}"])
    if kind == 6 and depth < 3:
        items = ", ".join(hostile_json_value(rng, depth + 1) for _ in range(rng.randint(0, 3)))
        return f"[{items}]"
    if kind == 7 and depth < 3:
        entries = ", ".join(
            f"{_json_string(rng)}: {hostile_json_value(rng, depth + 1)}"
            for _ in range(rng.randint(0, 3))
        )
        return "{" + entries + "}"
    if kind == 8:
        card = {
            "card_number": rng.choice(["9200000099990001", "92-0000-9999-0001", "x" * 40, ""]),
            "valid_from": rng.choice(["2025-01-01", "2025-13-40", "", "9999-12-31"]),
            "valid_to": rng.choice(["2027-01-01", "0001-01-01", "x"]),
        }
        text = json.dumps(card)
        return f'[{text[:-1]}, "label": {_json_string(rng)}}}]'
    return '"' + "あ" * rng.choice([1, 1000, 100_000]) + '"'


def _settings_file(rng: random.Random) -> bytes:
    values = {
        "language": '"ja"',
        "ldap.connect_timeout": "3",
        "urls.allowed": '["https://www.e-bisc.go.jp"]',
        "cards": '[{"card_number": "9200000099990001", "valid_from": "2025-01-01", '
        '"valid_to": "2027-01-01"}]',
    }
    for _ in range(rng.randint(1, 3)):
        key = rng.choice([*KNOWN_KEYS, "unknown.key", "x\\ud800"])
        values[key] = hostile_json_value(rng)
    body = ", ".join(f'"{key}": {value}' for key, value in values.items())
    version = rng.choice(["1", "1", "1", "2", "0", '"1"', "1e3", "9" * 5000])
    text = f'{{"format": "ndnclient-settings", "version": {version}, "settings": {{{body}}}}}'
    raw = text.encode("utf-8", "surrogatepass")
    return mutate_bytes(rng, raw) if rng.random() < 0.3 else raw


def hostile_toml_value(rng: random.Random, depth: int = 0) -> str:
    kind = rng.randrange(9)
    if kind == 0:
        n = rng.choice([50, 1000, 3000])
        return "[" * n + "]" * n
    if kind == 1:
        n = rng.choice([50, 1000, 3000])
        return "{a = " * n + "1" + " }" * n
    if kind == 2:
        return rng.choice(["-", "+", ""]) + "9" * rng.choice([19, 20, 400, 4300, 4301, 6000])
    if kind == 3:
        return rng.choice(["nan", "inf", "-inf", "1e999", "0x7FFFFFFFFFFFFFFF", "1979-05-27"])
    if kind == 4:
        return rng.choice(['"ok"', '"\\ud800"', '"電子入札"', "'x'", '"' + "x" * 100_000 + '"'])
    if kind == 5 and depth < 3:
        items = ", ".join(hostile_toml_value(rng, depth + 1) for _ in range(rng.randint(0, 3)))
        return f"[{items}]"
    if kind == 6 and depth < 3:
        entries = ", ".join(
            f"k{i} = {hostile_toml_value(rng, depth + 1)}" for i in range(rng.randint(0, 3))
        )
        return "{" + entries + "}"
    if kind == 7:
        return rng.choice(["true", "false", "0", "3", '""', "[]", "{}"])
    return '"ldap://127.0.0.1:1/o=x"'


def _policy_file(rng: random.Random) -> bytes:
    lines = ['verification_method = "ldap"']
    for _ in range(rng.randint(1, 3)):
        key = rng.choice([*KNOWN_KEYS, "unknown", "a.b.c.d"])
        if rng.random() < 0.3:
            # A table nested deep: each level a [header].
            depth = rng.choice([3, 50, 300])
            lines.append("[" + ".".join(["t"] * depth) + "]")
            lines.append(f"x = {hostile_toml_value(rng)}")
            continue
        lines.append(f'"{key}" = {hostile_toml_value(rng)}')
    lines.append("[policy]")
    locked = rng.choice(['["language"]', hostile_toml_value(rng)])
    contact = rng.choice(['"内線 1234"', hostile_toml_value(rng)])
    lines.append(f"locked = {locked}")
    lines.append(f"contact = {contact}")
    raw = "\n".join(lines).encode("utf-8")
    return mutate_bytes(rng, raw) if rng.random() < 0.3 else raw


@dataclass(frozen=True)
class FileCase:
    content: bytes
    command: tuple[str, ...]


class SettingsFileTarget:
    """One kind of file (`settings_json` or `policy_toml`), through the user's commands."""

    examples_in_tests = 150

    def __init__(self, kind: str, make: Callable[[random.Random], bytes]) -> None:
        self.name = f"settings_files:{kind}"
        self._make = make
        self._kind = kind
        self._root: Path | None = None

    @contextmanager
    def session(self) -> Iterator[None]:
        with isolated_environment() as root:
            self._root = root
            try:
                yield
            finally:
                self._root = None

    def generate(self, rng: random.Random) -> FileCase:
        return FileCase(self._make(rng), tuple(rng.choice(COMMANDS)))

    def run_one(self, case: FileCase) -> None:
        root = self._root
        if root is None:
            raise RuntimeError("run_one outside session()")
        config = root / "config"
        shutil.rmtree(config, ignore_errors=True)
        config.mkdir()
        policy = root / "policy.toml"
        policy.unlink(missing_ok=True)
        if self._kind == "settings_json":
            (config / "settings.json").write_bytes(case.content)
        else:
            policy.write_bytes(case.content)
        imported = root / "import.json"
        imported.write_bytes(case.content)
        run_cli([str(imported) if word == IMPORT_PLACEHOLDER else word for word in case.command])
        if self._kind == "settings_json":
            # The program goes on working: the next command reads what the first left.
            run_cli(["settings", "show", "--json"])


TARGETS = [
    SettingsFileTarget("settings_json", _settings_file),
    SettingsFileTarget("policy_toml", _policy_file),
]
