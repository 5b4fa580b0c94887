// SPDX-License-Identifier: Apache-2.0
// Operations with the real binaries (docs/OPERATIONS.md): `ironsight-sensor doctor` and
// `ironsight-console admin doctor` on real state and data dirs (fresh, activated, console down,
// port taken, key left readable), and the systemd notifications (READY=1, WATCHDOG=1) the units
// rely on, received on a real $NOTIFY_SOCKET.
#include <gtest/gtest.h>
#include <pwd.h>
#include <sys/un.h>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "tests/integration/process_harness.h"

namespace ironsight::test {
namespace {

std::string currentUser() {
    const passwd* pw = ::getpwuid(::geteuid());
    return pw != nullptr ? pw->pw_name : "root";
}

/// name -> status of a `doctor --json` report; empty when the output is not that JSON.
std::map<std::string, std::string> statuses(const std::string& json) {
    std::map<std::string, std::string> out;
    const auto doc = nlohmann::json::parse(json, nullptr, false);
    if (doc.is_discarded() || !doc.contains("checks")) return out;
    for (const auto& c : doc["checks"]) out[c["name"]] = c["status"];
    return out;
}

/// The line of a text report that starts with `tag` and names `check`.
std::string lineOf(const std::string& text, const std::string& tag, const std::string& check) {
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
        if (line.rfind(tag + "  " + check + " ", 0) == 0) return line;
    }
    return {};
}

/// A datagram socket standing in for systemd's notification socket.
class NotifySocket {
public:
    explicit NotifySocket(const fs::path& path) : path_(path) {
        fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        sockaddr_un addr{};
        addr.sun_family = AF_UNIX;
        std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path.c_str());
        bound_ = ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    }
    ~NotifySocket() {
        ::close(fd_);
        std::error_code ec;
        fs::remove(path_, ec);
    }
    bool bound() const { return bound_; }
    /// Every message received so far.
    std::vector<std::string> drain() {
        std::vector<std::string> out;
        char buf[4096];
        for (;;) {
            const auto n = ::recv(fd_, buf, sizeof buf, MSG_DONTWAIT);
            if (n <= 0) break;
            out.emplace_back(buf, static_cast<std::size_t>(n));
        }
        return out;
    }

private:
    fs::path path_;
    int fd_ = -1;
    bool bound_ = false;
};

class OperationsTest : public ProcessTest {
protected:
    OperationsTest() { prefix_ = "ironsight-ops-"; }

    /// Console set up with a site, a zone and one sensor's activation file.
    void setUpConsole() {
        data_ = dir_ / "console";
        activation_ = dir_ / "sensor-1.activation";
        const fs::path passwordFile = dir_ / "admin.password";
        { std::ofstream(passwordFile) << "Correct-Horse-Battery-Staple-42\n"; }
        link_ = "127.0.0.1:" + std::to_string(freePort());
        enroll_ = "127.0.0.1:" + std::to_string(freePort());
        auto r = run({"ironsight-console", "admin", "--data-dir", data_.string(), "init",
                      "--admin-user", "admin", "--admin-password-file", passwordFile.string(),
                      "--listen", link_, "--enroll-listen", enroll_});
        ASSERT_EQ(r.code, 0) << r.out << r.err;
        r = run({"ironsight-console", "admin", "--data-dir", data_.string(), "site", "add", "Plant"});
        ASSERT_EQ(r.code, 0) << r.out << r.err;
        r = run({"ironsight-console", "admin", "--data-dir", data_.string(), "zone", "add",
                 "--site", "Plant", "Line"});
        ASSERT_EQ(r.code, 0) << r.out << r.err;
        r = run({"ironsight-console", "admin", "--data-dir", data_.string(), "sensor", "add",
                 "--site", "Plant", "--zone", "Line", "sensor-1", "--out", activation_.string()});
        ASSERT_EQ(r.code, 0) << r.out << r.err;
    }

    /// Doctor with a config file that names the loopback interface.
    RunResult sensorDoctor(const fs::path& state, std::vector<std::string> extra = {}) {
        const fs::path config = dir_ / "sensor.toml";
        if (!fs::exists(config)) std::ofstream(config) << "[capture]\ninterfaces = [\"lo\"]\n";
        std::vector<std::string> argv = {"ironsight-sensor", "doctor",      "--state-dir",
                                         state.string(),     "--config",    config.string(),
                                         "--sample-ms",      "0",           "--service-user",
                                         currentUser()};
        argv.insert(argv.end(), extra.begin(), extra.end());
        return run(argv, 60s);
    }

    RunResult consoleDoctor(std::vector<std::string> extra = {}) {
        std::vector<std::string> argv = {"ironsight-console", "admin",          "--data-dir",
                                         data_.string(),      "doctor",         "--service-user",
                                         currentUser()};
        argv.insert(argv.end(), extra.begin(), extra.end());
        return run(argv, 60s);
    }

    fs::path data_, activation_;
    std::string link_, enroll_;
};

