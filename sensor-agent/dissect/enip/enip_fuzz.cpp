// SPDX-License-Identifier: Apache-2.0
// libFuzzer target: arbitrary bytes as EtherNet/IP traffic (the first byte picks TCP 44818,
// UDP 44818 or UDP 2222), split into segments, directions and gaps the way the engine delivers
// them (dissect/core/fuzzing.h).
#include <cstddef>
#include <cstdint>

#include "sensor-agent/dissect/core/fuzzing.h"
#include "sensor-agent/dissect/enip/enip_dissector.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace ironsight::sensor::dissect;
    if (size == 0) return 0;
    const int mode = data[0] % 3;
    const FlowContext flow{"10.0.0.2",
                           "10.0.0.1",
                           40000,
                           static_cast<std::uint16_t>(mode == 2 ? 2222 : 44818),
                           mode == 0 ? Transport::Tcp : Transport::Udp,
                           0};
    enip::EnipDissector dissector;
    feedChunks(dissector, flow, data + 1, size - 1);
    return 0;
}
