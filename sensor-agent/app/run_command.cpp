// SPDX-License-Identifier: Apache-2.0
// `ironsight-sensor run`: analyse traffic (live from interfaces, or replayed from a capture), queue
// the changes in the outbox and stream them to the console; the capture side never waits on the
// network. Live: one capture thread per interface copies frames into a bounded PacketQueue; this
// (main) thread is the only one that touches the engine. The capture handles are opened first,
// then every capability is dropped (and the user switched with --user) before anything else.
#include <signal.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "ironsight/v1/link.pb.h"
#include "sensor-agent/app/commands.h"
#include "sensor-agent/config/sensor_config.h"
#include "sensor-agent/capture/capture_watch.h"
#include "sensor-agent/capture/live_source.h"
#include "sensor-agent/capture/packet_queue.h"
#include "sensor-agent/capture/pcap_file_source.h"
#include "sensor-agent/capture/privileges.h"
#include "sensor-agent/engine/engine.h"
#include "sensor-agent/link/commands.h"
#include "sensor-agent/link/envelopes.h"
#include "sensor-agent/link/link_client.h"
#include "sensor-agent/link/proxy.h"
#include "sensor-agent/plugins/plugin_loader.h"
#include "sensor-agent/snmp/subagent.h"
#include "sensor-agent/store/evidence_convert.h"
#include "sensor-agent/store/evidence_store.h"
#include "sensor-agent/store/outbox.h"
#include "sensor-agent/store/state_store.h"
#include "shared/base/process_stats.h"
#include "shared/base/sd_notify.h"
#include "shared/base/version.h"
#include "shared/crypto/crypto.h"

namespace ironsight::sensor::app {
namespace {

using Clock = std::chrono::steady_clock;

std::atomic<bool> gStop{false};
std::atomic<bool> gReload{false};  // SIGHUP: read the config file again

extern "C" void onStopSignal(int) {
    gStop.store(true);
}

extern "C" void onReloadSignal(int) {
    gReload.store(true);
}

/// A new BPF filter for the capture threads: each applies it to its own handle between two
/// dispatches (libpcap handles are not thread-safe), so capture never stops.
struct FilterChange {
    std::mutex mutex;
    std::string filter;
    std::atomic<unsigned> generation{0};
};

std::int64_t nowMs() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

struct RunOptions {
    std::string config;
    std::string stateDir = store::defaultStateDir().string();
    std::string replay;
    double speed = 1.0;
    bool topSpeed = false;
    bool loop = false;
    bool exitWhenDrained = false;
    std::vector<std::string> interfaces;
    std::string filter;
    int bufferMb = 64;
    int snaplen = 65535;
    int workers = 0;  // --workers, else [capture] workers, else defaultWorkers()
    std::string user;
    std::string pluginDir;       // --plugins, else [plugins] dir of the config file
    std::vector<std::string> portAliases;  // --port-alias and [protocols] port_aliases
    std::vector<std::string> cliPortAliases;  // --port-alias alone (a reload keeps them)
    std::optional<config::SensorConfig> loadedConfig;  // the file as read at start (SIGHUP diff)
    std::optional<config::SensorConfig> pushedConfig;  // the console's push (state dir), if any
    config::NetworkSettings network;                   // [network] in force (file + push)
    double outboxMaxMb = 1024;    // --outbox-max-mb, else [outbox] max_mb
    double evidenceMaxMb = 256;   // [evidence] max_mb: stored evidence, all alerts
    int evidencePackets = 32;     // [evidence] packets: kept per alert capture
    bool outboxMaxGiven = false;
    // HTTP CONNECT proxy to the console (--proxy URL, --proxy-password-file FILE; a [link]
    // proxy key may fill `proxy` from the config file). Empty: direct, environment ignored.
    std::string proxy;
    std::string proxyPasswordFile;
    // --snmp-agentx, else [snmp] agentx_socket: serve health to this snmpd; empty: SNMP off.
    std::string snmpAgentx;
    // Given on the command line (they win over the config file).
    bool filterGiven = false, bufferGiven = false, snaplenGiven = false, userGiven = false;
    bool workersGiven = false;
};

/// [capture] workers when unset: 1. The consumer thread (inventory, detection) stays serial
/// and is 70-100 % of the single-thread CPU, so on this 2-core machine 2 workers measured
/// 0.65-1.28x of one (docs/BENCHMARKS.md "Multi-core"); set more where cores are free.
int defaultWorkers() { return 1; }

/// What one capture thread reports to the analysis thread (pcap_stats, read every second).
struct CaptureCounters {
    std::atomic<std::uint64_t> received{0}, kernelDrops{0}, interfaceDrops{0};
    std::atomic<bool> failed{false};
};

/// One interface's capture loop: frames into the queue until `stop`, counters every second.
/// `index`: the interface's place in --interface (RawPacket::source: devices record where they
/// were seen).
void captureLoop(LiveSource& source, std::uint8_t index, PacketQueue& queue,
                 CaptureCounters& counters, const std::atomic<bool>& stop,
                 FilterChange& filterChange) {
    auto lastStats = Clock::now() - std::chrono::seconds(1);
    unsigned filterSeen = filterChange.generation.load();
    const auto readStats = [&] {
        if (auto s = source.stats(); s) {
            counters.received = s->received;
            counters.kernelDrops = s->kernelDrops;
            counters.interfaceDrops = s->interfaceDrops;
        }
    };
    while (!stop.load() && !gStop.load()) {
        if (const unsigned g = filterChange.generation.load(); g != filterSeen) {
            filterSeen = g;
            std::string filter;
            {
                std::lock_guard lock(filterChange.mutex);
                filter = filterChange.filter;
            }
            if (auto st = source.setFilter(filter); !st) {
                std::cerr << "warning: capture " << source.interface() << ": "
                          << st.error().message << "\n";
            } else {
                std::cerr << "capture " << source.interface() << ": filter now '" << filter
                          << "'\n";
            }
        }
        auto n = source.dispatch([&queue, index](const RawPacket& p) {
            RawPacket tagged = p;
            tagged.source = index;
            queue.push(tagged);
        });
        if (!n) {
            std::cerr << "error: " << n.error().message << "\n";
            counters.failed = true;
            break;
        }
        if (Clock::now() - lastStats >= std::chrono::seconds(1)) {
            readStats();
            lastStats = Clock::now();
        }
    }
    readStats();
}

std::string joinNames(const std::vector<std::string>& names) {
    std::string out;
    for (const auto& n : names) out += (out.empty() ? "" : ",") + n;
    return out;
}

std::vector<std::string> splitComma(const std::string& text) {
    std::vector<std::string> out;
    std::stringstream in(text);
    for (std::string item; std::getline(in, item, ',');) {
        if (!item.empty()) out.push_back(item);
    }
    return out;
}

/// Learn / Mute / exclusion commands handed from the link thread to the analysis thread.
struct PendingCommands {
    std::mutex mutex;
    std::vector<v1::Command> queue;
};

/// A multi-line error as one line for the console ("; " between the problems).
std::string oneLine(std::string text) {
    for (std::size_t at; (at = text.find('\n')) != std::string::npos;) text.replace(at, 1, "; ");
    return text;
}

/// Prints each line of a config error as "error: ..." (one line per problem).
void printConfigErrors(const std::string& message) {
    std::size_t start = 0;
    while (start <= message.size()) {
        const std::size_t end = message.find('\n', start);
        std::cerr << "error: " << message.substr(start, end - start) << "\n";
        if (end == std::string::npos) break;
        start = end + 1;
    }
}

/// The settings the console pushed earlier, or nothing (none; unreadable ones are named and
/// ignored: the file's settings apply).
std::optional<config::SensorConfig> loadPushedSettings(const std::string& stateDir) {
    const auto path = std::filesystem::path(stateDir) / config::kPushedSettingsFile;
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) return std::nullopt;
    auto text = crypto::readFile(path);
    auto parsed = text ? config::parsePushed(*text, path.string())
                       : Result<config::SensorConfig>(text.error());
    if (!parsed) {
        std::cerr << "warning: ignoring the console's pushed settings, the config file's apply:\n";
        printConfigErrors(parsed.error().message);
        return std::nullopt;
    }
    return *parsed;
}

/// The analysis side of `run`: engine, outbox appends, health, baseline persistence.
class Runner {
public:
    Runner(RunOptions options, store::StateStore& store, store::Outbox& outbox,
           link::LinkClient& link, Engine& engine, std::atomic<int>& pendingLearning,
           PendingCommands& pendingCommands)
        : options_(std::move(options)),
          store_(store),
          outbox_(outbox),
          link_(link),
          engine_(engine),
          pendingLearning_(pendingLearning),
          pendingCommands_(pendingCommands) {}

