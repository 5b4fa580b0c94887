// SPDX-License-Identifier: Apache-2.0
// The syntax of an AgentX master socket address, shared by sensor.toml's [snmp] agentx_socket and
// `run --snmp-agentx` (header-only: the config library does not link net-snmp).
#pragma once

#include <string>

namespace ironsight::sensor::snmp {

/// Empty when `socket` is a path (/var/agentx/master, unix:/PATH) or tcp:HOST:PORT; else what is
/// expected.
inline std::string checkAgentxAddress(const std::string& socket) {
    if (!socket.empty() && socket.front() == '/') return {};
    if (socket.rfind("unix:/", 0) == 0) return {};
    if (socket.rfind("tcp:", 0) == 0) {
        const auto colon = socket.rfind(':');
        const std::string port = socket.substr(colon + 1);
        if (colon > 4 && !port.empty() && port.size() <= 5 &&
            port.find_first_not_of("0123456789") == std::string::npos) {
            const long value = std::stol(port);
            if (value >= 1 && value <= 65535) return {};
        }
    }
    return "must be the AgentX master's socket: a path (/var/agentx/master, unix:/PATH) or "
           "tcp:HOST:PORT";
}

}  // namespace ironsight::sensor::snmp
