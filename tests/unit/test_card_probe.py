"""The read-only card probe: only allowlisted commands ever reach the card (checked on the
card's side), any answer gives a report, and real (virtual) cards are described rightly."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ndnclient.card.errors import CardRemovedError
from ndnclient.card.probe import AllowlistConnection, ProbeRefusedError, probe_card
from ndnclient.card.profile import GOSIGN_PROFILE, GoSignProfile, load_profile_file
from ndnclient.card.tlv import encode_tlv
from ndnclient.simulator.inprocess import VirtualReaderBackend
from tests.fakes import h

MakeReader = Callable[..., VirtualReaderBackend]
ALLOWED_INS = {0xA4, 0xB0, 0xC0, 0xCA, 0x20}


def check_on_the_card_side(received: list[bytes]) -> None:
    """The rule, checked on what the card got (not through the probe's own guard)."""
    for apdu in received:
        assert len(apdu) >= 4, apdu.hex()
        assert apdu[0] == 0x00, apdu.hex()
        assert apdu[1] in ALLOWED_INS, apdu.hex()
        if apdu[1] == 0x20:
            assert len(apdu) == 4, apdu.hex()


@dataclass
class AnsweringCard:
    """A connection whose card answers every command with `answer(command)`, and which
    records the raw bytes it receives."""

    answer: Callable[[bytes], bytes]
    protocol: str = "T=1"
    atr: bytes = h("3B 80 80 01 01")
    reader_name: str = "Test Reader 0"
    received: list[bytes] = field(default_factory=list)

    def transmit(self, apdu: bytes | bytearray) -> bytes:
        command = bytes(apdu)
        self.received.append(command)
        return self.answer(command)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        yield

    def close(self, *, reset: bool = False) -> None:
        pass


# --- Any answer --------------------------------------------------------------------------------

# 9000 weighs most, so that the probe often gets as far as the files and counters.
STATUS_WORDS = st.sampled_from(
    [0x9000] * 6 + [0x6A82, 0x6104, 0x6100, 0x6C04, 0x6C00, 0x6982, 0x63C3, 0x6700, 0x6282]
)
# Data that sometimes starts like the files the probe reads, so that it gets past the headers.
DATA = st.one_of(
    st.binary(max_size=48),
    st.just(b""),
    st.sampled_from(
        [
            h("30 82 00 10"),
            h("30 82 7F FF"),
            h("70 06 80 01 31 81 01 32"),
            h("61 0B 4F 06 A00000015100 50 01 41 FF FF"),
            h("30 84 FF FF FF FF"),
        ]
    ),
)
ANSWERS = st.one_of(
    st.tuples(DATA, STATUS_WORDS).map(lambda pair: pair[0] + pair[1].to_bytes(2, "big")),
    st.sampled_from([b"", h("90")]),  # shorter than a status word
)


SECOND_LAYOUT = load_profile_file(
    Path(__file__).resolve().parents[1] / "card_profiles" / "second-layout.toml"
)
# The profiles in use: the shipped one alone, or with a second layout IT added, either first.
PROFILE_SETS = st.sampled_from(
    [[GOSIGN_PROFILE], [GOSIGN_PROFILE, SECOND_LAYOUT], [SECOND_LAYOUT, GOSIGN_PROFILE]]
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data(), st.sampled_from(["T=0", "T=1"]), PROFILE_SETS)
def test_only_allowlisted_commands_reach_the_card_whatever_it_answers(
    data: st.DataObject, protocol: str, profiles: list[GoSignProfile]
) -> None:
    card = AnsweringCard(lambda _: data.draw(ANSWERS), protocol=protocol)
    probe = probe_card(card, profiles)
    check_on_the_card_side(card.received)
    assert card.received
    assert len(probe.transcript) == len(card.received)
    report = probe.to_json()
    json.dumps(report)
    assert report["error"] is None
    assert [entry["command"] for entry in report["transcript"]] == [
        apdu.hex().upper() for apdu in card.received
    ]


def test_the_guard_refuses_before_anything_reaches_the_card() -> None:
    card = AnsweringCard(lambda _: h("9000"))
    guarded = AllowlistConnection(card)
    for apdu in (
        h("00 20 00 81 04 31323334"),  # VERIFY with a PIN
        h("00 D6 00 00 01 00"),  # UPDATE BINARY
        h("00 24 00 81 00"),  # CHANGE REFERENCE DATA
        h("80 A4 04 0C 02 3F00"),  # a SELECT, but CLA 80
        h("00 20 00 81 00"),  # VERIFY with an Le
        h("00 A4"),
    ):
        with pytest.raises(ProbeRefusedError):
            guarded.transmit(apdu)
    assert card.received == []
    assert guarded.transcript == []
    assert guarded.transmit(h("00 20 00 81")) == h("9000")
    assert card.received == [h("00 20 00 81")]


def test_unknown_card() -> None:
    card = AnsweringCard(lambda _: h("6A82"))
    report = probe_card(card, [GOSIGN_PROFILE], reader="Reader X").to_json()
    assert report["reader"] == "Reader X"
    assert report["card_type"] == "unknown"
    assert report["profile"] is None
    assert report["error"] is None
    names = [app["name"] for app in report["applications"]]
    assert names == [
        "GoSign (profile gosign)",
        "マイナンバーカード 公的個人認証（JPKI）",
        "マイナンバーカード 券面事項入力補助AP",
        "PKCS#15",
        "PIV",
    ]
    assert not any(app["selected"] for app in report["applications"])
    assert [app["sw"] for app in report["applications"]] == ["6A82"] * 5
    assert report["counters"] == []
    assert report["certificates"] == []
    assert report["transcript"][0] == {
        "command": "00A4040C08F0474F5349474E01",
        "sw": "6A82",
        "length": 0,
    }


def test_a_pulled_card_ends_the_probe_with_what_was_gathered() -> None:
    answers = iter([h("6A82"), h("9000")])

    def answer(_: bytes) -> bytes:
        try:
            return next(answers)
        except StopIteration:
            raise CardRemovedError("the card was removed") from None

    report = probe_card(AnsweringCard(answer), [GOSIGN_PROFILE]).to_json()
    assert report["error"] == "CardRemovedError: the card was removed"
    assert [app["sw"] for app in report["applications"]] == ["6A82", "9000"]
    assert report["card_type"] == "unknown"  # not decided: the probe did not get that far
    assert report["transcript"][-1]["sw"] is None
    assert report["atr"] == "3B80800101"


# --- The virtual card ---------------------------------------------------------------------------


def test_gosign_virtual_card(virtual_reader: MakeReader) -> None:
    crl = "http://crl.example.test/gosign.crl"
    backend = virtual_reader(crl_distribution_points=[crl])
    received = record_commands(backend)
    state = backend.card.state
    report = probe_card(backend.connect(backend.reader_name), [GOSIGN_PROFILE]).to_json()
    check_on_the_card_side(received)
    assert report["error"] is None
    assert (report["card_type"], report["profile"]) == ("gosign", "gosign")
    assert report["protocol"] == "T=1"
    assert report["atr_decoded"]["protocols"] == ["T=0", "T=1"]
    gosign = report["applications"][0]
    assert (gosign["aid"], gosign["selected"], gosign["sw"]) == ("F0474F5349474E01", True, "9000")
    files = {entry["name"]: entry for entry in report["files"]}
    assert files["MF"]["sw"] == "6A86"  # the virtual card offers no MF, with either P2
    assert files["EF.DIR"]["sw"] == "6A82"
    assert files["card_info"]["size"] == len(card_info_of(backend))
    assert files["card_info"]["tags"] == ["80", "81", "82", "83", "84"]
    assert files["user_cert"]["size"] == len(state.user_certificate_der)
    assert files["ca_cert"]["size"] == len(state.ca_certificate_der)
    user, ca = report["certificates"]
    assert user["file"] == "user_cert"
    assert user["subject"] == state.user_certificate().subject.rfc4514_string()
    assert user["crl_distribution_points"] == [crl]
    assert ca["file"] == "ca_cert"
    assert ca["subject"] == user["issuer"]
    assert report["counters"] == [
        {"name": "pin", "reference": "81", "sw": "63CA", "tries_left": 10, "error": None},
        {"name": "unlock", "reference": "82", "sw": "63CA", "tries_left": 10, "error": None},
    ]
    verifies = [e["command"] for e in report["transcript"] if e["command"][2:4] == "20"]
    assert verifies == ["00200081", "00200082"]
    # CARD_INFO's values are not in the report (the certificate's subject names the holder).
    text = json.dumps(report)
    assert state.holder.encode().hex().upper() not in text
    assert state.card_number.encode().hex().upper() not in text
    assert state.pin_tries_left == 10


def test_my_number_virtual_card(virtual_reader: MakeReader) -> None:
    backend = virtual_reader(card_type="mynumber")
    received = record_commands(backend)
    report = probe_card(backend.connect(backend.reader_name), [GOSIGN_PROFILE]).to_json()
    check_on_the_card_side(received)
    assert (report["card_type"], report["profile"], report["error"]) == ("mynumber", None, None)
    selected = [app["name"] for app in report["applications"] if app["selected"]]
    assert selected == ["マイナンバーカード 公的個人認証（JPKI）"]
    assert report["counters"] == []
    assert not any(e["command"][2:4] == "20" for e in report["transcript"])


def test_a_second_profile_is_matched_by_its_own_aid(virtual_reader: MakeReader) -> None:
    from dataclasses import replace

    other = replace(GOSIGN_PROFILE, name="vendor-b", aid=h("F0 00 00 00 00 01"))
    backend = virtual_reader()
    report = probe_card(backend.connect(backend.reader_name), [other, GOSIGN_PROFILE]).to_json()
    assert report["profile"] == "gosign"
    assert [app["name"] for app in report["applications"]][:2] == [
        "GoSign (profile vendor-b)",
        "GoSign (profile gosign)",
    ]


def record_commands(backend: VirtualReaderBackend) -> list[bytes]:
    received: list[bytes] = []
    original = backend.card.process_apdu

    def spy(apdu: bytes | bytearray) -> bytes:
        received.append(bytes(apdu))
        return original(apdu)

    backend.card.process_apdu = spy  # type: ignore[method-assign]
    return received


def card_info_of(backend: VirtualReaderBackend) -> bytes:
    from ndnclient.simulator.card import build_card_info

    return build_card_info(backend.card.state)


# --- T=0: 61xx and 6Cxx -----------------------------------------------------------------------


class T0Card:
    """A T=0 card with the GoSign application and an EF.DIR: every answer's data waits for
    GET RESPONSE (61xx), and a READ BINARY asking for more than is left gets 6Cxx."""

    def __init__(self, files: dict[int, bytes]) -> None:
        self.files = files
        self.current: bytes | None = None
        self.pending = b""

    def __call__(self, command: bytes) -> bytes:
        ins, p1, p2 = command[1], command[2], command[3]
        if ins == 0xC0:
            if (command[4] or 256) != len(self.pending):
                return b"\x6c" + bytes([len(self.pending) & 0xFF])
            data, self.pending = self.pending, b""
            return data + h("9000")
        self.pending = b""
        if ins == 0xA4:
            target = command[5:]
            if p1 == 0x04:
                return h("9000") if target == GOSIGN_PROFILE.aid else h("6A82")
            self.current = self.files.get(int.from_bytes(target, "big"))
            return h("9000") if self.current is not None else h("6A82")
        if ins == 0xB0 and self.current is not None:
            offset, le = (p1 << 8) | p2, command[4] or 256
            left = self.current[offset:]
            if le > len(left):
                return b"\x6c" + bytes([len(left)])
            self.pending = left[:le]
            return b"\x61" + bytes([le & 0xFF])
        return h("6D00") if ins != 0x20 else h("63C7")


def test_t0_card_with_get_response_and_wrong_le() -> None:
    ef_dir = encode_tlv(0x61, encode_tlv(0x4F, h("A0 00 00 01 51 00 00")) + encode_tlv(0x50, b"X"))
    card_info = encode_tlv(0x70, encode_tlv(0x80, b"1" * 16) + encode_tlv(0x84, b"\x01"))
    user_cert = encode_tlv(0x30, bytes(600))
    ca_cert = encode_tlv(0x30, bytes(300))
    files = {0x2F00: ef_dir, 0x0101: card_info, 0x0102: user_cert, 0x0103: ca_cert}
    card = AnsweringCard(T0Card(files), protocol="T=0", atr=h("3B 00"))
    report = probe_card(card, [GOSIGN_PROFILE]).to_json()
    check_on_the_card_side(card.received)
    assert report["error"] is None
    sizes = {entry["name"]: entry["size"] for entry in report["files"]}
    assert sizes == {
        "MF": None,
        "EF.DIR": len(ef_dir),
        "card_info": len(card_info),
        "user_cert": len(user_cert),
        "ca_cert": len(ca_cert),
    }
    card_info_entry = next(e for e in report["files"] if e["name"] == "card_info")
    assert card_info_entry["tags"] == ["80", "84"]
    listed = report["applications"][-1]
    assert (listed["aid"], listed["name"], listed["sw"]) == ("A0000001510000", "X", "6A82")
    # Not certificates: each is noted, none raises.
    assert [c["file"] for c in report["certificates"]] == ["user_cert", "ca_cert"]
    assert all(c["error"] for c in report["certificates"])
    exchanges = [(e["command"], e["sw"], e["length"]) for e in report["transcript"]]
    size = f"{len(ef_dir):02X}"
    # EF.DIR: 256 asked, 6Cxx names the length, the same read goes again, then GET RESPONSE.
    start = exchanges.index(("00B0000000", f"6C{size}", 0))
    assert exchanges[start + 1 : start + 3] == [
        (f"00B00000{size}", f"61{size}", 0),
        (f"00C00000{size}", "9000", len(ef_dir)),
    ]
    assert [c for c, sw, _ in exchanges if c.startswith("0020")] == ["00200081", "00200082"]
    assert report["counters"][0]["tries_left"] == 7


def test_probe_runs_in_one_transaction_and_leaves_the_connection_open() -> None:
    """The probe runs inside one transaction and leaves the connection open for its owner."""
    entered: list[str] = []

    @dataclass
    class Tracking(AnsweringCard):
        closed: bool = False

        @contextmanager
        def transaction(self) -> Iterator[None]:
            entered.append("in")
            yield
            entered.append("out")

        def close(self, *, reset: bool = False) -> None:
            self.closed = True

    card = Tracking(lambda _: h("6A82"))
    probe_card(card, [GOSIGN_PROFILE])
    assert entered == ["in", "out"]
    assert not card.closed
