"""Certificate signing requests (証明書ツール): the CA FAQ's rules, checked by OpenSSL."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.x509.oid import NameOID
from hypothesis import given, settings
from hypothesis import strategies as st

from ndnclient import cli
from ndnclient.fileio import atomic_create
from ndnclient.pki.csr import build_csr, generate_key
from ndnclient.pki.csr_rules import (
    COMPANY_ABBREVIATIONS,
    MAX_LENGTH,
    UNUSABLE_CATEGORIES,
    CsrInputError,
    CsrKind,
    CsrRequest,
    check_request,
)
from tests.console import ScriptedConsole

Capture = pytest.CaptureFixture[str]
PASSPHRASE = "correct horse 電池"  # noqa: S105 (a test key's pass phrase)
needs_openssl = pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl missing")


def openssl(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(["openssl", *args], input=stdin, capture_output=True, check=False)


def create(
    capsys: Capture,
    folder: Path,
    *args: str,
    passphrases: tuple[str, str] = (PASSPHRASE, PASSPHRASE),
) -> tuple[int, str, str]:
    code = cli.main(
        [
            "csr",
            "create",
            *args,
            "--key-out",
            str(folder / "key.pem"),
            "--out",
            str(folder / "csr.pem"),
            "--passphrase-stdin",
        ],
        console=ScriptedConsole(stdin="\n".join(passphrases) + "\n"),
    )
    out = capsys.readouterr()
    return code, out.out, out.err


WEB: tuple[str, ...] = ("--kind", "web", "--cn", "www.example.jp", "--o", "認証太郎")
WEB += ("--l", "渋谷区", "--st", "東京都", "--c", "日本")


# --- the done-when command ------------------------------------------------------------------


@needs_openssl
def test_the_done_when_request_verifies_with_the_right_string_types(
    capsys: Capture, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    code, out, err = create(capsys, tmp_path, *WEB)
    assert code == 0, err
    csr_file, key_file = tmp_path / "csr.pem", tmp_path / "key.pem"
    verified = openssl("req", "-in", str(csr_file), "-verify", "-noout")
    assert verified.returncode == 0
    assert b"verify OK" in verified.stdout + verified.stderr
    parsed = openssl("asn1parse", "-in", str(csr_file)).stdout.decode("utf-8")
    assert "PRINTABLESTRING   :JP" in parsed
    assert "UTF8STRING        :認証太郎" in parsed
    assert "UTF8STRING        :東京都" in parsed
    assert "UTF8STRING        :渋谷区" in parsed
    text = openssl("req", "-in", str(csr_file), "-noout", "-text").stdout.decode()
    assert "DNS:www.example.jp" in text  # the CN is in the SAN
    assert "sha256WithRSAEncryption" in text
    assert "2048 bit" in text
    # The key: PKCS#8, encrypted, opened by the pass phrase only.
    assert key_file.read_bytes().startswith(b"-----BEGIN ENCRYPTED PRIVATE KEY-----")
    assert openssl("pkey", "-in", str(key_file), "-passin", "pass:wrong").returncode != 0
    opened = openssl("pkey", "-in", str(key_file), "-passin", "stdin", stdin=PASSPHRASE.encode())
    assert opened.returncode == 0
    # The summary the user checks against the form, and no pass phrase anywhere.
    assert "JP  [PrintableString]" in out
    assert "認証太郎  [UTF8String]" in out
    assert "「日本」を国コード「JP」にしました" in out
    assert PASSPHRASE not in out + err


def test_an_o_of_90_characters_is_refused_in_one_sentence(
    capsys: Capture, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    arguments = list(WEB)
    arguments[arguments.index("--o") + 1] = "認" * 90
    code, out, err = create(capsys, tmp_path, *arguments)
    assert code == 1
    assert out == ""
    assert err.strip().count("\n") == 0, err  # one sentence
    assert "O（組織名）は64文字までです（いま90文字）" in err
    assert list(tmp_path.iterdir()) == []  # nothing written, not even a key


# --- every kind and key type -----------------------------------------------------------------

KINDS = {
    "web": ("--kind", "web", "--cn", "www.example.jp", "--o", "認証太郎"),
    "ev": ("--kind", "ev", "--cn", "shop.example.co.jp", "--o", "株式会社認証商事"),
    "email": ("--kind", "email", "--cn", "認証党", "--o", "認証党", "--san", "info@例え.jp"),
}
KEYS = {
    "rsa2048": ("rsaEncryption", "2048 bit", "sha256WithRSAEncryption"),
    "rsa3072": ("rsaEncryption", "3072 bit", "sha256WithRSAEncryption"),
    "p256": ("id-ecPublicKey", "prime256v1", "ecdsa-with-SHA256"),
}


@needs_openssl
@pytest.mark.parametrize("key", list(KEYS))
@pytest.mark.parametrize("kind", list(KINDS))
def test_every_kind_and_key_type_verifies(
    capsys: Capture, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, kind: str, key: str
) -> None:
    extra = ("--l", "千代田区", "--st", "東京都", "--c", "JP", "--key", key)
    code, _, err = create(capsys, tmp_path, *KINDS[kind], *extra)
    assert code == 0, err
    csr_file = str(tmp_path / "csr.pem")
    assert openssl("req", "-in", csr_file, "-verify", "-noout").returncode == 0
    text = openssl("req", "-in", csr_file, "-noout", "-text").stdout.decode("utf-8")
    for expected in KEYS[key]:
        assert expected in text
    if kind == "email":
        assert "email:info@xn--r8jz45g.jp" in text
    else:
        assert f"DNS:{KINDS[kind][3]}" in text
    # The key in the file is the one the CSR carries.
    private = serialization.load_pem_private_key(
        (tmp_path / "key.pem").read_bytes(), PASSPHRASE.encode()
    )
    request = x509.load_pem_x509_csr((tmp_path / "csr.pem").read_bytes())
    assert private.public_key() == request.public_key()


# --- each rule, refused with its own sentence -------------------------------------------------


def web(**changes: object) -> CsrRequest:
    fields: dict[str, object] = {
        "kind": CsrKind.WEB,
        "cn": "www.example.jp",
        "o": "認証太郎",
        "l": "渋谷区",
        "st": "東京都",
        "c": "JP",
    }
    return CsrRequest(**(fields | changes))  # type: ignore[arg-type]


def problems(request: CsrRequest) -> set[tuple[str, str]]:
    with pytest.raises(CsrInputError) as caught:
        check_request(request)
    return {(p.field, p.key) for p in caught.value.problems}


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"cn": "  "}, ("cn", "required")),
        ({"o": ""}, ("o", "required")),
        ({"c": "Nippon"}, ("c", "country_code")),
        ({"c": "J"}, ("c", "country_code")),
        ({"cn": "example"}, ("cn", "not_fqdn")),  # one label: not a site's FQDN
        ({"cn": "192.0.2.1"}, ("cn", "not_fqdn")),
        ({"cn": "https://www.example.jp/"}, ("cn", "not_fqdn")),
        ({"cn": "*.example.jp"}, ("cn", "wildcard")),
        ({"cn": "a" * 60 + ".example.jp"}, ("cn", "too_long")),
        ({"o": "認" * 65}, ("o", "too_long")),
        ({"ou": "部" * 65}, ("ou", "too_long")),
        ({"l": "区" * 129}, ("l", "too_long")),
        ({"st": "県" * 129}, ("st", "too_long")),
        ({"o": "認証\x07太郎"}, ("o", "bad_character")),
        ({"o": "認証\u200b太郎"}, ("o", "bad_character")),  # zero-width space
        ({"o": "認証\u202e太郎"}, ("o", "bad_character")),  # right-to-left override
        ({"o": "認証\ue000太郎"}, ("o", "bad_character")),  # a private-use 外字
        ({"o": "㈱認証商事"}, ("o", "abbreviated")),
        ({"o": "（株）認証商事"}, ("o", "abbreviated")),
        ({"l": None}, ("l", "required")),
        ({"st": "  "}, ("st", "required")),
        ({"c": ""}, ("c", "required")),
        # 37 characters as typed, 71 in the A-label form the certificate holds:
        (
            {"cn": "日本語日本語日本語日本語.日本語日本語日本語日本語.例例例例例例例例.jp"},
            ("cn", "too_long_a_label"),
        ),
        ({"ascii_only": True}, ("o", "not_ascii")),
        ({"san": ("not a host",)}, ("san", "not_fqdn")),
    ],
)
def test_each_rule_is_refused_with_its_sentence(
    changes: dict[str, object], expected: tuple[str, str]
) -> None:
    assert expected in problems(web(**changes))


def test_every_broken_rule_is_reported_at_once() -> None:
    found = problems(web(cn="*.example.jp", o="認" * 70, c="Japan!"))
    assert found == {("cn", "wildcard"), ("o", "too_long"), ("c", "country_code")}


def test_each_problem_has_a_sentence_in_both_languages(
    capsys: Capture, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    arguments = ("--kind", "email", "--cn", "", "--o", "x" * 65, "--c", "Japan!", "--san", "@")
    for lang in ("ja", "en"):
        code, _, err = create(capsys, tmp_path, *arguments, "--lang", lang)
        assert code == 1
        lines = err.strip().splitlines()
        assert len(lines) == 4, err  # cn required, o too long, c, the address
        assert not any("csr." in line for line in lines)  # sentences, not keys


def test_ev_needs_city_and_prefecture_and_email_does_not() -> None:
    ev = CsrRequest(kind=CsrKind.EV, cn="shop.example.co.jp", o="株式会社認証商事")
    assert problems(ev) == {("l", "required"), ("st", "required")}
    email = CsrRequest(kind=CsrKind.EMAIL, cn="認証党", o="認証党", san=("a@example.jp",))
    assert check_request(email).subject == {"c": "JP", "o": "認証党", "cn": "認証党"}


def test_the_nickname_marker_is_the_part_that_matched() -> None:
    assert check_request(web(o="認証太郎（ニンちゃん）")).o_nickname_marker == "（"
    assert check_request(web(o="株式会社まこと")).o_nickname_marker is None
    assert check_request(web(o="有限会社ことぶき")).o_nickname_marker is None


def test_a_prefecture_with_the_city_gets_the_prefecture_as_the_hint() -> None:
    hint = next(n for n in check_request(web(st="東京都渋谷区")).notes if n.field == "st")
    assert hint.params["suggestion"] == "東京都"
    plain = next(n for n in check_request(web(st="どこか")).notes if n.field == "st")
    assert plain.key == "not_a_prefecture_plain"


def test_email_needs_an_address_and_takes_a_japanese_cn() -> None:
    email = CsrRequest(kind=CsrKind.EMAIL, cn="認証党", o="認証党")
    assert problems(email) == {("san", "email_required")}
    checked = check_request(
        CsrRequest(kind=CsrKind.EMAIL, cn="認証党", o="認証党", san=("ＵＳＥＲ@Example.JP",))
    )
    assert checked.email_addresses == ("USER@example.jp",)
    assert checked.dns_names == ()


def test_ascii_only_takes_romanised_names_and_idn_hosts() -> None:
    checked = check_request(
        web(cn="例え.jp", o="Ninsho Taro", l="Shibuya-ku", st="Tokyo", ascii_only=True)
    )
    assert checked.subject["cn"] == "xn--r8jz45g.jp"
    assert checked.dns_names == ("xn--r8jz45g.jp",)
    assert {n.key for n in checked.notes} == {"a_label", "cn_added"}


def test_japan_becomes_jp_and_a_bad_prefecture_gets_a_hint() -> None:
    checked = check_request(web(c="ｊａｐａｎ", st="東京"))
    assert checked.subject["c"] == "JP"
    hint = next(n for n in checked.notes if n.key == "not_a_prefecture")
    assert hint.params["suggestion"] == "東京都"


def test_a_nickname_in_o_is_refused_unless_confirmed(
    capsys: Capture, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    arguments = list(WEB)
    arguments[arguments.index("--o") + 1] = "認証太郎（ニンちゃん）"
    code, _, err = create(capsys, tmp_path, *arguments)
    assert code == 1
    assert "通称" in err
    assert list(tmp_path.iterdir()) == []
    code, _, err = create(capsys, tmp_path, *arguments, "--o-is-legal-name")
    assert code == 0, err


# --- the files -------------------------------------------------------------------------------


def test_nothing_is_overwritten(
    capsys: Capture, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / "key.pem").write_bytes(b"the user's old key")
    code, _, err = create(capsys, tmp_path, *WEB)
    assert code == 1
    assert "上書きはしません" in err
    assert (tmp_path / "key.pem").read_bytes() == b"the user's old key"
    assert not (tmp_path / "csr.pem").exists()


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX modes; Windows keeps ACLs")
def test_the_key_is_for_its_owner_only_and_no_temporary_file_is_left(
    capsys: Capture, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    assert create(capsys, tmp_path, *WEB)[0] == 0
    assert stat.S_IMODE((tmp_path / "key.pem").stat().st_mode) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["csr.pem", "key.pem"]


def test_different_pass_phrases_create_nothing(
    capsys: Capture, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    code, out, err = create(capsys, tmp_path, *WEB, passphrases=("first-one", "second-one"))
    assert code == 1
    assert "一致しません" in err
    assert "first-one" not in out + err
    assert list(tmp_path.iterdir()) == []


def test_atomic_create_without_hard_links_still_never_overwrites(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_links(*args: object) -> None:
        raise PermissionError(1, "Operation not permitted")  # a FAT file system

    monkeypatch.setattr(os, "link", no_links)
    atomic_create(tmp_path / "file", b"content", private=True)
    assert (tmp_path / "file").read_bytes() == b"content"
    with pytest.raises(FileExistsError):
        atomic_create(tmp_path / "file", b"other")
    assert [p.name for p in tmp_path.iterdir()] == ["file"]


def test_atomic_create_refuses_an_existing_file(tmp_path: Path) -> None:
    target = tmp_path / "file"
    atomic_create(target, b"first", private=True)
    with pytest.raises(FileExistsError):
        atomic_create(target, b"second")
    assert target.read_bytes() == b"first"
    assert [p.name for p in tmp_path.iterdir()] == ["file"]


# --- names: any Unicode, lengths at and around the limits -----------------------------------


def _cleaned(text: str) -> str:
    return unicodedata.normalize("NFC", text).strip().strip("\u3000").strip()


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=80))
def test_any_organisation_name_is_accepted_exactly_when_the_rules_allow(text: str) -> None:
    value = _cleaned(text)
    bad = any(unicodedata.category(c) in UNUSABLE_CATEGORIES for c in value)
    abbreviated = bool(COMPANY_ABBREVIATIONS.search(value))
    # Either accepted or refused with the right sentences, whatever is typed.
    refused: CsrInputError | None = None
    try:
        checked = check_request(web(o=text))
    except CsrInputError as error:
        refused = error
    if refused is not None:
        keys = {p.key for p in refused.problems if p.field == "o"}
        assert keys, refused.problems
        assert keys <= {"required", "too_long", "bad_character", "abbreviated"}
        assert ("required" in keys) == (not value)
        assert ("abbreviated" in keys) == (bool(value) and not bad and abbreviated)
        assert ("too_long" in keys) == (
            bool(value) and not bad and not abbreviated and len(value) > 64
        )
        return
    assert value
    assert not bad
    assert not abbreviated
    assert len(value) <= MAX_LENGTH["o"]
    assert checked.subject["o"] == value


SHARED_KEY = generate_key(CsrRequest(kind=CsrKind.WEB, cn="x.jp", o="x").key_type)


@settings(max_examples=40, deadline=None)
@given(
    st.sampled_from(["o", "ou", "l", "st"]),
    st.sampled_from(["認", "a", "𠮷", "が"]),  # BMP, ASCII, astral, composed from two
    st.integers(min_value=-2, max_value=2),
)
def test_lengths_are_counted_in_characters_at_the_limits(
    field: str, character: str, offset: int
) -> None:
    length = MAX_LENGTH[field] + offset
    value = character * length
    if field == "o" and character == "が":
        value = unicodedata.normalize("NFD", value)  # two code points each, one character
    request = web(**{field: value})
    if offset > 0:
        assert (field, "too_long") in problems(request)
        return
    checked = check_request(request)
    csr = build_csr(checked, SHARED_KEY)
    oid = {
        "o": NameOID.ORGANIZATION_NAME,
        "ou": NameOID.ORGANIZATIONAL_UNIT_NAME,
        "l": NameOID.LOCALITY_NAME,
        "st": NameOID.STATE_OR_PROVINCE_NAME,
    }[field]
    (attribute,) = csr.subject.get_attributes_for_oid(oid)
    assert attribute.value == unicodedata.normalize("NFC", value)
    assert csr.is_signature_valid


def test_the_command_exists_in_help() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "ndnclient", "csr", "create", "--help"],
        capture_output=True,
        check=False,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).parents[2])},
    )
    assert done.returncode == 0
    assert b"--passphrase-stdin" in done.stdout
