// SPDX-License-Identifier: Apache-2.0
// Armored, CA-signed activation file: encode on the console, verify on the sensor.
#include "shared/activation/activation.h"

#include <ctime>
#include <sstream>

namespace ironsight::activation {
namespace {

constexpr std::string_view kBegin = "-----BEGIN IRONSIGHT ACTIVATION-----";
constexpr std::string_view kEnd = "-----END IRONSIGHT ACTIVATION-----";
constexpr std::string_view kUriPrefix = "spiffe://ironsight/sensor/";
constexpr std::uint32_t kFormatVersion = 1;
constexpr std::size_t kMaxFileBytes = 1 << 20;
constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::string base64Encode(std::string_view in) {
    std::string out;
    out.reserve((in.size() + 2) / 3 * 4);
    std::size_t i = 0;
    for (; i + 2 < in.size(); i += 3) {
        auto n = (std::uint32_t(std::uint8_t(in[i])) << 16) |
                 (std::uint32_t(std::uint8_t(in[i + 1])) << 8) | std::uint8_t(in[i + 2]);
        out += kAlphabet[(n >> 18) & 63];
        out += kAlphabet[(n >> 12) & 63];
        out += kAlphabet[(n >> 6) & 63];
        out += kAlphabet[n & 63];
    }
    if (i < in.size()) {
        std::uint32_t n = std::uint32_t(std::uint8_t(in[i])) << 16;
        if (i + 1 < in.size()) n |= std::uint32_t(std::uint8_t(in[i + 1])) << 8;
        out += kAlphabet[(n >> 18) & 63];
        out += kAlphabet[(n >> 12) & 63];
        out += i + 1 < in.size() ? kAlphabet[(n >> 6) & 63] : '=';
        out += '=';
    }
    return out;
}

/// Strict base64 (RFC 4648, padded). Returns false on any character outside the alphabet.
bool base64Decode(std::string_view in, std::string& out) {
    if (in.size() % 4 != 0) return false;
    out.clear();
    for (std::size_t i = 0; i < in.size(); i += 4) {
        std::uint32_t n = 0;
        int pad = 0;
        for (std::size_t j = 0; j < 4; ++j) {
            char c = in[i + j];
            std::uint32_t v = 0;
            if (c == '=') {
                if (i + 4 != in.size() || j < 2) return false;
                ++pad;
            } else {
                if (pad != 0) return false;
                const char* p = std::char_traits<char>::find(kAlphabet, 64, c);
                if (p == nullptr) return false;
                v = static_cast<std::uint32_t>(p - kAlphabet);
            }
            n = (n << 6) | v;
        }
        out += static_cast<char>((n >> 16) & 0xFF);
        if (pad < 2) out += static_cast<char>((n >> 8) & 0xFF);
        if (pad < 1) out += static_cast<char>(n & 0xFF);
    }
    return true;
}

std::string formatUtc(std::int64_t ms) {
    std::time_t t = static_cast<std::time_t>(ms / 1000);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[40];
    std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M UTC", &tm);
    return buf;
}

/// Header values are informational; keep them on one line.
std::string oneLine(std::string s) {
    for (char& c : s) {
        if (c == '\n' || c == '\r') c = ' ';
    }
    return s;
}

std::string_view trimCr(std::string_view line) {
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) {
        line.remove_suffix(1);
    }
    return line;
}

Error malformed(const std::string& why) {
    return makeError("not a valid activation file (" + why + ")");
}

}  // namespace

Result<std::string> encode(const ironsight::v1::ActivationPayload& payload, const EVP_PKEY* caKey) {
    std::string payloadBytes;
    if (!payload.SerializeToString(&payloadBytes)) {
        return makeError("cannot serialize the activation payload");
    }
    auto* data = reinterpret_cast<const std::uint8_t*>(payloadBytes.data());
    auto signature = crypto::sign(caKey, {data, payloadBytes.size()});
    if (!signature) return signature.error();
    ironsight::v1::ActivationBundle bundle;
    bundle.set_payload(payloadBytes);
    bundle.set_signature(signature->data(), signature->size());
    std::string bundleBytes;
    if (!bundle.SerializeToString(&bundleBytes)) {
        return makeError("cannot serialize the activation bundle");
    }
    std::string fingerprint;
    if (auto ca = crypto::certificateFromPem(payload.console_ca_pem())) {
        fingerprint = crypto::certificateFingerprint(ca->get());
    }

    std::ostringstream out;
    out << kBegin << "\n";
    out << "Format: " << payload.format_version() << "\n";
    out << "Sensor: " << oneLine(payload.sensor_name()) << "\n";
    out << "Sensor-Id: " << oneLine(payload.sensor_id()) << "\n";
    out << "Site: " << oneLine(payload.site()) << "\n";
    out << "Zone: " << oneLine(payload.zone()) << "\n";
    out << "Expires: " << formatUtc(payload.not_after_ms()) << "\n";
    out << "CA-Fingerprint: " << fingerprint << "\n";
    out << "\n";
    std::string b64 = base64Encode(bundleBytes);
    for (std::size_t i = 0; i < b64.size(); i += 64) out << b64.substr(i, 64) << "\n";
    out << kEnd << "\n";
    return out.str();
}

