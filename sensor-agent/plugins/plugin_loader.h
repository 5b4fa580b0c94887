// SPDX-License-Identifier: Apache-2.0
// Dissector plugins (SPEC §3.3, docs/PLUGINS.md): every *.so of a folder is loaded at start,
// checked (ABI version, entry symbols, name, ports) and adapted to the Dissector interface, so
// plugin protocols go through the same pipeline as the built-in ones (flows, TCP ordering,
// inventory, operations, detection). Plugins are trusted code: they run in the sensor process.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <ostream>
#include <span>
#include <string>
#include <vector>

#include "sensor-agent/dissect/core/registry.h"
#include "shared/base/result.h"

namespace ironsight::sensor::plugins {

/// The ABI versions this sensor accepts (sensor-agent/sdk/ironsight_plugin.h).
std::uint32_t supportedAbiVersion();

struct LoadedPlugin;  // one library and what its init declared

/// What a loaded plugin declared, for listings and the analyze JSON.
struct PluginSummary {
    std::string name, version, description, file;
    std::vector<std::uint16_t> tcpPorts, udpPorts;
    bool heuristic = false;
    /// Display strings: key -> language -> text ("en" is the source text).
    std::map<std::string, std::map<std::string, std::string>> strings;
};

/// The loaded plugins. Shared (std::shared_ptr) by the engines that use them; a library stays
/// loaded while any engine, registry entry or per-flow dissector still refers to it.
class PluginSet {
public:
    /// Loads every regular *.so file directly in `dir`, in name order. A plugin that cannot be
    /// used (not loadable, wrong ABI version, missing entry symbol, init failure, bad name, name
    /// or port already taken) is skipped with one line on `log`; each loaded plugin is announced
    /// with one line. Fails only when `dir` is not a readable folder.
    static Result<std::shared_ptr<const PluginSet>> load(const std::filesystem::path& dir,
                                                         std::ostream& log);
    ~PluginSet();
    PluginSet(const PluginSet&) = delete;
    PluginSet& operator=(const PluginSet&) = delete;

    /// Adds the port-bound plugin dissectors (their ports were checked free at load).
    void registerInto(dissect::DissectorRegistry& registry) const;
    /// True when some plugin declared a heuristic.
    bool hasHeuristics() const;
    /// Offers the first payload of a flow no dissector owns to the plugins' heuristics (in load
    /// order). Match: `match` is the plugin's dissector descriptor (valid while this set lives).
    dissect::Probe probe(const dissect::FlowContext& flow, std::span<const std::uint8_t> payload,
                         const dissect::DissectorInfo*& match) const;

    std::vector<PluginSummary> summaries() const;
    std::size_t size() const { return plugins_.size(); }

private:
    PluginSet() = default;
    std::vector<std::shared_ptr<LoadedPlugin>> plugins_;
};

}  // namespace ironsight::sensor::plugins
