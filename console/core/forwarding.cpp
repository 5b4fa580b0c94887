// SPDX-License-Identifier: Apache-2.0
// SIEM forwarding: payload rendering, RFC 5424 framing, UDP/TCP/TLS senders, the worker thread.
#include "console/core/forwarding.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <ctime>

#include "console/core/mail.h"
#include "shared/base/sigpipe_guard.h"
#include "shared/base/version.h"
#include "shared/crypto/crypto.h"

namespace ironsight::console::core {
namespace {

using nlohmann::json;

std::string isoTime(std::int64_t ms) {
    std::time_t t = static_cast<std::time_t>(ms / 1000);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[40];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
    char frac[8];
    std::snprintf(frac, sizeof frac, ".%03dZ", static_cast<int>(ms % 1000));
    return std::string(buf) + frac;
}

/// LEEF values: the tab delimiter and line breaks become spaces.
std::string leefValue(std::string_view v) {
    std::string out(v);
    for (char& c : out) {
        if (c == '\t' || c == '\r' || c == '\n') c = ' ';
    }
    return out;
}

std::string opensslError(const std::string& what) {
    std::string out = what;
    unsigned long e = ERR_get_error();
    if (e != 0) {
        char buf[256];
        ERR_error_string_n(e, buf, sizeof buf);
        out += ": ";
        out += buf;
    }
    ERR_clear_error();
    return out;
}

struct SslCtxFree {
    void operator()(SSL_CTX* c) const { SSL_CTX_free(c); }
};
struct SslFree {
    void operator()(SSL* s) const { SSL_free(s); }
};
struct AddrInfoFree {
    void operator()(addrinfo* a) const { freeaddrinfo(a); }
};

}  // namespace

Result<ForwardTarget> parseForwardTarget(const std::string& target) {
    auto bad = [&] {
        return makeError("bad forwarding target '" + target +
                         "' (udp://, tcp://, tls://, smtp:// or smtps://HOST:PORT)");
    };
    ForwardTarget t;
    std::string rest;
    static const std::pair<const char*, ForwardTransport> kSchemes[] = {
        {"udp://", ForwardTransport::Udp},     {"tcp://", ForwardTransport::Tcp},
        {"tls://", ForwardTransport::Tls},     {"smtp://", ForwardTransport::Smtp},
        {"smtps://", ForwardTransport::Smtps},
    };
    bool known = false;
    for (const auto& [scheme, transport] : kSchemes) {
        if (target.rfind(scheme, 0) == 0) {
            t.transport = transport;
            rest = target.substr(std::strlen(scheme));
            known = true;
            break;
        }
    }
    if (!known) return bad();
    std::string port;
    if (!rest.empty() && rest.front() == '[') {
        auto close = rest.find(']');
        if (close == std::string::npos || close + 1 >= rest.size() || rest[close + 1] != ':')
            return bad();
        t.host = rest.substr(1, close - 1);
        port = rest.substr(close + 2);
    } else {
        auto colon = rest.rfind(':');
        if (colon == std::string::npos || rest.find(':') != colon) return bad();
        t.host = rest.substr(0, colon);
        port = rest.substr(colon + 1);
    }
    if (t.host.empty() || port.empty() || port.size() > 5 ||
        !std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        return bad();
    }
    t.port = std::stoi(port);
    if (t.port < 1 || t.port > 65535) return bad();
    return t;
}

namespace {

/// A PEM CA file, stored as an absolute path (the headless console's working directory is not
/// the administrator's).
Result<std::string> checkCaFile(const std::string& file) {
    std::error_code ec;
    auto abs = std::filesystem::absolute(file, ec);
    auto pem = crypto::readFile(abs);
    if (!pem) return pem.error();
    if (!crypto::certificateFromPem(*pem)) return makeError(file + ": no PEM certificate");
    return abs.string();
}

Result<ForwardRule> checkMailRule(ForwardRule rule, const ForwardTarget& target) {
    if (rule.format.empty()) rule.format = "email";
    if (rule.format != "email") {
        return makeError("an " + std::string(target.transport == ForwardTransport::Smtps
                                                 ? "smtps://"
                                                 : "smtp://") +
                         " target sends e-mail digests: leave out --format");
    }
    if (rule.mailFrom.empty()) return makeError("an e-mail rule needs --mail-from ADDRESS");
    if (!validMailAddress(rule.mailFrom)) {
        return makeError("bad sender address '" + rule.mailFrom + "' (local@domain)");
    }
    if (rule.mailTo.empty()) return makeError("an e-mail rule needs --mail-to ADDRESS");
    if (rule.mailTo.size() > 50) return makeError("at most 50 recipients per rule");
    for (const auto& to : rule.mailTo) {
        if (!validMailAddress(to)) {
            return makeError("bad recipient address '" + to + "' (local@domain)");
        }
    }
    if (rule.smtpUser.empty() != rule.smtpPassword.empty()) {
        return makeError(rule.smtpUser.empty()
                             ? "an SMTP password needs --smtp-user"
                             : "--smtp-user needs --smtp-password-file (AUTH with a password)");
    }
    if (!rule.starttls) {
        if (target.transport == ForwardTransport::Smtps) {
            return makeError("--no-starttls is only for smtp:// (smtps:// is always TLS)");
        }
        if (!rule.smtpUser.empty()) {
            return makeError("refusing to send SMTP credentials without TLS (drop --no-starttls)");
        }
    }
    if (!rule.caFile.empty()) {
        auto ca = checkCaFile(rule.caFile);
        if (!ca) return ca.error();
        rule.caFile = *ca;
    }
    return rule;
}

}  // namespace

Result<ForwardRule> checkForwardRule(ForwardRule rule) {
    auto target = parseForwardTarget(rule.target);
    if (!target) return target.error();
    if (rule.minSeverity < 0 || rule.minSeverity > 4) return makeError("bad minimum severity");
    if (target->transport == ForwardTransport::Smtp || target->transport == ForwardTransport::Smtps)
        return checkMailRule(std::move(rule), *target);
    if (!rule.mailFrom.empty() || !rule.mailTo.empty() || !rule.smtpUser.empty() ||
        !rule.smtpPassword.empty() || !rule.starttls) {
        return makeError("e-mail options are only for smtp:// and smtps:// targets");
    }
    if (rule.format.empty()) return makeError("a syslog target needs --format (cef, leef or json)");
    if (rule.format != "cef" && rule.format != "leef" && rule.format != "json") {
        return makeError("unknown format '" + rule.format + "' (cef, leef or json)");
    }
    if (target->transport == ForwardTransport::Tls) {
        if (rule.caFile.empty()) {
            return makeError(
                "a tls:// target needs --ca-file (the CA that signed the receiver's "
                "certificate)");
        }
        auto ca = checkCaFile(rule.caFile);
        if (!ca) return ca.error();
        rule.caFile = *ca;
    } else if (!rule.caFile.empty()) {
        return makeError("--ca-file is only for tls://, smtp:// and smtps:// targets");
    }
    return rule;
}

std::string cefEscapeHeader(std::string_view v) {
    std::string out;
    for (char c : v) {
        if (c == '\\' || c == '|') {
            out += '\\';
            out += c;
        } else if (c == '\r' || c == '\n') {
            out += ' ';
        } else {
            out += c;
        }
    }
    return out;
}

std::string cefEscapeValue(std::string_view v) {
    std::string out;
    for (char c : v) {
        if (c == '\\' || c == '=') {
            out += '\\';
            out += c;
        } else if (c == '\n') {
            out += "\\n";
        } else if (c == '\r') {
            out += "\\r";
        } else {
            out += c;
        }
    }
    return out;
}

int cefSeverity(std::string_view severity) {
    if (severity == "warning") return 3;
    if (severity == "minor") return 5;
    if (severity == "major") return 8;
    if (severity == "critical") return 10;
    return 0;
}

int syslogSeverity(std::string_view severity) {
    if (severity == "critical") return 2;
    if (severity == "major") return 3;
    if (severity == "minor") return 4;
    if (severity == "warning") return 5;
    return 6;
}

std::string cefPayload(const AlertRow& a) {
    std::string signature = a.engine + (a.type.empty() ? "" : ":" + a.type);
    std::string out = "CEF:0|Ironsight|Ironsight Console|" + cefEscapeHeader(kVersion) + "|" +
                      cefEscapeHeader(signature) + "|" + cefEscapeHeader(a.title) + "|" +
                      std::to_string(cefSeverity(a.severity)) + "|";
    std::vector<std::pair<std::string, std::string>> ext = {
        {"rt", std::to_string(a.lastSeenMs)},
        {"externalId", a.alertId},
        {"cat", a.engine},
    };
    if (!a.srcIp.empty()) ext.emplace_back("src", a.srcIp);
    if (!a.dstIp.empty()) ext.emplace_back("dst", a.dstIp);
    if (!a.protocol.empty()) ext.emplace_back("app", a.protocol);
    ext.emplace_back("cnt", std::to_string(a.count));
    if (!a.description.empty()) ext.emplace_back("msg", a.description);
    ext.emplace_back("deviceExternalId", a.sensorId);
    ext.emplace_back("dvchost", a.sensorName);
    ext.emplace_back("cs1Label", "site");
    ext.emplace_back("cs1", a.site);
    ext.emplace_back("cs2Label", "zone");
    ext.emplace_back("cs2", a.zone);
    ext.emplace_back("cs3Label", "srcDevice");
    ext.emplace_back("cs3", a.src);
    ext.emplace_back("cs4Label", "dstDevice");
    ext.emplace_back("cs4", a.dst);
    ext.emplace_back("cs5Label", "mitreTechnique");
    ext.emplace_back("cs5", a.mitre);
    ext.emplace_back("cs6Label", "status");
    ext.emplace_back("cs6", a.status);
    for (std::size_t i = 0; i < ext.size(); ++i) {
        if (i) out += ' ';
        out += ext[i].first + "=" + cefEscapeValue(ext[i].second);
    }
    return out;
}

std::string leefPayload(const AlertRow& a) {
    std::string eventId = a.engine + (a.type.empty() ? "" : ":" + a.type);
    std::string out = "LEEF:2.0|Ironsight|Ironsight Console|" + cefEscapeHeader(kVersion) + "|" +
                      cefEscapeHeader(eventId) + "|x09|";
    std::vector<std::pair<std::string, std::string>> attrs = {
        {"devTime", isoTime(a.lastSeenMs)},
        {"devTimeFormat", "yyyy-MM-dd'T'HH:mm:ss.SSSX"},
        {"cat", a.engine},
        {"sev", std::to_string(cefSeverity(a.severity))},
    };
    if (!a.srcIp.empty()) attrs.emplace_back("src", a.srcIp);
    if (!a.dstIp.empty()) attrs.emplace_back("dst", a.dstIp);
    for (auto [k, v] : std::initializer_list<std::pair<const char*, const std::string*>>{
             {"title", &a.title},
             {"msg", &a.description},
             {"protocol", &a.protocol},
             {"srcDevice", &a.src},
             {"dstDevice", &a.dst},
             {"mitre", &a.mitre},
             {"site", &a.site},
             {"zone", &a.zone},
             {"sensor", &a.sensorName},
             {"sensorId", &a.sensorId},
             {"alertId", &a.alertId},
             {"severity", &a.severity},
             {"status", &a.status}}) {
        attrs.emplace_back(k, *v);
    }
    attrs.emplace_back("count", std::to_string(a.count));
    for (std::size_t i = 0; i < attrs.size(); ++i) {
        if (i) out += '\t';
        out += attrs[i].first + "=" + leefValue(attrs[i].second);
    }
    return out;
}

std::string jsonPayload(const AlertRow& a) {
    return json{{"id", a.alertId},
                {"engine", a.engine},
                {"type", a.type},
                {"severity", a.severity},
                {"title", a.title},
                {"description", a.description},
                {"remediation", a.remediation},
                {"src", a.src},
                {"dst", a.dst},
                {"src_ip", a.srcIp},
                {"dst_ip", a.dstIp},
                {"protocol", a.protocol},
                {"count", a.count},
                {"mitre", a.mitre},
                {"status", a.status},
                {"site", a.site},
                {"zone", a.zone},
                {"sensor", a.sensorName},
                {"sensor_id", a.sensorId},
                {"first_seen_ms", a.firstSeenMs},
                {"last_seen_ms", a.lastSeenMs}}
        .dump();
}

std::string syslogMessage(const AlertRow& alert, const std::string& format,
                          const std::string& hostname, std::int64_t timeMs) {
    constexpr int kFacilityLocal0 = 16;
    int pri = kFacilityLocal0 * 8 + syslogSeverity(alert.severity);
    std::string payload = format == "cef"    ? cefPayload(alert)
                          : format == "leef" ? leefPayload(alert)
                                             : jsonPayload(alert);
    return "<" + std::to_string(pri) + ">1 " + isoTime(timeMs) + " " +
           (hostname.empty() ? std::string("-") : hostname) + " ironsight - alert - " + payload;
}

bool ruleMatches(const ForwardRule& rule, const AlertRow& alert) {
    if (severityRank(alert.severity) < rule.minSeverity) return false;
    if (!rule.engines.empty() &&
        std::find(rule.engines.begin(), rule.engines.end(), alert.engine) == rule.engines.end())
        return false;
    if (!rule.sites.empty() &&
        std::find(rule.sites.begin(), rule.sites.end(), alert.site) == rule.sites.end())
        return false;
    return true;
}

std::string syslogHostname() {
    char buf[256] = {};
    if (gethostname(buf, sizeof buf - 1) != 0) return "-";
    std::string out;
    for (char c : std::string(buf)) {
        if (c > 32 && c < 127) out += c;
    }
    if (out.size() > 255) out.resize(255);
    return out.empty() ? std::string("-") : out;
}

// ---------------------------------------------------------------------------------------------

struct SyslogSender::Impl {
    int fd = -1;
    std::unique_ptr<SSL_CTX, SslCtxFree> ctx;
    std::unique_ptr<SSL, SslFree> ssl;
    ~Impl() {
        ssl.reset();
        if (fd >= 0) ::close(fd);
    }
};

SyslogSender::SyslogSender(ForwardTarget target, std::string caFile,
                           std::chrono::milliseconds timeout)
    : target_(std::move(target)), caFile_(std::move(caFile)), timeout_(timeout) {}

SyslogSender::~SyslogSender() = default;

void SyslogSender::close() {
    if (impl_ && impl_->ssl) {
        SigpipeGuard guard;
        SSL_shutdown(impl_->ssl.get());
    }
    impl_.reset();
}

Status SyslogSender::connect() {
    impl_.reset();
    auto impl = std::make_unique<Impl>();
    bool udp = target_.transport == ForwardTransport::Udp;
    std::string where = target_.host + ":" + std::to_string(target_.port);
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = udp ? SOCK_DGRAM : SOCK_STREAM;
    addrinfo* raw = nullptr;
    int rc = getaddrinfo(target_.host.c_str(), std::to_string(target_.port).c_str(), &hints, &raw);
    std::unique_ptr<addrinfo, AddrInfoFree> list(raw);
    if (rc != 0) return makeError("cannot resolve " + target_.host + ": " + gai_strerror(rc));
    std::string lastError = "no address";
    for (addrinfo* ai = list.get(); ai != nullptr; ai = ai->ai_next) {
        int fd = ::socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
        if (fd < 0) {
            lastError = std::strerror(errno);
            continue;
        }
        int flags = fcntl(fd, F_GETFL, 0);
        fcntl(fd, F_SETFL, flags | O_NONBLOCK);
        int c = ::connect(fd, ai->ai_addr, ai->ai_addrlen);
        if (c != 0 && errno == EINPROGRESS) {
            pollfd p{fd, POLLOUT, 0};
            int ready = ::poll(&p, 1, static_cast<int>(timeout_.count()));
            int err = 0;
            socklen_t len = sizeof err;
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
            if (ready == 1 && err == 0) {
                c = 0;
            } else {
                errno = ready == 0 ? ETIMEDOUT : err;
            }
        }
        if (c != 0) {
            lastError = std::strerror(errno);
            ::close(fd);
            continue;
        }
        fcntl(fd, F_SETFL, flags);
        timeval tv{static_cast<time_t>(timeout_.count() / 1000),
                   static_cast<suseconds_t>((timeout_.count() % 1000) * 1000)};
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        impl->fd = fd;
        break;
    }
    if (impl->fd < 0) return makeError("cannot connect to " + where + ": " + lastError);
    if (target_.transport == ForwardTransport::Tls) {
        impl->ctx.reset(SSL_CTX_new(TLS_client_method()));
        if (!impl->ctx) return makeError(opensslError("TLS setup failed"));
        SSL_CTX_set_min_proto_version(impl->ctx.get(), TLS1_2_VERSION);
        if (SSL_CTX_load_verify_locations(impl->ctx.get(), caFile_.c_str(), nullptr) != 1) {
            return makeError(opensslError("cannot load CA file " + caFile_));
        }
        SSL_CTX_set_verify(impl->ctx.get(), SSL_VERIFY_PEER, nullptr);
        impl->ssl.reset(SSL_new(impl->ctx.get()));
        if (!impl->ssl) return makeError(opensslError("TLS setup failed"));
        SSL_set_fd(impl->ssl.get(), impl->fd);
        in6_addr probe{};
        bool isIp = inet_pton(AF_INET, target_.host.c_str(), &probe) == 1 ||
                    inet_pton(AF_INET6, target_.host.c_str(), &probe) == 1;
        if (isIp) {
            X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(impl->ssl.get()), target_.host.c_str());
        } else {
            SSL_set1_host(impl->ssl.get(), target_.host.c_str());
            SSL_set_tlsext_host_name(impl->ssl.get(), target_.host.c_str());
        }
        SigpipeGuard guard;
        if (SSL_connect(impl->ssl.get()) != 1) {
            long verify = SSL_get_verify_result(impl->ssl.get());
            if (verify != X509_V_OK) {
                ERR_clear_error();
                return makeError(
                    "TLS handshake with " + where +
                    " failed: certificate verify failed: " + X509_verify_cert_error_string(verify));
            }
            return makeError(opensslError("TLS handshake with " + where + " failed"));
        }
    }
    impl_ = std::move(impl);
    return {};
}

