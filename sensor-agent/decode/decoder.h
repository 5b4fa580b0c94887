// SPDX-License-Identifier: Apache-2.0
// Decoder: bounds-checked L2-L4 decoding for the link types real captures use.
#pragma once

#include <array>
#include <cstdint>

#include "sensor-agent/capture/raw_packet.h"
#include "sensor-agent/decode/ipv4_reassembler.h"
#include "sensor-agent/decode/packet.h"

namespace ironsight::sensor::decode {

enum class DecodeStatus {
    Ok,         // decoded (possibly only to L2/L3 for protocols we do not look into)
    Skipped,    // deliberately not decoded further (e.g. a non-first IPv4 fragment)
    Malformed,  // truncated or invalid; counted by reason
};

struct DecodeCounters {
    std::uint64_t packets = 0, fragmentsSkipped = 0, malformed = 0;
    std::array<std::uint64_t, static_cast<int>(Malformed::Count)> byReason{};
};

class Decoder {
public:
    /// Decodes `raw` into `out` (whose payload span points into raw.data). Never throws.
    DecodeStatus decode(const RawPacket& raw, DecodedPacket& out) noexcept;
    const DecodeCounters& counters() const { return counters_; }
    /// IPv4 fragments are held here until their datagram is complete; decode() then returns the
    /// whole datagram's L4 (payload valid until the next decode()). Until then: Skipped.
    const Ipv4Reassembler& ipv4Reassembler() const { return reassembler_; }
    /// Most frames are Ethernet II (untagged or with one VLAN tag) carrying a whole,
    /// unfragmented IPv4 TCP or UDP header: decode() reads those in one pass (decodeCommon) and
    /// takes the general path, header by header, for everything else. Off: the general path for
    /// every frame, with the same results (decoder_test compares the two).
    void setFastPath(bool on) { fastPath_ = on; }

private:
    bool decodeCommon(const RawPacket& raw, DecodedPacket& out);
    DecodeStatus malformed(Malformed reason);
    DecodeStatus decodeEthernet(std::span<const std::uint8_t> data, DecodedPacket& out);
    DecodeStatus decodeEtherPayload(std::uint16_t etherType, std::span<const std::uint8_t> data,
                                    DecodedPacket& out);
    DecodeStatus decodeArp(std::span<const std::uint8_t> data, DecodedPacket& out);
    DecodeStatus decodeIpv4(std::span<const std::uint8_t> data, DecodedPacket& out);
    DecodeStatus decodeIpv6(std::span<const std::uint8_t> data, DecodedPacket& out);
    DecodeStatus decodeL4(std::uint8_t proto, std::span<const std::uint8_t> data,
                          DecodedPacket& out);

    DecodeCounters counters_;
    Ipv4Reassembler reassembler_;
    bool fastPath_ = true;
};

}  // namespace ironsight::sensor::decode
