// SPDX-License-Identifier: Apache-2.0
// The streaming link client: Hello/Resume, windowed batches from the outbox, acks, commands,
// reconnect with exponential backoff and jitter.
#include "sensor-agent/link/link_client.h"

#include <grpcpp/grpcpp.h>

#include <openssl/err.h>
#include <openssl/x509.h>

#include <algorithm>
#include <condition_variable>
#include <ctime>
#include <deque>
#include <iostream>
#include <mutex>
#include <random>

#include "ironsight/v1/link.grpc.pb.h"
#include "sensor-agent/link/enroll.h"
#include "sensor-agent/link/envelopes.h"
#include "sensor-agent/link/proxy.h"
#include "shared/base/version.h"
#include "shared/crypto/crypto.h"
#include "shared/tls/credentials.h"

namespace ironsight::sensor::link {
namespace {

std::int64_t nowMs() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

}  // namespace

store::NewRecord commandResultRecord(const std::string& commandId, const CommandReply& reply) {
    v1::Envelope env;
    auto* result = env.mutable_command_result();
    result->set_command_id(commandId);
    result->set_ok(reply.ok);
    result->set_message(reply.message);
    if (!reply.payload.empty()) result->set_payload(reply.payload);
    return toRecord(env);
}

LinkClient::LinkClient(LinkConfig config, store::Outbox& outbox, LinkHooks hooks)
    : config_(std::move(config)), outbox_(outbox), hooks_(std::move(hooks)) {}

LinkClient::~LinkClient() {
    stop();
}

void LinkClient::start() {
    std::lock_guard lock(mutex_);
    if (thread_.joinable()) return;
    stopping_ = false;
    thread_ = std::thread([this] { run(); });
}

void LinkClient::stop() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
        if (context_) context_->TryCancel();
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
}

void LinkClient::notify() {
    cv_.notify_all();
}

bool LinkClient::waitAckedThrough(std::uint64_t seq, std::chrono::milliseconds timeout) {
    const auto until = std::chrono::steady_clock::now() + timeout;
    std::unique_lock lock(mutex_);
    while (outbox_.ackedThrough() < seq) {
        if (cv_.wait_until(lock, until) == std::cv_status::timeout) {
            return outbox_.ackedThrough() >= seq;
        }
    }
    return true;
}

std::string LinkClient::lastError() const {
    std::lock_guard lock(mutex_);
    return lastError_;
}

void LinkClient::report(const std::string& line) {
    {
        std::lock_guard lock(mutex_);
        if (line == lastReported_) return;  // one line per change, not per retry
        lastReported_ = line;
    }
    if (hooks_.log) {
        hooks_.log(line);
    } else {
        std::cerr << line << std::endl;
    }
}

void LinkClient::setError(const std::string& error) {
    std::lock_guard lock(mutex_);
    lastError_ = error;
}

void LinkClient::run() {
    std::mt19937_64 rng(std::random_device{}());
    std::size_t next = 0;
    auto backoff = config_.backoffInitial;
    while (true) {
        {
            std::lock_guard lock(mutex_);
            if (stopping_) return;
        }
        if (config_.endpoints.empty()) {
            report("link: no console endpoint configured");
            return;
        }
        const std::string endpoint = config_.endpoints[next % config_.endpoints.size()];
        const bool resumed = session(endpoint);
        connected_ = false;
        if (resumed) {
            backoff = config_.backoffInitial;
        } else {
            ++next;  // try the next endpoint
        }
        // Exponential backoff with +-20 % jitter, capped.
        std::uniform_real_distribution<double> jitter(0.8, 1.2);
        const auto wait = std::chrono::milliseconds(
            static_cast<std::int64_t>(static_cast<double>(backoff.count()) * jitter(rng)));
        backoff = std::min(config_.backoffMax, backoff * 2);
        std::unique_lock lock(mutex_);
        if (cv_.wait_for(lock, wait, [this] { return stopping_; })) return;
    }
}

