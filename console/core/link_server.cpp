// SPDX-License-Identifier: Apache-2.0
// Ingest server on gRPC 1.51 (sync API): enrollment and the sequenced, acknowledged stream.
#include "console/core/link_server.h"

#include <grpc/grpc_security_constants.h>

#include <nlohmann/json.hpp>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <deque>
#include <set>

#include "ironsight/v1/link.grpc.pb.h"
#include "shared/activation/activation.h"
#include "shared/crypto/crypto.h"
#include "shared/tls/credentials.h"

namespace ironsight::console::core {
namespace v1 = ironsight::v1;
namespace {

constexpr auto kRevocationPoll = std::chrono::milliseconds(500);
// Commands issued by another process (`admin alert learn`) are picked up this often.
constexpr auto kCommandPoll = std::chrono::milliseconds(500);
constexpr std::int64_t kMaxEnrollSkewMs = 5 * 60 * 1000;
// Handshake refusals written one by one per minute; a flood beyond that is summed up in one
// record so it cannot fill the audit log (or the disk).
constexpr int kMaxRefusalAuditsPerMinute = 60;
constexpr std::size_t kMaxQueuedRefusals = 256;

/// Serial (lower-case hex, as stored) of the peer's leaf certificate, or empty.
/// The client certificate the TLS handshake verified, or null.
crypto::X509Ptr peerCertificate(const grpc::ServerContext& context) {
    auto auth = context.auth_context();
    if (!auth) return nullptr;
    auto pems = auth->FindPropertyValues(GRPC_X509_PEM_CERT_PROPERTY_NAME);
    if (pems.size() != 1) return nullptr;
    auto cert = crypto::certificateFromPem(std::string_view(pems[0].data(), pems[0].size()));
    return cert ? std::move(*cert) : nullptr;
}

/// pki/empty-crl, created when missing: named as the link listener's CRL directory only so gRPC
/// reports the error code of a refused client certificate (tls::linkServerCredentialsWatched).
/// Not used (and the refusals are audited without their code) if anything was put in it, since
/// a CRL there would be loaded only at start and refuse certificates behind the console's back.
std::string verifyCodeDirectory(const std::filesystem::path& pkiDir) {
    const std::filesystem::path dir = pkiDir / "empty-crl";
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec || !std::filesystem::is_directory(dir, ec)) return {};
    if (!std::filesystem::is_empty(dir, ec) || ec) {
        std::fprintf(stderr,
                     "ironsight-console: %s is not empty; TLS handshake refusals are audited "
                     "without their certificate error\n",
                     dir.c_str());
        return {};
    }
    return dir.string();
}

/// Lifetime of sensor client certificates, at enrollment and renewal.
constexpr int kSensorCertDays = 365;

std::string peerSerial(const grpc::ServerContext& context) {
    return crypto::certificateSerialHex(peerCertificate(context).get());
}

void addServerArguments(grpc::ServerBuilder& builder) {
    builder.SetMaxReceiveMessageSize(4 * 1024 * 1024);
    builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
    builder.AddChannelArgument(GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS, 10'000);
    builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIME_MS, 30'000);
    builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 10'000);
    builder.AddChannelArgument(GRPC_ARG_SERVER_HANDSHAKE_TIMEOUT_MS, 10'000);
    builder.AddChannelArgument(GRPC_ARG_MAX_CONNECTION_AGE_MS, 3'600'000);
}

/// The wire form of a stored command; an error for a row this console cannot express.
Result<v1::ConsoleMessage> commandMessage(const CommandRow& row) {
    v1::ConsoleMessage msg;
    auto* cmd = msg.mutable_command();
    cmd->set_command_id(row.id);
    auto args = nlohmann::json::parse(row.arguments, nullptr, false);
    if (!args.is_object()) return makeError("command " + row.id + ": arguments are not JSON");
    auto text = [&](const char* key) {
        return args.contains(key) && args[key].is_string() ? args[key].get<std::string>()
                                                           : std::string();
    };
    auto flag = [&](const char* key) {
        return args.contains(key) && args[key].is_boolean() && args[key].get<bool>();
    };
    if (row.kind == "set_learning") {
        cmd->mutable_set_learning()->set_enabled(flag("enabled"));
    } else if (row.kind == "learn_alert") {
        cmd->mutable_learn_alert()->set_alert_id(text("alert_id"));
    } else if (row.kind == "mute_alert") {
        cmd->mutable_mute_alert()->set_alert_id(text("alert_id"));
        cmd->mutable_mute_alert()->set_muted(flag("muted"));
    } else if (row.kind == "evidence_request") {
        cmd->mutable_evidence_request()->set_alert_id(text("alert_id"));
    } else if (row.kind == "push_settings") {
        cmd->mutable_config_push()->set_toml(text("toml"));
        cmd->mutable_config_push()->set_settings(true);
    } else if (row.kind == "reload_settings") {
        cmd->mutable_reload_settings();
    } else if (row.kind == "renew_certificate") {
        cmd->mutable_renew_certificate();
    } else if (row.kind == "add_exclusion") {
        auto toml = exclusionToml(
            ExclusionRule{text("type"), text("device"), text("subnet"), text("from"), text("to")});
        if (!toml) return toml.error();
        cmd->mutable_config_push()->set_toml(*toml);
    } else {
        return makeError("command " + row.id + ": unknown kind '" + row.kind + "'");
    }
    return msg;
}

/// "HOST:PORT" with the port replaced (IPv6 literals keep their brackets).
std::string withPort(const std::string& listen, int port) {
    auto colon = listen.rfind(':');
    return (colon == std::string::npos ? listen : listen.substr(0, colon)) + ":" +
           std::to_string(port);
}

}  // namespace

class LinkServer::EnrollmentImpl final : public v1::Enrollment::Service {
public:
    EnrollmentImpl(ConsoleService& console, LinkServer& server)
        : console_(console), server_(server) {}

    grpc::Status Enroll(grpc::ServerContext* context, const v1::EnrollRequest* request,
                        v1::EnrollResponse* response) override {
        std::int64_t now = nowMs();
        EnrollAttempt attempt;
        attempt.sensorId = request->sensor_id();
        attempt.source = context->peer();
        const auto& token = request->enrollment_token();
        attempt.tokenSha256Hex = crypto::toHex(
            crypto::sha256({reinterpret_cast<const std::uint8_t*>(token.data()), token.size()}));
        if (request->clock_ms() != 0 && std::llabs(request->clock_ms() - now) > kMaxEnrollSkewMs) {
            std::string msg = "sensor clock differs from the console by " +
                              std::to_string(std::llabs(request->clock_ms() - now) / 1000) +
                              " s (more than 5 min); fix the time and retry";
            (void)console_.store().audit("sensor:" + attempt.sensorId, "enroll", attempt.sensorId,
                                         attempt.source, "refused: " + msg);
            return {grpc::StatusCode::FAILED_PRECONDITION, msg};
        }
        std::string certPem;
        auto serial = console_.store().enroll(attempt, now, [&]() -> Result<std::string> {
            auto issued = console_.pki().signSensorCsr(request->csr_pem(), attempt.sensorId,
                                                          kSensorCertDays);
            if (!issued) return issued.error();
            certPem = issued->pem;
            return issued->serialHex;
        });
        if (!serial) return {grpc::StatusCode::PERMISSION_DENIED, serial.error().message};
        // The activation is used: the watcher closes the listener if it was the last one (not
        // here: shutting the server down waits for this very call).
        {
            std::lock_guard lock(server_.mutex_);
            server_.recheckEnrollment_ = true;
        }
        server_.wake_.notify_all();
        response->set_certificate_pem(certPem);
        // The console CA plus an imported server certificate's root CA (cert_import.h).
        response->set_ca_certificate_pem(console_.sensorTrustPem());
        response->set_sensor_id(attempt.sensorId);
        return grpc::Status::OK;
    }

private:
    ConsoleService& console_;
    LinkServer& server_;
};

class LinkServer::SensorLinkImpl final : public v1::SensorLink::Service {
public:
    SensorLinkImpl(ConsoleService& console, LinkServer& server)
        : console_(console), server_(server) {}

    grpc::Status Stream(
        grpc::ServerContext* context,
        grpc::ServerReaderWriter<v1::ConsoleMessage, v1::SensorMessage>* stream) override {
        // Identity comes only from the verified certificate, never from message fields.
        std::string sensorId = tls::peerSensorId(*context);
        std::string source = context->peer();
        auto refuse = [&](const std::string& reason) {
            (void)console_.store().audit(sensorId.empty() ? "unknown" : "sensor:" + sensorId,
                                         "stream", sensorId, source, "refused: " + reason);
            return grpc::Status(grpc::StatusCode::UNAUTHENTICATED, reason);
        };
        if (sensorId.empty()) return refuse("certificate carries no sensor identity");
        auto sensor = console_.store().findSensor(sensorId);
        if (!sensor) return {grpc::StatusCode::UNAVAILABLE, sensor.error().message};
        if (!sensor->has_value() || (*sensor)->id != sensorId) return refuse("unknown sensor");
        if ((*sensor)->status == "revoked") return refuse("certificate revoked");
        if ((*sensor)->status != "active") return refuse("sensor not enrolled");
        const std::string serial = peerSerial(*context);
        if (serial != (*sensor)->certSerial) {
            // The first use of a certificate renewed over the link makes it the current one.
            auto promoted = serial.empty() || serial != (*sensor)->nextCertSerial
                                ? Result<bool>(false)
                                : console_.store().promoteRenewedCertificate(sensorId, serial,
                                                                             source);
            if (!promoted) return {grpc::StatusCode::UNAVAILABLE, promoted.error().message};
            if (!*promoted) {
                return refuse("certificate superseded (not the sensor's current certificate)");
            }
        }
        askForRenewalWhenDue(*context, sensorId);

        server_.registerStream(sensorId, context, serial);
        grpc::Status status = serve(context, stream, sensorId);
        server_.unregisterStream(sensorId, context);
        if (context->IsCancelled()) {
            auto now = console_.store().findSensor(sensorId);
            if (now && now->has_value() && (*now)->status == "revoked") {
                return refuse("certificate revoked");
            }
        }
        return status;
    }

    grpc::Status Renew(grpc::ServerContext* context, const v1::RenewRequest* request,
                       v1::RenewResponse* response) override {
        // The same checks as a stream start: identity from the verified certificate only.
        const std::string sensorId = tls::peerSensorId(*context);
        const std::string source = context->peer();
        auto refuse = [&](grpc::StatusCode code, const std::string& reason) {
            (void)console_.store().audit(sensorId.empty() ? "unknown" : "sensor:" + sensorId,
                                         "sensor.renew", sensorId, source, "refused: " + reason);
            return grpc::Status(code, reason);
        };
        if (sensorId.empty()) {
            return refuse(grpc::StatusCode::UNAUTHENTICATED, "certificate carries no sensor identity");
        }
        auto sensor = console_.store().findSensor(sensorId);
        if (!sensor) return {grpc::StatusCode::UNAVAILABLE, sensor.error().message};
        if (!sensor->has_value() || (*sensor)->id != sensorId) {
            return refuse(grpc::StatusCode::UNAUTHENTICATED, "unknown sensor");
        }
        if ((*sensor)->status != "active") {
            return refuse(grpc::StatusCode::UNAUTHENTICATED,
                          (*sensor)->status == "revoked" ? "certificate revoked"
                                                         : "sensor not enrolled");
        }
        const std::string serial = peerSerial(*context);
        if (serial != (*sensor)->certSerial && serial != (*sensor)->nextCertSerial) {
            return refuse(grpc::StatusCode::UNAUTHENTICATED,
                          "certificate superseded (not the sensor's current certificate)");
        }
        auto issued = console_.pki().signSensorCsr(request->csr_pem(), sensorId, kSensorCertDays);
        if (!issued) return refuse(grpc::StatusCode::INVALID_ARGUMENT, issued.error().message);
        auto cert = crypto::certificateFromPem(issued->pem);
        const std::int64_t notAfterMs =
            cert ? crypto::certificateNotAfter(cert->get()) * 1000 : std::int64_t{0};
        if (auto st = console_.store().setRenewedCertificate(sensorId, issued->serialHex,
                                                             notAfterMs, source);
            !st) {
            return {grpc::StatusCode::UNAVAILABLE, st.error().message};
        }
        response->set_certificate_pem(issued->pem);
        response->set_ca_certificate_pem(console_.sensorTrustPem());
        response->set_not_after_ms(notAfterMs);
        return grpc::Status::OK;
    }

private:
    /// Past two thirds of its certificate's lifetime, a sensor is asked to renew (a command,
    /// unless one is still open): sensors also renew by themselves, this covers older ones and
    /// makes the console's view authoritative.
    void askForRenewalWhenDue(const grpc::ServerContext& context, const std::string& sensorId) {
        auto cert = peerCertificate(context);
        if (!cert) return;
        const std::int64_t now = nowMs() / 1000;
        if (!crypto::renewalDue(crypto::certificateNotBefore(cert.get()),
                                crypto::certificateNotAfter(cert.get()), now)) {
            return;
        }
        auto commands = console_.store().listCommands(sensorId);
        if (!commands) return;
        for (const auto& c : *commands) {
            if (c.kind == "renew_certificate" && (c.state == "pending" || c.state == "sent")) return;
        }
        (void)console_.renewSensorCertificate(sensorId, AuditActor{"console", "console"});
    }

    grpc::Status serve(grpc::ServerContext* context,
                       grpc::ServerReaderWriter<v1::ConsoleMessage, v1::SensorMessage>* stream,
                       const std::string& sensorId) {
        v1::SensorMessage message;
        if (!stream->Read(&message)) return {grpc::StatusCode::CANCELLED, "stream closed"};
        if (!message.has_hello()) {
            return {grpc::StatusCode::INVALID_ARGUMENT, "first message must be Hello"};
        }
        std::uint64_t epoch = message.hello().epoch();
        const std::int64_t helloAt = nowMs();
        auto progress = console_.store().beginStream(sensorId, epoch, helloAt);
        if (!progress) return {grpc::StatusCode::UNAVAILABLE, progress.error().message};
        if (message.hello().clock_ms() != 0) {  // skew as of now (a one-way delay is noise)
            (void)console_.store().recordClockSkew(sensorId, message.hello().clock_ms() - helloAt);
        }
        v1::ConsoleMessage reply;
        reply.mutable_resume()->set_epoch(epoch);
        reply.mutable_resume()->set_applied_through_seq(progress->appliedThroughSeq);
        if (!stream->Write(reply)) return {grpc::StatusCode::CANCELLED, "stream closed"};

        // Commands go down the same stream from their own thread while this one reads batches;
        // gRPC allows one writer at a time, hence the write mutex.
        std::mutex writeMutex;
        auto write = [&](const v1::ConsoleMessage& m) {
            std::lock_guard lock(writeMutex);
            return stream->Write(m);
        };
        bool done = false;  // guarded by server_.commandMutex_
        std::thread sender([&] { server_.sendCommands(sensorId, write, done); });
        struct StopSender {
            LinkServer& server;
            bool& done;
            std::thread& sender;
            ~StopSender() {
                {
                    std::lock_guard lock(server.commandMutex_);
                    done = true;
                }
                server.commandWake_.notify_all();
                sender.join();
            }
        } stopSender{server_, done, sender};

        // Read ahead: each batch goes to the committer as soon as it arrives, and the acker
        // thread acknowledges them in order once committed. So the committer finds a stream's
        // next batches queued while it commits the previous ones (fewer, larger group commits;
        // docs/BENCHMARKS.md "Console ingest", session 7). Commit first, acknowledge second: an
        // ack always means "durable at the console".
        Acks acks;
        const auto ingest = server_.committer_->openStream(sensorId, epoch);
        std::thread acker([&] { acknowledge(context, acks, epoch, write); });
        grpc::Status status = grpc::Status::OK;
        while (!context->IsCancelled()) {
            auto next = std::make_shared<v1::SensorMessage>();
            if (!stream->Read(next.get())) break;
            if (!next->has_batch()) {
                status = {grpc::StatusCode::INVALID_ARGUMENT, "expected a Batch after Hello"};
                break;
            }
            std::unique_lock lock(acks.mutex);
            // Bounded: a client that ignores its window waits here (HTTP/2 flow control).
            acks.changed.wait(lock, [&] {
                return acks.queue.size() < server_.readAheadBatches_ || acks.failed;
            });
            if (acks.failed) break;
            auto ticket = server_.committer_->submit(
                ingest, std::shared_ptr<const v1::Batch>(next, &next->batch()));
            if (!ticket) {
                status = {grpc::StatusCode::UNAVAILABLE, "the console is shutting down"};
                break;
            }
            acks.queue.push_back(std::move(ticket));
            acks.changed.notify_all();
        }
        {
            std::lock_guard lock(acks.mutex);
            acks.readerDone = true;
        }
        acks.changed.notify_all();
        acker.join();  // every batch read is answered (or the stream is gone) before returning
        if (!acks.error.empty()) return {grpc::StatusCode::UNAVAILABLE, acks.error};
        if (context->IsCancelled()) return {grpc::StatusCode::CANCELLED, "cancelled"};
        return status;
    }

    /// Batches of one stream handed to the committer and not yet acknowledged, oldest first.
    struct Acks {
        std::mutex mutex;
        std::condition_variable changed;
        std::deque<std::shared_ptr<IngestCommitter::Ticket>> queue;
        bool readerDone = false;
        bool failed = false;  // a commit failed or an ack could not be written
        std::string error;    // why a commit failed
    };

    /// The acker thread of a stream: acknowledges its batches in order as they commit; on a
    /// failed commit it cancels the stream (the reader may be blocked in Read), so the sensor
    /// reconnects and resumes from the first unacknowledged sequence.
    void acknowledge(grpc::ServerContext* context, Acks& acks, std::uint64_t epoch,
                     const std::function<bool(const v1::ConsoleMessage&)>& write) {
        while (true) {
            std::shared_ptr<IngestCommitter::Ticket> ticket;
            {
                std::unique_lock lock(acks.mutex);
                acks.changed.wait(lock, [&] { return !acks.queue.empty() || acks.readerDone; });
                if (acks.queue.empty()) return;
                ticket = acks.queue.front();
            }
            auto applied = server_.committer_->wait(*ticket);
            bool written = false;
            if (applied) {
                v1::ConsoleMessage ack;
                ack.mutable_ack()->set_epoch(epoch);
                ack.mutable_ack()->set_applied_through_seq(*applied);
                written = write(ack);
            }
            {
                std::lock_guard lock(acks.mutex);
                acks.queue.pop_front();
                if (!written) {
                    acks.failed = true;
                    if (!applied) acks.error = applied.error().message;
                }
            }
            acks.changed.notify_all();
            if (!written) {
                context->TryCancel();
                return;
            }
        }
    }

    ConsoleService& console_;
    LinkServer& server_;
};

LinkServer::LinkServer(ConsoleService& console, std::size_t readAheadBatches)
    : console_(console),
      readAheadBatches_(readAheadBatches == 0 ? 1 : readAheadBatches),
      committer_(std::make_unique<IngestCommitter>(console.store())),
      enrollment_(std::make_unique<EnrollmentImpl>(console, *this)),
      link_(std::make_unique<SensorLinkImpl>(console, *this)) {}

LinkServer::~LinkServer() {
    stop();
}

IngestCommitter::Stats LinkServer::ingestStats() const {
    return committer_->stats();
}

Status LinkServer::start(const std::string& linkListen, const std::string& enrollListen) {
    tls::ServerIdentity identity = console_.pki().serverIdentity();
    {
        grpc::ServerBuilder builder;
        // The identity is watched on disk so an imported certificate (`admin cert import`,
        // possibly from another process) is served without a restart; clients: console CA.
        const std::filesystem::path pkiDir = console_.dataDir() / "pki";
        builder.AddListeningPort(linkListen,
                                 tls::linkServerCredentialsWatched(
                                     (linkIdentityDir(pkiDir) / "server.key").string(),
                                     (linkIdentityDir(pkiDir) / "server.crt").string(),
                                     (pkiDir / "ca.crt").string(), 1, verifyCodeDirectory(pkiDir)),
                                 &linkPort_);
        builder.RegisterService(link_.get());
        addServerArguments(builder);
        linkServer_ = builder.BuildAndStart();
        if (!linkServer_ || linkPort_ == 0) {
            linkServer_.reset();
            return makeError("cannot listen on " + linkListen + " (address in use or invalid)");
        }
    }
    {
        // Bound once here so the port is known (and taken) even when port 0 was asked for;
        // refreshEnrollment() closes it at once when no activation is pending.
        std::lock_guard lock(enrollMutex_);
        grpc::ServerBuilder builder;
        builder.AddListeningPort(enrollListen, tls::enrollServerCredentials(identity),
                                 &enrollPort_);
        builder.RegisterService(enrollment_.get());
        addServerArguments(builder);
        enrollServer_ = builder.BuildAndStart();
        if (!enrollServer_ || enrollPort_ == 0) {
            enrollServer_.reset();
            linkServer_->Shutdown();
            linkServer_.reset();
            return makeError("cannot listen on " + enrollListen + " (address in use or invalid)");
        }
        enrollAddress_ = withPort(enrollListen, enrollPort_);
        enrollStopped_ = false;
    }
    {
        std::lock_guard lock(mutex_);
        stopping_ = false;
    }
    refreshEnrollment();
    console_.setLinkListener([this] {
        refreshEnrollment();
        notifyCommands();
    });
    watcher_ = std::thread([this] { watchRevocations(); });
    {
        std::lock_guard lock(refusalMutex_);
        refusalStopping_ = false;
    }
    refusalAuditor_ = std::thread([this] { auditRefusals(); });
    refusalListener_ =
        HandshakeRefusals::add([this](const HandshakeRefusal& r) { onHandshakeRefused(r); });
    return {};
}

bool LinkServer::enrollmentOpen() const {
    std::lock_guard lock(enrollMutex_);
    return enrollServer_ != nullptr;
}

void LinkServer::refreshEnrollment() {
    // Counted under the lock: a stale count from a racing caller must not close the listener
    // right after an activation was added.
    std::lock_guard lock(enrollMutex_);
    if (enrollStopped_) return;
    const bool wanted = console_.store().pendingActivations(nowMs()) > 0;
    if (wanted == (enrollServer_ != nullptr)) return;
    if (!wanted) {
        enrollServer_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(2));
        enrollServer_.reset();
        return;
    }
    grpc::ServerBuilder builder;
    int port = 0;
    builder.AddListeningPort(enrollAddress_,
                             tls::enrollServerCredentials(console_.pki().serverIdentity()), &port);
    builder.RegisterService(enrollment_.get());
    addServerArguments(builder);
    enrollServer_ = builder.BuildAndStart();
    if (!enrollServer_ || port != enrollPort_) {
        if (enrollServer_) enrollServer_->Shutdown();
        enrollServer_.reset();
        std::string error = "cannot reopen the enrollment listener on " + enrollAddress_ +
                            " (address in use?); retrying";
        if (error != enrollError_) {
            (void)console_.store().audit("console", "enroll.listen", enrollAddress_, "local",
                                         "failed: " + error);
            enrollError_ = error;
        }
        return;
    }
    enrollError_.clear();
}

void LinkServer::notifyCommands() {
    {
        std::lock_guard lock(commandMutex_);
        ++commandGeneration_;
    }
    commandWake_.notify_all();
}

void LinkServer::sendCommands(const std::string& sensorId,
                              const std::function<bool(const v1::ConsoleMessage&)>& write,
                              const bool& done) {
    // A new stream also resends commands sent on an earlier one that never answered: the
    // sensor may not have received them, and applying one twice does no harm.
    bool includeSent = true;
    std::set<std::string> sentHere;
    std::unique_lock lock(commandMutex_);
    std::uint64_t seen = commandGeneration_ - 1;  // look at once
    while (!done) {
        if (seen == commandGeneration_) {
            commandWake_.wait_for(lock, kCommandPoll,
                                  [&] { return done || seen != commandGeneration_; });
            if (done) break;
        }
        seen = commandGeneration_;
        lock.unlock();
        auto rows = console_.store().commandsToSend(sensorId, includeSent);
        std::vector<std::string> sent;
        bool ok = true;
        if (rows) {
            includeSent = false;
            for (const auto& row : *rows) {
                if (sentHere.count(row.id)) continue;
                auto msg = commandMessage(row);
                if (!msg) continue;  // left pending and visible in `command list`
                if (!write(*msg)) {
                    ok = false;
                    break;
                }
                sentHere.insert(row.id);
                sent.push_back(row.id);
            }
            (void)console_.store().markCommandsSent(sent);
        }
        lock.lock();
        if (!ok) break;  // the stream is gone; the reader ends it
    }
}

void LinkServer::stop() {
    {
        std::lock_guard lock(mutex_);
        if (stopping_ && !watcher_.joinable()) return;
        stopping_ = true;
        for (auto& [id, ctx] : streams_) ctx->TryCancel();
    }
    wake_.notify_all();
    console_.setLinkListener({});
    if (watcher_.joinable()) watcher_.join();
    if (refusalListener_ != 0) HandshakeRefusals::remove(refusalListener_);
    refusalListener_ = 0;
    {
        std::lock_guard lock(refusalMutex_);
        refusalStopping_ = true;
    }
    refusalWake_.notify_all();
    if (refusalAuditor_.joinable()) refusalAuditor_.join();
    auto deadline = std::chrono::system_clock::now() + std::chrono::seconds(2);
    if (linkServer_) linkServer_->Shutdown(deadline);
    linkServer_.reset();
    std::lock_guard lock(enrollMutex_);
    enrollStopped_ = true;
    if (enrollServer_) enrollServer_->Shutdown(deadline);
    enrollServer_.reset();
}

std::vector<std::string> LinkServer::connectedSensors() const {
    std::lock_guard lock(mutex_);
    std::vector<std::string> ids;
    for (const auto& [id, ctx] : streams_) {
        if (ids.empty() || ids.back() != id) ids.push_back(id);
    }
    return ids;
}

void LinkServer::registerStream(const std::string& sensorId, grpc::ServerContext* context,
                                const std::string& certSerial) {
    std::lock_guard lock(mutex_);
    streams_.emplace(sensorId, context);
    streamSerials_[context] = certSerial;
    streamPeers_[context] = peerAddress(context->peer());
    if (stopping_) context->TryCancel();
}

void LinkServer::unregisterStream(const std::string& sensorId, grpc::ServerContext* context) {
    std::lock_guard lock(mutex_);
    auto [first, last] = streams_.equal_range(sensorId);
    for (auto it = first; it != last; ++it) {
        if (it->second == context) {
            streams_.erase(it);
            break;
        }
    }
    streamSerials_.erase(context);
    streamPeers_.erase(context);
}

void LinkServer::onHandshakeRefused(const HandshakeRefusal& refusal) {
    // Only a missing or refused client certificate is surely this console's link listener: a
    // process that is also a gRPC client (the tests) logs its own failures the same way.
    if (!refusal.clientCertificate) return;
    {
        std::lock_guard lock(refusalMutex_);
        if (refusalStopping_) return;
        if (refusals_.size() >= kMaxQueuedRefusals) {
            ++refusalsDropped_;  // a flood: no /proc scan, just the count
            return;
        }
    }
    // gRPC 1.51 names no peer for a failed handshake. The refused connection is still open
    // here, so it is one of the established connections to the link port that is not a live
    // stream; the address is recorded only when that leaves exactly one.
    std::vector<std::string> candidates = establishedPeersOnPort(linkPort_);
    {
        std::lock_guard lock(mutex_);
        std::set<std::string> live;
        for (const auto& [ctx, peer] : streamPeers_) live.insert(peer);
        std::erase_if(candidates, [&](const std::string& p) { return live.count(p) > 0; });
    }
    std::string source = refusalSource(std::move(candidates));
    std::lock_guard lock(refusalMutex_);
    refusals_.push_back({refusal, std::move(source)});
    refusalWake_.notify_all();
}

void LinkServer::auditRefusals() {
    using Clock = std::chrono::steady_clock;
    auto windowStart = Clock::now();
    int writtenInWindow = 0;
    std::uint64_t suppressed = 0;
    auto summarize = [&] {
        if (suppressed == 0) return;
        (void)console_.store().audit(
            "unknown", "link.handshake", "link listener", "various",
            "refused: " + std::to_string(suppressed) +
                " further TLS handshakes in one minute (not recorded one by one)");
        suppressed = 0;
    };
    std::unique_lock lock(refusalMutex_);
    while (true) {
        refusalWake_.wait_for(lock, std::chrono::seconds(1),
                              [this] { return refusalStopping_ || !refusals_.empty(); });
        std::deque<QueuedRefusal> batch;
        batch.swap(refusals_);
        suppressed += refusalsDropped_;
        refusalsDropped_ = 0;
        const bool stopping = refusalStopping_;
        lock.unlock();
        if (Clock::now() - windowStart >= std::chrono::minutes(1)) {
            summarize();
            windowStart = Clock::now();
            writtenInWindow = 0;
        }
        for (const auto& queued : batch) {
            if (writtenInWindow >= kMaxRefusalAuditsPerMinute) {
                ++suppressed;
                continue;
            }
            ++writtenInWindow;
            const HandshakeRefusal& r = queued.refusal;
            std::string outcome = "refused: " + r.reason;
            if (r.verifyCode != 0) outcome += " (X509 error " + std::to_string(r.verifyCode) + ")";
            (void)console_.store().audit("unknown", "link.handshake", "link listener",
                                         queued.source, outcome);
        }
        if (stopping) {
            summarize();
            return;
        }
        lock.lock();
    }
}

void LinkServer::watchRevocations() {
    // Polls the store (not an in-process signal) so a revoke from `admin sensor revoke` in
    // another process also cancels the live stream within the 2 s budget.
    std::unique_lock lock(mutex_);
    while (!stopping_) {
        wake_.wait_for(lock, kRevocationPoll, [this] { return stopping_ || recheckEnrollment_; });
        if (stopping_) break;
        recheckEnrollment_ = false;
        std::vector<std::string> ids;
        for (const auto& [id, ctx] : streams_) ids.push_back(id);
        lock.unlock();
        std::vector<std::string> revoked;
        std::map<std::string, std::string> currentSerial;  // re-activated sensors' new serial
        for (const auto& id : ids) {
            auto sensor = console_.store().findSensor(id);
            if (sensor && sensor->has_value() && (*sensor)->status == "revoked") {
                revoked.push_back(id);
            } else if (sensor && sensor->has_value()) {
                currentSerial[id] = (*sensor)->certSerial;
            }
        }
        refreshEnrollment();  // activations added or used by any process
        lock.lock();
        for (const auto& id : revoked) {
            auto [first, last] = streams_.equal_range(id);
            for (auto it = first; it != last; ++it) it->second->TryCancel();
        }
        for (const auto& [id, serial] : currentSerial) {
            auto [first, last] = streams_.equal_range(id);
            for (auto it = first; it != last; ++it) {
                if (streamSerials_[it->second] != serial) it->second->TryCancel();  // replaced
            }
        }
    }
}

}  // namespace ironsight::console::core
