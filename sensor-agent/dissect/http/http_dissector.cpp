// SPDX-License-Identifier: Apache-2.0
// HTTP/1.x dissector (RFC 9112 §2-6 message syntax: start line, header fields, body length).
//
// request  = method SP request-target SP HTTP-version CRLF *( field-line CRLF ) CRLF [ body ]
// response = HTTP-version SP status-code SP [ reason ] CRLF *( field-line CRLF ) CRLF [ body ]
// Body length: Content-Length; Transfer-Encoding chunked or none on a response → the rest of
// that direction is not parsed (one identity per flow side is what the inventory needs).
#include "sensor-agent/dissect/http/http_dissector.h"

#include <algorithm>
#include <charconv>
#include <string>
#include <string_view>

#include "sensor-agent/dissect/core/text.h"

namespace ironsight::sensor::dissect::http {
namespace {

std::string_view view(std::span<const std::uint8_t> b) {
    return {reinterpret_cast<const char*>(b.data()), b.size()};
}

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               const auto lower = [](char c) {
                   return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
               };
               return lower(x) == lower(y);
           });
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
        s.remove_suffix(1);
    return s;
}

bool isToken(std::string_view s) {
    return !s.empty() && s.size() <= 16 && std::all_of(s.begin(), s.end(), [](char c) {
        return (c >= 'A' && c <= 'Z') || c == '-';
    });
}

std::string text(std::string_view s) {
    return safeText(
        std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(s.data()), s.size()));
}

const char* methodClass(std::string_view m) {
    if (m == "GET" || m == "HEAD" || m == "OPTIONS" || m == "PROPFIND") return "read";
    if (m == "POST" || m == "PUT" || m == "PATCH" || m == "DELETE") return "write";
    return "other";
}

/// Could `data` be the start of an HTTP message (request line or status line)?
bool looksLikeStart(std::span<const std::uint8_t> data) {
    const std::string_view s = view(data.first(std::min<std::size_t>(data.size(), 17)));
    if (s.starts_with("HTTP/")) return true;
    const auto sp = s.find(' ');
    return sp != std::string_view::npos && isToken(s.substr(0, sp));
}

}  // namespace

DissectorPtr HttpDissector::create() {
    return std::make_unique<HttpDissector>();
}

void HttpDissector::onGap(Direction dir) noexcept {
    Side& side = sides_[dir == Direction::ToClient ? 1 : 0];
    side = Side{};
    side.resync = true;
}

void HttpDissector::onHeader(const FlowContext& flow, Direction dir,
                             std::span<const std::uint8_t> head, Side& side, EventSink& sink) {
    std::string_view rest = view(head);
    const auto eol = rest.find("\r\n");
    const std::string_view start = rest.substr(0, eol);
    rest.remove_prefix(eol + 2);
    const bool response = start.starts_with("HTTP/");
    std::uint64_t contentLength = 0;
    bool haveLength = false, chunked = false;
    std::string userAgent, server;
    while (!rest.empty()) {
        const auto end = rest.find("\r\n");
        const std::string_view line = rest.substr(0, end);
        rest.remove_prefix(end == std::string_view::npos ? rest.size() : end + 2);
        const auto colon = line.find(':');
        if (colon == std::string_view::npos) continue;
        const std::string_view name = line.substr(0, colon);
        const std::string_view value = trim(line.substr(colon + 1));
        if (iequals(name, "content-length")) {
            haveLength =
                std::from_chars(value.data(), value.data() + value.size(), contentLength).ec ==
                std::errc();
        } else if (iequals(name, "transfer-encoding")) {
            chunked = true;  // any transfer coding: length not known from the headers
        } else if (iequals(name, "user-agent")) {
            userAgent = text(value);
        } else if (iequals(name, "server")) {
            server = text(value);
        }
    }
    if (response) {
        int status = 0;
        if (start.size() >= 12) std::from_chars(start.data() + 9, start.data() + 12, status);
        bool head = false;  // a response to HEAD has headers only (RFC 9110 §9.3.2)
        if (status >= 200 && !headRequests_.empty()) {
            head = headRequests_.front();
            headRequests_.pop_front();
        }
        const bool noBody =
            head || (status >= 100 && status < 200) || status == 204 || status == 304;
        if (!server.empty()) {
            Identity id;
            id.protocol = "http";
            id.ofServer = dir == Direction::ToClient;
            id.strings["server"] = server;
            sink.onIdentity(flow, id);
        }
        if (noBody) return;
        if (haveLength && !chunked) {
            side.bodyLeft = contentLength;
        } else {
            side.ignore = true;  // chunked, or until the connection closes
        }
        return;
    }
    const std::string_view method = start.substr(0, start.find(' '));
    Operation& op = reusableOperation<"http">(dir == Direction::ToServer, {}, methodClass(method));
    op.function = text(method);
    std::transform(op.function.begin(), op.function.end(), op.function.begin(), [](char c) {
        return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
    });
    sink.onOperation(flow, op);
    if (headRequests_.size() >= kMaxPipelined) headRequests_.pop_front();
    headRequests_.push_back(method == "HEAD");
    if (!userAgent.empty()) {
        Identity id;
        id.protocol = "http";
        id.ofServer = dir == Direction::ToClient;
        id.strings["user_agent"] = userAgent;
        sink.onIdentity(flow, id);
    }
    if (chunked) {
        side.ignore = true;
    } else if (haveLength) {
        side.bodyLeft = contentLength;
    }
}

ParseResult HttpDissector::onData(const FlowContext& flow, Direction dir,
                                  std::span<const std::uint8_t> data, EventSink& sink) noexcept {
    Side& side = sides_[dir == Direction::ToClient ? 1 : 0];
    std::size_t pos = 0;
    while (pos < data.size()) {
        if (side.ignore) return ParseResult::ok(data.size());
        if (side.bodyLeft > 0) {
            const auto n = std::min<std::uint64_t>(side.bodyLeft, data.size() - pos);
            side.bodyLeft -= n;
            pos += static_cast<std::size_t>(n);
            continue;
        }
        const auto rest = data.subspan(pos);
        if (rest.size() < 5) return ParseResult::incomplete(pos, 5);
        if (!looksLikeStart(rest)) {
            if (!side.resync) sink.onAnomaly(flow, "http", "not_http");
            side.ignore = !side.resync;
            return ParseResult::ok(data.size());  // resync: drop until the next segment
        }
        const std::string_view s = view(rest);
        const auto end = s.find("\r\n\r\n");
        if (end == std::string_view::npos) {
            if (rest.size() > kMaxHeaderBytes) {
                sink.onAnomaly(flow, "http", "header_too_long");
                side.ignore = true;
                return ParseResult::ok(data.size());
            }
            return ParseResult::incomplete(pos, rest.size() + 1);
        }
        side.resync = false;
        onHeader(flow, dir, rest.first(end + 4), side, sink);
        pos += end + 4;
    }
    return ParseResult::ok(pos);
}

void registerDissector(DissectorRegistry& registry) {
    registry.add({.name = "http",
                  .transport = Transport::Tcp,
                  .defaultPorts = {80, 8080},
                  .probe = nullptr,
                  .create = &HttpDissector::create});
}

}  // namespace ironsight::sensor::dissect::http
