"""Signing with the virtual card through the real smart-card service: an S/MIME message that
OpenSSL verifies against the test CA, a wrong PIN that spends exactly one try, and the
signature test G14 of the operation check."""

from __future__ import annotations

import email
import shutil
import subprocess
from collections.abc import Callable
from email.message import Message
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.serialization import Encoding

from ndnclient.simulator.testca import TestCA
from tests.integration.support import PluggedCard, run_cli

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl missing"),
]

MESSAGE = "後援会の皆さまへ\n\n来週の集会は18時からです。\n認証太郎\n"


def test_an_smime_message_signed_by_the_card_verifies_with_openssl(
    plug_card: Callable[..., PluggedCard], shared_ca: TestCA, tmp_path: Path
) -> None:
    # A PIN no card number, path or count can contain by chance (the output names the card).
    card = plug_card(pin=b"Rt5xRt5x")
    (tmp_path / "message.txt").write_text(MESSAGE, encoding="utf-8")
    signed = tmp_path / "signed.eml"
    result = run_cli(
        "smime", "sign", "--in", str(tmp_path / "message.txt"), "--out", str(signed),
        "--pin-stdin", stdin="Rt5xRt5x\n",
    )  # fmt: skip
    assert result.code == 0, result.stderr
    assert "Rt5xRt5x" not in result.stdout + result.stderr
    assert "9392-0000-1234-5678" in result.stdout  # the card that signed is named
    anchors = tmp_path / "ca.pem"
    anchors.write_bytes(shared_ca.certificate.public_bytes(Encoding.PEM))
    verified = subprocess.run(
        ["openssl", "smime", "-verify", "-in", str(signed), "-CAfile", str(anchors)],
        capture_output=True,
        check=False,
    )
    assert verified.returncode == 0, verified.stderr.decode(errors="replace")
    assert b"Verification successful" in verified.stderr
    part: Message = email.message_from_bytes(verified.stdout)
    assert part.get_content_charset() == "utf-8"
    body = part.get_payload(decode=True)
    assert isinstance(body, bytes)
    assert body.decode("utf-8") == MESSAGE
    # Tampering with a byte of the message breaks the signature.
    tampered = tmp_path / "tampered.eml"
    data = signed.read_bytes()
    tampered.write_bytes(
        data.replace(b"Content-Transfer-Encoding: base64", b"Content-Transfer-Encoding: BASE64", 1)
    )
    refused = subprocess.run(
        ["openssl", "smime", "-verify", "-in", str(tampered), "-CAfile", str(anchors)],
        capture_output=True,
        check=False,
    )
    assert refused.returncode != 0
    assert card.state.pin_tries_left == 10


def test_a_wrong_pin_spends_exactly_one_try_and_writes_nothing(
    plug_card: Callable[..., PluggedCard], tmp_path: Path
) -> None:
    card = plug_card()
    (tmp_path / "message.txt").write_text(MESSAGE, encoding="utf-8")
    result = run_cli(
        "smime", "sign", "--in", str(tmp_path / "message.txt"), "--out", str(tmp_path / "s.eml"),
        "--pin-stdin", stdin="9999\n",
    )  # fmt: skip
    assert result.code == 1
    assert "9" in result.stderr
    assert "9999" not in result.stdout + result.stderr
    assert card.state.pin_tries_left == 9
    assert len(card.pin_commands_received()) == 1
    assert not any(apdu[1] == 0x2A for apdu in card.received)  # nothing was signed
    assert not (tmp_path / "s.eml").exists()


def test_a_blocked_pin_sends_nothing(plug_card: Callable[..., PluggedCard], tmp_path: Path) -> None:
    card = plug_card(pin_tries_left=0)
    (tmp_path / "message.txt").write_text(MESSAGE, encoding="utf-8")
    result = run_cli(
        "smime", "sign", "--in", str(tmp_path / "message.txt"), "--out", str(tmp_path / "s.eml"),
        "--pin-stdin", stdin="1234\n",
    )  # fmt: skip
    assert result.code == 1
    assert "ロック" in result.stderr
    assert card.pin_commands_received() == []


def test_the_signature_test_g14_through_pcscd(plug_card: Callable[..., PluggedCard]) -> None:
    card = plug_card()
    result = run_cli("check", "--sign-test", "--pin-stdin", "--only", "G14", "--json",
                     stdin="1234\n")  # fmt: skip
    assert result.code == 0, result.stdout + result.stderr
    (g14,) = result.json()["results"]
    assert (g14["code"], g14["status"], g14["outcome"]) == ("G14", "ok", "ok")
    assert len(card.pin_commands_received()) == 1
    # Without --sign-test the check never asks for the PIN, nor sends it.
    plain = run_cli("check", "--json")
    assert "G14" not in {r["code"] for r in plain.json()["results"]}
    assert len(card.pin_commands_received()) == 1
