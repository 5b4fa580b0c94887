// SPDX-License-Identifier: Apache-2.0
// Fault injection with the real binaries (issue 6 (b)): three sensors stream to a headless
// console that is killed with SIGKILL again and again; one sensor is killed mid-stream and
// restarted. Afterwards the console must hold, per sensor, every sequence number the sensor
// made exactly once (epoch + applied-through == the sensor's last seq, outbox empty) and the
// very alerts an uninterrupted offline analysis of the same traffic gives.
#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <tuple>

#include "tests/integration/process_harness.h"

namespace ironsight::test {
namespace {

/// (type, src_ip, dst_ip) -> count
using AlertCounts = std::map<std::tuple<std::string, std::string, std::string>, std::int64_t>;

class FaultTest : public ProcessTest {
protected:
    FaultTest() { prefix_ = "ironsight-fault-"; }

    /// Console with one site, one zone and `count` sensors; activation files in dir_.
    void setUpConsole(int count) {
        data_ = dir_ / "console";
        const fs::path passwordFile = dir_ / "admin.password";
        { std::ofstream(passwordFile) << "Correct-Horse-Battery-Staple-42\n"; }
        fs::permissions(passwordFile, fs::perms::owner_read | fs::perms::owner_write);
        listen_ = "127.0.0.1:" + std::to_string(freePort());
        enroll_ = "127.0.0.1:" + std::to_string(freePort());
        auto admin = [&](std::vector<std::string> args) {
            args.insert(args.begin(), {"ironsight-console", "admin", "--data-dir", data_.string()});
            auto r = run(args);
            ASSERT_EQ(r.code, 0) << r.out << r.err;
        };
        admin({"init", "--admin-user", "admin", "--admin-password-file", passwordFile.string(),
               "--listen", listen_, "--enroll-listen", enroll_});
        admin({"site", "add", "Plant"});
        admin({"zone", "add", "--site", "Plant", "Cell"});
        for (int i = 1; i <= count; ++i) {
            admin({"sensor", "add", "--site", "Plant", "--zone", "Cell", sensorName(i), "--out",
                   (dir_ / (sensorName(i) + ".activation")).string()});
        }
    }

    static std::string sensorName(int i) { return "sensor-" + std::to_string(i); }
    fs::path stateOf(int i) const { return dir_ / ("state-" + std::to_string(i)); }

    /// Console alerts of one sensor, by name.
    AlertCounts consoleAlerts(const std::string& sensor) {
        AlertCounts out;
        auto db = sqlite::Db::open(data_ / "console.db", true);
        EXPECT_TRUE(db.ok()) << db.error().message;
        if (!db.ok()) return out;
        auto stmt = db->prepare(
            "SELECT a.type, a.src_ip, a.dst_ip, a.count FROM alerts a JOIN sensors s ON "
            "s.id = a.sensor_id WHERE s.name = ?1");
        EXPECT_TRUE(stmt.ok());
        if (!stmt.ok()) return out;
        stmt->bind(1, sensor);
        while (true) {
            auto row = stmt->step();
            if (!row.ok() || !*row) break;
            out[{stmt->columnText(0), stmt->columnText(1), stmt->columnText(2)}] =
                stmt->columnInt(3);
        }
        return out;
    }

    /// The alerts of an uninterrupted offline analysis: learn from `baseline`, detect on `pcap`.
    AlertCounts referenceAlerts(const fs::path& baseline, const fs::path& pcap) {
        AlertCounts out;
        auto r = run({"ironsight-sensor", "analyze", "--json", "--learn-from", baseline.string(),
                      pcap.string()},
                     120s);
        EXPECT_EQ(r.code, 0) << r.err;
        auto doc = nlohmann::json::parse(r.out, nullptr, false);
        EXPECT_FALSE(doc.is_discarded()) << r.out;
        if (doc.is_discarded()) return out;
        for (const auto& a : doc["alerts"]) {
            out[{a.value("type", ""), a.value("src_ip", ""), a.value("dst_ip", "")}] =
                a.value("count", 0);
        }
        return out;
    }

    /// The sensor's outbox and the console's progress agree: same epoch, every seq applied.
    void expectFullyApplied(int i) {
        auto sensorDb = sqlite::Db::open(stateOf(i) / "state.db", true);
        ASSERT_TRUE(sensorDb.ok()) << sensorDb.error().message;
        const std::string epoch = text(*sensorDb, "SELECT value FROM meta WHERE key = 'epoch'");
        const std::string lastSeq =
            text(*sensorDb, "SELECT value FROM meta WHERE key = 'last_seq'");
        ASSERT_FALSE(lastSeq.empty());
        auto db = sqlite::Db::open(data_ / "console.db", true);
        ASSERT_TRUE(db.ok()) << db.error().message;
        const std::string where =
            " FROM sensor_progress p JOIN sensors s ON s.id = p.sensor_id WHERE s.name = '" +
            sensorName(i) + "'";
        EXPECT_EQ(text(*db, "SELECT p.epoch" + where), epoch) << sensorName(i);
        EXPECT_EQ(text(*db, "SELECT p.applied_through_seq" + where), lastSeq) << sensorName(i);
        auto r = run({"ironsight-sensor", "status", "--json", "--state-dir", stateOf(i).string()});
        EXPECT_NE(r.out.find("\"outbox_depth\": 0,"), std::string::npos) << r.out;
    }

