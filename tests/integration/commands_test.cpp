// SPDX-License-Identifier: Apache-2.0
// Console -> sensor commands through the real binaries (issues 6, 7): `admin alert learn` on a
// running sensor is delivered on its stream, answered, recorded and closes the alert; after a
// sensor restart a replay of the same traffic no longer raises that alert.
#include <gtest/gtest.h>

#include <cstring>

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

    RunResult admin(std::vector<std::string> args) {
        args.insert(args.begin(), {"ironsight-console", "admin", "--data-dir", data_.string()});
        return run(args);
    }

    /// A console with site Plant / zone Line, sensor s1 activated with learning off and running
    /// (looping line 1 of the plant traffic), and the id of its unauthorized_write alert.
    void startPlant() {
        data_ = dir_ / "console";
        state_ = dir_ / "sensor";
        traffic_ = dir_ / "traffic";
        db_ = data_ / "console.db";
        const fs::path activation = dir_ / "s1.activation";
        const fs::path passwordFile = dir_ / "admin.password";
        { std::ofstream(passwordFile) << "Correct-Horse-Battery-Staple-42\n"; }
        const std::string listen = "127.0.0.1:" + std::to_string(freePort());
        const std::string enroll = "127.0.0.1:" + std::to_string(freePort());
        auto r = admin({"init", "--admin-user", "admin", "--admin-password-file",
                        passwordFile.string(), "--listen", listen, "--enroll-listen", enroll});
        ASSERT_EQ(r.code, 0) << r.out << r.err;
        ASSERT_EQ(admin({"site", "add", "Plant"}).code, 0);
        ASSERT_EQ(admin({"zone", "add", "--site", "Plant", "Line"}).code, 0);
        r = admin({"sensor", "add", "--site", "Plant", "--zone", "Line", "s1", "--out",
                   activation.string()});
        ASSERT_EQ(r.code, 0) << r.out << r.err;
        ASSERT_TRUE(startConsole(data_, {listen}));
        r = run({"ironsight-plant-traffic", "--out", traffic_.string()});
        ASSERT_EQ(r.code, 0) << r.out << r.err;
        r = run({"ironsight-sensor", "activate", activation.string(), "--state-dir",
                 state_.string()},
                30s);
        ASSERT_EQ(r.code, 0) << r.out << r.err;
        ASSERT_EQ(run({"ironsight-sensor", "learning", "off", "--state-dir", state_.string()}).code,
                  0);
        // A running sensor (looping the capture) that knows the alert when a command arrives.
        sensor_ = std::make_unique<Child>(
            std::vector<std::string>{(kBin / "ironsight-sensor").string(), "run", "--state-dir",
                                     state_.string(), "--replay",
                                     (traffic_ / "line1.pcap").string(), "--top-speed", "--loop"},
            dir_ / "sensor.out", dir_ / "sensor.err");
        ASSERT_EQ(waitForText(db_, "SELECT COUNT(*) > 0 FROM alerts WHERE type = 'unauthorized_write'",
                              "1"),
                  "1")
            << sensor_->err();
        auto conn = sqlite::Db::open(db_, true);
        ASSERT_TRUE(conn.ok());
        alertId_ = text(*conn, "SELECT alert_id FROM alerts WHERE type = 'unauthorized_write'");
    }

    fs::path data_, state_, traffic_, db_;  // under dir_, set by startPlant()
    std::unique_ptr<Child> sensor_;
    std::string alertId_;
};

