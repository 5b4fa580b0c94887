// SPDX-License-Identifier: Apache-2.0
// The sensor behind an HTTP CONNECT proxy with the real binaries: a headless console, Debian's
// tinyproxy with Basic auth on loopback, activation and a replay through it, the doctor's
// console check through it (docs/SENSOR.md "Proxy").
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>

#include "tests/integration/process_harness.h"

namespace ironsight::test {
namespace {

const char* tinyproxyBinary() {
    for (const char* path : {"/usr/bin/tinyproxy", "/usr/sbin/tinyproxy"}) {
        if (::access(path, X_OK) == 0) return path;
    }
    return nullptr;
}

bool accepts(int port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<std::uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    const bool up = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    ::close(fd);
    return up;
}

class ProxyTest : public ProcessTest {
protected:
    void SetUp() override {
        if (tinyproxyBinary() == nullptr) {
            GTEST_SKIP() << "tinyproxy is not installed (apt-get install tinyproxy, see "
                            "installer/install-deps.sh): this test needs a real HTTP proxy";
        }
        prefix_ = "ironsight-proxy-";
        ProcessTest::SetUp();
    }
    void TearDown() override {
        proxy_.reset();
        ProcessTest::TearDown();
    }

    /// tinyproxy in the foreground, CONNECT allowed to `ports` only, user alice.
    ::testing::AssertionResult startProxy(const std::vector<int>& ports) {
        proxyPort_ = freePort();
        {
            std::ofstream conf(dir_ / "tinyproxy.conf");
            conf << "Port " << proxyPort_ << "\nListen 127.0.0.1\nTimeout 600\nMaxClients 20\n"
                 << "LogFile \"" << (dir_ / "tinyproxy.log").string() << "\"\nLogLevel Info\n"
                 << "Allow 127.0.0.1\nBasicAuth alice Proxy-Pw.42\n";
            for (int p : ports) conf << "ConnectPort " << p << "\n";
        }
        proxy_ =
            std::make_unique<Child>(std::vector<std::string>{tinyproxyBinary(), "-d", "-c",
                                                             (dir_ / "tinyproxy.conf").string()},
                                    dir_ / "tinyproxy.out", dir_ / "tinyproxy.err");
        for (int i = 0; i < 400 && proxy_->running() && !accepts(proxyPort_); ++i) {
            std::this_thread::sleep_for(25ms);
        }
        if (accepts(proxyPort_)) return ::testing::AssertionSuccess();
        return ::testing::AssertionFailure() << "tinyproxy did not start:\n"
                                             << proxy_->out() << proxy_->err();
    }
    std::string proxyLog() const { return readText(dir_ / "tinyproxy.log"); }
    fs::path passwordFile(const std::string& name, const std::string& password) {
        const fs::path file = dir_ / name;
        { std::ofstream(file) << password << "\n"; }
        fs::permissions(file, fs::perms::owner_read | fs::perms::owner_write);
        return file;
    }

