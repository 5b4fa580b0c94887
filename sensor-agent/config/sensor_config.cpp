// SPDX-License-Identifier: Apache-2.0
// sensor.toml: the settings table, a validator that reports every problem with its position, the
// Markdown reference generated from the same table.
#include "sensor-agent/config/sensor_config.h"
#include "sensor-agent/snmp/agentx_address.h"

#include <toml++/toml.h>

#include <algorithm>
#include <cmath>
#include <tuple>
#include <fstream>
#include <set>
#include <sstream>

namespace ironsight::sensor::config {
namespace {

constexpr double kMinMb = 0.001;  // 1 KiB: tests and tiny appliances use small caps
constexpr double kMaxMb = 1'000'000;

}  // namespace

const std::vector<Setting>& settings() {
    static const std::vector<Setting> all = {
        {"capture", "interfaces", ValueType::StringList, 0, 0, "none",
         "Interfaces to capture on (SPAN or TAP ports; see `ironsight-sensor interfaces`). Without "
         "it, `run` needs `--interface` or `--replay`.",
         false, "--interface"},
        {"capture", "filter", ValueType::String, 0, 0, "none (all traffic)",
         "BPF filter in tcpdump syntax, applied in the kernel. SIGHUP applies a new filter to the "
         "open capture handles without closing them.",
         true, "--filter", true},
        {"capture", "buffer_mb", ValueType::Integer, 1, 4096, "64",
         "Kernel capture ring per interface (TPACKET_V3), MiB. Larger rings ride out bursts.",
         false, "--buffer-mb"},
        {"capture", "snaplen", ValueType::Integer, 64, 262144, "65535",
         "Bytes captured of each packet.", false, "--snaplen"},
        {"capture", "workers", ValueType::Integer, 1, 64, "1",
         "Analysis worker threads (`run`, live and replay): flows are shared out over them by "
         "their address pair (decode, flow table, dissectors), one more thread keeps the "
         "inventory and detection; the results are the same for any value. 1 analyses on one "
         "thread. See docs/SENSOR.md \"Worker threads\".",
         false, "--workers"},
        {"capture", "user", ValueType::String, 0, 0, "none",
         "Started as root: the user to switch to once the capture handles are open.", false,
         "--user"},
        {"link", "proxy", ValueType::String, 0, 0, "none (direct)",
         "HTTP CONNECT proxy to reach the console through: `http://[user[:password]@]host:port`.",
         false, "--proxy"},
        {"protocols", "port_aliases", ValueType::StringList, 0, 0, "none",
         "Protocols this site runs on non-standard ports, `PROTOCOL=tcp/PORT` or "
         "`PROTOCOL=udp/PORT` (e.g. `modbus=tcp/5020`); see docs/SENSOR.md \"Protocols on "
         "non-standard ports\". Added to `--port-alias`. SIGHUP applies them to new flows.",
         true, "--port-alias", true},
        {"network", "ics_subnets", ValueType::StringList, 0, 0, "none",
         "Subnets of the control network (CIDR, e.g. `10.20.0.0/16`): their hosts count as OT "
         "devices for `internet_access`, like hosts seen speaking an industrial protocol.",
         true, "", true},
        {"network", "vlan_names", ValueType::StringList, 0, 0, "none",
         "Names of VLAN ids, `ID=NAME` (e.g. `20=PLC floor`), shown with the VLANs of each "
         "device in the inventory and on the console.",
         true, "", true},
        {"network", "dhcp_ranges", ValueType::StringList, 0, 0, "none (not checked)",
         "The site's legitimate DHCP pools, `FIRST-LAST` or an IPv4 CIDR (e.g. "
         "`10.1.2.100-10.1.2.199`): a DHCP server offering an address outside them raises "
         "`rogue_dhcp`, even a server in the baseline.",
         true, "", true},
        {"outbox", "max_mb", ValueType::Number, kMinMb, kMaxMb, "1024",
         "Outbox size cap, MiB: beyond it the oldest non-alert records are evicted first "
         "(counted, raised as `sensor_eviction`).",
         false, "--outbox-max-mb"},
        {"evidence", "max_mb", ValueType::Number, kMinMb, kMaxMb, "256",
         "Stored alert evidence (packets around each alert's trigger), all alerts together, MiB; "
         "the oldest captures go first.",
         false, ""},
        {"evidence", "packets", ValueType::Integer, 1, 100000, "32",
         "Packets kept per alert capture.", false, ""},
        {"plugins", "dir", ValueType::String, 0, 0, "none",
         "Folder of dissector plugins (`*.so`) loaded at start (docs/PLUGINS.md).", false,
         "--plugins"},
        {"snmp", "agentx_socket", ValueType::String, 0, 0, "none (SNMP off)",
         "The snmpd master agent's AgentX socket: a path (`/var/agentx/master`) or "
         "`tcp:HOST:PORT`. Set, the sensor serves its health (IRONSIGHT-SENSOR-MIB) as an AgentX "
         "subagent of that snmpd; an absent master is retried every 15 s. See docs/OPERATIONS.md "
         "\"SNMP monitoring\".",
         false, "--snmp-agentx"},
    };
    return all;
}

namespace {

const char* typeName(ValueType type) {
    switch (type) {
        case ValueType::String:
            return "string";
        case ValueType::StringList:
            return "list of strings";
        case ValueType::Integer:
            return "integer";
        case ValueType::Number:
            return "number";
    }
    return "";
}

std::string where(const std::string& name, const toml::source_region& at) {
    std::ostringstream out;
    out << name << ":" << at.begin.line << ":" << at.begin.column;
    return out.str();
}

std::string formatNumber(double v) {
    std::ostringstream out;
    out << v;
    return out.str();
}

/// Syntax of a port alias; the protocol name is checked against the dissectors by the engine.
bool portAliasSyntax(const std::string& spec) {
    const auto eq = spec.find('=');
    const auto slash = spec.find('/', eq == std::string::npos ? 0 : eq);
    if (eq == 0 || eq == std::string::npos || slash == std::string::npos) return false;
    const std::string transport = spec.substr(eq + 1, slash - eq - 1);
    const std::string port = spec.substr(slash + 1);
    if (transport != "tcp" && transport != "udp") return false;
    if (port.empty() || port.size() > 5 || port.find_first_not_of("0123456789") != std::string::npos)
        return false;
    const long value = std::stol(port);
    return value >= 1 && value <= 65535;
}

struct Checker {
    const std::string& name;
    SensorConfig config;
    // (line, column, text): reported in file order (toml++ tables iterate sorted by key).
    std::vector<std::tuple<std::uint32_t, std::uint32_t, std::string>> errors;

