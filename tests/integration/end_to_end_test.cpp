// SPDX-License-Identifier: Apache-2.0
// End to end with the real binaries: console admin set-up, headless console, activation, replay
// of generated plant traffic, and the console database checked afterwards (SPEC §4, §7).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "shared/sqlite/sqlite.h"
#include "tests/support/plant_traffic.h"

namespace ironsight::test {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

const fs::path kBin = fs::path(IRONSIGHT_BINARY_DIR) / "bin";

std::string readText(const fs::path& file) {
    std::ifstream in(file);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

/// A child process with stdout and stderr in files.
class Child {
public:
    Child() = default;
    Child(const std::vector<std::string>& argv, const fs::path& out, const fs::path& err)
        : out_(out), err_(err) {
        pid_ = ::fork();
        if (pid_ == 0) {
            const int o = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
            const int e = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
            ::dup2(o, 1);
            ::dup2(e, 2);
            std::vector<char*> args;
            for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
            args.push_back(nullptr);
            ::execv(args[0], args.data());
            ::_exit(127);
        }
    }
    Child(const Child&) = delete;
    Child& operator=(const Child&) = delete;
    ~Child() { kill(); }

    /// Exit code, or -1 on timeout (the child is then killed), -2 when killed by a signal.
    int wait(std::chrono::milliseconds timeout) {
        const auto until = std::chrono::steady_clock::now() + timeout;
        while (pid_ > 0) {
            int status = 0;
            const pid_t r = ::waitpid(pid_, &status, WNOHANG);
            if (r == pid_) {
                pid_ = 0;
                return WIFEXITED(status) ? WEXITSTATUS(status) : -2;
            }
            if (std::chrono::steady_clock::now() > until) {
                kill();
                return -1;
            }
            std::this_thread::sleep_for(20ms);
        }
        return -2;
    }
    void kill() {
        if (pid_ <= 0) return;
        ::kill(pid_, SIGTERM);
        for (int i = 0; i < 100; ++i) {
            if (::waitpid(pid_, nullptr, WNOHANG) == pid_) {
                pid_ = 0;
                return;
            }
            std::this_thread::sleep_for(20ms);
        }
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, nullptr, 0);
        pid_ = 0;
    }
    /// SIGTERM, then the exit code as wait() gives it.
    int terminate(std::chrono::milliseconds timeout) {
        if (pid_ > 0) ::kill(pid_, SIGTERM);
        return wait(timeout);
    }
    bool running() const { return pid_ > 0; }
    std::string out() const { return readText(out_); }
    std::string err() const { return readText(err_); }

private:
    pid_t pid_ = 0;
    fs::path out_, err_;
};

struct RunResult {
    int code = 0;
    std::string out, err;
};

int freePort() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    socklen_t len = sizeof addr;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    ::close(fd);
    return ntohs(addr.sin_port);
}

std::int64_t scalar(sqlite::Db& db, const std::string& sql) {
    auto stmt = db.prepare(sql);
    EXPECT_TRUE(stmt.ok()) << sql << ": " << (stmt.ok() ? "" : stmt.error().message);
    if (!stmt.ok()) return -1;
    auto row = stmt->step();
    EXPECT_TRUE(row.ok() && *row) << sql;
    if (!row.ok() || !*row) return -1;
    return stmt->columnInt(0);
}

std::string text(sqlite::Db& db, const std::string& sql) {
    auto stmt = db.prepare(sql);
    EXPECT_TRUE(stmt.ok()) << sql << ": " << (stmt.ok() ? "" : stmt.error().message);
    if (!stmt.ok()) return {};
    auto row = stmt->step();
    if (!row.ok() || !*row) return {};
    return stmt->columnText(0);
}

class EndToEndTest : public ::testing::Test {
protected:
    void SetUp() override {
        for (const char* exe :
             {"ironsight-console", "ironsight-sensor", "ironsight-plant-traffic"}) {
            if (!fs::exists(kBin / exe)) {
                GTEST_SKIP() << (kBin / exe).string() << " is not built; build it to run this test";
            }
        }
        dir_ = fs::temp_directory_path() / ("ironsight-e2e-" + std::to_string(::getpid()));
        fs::remove_all(dir_);
        fs::create_directories(dir_);
    }
    void TearDown() override {
        console_.reset();  // kills the console child
        if (!dir_.empty() && !HasFailure()) fs::remove_all(dir_);
    }