TEST_F(OperationsTest, SensorDoctorOnAFreshStateDirFailsWithFixes) {
    const fs::path fresh = dir_ / "fresh";
    fs::create_directories(fresh);
    fs::permissions(fresh, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec,
                    fs::perm_options::replace);  // 0750, as the package makes it
    auto r = sensorDoctor(fresh);
    EXPECT_EQ(r.code, 1) << r.out << r.err;
    EXPECT_NE(lineOf(r.out, "ok  ", "state-dir"), "") << r.out;
    EXPECT_NE(lineOf(r.out, "ok  ", "config"), "") << r.out;
    EXPECT_EQ(lineOf(r.out, "FAIL", "interface lo"), "") << r.out;
    EXPECT_NE(r.out.find("  interface lo  "), std::string::npos) << r.out;
    const std::string activation = lineOf(r.out, "FAIL", "activation");
    EXPECT_NE(activation.find("not activated (no state.db in " + fresh.string() + ")"),
              std::string::npos)
        << r.out;
    EXPECT_NE(activation.find("-- fix: add the sensor in the console"), std::string::npos);
    EXPECT_NE(activation.find("ironsight-sensor activate FILE --state-dir " + fresh.string()),
              std::string::npos);
    EXPECT_NE(lineOf(r.out, "skip", "certificate"), "") << r.out;
    EXPECT_NE(lineOf(r.out, "skip", "console"), "") << r.out;
    EXPECT_NE(lineOf(r.out, "skip", "store-integrity"), "") << r.out;
    EXPECT_NE(r.out.find("doctor: "), std::string::npos);
    EXPECT_FALSE(fs::exists(fresh / "state.db")) << "doctor must not create state";

    // No state dir at all, an interface that does not exist, a broken config file.
    std::ofstream(dir_ / "broken.toml") << "[capture\ninterfaces = [\"eth9\"]\n";
    r = run({"ironsight-sensor", "doctor", "--state-dir", (dir_ / "missing").string(), "--config",
             (dir_ / "broken.toml").string(), "--interface", "nosuch0", "--sample-ms", "0"});
    EXPECT_EQ(r.code, 1);
    EXPECT_NE(lineOf(r.out, "FAIL", "state-dir").find("does not exist -- fix: create it for the "
                                                      "service user: install -d -o ironsight"),
              std::string::npos)
        << r.out;
    EXPECT_NE(lineOf(r.out, "FAIL", "interface nosuch0").find("no such interface -- fix:"),
              std::string::npos)
        << r.out;
    EXPECT_NE(lineOf(r.out, "FAIL", "config").find("broken.toml:1:"), std::string::npos) << r.out;
    EXPECT_FALSE(fs::exists(dir_ / "missing"));
}

