// SPDX-License-Identifier: Apache-2.0
// The console's ingest server: Enrollment (server-auth TLS) and SensorLink.Stream (mutual TLS).
#pragma once

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "console/core/console_service.h"
#include "shared/base/result.h"

namespace ironsight::console::core {

class LinkServer {
public:
    explicit LinkServer(ConsoleService& console);
    ~LinkServer();
    LinkServer(const LinkServer&) = delete;
    LinkServer& operator=(const LinkServer&) = delete;

    /// Binds both listeners ("HOST:PORT"; port 0 picks a free port) and starts serving.
    Status start(const std::string& linkListen, const std::string& enrollListen);
    /// The bound ports (valid after start()).
    int linkPort() const { return linkPort_; }
    int enrollPort() const { return enrollPort_; }
    /// Cancels live streams and shuts both servers down. Idempotent.
    void stop();

    /// Ids of sensors with a live stream.
    std::vector<std::string> connectedSensors() const;

    class EnrollmentImpl;
    class SensorLinkImpl;

private:
    friend class SensorLinkImpl;
    void registerStream(const std::string& sensorId, grpc::ServerContext* context);
    void unregisterStream(const std::string& sensorId, grpc::ServerContext* context);
    void watchRevocations();

    ConsoleService& console_;
    std::unique_ptr<EnrollmentImpl> enrollment_;
    std::unique_ptr<SensorLinkImpl> link_;
    std::unique_ptr<grpc::Server> linkServer_;
    std::unique_ptr<grpc::Server> enrollServer_;
    int linkPort_ = 0;
    int enrollPort_ = 0;

    mutable std::mutex mutex_;
    std::condition_variable wake_;
    bool stopping_ = false;
    std::multimap<std::string, grpc::ServerContext*> streams_;
    std::thread watcher_;
};

}  // namespace ironsight::console::core
