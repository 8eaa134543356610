"""APDU exchange over a connection: T=0 GET RESPONSE, 6Cxx, the traffic log, and the rule
that a command carrying a PIN or unlock code is transmitted at most once."""

from __future__ import annotations

import logging

from ndnclient.card.apdu import (
    EXTENDED_MAX_LE,
    CommandApdu,
    Ins,
    ResponseApdu,
    format_command_for_log,
    format_response_for_log,
    is_more_data,
    is_wrong_le,
    le_from_sw2,
)
from ndnclient.card.connection import SmartCardConnection
from ndnclient.card.errors import MalformedResponseError

# Below DEBUG: APDU hex dumps are only for someone who asks for them.
TRAFFIC = 5
logging.addLevelName(TRAFFIC, "TRAFFIC")
traffic_log = logging.getLogger("ndnclient.card.traffic")

# A card that keeps answering 61xx would otherwise loop for ever.
MAX_GET_RESPONSE_ROUNDS = (EXTENDED_MAX_LE // 256) + 2


class ApduTransport:
    """Sends commands to one card and assembles complete answers."""

    def __init__(self, connection: SmartCardConnection) -> None:
        self.connection = connection
        self.commands_sent = 0  # every APDU on the wire, GET RESPONSE included (benchmarks)

    def send(self, command: CommandApdu) -> ResponseApdu:
        """Send `command` and return the complete answer.

        61xx is followed by GET RESPONSE until the data is complete. 6Cxx makes the command
        go out once more with the Le the card named, unless the command carries a secret:
        such a command is never transmitted twice, whatever comes back.
        """
        response = self._exchange(command)
        if is_wrong_le(response.sw) and command.le is not None and not command.carries_secret:
            response = self._exchange(command.with_le(le_from_sw2(response.sw)))
        return self._collect_more_data(command, response)

    def _collect_more_data(self, command: CommandApdu, response: ResponseApdu) -> ResponseApdu:
        data = bytearray(response.data)
        rounds = 0
        while is_more_data(response.sw):
            rounds += 1
            if rounds > MAX_GET_RESPONSE_ROUNDS:
                raise MalformedResponseError(
                    "the card keeps answering 61xx", ins=f"{command.ins:02X}"
                )
            get_response = CommandApdu(
                0x00, Ins.GET_RESPONSE, 0x00, 0x00, le=le_from_sw2(response.sw)
            )
            response = self._exchange(get_response)
            data += response.data
        return ResponseApdu(bytes(data), response.sw)

    def _exchange(self, command: CommandApdu) -> ResponseApdu:
        raw = command.encode()
        try:
            if traffic_log.isEnabledFor(TRAFFIC):
                traffic_log.log(TRAFFIC, "> %s", format_command_for_log(raw))
            self.commands_sent += 1
            answer = self.connection.transmit(raw)
        finally:
            if command.carries_secret:
                raw[:] = bytes(len(raw))
        response = ResponseApdu.parse(answer)
        if traffic_log.isEnabledFor(TRAFFIC):
            traffic_log.log(TRAFFIC, "< %s", format_response_for_log(response))
        return response
