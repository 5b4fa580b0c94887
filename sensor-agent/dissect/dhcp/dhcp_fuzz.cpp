// SPDX-License-Identifier: Apache-2.0
// libFuzzer target: arbitrary bytes as DHCP datagrams (each chunk one datagram, either direction;
// dissect/core/fuzzing.h). The dissector is reached through its registration.
#include <cstddef>
#include <cstdint>

#include "sensor-agent/dissect/core/fuzzing.h"
#include "sensor-agent/dissect/core/registry.h"

namespace ironsight::sensor::dissect::dhcp {
void registerDissector(DissectorRegistry& registry);
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace ironsight::sensor::dissect;
    static const DissectorRegistry registry = [] {
        DissectorRegistry r;
        dhcp::registerDissector(r);
        return r;
    }();
    FlowContext flow;
    flow.clientIp = "0.0.0.0";
    flow.serverIp = "255.255.255.255";
    flow.clientPort = 68;
    flow.serverPort = 67;
    flow.transport = Transport::Udp;
    flow.clientMac = "00:1b:21:00:00:02";
    auto dissector = registry.forPort(Transport::Udp, 67)->create();
    feedChunks(*dissector, flow, data, size);
    return 0;
}
