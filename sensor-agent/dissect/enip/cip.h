// SPDX-License-Identifier: Apache-2.0
// CIP (Common Industrial Protocol) message parsing: services, request paths, embedded requests.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace ironsight::sensor::dissect::enip {

inline constexpr int kNoClass = -1;
/// Most messages unpacked from one Multiple_Service_Packet or Unconnected_Send.
inline constexpr std::size_t kMaxEmbedded = 16;

/// One CIP message: a request (service, class from the request path) or a response.
struct CipMessage {
    std::uint8_t service = 0;  // 7 bits, response bit removed
    bool response = false;
    int classId = kNoClass;  // request path class, kNoClass when absent or symbolic
    std::uint8_t generalStatus = 0;
    bool nested = false;  // unpacked from a Multiple_Service_Packet or an Unconnected_Send
};

/// Parses one CIP message and, for Unconnected_Send (0x52 to the Connection Manager) and
/// Multiple_Service_Packet (0x0A), the messages it carries. Returns false when malformed; what
/// was parsed before the error stays in `out`.
bool parseCip(std::span<const std::uint8_t> message, std::vector<CipMessage>& out);

/// Static text (names of unknown services, "service_0x4f", come from a table built at compile
/// time).
struct ServiceInfo {
    std::string_view name;
    std::string_view opClass;  // read / write / program / control / diagnostic / firmware / other
};

/// Name and operation class of a CIP service addressed to a class (kNoClass when unknown).
ServiceInfo describeService(std::uint8_t service, int classId);

/// describeService(), as a reference into tables built at compile time (one per kind of class
/// it tells apart): what the dissector calls per message.
const ServiceInfo& serviceInfo(std::uint8_t service, int classId);

}  // namespace ironsight::sensor::dissect::enip
