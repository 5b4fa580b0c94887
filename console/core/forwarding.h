// SPDX-License-Identifier: Apache-2.0
// SIEM forwarding: alert payloads (CEF, LEEF 2.0, JSON) in RFC 5424 syslog messages, sent over
// UDP, TCP (RFC 6587 octet counting) or TLS (RFC 5425) by a worker thread from a queue
// persisted in the console store, with retry and backoff while the receiver is unreachable.
// E-mail rules (smtp://, smtps://) share the queue and send one digest per rule and round
// (mail.h).
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

#include "console/core/console_store.h"
#include "shared/base/result.h"

namespace ironsight::console::core {

enum class ForwardTransport { Udp, Tcp, Tls, Smtp, Smtps };

struct ForwardTarget {
    ForwardTransport transport = ForwardTransport::Udp;
    std::string host;  ///< name or IP literal (brackets of an IPv6 literal removed)
    int port = 0;
};

/// "udp://HOST:PORT" | "tcp://HOST:PORT" | "tls://HOST:PORT" | "smtp://HOST:PORT" |
/// "smtps://HOST:PORT" (IPv6 as [addr]).
Result<ForwardTarget> parseForwardTarget(const std::string& target);

/// Checks and normalizes a rule before it is stored: target, format (cef|leef|json; "email",
/// implied, for smtp:// and smtps://), severity, for tls:// a readable CA file (stored as an
/// absolute path); for e-mail the sender, recipients, credentials and optional CA file.
Result<ForwardRule> checkForwardRule(ForwardRule rule);

// Payloads. See docs/CONSOLE.md "SIEM forwarding" for the field mapping.
/// CEF header field: `\` -> `\\`, `|` -> `\|`, line breaks -> space.
std::string cefEscapeHeader(std::string_view v);
/// CEF extension value: `\` -> `\\`, `=` -> `\=`, CR/LF -> `\r`/`\n`.
std::string cefEscapeValue(std::string_view v);
/// warning 3, minor 5, major 8, critical 10, otherwise 0 (CEF and LEEF `sev`).
int cefSeverity(std::string_view severity);
/// RFC 5424 severity: critical 2, major 3, minor 4, warning 5, otherwise 6.
int syslogSeverity(std::string_view severity);
std::string cefPayload(const AlertRow& alert);
std::string leefPayload(const AlertRow& alert);
std::string jsonPayload(const AlertRow& alert);
/// `<PRI>1 TIMESTAMP HOSTNAME ironsight - alert - PAYLOAD` (facility local0 = 16).
std::string syslogMessage(const AlertRow& alert, const std::string& format,
                          const std::string& hostname, std::int64_t timeMs);
/// True when the alert passes the rule's severity, engine and site filters.
bool ruleMatches(const ForwardRule& rule, const AlertRow& alert);
/// This machine's name as RFC 5424 HOSTNAME (printable ASCII, at most 255, "-" if unknown).
std::string syslogHostname();

/// One connection to a receiver (RAII: socket and TLS state are closed by the destructor).
class SyslogSender {
public:
    SyslogSender(ForwardTarget target, std::string caFile,
                 std::chrono::milliseconds timeout = std::chrono::seconds(5));
    ~SyslogSender();
    SyslogSender(const SyslogSender&) = delete;
    SyslogSender& operator=(const SyslogSender&) = delete;

    /// Connects when needed (TLS: verifies the receiver's certificate chain against the CA file
    /// and its name or IP against the target host) and sends one message: a datagram (UDP) or
    /// "LEN SP MSG" (TCP, TLS). An error closes the connection; the next send reconnects.
    Status send(const std::string& message);
    void close();

private:
    Status connect();
    struct Impl;
    ForwardTarget target_;
    std::string caFile_;
    std::chrono::milliseconds timeout_;
    std::unique_ptr<Impl> impl_;
};

struct ForwarderOptions {
    std::chrono::milliseconds poll = std::chrono::milliseconds(200);
    std::chrono::milliseconds minBackoff = std::chrono::milliseconds(500);
    std::chrono::milliseconds maxBackoff = std::chrono::seconds(60);
    std::chrono::milliseconds timeout = std::chrono::seconds(5);
    int batch = 200;
    std::string hostname;  ///< "" = syslogHostname()
    /// E-mail: at most one digest per rule in this interval (the first one goes out at once).
    std::chrono::milliseconds mailInterval = std::chrono::seconds(60);
    std::size_t mailListed = 20;  ///< alerts described in a digest; the rest are counted
    int mailBatch = 500;          ///< alerts one digest covers; more follow in the next one
};

/// The worker thread: queues new alerts for every rule (ConsoleStore::enqueueNewAlerts), then
/// sends each rule's queue in order; on failure the rule backs off (doubling from minBackoff to
/// maxBackoff) and the messages stay queued in SQLite, surviving restarts.
class Forwarder {
public:
    Forwarder(ConsoleStore& store, ForwarderOptions options = {});
    ~Forwarder();
    Forwarder(const Forwarder&) = delete;
    Forwarder& operator=(const Forwarder&) = delete;

    void start();
    void stop();
    /// One pass (queue, then send what is due); what the thread does every `poll`.
    void runOnce();

private:
    struct RuleState {
        std::unique_ptr<SyslogSender> sender;
        std::string target, caFile;  ///< e-mail: target holds the relay settings last used
        std::chrono::steady_clock::time_point nextAttempt{};
        std::chrono::milliseconds backoff{0};
        std::chrono::steady_clock::time_point nextMail{};
    };

    void sendRule(const ForwardRule& rule, RuleState& state);
    void sendMailRule(const ForwardRule& rule, RuleState& state);
    void failed(RuleState& state);

    ConsoleStore& store_;
    ForwarderOptions options_;
    std::map<std::int64_t, RuleState> rules_;
    std::mutex mutex_;
    std::condition_variable wake_;
    bool stopping_ = false;
    std::thread thread_;
};

}  // namespace ironsight::console::core
