// SPDX-License-Identifier: Apache-2.0
// Real mutual TLS over loopback: enrollment rules, stream refusals, resume/ack, live revocation.
#include "console/core/link_server.h"

#include <gtest/gtest.h>
#include <openssl/x509.h>

#include <chrono>
#include <map>
#include <thread>

#include "ironsight/v1/link.grpc.pb.h"
#include "shared/activation/activation.h"
#include "shared/crypto/crypto.h"
#include "shared/sqlite/sqlite.h"
#include "shared/tls/credentials.h"

namespace ironsight::console::core {
namespace {
namespace fs = std::filesystem;
using namespace std::chrono_literals;

struct TempDir {
    fs::path path = fs::temp_directory_path() / ("ironsight-link-" + crypto::newUuid());
    ~TempDir() { fs::remove_all(path); }
};

/// What a sensor holds after `activate`: its id, key and certificate.
struct SensorCreds {
    std::string id;
    std::string keyPem;
    std::string certPem;
};

class LinkServerTest : public ::testing::Test {
protected:
    void SetUp() override {
        auto console = ConsoleService::open(dir_.path);
        ASSERT_TRUE(console.ok()) << console.error().message;
        console_ = std::move(*console);
        ASSERT_TRUE(console_->init("admin", "Admin-password-1", "127.0.0.1:0", "127.0.0.1:0").ok());
        ASSERT_TRUE(console_->addSite("Plant").ok());
        ASSERT_TRUE(console_->addZone("Plant", "Line").ok());
        server_ = std::make_unique<LinkServer>(*console_);
        auto started = server_->start("127.0.0.1:0", "127.0.0.1:0");
        ASSERT_TRUE(started.ok()) << started.error().message;
        ASSERT_GT(server_->linkPort(), 0);
        ASSERT_GT(server_->enrollPort(), 0);
    }

    std::shared_ptr<grpc::Channel> channel(int port, const std::string& keyPem = {},
                                           const std::string& certPem = {},
                                           const std::string& caPem = {}) {
        auto creds = tls::channelCredentials(caPem.empty() ? console_->pki().caCertPem() : caPem,
                                             keyPem, certPem);
        return grpc::CreateCustomChannel("127.0.0.1:" + std::to_string(port), creds,
                                         tls::channelArguments(kConsoleTlsName));
    }

    v1::ActivationPayload newActivation(const std::string& name) {
        auto added = console_->addSensor("Plant", "Line", name);
        EXPECT_TRUE(added.ok()) << added.error().message;
        auto payload = activation::decodeAndVerify(added->activationText, nowMs());
        EXPECT_TRUE(payload.ok()) << payload.error().message;
        return *payload;
    }

    grpc::Status enroll(const v1::ActivationPayload& p, const std::string& csrPem,
                        v1::EnrollResponse* response, const std::string& sensorId = {}) {
        auto stub = v1::Enrollment::NewStub(channel(server_->enrollPort()));
        grpc::ClientContext ctx;
        ctx.set_deadline(std::chrono::system_clock::now() + 10s);
        v1::EnrollRequest req;
        req.set_sensor_id(sensorId.empty() ? p.sensor_id() : sensorId);
        req.set_enrollment_token(p.enrollment_token());
        req.set_csr_pem(csrPem);
        req.set_clock_ms(nowMs());
        return stub->Enroll(&ctx, req, response);
    }

    SensorCreds enrolledSensor(const std::string& name) {
        v1::ActivationPayload p = newActivation(name);
        SensorCreds c;
        c.id = p.sensor_id();
        auto key = crypto::generateP256Key();
        c.keyPem = *crypto::privateKeyToPem(key->get());
        v1::EnrollResponse resp;
        grpc::Status st = enroll(p, *crypto::makeCsrPem(key->get(), name), &resp);
        EXPECT_TRUE(st.ok()) << st.error_message();
        c.certPem = resp.certificate_pem();
        return c;
    }