    /// Replays the capture once or in a loop; false (with a message) on an unreadable file.
    bool replay() {
        do {
            auto source = PcapFileSource::open(options_.replay);
            if (!source) {
                std::cerr << "error: " << source.error().message << "\n";
                return false;
            }
            RawPacket packet;
            std::int64_t firstTs = -1;
            const auto wallStart = Clock::now();
            while (!gStop.load()) {
                auto more = source->next(packet);
                if (!more) {
                    std::cerr << "warning: " << more.error().message << "\n";
                    break;
                }
                if (!*more) break;
                if (!options_.topSpeed) {
                    if (firstTs < 0) firstTs = packet.timestampUs;
                    const auto offset = std::chrono::microseconds(static_cast<std::int64_t>(
                        static_cast<double>(packet.timestampUs - firstTs) / options_.speed));
                    const auto due = wallStart + offset;
                    while (!gStop.load() && Clock::now() < due) {
                        tick();
                        std::this_thread::sleep_until(
                            std::min(due, Clock::now() + std::chrono::milliseconds(100)));
                    }
                }
                engine_.process(packet);
                if ((++packets_ & 0xff) == 0) tick();
            }
        } while (options_.loop && !gStop.load());
        return true;
    }

    /// Live capture until SIGINT/SIGTERM (or a capture fails: false). `sources` stay open.
    bool live(std::vector<LiveSource>& sources) {
        PacketQueue queue(kQueueBytes, kQueuePackets);
        std::vector<CaptureCounters> counters(sources.size());
        std::atomic<bool> stopCapture{false};
        std::vector<std::thread> threads;
        for (std::size_t i = 0; i < sources.size(); ++i) {
            threads.emplace_back(
                [&, i] {
                    captureLoop(sources[i], static_cast<std::uint8_t>(i), queue, counters[i],
                                stopCapture, filterChange_);
                });
        }
        liveSnaplen_ = options_.snaplen;
        liveLinkType_ = sources.empty() ? 1 : sources.front().linkType();
        const auto updateDrops = [&] {
            std::uint64_t drops = queue.dropped();
            for (const auto& c : counters) drops += c.kernelDrops + c.interfaceDrops;
            captureDrops_ = drops;
        };
        bool failed = false;
        PacketBatch batch;
        CaptureWatch watch;  // sensor_capture: drops or a silent interface, per health interval
        auto lastWatch = Clock::now();
        while (!gStop.load() && !failed) {
            queue.pop(batch, std::chrono::milliseconds(100));
            for (std::size_t i = 0; i < batch.size(); ++i) engine_.process(batch.at(i));
            packets_ += batch.size();
            for (const auto& c : counters) failed = failed || c.failed.load();
            updateDrops();
            if (Clock::now() - lastWatch >= std::chrono::seconds(kWatchSeconds)) {
                lastWatch = Clock::now();
                for (std::size_t i = 0; i < sources.size(); ++i) {
                    raiseCapture(watch.update(sources[i].interface(), counters[i].received,
                                              counters[i].kernelDrops + counters[i].interfaceDrops,
                                              kWatchSeconds, true));
                }
                raiseCapture(watch.update("the sensor's capture queue", queue.pushed(),
                                          queue.dropped(), kWatchSeconds, false));
            }
            tick();
        }
        stopCapture = true;
        for (auto& source : sources) source.breakLoop();
        for (auto& t : threads) t.join();
        queue.pop(batch, std::chrono::milliseconds(0));  // what was captured before stopping
        for (std::size_t i = 0; i < batch.size(); ++i) engine_.process(batch.at(i));
        packets_ += batch.size();
        updateDrops();
        for (std::size_t i = 0; i < sources.size(); ++i) {
            std::cerr << "capture " << sources[i].interface() << ": " << counters[i].received
                      << " received, " << counters[i].kernelDrops << " kernel drops, "
                      << counters[i].interfaceDrops << " interface drops\n";
        }
        std::cerr << "capture queue: " << queue.pushed() << " queued, " << queue.dropped()
                  << " dropped (analysis too slow)\n";
        return !failed;
    }