    RunResult run(std::vector<std::string> argv, std::chrono::milliseconds timeout = 60s) {
        argv[0] = (kBin / argv[0]).string();
        const auto n = std::to_string(++runs_);
        Child child(argv, dir_ / ("run" + n + ".out"), dir_ / ("run" + n + ".err"));
        RunResult r;
        r.code = child.wait(timeout);
        r.out = child.out();
        r.err = child.err();
        return r;
    }

    /// Starts `ironsight-console --headless` and waits until it prints that it listens on
    /// every address in `addresses`.
    ::testing::AssertionResult startConsole(const fs::path& data,
                                            const std::vector<std::string>& addresses) {
        const auto n = std::to_string(++runs_);
        console_ = std::make_unique<Child>(
            std::vector<std::string>{(kBin / "ironsight-console").string(), "--headless",
                                     "--data-dir", data.string()},
            dir_ / ("console" + n + ".out"), dir_ / ("console" + n + ".err"));
        auto listening = [&] {
            const std::string all = console_->out() + console_->err();
            for (const auto& a : addresses) {
                if (all.find("listening on " + a) == std::string::npos) return false;
            }
            return true;
        };
        const auto until = std::chrono::steady_clock::now() + 30s;
        while (!listening() && console_->running() && std::chrono::steady_clock::now() < until) {
            std::this_thread::sleep_for(50ms);
        }
        if (listening()) return ::testing::AssertionSuccess();
        return ::testing::AssertionFailure() << "console did not start listening:\n"
                                             << console_->out() << console_->err();
    }

    fs::path dir_;
    int runs_ = 0;
    std::unique_ptr<Child> console_;
};

#define EXPECT_RUN_OK(r) EXPECT_EQ((r).code, 0) << "stdout: " << (r).out << "\nstderr: " << (r).err

