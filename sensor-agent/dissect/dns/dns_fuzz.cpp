// SPDX-License-Identifier: Apache-2.0
// libFuzzer target: arbitrary bytes as DNS datagrams (first byte even) or a TCP stream (odd).
#include <cstddef>
#include <cstdint>

#include "sensor-agent/dissect/core/fuzzing.h"
#include "sensor-agent/dissect/dns/dns_dissector.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace ironsight::sensor::dissect;
    if (size == 0) return 0;
    FlowContext flow;
    flow.clientIp = "192.168.1.10";
    flow.serverIp = "192.168.1.1";
    flow.clientPort = 40000;
    flow.serverPort = dns::kPort;
    flow.transport = (data[0] & 1) ? Transport::Tcp : Transport::Udp;
    dns::DnsDissector dissector;
    feedChunks(dissector, flow, data + 1, size - 1);
    return 0;
}
