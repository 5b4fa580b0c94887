// SPDX-License-Identifier: Apache-2.0
// `ironsight-sensor analyze [--json] [--learn-from PCAP]... [--plugins DIR] PCAP...` (SPEC §6):
// offline analysis of capture files, as one JSON document or as readable tables.
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "sensor-agent/app/commands.h"
#include "sensor-agent/app/progress_bar.h"
#include "sensor-agent/capture/pcap_file_source.h"
#include "sensor-agent/config/sensor_config.h"
#include "sensor-agent/engine/analyze_json.h"
#include "sensor-agent/engine/engine.h"
#include "sensor-agent/plugins/plugin_loader.h"
#include "sensor-agent/store/evidence_convert.h"

namespace ironsight::sensor::app {
namespace {

constexpr std::int64_t kProgressMinBytes = 20LL * 1024 * 1024;

struct AnalyzeOptions {
    bool json = false;
    std::vector<std::string> learnFrom;
    std::vector<std::string> iocFiles;
    std::int64_t silentAfter = 300;
    std::string plugins;
    std::string evidenceDir;  // --evidence-dir: one pcap per alert
    std::vector<std::string> portAliases;  // --port-alias PROTOCOL=tcp/PORT
    std::string config;  // --config: the site's [network] and [protocols] of a sensor.toml
    int workers = 1;     // --workers: analysis worker threads (same results for any value)
    std::vector<std::string> files;
};

/// --evidence-dir: the packets kept around each alert's trigger, DIR/<alert id>.pcap (every
/// capture of the alert, first raise and repeats, in one file).
Status writeEvidence(Engine& engine, const std::string& dir) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) return Error{"cannot create " + dir + ": " + ec.message()};
    std::map<std::string, std::string> files;
    for (const auto& e : engine.takeEvidence()) {
        auto [it, created] = files.try_emplace(e.alertId);
        if (created) it->second = store::pcapFileHeader(e.linkType);
        const auto records = store::toEvidenceCapture(e).records;
        it->second.append(records.begin(), records.end());
    }
    for (const auto& [id, bytes] : files) {
        const auto path = std::filesystem::path(dir) / (id + ".pcap");
        std::ofstream out(path, std::ios::binary | std::ios::trunc);
        out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
        if (!out) return Error{"cannot write " + path.string()};
    }
    std::cerr << "evidence: " << files.size() << " pcap file(s) in " << dir << "\n";
    return {};
}

/// Feeds one file through the engine. Any read error (even after good packets) fails the run.
/// `progress`: a progress bar on stderr (a terminal) for files over kProgressMinBytes.
Status feed(Engine& engine, const std::string& file, bool progress) {
    auto source = PcapFileSource::open(file);
    if (!source) return source.error();
    std::optional<ProgressBar> bar;
    if (progress && source->fileSize() > kProgressMinBytes) bar.emplace(file, source->fileSize());
    RawPacket packet;
    while (true) {
        auto more = source->next(packet);
        if (!more) {
            if (bar) std::fputs("\r\033[K", stderr);  // the error line replaces the bar
            return more.error();
        }
        if (!*more) break;
        engine.process(packet);
        if (bar && (source->packetsRead() & 0x3ff) == 0) {
            bar->update(source->position(), source->packetsRead());
        }
    }
    if (bar) bar->finish(source->fileSize(), source->packetsRead());
    return {};
}

std::string join(const std::vector<std::string>& v, const char* sep = ",") {
    std::string out;
    for (const auto& s : v) out += (out.empty() ? "" : sep) + s;
    return out;
}

