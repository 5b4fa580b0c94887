// SPDX-License-Identifier: Apache-2.0
// Console -> sensor commands through the real binaries (issues 6, 7): `admin alert learn` on a
// running sensor is delivered on its stream, answered, recorded and closes the alert; after a
// sensor restart a replay of the same traffic no longer raises that alert.
#include <gtest/gtest.h>

#include "tests/integration/process_harness.h"

namespace ironsight::test {
namespace {

class CommandsTest : public ProcessTest {
protected:
    CommandsTest() { prefix_ = "ironsight-commands-"; }

    /// Polls the console database (read-only) until `sql` yields `want` or 60 s pass.
    std::string waitForText(const fs::path& db, const std::string& sql, const std::string& want) {
        std::string got;
        const auto until = std::chrono::steady_clock::now() + 60s;
        while (std::chrono::steady_clock::now() < until) {
            auto conn = sqlite::Db::open(db, true);
            if (conn) {
                got = text(*conn, sql);
                if (got == want) break;
            }
            std::this_thread::sleep_for(100ms);
        }
        return got;
    }
};

TEST_F(CommandsTest, AdminAlertLearnReachesTheSensorAndTheAlertStaysQuietAfterRestart) {
    const fs::path data = dir_ / "console";
    const fs::path state = dir_ / "sensor";
    const fs::path traffic = dir_ / "traffic";
    const fs::path activation = dir_ / "s1.activation";
    const fs::path passwordFile = dir_ / "admin.password";
    { std::ofstream(passwordFile) << "Correct-Horse-Battery-Staple-42\n"; }
    const std::string listen = "127.0.0.1:" + std::to_string(freePort());
    const std::string enroll = "127.0.0.1:" + std::to_string(freePort());
    auto admin = [&](std::vector<std::string> args) {
        args.insert(args.begin(), {"ironsight-console", "admin", "--data-dir", data.string()});
        return run(args);
    };
    auto r = admin({"init", "--admin-user", "admin", "--admin-password-file", passwordFile.string(),
                    "--listen", listen, "--enroll-listen", enroll});
    ASSERT_EQ(r.code, 0) << r.out << r.err;
    ASSERT_EQ(admin({"site", "add", "Plant"}).code, 0);
    ASSERT_EQ(admin({"zone", "add", "--site", "Plant", "Line"}).code, 0);
    r = admin(
        {"sensor", "add", "--site", "Plant", "--zone", "Line", "s1", "--out", activation.string()});
    ASSERT_EQ(r.code, 0) << r.out << r.err;
    ASSERT_TRUE(startConsole(data, {listen}));
    r = run({"ironsight-plant-traffic", "--out", traffic.string()});
    ASSERT_EQ(r.code, 0) << r.out << r.err;
    r = run({"ironsight-sensor", "activate", activation.string(), "--state-dir", state.string()},
            30s);
    ASSERT_EQ(r.code, 0) << r.out << r.err;
    ASSERT_EQ(run({"ironsight-sensor", "learning", "off", "--state-dir", state.string()}).code, 0);

    // A running sensor (looping the capture) that knows the alert when the command arrives.
    Child sensor({(kBin / "ironsight-sensor").string(), "run", "--state-dir", state.string(),
                  "--replay", (traffic / "line1.pcap").string(), "--top-speed", "--loop"},
                 dir_ / "sensor.out", dir_ / "sensor.err");
    const fs::path db = data / "console.db";
    ASSERT_EQ(
        waitForText(db, "SELECT COUNT(*) > 0 FROM alerts WHERE type = 'unauthorized_write'", "1"),
        "1")
        << sensor.err();
    std::string alertId;
    {
        auto conn = sqlite::Db::open(db, true);
        ASSERT_TRUE(conn.ok());
        alertId = text(*conn, "SELECT alert_id FROM alerts WHERE type = 'unauthorized_write'");
    }
    r = admin({"alert", "learn", alertId});
    ASSERT_EQ(r.code, 0) << r.out << r.err;
    EXPECT_NE(r.out.find("queued for sensor s1"), std::string::npos) << r.out;

    // Delivered, applied and answered; the answer closes the alert.
    EXPECT_EQ(waitForText(db, "SELECT state FROM commands WHERE kind = 'learn_alert'", "done"),
              "done")
        << sensor.err();
    EXPECT_EQ(
        waitForText(db, "SELECT status FROM alerts WHERE alert_id = '" + alertId + "'", "closed"),
        "closed");
    r = admin({"command", "list", "--sensor", "s1"});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_NE(r.out.find("learned alert " + alertId), std::string::npos) << r.out;
    ASSERT_EQ(sensor.terminate(30s), 0) << sensor.out() << sensor.err();

    // Restarted on the same traffic: the learned pattern is in the saved baseline. The console's
    // alert rows are cleared first so anything the replay raises shows up as a new row.
    {
        auto conn = sqlite::Db::open(db);
        ASSERT_TRUE(conn.ok());
        ASSERT_TRUE(conn->exec("DELETE FROM alerts").ok());
    }
    r = run({"ironsight-sensor", "run", "--state-dir", state.string(), "--replay",
             (traffic / "line1.pcap").string(), "--top-speed", "--exit-when-drained"},
            120s);
    ASSERT_EQ(r.code, 0) << r.out << r.err;
    auto conn = sqlite::Db::open(db, true);
    ASSERT_TRUE(conn.ok());
    EXPECT_GT(scalar(*conn, "SELECT COUNT(*) FROM alerts"), 0) << "the replay raised nothing";
    EXPECT_EQ(scalar(*conn, "SELECT COUNT(*) FROM alerts WHERE type = 'unauthorized_write'"), 0)
        << "the learned alert fired again after the restart";
    EXPECT_GT(scalar(*conn,
                     "SELECT COUNT(*) FROM audit_log WHERE action = 'command.result' AND "
                     "outcome LIKE 'ok: learn_alert%'"),
              0);
}

}  // namespace
}  // namespace ironsight::test