TEST_F(OperationsTest, SensorDoctorOnAnActivatedSensorAndWhatBreaksIt) {
    ASSERT_NO_FATAL_FAILURE(setUpConsole());
    ASSERT_TRUE(startConsole(data_, {link_, enroll_}));
    const fs::path state = dir_ / "sensor";
    fs::create_directories(state);
    fs::permissions(state, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec,
                    fs::perm_options::replace);
    auto r = run({"ironsight-sensor", "activate", activation_.string(), "--state-dir",
                  state.string()},
                 30s);
    ASSERT_EQ(r.code, 0) << r.out << r.err;

    r = sensorDoctor(state, {"--json"});
    auto checks = statuses(r.out);
    ASSERT_FALSE(checks.empty()) << r.out << r.err;
    for (const char* name : {"state-dir", "activation", "identity-key", "identity", "certificate",
                             "store-integrity"}) {
        EXPECT_EQ(checks[name], "ok") << name << "\n" << r.out;
    }
    EXPECT_EQ(checks["console " + link_], "ok") << r.out;
    EXPECT_NE(checks["interface lo"], "fail") << r.out;
    for (const char* name : {"disk-space", "clock"}) EXPECT_NE(checks[name], "fail") << r.out;
    // Capture permission depends on who runs the tests (root passes); the exit code follows it.
    const bool captureOk = checks["capture-permission"] == "ok";
    EXPECT_EQ(r.code, captureOk ? 0 : 1) << r.out;
    EXPECT_NE(r.out.find("TLS handshake ok"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("days left"), std::string::npos) << r.out;

    // The console stops: the reachability check fails with the fix, and the exit code is 1.
    console_.reset();
    r = sensorDoctor(state);
    EXPECT_EQ(r.code, 1) << r.out;
    const std::string console = lineOf(r.out, "FAIL", "console " + link_);
    EXPECT_NE(console.find("TCP connect failed"), std::string::npos) << r.out;
    EXPECT_NE(console.find("fix: check that the console runs"), std::string::npos) << r.out;

    // A key left readable by others.
    fs::permissions(state / "identity" / "sensor.key", fs::perms::others_read,
                    fs::perm_options::add);
    r = sensorDoctor(state);
    EXPECT_EQ(r.code, 1);
    EXPECT_NE(lineOf(r.out, "FAIL", "identity-key").find("fix: chmod 0600"), std::string::npos)
        << r.out;
}

TEST_F(OperationsTest, ConsoleDoctorFreshSetUpRunningAndPortTaken) {
    data_ = dir_ / "console";
    auto r = consoleDoctor();
    EXPECT_EQ(r.code, 1) << r.out << r.err;
    EXPECT_NE(lineOf(r.out, "FAIL", "data-dir").find("does not exist"), std::string::npos) << r.out;
    EXPECT_NE(lineOf(r.out, "FAIL", "setup").find("fix: ironsight-console admin --data-dir " +
                                                  data_.string() + " init"),
              std::string::npos)
        << r.out;
    EXPECT_FALSE(fs::exists(data_)) << "doctor must not create the data dir";

    ASSERT_NO_FATAL_FAILURE(setUpConsole());
    r = consoleDoctor({"--json"});
    auto checks = statuses(r.out);
    ASSERT_FALSE(checks.empty()) << r.out << r.err;
    for (const char* name : {"data-dir", "setup", "db-integrity", "ca-certificate",
                             "server-certificate", "ca-key", "server-key", "link-listen",
                             "enroll-listen"}) {
        EXPECT_EQ(checks[name], "ok") << name << "\n" << r.out;
    }
    EXPECT_EQ(r.code, 0) << r.out;

    // Running: the ports are held by the console itself, which is fine.
    ASSERT_TRUE(startConsole(data_, {link_, enroll_}));
    r = consoleDoctor();
    EXPECT_EQ(r.code, 0) << r.out;
    EXPECT_NE(lineOf(r.out, "ok  ", "link-listen").find("is held by the console: ironsight-con"),
              std::string::npos)
        << r.out;
    console_.reset();

    // Another program holds the link port.
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    const int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<std::uint16_t>(std::stoi(link_.substr(link_.rfind(':') + 1))));
    ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    ASSERT_EQ(::listen(fd, 1), 0);
    r = consoleDoctor();
    ::close(fd);
    EXPECT_EQ(r.code, 1) << r.out;
    const std::string line = lineOf(r.out, "FAIL", "link-listen");
    EXPECT_NE(line.find("is in use by "), std::string::npos) << r.out;
    EXPECT_NE(line.find("(pid " + std::to_string(::getpid()) + ")"), std::string::npos) << r.out;
    EXPECT_NE(line.find("fix: stop that program"), std::string::npos) << r.out;
}

TEST_F(OperationsTest, SensorAndConsoleNotifySystemd) {
    ASSERT_NO_FATAL_FAILURE(setUpConsole());
    NotifySocket consoleSocket(dir_ / "console.notify");
    ASSERT_TRUE(consoleSocket.bound());
    ::setenv("NOTIFY_SOCKET", (dir_ / "console.notify").c_str(), 1);
    const bool started = startConsole(data_, {link_, enroll_});
    ::unsetenv("NOTIFY_SOCKET");
    ASSERT_TRUE(started);
    // The console prints its addresses just before it notifies: wait for the datagram.
    std::vector<std::string> got;
    for (int i = 0; i < 500 && got.empty(); ++i) {
        got = consoleSocket.drain();
        if (got.empty()) std::this_thread::sleep_for(20ms);
    }
    EXPECT_EQ(got, std::vector<std::string>{"READY=1"});

    const fs::path state = dir_ / "sensor";
    auto r = run({"ironsight-sensor", "activate", activation_.string(), "--state-dir",
                  state.string()},
                 30s);
    ASSERT_EQ(r.code, 0) << r.out << r.err;
    r = run({"ironsight-plant-traffic", "--out", (dir_ / "traffic").string()});
    ASSERT_EQ(r.code, 0) << r.out << r.err;

    NotifySocket sensorSocket(dir_ / "sensor.notify");
    ASSERT_TRUE(sensorSocket.bound());
    ::setenv("NOTIFY_SOCKET", (dir_ / "sensor.notify").c_str(), 1);
    ::setenv("WATCHDOG_USEC", "60000000", 1);
    r = run({"ironsight-sensor", "run", "--state-dir", state.string(), "--replay",
             (dir_ / "traffic" / "line1.pcap").string(), "--top-speed", "--exit-when-drained"},
            120s);
    ::unsetenv("NOTIFY_SOCKET");
    ::unsetenv("WATCHDOG_USEC");
    ASSERT_EQ(r.code, 0) << r.out << r.err;
    const auto messages = sensorSocket.drain();
    const std::set<std::string> kinds(messages.begin(), messages.end());
    EXPECT_TRUE(kinds.count("READY=1")) << messages.size();
    EXPECT_TRUE(kinds.count("WATCHDOG=1")) << messages.size();
    EXPECT_EQ(std::count(messages.begin(), messages.end(), "READY=1"), 1);
}

}  // namespace
}  // namespace ironsight::test
