// SPDX-License-Identifier: Apache-2.0
// SNMP end to end with real processes: `ironsight-sensor run --replay PCAP --snmp-agentx SOCKET`
// started before the master agent exists (it says so once and keeps retrying), then a real snmpd
// (`master agentx`) on loopback as this user; snmpget, with IRONSIGHT-SENSOR-MIB loaded, reads the
// sensor's health through snmpd: the packets of the capture, learning off, the link disconnected
// (its console endpoint is a closed port), the outbox holding what waits for the console.
#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <pcap/pcap.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "sensor-agent/store/state_store.h"

namespace ironsight::sensor {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

const std::string kSensor = std::string(IRONSIGHT_BINARY_DIR) + "/bin/ironsight-sensor";
const fs::path kSource = IRONSIGHT_SOURCE_DIR;
const fs::path kPcap = kSource.parent_path() / "shared" / "pcaps" / "modbus-cloudshark-polling.pcap";

std::string readAll(const fs::path& f) {
    std::ifstream in(f);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

std::string findProgram(const std::vector<std::string>& candidates) {
    for (const auto& c : candidates) {
        if (::access(c.c_str(), X_OK) == 0) return c;
    }
    return {};
}

/// fork + exec with stdout/stderr to files and extra environment; the child's pid.
pid_t spawn(const std::string& program, const std::vector<std::string>& args, const fs::path& out,
            const fs::path& err, const std::vector<std::string>& env = {}) {
    const pid_t pid = ::fork();
    if (pid == 0) {
        const int o = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        const int e = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        ::dup2(o, 1);
        ::dup2(e, 2);
        for (const auto& kv : env) ::putenv(const_cast<char*>(kv.c_str()));
        std::vector<char*> argv{const_cast<char*>(program.c_str())};
        for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
        argv.push_back(nullptr);
        ::execv(program.c_str(), argv.data());
        _exit(127);
    }
    return pid;
}

int stopProcess(pid_t pid) {
    if (pid <= 0) return -1;
    ::kill(pid, SIGTERM);
    int status = 0;
    ::waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/// A loopback port nothing listens on right now (bound to port 0, then released).
int freePort(int type) {
    const int fd = ::socket(AF_INET, type, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
        ::close(fd);
        return -1;
    }
    socklen_t len = sizeof(addr);
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    ::close(fd);
    return ntohs(addr.sin_port);
}

std::uint64_t pcapPackets(const fs::path& file) {
    char error[PCAP_ERRBUF_SIZE] = {};
    pcap_t* p = pcap_open_offline(file.c_str(), error);
    if (!p) return 0;
    std::uint64_t n = 0;
    pcap_pkthdr* header = nullptr;
    const u_char* data = nullptr;
    while (pcap_next_ex(p, &header, &data) == 1) ++n;
    pcap_close(p);
    return n;
}

/// Runs a command line; its stdout (stderr to `err`).
std::string capture(const std::string& command, const fs::path& err) {
    std::string out;
    FILE* pipe = ::popen((command + " 2>" + err.string()).c_str(), "r");
    if (!pipe) return out;
    char buffer[4096];
    while (std::size_t n = std::fread(buffer, 1, sizeof(buffer), pipe)) out.append(buffer, n);
    ::pclose(pipe);
    return out;
}

/// "IRONSIGHT-SENSOR-MIB::name.0 = TYPE: value" lines -> name -> "TYPE: value".
std::map<std::string, std::string> parseVarbinds(const std::string& text) {
    std::map<std::string, std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
        const auto sep = line.find(" = ");
        const auto colons = line.find("::");
        if (sep == std::string::npos || colons == std::string::npos || colons > sep) continue;
        std::string name = line.substr(colons + 2, sep - colons - 2);
        if (name.size() > 2 && name.compare(name.size() - 2, 2, ".0") == 0) name.resize(name.size() - 2);
        out[name] = line.substr(sep + 3);
    }
    return out;
}

TEST(SnmpSubagentTest, SnmpgetReadsTheRunningSensorsHealthThroughSnmpd) {
    const std::string snmpd = findProgram({"/usr/sbin/snmpd", "/usr/bin/snmpd"});
    const std::string snmpget = findProgram({"/usr/bin/snmpget"});
    if (snmpd.empty() || snmpget.empty()) {
        GTEST_SKIP() << "snmpd or snmpget not installed (Debian: apt-get install snmpd snmp)";
    }
    if (!fs::exists(kPcap)) GTEST_SKIP() << "../shared/pcaps not present (" << kPcap << ")";
    const std::uint64_t expectedPackets = pcapPackets(kPcap);
    ASSERT_GT(expectedPackets, 0u);

    const fs::path dir = fs::temp_directory_path() / ("ironsight_snmp_" + std::to_string(::getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir / "persist");
    const fs::path socket = dir / "agentx.sock";
    const int snmpPort = freePort(SOCK_DGRAM);
    const int closedPort = freePort(SOCK_STREAM);
    ASSERT_GT(snmpPort, 0);
    ASSERT_GT(closedPort, 0);

    // An activated-looking state whose console endpoint is a closed loopback port: the link keeps
    // retrying (disconnected) and everything waits in the outbox. Learning off.
    const fs::path state = dir / "state";
    {
        auto store = store::StateStore::open(state);
        ASSERT_TRUE(store.ok());
        ASSERT_TRUE(store->set(store::meta::kSensorId, "snmp-test").ok());
        ASSERT_TRUE(store->set(store::meta::kStreamEndpoints,
                               "127.0.0.1:" + std::to_string(closedPort))
                        .ok());
        ASSERT_TRUE(store->setLearning(false).ok());
        fs::create_directories(store->identityDir());
        for (const auto& f : {store->keyPath(), store->certPath(), store->caPath()}) {
            std::ofstream(f) << "-----BEGIN STAND-IN-----\n";
        }
    }
    // The socket from sensor.toml (the setting's path through the config file).
    std::ofstream(dir / "sensor.toml") << "[snmp]\nagentx_socket = \"" << socket.string() << "\"\n";

    // 1. The sensor first: no master yet.
    const fs::path sensorOut = dir / "sensor.out", sensorErr = dir / "sensor.err";
    const pid_t sensor = spawn(kSensor,
                               {"run", "--replay", kPcap.string(), "--top-speed", "--config",
                                (dir / "sensor.toml").string(), "--state-dir", state.string()},
                               sensorOut, sensorErr);
    ASSERT_GT(sensor, 0);
    auto deadline = Clock::now() + std::chrono::seconds(60);
    while (Clock::now() < deadline && readAll(sensorErr).find("snmp: AgentX master") == std::string::npos) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    EXPECT_NE(readAll(sensorErr).find("snmp: AgentX master at " + socket.string() +
                                      " not reachable; retrying every 15 s"),
              std::string::npos)
        << readAll(sensorErr);

    // 2. snmpd as this user, on loopback only, with its own config, pid and persistent files.
    std::ofstream(dir / "snmpd.conf") << "master agentx\n"
                                      << "agentXSocket " << socket.string() << "\n"
                                      << "agentaddress udp:127.0.0.1:" << snmpPort << "\n"
                                      << "rocommunity public 127.0.0.1\n";
    const std::string persistEnv = "SNMP_PERSISTENT_DIR=" + (dir / "persist").string();
    const pid_t master = spawn(snmpd,
                               {"-f", "-Lo", "-C", "-c", (dir / "snmpd.conf").string(), "-p",
                                (dir / "snmpd.pid").string()},
                               dir / "snmpd.out", dir / "snmpd.err", {persistEnv});
    ASSERT_GT(master, 0);

    // 3. snmpget through snmpd, names from the shipped MIB (plus stand-ins for the IETF base
    // modules, see testdata/mibs), until the sensor has registered and analysed the whole file.
    const std::string mibDirs = (kSource / "sensor-agent/snmp/testdata/mibs").string() + ":" +
                                (kSource / "resources/snmp").string();
    // -OU: values without their UNITS suffix.
    std::string command = snmpget + " -v2c -c public -OU -t 2 -r 1 -M " + mibDirs +
                          " -m IRONSIGHT-SENSOR-MIB 127.0.0.1:" + std::to_string(snmpPort);
    for (const char* name :
         {"ironsightSensorPackets", "ironsightSensorBytes", "ironsightSensorDrops",
          "ironsightSensorPacketsPerSecond", "ironsightSensorBytesPerSecond",
          "ironsightSensorOutboxRecords", "ironsightSensorOutboxBytes",
          "ironsightSensorOutboxOldestAge", "ironsightSensorLearningMode",
          "ironsightSensorLinkState", "ironsightSensorUptime", "ironsightSensorVersion",
          "ironsightSensorAlertsRaised"}) {
        command += std::string(" IRONSIGHT-SENSOR-MIB::") + name + ".0";
    }
    const std::string wantPackets = "Counter64: " + std::to_string(expectedPackets);
    std::map<std::string, std::string> values;
    std::string raw;
    deadline = Clock::now() + std::chrono::seconds(120);  // the subagent retries every 15 s
    while (Clock::now() < deadline) {
        raw = capture(command, dir / "snmpget.err");
        values = parseVarbinds(raw);
        if (values["ironsightSensorPackets"] == wantPackets) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(500));
    }
    const std::string context = "snmpget:\n" + raw + readAll(dir / "snmpget.err") +
                                "\nsensor:\n" + readAll(sensorErr) + "\nsnmpd:\n" +
                                readAll(dir / "snmpd.out") + readAll(dir / "snmpd.err");
    EXPECT_EQ(values["ironsightSensorPackets"], wantPackets) << context;
    EXPECT_NE(readAll(sensorErr).find("snmp: registered with the AgentX master at " +
                                      socket.string()),
              std::string::npos)
        << context;
    const auto number = [&](const std::string& name, const std::string& type) -> long long {
        const std::string& v = values[name];
        if (v.rfind(type + ": ", 0) != 0) return -1;
        return std::stoll(v.substr(type.size() + 2));
    };
    EXPECT_GT(number("ironsightSensorBytes", "Counter64"), static_cast<long long>(expectedPackets))
        << context;
    EXPECT_EQ(values["ironsightSensorDrops"], "Counter64: 0") << context;  // a replay drops none
    EXPECT_GE(number("ironsightSensorPacketsPerSecond", "Gauge32"), 0) << context;
    EXPECT_GE(number("ironsightSensorBytesPerSecond", "Gauge32"), 0) << context;
    // Nothing reaches the closed console port: inventory, health and alerts wait in the outbox.
    EXPECT_GT(number("ironsightSensorOutboxRecords", "Gauge32"), 0) << context;
    EXPECT_GT(number("ironsightSensorOutboxBytes", "Gauge32"), 0) << context;
    EXPECT_GE(number("ironsightSensorOutboxOldestAge", "Gauge32"), 0) << context;
    EXPECT_EQ(values["ironsightSensorLearningMode"], "INTEGER: false(2)") << context;
    EXPECT_EQ(values["ironsightSensorLinkState"], "INTEGER: disconnected(2)") << context;
    EXPECT_EQ(values["ironsightSensorUptime"].rfind("Timeticks: (", 0), 0u) << context;
    EXPECT_EQ(values["ironsightSensorVersion"].rfind("STRING: ", 0), 0u) << context;
    EXPECT_GE(number("ironsightSensorAlertsRaised", "Counter64"), 0) << context;

    // 4. The sensor's own count agrees; stopping the sensor (subagent thread first) is clean.
    EXPECT_EQ(stopProcess(sensor), 0) << context;
    EXPECT_NE(readAll(sensorOut).find("stopped: " + std::to_string(expectedPackets) + " packets"),
              std::string::npos)
        << readAll(sensorOut);
    // Its objects left with it: snmpd answers, but no longer with the sensor's values.
    const auto after = parseVarbinds(capture(command, dir / "snmpget.err"));
    EXPECT_NE(after.count("ironsightSensorPackets") ? after.at("ironsightSensorPackets") : "",
              wantPackets);
    stopProcess(master);
    fs::remove_all(dir);
}

}  // namespace
}  // namespace ironsight::sensor
