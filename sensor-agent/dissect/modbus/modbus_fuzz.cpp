// SPDX-License-Identifier: Apache-2.0
// libFuzzer target: arbitrary bytes as a Modbus/TCP stream, split into segments, directions and
// gaps the way the engine delivers them (dissect/core/fuzzing.h).
#include <cstddef>
#include <cstdint>

#include "sensor-agent/dissect/core/fuzzing.h"
#include "sensor-agent/dissect/modbus/modbus_dissector.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace ironsight::sensor::dissect;
    modbus::ModbusDissector dissector;
    const FlowContext flow{"10.0.0.2", "10.0.0.1", 40000, 502, Transport::Tcp, 0};
    feedChunks(dissector, flow, data, size);
    return 0;
}
