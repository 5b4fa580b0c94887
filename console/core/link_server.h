// SPDX-License-Identifier: Apache-2.0
// The console's ingest server: Enrollment (server-auth TLS) and SensorLink.Stream (mutual TLS).
#pragma once

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "console/core/console_service.h"
#include "console/core/handshake_audit.h"
#include "console/core/ingest_committer.h"
#include "ironsight/v1/link.pb.h"
#include "shared/base/result.h"

namespace ironsight::console::core {

class LinkServer {
public:
    /// Batches of one stream the console reads ahead of its acks (handed to the group
    /// committer while earlier ones commit); the sensor's window bounds it too.
    static constexpr std::size_t kDefaultReadAheadBatches = 16;
    /// `readAheadBatches` 1: a stream's next batch is queued only after the previous one is
    /// acknowledged (the behaviour before read-ahead; benchmarks compare the two).
    explicit LinkServer(ConsoleService& console,
                        std::size_t readAheadBatches = kDefaultReadAheadBatches);
    ~LinkServer();
    LinkServer(const LinkServer&) = delete;
    LinkServer& operator=(const LinkServer&) = delete;

    /// Binds both listeners ("HOST:PORT"; port 0 picks a free port) and starts serving. The
    /// enrollment listener stays open only while an activation is pending (unused, unexpired):
    /// it is re-checked when one is created or withdrawn in this process, after each
    /// enrollment, and every 0.5 s (for `admin sensor add` from another process); it reopens on
    /// the port bound here.
    Status start(const std::string& linkListen, const std::string& enrollListen);
    /// The bound ports (valid after start()).
    int linkPort() const { return linkPort_; }
    int enrollPort() const { return enrollPort_; }
    /// Whether the enrollment listener is open now.
    bool enrollmentOpen() const;
    /// Cancels live streams and shuts both servers down. Idempotent.
    void stop();

    /// Ids of sensors with a live stream.
    std::vector<std::string> connectedSensors() const;
    /// The group committer's counters (benchmarks).
    IngestCommitter::Stats ingestStats() const;

    class EnrollmentImpl;
    class SensorLinkImpl;

private:
    friend class SensorLinkImpl;
    void registerStream(const std::string& sensorId, grpc::ServerContext* context,
                        const std::string& certSerial);
    void unregisterStream(const std::string& sensorId, grpc::ServerContext* context);
    void watchRevocations();
    /// Called by HandshakeRefusals on a gRPC thread while the refused connection is open:
    /// finds its address and queues an audit record.
    void onHandshakeRefused(const HandshakeRefusal& refusal);
    /// Writes the queued handshake refusals to the audit log (its own thread: a store write
    /// must never hold up gRPC's threads), at most kMaxRefusalAuditsPerMinute one by one.
    void auditRefusals();
    /// Opens or closes the enrollment listener to match the pending activations.
    void refreshEnrollment();
    /// Wakes every stream's command sender (a command was issued in this process).
    void notifyCommands();
    /// Sends `sensorId`'s undelivered commands on its stream until `done` (stream ended).
    void sendCommands(const std::string& sensorId,
                      const std::function<bool(const ironsight::v1::ConsoleMessage&)>& write,
                      const bool& done);

    ConsoleService& console_;
    const std::size_t readAheadBatches_;
    // Group commit of every stream's batches; declared first so it outlives the services.
    std::unique_ptr<IngestCommitter> committer_;
    std::unique_ptr<EnrollmentImpl> enrollment_;
    std::unique_ptr<SensorLinkImpl> link_;
    std::unique_ptr<grpc::Server> linkServer_;
    std::unique_ptr<grpc::Server> enrollServer_;
    int linkPort_ = 0;
    int enrollPort_ = 0;

    mutable std::mutex mutex_;
    std::condition_variable wake_;
    bool stopping_ = false;
    bool recheckEnrollment_ = false;  // an activation was used: the watcher re-checks at once
    std::multimap<std::string, grpc::ServerContext*> streams_;
    // The certificate serial each live stream presented: a re-activation replaces the sensor's
    // serial, and the watcher ends streams of the replaced certificate.
    std::map<grpc::ServerContext*, std::string> streamSerials_;
    // Each live stream's peer "HOST:PORT": such a connection is not the one a handshake refusal
    // came from.
    std::map<grpc::ServerContext*, std::string> streamPeers_;
    std::thread watcher_;

    struct QueuedRefusal {
        HandshakeRefusal refusal;
        std::string source;
    };
    std::uint64_t refusalListener_ = 0;
    std::mutex refusalMutex_;  // guards the fields below
    std::condition_variable refusalWake_;
    std::deque<QueuedRefusal> refusals_;
    std::uint64_t refusalsDropped_ = 0;  // over the queue bound: counted in the next summary
    bool refusalStopping_ = false;
    std::thread refusalAuditor_;

    mutable std::mutex enrollMutex_;  // guards enrollServer_, enrollAddress_, enrollStopped_
    std::string enrollAddress_;       // "HOST:PORT" with the port first bound
    bool enrollStopped_ = false;
    std::string enrollError_;  // the last reopen failure, reported once

    std::mutex commandMutex_;  // guards commandGeneration_ and the senders' `done` flags
    std::condition_variable commandWake_;
    std::uint64_t commandGeneration_ = 0;
};

}  // namespace ironsight::console::core
