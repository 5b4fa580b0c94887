// SPDX-License-Identifier: Apache-2.0
// ironsight-bench-ingest: console ingest over mutual TLS on loopback (docs/BENCHMARKS.md).
//
// In one process and one run: a console data dir in the temp directory, the real LinkServer on
// 127.0.0.1, sensors added and enrolled through the real Enrollment service (key and CSR made
// here, certificate issued by the console CA). Then:
//  1. live ingest: N concurrent SensorLink streams (one per sensor, its own certificate and TCP
//     connection) send Device/Connection batches, then Alert batches, each with a bounded window
//     of unacknowledged batches like LinkClient; committed = acknowledged (the console acks only
//     after its commit). Ack latency = batch written -> the Ack covering its last seq.
//  2. backlog drain: N other sensors' real Outbox files (state.db) pre-filled while "the console
//     was down", then drained by the real LinkClient, timed until every outbox is acknowledged.
//  3. baseline: the same rows inserted by a bare SQLite loop (one table, one prepared statement,
//     WAL + synchronous=FULL, batch-sized transactions) on the same disk.
#include <grpcpp/grpcpp.h>
#include <sys/resource.h>
#include <CLI/CLI.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <functional>
#include <iostream>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "console/core/console_service.h"
#include "console/core/link_server.h"
#include "console/core/pki.h"
#include "ironsight/v1/link.grpc.pb.h"
#include "sensor-agent/link/link_client.h"
#include "sensor-agent/store/outbox.h"
#include "shared/activation/activation.h"
#include "shared/crypto/crypto.h"
#include "shared/sqlite/sqlite.h"
#include "shared/tls/credentials.h"

namespace {

namespace fs = std::filesystem;
namespace v1 = ironsight::v1;
namespace core = ironsight::console::core;
using Clock = std::chrono::steady_clock;
using ironsight::Result;

double secondsSince(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}

/// Process CPU seconds (user + system) so far: client and console share this process.
double cpuSeconds(int who = RUSAGE_SELF) {
    rusage ru{};
    getrusage(who, &ru);
    return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
           static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

[[noreturn]] void die(const std::string& what) {
    std::cerr << "ironsight-bench-ingest: " << what << "\n";
    std::exit(1);
}

struct TempDir {
    fs::path path;
    bool keep = false;
    ~TempDir() {
        std::error_code ec;
        if (!keep && !path.empty()) fs::remove_all(path, ec);
    }
};

struct Identity {
    std::string name, id, keyPem, certPem;
};

/// Adds a sensor and enrolls it the way `ironsight-sensor activate` does: local key, CSR, the
/// one-time token, TLS pinned to the console CA.
Identity enrollSensor(core::ConsoleService& console, core::LinkServer& server,
                      const std::string& name) {
    auto added = console.addSensor("Plant", "Line", name);
    if (!added) die("add sensor " + name + ": " + added.error().message);
    auto payload = ironsight::activation::decodeAndVerify(added->activationText, core::nowMs());
    if (!payload) die("activation of " + name + ": " + payload.error().message);
    auto key = ironsight::crypto::generateP256Key();
    if (!key) die(key.error().message);
    auto csr = ironsight::crypto::makeCsrPem(key->get(), name);
    if (!csr) die(csr.error().message);
    auto channel = grpc::CreateCustomChannel(
        "127.0.0.1:" + std::to_string(server.enrollPort()),
        ironsight::tls::channelCredentials(console.pki().caCertPem(), "", ""),
        ironsight::tls::channelArguments(core::kConsoleTlsName));
    auto stub = v1::Enrollment::NewStub(channel);
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    v1::EnrollRequest req;
    req.set_sensor_id(payload->sensor_id());
    req.set_enrollment_token(payload->enrollment_token());
    req.set_csr_pem(*csr);
    req.set_clock_ms(core::nowMs());
    v1::EnrollResponse resp;
    grpc::Status st = stub->Enroll(&ctx, req, &resp);
    if (!st.ok()) die("enroll " + name + ": " + st.error_message());
    return Identity{name, payload->sensor_id(), *ironsight::crypto::privateKeyToPem(key->get()),
                    resp.certificate_pem()};
}

// ---- Realistic envelopes (field shapes as `ironsight-sensor analyze --json` prints them) ----

std::string hex2(unsigned v) {
    char b[3];
    std::snprintf(b, sizeof b, "%02x", v & 0xffu);
    return b;
}

struct DeviceShape {
    const char* type;
    const char* vendor;
    const char* model;
    const char* firmware;
    const char* protocol;
    const char* role;
    int purdue;
    unsigned port;
};

// A plant-plus-office mix: PLCs/RTUs with identity, HMIs, engineering stations, IT hosts.
constexpr DeviceShape kShapes[] = {
    {"plc", "Siemens AG", "CPU 1516-3 PN/DP", "V2.9.4", "s7comm", "server", 1, 102},
    {"plc", "Schneider Electric", "BMX P34 2020", "3.20", "modbus", "server", 1, 502},
    {"rtu", "SEL", "RTAC 3505", "R148-V2", "dnp3", "server", 1, 20000},
    {"plc", "Rockwell Automation", "1756-L83E ControlLogix", "32.011", "enip", "server", 1, 44818},
    {"hmi", "Siemens AG", "", "", "s7comm", "client", 2, 102},
    {"engineering_workstation", "Dell Inc.", "", "", "modbus", "client", 2, 502},
    {"it_host", "Hewlett Packard", "", "", "http", "client", 4, 80},
    {"it_host", "Intel Corporate", "", "", "tls", "client", 4, 443},
};
constexpr std::size_t kShapeCount = sizeof kShapes / sizeof kShapes[0];

std::string deviceId(std::size_t sensor, std::size_t i) {
    return "mac-00" + hex2(static_cast<unsigned>(sensor)) + hex2(static_cast<unsigned>(i >> 16)) +
           hex2(static_cast<unsigned>(i >> 8)) + hex2(static_cast<unsigned>(i)) + "0a";
}

std::string deviceIp(std::size_t sensor, std::size_t i) {
    return "10." + std::to_string(sensor % 250) + "." + std::to_string((i >> 8) % 250) + "." +
           std::to_string(i % 250 + 1);
}

v1::Envelope makeDevice(std::size_t sensor, std::size_t i, std::int64_t now) {
    const DeviceShape& s = kShapes[i % kShapeCount];
    v1::Envelope env;
    v1::Device* d = env.mutable_device();
    d->set_id(deviceId(sensor, i));
    d->add_macs("00:" + hex2(static_cast<unsigned>(sensor)) + ":" +
                hex2(static_cast<unsigned>(i >> 16)) + ":" + hex2(static_cast<unsigned>(i >> 8)) +
                ":" + hex2(static_cast<unsigned>(i)) + ":0a");
    d->add_ips(deviceIp(sensor, i));
    d->add_vlans(100 + static_cast<unsigned>(i % 8));
    d->set_vendor(s.vendor);
    d->set_model(s.model);
    d->set_firmware(s.firmware);
    d->set_type(s.type);
    d->set_purdue_level(s.purdue);
    auto* p = d->add_protocols();
    p->set_name(s.protocol);
    p->set_role(s.role);
    d->add_evidence(std::string(s.protocol) + " " + s.role + " \u2192 " + s.type);
    if (s.purdue == 1) {
        d->set_serial("S C-X4U" + std::to_string(100000 + i));
        d->set_hostname("plc-line" + std::to_string(i % 12) + "-" + std::to_string(i % 97));
        d->set_identity_json(std::string(R"({")") + s.protocol + R"(":{"module":")" + s.model +
                             R"(","firmware":")" + s.firmware + R"(","serial":"S C-X4U)" +
                             std::to_string(100000 + i) + R"(","plant_id":"LINE)" +
                             std::to_string(i % 12) + R"("}})");
        d->add_evidence("vendor from OUI and " + std::string(s.protocol) + " identification");
    } else {
        d->set_hostname("ws-" + std::to_string(i) + ".plant.example.com");
    }
    d->set_first_seen_ms(now - 3'600'000);
    d->set_last_seen_ms(now);
    return env;
}

