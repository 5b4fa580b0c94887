// SPDX-License-Identifier: Apache-2.0
// Engine tests over generated plant traffic: inventory, learning, unauthorized_write, changes.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <utility>

#include "sensor-agent/capture/pcap_file_source.h"
#include "sensor-agent/engine/engine.h"
#include "tests/support/packet_builder.h"
#include "tests/support/plant_traffic.h"

namespace ironsight::sensor {
namespace {

class EngineTest : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        dir_ = std::filesystem::temp_directory_path() /
               ("ironsight_engine_test_" + std::to_string(::getpid()));
        std::filesystem::create_directories(dir_);
        test::PlantOptions options;
        options.minutes = 2;
        ASSERT_TRUE(test::writePlantLine(1, dir_ / "line1.pcap", options).ok());
        ASSERT_TRUE(test::writePlantLine(2, dir_ / "line2.pcap", options).ok());
    }
    static void TearDownTestSuite() { std::filesystem::remove_all(dir_); }

    static void feed(Engine& engine, const std::string& name) {
        auto source = PcapFileSource::open(dir_ / name);
        ASSERT_TRUE(source.ok());
        RawPacket p;
        while (true) {
            auto more = source->next(p);
            ASSERT_TRUE(more.ok());
            if (!*more) break;
            engine.process(p);
        }
    }
    static const DeviceRecord* byIp(const std::vector<DeviceRecord>& devices,
                                    const std::string& ip) {
        for (const auto& d : devices) {
            for (const auto& i : d.ips) {
                if (i == ip) return &d;
            }
        }
        return nullptr;
    }
    static inline std::filesystem::path dir_;
};

TEST_F(EngineTest, InventoryOfLineOne) {
    Engine engine;
    feed(engine, "line1.pcap");
    const auto plant = test::plantLine(1);
    const auto devices = engine.devices();
    const auto* plc1 = byIp(devices, plant.find("plc1").ip());
    ASSERT_NE(plc1, nullptr);
    EXPECT_EQ(plc1->type, "plc");
    EXPECT_EQ(plc1->purdueLevel, 1);
    EXPECT_EQ(plc1->vendor, "Schneider Electric");  // FC 43/14 identity wins over the OUI
    EXPECT_EQ(plc1->model, "BMX P34 2020");
    EXPECT_EQ(plc1->firmware, "v2.70");
    EXPECT_NE(plc1->identityJson.find("\"modbus\""), std::string::npos);
    const auto* hmi = byIp(devices, plant.find("hmi").ip());
    ASSERT_NE(hmi, nullptr);
    EXPECT_EQ(hmi->type, "hmi");
    EXPECT_EQ(hmi->hostname, "hmi-line1");  // from DHCP option 12, keyed by the client MAC
    EXPECT_NE(hmi->identityJson.find("\"vendor_class\":\"ironsight-hmi\""), std::string::npos);
    const auto* ews = byIp(devices, plant.find("ews").ip());
    ASSERT_NE(ews, nullptr);
    EXPECT_EQ(ews->type, "engineering_workstation");
    EXPECT_FALSE(ews->evidence.empty());
    EXPECT_TRUE(engine.alerts().empty());  // learning mode: no policy alerts
    const auto stats = engine.stats();
    EXPECT_GT(stats.packets, 500u);
    EXPECT_EQ(stats.malformed, 0u);
    bool write = false;
    for (const auto& o : engine.operations()) {
        if (o.clientIp == plant.find("ews").ip() && o.functionCode == 16) {
            write = o.opClass == "write" && o.count == 1 && o.keys.at("unit_id") == 1;
        }
    }
    EXPECT_TRUE(write);
}

TEST_F(EngineTest, UnauthorizedWriteFiresWithLearningOffAndIsQuietOnLearnedTraffic) {
    Engine fresh(EngineOptions{.learning = false});
    feed(fresh, "line1.pcap");
    auto alerts = fresh.alerts();  // empty baseline: every device and path is new as well
    std::erase_if(alerts, [](const auto& a) { return a.type != "unauthorized_write"; });
    ASSERT_EQ(alerts.size(), 1u);
    EXPECT_EQ(alerts[0].type, "unauthorized_write");
    EXPECT_EQ(alerts[0].srcIp, test::plantLine(1).find("ews").ip());
    EXPECT_EQ(alerts[0].count, 2u);  // FC 6 and FC 16, aggregated
    EXPECT_EQ(alerts[0].severity, Severity::Major);

    Engine learner;
    feed(learner, "line1.pcap");
    Engine enforcing(EngineOptions{.learning = false});
    enforcing.importBaseline(learner.exportBaseline());
    feed(enforcing, "line1.pcap");
    EXPECT_TRUE(enforcing.alerts().empty());
    feed(enforcing, "line2.pcap");  // line 2 has no writes (its devices are new: new_device)
    for (const auto& a : enforcing.alerts()) EXPECT_NE(a.type, "unauthorized_write");
}

