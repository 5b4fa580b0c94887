// SPDX-License-Identifier: Apache-2.0
// Detector tests: learning, unauthorized_write, aggregation, baseline round trip, catalog.
#include <gtest/gtest.h>

#include "sensor-agent/detect/alert_catalog.h"
#include "sensor-agent/detect/detector.h"

namespace ironsight::sensor::detect {
namespace {

dissect::FlowContext flow(const std::string& client, std::int64_t tsUs = 1000000) {
    return {client, "10.0.0.11", 40000, 502, dissect::Transport::Tcp, tsUs};
}

dissect::Operation write() {
    dissect::Operation op;
    op.protocol = "modbus";
    op.function = "write_single_register";
    op.functionCode = 6;
    op.opClass = "write";
    op.keys["unit_id"] = 1;
    return op;
}

TEST(AlertCatalogTest, HasTheWholeSpecTableWithText) {
    EXPECT_GE(alertTypes().size(), 23u);
    const auto* t = findAlertType("unauthorized_write");
    ASSERT_NE(t, nullptr);
    EXPECT_EQ(t->severity, Severity::Major);
    EXPECT_EQ(t->mitre, "T0855");
    EXPECT_FALSE(t->remediation.empty());
}

TEST(DetectorTest, LearningModeLearnsAndNeverAlerts) {
    Detector d(true);
    d.onOperation(flow("10.0.0.31"), write(), "ews", "plc");
    EXPECT_TRUE(d.alerts().empty());
    EXPECT_EQ(d.exportBaseline(), "talk modbus 10.0.0.31 10.0.0.11\n");
}

TEST(DetectorTest, WriteFromUnknownClientAlertsAndAggregates) {
    Detector d(false);
    d.importBaseline("talk modbus 10.0.0.21 10.0.0.11\n");
    d.onOperation(flow("10.0.0.21"), write(), "hmi", "plc");  // learned pair: quiet
    EXPECT_TRUE(d.alerts().empty());
    d.onOperation(flow("10.0.0.31", 1000000), write(), "ews", "plc");
    d.onOperation(flow("10.0.0.31", 5000000), write(), "ews", "plc");
    const auto alerts = d.alerts();
    ASSERT_EQ(alerts.size(), 1u);
    EXPECT_EQ(alerts[0].type, "unauthorized_write");
    EXPECT_EQ(alerts[0].count, 2u);
    EXPECT_EQ(alerts[0].firstSeenMs, 1000);
    EXPECT_EQ(alerts[0].lastSeenMs, 5000);
    EXPECT_EQ(alerts[0].title, "Unauthorized Modbus write");
    EXPECT_EQ(alerts[0].id, alertId("unauthorized_write", "ews", "plc"));
    EXPECT_NE(alerts[0].description.find("10.0.0.31"), std::string::npos);
    EXPECT_EQ(d.takeChangedAlertIds().size(), 1u);
    EXPECT_TRUE(d.takeChangedAlertIds().empty());
}

TEST(DetectorTest, ReadsNeverRaiseUnauthorizedWrite) {
    Detector d(false);
    auto op = write();
    op.opClass = "read";
    d.onOperation(flow("10.0.0.31"), op, "ews", "plc");
    EXPECT_TRUE(d.alerts().empty());
}

TEST(DetectorTest, EthernetLevelWritesAreKeyedByMac) {
    // Profinet DCP Set has no IPs: a learned engineering station's MAC must not cover another's.
    dissect::Operation set;
    set.protocol = "profinet_dcp";
    set.function = "set";
    set.opClass = "write";
    auto frame = [](const std::string& clientMac) {
        dissect::FlowContext f{};
        f.transport = dissect::Transport::Ethernet;
        f.clientMac = clientMac;
        f.serverMac = "00:0e:8c:00:00:01";
        f.timestampUs = 1000000;
        return f;
    };
    Detector d(true);
    d.onOperation(frame("00:1b:1b:00:00:01"), set, "pg-1", "plc");
    d.setLearning(false);
    d.onOperation(frame("00:1b:1b:00:00:01"), set, "pg-1", "plc");
    EXPECT_TRUE(d.alerts().empty());
    d.onOperation(frame("00:1b:1b:00:00:99"), set, "rogue", "plc");
    ASSERT_EQ(d.alerts().size(), 1u);
    EXPECT_EQ(d.alerts()[0].src, "rogue");
}

}  // namespace
}  // namespace ironsight::sensor::detect
