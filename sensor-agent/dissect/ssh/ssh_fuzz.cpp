// SPDX-License-Identifier: Apache-2.0
// libFuzzer target: arbitrary bytes as segments/datagrams in both directions of one ssh flow.
#include <cstddef>
#include <cstdint>

#include "sensor-agent/dissect/core/fuzzing.h"
#include "sensor-agent/dissect/ssh/ssh_dissector.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace ironsight::sensor::dissect;
    FlowContext flow;
    flow.clientIp = "192.168.1.10";
    flow.serverIp = "192.168.1.20";
    flow.clientPort = 40000;
    flow.serverPort = 22;
    flow.transport = Transport::Tcp;
    ssh::SshDissector dissector;
    feedChunks(dissector, flow, data, size);
    return 0;
}
