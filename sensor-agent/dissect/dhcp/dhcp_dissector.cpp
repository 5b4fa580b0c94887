// SPDX-License-Identifier: Apache-2.0
// DHCP dissector (RFC 2131 §2 message format, RFC 2132 options 12, 53, 60).
//
// op u8 | htype u8 | hlen u8 | hops u8 | xid u32 | secs u16 | flags u16 | ciaddr | yiaddr |
// siaddr | giaddr (u32 each) | chaddr 16 bytes | sname 64 | file 128 | magic 0x63825363 | options
#include <cstdio>

#include "sensor-agent/decode/byte_reader.h"
#include "sensor-agent/dissect/core/registry.h"
#include "sensor-agent/dissect/core/text.h"

namespace ironsight::sensor::dissect::dhcp {
namespace {

constexpr std::uint32_t kMagicCookie = 0x63825363;

class DhcpDissector final : public Dissector {
public:
    static DissectorPtr create() { return std::make_unique<DhcpDissector>(); }

    ParseResult onData(const FlowContext& flow, Direction, std::span<const std::uint8_t> data,
                       EventSink& sink) noexcept override {
        decode::ByteReader r(data);
        const std::uint8_t op = r.u8();
        const std::uint8_t htype = r.u8();
        const std::uint8_t hlen = r.u8();
        r.skip(1 + 4 + 2 + 2 + 16);
        auto chaddr = r.bytes(16);
        r.skip(64 + 128);
        const std::uint32_t magic = r.u32();
        if (!r.ok() || magic != kMagicCookie || (op != 1 && op != 2)) {
            sink.onAnomaly(flow, "dhcp", "malformed_pdu");
            return ParseResult::error(data.size());
        }
        if (htype != 1 || hlen != 6) return ParseResult::ok(data.size());  // not Ethernet
        Identity id;
        id.protocol = "dhcp";
        char mac[18];
        std::snprintf(mac, sizeof mac, "%02x:%02x:%02x:%02x:%02x:%02x", chaddr[0], chaddr[1],
                      chaddr[2], chaddr[3], chaddr[4], chaddr[5]);
        id.mac = mac;
        while (r.ok() && r.remaining() > 0) {
            const std::uint8_t code = r.u8();
            if (code == 0) continue;  // pad
            if (code == 255) break;   // end
            const std::uint8_t len = r.u8();
            auto value = r.bytes(len);
            if (!r.ok()) break;
            const std::string text = safeText(value);
            if (code == 12 && !text.empty()) id.strings["hostname"] = text;
            if (code == 60 && !text.empty()) id.strings["vendor_class"] = text;
        }
        if (!id.strings.empty()) sink.onIdentity(flow, id);
        return ParseResult::ok(data.size());
    }
};

}  // namespace

void registerDissector(DissectorRegistry& registry) {
    registry.add({.name = "dhcp",
                  .transport = Transport::Udp,
                  .defaultPorts = {67},
                  .probe = nullptr,
                  .create = &DhcpDissector::create});
}

}  // namespace ironsight::sensor::dissect::dhcp
