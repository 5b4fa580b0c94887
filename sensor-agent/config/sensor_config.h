// SPDX-License-Identifier: Apache-2.0
// The sensor's configuration file (/etc/ironsight/sensor.toml, SPEC §3.6): one table of every
// setting (section, key, type, bounds, default, whether SIGHUP applies it) drives parsing,
// validation and the generated reference (docs/SENSOR_CONFIG.md).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "sensor-agent/config/network_settings.h"
#include "shared/base/result.h"

namespace ironsight::sensor::config {

enum class ValueType { String, StringList, Integer, Number };

/// One setting of the file. The reference, the validator and the reload decision all read this.
struct Setting {
    const char* section;
    const char* key;
    ValueType type;
    double min = 0, max = 0;  // Integer / Number bounds (inclusive)
    const char* defaultText = "";
    const char* description = "";
    bool reloadable = false;  // applied by SIGHUP without a restart
    const char* option = "";  // the `run` command-line option that wins over it, if any
    bool pushable = false;    // the console may set it (ConfigPush; kept in the state dir)
};

const std::vector<Setting>& settings();

/// A parsed, validated file. Absent settings stay empty (the command line or the built-in
/// default applies).
struct SensorConfig {
    std::vector<std::string> interfaces;
    std::optional<std::string> filter, user;
    std::optional<int> bufferMb, snaplen;
    std::optional<int> workers{};  // [capture] workers: analysis worker threads
    std::optional<std::string> pluginDir;
    std::vector<std::string> portAliases;  // PROTOCOL=tcp/PORT, checked against the dissectors
    std::optional<double> outboxMaxMb, evidenceMaxMb;
    std::optional<int> evidencePackets;
    std::optional<std::string> proxy;  // [link] proxy: http://[user[:password]@]host:port
    std::optional<std::string> snmpAgentxSocket;  // [snmp] agentx_socket; absent: SNMP off
    NetworkSettings network;           // [network]: ICS subnets, VLAN names, DHCP ranges
};

/// Reads and checks `path`. Every problem is reported, one line each, as
/// "PATH:LINE:COL: section.key: what is wrong (what is expected)", in the error's message
/// (lines joined by '\n'): unknown sections and keys, wrong types, out-of-range numbers,
/// malformed port aliases.
Result<SensorConfig> load(const std::string& path);
/// The same from text (`name` stands for the path in messages).
Result<SensorConfig> parse(const std::string& text, const std::string& name);

/// The console's pushed settings are kept in the sensor's state dir under this name.
inline constexpr const char* kPushedSettingsFile = "pushed.toml";

/// A console's settings push (the ConfigPush TOML without its [[exclusion]] tables): checked like
/// the file, and only pushable settings (docs/SENSOR_CONFIG.md "push" column) are accepted.
Result<SensorConfig> parsePushed(const std::string& text, const std::string& name);

/// `base` (the file) with the settings `pushed` sets replaced: the console's push wins over the
/// file for the settings it names; the command line still wins over both.
SensorConfig overlay(const SensorConfig& base, const SensorConfig& pushed);

/// The reference of every setting as Markdown (docs/SENSOR_CONFIG.md is this output).
std::string referenceMarkdown();

/// Names ("section.key") of the settings whose values differ between `a` and `b`.
std::vector<std::string> changedSettings(const SensorConfig& a, const SensorConfig& b);

}  // namespace ironsight::sensor::config
