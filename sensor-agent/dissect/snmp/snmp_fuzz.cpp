// SPDX-License-Identifier: Apache-2.0
// libFuzzer target: arbitrary bytes as segments/datagrams in both directions of one snmp flow.
#include <cstddef>
#include <cstdint>

#include "sensor-agent/dissect/core/fuzzing.h"
#include "sensor-agent/dissect/snmp/snmp_dissector.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace ironsight::sensor::dissect;
    FlowContext flow;
    flow.clientIp = "192.168.1.10";
    flow.serverIp = "192.168.1.20";
    flow.clientPort = 40000;
    flow.serverPort = 161;
    flow.transport = Transport::Udp;
    snmp::SnmpDissector dissector;
    feedChunks(dissector, flow, data, size);
    return 0;
}
