// SPDX-License-Identifier: Apache-2.0
// Runs the real ironsight-console binary: admin flows, headless lines, and a full
// activate -> enroll -> stream -> revoke cycle against the headless server.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fcntl.h>
#include <chrono>
#include <nlohmann/json.hpp>
#include <regex>
#include <thread>

#include "console/core/console_store.h"
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

}  // namespace
