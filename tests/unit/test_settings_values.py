"""Value rules: URL origins, card numbers and the other keys (property-based where it pays)."""

from __future__ import annotations

import string

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from ndnclient.settings.cards import normalize_card_number
from ndnclient.settings.errors import InvalidValueError, UnknownKeyError
from ndnclient.settings.keys import KEYS, normalize
from ndnclient.settings.urls import normalize_origin, normalize_origin_list


@pytest.mark.parametrize(
    ("typed", "origin"),
    [
        ("https://www.e-bisc.go.jp", "https://www.e-bisc.go.jp"),
        ("HTTPS://WWW.Example.JP/", "https://www.example.jp"),
        ("https://example.jp:443", "https://example.jp"),
        ("https://example.jp:8443/", "https://example.jp:8443"),
        ("example.jp", "https://example.jp"),
        ("  https://example.jp.  ", "https://example.jp"),
        ("https://日本語.jp", "https://xn--wgv71a119e.jp"),
        ("https://ｅｘａｍｐｌｅ．ｊｐ", "https://example.jp"),  # full-width, as IMEs type it
        ("https://[2001:DB8::1]:443", "https://[2001:db8::1]"),
        ("https://192.0.2.10:10443", "https://192.0.2.10:10443"),
    ],
)
def test_origins_are_normalised(typed: str, origin: str) -> None:
    assert normalize_origin(typed) == origin


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("http://example.jp", "url_not_https"),
        ("ftp://example.jp", "url_not_https"),
        ("https://example.jp/bid/index.html", "url_has_path"),
        ("https://example.jp/?q=1", "url_has_path"),
        ("https://example.jp#top", "url_has_path"),
        ("https://user:pw@example.jp", "url_credentials"),
        ("https://*.example.jp", "url_wildcard"),
        ("https://", "url_no_host"),
        ("", "url_empty"),
        ("https://example.jp:99999", "url_malformed"),
        ("https://exa mple.jp", "url_bad_host"),
    ],
)
def test_bad_entries_say_what_is_wrong(typed: str, reason: str) -> None:
    with pytest.raises(InvalidValueError) as caught:
        normalize_origin(typed)
    assert caught.value.reason == reason
    assert caught.value.key == "urls.allowed"


def test_duplicates_after_normalising_are_dropped_in_order() -> None:
    assert normalize_origin_list(["https://b.jp", "https://A.jp/", "https://a.jp:443", "b.jp"]) == [
        "https://b.jp",
        "https://a.jp",
    ]


LABEL = st.text(alphabet=string.ascii_lowercase + string.digits, min_size=1, max_size=12)


@given(
    st.lists(LABEL, min_size=1, max_size=4),
    st.sampled_from(["jp", "go.jp", "lg.jp"]),
    st.one_of(st.none(), st.integers(1, 65535)),
    st.booleans(),
    st.booleans(),
)
def test_any_origin_normalises_to_scheme_host_port(
    labels: list[str], tld: str, port: int | None, upper: bool, slash: bool
) -> None:
    assume(all(not label.startswith("-") for label in labels))
    host = ".".join([*labels, tld])
    typed = f"https://{host.upper() if upper else host}{f':{port}' if port else ''}"
    typed += "/" if slash else ""
    origin = normalize_origin(typed)
    expected_port = "" if port in (None, 443) else f":{port}"
    assert origin == f"https://{host}{expected_port}"
    assert normalize_origin(origin) == origin  # idempotent


@given(st.text(max_size=60))
def test_any_text_is_an_origin_or_a_clear_error(text: str) -> None:
    try:
        origin = normalize_origin(text)
    except InvalidValueError:
        return
    assert origin.startswith("https://")
    assert "/" not in origin[len("https://") :]
    assert normalize_origin(origin) == origin


@given(
    st.text(alphabet="0123456789", min_size=16, max_size=16),
    st.sampled_from(["", "-", " "]),
    st.booleans(),
)
def test_card_numbers_as_typed(digits: str, separator: str, full_width: bool) -> None:
    typed = separator.join(digits[i : i + 4] for i in range(0, 16, 4))
    if full_width:
        typed = typed.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    assert normalize_card_number(typed) == digits


@given(st.text(max_size=30))
def test_any_text_is_a_card_number_or_a_clear_error(text: str) -> None:
    # Either a number or the card-number sentence, whatever is typed.
    refused: InvalidValueError | None = None
    try:
        number = normalize_card_number(text)
    except InvalidValueError as error:
        refused = error
    if refused is not None:
        assert refused.reason == "card_number"
        return
    assert len(number) == 16
    assert number.isascii()
    assert number.isdigit()


@pytest.mark.parametrize(
    ("key", "value", "canonical"),
    [
        ("verification_method", "multitrust", "multitrust"),
        ("ldap.connect_timeout", 2.5, 2.5),
        ("ldap.receive_timeout", "10", 10),
        ("ldap.url", "LDAP://repo.example.jp/o=CA,c=JP", "ldap://repo.example.jp:389/o=CA,c=JP"),
        ("ldap.url", "ldaps://repo.example.jp/o=CA", "ldaps://repo.example.jp:636/o=CA"),
        ("proxy.url", "http://proxy.example.lg.jp:8080", "http://proxy.example.lg.jp:8080"),
        ("proxy.url", "", None),
        ("readers.supported", "SCR3310", ["SCR3310"]),
        ("language", "en", "en"),
    ],
)
def test_key_values(key: str, value: object, canonical: object) -> None:
    assert normalize(key, value) == canonical


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("verification_method", "LDAP方式"),
        ("ldap.connect_timeout", 0),
        ("ldap.connect_timeout", True),
        ("ldap.connect_timeout", float("nan")),
        ("ldap.receive_timeout", 1000),
        ("ldap.url", "https://repo.example.jp/o=CA"),
        ("ldap.url", "ldap://repo.example.jp"),
        ("proxy.url", "socks5://proxy:1080"),
        ("trust.anchor_files", [""]),
        ("cards", [{"card_number": "1234"}]),
        ("language", "fr"),
    ],
)
def test_bad_key_values(key: str, value: object) -> None:
    with pytest.raises(InvalidValueError):
        normalize(key, value)


def test_a_proxy_password_in_the_url_is_refused_and_never_echoed() -> None:
    with pytest.raises(InvalidValueError) as caught:
        normalize("proxy.url", "http://taro:S3cret!@proxy:8080")
    assert "S3cret" not in str(caught.value)
    assert "S3cret" not in repr(caught.value.params)


def test_unknown_key() -> None:
    with pytest.raises(UnknownKeyError):
        normalize("ldap.host", "x")


def test_every_default_is_valid() -> None:
    for key, spec in KEYS.items():
        assert normalize(key, spec.default) == spec.default