    /// Periodic work: changes every ~200 ms, health and baseline every 10 s.
    void tick(bool force = false) {
        const auto now = Clock::now();
        watchdog_.ping();  // systemd WatchdogSec: this loop is alive
        if (gReload.exchange(false)) (void)reloadConfig();
        applyPendingLearning();
        applyPendingCommands();
        if (force || now - lastFlush_ >= std::chrono::milliseconds(200)) {
            flush();
            lastFlush_ = now;
        }
        if (force || now - lastHealth_ >= std::chrono::seconds(10)) {
            health();
            saveBaseline();
            lastHealth_ = now;
        }
        if (snmpBoard_ && (force || now - lastSnmp_ >= std::chrono::seconds(1))) {
            publishSnmp();
            lastSnmp_ = now;
        }
    }

    /// SNMP (docs/OPERATIONS.md): a health snapshot for the subagent's thread every second.
    /// `hasConsole`: the activation named a console endpoint (else the link is notActivated).
    void attachSnmp(snmp::HealthBoard* board, bool hasConsole) {
        snmpBoard_ = board;
        snmpHasConsole_ = hasConsole;
        snmpAlertsAtStart_ = engine_.alerts().size();  // restored ones were raised before
    }

    /// SIGHUP (or the console's ReloadSettings): the config file again, under the console's
    /// pushed settings. Reloadable settings (docs/SENSOR_CONFIG.md) apply at once, capture going
    /// on; others are named as needing a restart; a file with errors is refused whole and the
    /// running settings stay. One summary line on stderr, also the answer to the console.
    link::CommandReply reloadConfig() {
        if (options_.config.empty()) {
            const std::string text = "config reload: no --config file was given, nothing to reload";
            std::cerr << text << "\n";
            return {true, text};
        }
        auto loaded = config::load(options_.config);
        if (!loaded) {
            std::cerr << "config reload refused, the running settings stay:\n";
            printConfigErrors(loaded.error().message);
            return {false, "config reload refused, the running settings stay: " +
                               oneLine(loaded.error().message)};
        }
        options_.loadedConfig = *loaded;
        return {true, applySettings(effectiveConfig(), "config reloaded", "config reload")};
    }

    /// The console's settings push (ConfigPush with `settings`): checked as a whole (syntax,
    /// pushable settings only, port aliases, the capture filter) before anything changes, kept
    /// in the state dir so it survives restarts, then applied like a reload.
    link::CommandReply applyPushedSettings(const std::string& toml) {
        auto pushed = config::parsePushed(toml, "pushed settings");
        if (!pushed) {
            return {false, "settings refused, nothing changed: " + oneLine(pushed.error().message)};
        }
        std::vector<std::string> aliases = options_.cliPortAliases;
        aliases.insert(aliases.end(), pushed->portAliases.begin(), pushed->portAliases.end());
        for (const auto& spec : aliases) {
            if (auto alias = parsePortAlias(spec, plugins_); !alias) {
                return {false, "settings refused, nothing changed: " + alias.error().message};
            }
        }
        if (pushed->filter && liveSnaplen_ != 0 && !options_.filterGiven) {
            if (auto st = checkFilter(*pushed->filter, liveLinkType_, liveSnaplen_); !st) {
                return {false, "settings refused, nothing changed: " + st.error().message};
            }
        }
        const auto path = std::filesystem::path(options_.stateDir) / config::kPushedSettingsFile;
        const bool empty = config::changedSettings(config::SensorConfig{}, *pushed).empty();
        if (empty) {
            std::error_code ec;
            std::filesystem::remove(path, ec);
            if (ec) return {false, "cannot remove " + path.string() + ": " + ec.message()};
            options_.pushedConfig.reset();
        } else {
            const auto perms = std::filesystem::perms::owner_read |
                               std::filesystem::perms::owner_write |
                               std::filesystem::perms::group_read;
            if (auto st = crypto::writeFileAtomic(path, toml, perms); !st) {
                return {false, "settings not kept, nothing changed: " + st.error().message};
            }
            options_.pushedConfig = *pushed;
        }
        return {true, applySettings(effectiveConfig(),
                                    empty ? "pushed settings cleared"
                                          : "settings pushed by the console",
                                    "pushed settings")};
    }

    /// The file's settings with the console's push over them.
    config::SensorConfig effectiveConfig() const {
        const config::SensorConfig file = options_.loadedConfig.value_or(config::SensorConfig{});
        return options_.pushedConfig ? config::overlay(file, *options_.pushedConfig) : file;
    }

