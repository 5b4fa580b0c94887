// SPDX-License-Identifier: Apache-2.0
// libFuzzer target: arbitrary bytes as an EtherNet/IP stream (TCP or, by the first bit, UDP), split
// into segments and directions the way the engine delivers them (unconsumed bytes are offered again
// with the next segment).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "sensor-agent/dissect/enip/enip_dissector.h"

namespace {

struct NullSink : ironsight::sensor::dissect::EventSink {
    void onOperation(const ironsight::sensor::dissect::FlowContext&,
                     const ironsight::sensor::dissect::Operation&) override {}
    void onIdentity(const ironsight::sensor::dissect::FlowContext&,
                    const ironsight::sensor::dissect::Identity&) override {}
    void onAnomaly(const ironsight::sensor::dissect::FlowContext&, std::string_view,
                   std::string_view) override {}
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace ironsight::sensor::dissect;
    enip::EnipDissector dissector;
    NullSink sink;
    if (size == 0) return 0;
    // First byte: transport and server port (TCP 44818, UDP 44818, UDP 2222).
    const int mode = data[0] % 3;
    const FlowContext flow{"10.0.0.2",
                           "10.0.0.1",
                           40000,
                           static_cast<std::uint16_t>(mode == 2 ? 2222 : 44818),
                           mode == 0 ? Transport::Tcp : Transport::Udp,
                           0};
    ++data;
    --size;
    std::vector<std::uint8_t> pending[2];
    std::size_t pos = 0;
    while (pos < size) {
        // First byte of each chunk: direction bit + chunk length.
        const int dir = data[pos] & 1;
        const std::size_t len = std::min<std::size_t>((data[pos] >> 1) + 1, size - pos - 1);
        ++pos;
        auto& buf = pending[dir];
        buf.insert(buf.end(), data + pos, data + pos + len);
        pos += len;
        const auto r =
            dissector.onData(flow, dir ? Direction::ToClient : Direction::ToServer, buf, sink);
        if (r.status == ParseResult::Status::Error || r.consumed >= buf.size() ||
            flow.transport == Transport::Udp) {  // datagrams do not span chunks
            buf.clear();
        } else {
            buf.erase(buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(r.consumed));
        }
    }
    return 0;
}
