"""The command line's own rules, on the in-process virtual card (fast, no pcscd)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, NoReturn

import pytest

from ndnclient import cli
from ndnclient.simulator.inprocess import VirtualReaderBackend
from tests.console import ScriptedConsole

MakeReader = Callable[..., VirtualReaderBackend]


def pin_data_commands(backend: VirtualReaderBackend, run: Callable[[], int]) -> tuple[int, int]:
    """Run the CLI; return its exit status and how many PIN-bearing commands reached the card."""
    seen: list[bytes] = []
    original = backend.card.process_apdu

    def spy(apdu: bytes | bytearray) -> bytes:
        if apdu[1] in (0x20, 0x24, 0x2C) and len(apdu) > 4:
            seen.append(bytes(apdu))
        return original(apdu)

    backend.card.process_apdu = spy  # type: ignore[method-assign]
    return run(), len(seen)


def test_interactive_verify(
    reader: Callable[..., VirtualReaderBackend],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    backend = reader()
    console = ScriptedConsole("1234")
    assert pin_data_commands(
        backend,
        lambda: cli.main(["pin", "verify"], backend_factory=lambda: backend, console=console),
    ) == (0, 1)
    # The card is named before anything is typed, in the prompt and in the result.
    assert console.prompts == ["PIN（カード 9392-0000-1234-5678）: "]
    out = capsys.readouterr()
    assert "PINは正しいです（カード 9392-0000-1234-5678）" in out.out
    assert "対象のカード: 9392-0000-1234-5678" in out.err
    assert "残り回数: 10回" in out.err


def test_last_try_declined_at_the_prompt_sends_nothing(
    reader: Callable[..., VirtualReaderBackend],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    backend = reader(pin_tries_left=1)
    console = ScriptedConsole("no")
    assert pin_data_commands(
        backend,
        lambda: cli.main(["pin", "verify"], backend_factory=lambda: backend, console=console),
    ) == (1, 0)
    assert "あと1回" in capsys.readouterr().err
    assert backend.card.state.pin_tries_left == 1


def test_last_try_accepted_at_the_prompt(
    reader: Callable[..., VirtualReaderBackend], monkeypatch: pytest.MonkeyPatch
) -> None:
    backend = reader(pin_tries_left=1)
    console = ScriptedConsole("yes", "1234")
    assert pin_data_commands(
        backend,
        lambda: cli.main(["pin", "verify"], backend_factory=lambda: backend, console=console),
    ) == (0, 1)
    assert backend.card.state.pin_tries_left == 10


def test_stdin_cannot_confirm_the_last_try(
    reader: Callable[..., VirtualReaderBackend], monkeypatch: pytest.MonkeyPatch
) -> None:
    backend = reader(pin_tries_left=1)
    console = ScriptedConsole(stdin="yes\n1234\n")
    assert pin_data_commands(
        backend,
        lambda: cli.main(
            ["pin", "verify", "--pin-stdin"], backend_factory=lambda: backend, console=console
        ),
    ) == (1, 0)


def test_new_pin_typed_differently_twice_sends_nothing(
    reader: Callable[..., VirtualReaderBackend],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    backend = reader()
    console = ScriptedConsole("1234", "Abcd99", "Abcd98")
    assert pin_data_commands(
        backend,
        lambda: cli.main(["pin", "change"], backend_factory=lambda: backend, console=console),
    ) == (1, 0)
    assert "一致しません" in capsys.readouterr().err


def test_interactive_unlock_shows_both_counters(
    reader: Callable[..., VirtualReaderBackend],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    backend = reader(pin_tries_left=0, unlock_tries_left=2)
    console = ScriptedConsole("12345678", "Zz1234", "Zz1234")
    assert pin_data_commands(
        backend,
        lambda: cli.main(["pin", "unlock"], backend_factory=lambda: backend, console=console),
    ) == (0, 1)
    err = capsys.readouterr().err
    assert "PINの残り回数: 0回" in err
    assert "ロック解除コードの残り回数: 2回" in err
    assert "注意" in err
    assert len(console.prompts) == 3


def test_no_terminal_and_no_pin_stdin_is_bad_usage(
    reader: Callable[..., VirtualReaderBackend],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    backend = reader()
    console = ScriptedConsole(stdin="")
    assert pin_data_commands(
        backend,
        lambda: cli.main(["pin", "verify"], backend_factory=lambda: backend, console=console),
    ) == (2, 0)
    assert "--pin-stdin" in capsys.readouterr().err


def test_missing_stdin_lines_send_nothing(
    reader: Callable[..., VirtualReaderBackend], monkeypatch: pytest.MonkeyPatch
) -> None:
    backend = reader()
    console = ScriptedConsole(stdin="1234\n")
    assert pin_data_commands(
        backend,
        lambda: cli.main(
            ["pin", "change", "--pin-stdin"], backend_factory=lambda: backend, console=console
        ),
    ) == (1, 0)


def test_status_in_english(
    reader: Callable[..., VirtualReaderBackend], capsys: pytest.CaptureFixture[str]
) -> None:
    backend = reader(holder="Hanako Denshi")
    assert cli.main(["card", "status", "--lang", "en"], backend_factory=lambda: backend) == 0
    out = capsys.readouterr().out
    assert "Holder" in out
    assert "Hanako Denshi" in out
    assert "GoSign IC card" in out


def test_status_json_without_a_card(
    reader: Callable[..., VirtualReaderBackend], capsys: pytest.CaptureFixture[str]
) -> None:
    backend = reader()
    backend.remove()
    assert cli.main(["card", "status", "--json"], backend_factory=lambda: backend) == 1
    document = json.loads(capsys.readouterr().out)
    assert document["card_type"] == "none"
    assert document["error"]["code"] == "G02"


def test_a_pin_is_never_an_argument() -> None:
    with pytest.raises(SystemExit) as caught:
        cli.main(["pin", "verify", "--pin", "1234"])
    assert caught.value.code == 2


def test_the_counter_is_checked_again_after_typing(
    reader: Callable[..., VirtualReaderBackend],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # 3 tries shown; while the user types, another program spends two. The gate reads the
    # counter again, finds the last try unconfirmed, and sends nothing.
    backend = reader(pin_tries_left=3)

    def spend_tries_meanwhile(prompt: str) -> None:
        backend.card.state.pin_tries_left = 1

    console = ScriptedConsole("1234", on_prompt=spend_tries_meanwhile)
    assert pin_data_commands(
        backend,
        lambda: cli.main(["pin", "verify"], backend_factory=lambda: backend, console=console),
    ) == (1, 0)
    err = capsys.readouterr().err
    assert "残り回数: 3回" in err
    assert "あと1回" in err


def test_ctrl_c_after_the_pin_went_out_reports_unknown(
    reader: Callable[..., VirtualReaderBackend],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    backend = reader()
    original = backend.card.process_apdu

    def interrupted_after_the_card_acted(apdu: bytes | bytearray) -> bytes:
        answer = original(apdu)
        if apdu[1] == 0x20 and len(apdu) > 4:
            raise KeyboardInterrupt
        return answer

    backend.card.process_apdu = interrupted_after_the_card_acted  # type: ignore[method-assign]
    console = ScriptedConsole(stdin="0000\n")
    assert (
        cli.main(
            ["pin", "verify", "--pin-stdin", "--json"],
            backend_factory=lambda: backend,
            console=console,
        )
        == 1
    )
    out = capsys.readouterr()
    document = json.loads(out.out)
    assert document["error"]["kind"] == "PinResultUnknownError"
    assert document["pin_tries_left"] == 9 == backend.card.state.pin_tries_left
    assert "送り直していません" in out.err


def test_unlock_counts_are_reported_as_unlock_counts(
    reader: Callable[..., VirtualReaderBackend],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    backend = reader(pin_tries_left=0)
    console = ScriptedConsole(stdin="00000000\n4321\n")
    assert (
        cli.main(
            ["pin", "unlock", "--pin-stdin", "--json"],
            backend_factory=lambda: backend,
            console=console,
        )
        == 1
    )
    document = json.loads(capsys.readouterr().out)
    assert (document["unlock_tries_left"], document["pin_tries_left"]) == (9, None)


def test_a_bad_pin_format_is_a_sentence(
    reader: Callable[..., VirtualReaderBackend],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    backend = reader()
    console = ScriptedConsole(stdin="123\n")
    assert (
        cli.main(["pin", "verify", "--pin-stdin"], backend_factory=lambda: backend, console=console)
        == 1
    )
    assert "4～16文字" in capsys.readouterr().err


def test_the_last_valid_day_is_not_expired(
    reader: Callable[..., VirtualReaderBackend], capsys: pytest.CaptureFixture[str]
) -> None:
    from ndnclient.card.status import today_in_japan

    today = today_in_japan()
    backend = reader(valid_from=today.replace(year=today.year - 1), valid_to=today)
    assert cli.main(["card", "status"], backend_factory=lambda: backend) == 0
    out = capsys.readouterr().out
    assert "残り1日" in out
    assert "期限切れ" not in out
    assert cli.main(["card", "status", "--json"], backend_factory=lambda: backend) == 0
    assert json.loads(capsys.readouterr().out)["days_left"] == 1


def test_a_card_that_cannot_be_asked_is_not_called_a_foreign_card(
    reader: Callable[..., VirtualReaderBackend],
    capsys: pytest.CaptureFixture[str],
) -> None:
    from ndnclient.card.errors import CardInUseError

    backend = reader()

    def held(reader: str) -> NoReturn:
        raise CardInUseError("sharing violation")

    backend.connect = held  # type: ignore[method-assign]
    assert cli.main(["card", "status"], backend_factory=lambda: backend) == 1
    captured = capsys.readouterr()
    assert "確認できません" in captured.out
    assert "ではないカード" not in captured.out
    assert "別のプログラム" in captured.err


def test_an_unexpected_error_is_a_sentence_not_a_traceback(
    reader: Callable[..., VirtualReaderBackend],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    def broken(*args: object, **kwargs: object) -> object:
        raise RuntimeError("bug")

    backend = reader()
    monkeypatch.setattr("ndnclient.card.status.survey_cards", broken)
    assert cli.main(["card", "status"], backend_factory=lambda: backend) == 1
    err = capsys.readouterr().err
    assert "予期しないエラー" in err
    assert "Traceback" not in err


def test_check_command_on_the_virtual_card(
    reader: Callable[..., VirtualReaderBackend], capsys: pytest.CaptureFixture[str]
) -> None:
    backend = reader()
    assert (
        cli.main(
            ["settings", "set", "verification_method", "multitrust"],
            backend_factory=lambda: backend,
        )
        == 0
    )
    capsys.readouterr()
    code = cli.main(
        ["check", "--only", "G03", "G04", "G07", "--json"], backend_factory=lambda: backend
    )
    document = json.loads(capsys.readouterr().out)
    statuses = {r["code"]: r["status"] for r in document["results"]}
    assert statuses == {"G03": "ok", "G04": "not_applicable", "G07": "ok"}  # only those shown
    assert code == 0
    assert document["summary"]["failed"] is False


def test_check_text_streams_and_exits_one_on_a_failure(
    reader: Callable[..., VirtualReaderBackend], capsys: pytest.CaptureFixture[str]
) -> None:
    backend = reader(pin_tries_left=0)
    code = cli.main(["check", "--only", "G07"], backend_factory=lambda: backend)
    out = capsys.readouterr().out
    assert code == 1
    assert "G07 [エラー]" in out
    assert "動作確認エラー:G07" in out


def test_explain(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["explain", "g04", "--json"]) == 0
    explained = json.loads(capsys.readouterr().out)
    assert explained["code"] == "G04"
    assert "refused" in explained["outcomes"]
    assert cli.main(["explain", "動作確認エラー:G06"]) == 0
    assert "ユーザ情報設定" in capsys.readouterr().out
    # An unknown code is bad usage (2), answered with every code and its title.
    assert cli.main(["explain", "G99"]) == 2
    listing = capsys.readouterr().err
    assert "G99" in listing
    assert "  G04  LDAPリポジトリへの接続" in listing
    assert "  G14  " in listing


def test_only_shows_a_failed_prerequisite_and_fails(
    reader: Callable[..., VirtualReaderBackend], capsys: pytest.CaptureFixture[str]
) -> None:
    # (No card at all is no longer a failure of G02, only a check not done: a card that is
    # not a GoSign card fails G03, which G05 needs.)
    backend = reader(card_type="mynumber")
    code = cli.main(["check", "--only", "G05", "--json"], backend_factory=lambda: backend)
    document = json.loads(capsys.readouterr().out)
    statuses = {r["code"]: r["status"] for r in document["results"]}
    assert statuses == {"G03": "fail", "G05": "skipped"}
    assert code == 1


def test_no_secret_reaches_any_report(
    reader: Callable[..., VirtualReaderBackend],
    capsys: pytest.CaptureFixture[str],
    tmp_path: Any,
    memory_keyring: Any,
) -> None:
    from ndnclient.settings import secrets

    backend = reader(pin=b"Pq7wPq7w")
    assert (
        cli.main(
            ["settings", "set", "proxy.url", "http://taro@proxy.example.lg.jp:8080"],
            backend_factory=lambda: backend,
        )
        == 0
    )
    secrets.set_proxy_password("http://taro@proxy.example.lg.jp:8080", "Zz9!proxy-secret")
    for name in ("r.html", "r.json", "r.txt"):
        cli.main(
            ["-vv", "--traffic", "check", "--report", str(tmp_path / name), "--json"],
            backend_factory=lambda: backend,
        )
        out = capsys.readouterr()
        written = (tmp_path / name).read_text(encoding="utf-8")
        for text in (written, out.out, out.err):
            assert "Zz9!proxy-secret" not in text
            assert "Pq7wPq7w" not in text
            assert "5071377750713777" not in text.replace(" ", "")  # the PIN's hex


def test_explain_takes_the_code_as_people_type_it(capsys: pytest.CaptureFixture[str]) -> None:
    for typed in ("動作確認エラー: G04", "Ｇ０４", " g04 "):
        assert cli.main(["explain", typed, "--json"]) == 0
        assert json.loads(capsys.readouterr().out)["code"] == "G04"


def test_check_of_no_card_is_no_failure_and_no_pass(
    reader: Callable[..., VirtualReaderBackend], capsys: pytest.CaptureFixture[str]
) -> None:
    backend = reader()
    assert cli.main(["check", "--only", "G02"], backend_factory=lambda: backend) == 0
    backend.remove()
    # Exit 3: nothing failed, but no card was examined (a script's `check && echo OK`).
    assert cli.main(["check", "--only", "G02"], backend_factory=lambda: backend) == 3
    out = capsys.readouterr().out
    assert "動作確認エラー" not in out
    assert "確認コード:G02 [未確認]" in out