Status SyslogSender::send(const std::string& message) {
    SigpipeGuard guard;
    bool stream = target_.transport != ForwardTransport::Udp;
    if (impl_ && stream) {
        // A syslog receiver never talks: readable means it closed (or, for TLS, sent a session
        // ticket, which SSL_read consumes). Reconnect instead of losing the next message.
        pollfd p{impl_->fd, POLLIN, 0};
        if (::poll(&p, 1, 0) == 1) {
            char b;
            ssize_t n = ::recv(impl_->fd, &b, 1, MSG_PEEK | MSG_DONTWAIT);
            bool closed = n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK);
            if (!closed && n > 0 && impl_->ssl) {
                int flags = fcntl(impl_->fd, F_GETFL, 0);
                fcntl(impl_->fd, F_SETFL, flags | O_NONBLOCK);
                char buf[256];
                int r = SSL_read(impl_->ssl.get(), buf, sizeof buf);
                int err = SSL_get_error(impl_->ssl.get(), r);
                closed = err == SSL_ERROR_ZERO_RETURN || err == SSL_ERROR_SYSCALL ||
                         err == SSL_ERROR_SSL;
                ERR_clear_error();
                fcntl(impl_->fd, F_SETFL, flags);
            }
            if (closed) impl_.reset();
        }
    }
    if (!impl_) {
        if (auto s = connect(); !s) return s;
    }
    std::string where = target_.host + ":" + std::to_string(target_.port);
    if (!stream) {
        ssize_t n = ::send(impl_->fd, message.data(), message.size(), MSG_NOSIGNAL);
        if (n != static_cast<ssize_t>(message.size())) {
            std::string why = n < 0 ? std::strerror(errno) : "short write";
            impl_.reset();
            return makeError("send to " + where + " failed: " + why);
        }
        return {};
    }
    std::string frame = std::to_string(message.size()) + " " + message;  // RFC 6587 3.4.1
    std::size_t off = 0;
    while (off < frame.size()) {
        if (impl_->ssl) {
            int n = SSL_write(impl_->ssl.get(), frame.data() + off,
                              static_cast<int>(frame.size() - off));
            if (n <= 0) {
                impl_.reset();
                return makeError(opensslError("TLS send to " + where + " failed"));
            }
            off += static_cast<std::size_t>(n);
        } else {
            ssize_t n = ::send(impl_->fd, frame.data() + off, frame.size() - off, MSG_NOSIGNAL);
            if (n <= 0) {
                std::string why = std::strerror(errno);
                impl_.reset();
                return makeError("send to " + where + " failed: " + why);
            }
            off += static_cast<std::size_t>(n);
        }
    }
    return {};
}

