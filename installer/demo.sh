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
head -c 18 /dev/urandom | base64 > "$WORK/admin-password"
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
    # The demo has no learning period: switch learning off so deviations raise alerts at once.
    "$SENSOR" learning off --state-dir "$WORK/line$line-sensor"
done

say "Both sensors replay their line's capture and stream devices, connections and alerts to the console"
"$SENSOR" run --state-dir "$WORK/line1-sensor" --replay "$WORK/pcaps/line1.pcap" --top-speed --exit-when-drained &
S1=$!
"$SENSOR" run --state-dir "$WORK/line2-sensor" --replay "$WORK/pcaps/line2.pcap" --top-speed --exit-when-drained &
S2=$!
wait $S1
wait $S2

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
print(f"  {'ip':<13} {'mac':<18} {'hostname':<12} {'type':<24} {'vendor':<20} {'zone':<7} sensor")
for d in sorted(devices, key=ip_key):
    ips = ",".join(d.get("ips", [])) or "-"
    macs = ",".join(d.get("macs", [])) or "-"
    sensors = d.get("sensors", d.get("sensor", ""))
    sensors = ",".join(sensors) if isinstance(sensors, list) else sensors
    print(f"  {ips:<13} {macs:<18} {(d.get('hostname') or '-')[:12]:<12} {d.get('type',''):<24} "
          f"{(d.get('vendor') or '-')[:20]:<20} {d.get('zone',''):<7} {sensors}")
print(f"\n{len(alerts)} alerts")
for a in alerts:
    print(f"  [{a.get('severity','')}] {a.get('title','')}: {a.get('src_ip', a.get('src',''))} -> "
          f"{a.get('dst_ip', a.get('dst',''))} ({a.get('protocol','')}, x{a.get('count',1)}, {a.get('mitre','')})")
PY

if [ "$MODE" != "--headless" ] && { [ -n "${DISPLAY:-}" ] || [ -n "${WAYLAND_DISPLAY:-}" ]; }; then
    say "Opening the desktop console on this data dir (close the window to end the demo)"
    "$CONSOLE" --data-dir "$DATA"
else
    say "No display: the desktop console can be opened later with: $CONSOLE --data-dir $DATA"
fi
say "Demo finished. Data: $WORK"
