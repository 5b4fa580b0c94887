// SPDX-License-Identifier: Apache-2.0
// End to end with the real binaries: console admin set-up, headless console, activation, replay
// of generated plant traffic, and the console database checked afterwards (SPEC §4, §7).
#include <gtest/gtest.h>

#include "tests/integration/process_harness.h"
#include "tests/support/plant_traffic.h"

namespace ironsight::test {
namespace {

class EndToEndTest : public ProcessTest {};

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

    // An activation file works once: with no activation pending the enrollment listener is
    // closed (link_server_test checks the "already used" refusal while it is open).
    r = run({"ironsight-sensor", "activate", activationFile.string(), "--state-dir",
             (dir_ / "sensor-again").string()},
            30s);
    EXPECT_NE(r.code, 0);
    EXPECT_NE(r.err.find("console unreachable at " + enroll), std::string::npos) << r.out << r.err;

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
