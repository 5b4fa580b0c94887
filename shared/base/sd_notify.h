// SPDX-License-Identifier: Apache-2.0
// The systemd notification protocol (sd_notify(3)) without libsystemd: one datagram to
// $NOTIFY_SOCKET. Every call is a no-op when systemd did not start the process with
// Type=notify, so the programs run the same from a shell, under tests and in containers.
#pragma once

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

namespace ironsight::systemd {

/// Sends `state` ("READY=1", "WATCHDOG=1", "STOPPING=1", "STATUS=...") to the service manager;
/// false when there is none or the send failed.
inline bool notify(std::string_view state) {
    const char* path = std::getenv("NOTIFY_SOCKET");
    if (path == nullptr || (path[0] != '/' && path[0] != '@')) return false;
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    const std::size_t len = std::strlen(path);
    if (len >= sizeof addr.sun_path) return false;
    std::memcpy(addr.sun_path, path, len);
    if (addr.sun_path[0] == '@') addr.sun_path[0] = '\0';  // abstract socket
    const int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return false;
    const auto sent = ::sendto(fd, state.data(), state.size(), MSG_NOSIGNAL,
                               reinterpret_cast<const sockaddr*>(&addr),
                               static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + len));
    ::close(fd);
    return sent == static_cast<ssize_t>(state.size());
}

/// The watchdog interval systemd asks for ($WATCHDOG_USEC, for this process per $WATCHDOG_PID);
/// zero when there is no watchdog.
inline std::chrono::microseconds watchdogInterval() {
    const char* usec = std::getenv("WATCHDOG_USEC");
    if (usec == nullptr) return std::chrono::microseconds(0);
    if (const char* pid = std::getenv("WATCHDOG_PID");
        pid != nullptr && std::strtol(pid, nullptr, 10) != static_cast<long>(::getpid())) {
        return std::chrono::microseconds(0);
    }
    return std::chrono::microseconds(std::strtoll(usec, nullptr, 10));
}

/// Pings the watchdog at most every half interval; call it from the loop whose progress it
/// vouches for, so a stuck loop gets the service restarted.
class Watchdog {
public:
    Watchdog() : interval_(watchdogInterval()) {}
    bool enabled() const { return interval_.count() > 0; }
    void ping() {
        if (!enabled()) return;
        const auto now = std::chrono::steady_clock::now();
        if (now - last_ < interval_ / 2) return;
        last_ = now;
        notify("WATCHDOG=1");
    }

private:
    std::chrono::microseconds interval_;
    std::chrono::steady_clock::time_point last_{};
};

}  // namespace ironsight::systemd
