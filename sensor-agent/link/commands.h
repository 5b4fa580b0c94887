// SPDX-License-Identifier: Apache-2.0
// Console commands applied to the engine (SPEC §3.5 workflow): Learn, Mute and exclusion rules
// pushed as ConfigPush TOML. Runs on the analysis thread, which owns the engine.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "ironsight/v1/link.pb.h"
#include "sensor-agent/engine/engine.h"
#include "sensor-agent/link/link_client.h"
#include "shared/base/result.h"

namespace ironsight::sensor::link {

/// Exclusion rules ("TYPE|* DEVICE|* SUBNET|* HH:MM-HH:MM|*", Engine::addExclusion) from a
/// ConfigPush document made only of [[exclusion]] tables with the string keys type, device,
/// subnet, from, to (from/to: UTC "HH:MM", both or neither). Anything else is an error naming it.
Result<std::vector<std::string>> exclusionRulesFromToml(std::string_view toml);

/// Applies learn_alert, mute_alert or an exclusion config_push to `engine`; the answer for the
/// console. `changed` is set when the engine's baseline changed (the caller persists it).
CommandReply applyToEngine(Engine& engine, const v1::Command& command, bool& changed);

}  // namespace ironsight::sensor::link