TEST_F(CommandsTest, AdminAlertLearnReachesTheSensorAndTheAlertStaysQuietAfterRestart) {
    startPlant();
    ASSERT_FALSE(HasFatalFailure());
    Child& sensor = *sensor_;
    const fs::path& db = db_;
    const fs::path& state = state_;
    const fs::path& traffic = traffic_;
    const std::string alertId = alertId_;
    RunResult r;
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

TEST_F(CommandsTest, AlertEvidenceIsFetchedFromTheSensorAsAPcap) {
    startPlant();
    ASSERT_FALSE(HasFatalFailure());
    const fs::path out = dir_ / "evidence.pcap";
    auto r = admin({"alert", "evidence", alertId_, "-o", out.string(), "--wait", "60"});
    ASSERT_EQ(r.code, 0) << r.out << r.err << sensor_->err();
    EXPECT_NE(r.out.find("from sensor s1"), std::string::npos) << r.out;
    // A classic pcap file: the magic, then records; one of them is the Modbus/TCP write.
    const std::string pcap = readText(out);
    ASSERT_GT(pcap.size(), 24u);
    std::uint32_t magic = 0;
    std::memcpy(&magic, pcap.data(), 4);
    EXPECT_TRUE(magic == 0xa1b2c3d4u || magic == 0xa1b23c4du) << std::hex << magic;
    std::size_t at = 24, records = 0;
    bool modbus = false;
    while (at + 16 <= pcap.size()) {
        std::uint32_t caplen = 0;
        std::memcpy(&caplen, pcap.data() + at + 8, 4);
        ASSERT_LE(at + 16 + caplen, pcap.size()) << "record " << records << " runs past the end";
        const auto* frame = reinterpret_cast<const unsigned char*>(pcap.data() + at + 16);
        // Ethernet + IPv4 (20-byte header) + TCP ports at 34..37: 502 either way.
        if (caplen > 38 && ((frame[34] == 0x01 && frame[35] == 0xf6) ||
                            (frame[36] == 0x01 && frame[37] == 0xf6))) {
            modbus = true;
        }
        at += 16 + caplen;
        ++records;
    }
    EXPECT_EQ(at, pcap.size());
    EXPECT_GT(records, 0u);
    EXPECT_TRUE(modbus);
    // Asked once, answered once, recorded and audited; asking again reuses the answer.
    r = admin({"alert", "evidence", alertId_, "-o", (dir_ / "again.pcap").string()});
    ASSERT_EQ(r.code, 0) << r.out << r.err;
    EXPECT_EQ(readText(dir_ / "again.pcap"), pcap);
    auto conn = sqlite::Db::open(db_, true);
    ASSERT_TRUE(conn.ok());
    EXPECT_EQ(scalar(*conn, "SELECT COUNT(*) FROM commands WHERE kind = 'evidence_request' AND "
                            "state = 'done'"),
              1);
    // An unknown alert is refused before anything is sent.
    r = admin({"alert", "evidence", "no-such-alert", "-o", (dir_ / "x.pcap").string()});
    EXPECT_NE(r.code, 0);
    EXPECT_FALSE(fs::exists(dir_ / "x.pcap"));
    ASSERT_EQ(sensor_->terminate(30s), 0) << sensor_->out() << sensor_->err();
}

TEST_F(CommandsTest, PushedSettingsAreCheckedKeptAcrossRestartsAndWithdrawn) {
    startPlant();
    ASSERT_FALSE(HasFatalFailure());
    const fs::path settings = dir_ / "site-settings.toml";
    {
        std::ofstream(settings) << "[protocols]\nport_aliases = [\"modbus=tcp/5020\"]\n\n"
                                   "[network]\nics_subnets = [\"10.0.0.0/24\"]\n"
                                   "vlan_names = [\"20=PLC floor\"]\n"
                                   "dhcp_ranges = [\"10.0.0.100-10.0.0.199\"]\n";
    }
    auto r = admin({"sensor", "push-config", "s1", settings.string(), "--wait", "60"});
    ASSERT_EQ(r.code, 0) << r.out << r.err << sensor_->err();
    EXPECT_NE(r.out.find("sensor s1: settings pushed by the console: applied "
                         "protocols.port_aliases, network.ics_subnets, network.vlan_names, "
                         "network.dhcp_ranges;"),
              std::string::npos)
        << r.out;
    ASSERT_TRUE(fs::exists(state_ / "pushed.toml"));
    EXPECT_EQ(readText(state_ / "pushed.toml"), readText(settings));
    r = run({"ironsight-sensor", "status", "--json", "--state-dir", state_.string()});
    EXPECT_NE(r.out.find("\"network.vlan_names\""), std::string::npos) << r.out;

    // Refused whole by the sensor, naming why; what it keeps is unchanged.
    const fs::path bad = dir_ / "bad.toml";
    { std::ofstream(bad) << "[capture]\ninterfaces = [\"eth9\"]\n[protocols]\nport_aliases = [\"nosuch=tcp/1\"]\n"; }
    r = admin({"sensor", "push-config", "s1", bad.string(), "--wait", "60"});
    EXPECT_NE(r.code, 0);
    EXPECT_NE(r.err.find("sensor s1: settings refused, nothing changed: pushed settings:2:1: "
                         "capture.interfaces cannot be pushed by the console"),
              std::string::npos)
        << r.err;
    { std::ofstream(bad) << "[protocols]\nport_aliases = [\"nosuch=tcp/1\"]\n"; }
    r = admin({"sensor", "push-config", "s1", bad.string(), "--wait", "60"});
    EXPECT_NE(r.code, 0);
    EXPECT_NE(r.err.find("port alias 'nosuch=tcp/1'"), std::string::npos) << r.err;
    EXPECT_EQ(readText(state_ / "pushed.toml"), readText(settings));
    // A syntax error never leaves the console.
    { std::ofstream(bad) << "[network\n"; }
    r = admin({"sensor", "push-config", "s1", bad.string()});
    EXPECT_NE(r.code, 0);
    EXPECT_NE(r.err.find("settings:1:"), std::string::npos) << r.err;

    // Kept across a restart: the same push again changes nothing.
    ASSERT_EQ(sensor_->terminate(30s), 0) << sensor_->out() << sensor_->err();
    sensor_ = std::make_unique<Child>(
        std::vector<std::string>{(kBin / "ironsight-sensor").string(), "run", "--state-dir",
                                 state_.string(), "--replay", (traffic_ / "line1.pcap").string(),
                                 "--top-speed", "--loop"},
        dir_ / "sensor2.out", dir_ / "sensor2.err");
    r = admin({"sensor", "push-config", "s1", settings.string(), "--wait", "60"});
    ASSERT_EQ(r.code, 0) << r.out << r.err << sensor_->err();
    EXPECT_NE(r.out.find("settings pushed by the console: nothing changed"), std::string::npos)
        << r.out;
    EXPECT_NE(sensor_->err().find("settings pushed by the console in force (state dir "
                                  "pushed.toml): protocols.port_aliases, network.ics_subnets, "
                                  "network.vlan_names, network.dhcp_ranges"),
              std::string::npos)
        << sensor_->err();

    // Withdrawn: the (absent) file's settings apply again. Reload answers too.
    r = admin({"sensor", "push-config", "s1", "--clear", "--wait", "60"});
    ASSERT_EQ(r.code, 0) << r.out << r.err;
    EXPECT_NE(r.out.find("pushed settings cleared: applied protocols.port_aliases"),
              std::string::npos)
        << r.out;
    EXPECT_FALSE(fs::exists(state_ / "pushed.toml"));
    r = admin({"sensor", "reload", "s1", "--wait", "60"});
    ASSERT_EQ(r.code, 0) << r.out << r.err;
    EXPECT_NE(r.out.find("no --config file was given"), std::string::npos) << r.out;

    auto conn = sqlite::Db::open(db_, true);
    ASSERT_TRUE(conn.ok());
    EXPECT_EQ(scalar(*conn, "SELECT COUNT(*) FROM commands WHERE kind = 'push_settings'"), 5);
    EXPECT_EQ(scalar(*conn, "SELECT COUNT(*) FROM commands WHERE kind = 'push_settings' AND "
                            "state = 'failed'"),
              2);
    EXPECT_GE(scalar(*conn, "SELECT COUNT(*) FROM audit_log WHERE action = 'command.result' AND "
                            "outcome LIKE '%push_settings%'"),
              5);
    ASSERT_EQ(sensor_->terminate(30s), 0) << sensor_->out() << sensor_->err();
}

TEST_F(CommandsTest, CertificateRenewalOverTheLinkReplacesTheSensorsIdentity) {
    startPlant();
    ASSERT_FALSE(HasFatalFailure());
    const fs::path identity = state_ / "identity";
    const std::string oldCert = readText(identity / "sensor.crt");
    auto r = admin({"sensor", "renew", "s1", "--wait", "60"});
    ASSERT_EQ(r.code, 0) << r.out << r.err << sensor_->err();
    EXPECT_NE(r.out.find("sensor s1: certificate renewed: serial "), std::string::npos) << r.out;
    // The sensor keeps its new identity as the next generation of files; the old ones are gone.
    EXPECT_TRUE(fs::exists(identity / "sensor-1.crt"));
    EXPECT_NE(readText(identity / "sensor-1.crt"), oldCert);
    EXPECT_EQ(fs::status(identity / "sensor-1.key").permissions() & fs::perms::all,
              fs::perms::owner_read | fs::perms::owner_write);
    EXPECT_FALSE(fs::exists(identity / "sensor.crt"));
    EXPECT_FALSE(fs::exists(identity / "sensor.key"));
    // It reconnects with the new certificate, which the console then makes the current one.
    EXPECT_EQ(waitForText(db_,
                          "SELECT COUNT(*) FROM audit_log WHERE action = 'sensor.renew' AND "
                          "outcome LIKE 'ok: renewed certificate % in use; certificate % revoked'",
                          "1"),
              "1")
        << sensor_->err();
    EXPECT_EQ(waitForText(db_, "SELECT next_cert_serial IS NULL FROM sensors WHERE name = 's1'", "1"),
              "1");
    ASSERT_EQ(sensor_->terminate(30s), 0) << sensor_->out() << sensor_->err();
    // A restart runs on the renewed identity and is acknowledged by the console.
    r = run({"ironsight-sensor", "run", "--state-dir", state_.string(), "--replay",
             (traffic_ / "line1.pcap").string(), "--top-speed", "--exit-when-drained"},
            120s);
    EXPECT_EQ(r.code, 0) << r.out << r.err;
    r = run({"ironsight-sensor", "doctor", "--state-dir", state_.string()}, 60s);
    EXPECT_NE(r.out.find("key matches the certificate; certificate signed by the console CA"),
              std::string::npos)
        << r.out << r.err;
}

}  // namespace
}  // namespace ironsight::test
