// SPDX-License-Identifier: Apache-2.0
// libFuzzer target: arbitrary bytes as an S7comm (TPKT/COTP) stream, split into segments and
// directions the way the engine delivers them (unconsumed bytes are offered again with the next
// segment).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "sensor-agent/dissect/s7comm/s7comm_dissector.h"

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
    s7comm::S7commDissector dissector;
    NullSink sink;
    const FlowContext flow{"10.0.0.2", "10.0.0.1", 40000, 102, Transport::Tcp, 0};
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
        if (r.status == ParseResult::Status::Error || r.consumed >= buf.size()) {
            buf.clear();
        } else {
            buf.erase(buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(r.consumed));
        }
    }
    return 0;
}
