// SPDX-License-Identifier: Apache-2.0
// `ironsight-console --headless`: the ingest server, until SIGINT or SIGTERM.
#include <pthread.h>
#include <csignal>
#include <iostream>

#include <condition_variable>
#include <mutex>
#include <stop_token>
#include <thread>

#include "console/app/app.h"
#include "console/core/forwarding.h"
#include "console/core/link_server.h"
#include "shared/base/sd_notify.h"

namespace ironsight::console::app {

int runHeadless(const std::filesystem::path& dataDir, const HeadlessOptions& options) {
    // Block the stop signals before any gRPC thread exists so only sigwait() sees them.
    sigset_t stopSignals;
    sigemptyset(&stopSignals);
    sigaddset(&stopSignals, SIGINT);
    sigaddset(&stopSignals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stopSignals, nullptr);

    std::vector<std::string> hosts;
    for (const auto& a : {options.listen, options.enrollListen}) {
        if (!a.empty()) hosts.push_back(core::hostOf(a));
    }
    auto console = core::ConsoleService::open(dataDir, hosts);
    if (!console) {
        std::cerr << "error: " << console.error().message << "\n";
        return 1;
    }
    std::string link = options.listen.empty() ? (*console)->linkListen() : options.listen;
    std::string enroll =
        options.enrollListen.empty() ? (*console)->enrollListen() : options.enrollListen;
    if (core::hostOf(link).empty() || core::hostOf(enroll).empty()) {
        std::cerr << "error: listen addresses must be HOST:PORT\n";
        return 2;
    }
    core::LinkServer server(**console);
    if (auto s = server.start(link, enroll); !s) {
        std::cerr << "error: " << s.error().message << "\n";
        return 1;
    }
    auto shown = [](const std::string& addr, int port) {
        std::string host = core::hostOf(addr);
        if (host.find(':') != std::string::npos) host = "[" + host + "]";
        return host + ":" + std::to_string(port);
    };
    std::cout << "link listening on " << shown(link, server.linkPort()) << "\n"
              << "enrollment listening on " << shown(enroll, server.enrollPort()) << "\n"
              << "CA fingerprint: " << (*console)->caFingerprint() << std::endl;
    systemd::notify("READY=1");  // Type=notify: both listeners are up
    (void)(*console)->store().audit("console", "server.start", dataDir.string(), "local", "ok");

    // SIEM forwarding: its own thread and queue, so ingest never waits for a SIEM.
    core::Forwarder forwarder((*console)->store());
    forwarder.start();
    // Retention: at start, then hourly (short transactions, interleaved with ingest).
    std::mutex maintenanceMutex;
    std::condition_variable maintenanceWake;
    bool stopping = false;
    std::stop_source retentionStop;  // a sweep of a large store takes minutes: a stop ends it
    std::thread maintenance([&] {
        std::unique_lock lock(maintenanceMutex);
        do {
            lock.unlock();
            core::RetentionPolicy p = (*console)->retentionPolicy();
            if (p.closedAlertsDays > 0 || p.devicesDays > 0) {
                core::RetentionControl control;
                control.stop = retentionStop.get_token();
                auto r = (*console)->runRetention(control);
                if (!r) {
                    std::cerr << "retention failed: " << r.error().message << "\n";
                } else if (r->alertsDeleted + r->devicesDeleted > 0 || r->stopped) {
                    std::cerr << "retention" << (r->stopped ? " stopped by the shutdown" : "")
                              << ": deleted " << r->alertsDeleted << " closed alerts, "
                              << r->devicesDeleted << " devices\n";
                }
            }
            lock.lock();
        } while (!maintenanceWake.wait_for(lock, std::chrono::hours(1), [&] { return stopping; }));
    });

    int signal = 0;
    sigwait(&stopSignals, &signal);
    std::cerr << "stopping (" << (signal == SIGINT ? "SIGINT" : "SIGTERM") << ")\n";
    {
        std::lock_guard lock(maintenanceMutex);
        stopping = true;
    }
    retentionStop.request_stop();
    maintenanceWake.notify_all();
    maintenance.join();
    forwarder.stop();
    server.stop();
    (void)(*console)->store().audit("console", "server.stop", dataDir.string(), "local", "ok");
    return 0;
}

}  // namespace ironsight::console::app
