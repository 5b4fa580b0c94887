// SPDX-License-Identifier: Apache-2.0
// DNS message wire format (RFC 1035 §4.1), shared by the DNS, mDNS and NBNS dissectors.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace ironsight::sensor::dissect::dns {

inline constexpr std::uint16_t kTypeA = 1;
inline constexpr std::uint16_t kTypePtr = 12;
inline constexpr std::uint16_t kTypeAaaa = 28;
inline constexpr std::uint16_t kTypeSrv = 33;
inline constexpr std::uint16_t kTypeNb = 32;  // NetBIOS general name service record (RFC 1002)
inline constexpr std::size_t kMaxRecordsPerSection = 64;

struct Question {
    std::string name;  // dotted, raw label bytes (callers sanitise before output)
    std::uint16_t qtype = 0, qclass = 0;
};

struct Record {
    std::string name;
    std::uint16_t type = 0, rclass = 0;
    std::uint32_t ttl = 0;
    std::size_t rdataOffset = 0;  // offset of RDATA in the message (for compressed names in it)
    std::span<const std::uint8_t> rdata;
};

struct Message {
    std::uint16_t id = 0, flags = 0;
    bool response() const { return (flags & 0x8000) != 0; }
    int opcode() const { return (flags >> 11) & 0x0f; }
    int rcode() const { return flags & 0x0f; }
    std::vector<Question> questions;
    std::vector<Record> answers, authorities, additionals;

    // Entries a shorter message did not need, kept with their names' buffers for the next one
    // parsed into this Message (parseMessage(msg, out)); not part of the message.
    std::vector<Question> spareQuestions;
    std::vector<Record> spareRecords;
};

/// Reads a (possibly compressed) domain name at `offset`, advancing it past the name. Pointer
/// loops, names over 255 bytes and truncation give false.
bool readName(std::span<const std::uint8_t> msg, std::size_t& offset, std::string& out);

/// Parses one message; nullopt when the header or a section is truncated or malformed. At most
/// kMaxRecordsPerSection entries per section are kept (the rest are parsed and skipped).
std::optional<Message> parseMessage(std::span<const std::uint8_t> msg);

/// The same into `out`, replacing all of its contents but reusing its vectors' (and their
/// names') storage: a dissector parsing message after message into one Message allocates
/// nothing once warm. On false `out` holds a partial message; do not use it.
bool parseMessage(std::span<const std::uint8_t> msg, Message& out);

/// "a.b.c.d" for 4 bytes, RFC 5952-ish lower-case hex groups for 16 bytes, else "".
std::string addressText(std::span<const std::uint8_t> bytes);

/// RFC 1918, link-local, and IPv6 ULA / link-local addresses: hosts of the monitored site.
bool isLocalAddress(std::span<const std::uint8_t> bytes);

/// Drops one trailing dot, lower-cases ASCII letters when `lower`; non-text bytes become '?'.
std::string displayName(const std::string& raw, bool lower = true);

}  // namespace ironsight::sensor::dissect::dns