// ---------------------------------------------------------------------------------------------

Forwarder::Forwarder(ConsoleStore& store, ForwarderOptions options)
    : store_(store), options_(std::move(options)) {
    if (options_.hostname.empty()) options_.hostname = syslogHostname();
}

Forwarder::~Forwarder() {
    stop();
}

void Forwarder::start() {
    if (thread_.joinable()) return;
    {
        std::lock_guard lock(mutex_);
        stopping_ = false;
    }
    thread_ = std::thread([this] {
        // Writes to a receiver that went away must fail with EPIPE, not kill the console.
        sigset_t pipe;
        sigemptyset(&pipe);
        sigaddset(&pipe, SIGPIPE);
        pthread_sigmask(SIG_BLOCK, &pipe, nullptr);
        for (;;) {
            runOnce();
            std::unique_lock lock(mutex_);
            if (wake_.wait_for(lock, options_.poll, [this] { return stopping_; })) break;
        }
    });
}

void Forwarder::stop() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
    for (auto& [id, state] : rules_) {
        if (state.sender) state.sender->close();
    }
}

void Forwarder::runOnce() {
    const std::string& host = options_.hostname;
    for (int pass = 0; pass < 20; ++pass) {
        auto looked = store_.enqueueNewAlerts(
            [&](const ForwardRule& rule, const AlertRow& alert) -> std::optional<std::string> {
                if (!ruleMatches(rule, alert)) return std::nullopt;
                // E-mail: the alert's fields, made into one digest per round at send time.
                if (rule.format == "email") return jsonPayload(alert);
                return syslogMessage(alert, rule.format, host, store_.now());
            });
        if (!looked || *looked < 500) break;
    }
    // Listed after queueing, so each rule's queue count includes this pass's alerts.
    auto rules = store_.listForwardRules();
    if (!rules) return;  // the store is busy or closing: next pass
    std::map<std::int64_t, RuleState> kept;
    auto now = std::chrono::steady_clock::now();
    for (const ForwardRule& rule : *rules) {
        RuleState state;
        if (auto it = rules_.find(rule.id); it != rules_.end()) state = std::move(it->second);
        if (rule.format == "email") {
            // Fixed credentials or relay settings are tried at once, not after the backoff.
            std::string config = rule.target + '\n' + rule.caFile + '\n' + rule.smtpUser + '\n' +
                                 rule.smtpPassword;
            if (config != state.target) {
                state.target = std::move(config);
                state.nextAttempt = {};
                state.backoff = std::chrono::milliseconds(0);
            }
            if (now >= state.nextAttempt) sendMailRule(rule, state);
            kept.emplace(rule.id, std::move(state));
            continue;
        }
        if (!state.sender || state.target != rule.target || state.caFile != rule.caFile) {
            auto target = parseForwardTarget(rule.target);
            if (!target) {
                (void)store_.forwardDone(rule.id, {}, target.error().message);
                continue;
            }
            state.sender = std::make_unique<SyslogSender>(*target, rule.caFile, options_.timeout);
            state.target = rule.target;
            state.caFile = rule.caFile;
        }
        if (now >= state.nextAttempt) sendRule(rule, state);
        kept.emplace(rule.id, std::move(state));
    }
    rules_ = std::move(kept);
}