bool LinkClient::session(const std::string& endpoint) {
    if (config_.caPem.empty()) {  // gRPC would fall back to the system roots
        setError("link: no console CA certificate in the identity directory");
        report(lastError());
        return false;
    }
    grpc::ChannelArguments args = tls::channelArguments(config_.tlsName);
    setProxyArguments(args, config_.proxy);
    auto channel = grpc::CreateCustomChannel(
        endpoint, tls::channelCredentials(config_.caPem, config_.keyPem, config_.certPem), args);
    auto stub = v1::SensorLink::NewStub(channel);
    grpc::ClientContext context;
    {
        std::lock_guard lock(mutex_);
        if (stopping_) return false;
        context_ = &context;
    }
    auto stream = stub->Stream(&context);
    ++sessions_;

    const std::uint64_t epoch = outbox_.epoch();
    // Shared between this (writer) thread and the reader thread; guarded by mutex_.
    bool resumed = false, readerDone = false, renewed = false;
    std::uint64_t switchAfterSeq = 0;  // renewed: reconnect once this answer is acknowledged
    std::uint64_t nextSend = 0;
    std::deque<std::uint64_t> inflight;  // last seq of each unacknowledged batch

    v1::SensorMessage hello;
    auto* h = hello.mutable_hello();
    h->set_epoch(epoch);
    h->set_first_unacked_seq(outbox_.firstUnackedSeq());
    h->set_last_seq(outbox_.lastSeq());
    h->set_version(ironsight::kVersion);
    h->set_clock_ms(nowMs());
    h->set_learning(hooks_.learning ? hooks_.learning() : false);
    bool writeOk = stream->Write(hello);

    auto applyAck = [&](std::uint64_t ackEpoch, std::uint64_t through) {
        if (ackEpoch != epoch) return;
        if (auto st = outbox_.ackThrough(through); !st) {
            report("link: cannot delete acknowledged records: " + st.error().message);
        }
    };

    // Acks delete records from the outbox (a transaction and an fsync each). They are applied
    // here, off the reader, and coalesced: acks that arrive while a delete runs are covered by
    // the next one, so a fast console is never held up by the sensor's disk.
    std::mutex ackMutex;
    std::condition_variable ackWake;
    std::uint64_t ackTarget = 0;
    bool ackStop = false;
    std::thread acker([&] {
        std::unique_lock ackLock(ackMutex);
        std::uint64_t appliedThrough = 0;
        while (true) {
            ackWake.wait(ackLock, [&] { return ackStop || ackTarget > appliedThrough; });
            if (ackTarget <= appliedThrough) return;  // stopping, nothing left
            const std::uint64_t through = ackTarget;
            ackLock.unlock();
            applyAck(epoch, through);
            cv_.notify_all();  // waitAckedThrough
            ackLock.lock();
            appliedThrough = through;
        }
    });
    struct StopAcker {
        std::mutex& m;
        std::condition_variable& wake;
        bool& stop;
        std::thread& t;
        ~StopAcker() {
            {
                std::lock_guard lock(m);
                stop = true;
            }
            wake.notify_all();
            t.join();
        }
    } stopAcker{ackMutex, ackWake, ackStop, acker};

    std::thread reader([&] {
        v1::ConsoleMessage msg;
        while (stream->Read(&msg)) {
            if (msg.has_resume()) {
                applyAck(msg.resume().epoch(), msg.resume().applied_through_seq());
                std::lock_guard lock(mutex_);
                resumed = true;
                nextSend =
                    std::max(outbox_.firstUnackedSeq(), msg.resume().epoch() == epoch
                                                            ? msg.resume().applied_through_seq() + 1
                                                            : std::uint64_t{1});
            } else if (msg.has_ack()) {
                if (msg.ack().epoch() == epoch) {
                    std::lock_guard ackLock(ackMutex);
                    ackTarget = std::max(ackTarget, msg.ack().applied_through_seq());
                }
                ackWake.notify_one();
                std::lock_guard lock(mutex_);
                while (!inflight.empty() && inflight.front() <= msg.ack().applied_through_seq()) {
                    inflight.pop_front();
                }
            } else if (msg.has_command()) {
                const auto& cmd = msg.command();
                std::optional<CommandReply> reply;
                if (cmd.has_set_learning() && hooks_.setLearning) {
                    const Status st = hooks_.setLearning(cmd.set_learning().enabled());
                    reply = CommandReply{st.ok(), st.ok() ? std::string(cmd.set_learning().enabled()
                                                                            ? "learning on"
                                                                            : "learning off")
                                                          : st.error().message};
                } else if ((cmd.has_learn_alert() || cmd.has_mute_alert() ||
                            cmd.has_config_push() || cmd.has_reload_settings()) &&
                           hooks_.command) {
                    reply = hooks_.command(cmd);  // nullopt: answered by the analysis thread
                } else if (cmd.has_renew_certificate() && hooks_.saveIdentity) {
                    std::lock_guard lock(mutex_);
                    if (lastRenewal_ && lastRenewal_->first == cmd.command_id()) {
                        reply = lastRenewal_->second;  // resent before our answer arrived: done
                    } else {
                        renewal_ = cmd.command_id();  // the writer renews and answers
                    }
                } else if (cmd.has_evidence_request() && hooks_.evidence) {
                    auto pcap = hooks_.evidence(cmd.evidence_request().alert_id());
                    reply = pcap ? CommandReply{true,
                                                "evidence pcap of " + std::to_string(pcap->size()) +
                                                    " bytes",
                                                std::move(*pcap)}
                                 : CommandReply{false, pcap.error().message};
                } else {
                    reply = CommandReply{false, "not supported yet"};
                }
                if (reply) {
                    if (auto seqs = outbox_.append({commandResultRecord(cmd.command_id(), *reply)},
                                                   nowMs());
                        !seqs) {
                        report("link: cannot queue command result: " + seqs.error().message);
                    }
                }
            }
            cv_.notify_all();
        }
        std::lock_guard lock(mutex_);
        readerDone = true;
        cv_.notify_all();
    });

    bool cancelled = false;
    {
        std::unique_lock lock(mutex_);
        // Wait for Resume: the console answers from its own database.
        const auto helloDeadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
        while (writeOk && !resumed && !readerDone && !stopping_) {
            if (cv_.wait_until(lock, helloDeadline) == std::cv_status::timeout) break;
        }
        if (resumed) {
            connected_ = true;
            lock.unlock();
            report("link: connected to console at " + endpoint + viaProxy(config_.proxy));
            setError({});
            // Past two thirds of its lifetime the certificate is renewed (at most hourly tries).
            auto own = crypto::certificateFromPem(config_.certPem);
            const auto steadyNow = std::chrono::steady_clock::now();
            const bool due = own && hooks_.saveIdentity &&
                             crypto::renewalDue(crypto::certificateNotBefore(own->get()),
                                                crypto::certificateNotAfter(own->get()),
                                                nowMs() / 1000) &&
                             (lastOwnRenewal_ == std::chrono::steady_clock::time_point{} ||
                              steadyNow - lastOwnRenewal_ >= std::chrono::hours(1));
            lock.lock();
            if (due && !renewal_) {
                lastOwnRenewal_ = steadyNow;
                renewal_ = std::string();
            }
        }
        while (writeOk && resumed && !readerDone && !stopping_) {
            if (renewal_) {
                const std::string commandId = *renewal_;
                renewal_.reset();
                lock.unlock();
                const CommandReply reply = renewCertificate(channel);
                report("link: " + reply.message);
                std::uint64_t answerSeq = 0;
                if (!commandId.empty()) {
                    auto seqs = outbox_.append({commandResultRecord(commandId, reply)}, nowMs());
                    if (!seqs) {
                        report("link: cannot queue command result: " + seqs.error().message);
                    } else if (!seqs->empty()) {
                        answerSeq = seqs->back();
                    }
                }
                lock.lock();
                if (reply.ok) {
                    if (!commandId.empty()) lastRenewal_ = std::make_pair(commandId, reply);
                    // The next stream uses the new certificate; the console's command is
                    // answered on this one first (else it would send it again on the next).
                    if (answerSeq == 0) {
                        renewed = true;
                        break;
                    }
                    switchAfterSeq = answerSeq;
                }
                continue;
            }
            if (switchAfterSeq != 0 && outbox_.ackedThrough() >= switchAfterSeq) {
                renewed = true;
                break;
            }
            if (inflight.size() >= config_.window || outbox_.lastSeq() < nextSend) {
                cv_.wait_for(lock, std::chrono::milliseconds(200));
                continue;
            }
            const std::uint64_t from = nextSend;
            lock.unlock();
            auto records = outbox_.read(from, config_.maxBatchRecords, config_.maxBatchBytes);
            if (!records) {
                report("link: cannot read the outbox: " + records.error().message);
                lock.lock();
                cv_.wait_for(lock, std::chrono::seconds(1));
                continue;
            }
            if (records->empty()) {
                lock.lock();
                nextSend = outbox_.lastSeq() + 1;  // evicted or already acknowledged
                continue;
            }
            v1::SensorMessage batchMsg;
            auto* batch = batchMsg.mutable_batch();
            for (const auto& r : *records) {
                auto* env = batch->add_envelopes();
                if (!env->ParseFromArray(r.payload.data(), static_cast<int>(r.payload.size()))) {
                    env->Clear();  // unreadable row: keep the seq so the console sees no gap
                }
                env->set_seq(r.seq);
            }
            const std::uint64_t last = records->back().seq;
            lock.lock();
            inflight.push_back(last);
            nextSend = last + 1;
            lock.unlock();
            writeOk = stream->Write(batchMsg);
            lock.lock();
        }
        cancelled = stopping_ || renewed;
        if (!writeOk && !stopping_) {
            // A failed write means the stream ended: let the reader collect the console's status
            // (a refusal reason) instead of cancelling it away.
            cv_.wait_for(lock, std::chrono::seconds(5), [&] { return readerDone || stopping_; });
            cancelled = stopping_ || renewed;
        }
        if (!readerDone) context.TryCancel();
    }
    reader.join();
    const grpc::Status status = stream->Finish();
    {
        std::lock_guard lock(mutex_);
        context_ = nullptr;
        cancelled = cancelled || stopping_ || renewed;  // a stop() racing with the end
    }
    if (!cancelled && !status.ok()) {
        const auto code = status.error_code();
        const std::string via = viaProxy(config_.proxy);  // the password masked
        std::string line;
        if (code == grpc::StatusCode::UNAUTHENTICATED ||
            code == grpc::StatusCode::PERMISSION_DENIED) {
            line = "link refused by console at " + endpoint + via + ": " + status.error_message();
        } else if (code == grpc::StatusCode::UNAVAILABLE && !resumed) {
            line = "console unreachable at " + endpoint + via + ": " +
                   describeStatus(code, status.error_message()) +
                   proxyFailureHint(status.error_message());
        } else {
            line = "link to " + endpoint + via +
                   " closed: " + describeStatus(code, status.error_message());
        }
        setError(line);
        report(line);
    } else if (!cancelled && !resumed) {
        setError("console at " + endpoint + " did not answer Hello");
        report(lastError());
    }
    return resumed;
}

