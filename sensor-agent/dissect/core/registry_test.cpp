// SPDX-License-Identifier: Apache-2.0
// DissectorRegistry::forPort (a binary search over a sorted port index) against the first
// registration claiming the port, found by a plain scan, for every port and transport.
#include "sensor-agent/dissect/core/registry.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

namespace ironsight::sensor::dissect {
namespace {

TEST(DissectorRegistryTest, ForPortIsTheFirstRegistrationOfThePort) {
    std::mt19937 random(502);
    DissectorRegistry registry;
    for (int i = 0; i < 40; ++i) {
        DissectorInfo info;
        info.name = "p" + std::to_string(i);
        info.transport = random() % 2 ? Transport::Tcp : Transport::Udp;
        for (unsigned n = random() % 4; n > 0; --n) {
            // Ports from a small range: several registrations claim the same one.
            info.defaultPorts.push_back(static_cast<std::uint16_t>(random() % 64 * 1000));
        }
        info.create = [] { return DissectorPtr{}; };
        registry.add(std::move(info));
    }
    for (const Transport transport : {Transport::Tcp, Transport::Udp, Transport::Ethernet}) {
        for (unsigned port = 0; port < 65536; ++port) {
            const DissectorInfo* expected = nullptr;
            for (const auto& info : registry.all()) {
                if (info.transport != transport) continue;
                for (auto p : info.defaultPorts) {
                    if (p == port && expected == nullptr) expected = &info;
                }
            }
            ASSERT_EQ(registry.forPort(transport, static_cast<std::uint16_t>(port)), expected)
                << port;
        }
    }
}

}  // namespace
}  // namespace ironsight::sensor::dissect
