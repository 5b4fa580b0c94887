// SPDX-License-Identifier: Apache-2.0
// HTTP CONNECT proxy settings. gRPC (1.51) does the CONNECT itself: grpc.http_proxy names the
// proxy, userinfo in it becomes "Proxy-Authorization: Basic base64(user:password)", and the TLS
// session to the console runs end to end inside the tunnel (the proxy sees only host:port).
#include "sensor-agent/link/proxy.h"

#include <grpc/grpc.h>
#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace ironsight::sensor::link {
namespace {

bool startsWithHttp(const std::string& url) {
    static constexpr std::string_view kScheme = "http://";
    if (url.size() < kScheme.size()) return false;
    return std::equal(kScheme.begin(), kScheme.end(), url.begin(), [](char a, char b) {
        return a == std::tolower(static_cast<unsigned char>(b));
    });
}

bool validPort(const std::string& port) {
    if (port.empty() || port.size() > 5) return false;
    if (!std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        return false;
    }
    const int n = std::stoi(port);
    return n >= 1 && n <= 65535;
}

/// RFC 3986 unreserved characters stay; everything else is %XX (gRPC percent-decodes the URI's
/// authority before it splits user:password from host:port).
std::string percentEncode(const std::string& text) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    for (const char ch : text) {
        const auto c = static_cast<unsigned char>(ch);
        if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
            out += ch;
        } else {
            out += '%';
            out += kHex[c >> 4];
            out += kHex[c & 15];
        }
    }
    return out;
}

std::string percentDecode(const std::string& text) {
    std::string out;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '%' && i + 2 < text.size() &&
            std::isxdigit(static_cast<unsigned char>(text[i + 1])) &&
            std::isxdigit(static_cast<unsigned char>(text[i + 2]))) {
            out += static_cast<char>(std::stoi(text.substr(i + 1, 2), nullptr, 16));
            i += 2;
        } else {
            out += text[i];
        }
    }
    return out;
}

}  // namespace

std::string maskProxyUrl(const std::string& url) {
    // Works on any text, parsable or not, so an error about a bad URL cannot leak its password.
    const std::size_t schemeEnd = url.find("://");
    const std::size_t start = schemeEnd == std::string::npos ? 0 : schemeEnd + 3;
    const std::size_t at = url.rfind('@');
    if (at == std::string::npos || at < start) return url;
    const std::size_t colon = url.find(':', start);
    if (colon == std::string::npos || colon > at) return url;  // a user, no password
    return url.substr(0, colon + 1) + "***" + url.substr(at);
}

Result<ProxyUrl> parseProxyUrl(const std::string& url) {
    const auto fail = [&](const std::string& why) -> Result<ProxyUrl> {
        return makeError("proxy " + maskProxyUrl(url) + ": " + why +
                         " (expected http://[USER[:PASSWORD]@]HOST:PORT)");
    };
    if (!startsWithHttp(url)) {
        return fail(url.find("://") == std::string::npos
                        ? "not a URL"
                        : "only http:// proxies are supported (the link is TLS inside the "
                          "tunnel)");
    }
    if (std::any_of(url.begin(), url.end(), [](char c) {
            return std::iscntrl(static_cast<unsigned char>(c)) || c == ' ';
        })) {
        return fail("contains spaces or control characters");
    }
    std::string authority = url.substr(7);
    if (!authority.empty() && authority.back() == '/') authority.pop_back();
    ProxyUrl out;
    const std::size_t at = authority.rfind('@');
    std::string hostPort = authority;
    if (at != std::string::npos) {
        const std::string userInfo = authority.substr(0, at);
        hostPort = authority.substr(at + 1);
        // gRPC splits the decoded authority on '@': one is all it can take.
        if (percentDecode(userInfo).find('@') != std::string::npos) {
            return fail("a proxy user or password cannot contain '@'");
        }
        const std::size_t colon = userInfo.find(':');
        out.user = percentDecode(userInfo.substr(0, colon));
        if (colon != std::string::npos) {
            out.password = percentDecode(userInfo.substr(colon + 1));
            out.hasPassword = true;
        }
        if (out.user.empty()) return fail("empty proxy user before '@'");
    }
    if (hostPort.find_first_of("/?#") != std::string::npos) {
        return fail("nothing may follow HOST:PORT");
    }
    std::size_t colon = std::string::npos;
    if (!hostPort.empty() && hostPort.front() == '[') {
        const std::size_t close = hostPort.find(']');
        if (close == std::string::npos || close + 1 >= hostPort.size() ||
            hostPort[close + 1] != ':') {
            return fail("HOST:PORT required");
        }
        colon = close + 1;
    } else {
        colon = hostPort.rfind(':');
        if (colon != std::string::npos && hostPort.find(':') != colon) {
            return fail("an IPv6 proxy address goes in brackets ([ADDR]:PORT)");
        }
    }
    if (colon == std::string::npos || colon == 0) return fail("HOST:PORT required");
    out.host = hostPort.substr(0, colon);
    out.port = hostPort.substr(colon + 1);
    if (!validPort(out.port)) return fail("the port must be a number from 1 to 65535");
    return out;
}