void printTables(const Engine& engine, std::ostream& out) {
    const CaptureStats stats = engine.stats();
    out << "Capture: " << stats.packets << " packets, " << stats.bytes << " bytes, "
        << stats.malformed << " malformed, " << std::fixed << std::setprecision(1) << stats.seconds
        << " s\n\n";
    const auto devices = engine.devices();
    out << "Devices (" << devices.size() << ")\n";
    out << std::left << std::setw(20) << "ID" << std::setw(18) << "IP" << std::setw(19) << "MAC"
        << std::setw(25) << "TYPE" << std::setw(7) << "LEVEL"
        << "VENDOR / PROTOCOLS\n";
    for (const auto& d : devices) {
        std::vector<std::string> protos;
        for (const auto& p : d.protocols) protos.push_back(p.name + "/" + p.role);
        out << std::setw(20) << d.id << std::setw(18) << (d.ips.empty() ? "-" : join(d.ips))
            << std::setw(19) << (d.macs.empty() ? "-" : join(d.macs)) << std::setw(25) << d.type
            << std::setw(7)
            << (d.purdueLevel < 0 ? std::string("-") : std::to_string(d.purdueLevel)) << d.vendor
            << (protos.empty() ? "" : "  [" + join(protos, " ") + "]") << "\n";
    }
    // Connections and operations as they come (a snapshot of 200,000 would be ~70 MB).
    out << "\nConnections (" << engine.connectionCount() << ")\n";
    out << std::setw(18) << "CLIENT" << std::setw(18) << "SERVER" << std::setw(12) << "TRANSPORT"
        << std::setw(10) << "PROTOCOL" << std::setw(10) << "PACKETS"
        << "OPERATIONS\n";
    engine.forEachConnection([&](const ConnectionRecord& c) {
        out << std::setw(18) << c.srcIp << std::setw(18) << c.dstIp << std::setw(12)
            << (c.transport + "/" + std::to_string(c.port)) << std::setw(10)
            << (c.protocol.empty() ? "-" : c.protocol) << std::setw(10) << c.packets
            << join(c.operations) << "\n";
    });
    out << "\nOperations (" << engine.operationCount() << ")\n";
    out << std::setw(10) << "PROTOCOL" << std::setw(18) << "CLIENT" << std::setw(18) << "SERVER"
        << std::setw(36) << "FUNCTION" << std::setw(12) << "CLASS" << std::setw(8) << "COUNT"
        << "KEYS\n";
    engine.forEachOperation([&](const OperationRecord& o) {
        // The protocol keys (unit_id, src_addr, type_id, security_policy, ...) as key=value.
        std::string keys;
        for (const auto& [k, v] : o.keys)
            keys += (keys.empty() ? "" : " ") + k + "=" + std::to_string(v);
        for (const auto& [k, v] : o.textKeys) keys += (keys.empty() ? "" : " ") + k + "=" + v;
        out << std::setw(10) << o.protocol << std::setw(18) << o.clientIp << std::setw(18)
            << o.serverIp << std::setw(36)
            << (o.functionCode < 0 ? o.function
                                   : o.function + " (" + std::to_string(o.functionCode) + ")")
            << std::setw(12) << o.opClass << std::setw(8) << o.count << keys
            << (o.exceptions ? "  (" + std::to_string(o.exceptions) + " exceptions)" : "") << "\n";
    });
    const auto alerts = engine.alerts();
    out << "\nAlerts (" << alerts.size() << ")\n";
    for (const auto& a : alerts) {
        out << "  [" << severityName(a.severity) << "] " << a.title << ": " << a.srcIp << " -> "
            << a.dstIp << " (" << a.protocol << ", " << a.count << "x, " << a.mitre << ")\n"
            << "      " << a.description << "\n";
    }
    if (alerts.empty()) out << "  none\n";
}

/// Reads and checks the indicator lists (--ioc): their concatenated text, or one error line.
Result<std::string> readIndicators(const std::vector<std::string>& files) {
    std::string all;
    for (const auto& file : files) {
        std::ifstream in(file, std::ios::binary);
        if (!in) return makeError("cannot read indicator list " + file);
        std::ostringstream text;
        text << in.rdbuf();
        if (auto n = checkIndicators(text.str(), file); !n) return n.error();
        all += text.str() + "\n";
    }
    return all;
}

