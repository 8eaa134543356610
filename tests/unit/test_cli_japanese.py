"""The command line speaks the user's language: help, usage and argparse's own errors from the
message catalogue (Japanese by default, English with --lang en or the language setting), no
internal names in an error, dates in every form, `explain` with cause headings in words."""

from __future__ import annotations

import argparse
import inspect
import json
import re
from collections.abc import Iterator
from typing import Any

import pytest

from ndnclient import cli
from ndnclient.cli._argparse_text import (
    MSGIDS,
    PLURAL_MSGIDS,
    ArgumentProblem,
    argparse_speaks,
    display_width,
    wrap_columns,
)
from ndnclient.cli._parser import build_parser, language_word
from ndnclient.diagnostics.catalogue import Catalogue
from ndnclient.messages import Messages

JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
# argparse's English that must not reach a Japanese user.
ENGLISH_WORDS = (
    "usage:",
    "options:",
    "positional arguments",
    "show this help",
    "error:",
    "invalid",
    "required",
    "unrecognized",
    "expected",
)


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    try:
        code = cli.main(argv)
    except SystemExit as exit_:
        code = exit_.code if isinstance(exit_.code, int) else 0
    out, err = capsys.readouterr()
    return code, out, err


def every_parser(parser: argparse.ArgumentParser) -> Iterator[argparse.ArgumentParser]:
    yield parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for child in dict.fromkeys(action.choices.values()):
                yield from every_parser(child)


# --- help -----------------------------------------------------------------------------------


def test_help_is_japanese_by_default(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["--help"], capsys)
    assert code == 0
    assert out.startswith("使い方: ndnclient ")
    for japanese in ("オプション:", "このヘルプを表示して終わります", "動作確認", "許可URLリスト"):
        assert japanese in out
    for english in ENGLISH_WORDS:
        assert english not in out, english


def test_help_is_english_with_lang_en_and_with_the_setting(
    capsys: pytest.CaptureFixture[str],
) -> None:
    for argv in (["--lang", "en", "--help"], ["--lang=en", "renewal", "plan", "--help"]):
        code, out, _ = run(argv, capsys)
        assert code == 0
        assert out.startswith("usage: ndnclient")
        assert "show this help message and exit" in out
        for japanese in ("使い方", "オプション", "このヘルプ", "有効期限", "カード"):
            assert japanese not in out, japanese
    assert run(["settings", "set", "language", "en"], capsys)[0] == 0
    code, out, _ = run(["card", "--help"], capsys)
    assert out.startswith("usage: ndnclient card")
    # --lang wins over the setting.
    code, out, _ = run(["card", "--help", "--lang", "ja"], capsys)
    assert out.startswith("使い方: ndnclient card")


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_every_command_and_option_has_help_in_the_language(lang: str) -> None:
    with argparse_speaks(Messages(lang)):
        parsers = list(every_parser(build_parser(None, Messages(lang))))
        helps = [parser.format_help() for parser in parsers]
    assert len(parsers) > 25  # the walk reached every command
    for parser, text in zip(parsers, helps, strict=True):
        for action in parser._actions:
            if action.help == argparse.SUPPRESS or isinstance(action, argparse._SubParsersAction):
                continue
            assert action.help, f"{parser.prog} {action.option_strings or action.dest}"
            assert "cli.help." not in action.help  # a key the catalogue lacks
            if lang == "ja":
                assert JAPANESE.search(action.help), (parser.prog, action.help)
        if lang == "ja":
            for english in ENGLISH_WORDS:
                assert english not in text, (parser.prog, english)


def test_help_wraps_by_terminal_columns(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["check", "--help"], capsys)
    assert code == 0
    assert max(display_width(line) for line in out.splitlines()) <= 82
    lines = wrap_columns("確認の質問なしで続けます（間違えるとロックされます）。PINの残り", 20)
    assert all(display_width(line) <= 20 for line in lines)
    assert not any(line.startswith(("）", "。", "、")) for line in lines), lines
    assert "".join(lines) == "確認の質問なしで続けます（間違えるとロックされます）。PINの残り"


