"""Policy precedence and locks, the keyring, export and import, through SettingsService."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import keyring
import pytest

from ndnclient.messages import Messages
from ndnclient.settings import secrets
from ndnclient.settings.errors import (
    ImportFileError,
    InvalidValueError,
    LockedByPolicyError,
    SecretStoreError,
)
from ndnclient.settings.policy import load_policy
from ndnclient.settings.service import SettingsService, Source
from ndnclient.settings.store import SettingsStore
from tests.keyrings_for_tests import MemoryKeyring, failing_keyring, null_keyring

POLICY = """
verification_method = "multitrust"
language = "en"
[ldap]
url = "ldap://repo.example.lg.jp/o=Example CA,c=JP"
connect_timeout = 2
[policy]
locked = ["verification_method", "readers.supported"]
contact = "情報政策課（内線 1234）"
"""


def service_with(tmp_path: Path, policy_text: str | None = POLICY) -> SettingsService:
    tmp_path.mkdir(parents=True, exist_ok=True)
    policy_file = tmp_path / "policy.toml"
    if policy_text is not None:
        policy_file.write_text(policy_text, encoding="utf-8")
    return SettingsService(SettingsStore(tmp_path / "user"), load_policy(policy_file))


def test_precedence(tmp_path: Path) -> None:
    service = service_with(tmp_path)
    service.set("language", "ja")
    settings, notices = service.load()
    assert notices == ()
    assert (settings.verification_method, settings.sources["verification_method"]) == (
        "multitrust",
        Source.LOCKED,
    )
    assert (settings.language, settings.sources["language"]) == ("ja", Source.USER)
    assert settings.sources["ldap.url"] is Source.POLICY
    assert settings.ldap_url == "ldap://repo.example.lg.jp:389/o=Example CA,c=JP"
    assert settings.ldap_connect_timeout == 2
    assert (settings.ldap_receive_timeout, settings.sources["ldap.receive_timeout"]) == (
        5,
        Source.DEFAULT,
    )
    assert settings.readers_supported == ()
    assert settings.locked("readers.supported")


def test_a_locked_value_cannot_be_changed_and_says_why(tmp_path: Path) -> None:
    service = service_with(tmp_path)
    changes: list[Callable[[], object]] = [
        lambda: service.set("verification_method", "ldap"),
        lambda: service.unset("verification_method"),
        lambda: service.set("readers.supported", ["X"]),
    ]
    for change in changes:
        with pytest.raises(LockedByPolicyError) as caught:
            change()
        sentence = Messages("ja").describe(caught.value)
        assert "情報政策課（内線 1234）" in sentence
        assert "固定" in sentence
    assert not service.store.path.exists()


def test_unset_returns_to_the_preset(tmp_path: Path) -> None:
    service = service_with(tmp_path)
    service.set("language", "ja")
    assert service.unset("language").language == "en"


@pytest.mark.parametrize(
    ("text", "notice"),
    [
        ("verification_method = ", "settings.notice.policy_unreadable"),
        ('verification_method = "yes"', "settings.notice.policy_bad_value"),
        ('[proxy]\nhost = "x"', "settings.notice.policy_unknown_key"),
        ('[policy]\nlocked = ["nothing"]', "settings.notice.policy_unknown_key"),
    ],
)
def test_a_bad_policy_is_reported_and_ignored(tmp_path: Path, text: str, notice: str) -> None:
    service = service_with(tmp_path, text)
    settings, notices = service.load()
    assert [n.message_key for n in notices] == [notice]
    assert settings.verification_method == "ldap"
    assert Messages("ja").text(notice, **notices[0].params) != notice


def test_no_policy_file(tmp_path: Path) -> None:
    settings, notices = service_with(tmp_path, None).load()
    assert notices == ()
    assert set(settings.sources.values()) == {Source.DEFAULT}


def test_urls(tmp_path: Path) -> None:
    service = service_with(tmp_path)
    _, origin, added = service.add_url("WWW.E-BISC.GO.JP/")
    assert (origin, added) == ("https://www.e-bisc.go.jp", True)
    assert service.add_url("https://www.e-bisc.go.jp:443")[2] is False
    service.add_url("https://日本語.jp")
    assert service.load()[0].urls_allowed == (
        "https://www.e-bisc.go.jp",
        "https://xn--wgv71a119e.jp",
    )
    assert service.remove_url("www.e-bisc.go.jp")[2] is True
    assert service.remove_url("www.e-bisc.go.jp")[2] is False
    with pytest.raises(InvalidValueError):
        service.add_url("http://insecure.example.jp")


def test_export_and_import_on_another_pc(tmp_path: Path) -> None:
    old_pc = service_with(tmp_path / "old", None)
    old_pc.set("urls.allowed", ["https://a.example.jp"])
    old_pc.set("verification_method", "multitrust")
    exported = tmp_path / "ndnclient-settings.json"
    old_pc.export(exported)
    assert "password" not in exported.read_text(encoding="utf-8").lower()

    new_pc = service_with(tmp_path / "new")  # whose IT locks verification_method
    result = new_pc.import_(exported)
    assert result.skipped_locked == ("verification_method",)
    assert result.settings.urls_allowed == ("https://a.example.jp",)
    assert new_pc.store.load().values == {"urls.allowed": ["https://a.example.jp"]}


@pytest.mark.parametrize("content", [b"garbage", b'{"version": 1, "settings": {"cards": 5}}'])
def test_importing_garbage_changes_nothing(tmp_path: Path, content: bytes) -> None:
    service = service_with(tmp_path, None)
    service.set("language", "en")
    bad = tmp_path / "bad.json"
    bad.write_bytes(content)
    with pytest.raises(ImportFileError) as caught:
        service.import_(bad)
    assert "ndnclient" in Messages("ja").describe(caught.value)
    assert service.load()[0].language == "en"
    with pytest.raises(ImportFileError):
        service.import_(tmp_path / "missing.json")


def test_proxy_password_lives_in_the_keyring_only(
    tmp_path: Path, memory_keyring: MemoryKeyring
) -> None:
    service = service_with(tmp_path, None)
    service.set("proxy.url", "http://proxy.example.lg.jp:8080")
    secrets.set_proxy_password("http://proxy.example.lg.jp:8080", "Tr0ub4dor&3")
    assert secrets.get_proxy_password("http://proxy.example.lg.jp:8080") == "Tr0ub4dor&3"
    for path in tmp_path.rglob("*"):
        if path.is_file():
            assert b"Tr0ub4dor" not in path.read_bytes()
    assert secrets.delete_proxy_password("http://proxy.example.lg.jp:8080") is True
    assert secrets.delete_proxy_password("http://proxy.example.lg.jp:8080") is False


def test_a_missing_keyring_is_a_clear_sentence_and_nothing_else_breaks(tmp_path: Path) -> None:
    previous = keyring.get_keyring()
    keyring.set_keyring(failing_keyring())
    try:
        with pytest.raises(SecretStoreError) as caught:
            secrets.set_proxy_password("http://proxy:8080", "x")
        assert caught.value.message_key == "settings.keyring_missing"
        assert "ほかの機能はそのまま" in Messages("ja").describe(caught.value)
        service = service_with(tmp_path, None)
        assert service.set("language", "en").language == "en"
    finally:
        keyring.set_keyring(previous)


def test_a_locked_keyring(memory_keyring: MemoryKeyring, monkeypatch: pytest.MonkeyPatch) -> None:
    def locked(*args: object) -> None:
        raise keyring.errors.KeyringLocked("locked")

    monkeypatch.setattr(memory_keyring, "set_password", locked)
    with pytest.raises(SecretStoreError) as caught:
        secrets.set_proxy_password("http://proxy:8080", "x")
    assert caught.value.message_key == "settings.keyring_locked"


def test_export_file_is_the_documented_format(tmp_path: Path) -> None:
    service = service_with(tmp_path, None)
    service.set("language", "en")
    target = tmp_path / "out.json"
    service.export(target)
    document = json.loads(target.read_text(encoding="utf-8"))
    assert document.pop("saved_at")
    assert document == {
        "format": "ndnclient-settings",
        "version": 1,
        "settings": {"language": "en"},
    }


def test_the_example_policy_for_it_is_valid() -> None:
    example = Path(__file__).resolve().parents[2] / "installer" / "policy.example.toml"
    policy = load_policy(example)
    assert policy.notices == ()
    assert policy.locked == {"verification_method", "ldap.url"}
    assert policy.presets["urls.allowed"] == ["https://www.e-bisc.go.jp"]


@pytest.mark.parametrize(
    ("text", "locked", "notices"),
    [
        ('[policy]\nlocked = "verification_method"', {"verification_method"}, []),
        ("[policy]\nlocked = 5", set(), ["settings.notice.policy_bad_value"]),
        ('[policy]\nlock = ["language"]', set(), ["settings.notice.policy_unknown_key"]),
        ('policy = "x"', set(), ["settings.notice.policy_bad_value"]),
    ],
)
def test_policy_lock_lists(tmp_path: Path, text: str, locked: set[str], notices: list[str]) -> None:
    policy_file = tmp_path / "policy.toml"
    policy_file.write_text(text, encoding="utf-8")
    policy = load_policy(policy_file)
    assert set(policy.locked) == locked
    assert [n.message_key for n in policy.notices] == notices


def test_a_policy_saved_with_a_byte_order_mark_still_locks(tmp_path: Path) -> None:
    policy_file = tmp_path / "policy.toml"
    policy_file.write_bytes(b'\xef\xbb\xbf[policy]\nlocked = ["language"]\n')
    policy = load_policy(policy_file)
    assert policy.notices == ()
    assert policy.locked == {"language"}


def test_locks_hold_on_every_path(tmp_path: Path) -> None:
    service = service_with(tmp_path, '[policy]\nlocked = ["urls.allowed", "cards"]\n')
    with pytest.raises(LockedByPolicyError) as caught:
        service.add_url("https://a.jp")
    assert caught.value.message_key == "settings.locked_no_contact"
    with pytest.raises(LockedByPolicyError):
        service.remove_url("https://a.jp")
    from datetime import date

    from ndnclient.settings.cards import RegisteredCard

    card = RegisteredCard("1111222233334444", date(2026, 1, 1), date(2099, 1, 1))
    with pytest.raises(LockedByPolicyError):
        service.register_card(card, date(2026, 6, 1))
    exported = tmp_path / "export.json"
    exported.write_text(
        json.dumps({"version": 1, "settings": {"cards": [card.to_json()], "language": "en"}}),
        encoding="utf-8",
    )
    result = service.import_(exported)
    assert result.skipped_locked == ("cards",)
    assert result.settings.cards == ()


def test_defaults_are_not_shared_by_reference(tmp_path: Path) -> None:
    settings, _ = service_with(tmp_path, None).load()
    settings.values["urls.allowed"].append("https://evil.example.jp")
    assert service_with(tmp_path, None).load()[0].urls_allowed == ()


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("urls.allowed", ["https://taro:S3cret@x.jp"]),
        ("urls.allowed", ["https://taro:S3cret@x.jp:99999"]),
        ("proxy.url", "http://taro:S3cret@proxy:99999"),
        ("proxy.url", "http://taro:S3cret@[proxy:8080"),
        ("ldap.url", "ldap://cn=admin:S3cret@repo.example.jp/o=CA"),
    ],
)
def test_a_password_typed_into_a_url_is_never_echoed(
    tmp_path: Path, key: str, value: object
) -> None:
    with pytest.raises(InvalidValueError) as caught:
        service_with(tmp_path, None).set(key, value)
    for text in (
        str(caught.value),
        repr(caught.value.params),
        Messages("ja").describe(caught.value),
        Messages("en").describe(caught.value),
    ):
        assert "S3cret" not in text


@pytest.mark.parametrize(
    ("raised", "kind"),
    [
        (keyring.errors.NoKeyringError("none"), "missing"),
        (keyring.errors.KeyringLocked("locked"), "locked"),
        (RuntimeError("(1312, 'CredRead', 'A specified logon session does not exist.')"), "failed"),
    ],
)
def test_every_keyring_failure_is_a_sentence(
    memory_keyring: MemoryKeyring, monkeypatch: pytest.MonkeyPatch, raised: Exception, kind: str
) -> None:
    def fail_with(*args: object) -> None:
        raise raised

    for name in ("get_password", "set_password", "delete_password"):
        monkeypatch.setattr(memory_keyring, name, fail_with)
    for call in (
        lambda: secrets.get_proxy_password("http://p:1"),
        lambda: secrets.set_proxy_password("http://p:1", "pw"),
        lambda: secrets.delete_proxy_password("http://p:1"),
    ):
        with pytest.raises(SecretStoreError) as caught:
            call()
        assert caught.value.message_key == f"settings.keyring_{kind}"


def test_the_null_keyring_counts_as_missing() -> None:
    previous = keyring.get_keyring()
    keyring.set_keyring(null_keyring())
    try:
        with pytest.raises(SecretStoreError) as caught:
            secrets.set_proxy_password("http://p:1", "pw")
        assert caught.value.message_key == "settings.keyring_missing"
    finally:
        keyring.set_keyring(previous)


def test_put_card_adds_replaces_and_keeps_a_card_registered_meanwhile(tmp_path: Path) -> None:
    from datetime import date

    from ndnclient.settings.cards import RegisteredCard

    service = SettingsService(SettingsStore(tmp_path / "user"))
    old = RegisteredCard("1111222233334444", date(2024, 5, 1), date(2026, 4, 30), "旧")
    new = RegisteredCard("5555666677778888", date(2026, 4, 1), date(2028, 3, 31), "新")
    service.put_card(new)
    # A card registered from another page between this page's read and its write.
    service.register_card(old, date(2026, 4, 10))
    edited = RegisteredCard("5555666677778888", date(2026, 4, 1), date(2028, 3, 31), "新・契約課")
    cards = service.put_card(edited, replacing="5555666677778888").cards
    assert [(c.card_number, c.label) for c in cards] == [
        ("1111222233334444", "旧"),
        ("5555666677778888", "新・契約課"),
    ]
    # An edit that corrects the number replaces the entry, not adds one.
    fixed = RegisteredCard("5555666677778889", date(2026, 4, 1), date(2028, 3, 31), "新")
    cards = service.put_card(fixed, replacing="5555666677778888").cards
    assert [c.card_number for c in cards] == ["1111222233334444", "5555666677778889"]