    void error(const toml::source_region& at, const std::string& what) {
        errors.emplace_back(at.begin.line, at.begin.column, where(name, at) + ": " + what);
    }

    void apply(const Setting& s, const toml::node& value) {
        const std::string id = std::string(s.section) + "." + s.key;
        const auto expected = [&] {
            std::string text = std::string(s.type == ValueType::Integer ? " must be an " : " must be a ") +
                               typeName(s.type);
            if (s.type == ValueType::Integer || s.type == ValueType::Number) {
                text += " from " + formatNumber(s.min) + " to " + formatNumber(s.max);
            }
            return text;
        };
        switch (s.type) {
            case ValueType::String: {
                const auto text = value.value<std::string>();
                if (!value.is_string() || !text || text->empty()) {
                    return error(value.source(), id + " must be a non-empty string");
                }
                store(id, *text, value);
                return;
            }
            case ValueType::StringList: {
                const toml::array* list = value.as_array();
                if (!list) return error(value.source(), id + expected());
                std::vector<std::string> items;
                for (const auto& item : *list) {
                    const auto text = item.value<std::string>();
                    if (!item.is_string() || !text || text->empty()) {
                        return error(item.source(), id + expected() + " (each non-empty)");
                    }
                    items.push_back(*text);
                }
                storeList(id, items, *list);
                return;
            }
            case ValueType::Integer: {
                const auto number = value.value<std::int64_t>();
                if (!value.is_integer() || !number || *number < s.min || *number > s.max) {
                    return error(value.source(), id + expected());
                }
                storeNumber(id, static_cast<double>(*number));
                return;
            }
            case ValueType::Number: {
                std::optional<double> number;
                if (value.is_integer()) number = static_cast<double>(*value.value<std::int64_t>());
                if (value.is_floating_point()) number = *value.value<double>();
                if (!number || !std::isfinite(*number) || *number < s.min || *number > s.max) {
                    return error(value.source(), id + expected());
                }
                storeNumber(id, *number);
                return;
            }
        }
    }

