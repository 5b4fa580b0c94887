// SPDX-License-Identifier: Apache-2.0
// DeviceRecord::interfaces: a live sensor capturing on several interfaces records, per device,
// the interfaces it was seen sending on (the console's interface zone rules name them). Frames
// go through the capture hand-off as `run` uses it (PacketQueue, one source index per
// interface), with one worker and with two.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <vector>

#include "sensor-agent/capture/packet_queue.h"
#include "sensor-agent/engine/engine.h"
#include "tests/support/packet_builder.h"

namespace ironsight::sensor {
namespace {

const test::Host kA{test::mac("02:00:00:00:0a:01"), test::ipv4("10.0.0.1")};
const test::Host kB{test::mac("02:00:00:00:0b:01"), test::ipv4("10.0.0.2")};
const test::Host kC{test::mac("02:00:00:00:0c:01"), test::ipv4("10.0.0.3")};
const test::Host kD{test::mac("02:00:00:00:0d:01"), test::ipv4("10.0.0.4")};

struct Frame {
    std::uint8_t source;
    test::Bytes bytes;
};

/// Pushes `frames` into a PacketQueue tagged with their capture interface (as run's capture
/// threads do), then hands the batch to `engine` (as run's analysis thread does).
void capture(Engine& engine, const std::vector<Frame>& frames, std::int64_t& t) {
    PacketQueue queue;
    for (const auto& f : frames) {
        RawPacket p;
        p.timestampUs = t += 1000;
        p.wireLength = static_cast<std::uint32_t>(f.bytes.size());
        p.data = f.bytes;
        p.source = f.source;
        ASSERT_TRUE(queue.push(p));
    }
    PacketBatch batch;
    queue.pop(batch, std::chrono::milliseconds(0));
    ASSERT_EQ(batch.size(), frames.size());
    for (std::size_t i = 0; i < batch.size(); ++i) engine.process(batch.at(i));
}

const DeviceRecord* byId(const std::vector<DeviceRecord>& devices, const std::string& id) {
    auto it = std::find_if(devices.begin(), devices.end(),
                           [&](const DeviceRecord& d) { return d.id == id; });
    return it == devices.end() ? nullptr : &*it;
}

using Names = std::vector<std::string>;

TEST(EngineInterfacesTest, ADeviceSeenOnTwoInterfacesRecordsBoth) {
    for (std::size_t workers : {1u, 2u}) {
        SCOPED_TRACE("workers " + std::to_string(workers));
        EngineOptions options;
        options.workers = workers;
        options.interfaces = {"eth1", "eth2"};
        Engine engine(options);
        std::int64_t t = 1'700'000'000'000'000;
        // A talks to B on eth2 first (listed second), D announces itself by ARP on eth1.
        capture(engine,
                {{1, test::udpFrame(kA, kB, 40000, 502, {1, 2, 3})},
                 {0, test::arpFrame(1, kD, kB, true)}},
                t);
        engine.finish();
        auto first = engine.takeChanges();
        const DeviceRecord* a = byId(first.devices, "mac-020000000a01");
        ASSERT_NE(a, nullptr);
        EXPECT_EQ(a->interfaces, Names{"eth2"});
        ASSERT_NE(byId(first.devices, "mac-020000000d01"), nullptr);
        EXPECT_EQ(byId(first.devices, "mac-020000000d01")->interfaces, Names{"eth1"});
        EXPECT_EQ(byId(first.devices, "mac-020000000b01"), nullptr);  // never sent anything

        // A is seen on eth1 too (a second span port), C only on eth2; a source without a
        // name (more interfaces than configured) is not attributed.
        capture(engine,
                {{0, test::udpFrame(kA, kB, 40000, 502, {4, 5, 6})},
                 {1, test::udpFrame(kC, kB, 40001, 502, {7})},
                 {5, test::udpFrame(kC, kB, 40001, 502, {8})}},
                t);
        engine.finish();
        auto second = engine.takeChanges();  // A changed: reported again
        a = byId(second.devices, "mac-020000000a01");
        ASSERT_NE(a, nullptr);
        EXPECT_EQ(a->interfaces, (Names{"eth1", "eth2"}));  // in the configured order
        const auto devices = engine.devices();
        ASSERT_NE(byId(devices, "mac-020000000c01"), nullptr);
        EXPECT_EQ(byId(devices, "mac-020000000c01")->interfaces, Names{"eth2"});
        EXPECT_EQ(byId(devices, "mac-020000000d01")->interfaces, Names{"eth1"});
    }
}

TEST(EngineInterfacesTest, AFileRecordsNoInterface) {
    Engine engine;  // analyze / run --replay: no interface names
    std::int64_t t = 1'700'000'000'000'000;
    capture(engine, {{0, test::udpFrame(kA, kB, 40000, 502, {1})}}, t);
    engine.finish();
    const auto devices = engine.devices();
    ASSERT_NE(byId(devices, "mac-020000000a01"), nullptr);
    EXPECT_TRUE(byId(devices, "mac-020000000a01")->interfaces.empty());
}

}  // namespace
}  // namespace ironsight::sensor