# --- argparse's own errors ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("argv", "japanese"),
    [
        (["renewa"], "「renewa」は指定できません。次のどれかを指定してください: 'gui'"),
        (["renewal"], "次の指定が足りません: ACTION"),
        (["card", "status", "--bogus"], "使えない引数があります: --bogus"),
        (["renewal", "plan", "--valid-to"], "--valid-to: 値を1つ指定してください"),
        (["check", "--only"], "--only: 値を1つ以上指定してください"),
        (["card", "cert", "--pem", "--json"], "--json: --pem と一緒には指定できません"),
        (["cert", "show"], "FILE --card のどれか1つを指定してください"),
        (["check", "--timeout", "abc"], "「abc」は使えません。0 より大きく"),
        (["check", "--only", "G99"], "「G99」は動作確認のコードではありません。G01～G14"),
        (["pin", "verify", "--card", "12"], "「12」はカード番号ではありません"),
        (["simulator", "--vpcd", "x"], "「x」は「ホスト名:ポート番号」の形ではありません"),
        (["settings", "set", "nokey", "1"], "「nokey」は指定できません"),
    ],
)
def test_usage_errors_are_japanese_sentences(
    argv: list[str], japanese: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(argv, capsys)
    assert code == 2
    if "--json" not in argv:
        assert out == ""
    assert "使い方: ndnclient" in err
    assert ": エラー: " in err
    assert japanese in err, err
    assert "使い方の詳細: ndnclient" in err
    for english in ("usage:", "error:", "argument ", "invalid", "required", "expected"):
        assert english not in err, english


def test_usage_errors_are_english_with_lang_en(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["--lang", "en", "renewal", "plan", "--valid-to", "R9.2.30"], capsys)
    assert code == 2
    assert "usage: ndnclient renewal plan" in err
    assert 'error: argument --valid-to: "R9.2.30": there is no day 2027-02-30' in err
    assert "使い方" not in err
    assert "エラー" not in err


def test_a_usage_error_of_a_json_command_is_also_a_json_document(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = run(["renewal", "plan", "--json", "--valid-to", "R9.2.30"], capsys)
    assert code == 2
    document = json.loads(out)
    assert document["error"]["kind"] == "UsageError"
    assert "2027年2月30日という日はありません" in document["error"]["message"]
    assert "エラー" in err  # the sentence is on stderr as well


def test_every_translated_msgid_is_still_argparses() -> None:
    source = inspect.getsource(argparse)
    for msgid in MSGIDS:
        assert repr(msgid)[1:-1] in source or msgid in source, msgid
    for singular, plural in PLURAL_MSGIDS:
        assert singular in source
        assert plural in source


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_the_translations_fill_in_as_argparse_fills_the_msgids(lang: str) -> None:
    messages = Messages(lang)
    named = re.compile(r"%\((\w+)\)[sr]")
    for msgid, key in {**MSGIDS, **{p: k for (_, p), k in PLURAL_MSGIDS.items()}}.items():
        template = messages.text(f"cli.argparse.{key}")
        assert not template.startswith("cli."), key
        assert set(named.findall(template)) <= set(named.findall(msgid)), key
        assert len(re.findall(r"%[sr]", template)) == len(re.findall(r"%[sr]", msgid)), key


def test_argparse_speaks_english_again_after_a_command(capsys: pytest.CaptureFixture[str]) -> None:
    run(["--help"], capsys)
    parser = argparse.ArgumentParser(prog="other")
    assert "usage: other" in parser.format_usage()
    assert "show this help message and exit" in parser.format_help()


def test_no_argument_type_names_a_function(capsys: pytest.CaptureFixture[str]) -> None:
    # argparse says "invalid _iso_date value" for a type that raises ValueError: every type
    # of this command line gives a sentence instead.
    with argparse_speaks(Messages("ja")):
        parsers = list(every_parser(build_parser(None, Messages("ja"))))
    typed = [
        action
        for parser in parsers
        for action in parser._actions
        if action.type is not None and action.type is not str
    ]
    assert len(typed) > 10
    for action in typed:
        assert action.type not in (int, float), action.dest
        convert: Any = action.type
        for garbage in ("", "？garbage？", "-1"):
            try:
                convert(garbage)
            except ArgumentProblem as problem:
                with argparse_speaks(Messages("ja")):
                    sentence = str(problem)
                assert JAPANESE.search(sentence), sentence
                assert "__" not in sentence
                assert not sentence.startswith("cli.")


# --- dates ----------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["R9.4.30", "令和9年4月30日", "2027/04/30", "20270430"])
def test_renewal_plan_takes_every_date_form(text: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["renewal", "plan", "--valid-to", text], capsys)
    assert code == 0, err
    assert "現在のカードの有効期限: 2027-04-30" in out


def test_a_date_outside_the_cards_years_is_a_sentence(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["renewal", "plan", "--valid-to", "9999-12-31"], capsys)
    assert code == 2
    assert "「9999-12-31」は使える日付の範囲（1900-01-01～9998-12-31）の外です" in err


# --- explain --------------------------------------------------------------------------------


def test_explain_heads_each_cause_with_words(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["explain", "G04"], capsys)
    assert code == 0
    assert out.startswith("確認コード:G04  LDAPリポジトリへの接続")
    assert "  ・接続を拒否された\n" in out
    assert not re.search(r"\[[a-z_]+\]", out), out  # no internal key such as [dns]
    code, out, _ = run(["explain", "G04", "--lang", "en"], capsys)
    assert "  - The connection is refused\n" in out
    code, out, _ = run(["explain", "G04", "--json"], capsys)
    assert json.loads(out)["outcomes"]["refused"]["cause"] == "接続を拒否された"


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_every_cause_has_a_title(lang: str) -> None:
    catalogue = Catalogue(lang)
    causes = 0
    for code in catalogue.codes():
        explanation = catalogue.explain(code)
        assert explanation is not None
        for key, texts in explanation.outcomes.items():
            if texts.get("remedy"):
                causes += 1
                assert catalogue.cause_title(code, key) != key, (code, key)
    assert causes > 40


def test_explain_an_unknown_code_lists_the_codes_in_json(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = run(["explain", "Ｇ９９", "--json"], capsys)
    assert code == 2
    document = json.loads(out)
    assert [c["code"] for c in document["codes"]][:2] == ["G01", "G02"]
    assert document["codes"][3]["title"] == "LDAPリポジトリへの接続"
    assert "「Ｇ９９」という確認コードはありません" in err


def test_explain_takes_the_label_the_window_shows(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["explain", "確認コード:G07"], capsys)[0] == 0
    assert run(["explain", "動作確認エラー: g07"], capsys)[0] == 0


# --- the language, before parsing -----------------------------------------------------------


@pytest.mark.parametrize(
    ("argv", "lang"),
    [
        (["--lang", "en", "card"], "en"),
        (["card", "status", "--lang=en"], "en"),
        (["--la", "en"], "en"),
        (["--lang", "fr"], None),  # argparse says what is wrong, in the default language
        (["card"], None),
        (["settings", "set", "--", "language", "--lang"], None),
        # A command's own option that starts like --lang (the CSR's locality) is no language.
        (["csr", "create", "--l", "横浜市", "--lang", "en"], "en"),
        (["--lang", "en", "--lang", "ja"], "ja"),  # the last one, as argparse takes it
    ],
)
def test_the_language_is_read_before_the_parser_is_built(argv: list[str], lang: str | None) -> None:
    assert language_word(argv) == lang


def test_a_date_that_is_not_one_is_quoted_without_its_control_characters(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, _, err = run(["renewal", "plan", "--valid-to", "20\x1b[31mX"], capsys)
    assert code == 2
    assert "\x1b" not in err  # a terminal would obey it
    assert "\\x1b" in err  # and the user still sees what was typed


def test_two_commands_at_once_each_speak_their_own_language() -> None:
    import threading

    both_inside = threading.Barrier(2, timeout=10)
    usage: dict[str, str] = {}

    def format_usage(lang: str) -> None:
        with argparse_speaks(Messages(lang)):
            both_inside.wait()  # the other thread's block is open too
            usage[lang] = argparse.ArgumentParser(prog="ndnclient").format_usage()
            both_inside.wait()

    threads = [threading.Thread(target=format_usage, args=(lang,)) for lang in ("ja", "en")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert usage["ja"].startswith("使い方:")
    assert usage["en"].startswith("usage:")
    assert argparse.ArgumentParser(prog="x").format_usage().startswith("usage:")  # outside
