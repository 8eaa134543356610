"""ATR decoding (ISO/IEC 7816-3 frame, ISO/IEC 7816-4 historical bytes): real answers,
and truncated or broken ones that must still give a result with a note."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from ndnclient.card.atr import decode_atr
from tests.fakes import h

JPKI_ATR = "3B E0 00 FF 81 31 FE 45 14"
# T=0 and T=1 offered, 15 historical bytes, category 80 (card service data, pre-issuing data,
# country code, status indicator), TCK 73.
T1_ATR = "3B 8F 80 01 80 31 80 65 B0 85 03 00 EF 12 0F FF 82 90 00 73"
# T=0 only (no TD1, so no TCK), category 00: card capabilities, then LCS 00 and SW 9000.
T0_ATR = "3B 68 00 00 00 73 C8 40 12 00 90 00"


def test_my_number_card_atr() -> None:
    info = decode_atr(h(JPKI_ATR)).to_json()
    assert info["convention"] == "direct"
    assert info["interface_bytes"] == {
        "TB1": "00",
        "TC1": "FF",
        "TD1": "81",
        "TD2": "31",
        "TA3": "FE",
        "TB3": "45",
    }
    assert info["protocols"] == ["T=1"]
    assert info["historical"] is None
    assert (info["tck"], info["tck_ok"], info["error"]) == ("14", True, None)
    json.dumps(info)


def test_t1_card_with_category_80() -> None:
    info = decode_atr(h(T1_ATR)).to_json()
    assert info["protocols"] == ["T=0", "T=1"]
    assert info["tck_ok"] is True
    assert info["error"] is None
    historical = info["historical"]
    assert historical["category"] == "80"
    assert [(o["tag"], o["value"]) for o in historical["objects"]] == [
        ("3", "80"),
        ("6", "B0850300EF"),
        ("1", "0FFF"),
        ("8", "9000"),
    ]
    service = historical["objects"][0]["meaning"]
    assert service["selection_by_full_df_name"] is True
    assert service["selection_by_partial_df_name"] is False
    assert service["ef_dir_ef_atr_access"] == "READ RECORD"
    assert historical["status"] == "9000"


def test_t0_card_with_category_00() -> None:
    info = decode_atr(h(T0_ATR)).to_json()
    assert info["protocols"] == ["T=0"]
    assert (info["tck"], info["tck_ok"], info["error"]) == (None, None, None)
    historical = info["historical"]
    assert historical["category"] == "00"
    assert historical["status"] == "009000"
    (capabilities,) = historical["objects"]
    assert capabilities["name"] == "card capabilities"
    assert capabilities["meaning"] == {
        "df_selection": ["full DF name", "partial DF name", "implicit"],
        "short_ef_identifier": False,
        "record_number": False,
        "record_identifier": False,
        "data_coding": "40",
        "command_chaining": False,
        "extended_length": False,
        "logical_channel_assignment": "by the card",
        "max_logical_channels": 3,
    }


def test_card_capabilities_extended_length_and_dir_reference() -> None:
    # Category 80 with card capabilities 7 3: F4 21 C0 (extended Lc/Le: bit 0x40).
    atr = bytearray(h("3B 85 80 01 80 73 F4 21 C0"))
    atr.append(_xor(atr[1:]))
    meaning = decode_atr(atr).to_json()["historical"]["objects"][0]["meaning"]
    assert meaning["extended_length"] is True
    assert meaning["command_chaining"] is True
    assert meaning["short_ef_identifier"] is True
    assert meaning["df_selection"] == ["full DF name", "partial DF name", "path", "file identifier"]
    dir_reference = decode_atr(h("3B 02 10 AB")).to_json()["historical"]
    assert (dir_reference["category"], dir_reference["dir_reference"]) == ("10", "AB")
    proprietary = decode_atr(h("3B 04 4A 43 4F 50")).to_json()["historical"]
    assert (proprietary["category"], proprietary["objects"]) == ("proprietary", [])


def test_virtual_cards_atrs() -> None:
    assert decode_atr(h("3B 00")).to_json()["protocols"] == ["T=0"]
    t1 = decode_atr(h("3B 80 80 01 01")).to_json()
    assert (t1["protocols"], t1["tck_ok"], t1["error"]) == (["T=0", "T=1"], True, None)
    assert decode_atr(h("3B 80 8F 01 0E")).to_json()["protocols"] == ["T=15", "T=1"]


def test_wrong_tck() -> None:
    info = decode_atr(h("3B E0 00 FF 81 31 FE 45 15")).to_json()
    assert info["tck_ok"] is False
    assert "TCK 15 is wrong" in info["error"]
    # Everything before it is still decoded.
    assert info["protocols"] == ["T=1"]


def test_truncated_and_garbage() -> None:
    assert decode_atr(b"").error == "empty ATR"
    assert decode_atr(h("3B")).error == "ATR ends before T0"
    assert decode_atr(h("3B E0 00 FF")).error == "ATR ends before TD1"
    assert "TCK missing" in str(decode_atr(h("3B E0 00 FF 81 31 FE 45")).error)
    assert "historical bytes (2 of 8)" in str(decode_atr(h("3B 68 00 00 00 73")).error)
    assert "neither 3B nor 3F" in str(decode_atr(h("12 00")).error)
    assert "1 bytes after the end" in str(decode_atr(h("3B 00 00")).error)
    broken = decode_atr(h("3B 03 80 74 01"))  # object 7 claims 4 bytes, 1 present
    assert "claims 4 bytes" in str(broken.error)
    assert "status" in str(decode_atr(h("3B 02 00 90")).error)


@given(st.binary(max_size=40))
def test_any_bytes_decode_without_raising(atr: bytes) -> None:
    info = decode_atr(atr).to_json()
    json.dumps(info)
    assert info["hex"] == atr.hex().upper()


def _xor(data: bytes | bytearray) -> int:
    result = 0
    for byte in data:
        result ^= byte
    return result