v1::Envelope makeConnection(std::size_t sensor, std::size_t i, std::size_t devices,
                            std::int64_t now) {
    // Client j talks to server k; the server's shape decides port and protocol.
    const std::size_t server = (i * 7) % devices;
    const std::size_t client = (i * 13 + 5) % devices;
    const DeviceShape& s = kShapes[server % kShapeCount];
    v1::Envelope env;
    v1::Connection* c = env.mutable_connection();
    c->set_src(deviceId(sensor, client));
    c->set_dst(deviceId(sensor, server));
    c->set_src_ip(deviceIp(sensor, client));
    c->set_dst_ip(deviceIp(sensor, server));
    c->set_transport(s.port == 47808 ? "udp" : "tcp");
    c->set_port(s.port + static_cast<unsigned>(i / devices));  // keeps (src, dst, port) unique
    c->set_protocol(s.protocol);
    c->set_packets(1000 + i);
    c->set_bytes(180'000 + i * 37);
    c->add_operations("read");
    if (i % 5 == 0) c->add_operations("write");
    c->set_first_seen_ms(now - 3'600'000);
    c->set_last_seen_ms(now);
    return env;
}

v1::Envelope makeAlert(std::size_t sensor, std::size_t i, std::size_t devices, std::int64_t now) {
    v1::Envelope env;
    v1::Alert* a = env.mutable_alert();
    const std::size_t src = (i * 13 + 5) % devices, dst = (i * 7) % devices;
    a->set_id("alert-" + std::to_string(sensor) + "-" + std::to_string(i));
    a->set_engine("policy");
    a->set_type("unauthorized_write");
    a->set_severity(v1::SEVERITY_MAJOR);
    a->set_title("Modbus write from a device not allowed to write");
    a->set_description(
        "Device " + deviceIp(sensor, src) + " sent Write Single Register (function 6) to " +
        deviceIp(sensor, dst) +
        " unit 1, register 40001; no write from this device was seen while learning.");
    a->set_remediation(
        "Confirm with the process owner whether this write was planned. If not, isolate the "
        "source host and review the controller's logic and set-points.");
    a->set_src(deviceId(sensor, src));
    a->set_dst(deviceId(sensor, dst));
    a->set_src_ip(deviceIp(sensor, src));
    a->set_dst_ip(deviceIp(sensor, dst));
    a->set_protocol("modbus");
    a->set_count(1);
    a->set_mitre("T0855");
    a->set_first_seen_ms(now);
    a->set_last_seen_ms(now);
    return env;
}

// ---- The live client: Hello/Resume, windowed batches, acks (as LinkClient does) ----

struct StreamStats {
    std::uint64_t envelopes = 0;
    std::vector<double> latencyMs;
    std::string error;
};

/// Fills `msg` (a batch) for seqs [first, first + count).
using BatchFiller = std::function<void(v1::SensorMessage& msg, std::uint64_t first)>;

class LiveSensor {
public:
    LiveSensor(const Identity& id, int port, const std::string& caPem)
        : stub_(v1::SensorLink::NewStub(grpc::CreateCustomChannel(
              "127.0.0.1:" + std::to_string(port),
              ironsight::tls::channelCredentials(caPem, id.keyPem, id.certPem),
              ironsight::tls::channelArguments(core::kConsoleTlsName)))),
          epoch_(std::uint64_t{0x1000} + std::hash<std::string>{}(id.id) % 1'000'000) {}

    /// Hello, then Resume; the next seq follows what the console already applied.
    bool open(std::string& error) {
        stream_ = stub_->Stream(&ctx_);
        v1::SensorMessage hello;
        hello.mutable_hello()->set_epoch(epoch_);
        hello.mutable_hello()->set_clock_ms(core::nowMs());
        v1::ConsoleMessage reply;
        if (!stream_->Write(hello) || !stream_->Read(&reply) || !reply.has_resume()) {
            error = "no Resume: " + stream_->Finish().error_message();
            return false;
        }
        nextSeq_ = reply.resume().applied_through_seq() + 1;
        acked_ = nextSeq_ - 1;
        reader_ = std::thread([this] { readAcks(); });
        return true;
    }

    /// Sends `batches` batches of `perBatch` envelopes with at most `window` unacknowledged;
    /// returns once all are acknowledged.
    /// `interval` > 0 paces the batches (one per interval) instead of sending at full speed.
    StreamStats send(std::size_t batches, std::size_t perBatch, std::size_t window,
                     const BatchFiller& fill, Clock::duration interval = {}) {
        StreamStats stats;
        v1::SensorMessage msg;
        const std::uint64_t last = nextSeq_ + batches * perBatch - 1;
        const auto start = Clock::now();
        for (std::size_t b = 0; b < batches; ++b) {
            if (interval.count() > 0) {
                std::this_thread::sleep_until(start + interval * static_cast<long>(b));
            }
            {
                std::unique_lock lock(mutex_);
                cv_.wait(lock, [&] { return inflight_.size() < window || done_; });
                if (done_) break;
            }
            const std::uint64_t first = nextSeq_;
            fill(msg, first);
            nextSeq_ += perBatch;
            {
                // Paced: from when the batch was due, so waiting for the window counts too.
                std::lock_guard lock(mutex_);
                inflight_.push_back({nextSeq_ - 1, interval.count() > 0
                                                       ? start + interval * static_cast<long>(b)
                                                       : Clock::now()});
            }
            if (!stream_->Write(msg)) break;
        }
        std::unique_lock lock(mutex_);
        cv_.wait(lock, [&] { return acked_ >= last || done_; });
        stats.envelopes = acked_ >= last ? batches * perBatch : 0;
        if (acked_ < last) stats.error = "stream ended before every batch was acknowledged";
        stats.latencyMs = std::move(latencyMs_);
        latencyMs_.clear();
        return stats;
    }

    void close() {
        if (!stream_) return;
        stream_->WritesDone();
        if (reader_.joinable()) reader_.join();
        (void)stream_->Finish();
        stream_.reset();
    }

    ~LiveSensor() {
        if (stream_) {
            ctx_.TryCancel();
            if (reader_.joinable()) reader_.join();
        }
    }

private:
    void readAcks() {
        v1::ConsoleMessage msg;
        while (stream_->Read(&msg)) {
            if (!msg.has_ack()) continue;  // commands: none are issued during the benchmark
            const auto through = msg.ack().applied_through_seq();
            const auto now = Clock::now();
            std::lock_guard lock(mutex_);
            while (!inflight_.empty() && inflight_.front().lastSeq <= through) {
                latencyMs_.push_back(
                    std::chrono::duration<double, std::milli>(now - inflight_.front().sentAt)
                        .count());
                inflight_.pop_front();
            }
            acked_ = std::max(acked_, through);
            cv_.notify_all();
        }
        std::lock_guard lock(mutex_);
        done_ = true;
        cv_.notify_all();
    }

    struct InFlight {
        std::uint64_t lastSeq;
        Clock::time_point sentAt;
    };
    std::unique_ptr<v1::SensorLink::Stub> stub_;
    grpc::ClientContext ctx_;
    std::unique_ptr<grpc::ClientReaderWriter<v1::SensorMessage, v1::ConsoleMessage>> stream_;
    std::uint64_t epoch_;
    std::uint64_t nextSeq_ = 1;
    std::thread reader_;
    std::mutex mutex_;
    std::condition_variable cv_;
    std::deque<InFlight> inflight_;
    std::vector<double> latencyMs_;
    std::uint64_t acked_ = 0;
    bool done_ = false;
};

struct PhaseResult {
    std::uint64_t events = 0;
    double seconds = 0;
    double cpuSeconds = 0;
    std::vector<double> latencyMs;
    double rate() const { return seconds > 0 ? static_cast<double>(events) / seconds : 0; }
};

/// Runs one live phase: every sensor's stream sends its share concurrently.
PhaseResult livePhase(std::vector<std::unique_ptr<LiveSensor>>& sensors, std::size_t batches,
                      std::size_t perBatch, std::size_t window,
                      const std::function<BatchFiller(std::size_t sensor)>& filler,
                      Clock::duration interval = {}) {
    std::vector<StreamStats> stats(sensors.size());
    std::vector<BatchFiller> fillers;
    for (std::size_t i = 0; i < sensors.size(); ++i) fillers.push_back(filler(i));
    const double cpu0 = cpuSeconds();
    const auto start = Clock::now();
    std::vector<std::thread> threads;
    for (std::size_t i = 0; i < sensors.size(); ++i) {
        threads.emplace_back([&, i] {
            stats[i] = sensors[i]->send(batches, perBatch, window, fillers[i], interval);
        });
    }
    for (auto& t : threads) t.join();
    PhaseResult r;
    r.seconds = secondsSince(start);
    r.cpuSeconds = cpuSeconds() - cpu0;
    for (auto& s : stats) {
        if (!s.error.empty()) die("live ingest: " + s.error);
        r.events += s.envelopes;
        r.latencyMs.insert(r.latencyMs.end(), s.latencyMs.begin(), s.latencyMs.end());
    }
    return r;
}

double percentile(std::vector<double> v, double p) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    const auto idx = static_cast<std::size_t>(p * static_cast<double>(v.size() - 1) + 0.5);
    return v[std::min(idx, v.size() - 1)];
}

