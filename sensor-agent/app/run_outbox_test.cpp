// SPDX-License-Identifier: Apache-2.0
// `ironsight-sensor run --replay` as a real process, no console reachable, a small outbox
// ([outbox] max_mb in the config file): the outbox evicts inventory before alerts, counts it,
// and the sensor raises sensor_eviction; alert evidence lands in state.db and
// `ironsight-sensor evidence ALERT_ID -o FILE` exports a pcap that libpcap (and tshark) read.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <pcap/pcap.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "sensor-agent/store/state_store.h"
#include "shared/sqlite/sqlite.h"
#include "tests/support/plant_traffic.h"

namespace ironsight::sensor {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

const std::string kBinary = std::string(IRONSIGHT_BINARY_DIR) + "/bin/ironsight-sensor";

std::string readAll(const fs::path& f) {
    std::ifstream in(f);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

/// Starts the binary with `args`, stdout and stderr to files; the child's pid.
pid_t startTool(const std::vector<std::string>& args, const fs::path& out, const fs::path& err) {
    const pid_t pid = ::fork();
    if (pid == 0) {
        const int o = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        const int e = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        ::dup2(o, 1);
        ::dup2(e, 2);
        std::vector<char*> argv{const_cast<char*>(kBinary.c_str())};
        for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
        argv.push_back(nullptr);
        ::execv(kBinary.c_str(), argv.data());
        _exit(127);
    }
    return pid;
}

/// Runs the binary with `args`, stdout and stderr to files; returns the exit code.
int runTool(const std::vector<std::string>& args, const fs::path& out, const fs::path& err) {
    const pid_t pid = startTool(args, out, err);
    int status = 0;
    ::waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

/// A state dir `run` accepts: stand-in identity files and no console endpoint, so the link
/// stays idle and everything waits in the outbox (these tests need no console).
void makeIdleState(const fs::path& state, const std::string& sensorId, bool learning) {
    auto store = store::StateStore::open(state);
    ASSERT_TRUE(store.ok());
    ASSERT_TRUE(store->set(store::meta::kSensorId, sensorId).ok());
    if (!learning) {
        ASSERT_TRUE(store->setLearning(false).ok());
    }
    fs::create_directories(store->identityDir());
    for (const auto& f : {store->keyPath(), store->certPath(), store->caPath()}) {
        std::ofstream(f) << "-----BEGIN STAND-IN-----\n";
    }
}

std::int64_t scalar(sqlite::Db& db, const std::string& sql) {
    auto stmt = db.prepare(sql);
    EXPECT_TRUE(stmt.ok()) << sql;
    if (!stmt) return -1;
    auto row = stmt->step();
    if (!row || !*row) return -1;
    return stmt->columnInt(0);
}

std::string text(sqlite::Db& db, const std::string& sql) {
    auto stmt = db.prepare(sql);
    if (!stmt) return {};
    auto row = stmt->step();
    if (!row || !*row) return {};
    return stmt->columnText(0);
}

TEST(RunOutboxTest, SmallOutboxEvictsInventoryFirstRaisesSensorEvictionAndKeepsEvidence) {
    const fs::path dir =
        fs::temp_directory_path() / ("ironsight_run_outbox_" + std::to_string(::getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir);
    const fs::path state = dir / "state";
    // Learning off so the replay raises alerts.
    ASSERT_NO_FATAL_FAILURE(makeIdleState(state, "outbox-test", false));
    test::PlantOptions plant;
    plant.minutes = 2;
    ASSERT_TRUE(test::writePlantLine(1, dir / "line1.pcap", plant).ok());
    // The replay yields ~5.3 KB of alerts and ~2.3 KB of health, connections and devices (rows
    // counted with their overhead): a 6.5 KiB cap has room for the alerts, not for everything.
    constexpr double kMaxMb = 0.0065;
    std::ofstream(dir / "sensor.toml")
        << "[outbox]\nmax_mb = " << kMaxMb << "\n\n[evidence]\npackets = 8\n";

    const fs::path out = dir / "run.out", err = dir / "run.err";
    const pid_t pid = startTool({"run", "--replay", (dir / "line1.pcap").string(), "--top-speed",
                                 "--config", (dir / "sensor.toml").string(), "--state-dir",
                                 state.string()},
                                out, err);
    ASSERT_GT(pid, 0);
    auto db = sqlite::Db::open(state / "state.db");
    ASSERT_TRUE(db.ok());
    // Wait (bounded) until the eviction alert is queued and evidence is stored.
    const std::string evictionRows =
        "SELECT COUNT(*) FROM outbox WHERE class = 4 AND "
        "instr(payload, CAST('sensor_eviction' AS BLOB)) > 0";
    const auto deadline = Clock::now() + std::chrono::seconds(60);
    while (Clock::now() < deadline &&
           (scalar(*db, evictionRows) < 1 || scalar(*db, "SELECT COUNT(*) FROM evidence") < 1)) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    ::kill(pid, SIGTERM);
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFEXITED(status)) << readAll(err);
    EXPECT_EQ(WEXITSTATUS(status), 0) << readAll(err);
    EXPECT_NE(readAll(out).find("stopped:"), std::string::npos) << readAll(out);

    EXPECT_GE(scalar(*db, evictionRows), 1) << readAll(err);
    // Evictions counted (meta, and per class in `evicted`); no alert among them.
    EXPECT_GT(std::stoll(text(*db, "SELECT value FROM meta WHERE key = 'outbox_evicted'")), 0);
    EXPECT_GT(scalar(*db, "SELECT COALESCE(SUM(count), 0) FROM evicted WHERE class IN (1, 2)"), 0);
    EXPECT_EQ(scalar(*db, "SELECT COALESCE(SUM(count), 0) FROM evicted WHERE class = 4"), 0);
    EXPECT_GE(scalar(*db, "SELECT COUNT(*) FROM outbox WHERE class = 4"), 10);
    // Within the cap (payload bytes + 32 per row).
    EXPECT_LE(scalar(*db, "SELECT COALESCE(SUM(length(payload) + 32), 0) FROM outbox"),
              static_cast<std::int64_t>(kMaxMb * 1048576));

    // Evidence of the unauthorized write (the engineering workstation's session), exported.
    const std::string alertId = text(
        *db, "SELECT alert_id FROM evidence WHERE alert_id LIKE 'unauthorized_write-%' LIMIT 1");
    ASSERT_FALSE(alertId.empty());
    const fs::path pcapFile = dir / "evidence.pcap";
    EXPECT_EQ(runTool({"evidence", "--list", "--state-dir", state.string()}, dir / "list.out",
                      dir / "list.err"),
              0);
    EXPECT_NE(readAll(dir / "list.out").find(alertId), std::string::npos);
    ASSERT_EQ(runTool({"evidence", alertId, "-o", pcapFile.string(), "--state-dir", state.string()},
                      dir / "ev.out", dir / "ev.err"),
              0)
        << readAll(dir / "ev.err");
    char errbuf[PCAP_ERRBUF_SIZE] = {};
    pcap_t* p = pcap_open_offline(pcapFile.c_str(), errbuf);
    ASSERT_NE(p, nullptr) << errbuf;
    EXPECT_EQ(pcap_datalink(p), DLT_EN10MB);
    int records = 0;
    pcap_pkthdr* h = nullptr;
    const u_char* data = nullptr;
    while (pcap_next_ex(p, &h, &data) == 1) ++records;
    pcap_close(p);
    EXPECT_GE(records, 1);
    EXPECT_LE(records, 8 * 3);  // [evidence] packets = 8, first capture + 2 repeats at most
    if (std::system("command -v tshark >/dev/null 2>&1") == 0) {
        const std::string cmd =
            "tshark -n -r '" + pcapFile.string() + "' -Y 'modbus' 2>/dev/null | grep -q Modbus";
        EXPECT_EQ(std::system(cmd.c_str()), 0) << "tshark sees no Modbus in the evidence";
    }
    // An unknown alert: one clear line, exit 1.
    EXPECT_EQ(runTool({"evidence", "no-such-alert", "-o", (dir / "x.pcap").string(), "--state-dir",
                       state.string()},
                      dir / "bad.out", dir / "bad.err"),
              1);
    EXPECT_EQ(readAll(dir / "bad.err"), "error: no evidence stored for alert no-such-alert\n");
    fs::remove_all(dir);
}

}  // namespace
}  // namespace ironsight::sensor

namespace ironsight::sensor {
namespace {

/// Waits (bounded) until `file` contains `text`.
bool waitFor(const fs::path& file, const std::string& text, std::chrono::seconds limit) {
    const auto deadline = Clock::now() + limit;
    while (Clock::now() < deadline) {
        if (readAll(file).find(text) != std::string::npos) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
}

TEST(RunReloadTest, SighupAppliesReloadableSettingsNamesTheRestAndRefusesABadFile) {
    const fs::path dir =
        fs::temp_directory_path() / ("ironsight_run_reload_" + std::to_string(::getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir);
    const fs::path state = dir / "state";
    ASSERT_NO_FATAL_FAILURE(makeIdleState(state, "reload-test", true));
    test::PlantOptions plant;
    plant.minutes = 2;
    ASSERT_TRUE(test::writePlantLine(1, dir / "line1.pcap", plant).ok());
    const fs::path config = dir / "sensor.toml";
    std::ofstream(config) << "[protocols]\nport_aliases = [\"modbus=tcp/5020\"]\n";

    const fs::path out = dir / "run.out", err = dir / "run.err";
    const pid_t pid = startTool({"run", "--replay", (dir / "line1.pcap").string(), "--loop",
                                 "--config", config.string(), "--state-dir", state.string()},
                                out, err);
    ASSERT_GT(pid, 0);
    auto db = sqlite::Db::open(state / "state.db");
    ASSERT_TRUE(db.ok());
    const auto started = Clock::now() + std::chrono::seconds(30);
    while (Clock::now() < started && scalar(*db, "SELECT COUNT(*) FROM outbox") < 1) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }

    // A port alias changes (applied), the filter is for live capture only, snaplen needs a
    // restart.
    std::ofstream(config) << "[protocols]\nport_aliases = [\"modbus=tcp/5021\"]\n"
                          << "[capture]\nsnaplen = 1600\nfilter = \"tcp\"\n";
    ::kill(pid, SIGHUP);
    EXPECT_TRUE(waitFor(err, "config reloaded:", std::chrono::seconds(30))) << readAll(err);
    EXPECT_NE(readAll(err).find("config reloaded: applied protocols.port_aliases; not applied "
                                "capture.filter (not capturing live); needs a restart: "
                                "capture.snaplen;\n"),
              std::string::npos)
        << readAll(err);

    // A file with errors is refused whole, one line per problem; the sensor runs on.
    std::ofstream(config) << "[protocols]\nport_aliases = [\"modbus=tcp/0\"]\n";
    ::kill(pid, SIGHUP);
    EXPECT_TRUE(waitFor(err, "config reload refused", std::chrono::seconds(30))) << readAll(err);
    EXPECT_TRUE(waitFor(err, "error: " + config.string() + ":2:17: protocols.port_aliases: "
                                 "'modbus=tcp/0' is not PROTOCOL=tcp/PORT",
                        std::chrono::seconds(5)))
        << readAll(err);
    // An unknown protocol passes the file check but not the engine's: the old aliases stay.
    std::ofstream(config) << "[protocols]\nport_aliases = [\"modbuz=tcp/5022\"]\n"
                          << "[capture]\nsnaplen = 1600\nfilter = \"tcp\"\n";
    ::kill(pid, SIGHUP);
    EXPECT_TRUE(waitFor(err, "not applied protocols.port_aliases (refused)", std::chrono::seconds(30)))
        << readAll(err);
    EXPECT_NE(readAll(err).find("error: config reload: port alias 'modbuz=tcp/5022': no tcp "
                                "dissector named 'modbuz'"),
              std::string::npos)
        << readAll(err);

    ::kill(pid, SIGTERM);
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFEXITED(status)) << readAll(err);
    EXPECT_EQ(WEXITSTATUS(status), 0) << readAll(err);
    fs::remove_all(dir);
}

TEST(RunReloadTest, SighupChangesTheLiveCaptureFilterWithoutStoppingCapture) {
    const fs::path dir =
        fs::temp_directory_path() / ("ironsight_run_refilter_" + std::to_string(::getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir);
    const fs::path state = dir / "state";
    ASSERT_NO_FATAL_FAILURE(makeIdleState(state, "refilter-test", true));
    const fs::path config = dir / "sensor.toml";
    std::ofstream(config) << "[capture]\ninterfaces = [\"lo\"]\nfilter = \"udp port 9\"\n";
    const fs::path out = dir / "run.out", err = dir / "run.err";
    const pid_t pid = startTool({"run", "--config", config.string(), "--state-dir", state.string()},
                                out, err);
    ASSERT_GT(pid, 0);
    const bool capturing = waitFor(err, "capturing on lo", std::chrono::seconds(30));
    if (!capturing) {
        int status = 0;
        ::kill(pid, SIGTERM);
        ::waitpid(pid, &status, 0);
        const std::string text = readAll(err);
        fs::remove_all(dir);
        if (text.find("permission denied") != std::string::npos) {
            GTEST_SKIP() << "live capture on lo needs CAP_NET_RAW here: " << text;
        }
        FAIL() << text;
    }
    std::ofstream(config) << "[capture]\ninterfaces = [\"lo\"]\nfilter = \"udp port 10\"\n";
    ::kill(pid, SIGHUP);
    EXPECT_TRUE(waitFor(err, "config reloaded: applied capture.filter;", std::chrono::seconds(30)))
        << readAll(err);
    EXPECT_TRUE(waitFor(err, "capture lo: filter now 'udp port 10'", std::chrono::seconds(30)))
        << readAll(err);
    std::ofstream(config) << "[capture]\ninterfaces = [\"lo\"]\nfilter = \"udp port\"\n";
    ::kill(pid, SIGHUP);
    EXPECT_TRUE(waitFor(err, "not applied capture.filter (refused)", std::chrono::seconds(30)))
        << readAll(err);
    EXPECT_NE(readAll(err).find("error: config reload: bad BPF filter 'udp port': "),
              std::string::npos)
        << readAll(err);
    ::kill(pid, SIGTERM);
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFEXITED(status)) << readAll(err);
    EXPECT_EQ(WEXITSTATUS(status), 0) << readAll(err);
    EXPECT_NE(readAll(err).find("capture lo: "), std::string::npos);  // capture ran to the end
    fs::remove_all(dir);
}

}  // namespace
}  // namespace ironsight::sensor
