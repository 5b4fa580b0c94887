// SPDX-License-Identifier: Apache-2.0
// libFuzzer target: arbitrary bytes as BACnet/IP datagrams in both directions
// (dissect/core/fuzzing.h delivers each chunk as one datagram).
#include <cstddef>
#include <cstdint>

#include "sensor-agent/dissect/bacnet/bacnet_dissector.h"
#include "sensor-agent/dissect/core/fuzzing.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace ironsight::sensor::dissect;
    bacnet::BacnetDissector dissector;
    const FlowContext flow{"10.0.0.2", "10.0.0.1", bacnet::kPort, bacnet::kPort, Transport::Udp, 0};
    feedChunks(dissector, flow, data, size);
    return 0;
}