void Forwarder::sendRule(const ForwardRule& rule, RuleState& state) {
    for (;;) {
        auto queued = store_.forwardQueue(rule.id, options_.batch);
        if (!queued || queued->empty()) return;
        std::vector<std::int64_t> sent;
        std::string error;
        for (const auto& m : *queued) {
            if (auto s = state.sender->send(m.message); !s) {
                error = s.error().message;
                break;
            }
            sent.push_back(m.id);
        }
        (void)store_.forwardDone(rule.id, sent, error);
        if (!error.empty()) {
            state.sender->close();
            failed(state);
            return;
        }
        state.backoff = std::chrono::milliseconds(0);
        if (static_cast<int>(queued->size()) < options_.batch) return;
        std::lock_guard lock(mutex_);
        if (stopping_) return;
    }
}

void Forwarder::failed(RuleState& state) {
    state.backoff = state.backoff.count() == 0 ? options_.minBackoff
                                               : std::min(state.backoff * 2, options_.maxBackoff);
    state.nextAttempt = std::chrono::steady_clock::now() + state.backoff;
}

void Forwarder::sendMailRule(const ForwardRule& rule, RuleState& state) {
    auto now = std::chrono::steady_clock::now();
    if (now < state.nextMail) return;  // one digest per interval: no mail floods
    auto queued = store_.forwardQueue(rule.id, options_.mailBatch + 1);
    if (!queued || queued->empty()) return;
    // One more than a digest covers was read only to know whether more follow.
    std::int64_t more = 0;
    if (static_cast<int>(queued->size()) > options_.mailBatch) {
        queued->pop_back();
        more = std::max<std::int64_t>(rule.queued - options_.mailBatch, 1);
    }
    std::vector<AlertRow> alerts;
    std::vector<std::int64_t> ids;
    for (const auto& m : *queued) {
        ids.push_back(m.id);
        if (auto a = alertFromJson(m.message)) alerts.push_back(std::move(*a));
    }
    std::string error;
    if (!alerts.empty()) {
        std::string footer = "Ironsight console " + options_.hostname + ", forwarding rule " +
                             std::to_string(rule.id) + " (" + rule.target + ", severity >= " +
                             severityNameOf(rule.minSeverity) + ").";
        AlertDigest digest = alertDigest(alerts, options_.mailListed, more, footer);
        std::string domain = options_.hostname == "-" ? "ironsight.invalid" : options_.hostname;
        std::string message = mailMessage(rule.mailFrom, rule.mailTo, digest.subject, digest.body,
                                          store_.now(), crypto::newUuid() + "@" + domain);
        SmtpSettings smtp;
        smtp.target = rule.target;
        smtp.starttls = rule.starttls;
        smtp.caFile = rule.caFile;
        smtp.user = rule.smtpUser;
        smtp.password = rule.smtpPassword;
        smtp.from = rule.mailFrom;
        smtp.to = rule.mailTo;
        smtp.heloName = domain;
        smtp.timeout = options_.timeout;
        if (auto s = sendMail(smtp, message); !s) error = s.error().message;
    }
    // Delivered (or unreadable entries): the digest's entries leave the queue together.
    (void)store_.forwardDone(rule.id, error.empty() ? ids : std::vector<std::int64_t>{}, error);
    if (!error.empty()) {
        failed(state);
        return;
    }
    state.backoff = std::chrono::milliseconds(0);
    state.nextMail = std::chrono::steady_clock::now() + options_.mailInterval;
}

}  // namespace ironsight::console::core
