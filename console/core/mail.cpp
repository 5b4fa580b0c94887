// SPDX-License-Identifier: Apache-2.0
// E-mail forwarding: digest text, MIME headers, and delivery through libcurl's SMTP client.
#include "console/core/mail.h"

#include <curl/curl.h>
#include <openssl/evp.h>
#include <pthread.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <csignal>
#include <ctime>
#include <map>
#include <memory>
#include <mutex>

#include "console/core/forwarding.h"

namespace ironsight::console::core {
namespace {

struct CurlEasyCleanup {
    void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
struct CurlSlistFree {
    void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};
using CurlPtr = std::unique_ptr<CURL, CurlEasyCleanup>;
using SlistPtr = std::unique_ptr<curl_slist, CurlSlistFree>;

/// libcurl runs with CURLOPT_NOSIGNAL: a relay that drops the connection must make the write
/// fail with EPIPE in this thread, not raise SIGPIPE in the process.
class BlockSigpipe {
public:
    BlockSigpipe() {
        sigemptyset(&pipe_);
        sigaddset(&pipe_, SIGPIPE);
        pthread_sigmask(SIG_BLOCK, &pipe_, &old_);
    }
    ~BlockSigpipe() {
        if (sigismember(&old_, SIGPIPE)) return;
        sigset_t pending;
        sigpending(&pending);
        if (sigismember(&pending, SIGPIPE)) {
            timespec zero{};
            sigtimedwait(&pipe_, nullptr, &zero);
        }
        pthread_sigmask(SIG_SETMASK, &old_, nullptr);
    }
    BlockSigpipe(const BlockSigpipe&) = delete;
    BlockSigpipe& operator=(const BlockSigpipe&) = delete;

private:
    sigset_t pipe_{}, old_{};
};

bool isAscii(std::string_view s) {
    return std::all_of(s.begin(), s.end(), [](char c) { return c >= 0x20 && c < 0x7f; });
}

std::string base64(std::string_view bytes) {
    std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
    int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                            reinterpret_cast<const unsigned char*>(bytes.data()),
                            static_cast<int>(bytes.size()));
    out.resize(static_cast<std::size_t>(n));
    return out;
}

/// One line of digest text: control characters become spaces, at most `max` octets (cut at a
/// UTF-8 character boundary, "..." appended), so no SMTP line exceeds its 998-octet limit.
std::string clean(std::string_view v, std::size_t max = 240) {
    std::string out;
    out.reserve(std::min(v.size(), max + 3));
    for (char c : v) {
        auto u = static_cast<unsigned char>(c);
        out += (u < 0x20 || u == 0x7f) ? ' ' : c;
    }
    if (out.size() > max) {
        std::size_t cut = max;
        while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80) --cut;
        out.resize(cut);
        out += "...";
    }
    return out;
}

std::string utcTime(std::int64_t ms) {
    std::time_t t = static_cast<std::time_t>(ms / 1000);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[40];
    std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S UTC", &tm);
    return buf;
}

std::string upper(std::string s) {
    for (char& c : s) {
        if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    }
    return s;
}

std::string device(const std::string& name, const std::string& ip) {
    if (name.empty()) return ip;
    if (ip.empty() || ip == name) return name;
    return name + " (" + ip + ")";
}

std::string plural(std::int64_t n, const char* one, const char* many) {
    return std::to_string(n) + " " + (n == 1 ? one : many);
}

}  // namespace

bool isMailTarget(std::string_view target) {
    return target.rfind("smtp://", 0) == 0 || target.rfind("smtps://", 0) == 0;
}

bool validMailAddress(std::string_view a) {
    if (a.empty() || a.size() > 254) return false;
    auto at = a.find('@');
    if (at == std::string_view::npos || at == 0 || at + 1 >= a.size() ||
        a.find('@', at + 1) != std::string_view::npos) {
        return false;
    }
    for (char c : a) {
        if (c <= 0x20 || c >= 0x7f) return false;
        if (std::string_view("<>,;:\"()[]\\").find(c) != std::string_view::npos) return false;
    }
    std::string_view domain = a.substr(at + 1);
    return domain.front() != '.' && domain.back() != '.' &&
           domain.find("..") == std::string_view::npos;
}

