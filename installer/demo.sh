#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The Ironsight demo: a console and two activated sensors on generated plant traffic.
# Usage: bash installer/demo.sh BIN_DIR [--headless]   (normally via: bash installer/dev.sh demo)
# Everything runs on loopback in build/demo/ and is recreated on every run.
set -euo pipefail

BIN=${1:?usage: demo.sh BIN_DIR [--headless]}
MODE=${2:-auto}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
WORK="${IRONSIGHT_DEMO_DIR:-$ROOT/build/demo}"
CONSOLE="$BIN/ironsight-console"
SENSOR="$BIN/ironsight-sensor"
DATA="$WORK/console"

say() { printf '\n==> %s\n' "$*"; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

CONSOLE_PID=""
cleanup() {
    if [ -n "$CONSOLE_PID" ] && kill -0 "$CONSOLE_PID" 2>/dev/null; then
        kill -TERM "$CONSOLE_PID" 2>/dev/null || true
        wait "$CONSOLE_PID" 2>/dev/null || true
    fi
}
trap cleanup EXIT

rm -rf "$WORK"
mkdir -p "$WORK"

say "Generating plant traffic (two production lines: HMIs polling PLCs over Modbus/TCP, an engineering workstation writing to a PLC, ARP/DHCP/DNS)"
"$BIN/ironsight-plant-traffic" --out "$WORK/pcaps"

say "Setting up the console: data dir, CA, site 'Plant A' with zones 'Line 1' and 'Line 2', two sensors"
LINK_PORT=$(free_port)
ENROLL_PORT=$(free_port)
umask 077
# Random, and always meets the password policy (12+ characters, 3 of 4 character classes).
printf '%s-Demo1\n' "$(head -c 18 /dev/urandom | base64 | tr -d "+/")" > "$WORK/admin-password"
"$CONSOLE" admin --data-dir "$DATA" init --admin-user admin --admin-password-file "$WORK/admin-password" \
    --listen "127.0.0.1:$LINK_PORT" --enroll-listen "127.0.0.1:$ENROLL_PORT"
"$CONSOLE" admin --data-dir "$DATA" site add "Plant A"
"$CONSOLE" admin --data-dir "$DATA" zone add --site "Plant A" "Line 1"
"$CONSOLE" admin --data-dir "$DATA" zone add --site "Plant A" "Line 2"
"$CONSOLE" admin --data-dir "$DATA" sensor add --site "Plant A" --zone "Line 1" line1-sensor --out "$WORK/line1-sensor.activation"
"$CONSOLE" admin --data-dir "$DATA" sensor add --site "Plant A" --zone "Line 2" line2-sensor --out "$WORK/line2-sensor.activation"

say "Starting the console headless (mutual-TLS link on 127.0.0.1:$LINK_PORT, enrollment on 127.0.0.1:$ENROLL_PORT)"
"$CONSOLE" --headless --data-dir "$DATA" > "$WORK/console.log" 2>&1 &
CONSOLE_PID=$!
for _ in $(seq 1 100); do
    grep -q "link listening" "$WORK/console.log" 2>/dev/null && break
    kill -0 "$CONSOLE_PID" 2>/dev/null || { cat "$WORK/console.log"; echo "console failed to start" >&2; exit 1; }
    sleep 0.1
done
cat "$WORK/console.log"

for line in 1 2; do
    say "Activating line$line-sensor (enrolls for its own certificate over TLS pinned to the console CA)"
    "$SENSOR" activate "$WORK/line$line-sensor.activation" --state-dir "$WORK/line$line-sensor"
done

# A new sensor starts in learning mode: whatever it sees becomes the baseline, without alerts.
say "Learning: both sensors replay five minutes of their line's normal operation (in learning mode)"
run_both() {  # run_both SUFFIX: both sensors replay lineN$SUFFIX.pcap concurrently
    "$SENSOR" run --state-dir "$WORK/line1-sensor" --replay "$WORK/pcaps/line1$1.pcap" --top-speed --exit-when-drained &
    local s1=$!
    "$SENSOR" run --state-dir "$WORK/line2-sensor" --replay "$WORK/pcaps/line2$1.pcap" --top-speed --exit-when-drained &
    local s2=$!
    wait $s1
    wait $s2
}
run_both -baseline

say "Switching learning off: from now on, anything outside the baseline raises an alert"
for line in 1 2; do
    "$SENSOR" learning off --state-dir "$WORK/line$line-sensor"
done

say "Monitoring: both sensors replay the later capture (line 1 has an engineering workstation writing to a PLC)"
run_both ""

say "What the console stored (read back through ironsight-console admin)"
"$CONSOLE" admin --data-dir "$DATA" sensor list
"$CONSOLE" admin --data-dir "$DATA" export devices --format json --out "$WORK/devices.json"
"$CONSOLE" admin --data-dir "$DATA" export alerts --format json --out "$WORK/alerts.json"
python3 - "$WORK/devices.json" "$WORK/alerts.json" <<'PY'
import json, sys
devices = json.load(open(sys.argv[1]))
alerts = json.load(open(sys.argv[2]))
devices = devices.get("devices", devices) if isinstance(devices, dict) else devices
alerts = alerts.get("alerts", alerts) if isinstance(alerts, dict) else alerts
import ipaddress
def ip_key(d):
    ips = d.get("ips") or []
    try:
        return (d.get("zone", ""), int(ipaddress.ip_address(ips[0])))
    except (IndexError, ValueError):
        return (d.get("zone", ""), 0)
print(f"\n{len(devices)} devices")
print(f"  {'ip':<13} {'mac':<18} {'hostname':<20} {'type':<24} {'vendor':<20} {'zone':<7} sensor")
for d in sorted(devices, key=ip_key):
    ips = ",".join(d.get("ips", [])) or "-"
    macs = ",".join(d.get("macs", [])) or "-"
    sensors = d.get("sensors", d.get("sensor", ""))
    sensors = ",".join(sensors) if isinstance(sensors, list) else sensors
    print(f"  {ips:<13} {macs:<18} {(d.get('hostname') or '-')[:20]:<20} {d.get('type',''):<24} "
          f"{(d.get('vendor') or '-')[:20]:<20} {d.get('zone',''):<7} {sensors}")
print(f"\n{len(alerts)} alerts")
for a in sorted(alerts, key=lambda a: a.get("last_seen_ms", 0)):
    src = a.get("src_ip") or a.get("src") or "?"
    dst = a.get("dst_ip") or a.get("dst") or ""
    where = f"{src} -> {dst}" if dst else src
    proto = f"{a.get('protocol')}, " if a.get("protocol") else ""
    print(f"  [{a.get('severity','')}] {a.get('title','')}: {where} ({proto}x{a.get('count',1)}, {a.get('mitre','')})")
PY

if [ "$MODE" != "--headless" ] && { [ -n "${DISPLAY:-}" ] || [ -n "${WAYLAND_DISPLAY:-}" ]; }; then
    say "Opening the desktop console on this data dir: sign in as admin with the password in $WORK/admin-password (close the window to end the demo)"
    "$CONSOLE" --data-dir "$DATA"
else
    say "No display: the desktop console can be opened later with: $CONSOLE --data-dir $DATA"
fi
say "Demo finished. Data: $WORK"