    std::unique_ptr<Child> proxy_;
    int proxyPort_ = 0;
};

TEST_F(ProxyTest, ActivatesStreamsAndChecksThroughAnAuthenticatingProxy) {
    const fs::path data = dir_ / "console";
    const fs::path state = dir_ / "sensor";
    const fs::path traffic = dir_ / "traffic";
    const fs::path activationFile = dir_ / "sensor-1.activation";
    const fs::path adminPassword =
        passwordFile("admin.password", "Correct-Horse-Battery-Staple-42");
    const int linkPort = freePort(), enrollPort = freePort();
    const std::string listen = "127.0.0.1:" + std::to_string(linkPort);
    const std::string enroll = "127.0.0.1:" + std::to_string(enrollPort);
    auto r = run({"ironsight-console", "admin", "--data-dir", data.string(), "init", "--admin-user",
                  "admin", "--admin-password-file", adminPassword.string(), "--listen", listen,
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
    ASSERT_TRUE(startConsole(data, {listen, enroll}));
    ASSERT_TRUE(startProxy({linkPort, enrollPort}));
    const std::string proxyUser = "http://alice@127.0.0.1:" + std::to_string(proxyPort_);
    const std::string masked = "via proxy http://alice:***@127.0.0.1:" + std::to_string(proxyPort_);

    // A wrong proxy password: the enrollment never reaches the console (the token stays
    // unused) and the operator reads why.
    const fs::path wrong = passwordFile("wrong.password", "not-it");
    r = run({"ironsight-sensor", "activate", activationFile.string(), "--state-dir", state.string(),
             "--proxy", proxyUser, "--proxy-password-file", wrong.string()},
            60s);
    EXPECT_EQ(r.code, 1) << r.out << r.err;
    EXPECT_NE(r.err.find("the proxy refused its credentials"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find(masked), std::string::npos) << r.err;
    EXPECT_EQ((r.out + r.err).find("not-it"), std::string::npos);

    // The right password, from a file (not on the command line).
    const fs::path right = passwordFile("proxy.password", "Proxy-Pw.42");
    r = run({"ironsight-sensor", "activate", activationFile.string(), "--state-dir", state.string(),
             "--proxy", proxyUser, "--proxy-password-file", right.string()},
            60s);
    ASSERT_EQ(r.code, 0) << r.out << r.err;
    EXPECT_NE(r.out.find(masked), std::string::npos) << r.out;
    EXPECT_NE(proxyLog().find("CONNECT " + enroll), std::string::npos) << proxyLog();
    r = run({"ironsight-sensor", "learning", "off", "--state-dir", state.string()});
    EXPECT_RUN_OK(r);

    r = run({"ironsight-plant-traffic", "--out", traffic.string()});
    ASSERT_EQ(r.code, 0) << r.out << r.err;
    // no_proxy naming the console must not route around the configured proxy; a stray
    // grpc_proxy must not replace it.
    ::setenv("no_proxy", "127.0.0.1", 1);
    ::setenv("grpc_proxy", "http://127.0.0.1:1", 1);
    r = run({"ironsight-sensor", "run", "--state-dir", state.string(), "--replay",
             (traffic / "line1.pcap").string(), "--top-speed", "--exit-when-drained", "--proxy",
             "http://alice:Proxy-Pw.42@127.0.0.1:" + std::to_string(proxyPort_)},
            120s);
    ::unsetenv("no_proxy");
    ::unsetenv("grpc_proxy");
    ASSERT_EQ(r.code, 0) << r.out << r.err;
    EXPECT_NE(r.out.find("drained"), std::string::npos) << r.out;
    EXPECT_NE(r.err.find("link: connected to console at " + listen + " " + masked),
              std::string::npos)
        << r.err;
    EXPECT_NE(r.err.find("note: no_proxy ignored"), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find("Proxy-Pw.42"), std::string::npos) << r.err;
    EXPECT_NE(proxyLog().find("CONNECT " + listen), std::string::npos) << proxyLog();
    {
        auto db = sqlite::Db::open(data / "console.db", true);
        ASSERT_TRUE(db.ok()) << db.error().message;
        EXPECT_EQ(text(*db, "SELECT status FROM sensors WHERE name = 'sensor-1'"), "active");
        EXPECT_GT(scalar(*db, "SELECT COUNT(*) FROM devices"), 0);
    }

    // The doctor's console check goes through the proxy too.
    r = run({"ironsight-sensor", "doctor", "--state-dir", state.string(), "--sample-ms", "0",
             "--proxy", proxyUser, "--proxy-password-file", right.string()});
    EXPECT_NE(r.out.find("reachable " + masked + "; TLS handshake ok"), std::string::npos) << r.out;
    r = run({"ironsight-sensor", "doctor", "--state-dir", state.string(), "--sample-ms", "0",
             "--proxy", proxyUser, "--proxy-password-file", wrong.string()});
    EXPECT_EQ(r.code, 1);
    EXPECT_NE(r.out.find("the proxy answers, but the tunnel and mutual-TLS handshake " + masked),
              std::string::npos)
        << r.out;
}

}  // namespace
}  // namespace ironsight::test
