"""Every error the card layer can raise has a sentence in Japanese and in English."""

from __future__ import annotations

import inspect
import re
import tomllib
from collections.abc import Callable
from pathlib import Path

import pytest

from ndnclient.card import errors
from ndnclient.messages import Messages
from ndnclient.resources import resource_path


def every_error() -> list[errors.CardError]:
    made: list[errors.CardError] = []
    for _, kind in inspect.getmembers(errors, inspect.isclass):
        if not issubclass(kind, errors.CardError):
            continue
        parameters = inspect.signature(kind.__init__).parameters
        # Each kind's arguments are chosen from its signature, read at run time above.
        make: Callable[..., errors.CardError] = kind
        if "sw" in parameters:
            made.append(make(0x6A82, ins=0xA4))
        elif "choice" in parameters:
            made.append(make("9392-0000-0000-0001", "9392-0000-0000-0002"))
        elif "listing" in parameters:
            made.append(make([1, 2], "9392-0000-0000-0001, 9392-0000-0000-0002"))
        elif "expected" in parameters:
            made.append(make(reader="R", expected="A", found="B"))
        elif "tries_left" in parameters and "cause" in parameters:
            made += [
                make(tries_left=3, cause="x"),
                make(
                    tries_left=None,
                    cause="x",
                    answered=True,
                ),
            ]
        elif "tries_left" in parameters:
            made += [make(3), make(3, which="unlock")]
        elif "message" not in parameters:
            made.append(make())
        elif "which" in parameters:
            made += [make("x", which=w) for w in ("pin", "new_pin", "unlock", "rejected_length")]
        else:
            made.append(make("x", reader="R", readers="R", reader_filter="Q"))
    return made


@pytest.mark.parametrize("lang", ["ja", "en"])
@pytest.mark.parametrize("error", every_error(), ids=lambda e: f"{type(e).__name__}")
def test_every_error_has_a_sentence(lang: str, error: errors.CardError) -> None:
    sentence = Messages(lang).describe(error)
    assert sentence, error
    assert not sentence.startswith(("card.", "pin.")), sentence
    assert "{" not in sentence, sentence  # every parameter was filled in
    if error.check_code:
        assert error.check_code in sentence


def test_both_catalogues_have_the_same_keys() -> None:
    def keys(lang: str) -> set[str]:
        with resource_path("messages", f"{lang}.toml").open("rb") as file:
            tree = tomllib.load(file)
        flat: set[str] = set()

        def walk(prefix: str, node: dict[str, object]) -> None:
            for name, value in node.items():
                if isinstance(value, dict):
                    walk(f"{prefix}{name}.", value)
                else:
                    flat.add(f"{prefix}{name}")

        walk("", tree)
        return flat

    assert keys("ja") == keys("en")


def test_an_unexpected_error_is_one_sentence_without_its_message() -> None:
    sentence = Messages("ja").describe(ValueError("secret detail 1234"))
    assert "ValueError" in sentence
    assert "1234" not in sentence


SOURCE = Path(__file__).resolve().parents[2] / "ndnclient"


def keys_used_in_source() -> set[str]:
    """Every message key the code names: reason="..." (settings.invalid.*), Notice("...")
    and message_key = "..." literals, plus the store's notices built from a problem."""
    used: set[str] = set()
    for path in SOURCE.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        used |= {f"settings.invalid.{r}" for r in re.findall(r'reason="([a-z_]+)"', text)}
        used |= {f"settings.invalid.{r}" for r in re.findall(r'_invalid\([^,]+, "([a-z_]+)"', text)}
        used |= set(re.findall(r'Notice\(\s*"([a-z_.]+)"', text))
        used |= set(re.findall(r'message_key = "([a-z_.]+)"', text))
    used |= {
        f"settings.notice.{problem}_{outcome}"
        for problem in ("corrupt", "unreadable")
        for outcome in ("restored", "defaults")
    }
    used |= {f"settings.keyring_{kind}" for kind in ("missing", "locked", "failed")}
    used |= {
        "settings.read_only_newer",
        "settings.read_only_not_kept",
        "settings.locked",
        "settings.locked_no_contact",
    }
    return used


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_every_key_the_code_names_has_a_sentence(lang: str) -> None:
    with resource_path("messages", f"{lang}.toml").open("rb") as file:
        tree = tomllib.load(file)

    def present(key: str) -> bool:
        node: object = tree
        for part in key.split("."):
            if not isinstance(node, dict) or part not in node:
                return False
            node = node[part]
        return isinstance(node, str)

    used = keys_used_in_source()
    assert len(used) > 40  # the scan really found the keys
    assert sorted(key for key in used if not present(key)) == []


# --- the window's forms of messages that tell what to type -----------------------------------

COMMAND_LINE = re.compile(r"--[a-z]|ndnclient [a-z]")


def catalogue_entries(lang: str) -> dict[str, str]:
    def walk(table: dict[str, object], prefix: str) -> dict[str, str]:
        found: dict[str, str] = {}
        for key, value in table.items():
            name = f"{prefix}.{key}" if prefix else key
            if isinstance(value, dict):
                found |= walk(value, name)
            elif isinstance(value, str):
                found[name] = value
        return found

    path = resource_path("messages", f"{lang}.toml")
    return walk(tomllib.loads(path.read_text(encoding="utf-8")), "")


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_window_forms_say_what_to_press_not_what_to_type(lang: str) -> None:
    entries = catalogue_entries(lang)
    window_forms = {key: text for key, text in entries.items() if key.endswith("_gui")}
    assert len(window_forms) >= 7
    for key, text in window_forms.items():
        assert key.removesuffix("_gui") in entries, key  # a form of a message that exists
        assert not COMMAND_LINE.search(text), (key, text)


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_an_error_in_the_window_takes_its_window_form(lang: str) -> None:
    from ndnclient.settings.errors import CardInSwitchingPeriodError

    error = CardInSwitchingPeriodError("in switching", card_number="9392", until="2027-01-01")
    messages = Messages(lang)
    assert "--force" in messages.describe(error)
    in_window = messages.describe(error, in_window=True)
    assert "--force" not in in_window
    assert "2027-01-01" in in_window
    # The unlock code's last try: first its own message, then that message's window form.
    last_try = errors.LastTryNotConfirmedError(which="unlock")
    assert "--i-understand-last-try" in messages.describe(last_try)
    in_window = messages.describe(last_try, in_window=True)
    assert messages.text("pin.last_try_unconfirmed_unlock_gui") in in_window


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_outside_text_in_a_sentence_never_reaches_the_terminal_as_a_control(lang: str) -> None:
    from ndnclient.settings.errors import CardInSwitchingPeriodError

    typed = "92\x1b[31m\x07\r\x9b1\nline\tcolumn"
    error = CardInSwitchingPeriodError("in switching", card_number=typed, until="2027-01-01")
    sentence = Messages(lang).describe(error)
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]", sentence), sentence
    assert "92\\x1b[31m\\x07\\x0d\\x9b1\nline\tcolumn" in sentence  # shown, not obeyed
