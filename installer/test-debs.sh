#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Opt-in check of the .deb packages (not part of ctest; docs/OPERATIONS.md): builds them with
# cpack, installs both into a fresh Debian 12 root made by debootstrap, and there runs
# --version, both doctors, a console set-up, a sensor activation against the console, an
# upgrade (reinstall) that must keep the data, a remove that must keep it and a purge that must
# remove it. Needs root, debootstrap and Debian's mirror; about 5 minutes.
#
#   sudo installer/test-debs.sh [--systemd] BUILD_DIR [WORK_DIR]
#
# --systemd also boots the root with systemd-nspawn (from Debian's systemd-container package,
# fetched with `apt-get download`, not installed) and runs both units under a real systemd:
# Type=notify start-up, the sandbox, capture on lo, the sensor streaming to the console, the
# exit-2 no-restart rule and a clean stop.
#
# WORK_DIR (default BUILD_DIR/debtest) keeps root.tar.gz, a pristine bootstrapped root reused by
# later runs (delete it to bootstrap again); every run unpacks a new root from it.
set -euo pipefail

with_systemd=0
if [ "${1:-}" = --systemd ]; then with_systemd=1; shift; fi
build=$(realpath "${1:?usage: $0 [--systemd] BUILD_DIR [WORK_DIR]}")
work=$(realpath -m "${2:-$build/debtest}")
mirror=${IRONSIGHT_DEBIAN_MIRROR:-http://deb.debian.org/debian}
root=$work/root
start=$(date +%s)

step() { printf '\n== %s (%ss)\n' "$*" "$(($(date +%s) - start))"; }
fail() { echo "test-debs: FAILED: $*" >&2; exit 1; }
in_root() { chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 "$@"; }
as_ironsight() { in_root setpriv --reuid=ironsight --regid=ironsight --init-groups "$@"; }

[ "$(id -u)" -eq 0 ] || fail "run as root (debootstrap and chroot)"
command -v debootstrap >/dev/null || fail "install debootstrap (apt-get install debootstrap)"

cleanup() {
    for m in "$root/proc" "$root/sys" "$root/dev"; do
        mountpoint -q "$m" 2>/dev/null && umount -l "$m"
    done
    [ -n "${console_pid:-}" ] && kill "$console_pid" 2>/dev/null || true
}
trap cleanup EXIT

step "packages (cpack -G DEB in $build)"
rm -rf "$work/debs"
mkdir -p "$work/debs"
(cd "$work/debs" && cpack -G DEB --config "$build/CPackConfig.cmake" -B "$work/debs" >cpack.log) ||
    { cat "$work/debs/cpack.log"; fail "cpack"; }
ls -l "$work"/debs/*.deb

step "fresh Debian 12 root"
cleanup
rm -rf "$root"
mkdir -p "$root"
if [ -f "$work/root.tar.gz" ]; then
    tar -C "$root" -xzf "$work/root.tar.gz"
else
    debootstrap --variant=minbase bookworm "$root" "$mirror" >"$work/debootstrap.log" ||
        { tail -20 "$work/debootstrap.log"; fail "debootstrap"; }
    tar -C "$root" -czf "$work/root.tar.gz" .
fi
mount -t proc proc "$root/proc"
mount --bind /sys "$root/sys"    # /sys/class/net: the doctor's interface check
mount --bind /dev "$root/dev"
cp /etc/resolv.conf "$root/etc/resolv.conf"
cp "$work"/debs/*.deb "$root/tmp/"

step "apt-get install ./ironsight-sensor_*.deb ./ironsight-console_*.deb"
in_root apt-get update -qq
in_root sh -c 'cd /tmp && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends ./ironsight-sensor_*.deb ./ironsight-console_*.deb' \
    >"$work/apt-install.log" || { tail -30 "$work/apt-install.log"; fail "apt-get install"; }
grep -E '^(Setting up|The following NEW)' "$work/apt-install.log" | tail -3
echo "$(grep -c '^Setting up' "$work/apt-install.log") packages set up"

step "versions, user, directories"
in_root ironsight-sensor --version
in_root ironsight-console --version
in_root id ironsight
in_root stat -c '%n %U:%G %a' /var/lib/ironsight /var/lib/ironsight/sensor /var/lib/ironsight/console \
    /etc/ironsight /etc/ironsight/sensor.toml
[ "$(in_root stat -c '%U %a' /var/lib/ironsight/sensor)" = "ironsight 750" ] || fail "sensor state dir"
[ "$(in_root stat -c '%U %a' /var/lib/ironsight/console)" = "ironsight 750" ] || fail "console data dir"
in_root test -f /usr/lib/systemd/system/ironsight-sensor.service || fail "sensor unit"
in_root test -f /usr/lib/systemd/system/ironsight-console-headless.service || fail "console unit"

step "ironsight-sensor doctor before activation (must fail: not activated)"
set +e
in_root ironsight-sensor doctor --interface lo --sample-ms 0; code=$?
set -e
[ $code -eq 1 ] || fail "sensor doctor exit $code before activation, expected 1"

step "console set-up as the service user, then admin doctor"
printf 'Correct-Horse-Battery-Staple-42\n' >"$root/tmp/admin.password"
chmod 0644 "$root/tmp/admin.password"
dir=/var/lib/ironsight/console
as_ironsight ironsight-console admin --data-dir $dir init --admin-user admin \
    --admin-password-file /tmp/admin.password --listen 127.0.0.1:50051 --enroll-listen 127.0.0.1:50052
as_ironsight ironsight-console admin --data-dir $dir site add Plant
as_ironsight ironsight-console admin --data-dir $dir zone add --site Plant Line
as_ironsight ironsight-console admin --data-dir $dir sensor add --site Plant --zone Line sensor-1 \
    --out /var/lib/ironsight/console/sensor-1.activation
in_root ironsight-console admin --data-dir $dir doctor || fail "console doctor after set-up"

step "headless console, sensor activation, sensor doctor"
chroot "$root" setpriv --reuid=ironsight --regid=ironsight --init-groups \
    ironsight-console --headless --data-dir $dir >"$work/console.log" 2>&1 &
console_pid=$!
for _ in $(seq 100); do grep -q "enrollment listening" "$work/console.log" && break; sleep 0.2; done
grep -q "enrollment listening" "$work/console.log" || { cat "$work/console.log"; fail "console start"; }
in_root install -o ironsight -g ironsight -m 0600 $dir/sensor-1.activation /tmp/sensor-1.activation
as_ironsight ironsight-sensor activate /tmp/sensor-1.activation
in_root ironsight-sensor doctor --interface lo --sample-ms 0 || fail "sensor doctor after activation"

if [ $with_systemd -eq 1 ]; then
    step "both units under systemd (systemd-nspawn -b)"
    kill "$console_pid"; wait "$console_pid" 2>/dev/null || true; console_pid=
    in_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends systemd systemd-sysv dbus >/dev/null
    (cd "$work" && rm -rf nspawn && mkdir nspawn && cd nspawn && apt-get download -q systemd-container >/dev/null 2>&1 &&
        dpkg-deb -x systemd-container_*.deb .) || fail "cannot fetch systemd-container"
    cat >"$root/usr/local/sbin/units-check" <<'CHECK'
#!/bin/sh
# Inside the booted root: the units under systemd; the last line says PASS or FAIL.
exec >/units-check.log 2>&1
set -x
ok=1
systemctl start ironsight-console-headless || ok=0
[ "$(systemctl is-active ironsight-console-headless)" = active ] || ok=0
systemctl start ironsight-sensor && ok=0   # no interface configured yet: exit 2, no restart
sleep 2
[ "$(systemctl show -p NRestarts --value ironsight-sensor)" = 0 ] || ok=0
[ "$(systemctl show -p ExecMainStatus --value ironsight-sensor)" = 2 ] || ok=0
sed -i 's/^interfaces = .*/interfaces = ["lo"]/' /etc/ironsight/sensor.toml
systemctl start ironsight-sensor || ok=0
sleep 15
systemctl show -p ActiveState,SubState,NRestarts,MainPID ironsight-sensor ironsight-console-headless
[ "$(systemctl is-active ironsight-sensor)" = active ] || ok=0
pid=$(systemctl show -p MainPID --value ironsight-sensor)
grep -E 'Uid|CapEff|CapBnd|NoNewPrivs|Seccomp:' /proc/$pid/status
grep -q '^CapEff:.*0000000000000000' /proc/$pid/status || ok=0
grep -q '^CapBnd:.*0000000000003000' /proc/$pid/status || ok=0
journalctl -u ironsight-sensor -u ironsight-console-headless --no-pager | tail -20
ironsight-sensor doctor --sample-ms 0 || ok=0
setpriv --reuid=ironsight --regid=ironsight --init-groups ironsight-console admin \
    --data-dir /var/lib/ironsight/console sensor list | tee /tmp/sensors
grep -q ' active ' /tmp/sensors || ok=0
systemctl stop ironsight-sensor ironsight-console-headless
[ "$(systemctl show -p Result --value ironsight-sensor)" = success ] || ok=0
[ "$(systemctl show -p Result --value ironsight-console-headless)" = success ] || ok=0
sed -i 's/^interfaces = .*/interfaces = []/' /etc/ironsight/sensor.toml
[ $ok = 1 ] && echo UNITS-CHECK PASS || echo UNITS-CHECK FAIL
systemctl poweroff
CHECK
    chmod 0755 "$root/usr/local/sbin/units-check"
    printf '[Unit]\nAfter=multi-user.target\n[Service]\nType=oneshot\nExecStart=/usr/local/sbin/units-check\n' \
        >"$root/etc/systemd/system/units-check.service"
    ln -sf /etc/systemd/system/units-check.service "$root/etc/systemd/system/multi-user.target.wants/"
    cleanup
    # cgroup v1/hybrid hosts: give the container a unified hierarchy.
    SYSTEMD_NSPAWN_UNIFIED_HIERARCHY=1 timeout 300 "$work/nspawn/usr/bin/systemd-nspawn" -D "$root" \
        --register=no --keep-unit --private-network --quiet -b >"$work/nspawn.log" 2>&1 || true
    rm -f "$root/etc/systemd/system/multi-user.target.wants/units-check.service"
    cat "$root/units-check.log"
    grep -qx 'UNITS-CHECK PASS' "$root/units-check.log" || fail "units under systemd"
    mount -t proc proc "$root/proc"
    mount --bind /sys "$root/sys"
    mount --bind /dev "$root/dev"
fi

step "upgrade (reinstall) keeps the data"
before=$(in_root sha256sum /var/lib/ironsight/sensor/identity/sensor.crt)
if [ -n "${console_pid:-}" ]; then kill "$console_pid"; wait "$console_pid" 2>/dev/null || true; console_pid=; fi
in_root sh -c 'cd /tmp && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --reinstall ./ironsight-sensor_*.deb ./ironsight-console_*.deb' >/dev/null
[ "$(in_root sha256sum /var/lib/ironsight/sensor/identity/sensor.crt)" = "$before" ] || fail "upgrade changed the sensor identity"
in_root test -f $dir/console.db || fail "upgrade lost console.db"
echo "identity and console.db kept"

step "remove keeps the data, purge removes it"
in_root env DEBIAN_FRONTEND=noninteractive apt-get remove -y -q ironsight-sensor ironsight-console >/dev/null
in_root test -f /var/lib/ironsight/sensor/state.db || fail "remove deleted the sensor state"
in_root test -f $dir/console.db || fail "remove deleted the console data"
in_root env DEBIAN_FRONTEND=noninteractive apt-get purge -y -q ironsight-sensor ironsight-console >/dev/null
in_root test ! -e /var/lib/ironsight/sensor || fail "purge kept the sensor state"
in_root test ! -e $dir || fail "purge kept the console data"
in_root test ! -e /etc/ironsight/sensor.toml || fail "purge kept the conffile"
echo "remove kept, purge removed"

step "all checks passed"
