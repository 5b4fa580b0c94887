// SPDX-License-Identifier: Apache-2.0
// `ironsight-sensor run`: analyse traffic (replayed from a capture for now), queue the changes in
// the outbox and stream them to the console; the capture side never waits on the network.
#include <signal.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "ironsight/v1/link.pb.h"
#include "sensor-agent/app/commands.h"
#include "sensor-agent/capture/pcap_file_source.h"
#include "sensor-agent/engine/engine.h"
#include "sensor-agent/link/envelopes.h"
#include "sensor-agent/link/link_client.h"
#include "sensor-agent/store/outbox.h"
#include "sensor-agent/store/state_store.h"
#include "shared/base/version.h"
#include "shared/crypto/crypto.h"

namespace ironsight::sensor::app {
namespace {

using Clock = std::chrono::steady_clock;

std::atomic<bool> gStop{false};

extern "C" void onStopSignal(int) {
    gStop.store(true);
}

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
};

std::vector<std::string> splitComma(const std::string& text) {
    std::vector<std::string> out;
    std::stringstream in(text);
    for (std::string item; std::getline(in, item, ',');) {
        if (!item.empty()) out.push_back(item);
    }
    return out;
}

/// The analysis side of `run`: engine, outbox appends, health, baseline persistence.
class Runner {
public:
    Runner(RunOptions options, store::StateStore& store, store::Outbox& outbox,
           link::LinkClient& link, Engine& engine, std::atomic<int>& pendingLearning)
        : options_(std::move(options)),
          store_(store),
          outbox_(outbox),
          link_(link),
          engine_(engine),
          pendingLearning_(pendingLearning) {}

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

    /// Periodic work: changes every ~200 ms, health and baseline every 10 s.
    void tick(bool force = false) {
        const auto now = Clock::now();
        applyPendingLearning();
        if (force || now - lastFlush_ >= std::chrono::milliseconds(200)) {
            flush();
            lastFlush_ = now;
        }
        if (force || now - lastHealth_ >= std::chrono::seconds(10)) {
            health();
            saveBaseline();
            lastHealth_ = now;
        }
    }

    void flush() {
        const ChangeSet changes = engine_.takeChanges();
        if (changes.empty()) return;
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
        h->set_outbox_depth(outbox_.depth());
        h->set_outbox_evicted(outbox_.evicted());
        h->set_learning(engine_.learning());
        h->set_version(ironsight::kVersion);
        h->set_capture_source(options_.replay);
        append({link::toRecord(env)});
    }

    void saveBaseline() {
        if (!engine_.learning()) return;
        if (auto st = store_.saveBaseline(engine_.exportBaseline(), nowMs()); !st) {
            std::cerr << "warning: cannot save the baseline: " << st.error().message << "\n";
        }
    }

    std::uint64_t packets() const { return packets_; }

private:
    void append(const std::vector<store::NewRecord>& records) {
        if (auto seqs = outbox_.append(records, nowMs()); !seqs) {
            std::cerr << "warning: " << seqs.error().message << "\n";
            return;
        }
        link_.notify();
    }

    void applyPendingLearning() {
        const int pending = pendingLearning_.exchange(-1);
        if (pending < 0) return;
        const bool on = pending == 1;
        if (on == engine_.learning()) return;
        if (!on) saveBaseline();  // keep what was learned before switching off
        engine_.setLearning(on);
    }

    RunOptions options_;
    store::StateStore& store_;
    store::Outbox& outbox_;
    link::LinkClient& link_;
    Engine& engine_;
    std::atomic<int>& pendingLearning_;
    Clock::time_point lastFlush_ = Clock::now();
    Clock::time_point lastHealth_ = Clock::now();
    std::uint64_t packets_ = 0;
    std::uint64_t devicesSent_ = 0, connectionsSent_ = 0, alertsSent_ = 0;
};

int run(const RunOptions& options) {
    namespace fs = std::filesystem;
    if (!options.config.empty()) {
        std::ifstream config(options.config);
        if (!config) {
            std::cerr << "error: cannot read config file " << options.config << "\n";
            return 1;
        }
    }
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
    if (options.replay.empty()) {
        std::cerr << "live capture arrives with the engine issue; use --replay\n";
        return 2;
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
    auto outbox = store::Outbox::open(options.stateDir);
    if (!outbox) {
        std::cerr << "error: " << outbox.error().message << "\n";
        return 1;
    }
    auto baseline = store->baseline();
    if (!baseline) {
        std::cerr << "error: cannot read the baseline: " << baseline.error().message << "\n";
        return 1;
    }

    Engine engine(EngineOptions{store->learning()});
    if (!baseline->empty()) engine.importBaseline(*baseline);

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
    link::LinkClient link(linkConfig, **outbox, hooks);

    struct sigaction action {};
    action.sa_handler = &onStopSignal;
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, nullptr);
    sigaction(SIGTERM, &action, nullptr);

    link.start();
    Runner runner(options, *store, **outbox, link, engine, pendingLearning);
    runner.tick(true);
    const bool replayed = runner.replay();
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
    auto* replay = cmd->add_option("--replay", opts->replay,
                                   "Replay a pcap/pcapng file instead "
                                   "of capturing live");
    auto* speed = cmd->add_option("--speed", opts->speed, "Replay at N times the recorded speed")
                      ->needs(replay);
    auto* top =
        cmd->add_flag("--top-speed", opts->topSpeed, "Replay as fast as possible")->needs(replay);
    speed->excludes(top);
    cmd->add_flag("--loop", opts->loop, "Replay the file again and again")->needs(replay);
    cmd->add_flag("--exit-when-drained", opts->exitWhenDrained,
                  "Exit 0 once the capture is analysed and the console acknowledged everything")
        ->needs(replay);
    cmd->callback([opts] { exitCode() = run(*opts); });
}

const CommandRegistration registration{30, &addRunCommand};

}  // namespace
}  // namespace ironsight::sensor::app