    /// Moves the running settings to `next`: reloadable ones apply now, the others are named as
    /// needing a restart. Returns (and prints) the one-line summary, starting with `what`.
    std::string applySettings(config::SensorConfig next, const std::string& what,
                              const std::string& errorLabel) {
        const config::SensorConfig running = running_;
        std::vector<std::string> applied, restart, skipped;
        bool networkChanged = false;
        for (const auto& name : config::changedSettings(running, next)) {
            if (name == "protocols.port_aliases") {
                std::vector<std::string> specs = options_.cliPortAliases;
                specs.insert(specs.end(), next.portAliases.begin(), next.portAliases.end());
                if (auto st = engine_.setPortAliases(specs); !st) {
                    std::cerr << "error: " << errorLabel << ": " << st.error().message << "\n";
                    next.portAliases = running.portAliases;  // still in force
                    skipped.push_back(name + " (refused)");
                } else {
                    applied.push_back(name);
                }
            } else if (name == "capture.filter") {
                const std::string filter = next.filter.value_or("");
                if (options_.filterGiven) {
                    skipped.push_back(name + " (--filter on the command line wins)");
                } else if (liveSnaplen_ == 0) {
                    skipped.push_back(name + " (not capturing live)");
                } else if (auto st = checkFilter(filter, liveLinkType_, liveSnaplen_);
                           !st) {
                    std::cerr << "error: " << errorLabel << ": " << st.error().message << "\n";
                    next.filter = running.filter;
                    skipped.push_back(name + " (refused)");
                } else {
                    {
                        std::lock_guard lock(filterChange_.mutex);
                        filterChange_.filter = filter;
                    }
                    ++filterChange_.generation;
                    applied.push_back(name);
                }
            } else if (name.rfind("network.", 0) == 0) {
                networkChanged = true;
                applied.push_back(name);
            } else {
                restart.push_back(name);
            }
        }
        if (networkChanged) {
            if (auto st = engine_.setNetwork(next.network); !st) {
                std::cerr << "error: " << errorLabel << ": " << st.error().message << "\n";
                next.network = running.network;
                std::erase_if(applied, [](const std::string& n) { return n.rfind("network.", 0) == 0; });
                skipped.push_back("network (refused)");
            }
        }
        running_ = next;
        const auto join = [](const std::vector<std::string>& names) {
            std::string out;
            for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
            return out;
        };
        std::string summary = what + ":";
        if (applied.empty() && restart.empty() && skipped.empty()) summary += " nothing changed";
        if (!applied.empty()) summary += " applied " + join(applied) + ";";
        if (!skipped.empty()) summary += " not applied " + join(skipped) + ";";
        if (!restart.empty()) summary += " needs a restart: " + join(restart) + ";";
        std::cerr << summary << "\n";
        return summary;
    }

    /// Port aliases are checked against the dissectors and these plugins.
    void attachPlugins(const plugins::PluginSet* plugins) { plugins_ = plugins; }

    /// Alert evidence goes to the evidence store in the flush's batch (off the packet path).
    void attachEvidence(store::EvidenceStore* evidence) {
        evidence_ = evidence;
        outboxEvicted_ = outbox_.evicted();
    }

    void flush() {
        if (evidence_) {
            const auto captured = engine_.takeEvidence();
            std::vector<store::EvidenceCapture> batch;
            for (const auto& e : captured) batch.push_back(store::toEvidenceCapture(e));
            if (auto st = evidence_->append(batch, nowMs()); !st) {
                std::cerr << "warning: " << st.error().message << "\n";
            }
        }
        const ChangeSet changes = engine_.takeChanges();
        if (changes.empty()) return;
        if (!changes.alerts.empty()) {
            std::vector<store::StoredAlert> kept;
            for (const auto& alert : changes.alerts) {
                kept.push_back({alert.id, alert.lastSeenMs, encodeAlert(alert)});
            }
            if (auto st = store_.saveAlerts(kept); !st) {
                std::cerr << "warning: cannot keep alerts for Learn / Mute after a restart: "
                          << st.error().message << "\n";
            }
        }
        devicesSent_ += changes.devices.size();
        connectionsSent_ += changes.connections.size();
        alertsSent_ += changes.alerts.size();
        append(link::toRecords(changes));
    }

    void health() {
        const auto stats = engine_.stats();
        v1::Envelope env;
        auto* h = env.mutable_health();
        h->set_time_ms(nowMs());
        h->set_packets(stats.packets);
        h->set_bytes(stats.bytes);
        h->set_malformed(stats.malformed);
        // Live: every packet lost before analysis (kernel ring, interface, the sensor's queue).
        h->set_kernel_drops(captureDrops_);
        h->set_outbox_depth(outbox_.depth());
        h->set_outbox_evicted(outbox_.evicted());
        h->set_learning(engine_.learning());
        h->set_version(ironsight::kVersion);
        h->set_capture_source(options_.replay.empty() ? joinNames(options_.interfaces)
                                                      : options_.replay);
        // Rates and CPU over the interval since the previous record.
        const auto now = Clock::now();
        const double cpu = processCpuSeconds();
        const double wall = std::chrono::duration<double>(now - lastHealthSample_).count();
        if (wall > 0.5) {
            h->set_packets_per_second(static_cast<double>(stats.packets - lastHealthPackets_) / wall);
            h->set_bytes_per_second(static_cast<double>(stats.bytes - lastHealthBytes_) / wall);
            h->set_cpu_percent(100.0 * (cpu - lastHealthCpu_) / wall);
        }
        if (snmpBoard_ && wall > 0.5) {  // the same interval's rates for SNMP
            snmpPacketsPerSecond_ = static_cast<std::uint64_t>(
                static_cast<double>(stats.packets - lastHealthPackets_) / wall + 0.5);
            snmpBytesPerSecond_ = static_cast<std::uint64_t>(
                static_cast<double>(stats.bytes - lastHealthBytes_) / wall + 0.5);
        }
        lastHealthSample_ = now;
        lastHealthPackets_ = stats.packets;
        lastHealthBytes_ = stats.bytes;
        lastHealthCpu_ = cpu;
        h->set_rss_bytes(processRssBytes());
        const std::int64_t oldest = outbox_.oldestCreatedMs();
        h->set_outbox_oldest_age_ms(oldest > 0 ? std::max<std::int64_t>(0, nowMs() - oldest) : 0);
        h->set_uptime_s(std::chrono::duration_cast<std::chrono::seconds>(now - started_).count());
        append({link::toRecord(env)});
    }

    void publishSnmp() {
        const auto stats = engine_.stats();
        snmp::HealthSnapshot s;
        s.packets = stats.packets;
        s.bytes = stats.bytes;
        s.drops = captureDrops_;
        s.packetsPerSecond = snmpPacketsPerSecond_;
        s.bytesPerSecond = snmpBytesPerSecond_;
        s.outboxRecords = outbox_.depth();
        s.outboxBytes = outbox_.bytes();
        const std::int64_t oldest = outbox_.oldestCreatedMs();
        s.outboxOldestAgeSeconds =
            oldest > 0 ? static_cast<std::uint64_t>(std::max<std::int64_t>(0, nowMs() - oldest) / 1000)
                       : 0;
        s.learning = engine_.learning();
        s.link = link_.connected()  ? snmp::LinkState::Connected
                 : snmpHasConsole_ ? snmp::LinkState::Disconnected
                                   : snmp::LinkState::NotActivated;
        s.uptimeCentiseconds = static_cast<std::uint64_t>(
            std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started_).count() /
            10);
        s.version = ironsight::kVersion;
        const std::size_t alerts = engine_.alerts().size();
        s.alertsRaised = alerts > snmpAlertsAtStart_ ? alerts - snmpAlertsAtStart_ : 0;
        snmpBoard_->publish(s);
    }