    /// Opens a stream, sends Hello; returns the final status if the console refuses, or the
    /// Resume in `resume` and OK.
    struct StreamResult {
        grpc::Status status;
        bool gotResume = false;
        v1::Resume resume;
    };
    StreamResult helloOnce(const std::string& keyPem, const std::string& certPem,
                           std::uint64_t epoch = 42, const std::string& caPem = {}) {
        auto stub = v1::SensorLink::NewStub(channel(server_->linkPort(), keyPem, certPem, caPem));
        grpc::ClientContext ctx;
        ctx.set_deadline(std::chrono::system_clock::now() + 10s);
        auto stream = stub->Stream(&ctx);
        v1::SensorMessage hello;
        hello.mutable_hello()->set_epoch(epoch);
        stream->Write(hello);
        StreamResult r;
        v1::ConsoleMessage msg;
        if (stream->Read(&msg) && msg.has_resume()) {
            r.gotResume = true;
            r.resume = msg.resume();
            stream->WritesDone();
        }
        r.status = stream->Finish();
        return r;
    }

    /// A stream that stays open after its Hello was answered with a Resume (for tests that end
    /// it from the console's side).
    struct LiveStream {
        std::unique_ptr<v1::SensorLink::Stub> stub;
        grpc::ClientContext ctx;
        std::unique_ptr<grpc::ClientReaderWriter<v1::SensorMessage, v1::ConsoleMessage>> stream;
    };
    /// Opens a stream as `s`, sends Hello{epoch} and expects a Resume (returned in `resume`).
    void openLive(LiveStream& live, const SensorCreds& s, std::uint64_t epoch = 1,
                  v1::Resume* resume = nullptr) {
        live.stub = v1::SensorLink::NewStub(channel(server_->linkPort(), s.keyPem, s.certPem));
        live.ctx.set_deadline(std::chrono::system_clock::now() + 20s);
        live.stream = live.stub->Stream(&live.ctx);
        v1::SensorMessage m;
        m.mutable_hello()->set_epoch(epoch);
        ASSERT_TRUE(live.stream->Write(m));
        v1::ConsoleMessage reply;
        ASSERT_TRUE(live.stream->Read(&reply));
        ASSERT_TRUE(reply.has_resume());
        if (resume != nullptr) *resume = reply.resume();
    }

    /// Streams `batch` as `s` (epoch 7) and returns once the console acknowledged all of it.
    void streamAndAwaitAck(const SensorCreds& s, const v1::SensorMessage& batch) {
        LiveStream live;
        ASSERT_NO_FATAL_FAILURE(openLive(live, s, 7));
        ASSERT_TRUE(live.stream->Write(batch));
        const std::uint64_t last = batch.batch().envelopes().rbegin()->seq();
        v1::ConsoleMessage reply;
        while (live.stream->Read(&reply)) {
            if (reply.has_ack() && reply.ack().applied_through_seq() >= last) break;
        }
        EXPECT_TRUE(reply.has_ack()) << "no ack for the batch";
        live.stream->WritesDone();
        EXPECT_TRUE(live.stream->Finish().ok());
    }

    /// The `link.handshake` audit records, waiting up to 5 s for at least `atLeast` of them
    /// (they are written by the server's auditor thread).
    std::vector<AuditRow> handshakeAudits(std::size_t atLeast) {
        std::vector<AuditRow> found;
        for (int i = 0; i < 100; ++i) {
            found.clear();
            auto audit = console_->listAudit();
            EXPECT_TRUE(audit.ok());
            if (!audit.ok()) break;
            for (const auto& e : *audit) {
                if (e.action == "link.handshake") found.push_back(e);
            }
            if (found.size() >= atLeast) break;
            std::this_thread::sleep_for(50ms);
        }
        return found;
    }

    /// `pem` again, valid from now + fromDays to now + toDays, signed by the console CA.
    std::string withValidity(const std::string& pem, long fromDays, long toDays) {
        auto cert = crypto::certificateFromPem(pem);
        EXPECT_TRUE(cert.ok());
        X509* c = cert->get();
        X509_gmtime_adj(X509_getm_notBefore(c), fromDays * 86400L);
        X509_gmtime_adj(X509_getm_notAfter(c), toDays * 86400L);
        EXPECT_GT(X509_sign(c, const_cast<EVP_PKEY*>(console_->pki().caKey()), EVP_sha256()), 0);
        return *crypto::certificateToPem(c);
    }