CommandReply LinkClient::renewCertificate(const std::shared_ptr<grpc::Channel>& channel) {
    const auto fail = [](const std::string& why) {
        return CommandReply{false, "certificate renewal failed, the current certificate stays: " +
                                       why};
    };
    auto key = crypto::generateP256Key();
    if (!key) return fail(key.error().message);
    auto csr = crypto::makeCsrPem(key->get(), "ironsight-sensor");
    if (!csr) return fail(csr.error().message);
    v1::RenewRequest request;
    request.set_csr_pem(*csr);
    v1::RenewResponse response;
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    const grpc::Status status = v1::SensorLink::NewStub(channel)->Renew(&context, request, &response);
    if (!status.ok()) {
        return fail("the console answered: " +
                    describeStatus(status.error_code(), status.error_message()));
    }
    // The new certificate must be for this key and this identity.
    auto cert = crypto::certificateFromPem(response.certificate_pem());
    auto old = crypto::certificateFromPem(config_.certPem);
    if (!cert || !old || X509_check_private_key(cert->get(), key->get()) != 1 ||
        crypto::certificateUris(cert->get()) != crypto::certificateUris(old->get())) {
        ERR_clear_error();
        return fail("the console's certificate does not match this sensor's key and identity");
    }
    auto keyPem = crypto::privateKeyToPem(key->get());
    if (!keyPem) return fail(keyPem.error().message);
    const std::string caPem =
        response.ca_certificate_pem().empty() ? config_.caPem : response.ca_certificate_pem();
    if (auto st = hooks_.saveIdentity(*keyPem, response.certificate_pem(), caPem); !st) {
        return fail("cannot keep it: " + st.error().message);
    }
    config_.keyPem = *keyPem;
    config_.certPem = response.certificate_pem();
    config_.caPem = caPem;
    const std::time_t notAfter = crypto::certificateNotAfter(cert->get());
    char day[16] = "";
    std::tm tm{};
    if (gmtime_r(&notAfter, &tm)) std::strftime(day, sizeof day, "%Y-%m-%d", &tm);
    return {true, "certificate renewed: serial " + crypto::certificateSerialHex(cert->get()) +
                      ", valid until " + day +
                      "; the previous one is refused once this one is used"};
}

}  // namespace ironsight::sensor::link