    /// While learning (the baseline grows); `force`: after Learn / Mute / exclusions, which
    /// change it in any mode and must survive a restart.
    void saveBaseline(bool force = false) {
        if (!engine_.learning() && !force) return;
        if (auto st = store_.saveBaseline(engine_.exportBaseline(), nowMs()); !st) {
            std::cerr << "warning: cannot save the baseline: " << st.error().message << "\n";
        }
    }

    std::uint64_t packets() const { return packets_; }

private:
    static constexpr std::size_t kQueueBytes = 64 * 1024 * 1024, kQueuePackets = 262144;
    static constexpr int kWatchSeconds = 10;  // sensor_capture checks, as often as health

    void append(const std::vector<store::NewRecord>& records) {
        if (auto seqs = outbox_.append(records, nowMs()); !seqs) {
            std::cerr << "warning: " << seqs.error().message << "\n";
            return;
        }
        // The outbox made room by evicting (oldest non-alert data first): sensor_eviction, sent
        // with the next flush (an alert record, the last class evicted).
        if (const auto evicted = outbox_.evicted(); evicted > outboxEvicted_) {
            engine_.raiseSensorAlert("sensor_eviction",
                                     std::to_string(evicted - outboxEvicted_) +
                                         " records evicted, " + std::to_string(evicted) +
                                         " in total",
                                     nowMs());
            outboxEvicted_ = evicted;
        }
        link_.notify();
    }

    void raiseCapture(const std::string& detail) {
        if (detail.empty()) return;
        std::cerr << "warning: capture: " << detail << "\n";
        engine_.raiseSensorAlert("sensor_capture", detail, nowMs());
    }

    void applyPendingLearning() {
        const int pending = pendingLearning_.exchange(-1);
        if (pending < 0) return;
        const bool on = pending == 1;
        if (on == engine_.learning()) return;
        if (!on) saveBaseline();  // keep what was learned before switching off
        engine_.setLearning(on);
    }

    /// Applies the commands the link thread queued, persists the baseline once, and answers
    /// each with a CommandResult in the outbox.
    void applyPendingCommands() {
        std::vector<v1::Command> commands;
        {
            std::lock_guard lock(pendingCommands_.mutex);
            commands.swap(pendingCommands_.queue);
        }
        if (commands.empty()) return;
        std::vector<store::NewRecord> results;
        bool changed = false;
        for (const auto& command : commands) {
            bool c = false;
            const link::CommandReply reply =
                command.has_reload_settings() ? reloadConfig()
                : command.has_config_push() && command.config_push().settings()
                    ? applyPushedSettings(command.config_push().toml())
                    : link::applyToEngine(engine_, command, c);
            changed = changed || c;
            std::cerr << "command from the console: " << reply.message << "\n";
            results.push_back(link::commandResultRecord(command.command_id(), reply));
        }
        if (changed) saveBaseline(true);  // before answering: "done" means persisted
        append(results);
    }

    RunOptions options_;
    store::StateStore& store_;
    store::Outbox& outbox_;
    link::LinkClient& link_;
    Engine& engine_;
    std::atomic<int>& pendingLearning_;
    PendingCommands& pendingCommands_;
    Clock::time_point lastFlush_ = Clock::now();
    Clock::time_point lastHealth_ = Clock::now();
    std::uint64_t packets_ = 0;
    std::uint64_t devicesSent_ = 0, connectionsSent_ = 0, alertsSent_ = 0;
    std::uint64_t captureDrops_ = 0;
    store::EvidenceStore* evidence_ = nullptr;
    FilterChange filterChange_;
    // The settings in force (file + console push; SIGHUP and pushes diff against them).
    config::SensorConfig running_ = options_.pushedConfig
                                        ? config::overlay(options_.loadedConfig.value_or(
                                                              config::SensorConfig{}),
                                                          *options_.pushedConfig)
                                        : options_.loadedConfig.value_or(config::SensorConfig{});
    const plugins::PluginSet* plugins_ = nullptr;
    const Clock::time_point started_ = Clock::now();
    Clock::time_point lastHealthSample_ = started_;
    std::uint64_t lastHealthPackets_ = 0, lastHealthBytes_ = 0;
    double lastHealthCpu_ = processCpuSeconds();
    int liveSnaplen_ = 0, liveLinkType_ = 1;  // set while capturing live (filter checks)
    std::uint64_t outboxEvicted_ = 0;  // outbox evictions already raised as sensor_eviction
    systemd::Watchdog watchdog_;
    snmp::HealthBoard* snmpBoard_ = nullptr;  // SNMP on: the subagent reads what we publish
    bool snmpHasConsole_ = false;
    std::size_t snmpAlertsAtStart_ = 0;
    std::uint64_t snmpPacketsPerSecond_ = 0, snmpBytesPerSecond_ = 0;
    Clock::time_point lastSnmp_ = Clock::now();
};