Result<std::string> resolveProxy(const std::string& url, const std::string& passwordFile) {
    if (url.empty()) {
        if (!passwordFile.empty()) return makeError("--proxy-password-file needs --proxy URL");
        return std::string{};
    }
    auto parsed = parseProxyUrl(url);
    if (!parsed) return parsed.error();
    if (passwordFile.empty()) return "http://" + url.substr(7);  // the scheme in lower case
    if (parsed->user.empty() || parsed->hasPassword) {
        return makeError("proxy " + maskProxyUrl(url) +
                         ": with --proxy-password-file the URL names the user and no password "
                         "(http://USER@HOST:PORT)");
    }
    struct stat st {};
    if (::stat(passwordFile.c_str(), &st) != 0) {
        return makeError("cannot read the proxy password file " + passwordFile);
    }
    if ((st.st_mode & S_IRWXO) != 0) {
        std::ostringstream mode;
        mode << std::oct << (st.st_mode & 07777);
        return makeError("proxy password file " + passwordFile +
                         " is readable by other users (mode 0" + mode.str() + "): chmod 600 " +
                         passwordFile);
    }
    std::ifstream in(passwordFile);
    std::string password;
    if (!in || !std::getline(in, password)) {
        return makeError("cannot read the proxy password file " + passwordFile);
    }
    while (!password.empty() && password.back() == '\r') {
        password.pop_back();
    }
    if (password.empty()) {
        return makeError("proxy password file " + passwordFile +
                         ": the first line (the password) is empty");
    }
    if (password.find('@') != std::string::npos) {
        return makeError("proxy password file " + passwordFile +
                         ": the password contains '@', which gRPC cannot pass to a proxy");
    }
    const std::size_t at = url.rfind('@');
    return "http://" + url.substr(7, at - 7) + ":" + percentEncode(password) + url.substr(at);
}

std::string dropProxyExemptionsFromEnvironment() {
    std::string removed;
    for (const char* name : {"no_grpc_proxy", "no_proxy"}) {  // gRPC reads only these spellings
        if (std::getenv(name) == nullptr) continue;
        ::unsetenv(name);
        removed += (removed.empty() ? "" : ", ") + std::string(name);
    }
    return removed;
}

void setProxyArguments(grpc::ChannelArguments& args, const std::string& proxy) {
    if (proxy.empty()) {
        args.SetInt(GRPC_ARG_ENABLE_HTTP_PROXY, 0);
        return;
    }
    args.SetInt(GRPC_ARG_ENABLE_HTTP_PROXY, 1);
    args.SetString(GRPC_ARG_HTTP_PROXY, proxy);  // wins over the environment's proxy variables
}

std::string viaProxy(const std::string& proxy) {
    return proxy.empty() ? std::string{} : " via proxy " + maskProxyUrl(proxy);
}

std::string proxyFailureHint(const std::string& grpcMessage) {
    // gRPC's CONNECT handshaker reports a non-2xx answer with this text.
    static const std::string kCode = "HTTP proxy returned response code ";
    const std::size_t at = grpcMessage.find(kCode);
    if (at == std::string::npos) return {};
    const std::string code = grpcMessage.substr(at + kCode.size(), 3);
    // Squid answers 407; tinyproxy answers 401 to a CONNECT with wrong or missing credentials.
    if (code == "407" || code == "401") {
        return " (the proxy refused its credentials: check the proxy user and password)";
    }
    if (code == "403") {
        return " (the proxy forbids this CONNECT: allow the console's link and enrollment ports "
               "on the proxy)";
    }
    return " (the proxy refused the CONNECT with HTTP " + code + ")";
}

}  // namespace ironsight::sensor::link
