"""The GoSign card profile (docs/card-profile.md, version 1) as one data object.

Every value the client needs to talk to a GoSign card lives here, so that a vendor's real
values can replace ours by changing data, not logic. The virtual card reads the same object.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class GoSignProfile:
    """Identifiers, file layout, tags and PIN rules of a GoSign card."""

    version: int = 1

    # Identification: the card is identified by selecting its application, never by its ATR.
    aid: bytes = bytes.fromhex("F0474F5349474E01")
    jpki_aid: bytes = bytes.fromhex("D392F000260100000001")
    select_by_aid_p1: int = 0x04
    select_by_fid_p1: int = 0x02
    select_no_response_p2: int = 0x0C

    # Elementary files under the application.
    fid_card_info: int = 0x0101
    fid_user_cert: int = 0x0102
    fid_ca_cert: int = 0x0103

    # CARD_INFO: one constructed TLV 70 { 80 number, 81 holder, 82 from, 83 to, 84 version }.
    tag_card_info: int = 0x70
    tag_card_number: int = 0x80
    tag_holder: int = 0x81
    tag_valid_from: int = 0x82
    tag_valid_to: int = 0x83
    tag_profile_version: int = 0x84
    card_number_digits: int = 16

    # A DER file's header: these many bytes give its total length.
    der_header_length: int = 4

    # PIN (reference 81) and unlock code (reference 82).
    pin_reference: int = 0x81
    unlock_reference: int = 0x82
    pin_max_tries: int = 10
    unlock_max_tries: int = 10
    pin_min_length: int = 4
    pin_max_length: int = 16
    pin_alphabet: bytes = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
    unlock_code_length: int = 8
    unlock_code_alphabet: bytes = b"0123456789"

    # COMPUTE DIGITAL SIGNATURE (PERFORM SECURITY OPERATION with P1P2 9E9A).
    sign_p1: int = 0x9E
    sign_p2: int = 0x9A
    signature_length: int = 256

    # The checks below look at the secret byte by byte: no immutable copy of it is made.
    def is_valid_pin(self, pin: bytes | bytearray) -> bool:
        """True when `pin` has the profile's length and alphabet (checked before sending)."""
        return self.pin_min_length <= len(pin) <= self.pin_max_length and all(
            byte in self.pin_alphabet for byte in pin
        )

    def is_valid_unlock_code(self, code: bytes | bytearray) -> bool:
        """True when `code` looks like the helpdesk's unlock code (8 digits)."""
        return len(code) == self.unlock_code_length and all(
            byte in self.unlock_code_alphabet for byte in code
        )


GOSIGN_PROFILE = GoSignProfile()