/// Opens every --interface (privileged), then gives up the privileges: called before anything
/// else reads or writes state. Errors are printed; false means exit 1.
bool openCaptures(const RunOptions& options, std::vector<LiveSource>& sources) {
    if (options.bufferMb <= 0 || options.bufferMb > 4096) {
        std::cerr << "error: --buffer-mb must be between 1 and 4096\n";
        return false;
    }
    if (options.snaplen < 64 || options.snaplen > 262144) {
        std::cerr << "error: --snaplen must be between 64 and 262144\n";
        return false;
    }
    if (options.interfaces.size() > kMaxCaptureInterfaces) {
        std::cerr << "error: at most " << kMaxCaptureInterfaces
                  << " capture interfaces (" << options.interfaces.size() << " given)\n";
        return false;
    }
    for (const auto& name : options.interfaces) {
        LiveOptions live;
        live.interface = name;
        live.filter = options.filter;
        live.snaplen = options.snaplen;
        live.bufferBytes = options.bufferMb * 1024 * 1024;
        auto source = LiveSource::open(live);
        if (!source) {
            std::cerr << "error: " << source.error().message << "\n";
            return false;
        }
        if (!source->warning().empty()) std::cerr << "warning: " << source->warning() << "\n";
        sources.push_back(std::move(*source));
    }
    if (auto st = dropPrivileges(options.user); !st) {
        std::cerr << "error: " << st.error().message << "\n";
        return false;
    }
    return true;
}


/// The config file (docs/SENSOR_CONFIG.md, sensor-agent/config): validated as a whole (every
/// problem one line with its position); its values fill what the command line left unset.
bool applyConfig(RunOptions& options) {
    config::SensorConfig file;
    if (!options.config.empty()) {
        auto loaded = config::load(options.config);
        if (!loaded) {
            printConfigErrors(loaded.error().message);
            return false;
        }
        file = *loaded;
        options.loadedConfig = file;
    }
    // The console's push wins over the file for the settings it names.
    options.pushedConfig = loadPushedSettings(options.stateDir);
    const config::SensorConfig c =
        options.pushedConfig ? config::overlay(file, *options.pushedConfig) : file;
    if (options.interfaces.empty() && options.replay.empty()) options.interfaces = c.interfaces;
    if (c.filter && !options.filterGiven) options.filter = *c.filter;
    if (c.user && !options.userGiven) options.user = *c.user;
    if (c.bufferMb && !options.bufferGiven) options.bufferMb = *c.bufferMb;
    if (c.snaplen && !options.snaplenGiven) options.snaplen = *c.snaplen;
    if (c.workers && !options.workersGiven) options.workers = *c.workers;
    if (c.pluginDir && options.pluginDir.empty()) options.pluginDir = *c.pluginDir;
    if (c.proxy && options.proxy.empty()) options.proxy = *c.proxy;  // checked at start of run
    if (c.snmpAgentxSocket && options.snmpAgentx.empty()) options.snmpAgentx = *c.snmpAgentxSocket;
    options.cliPortAliases = options.portAliases;
    options.portAliases.insert(options.portAliases.end(), c.portAliases.begin(), c.portAliases.end());
    if (c.outboxMaxMb && !options.outboxMaxGiven) options.outboxMaxMb = *c.outboxMaxMb;
    if (c.evidenceMaxMb) options.evidenceMaxMb = *c.evidenceMaxMb;
    if (c.evidencePackets) options.evidencePackets = *c.evidencePackets;
    options.network = c.network;
    return true;
}

