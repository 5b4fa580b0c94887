// SPDX-License-Identifier: Apache-2.0
// Runs the real ironsight-console binary: admin flows, headless lines, and a full
// activate -> enroll -> stream -> revoke cycle against the headless server.
#include <grpcpp/security/auth_context.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fcntl.h>
#include <poll.h>
#include <chrono>
#include <nlohmann/json.hpp>
#include <regex>
#include <thread>

#include "console/core/cert_test_util.h"
#include "console/core/console_store.h"
#include "console/core/pki.h"
#include "ironsight/v1/link.grpc.pb.h"
#include "shared/activation/activation.h"
#include "shared/crypto/crypto.h"
#include "shared/sqlite/sqlite.h"
#include "shared/tls/credentials.h"

namespace {
namespace fs = std::filesystem;
using namespace std::chrono_literals;
using ironsight::crypto::readFile;

const fs::path kBinary = fs::path(IRONSIGHT_BINARY_DIR) / "bin" / "ironsight-console";

struct TempDir {
    fs::path path = fs::temp_directory_path() / ("ironsight-app-" + ironsight::crypto::newUuid());
    TempDir() { fs::create_directories(path); }
    ~TempDir() { fs::remove_all(path); }
};

/// A started child process with stdout/stderr redirected to files.
struct Child {
    pid_t pid = -1;
    fs::path out, err;
};

Child spawn(const std::vector<std::string>& args, const fs::path& dir) {
    static int counter = 0;
    Child c;
    c.out = dir / ("out" + std::to_string(counter) + ".txt");
    c.err = dir / ("err" + std::to_string(counter++) + ".txt");
    c.pid = fork();
    if (c.pid == 0) {
        int o = open(c.out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        int e = open(c.err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        dup2(o, 1);
        dup2(e, 2);
        std::vector<char*> argv;
        std::string bin = kBinary.string();
        argv.push_back(bin.data());
        std::vector<std::string> copy = args;
        for (auto& a : copy) argv.push_back(a.data());
        argv.push_back(nullptr);
        execv(bin.c_str(), argv.data());
        _exit(127);
    }
    return c;
}

int waitExit(const Child& c) {
    int status = 0;
    waitpid(c.pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

struct RunResult {
    int code;
    std::string out, err;
};

RunResult run(const std::vector<std::string>& args, const fs::path& dir) {
    Child c = spawn(args, dir);
    int code = waitExit(c);
    return {code, readFile(c.out).value(), readFile(c.err).value()};
}

int freePort() {
    int s = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a);
    socklen_t len = sizeof a;
    getsockname(s, reinterpret_cast<sockaddr*>(&a), &len);
    close(s);
    return ntohs(a.sin_port);
}

std::string caFingerprint(const fs::path& dataDir) {
    auto ca = ironsight::crypto::certificateFromPem(readFile(dataDir / "pki" / "ca.crt").value());
    return ironsight::crypto::certificateFingerprint(ca->get());
}

class ConsoleApp : public ::testing::Test {
protected:
    void SetUp() override {
        if (!fs::exists(kBinary)) GTEST_SKIP() << kBinary << " not built";
        data_ = tmp_.path / "data";
        ASSERT_TRUE(
            ironsight::crypto::writeFileAtomic(tmp_.path / "pw", "A good password 1\n",
                                               fs::perms::owner_read | fs::perms::owner_write)
                .ok());
    }
    RunResult admin(std::vector<std::string> args) {
        args.insert(args.begin(), {"admin", "--data-dir", data_.string()});
        return run(args, tmp_.path);
    }
    /// `admin init`, site P, zone Z and sensor s1 in it (its activation file in the temp dir).
    void initWithSensorS1() {
        RunResult r = admin({"init", "--admin-user", "admin", "--admin-password-file",
                             (tmp_.path / "pw").string()});
        ASSERT_EQ(r.code, 0) << r.err;
        ASSERT_EQ(admin({"site", "add", "P"}).code, 0);
        ASSERT_EQ(admin({"zone", "add", "--site", "P", "Z"}).code, 0);
        ASSERT_EQ(admin({"sensor", "add", "--site", "P", "--zone", "Z", "s1", "--out",
                         (tmp_.path / "s1.act").string()})
                      .code,
                  0);
    }
    TempDir tmp_;
    fs::path data_;
};

TEST_F(ConsoleApp, AdminFlows) {
    RunResult r = admin(
        {"init", "--admin-user", "admin", "--admin-password-file", (tmp_.path / "pw").string()});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_NE(r.out.find("CA fingerprint: " + caFingerprint(data_) + "\n"), std::string::npos)
        << r.out;
    EXPECT_EQ(fs::status(data_ / "pki" / "ca.key").permissions() & fs::perms::all,
              fs::perms::owner_read | fs::perms::owner_write);
    r = admin(
        {"init", "--admin-user", "admin", "--admin-password-file", (tmp_.path / "pw").string()});
    EXPECT_NE(r.code, 0);
    EXPECT_NE(r.err.find("already set up"), std::string::npos) << r.err;

    EXPECT_EQ(admin({"site", "add", "Plant A"}).code, 0);
    r = admin({"zone", "add", "--site", "Plant B", "Line 1"});
    EXPECT_EQ(r.code, 1);
    EXPECT_EQ(r.err, "error: no site named 'Plant B'\n");
    EXPECT_EQ(admin({"zone", "add", "--site", "Plant A", "Line 1"}).code, 0);

    fs::path file = tmp_.path / "s1.activation";
    r = admin(
        {"sensor", "add", "--site", "Plant A", "--zone", "Line 1", "s1", "--out", file.string()});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(fs::status(file).permissions() & fs::perms::all,
              fs::perms::owner_read | fs::perms::owner_write);
    auto payload = ironsight::activation::readAndVerify(file, ironsight::console::core::nowMs());
    ASSERT_TRUE(payload.ok()) << payload.error().message;
    EXPECT_EQ(payload->sensor_name(), "s1");
    EXPECT_EQ(payload->site(), "Plant A");
    EXPECT_EQ(payload->enroll_endpoint(), "127.0.0.1:50052");
    EXPECT_EQ(payload->stream_endpoints(0), "127.0.0.1:50051");
    EXPECT_NE(r.out.find("id " + payload->sensor_id() + "\n"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("CA fingerprint: " + caFingerprint(data_)), std::string::npos);

    r = admin({"sensor", "list", "--json"});
    ASSERT_EQ(r.code, 0);
    auto list = nlohmann::json::parse(r.out);
    ASSERT_EQ(list.size(), 1u);
    EXPECT_EQ(list[0]["id"], payload->sensor_id());
    EXPECT_EQ(list[0]["status"], "pending");
    EXPECT_EQ(admin({"sensor", "revoke", "s1"}).code, 0);
    EXPECT_EQ(nlohmann::json::parse(admin({"sensor", "list", "--json"}).out)[0]["status"],
              "revoked");
    EXPECT_NE(admin({"sensor", "revoke", "s1"}).code, 0);

    r = admin({"export", "alerts", "--format", "json"});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(nlohmann::json::parse(r.out), nlohmann::json::parse(R"({"alerts": []})"));
    EXPECT_NE(admin({"export", "alerts", "--format", "xml"}).code, 0);

    TempDir empty;
    r = run({"admin", "--data-dir", (empty.path / "none").string(), "sensor", "list"}, tmp_.path);
    EXPECT_EQ(r.code, 1);
    EXPECT_NE(r.err.find("admin init"), std::string::npos);
}

TEST_F(ConsoleApp, UserAndAuditCommands) {
    auto writePw = [this](const std::string& name, const std::string& pw) {
        fs::path f = tmp_.path / name;
        EXPECT_TRUE(ironsight::crypto::writeFileAtomic(
                        f, pw + "\n", fs::perms::owner_read | fs::perms::owner_write)
                        .ok());
        return f.string();
    };
    RunResult r = admin(
        {"init", "--admin-user", "admin", "--admin-password-file", (tmp_.path / "pw").string()});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_NE(r.out.find("admin admin must change the password at first sign-in\n"),
              std::string::npos)
        << r.out;

    r = admin({"user", "add", "ana", "--role", "analyst", "--password-file",
               writePw("ana.pw", "Analyst-initial-1")});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(r.out,
              "user ana added (role analyst); the password must be changed at first "
              "sign-in\n");
    r = admin({"user", "add", "weak", "--role", "viewer", "--password-file",
               writePw("weak.pw", "alllowercase")});
    EXPECT_EQ(r.code, 1);
    EXPECT_EQ(r.err,
              "error: password must mix at least 3 of: lower-case letters, upper-case "
              "letters, digits, symbols (it has 1)\n");
    r = admin({"user", "add", "ana", "--role", "viewer", "--password-file",
               writePw("dup.pw", "Another-passw0rd")});
    EXPECT_EQ(r.code, 1);
    EXPECT_EQ(r.err, "error: user 'ana' already exists\n");
    EXPECT_NE(admin({"user", "add", "x", "--role", "root", "--password-file",
                     writePw("x.pw", "Another-passw0rd")})
                  .code,
              0);

    r = admin({"user", "list", "--json"});
    ASSERT_EQ(r.code, 0) << r.err;
    auto users = nlohmann::json::parse(r.out);
    ASSERT_EQ(users.size(), 2u);
    EXPECT_EQ(users[0]["name"], "admin");
    EXPECT_EQ(users[0]["role"], "admin");
    EXPECT_EQ(users[0]["must_change_password"], true);
    EXPECT_EQ(users[1]["name"], "ana");
    EXPECT_EQ(users[1]["role"], "analyst");
    EXPECT_EQ(r.out.find("argon2"), std::string::npos);

    r = admin({"user", "reset-password", "ana", "--password-file",
               writePw("ana2.pw", "Analyst-reset-22")});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(r.out, "password of ana reset; it must be changed at next sign-in\n");
    EXPECT_EQ(admin({"user", "reset-password", "nobody", "--password-file",
                     writePw("n.pw", "Analyst-reset-22")})
                  .err,
              "error: no user 'nobody'\n");
    r = admin({"user", "disable", "ana"});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(r.out, "user ana disabled\n");
    r = admin({"user", "disable", "admin"});
    EXPECT_EQ(r.code, 1);
    EXPECT_EQ(r.err, "error: cannot disable 'admin': it is the last enabled admin\n");
    r = admin({"user", "list"});
    ASSERT_EQ(r.code, 0);
    EXPECT_TRUE(std::regex_search(r.out, std::regex("\nana +analyst +disabled +yes +never\n")))
        << r.out;

    r = admin({"audit", "list", "--json", "--limit", "3"});
    ASSERT_EQ(r.code, 0) << r.err;
    auto audit = nlohmann::json::parse(r.out)["audit"];
    ASSERT_EQ(audit.size(), 3u);
    EXPECT_EQ(audit[2]["action"], "user.disable");
    EXPECT_EQ(audit[2]["actor"], "local-admin");
    EXPECT_EQ(audit[2]["source"], "local");
    EXPECT_EQ(audit[2]["target"], "ana");
    EXPECT_EQ(audit[2]["outcome"], "ok");
    EXPECT_EQ(audit[2]["prev_hash"], audit[1]["hash"]);
    r = admin({"audit", "list"});
    ASSERT_EQ(r.code, 0);
    EXPECT_NE(r.out.find("user.reset_password"), std::string::npos) << r.out;

    r = admin({"audit", "verify"});
    ASSERT_EQ(r.code, 0) << r.out << r.err;
    std::smatch m;
    ASSERT_TRUE(std::regex_search(r.out, m, std::regex("^audit log intact: ([0-9]+) records\n")))
        << r.out;
    int records = std::stoi(m[1]);
    EXPECT_GE(records, 6);

    fs::path csv = tmp_.path / "audit.csv";
    r = admin({"audit", "export", "--out", csv.string(), "--format", "csv"});
    ASSERT_EQ(r.code, 0) << r.err;
    std::string text = readFile(csv).value();
    EXPECT_EQ(
        text.rfind("id,time_utc,time_ms,actor,action,target,source,outcome,prev_hash,hash\n", 0),
        0u)
        << text;
    EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), records + 1);
    fs::path jsonFile = tmp_.path / "audit.json";
    ASSERT_EQ(admin({"audit", "export", "--out", jsonFile.string(), "--format", "json"}).code, 0);
    auto exported = nlohmann::json::parse(readFile(jsonFile).value())["audit"];
    EXPECT_EQ(static_cast<int>(exported.size()), records + 1);  // + the csv export record

    {
        auto db = ironsight::sqlite::Db::open(data_ / "console.db");
        ASSERT_TRUE(db.ok());
        ASSERT_TRUE(db->exec("UPDATE audit_log SET outcome = 'ok: role admin' WHERE id = 3").ok());
    }
    r = admin({"audit", "verify"});
    EXPECT_EQ(r.code, 1);
    EXPECT_EQ(r.out.rfind("audit log broken at record 3\n", 0), 0u) << r.out;

    for (std::vector<std::string> cmd : {std::vector<std::string>{"user", "add"},
                                         {"user", "list"},
                                         {"user", "reset-password"},
                                         {"user", "disable"},
                                         {"audit", "list"},
                                         {"audit", "verify"},
                                         {"audit", "export"}}) {
        cmd.push_back("--help");
        r = admin(cmd);
        EXPECT_EQ(r.code, 0) << cmd[0] << " " << cmd[1];
        EXPECT_NE(r.out.find("Usage"), std::string::npos) << r.out;
    }
}

TEST_F(ConsoleApp, HeadlessOnEmptyDirPrintsBoundPortsAndStopsCleanly) {
    Child c = spawn({"--headless", "--data-dir", data_.string(), "--listen", "127.0.0.1:0",
                     "--enroll-listen", "127.0.0.1:0"},
                    tmp_.path);
    std::string out;
    for (int i = 0; i < 100 && std::count(out.begin(), out.end(), '\n') < 3; ++i) {
        std::this_thread::sleep_for(100ms);
        out = readFile(c.out).value();
    }
    std::smatch m;
    ASSERT_TRUE(std::regex_search(out, m,
                                  std::regex("^link listening on 127\\.0\\.0\\.1:([0-9]+)\n"
                                             "enrollment listening on 127\\.0\\.0\\.1:([0-9]+)\n"
                                             "CA fingerprint: ([0-9A-F:]{95})\n$")))
        << out;
    EXPECT_NE(m[1], "0");
    EXPECT_NE(m[1], m[2]);
    EXPECT_EQ(m[3], caFingerprint(data_));
    kill(c.pid, SIGTERM);
    EXPECT_EQ(waitExit(c), 0);
}

TEST_F(ConsoleApp, ActivateEnrollStreamAndRevokeAgainstHeadless) {
    std::string link = "127.0.0.1:" + std::to_string(freePort());
    std::string enroll = "127.0.0.1:" + std::to_string(freePort());
    ASSERT_EQ(admin({"init", "--admin-user", "admin", "--admin-password-file",
                     (tmp_.path / "pw").string(), "--listen", link, "--enroll-listen", enroll})
                  .code,
              0);
    ASSERT_EQ(admin({"site", "add", "P"}).code, 0);
    ASSERT_EQ(admin({"zone", "add", "--site", "P", "Z"}).code, 0);
    fs::path file = tmp_.path / "s.activation";
    ASSERT_EQ(
        admin({"sensor", "add", "--site", "P", "--zone", "Z", "s", "--out", file.string()}).code,
        0);

    Child server = spawn({"--headless", "--data-dir", data_.string()}, tmp_.path);
    std::string out;
    for (int i = 0; i < 100 && std::count(out.begin(), out.end(), '\n') < 3; ++i) {
        std::this_thread::sleep_for(100ms);
        out = readFile(server.out).value();
    }
    ASSERT_NE(out.find("link listening on " + link + "\n"), std::string::npos) << out;

    // The sensor side, with nothing but the activation file.
    auto p = ironsight::activation::readAndVerify(file, ironsight::console::core::nowMs());
    ASSERT_TRUE(p.ok());
    auto key = ironsight::crypto::generateP256Key();
    auto args = ironsight::tls::channelArguments(p->console_tls_name());
    auto enrollStub = ironsight::v1::Enrollment::NewStub(grpc::CreateCustomChannel(
        p->enroll_endpoint(), ironsight::tls::channelCredentials(p->console_ca_pem()), args));
    ironsight::v1::EnrollRequest req;
    req.set_sensor_id(p->sensor_id());
    req.set_enrollment_token(p->enrollment_token());
    req.set_csr_pem(*ironsight::crypto::makeCsrPem(key->get(), "s"));
    ironsight::v1::EnrollResponse resp;
    grpc::ClientContext ectx;
    ectx.set_deadline(std::chrono::system_clock::now() + 10s);
    grpc::Status st = enrollStub->Enroll(&ectx, req, &resp);
    ASSERT_TRUE(st.ok()) << st.error_message();

    auto creds = ironsight::tls::channelCredentials(p->console_ca_pem(),
                                                    *ironsight::crypto::privateKeyToPem(key->get()),
                                                    resp.certificate_pem());
    auto linkStub = ironsight::v1::SensorLink::NewStub(
        grpc::CreateCustomChannel(p->stream_endpoints(0), creds, args));
    grpc::ClientContext sctx;
    sctx.set_deadline(std::chrono::system_clock::now() + 20s);
    auto stream = linkStub->Stream(&sctx);
    ironsight::v1::SensorMessage hello;
    hello.mutable_hello()->set_epoch(5);
    ASSERT_TRUE(stream->Write(hello));
    ironsight::v1::ConsoleMessage reply;
    ASSERT_TRUE(stream->Read(&reply));
    EXPECT_TRUE(reply.has_resume());

    auto start = std::chrono::steady_clock::now();
    ASSERT_EQ(admin({"sensor", "revoke", "s"}).code, 0);
    EXPECT_FALSE(stream->Read(&reply));
    EXPECT_LT(std::chrono::steady_clock::now() - start, 2500ms);  // includes the CLI's run time
    stream->Finish();

    kill(server.pid, SIGINT);
    EXPECT_EQ(waitExit(server), 0);
}

/// Streams alerts from sensor `name` straight into the data dir's store (as the ingest server
/// would); returns the sensor id.
std::string ingestAlerts(const fs::path& dataDir, const std::string& name,
                         const std::vector<std::pair<std::string, int>>& alerts) {
    using ironsight::console::core::ConsoleStore;
    auto store = ConsoleStore::open(dataDir / "console.db");
    EXPECT_TRUE(store.ok());
    auto sensor = (*store)->findSensor(name);
    EXPECT_TRUE(sensor.ok() && sensor->has_value());
    std::string id = (*sensor)->id;
    auto p = (*store)->beginStream(id, 1, 1000);
    EXPECT_TRUE(p.ok());
    ironsight::v1::Batch b;
    std::uint64_t seq = p->appliedThroughSeq;
    for (const auto& [alertId, severity] : alerts) {
        auto* env = b.add_envelopes();
        env->set_seq(++seq);
        env->mutable_alert()->set_id(alertId);
        env->mutable_alert()->set_title("Title " + alertId);
        env->mutable_alert()->set_severity(static_cast<ironsight::v1::Severity>(severity));
        env->mutable_alert()->set_last_seen_ms(static_cast<std::int64_t>(seq));
    }
    EXPECT_TRUE((*store)->applyBatch(id, 1, b, 2000).ok());
    return id;
}

TEST_F(ConsoleApp, AlertWorkflowAndHierarchyCommands) {
    RunResult r = admin(
        {"init", "--admin-user", "admin", "--admin-password-file", (tmp_.path / "pw").string()});
    ASSERT_EQ(r.code, 0) << r.err;
    ASSERT_EQ(admin({"site", "add", "Plant A"}).code, 0);
    ASSERT_EQ(admin({"zone", "add", "--site", "Plant A", "Line 1"}).code, 0);
    ASSERT_EQ(admin({"zone", "add", "--site", "Plant A", "Line 2"}).code, 0);
    for (const char* s : {"s1", "s2"}) {
        std::string zone = s == std::string("s1") ? "Line 1" : "Line 2";
        r = admin({"sensor", "add", "--site", "Plant A", "--zone", zone, s, "--out",
                   (tmp_.path / (std::string(s) + ".act")).string()});
        ASSERT_EQ(r.code, 0) << r.err;
    }
    ingestAlerts(data_, "s1", {{"a1", 4}, {"a2", 3}, {"dup", 1}});
    ingestAlerts(data_, "s2", {{"dup", 2}});

    r = admin({"alert", "ack", "a1", "a2"});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(r.out, "2 alert(s) acknowledged\n");
    r = admin({"alert", "close", "a1", "a2", "nope"});
    EXPECT_EQ(r.code, 1);
    EXPECT_EQ(r.err, "error: no alert 'nope'\n");
    r = admin({"alert", "close", "dup"});
    EXPECT_EQ(r.code, 1);
    EXPECT_EQ(r.err,
              "error: alert id 'dup' is reported by 2 sensors; name one with --sensor NAME\n");
    r = admin({"alert", "close", "a1", "dup", "--sensor", "s1"});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(r.out, "2 alert(s) closed\n");
    r = admin({"alert", "close", "a1"});
    EXPECT_EQ(r.out, "0 alert(s) closed (1 already closed)\n");
    r = admin({"alert", "comment", "a2", "--text", "called the integrator"});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(r.out, "comment added to alert a2\n");
    r = admin({"alert", "comments", "a2", "--json"});
    ASSERT_EQ(r.code, 0) << r.err;
    auto comments = nlohmann::json::parse(r.out)["comments"];
    ASSERT_EQ(comments.size(), 1u);
    EXPECT_EQ(comments[0]["author"], "local-admin");
    EXPECT_EQ(comments[0]["text"], "called the integrator");
    r = admin({"alert", "assign", "a2", "--user", "admin"});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(r.out, "alert a2 assigned to admin\n");

    r = admin({"alert", "list", "--json", "--status", "acknowledged"});
    ASSERT_EQ(r.code, 0) << r.err;
    auto listed = nlohmann::json::parse(r.out)["alerts"];
    ASSERT_EQ(listed.size(), 1u);
    EXPECT_EQ(listed[0]["id"], "a2");
    EXPECT_EQ(listed[0]["assignee"], "admin");
    EXPECT_EQ(listed[0]["comments"], 1);
    r = admin({"alert", "counts", "--json"});
    ASSERT_EQ(r.code, 0) << r.err;
    auto counts = nlohmann::json::parse(r.out);
    EXPECT_EQ(counts["total"], 4);
    EXPECT_EQ(counts["open"], 2);
    EXPECT_EQ(counts["status"]["closed"]["total"], 2);
    EXPECT_EQ(counts["severity"]["critical"]["open"], 0);
    EXPECT_EQ(counts["zone"]["Plant A/Line 2"]["open"], 1);
    r = admin({"alert", "reopen", "a1"});
    EXPECT_EQ(r.out, "1 alert(s) reopened\n");

    // Site -> zone hierarchy.
    r = admin({"zone", "delete", "--site", "Plant A", "Line 2"});
    EXPECT_EQ(r.code, 1);
    EXPECT_EQ(r.err,
              "error: cannot delete zone 'Line 2' of site 'Plant A': 1 sensor(s) (1 not revoked) "
              "belong to it; move or remove them first\n");
    ASSERT_EQ(admin({"site", "add", "Plant B"}).code, 0);
    r = admin({"zone", "move", "--site", "Plant A", "--to", "Plant B", "Line 2"});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(r.out, "zone Line 2 moved to site Plant B\n");
    r = admin({"zone", "rename", "--site", "Plant B", "Line 2", "Boiler"});
    ASSERT_EQ(r.code, 0) << r.err;
    r = admin({"site", "rename", "Plant B", "Plant Beta"});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(r.out, "site Plant B renamed to Plant Beta\n");
    auto sensors = nlohmann::json::parse(admin({"sensor", "list", "--json"}).out);
    EXPECT_EQ(sensors[1]["site"], "Plant Beta");
    EXPECT_EQ(sensors[1]["zone"], "Boiler");
    r = admin({"site", "delete", "Plant Beta"});
    EXPECT_EQ(r.code, 1);
    EXPECT_EQ(r.err,
              "error: cannot delete site 'Plant Beta': it still has 1 zone(s); delete or move "
              "them first\n");
    ASSERT_EQ(admin({"zone", "add", "--site", "Plant A", "Spare"}).code, 0);
    EXPECT_EQ(admin({"zone", "delete", "--site", "Plant A", "Spare"}).out,
              "zone Spare deleted from site Plant A\n");

    r = admin({"audit", "verify"});
    EXPECT_EQ(r.code, 0) << r.out;
    r = admin({"audit", "list", "--json", "--limit", "0"});
    std::vector<std::string> actions;
    auto audit = nlohmann::json::parse(r.out);
    for (const auto& row : audit["audit"]) {
        actions.push_back(row["action"].get<std::string>());
    }
    for (const char* want :
         {"alert.acknowledge", "alert.close", "alert.comment", "alert.assign", "alert.reopen",
          "zone.move", "zone.rename", "site.rename", "zone.delete"}) {
        EXPECT_NE(std::find(actions.begin(), actions.end(), want), actions.end()) << want;
    }
}

TEST_F(ConsoleApp, BackupRestoreAndRetentionCommands) {
    RunResult r = admin(
        {"init", "--admin-user", "admin", "--admin-password-file", (tmp_.path / "pw").string()});
    ASSERT_EQ(r.code, 0) << r.err;
    ASSERT_EQ(admin({"site", "add", "Plant A"}).code, 0);
    fs::path file = tmp_.path / "backup.db";
    r = admin({"backup", file.string()});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_TRUE(std::regex_search(
        r.out, std::regex("^backup written to .*backup\\.db: [0-9]+ bytes, schema v[0-9]+, 0 "
                          "devices, 0 alerts, [0-9]+ audit records; integrity check ok\n$")))
        << r.out;
    r = admin({"backup", file.string()});
    EXPECT_EQ(r.code, 1);
    EXPECT_EQ(r.err, "error: " + file.string() + " already exists; choose another file\n");
    ASSERT_EQ(admin({"site", "add", "Plant B"}).code, 0);

    // A running console holds the data directory: restore is refused and changes nothing.
    Child server = spawn({"--headless", "--data-dir", data_.string(), "--listen", "127.0.0.1:0",
                          "--enroll-listen", "127.0.0.1:0"},
                         tmp_.path);
    std::string out;
    for (int i = 0; i < 100 && std::count(out.begin(), out.end(), '\n') < 3; ++i) {
        std::this_thread::sleep_for(100ms);
        out = readFile(server.out).value();
    }
    ASSERT_EQ(std::count(out.begin(), out.end(), '\n'), 3) << out;
    r = admin({"restore", file.string()});
    EXPECT_EQ(r.code, 1);
    EXPECT_EQ(r.err, "error: restore refused: the console data directory " + data_.string() +
                         " is in use by a running console (desktop, --headless or another admin "
                         "command); stop it first\n");
    kill(server.pid, SIGTERM);
    ASSERT_EQ(waitExit(server), 0);

    r = admin({"restore", file.string()});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_NE(r.out.find("previous database kept as " + (data_ / "console.db.bak").string()),
              std::string::npos)
        << r.out;
    r = admin({"audit", "verify"});
    EXPECT_EQ(r.code, 0) << r.out;
    auto sites = admin({"audit", "list", "--json", "--limit", "1"});
    EXPECT_EQ(nlohmann::json::parse(sites.out)["audit"][0]["action"], "backup.restore");
    {
        auto db = ironsight::sqlite::Db::open(data_ / "console.db", true);
        auto st = db->prepare("SELECT group_concat(name) FROM sites");
        ASSERT_TRUE(*st->step());
        EXPECT_EQ(st->columnText(0), "Plant A");
    }
    fs::path text = tmp_.path / "text.db";
    ASSERT_TRUE(ironsight::crypto::writeFileAtomic(text, "not a database at all\n",
                                                   fs::perms::owner_read | fs::perms::owner_write)
                    .ok());
    r = admin({"restore", text.string()});
    EXPECT_EQ(r.code, 1);
    EXPECT_EQ(r.err,
              "error: " + text.string() + ": not an SQLite database (not a console backup)\n");

    r = admin({"retention", "show"});
    EXPECT_EQ(r.out, "retention: closed alerts 0 days, devices 0 days (0 = keep)\n");
    r = admin({"retention", "set", "--closed-alerts-days", "90"});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(r.out, "retention: closed alerts 90 days, devices 0 days (0 = keep)\n");
    r = admin({"retention", "set", "--devices-days", "400"});
    EXPECT_EQ(r.out, "retention: closed alerts 90 days, devices 400 days (0 = keep)\n");
    EXPECT_NE(admin({"retention", "set", "--devices-days", "-3"}).code, 0);
    r = admin({"retention", "run"});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(r.out, "retention: deleted 0 closed alerts, 0 devices\n");
}

// A retention sweep of a large store takes minutes (it leaves ingest half of the writer's time);
// stopping the server must not wait for it. The sweep stops between two batches, keeps what it
// deleted, says so, and the audit records it.
TEST_F(ConsoleApp, HeadlessShutdownStopsALongRetentionSweep) {
    ASSERT_NO_FATAL_FAILURE(initWithSensorS1());
    RunResult r{};
    constexpr int kAlerts = 40'000;  // ~1,600 batches of 25: seconds of sweeping at least
    {
        using namespace ironsight::console::core;
        auto store = ConsoleStore::open(data_ / "console.db");
        ASSERT_TRUE(store.ok());
        (*store)->setClock([] { return nowMs() - 40LL * 86'400'000; });  // closed 40 days ago
        std::string id = (*(*store)->findSensor("s1"))->id;
        ASSERT_TRUE((*store)->beginStream(id, 1, 1).ok());
        std::vector<AlertKey> keys;
        for (int from = 0; from < kAlerts; from += 5000) {
            ironsight::v1::Batch b;
            for (int i = from; i < from + 5000; ++i) {
                auto* env = b.add_envelopes();
                env->set_seq(static_cast<std::uint64_t>(i + 1));
                env->mutable_alert()->set_id("alert-" + std::to_string(i));
                env->mutable_alert()->set_title("Old alert " + std::to_string(i));
                keys.push_back({id, "alert-" + std::to_string(i)});
            }
            ASSERT_TRUE((*store)->applyBatch(id, 1, b, 1).ok());
        }
        auto closed = (*store)->setAlertStatus(keys, AlertStatus::Closed);
        ASSERT_TRUE(closed.ok() && *closed == kAlerts);
    }
    ASSERT_EQ(admin({"retention", "set", "--closed-alerts-days", "30"}).code, 0);
    auto alertsLeft = [&] {
        auto db = ironsight::sqlite::Db::open(data_ / "console.db", true);
        auto st = db->prepare("SELECT COUNT(*) FROM alerts");
        return *st->step() ? st->columnInt(0) : -1;
    };

    Child server = spawn({"--headless", "--data-dir", data_.string(), "--listen", "127.0.0.1:0",
                          "--enroll-listen", "127.0.0.1:0"},
                         tmp_.path);
    std::int64_t left = kAlerts;
    for (int i = 0; i < 300 && left == kAlerts; ++i) {  // the sweep starts with the server
        std::this_thread::sleep_for(50ms);
        left = alertsLeft();
    }
    ASSERT_LT(left, kAlerts) << readFile(server.err).value();
    const auto stopAt = std::chrono::steady_clock::now();
    kill(server.pid, SIGTERM);
    ASSERT_EQ(waitExit(server), 0);
    // One batch and the shutdown, not the rest of the sweep.
    EXPECT_LT(std::chrono::steady_clock::now() - stopAt, 5s);

    const std::string err = readFile(server.err).value();
    std::smatch m;
    ASSERT_TRUE(std::regex_search(
        err, m,
        std::regex(
            "retention stopped by the shutdown: deleted ([0-9]+) closed alerts, 0 devices\n")))
        << err;
    const std::int64_t deleted = std::stoll(m[1].str());
    EXPECT_GT(deleted, 0);
    EXPECT_LT(deleted, kAlerts);
    EXPECT_EQ(alertsLeft(), kAlerts - deleted);
    r = admin({"audit", "verify"});
    EXPECT_EQ(r.code, 0) << r.out;
    r = admin({"audit", "list", "--json"});
    bool recorded = false;
    const auto audit = nlohmann::json::parse(r.out);
    for (const auto& rec : audit["audit"]) {
        if (rec["action"] == "retention.run" &&
            rec["outcome"] == "stopped: closed alerts 30 d, devices keep: deleted " +
                                  std::to_string(deleted) + " alerts, 0 devices") {
            recorded = true;
        }
    }
    EXPECT_TRUE(recorded) << "deleted " << deleted << ": " << err;

    // `admin retention run` stops the same way on SIGINT or SIGTERM, and says so.
    Child sweep = spawn({"admin", "--data-dir", data_.string(), "retention", "run"}, tmp_.path);
    const std::int64_t before = alertsLeft();
    left = before;
    for (int i = 0; i < 300 && left == before; ++i) {
        std::this_thread::sleep_for(50ms);
        left = alertsLeft();
    }
    ASSERT_LT(left, before) << readFile(sweep.err).value();
    kill(sweep.pid, SIGINT);
    EXPECT_EQ(waitExit(sweep), 130);
    const std::string out = readFile(sweep.out).value();
    ASSERT_TRUE(std::regex_match(out, m,
                                 std::regex("retention interrupted: deleted ([0-9]+) closed "
                                            "alerts, 0 devices; run it again to go on\n")))
        << out << readFile(sweep.err).value();
    EXPECT_EQ(alertsLeft(), before - std::stoll(m[1].str()));
    EXPECT_GT(alertsLeft(), 0);
}

TEST_F(ConsoleApp, ForwardCommandsAndTheHeadlessForwarder) {
    RunResult r = admin(
        {"init", "--admin-user", "admin", "--admin-password-file", (tmp_.path / "pw").string()});
    ASSERT_EQ(r.code, 0) << r.err;
    ASSERT_EQ(admin({"site", "add", "Plant A"}).code, 0);
    ASSERT_EQ(admin({"zone", "add", "--site", "Plant A", "Line 1"}).code, 0);
    ASSERT_EQ(admin({"sensor", "add", "--site", "Plant A", "--zone", "Line 1", "s1", "--out",
                     (tmp_.path / "s1.act").string()})
                  .code,
              0);

    int udp = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(bind(udp, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    socklen_t len = sizeof a;
    getsockname(udp, reinterpret_cast<sockaddr*>(&a), &len);
    std::string target = "udp://127.0.0.1:" + std::to_string(ntohs(a.sin_port));

    r = admin({"forward", "add", "--target", "http://x:25", "--format", "cef"});
    EXPECT_EQ(r.code, 1);
    EXPECT_EQ(r.err,
              "error: bad forwarding target 'http://x:25' (udp://, tcp://, tls://, smtp:// or "
              "smtps://HOST:PORT)\n");
    r = admin({"forward", "add", "--target", "smtp://x:25", "--format", "cef"});
    EXPECT_EQ(r.code, 1);
    EXPECT_EQ(r.err, "error: an smtp:// target sends e-mail digests: leave out --format\n");
    r = admin({"forward", "add", "--target", "tls://127.0.0.1:6514", "--format", "cef"});
    EXPECT_EQ(r.code, 1);
    EXPECT_EQ(r.err,
              "error: a tls:// target needs --ca-file (the CA that signed the receiver's "
              "certificate)\n");
    r = admin({"forward", "add", "--target", target, "--format", "cef", "--min-severity", "major"});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(r.out, "forwarding rule 1 added: " + target + " cef, severity >= major\n");
    ASSERT_EQ(admin({"forward", "add", "--target", "tcp://127.0.0.1:9", "--format", "json"}).code,
              0);
    EXPECT_EQ(admin({"forward", "remove", "2"}).out, "forwarding rule 2 removed\n");
    r = admin({"forward", "remove", "2"});
    EXPECT_EQ(r.err, "error: no forwarding rule 2\n");

    // An e-mail rule (id 2 again: SQLite reuses the removed rule's): the relay password is read
    // from a file, kept, and never shown.
    ASSERT_TRUE(ironsight::crypto::writeFileAtomic(tmp_.path / "smtp-pw", "Relay-Secret-9\n",
                                                   fs::perms::owner_read | fs::perms::owner_write)
                    .ok());
    r = admin({"forward", "add", "--target", "smtp://relay.example:587", "--mail-from",
               "alerts@plant.example", "--mail-to", "soc@example.com", "--mail-to",
               "ops@example.com", "--smtp-user", "alerts", "--smtp-password-file",
               (tmp_.path / "smtp-pw").string(), "--min-severity", "critical"});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(r.out,
              "forwarding rule 2 added: smtp://relay.example:587 email, severity >= critical, to "
              "soc@example.com ops@example.com\n");
    r = admin({"forward", "list"});
    EXPECT_NE(r.out.find("\n     mail from alerts@plant.example to soc@example.com "
                         "ops@example.com, user alerts (password ********)\n"),
              std::string::npos)
        << r.out;
    r = admin({"forward", "list", "--json"});
    EXPECT_EQ(r.out.find("Relay-Secret-9"), std::string::npos) << r.out;
    EXPECT_EQ(nlohmann::json::parse(r.out)[1]["smtp_password"], "********");
    EXPECT_EQ(nlohmann::json::parse(r.out)[1]["mail_to"][1], "ops@example.com");
    r = admin({"forward", "set-password", "2", "--smtp-user", "alerts2", "--smtp-password-file",
               (tmp_.path / "smtp-pw").string()});
    EXPECT_EQ(r.out, "forwarding rule 2: relay password changed\n");
    r = admin({"forward", "set-password", "1", "--smtp-user", "alerts2", "--smtp-password-file",
               (tmp_.path / "smtp-pw").string()});
    EXPECT_EQ(r.err, "error: no e-mail forwarding rule 1\n");
    r = admin({"audit", "list"});
    EXPECT_EQ(r.out.find("Relay-Secret-9"), std::string::npos) << r.out;
    ASSERT_EQ(admin({"forward", "remove", "2"}).code, 0);

    Child server = spawn({"--headless", "--data-dir", data_.string(), "--listen", "127.0.0.1:0",
                          "--enroll-listen", "127.0.0.1:0"},
                         tmp_.path);
    std::string out;
    for (int i = 0; i < 100 && std::count(out.begin(), out.end(), '\n') < 3; ++i) {
        std::this_thread::sleep_for(100ms);
        out = readFile(server.out).value();
    }
    ASSERT_EQ(std::count(out.begin(), out.end(), '\n'), 3) << out;
    // Alerts stored by the ingest path (here: another connection to the same database).
    ingestAlerts(data_, "s1", {{"fw-minor", 2}, {"fw-critical", 4}});
    pollfd p{udp, POLLIN, 0};
    ASSERT_EQ(poll(&p, 1, 5000), 1) << "no syslog datagram from the headless console";
    char buf[65536];
    ssize_t n = recv(udp, buf, sizeof buf, 0);
    std::string msg(buf, static_cast<std::size_t>(n));
    EXPECT_EQ(msg.substr(0, 7), "<130>1 ");
    EXPECT_NE(msg.find(" ironsight - alert - CEF:0|Ironsight|Ironsight Console|"),
              std::string::npos)
        << msg;
    EXPECT_NE(msg.find("externalId=fw-critical"), std::string::npos) << msg;
    EXPECT_EQ(poll(&p, 1, 500), 0) << "the minor alert passed the major filter";
    close(udp);
    kill(server.pid, SIGTERM);
    EXPECT_EQ(waitExit(server), 0);

    r = admin({"forward", "list", "--json"});
    ASSERT_EQ(r.code, 0) << r.err;
    auto rules = nlohmann::json::parse(r.out);
    ASSERT_EQ(rules.size(), 1u);
    EXPECT_EQ(rules[0]["sent"], 1);
    EXPECT_EQ(rules[0]["queued"], 0);
    EXPECT_EQ(rules[0]["min_severity"], "major");
}

TEST_F(ConsoleApp, CveImportAndDeviceMatches) {
    ASSERT_NO_FATAL_FAILURE(initWithSensorS1());
    RunResult r{};
    {
        auto store = ironsight::console::core::ConsoleStore::open(data_ / "console.db");
        ASSERT_TRUE(store.ok());
        std::string id = (*(*store)->findSensor("s1"))->id;
        ASSERT_TRUE((*store)->beginStream(id, 1, 1).ok());
        ironsight::v1::Batch b;
        auto* env = b.add_envelopes();
        env->set_seq(1);
        env->mutable_device()->set_id("plc-1");
        env->mutable_device()->set_vendor("Siemens");
        env->mutable_device()->set_model("SIMATIC S7-1200");
        env->mutable_device()->set_firmware("V4.1.0");
        ASSERT_TRUE((*store)->applyBatch(id, 1, b, 1).ok());
    }
    fs::path feed =
        fs::path(IRONSIGHT_SOURCE_DIR) / "console/core/testdata/nvd-cve-2.0-sample.json";
    r = admin({"cve", "import", feed.string()});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(r.out, "imported 5 CVE records from " + feed.string() + " (5 in the console)\n");
    r = admin({"cve", "devices", "--json"});
    ASSERT_EQ(r.code, 0) << r.err;
    auto j = nlohmann::json::parse(r.out)["devices"];
    ASSERT_EQ(j.size(), 1u);
    EXPECT_EQ(j[0]["device"], "plc-1");
    EXPECT_EQ(j[0]["risk"], 9.8);
    ASSERT_EQ(j[0]["cves"].size(), 2u);  // < 4.5 and 3.0..4.2
    EXPECT_EQ(j[0]["cves"][0]["id"], "CVE-2099-0001");
    EXPECT_EQ(j[0]["cves"][1]["id"], "CVE-2099-0003");
    r = admin({"cve", "import", (tmp_.path / "pw").string()});
    EXPECT_EQ(r.code, 1);
    EXPECT_EQ(r.err, "error: " + (tmp_.path / "pw").string() +
                         ": not JSON (an NVD CVE 2.0 feed is JSON)\n");
}

TEST_F(ConsoleApp, DeviceCommandsEditMergeSplitAndZoneRules) {
    RunResult r = admin(
        {"init", "--admin-user", "admin", "--admin-password-file", (tmp_.path / "pw").string()});
    ASSERT_EQ(r.code, 0) << r.err;
    ASSERT_EQ(admin({"site", "add", "P"}).code, 0);
    for (const char* z : {"Z", "Cell-2"}) {
        ASSERT_EQ(admin({"zone", "add", "--site", "P", z}).code, 0);
    }
    for (const char* s : {"s1", "s2"}) {
        ASSERT_EQ(admin({"sensor", "add", "--site", "P", "--zone", "Z", s, "--out",
                         (tmp_.path / (std::string(s) + ".act")).string()})
                      .code,
                  0);
    }
    {
        auto store = ironsight::console::core::ConsoleStore::open(data_ / "console.db");
        ASSERT_TRUE(store.ok());
        for (const char* s : {"s1", "s2"}) {
            std::string id = (*(*store)->findSensor(s))->id;
            ASSERT_TRUE((*store)->beginStream(id, 1, 1).ok());
            ironsight::v1::Batch b;
            auto* env = b.add_envelopes();
            env->set_seq(1);
            env->mutable_device()->set_id("mac-0080f401000b");
            env->mutable_device()->add_ips("10.1.1.11");
            env->mutable_device()->add_vlans(20);
            env = b.add_envelopes();
            env->set_seq(2);
            env->mutable_device()->set_id(std::string("mac-00000000000") + s[1]);
            ASSERT_TRUE((*store)->applyBatch(id, 1, b, 1).ok());
        }
    }
    r = admin({"device", "list", "--json"});
    ASSERT_EQ(r.code, 0) << r.err;
    auto devices = nlohmann::json::parse(r.out)["devices"];
    ASSERT_EQ(devices.size(), 3u);  // the shared PLC once
    EXPECT_EQ(devices[2]["id"], "mac-0080f401000b");
    EXPECT_EQ(devices[2]["observations"].size(), 2u);
    const std::string plc = std::to_string(devices[2]["device"].get<std::int64_t>());

    r = admin({"device", "edit", "s1/mac-0080f401000b", "--name", "PLC-1", "--criticality",
               "critical", "--authorized", "yes", "--purdue", "1", "--notes", "line 1 master"});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(r.out, "device " + plc + " edited\n");
    r = admin({"device", "edit", plc, "--criticality", "extreme"});
    EXPECT_EQ(r.code, 1);
    EXPECT_EQ(r.err, "error: invalid criticality 'extreme': use low, medium, high or critical\n");
    r = admin({"device", "list", "--search", "line 1 master"});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_NE(r.out.find("PLC-1"), std::string::npos) << r.out;
    EXPECT_EQ(r.out.find("mac-000000000001"), std::string::npos) << r.out;

    r = admin({"device", "zone-rule", "add", "--sensor", "s1", "--vlan", "20", "--zone", "Cell-2"});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(r.out, "VLAN 20 of sensor s1 is zone Cell-2\n");
    r = admin({"device", "zone-rule", "add", "--sensor", "s1", "--vlan", "20", "--zone", "Nope"});
    EXPECT_EQ(r.err, "error: no zone 'Nope' in site 'P' (the sensor's site)\n");
    r = admin({"device", "show", plc, "--json"});
    ASSERT_EQ(r.code, 0) << r.err;
    auto shown = nlohmann::json::parse(r.out);
    EXPECT_EQ(shown["name"], "PLC-1");
    EXPECT_EQ(shown["authorized"], true);
    EXPECT_EQ(shown["purdue_level"], 1);
    EXPECT_EQ(shown["edited_by"], "local-admin");
    // The primary observation is s1's or s2's (same last seen): the zone follows its rule or not.
    EXPECT_TRUE(shown["zone"] == "Cell-2" || shown["zone"] == "Z") << shown["zone"];

    r = admin({"device", "split", "s2", "mac-0080f401000b"});
    ASSERT_EQ(r.code, 0) << r.err;
    const auto space = r.out.rfind(' ');
    const std::string split = r.out.substr(space + 1, r.out.size() - space - 2);
    EXPECT_EQ(r.out, "s2/mac-0080f401000b is now device " + split + "\n");
    r = admin({"device", "merge", plc, split});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(r.out, "device " + split + " merged into device " + plc + "\n");
    r = admin({"device", "merge", plc, "plc"});
    EXPECT_EQ(r.code, 1);
    EXPECT_EQ(r.err,
              "error: 'plc' is no device: give its number (admin device list) or "
              "SENSOR/DEVICE_ID\n");
    r = admin({"device", "zone-rule", "list", "--json"});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(nlohmann::json::parse(r.out)[0]["zone"], "Cell-2");
    r = admin({"device", "zone-rule", "remove", "--sensor", "s1", "--vlan", "20"});
    ASSERT_EQ(r.code, 0) << r.err;
    r = admin({"audit", "list", "--json"});
    ASSERT_EQ(r.code, 0) << r.err;
    for (const char* action : {"device.edit", "device.split", "device.merge", "device.zone_rule"}) {
        EXPECT_NE(r.out.find(action), std::string::npos) << action;
    }
    r = admin({"device", "edit", "--help"});
    EXPECT_EQ(r.code, 0);
    EXPECT_NE(r.out.find("--criticality"), std::string::npos);
}

TEST_F(ConsoleApp, DeviceZoneRulesByCaptureInterface) {
    RunResult r = admin(
        {"init", "--admin-user", "admin", "--admin-password-file", (tmp_.path / "pw").string()});
    ASSERT_EQ(r.code, 0) << r.err;
    ASSERT_EQ(admin({"site", "add", "P"}).code, 0);
    ASSERT_EQ(admin({"site", "add", "Q"}).code, 0);
    for (const char* z : {"Z", "Cell-2"}) {
        ASSERT_EQ(admin({"zone", "add", "--site", "P", z}).code, 0);
    }
    ASSERT_EQ(admin({"zone", "add", "--site", "Q", "Other"}).code, 0);
    ASSERT_EQ(admin({"sensor", "add", "--site", "P", "--zone", "Z", "s1", "--out",
                     (tmp_.path / "s1.act").string()})
                  .code,
              0);
    {
        // A live sensor's report: the PLC seen on eth1.
        auto store = ironsight::console::core::ConsoleStore::open(data_ / "console.db");
        ASSERT_TRUE(store.ok());
        std::string id = (*(*store)->findSensor("s1"))->id;
        ASSERT_TRUE((*store)->beginStream(id, 1, 1).ok());
        ironsight::v1::Batch b;
        auto* env = b.add_envelopes();
        env->set_seq(1);
        env->mutable_device()->set_id("mac-0080f401000b");
        env->mutable_device()->add_interfaces("eth1");
        ASSERT_TRUE((*store)->applyBatch(id, 1, b, 1).ok());
    }

    r = admin({"device", "zone-rule", "add", "--sensor", "s1", "--interface", "eth1", "--zone",
               "Cell-2"});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(r.out, "interface eth1 of sensor s1 is zone Cell-2\n");
    r = admin({"device", "zone-rule", "add", "--sensor", "s1", "--interface", "eth1", "--zone",
               "Other"});
    EXPECT_EQ(r.code, 1);
    EXPECT_EQ(r.err, "error: no zone 'Other' in site 'P' (the sensor's site)\n");
    r = admin({"device", "zone-rule", "add", "--sensor", "s1", "--zone", "Cell-2"});
    EXPECT_EQ(r.code, 1);
    EXPECT_EQ(r.err, "error: give --vlan N or --interface IF\n");
    r = admin({"device", "zone-rule", "add", "--sensor", "s1", "--vlan", "20", "--interface",
               "eth1", "--zone", "Cell-2"});
    EXPECT_NE(r.code, 0);
    EXPECT_NE(r.err.find("excludes"), std::string::npos) << r.err;
    ASSERT_EQ(admin({"device", "zone-rule", "add", "--sensor", "s1", "--vlan", "20", "--zone",
                     "Z"})
                  .code,
              0);

    r = admin({"device", "show", "s1/mac-0080f401000b", "--json"});
    ASSERT_EQ(r.code, 0) << r.err;
    auto shown = nlohmann::json::parse(r.out);
    EXPECT_EQ(shown["zone"], "Cell-2");
    EXPECT_EQ(shown["zone_source"], "interface");
    EXPECT_EQ(shown["observations"][0]["interfaces"], nlohmann::json::parse(R"(["eth1"])"));
    r = admin({"device", "show", "s1/mac-0080f401000b"});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_NE(r.out.find("Cell-2 (interface)"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find(", on eth1)"), std::string::npos) << r.out;
    r = admin({"export", "devices", "--format", "json"});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(nlohmann::json::parse(r.out)["devices"][0]["observations"][0]["interfaces"],
              nlohmann::json::parse(R"(["eth1"])"));

    // list: both kinds, VLAN rules first.
    r = admin({"device", "zone-rule", "list"});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(r.out.substr(0, r.out.find('\n')).find("RULE"), 20u) << r.out;
    const auto vlan = r.out.find("VLAN 20"), iface = r.out.find("interface eth1");
    EXPECT_NE(vlan, std::string::npos) << r.out;
    EXPECT_NE(iface, std::string::npos) << r.out;
    EXPECT_LT(vlan, iface) << r.out;
    r = admin({"device", "zone-rule", "list", "--json"});
    ASSERT_EQ(r.code, 0) << r.err;
    auto rules = nlohmann::json::parse(r.out);
    ASSERT_EQ(rules.size(), 2u);
    EXPECT_EQ(rules[0]["vlan"], 20);
    EXPECT_FALSE(rules[0].contains("interface"));
    EXPECT_EQ(rules[1]["interface"], "eth1");
    EXPECT_EQ(rules[1]["zone"], "Cell-2");
    EXPECT_EQ(rules[1]["site"], "P");
    EXPECT_FALSE(rules[1].contains("vlan"));

    r = admin({"device", "zone-rule", "remove", "--sensor", "s1", "--interface", "eth1"});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(r.out, "rule for interface eth1 of sensor s1 removed\n");
    r = admin({"device", "zone-rule", "remove", "--sensor", "s1", "--interface", "eth1"});
    EXPECT_EQ(r.code, 1);
    EXPECT_EQ(r.err, "error: no zone rule for interface 'eth1' of sensor 's1'\n");
    r = admin({"device", "show", "s1/mac-0080f401000b", "--json"});
    EXPECT_EQ(nlohmann::json::parse(r.out)["zone_source"], "sensor");
    r = admin({"audit", "list", "--json"});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_NE(r.out.find("s1/interface eth1"), std::string::npos);
    r = admin({"device", "zone-rule", "add", "--help"});
    EXPECT_EQ(r.code, 0);
    EXPECT_NE(r.out.find("--interface"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("--vlan"), std::string::npos) << r.out;
}

/// The server certificate a client sees on `address` (empty when no TLS handshake completed).
/// The client presents a certificate of the data dir's console CA for an unknown sensor: the
/// handshake succeeds, the stream is then refused, which is all this needs.
std::string seenServerFingerprint(const fs::path& dataDir, const std::string& address,
                                  const std::string& trustPem) {
    auto caKey = ironsight::crypto::privateKeyFromPem(readFile(dataDir / "pki" / "ca.key").value());
    auto ca = ironsight::crypto::certificateFromPem(readFile(dataDir / "pki" / "ca.crt").value());
    auto key = ironsight::crypto::generateP256Key();
    auto client = ironsight::console::core::Pki::makeClientCertificate(
        key->get(), ironsight::crypto::newUuid(), ca->get(), caKey->get(), 1);
    auto channel = grpc::CreateCustomChannel(
        address,
        ironsight::tls::channelCredentials(
            trustPem, *ironsight::crypto::privateKeyToPem(key->get()), client->pem),
        ironsight::tls::channelArguments(ironsight::console::core::kConsoleTlsName));
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + 10s);
    auto stream = ironsight::v1::SensorLink::NewStub(channel)->Stream(&ctx);
    ironsight::v1::SensorMessage hello;
    hello.mutable_hello()->set_epoch(1);
    stream->Write(hello);
    ironsight::v1::ConsoleMessage reply;
    while (stream->Read(&reply)) {
    }
    (void)stream->Finish();
    auto auth = ctx.auth_context();
    if (!auth) return {};
    auto pem = auth->FindPropertyValues(GRPC_X509_PEM_CERT_PROPERTY_NAME);
    if (pem.empty()) return {};
    auto cert = ironsight::crypto::certificateFromPem(std::string(pem[0].data(), pem[0].size()));
    return cert ? ironsight::crypto::certificateFingerprint(cert->get()) : std::string();
}

TEST_F(ConsoleApp, CertImportReachesTheRunningHeadlessConsole) {
    std::string link = "127.0.0.1:" + std::to_string(freePort());
    std::string enroll = "127.0.0.1:" + std::to_string(freePort());
    ASSERT_EQ(admin({"init", "--admin-user", "admin", "--admin-password-file",
                     (tmp_.path / "pw").string(), "--listen", link, "--enroll-listen", enroll})
                  .code,
              0);
    RunResult r = admin({"cert", "show", "--json"});
    ASSERT_EQ(r.code, 0) << r.err;
    auto shown = nlohmann::json::parse(r.out);
    EXPECT_EQ(shown["source"], "generated");
    EXPECT_EQ(shown["console_ca"]["sha256"], caFingerprint(data_));
    const std::string generated = shown["link_certificate"]["sha256"];

    // What an administrator brings: an encrypted key, the certificate, the CA chain.
    ironsight::console::core::testing::EnterprisePki pki;
    const auto rw = fs::perms::owner_read | fs::perms::owner_write;
    const fs::path key = tmp_.path / "server.key", cert = tmp_.path / "server.crt",
                   chain = tmp_.path / "chain.pem", pass = tmp_.path / "pass",
                   wrong = tmp_.path / "wrong";
    ASSERT_TRUE(ironsight::crypto::writeFileAtomic(
                    key, ironsight::console::core::testing::encryptedKeyPem(pki.server.key.get(),
                                                                            "open sesame"),
                    rw)
                    .ok());
    ASSERT_TRUE(ironsight::crypto::writeFileAtomic(cert, pki.server.certPem, rw).ok());
    ASSERT_TRUE(ironsight::crypto::writeFileAtomic(chain, pki.chainPem(), rw).ok());
    ASSERT_TRUE(ironsight::crypto::writeFileAtomic(pass, "open sesame\n", rw).ok());
    ASSERT_TRUE(ironsight::crypto::writeFileAtomic(wrong, "open barley\n", rw).ok());

    Child server = spawn({"--headless", "--data-dir", data_.string()}, tmp_.path);
    std::string out;
    for (int i = 0; i < 100 && std::count(out.begin(), out.end(), '\n') < 3; ++i) {
        std::this_thread::sleep_for(100ms);
        out = readFile(server.out).value();
    }
    ASSERT_NE(out.find("link listening on " + link + "\n"), std::string::npos) << out;
    const std::string trust = readFile(data_ / "pki" / "ca.crt").value() + pki.root.certPem;
    EXPECT_EQ(seenServerFingerprint(data_, link, trust), generated);

    r = admin({"cert", "import", "--key", key.string(), "--cert", cert.string(), "--chain",
               chain.string(), "--passphrase-file", wrong.string()});
    EXPECT_EQ(r.code, 1);
    EXPECT_EQ(r.err, "error: cannot decrypt the key: wrong passphrase\n");
    r = admin({"cert", "import", "--key", key.string(), "--cert", cert.string()});
    EXPECT_EQ(r.err, "error: the key is encrypted: give its passphrase (--passphrase-file)\n");
    r = admin({"cert", "import", "--key", key.string(), "--cert", cert.string(),
               "--passphrase-file", pass.string()});
    EXPECT_EQ(r.err.rfind("error: no chain: ", 0), 0u) << r.err;

    r = admin({"cert", "import", "--key", key.string(), "--cert", cert.string(), "--chain",
               chain.string(), "--passphrase-file", pass.string()});
    ASSERT_EQ(r.code, 0) << r.err;
    const std::string imported = ironsight::crypto::certificateFingerprint(pki.server.cert.get());
    EXPECT_NE(r.out.find("SHA-256:  " + imported + "\n"), std::string::npos) << r.out;
    EXPECT_EQ(fs::status(data_ / "pki" / "link" / "server.key").permissions() & fs::perms::all,
              rw);

    // The headless console, another process, serves it without a restart.
    std::string seen;
    for (int i = 0; i < 150 && seen != imported; ++i) {
        std::this_thread::sleep_for(200ms);
        seen = seenServerFingerprint(data_, link, trust);
    }
    EXPECT_EQ(seen, imported);

    shown = nlohmann::json::parse(admin({"cert", "show", "--json"}).out);
    EXPECT_EQ(shown["source"], "imported");
    EXPECT_EQ(shown["link_certificate"]["sha256"], imported);
    EXPECT_EQ(shown["imported_root_ca"]["sha256"],
              ironsight::crypto::certificateFingerprint(pki.root.cert.get()));
    r = admin({"audit", "list"});
    EXPECT_NE(r.out.find("cert.import"), std::string::npos) << r.out;

    kill(server.pid, SIGTERM);
    EXPECT_EQ(waitExit(server), 0);
}

// `admin directory`: validation and a dead directory answer with one line; the bind password
// is stored but never shown (sign-in against a real slapd: console/core/directory_test.cpp).
TEST_F(ConsoleApp, DirectoryCommandsRefuseClearlyAndNeverShowThePassword) {
    ASSERT_EQ(admin({"init", "--admin-user", "admin", "--admin-password-file",
                     (tmp_.path / "pw").string()})
                  .code,
              0);
    ASSERT_TRUE(ironsight::crypto::writeFileAtomic(tmp_.path / "svc", "Svc-secret-value-9\n",
                                                   fs::perms::owner_read | fs::perms::owner_write)
                    .ok());
    const std::string url = "ldap://127.0.0.1:" + std::to_string(freePort());
    const std::vector<std::string> base = {
        "directory", "set", "--url", url, "--bind-dn", "cn=svc,dc=example,dc=com",
        "--bind-password-file", (tmp_.path / "svc").string(), "--base", "dc=example,dc=com",
        "--group", "admin=cn=admins,dc=example,dc=com", "--timeout", "2"};
    std::vector<std::string> plain = base;
    plain.insert(plain.end(), {"--tls", "none"});
    RunResult r = admin(plain);
    EXPECT_EQ(r.code, 1);
    EXPECT_EQ(r.err,
              "error: plain LDAP without TLS is refused (passwords would cross the network in "
              "clear): use an ldaps:// URL, or StartTLS with ldap://\n");
    std::vector<std::string> badGroup = base;
    badGroup.insert(badGroup.end(), {"--group", "boss=cn=x"});
    r = admin(badGroup);
    EXPECT_EQ(r.code, 1);
    EXPECT_EQ(r.err, "error: --group 'boss=cn=x': give ROLE=GROUP_DN with ROLE admin, analyst or "
                     "viewer\n");

    r = admin(base);
    ASSERT_EQ(r.code, 0) << r.err;
    r = admin({"directory", "show", "--json"});
    ASSERT_EQ(r.code, 0) << r.err;
    auto shown = nlohmann::json::parse(r.out);
    EXPECT_EQ(shown["url"], url);
    EXPECT_EQ(shown["tls"], "starttls");
    EXPECT_EQ(shown["bind_password_set"], true);
    EXPECT_EQ(shown["groups"][0]["role"], "admin");
    EXPECT_EQ(r.out.find("Svc-secret-value-9"), std::string::npos);
    r = admin({"audit", "list", "--limit", "0"});
    EXPECT_NE(r.out.find("bind password changed"), std::string::npos) << r.out;
    EXPECT_EQ(r.out.find("Svc-secret-value-9"), std::string::npos);

    // Nothing listens at the URL: one line naming the cause.
    r = admin({"directory", "test", "alice", "--password-file", (tmp_.path / "pw").string()});
    EXPECT_EQ(r.code, 1);
    EXPECT_EQ(r.err, "error: cannot connect to the directory at " + url +
                         ": Can't contact LDAP server\n");

    ASSERT_EQ(admin({"directory", "off"}).code, 0);
    r = admin({"directory", "show"});
    EXPECT_EQ(r.out.rfind("directory sign-in: off\n", 0), 0u) << r.out;
    for (const char* sub : {"show", "set", "test", "off"}) {
        r = admin({"directory", sub, "--help"});
        EXPECT_EQ(r.code, 0) << sub;
        EXPECT_NE(r.out.find("Usage"), std::string::npos) << r.out;
    }
}

}  // namespace
