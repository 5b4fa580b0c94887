// SPDX-License-Identifier: Apache-2.0
// E-mail forwarding: digest text and MIME headers, rule checks, and delivery end to end through a
// real SMTP relay on loopback (tests/support/smtp_receiver.py on aiosmtpd: STARTTLS with a
// certificate from a test CA, AUTH required after TLS, each accepted message written to a
// directory). No timed assertions: every wait polls with a generous deadline.
#include "console/core/mail.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

#include "console/core/cert_test_util.h"
#include "console/core/console_service.h"
#include "console/core/forwarding.h"
#include "shared/crypto/crypto.h"

namespace ironsight::console::core {
namespace {
namespace fs = std::filesystem;
using namespace std::chrono_literals;

constexpr const char* kPython = "/usr/bin/python3";

struct TempDir {
    fs::path path = fs::temp_directory_path() / ("ironsight-mail-" + crypto::newUuid());
    TempDir() { fs::create_directories(path); }
    ~TempDir() { fs::remove_all(path); }
};

template <typename Pred>
bool waitFor(Pred pred, std::chrono::seconds deadline = 60s) {
    auto until = std::chrono::steady_clock::now() + deadline;
    while (std::chrono::steady_clock::now() < until) {
        if (pred()) return true;
        std::this_thread::sleep_for(50ms);
    }
    return pred();
}

std::string readText(const fs::path& p) {
    std::ifstream in(p);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

void writeText(const fs::path& p, const std::string& text) {
    std::ofstream(p) << text;
}

bool haveAiosmtpd() {
    if (access(kPython, X_OK) != 0) return false;
    std::string cmd = std::string(kPython) + " -c 'import aiosmtpd' >/dev/null 2>&1";
    return std::system(cmd.c_str()) == 0;
}

AlertRow alert(const std::string& id, const std::string& severity, const std::string& site) {
    AlertRow a;
    a.alertId = id;
    a.severity = severity;
    a.engine = "policy";
    a.type = "plc_stop";
    a.title = "PLC stop " + id;
    a.site = site;
    a.zone = "Line 1";
    a.sensorName = "s1";
    a.src = "ews-03";
    a.srcIp = "10.1.4.77";
    a.dst = "plc-1";
    a.dstIp = "10.1.4.10";
    a.protocol = "s7comm";
    a.count = 1;
    a.firstSeenMs = 1'700'000'000'000;
    a.lastSeenMs = 1'700'000'000'000;
    return a;
}

// ---------------------------------------------------------------------------------------------

TEST(MailFormat, HeaderTextRfc2047AndDate) {
    EXPECT_EQ(encodeHeaderText("[Ironsight] 1 new alert at Plant A"),
              "[Ironsight] 1 new alert at Plant A");
    EXPECT_EQ(encodeHeaderText("Werk Süd"), "=?UTF-8?B?V2VyayBTw7xk?=");
    // Long text: several encoded-words of at most 75 characters, folded, no character split.
    std::string longText;
    for (int i = 0; i < 30; ++i) longText += "ü";  // 60 octets: 45 would cut a character
    std::string enc = encodeHeaderText(longText);
    EXPECT_EQ(enc, "=?UTF-8?B?" + std::string("w7zDvMO8w7zDvMO8w7zDvMO8w7zDvMO8w7zDvMO8w7zDvMO8w7zDvMO8w7w=") +
                       "?=\r\n =?UTF-8?B?w7zDvMO8w7zDvMO8w7zDvA==?=");
    std::size_t start = 0;
    while (start < enc.size()) {
        auto end = enc.find("\r\n ", start);
        std::string word = enc.substr(start, end == std::string::npos ? end : end - start);
        EXPECT_LE(word.size(), 75u) << word;
        start = end == std::string::npos ? enc.size() : end + 3;
    }
    EXPECT_EQ(rfc5322Date(1'700'000'000'123), "Tue, 14 Nov 2023 22:13:20 +0000");
    EXPECT_EQ(rfc5322Date(0), "Thu, 01 Jan 1970 00:00:00 +0000");
    EXPECT_TRUE(validMailAddress("soc@plant.example"));
    for (const char* bad : {"", "soc", "@x", "soc@", "a b@x", "<a@x>", "a@x,b@y", "a@@x", "a@x..y",
                            "a@.x", "ü@x"}) {
        EXPECT_FALSE(validMailAddress(bad)) << bad;
    }
}

TEST(MailFormat, DigestListsTheMostSevereFirstAndCountsTheRest) {
    std::vector<AlertRow> alerts = {alert("w1", "warning", "Plant A"),
                                    alert("c1", "critical", "Plant A"),
                                    alert("m1", "major", "Plant A"),
                                    alert("m2", "major", "Plant A"),
                                    alert("n1", "minor", "Plant A")};
    alerts[1].description = "stop\r\nfrom EWS";
    alerts[1].count = 4;
    AlertDigest d = alertDigest(alerts, 2, 0, "Ironsight console c1, forwarding rule 1.");
    EXPECT_EQ(d.subject, "[Ironsight] 5 new alerts (1 critical, 2 major) at Plant A");
    EXPECT_EQ(d.body,
              "5 new alerts at Plant A: 1 critical, 2 major, 1 minor, 1 warning.\r\n"
              "\r\n"
              "1. [CRITICAL] PLC stop c1\r\n"
              "   Type:    policy / plc_stop\r\n"
              "   Devices: ews-03 (10.1.4.77) -> plc-1 (10.1.4.10) (s7comm)\r\n"
              "   Where:   Plant A / Line 1, sensor s1\r\n"
              "   Time:    2023-11-14 22:13:20 UTC\r\n"
              "   Details: stop  from EWS\r\n"
              "   Alert:   c1, seen 4 times\r\n"
              "\r\n"
              "2. [MAJOR] PLC stop m1\r\n"
              "   Type:    policy / plc_stop\r\n"
              "   Devices: ews-03 (10.1.4.77) -> plc-1 (10.1.4.10) (s7comm)\r\n"
              "   Where:   Plant A / Line 1, sensor s1\r\n"
              "   Time:    2023-11-14 22:13:20 UTC\r\n"
              "   Alert:   m1\r\n"
              "\r\n"
              "and 3 more alerts not listed here (see Alerts in the Ironsight console).\r\n"
              "\r\n"
              "-- \r\n"
              "Ironsight console c1, forwarding rule 1.\r\n");

    AlertDigest one = alertDigest({alert("w", "warning", "Plant A"), alert("x", "minor", "B")}, 20,
                                  7, "f");
    EXPECT_EQ(one.subject, "[Ironsight] 2 new alerts at 2 sites");
    EXPECT_NE(one.body.find("Sites: B, Plant A\r\n"), std::string::npos) << one.body;
    EXPECT_NE(one.body.find("\r\n7 more alerts are queued and follow in the next message.\r\n"),
              std::string::npos)
        << one.body;
    // A title longer than an SMTP line allows is cut at a character boundary.
    AlertRow huge = alert("h", "critical", "Werk Süd");
    for (int i = 0; i < 600; ++i) huge.title += "ä";
    AlertDigest cut = alertDigest({huge}, 20, 0, "f");
    EXPECT_EQ(cut.subject, "[Ironsight] 1 new alert (1 critical) at Werk Süd");
    std::istringstream lines(cut.body);
    for (std::string line; std::getline(lines, line);) EXPECT_LE(line.size(), 998u);
}

TEST(MailFormat, MessageHeadersExactly) {
    std::string m = mailMessage("alerts@plant.example", {"soc@example.com", "ops@example.com"},
                                "[Ironsight] 1 new alert (1 critical) at Werk Süd", "Body ä\r\n",
                                1'700'000'000'000, "id-1@console-1");
    EXPECT_EQ(m,
              "Date: Tue, 14 Nov 2023 22:13:20 +0000\r\n"
              "From: Ironsight <alerts@plant.example>\r\n"
              "To: soc@example.com, ops@example.com\r\n"
              "Subject: =?UTF-8?B?W0lyb25zaWdodF0gMSBuZXcgYWxlcnQgKDEgY3JpdGljYWwpIGF0IFdlcmsg?=\r\n"
              " =?UTF-8?B?U8O8ZA==?=\r\n"
              "Message-ID: <id-1@console-1>\r\n"
              "MIME-Version: 1.0\r\n"
              "Content-Type: text/plain; charset=UTF-8\r\n"
              "Content-Transfer-Encoding: 8bit\r\n"
              "Auto-Submitted: auto-generated\r\n"
              "\r\n"
              "Body ä\r\n");
    std::vector<std::string> many;
    for (int i = 0; i < 6; ++i) many.push_back("recipient" + std::to_string(i) + "@example.com");
    std::string folded = mailMessage("a@b.c", many, "s", "b\r\n", 0, "x@y");
    EXPECT_NE(folded.find("To: recipient0@example.com, recipient1@example.com, "
                          "recipient2@example.com,\r\n recipient3@example.com, "
                          "recipient4@example.com, recipient5@example.com\r\n"),
              std::string::npos)
        << folded;
    EXPECT_NE(folded.find("Content-Transfer-Encoding: 7bit\r\n"), std::string::npos);
}

TEST(MailRule, ChecksAreOneLineEach) {
    ForwardRule r;
    r.target = "smtp://relay.example:587";
    auto check = [&](const ForwardRule& rule) {
        auto c = checkForwardRule(rule);
        return c ? std::string("ok") : c.error().message;
    };
    EXPECT_EQ(check(r), "an e-mail rule needs --mail-from ADDRESS");
    r.mailFrom = "alerts@plant";
    EXPECT_EQ(check(r), "an e-mail rule needs --mail-to ADDRESS");
    r.mailTo = {"soc@example.com", "bad address"};
    EXPECT_EQ(check(r), "bad recipient address 'bad address' (local@domain)");
    r.mailTo = {"soc@example.com"};
    EXPECT_EQ(check(r), "ok");
    EXPECT_EQ(checkForwardRule(r)->format, "email");
    r.format = "cef";
    EXPECT_EQ(check(r), "an smtp:// target sends e-mail digests: leave out --format");
    r.format = "";
    r.smtpUser = "alerts";
    EXPECT_EQ(check(r), "--smtp-user needs --smtp-password-file (AUTH with a password)");
    r.smtpPassword = "pw";
    r.starttls = false;
    EXPECT_EQ(check(r), "refusing to send SMTP credentials without TLS (drop --no-starttls)");
    r.target = "smtps://relay.example:465";
    EXPECT_EQ(check(r), "--no-starttls is only for smtp:// (smtps:// is always TLS)");
    r.starttls = true;
    r.caFile = "/nonexistent/ca.pem";
    EXPECT_NE(check(r).find("/nonexistent/ca.pem"), std::string::npos);

    ForwardRule syslog;
    syslog.target = "udp://127.0.0.1:514";
    syslog.format = "cef";
    syslog.mailTo = {"soc@example.com"};
    EXPECT_EQ(check(syslog), "e-mail options are only for smtp:// and smtps:// targets");
    syslog.mailTo.clear();
    syslog.format = "";
    EXPECT_EQ(check(syslog), "a syslog target needs --format (cef, leef or json)");
}

// ---------------------------------------------------------------------------------------------

/// tests/support/smtp_receiver.py as a child process; the messages it accepted are files in
/// `out`.
class SmtpRelay {
public:
    SmtpRelay(fs::path dir, std::string certFile, std::string keyFile, std::string password,
              bool implicitTls = false)
        : dir_(std::move(dir)),
          cert_(std::move(certFile)),
          key_(std::move(keyFile)),
          password_(std::move(password)),
          implicitTls_(implicitTls) {
        fs::create_directories(dir_ / "out");
    }
    ~SmtpRelay() { stop(); }
    SmtpRelay(const SmtpRelay&) = delete;
    SmtpRelay& operator=(const SmtpRelay&) = delete;

    /// Starts on `port` (0: a free one) and waits until it accepts connections.
    bool start(int port = 0) {
        fs::path ready = dir_ / "ready";
        fs::remove(ready);
        std::vector<std::string> argv = {kPython,
                                         std::string(IRONSIGHT_SOURCE_DIR) +
                                             "/tests/support/smtp_receiver.py",
                                         "--cert", cert_, "--key", key_, "--user", "alerts",
                                         "--password", password_, "--out",
                                         (dir_ / "out").string(), "--ready", ready.string(),
                                         "--port", std::to_string(port)};
        if (implicitTls_) argv.emplace_back("--implicit-tls");
        std::string log = (dir_ / "relay.log").string();
        pid_ = fork();
        if (pid_ == 0) {
            int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
            dup2(fd, 1);
            dup2(fd, 2);
            std::vector<char*> args;
            for (auto& a : argv) args.push_back(a.data());
            args.push_back(nullptr);
            execv(args[0], args.data());
            _exit(127);
        }
        bool up = waitFor([&] {
            return fs::exists(ready) || waitpid(pid_, nullptr, WNOHANG) == pid_;
        });
        if (!up || !fs::exists(ready)) return false;
        port_ = std::stoi(readText(ready));
        return true;
    }
    void stop() {
        if (pid_ <= 0) return;
        kill(pid_, SIGTERM);
        if (!waitFor([&] { return waitpid(pid_, nullptr, WNOHANG) == pid_; }, 20s)) {
            kill(pid_, SIGKILL);
            waitpid(pid_, nullptr, 0);
        }
        pid_ = 0;
    }
    int port() const { return port_; }
    std::string log() const { return readText(dir_ / "relay.log"); }

    /// Every accepted message, oldest first ({"mail_from", "rcpt_tos", "data"}).
    std::vector<nlohmann::json> messages() const {
        std::vector<std::pair<fs::file_time_type, fs::path>> files;
        for (const auto& e : fs::directory_iterator(dir_ / "out")) {
            if (e.path().extension() == ".json") files.emplace_back(e.last_write_time(), e.path());
        }
        std::sort(files.begin(), files.end());
        std::vector<nlohmann::json> out;
        for (const auto& f : files) out.push_back(nlohmann::json::parse(readText(f.second)));
        return out;
    }

private:
    fs::path dir_;
    std::string cert_, key_, password_;
    bool implicitTls_;
    pid_t pid_ = 0;
    int port_ = 0;
};

/// Header fields (a folded one with its CRLF SP kept) and the body of a message.
struct Parsed {
    std::vector<std::string> headers;
    std::string body;
};

Parsed parse(const std::string& data) {
    Parsed p;
    auto end = data.find("\r\n\r\n");
    std::string head = data.substr(0, end);
    p.body = end == std::string::npos ? "" : data.substr(end + 4);
    std::size_t pos = 0;
    while (pos <= head.size()) {
        auto nl = head.find("\r\n", pos);
        std::string line = head.substr(pos, nl == std::string::npos ? nl : nl - pos);
        // A folded header continues on lines that start with white space (RFC 5322 2.2.3).
        if (!p.headers.empty() && !line.empty() && (line[0] == ' ' || line[0] == '\t')) {
            p.headers.back() += "\r\n" + line;
        } else {
            p.headers.push_back(line);
        }
        if (nl == std::string::npos) break;
        pos = nl + 2;
    }
    return p;
}

class MailForwarding : public ::testing::Test {
protected:
    void SetUp() override {
        if (!haveAiosmtpd()) {
            GTEST_SKIP() << "python3-aiosmtpd is not installed (apt-get install python3-aiosmtpd; "
                            "installer/install-deps.sh does)";
        }
        // The relay's certificate for 127.0.0.1 from a test CA; another CA to be refused.
        auto ca = testing::makeTestCertificate("Relay Test CA", nullptr, true, -1, 365);
        auto server = testing::makeTestCertificate("relay.test", &ca, false, -1, 365,
                                                   "DNS:relay.test,IP:127.0.0.1");
        auto other = testing::makeTestCertificate("Other CA", nullptr, true, -1, 365);
        writeText(dir_.path / "ca.pem", ca.certPem);
        writeText(dir_.path / "other-ca.pem", other.certPem);
        writeText(dir_.path / "relay.pem", server.certPem);
        writeText(dir_.path / "relay.key", server.keyPem);

        auto opened = ConsoleService::open(dir_.path / "console");
        ASSERT_TRUE(opened.ok()) << opened.error().message;
        svc_ = std::move(*opened);
        ASSERT_TRUE(svc_->addSite("Plant A").ok());
        ASSERT_TRUE(svc_->addZone("Plant A", "Line 1").ok());
        ASSERT_TRUE(svc_->addSite("Werk Süd").ok());
        ASSERT_TRUE(svc_->addZone("Werk Süd", "Kessel").ok());
        sensorA_ = svc_->addSensor("Plant A", "Line 1", "sa")->sensor.id;
        sensorS_ = svc_->addSensor("Werk Süd", "Kessel", "ss")->sensor.id;
        ASSERT_TRUE(svc_->store().beginStream(sensorA_, 1, 1).ok());
        ASSERT_TRUE(svc_->store().beginStream(sensorS_, 1, 1).ok());
    }

    std::unique_ptr<SmtpRelay> relay(const std::string& password = "relay-secret",
                                     bool implicitTls = false) {
        return std::make_unique<SmtpRelay>(dir_.path / ("relay" + std::to_string(++relays_)),
                                           (dir_.path / "relay.pem").string(),
                                           (dir_.path / "relay.key").string(), password,
                                           implicitTls);
    }

    void ingest(const std::string& sensor, const std::string& id, v1::Severity severity) {
        v1::Batch b;
        auto* env = b.add_envelopes();
        env->set_seq(++seq_[sensor]);
        auto* a = env->mutable_alert();
        a->set_id(id);
        a->set_engine("policy");
        a->set_type("plc_stop");
        a->set_severity(severity);
        a->set_title("PLC stop " + id);
        a->set_description("stop command from the engineering workstation");
        a->set_src("ews-03");
        a->set_dst("plc-1");
        a->set_src_ip("10.1.4.77");
        a->set_dst_ip("10.1.4.10");
        a->set_protocol("s7comm");
        a->set_count(1);
        a->set_first_seen_ms(1'700'000'000'000);
        a->set_last_seen_ms(1'700'000'000'000);
        auto r = svc_->store().applyBatch(sensor, 1, b, nowMs());
        ASSERT_TRUE(r.ok()) << r.error().message;
    }

    ForwardRule mailRule(int port, const std::string& password, const std::string& caFile,
                         const std::string& scheme = "smtp") {
        ForwardRule r;
        r.target = scheme + "://127.0.0.1:" + std::to_string(port);
        r.mailFrom = "alerts@plant.example";
        r.mailTo = {"soc@example.com", "ops@example.com"};
        r.smtpUser = "alerts";
        r.smtpPassword = password;
        r.caFile = caFile;
        r.minSeverity = severityRank("major");
        auto added = svc_->addForwardRule(r);
        EXPECT_TRUE(added.ok()) << added.error().message;
        return added ? *added : r;
    }

    ForwardRule current(std::int64_t id) {
        auto rules = svc_->listForwardRules();  // kept: a range-for over *temporary dangles
        if (!rules) return {};
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
        o.timeout = 10s;
        o.hostname = "console-test";
        o.mailInterval = 200ms;
        return o;
    }

    /// Alert ids listed in a digest body ("Alert:   ID" lines).
    static std::vector<std::string> alertIds(const std::string& body) {
        std::vector<std::string> out;
        std::regex line("\r\n   Alert:   ([^,\r]+)");
        for (auto it = std::sregex_iterator(body.begin(), body.end(), line);
             it != std::sregex_iterator(); ++it) {
            out.push_back((*it)[1]);
        }
        return out;
    }

    TempDir dir_;
    std::unique_ptr<ConsoleService> svc_;
    std::string sensorA_, sensorS_;
    std::map<std::string, std::uint64_t> seq_;
    int relays_ = 0;
};

TEST_F(MailForwarding, DigestArrivesThroughStartTlsAndAuthWithExactHeaders) {
    auto smtp = relay();
    ASSERT_TRUE(smtp->start()) << smtp->log();
    ForwardRule r = mailRule(smtp->port(), "relay-secret", (dir_.path / "ca.pem").string());
    ingest(sensorA_, "c1", v1::SEVERITY_CRITICAL);
    ingest(sensorA_, "n1", v1::SEVERITY_MINOR);  // below the rule's minimum: never mailed
    ingest(sensorA_, "m1", v1::SEVERITY_MAJOR);
    Forwarder fwd(svc_->store(), fast());
    fwd.start();
    ASSERT_TRUE(waitFor([&] { return smtp->messages().size() == 1; }))
        << current(r.id).lastError << "\n"
        << smtp->log();

    auto m = smtp->messages()[0];
    EXPECT_EQ(m["mail_from"], "alerts@plant.example");
    EXPECT_EQ(m["rcpt_tos"], nlohmann::json::array({"soc@example.com", "ops@example.com"}));
    Parsed p = parse(m["data"].get<std::string>());
    ASSERT_EQ(p.headers.size(), 9u) << m["data"];
    EXPECT_TRUE(std::regex_match(
        p.headers[0], std::regex("Date: (Mon|Tue|Wed|Thu|Fri|Sat|Sun), [0-3][0-9] "
                                 "(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) 20[0-9]{2} "
                                 "[0-2][0-9]:[0-5][0-9]:[0-6][0-9] \\+0000")))
        << p.headers[0];
    EXPECT_EQ(p.headers[1], "From: Ironsight <alerts@plant.example>");
    EXPECT_EQ(p.headers[2], "To: soc@example.com, ops@example.com");
    EXPECT_EQ(p.headers[3], "Subject: [Ironsight] 2 new alerts (1 critical, 1 major) at Plant A");
    EXPECT_TRUE(std::regex_match(p.headers[4],
                                 std::regex("Message-ID: <[0-9a-f-]{36}@console-test>")))
        << p.headers[4];
    EXPECT_EQ(p.headers[5], "MIME-Version: 1.0");
    EXPECT_EQ(p.headers[6], "Content-Type: text/plain; charset=UTF-8");
    EXPECT_EQ(p.headers[7], "Content-Transfer-Encoding: 7bit");
    EXPECT_EQ(p.headers[8], "Auto-Submitted: auto-generated");
    std::string expectedStart =
        "2 new alerts at Plant A: 1 critical, 1 major.\r\n"
        "\r\n"
        "1. [CRITICAL] PLC stop c1\r\n"
        "   Type:    policy / plc_stop\r\n"
        "   Devices: ews-03 (10.1.4.77) -> plc-1 (10.1.4.10) (s7comm)\r\n"
        "   Where:   Plant A / Line 1, sensor sa\r\n"
        "   Time:    2023-11-14 22:13:20 UTC\r\n"
        "   Details: stop command from the engineering workstation\r\n"
        "   Alert:   c1\r\n"
        "\r\n"
        "2. [MAJOR] PLC stop m1\r\n";
    EXPECT_EQ(p.body.substr(0, expectedStart.size()), expectedStart) << p.body;
    EXPECT_EQ(alertIds(p.body), (std::vector<std::string>{"c1", "m1"}));
    EXPECT_NE(p.body.find("\r\n-- \r\nIronsight console console-test, forwarding rule " +
                          std::to_string(r.id) + " (smtp://127.0.0.1:" +
                          std::to_string(smtp->port()) + ", severity >= major).\r\n"),
              std::string::npos)
        << p.body;

    // A later alert goes out in its own digest; the ones already mailed do not repeat.
    ingest(sensorA_, "c2", v1::SEVERITY_CRITICAL);
    ASSERT_TRUE(waitFor([&] { return smtp->messages().size() == 2; })) << smtp->log();
    Parsed second = parse(smtp->messages()[1]["data"].get<std::string>());
    EXPECT_EQ(second.headers[3], "Subject: [Ironsight] 1 new alert (1 critical) at Plant A");
    EXPECT_EQ(alertIds(second.body), std::vector<std::string>{"c2"});
    ASSERT_TRUE(waitFor([&] { return current(r.id).sent == 3; }));
    fwd.stop();
    ForwardRule after = current(r.id);
    EXPECT_EQ(after.queued, 0);
    EXPECT_EQ(after.lastError, "");
    EXPECT_EQ(smtp->messages().size(), 2u);
}

TEST_F(MailForwarding, WrongPasswordIsRecordedRetriedAndDeliveredOnceFixed) {
    auto smtp = relay();
    ASSERT_TRUE(smtp->start()) << smtp->log();
    ForwardRule r = mailRule(smtp->port(), "not-the-password", (dir_.path / "ca.pem").string());
    EXPECT_TRUE(r.hasSmtpPassword);
    EXPECT_EQ(r.smtpPassword, "");  // the service never hands the password out
    ingest(sensorS_, "boiler-1", v1::SEVERITY_CRITICAL);
    Forwarder fwd(svc_->store(), fast());
    fwd.start();
    // Refused, kept, and tried again (attempts count the failed rounds).
    ASSERT_TRUE(waitFor([&] {
        auto q = svc_->store().forwardQueue(r.id, 10);
        return q && q->size() == 1 && (*q)[0].attempts >= 3;
    })) << current(r.id).lastError;
    ForwardRule refused = current(r.id);
    EXPECT_EQ(refused.lastError.rfind("mail via 127.0.0.1:" + std::to_string(smtp->port()) +
                                          " failed: Login denied",
                                      0),
              0u)
        << refused.lastError;
    EXPECT_NE(refused.lastError.find("535"), std::string::npos) << refused.lastError;
    EXPECT_EQ(refused.queued, 1);
    EXPECT_EQ(refused.sent, 0);
    EXPECT_TRUE(smtp->messages().empty());

    ASSERT_TRUE(svc_->setForwardCredentials(r.id, "alerts", "relay-secret").ok());
    ASSERT_TRUE(waitFor([&] { return smtp->messages().size() == 1; })) << smtp->log();
    ASSERT_TRUE(waitFor([&] { return current(r.id).queued == 0; }));
    fwd.stop();
    ForwardRule fixed = current(r.id);
    EXPECT_EQ(fixed.sent, 1);
    EXPECT_EQ(fixed.lastError, "");
    Parsed p = parse(smtp->messages()[0]["data"].get<std::string>());
    // A non-ASCII site: RFC 2047 subject, 8-bit UTF-8 body delivered intact.
    EXPECT_EQ(p.headers[3], "Subject: " + encodeHeaderText(
                                              "[Ironsight] 1 new alert (1 critical) at Werk Süd"));
    EXPECT_EQ(p.headers[7], "Content-Transfer-Encoding: 8bit");
    EXPECT_NE(p.body.find("   Where:   Werk Süd / Kessel, sensor ss\r\n"), std::string::npos)
        << p.body;
    EXPECT_EQ(alertIds(p.body), std::vector<std::string>{"boiler-1"});

    // Neither password reaches the audit log.
    auto audit = svc_->listAudit();
    ASSERT_TRUE(audit.ok());
    for (const auto& e : *audit) {
        EXPECT_EQ(e.outcome.find("relay-secret"), std::string::npos) << e.outcome;
        EXPECT_EQ(e.outcome.find("not-the-password"), std::string::npos) << e.outcome;
    }
    EXPECT_EQ(svc_->listAudit()->back().action, "forward.credentials");
}

TEST_F(MailForwarding, RelayDownQueuesAndDeliversEveryAlertOnceWhenItIsBack) {
    auto smtp = relay();
    ASSERT_TRUE(smtp->start()) << smtp->log();
    int port = smtp->port();
    smtp->stop();  // nothing listens on `port` now
    ForwardRule r = mailRule(port, "relay-secret", (dir_.path / "ca.pem").string());
    Forwarder fwd(svc_->store(), fast());
    fwd.start();
    for (int i = 0; i < 3; ++i) ingest(sensorA_, "q" + std::to_string(i), v1::SEVERITY_MAJOR);
    ASSERT_TRUE(waitFor([&] {
        ForwardRule w = current(r.id);
        return w.queued == 3 && !w.lastError.empty();
    }));
    ForwardRule waiting = current(r.id);
    EXPECT_EQ(waiting.lastError.rfind("mail via 127.0.0.1:" + std::to_string(port) +
                                          " failed: Failed to connect to 127.0.0.1 port " +
                                          std::to_string(port),
                                      0),
              0u)
        << waiting.lastError;
    EXPECT_EQ(waiting.sent, 0);

    // Back on the same port: what waited goes out, then what comes after.
    ASSERT_TRUE(smtp->start(port)) << smtp->log();
    ASSERT_TRUE(waitFor([&] { return current(r.id).sent == 3; })) << current(r.id).lastError;
    ingest(sensorA_, "q3", v1::SEVERITY_CRITICAL);
    ASSERT_TRUE(waitFor([&] { return current(r.id).sent == 4; })) << current(r.id).lastError;
    fwd.stop();
    std::vector<std::string> all;
    for (const auto& m : smtp->messages()) {
        for (auto& id : alertIds(m["data"].get<std::string>())) all.push_back(id);
    }
    std::sort(all.begin(), all.end());
    EXPECT_EQ(all, (std::vector<std::string>{"q0", "q1", "q2", "q3"}));
    EXPECT_EQ(current(r.id).queued, 0);
    EXPECT_EQ(current(r.id).lastError, "");
}

TEST_F(MailForwarding, UntrustedRelayCertificateIsRefused) {
    auto smtp = relay();
    ASSERT_TRUE(smtp->start()) << smtp->log();
    ForwardRule r = mailRule(smtp->port(), "relay-secret", (dir_.path / "other-ca.pem").string());
    ingest(sensorA_, "secret-1", v1::SEVERITY_CRITICAL);
    Forwarder fwd(svc_->store(), fast());
    fwd.runOnce();
    ForwardRule after = current(r.id);
    EXPECT_EQ(after.lastError,
              "mail via 127.0.0.1:" + std::to_string(smtp->port()) +
                  " failed: SSL certificate problem: unable to get local issuer certificate");
    EXPECT_EQ(after.queued, 1);
    EXPECT_EQ(after.sent, 0);
    EXPECT_TRUE(smtp->messages().empty());
}

TEST_F(MailForwarding, ImplicitTlsOnSmtps) {
    auto smtp = relay("relay-secret", true);
    ASSERT_TRUE(smtp->start()) << smtp->log();
    ForwardRule r =
        mailRule(smtp->port(), "relay-secret", (dir_.path / "ca.pem").string(), "smtps");
    ingest(sensorA_, "tls-1", v1::SEVERITY_MAJOR);
    Forwarder fwd(svc_->store(), fast());
    fwd.start();
    ASSERT_TRUE(waitFor([&] { return smtp->messages().size() == 1; }))
        << current(r.id).lastError << "\n"
        << smtp->log();
    fwd.stop();
    EXPECT_EQ(alertIds(smtp->messages()[0]["data"].get<std::string>()),
              std::vector<std::string>{"tls-1"});
}

}  // namespace
}  // namespace ironsight::console::core