int runAnalyze(const AnalyzeOptions& options) {
    if (options.workers < 1 || options.workers > static_cast<int>(kMaxEngineWorkers)) {
        std::cerr << "ironsight-sensor analyze: --workers must be between 1 and "
                  << kMaxEngineWorkers << " (got " << options.workers << ")\n";
        return 2;
    }
    auto indicators = readIndicators(options.iocFiles);
    if (!indicators) {
        std::cerr << "ironsight-sensor analyze: " << indicators.error().message << "\n";
        return 2;
    }
    std::shared_ptr<const plugins::PluginSet> pluginSet;
    if (!options.plugins.empty()) {
        // One line per plugin on stderr (loaded, or skipped and why); --json output stays clean.
        auto loaded = plugins::PluginSet::load(options.plugins, std::cerr);
        if (!loaded) {
            std::cerr << "ironsight-sensor analyze: " << loaded.error().message << "\n";
            return 2;
        }
        pluginSet = *loaded;
    }
    std::vector<std::string> aliasSpecs = options.portAliases;
    config::NetworkSettings network;
    if (!options.config.empty()) {
        auto loaded = config::load(options.config);
        if (!loaded) {
            std::cerr << "ironsight-sensor analyze: " << loaded.error().message << "\n";
            return 2;
        }
        aliasSpecs.insert(aliasSpecs.end(), loaded->portAliases.begin(), loaded->portAliases.end());
        network = loaded->network;
    }
    std::vector<PortAlias> portAliases;
    for (const auto& spec : aliasSpecs) {
        auto alias = parsePortAlias(spec, pluginSet.get());
        if (!alias) {
            std::cerr << "ironsight-sensor analyze: " << alias.error().message << "\n";
            return 2;
        }
        portAliases.push_back(*alias);
    }
    EngineOptions learnOptions{.learning = true,
                               .indicators = *indicators,
                               .silentAfterSeconds = options.silentAfter,
                               .plugins = pluginSet};
    // Evidence only when asked for (it copies every packet).
    if (options.evidenceDir.empty()) learnOptions.evidence.ringPackets = 0;
    learnOptions.portAliases = portAliases;
    learnOptions.network = network;
    learnOptions.workers = static_cast<std::size_t>(options.workers);
    // The engine that only learns (--learn-from) raises no alerts: no evidence copies there.
    Engine engine([&] {
        EngineOptions o = learnOptions;
        if (!options.learnFrom.empty()) o.evidence.ringPackets = 0;
        return o;
    }());
    const bool progress = !options.json && ::isatty(STDERR_FILENO) == 1;
    for (const auto& file : options.learnFrom) {
        if (auto st = feed(engine, file, progress); !st) {
            std::cerr << "ironsight-sensor analyze: " << st.error().message << "\n";
            return 2;
        }
    }
    if (!options.learnFrom.empty()) {
        engine.finish();  // what the reference captures still buffered belongs to the baseline
        // Learned from the reference captures; only FILE... is analysed and reported. The
        // baseline carries over, the inventory starts fresh.
        const std::string baseline = engine.exportBaseline();
        EngineOptions detectOptions = learnOptions;
        detectOptions.learning = false;
        Engine analysed(detectOptions);
        analysed.importBaseline(baseline);
        for (const auto& file : options.files) {
            if (auto st = feed(analysed, file, progress); !st) {
                std::cerr << "ironsight-sensor analyze: " << st.error().message << "\n";
                return 2;
            }
        }
        analysed.finish();  // end of the capture: deliver data still buffered behind holes
        if (!options.evidenceDir.empty()) {
            if (auto st = writeEvidence(analysed, options.evidenceDir); !st) {
                std::cerr << "ironsight-sensor analyze: " << st.error().message << "\n";
                return 2;
            }
        }
        if (options.json) {
            writeAnalyzeJson(analysed, options.files, pluginSet.get(), std::cout);
        } else {
            printTables(analysed, std::cout);
        }
        return 0;
    }
    for (const auto& file : options.files) {
        if (auto st = feed(engine, file, progress); !st) {
            std::cerr << "ironsight-sensor analyze: " << st.error().message << "\n";
            return 2;
        }
    }
    engine.finish();  // end of the capture: deliver data still buffered behind holes
    if (!options.evidenceDir.empty()) {
        if (auto st = writeEvidence(engine, options.evidenceDir); !st) {
            std::cerr << "ironsight-sensor analyze: " << st.error().message << "\n";
            return 2;
        }
    }
    if (options.json) {
        writeAnalyzeJson(engine, options.files, pluginSet.get(), std::cout);
    } else {
        printTables(engine, std::cout);
    }
    return 0;
}

void addAnalyzeCommand(CLI::App& app) {
    auto options = std::make_shared<AnalyzeOptions>();
    auto* cmd = app.add_subcommand(
        "analyze",
        "Analyse capture files offline: devices, connections, operations and alerts.\n"
        "Without --learn-from the engine stays in learning mode (no policy alerts).");
    cmd->add_flag("--json", options->json,
                  "Print one JSON document (the contract in docs/ANALYZE.md)");
    cmd->add_option("--learn-from", options->learnFrom,
                    "Learn the baseline from this capture first (repeatable), then analyse PCAP... "
                    "with learning off")
        ->allow_extra_args(false);
    cmd->add_option("--ioc", options->iocFiles,
                    "Indicator list for the IOC engine (repeatable): one IP, CIDR or domain a "
                    "line, # comments (docs/ALERTS.md, \"Indicator lists\")")
        ->allow_extra_args(false);
    cmd->add_option("--silent-after", options->silentAfter,
                    "device_silent: seconds a regular sender may stay quiet (packet time)")
        ->check(CLI::Range(1, 86400 * 365));
    cmd->add_option("--plugins,--plugin-dir", options->plugins,
                    "Load the dissector plugins (*.so) of this folder (docs/PLUGINS.md; plugins "
                    "are trusted code)");
    cmd->add_option("--port-alias", options->portAliases,
                    "PROTOCOL=tcp/PORT or PROTOCOL=udp/PORT: this site runs PROTOCOL on a "
                    "non-standard port (repeatable; e.g. modbus=tcp/5020)")
        ->allow_extra_args(false);
    cmd->add_option("--config", options->config,
                    "Use the site settings of this sensor.toml: [protocols] port_aliases and "
                    "[network] ICS subnets, VLAN names, DHCP ranges (docs/SENSOR_CONFIG.md)")
        ->check(CLI::ExistingFile);
    cmd->add_option("--evidence-dir", options->evidenceDir,
                    "Write the packets around each alert's trigger to DIR/<alert id>.pcap");
    cmd->add_option("--workers", options->workers,
                    "Analysis worker threads, 1-64: flows shared out by address pair, one more "
                    "thread for inventory and detection; same output for any value")
        ->capture_default_str();
    cmd->add_option("PCAP", options->files, "Capture files (pcap or pcapng)")->required();
    cmd->callback([options] { exitCode() = runAnalyze(*options); });
}

const CommandRegistration registration{10, &addAnalyzeCommand};

}  // namespace
}  // namespace ironsight::sensor::app
