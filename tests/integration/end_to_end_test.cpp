// SPDX-License-Identifier: Apache-2.0
// End to end with the real binaries: console admin set-up, headless console, activation, replay
// of generated plant traffic, and the console database checked afterwards (SPEC §4, §7).
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "shared/crypto/crypto.h"
#include "tests/integration/process_harness.h"
#include "tests/support/plant_traffic.h"

namespace ironsight::test {
namespace {

class EndToEndTest : public ProcessTest {
protected:
    /// A console made with the real admin CLI: admin user, site "Plant A", zone "Line 1", and
    /// sensor "sensor-1" with its activation file written to `activationFile`.
    void setUpConsole(const fs::path& data, const std::string& listen, const std::string& enroll,
                      const fs::path& activationFile) {
        const fs::path passwordFile = dir_ / "admin.password";
        { std::ofstream(passwordFile) << "Correct-Horse-Battery-Staple-42\n"; }
        fs::permissions(passwordFile, fs::perms::owner_read | fs::perms::owner_write);
        for (const std::vector<std::string>& args :
             {std::vector<std::string>{"init", "--admin-user", "admin", "--admin-password-file",
                                       passwordFile.string(), "--listen", listen,
                                       "--enroll-listen", enroll},
              {"site", "add", "Plant A"},
              {"zone", "add", "--site", "Plant A", "Line 1"},
              {"sensor", "add", "--site", "Plant A", "--zone", "Line 1", "sensor-1", "--out",
               activationFile.string()}}) {
            std::vector<std::string> argv = {"ironsight-console", "admin", "--data-dir",
                                             data.string()};
            argv.insert(argv.end(), args.begin(), args.end());
            auto r = run(argv);
            ASSERT_EQ(r.code, 0) << r.out << r.err;
        }
        ASSERT_TRUE(fs::exists(activationFile));
    }
};

TEST_F(EndToEndTest, ActivateReplayAndCheckTheConsoleDatabase) {
    const fs::path data = dir_ / "console";
    const fs::path state = dir_ / "sensor";
    const fs::path traffic = dir_ / "traffic";
    const fs::path activationFile = dir_ / "sensor-1.activation";
    const std::string listen = "127.0.0.1:" + std::to_string(freePort());
    const std::string enroll = "127.0.0.1:" + std::to_string(freePort());

    // Console set-up with the real admin CLI.
    ASSERT_NO_FATAL_FAILURE(setUpConsole(data, listen, enroll, activationFile));

    // The console runs headless as a child; wait for both listeners.
    ASSERT_TRUE(startConsole(data, {listen, enroll}));

    // Plant traffic from the real generator.
    auto r = run({"ironsight-plant-traffic", "--out", traffic.string()});
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

/// `certPem` with its validity moved to now + fromDays .. now + toDays, signed again by `caKeyPem`.
std::string withValidity(const std::string& certPem, const std::string& caKeyPem, long fromDays,
                         long toDays) {
    auto cert = crypto::certificateFromPem(certPem);
    auto caKey = crypto::privateKeyFromPem(caKeyPem);
    if (!cert || !caKey) return {};
    X509* c = cert->get();
    X509_gmtime_adj(X509_getm_notBefore(c), fromDays * 86400L);
    X509_gmtime_adj(X509_getm_notAfter(c), toDays * 86400L);
    if (X509_sign(c, caKey->get(), EVP_sha256()) <= 0) return {};
    auto pem = crypto::certificateToPem(c);
    return pem ? *pem : std::string();
}

// SPEC §4 / issue 6 (a): a running console refuses, in the TLS handshake, a client with no
// certificate, one from another CA, an expired and a not yet valid one (the sensor's own,
// re-dated), and writes an audit record for each with the client's address. The clients are
// real `openssl s_client` processes.
TEST_F(EndToEndTest, TlsHandshakeRefusalsOfARunningConsoleAreAudited) {
    const fs::path data = dir_ / "console";
    const fs::path state = dir_ / "sensor";
    const fs::path activationFile = dir_ / "sensor-1.activation";
    const std::string listen = "127.0.0.1:" + std::to_string(freePort());
    const std::string enroll = "127.0.0.1:" + std::to_string(freePort());
    ASSERT_NO_FATAL_FAILURE(setUpConsole(data, listen, enroll, activationFile));
    ASSERT_TRUE(startConsole(data, {listen, enroll}));
    auto r = run(
        {"ironsight-sensor", "activate", activationFile.string(), "--state-dir", state.string()},
        30s);
    ASSERT_EQ(r.code, 0) << r.out << r.err;

    const fs::path identity = state / "identity";
    const std::string sensorCert = readText(identity / "sensor.crt");
    const std::string caKey = readText(data / "pki" / "ca.key");
    const fs::path expired = dir_ / "expired.crt";
    const fs::path notYetValid = dir_ / "not-yet-valid.crt";
    { std::ofstream(expired) << withValidity(sensorCert, caKey, -30, -1); }
    { std::ofstream(notYetValid) << withValidity(sensorCert, caKey, 1, 30); }
    ASSERT_GT(fs::file_size(expired), 0u);

    auto sClient = [&](const std::string& name, const std::string& certArgs) {
        const std::string cmd = "openssl s_client -connect " + listen + " -CAfile " +
                                (identity / "ca.crt").string() + " " + certArgs +
                                " </dev/null";
        Child c({"/bin/sh", "-c", cmd}, dir_ / (name + ".out"), dir_ / (name + ".err"));
        EXPECT_NE(c.wait(20s), -1) << name << " did not finish";
    };
    const std::string key = "-key " + (identity / "sensor.key").string();
    const std::string foreignKey = (dir_ / "foreign.key").string();
    const std::string foreignCert = (dir_ / "foreign.crt").string();
    Child foreign({"/bin/sh", "-c",
                   "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout " +
                       foreignKey + " -out " + foreignCert + " -subj /CN=foreign -days 2"},
                  dir_ / "foreign.out", dir_ / "foreign.err");
    ASSERT_EQ(foreign.wait(20s), 0) << foreign.err();

    // The expected refusals, in order; each must be recorded before the next client starts, so
    // each record is matched to its client.
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"", "refused: no client certificate"},
        {"-cert " + foreignCert + " -key " + foreignKey,
         "refused: certificate not issued by this console's CA"},
        {"-cert " + expired.string() + " " + key,
         "refused: certificate has expired (X509 error 10)"},
        {"-cert " + notYetValid.string() + " " + key,
         "refused: certificate is not yet valid (X509 error 9)"},
    };
    std::size_t seen = 0;
    for (const auto& [args, outcome] : cases) {
        sClient("client" + std::to_string(seen), args);
        std::vector<std::pair<std::string, std::string>> rows;
        const auto until = std::chrono::steady_clock::now() + 10s;
        while (rows.size() <= seen && std::chrono::steady_clock::now() < until) {
            std::this_thread::sleep_for(100ms);
            rows.clear();
            auto db = sqlite::Db::open(data / "console.db", true);
            ASSERT_TRUE(db.ok()) << db.error().message;
            auto stmt = db->prepare(
                "SELECT outcome, source FROM audit_log WHERE action = 'link.handshake' "
                "AND actor = 'unknown' ORDER BY id");
            ASSERT_TRUE(stmt.ok());
            while (true) {
                auto row = stmt->step();
                if (!row || !*row) break;
                rows.emplace_back(stmt->columnText(0), stmt->columnText(1));
            }
        }
        ASSERT_GT(rows.size(), seen) << "no audit record for: " << outcome;
        for (std::size_t i = seen; i < rows.size(); ++i) {
            EXPECT_EQ(rows[i].first.substr(0, outcome.size()), outcome);
            EXPECT_EQ(rows[i].second.rfind("127.0.0.1:", 0), 0u) << rows[i].second;
        }
        seen = rows.size();
    }
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
