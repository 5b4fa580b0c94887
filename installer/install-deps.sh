#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Installs every Debian 12 package Ironsight needs to build, test and run its demo.
# Idempotent and non-interactive; runs as root or through sudo; uses only Debian's archive.
set -euo pipefail

PACKAGES=(
    # toolchain
    build-essential cmake ninja-build ccache pkg-config git python3
    # link contract
    libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
    # crypto, storage, capture
    libssl-dev libsqlite3-dev sqlite3 libpcap-dev
    # sensor command line, config and JSON
    libcli11-dev libtomlplusplus-dev nlohmann-json3-dev
    # console
    qt6-base-dev qt6-base-dev-tools qt6-charts-dev qt6-tools-dev qt6-tools-dev-tools
    qt6-l10n-tools qt6-svg-dev libqt6sql6-sqlite libqt6opengl6-dev libxkbcommon-dev libgl-dev
    libargon2-dev
    # console device map: Graphviz layout (libgvc); Qt SVG (icons, SVG export) is qt6-svg-dev above
    libgraphviz-dev
    # reference data (MAC vendors)
    ieee-data
    # tests and benchmarks
    libgtest-dev libgmock-dev googletest libbenchmark-dev
    # openssl s_client: real TLS clients the console refuses in the handshake (end_to_end_test)
    openssl
    # a real HTTP CONNECT proxy for the sensor's proxy tests (started by the test on loopback)
    tinyproxy
    # site integrations: SNMP AgentX subagent (net-snmp; snmpd/snmpget for its test), directory
    # sign-in (OpenLDAP libldap; slapd/ldap-utils for its test), e-mail through the site relay
    # (libcurl's SMTP with STARTTLS and AUTH; aiosmtpd is the test's real SMTP receiver)
    libsnmp-dev snmpd snmp libldap-dev slapd ldap-utils libcurl4-openssl-dev python3-aiosmtpd
    # libFuzzer targets (tests/fuzz/run.sh; .ci/run runs a short smoke of each)
    clang libclang-rt-14-dev
    # .deb packages (cpack, dpkg-shlibdeps for their Depends)
    dpkg-dev
    # demo window and screenshots where no display exists
    xvfb xauth
)

missing=()
for p in "${PACKAGES[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$p")
    fi
done

if [ ${#missing[@]} -eq 0 ]; then
    echo "install-deps: all ${#PACKAGES[@]} packages already installed"
    exit 0
fi

SUDO=()
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
        SUDO=(sudo -n)
    else
        echo "install-deps: need root or sudo to install: ${missing[*]}" >&2
        exit 1
    fi
fi

echo "install-deps: installing ${#missing[@]} packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -qq
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# The tests start their own tinyproxy; the package's system service is not wanted.
if [[ " ${missing[*]} " == *" tinyproxy "* ]]; then
    "${SUDO[@]}" systemctl disable --now tinyproxy >/dev/null 2>&1 || true
fi
echo "install-deps: done"
