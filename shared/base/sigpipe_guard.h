// SPDX-License-Identifier: Apache-2.0
// SIGPIPE blocked for the current thread while it writes to peers that may have gone away
// (syslog over TCP/TLS, LDAP through libldap/GnuTLS): the write reports EPIPE instead of the
// signal killing the process.
#pragma once

#include <csignal>
#include <ctime>

#include <pthread.h>

namespace ironsight {

/// Blocks SIGPIPE for this thread for its lifetime and swallows one raised meanwhile.
class SigpipeGuard {
public:
    SigpipeGuard() {
        sigemptyset(&pipe_);
        sigaddset(&pipe_, SIGPIPE);
        pthread_sigmask(SIG_BLOCK, &pipe_, &old_);
    }
    ~SigpipeGuard() {
        if (!sigismember(&old_, SIGPIPE)) {
            sigset_t pending;
            sigpending(&pending);
            if (sigismember(&pending, SIGPIPE)) {
                timespec zero{};
                sigtimedwait(&pipe_, nullptr, &zero);
            }
            pthread_sigmask(SIG_SETMASK, &old_, nullptr);
        }
    }
    SigpipeGuard(const SigpipeGuard&) = delete;
    SigpipeGuard& operator=(const SigpipeGuard&) = delete;

private:
    sigset_t pipe_{}, old_{};
};

}  // namespace ironsight
