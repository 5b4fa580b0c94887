// SPDX-License-Identifier: Apache-2.0
// Alert catalog: parsed once from the embedded JSON.
#include "sensor-agent/detect/alert_catalog.h"

#include <nlohmann/json.hpp>

namespace ironsight::sensor::detect {

extern const std::string_view kAlertCatalogJson;

namespace {

Severity parseSeverity(const std::string& s) {
    if (s == "critical") return Severity::Critical;
    if (s == "major") return Severity::Major;
    if (s == "warning") return Severity::Warning;
    return Severity::Minor;
}

std::vector<AlertType> load() {
    std::vector<AlertType> types;
    const auto doc = nlohmann::json::parse(kAlertCatalogJson, nullptr, false);
    if (doc.is_discarded() || !doc.contains("alerts")) return types;  // caught by the tests
    for (const auto& a : doc["alerts"]) {
        AlertType t;
        t.id = a.value("id", "");
        t.engine = a.value("engine", "");
        t.title = a.value("title", "");
        t.description = a.value("description", "");
        t.remediation = a.value("remediation", "");
        t.mitre = a.value("mitre", "");
        t.severity = parseSeverity(a.value("severity", "minor"));
        types.push_back(std::move(t));
    }
    return types;
}

}  // namespace

const std::vector<AlertType>& alertTypes() {
    static const std::vector<AlertType> types = load();
    return types;
}

const AlertType* findAlertType(std::string_view id) {
    for (const auto& t : alertTypes()) {
        if (t.id == id) return &t;
    }
    return nullptr;
}

std::string fillTemplate(const std::string& text,
                         const std::map<std::string, std::string>& values) {
    std::string out;
    for (std::size_t i = 0; i < text.size();) {
        if (text[i] == '{') {
            const auto close = text.find('}', i);
            if (close != std::string::npos) {
                auto it = values.find(text.substr(i + 1, close - i - 1));
                if (it != values.end()) {
                    out += it->second;
                    i = close + 1;
                    continue;
                }
            }
        }
        out += text[i++];
    }
    return out;
}

const char* toString(Severity severity) {
    switch (severity) {
        case Severity::Critical:
            return "critical";
        case Severity::Major:
            return "major";
        case Severity::Minor:
            return "minor";
        case Severity::Warning:
            return "warning";
    }
    return "minor";
}

}  // namespace ironsight::sensor::detect