std::string encodeHeaderText(std::string_view text) {
    if (isAscii(text)) return std::string(text);
    // 45 octets -> 60 base64 characters + "=?UTF-8?B?" + "?=" = 72 <= 75 (RFC 2047 2).
    constexpr std::size_t kChunk = 45;
    std::string out;
    std::size_t pos = 0;
    while (pos < text.size()) {
        std::size_t end = std::min(pos + kChunk, text.size());
        // An encoded-word must hold whole characters (RFC 2047 5): back off continuation bytes.
        while (end < text.size() && end > pos + 1 &&
               (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) {
            --end;
        }
        if (!out.empty()) out += "\r\n ";
        out += "=?UTF-8?B?" + base64(text.substr(pos, end - pos)) + "?=";
        pos = end;
    }
    return out;
}

std::string rfc5322Date(std::int64_t ms) {
    // Fixed English names: strftime's %a/%b follow the locale (Qt sets it from the environment).
    static const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                    "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    std::time_t t = static_cast<std::time_t>(ms / 1000);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[64];
    std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d +0000", kDays[tm.tm_wday % 7],
                  tm.tm_mday, kMonths[tm.tm_mon % 12], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
                  tm.tm_sec);
    return buf;
}

AlertDigest alertDigest(const std::vector<AlertRow>& input, std::size_t listed,
                        std::int64_t notIncluded, const std::string& footer) {
    std::vector<AlertRow> alerts = input;
    // Most severe first, so a long digest never hides a critical alert among the unlisted.
    std::stable_sort(alerts.begin(), alerts.end(), [](const AlertRow& a, const AlertRow& b) {
        return severityRank(a.severity) > severityRank(b.severity);
    });
    std::map<int, std::int64_t, std::greater<>> bySeverity;
    std::vector<std::string> sites;
    for (const AlertRow& a : alerts) {
        ++bySeverity[severityRank(a.severity)];
        if (!a.site.empty() && std::find(sites.begin(), sites.end(), a.site) == sites.end()) {
            sites.push_back(a.site);
        }
    }
    auto n = static_cast<std::int64_t>(alerts.size());
    std::string where;
    if (sites.size() == 1) {
        where = " at " + clean(sites.front(), 120);
    } else if (sites.size() > 1) {
        where = " at " + std::to_string(sites.size()) + " sites";
    }

    AlertDigest d;
    std::string high;
    for (int rank : {severityRank("critical"), severityRank("major")}) {
        if (auto it = bySeverity.find(rank); it != bySeverity.end()) {
            high += (high.empty() ? "" : ", ") + std::to_string(it->second) + " " +
                    severityNameOf(rank);
        }
    }
    d.subject = "[Ironsight] " + plural(n, "new alert", "new alerts") +
                (high.empty() ? "" : " (" + high + ")") + where;

    std::string all;
    for (const auto& [rank, count] : bySeverity) {
        all += (all.empty() ? "" : ", ") + std::to_string(count) + " " + severityNameOf(rank);
    }
    std::string& b = d.body;
    b += plural(n, "new alert", "new alerts") + where + ": " + all + ".\r\n";
    if (sites.size() > 1) {
        std::string names;
        for (const auto& s : sites) names += (names.empty() ? "" : ", ") + s;
        b += "Sites: " + clean(names, 600) + "\r\n";
    }
    std::size_t shown = std::min(listed, alerts.size());
    for (std::size_t i = 0; i < shown; ++i) {
        const AlertRow& a = alerts[i];
        b += "\r\n" + std::to_string(i + 1) + ". [" + upper(a.severity) + "] " + clean(a.title) +
             "\r\n";
        b += "   Type:    " + clean(a.engine + (a.type.empty() ? "" : " / " + a.type)) + "\r\n";
        std::string src = device(a.src, a.srcIp), dst = device(a.dst, a.dstIp);
        if (!src.empty() || !dst.empty()) {
            b += "   Devices: " + clean((src.empty() ? "-" : src) + " -> " + (dst.empty() ? "-" : dst)) +
                 (a.protocol.empty() ? "" : " (" + clean(a.protocol, 40) + ")") + "\r\n";
        }
        b += "   Where:   " + clean(a.site + " / " + a.zone) +
             (a.sensorName.empty() ? "" : ", sensor " + clean(a.sensorName, 120)) + "\r\n";
        b += "   Time:    " + utcTime(a.firstSeenMs > 0 ? a.firstSeenMs : a.lastSeenMs) + "\r\n";
        if (!a.description.empty()) b += "   Details: " + clean(a.description, 400) + "\r\n";
        b += "   Alert:   " + clean(a.alertId, 120) +
             (a.count > 1 ? ", seen " + std::to_string(a.count) + " times" : "") + "\r\n";
    }
    if (alerts.size() > shown) {
        b += "\r\nand " + plural(static_cast<std::int64_t>(alerts.size() - shown), "more alert",
                                 "more alerts") +
             " not listed here (see Alerts in the Ironsight console).\r\n";
    }
    if (notIncluded > 0) {
        b += "\r\n" + plural(notIncluded, "more alert is", "more alerts are") +
             " queued and follow in the next message.\r\n";
    }
    b += "\r\n-- \r\n" + clean(footer, 600) + "\r\n";
    return d;
}

