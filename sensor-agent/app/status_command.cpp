// SPDX-License-Identifier: Apache-2.0
// `ironsight-sensor status [--json]`: activation, identity, learning, outbox and certificate state.
#include <ctime>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "sensor-agent/app/commands.h"
#include "sensor-agent/config/sensor_config.h"
#include "sensor-agent/store/outbox.h"
#include "sensor-agent/store/state_store.h"
#include "shared/crypto/crypto.h"

namespace ironsight::sensor::app {
namespace {

std::string utcTime(std::int64_t unixSeconds) {
    const std::time_t t = static_cast<std::time_t>(unixSeconds);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

int status(bool json, const std::filesystem::path& stateDir) {
    nlohmann::ordered_json s;
    s["state_dir"] = stateDir.string();
    std::error_code ec;
    if (!std::filesystem::exists(stateDir / "state.db", ec)) {
        s["activated"] = false;
    } else {
        auto store = store::StateStore::open(stateDir);
        if (!store) {
            std::cerr << "error: " << store.error().message << "\n";
            return 1;
        }
        auto outbox = store::Outbox::open(stateDir);
        if (!outbox) {
            std::cerr << "error: " << outbox.error().message << "\n";
            return 1;
        }
        using namespace store::meta;
        s["activated"] = store->activated();
        s["sensor_id"] = store->getOr(kSensorId, "");
        s["sensor_name"] = store->getOr(kSensorName, "");
        s["site"] = store->getOr(kSite, "");
        s["zone"] = store->getOr(kZone, "");
        s["console_endpoint"] = store->getOr(kStreamEndpoints, "");
        s["console_tls_name"] = store->getOr(kTlsName, "");
        s["learning"] = store->learning();
        s["epoch"] = store->epoch();
        s["outbox_depth"] = (*outbox)->depth();
        s["outbox_bytes"] = (*outbox)->bytes();
        s["last_seq"] = (*outbox)->lastSeq();
        s["last_acked_seq"] = (*outbox)->ackedThrough();
        s["outbox_evicted"] = (*outbox)->evicted();
        s["certificate_expires"] = nullptr;
        if (auto pem = crypto::readFile(store->certPath()); pem) {
            if (auto cert = crypto::certificateFromPem(*pem); cert) {
                s["certificate_expires"] = utcTime(crypto::certificateNotAfter(cert->get()));
                s["certificate_serial"] = crypto::certificateSerialHex(cert->get());
            }
        }
        // Settings the console pushed (kept in the state dir; they win over sensor.toml).
        s["pushed_settings"] = nlohmann::json::array();
        const auto pushedFile = std::filesystem::path(stateDir) / config::kPushedSettingsFile;
        if (auto text = crypto::readFile(pushedFile); text) {
            if (auto pushed = config::parsePushed(*text, pushedFile.string()); pushed) {
                for (const auto& name : config::changedSettings(config::SensorConfig{}, *pushed)) {
                    s["pushed_settings"].push_back(name);
                }
            }
        }
    }
    if (json) {
        std::cout << s.dump(2) << "\n";
        return 0;
    }
    for (const auto& [key, value] : s.items()) {
        std::cout << std::left << std::setw(20) << (key + ":") << " "
                  << (value.is_string() ? value.get<std::string>()
                      : value.is_null() ? std::string("-")
                                        : value.dump())
                  << "\n";
    }
    return 0;
}

void addStatusCommand(CLI::App& app) {
    auto* cmd = app.add_subcommand("status", "Show activation, learning and outbox state");
    auto json = std::make_shared<bool>(false);
    auto stateDir = std::make_shared<std::string>(store::defaultStateDir().string());
    cmd->add_flag("--json", *json, "Print one JSON object");
    cmd->add_option("--state-dir", *stateDir, "Sensor state directory")->capture_default_str();
    cmd->callback([json, stateDir] { exitCode() = status(*json, *stateDir); });
}

const CommandRegistration registration{50, &addStatusCommand};

}  // namespace
}  // namespace ironsight::sensor::app
