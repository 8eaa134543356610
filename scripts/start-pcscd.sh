#!/usr/bin/env bash
# Starts the smart-card service (pcscd) in the background unless it already runs, and
# waits until it answers. Its log goes to ${PCSCD_LOG:-/tmp/ndnclient-pcscd.log}.
set -euo pipefail
socket=/run/pcscd/pcscd.comm
if pgrep -x pcscd >/dev/null && [ -S "$socket" ]; then
    exit 0
fi
sudo=()
[ "$(id -u)" -eq 0 ] || sudo=(sudo)
log=${PCSCD_LOG:-/tmp/ndnclient-pcscd.log}
# A pcscd that died uncleanly leaves its socket and pid file behind; it refuses to start then.
pgrep -x pcscd >/dev/null || "${sudo[@]}" rm -f "$socket" /run/pcscd/pcscd.pid
nohup "${sudo[@]}" pcscd --foreground >"$log" 2>&1 &
for _ in $(seq 50); do
    [ -S "$socket" ] && exit 0
    sleep 0.1
done
echo "start-pcscd: pcscd did not start; see $log" >&2
exit 1