    TempDir dir_;
    std::unique_ptr<ConsoleService> console_;
    std::unique_ptr<LinkServer> server_;
};

bool startsWith(const std::string& text, const std::string& prefix) {
    return text.rfind(prefix, 0) == 0;
}

TEST_F(LinkServerTest, EnrolledSensorGetsResumeAndAcksAfterCommit) {
    SensorCreds s = enrolledSensor("s1");
    auto cert = crypto::certificateFromPem(s.certPem);
    ASSERT_TRUE(cert.ok());
    EXPECT_EQ(crypto::certificateUris(cert->get()),
              std::vector<std::string>{activation::sensorUri(s.id)});
    EXPECT_EQ((*console_->store().findSensor(s.id))->status, "active");

    LiveStream live;
    v1::Resume resume;
    ASSERT_NO_FATAL_FAILURE(openLive(live, s, 99, &resume));
    auto& stream = live.stream;
    EXPECT_EQ(resume.epoch(), 99u);
    EXPECT_EQ(resume.applied_through_seq(), 0u);
    v1::ConsoleMessage reply;

    v1::SensorMessage b;
    for (std::uint64_t seq = 1; seq <= 3; ++seq) {
        auto* env = b.mutable_batch()->add_envelopes();
        env->set_seq(seq);
        env->mutable_alert()->set_id("a" + std::to_string(seq));
        env->mutable_alert()->set_title("t");
    }
    ASSERT_TRUE(stream->Write(b));
    ASSERT_TRUE(stream->Read(&reply));
    ASSERT_TRUE(reply.has_ack());
    EXPECT_EQ(reply.ack().applied_through_seq(), 3u);
    // The ack means committed: a separate reader sees the rows now.
    auto alerts = console_->listAlerts();
    ASSERT_TRUE(alerts.ok());
    EXPECT_EQ(alerts->size(), 3u);
    EXPECT_EQ(server_->connectedSensors(), std::vector<std::string>{s.id});
    stream->WritesDone();
    EXPECT_TRUE(stream->Finish().ok());

    // Reconnect with the same epoch: Resume says what is already applied.
    StreamResult again = helloOnce(s.keyPem, s.certPem, 99);
    ASSERT_TRUE(again.gotResume) << again.status.error_message();
    EXPECT_EQ(again.resume.applied_through_seq(), 3u);
}

// The console reads batches ahead of its acks (LinkServer's read-ahead): every batch is still
// acknowledged in order, only after its commit, including the last one while the stream stays
// open; and once a batch fails, the batches sent behind it are not applied (no gap is skipped).
TEST_F(LinkServerTest, BatchesSentAheadAreAcknowledgedInOrderAndNeverPastAFailure) {
    SensorCreds s = enrolledSensor("s1");
    auto alertBatch = [](std::uint64_t from, std::uint64_t to, const std::string& prefix) {
        v1::SensorMessage m;
        for (std::uint64_t seq = from; seq <= to; ++seq) {
            auto* env = m.mutable_batch()->add_envelopes();
            env->set_seq(seq);
            env->mutable_alert()->set_id(prefix + std::to_string(seq));
            env->mutable_alert()->set_title("t");
        }
        return m;
    };
    {
        LiveStream live;
        ASSERT_NO_FATAL_FAILURE(openLive(live, s, 5));
        auto& stream = live.stream;
        v1::ConsoleMessage reply;
        for (std::uint64_t k = 0; k < 8; ++k) {  // all sent before any ack is read
            ASSERT_TRUE(stream->Write(alertBatch(3 * k + 1, 3 * k + 3, "a")));
        }
        for (std::uint64_t k = 0; k < 8; ++k) {
            ASSERT_TRUE(stream->Read(&reply));
            ASSERT_TRUE(reply.has_ack());
            EXPECT_EQ(reply.ack().applied_through_seq(), 3 * k + 3);
        }
        EXPECT_EQ(console_->listAlerts()->size(), 24u);
        stream->WritesDone();
        EXPECT_TRUE(stream->Finish().ok());
    }

    {  // the console refuses one alert: the stream ends at the batch before it
        auto db = sqlite::Db::open(dir_.path / "console.db");
        ASSERT_TRUE(db.ok());
        ASSERT_TRUE(db->exec("CREATE TRIGGER test_poison BEFORE INSERT ON alerts "
                             "WHEN NEW.alert_id = 'poison' "
                             "BEGIN SELECT RAISE(ABORT, 'poisoned alert'); END")
                        .ok());
    }
    LiveStream live;
    v1::Resume resume;
    ASSERT_NO_FATAL_FAILURE(openLive(live, s, 5, &resume));
    auto& stream = live.stream;
    ASSERT_EQ(resume.applied_through_seq(), 24u);
    v1::ConsoleMessage reply;
    v1::SensorMessage bad = alertBatch(28, 30, "b");
    bad.mutable_batch()->mutable_envelopes(1)->mutable_alert()->set_id("poison");  // seq 29
    ASSERT_TRUE(stream->Write(alertBatch(25, 27, "b")));
    ASSERT_TRUE(stream->Write(bad));
    for (std::uint64_t k = 0; k < 4; ++k) {
        (void)stream->Write(alertBatch(31 + 3 * k, 33 + 3 * k, "b"));  // may find the stream gone
    }
    std::vector<std::uint64_t> acked;
    while (stream->Read(&reply)) {
        if (reply.has_ack()) acked.push_back(reply.ack().applied_through_seq());
    }
    EXPECT_FALSE(stream->Finish().ok());
    EXPECT_EQ(acked, std::vector<std::uint64_t>{27u});
    EXPECT_EQ(console_->store().progress(s.id)->appliedThroughSeq, 27u);
    EXPECT_EQ(console_->listAlerts()->size(), 27u);
    const auto audit = console_->store().listAudit();
    ASSERT_TRUE(audit.ok());
    for (const auto& e : *audit) EXPECT_NE(e.action, "DELIVERY_GAP") << e.outcome;
}

TEST_F(LinkServerTest, EnrollmentRefusalsAreSpecific) {
    v1::ActivationPayload p = newActivation("s1");
    // Another pending activation keeps the enrollment listener open after s1's is used.
    (void)newActivation("keeps-enrollment-open");
    auto key = crypto::generateP256Key();
    std::string csr = *crypto::makeCsrPem(key->get(), "s1");
    v1::EnrollResponse resp;

    grpc::Status st = enroll(p, csr, &resp, crypto::newUuid());
    EXPECT_EQ(st.error_code(), grpc::StatusCode::PERMISSION_DENIED);
    EXPECT_EQ(st.error_message(), "sensor id mismatch");

    v1::ActivationPayload forged = p;
    crypto::Bytes token = crypto::randomBytes(32);
    forged.set_enrollment_token(token.data(), token.size());
    st = enroll(forged, csr, &resp);
    EXPECT_EQ(st.error_code(), grpc::StatusCode::PERMISSION_DENIED);
    EXPECT_EQ(st.error_message(), "unknown activation token");

    st = enroll(p, "garbage", &resp);
    EXPECT_EQ(st.error_code(), grpc::StatusCode::PERMISSION_DENIED);
    EXPECT_EQ(st.error_message(), "certificate request unreadable");

    st = enroll(p, csr, &resp);
    ASSERT_TRUE(st.ok()) << st.error_message();
    st = enroll(p, csr, &resp);
    EXPECT_EQ(st.error_code(), grpc::StatusCode::PERMISSION_DENIED);
    EXPECT_EQ(st.error_message(), "activation token already used");
}

TEST_F(LinkServerTest, RefusesNoCertificateForeignCaAndRevoked) {
    SensorCreds good = enrolledSensor("good");
    SensorCreds revoked = enrolledSensor("revoked");
    ASSERT_TRUE(console_->revokeSensor("revoked").ok());

    // (a) No client certificate: refused in the TLS handshake.
    StreamResult none = helloOnce("", "");
    EXPECT_FALSE(none.gotResume);
    EXPECT_EQ(none.status.error_code(), grpc::StatusCode::UNAVAILABLE);

    // (b) A certificate for the same sensor id from a foreign CA.
    TempDir other;
    auto foreign = Pki::loadOrCreate(other.path / "pki", {});
    ASSERT_TRUE(foreign.ok());
    auto key = crypto::generateP256Key();
    auto foreignCert = foreign->signSensorCsr(*crypto::makeCsrPem(key->get(), "x"), good.id);
    ASSERT_TRUE(foreignCert.ok());
    StreamResult alien = helloOnce(*crypto::privateKeyToPem(key->get()), foreignCert->pem);
    EXPECT_FALSE(alien.gotResume);
    EXPECT_EQ(alien.status.error_code(), grpc::StatusCode::UNAVAILABLE);

    // (c) A valid certificate of a revoked sensor: refused at the RPC with a reason.
    StreamResult rev = helloOnce(revoked.keyPem, revoked.certPem);
    EXPECT_FALSE(rev.gotResume);
    EXPECT_EQ(rev.status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
    EXPECT_EQ(rev.status.error_message(), "certificate revoked");

    // (d) A valid certificate whose sensor the console does not know.
    auto unknownCert = Pki::makeClientCertificate(
        key->get(), crypto::newUuid(),
        crypto::certificateFromPem(console_->pki().caCertPem())->get(), console_->pki().caKey(), 1);
    ASSERT_TRUE(unknownCert.ok());
    StreamResult unknown = helloOnce(*crypto::privateKeyToPem(key->get()), unknownCert->pem);
    EXPECT_FALSE(unknown.gotResume);
    EXPECT_EQ(unknown.status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
    EXPECT_EQ(unknown.status.error_message(), "unknown sensor");

    // The enrolled, unrevoked sensor is unaffected.
    StreamResult ok = helloOnce(good.keyPem, good.certPem);
    EXPECT_TRUE(ok.gotResume) << ok.status.error_message();
    EXPECT_TRUE(ok.status.ok()) << ok.status.error_message();

    int refusals = 0;
    auto audit = console_->listAudit();
    ASSERT_TRUE(audit.ok());
    for (const auto& e : *audit) {
        refusals += e.action == "stream" && e.outcome.rfind("refused", 0) == 0 ? 1 : 0;
    }
    EXPECT_EQ(refusals, 2);  // (c) and (d) reach the handler

    // (a) and (b) end in the TLS handshake; the console audits them from gRPC's log, with the
    // client's address (the only connection to the link port in its handshake then).
    std::vector<AuditRow> handshake = handshakeAudits(2);
    bool sawNoCertificate = false;
    bool sawForeignCa = false;
    for (const auto& e : handshake) {
        EXPECT_EQ(e.actor, "unknown");
        EXPECT_TRUE(startsWith(e.source, "127.0.0.1:")) << e.source;
        sawNoCertificate |= e.outcome == "refused: no client certificate";
        sawForeignCa |= startsWith(e.outcome, "refused: certificate not issued by this console's CA");
    }
    EXPECT_TRUE(sawNoCertificate);
    EXPECT_TRUE(sawForeignCa);
}

TEST_F(LinkServerTest, ExpiredAndNotYetValidCertificatesAreRefusedInTheHandshakeAndAudited) {
    SensorCreds s = enrolledSensor("s1");
    // The sensor's own certificate (same serial, same identity, console CA), with its dates
    // moved: only the validity period is wrong.
    const std::string expired = withValidity(s.certPem, -30, -1);
    const std::string notYetValid = withValidity(s.certPem, 1, 30);

    StreamResult old = helloOnce(s.keyPem, expired);
    EXPECT_FALSE(old.gotResume);
    EXPECT_EQ(old.status.error_code(), grpc::StatusCode::UNAVAILABLE);
    std::vector<AuditRow> audits = handshakeAudits(1);
    ASSERT_FALSE(audits.empty());
    for (const auto& e : audits) {
        EXPECT_EQ(e.outcome, "refused: certificate has expired (X509 error 10)");
        EXPECT_TRUE(startsWith(e.source, "127.0.0.1:")) << e.source;
        EXPECT_EQ(e.target, "link listener");
        EXPECT_EQ(e.actor, "unknown");
    }

    StreamResult early = helloOnce(s.keyPem, notYetValid);
    EXPECT_FALSE(early.gotResume);
    EXPECT_EQ(early.status.error_code(), grpc::StatusCode::UNAVAILABLE);
    bool sawNotYetValid = false;
    for (int i = 0; i < 100 && !sawNotYetValid; ++i) {
        for (const auto& e : handshakeAudits(1)) {
            sawNotYetValid |= e.outcome == "refused: certificate is not yet valid (X509 error 9)";
        }
        if (!sawNotYetValid) std::this_thread::sleep_for(50ms);
    }
    EXPECT_TRUE(sawNotYetValid);

    // The certificate as issued still works, and no refusal was recorded for it.
    const std::size_t refusalsBefore = handshakeAudits(0).size();
    StreamResult ok = helloOnce(s.keyPem, s.certPem);
    EXPECT_TRUE(ok.gotResume) << ok.status.error_message();
    std::this_thread::sleep_for(300ms);
    EXPECT_EQ(handshakeAudits(0).size(), refusalsBefore);
}

// Identity comes only from the certificate: no stream message names a sensor, so the data of
// a sensor A that uses the ids of sensor B's device, alert and command lands as A's and leaves
// B's untouched; the command result is refused and audited.
TEST_F(LinkServerTest, DataOfSensorAClaimingSensorBIsStoredAsAsOrRefused) {
    SensorCreds a = enrolledSensor("sensor-a");
    SensorCreds b = enrolledSensor("sensor-b");
    // The same sensor-local ids, different devices (another MAC: the same MAC seen by two
    // sensors of a site would rightly be one device).
    auto deviceAndAlert = [](const std::string& mac, const std::string& hostname,
                             const std::string& title) {
        v1::SensorMessage m;
        auto* dev = m.mutable_batch()->add_envelopes();
        dev->set_seq(1);
        dev->mutable_device()->set_id("dev-1");
        dev->mutable_device()->add_macs(mac);
        dev->mutable_device()->set_hostname(hostname);
        auto* alert = m.mutable_batch()->add_envelopes();
        alert->set_seq(2);
        alert->mutable_alert()->set_id("alert-1");
        alert->mutable_alert()->set_title(title);
        return m;
    };
    ASSERT_NO_FATAL_FAILURE(streamAndAwaitAck(b, deviceAndAlert("00:11:22:33:44:55", "b-host", "B's alert")));
    auto command = console_->setSensorLearning("sensor-b", false);
    ASSERT_TRUE(command.ok()) << command.error().message;

    v1::SensorMessage forged = deviceAndAlert("00:11:22:33:44:66", "forged-by-a", "forged by A");
    auto* result = forged.mutable_batch()->add_envelopes();
    result->set_seq(3);
    result->mutable_command_result()->set_command_id(command->id);
    result->mutable_command_result()->set_ok(true);
    ASSERT_NO_FATAL_FAILURE(streamAndAwaitAck(a, forged));

    auto devices = console_->listDevices();
    ASSERT_TRUE(devices.ok());
    std::map<std::string, std::string> hostnameBySensor;
    for (const auto& d : *devices) {
        EXPECT_EQ(d.deviceId, "dev-1");
        hostnameBySensor[d.sensorId] = d.hostname;
    }
    EXPECT_EQ(devices->size(), 2u);
    EXPECT_EQ(hostnameBySensor[b.id], "b-host");
    EXPECT_EQ(hostnameBySensor[a.id], "forged-by-a");

    auto alerts = console_->listAlerts();
    ASSERT_TRUE(alerts.ok());
    std::map<std::string, std::string> titleBySensor;
    for (const auto& al : *alerts) titleBySensor[al.sensorId] = al.title;
    EXPECT_EQ(titleBySensor[b.id], "B's alert");
    EXPECT_EQ(titleBySensor[a.id], "forged by A");

    auto commands = console_->listCommands("sensor-b");
    ASSERT_TRUE(commands.ok());
    ASSERT_EQ(commands->size(), 1u);
    EXPECT_NE(commands->front().state, "done");
    bool refusedResult = false;
    auto audit = console_->listAudit();
    ASSERT_TRUE(audit.ok());
    for (const auto& e : *audit) {
        refusedResult |= e.action == "command.result" && e.actor == "sensor:" + a.id &&
                         startsWith(e.outcome, "ignored: no open command " + command->id);
    }
    EXPECT_TRUE(refusedResult);
}

TEST_F(LinkServerTest, RevokingCancelsALiveStreamWithinTwoSeconds) {
    SensorCreds s = enrolledSensor("s1");
    LiveStream live;
    ASSERT_NO_FATAL_FAILURE(openLive(live, s));
    auto& stream = live.stream;
    v1::ConsoleMessage reply;

    // Revoke through a second, independent store connection (as `admin sensor revoke` does).
    auto cli = ConsoleService::open(dir_.path);
    ASSERT_TRUE(cli.ok());
    auto start = std::chrono::steady_clock::now();
    ASSERT_TRUE((*cli)->revokeSensor("s1").ok());
    EXPECT_FALSE(stream->Read(&reply));
    auto elapsed = std::chrono::steady_clock::now() - start;
    grpc::Status st = stream->Finish();
    EXPECT_LT(elapsed, 2s);
    EXPECT_NE(st.error_code(), grpc::StatusCode::OK);
    // The client can see the stream end before the server's handler has unregistered it;
    // on a loaded machine that takes a moment, so wait for it (bounded) instead of racing.
    const auto until = std::chrono::steady_clock::now() + 10s;
    while (!server_->connectedSensors().empty() && std::chrono::steady_clock::now() < until) {
        std::this_thread::sleep_for(10ms);
    }
    EXPECT_TRUE(server_->connectedSensors().empty());
}

TEST_F(LinkServerTest, ReactivationReplacesTheCertificateAndEndsTheOldOnesStream) {
    SensorCreds old = enrolledSensor("s1");
    // The old certificate streams while the new activation is outstanding.
    LiveStream live;
    ASSERT_NO_FATAL_FAILURE(openLive(live, old));
    auto& stream = live.stream;
    v1::ConsoleMessage reply;

    // Reactivated from another process, as `admin sensor reactivate` does.
    auto cli = ConsoleService::open(dir_.path);
    ASSERT_TRUE(cli.ok());
    auto again = (*cli)->reactivateSensor("s1");
    ASSERT_TRUE(again.ok()) << again.error().message;
    EXPECT_EQ(again->sensor.id, old.id);  // same sensor, same id
    auto payload = activation::decodeAndVerify(again->activationText, nowMs());
    ASSERT_TRUE(payload.ok()) << payload.error().message;
    EXPECT_EQ(payload->sensor_id(), old.id);
    EXPECT_TRUE(helloOnce(old.keyPem, old.certPem).gotResume);  // still current until used
    // The server notices the pending activation of the other process and opens enrollment.
    const auto open = std::chrono::steady_clock::now() + 10s;
    while (!server_->enrollmentOpen() && std::chrono::steady_clock::now() < open) {
        std::this_thread::sleep_for(10ms);
    }
    ASSERT_TRUE(server_->enrollmentOpen());

    auto key = crypto::generateP256Key();
    const std::string newKeyPem = *crypto::privateKeyToPem(key->get());
    v1::EnrollResponse resp;
    const auto start = std::chrono::steady_clock::now();
    grpc::Status st = enroll(*payload, *crypto::makeCsrPem(key->get(), "s1"), &resp);
    ASSERT_TRUE(st.ok()) << st.error_message();
    // The old certificate's live stream ends (within the revocation budget) ...
    EXPECT_FALSE(stream->Read(&reply));
    EXPECT_LT(std::chrono::steady_clock::now() - start, 3s);
    (void)stream->Finish();
    // ... it is refused from now on, and the new one is accepted.
    const StreamResult refused = helloOnce(old.keyPem, old.certPem);
    EXPECT_FALSE(refused.gotResume);
    EXPECT_EQ(refused.status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
    EXPECT_NE(refused.status.error_message().find("superseded"), std::string::npos)
        << refused.status.error_message();
    EXPECT_TRUE(helloOnce(newKeyPem, resp.certificate_pem()).gotResume);
    // Used once: a second enrollment with the same file is refused.
    v1::EnrollResponse second;
    EXPECT_FALSE(enroll(*payload, *crypto::makeCsrPem(key->get(), "s1"), &second).ok());
    // Audited: the re-activation and the replaced certificate.
    auto audit = console_->listAudit();
    ASSERT_TRUE(audit.ok());
    bool reactivation = false, replaced = false;
    for (const auto& e : *audit) {
        reactivation = reactivation || e.action == "activation.reactivate";
        replaced = replaced || (e.action == "enroll" &&
                                e.outcome.find("revoked (re-activation)") != std::string::npos);
    }
    EXPECT_TRUE(reactivation);
    EXPECT_TRUE(replaced);
    // A revoked sensor cannot be re-activated.
    ASSERT_TRUE(console_->revokeSensor("s1").ok());
    EXPECT_FALSE(console_->reactivateSensor("s1").ok());
}

TEST_F(LinkServerTest, RenewIssuesACertificateForTheCallerAndTheOldOneEndsOnceTheNewIsUsed) {
    SensorCreds old = enrolledSensor("s1");
    LiveStream live;
    ASSERT_NO_FATAL_FAILURE(openLive(live, old));
    const auto renew = [&](const SensorCreds& caller, const std::string& csrPem,
                           v1::RenewResponse* response) {
        auto stub =
            v1::SensorLink::NewStub(channel(server_->linkPort(), caller.keyPem, caller.certPem));
        grpc::ClientContext ctx;
        ctx.set_deadline(std::chrono::system_clock::now() + 10s);
        v1::RenewRequest request;
        request.set_csr_pem(csrPem);
        return stub->Renew(&ctx, request, response);
    };
    v1::RenewResponse response;
    grpc::Status st = renew(old, "not a certificate request", &response);
    EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_EQ(st.error_message(), "certificate request unreadable");

    // The CSR asks for another name: ignored, the certificate is the caller's identity.
    auto key = crypto::generateP256Key();
    ASSERT_TRUE(key.ok());
    st = renew(old, *crypto::makeCsrPem(key->get(), "someone-else"), &response);
    ASSERT_TRUE(st.ok()) << st.error_message();
    auto cert = crypto::certificateFromPem(response.certificate_pem());
    auto oldCert = crypto::certificateFromPem(old.certPem);
    ASSERT_TRUE(cert.ok() && oldCert.ok());
    EXPECT_EQ(crypto::certificateUris(cert->get()), crypto::certificateUris(oldCert->get()));
    EXPECT_EQ(X509_check_private_key(cert->get(), key->get()), 1);
    EXPECT_NE(crypto::certificateSerialHex(cert->get()), crypto::certificateSerialHex(oldCert->get()));
    EXPECT_GT(response.not_after_ms(), nowMs() + 360LL * 24 * 3600 * 1000);
    EXPECT_EQ(response.ca_certificate_pem(), console_->sensorTrustPem());
    const SensorCreds renewed{old.id, *crypto::privateKeyToPem(key->get()),
                              response.certificate_pem()};

    // Until the new certificate is used, the old one keeps working.
    EXPECT_TRUE(helloOnce(old.keyPem, old.certPem).gotResume);
    // Its first stream makes it current: the old certificate's live stream ends, it is refused
    // and cannot renew any more.
    EXPECT_TRUE(helloOnce(renewed.keyPem, renewed.certPem).gotResume);
    v1::ConsoleMessage reply;
    EXPECT_FALSE(live.stream->Read(&reply));
    (void)live.stream->Finish();
    const StreamResult refused = helloOnce(old.keyPem, old.certPem);
    EXPECT_FALSE(refused.gotResume);
    EXPECT_NE(refused.status.error_message().find("superseded"), std::string::npos)
        << refused.status.error_message();
    auto key2 = crypto::generateP256Key();
    st = renew(old, *crypto::makeCsrPem(key2->get(), "s1"), &response);
    EXPECT_EQ(st.error_code(), grpc::StatusCode::UNAUTHENTICATED);
    EXPECT_TRUE(helloOnce(renewed.keyPem, renewed.certPem).gotResume);  // still current

    // A revoked sensor cannot renew.
    ASSERT_TRUE(console_->revokeSensor("s1").ok());
    st = renew(renewed, *crypto::makeCsrPem(key2->get(), "s1"), &response);
    EXPECT_EQ(st.error_code(), grpc::StatusCode::UNAUTHENTICATED);
    EXPECT_EQ(st.error_message(), "certificate revoked");

    auto audit = console_->listAudit();
    ASSERT_TRUE(audit.ok());
    std::vector<std::string> renewals;
    for (const auto& e : *audit) {
        if (e.action == "sensor.renew") renewals.push_back(e.outcome);
    }
    const std::string serial = crypto::certificateSerialHex(cert->get());
    const std::vector<std::string> expected = {
        "refused: certificate request unreadable",
        "ok: certificate serial " + serial + " issued, valid until ",
        "ok: renewed certificate " + serial + " in use; certificate " +
            crypto::certificateSerialHex(oldCert->get()) + " revoked",
        "refused: certificate superseded (not the sensor's current certificate)",
        "refused: certificate revoked"};
    ASSERT_EQ(renewals.size(), expected.size());
    for (std::size_t i = 0; i < expected.size(); ++i) {
        EXPECT_EQ(renewals[i].rfind(expected[i], 0), 0u) << renewals[i];
    }
}

}  // namespace
}  // namespace ironsight::console::core
