"""The virtual card's state file: damaged files through `load_state`, the card it makes (a
status read and a PIN verify over the in-process reader), and the demo's start-up
(`gui --demo` keeps the damaged file, makes a new card and says so)."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from ndnclient.card.operations import run_pin_operation
from ndnclient.card.pin import SecretBuffer
from ndnclient.card.status import survey_cards
from ndnclient.simulator.card import VirtualGoSignCard
from ndnclient.simulator.inprocess import VirtualReaderBackend
from ndnclient.simulator.state import create_state, load_state, save_state
from tests.fuzzing import Escaped, isolated_environment, mutate_bytes
from tests.fuzzing.settings_files import hostile_json_value

FIELDS = (
    "schema_version",
    "card_type",
    "card_number",
    "holder",
    "valid_from",
    "valid_to",
    "pin",
    "unlock_code",
    "pin_tries_left",
    "unlock_tries_left",
    "user_key_pem",
    "user_certificate_der",
    "ca_key_pem",
    "ca_certificate_der",
    "t0",
    "extended_length",
)


@dataclass(frozen=True)
class StateCase:
    content: bytes
    through_demo: bool


class VirtualCardStateTarget:
    name = "virtual_card_state"
    examples_in_tests = 150

    def __init__(self) -> None:
        self._valid: dict[str, object] | None = None
        self._root: Path | None = None

    @contextmanager
    def session(self) -> Iterator[None]:
        with isolated_environment() as root:
            self._root = root
            state = create_state(kdf_iterations=1)
            save_state(state, root / "seed.json")
            self._valid = json.loads((root / "seed.json").read_text("utf-8"))
            try:
                yield
            finally:
                self._root = None
                self._valid = None

    def generate(self, rng: random.Random) -> StateCase:
        document = dict(self._valid or {})
        pieces = {name: json.dumps(value) for name, value in document.items()}
        for _ in range(rng.randint(1, 3)):
            name = rng.choice(FIELDS)
            if name in ("pin", "unlock_code") and rng.random() < 0.5:
                kdf = rng.choice(["1", "0", "-5", "10000000000", "1" + "0" * 5000, '"x"'])
                pieces[name] = (
                    f'{{"kdf": "pbkdf2-hmac-sha256", "iterations": {kdf}, '
                    f'"salt": "AAAA", "hash": "AAAA"}}'
                )
            else:
                pieces[name] = hostile_json_value(rng)
        text = "{" + ", ".join(f'"{name}": {value}' for name, value in pieces.items()) + "}"
        raw = text.encode("utf-8", "surrogatepass")
        if rng.random() < 0.3:
            raw = mutate_bytes(rng, raw)
        return StateCase(raw, through_demo=rng.random() < 0.03)

    def run_one(self, case: StateCase) -> None:
        root = self._root
        if root is None:
            raise RuntimeError("run_one outside session()")
        path = root / "state.json"
        path.write_bytes(case.content)
        if case.through_demo:
            self._through_demo(root, case.content)
            return
        state = load_state(path)  # StateFileError is the project's sentence
        backend = VirtualReaderBackend(VirtualGoSignCard(state))
        try:
            for status in survey_cards(backend).cards:
                status.to_json()
            pin = SecretBuffer(b"1234")
            run_pin_operation(backend, lambda guard: guard.verify(pin), [pin])
        finally:
            backend.close()

    @staticmethod
    def _through_demo(root: Path, content: bytes) -> None:
        from ndnclient.ui.demo import DemoCard

        folder = root / "demo"
        folder.mkdir(exist_ok=True)
        for old in folder.glob("card.damaged-*"):
            old.unlink()
        (folder / "card.json").write_bytes(content)
        demo = DemoCard(folder)
        if demo.notices and not list(folder.glob("card.damaged-*")):
            raise Escaped() from AssertionError("the damaged demo card was not kept")


TARGETS = [VirtualCardStateTarget()]
