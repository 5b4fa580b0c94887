// SPDX-License-Identifier: Apache-2.0
// E-mail forwarding: alert digests as RFC 5322 / MIME text messages, sent through the site's
// mail relay with libcurl's SMTP client (STARTTLS or implicit TLS, AUTH, certificate checks).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "console/core/console_store.h"
#include "shared/base/result.h"

namespace ironsight::console::core {

/// True for smtp:// and smtps:// targets (e-mail rules; format "email").
bool isMailTarget(std::string_view target);

/// `local@domain` in printable ASCII without spaces, quotes, angle brackets or commas (what goes
/// into MAIL FROM / RCPT TO and the From/To headers unquoted).
bool validMailAddress(std::string_view address);

/// `text` unchanged when it is printable ASCII, otherwise RFC 2047 encoded-words
/// (=?UTF-8?B?...?=, at most 75 characters each, never splitting a UTF-8 sequence) joined by
/// CRLF SP (header folding).
std::string encodeHeaderText(std::string_view text);

/// RFC 5322 date-time in UTC: "Sun, 06 Dec 2026 19:50:23 +0000".
std::string rfc5322Date(std::int64_t ms);

struct AlertDigest {
    std::string subject;  ///< UTF-8, not yet encoded
    std::string body;     ///< UTF-8, CRLF line ends, no line longer than 998 octets
};

/// The digest of `alerts` (most severe first): subject "[Ironsight] 3 new alerts (1 critical)
/// at Plant A"; the body lists at most `listed` alerts (severity, title, type, devices,
/// site/zone and sensor, time, alert id) and says how many more there are, `notIncluded` being
/// alerts still queued for the next message.
AlertDigest alertDigest(const std::vector<AlertRow>& alerts, std::size_t listed,
                        std::int64_t notIncluded, const std::string& footer);

/// A complete message: Date, Message-ID, From, To, Subject (RFC 2047 when not ASCII),
/// MIME-Version, Content-Type text/plain UTF-8, Content-Transfer-Encoding, Auto-Submitted, a
/// blank line and the body (CRLF line ends throughout).
std::string mailMessage(const std::string& from, const std::vector<std::string>& to,
                        const std::string& subject, const std::string& body, std::int64_t dateMs,
                        const std::string& messageId);

/// The alert fields a queued e-mail entry carries (jsonPayload) back as an AlertRow.
Result<AlertRow> alertFromJson(const std::string& json);

struct SmtpSettings {
    std::string target;  ///< smtp://HOST:PORT (STARTTLS) or smtps://HOST:PORT (implicit TLS)
    bool starttls = true;  ///< smtp://: STARTTLS required; false only for a plain local relay
    std::string caFile;    ///< PEM CA(s) for the relay certificate; "" = the system's store
    std::string user, password;  ///< AUTH when user is set
    std::string from;
    std::vector<std::string> to;
    std::string heloName;  ///< EHLO name ("" = localhost)
    std::chrono::milliseconds timeout = std::chrono::seconds(10);
};

/// Sends one message (CRLF lines) to every recipient. Errors name the relay and say what
/// failed (connect, TLS, login, a refused sender or recipient); never the password.
Status sendMail(const SmtpSettings& settings, const std::string& message);

}  // namespace ironsight::console::core
