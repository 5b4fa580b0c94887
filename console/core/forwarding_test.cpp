// SPDX-License-Identifier: Apache-2.0
// SIEM forwarding against real receivers on loopback: a UDP socket, a TCP listener and a TLS
// listener whose certificate comes from a test CA (console/core/pki on shared/crypto). Checks the
// exact RFC 5424 header, CEF/LEEF fields and escaping, octet-counting framing, filters, and that
// alerts queued while the receiver is down arrive in order once it is back.
#include "console/core/forwarding.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <regex>
#include <thread>

#include "console/core/console_service.h"
#include "console/core/pki.h"
#include "shared/base/version.h"
#include "shared/crypto/crypto.h"

namespace ironsight::console::core {
namespace {
namespace fs = std::filesystem;
using namespace std::chrono_literals;

struct TempDir {
    fs::path path = fs::temp_directory_path() / ("ironsight-forward-" + crypto::newUuid());
    TempDir() { fs::create_directories(path); }
    ~TempDir() { fs::remove_all(path); }
};

struct Fd {
    int fd = -1;
    explicit Fd(int f = -1) : fd(f) {}
    Fd(Fd&& o) noexcept : fd(o.fd) { o.fd = -1; }
    Fd& operator=(Fd&& o) noexcept {
        std::swap(fd, o.fd);
        return *this;
    }
    ~Fd() {
        if (fd >= 0) ::close(fd);
    }
};

int portOf(int fd) {
    sockaddr_in a{};
    socklen_t len = sizeof a;
    getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    return ntohs(a.sin_port);
}

Fd bound(int type, int port) {
    Fd s(socket(AF_INET, type | SOCK_CLOEXEC, 0));
    int one = 1;
    setsockopt(s.fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(static_cast<std::uint16_t>(port));
    EXPECT_EQ(bind(s.fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0) << std::strerror(errno);
    if (type == SOCK_STREAM) {
        EXPECT_EQ(listen(s.fd, 4), 0);
    }
    return s;
}

bool readable(int fd, std::chrono::milliseconds timeout) {
    pollfd p{fd, POLLIN, 0};
    return poll(&p, 1, static_cast<int>(timeout.count())) == 1;
}

/// Splits RFC 6587 octet-counted frames off `buffer`.
std::vector<std::string> frames(std::string& buffer) {
    std::vector<std::string> out;
    for (;;) {
        auto sp = buffer.find(' ');
        if (sp == std::string::npos) break;
        std::size_t len = std::stoul(buffer.substr(0, sp));
        if (buffer.size() < sp + 1 + len) break;
        out.push_back(buffer.substr(sp + 1, len));
        buffer.erase(0, sp + 1 + len);
    }
    return out;
}

/// Reads `n` octet-counted messages from a plain TCP connection.
std::vector<std::string> readTcp(int fd, std::size_t n) {
    std::string buffer;
    std::vector<std::string> out;
    auto deadline = std::chrono::steady_clock::now() + 10s;
    while (out.size() < n && std::chrono::steady_clock::now() < deadline) {
        if (!readable(fd, 200ms)) continue;
        char buf[4096];
        ssize_t got = recv(fd, buf, sizeof buf, 0);
        if (got <= 0) break;
        buffer.append(buf, static_cast<std::size_t>(got));
        for (auto& f : frames(buffer)) out.push_back(std::move(f));
    }
    return out;
}

Fd acceptOne(int listener, std::chrono::milliseconds timeout = 10s) {
    if (!readable(listener, timeout)) return Fd();
    return Fd(accept4(listener, nullptr, nullptr, SOCK_CLOEXEC));
}

AlertRow sampleAlert() {
    AlertRow a;
    a.sensorId = "0d6f-sensor";
    a.sensorName = "s1";
    a.site = "Plant A";
    a.zone = "Line 1";
    a.alertId = "al-7";
    a.engine = "policy";
    a.type = "plc_stop";
    a.severity = "critical";
    a.title = "PLC stop | from EWS \\ 03";
    a.description = "cmd=stop\nby EWS";
    a.src = "ews-03";
    a.dst = "plc-1";
    a.srcIp = "10.1.4.77";
    a.dstIp = "10.1.4.10";
    a.protocol = "s7comm";
    a.count = 12;
    a.mitre = "T0858";
    a.status = "new";
    a.lastSeenMs = 1'700'000'000'123;
    return a;
}

TEST(ForwardPayload, CefHeaderExtensionEscapingAndSeverity) {
    std::string cef = cefPayload(sampleAlert());
    EXPECT_EQ(cef, std::string("CEF:0|Ironsight|Ironsight Console|") + kVersion +
                       "|policy:plc_stop|PLC stop \\| from EWS \\\\ 03|10|"
                       "rt=1700000000123 externalId=al-7 cat=policy src=10.1.4.77 "
                       "dst=10.1.4.10 app=s7comm cnt=12 msg=cmd\\=stop\\nby EWS "
                       "deviceExternalId=0d6f-sensor dvchost=s1 cs1Label=site cs1=Plant A "
                       "cs2Label=zone cs2=Line 1 cs3Label=srcDevice cs3=ews-03 "
                       "cs4Label=dstDevice cs4=plc-1 cs5Label=mitreTechnique cs5=T0858 "
                       "cs6Label=status cs6=new");
    EXPECT_EQ(cefEscapeHeader("a|b\\c=d\ne"), "a\\|b\\\\c=d e");
    EXPECT_EQ(cefEscapeValue("a|b\\c=d\r\ne"), "a|b\\\\c\\=d\\r\\ne");
    EXPECT_EQ(cefSeverity("warning"), 3);
    EXPECT_EQ(cefSeverity("minor"), 5);
    EXPECT_EQ(cefSeverity("major"), 8);
    EXPECT_EQ(cefSeverity("critical"), 10);
    EXPECT_EQ(cefSeverity("unspecified"), 0);
    EXPECT_EQ(syslogSeverity("critical"), 2);
    EXPECT_EQ(syslogSeverity("major"), 3);
    EXPECT_EQ(syslogSeverity("minor"), 4);
    EXPECT_EQ(syslogSeverity("warning"), 5);
    EXPECT_EQ(syslogSeverity(""), 6);
}

TEST(ForwardPayload, LeefAndJson) {
    std::string leef = leefPayload(sampleAlert());
    EXPECT_EQ(leef, std::string("LEEF:2.0|Ironsight|Ironsight Console|") + kVersion +
                        "|policy:plc_stop|x09|"
                        "devTime=2023-11-14T22:13:20.123Z\t"
                        "devTimeFormat=yyyy-MM-dd'T'HH:mm:ss.SSSX\tcat=policy\tsev=10\t"
                        "src=10.1.4.77\tdst=10.1.4.10\ttitle=PLC stop | from EWS \\ 03\t"
                        "msg=cmd=stop by EWS\tprotocol=s7comm\tsrcDevice=ews-03\tdstDevice=plc-1\t"
                        "mitre=T0858\tsite=Plant A\tzone=Line 1\tsensor=s1\tsensorId=0d6f-sensor\t"
                        "alertId=al-7\tseverity=critical\tstatus=new\tcount=12");
    auto j = nlohmann::json::parse(jsonPayload(sampleAlert()));
    EXPECT_EQ(j["id"], "al-7");
    EXPECT_EQ(j["title"], "PLC stop | from EWS \\ 03");
    EXPECT_EQ(j["description"], "cmd=stop\nby EWS");
    EXPECT_EQ(j["severity"], "critical");
    EXPECT_EQ(j["site"], "Plant A");
    EXPECT_EQ(j["count"], 12);
}

TEST(ForwardPayload, Rfc5424HeaderExactly) {
    AlertRow a = sampleAlert();
    EXPECT_EQ(syslogMessage(a, "json", "console-1", 1'700'000'000'005),
              "<130>1 2023-11-14T22:13:20.005Z console-1 ironsight - alert - " + jsonPayload(a));
    a.severity = "warning";
    EXPECT_EQ(syslogMessage(a, "cef", "", 0).substr(0, 48),
              "<133>1 1970-01-01T00:00:00.000Z - ironsight - al");
}

TEST(ForwardTarget, ParsesAndRefuses) {
    auto t = parseForwardTarget("tcp://siem.example:6514");
    ASSERT_TRUE(t.ok());
    EXPECT_EQ(t->transport, ForwardTransport::Tcp);
    EXPECT_EQ(t->host, "siem.example");
    EXPECT_EQ(t->port, 6514);
    auto v6 = parseForwardTarget("udp://[::1]:514");
    ASSERT_TRUE(v6.ok());
    EXPECT_EQ(v6->host, "::1");
    auto mail = parseForwardTarget("smtps://relay.example:465");
    ASSERT_TRUE(mail.ok());
    EXPECT_EQ(mail->transport, ForwardTransport::Smtps);
    EXPECT_EQ(mail->host, "relay.example");
    EXPECT_EQ(parseForwardTarget("smtp://[::1]:587")->transport, ForwardTransport::Smtp);
    for (const char* bad : {"http://x:1", "udp://x", "udp://:514", "tcp://x:0", "tcp://x:65536",
                            "tls://x:12a", "udp://::1:514", "smtp://relay", "smtpx://r:25"}) {
        auto r = parseForwardTarget(bad);
        ASSERT_FALSE(r.ok()) << bad;
        EXPECT_EQ(r.error().message, std::string("bad forwarding target '") + bad +
                                         "' (udp://, tcp://, tls://, smtp:// or smtps://HOST:PORT)");
    }
    ForwardRule rule;
    rule.target = "tls://127.0.0.1:6514";
    rule.format = "cef";
    EXPECT_EQ(checkForwardRule(rule).error().message,
              "a tls:// target needs --ca-file (the CA that signed the receiver's certificate)");
    rule.format = "xml";
    rule.target = "udp://h:1";
    EXPECT_EQ(checkForwardRule(rule).error().message, "unknown format 'xml' (cef, leef or json)");
}

/// A console with sites, a sensor per site, and a way to stream alerts in.
class Forwarding : public ::testing::Test {
protected:
    void SetUp() override {
        auto opened = ConsoleService::open(dir_.path);
        ASSERT_TRUE(opened.ok()) << opened.error().message;
        svc_ = std::move(*opened);
        ASSERT_TRUE(svc_->addSite("Plant A").ok());
        ASSERT_TRUE(svc_->addZone("Plant A", "Line 1").ok());
        ASSERT_TRUE(svc_->addSite("Plant B").ok());
        ASSERT_TRUE(svc_->addZone("Plant B", "Boiler").ok());
        sensorA_ = svc_->addSensor("Plant A", "Line 1", "sa")->sensor.id;
        sensorB_ = svc_->addSensor("Plant B", "Boiler", "sb")->sensor.id;
        ASSERT_TRUE(svc_->store().beginStream(sensorA_, 1, 1).ok());
        ASSERT_TRUE(svc_->store().beginStream(sensorB_, 1, 1).ok());
    }

    void ingest(const std::string& sensor, const std::string& id, v1::Severity severity,
                const std::string& engine = "policy") {
        v1::Batch b;
        auto* env = b.add_envelopes();
        env->set_seq(++seq_[sensor]);
        auto* a = env->mutable_alert();
        a->set_id(id);
        a->set_engine(engine);
        a->set_type("t");
        a->set_severity(severity);
        a->set_title("Title " + id);
        a->set_count(1);
        a->set_src_ip("10.0.0.1");
        a->set_last_seen_ms(1000);
        auto r = svc_->store().applyBatch(sensor, 1, b, nowMs());
        ASSERT_TRUE(r.ok()) << r.error().message;
    }

    ForwardRule rule(const std::string& target, const std::string& format) {
        ForwardRule r;
        r.target = target;
        r.format = format;
        auto added = svc_->addForwardRule(r);
        EXPECT_TRUE(added.ok()) << added.error().message;
        return added ? *added : r;
    }

    ForwardRule current(std::int64_t id) {
        auto rules = svc_->listForwardRules();
        for (const auto& r : *rules) {
            if (r.id == id) return r;
        }
        return {};
    }

    ForwarderOptions fast() {
        ForwarderOptions o;
        o.poll = 50ms;
        o.minBackoff = 100ms;
        o.maxBackoff = 400ms;
        o.timeout = 2s;
        o.hostname = "console-test";
        return o;
    }

    TempDir dir_;
    std::unique_ptr<ConsoleService> svc_;
    std::string sensorA_, sensorB_;
    std::map<std::string, std::uint64_t> seq_;
};

TEST_F(Forwarding, UdpCefDatagramsWithExactHeaderOnlyForNewAlerts) {
    ingest(sensorA_, "before-rule", v1::SEVERITY_CRITICAL);  // history is not replayed
    Fd udp = bound(SOCK_DGRAM, 0);
    ForwardRule r = rule("udp://127.0.0.1:" + std::to_string(portOf(udp.fd)), "cef");
    Forwarder fwd(svc_->store(), fast());
    fwd.start();
    ingest(sensorA_, "a1", v1::SEVERITY_CRITICAL);
    ingest(sensorA_, "a2", v1::SEVERITY_MINOR);
    ingest(sensorA_, "a1", v1::SEVERITY_CRITICAL);  // an update of a1: not forwarded again
    std::vector<std::string> got;
    while (got.size() < 2 && readable(udp.fd, 5s)) {
        char buf[65536];
        ssize_t n = recv(udp.fd, buf, sizeof buf, 0);
        ASSERT_GT(n, 0);
        got.emplace_back(buf, static_cast<std::size_t>(n));
    }
    ASSERT_EQ(got.size(), 2u);
    std::regex header(
        "^<130>1 20[0-9]{2}-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9]\\."
        "[0-9]{3}Z console-test ironsight - alert - CEF:0\\|Ironsight\\|Ironsight "
        "Console\\|[^|]+\\|policy:t\\|Title a1\\|10\\|rt=1000 externalId=a1 "
        "cat=policy src=10\\.0\\.0\\.1 cnt=1 deviceExternalId=" +
        sensorA_ + " dvchost=sa cs1Label=site cs1=Plant A cs2Label=zone cs2=Line 1 ");
    EXPECT_TRUE(std::regex_search(got[0], header)) << got[0];
    EXPECT_EQ(got[1].substr(0, 6), "<132>1");  // minor -> syslog warning (4)
    EXPECT_NE(got[1].find("|Title a2|5|"), std::string::npos) << got[1];
    EXPECT_FALSE(readable(udp.fd, 300ms)) << "a1's update or the old alert was forwarded";
    fwd.stop();
    ForwardRule after = current(r.id);
    EXPECT_EQ(after.sent, 2);
    EXPECT_EQ(after.queued, 0);
    EXPECT_EQ(after.lastError, "");
}

TEST_F(Forwarding, FiltersBySeverityEngineAndSite) {
    Fd udp = bound(SOCK_DGRAM, 0);
    ForwardRule r;
    r.target = "udp://127.0.0.1:" + std::to_string(portOf(udp.fd));
    r.format = "json";
    r.minSeverity = severityRank("major");
    r.engines = {"policy"};
    r.sites = {"Plant A"};
    ASSERT_TRUE(svc_->addForwardRule(r).ok());
    ingest(sensorA_, "minor", v1::SEVERITY_MINOR);
    ingest(sensorA_, "anomaly", v1::SEVERITY_CRITICAL, "anomaly");
    ingest(sensorB_, "other-site", v1::SEVERITY_CRITICAL);
    ingest(sensorA_, "match", v1::SEVERITY_MAJOR);
    Forwarder fwd(svc_->store(), fast());
    fwd.runOnce();
    ASSERT_TRUE(readable(udp.fd, 2s));
    char buf[65536];
    ssize_t n = recv(udp.fd, buf, sizeof buf, 0);
    std::string msg(buf, static_cast<std::size_t>(n));
    auto json = nlohmann::json::parse(msg.substr(msg.find("alert - ") + 8));
    EXPECT_EQ(json["id"], "match");
    EXPECT_EQ(json["site"], "Plant A");
    EXPECT_FALSE(readable(udp.fd, 200ms));
}

TEST_F(Forwarding, TcpQueuesWhileTheReceiverIsDownThenDeliversInOrder) {
    int port = 0;
    {
        Fd probe = bound(SOCK_STREAM, 0);
        port = portOf(probe.fd);
    }  // closed: nothing listens on `port` now
    ForwardRule r = rule("tcp://127.0.0.1:" + std::to_string(port), "leef");
    Forwarder fwd(svc_->store(), fast());
    fwd.start();
    auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < 5; ++i) ingest(sensorA_, "q" + std::to_string(i), v1::SEVERITY_MAJOR);
    // Ingest is not held up by the unreachable SIEM.
    EXPECT_LT(std::chrono::steady_clock::now() - t0, 2s);
    ForwardRule waiting;
    for (int i = 0; i < 100; ++i) {
        waiting = current(r.id);
        if (waiting.queued == 5 && !waiting.lastError.empty()) break;
        std::this_thread::sleep_for(50ms);
    }
    EXPECT_EQ(waiting.queued, 5);
    EXPECT_EQ(waiting.sent, 0);
    EXPECT_EQ(waiting.lastError,
              "cannot connect to 127.0.0.1:" + std::to_string(port) + ": Connection refused");

    // The SIEM comes back on the same port: the queue drains in order, framed per RFC 6587.
    Fd listener = bound(SOCK_STREAM, port);
    ingest(sensorA_, "q5", v1::SEVERITY_MAJOR);
    Fd conn = acceptOne(listener.fd);
    ASSERT_GE(conn.fd, 0);
    auto got = readTcp(conn.fd, 6);
    ASSERT_EQ(got.size(), 6u);
    for (int i = 0; i < 6; ++i) {
        EXPECT_NE(got[static_cast<std::size_t>(i)].find("\talertId=q" + std::to_string(i) + "\t"),
                  std::string::npos)
            << got[static_cast<std::size_t>(i)];
        EXPECT_EQ(got[static_cast<std::size_t>(i)].substr(0, 7), "<131>1 ");
        EXPECT_NE(got[static_cast<std::size_t>(i)].find(" ironsight - alert - LEEF:2.0|Ironsight|"),
                  std::string::npos);
    }
    ForwardRule done;
    for (int i = 0; i < 100; ++i) {
        done = current(r.id);
        if (done.sent == 6) break;
        std::this_thread::sleep_for(50ms);
    }
    EXPECT_EQ(done.sent, 6);
    EXPECT_EQ(done.queued, 0);
    EXPECT_EQ(done.lastError, "");

    // The receiver restarts: the forwarder notices the closed connection and reconnects.
    conn = Fd();
    std::this_thread::sleep_for(100ms);
    ingest(sensorA_, "q6", v1::SEVERITY_MAJOR);
    Fd again = acceptOne(listener.fd);
    ASSERT_GE(again.fd, 0);
    auto more = readTcp(again.fd, 1);
    ASSERT_EQ(more.size(), 1u);
    EXPECT_NE(more[0].find("\talertId=q6\t"), std::string::npos);
    fwd.stop();
}

TEST_F(Forwarding, QueueSurvivesARestartOfTheConsole) {
    int port = 0;
    {
        Fd probe = bound(SOCK_STREAM, 0);
        port = portOf(probe.fd);
    }
    ForwardRule r = rule("tcp://127.0.0.1:" + std::to_string(port), "json");
    {
        Forwarder fwd(svc_->store(), fast());
        ingest(sensorA_, "persisted", v1::SEVERITY_CRITICAL);
        fwd.runOnce();  // queued, send fails
    }
    svc_.reset();
    auto reopened = ConsoleService::open(dir_.path);
    ASSERT_TRUE(reopened.ok());
    svc_ = std::move(*reopened);
    EXPECT_EQ(current(r.id).queued, 1);
    Fd listener = bound(SOCK_STREAM, port);
    Forwarder fwd(svc_->store(), fast());
    fwd.runOnce();
    Fd conn = acceptOne(listener.fd);
    auto got = readTcp(conn.fd, 1);
    ASSERT_EQ(got.size(), 1u);
    EXPECT_NE(got[0].find("\"id\":\"persisted\""), std::string::npos) << got[0];
}

/// A TLS receiver with a certificate for 127.0.0.1 issued by its own test CA.
struct TlsReceiver {
    std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)> ctx{nullptr, &SSL_CTX_free};
    Fd listener;
    std::string caPem;
    int port = 0;

    TlsReceiver() {
        auto caKey = crypto::generateP256Key();
        auto ca = Pki::makeCaCertificate(caKey->get(), "Test SIEM CA");
        auto key = crypto::generateP256Key();
        auto cert = Pki::makeServerCertificate(key->get(), ca->get(), caKey->get(), {"127.0.0.1"});
        EXPECT_TRUE(cert.ok());
        caPem = *crypto::certificateToPem(ca->get());
        ctx.reset(SSL_CTX_new(TLS_server_method()));
        EXPECT_EQ(SSL_CTX_use_certificate(ctx.get(), cert->get()), 1);
        EXPECT_EQ(SSL_CTX_use_PrivateKey(ctx.get(), key->get()), 1);
        listener = bound(SOCK_STREAM, 0);
        port = portOf(listener.fd);
    }

    /// Accepts one connection and reads `n` messages (empty when the handshake failed).
    std::vector<std::string> receive(std::size_t n) {
        Fd conn = acceptOne(listener.fd);
        if (conn.fd < 0) return {};
        std::unique_ptr<SSL, decltype(&SSL_free)> ssl(SSL_new(ctx.get()), &SSL_free);
        SSL_set_fd(ssl.get(), conn.fd);
        timeval tv{5, 0};
        setsockopt(conn.fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        if (SSL_accept(ssl.get()) != 1) return {};
        std::string buffer;
        std::vector<std::string> out;
        while (out.size() < n) {
            char buf[4096];
            int got = SSL_read(ssl.get(), buf, sizeof buf);
            if (got <= 0) break;
            buffer.append(buf, static_cast<std::size_t>(got));
            for (auto& f : frames(buffer)) out.push_back(std::move(f));
        }
        return out;
    }
};

TEST_F(Forwarding, TlsVerifiesTheReceiverAgainstTheConfiguredCa) {
    TlsReceiver siem;
    fs::path caFile = dir_.path / "siem-ca.pem";
    ASSERT_TRUE(
        crypto::writeFileAtomic(caFile, siem.caPem, fs::perms::owner_read | fs::perms::owner_write)
            .ok());
    ForwardRule r;
    r.target = "tls://127.0.0.1:" + std::to_string(siem.port);
    r.format = "cef";
    r.caFile = caFile.string();
    auto added = svc_->addForwardRule(r);
    ASSERT_TRUE(added.ok()) << added.error().message;
    ingest(sensorA_, "tls-1", v1::SEVERITY_WARNING);
    ingest(sensorA_, "tls-2", v1::SEVERITY_MAJOR);
    Forwarder fwd(svc_->store(), fast());
    std::thread sender([&] { fwd.runOnce(); });
    auto got = siem.receive(2);
    sender.join();
    ASSERT_EQ(got.size(), 2u);
    EXPECT_EQ(got[0].substr(0, 7), "<133>1 ");
    EXPECT_NE(got[0].find("|policy:t|Title tls-1|3|rt=1000 externalId=tls-1 "), std::string::npos)
        << got[0];
    EXPECT_NE(got[1].find("|Title tls-2|8|"), std::string::npos) << got[1];
    EXPECT_EQ(current(added->id).sent, 2);
}

TEST_F(Forwarding, TlsRefusesAReceiverSignedByAnotherCa) {
    TlsReceiver siem;
    TlsReceiver other;  // its CA is the one configured: the real receiver is not trusted
    fs::path caFile = dir_.path / "wrong-ca.pem";
    ASSERT_TRUE(
        crypto::writeFileAtomic(caFile, other.caPem, fs::perms::owner_read | fs::perms::owner_write)
            .ok());
    ForwardRule r;
    r.target = "tls://127.0.0.1:" + std::to_string(siem.port);
    r.format = "json";
    r.caFile = caFile.string();
    auto added = svc_->addForwardRule(r);
    ASSERT_TRUE(added.ok());
    ingest(sensorA_, "secret", v1::SEVERITY_CRITICAL);
    Forwarder fwd(svc_->store(), fast());
    std::thread sender([&] { fwd.runOnce(); });
    auto got = siem.receive(1);
    sender.join();
    EXPECT_TRUE(got.empty());
    ForwardRule after = current(added->id);
    EXPECT_EQ(after.sent, 0);
    EXPECT_EQ(after.queued, 1);
    EXPECT_EQ(after.lastError,
              "TLS handshake with 127.0.0.1:" + std::to_string(siem.port) +
                  " failed: certificate verify failed: unable to get local issuer certificate");
}

TEST_F(Forwarding, RulesAreAuditedAndRemovedWithTheirQueue) {
    ForwardRule r = rule("udp://127.0.0.1:9", "cef");
    EXPECT_EQ(svc_->listAudit()->back().action, "forward.add");
    EXPECT_EQ(svc_->listAudit()->back().outcome, "ok: udp://127.0.0.1:9 cef min unspecified");
    ASSERT_TRUE(svc_->removeForwardRule(r.id).ok());
    EXPECT_EQ(svc_->removeForwardRule(r.id).error().message,
              "no forwarding rule " + std::to_string(r.id));
    EXPECT_TRUE(svc_->listForwardRules()->empty());
    EXPECT_EQ(svc_->listAudit()->back().action, "forward.remove");
}

}  // namespace
}  // namespace ironsight::console::core
