// SPDX-License-Identifier: Apache-2.0
// The HTTP CONNECT proxy between sensor and console (docs/SENSOR.md "Proxy"): URL checks, the
// password file, masking for log lines, and the gRPC channel arguments that use exactly the
// configured proxy (never one from the environment).
#pragma once

#include <grpcpp/support/channel_arguments.h>

#include <string>

#include "shared/base/result.h"

namespace ironsight::sensor::link {

/// The parts of http://[USER[:PASSWORD]@]HOST:PORT[/].
struct ProxyUrl {
    std::string user, password, host, port;
    bool hasPassword = false;
};

/// Parses and checks a proxy URL: http:// only, HOST:PORT required (IPv6 as [addr]:port),
/// nothing after the authority but an optional "/". Errors are one line with the URL masked.
Result<ProxyUrl> parseProxyUrl(const std::string& url);

/// The URL with its password replaced by "***" (http://user:***@host:port), for every log line
/// and error; a URL that does not parse is shown as "(unreadable proxy URL)" rather than risk
/// printing a password.
std::string maskProxyUrl(const std::string& url);

/// The proxy to use from --proxy URL and --proxy-password-file FILE: checks the URL and puts
/// the file's first line in as the password (percent-encoded). The file must not be readable by
/// others, and the URL must then carry a user but no password. Empty url: no proxy ("").
Result<std::string> resolveProxy(const std::string& url, const std::string& passwordFile = {});

/// Points a channel at `proxy` (grpc.http_proxy), or, with no proxy, turns gRPC's proxy
/// support off (grpc.enable_http_proxy = 0) so a stray http_proxy/https_proxy/grpc_proxy in the
/// environment is never used.
void setProxyArguments(grpc::ChannelArguments& args, const std::string& proxy);

/// gRPC (1.51) still lets no_grpc_proxy / no_proxy in the environment exempt a console host from
/// grpc.http_proxy. With a proxy configured the commands remove both from their own environment,
/// before any thread or channel exists (unsetenv is not thread-safe). Returns the names removed,
/// comma-separated, or "".
std::string dropProxyExemptionsFromEnvironment();

/// " via proxy http://user:***@host:port" for messages, or "" without a proxy.
std::string viaProxy(const std::string& proxy);

/// What an operator should do about a gRPC failure message from the CONNECT handshake
/// ("HTTP proxy returned response code 407"), as " (...)", or "" when it is not one.
std::string proxyFailureHint(const std::string& grpcMessage);

}  // namespace ironsight::sensor::link
