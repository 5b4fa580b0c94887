# SPDX-License-Identifier: Apache-2.0
# Writes docs/ALERTS.md from catalog.json (-DCHECK=FILE: fail when FILE differs from the result):
# cmake -DCATALOG=catalog.json -DOUT=ALERTS.md [-DCHECK=docs/ALERTS.md] -P alerts_md.cmake
if(NOT CATALOG OR NOT OUT)
    message(FATAL_ERROR "alerts_md.cmake: pass -DCATALOG=<catalog.json> -DOUT=<ALERTS.md>")
endif()
file(READ "${CATALOG}" json)
string(JSON count LENGTH "${json}" alerts)
math(EXPR last "${count} - 1")

set(md "<!-- Generated from resources/alerts/catalog.json by resources/alerts/alerts_md.cmake: do not edit.\n")
string(APPEND md "     Regenerate: cmake --build <build-dir> --target ironsight-alerts-doc -->\n")
string(APPEND md "# Alert catalog\n\n")
string(APPEND md "Every alert type of SPEC §3.5 with the text the sensor puts in its alerts (the same\n")
string(APPEND md "`resources/alerts/catalog.json` is embedded in the sensor at build time). Placeholders such\n")
string(APPEND md "as `{src_ip}` are filled per alert. Policy alerts fire only with learning off; the protocol,\n")
string(APPEND md "anomaly, operational and IOC engines run in both modes (`traffic_anomaly` and `polling_change`\n")
string(APPEND md "compare with the profile learned while learning, so they fire once learning is off). An alert\n")
string(APPEND md "is aggregated per type and devices (one alert, count and last seen updated). How the engines\n")
string(APPEND md "decide and the baseline format: [sensor-agent/detect/README.md](../sensor-agent/detect/README.md);\n")
string(APPEND md "false positives on the reference captures: [DETECTION.md](DETECTION.md).\n\n")
string(APPEND md "| id | engine | severity | ATT&CK for ICS | fires today |\n|---|---|---|---|---|\n")
set(sections "")
foreach(i RANGE ${last})
    foreach(field id engine title severity mitre description remediation trigger why fires)
        string(JSON value ERROR_VARIABLE err GET "${json}" alerts ${i} ${field})
        if(err)
            set(value "")
        endif()
        set(${field} "${value}")
    endforeach()
    if(fires STREQUAL "ON" OR fires STREQUAL "true")
        set(fires "yes")
    else()
        set(fires "not yet")
    endif()
    if(mitre STREQUAL "")
        set(mitre "—")
    endif()
    string(APPEND md "| [`${id}`](#${id}) | ${engine} | ${severity} | ${mitre} | ${fires} |\n")
    string(APPEND sections "\n## ${id}\n\n**${title}** — ${engine} engine, ${severity}, ATT&CK ${mitre}; fires today: ${fires}.\n\n")
    string(APPEND sections "**What triggers it.** ${trigger}\n\n")
    if(NOT why STREQUAL "")
        string(APPEND sections "**Why it matters.** ${why}\n\n")
    endif()
    string(APPEND sections "**Alert text.** ${description}\n\n")
    string(APPEND sections "**What to do.** ${remediation}\n")
endforeach()
string(APPEND md "${sections}")
# The IOC engine's input format (hand-written; referenced from the ioc_match trigger text).
string(APPEND md "
## Indicator lists

The IOC engine (`ioc_match`) reads plain-text indicator lists, for air-gapped sites that receive
threat intelligence on removable media: `ironsight-sensor analyze --ioc FILE` (repeatable; the
lists are merged) or `EngineOptions::indicators` in code. Format:

- one indicator per line; blank lines are ignored; `#` starts a comment (whole line or after an
  indicator);
- an IPv4 or IPv6 address (`203.0.113.7`, `2001:db8::7`): matches packets to or from it;
- an IPv4 or IPv6 CIDR (`198.51.100.0/24`, `2001:db8:1::/48`): matches any address inside;
- a domain name (`evil.example`, also written `*.evil.example` or with a trailing dot): matches
  the name and every subdomain (case-insensitive) in DNS/mDNS queries, TLS server names (SNI) and
  HTTP `Host` headers.

```
# campaign X, feed of 2026-11-20
203.0.113.7
198.51.100.0/24      # hosting range
evil.example
```

A line that is none of these stops the import with one error naming the file and line, e.g.
`ironsight-sensor analyze: feed.txt:2: not an IP address, CIDR or domain: 10.0.0.0/33`.
")
file(WRITE "${OUT}" "${md}")
if(CHECK)
    file(READ "${CHECK}" committed)
    if(NOT committed STREQUAL md)
        message(FATAL_ERROR "${CHECK} is out of date with ${CATALOG}: "
                            "run cmake --build <build-dir> --target ironsight-alerts-doc")
    endif()
endif()
