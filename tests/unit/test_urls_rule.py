"""The rule for a new allowed-URL entry: a site name that cannot be right is refused, and a
page's address pasted from the browser names its site (the same rule for the GUI and the CLI)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ndnclient.messages import Messages
from ndnclient.settings.errors import InvalidValueError
from ndnclient.settings.policy import Policy
from ndnclient.settings.service import SettingsService
from ndnclient.settings.store import SettingsStore
from ndnclient.settings.urls import new_entry_origin, normalize_origin, origin_of_page


@pytest.mark.parametrize(
    "typed", ["電子入札", "https://電子入札", "https://e-bisc", "e-bisc", "https://intranet:8443"]
)
def test_a_site_name_without_a_dot_is_refused(typed: str) -> None:
    with pytest.raises(InvalidValueError) as caught:
        new_entry_origin(typed)
    assert caught.value.reason == "url_no_dot"


@pytest.mark.parametrize(
    ("typed", "origin"),
    [
        ("https://localhost:8443", "https://localhost:8443"),
        ("https://192.0.2.10", "https://192.0.2.10"),
        ("https://[2001:db8::1]", "https://[2001:db8::1]"),
        ("www.e-bisc.go.jp", "https://www.e-bisc.go.jp"),
        ("https://電子入札.jp", "https://xn--y5qq5vm0jt91c.jp"),
    ],
)
def test_local_names_addresses_and_real_sites_are_accepted(typed: str, origin: str) -> None:
    assert new_entry_origin(typed) == origin


def test_a_stored_entry_without_a_dot_still_loads_and_can_be_removed() -> None:
    # Only new entries meet the stricter rule: an old list must not be reset for one entry.
    assert normalize_origin("https://xn--y5qq5vm0jt91c") == "https://xn--y5qq5vm0jt91c"


def test_a_page_address_is_refused_naming_its_site() -> None:
    pasted = "https://www.e-bisc.go.jp/foo/bar?x=1"
    with pytest.raises(InvalidValueError) as caught:
        new_entry_origin(pasted)
    assert caught.value.reason == "url_has_path"
    assert caught.value.params["origin"] == "https://www.e-bisc.go.jp"
    sentence = Messages("ja").describe(caught.value)
    assert "https://www.e-bisc.go.jp）" in sentence
    assert origin_of_page(pasted) == "https://www.e-bisc.go.jp"
    assert new_entry_origin(pasted, drop_path=True) == "https://www.e-bisc.go.jp"


def test_dropping_the_path_keeps_every_other_check() -> None:
    with pytest.raises(InvalidValueError) as caught:
        new_entry_origin("https://e-bisc/top.html", drop_path=True)
    assert caught.value.reason == "url_no_dot"
    with pytest.raises(InvalidValueError) as caught:
        origin_of_page("http://www.e-bisc.go.jp/top.html")
    assert caught.value.reason == "url_not_https"


def test_the_service_adds_with_the_new_entry_rule(tmp_path: Path) -> None:
    service = SettingsService(SettingsStore(tmp_path), Policy())
    with pytest.raises(InvalidValueError) as caught:
        service.add_url("電子入札")
    assert caught.value.reason == "url_no_dot"
    assert "「電子入札」" in Messages("ja").describe(caught.value)
    assert service.load()[0].urls_allowed == ()
    service.set("urls.allowed", ["https://xn--y5qq5vm0jt91c"])  # an old list, as stored
    assert service.remove_url("https://xn--y5qq5vm0jt91c")[2] is True
