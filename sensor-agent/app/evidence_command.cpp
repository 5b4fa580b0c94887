// SPDX-License-Identifier: Apache-2.0
// `ironsight-sensor evidence ALERT_ID -o FILE` writes the packets kept for an alert as a pcap file
// (tshark/Wireshark open it); `evidence --list` shows which alerts have evidence.
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>

#include "sensor-agent/app/commands.h"
#include "sensor-agent/store/evidence_store.h"
#include "sensor-agent/store/state_store.h"

namespace ironsight::sensor::app {
namespace {

struct EvidenceCommandOptions {
    std::string alertId;
    std::string output;
    bool list = false;
    std::string stateDir = store::defaultStateDir().string();
};

std::string utc(std::int64_t us) {
    const std::time_t t = static_cast<std::time_t>(us / 1'000'000);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%SZ", &tm);
    return buf;
}

int runEvidence(const EvidenceCommandOptions& o) {
    namespace fs = std::filesystem;
    std::error_code ec;
    if (!fs::exists(fs::path(o.stateDir) / "state.db", ec)) {
        std::cerr << "error: no sensor state in " << o.stateDir << " (state.db missing)\n";
        return 1;
    }
    auto store = store::EvidenceStore::open(o.stateDir);
    if (!store) {
        std::cerr << "error: " << store.error().message << "\n";
        return 1;
    }
    if (o.list) {
        auto list = (*store)->list();
        if (!list) {
            std::cerr << "error: " << list.error().message << "\n";
            return 1;
        }
        std::printf("%-40s %8s %8s %10s  %s\n", "ALERT", "CAPTURES", "PACKETS", "BYTES",
                    "LAST TRIGGER (UTC)");
        for (const auto& s : *list) {
            std::printf("%-40s %8llu %8llu %10llu  %s\n", s.alertId.c_str(),
                        static_cast<unsigned long long>(s.captures),
                        static_cast<unsigned long long>(s.packets),
                        static_cast<unsigned long long>(s.bytes), utc(s.lastTriggerUs).c_str());
        }
        return 0;
    }
    if (o.alertId.empty() || o.output.empty()) {
        std::cerr << "error: give ALERT_ID and -o FILE (or --list)\n";
        return 2;
    }
    auto pcap = (*store)->evidencePcap(o.alertId);
    if (!pcap) {
        std::cerr << "error: " << pcap.error().message << "\n";
        return 1;
    }
    std::ofstream out(o.output, std::ios::binary | std::ios::trunc);
    out.write(pcap->data(), static_cast<std::streamsize>(pcap->size()));
    out.close();
    if (!out) {
        std::cerr << "error: cannot write " << o.output << "\n";
        return 1;
    }
    std::cout << "wrote " << o.output << " (" << pcap->size() << " bytes)\n";
    return 0;
}

void addEvidenceCommand(CLI::App& app) {
    auto* cmd = app.add_subcommand(
        "evidence", "Export the packets kept for an alert as a pcap file (docs/SENSOR.md)");
    auto opts = std::make_shared<EvidenceCommandOptions>();
    cmd->add_option("ALERT_ID", opts->alertId, "Alert id (as shown by the console or analyze)");
    cmd->add_option("-o,--output", opts->output, "pcap file to write");
    cmd->add_flag("--list", opts->list, "List the alerts that have evidence");
    cmd->add_option("--state-dir", opts->stateDir, "Sensor state directory")->capture_default_str();
    cmd->callback([opts] { exitCode() = runEvidence(*opts); });
}

const CommandRegistration registration{45, &addEvidenceCommand};

}  // namespace
}  // namespace ironsight::sensor::app
