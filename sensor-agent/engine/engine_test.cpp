// SPDX-License-Identifier: Apache-2.0
// Engine tests over generated plant traffic: inventory, learning, unauthorized_write, changes.
#include <gtest/gtest.h>

#include <filesystem>
#include <set>

#include "sensor-agent/capture/pcap_file_source.h"
#include "sensor-agent/engine/engine.h"
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

}  // namespace
}  // namespace ironsight::sensor
