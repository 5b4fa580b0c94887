// SPDX-License-Identifier: Apache-2.0
// Learn / Mute / exclusion commands -> Engine calls; ConfigPush TOML parsed with toml++.
#include "sensor-agent/link/commands.h"

#include <toml++/toml.h>

#include <map>
#include <set>
#include <sstream>

namespace ironsight::sensor::link {

Result<std::vector<std::string>> exclusionRulesFromToml(std::string_view text) {
    toml::table doc;
    try {
        doc = toml::parse(text);
    } catch (const toml::parse_error& e) {
        std::ostringstream where;
        where << e.source().begin;
        return makeError("config push: invalid TOML at " + where.str() + ": " +
                         std::string(e.description()));
    }
    std::vector<std::string> rules;
    for (const auto& [key, node] : doc) {
        if (key.str() != "exclusion") {
            return makeError("config push: unknown setting '" + std::string(key.str()) +
                             "' (only [[exclusion]] tables are accepted)");
        }
        const toml::array* tables = node.as_array();
        if (!tables || !tables->is_array_of_tables()) {
            return makeError("config push: 'exclusion' must be [[exclusion]] tables");
        }
        for (const auto& item : *tables) {
            static const std::set<std::string, std::less<>> kKeys{"type", "device", "subnet",
                                                                  "from", "to"};
            std::map<std::string, std::string, std::less<>> fields;
            for (const auto& [k, v] : *item.as_table()) {
                if (!kKeys.count(k.str())) {
                    return makeError("config push: unknown exclusion key '" + std::string(k.str()) +
                                     "' (known: type, device, subnet, from, to)");
                }
                const auto* value = v.as_string();
                if (!value || value->get().empty() ||
                    value->get().find_first_of(" \t\r\n") != std::string::npos) {
                    return makeError("config push: exclusion " + std::string(k.str()) +
                                     " must be a non-empty word");
                }
                fields[std::string(k.str())] = value->get();
            }
            if (fields.count("from") != fields.count("to")) {
                return makeError("config push: an exclusion window needs both from and to");
            }
            auto field = [&](const char* k) {
                auto it = fields.find(k);
                return it == fields.end() ? std::string("*") : it->second;
            };
            std::string window =
                fields.count("from") ? fields["from"] + "-" + fields["to"] : std::string("*");
            if (fields.empty()) {
                return makeError("config push: an empty exclusion would hide every alert");
            }
            rules.push_back(field("type") + " " + field("device") + " " + field("subnet") + " " +
                            window);
        }
    }
    if (rules.empty()) return makeError("config push: no [[exclusion]] table");
    return rules;
}

CommandReply applyToEngine(Engine& engine, const v1::Command& command, bool& changed) {
    changed = false;
    switch (command.kind_case()) {
        case v1::Command::kLearnAlert: {
            const std::string& id = command.learn_alert().alert_id();
            if (!engine.learnAlert(id)) {
                return {false, "alert " + id +
                                   " is not known to this sensor (not raised here, or older than "
                                   "the 50,000 alerts it keeps)"};
            }
            changed = true;
            return {true, "learned alert " + id + ": its pattern joined the baseline"};
        }
        case v1::Command::kMuteAlert: {
            const std::string& id = command.mute_alert().alert_id();
            const bool muted = command.mute_alert().muted();
            if (!engine.muteAlert(id, muted)) {
                return {false, "alert " + id +
                                   " is not known to this sensor (not raised here, or older than "
                                   "the 50,000 alerts it keeps)"};
            }
            changed = true;
            return {true, std::string(muted ? "muted" : "unmuted") + " alert " + id};
        }
        case v1::Command::kConfigPush: {
            auto rules = exclusionRulesFromToml(command.config_push().toml());
            if (!rules) return {false, rules.error().message};
            // Check every rule before applying any: a push is all or nothing.
            for (const auto& rule : *rules) {
                Engine probe(EngineOptions{.learning = false});
                if (auto st = probe.addExclusion(rule); !st) return {false, st.error().message};
            }
            std::string applied;
            for (const auto& rule : *rules) {
                if (auto st = engine.addExclusion(rule); !st) return {false, st.error().message};
                applied += (applied.empty() ? "" : "; ") + rule;
            }
            changed = true;
            return {true, "exclusion added: " + applied};
        }
        default:
            return {false, "not a Learn, Mute or exclusion command"};
    }
}

}  // namespace ironsight::sensor::link