/// The baseline: `rows` serialized envelopes inserted by a bare SQLite loop, `perTx` a commit.
double bareSqliteRowsPerSecond(const fs::path& file, const std::vector<std::string>& payloads,
                               std::size_t rows, std::size_t perTx) {
    auto db = ironsight::sqlite::Db::open(file);
    if (!db) die(db.error().message);
    if (auto s = db->setSynchronousFull(); !s) die(s.error().message);
    if (auto s = db->exec("CREATE TABLE t(id INTEGER PRIMARY KEY, payload BLOB NOT NULL)"); !s) {
        die(s.error().message);
    }
    auto ins = db->prepare("INSERT INTO t(id, payload) VALUES(?1, ?2)");
    if (!ins) die(ins.error().message);
    const auto start = Clock::now();
    for (std::size_t done = 0; done < rows;) {
        if (auto s = db->exec("BEGIN"); !s) die(s.error().message);
        for (std::size_t i = 0; i < perTx && done < rows; ++i, ++done) {
            const std::string& p = payloads[done % payloads.size()];
            auto s = ins->bind(1, static_cast<std::int64_t>(done + 1))
                         .bind(2, std::string_view(p))
                         .run();
            if (!s) die(s.error().message);
        }
        if (auto s = db->exec("COMMIT"); !s) die(s.error().message);
    }
    return static_cast<double>(rows) / secondsSince(start);
}

