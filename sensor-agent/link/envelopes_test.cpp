// SPDX-License-Identifier: Apache-2.0
// Engine records -> envelopes: every field carried, severities mapped, classes chosen for eviction.
#include "sensor-agent/link/envelopes.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "sensor-agent/store/outbox.h"

namespace ironsight::sensor::link {
namespace {

TEST(EnvelopesTest, DeviceFieldsAreCarried) {
    DeviceRecord d;
    d.id = "mac:00:1d:9c:01:02:03";
    d.macs = {"00:1d:9c:01:02:03"};
    d.ips = {"10.1.1.10"};
    d.vlans = {10};
    d.interfaces = {"eth1", "eth2"};
    d.vendor = "Rockwell";
    d.model = "1756-ENBT/A";
    d.firmware = "10.27";
    d.serial = "0x00524d8e";
    d.hostname = "plc1";
    d.type = "plc";
    d.purdueLevel = 1;
    d.protocols = {{"modbus", "server"}};
    d.identityJson = R"({"modbus":{}})";
    d.evidence = {"modbus server on 502"};
    d.firstSeenMs = 5;
    d.lastSeenMs = 9;
    const v1::Device p = toProto(d);
    EXPECT_EQ(p.id(), d.id);
    EXPECT_EQ(p.macs(0), "00:1d:9c:01:02:03");
    EXPECT_EQ(p.ips(0), "10.1.1.10");
    EXPECT_EQ(p.vlans(0), 10u);
    ASSERT_EQ(p.interfaces_size(), 2);
    EXPECT_EQ(p.interfaces(0), "eth1");
    EXPECT_EQ(p.interfaces(1), "eth2");
    EXPECT_EQ(p.vendor(), "Rockwell");
    EXPECT_EQ(p.model(), "1756-ENBT/A");
    EXPECT_EQ(p.firmware(), "10.27");
    EXPECT_EQ(p.serial(), "0x00524d8e");
    EXPECT_EQ(p.hostname(), "plc1");
    EXPECT_EQ(p.type(), "plc");
    EXPECT_EQ(p.purdue_level(), 1);
    ASSERT_EQ(p.protocols_size(), 1);
    EXPECT_EQ(p.protocols(0).name(), "modbus");
    EXPECT_EQ(p.protocols(0).role(), "server");
    EXPECT_EQ(p.identity_json(), d.identityJson);
    EXPECT_EQ(p.evidence(0), "modbus server on 502");
    EXPECT_EQ(p.first_seen_ms(), 5);
    EXPECT_EQ(p.last_seen_ms(), 9);
}

TEST(EnvelopesTest, ConnectionAndAlertFieldsAndSeverities) {
    ConnectionRecord c{"a",      "b", "10.0.0.1", "10.0.0.2",        "tcp", 502,
                       "modbus", 7,   700,        {"read", "write"}, 1,     2};
    const v1::Connection pc = toProto(c);
    EXPECT_EQ(pc.src(), "a");
    EXPECT_EQ(pc.dst_ip(), "10.0.0.2");
    EXPECT_EQ(pc.port(), 502u);
    EXPECT_EQ(pc.protocol(), "modbus");
    EXPECT_EQ(pc.packets(), 7u);
    EXPECT_EQ(pc.bytes(), 700u);
    EXPECT_EQ(pc.operations_size(), 2);
    EXPECT_EQ(pc.last_seen_ms(), 2);

    AlertRecord a;
    a.id = "alert-1";
    a.engine = "policy";
    a.type = "unauthorized_write";
    a.severity = Severity::Major;
    a.title = "t";
    a.mitre = "T0855";
    a.count = 3;
    a.srcIp = "10.0.0.9";
    const v1::Alert pa = toProto(a);
    EXPECT_EQ(pa.type(), "unauthorized_write");
    EXPECT_EQ(pa.severity(), v1::SEVERITY_MAJOR);
    EXPECT_EQ(pa.count(), 3u);
    EXPECT_EQ(pa.mitre(), "T0855");
    EXPECT_EQ(pa.src_ip(), "10.0.0.9");
    EXPECT_EQ(toProto(Severity::Warning), v1::SEVERITY_WARNING);
    EXPECT_EQ(toProto(Severity::Minor), v1::SEVERITY_MINOR);
    EXPECT_EQ(toProto(Severity::Critical), v1::SEVERITY_CRITICAL);
}

TEST(EnvelopesTest, ChangeSetBecomesClassedRecordsThatParseBack) {
    ChangeSet cs;
    cs.devices.resize(2);
    cs.devices[1].id = "d2";
    cs.connections.resize(1);
    cs.alerts.resize(1);
    cs.alerts[0].id = "a1";
    const auto records = toRecords(cs);
    ASSERT_EQ(records.size(), 4u);
    EXPECT_EQ(records[0].cls, store::RecordClass::Device);
    EXPECT_EQ(records[2].cls, store::RecordClass::Connection);
    EXPECT_EQ(records[3].cls, store::RecordClass::Alert);
    v1::Envelope env;
    ASSERT_TRUE(
        env.ParseFromArray(records[1].payload.data(), static_cast<int>(records[1].payload.size())));
    ASSERT_TRUE(env.has_device());
    EXPECT_EQ(env.device().id(), "d2");
    EXPECT_EQ(env.seq(), 0u);  // assigned when sent
    ASSERT_TRUE(
        env.ParseFromArray(records[3].payload.data(), static_cast<int>(records[3].payload.size())));
    EXPECT_EQ(env.alert().id(), "a1");
    v1::Envelope health;
    health.mutable_health()->set_packets(1);
    EXPECT_EQ(toRecord(health).cls, store::RecordClass::Health);
}

TEST(EnvelopesTest, CaptureInterfacesSurviveTheStoreAcrossARestart) {
    // The sensor's store (state.db outbox, real SQLite) keeps a device's interfaces until the
    // console acknowledges it, across a restart of the sensor.
    const auto dir = std::filesystem::temp_directory_path() /
                     ("ironsight-envelopes-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    ChangeSet cs;
    cs.devices.resize(2);
    cs.devices[0].id = "mac-020000000a01";
    cs.devices[0].interfaces = {"enp3s0", "enp4s0"};
    cs.devices[1].id = "ip-10.9.9.9";  // seen on no interface (a replayed file)
    {
        auto box = store::Outbox::open(dir);
        ASSERT_TRUE(box.ok()) << box.error().message;
        ASSERT_TRUE((*box)->append(toRecords(cs), 1000).ok());
    }
    auto box = store::Outbox::open(dir);
    ASSERT_TRUE(box.ok()) << box.error().message;
    auto records = (*box)->read(1, 10, 1 << 20);
    ASSERT_TRUE(records.ok()) << records.error().message;
    ASSERT_EQ(records->size(), 2u);
    v1::Envelope env;
    ASSERT_TRUE(env.ParseFromArray((*records)[0].payload.data(),
                                   static_cast<int>((*records)[0].payload.size())));
    ASSERT_EQ(env.device().interfaces_size(), 2);
    EXPECT_EQ(env.device().interfaces(0), "enp3s0");
    EXPECT_EQ(env.device().interfaces(1), "enp4s0");
    ASSERT_TRUE(env.ParseFromArray((*records)[1].payload.data(),
                                   static_cast<int>((*records)[1].payload.size())));
    EXPECT_EQ(env.device().interfaces_size(), 0);
    std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace ironsight::sensor::link