    fs::path data_;
    std::string listen_, enroll_;
};

std::string describe(const AlertCounts& alerts) {
    std::string out;
    for (const auto& [key, count] : alerts) {
        out += "  " + std::get<0>(key) + " " + std::get<1>(key) + " -> " + std::get<2>(key) +
               " x" + std::to_string(count) + "\n";
    }
    return out.empty() ? "  (none)\n" : out;
}

TEST_F(FaultTest, ConsoleKilledRepeatedlyAndSensorKilledMidStreamLoseAndDuplicateNothing) {
    constexpr int kSensors = 3;
    setUpConsole(kSensors);
    ASSERT_FALSE(HasFatalFailure());
    ASSERT_TRUE(startConsole(data_, {listen_, enroll_}));

    const fs::path traffic = dir_ / "traffic";
    auto r = run({"ironsight-plant-traffic", "--out", traffic.string()});
    ASSERT_EQ(r.code, 0) << r.out << r.err;
    // Sensor i watches line 1 or 2 (sensor 3 sees line 1 too, from its own identity).
    auto lineOf = [](int i) { return i == 2 ? 2 : 1; };
    auto pcapOf = [&](int i, const std::string& suffix) {
        return traffic / ("line" + std::to_string(lineOf(i)) + suffix + ".pcap");
    };

    // Activate, learn each line's normal hour, then switch learning off.
    for (int i = 1; i <= kSensors; ++i) {
        r = run({"ironsight-sensor", "activate", (dir_ / (sensorName(i) + ".activation")).string(),
                 "--state-dir", stateOf(i).string()},
                30s);
        ASSERT_EQ(r.code, 0) << r.out << r.err;
        r = run({"ironsight-sensor", "run", "--state-dir", stateOf(i).string(), "--replay",
                 pcapOf(i, "-baseline").string(), "--top-speed", "--exit-when-drained"},
                120s);
        ASSERT_EQ(r.code, 0) << r.out << r.err;
        r = run({"ironsight-sensor", "learning", "off", "--state-dir", stateOf(i).string()});
        ASSERT_EQ(r.code, 0) << r.out << r.err;
    }

    // All three replay their monitored hour at 30x (about ten seconds of streaming each).
    auto startSensor = [&](int i, const std::string& tag) {
        return std::make_unique<Child>(
            std::vector<std::string>{(kBin / "ironsight-sensor").string(), "run", "--state-dir",
                                     stateOf(i).string(), "--replay", pcapOf(i, "").string(),
                                     "--speed", "30", "--exit-when-drained"},
            dir_ / (sensorName(i) + tag + ".out"), dir_ / (sensorName(i) + tag + ".err"));
    };
    std::vector<std::unique_ptr<Child>> sensors;
    for (int i = 1; i <= kSensors; ++i) sensors.push_back(startSensor(i, ""));

    // The console dies without warning four times while they stream, and comes back each time.
    for (int round = 0; round < 4; ++round) {
        std::this_thread::sleep_for(1500ms);
        console_->kill9();
        if (round == 1) {
            // Sensor 3 dies mid-batch too, and is started again on the same state.
            sensors[2]->kill9();
            sensors[2] = startSensor(3, "-restarted");
        }
        std::this_thread::sleep_for(500ms);
        ASSERT_TRUE(startConsole(data_, {listen_}));
    }

    for (int i = 1; i <= kSensors; ++i) {
        auto& child = *sensors[static_cast<std::size_t>(i - 1)];
        const int code = child.wait(180s);
        ASSERT_EQ(code, 0) << sensorName(i) << "\n" << child.out() << child.err();
        EXPECT_NE(child.out().find("drained"), std::string::npos) << child.out();
    }

    for (int i = 1; i <= kSensors; ++i) expectFullyApplied(i);

    // Sensors 1 and 2 ran once: the console holds exactly the offline analysis's alerts, with
    // the same counts (a lost batch would lower a count or drop an alert).
    for (int i = 1; i <= 2; ++i) {
        const AlertCounts expected = referenceAlerts(pcapOf(i, "-baseline"), pcapOf(i, ""));
        const AlertCounts got = consoleAlerts(sensorName(i));
        // Line 1's monitored hour holds attacks; line 2's is normal traffic (no alerts at all,
        // which checks that nothing spurious appears after the restarts).
        if (lineOf(i) == 1) {
            EXPECT_FALSE(expected.empty());
        }
        EXPECT_EQ(got, expected) << sensorName(i) << " console:\n"
                                 << describe(got) << "offline analysis:\n"
                                 << describe(expected);
    }
    // Sensor 3 analysed part of the capture twice (it was restarted): the same alerts, and
    // counts at least those of one full pass.
    const AlertCounts expected3 = referenceAlerts(pcapOf(3, "-baseline"), pcapOf(3, ""));
    const AlertCounts got3 = consoleAlerts(sensorName(3));
    ASSERT_EQ(got3.size(), expected3.size()) << "console:\n"
                                             << describe(got3) << "offline analysis:\n"
                                             << describe(expected3);
    for (const auto& [key, count] : expected3) {
        auto it = got3.find(key);
        ASSERT_NE(it, got3.end()) << std::get<0>(key) << " missing for sensor-3";
        EXPECT_GE(it->second, count) << std::get<0>(key);
    }
}

}  // namespace
}  // namespace ironsight::test