std::string mailMessage(const std::string& from, const std::vector<std::string>& to,
                        const std::string& subject, const std::string& body, std::int64_t dateMs,
                        const std::string& messageId) {
    std::string toHeader = "To: ";
    std::size_t lineLen = toHeader.size();
    for (std::size_t i = 0; i < to.size(); ++i) {
        if (i > 0) {
            // Fold long recipient lists (RFC 5322 2.1.1: 78 characters recommended).
            if (lineLen + 2 + to[i].size() > 76) {
                toHeader += ",\r\n ";
                lineLen = 1;
            } else {
                toHeader += ", ";
                lineLen += 2;
            }
        }
        toHeader += to[i];
        lineLen += to[i].size();
    }
    std::string m;
    m += "Date: " + rfc5322Date(dateMs) + "\r\n";
    m += "From: Ironsight <" + from + ">\r\n";
    m += toHeader + "\r\n";
    m += "Subject: " + encodeHeaderText(subject) + "\r\n";
    m += "Message-ID: <" + messageId + ">\r\n";
    m += "MIME-Version: 1.0\r\n";
    m += "Content-Type: text/plain; charset=UTF-8\r\n";
    bool sevenBit = std::all_of(body.begin(), body.end(),
                                [](char c) { return static_cast<unsigned char>(c) < 0x80; });
    m += std::string("Content-Transfer-Encoding: ") + (sevenBit ? "7bit" : "8bit") + "\r\n";
    // RFC 3834: no vacation or out-of-office replies to an alert mailbox.
    m += "Auto-Submitted: auto-generated\r\n";
    m += "\r\n";
    m += body;
    if (m.size() < 2 || m.compare(m.size() - 2, 2, "\r\n") != 0) m += "\r\n";
    return m;
}

Result<AlertRow> alertFromJson(const std::string& text) {
    auto j = nlohmann::json::parse(text, nullptr, false);
    if (j.is_discarded() || !j.is_object()) return makeError("queued e-mail entry is not JSON");
    AlertRow a;
    auto str = [&](const char* key) { return j.value(key, std::string()); };
    a.alertId = str("id");
    a.engine = str("engine");
    a.type = str("type");
    a.severity = str("severity");
    a.title = str("title");
    a.description = str("description");
    a.remediation = str("remediation");
    a.src = str("src");
    a.dst = str("dst");
    a.srcIp = str("src_ip");
    a.dstIp = str("dst_ip");
    a.protocol = str("protocol");
    a.count = j.value("count", std::uint64_t{0});
    a.mitre = str("mitre");
    a.status = str("status");
    a.site = str("site");
    a.zone = str("zone");
    a.sensorName = str("sensor");
    a.sensorId = str("sensor_id");
    a.firstSeenMs = j.value("first_seen_ms", std::int64_t{0});
    a.lastSeenMs = j.value("last_seen_ms", std::int64_t{0});
    return a;
}