int run(RunOptions options) {
    namespace fs = std::filesystem;
    if (!applyConfig(options)) return 1;
    if (options.workers == 0 && !options.workersGiven) options.workers = defaultWorkers();
    if (options.workers < 1 || options.workers > static_cast<int>(kMaxEngineWorkers)) {
        std::cerr << "error: --workers must be between 1 and " << kMaxEngineWorkers << " (got "
                  << options.workers << ")\n";
        return 2;
    }
    auto proxy = link::resolveProxy(options.proxy, options.proxyPasswordFile);
    if (!proxy) {
        std::cerr << "error: " << proxy.error().message << "\n";
        return 1;
    }
    if (!options.snmpAgentx.empty()) {
        if (const auto problem = snmp::checkAgentxAddress(options.snmpAgentx); !problem.empty()) {
            std::cerr << "error: --snmp-agentx / [snmp] agentx_socket '" << options.snmpAgentx
                      << "' " << problem << "\n";
            return 1;
        }
    }
    if (!proxy->empty()) {  // before any thread starts
        if (auto dropped = link::dropProxyExemptionsFromEnvironment(); !dropped.empty()) {
            std::cerr << "note: " << dropped
                      << " ignored: the console is reached through the configured proxy\n";
        }
    }
    if (options.pushedConfig) {
        std::string names;
        for (const auto& n : config::changedSettings(config::SensorConfig{}, *options.pushedConfig)) {
            names += (names.empty() ? "" : ", ") + n;
        }
        std::cerr << "settings pushed by the console in force (state dir " << config::kPushedSettingsFile
                  << "): " << names << "\n";
    }
    if (options.replay.empty() && options.interfaces.empty()) {
        std::cerr << "error: nothing to analyse: give --interface IF (see `ironsight-sensor "
                     "interfaces`) or --replay PCAP\n";
        return 2;
    }
    std::vector<LiveSource> sources;
    if (!openCaptures(options, sources)) return 1;
    std::error_code ec;
    if (!fs::exists(fs::path(options.stateDir) / "state.db", ec)) {
        std::cerr << "error: not activated: run ironsight-sensor activate FILE first (state dir "
                  << options.stateDir << ")\n";
        return 1;
    }
    auto store = store::StateStore::open(options.stateDir);
    if (!store) {
        std::cerr << "error: " << store.error().message << "\n";
        return 1;
    }
    if (!store->activated()) {
        std::cerr << "error: not activated: run ironsight-sensor activate FILE first (state dir "
                  << options.stateDir << ")\n";
        return 1;
    }
    if (!options.topSpeed && !(options.speed > 0)) {
        std::cerr << "error: --speed must be greater than 0\n";
        return 1;
    }
    auto keyPem = crypto::readFile(store->keyPath());
    auto certPem = crypto::readFile(store->certPath());
    auto caPem = crypto::readFile(store->caPath());
    for (const auto* r : {&keyPem, &certPem, &caPem}) {
        if (!*r) {
            std::cerr << "error: " << r->error().message << "\n";
            return 1;
        }
    }
    if (!(options.outboxMaxMb > 0)) {
        std::cerr << "error: --outbox-max-mb must be greater than 0\n";
        return 1;
    }
    auto outbox = store::Outbox::open(
        options.stateDir,
        store::OutboxLimits{.maxBytes = static_cast<std::uint64_t>(options.outboxMaxMb * 1048576)});
    if (!outbox) {
        std::cerr << "error: " << outbox.error().message << "\n";
        return 1;
    }
    auto baseline = store->baseline();
    if (!baseline) {
        std::cerr << "error: cannot read the baseline: " << baseline.error().message << "\n";
        return 1;
    }

    // Loaded after the capability drop: plugins never run with capture privileges.
    std::shared_ptr<const plugins::PluginSet> pluginSet;
    if (!options.pluginDir.empty()) {
        auto loaded = plugins::PluginSet::load(options.pluginDir, std::cerr);
        if (!loaded) {
            std::cerr << "error: " << loaded.error().message << "\n";
            return 1;
        }
        pluginSet = *loaded;
    }
    EngineOptions engineOptions{.learning = store->learning(), .plugins = pluginSet};
    for (const auto& spec : options.portAliases) {
        auto alias = parsePortAlias(spec, pluginSet.get());
        if (!alias) {
            std::cerr << "error: " << alias.error().message << "\n";
            return 1;
        }
        engineOptions.portAliases.push_back(*alias);
    }
    engineOptions.evidence.alertPackets = static_cast<std::size_t>(options.evidencePackets);
    engineOptions.network = options.network;
    engineOptions.workers = static_cast<std::size_t>(options.workers);
    // Live: devices record the interfaces they were seen on; a replay records none.
    if (options.replay.empty()) engineOptions.interfaces = options.interfaces;
    Engine engine(engineOptions);
    if (!baseline->empty()) engine.importBaseline(*baseline);
    // The alerts raised before this start: a console's Learn / Mute of them still applies.
    if (auto stored = store->storedAlerts(); !stored) {
        std::cerr << "warning: cannot read the kept alerts: " << stored.error().message << "\n";
    } else {
        std::vector<AlertRecord> restored;
        std::size_t unreadable = 0;
        for (const auto& text : *stored) {
            if (auto alert = decodeAlert(text)) {
                restored.push_back(std::move(*alert));
            } else {
                ++unreadable;
            }
        }
        if (unreadable > 0) {
            std::cerr << "warning: " << unreadable << " kept alerts are unreadable and skipped\n";
        }
        engine.restoreAlerts(restored);
    }
    const auto evidenceBytes = static_cast<std::uint64_t>(options.evidenceMaxMb * 1048576);
    auto evidenceStore =
        store::EvidenceStore::open(options.stateDir, store::EvidenceLimits{.maxBytes = evidenceBytes});
    if (!evidenceStore) {
        std::cerr << "error: " << evidenceStore.error().message << "\n";
        return 1;
    }

    // Learning changes from the console arrive on the link thread; the engine applies them.
    std::atomic<int> pendingLearning{-1};
    std::atomic<bool> learningFlag{store->learning()};
    const fs::path stateDir = options.stateDir;
    link::LinkConfig linkConfig;
    linkConfig.endpoints = splitComma(store->getOr(store::meta::kStreamEndpoints, ""));
    linkConfig.tlsName = store->getOr(store::meta::kTlsName, "");
    linkConfig.caPem = *caPem;
    linkConfig.keyPem = *keyPem;
    linkConfig.certPem = *certPem;
    linkConfig.proxy = *proxy;
    link::LinkHooks hooks;
    hooks.learning = [&learningFlag] { return learningFlag.load(); };
    hooks.setLearning = [&pendingLearning, &learningFlag, stateDir](bool on) -> Status {
        auto own = store::StateStore::open(stateDir);  // this runs on the link thread
        if (!own) return own.error();
        if (auto st = own->setLearning(on); !st) return st;
        learningFlag = on;
        pendingLearning = on ? 1 : 0;
        std::cerr << "learning mode " << (on ? "on" : "off") << " (from the console)\n";
        return {};
    };
    // Certificate renewal (console command, or two thirds of the lifetime): the new identity is
    // kept before the link uses it. On the link thread, hence its own store connection.
    hooks.saveIdentity = [stateDir](const std::string& keyPem, const std::string& certPem,
                                    const std::string& caPem) -> Status {
        auto own = store::StateStore::open(stateDir);
        if (!own) return own.error();
        return own->replaceIdentity(keyPem, certPem, caPem);
    };
    // Learn / Mute / exclusions need the engine, which the analysis thread owns: queue them;
    // Runner::tick applies them and answers through the outbox.
    PendingCommands pendingCommands;
    hooks.command =
        [&pendingCommands](const v1::Command& command) -> std::optional<link::CommandReply> {
        std::lock_guard lock(pendingCommands.mutex);
        pendingCommands.queue.push_back(command);
        return std::nullopt;
    };
    // Evidence requests are answered on the link thread from the (thread-safe) evidence store.
    store::EvidenceStore* evidence = evidenceStore->get();
    hooks.evidence = [evidence](const std::string& alertId) -> Result<std::string> {
        if (!evidence) return makeError("evidence is not kept on this sensor");
        return evidence->evidencePcap(alertId);
    };
    link::LinkClient link(linkConfig, **outbox, hooks);

    struct sigaction action {};
    action.sa_handler = &onStopSignal;
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, nullptr);
    sigaction(SIGTERM, &action, nullptr);
    struct sigaction reload {};
    reload.sa_handler = &onReloadSignal;
    sigemptyset(&reload.sa_mask);
    sigaction(SIGHUP, &reload, nullptr);

    link.start();
    snmp::HealthBoard snmpBoard;  // outlives the subagent, declared after the runner
    Runner runner(options, *store, **outbox, link, engine, pendingLearning, pendingCommands);
    runner.attachEvidence(evidenceStore->get());
    runner.attachPlugins(pluginSet.get());
    if (!options.snmpAgentx.empty()) runner.attachSnmp(&snmpBoard, !linkConfig.endpoints.empty());
    runner.tick(true);
    // SNMP: its own thread, the only one calling net-snmp; never stops capture (an absent snmpd is
    // one line and quiet retries). Stopped first on every return (declared last).
    std::optional<snmp::Subagent> subagent;
    if (!options.snmpAgentx.empty()) {
        snmp::SubagentOptions snmpOptions;
        snmpOptions.socket = options.snmpAgentx;
        subagent.emplace(snmpOptions, snmpBoard);
        subagent->start();
    }
    if (!sources.empty()) {
        std::cerr << "capturing on " << joinNames(options.interfaces)
                  << (options.filter.empty() ? "" : " (filter: " + options.filter + ")")
                  << "; SIGINT or SIGTERM stops\n";
    }
    systemd::notify("READY=1");  // Type=notify: capture open, state loaded, link started
    const bool replayed = sources.empty() ? runner.replay() : runner.live(sources);
    engine.finish();    // end of the replay: deliver data still buffered behind TCP holes
    runner.tick(true);  // everything analysed is now in the outbox
    if (!replayed) {
        link.stop();
        return 1;
    }
    const std::uint64_t target = (*outbox)->lastSeq();
    bool drained = false;
    while (!gStop.load()) {
        if (options.exitWhenDrained &&
            link.waitAckedThrough(target, std::chrono::milliseconds(200))) {
            drained = true;
            break;
        }
        if (!options.exitWhenDrained) std::this_thread::sleep_for(std::chrono::milliseconds(200));
        runner.tick();
    }
    if (!drained) {
        runner.tick(true);  // flush what a signal interrupted
        // A short grace so a connected link can deliver it; the rest waits in the outbox.
        if (link.connected()) link.waitAckedThrough((*outbox)->lastSeq(), std::chrono::seconds(2));
    }
    runner.saveBaseline();
    link.stop();
    const auto stats = engine.stats();
    std::cout << (drained ? "drained: " : "stopped: ") << stats.packets << " packets, "
              << engine.devices().size() << " devices, " << engine.connections().size()
              << " connections, " << engine.alerts().size() << " alerts; acked through seq "
              << (*outbox)->ackedThrough() << " of " << (*outbox)->lastSeq() << "\n";
    return 0;
}

