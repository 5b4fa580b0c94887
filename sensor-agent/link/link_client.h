// SPDX-License-Identifier: Apache-2.0
// The streaming link (SPEC §4.2, RELIABILITY.md §5.3): outbox -> SensorLink.Stream over mTLS,
// delete on ack, commands back. Runs on its own threads; the analysis side only appends.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "ironsight/v1/link.pb.h"
#include "sensor-agent/store/outbox.h"
#include "shared/base/result.h"

namespace grpc {
class ClientContext;
class Channel;
}

namespace ironsight::sensor::link {

struct LinkConfig {
    std::vector<std::string> endpoints;  // host:port, tried in turn
    std::string tlsName;                 // name checked in the console certificate
    std::string caPem, keyPem, certPem;  // console CA; the sensor's key and certificate
    /// HTTP CONNECT proxy, http://[USER:PASSWORD@]HOST:PORT (see proxy.h); empty: direct, and
    /// proxy variables in the environment are ignored.
    std::string proxy;
    /// 250 x window 4: at most 1,000 envelopes of a sensor wait at the console (ack latency
    /// with many sensors draining at once: docs/BENCHMARKS.md "Console ingest").
    std::size_t maxBatchRecords = 250;
    std::size_t maxBatchBytes = 1 << 20;
    std::size_t window = 4;  // unacknowledged batches in flight
    std::chrono::milliseconds backoffInitial{1000};
    std::chrono::milliseconds backoffMax{10000};
};

/// The sensor's answer to a console command (sent back as a CommandResult envelope).
struct CommandReply {
    CommandReply() = default;
    CommandReply(bool isOk, std::string text, std::string data = {})
        : ok(isOk), message(std::move(text)), payload(std::move(data)) {}
    bool ok = false;
    std::string message;
    std::string payload;  ///< e.g. an evidence pcap
};

struct LinkHooks {
    /// The learning flag reported in Hello.
    std::function<bool()> learning;
    /// Applies and persists SetLearning; an error is reported back to the console.
    std::function<Status(bool enabled)> setLearning;
    /// Learn, Mute, ConfigPush (exclusions, settings) and ReloadSettings, called on the link
    /// thread. Returns the reply
    /// now, or nullopt when the handler answers later itself: the engine belongs to the
    /// analysis thread, which applies the command and appends the CommandResult
    /// (commandResultRecord) to the outbox.
    std::function<std::optional<CommandReply>(const v1::Command&)> command;
    /// EvidenceRequest: the stored packets of an alert as pcap file bytes (link thread; the
    /// evidence store is thread-safe).
    std::function<Result<std::string>(const std::string& alertId)> evidence;
    /// Certificate renewal: keeps the new key, certificate and trust bundle (StateStore::
    /// replaceIdentity) before the link uses them. Without it the sensor does not renew.
    std::function<Status(const std::string& keyPem, const std::string& certPem,
                         const std::string& caPem)>
        saveIdentity;
    /// One-line status messages (connected, refused, unreachable); default: stderr.
    std::function<void(const std::string&)> log;
};

/// The outbox record carrying a CommandResult.
store::NewRecord commandResultRecord(const std::string& commandId, const CommandReply& reply);

class LinkClient {
public:
    LinkClient(LinkConfig config, store::Outbox& outbox, LinkHooks hooks);
    ~LinkClient();
    LinkClient(const LinkClient&) = delete;
    LinkClient& operator=(const LinkClient&) = delete;

    void start();
    /// Cancels the stream and joins the link threads. Unacknowledged records stay in the outbox.
    void stop();
    /// Wakes the sender after new records were appended.
    void notify();
    /// Blocks until the console has acknowledged every seq <= seq (true) or the timeout passed.
    bool waitAckedThrough(std::uint64_t seq, std::chrono::milliseconds timeout);

    bool connected() const { return connected_.load(); }
    std::uint64_t sessions() const { return sessions_.load(); }
    std::string lastError() const;

private:
    void run();
    /// One stream to `endpoint`; true when the console answered Hello with Resume.
    bool session(const std::string& endpoint);
    void report(const std::string& line);
    void setError(const std::string& error);
    /// Renews the certificate over `channel` (new key, CSR, Renew), keeps it through
    /// hooks_.saveIdentity and makes it the identity of the next stream.
    CommandReply renewCertificate(const std::shared_ptr<grpc::Channel>& channel);

    LinkConfig config_;
    store::Outbox& outbox_;
    LinkHooks hooks_;

    mutable std::mutex mutex_;
    std::condition_variable cv_;
    bool stopping_ = false;
    grpc::ClientContext* context_ = nullptr;  // the live stream's context, for stop()
    std::string lastError_;
    std::string lastReported_;
    std::atomic<bool> connected_{false};
    std::atomic<std::uint64_t> sessions_{0};
    // A renewal to do on the live stream: the console's command id, or "" when the sensor's own
    // check found the certificate past two thirds of its lifetime. Guarded by mutex_.
    std::optional<std::string> renewal_;
    std::chrono::steady_clock::time_point lastOwnRenewal_{};  // link thread only
    // The console command of the latest renewal and its answer, for a resent copy of it.
    std::optional<std::pair<std::string, CommandReply>> lastRenewal_;
    std::thread thread_;
};

}  // namespace ironsight::sensor::link
