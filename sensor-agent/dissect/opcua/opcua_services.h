// SPDX-License-Identifier: Apache-2.0
// OPC UA service table: binary encoding node ids of requests/responses, names and classes.
#pragma once

#include <cstdint>
#include <string>

namespace ironsight::sensor::dissect::opcua {

struct ServiceInfo {
    std::string name;     // snake_case, e.g. "read"
    std::string opClass;  // read / write / program / control / diagnostic / firmware / other
    bool request = true;
    bool known = false;  // false: not a standard service encoding id
};

/// Looks up a namespace-0 DefaultBinary encoding id (e.g. 631 ReadRequest, 634 ReadResponse).
ServiceInfo serviceInfo(std::uint32_t encodingId);

inline constexpr std::uint32_t kServiceFault = 397;
inline constexpr std::uint32_t kOpenSecureChannelRequest = 446;
inline constexpr std::uint32_t kCreateSessionRequest = 461;
inline constexpr std::uint32_t kGetEndpointsRequest = 428;
inline constexpr std::uint32_t kGetEndpointsResponse = 431;

}  // namespace ironsight::sensor::dissect::opcua