void addRunCommand(CLI::App& app) {
    auto* cmd = app.add_subcommand("run",
                                   "Run the sensor: analyse traffic and stream it to the "
                                   "console");
    auto opts = std::make_shared<RunOptions>();
    cmd->add_option("--config", opts->config, "Sensor configuration file (TOML)");
    cmd->add_option("--state-dir", opts->stateDir, "Sensor state directory")->capture_default_str();
    auto* outboxMax = cmd->add_option("--outbox-max-mb", opts->outboxMaxMb,
                                      "Outbox size cap in MiB (oldest non-alert data evicted first "
                                      "when full); also [outbox] max_mb")
                          ->capture_default_str();
    cmd->add_option("--plugins,--plugin-dir", opts->pluginDir,
                    "Load the dissector plugins (*.so) of this folder (docs/PLUGINS.md; plugins "
                    "are trusted code); also [plugins] dir in the config file");
    cmd->add_option("--port-alias", opts->portAliases,
                    "PROTOCOL=tcp/PORT or PROTOCOL=udp/PORT: this site runs PROTOCOL on a "
                    "non-standard port (repeatable; e.g. modbus=tcp/5020); also [protocols] "
                    "port_aliases")
        ->allow_extra_args(false);
    cmd->add_option("--proxy", opts->proxy,
                    "Reach the console through this HTTP CONNECT proxy: "
                    "http://[USER[:PASSWORD]@]HOST:PORT (docs/SENSOR.md, Proxy)");
    cmd->add_option("--snmp-agentx", opts->snmpAgentx,
                    "Serve the sensor's health over SNMP as an AgentX subagent of the snmpd whose "
                    "master socket this is (/var/agentx/master or tcp:HOST:PORT; docs/OPERATIONS.md, "
                    "SNMP monitoring); also [snmp] agentx_socket");
    cmd->add_option("--proxy-password-file", opts->proxyPasswordFile,
                    "Proxy password from the first line of FILE (not readable by others; "
                    "--proxy then names only the user: http://USER@HOST:PORT)");
    auto* replay = cmd->add_option("--replay", opts->replay,
                                   "Replay a pcap/pcapng file instead "
                                   "of capturing live");
    auto* iface = cmd->add_option("--interface,-i", opts->interfaces,
                                  "Capture live on this interface (repeatable; see "
                                  "`ironsight-sensor interfaces`)")
                      ->allow_extra_args(false);
    iface->excludes(replay);
    // Live settings; also read from the config file's [capture] section (the command line wins).
    auto* filter =
        cmd->add_option("--filter", opts->filter, "BPF filter for live capture (tcpdump syntax)");
    auto* buffer =
        cmd->add_option("--buffer-mb", opts->bufferMb, "Kernel capture ring per interface, MiB")
            ->capture_default_str();
    auto* snaplen = cmd->add_option("--snaplen", opts->snaplen, "Bytes captured per packet")
                        ->capture_default_str();
    auto* workers = cmd->add_option("--workers", opts->workers,
                                    "Analysis worker threads, 1-64 (default 1; [capture] "
                                    "workers)");
    auto* user = cmd->add_option("--user", opts->user,
                                 "Started as root: switch to this user once the capture is open");
    auto* speed = cmd->add_option("--speed", opts->speed, "Replay at N times the recorded speed")
                      ->needs(replay);
    auto* top =
        cmd->add_flag("--top-speed", opts->topSpeed, "Replay as fast as possible")->needs(replay);
    speed->excludes(top);
    cmd->add_flag("--loop", opts->loop, "Replay the file again and again")->needs(replay);
    cmd->add_flag("--exit-when-drained", opts->exitWhenDrained,
                  "Exit 0 once the capture is analysed and the console acknowledged everything")
        ->needs(replay);
    cmd->callback([opts, filter, buffer, snaplen, user, outboxMax, workers] {
        opts->workersGiven = workers->count() > 0;
        opts->filterGiven = filter->count() > 0;
        opts->outboxMaxGiven = outboxMax->count() > 0;
        opts->bufferGiven = buffer->count() > 0;
        opts->snaplenGiven = snaplen->count() > 0;
        opts->userGiven = user->count() > 0;
        exitCode() = run(*opts);
    });
}

const CommandRegistration registration{30, &addRunCommand};

}  // namespace
}  // namespace ironsight::sensor::app