std::string fmtRate(double v) {
    char b[32];
    std::snprintf(b, sizeof b, "%.0f", v);
    std::string s = b, out;
    int n = 0;
    for (auto it = s.rbegin(); it != s.rend(); ++it) {
        if (n != 0 && n % 3 == 0) out.insert(out.begin(), ',');
        out.insert(out.begin(), *it);
        ++n;
    }
    return out;
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{
        "Console ingest benchmark: N sensors over mutual TLS on loopback (docs/BENCHMARKS.md)"};
    std::size_t sensorsN = 10, updates = 600'000, alerts = 200'000, backlog = 1'000'000;
    std::size_t perBatch = ironsight::sensor::link::LinkConfig{}.maxBatchRecords;
    std::size_t window = ironsight::sensor::link::LinkConfig{}.window;
    std::size_t devicesPerSensor = 2000, connectionsPerSensor = 8000;
    std::size_t direct = 200'000, pacedRate = 60'000, pacedSeconds = 10;
    std::optional<std::size_t> directAlerts;
    std::string parent = fs::temp_directory_path().string();
    bool keep = false;
    app.add_option("--sensors", sensorsN, "Concurrent sensors per phase")
        ->check(CLI::Range(1, 100));
    app.add_option("--updates", updates, "Device/connection envelopes in the live phase (total)");
    app.add_option("--alerts", alerts, "Alert envelopes in the live phase (total)");
    app.add_option("--backlog", backlog, "Events pre-filled into the outboxes (total); 0 skips");
    app.add_option("--batch", perBatch, "Envelopes per batch (default: LinkClient's)")
        ->check(CLI::Range(1, 10000));
    app.add_option("--window", window, "Unacknowledged batches per stream (default: LinkClient's)")
        ->check(CLI::Range(1, 64));
    std::size_t readAhead = core::LinkServer::kDefaultReadAheadBatches;
    app.add_option("--read-ahead", readAhead,
                   "Batches per stream the console reads ahead of its acks (1: none, as before)")
        ->check(CLI::Range(1, 64));
    app.add_option("--devices", devicesPerSensor, "Distinct devices per sensor")
        ->check(CLI::Range(1, 1000000));
    app.add_option("--connections", connectionsPerSensor, "Distinct connections per sensor")
        ->check(CLI::Range(1, 1000000));
    app.add_option("--direct", direct,
                   "Updates applied by ConsoleStore::applyBatch directly (no gRPC/TLS); 0 skips");
    app.add_option("--direct-alerts", directAlerts,
                   "Alerts applied by ConsoleStore::applyBatch directly (default: a quarter of "
                   "--direct); 0 skips");
    app.add_option("--paced-rate", pacedRate,
                   "Envelopes/s (all sensors) of the paced phase for ack latency (default: both "
                   "targets at once); 0 skips");
    app.add_option("--paced-seconds", pacedSeconds, "Duration of the paced phase")
        ->check(CLI::Range(1, 3600));
    app.add_option("--dir", parent,
                   "Parent directory of the temporary data (same disk as a console)");
    app.add_flag("--keep", keep, "Keep the temporary directory");
    CLI11_PARSE(app, argc, argv);

    TempDir tmp;
    tmp.path = fs::path(parent) / ("ironsight-bench-ingest-" + ironsight::crypto::newUuid());
    tmp.keep = keep;
    fs::create_directories(tmp.path);

    // ---- Console ----
    const auto setupStart = Clock::now();
    auto console = core::ConsoleService::open(tmp.path / "console");
    if (!console) die(console.error().message);
    if (auto s = (*console)->init("admin", "Admin-password-1", "127.0.0.1:0", "127.0.0.1:0"); !s) {
        die(s.error().message);
    }
    if (auto s = (*console)->addSite("Plant"); !s) die(s.error().message);
    if (auto s = (*console)->addZone("Plant", "Line"); !s) die(s.error().message);
    core::LinkServer server(**console, readAhead);
    if (auto s = server.start("127.0.0.1:0", "127.0.0.1:0"); !s) die(s.error().message);
    const std::string caPem = (*console)->pki().caCertPem();

    std::vector<Identity> live, drain;
    for (std::size_t i = 0; i < sensorsN; ++i) {
        live.push_back(enrollSensor(**console, server, "live-" + std::to_string(i + 1)));
    }
    if (backlog > 0) {
        for (std::size_t i = 0; i < sensorsN; ++i) {
            drain.push_back(enrollSensor(**console, server, "drain-" + std::to_string(i + 1)));
        }
    }
    std::cerr << "setup: console and " << live.size() + drain.size() << " enrolled sensors in "
              << secondsSince(setupStart) << " s\n";

    // ---- Realistic envelope pools (built before timing; only seq/ids/times change per send) ----
    const std::int64_t now = core::nowMs();
    const std::size_t poolSize = devicesPerSensor + connectionsPerSensor;
    std::vector<std::vector<v1::Envelope>> updatePool(sensorsN);
    for (std::size_t s = 0; s < sensorsN; ++s) {
        auto& pool = updatePool[s];
        pool.reserve(poolSize);
        // Interleaved as a sensor emits them: a device, then its share of connections.
        std::size_t d = 0, c = 0;
        while (d < devicesPerSensor || c < connectionsPerSensor) {
            if (d < devicesPerSensor) pool.push_back(makeDevice(s, d++, now));
            for (std::size_t k = 0;
                 k < connectionsPerSensor / std::max<std::size_t>(devicesPerSensor, 1) + 1 &&
                 c < connectionsPerSensor;
                 ++k) {
                pool.push_back(makeConnection(s, c++, devicesPerSensor, now));
            }
        }
    }
    std::size_t devBytes = 0, conBytes = 0, aleBytes = 0, devN = 0, conN = 0;
    for (const auto& e : updatePool[0]) {
        (e.has_device() ? devBytes : conBytes) += e.ByteSizeLong();
        ++(e.has_device() ? devN : conN);
    }
    const v1::Envelope alertSample = makeAlert(0, 123456, devicesPerSensor, now);
    aleBytes = alertSample.ByteSizeLong();

    const std::size_t updateBatches = std::max<std::size_t>(1, updates / (sensorsN * perBatch));
    const std::size_t alertBatches = std::max<std::size_t>(1, alerts / (sensorsN * perBatch));

    // ---- 1. Live ingest ----
    std::vector<std::unique_ptr<LiveSensor>> streams;
    for (const auto& id : live) {
        streams.push_back(std::make_unique<LiveSensor>(id, server.linkPort(), caPem));
        std::string error;
        if (!streams.back()->open(error)) die("stream of " + id.name + ": " + error);
    }
    auto updateFiller = [&](std::size_t s) -> BatchFiller {
        return [&, s, next = std::size_t{0}](v1::SensorMessage& msg, std::uint64_t first) mutable {
            auto* batch = msg.mutable_batch();
            batch->mutable_envelopes()->Clear();
            const std::int64_t t = core::nowMs();
            for (std::size_t i = 0; i < perBatch; ++i) {
                v1::Envelope* env = batch->add_envelopes();
                *env = updatePool[s][next++ % poolSize];
                env->set_seq(first + i);
                if (env->has_device()) {
                    env->mutable_device()->set_last_seen_ms(t);
                } else {
                    auto* c = env->mutable_connection();
                    c->set_last_seen_ms(t);
                    c->set_packets(c->packets() + next);
                }
            }
        };
    };
    auto alertFiller = [&](std::size_t s) -> BatchFiller {
        return [&, s, next = std::size_t{0}](v1::SensorMessage& msg, std::uint64_t first) mutable {
            auto* batch = msg.mutable_batch();
            batch->mutable_envelopes()->Clear();
            for (std::size_t i = 0; i < perBatch; ++i) {
                *batch->add_envelopes() = makeAlert(s, next++, devicesPerSensor, core::nowMs());
                batch->mutable_envelopes(static_cast<int>(i))->set_seq(first + i);
            }
        };
    };
    std::cerr << "live: " << sensorsN << " streams, " << updateBatches * sensorsN * perBatch
              << " device/connection updates...\n";
    const core::IngestCommitter::Stats atStart = server.ingestStats();
    PhaseResult upd = livePhase(streams, updateBatches, perBatch, window, updateFiller);
    const core::IngestCommitter::Stats afterUpdates = server.ingestStats();
    std::cerr << "live: " << alertBatches * sensorsN * perBatch << " alerts...\n";
    PhaseResult ale = livePhase(streams, alertBatches, perBatch, window, alertFiller);
    const core::IngestCommitter::Stats afterAlerts = server.ingestStats();
    // Paced: both targets at once by default (50,000 updates/s + 10,000 alerts/s: one alert
    // batch in six), for ack latency while ingesting at the target rates.
    PhaseResult paced;
    std::size_t pacedBatches = 0;
    if (pacedRate > 0) {
        const double perSensorRate = static_cast<double>(pacedRate) / static_cast<double>(sensorsN);
        const auto interval = std::chrono::duration_cast<Clock::duration>(
            std::chrono::duration<double>(static_cast<double>(perBatch) / perSensorRate));
        pacedBatches = std::max<std::size_t>(
            1, static_cast<std::size_t>(perSensorRate * static_cast<double>(pacedSeconds) /
                                        static_cast<double>(perBatch)));
        auto mixFiller = [&](std::size_t s) -> BatchFiller {
            return [u = updateFiller(s), a = alertFiller(s), b = std::size_t{0}](
                       v1::SensorMessage& msg, std::uint64_t first) mutable {
                (b++ % 6 == 5 ? a : u)(msg, first);
            };
        };
        std::cerr << "live: paced " << pacedRate << " envelopes/s for " << pacedSeconds
                  << " s...\n";
        paced = livePhase(streams, pacedBatches, perBatch, window, mixFiller, interval);
    }
    for (auto& s : streams) s->close();
    streams.clear();
    // Cross-check with the console's own bookkeeping.
    for (const auto& id : live) {
        auto p = (*console)->store().progress(id.id);
        const std::uint64_t expected = (updateBatches + alertBatches + pacedBatches) * perBatch;
        if (!p || p->appliedThroughSeq != expected) {
            die("console progress of " + id.name + " is not " + std::to_string(expected));
        }
    }

    // ---- 2. Backlog drain by the real LinkClient ----
    PhaseResult drn;
    double fillSeconds = 0;
    std::uint64_t drained = 0;
    if (backlog > 0) {
        const std::size_t perSensor = backlog / sensorsN;
        std::vector<std::unique_ptr<ironsight::sensor::store::Outbox>> outboxes(sensorsN);
        const auto fillStart = Clock::now();
        std::vector<std::thread> fillers;
        std::mutex errMutex;
        std::string fillError;
        for (std::size_t s = 0; s < sensorsN; ++s) {
            fillers.emplace_back([&, s] {
                auto ob = ironsight::sensor::store::Outbox::open(
                    tmp.path / ("sensor-" + std::to_string(s + 1)));
                if (!ob) {
                    std::lock_guard lock(errMutex);
                    fillError = ob.error().message;
                    return;
                }
                // 20 % devices, 70 % connections, 10 % alerts, appended 1,000 at a time as the
                // analysis thread does.
                std::vector<ironsight::sensor::store::NewRecord> chunk;
                const std::size_t sensorIndex = 100 + s;
                for (std::size_t i = 0; i < perSensor; ++i) {
                    v1::Envelope env;
                    ironsight::sensor::store::RecordClass cls;
                    if (i % 10 < 2) {
                        env = makeDevice(sensorIndex, i % devicesPerSensor, now);
                        cls = ironsight::sensor::store::RecordClass::Device;
                    } else if (i % 10 < 9) {
                        env = makeConnection(sensorIndex, i % connectionsPerSensor,
                                             devicesPerSensor, now);
                        cls = ironsight::sensor::store::RecordClass::Connection;
                    } else {
                        env = makeAlert(sensorIndex, i, devicesPerSensor, now);
                        cls = ironsight::sensor::store::RecordClass::Alert;
                    }
                    ironsight::sensor::store::NewRecord r;
                    r.cls = cls;
                    r.payload.resize(env.ByteSizeLong());
                    env.SerializeToArray(r.payload.data(), static_cast<int>(r.payload.size()));
                    chunk.push_back(std::move(r));
                    if (chunk.size() == 1000 || i + 1 == perSensor) {
                        if (auto a = (*ob)->append(chunk, now); !a) {
                            std::lock_guard lock(errMutex);
                            fillError = a.error().message;
                            return;
                        }
                        chunk.clear();
                    }
                }
                outboxes[s] = std::move(*ob);
            });
        }
        for (auto& t : fillers) t.join();
        if (!fillError.empty()) die("outbox fill: " + fillError);
        fillSeconds = secondsSince(fillStart);
        std::cerr << "drain: " << perSensor * sensorsN << " events in " << sensorsN
                  << " outboxes (filled in " << fillSeconds << " s); draining...\n";

        std::vector<std::unique_ptr<ironsight::sensor::link::LinkClient>> clients;
        std::mutex logMutex;
        std::vector<std::string> logLines;
        for (std::size_t s = 0; s < sensorsN; ++s) {
            ironsight::sensor::link::LinkConfig cfg;
            cfg.endpoints = {"127.0.0.1:" + std::to_string(server.linkPort())};
            cfg.tlsName = core::kConsoleTlsName;
            cfg.caPem = caPem;
            cfg.keyPem = drain[s].keyPem;
            cfg.certPem = drain[s].certPem;
            cfg.window = window;
            cfg.maxBatchRecords = perBatch;
            ironsight::sensor::link::LinkHooks hooks;
            hooks.log = [&](const std::string& line) {
                std::lock_guard lock(logMutex);
                logLines.push_back(line);
            };
            clients.push_back(
                std::make_unique<ironsight::sensor::link::LinkClient>(cfg, *outboxes[s], hooks));
        }
        const double cpu0 = cpuSeconds();
        const auto start = Clock::now();
        for (auto& c : clients) c->start();
        for (std::size_t s = 0; s < sensorsN; ++s) {
            if (!clients[s]->waitAckedThrough(outboxes[s]->lastSeq(), std::chrono::minutes(10))) {
                for (const auto& l : logLines) std::cerr << "  " << l << "\n";
                die("drain: sensor " + drain[s].name + " not drained within 10 min");
            }
        }
        drn.seconds = secondsSince(start);
        drn.cpuSeconds = cpuSeconds() - cpu0;
        for (auto& c : clients) c->stop();
        for (std::size_t s = 0; s < sensorsN; ++s) {
            auto p = (*console)->store().progress(drain[s].id);
            if (!p || p->appliedThroughSeq != outboxes[s]->lastSeq() || outboxes[s]->depth() != 0) {
                die("drain: console progress or outbox depth of " + drain[s].name + " is wrong");
            }
            drained += outboxes[s]->lastSeq();
        }
        drn.events = drained;
    }

    // ---- Store only: the same batches through ConsoleStore::applyBatch, one thread ----
    auto storeOnly = [&](const std::string& name, BatchFiller fill, std::size_t events) {
        PhaseResult r;
        auto added = (*console)->addSensor("Plant", "Line", name);
        if (!added) die(added.error().message);
        const std::string id = added->sensor.id;
        if (auto b = (*console)->store().beginStream(id, 7, core::nowMs()); !b)
            die(b.error().message);
        v1::SensorMessage msg;
        const std::size_t batches = std::max<std::size_t>(1, events / perBatch);
        // Only the applyBatch calls are timed (this thread's CPU), not building the batches.
        for (std::size_t b = 0; b < batches; ++b) {
            fill(msg, b * perBatch + 1);
            const double cpu0 = cpuSeconds(RUSAGE_THREAD);
            const auto start = Clock::now();
            auto applied = (*console)->store().applyBatch(id, 7, msg.batch(), core::nowMs());
            if (!applied) die("applyBatch: " + applied.error().message);
            r.seconds += secondsSince(start);
            r.cpuSeconds += cpuSeconds(RUSAGE_THREAD) - cpu0;
        }
        r.events = batches * perBatch;
        return r;
    };
    PhaseResult store, storeAlerts;
    const std::size_t storeAlertsN = directAlerts.value_or(direct / 4);
    if (direct > 0 || storeAlertsN > 0) {
        std::cerr << "store only: " << direct << " updates, " << storeAlertsN << " alerts...\n";
        if (direct > 0) store = storeOnly("direct-1", updateFiller(0), direct);
        if (storeAlertsN > 0) {
            storeAlerts = storeOnly("direct-2", alertFiller(sensorsN), storeAlertsN);
        }
    }

    // ---- 3. Baseline: bare SQLite on the same disk ----
    std::vector<std::string> payloads;
    for (const auto& e : updatePool[0]) payloads.push_back(e.SerializeAsString());
    const std::size_t baseRows = upd.events;
    const double bare =
        bareSqliteRowsPerSecond(tmp.path / "baseline.db", payloads, baseRows, perBatch);

    // ---- Report ----
    std::vector<double> allLat = upd.latencyMs;
    allLat.insert(allLat.end(), ale.latencyMs.begin(), ale.latencyMs.end());
    auto pct = [&](double r) {
        char b[16];
        std::snprintf(b, sizeof b, "%.1f %%", 100.0 * r / bare);
        return std::string(b);
    };
    auto ok = [](bool b) { return b ? "yes" : "NO"; };
    std::printf(
        "\nConsole ingest: %zu sensors per phase over mutual TLS on 127.0.0.1, batches of %zu, "
        "window %zu\n",
        sensorsN, perBatch, window);
    std::printf(
        "envelope sizes: device %zu B, connection %zu B, alert %zu B (serialized, average)\n",
        devN ? devBytes / devN : 0, conN ? conBytes / conN : 0, aleBytes);
    std::printf(
        "\n| phase | events | seconds | rate | target | met | vs bare SQLite | process CPU s |\n");
    std::printf("|---|---|---|---|---|---|---|---|\n");
    std::printf(
        "| device/connection updates | %s | %.2f | %s /s | >= 50,000 /s | %s | %s | %.1f |\n",
        fmtRate(static_cast<double>(upd.events)).c_str(), upd.seconds, fmtRate(upd.rate()).c_str(),
        ok(upd.rate() >= 50'000), pct(upd.rate()).c_str(), upd.cpuSeconds);
    std::printf("| alerts | %s | %.2f | %s /s | >= 10,000 /s | %s | %s | %.1f |\n",
                fmtRate(static_cast<double>(ale.events)).c_str(), ale.seconds,
                fmtRate(ale.rate()).c_str(), ok(ale.rate() >= 10'000), pct(ale.rate()).c_str(),
                ale.cpuSeconds);
    if (backlog > 0) {
        std::printf(
            "| backlog drain (LinkClient + Outbox) | %s | %.2f | %s /s | < 60 s | %s | %s | %.1f "
            "|\n",
            fmtRate(static_cast<double>(drn.events)).c_str(), drn.seconds,
            fmtRate(drn.rate()).c_str(), ok(drn.seconds < 60), pct(drn.rate()).c_str(),
            drn.cpuSeconds);
    }
    if (pacedRate > 0) {
        std::printf(
            "| paced mix (5 update : 1 alert batches) | %s | %.2f | %s /s | | | %s | %.1f |\n",
            fmtRate(static_cast<double>(paced.events)).c_str(), paced.seconds,
            fmtRate(paced.rate()).c_str(), pct(paced.rate()).c_str(), paced.cpuSeconds);
    }
    if (direct > 0 || storeAlertsN > 0) {
        std::printf(
            "| store only: ConsoleStore::applyBatch, updates, 1 thread | %s | %.2f | %s /s | | | "
            "%s | %.1f |\n",
            fmtRate(static_cast<double>(store.events)).c_str(), store.seconds,
            fmtRate(store.rate()).c_str(), pct(store.rate()).c_str(), store.cpuSeconds);
        std::printf(
            "| store only: ConsoleStore::applyBatch, alerts, 1 thread | %s | %.2f | %s /s | | | %s "
            "| %.1f |\n",
            fmtRate(static_cast<double>(storeAlerts.events)).c_str(), storeAlerts.seconds,
            fmtRate(storeAlerts.rate()).c_str(), pct(storeAlerts.rate()).c_str(),
            storeAlerts.cpuSeconds);
    }
    std::printf("| bare SQLite loop (baseline) | %s | %.2f | %s rows/s | | | 100 %% | |\n",
                fmtRate(static_cast<double>(baseRows)).c_str(),
                static_cast<double>(baseRows) / bare, fmtRate(bare).c_str());
    std::printf(
        "\nack latency, sending at full speed (%zu batches): p50 %.0f ms, p99 %.0f ms, "
        "max %.0f ms; target p99 < 1000 ms: %s\n",
        allLat.size(), percentile(allLat, 0.5), percentile(allLat, 0.99), percentile(allLat, 1.0),
        ok(percentile(allLat, 0.99) < 1000));
    std::printf("  at full speed: updates p99 %.0f ms, alerts p99 %.0f ms\n",
                percentile(upd.latencyMs, 0.99), percentile(ale.latencyMs, 0.99));
    if (pacedRate > 0) {
        std::printf(
            "ack latency, paced at %zu envelopes/s (%zu batches): p50 %.0f ms, p99 %.0f ms, "
            "max %.0f ms; target p99 < 1000 ms: %s\n",
            pacedRate, paced.latencyMs.size(), percentile(paced.latencyMs, 0.5),
            percentile(paced.latencyMs, 0.99), percentile(paced.latencyMs, 1.0),
            ok(percentile(paced.latencyMs, 0.99) < 1000));
    }
    auto usPer = [](const PhaseResult& r) {
        return r.events ? r.cpuSeconds * 1e6 / static_cast<double>(r.events) : 0.0;
    };
    std::printf(
        "process CPU per event (client + console, load-independent-ish): updates %.1f us, "
        "alerts %.1f us, drain %.1f us; store only (its thread): updates %.1f us, alerts %.1f us\n",
        usPer(upd), usPer(ale), usPer(drn), usPer(store), usPer(storeAlerts));
    // The console's serial part in the live phases: how large the group commits were and
    // what the committer thread (applyBatches: binds, SQLite, commit) cost per envelope.
    using CommitStats = core::IngestCommitter::Stats;
    auto commits = [](const CommitStats& a, const CommitStats& b) {
        const auto tx = b.transactions - a.transactions;
        const auto env = b.envelopes - a.envelopes;
        char line[160];
        std::snprintf(line, sizeof line,
                      "%llu transactions, %.0f envelopes each, committer thread %.1f us/envelope",
                      static_cast<unsigned long long>(tx),
                      tx ? static_cast<double>(env) / static_cast<double>(tx) : 0.0,
                      env ? (b.threadCpuSeconds - a.threadCpuSeconds) * 1e6 /
                                static_cast<double>(env)
                          : 0.0);
        return std::string(line);
    };
    std::printf("group commits, live updates: %s\n", commits(atStart, afterUpdates).c_str());
    std::printf("group commits, live alerts: %s\n", commits(afterUpdates, afterAlerts).c_str());
    if (backlog > 0)
        std::printf("outbox fill before the drain (not timed above): %.1f s\n", fillSeconds);
    server.stop();
    return 0;
}