TEST_F(EngineTest, TakeChangesReturnsOnlyWhatChanged) {
    Engine engine(EngineOptions{.learning = false});
    feed(engine, "line2.pcap");
    auto first = engine.takeChanges();
    EXPECT_EQ(first.devices.size(), engine.devices().size());
    EXPECT_FALSE(first.connections.empty());
    auto second = engine.takeChanges();
    EXPECT_TRUE(second.empty());
    feed(engine, "line1.pcap");
    auto third = engine.takeChanges();
    EXPECT_FALSE(third.devices.empty());
    std::set<std::string> changedTypes;
    for (const auto& a : third.alerts) changedTypes.insert(a.type);
    EXPECT_TRUE(changedTypes.count("unauthorized_write"));
}

// The dissectors' flow contexts are kept in a table by flow slot (Worker::context): with more
// flows than entries (collisions), and with slots reused by new flows (a small flow bound
// evicts a flow before its next packet), every operation still names its own flow's ends.
TEST(EngineContextTest, InterleavedFlowsReportTheirOwnAddresses) {
    for (const auto& [flowCount, maxFlows] : {std::pair{1500, 262144}, std::pair{100, 16}}) {
        Engine engine(EngineOptions{.maxFlows = static_cast<std::size_t>(maxFlows)});
        std::map<std::pair<std::string, std::string>, std::uint64_t> expected;
        const auto ipText = [](int net, int i) {
            return "10." + std::to_string(net) + "." + std::to_string(i / 200) + "." +
                   std::to_string(i % 200 + 1);
        };
        const auto host = [](const std::string& ip) {
            const std::uint32_t v = test::ipv4(ip);
            return test::Host{
                test::Mac{0x00, 0x14, 0x22, static_cast<std::uint8_t>(v >> 16),
                          static_cast<std::uint8_t>(v >> 8), static_cast<std::uint8_t>(v)},
                v};
        };
        std::int64_t now = 1'000'000;
        for (int round = 0; round < 3; ++round) {
            for (int i = 0; i < flowCount; ++i) {
                // Client i and server i; in the second half, servers of the first half again
                // (one end in two flows).
                const std::string clientIp = ipText(1, i);
                const std::string serverIp = ipText(2, i < flowCount / 2 ? i : i / 2);
                const test::Host client = host(clientIp), server = host(serverIp);
                const auto clientPort = static_cast<std::uint16_t>(40000 + i % 1000);
                const test::Bytes request = test::modbusAdu(static_cast<std::uint16_t>(round), 1,
                                                            test::modbusReadRequest(3, 0, 1));
                const test::Bytes response = test::modbusAdu(static_cast<std::uint16_t>(round), 1,
                                                             test::modbusReadResponse(3, {7}));
                const auto seq = static_cast<std::uint32_t>(1000 + round * request.size());
                const auto ack = static_cast<std::uint32_t>(5000 + round * response.size());
                for (const auto& frame :
                     {test::tcpFrame(client, server, clientPort, 502, seq, ack,
                                     test::tcp::kAck | test::tcp::kPsh, request),
                      test::tcpFrame(server, client, 502, clientPort, ack,
                                     seq + static_cast<std::uint32_t>(request.size()),
                                     test::tcp::kAck | test::tcp::kPsh, response)}) {
                    RawPacket raw;
                    raw.timestampUs = now += 100;
                    raw.wireLength = static_cast<std::uint32_t>(frame.size());
                    raw.data = frame;
                    engine.process(raw);
                }
                ++expected[{clientIp, serverIp}];
            }
        }
        engine.finish();
        std::map<std::pair<std::string, std::string>, std::uint64_t> seen;
        for (const auto& op : engine.operations()) {
            if (op.protocol == "modbus") seen[{op.clientIp, op.serverIp}] += op.count;
        }
        EXPECT_EQ(seen, expected) << flowCount << " flows, at most " << maxFlows;
    }
}

}  // namespace
}  // namespace ironsight::sensor
