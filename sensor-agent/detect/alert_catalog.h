// SPDX-License-Identifier: Apache-2.0
// The alert catalog (SPEC §3.5): text, severity and ATT&CK id per alert type, from
// resources/alerts/catalog.json embedded at build time.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "sensor-agent/engine/engine.h"

namespace ironsight::sensor::detect {

struct AlertType {
    std::string id, engine, title, description, remediation, mitre;
    Severity severity = Severity::Minor;
};

/// The catalog entry for an alert type, or nullptr.
const AlertType* findAlertType(std::string_view id);
const std::vector<AlertType>& alertTypes();

/// Replaces {name} placeholders with values (unknown placeholders are left as they are).
std::string fillTemplate(const std::string& text, const std::map<std::string, std::string>& values);

const char* toString(Severity severity);

}  // namespace ironsight::sensor::detect
