#!/usr/bin/env bash
# Plugs the virtual GoSign card into pcscd's virtual reader (start), pulls it (stop), or
# says whether it is in (status). Its state (PIN counter, keys) is kept in
# ${NDNCLIENT_VIRTUAL_CARD_DIR:-~/.local/state/ndnclient}/virtual-card.json, so a card pulled and
# plugged in again remembers its counter, like a real one.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${NDNCLIENT_VIRTUAL_CARD_DIR:-${XDG_STATE_HOME:-$HOME/.local/state}/ndnclient}
pidfile=$dir/virtual-card.pid
mkdir -p "$dir"

running() { [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; }

case "${1:-start}" in
start)
    if running; then echo "virtual card: already in"; exit 0; fi
    nohup .venv/bin/ndnclient simulator --state "$dir/virtual-card.json" "${@:2}" \
        >"$dir/virtual-card.log" 2>&1 &
    echo $! >"$pidfile"
    # Wait until the smart-card service itself reports a card (it polls every 0.4 s).
    for _ in $(seq 50); do
        if .venv/bin/ndnclient card status --json 2>/dev/null \
            | .venv/bin/python -c 'import json,sys; sys.exit(json.load(sys.stdin)["card_type"] == "none")'
        then
            echo "virtual card: in (PIN 1234, unlock code 12345678 unless changed)"
            exit 0
        fi
        running || break
        sleep 0.1
    done
    echo "virtual card: did not come up; see $dir/virtual-card.log" >&2
    exit 1
    ;;
stop)
    if running; then kill "$(cat "$pidfile")"; fi
    rm -f "$pidfile"
    echo "virtual card: out"
    ;;
status)
    if running; then echo "virtual card: in"; else echo "virtual card: out"; exit 1; fi
    ;;
*)
    echo "usage: $0 start [simulator options] | stop | status" >&2
    exit 2
    ;;
esac