TEST_F(EndToEndTest, ActivateReplayAndCheckTheConsoleDatabase) {
    const fs::path data = dir_ / "console";
    const fs::path state = dir_ / "sensor";
    const fs::path traffic = dir_ / "traffic";
    const fs::path activationFile = dir_ / "sensor-1.activation";
    const fs::path passwordFile = dir_ / "admin.password";
    { std::ofstream(passwordFile) << "Correct-Horse-Battery-Staple-42\n"; }
    fs::permissions(passwordFile, fs::perms::owner_read | fs::perms::owner_write);
    const std::string listen = "127.0.0.1:" + std::to_string(freePort());
    const std::string enroll = "127.0.0.1:" + std::to_string(freePort());

    // Console set-up with the real admin CLI.
    auto r = run({"ironsight-console", "admin", "--data-dir", data.string(), "init", "--admin-user",
                  "admin", "--admin-password-file", passwordFile.string(), "--listen", listen,
                  "--enroll-listen", enroll});
    ASSERT_EQ(r.code, 0) << r.out << r.err;
    r = run({"ironsight-console", "admin", "--data-dir", data.string(), "site", "add", "Plant A"});
    ASSERT_EQ(r.code, 0) << r.out << r.err;
    r = run({"ironsight-console", "admin", "--data-dir", data.string(), "zone", "add", "--site",
             "Plant A", "Line 1"});
    ASSERT_EQ(r.code, 0) << r.out << r.err;
    r = run({"ironsight-console", "admin", "--data-dir", data.string(), "sensor", "add", "--site",
             "Plant A", "--zone", "Line 1", "sensor-1", "--out", activationFile.string()});
    ASSERT_EQ(r.code, 0) << r.out << r.err;
    ASSERT_TRUE(fs::exists(activationFile));

    // The console runs headless as a child; wait for both listeners.
    ASSERT_TRUE(startConsole(data, {listen, enroll}));

    // Plant traffic from the real generator.
    r = run({"ironsight-plant-traffic", "--out", traffic.string()});
    ASSERT_EQ(r.code, 0) << r.out << r.err;
    ASSERT_TRUE(fs::exists(traffic / "line1.pcap"));

    // Activation, learning off, replay until the console acknowledged everything.
    r = run(
        {"ironsight-sensor", "activate", activationFile.string(), "--state-dir", state.string()},
        30s);
    ASSERT_EQ(r.code, 0) << r.out << r.err;
    EXPECT_NE(r.out.find("fingerprint"), std::string::npos) << r.out;
    EXPECT_TRUE(fs::exists(state / "identity" / "sensor.key"));
    EXPECT_EQ(fs::status(state / "identity" / "sensor.key").permissions() & fs::perms::all,
              fs::perms::owner_read | fs::perms::owner_write);

    r = run({"ironsight-sensor", "learning", "off", "--state-dir", state.string()});
    EXPECT_RUN_OK(r);

    const std::vector<std::string> replay = {"ironsight-sensor", "run",
                                             "--state-dir",      state.string(),
                                             "--replay",         (traffic / "line1.pcap").string(),
                                             "--top-speed",      "--exit-when-drained"};
    r = run(replay, 120s);
    ASSERT_EQ(r.code, 0) << r.out << r.err;
    EXPECT_NE(r.out.find("drained"), std::string::npos) << r.out;

    // The console's database, read-only.
    std::int64_t devices = 0, alerts = 0, alertCount = 0;
    {
        auto db = sqlite::Db::open(data / "console.db", true);
        ASSERT_TRUE(db.ok()) << db.error().message;
        EXPECT_EQ(text(*db, "SELECT status FROM sensors WHERE name = 'sensor-1'"), "active");
        devices = scalar(*db, "SELECT COUNT(*) FROM devices");
        EXPECT_GT(devices, 0);
        for (const auto& host : plantLine(1).hosts) {
            if (host.role != "plc") continue;
            EXPECT_GT(scalar(*db, "SELECT COUNT(*) FROM devices WHERE ips LIKE '%\"" + host.ip() +
                                      "\"%'"),
                      0)
                << "PLC " << host.name << " " << host.ip() << " missing";
        }
        EXPECT_GT(scalar(*db, "SELECT COUNT(*) FROM connections WHERE protocol = 'modbus'"), 0);
        EXPECT_GT(scalar(*db, "SELECT COUNT(*) FROM alerts WHERE type = 'unauthorized_write'"), 0);
        // Every seq the sensor made was applied, for the sensor's epoch.
        auto sensorDb = sqlite::Db::open(state / "state.db", true);
        ASSERT_TRUE(sensorDb.ok()) << sensorDb.error().message;
        EXPECT_EQ(text(*db, "SELECT epoch FROM sensor_progress"),
                  text(*sensorDb, "SELECT value FROM meta WHERE key = 'epoch'"));
        const std::string lastSeq =
            text(*sensorDb, "SELECT value FROM meta WHERE key = 'last_seq'");
        EXPECT_FALSE(lastSeq.empty());
        EXPECT_EQ(text(*db, "SELECT applied_through_seq FROM sensor_progress"), lastSeq);
        alerts = scalar(*db, "SELECT COUNT(*) FROM alerts");
        alertCount = scalar(*db, "SELECT COALESCE(SUM(count), 0) FROM alerts");
    }

    // The same file again: upserts, no duplicate rows.
    r = run(replay, 120s);
    ASSERT_EQ(r.code, 0) << r.out << r.err;
    {
        auto db = sqlite::Db::open(data / "console.db", true);
        ASSERT_TRUE(db.ok()) << db.error().message;
        EXPECT_EQ(scalar(*db, "SELECT COUNT(*) FROM devices"), devices);
        EXPECT_EQ(scalar(*db, "SELECT COUNT(*) FROM alerts"), alerts);
        // Counts may grow by what the second replay legitimately adds, never more than double.
        const auto count2 = scalar(*db, "SELECT COALESCE(SUM(count), 0) FROM alerts");
        EXPECT_GE(count2, alertCount);
        EXPECT_LE(count2, 2 * alertCount);
        EXPECT_EQ(scalar(*db,
                         "SELECT COUNT(*) FROM (SELECT sensor_id, device_id FROM devices "
                         "GROUP BY sensor_id, device_id HAVING COUNT(*) > 1)"),
                  0);
    }

    // status reflects the drained outbox.
    r = run({"ironsight-sensor", "status", "--json", "--state-dir", state.string()});
    EXPECT_RUN_OK(r);
    EXPECT_NE(r.out.find("\"activated\": true"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("\"outbox_depth\": 0"), std::string::npos) << r.out;

    // An activation file works once.
    r = run({"ironsight-sensor", "activate", activationFile.string(), "--state-dir",
             (dir_ / "sensor-again").string()},
            30s);
    EXPECT_NE(r.code, 0);
    EXPECT_NE(r.err.find("already used"), std::string::npos) << r.out << r.err;

    // Store and forward: the console is down while line 2 is analysed; everything arrives once
    // it is back.
    console_->kill();
    Child offline(
        {(kBin / "ironsight-sensor").string(), "run", "--state-dir", state.string(), "--replay",
         (traffic / "line2.pcap").string(), "--top-speed", "--exit-when-drained"},
        dir_ / "offline.out", dir_ / "offline.err");
    std::this_thread::sleep_for(2s);
    ASSERT_TRUE(offline.running()) << offline.out() << offline.err();
    r = run({"ironsight-sensor", "status", "--json", "--state-dir", state.string()});
    EXPECT_EQ(r.out.find("\"outbox_depth\": 0,"), std::string::npos) << "nothing queued: " << r.out;
    ASSERT_TRUE(startConsole(data, {listen}));
    const int offlineCode = offline.wait(60s);
    ASSERT_EQ(offlineCode, 0) << offline.out() << offline.err();
    EXPECT_NE(offline.err().find("console unreachable at " + listen), std::string::npos)
        << offline.err();
    {
        auto db = sqlite::Db::open(data / "console.db", true);
        ASSERT_TRUE(db.ok()) << db.error().message;
        for (const auto& host : plantLine(2).hosts) {
            if (host.role != "plc") continue;
            EXPECT_GT(scalar(*db, "SELECT COUNT(*) FROM devices WHERE ips LIKE '%\"" + host.ip() +
                                      "\"%'"),
                      0)
                << "line 2 PLC " << host.ip() << " missing after the console came back";
        }
        EXPECT_GT(scalar(*db, "SELECT COUNT(*) FROM devices"), devices);
    }

    // A revoked sensor is refused with the console's reason; SIGTERM still exits 0.
    r = run({"ironsight-console", "admin", "--data-dir", data.string(), "sensor", "revoke",
             "sensor-1"});
    ASSERT_EQ(r.code, 0) << r.out << r.err;
    Child revoked({(kBin / "ironsight-sensor").string(), "run", "--state-dir", state.string(),
                   "--replay", (traffic / "line1.pcap").string(), "--top-speed"},
                  dir_ / "revoked.out", dir_ / "revoked.err");
    const auto until = std::chrono::steady_clock::now() + 30s;
    while (revoked.err().find("certificate revoked") == std::string::npos && revoked.running() &&
           std::chrono::steady_clock::now() < until) {
        std::this_thread::sleep_for(100ms);
    }
    EXPECT_NE(revoked.err().find("link refused by console at " + listen + ": certificate revoked"),
              std::string::npos)
        << revoked.err();
    EXPECT_EQ(revoked.terminate(10s), 0) << revoked.out() << revoked.err();
    EXPECT_NE(revoked.out().find("stopped:"), std::string::npos) << revoked.out();
}

TEST_F(EndToEndTest, RunRequiresActivation) {
    auto r = run({"ironsight-sensor", "run", "--state-dir", (dir_ / "empty").string(), "--replay",
                  "x.pcap"});
    EXPECT_NE(r.code, 0);
    EXPECT_NE(r.err.find("not activated: run ironsight-sensor activate FILE first"),
              std::string::npos)
        << r.err;
}

}  // namespace
}  // namespace ironsight::test
