"""証明書ツール: the CSR form (rules shown under their fields, files made off the GUI thread,
never over an existing file) and the certificate viewer (files and the card)."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLabel
from pytestqt.qtbot import QtBot

from ndnclient.ui.pages.cert_tools import CertToolsPage

Start = Callable[..., Any]


def page(started: Any) -> CertToolsPage:
    started.window.show_page("cert_tools")
    tools: CertToolsPage = started.window.cert_tools
    return tools


def fill(form: Any, folder: Path, **values: str) -> None:
    fields = {"cn": "www.example.jp", "o": "認証太郎", "l": "渋谷区", "st": "東京都", "c": "日本"}
    for name, value in (fields | values).items():
        form.entries[name].setText(value)
    form.legal_name.setChecked(True)
    form.key_path.setText(str(folder / "key.pem"))
    form.csr_path.setText(str(folder / "csr.pem"))
    form.passphrase.setText("secret-pass")
    form.passphrase_again.setText("secret-pass")


def test_the_page_is_in_the_menu_and_on_alt_5(qtbot: QtBot, gui: Start) -> None:
    started = gui()
    started.window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is started.window, timeout=2000)
    QTest.keyClick(started.window, Qt.Key.Key_5, Qt.KeyboardModifier.AltModifier)
    assert started.window.current_page_name() == "cert_tools"
    assert started.window.navigation.currentItem().text() == "証明書ツール"


def test_a_csr_is_made_off_the_gui_thread_and_verifies(
    qtbot: QtBot, gui: Start, tmp_path: Path
) -> None:
    form = page(gui()).csr
    fill(form, tmp_path)
    form.create_button.click()
    # The pass phrase leaves the fields the moment the button is pressed.
    assert form.passphrase.text() == ""
    assert form.passphrase_again.text() == ""
    qtbot.waitUntil(lambda: form.banner.kind == "ok", timeout=10000)
    summary = form.summary.toPlainText()
    assert "C（国）: JP  [PrintableString]" in summary
    assert "認証太郎  [UTF8String]" in summary
    assert "「日本」を国コード「JP」にしました" in summary
    verified = subprocess.run(
        ["openssl", "req", "-in", str(tmp_path / "csr.pem"), "-verify", "-noout"],
        capture_output=True,
        check=False,
    )
    assert verified.returncode == 0
    key = serialization.load_pem_private_key((tmp_path / "key.pem").read_bytes(), b"secret-pass")
    request = x509.load_pem_x509_csr((tmp_path / "csr.pem").read_bytes())
    assert key.public_key() == request.public_key()


def test_each_broken_rule_shows_under_its_field_and_nothing_is_made(
    qtbot: QtBot, gui: Start, tmp_path: Path
) -> None:
    form = page(gui()).csr
    fill(form, tmp_path, o="認" * 90, cn="*.example.jp", c="Nippon")
    form.create_button.click()
    assert "64文字までです（いま90文字）" in form.notes["o"].text()
    assert "ワイルドカード" in form.notes["cn"].text()
    assert "JP" in form.notes["c"].text()
    assert not form.notes["l"].isVisible()
    assert not form.busy
    assert list(tmp_path.iterdir()) == []


def test_the_legal_name_must_be_confirmed(qtbot: QtBot, gui: Start, tmp_path: Path) -> None:
    form = page(gui()).csr
    fill(form, tmp_path, o="認証太郎（ニンちゃん）")
    form.legal_name.setChecked(False)
    form.create_button.click()
    assert "通称" in form.notes["o"].text()
    assert form.legal_note.isVisible()
    assert list(tmp_path.iterdir()) == []


def test_different_pass_phrases_and_missing_files_are_refused(
    qtbot: QtBot, gui: Start, tmp_path: Path
) -> None:
    form = page(gui()).csr
    fill(form, tmp_path)
    form.passphrase_again.setText("another")
    form.csr_path.setText("")
    form.create_button.click()
    assert "一致しません" in form.passphrase_note.text()
    assert form.files_note.isVisible()
    assert list(tmp_path.iterdir()) == []


def test_an_existing_file_is_never_overwritten(qtbot: QtBot, gui: Start, tmp_path: Path) -> None:
    (tmp_path / "key.pem").write_bytes(b"the old key")
    form = page(gui()).csr
    fill(form, tmp_path)
    form.create_button.click()
    qtbot.waitUntil(lambda: form.files_note.isVisible(), timeout=10000)
    assert "上書きはしません" in form.files_note.text()
    assert (tmp_path / "key.pem").read_bytes() == b"the old key"
    assert not (tmp_path / "csr.pem").exists()
    assert not form.busy


def _certificate(days: int) -> tuple[Any, x509.Certificate]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "www.example.jp")])
    start = datetime.now(UTC) - timedelta(days=1)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(7)
        .not_valid_before(start)
        .not_valid_after(start + timedelta(days=days))
        .add_extension(
            x509.SubjectAlternativeName([x509.DNSName("www.example.jp")]), critical=False
        )
        .sign(key, hashes.SHA256())
    )
    return key, certificate


@pytest.mark.parametrize(("days", "kind"), [(90, "ok"), (398, "warn")])
def test_a_certificate_file_is_shown_with_its_warnings(
    qtbot: QtBot, gui: Start, tmp_path: Path, days: int, kind: str
) -> None:
    viewer = page(gui()).viewer
    _, certificate = _certificate(days)
    (tmp_path / "site.pem").write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    viewer.path.setText(str(tmp_path / "site.pem"))
    viewer.show_button.click()
    qtbot.waitUntil(lambda: viewer.banner.kind == kind, timeout=5000)
    assert "CN=www.example.jp  [UTF8String]" in viewer.text.toPlainText()


def test_a_pkcs12_asks_for_its_password(qtbot: QtBot, gui: Start, tmp_path: Path) -> None:
    viewer = page(gui()).viewer
    key, certificate = _certificate(90)
    bundle = pkcs12.serialize_key_and_certificates(
        b"me", key, certificate, None, serialization.BestAvailableEncryption(b"p12-pw")
    )
    (tmp_path / "me.p12").write_bytes(bundle)
    viewer.path.setText(str(tmp_path / "me.p12"))
    viewer.show_button.click()
    qtbot.waitUntil(lambda: viewer.banner.kind == "warn", timeout=5000)
    assert "パスワード" in viewer.banner.text.text()
    viewer.password.setText("p12-pw")
    viewer.show_button.click()
    assert viewer.password.text() == ""  # gone from the field at once
    qtbot.waitUntil(lambda: viewer.banner.kind == "ok", timeout=5000)
    assert "www.example.jp" in viewer.text.toPlainText()


def test_the_cards_certificate(qtbot: QtBot, gui: Start) -> None:
    started = gui()
    viewer = page(started).viewer
    viewer.card_button.click()
    qtbot.waitUntil(lambda: "CN=" in viewer.text.toPlainText(), timeout=5000)
    assert started.reader.card.state.holder in viewer.text.toPlainText()
    assert viewer.card_button.isEnabled()


def test_the_result_is_in_view_and_names_o_as_the_form_does(
    qtbot: QtBot, gui: Start, tmp_path: Path
) -> None:
    started = gui()
    started.window.resize(800, 600)
    form = page(started).csr
    fill(form, tmp_path)
    bar = form.scroll_area.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 0, timeout=2000)
    bar.setValue(bar.maximum())  # the user is at the button, at the bottom of the form
    form.create_button.click()
    qtbot.waitUntil(lambda: form.banner.kind == "ok", timeout=10000)
    assert bar.value() == 0  # scrolled up to the result
    assert not form.summary.verticalScrollBar().isVisible()  # no scroll bar in the page's
    summary = form.summary.toPlainText()
    o_label = form.labels["o"].text()
    assert o_label == "O（組織名）"
    assert f"{o_label}: 認証太郎" in summary  # the same name in the form and its summary


def test_the_result_stays_until_the_next_attempt_and_goes_on_a_refusal(
    qtbot: QtBot, gui: Start, tmp_path: Path
) -> None:
    started = gui()
    form = page(started).csr
    fill(form, tmp_path)
    form.create_button.click()
    qtbot.waitUntil(lambda: form.banner.kind == "ok", timeout=10000)
    assert form.summary.isVisibleTo(form)
    # The user compares the summary with the application form: an edit or a look at another
    # page does not take it away.
    form.entries["cn"].textEdited.emit("www2.example.jp")
    assert form.summary.isVisibleTo(form)
    assert form.banner.isVisibleTo(form)
    assert form.banner.kind == "ok"
    started.window.show_page("home")
    started.window.show_page("cert_tools")
    assert form.summary.isVisibleTo(form)
    assert form.banner.isVisibleTo(form)
    fill(form, tmp_path / "again")
    (tmp_path / "again").mkdir()
    form.create_button.click()
    qtbot.waitUntil(lambda: form.banner.kind == "ok" and form.banner.isVisible(), timeout=10000)
    form.passphrase_again.setText("other")
    form.passphrase.setText("secret")
    form.create_button.click()  # refused: the earlier result is not this attempt's
    assert not form.summary.isVisibleTo(form)
    assert form.passphrase_note.isVisibleTo(form)
    assert form.entries["cn"].text() == "www.example.jp"  # what was typed is kept
    fill(form, tmp_path / "third")
    (tmp_path / "third").mkdir()
    form.create_button.click()
    qtbot.waitUntil(lambda: form.summary.isVisibleTo(form), timeout=10000)


def test_an_error_goes_on_edit_and_on_leaving_and_never_beside_an_old_result(
    qtbot: QtBot, gui: Start, tmp_path: Path
) -> None:
    started = gui()
    form = page(started).csr
    fill(form, tmp_path)
    form.create_button.click()
    qtbot.waitUntil(lambda: form.banner.kind == "ok", timeout=10000)
    # The same files again: refused on the task thread (never over an existing file).
    fill(form, tmp_path)
    form.create_button.click()
    qtbot.waitUntil(lambda: form.files_note.isVisibleTo(form), timeout=10000)
    assert not form.summary.isVisibleTo(form)  # no old success beside the new error
    assert not form.banner.isVisibleTo(form) or form.banner.kind != "ok"
    form.banner.show_message("error", "stale")  # as a failure on the task thread leaves it
    form.key_path.textEdited.emit(str(tmp_path / "other.pem"))
    assert not form.banner.isVisibleTo(form)  # an edit makes an error stale
    form.banner.show_message("error", "stale")
    started.window.show_page("home")
    started.window.show_page("cert_tools")
    assert not form.banner.isVisibleTo(form)


def test_every_field_with_a_mnemonic_has_its_label(gui: Start) -> None:
    form = page(gui()).csr
    buddies = {label.buddy(): label for label in form.findChildren(QLabel) if label.buddy()}
    for field in (form.kind, form.key_path, form.csr_path, form.passphrase_again):
        assert field in buddies  # Alt+letter reaches it, and no "&" is shown as text
