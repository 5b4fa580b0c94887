// SPDX-License-Identifier: Apache-2.0
// libFuzzer target: arbitrary bytes as an OPC UA binary stream, split into segments, directions
// and gaps the way the engine delivers them (dissect/core/fuzzing.h).
#include <cstddef>
#include <cstdint>

#include "sensor-agent/dissect/core/fuzzing.h"
#include "sensor-agent/dissect/opcua/opcua_dissector.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace ironsight::sensor::dissect;
    opcua::OpcuaDissector dissector;
    const FlowContext flow{"10.0.0.2", "10.0.0.1", 50000, opcua::kPort, Transport::Tcp, 0};
    feedChunks(dissector, flow, data, size);
    return 0;
}
