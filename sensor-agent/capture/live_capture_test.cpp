// SPDX-License-Identifier: Apache-2.0
// Live capture on the loopback interface with real sockets: a Modbus/TCP exchange and a DNS
// datagram reach the engine; BPF filters; one-line errors; counters; the bounded queue; the
// `interfaces --json` listing through the real binary; and the privilege drop in forked children
// (capabilities gone from /proc/self/status, the open handle still capturing).
// Skips, saying why, where live capture is not permitted (no root, no CAP_NET_RAW).
#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "sensor-agent/capture/interface_list.h"
#include "sensor-agent/capture/live_source.h"
#include "sensor-agent/capture/packet_queue.h"
#include "sensor-agent/capture/privileges.h"
#include "ironsight/v1/link.pb.h"
#include "sensor-agent/engine/engine.h"
#include "sensor-agent/store/outbox.h"
#include "sensor-agent/store/state_store.h"
#include "tests/support/packet_builder.h"

namespace ironsight::sensor {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

/// A socket file descriptor, closed on destruction.
class Fd {
public:
    explicit Fd(int fd = -1) : fd_(fd) {}
    ~Fd() {
        if (fd_ >= 0) ::close(fd_);
    }
    Fd(Fd&& o) noexcept : fd_(o.fd_) { o.fd_ = -1; }
    Fd& operator=(Fd&&) = delete;
    Fd(const Fd&) = delete;
    int get() const { return fd_; }

private:
    int fd_;
};

sockaddr_in loopback(std::uint16_t port) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return a;
}

void sendUdp(std::uint16_t port, const std::vector<std::uint8_t>& payload) {
    Fd s(::socket(AF_INET, SOCK_DGRAM, 0));
    ASSERT_GE(s.get(), 0);
    const auto to = loopback(port);
    ASSERT_EQ(::sendto(s.get(), payload.data(), payload.size(), 0,
                       reinterpret_cast<const sockaddr*>(&to), sizeof to),
              static_cast<ssize_t>(payload.size()));
}

/// Opens a capture on "lo", or explains why this machine does not allow it.
Result<LiveSource> openLoopback(const std::string& filter = {}) {
    LiveOptions options;
    options.interface = "lo";
    options.filter = filter;
    options.bufferBytes = 4 * 1024 * 1024;
    options.timeoutMs = 50;
    return LiveSource::open(options);
}

#define OPEN_LOOPBACK_OR_SKIP(var, filter)                                                 \
    auto var = openLoopback(filter);                                                       \
    if (!var && var.error().message.find("permission") != std::string::npos) {             \
        GTEST_SKIP() << "live capture not permitted here (" << var.error().message << ")"; \
    }                                                                                      \
    ASSERT_TRUE(var.ok()) << var.error().message

/// Dispatches into `engine` until `done()` or 5 s passed.
template <typename Done>
void captureUntil(LiveSource& source, Engine& engine, Done done) {
    const auto deadline = Clock::now() + std::chrono::seconds(5);
    while (!done() && Clock::now() < deadline) {
        auto n = source.dispatch([&](const RawPacket& p) { engine.process(p); });
        ASSERT_TRUE(n.ok()) << n.error().message;
    }
}

