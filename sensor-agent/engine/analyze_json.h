// SPDX-License-Identifier: Apache-2.0
// `analyze --json`'s document (docs/ANALYZE.md), written record by record.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "sensor-agent/engine/engine.h"

namespace ironsight::sensor {

/// Writes the analysis document of what `engine` analysed, followed by a newline: the bytes
/// of building it as one nlohmann::json (keys in name order) and dump(2, ' ', false, replace),
/// without holding that tree or the connection and operation snapshots (each record is built,
/// written and dropped: at 200,000 connections the tree took hundreds of MB). `plugins`: the
/// "plugins" array, only when --plugins was given.
void writeAnalyzeJson(const Engine& engine, const std::vector<std::string>& files,
                      const plugins::PluginSet* plugins, std::ostream& out);

/// An alert severity's name in the document ("critical", "major", "minor", "warning").
const char* severityName(Severity severity);

}  // namespace ironsight::sensor