namespace {

struct Upload {
    const std::string* data;
    std::size_t offset = 0;
};

std::size_t readBody(char* buffer, std::size_t size, std::size_t items, void* user) {
    auto* up = static_cast<Upload*>(user);
    std::size_t n = std::min(size * items, up->data->size() - up->offset);
    std::copy_n(up->data->data() + up->offset, n, buffer);
    up->offset += n;
    return n;
}

}  // namespace

Status sendMail(const SmtpSettings& s, const std::string& message) {
    auto target = parseForwardTarget(s.target);
    if (!target) return target.error();
    bool implicitTls = target->transport == ForwardTransport::Smtps;
    if (!implicitTls && target->transport != ForwardTransport::Smtp) {
        return makeError("not an e-mail target: " + s.target);
    }
    static std::once_flag init;
    std::call_once(init, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });

    std::string host =
        target->host.find(':') != std::string::npos ? "[" + target->host + "]" : target->host;
    std::string where = host + ":" + std::to_string(target->port);
    // The URL path is the EHLO name.
    std::string url = std::string(implicitTls ? "smtps://" : "smtp://") + where + "/" +
                      (s.heloName.empty() ? std::string("localhost") : s.heloName);

    CurlPtr curl(curl_easy_init());
    if (!curl) return makeError("mail via " + where + " failed: cannot start libcurl");
    SlistPtr rcpt;
    for (const auto& to : s.to) {
        curl_slist* next = curl_slist_append(rcpt.get(), ("<" + to + ">").c_str());
        if (next == nullptr) return makeError("mail via " + where + " failed: out of memory");
        (void)rcpt.release();
        rcpt.reset(next);
    }
    char errbuf[CURL_ERROR_SIZE] = {};
    Upload upload{&message};
    std::string mailFrom = "<" + s.from + ">";
    long timeoutMs = static_cast<long>(s.timeout.count());
    CURL* c = curl.get();
    curl_easy_setopt(c, CURLOPT_URL, url.c_str());
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, timeoutMs);
    // The whole exchange: a relay that accepts the connection and then stalls must not hold
    // the forwarder's thread for long.
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeoutMs * 6);
    curl_easy_setopt(c, CURLOPT_USE_SSL,
                     implicitTls || s.starttls ? static_cast<long>(CURLUSESSL_ALL)
                                               : static_cast<long>(CURLUSESSL_NONE));
    curl_easy_setopt(c, CURLOPT_SSLVERSION, static_cast<long>(CURL_SSLVERSION_TLSv1_2));
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
    if (!s.caFile.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, s.caFile.c_str());
    if (!s.user.empty()) {
        curl_easy_setopt(c, CURLOPT_USERNAME, s.user.c_str());
        curl_easy_setopt(c, CURLOPT_PASSWORD, s.password.c_str());
    }
    curl_easy_setopt(c, CURLOPT_MAIL_FROM, mailFrom.c_str());
    curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt.get());
    curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(c, CURLOPT_READFUNCTION, &readBody);
    curl_easy_setopt(c, CURLOPT_READDATA, &upload);
    curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(message.size()));

    CURLcode rc;
    {
        BlockSigpipe guard;
        rc = curl_easy_perform(c);
    }
    if (rc == CURLE_OK) return {};
    std::string detail = errbuf[0] != '\0' ? std::string(errbuf) : curl_easy_strerror(rc);
    long code = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
    if (code >= 400 && detail.find(std::to_string(code)) == std::string::npos) {
        detail += " (SMTP " + std::to_string(code) + ")";
    }
    return makeError("mail via " + where + " failed: " + detail);
}

}  // namespace ironsight::console::core