TEST(LiveCaptureTest, ModbusExchangeOnLoopbackReachesTheEngine) {
    OPEN_LOOPBACK_OR_SKIP(source, "tcp port 502");
    EXPECT_EQ(source->linkType(), 1);  // Linux loopback frames carry an Ethernet header

    Fd server(::socket(AF_INET, SOCK_STREAM, 0));
    ASSERT_GE(server.get(), 0);
    const int one = 1;
    ::setsockopt(server.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    auto addr = loopback(502);
    if (::bind(server.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        GTEST_SKIP() << "cannot bind 127.0.0.1:502 (in use or not permitted)";
    }
    ASSERT_EQ(::listen(server.get(), 4), 0);
    Fd client(::socket(AF_INET, SOCK_STREAM, 0));
    ASSERT_EQ(::connect(client.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    Fd accepted(::accept(server.get(), nullptr, nullptr));
    ASSERT_GE(accepted.get(), 0);

    const auto request = test::modbusAdu(7, 1, test::modbusReadRequest(3, 100, 2));
    const auto response = test::modbusAdu(7, 1, test::modbusReadResponse(3, {0x1234, 0x5678}));
    ASSERT_EQ(::send(client.get(), request.data(), request.size(), 0),
              static_cast<ssize_t>(request.size()));
    std::vector<std::uint8_t> buf(256);
    ASSERT_EQ(::recv(accepted.get(), buf.data(), buf.size(), 0),
              static_cast<ssize_t>(request.size()));
    ASSERT_EQ(::send(accepted.get(), response.data(), response.size(), 0),
              static_cast<ssize_t>(response.size()));
    ASSERT_EQ(::recv(client.get(), buf.data(), buf.size(), 0),
              static_cast<ssize_t>(response.size()));

    Engine engine;
    const auto sawRead = [&] {
        for (const auto& op : engine.operations()) {
            if (op.protocol == "modbus" && op.function == "read_holding_registers") return true;
        }
        return false;
    };
    captureUntil(*source, engine, sawRead);
    ASSERT_TRUE(sawRead()) << "no modbus operation after " << engine.stats().packets
                           << " captured packets";
    bool connection = false;
    for (const auto& c : engine.connections()) {
        connection = connection || (c.protocol == "modbus" && c.port == 502 &&
                                    c.srcIp == "127.0.0.1" && c.dstIp == "127.0.0.1");
    }
    EXPECT_TRUE(connection);
    auto stats = source->stats();
    ASSERT_TRUE(stats.ok()) << stats.error().message;
    EXPECT_GE(stats->received, 4U);  // handshake + request + response at least
    EXPECT_EQ(stats->kernelDrops, 0U);
}

TEST(LiveCaptureTest, UdpDatagramOnLoopbackReachesTheEngine) {
    OPEN_LOOPBACK_OR_SKIP(source, "udp port 53");
    sendUdp(53, test::dnsQuery(0x4242, "plc1.plant.example"));
    Engine engine;
    const auto sawDns = [&] {
        for (const auto& c : engine.connections()) {
            if (c.transport == "udp" && c.port == 53 && c.protocol == "dns") return true;
        }
        return false;
    };
    captureUntil(*source, engine, sawDns);
    EXPECT_TRUE(sawDns()) << engine.stats().packets << " packets captured";
}

TEST(LiveCaptureTest, BpfFilterKeepsOnlyMatchingPackets) {
    OPEN_LOOPBACK_OR_SKIP(source, "udp dst port 40411");
    for (int i = 0; i < 3; ++i) {
        sendUdp(40412, {1, 2, 3});
        sendUdp(40411, {4, 5, 6, 7});
    }
    int matching = 0, other = 0;
    const auto deadline = Clock::now() + std::chrono::seconds(5);
    while (matching < 3 && Clock::now() < deadline) {
        auto n = source->dispatch([&](const RawPacket& p) {
            // Ethernet (14) + IPv4 (20) + UDP: destination port at 36.
            ASSERT_GE(p.data.size(), 38U);
            const int port = (p.data[36] << 8) | p.data[37];
            (port == 40411 ? matching : other)++;
        });
        ASSERT_TRUE(n.ok()) << n.error().message;
    }
    // A little longer for stray packets of the other port (there must be none).
    ASSERT_TRUE(source->dispatch([&](const RawPacket&) { ++other; }).ok());
    EXPECT_EQ(matching, 3);
    EXPECT_EQ(other, 0);
}

TEST(LiveCaptureTest, BreakLoopStopsAWaitingDispatch) {
    OPEN_LOOPBACK_OR_SKIP(source, "udp port 40413");
    std::atomic<bool> stop{false};
    std::thread capture([&] {
        while (!stop.load()) {
            auto n = source->dispatch([](const RawPacket&) {});
            if (!n) break;
        }
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(120));
    const auto start = Clock::now();
    stop = true;
    source->breakLoop();
    capture.join();
    EXPECT_LT(Clock::now() - start, std::chrono::seconds(1));
}

TEST(LiveCaptureTest, BadInterfaceIsOneClearLine) {
    LiveOptions options;
    options.interface = "nosuchif0";
    auto source = LiveSource::open(options);
    ASSERT_FALSE(source.ok());
    if (source.error().message.find("permission") != std::string::npos) {
        GTEST_SKIP() << "live capture not permitted here (" << source.error().message << ")";
    }
    EXPECT_EQ(source.error().message, "no such interface: nosuchif0");
}

TEST(LiveCaptureTest, BadFilterIsOneClearLine) {
    auto source = openLoopback("tcp port");
    ASSERT_FALSE(source.ok());
    if (source.error().message.find("permission") != std::string::npos) {
        GTEST_SKIP() << "live capture not permitted here (" << source.error().message << ")";
    }
    const std::string& message = source.error().message;
    EXPECT_EQ(message.rfind("bad BPF filter 'tcp port': ", 0), 0U) << message;
    EXPECT_EQ(message.find('\n'), std::string::npos) << message;
}

TEST(PacketQueueTest, BoundedAndCountsWhatItDrops) {
    PacketQueue queue(/*maxBytes=*/1000, /*maxPackets=*/8);
    std::vector<std::uint8_t> frame(100, 0xab);
    RawPacket p;
    p.data = frame;
    int accepted = 0;
    for (int i = 0; i < 20; ++i) {
        p.timestampUs = i;
        accepted += queue.push(p) ? 1 : 0;
    }
    EXPECT_EQ(accepted, 8);  // the packet cap comes first (8 x 100 bytes < 1000)
    EXPECT_EQ(queue.dropped(), 12U);
    PacketBatch batch;
    queue.pop(batch, std::chrono::milliseconds(0));
    ASSERT_EQ(batch.size(), 8U);
    EXPECT_EQ(batch.at(7).timestampUs, 7);
    EXPECT_EQ(batch.at(7).data.size(), 100U);
    EXPECT_EQ(batch.at(7).data[99], 0xab);
    // Room again once the consumer took the batch; the byte cap applies too.
    std::vector<std::uint8_t> big(600, 1);
    p.data = big;
    EXPECT_TRUE(queue.push(p));
    EXPECT_FALSE(queue.push(p));  // 1200 bytes > 1000
    queue.pop(batch, std::chrono::milliseconds(0));
    EXPECT_EQ(batch.size(), 1U);
    EXPECT_EQ(queue.dropped(), 13U);
}

TEST(PacketQueueTest, ManyProducersOneConsumerLoseNothingUncounted) {
    PacketQueue queue(64 * 1024, 256);
    constexpr int kProducers = 4, kEach = 20000;
    std::atomic<int> running{kProducers};
    std::vector<std::thread> producers;
    for (int t = 0; t < kProducers; ++t) {
        producers.emplace_back([&, t] {
            std::uint8_t bytes[4] = {static_cast<std::uint8_t>(t), 0, 0, 0};
            RawPacket p;
            p.data = bytes;
            for (int i = 0; i < kEach; ++i) {
                p.timestampUs = i;
                queue.push(p);
            }
            --running;
        });
    }
    std::uint64_t consumed = 0;
    std::vector<std::int64_t> lastTs(kProducers, -1);
    bool ordered = true;
    PacketBatch batch;
    while (running.load() > 0 || consumed + queue.dropped() < std::uint64_t{kProducers} * kEach) {
        queue.pop(batch, std::chrono::milliseconds(10));
        for (std::size_t i = 0; i < batch.size(); ++i) {
            const RawPacket p = batch.at(i);
            auto& last = lastTs[p.data[0]];
            ordered = ordered && p.timestampUs > last;  // per producer, in order
            last = p.timestampUs;
        }
        consumed += batch.size();
    }
    for (auto& t : producers) t.join();
    EXPECT_TRUE(ordered);
    EXPECT_EQ(consumed + queue.dropped(), std::uint64_t{kProducers} * kEach);
    EXPECT_EQ(queue.pushed(), consumed);
}

struct CommandRun {
    int exitCode = -1;
    std::string out, err;
};

CommandRun runSensor(const std::string& args) {
    const fs::path errFile =
        fs::temp_directory_path() / ("ironsight_live_err_" + std::to_string(::getpid()));
    const std::string cmd = std::string(IRONSIGHT_BINARY_DIR) + "/bin/ironsight-sensor " + args +
                            " 2>" + errFile.string();
    CommandRun r;
    FILE* p = ::popen(cmd.c_str(), "r");
    if (!p) return r;
    char buf[65536];
    std::size_t got;
    while ((got = std::fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, got);
    const int status = ::pclose(p);
    r.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    std::ifstream e(errFile);
    r.err.assign(std::istreambuf_iterator<char>(e), {});
    fs::remove(errFile);
    return r;
}

TEST(InterfacesCommandTest, JsonListsLoopbackAsLoopback) {
    const auto r = runSensor("interfaces --json");
    ASSERT_EQ(r.exitCode, 0) << r.err;
    const auto doc = nlohmann::json::parse(r.out, nullptr, false);
    ASSERT_TRUE(doc.is_array()) << r.out;
    const nlohmann::json* lo = nullptr;
    for (const auto& i : doc) {
        if (i.value("name", "") == "lo") lo = &i;
    }
    ASSERT_NE(lo, nullptr) << r.out;
    EXPECT_TRUE((*lo)["flags"]["loopback"].get<bool>());
    EXPECT_TRUE((*lo)["flags"]["up"].get<bool>());
    EXPECT_FALSE((*lo)["likely_monitor_port"].get<bool>());
    bool has127 = false;
    for (const auto& a : (*lo)["addresses"]) {
        has127 = has127 || (a["family"] == "ipv4" && a["address"] == "127.0.0.1");
    }
    EXPECT_TRUE(has127) << lo->dump();
    // The counters are the kernel's own.
    std::uint64_t rx = 0;
    std::ifstream("/sys/class/net/lo/statistics/rx_packets") >> rx;
    EXPECT_LE((*lo)["counters"]["rx_packets"].get<std::uint64_t>(), rx);
    EXPECT_GT((*lo)["counters"]["rx_packets"].get<std::uint64_t>(), 0U);
}

TEST(InterfacesCommandTest, TableMarksColumnsAndLoopback) {
    const auto r = runSensor("interfaces");
    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_NE(r.out.find("INTERFACE"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("lo "), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("loopback"), std::string::npos) << r.out;
}

TEST(RunConfigTest, CaptureSectionOfTheConfigFileIsUsedAndChecked) {
    const fs::path dir =
        fs::temp_directory_path() / ("ironsight_cfg_" + std::to_string(::getpid()));
    fs::create_directories(dir);
    const auto write = [&](const std::string& name, const std::string& text) {
        std::ofstream(dir / name) << text;
        return (dir / name).string();
    };
    const std::string state = " --state-dir " + (dir / "state").string();
    // The interfaces come from [capture]: the capture opens before anything else is checked.
    auto r = runSensor("run --config " +
                       write("a.toml",
                             "[capture]\n"
                             "interfaces = [\"nosuchif0\"]\nbuffer_mb = 8\n") +
                       state);
    EXPECT_EQ(r.exitCode, 1);
    if (r.err.find("permission denied") == std::string::npos) {
        EXPECT_EQ(r.err, "error: no such interface: nosuchif0\n");
        // The command line wins over the file.
        r = runSensor("run --config " + (dir / "a.toml").string() + " --interface nosuchif1" +
                      state);
        EXPECT_EQ(r.err, "error: no such interface: nosuchif1\n");
        r = runSensor("run --config " +
                      write("f.toml", "[capture]\ninterfaces = [\"lo\"]\nfilter = \"tcp port\"\n") +
                      state);
        EXPECT_EQ(r.err.rfind("error: bad BPF filter 'tcp port': ", 0), 0U) << r.err;
    }
    r = runSensor("run --config " + write("b.toml", "[capture]\ninterfaces = \"lo\"\n") + state);
    EXPECT_EQ(r.exitCode, 1);
    EXPECT_EQ(r.err, "error: " + (dir / "b.toml").string() +
                         ":2:14: capture.interfaces must be a list of strings\n");
    r = runSensor("run --config " + write("c.toml", "[capture]\ninterface = [\"lo\"]\n") + state);
    EXPECT_EQ(r.err, "error: " + (dir / "c.toml").string() +
                         ":2:1: unknown setting capture.interface (known in [capture]: "
                         "interfaces, filter, buffer_mb, snaplen, workers, user)\n");
    // Every problem of a file is reported at once, one line each.
    r = runSensor("run --config " +
                  write("e.toml", "[capture]\nsnaplen = 10\n[outbox]\nmax_mb = 0\n[console]\n") +
                  state);
    EXPECT_EQ(r.exitCode, 1);
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 3) << r.err;
    EXPECT_NE(r.err.find(":2:11: capture.snaplen must be an integer from 64 to 262144\n"),
              std::string::npos)
        << r.err;
    EXPECT_NE(r.err.find(":5:1: unknown section [console]"), std::string::npos) << r.err;
    r = runSensor("run --config " + write("d.toml", "[capture\n") + state);
    EXPECT_EQ(r.exitCode, 1);
    EXPECT_EQ(r.err.rfind("error: " + (dir / "d.toml").string() + ":1:", 0), 0U) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    fs::remove_all(dir);
}

TEST(InterfaceListTest, MonitorPortHeuristic) {
    InterfaceInfo span;
    span.name = "eth1";
    span.up = span.running = span.hasCounters = true;
    span.rxPackets = 100000;
    span.txPackets = 3;
    span.addresses.push_back({"ipv6", "fe80::1", "ffff:ffff:ffff:ffff::"});
    EXPECT_TRUE(looksLikeMonitorPort(span));
    auto withIp = span;
    withIp.addresses.push_back({"ipv4", "10.0.0.2", "255.255.255.0"});
    EXPECT_FALSE(looksLikeMonitorPort(withIp));
    auto talking = span;
    talking.txPackets = 50000;
    EXPECT_FALSE(looksLikeMonitorPort(talking));
    auto silent = span;
    silent.rxPackets = silent.txPackets = 0;
    EXPECT_FALSE(looksLikeMonitorPort(silent));
    auto down = span;
    down.running = false;
    EXPECT_FALSE(looksLikeMonitorPort(down));
    auto lo = span;
    lo.loopback = true;
    EXPECT_FALSE(looksLikeMonitorPort(lo));
}

/// Runs `body` in a forked child (privileges are dropped there, never in the test process) and
/// returns what it wrote to the pipe; the child exits 0 when everything it checked held.
struct ChildResult {
    int exitCode = -1;
    std::string message;
};

template <typename Body>
ChildResult inChild(Body body) {
    int fds[2];
    if (::pipe(fds) != 0) return {};
    const pid_t pid = ::fork();
    if (pid == 0) {
        ::close(fds[0]);
        std::string message;
        const int code = body(message);
        if (::write(fds[1], message.data(), message.size()) < 0) _exit(99);
        _exit(code);
    }
    ::close(fds[1]);
    ChildResult r;
    char buf[4096];
    ssize_t got;
    while ((got = ::read(fds[0], buf, sizeof buf)) > 0) r.message.append(buf, got);
    ::close(fds[0]);
    int status = 0;
    ::waitpid(pid, &status, 0);
    r.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return r;
}

TEST(PrivilegesTest, ReadsOwnCapabilities) {
    auto caps = readCapabilities();
    ASSERT_TRUE(caps.ok()) << caps.error().message;
    if (::geteuid() == 0) {
        EXPECT_TRUE(hasCapability(caps->effective, 13));  // CAP_NET_RAW
    }
}

TEST(PrivilegesTest, DroppingKeepsTheOpenCaptureAndLosesCapNetRaw) {
    { OPEN_LOOPBACK_OR_SKIP(probe, "udp port 40414"); }
    if (::geteuid() != 0) GTEST_SKIP() << "switching users needs root";
    const auto r = inChild([](std::string& message) {
        auto source = openLoopback("udp port 40414");
        if (!source) return message = source.error().message, 2;
        if (auto st = dropPrivileges("nobody"); !st) return message = st.error().message, 3;
        auto caps = readCapabilities();
        if (!caps) return message = caps.error().message, 4;
        if (hasCapability(caps->effective, 13) || caps->permitted != 0 || caps->bounding != 0) {
            return message = "capabilities left", 5;
        }
        if (::getuid() == 0 || ::geteuid() == 0) return message = "still root", 6;
        // The handle opened before still captures...
        sendUdp(40414, {1, 2, 3});
        int seen = 0;
        const auto deadline = Clock::now() + std::chrono::seconds(5);
        while (seen == 0 && Clock::now() < deadline) {
            auto n = source->dispatch([&](const RawPacket&) { ++seen; });
            if (!n) return message = n.error().message, 7;
        }
        if (seen == 0) return message = "nothing captured after dropping", 8;
        // ...but no new one can be opened.
        auto again = openLoopback();
        if (again) return message = "opened a capture without privileges", 9;
        message = again.error().message;
        return 0;
    });
    EXPECT_EQ(r.exitCode, 0) << r.message;
    EXPECT_NE(r.message.find("permission denied"), std::string::npos) << r.message;
}

TEST(PrivilegesTest, RootWithoutUserStaysRootWithoutCapabilities) {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root";
    const auto r = inChild([](std::string& message) {
        if (auto st = dropPrivileges(); !st) return message = st.error().message, 2;
        std::ifstream status("/proc/self/status");
        for (std::string line; std::getline(status, line);) {
            if (line.rfind("Cap", 0) == 0) message += line + "\n";
        }
        auto caps = readCapabilities();
        if (!caps || caps->effective != 0 || caps->permitted != 0 || caps->bounding != 0) return 3;
        return ::geteuid() == 0 ? 0 : 4;
    });
    EXPECT_EQ(r.exitCode, 0) << r.message;
    EXPECT_NE(r.message.find("CapEff:\t0000000000000000"), std::string::npos) << r.message;
}

TEST(PrivilegesTest, UnknownUserIsOneClearLine) {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root";
    const auto r = inChild([](std::string& message) {
        auto st = dropPrivileges("no-such-user-ironsight");
        if (st) return 2;
        message = st.error().message;
        return 0;
    });
    EXPECT_EQ(r.exitCode, 0);
    EXPECT_EQ(r.message, "no such user: no-such-user-ironsight");
}

TEST(PrivilegesTest, UserSwitchNeedsRoot) {
    if (::geteuid() == 0) GTEST_SKIP() << "runs as root: the refusal only applies to other users";
    auto st = dropPrivileges("nobody");
    ASSERT_FALSE(st.ok());
    EXPECT_NE(st.error().message.find("needs the sensor to start as root"), std::string::npos);
}

/// A state directory `run` accepts: a sensor id and identity files. No console endpoint: the
/// link stays idle and everything waits in the outbox.
fs::path makeActivatedStateDir(const std::string& name) {
    const fs::path dir = fs::temp_directory_path() / (name + std::to_string(::getpid()));
    fs::remove_all(dir);
    auto store = store::StateStore::open(dir);
    EXPECT_TRUE(store.ok());
    if (!store) return dir;
    EXPECT_TRUE(store->set(store::meta::kSensorId, "live-test").ok());
    fs::create_directories(store->identityDir());
    for (const auto& f : {store->keyPath(), store->certPath(), store->caPath()}) {
        std::ofstream(f) << "-----BEGIN PLACEHOLDER-----\n";
    }
    return dir;
}

std::string statusField(pid_t pid, const std::string& field) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/status");
    for (std::string line; std::getline(in, line);) {
        if (line.rfind(field + ":", 0) == 0) return line.substr(field.size() + 1);
    }
    return {};
}

/// `ironsight-sensor run --interface lo` as a real process: it captures a Modbus exchange, runs
/// without capabilities (and as `nobody`) while it does, and stops cleanly on SIGTERM.
TEST(RunLiveTest, CapturesOnLoopbackWithoutPrivilegesAndStopsOnSigterm) {
    { OPEN_LOOPBACK_OR_SKIP(probe, "tcp port 502"); }
    if (::geteuid() != 0) GTEST_SKIP() << "the --user switch needs root";
    const fs::path dir = makeActivatedStateDir("ironsight_run_live_");
    // The state dir belongs to the user the sensor switches to.
    for (const auto& e : fs::recursive_directory_iterator(dir)) {
        ASSERT_EQ(::chown(e.path().c_str(), 65534, 65534), 0);
    }
    ASSERT_EQ(::chown(dir.c_str(), 65534, 65534), 0);
    const fs::path outFile = dir.string() + ".out", errFile = dir.string() + ".err";
    const std::string binary = std::string(IRONSIGHT_BINARY_DIR) + "/bin/ironsight-sensor";
    const pid_t pid = ::fork();
    if (pid == 0) {
        const int out = ::open(outFile.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        const int err = ::open(errFile.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        ::dup2(out, 1);
        ::dup2(err, 2);
        ::execl(binary.c_str(), binary.c_str(), "run", "--interface", "lo", "--filter",
                "tcp port 502", "--buffer-mb", "8", "--user", "nobody", "--state-dir", dir.c_str(),
                static_cast<char*>(nullptr));
        _exit(127);
    }
    ASSERT_GT(pid, 0);
    const auto readAll = [](const fs::path& f) {
        std::ifstream in(f);
        return std::string(std::istreambuf_iterator<char>(in), {});
    };
    // Wait until it captures (it says so once the handle is open and privileges are gone).
    const auto deadline = Clock::now() + std::chrono::seconds(10);
    while (readAll(errFile).find("capturing on lo") == std::string::npos &&
           Clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    ASSERT_NE(readAll(errFile).find("capturing on lo"), std::string::npos) << readAll(errFile);
    EXPECT_EQ(statusField(pid, "CapEff"), "\t0000000000000000");
    EXPECT_EQ(statusField(pid, "CapPrm"), "\t0000000000000000");
    EXPECT_EQ(statusField(pid, "Uid").substr(0, 6), "\t65534");
    EXPECT_EQ(statusField(pid, "NoNewPrivs"), "\t1");

    Fd server(::socket(AF_INET, SOCK_STREAM, 0));
    const int one = 1;
    ::setsockopt(server.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    auto addr = loopback(502);
    const bool bound = ::bind(server.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
                       ::listen(server.get(), 4) == 0;
    if (bound) {
        Fd client(::socket(AF_INET, SOCK_STREAM, 0));
        ASSERT_EQ(::connect(client.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
        Fd accepted(::accept(server.get(), nullptr, nullptr));
        const auto request = test::modbusAdu(9, 1, test::modbusReadRequest(3, 0, 4));
        ASSERT_EQ(::send(client.get(), request.data(), request.size(), 0),
                  static_cast<ssize_t>(request.size()));
        std::vector<std::uint8_t> buf(256);
        ASSERT_GT(::recv(accepted.get(), buf.data(), buf.size(), 0), 0);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(600));  // > ring block timeout
    ::kill(pid, SIGTERM);
    int status = 0;
    const auto waitDeadline = Clock::now() + std::chrono::seconds(10);
    pid_t done = 0;
    while ((done = ::waitpid(pid, &status, WNOHANG)) == 0 && Clock::now() < waitDeadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    if (done == 0) ::kill(pid, SIGKILL), ::waitpid(pid, &status, 0);
    ASSERT_EQ(done, pid) << "run did not stop on SIGTERM";
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << readAll(errFile);
    const std::string out = readAll(outFile), err = readAll(errFile);
    EXPECT_NE(out.find("stopped: "), std::string::npos) << out << err;
    EXPECT_NE(err.find("capture lo: "), std::string::npos) << err;
    EXPECT_NE(err.find(" 0 kernel drops"), std::string::npos) << err;
    if (bound) {
        // SYN, SYN-ACK, ACK, request, its ACK: at least 4 packets, and a Modbus connection.
        std::uint64_t packets = 0;
        std::sscanf(out.c_str(), "stopped: %lu packets", &packets);
        EXPECT_GE(packets, 4U) << out;
        EXPECT_EQ(out.find(" 0 connections"), std::string::npos) << out;
    }
    fs::remove_all(dir);
    fs::remove(outFile);
    fs::remove(errFile);
}

/// `ironsight-sensor run` capturing on two interfaces at once (`lo` and the `any` pseudo-device,
/// which sees loopback traffic too): the device behind 127.0.0.1 was seen on both, and its report
/// in the sensor's store (the outbox in state.db, read back after the process stopped) names
/// both, in the order of --interface.
TEST(RunLiveTest, ADeviceSeenOnTwoInterfacesNamesBothInItsStoredReport) {
    { OPEN_LOOPBACK_OR_SKIP(probe, "udp port 40499"); }
    const fs::path dir = makeActivatedStateDir("ironsight_run_two_interfaces_");
    const fs::path outFile = dir.string() + ".out", errFile = dir.string() + ".err";
    const std::string binary = std::string(IRONSIGHT_BINARY_DIR) + "/bin/ironsight-sensor";
    const pid_t pid = ::fork();
    if (pid == 0) {
        const int out = ::open(outFile.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        const int err = ::open(errFile.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        ::dup2(out, 1);
        ::dup2(err, 2);
        ::execl(binary.c_str(), binary.c_str(), "run", "--interface", "lo", "--interface", "any",
                "--filter", "udp port 40499", "--buffer-mb", "8", "--state-dir", dir.c_str(),
                static_cast<char*>(nullptr));
        _exit(127);
    }
    ASSERT_GT(pid, 0);
    const auto readAll = [](const fs::path& f) {
        std::ifstream in(f);
        return std::string(std::istreambuf_iterator<char>(in), {});
    };
    const auto deadline = Clock::now() + std::chrono::seconds(10);
    while (readAll(errFile).find("capturing on lo,any") == std::string::npos &&
           Clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    const bool capturing = readAll(errFile).find("capturing on lo,any") != std::string::npos;
    if (capturing) {
        for (int i = 0; i < 3; ++i) sendUdp(40499, {1, 2, 3});
        std::this_thread::sleep_for(std::chrono::milliseconds(600));  // > ring block timeout
    }
    ::kill(pid, SIGTERM);
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(capturing) << readAll(errFile);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << readAll(errFile);

    auto outbox = store::Outbox::open(dir);
    ASSERT_TRUE(outbox.ok()) << outbox.error().message;
    auto records = (*outbox)->read(1, 100000, 64 << 20);
    ASSERT_TRUE(records.ok()) << records.error().message;
    std::vector<std::string> interfaces;  // of the last report of the 127.0.0.1 device
    for (const auto& r : *records) {
        v1::Envelope env;
        ASSERT_TRUE(env.ParseFromArray(r.payload.data(), static_cast<int>(r.payload.size())));
        if (!env.has_device()) continue;
        const auto& ips = env.device().ips();
        if (std::find(ips.begin(), ips.end(), "127.0.0.1") == ips.end()) continue;
        interfaces.assign(env.device().interfaces().begin(), env.device().interfaces().end());
    }
    EXPECT_EQ(interfaces, (std::vector<std::string>{"lo", "any"})) << readAll(errFile);
    fs::remove_all(dir);
    fs::remove(outFile);
    fs::remove(errFile);
}

}  // namespace
}  // namespace ironsight::sensor