Result<ironsight::v1::ActivationPayload> decodeAndVerify(std::string_view text,
                                                         std::int64_t nowMs) {
    std::size_t begin = text.find(kBegin);
    if (begin == std::string_view::npos) {
        return makeError("not an Ironsight activation file (no BEGIN IRONSIGHT ACTIVATION line)");
    }
    std::size_t end = text.find(kEnd, begin);
    if (end == std::string_view::npos) return malformed("no END line; file truncated?");

    // Body: optional "Key: value" header lines, a blank line, then base64 lines.
    std::string_view body = text.substr(begin + kBegin.size(), end - begin - kBegin.size());
    std::string b64;
    bool inHeaders = true;
    std::size_t pos = 0;
    while (pos <= body.size()) {
        std::size_t nl = body.find('\n', pos);
        if (nl == std::string_view::npos) nl = body.size();
        std::string_view line = trimCr(body.substr(pos, nl - pos));
        pos = nl + 1;
        if (line.empty()) continue;
        if (inHeaders && line.find(':') != std::string_view::npos) continue;
        inHeaders = false;
        if (line.find(':') != std::string_view::npos) return malformed("header after data");
        b64.append(line);
    }
    std::string bundleBytes;
    if (b64.empty()) return malformed("no data");
    if (!base64Decode(b64, bundleBytes)) return malformed("bad base64 data");

    ironsight::v1::ActivationBundle bundle;
    ironsight::v1::ActivationPayload payload;
    if (!bundle.ParseFromString(bundleBytes) || bundle.payload().empty() ||
        bundle.signature().empty()) {
        return malformed("bundle cannot be parsed");
    }
    if (!payload.ParseFromString(bundle.payload())) return malformed("payload cannot be parsed");
    auto ca = crypto::certificateFromPem(payload.console_ca_pem());
    if (!ca) return malformed("console CA certificate unreadable");
    EVP_PKEY* caKey = X509_get0_pubkey(ca->get());
    auto* p = reinterpret_cast<const std::uint8_t*>(bundle.payload().data());
    auto* s = reinterpret_cast<const std::uint8_t*>(bundle.signature().data());
    if (caKey == nullptr ||
        !crypto::verify(caKey, {p, bundle.payload().size()}, {s, bundle.signature().size()})) {
        return makeError("activation file signature invalid (file altered?)");
    }
    if (payload.format_version() != kFormatVersion) {
        return makeError("unsupported activation file format version " +
                         std::to_string(payload.format_version()) + " (this build reads " +
                         std::to_string(kFormatVersion) + ")");
    }
    if (payload.sensor_id().empty()) return malformed("no sensor id");
    if (payload.enrollment_token().size() < 16) return malformed("no enrollment token");
    if (payload.enroll_endpoint().empty() && payload.stream_endpoints().empty()) {
        return malformed("no console endpoint");
    }
    if (nowMs > payload.not_after_ms()) {
        return makeError("activation file expired on " + formatUtc(payload.not_after_ms()));
    }
    if (nowMs < payload.not_before_ms()) {
        return makeError("activation file not valid before " + formatUtc(payload.not_before_ms()) +
                         " (check the clock)");
    }
    return payload;
}

Result<ironsight::v1::ActivationPayload> readAndVerify(const std::filesystem::path& file,
                                                       std::int64_t nowMs) {
    auto text = crypto::readFile(file, kMaxFileBytes);
    if (!text) return text.error();
    auto payload = decodeAndVerify(*text, nowMs);
    if (!payload) return makeError(file.string() + ": " + payload.error().message);
    return payload;
}

std::string sensorUri(const std::string& sensorId) {
    return std::string(kUriPrefix) + sensorId;
}

std::string sensorIdFromUri(const std::string& uri) {
    if (uri.size() <= kUriPrefix.size() || uri.compare(0, kUriPrefix.size(), kUriPrefix) != 0) {
        return {};
    }
    std::string id = uri.substr(kUriPrefix.size());
    for (char c : id) {
        bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                  c == '-' || c == '_' || c == '.';
        if (!ok) return {};
    }
    return id;
}

}  // namespace ironsight::activation