    void store(const std::string& id, const std::string& text, const toml::node& value) {
        if (id == "capture.filter") config.filter = text;
        if (id == "capture.user") config.user = text;
        if (id == "plugins.dir") config.pluginDir = text;
        if (id == "snmp.agentx_socket") {
            if (const auto problem = snmp::checkAgentxAddress(text); !problem.empty()) {
                return error(value.source(), id + " " + problem);
            }
            config.snmpAgentxSocket = text;
        }
        if (id == "link.proxy") {
            if (text.rfind("http://", 0) != 0 || text.find(':', 7) == std::string::npos) {
                return error(value.source(),
                             id + " must be http://[user[:password]@]host:port (no other scheme)");
            }
            config.proxy = text;
        }
    }
    void storeList(const std::string& id, const std::vector<std::string>& items,
                   const toml::array& list) {
        if (id == "capture.interfaces") config.interfaces = items;
        if (id == "protocols.port_aliases") {
            for (std::size_t i = 0; i < items.size(); ++i) {
                if (!portAliasSyntax(items[i])) {
                    error(list[i].source(), id + ": '" + items[i] +
                                                "' is not PROTOCOL=tcp/PORT or PROTOCOL=udp/PORT "
                                                "(port 1-65535)");
                }
            }
            config.portAliases = items;
        }
        const auto checkEach = [&](const auto& check) {
            for (std::size_t i = 0; i < items.size(); ++i) {
                if (auto st = check(items[i]); !st) error(list[i].source(), id + ": " + st.error().message);
            }
        };
        if (id == "network.ics_subnets") {
            checkEach([](const std::string& v) { return checkSubnet(v); });
            config.network.icsSubnets = items;
        }
        if (id == "network.vlan_names") {
            std::set<std::uint32_t> ids;
            for (std::size_t i = 0; i < items.size(); ++i) {
                auto vlan = parseVlanName(items[i]);
                if (!vlan) {
                    error(list[i].source(), id + ": " + vlan.error().message);
                } else if (!ids.insert(vlan->first).second) {
                    error(list[i].source(), id + ": VLAN " + std::to_string(vlan->first) +
                                                " is named twice");
                }
            }
            config.network.vlanNames = items;
        }
        if (id == "network.dhcp_ranges") {
            checkEach([](const std::string& v) -> Status {
                if (auto r = parseDhcpRange(v); !r) return r.error();
                return {};
            });
            config.network.dhcpRanges = items;
        }
    }
    void storeNumber(const std::string& id, double v) {
        if (id == "capture.buffer_mb") config.bufferMb = static_cast<int>(v);
        if (id == "capture.snaplen") config.snaplen = static_cast<int>(v);
        if (id == "capture.workers") config.workers = static_cast<int>(v);
        if (id == "outbox.max_mb") config.outboxMaxMb = v;
        if (id == "evidence.max_mb") config.evidenceMaxMb = v;
        if (id == "evidence.packets") config.evidencePackets = static_cast<int>(v);
    }
};

std::string knownKeys(const std::string& section) {
    std::string out;
    for (const auto& s : settings()) {
        if (section == s.section) out += (out.empty() ? "" : ", ") + std::string(s.key);
    }
    return out;
}

std::string knownSections() {
    std::string out;
    std::set<std::string> seen;
    for (const auto& s : settings()) {
        if (seen.insert(s.section).second) out += (out.empty() ? "[" : ", [") + std::string(s.section) + "]";
    }
    return out;
}

/// Checks a parsed document. `pushed`: a console's ConfigPush, where [[exclusion]] tables are
/// the commands layer's and only pushable settings are accepted.
Result<SensorConfig> checkDocument(const toml::table& doc, const std::string& name, bool pushed) {
    Checker checker{name, {}, {}};
    for (const auto& [sectionKey, sectionNode] : doc) {
        const std::string section(sectionKey.str());
        if (pushed && section == "exclusion") continue;
        const toml::table* table = sectionNode.as_table();
        if (knownKeys(section).empty()) {
            checker.error(sectionNode.source(), "unknown section [" + section +
                                                    "] (known: " + knownSections() + ")");
            continue;
        }
        if (!table) {
            checker.error(sectionNode.source(), section + " must be a section ([" + section + "])");
            continue;
        }
        for (const auto& [key, value] : *table) {
            const Setting* setting = nullptr;
            for (const auto& s : settings()) {
                if (section == s.section && key.str() == s.key) setting = &s;
            }
            if (!setting) {
                checker.error(key.source(), "unknown setting " + section + "." +
                                                  std::string(key.str()) + " (known in [" +
                                                  section + "]: " + knownKeys(section) + ")");
                continue;
            }
            if (pushed && !setting->pushable) {
                checker.error(key.source(), section + "." + std::string(key.str()) +
                                                " cannot be pushed by the console (set it in "
                                                "sensor.toml on the sensor)");
                continue;
            }
            checker.apply(*setting, value);
        }
    }
    if (!checker.errors.empty()) {
        std::sort(checker.errors.begin(), checker.errors.end());
        std::string all;
        for (const auto& e : checker.errors) all += (all.empty() ? "" : "\n") + std::get<2>(e);
        return makeError(all);
    }
    return checker.config;
}

Result<SensorConfig> parseText(const std::string& text, const std::string& name, bool pushed) {
    toml::table doc;
    try {
        doc = toml::parse(text, name);
    } catch (const toml::parse_error& e) {
        return makeError(where(name, e.source()) + ": " + std::string(e.description()));
    }
    return checkDocument(doc, name, pushed);
}

}  // namespace

Result<SensorConfig> parse(const std::string& text, const std::string& name) {
    return parseText(text, name, false);
}

Result<SensorConfig> parsePushed(const std::string& text, const std::string& name) {
    return parseText(text, name, true);
}

SensorConfig overlay(const SensorConfig& base, const SensorConfig& pushed) {
    SensorConfig out = base;
    if (pushed.filter) out.filter = pushed.filter;
    if (!pushed.portAliases.empty()) out.portAliases = pushed.portAliases;
    if (!pushed.network.icsSubnets.empty()) out.network.icsSubnets = pushed.network.icsSubnets;
    if (!pushed.network.vlanNames.empty()) out.network.vlanNames = pushed.network.vlanNames;
    if (!pushed.network.dhcpRanges.empty()) out.network.dhcpRanges = pushed.network.dhcpRanges;
    return out;
}

Result<SensorConfig> load(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return makeError("cannot read config file " + path);
    std::ostringstream text;
    text << in.rdbuf();
    return parse(text.str(), path);
}

std::string referenceMarkdown() {
    std::ostringstream out;
    out << "# sensor.toml reference\n\n"
        << "<!-- Generated by `ironsight-sensor config reference` from "
           "sensor-agent/config/sensor_config.cpp; do not edit. -->\n\n"
        << "`ironsight-sensor run --config /etc/ironsight/sensor.toml` reads this file at start. "
           "Every setting is optional; a command-line option, where one exists, wins over the "
           "file. `ironsight-sensor config check FILE` validates a file without starting the "
           "sensor: every problem is one line `FILE:LINE:COLUMN: what is wrong`, and `run` "
           "refuses to start on any of them. On SIGHUP the running sensor reads the file again: "
           "settings marked *reloadable* take effect at once (capture continues); a change to "
           "any other setting is reported as needing a restart; a file with errors is refused "
           "and the running settings stay.\n\n"
        << "Settings marked *console push* can also be set from the console (`ironsight-console "
           "admin sensor push-config NAME FILE`, docs/CONSOLE.md): the sensor checks the pushed "
           "file like this one, applies it at once and keeps it in its state dir "
           "(`pushed.toml`), so it survives restarts. A pushed setting wins over the same "
           "setting of this file (the command line still wins over both); a new push replaces "
           "the previous one and an empty push hands the settings back to this file.\n\n"
        << "Example:\n\n```toml\n"
        << "[capture]\ninterfaces = [\"eth1\", \"eth2\"]\nfilter = \"not port 22\"\n\n"
        << "[protocols]\nport_aliases = [\"modbus=tcp/5020\"]\n\n"
        << "[network]\nics_subnets = [\"10.20.0.0/16\"]\nvlan_names = [\"20=PLC floor\"]\n"
        << "dhcp_ranges = [\"10.1.2.100-10.1.2.199\"]\n\n"
        << "[outbox]\nmax_mb = 2048\n```\n";
    std::string section;
    for (const auto& s : settings()) {
        if (section != s.section) {
            section = s.section;
            out << "\n## [" << section << "]\n\n"
                << "| key | type | default | reloadable | console push | command line | description |\n"
                << "|---|---|---|---|---|---|---|\n";
        }
        std::string type = typeName(s.type);
        if (s.type == ValueType::Integer || s.type == ValueType::Number) {
            type += " " + formatNumber(s.min) + "–" + formatNumber(s.max);
        }
        out << "| `" << s.key << "` | " << type << " | " << s.defaultText << " | "
            << (s.reloadable ? "yes" : "no") << " | " << (s.pushable ? "yes" : "no") << " | "
            << (*s.option ? std::string("`") + s.option + "`" : std::string("—")) << " | "
            << s.description << " |\n";
    }
    return out.str();
}

std::vector<std::string> changedSettings(const SensorConfig& a, const SensorConfig& b) {
    std::vector<std::string> out;
    const auto check = [&](bool differs, const char* name) {
        if (differs) out.emplace_back(name);
    };
    check(a.interfaces != b.interfaces, "capture.interfaces");
    check(a.filter != b.filter, "capture.filter");
    check(a.bufferMb != b.bufferMb, "capture.buffer_mb");
    check(a.snaplen != b.snaplen, "capture.snaplen");
    check(a.workers != b.workers, "capture.workers");
    check(a.user != b.user, "capture.user");
    check(a.proxy != b.proxy, "link.proxy");
    check(a.portAliases != b.portAliases, "protocols.port_aliases");
    check(a.outboxMaxMb != b.outboxMaxMb, "outbox.max_mb");
    check(a.evidenceMaxMb != b.evidenceMaxMb, "evidence.max_mb");
    check(a.evidencePackets != b.evidencePackets, "evidence.packets");
    check(a.pluginDir != b.pluginDir, "plugins.dir");
    check(a.snmpAgentxSocket != b.snmpAgentxSocket, "snmp.agentx_socket");
    check(a.network.icsSubnets != b.network.icsSubnets, "network.ics_subnets");
    check(a.network.vlanNames != b.network.vlanNames, "network.vlan_names");
    check(a.network.dhcpRanges != b.network.dhcpRanges, "network.dhcp_ranges");
    return out;
}

}  // namespace ironsight::sensor::config
