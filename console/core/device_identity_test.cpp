// SPDX-License-Identifier: Apache-2.0
// Devices from many sensors on a real console data directory (real SQLite file, real
// ConsoleService, ingest through applyBatch): one device per site for the same MAC, routed ip-
// observations joining their MAC's device, never across sites or through a router's MAC;
// operator edits surviving ingest; merge, split, zone override and VLAN rules; search; the
// schema v12 migration of existing observations.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "console/core/console_service.h"
#include "console/core/test_console_fixture.h"
#include "shared/crypto/crypto.h"

namespace ironsight::console::core {
namespace {
namespace fs = std::filesystem;

using test::messageOf;

/// A temporary directory for the tests that build their own data dir.
struct TempDir : test::TempDir {
    TempDir() : test::TempDir("ironsight-devices-") {}
};

v1::Device device(const std::string& id, std::vector<std::string> ips = {},
                  const std::string& vendor = "", std::int64_t lastSeen = 1000) {
    v1::Device d;
    d.set_id(id);
    if (id.rfind("mac-", 0) == 0) {
        std::string hex = id.substr(4), mac;
        for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
            mac += (mac.empty() ? "" : ":") + hex.substr(i, 2);
        }
        d.add_macs(mac);
    }
    for (const auto& ip : ips) d.add_ips(ip);
    d.set_vendor(vendor);
    d.set_type("plc");
    d.set_purdue_level(1);
    d.set_first_seen_ms(lastSeen);
    d.set_last_seen_ms(lastSeen);
    return d;
}

class Devices : public test::ConsoleFixture {
protected:
    Devices() : ConsoleFixture("ironsight-devices-", {"Line 1", "Line 2", "Cell 2"}) {}

    void SetUp() override {
        ConsoleFixture::SetUp();
        if (HasFatalFailure()) return;
        for (const auto& s : {s1_, s2_, s3_}) {
            ASSERT_TRUE(svc_->store().beginStream(s, 1, 1000).ok());
        }
    }

    /// Streams `devices` from `sensorId` as the next batch of its stream.
    void ingest(const std::string& sensorId, const std::vector<v1::Device>& devices) {
        v1::Batch b;
        for (const auto& d : devices) {
            auto* env = b.add_envelopes();
            env->set_seq(++seq_[sensorId]);
            *env->mutable_device() = d;
        }
        auto applied = svc_->store().applyBatch(sensorId, 1, b, 2000);
        ASSERT_TRUE(applied.ok()) << applied.error().message;
    }

    std::int64_t group(const std::string& sensor, const std::string& id) {
        auto g = svc_->deviceGroupOf(sensor, id);
        EXPECT_TRUE(g.ok()) << messageOf(g ? Status{} : Status(g.error()));
        return g ? *g : -1;
    }

    DeviceRow find(std::int64_t groupId) {
        auto d = svc_->findDevice(groupId);
        EXPECT_TRUE(d.ok()) << (d ? "" : d.error().message);
        return d ? *d : DeviceRow{};
    }

    /// Pages of one device, with and without a search term, are the full list's order: the
    /// page path builds its sort keys apart from listDevices() (primary observation, override
    /// and VLAN-rule zones).
    void expectPagesFollowTheList(const std::string& when) {
        SCOPED_TRACE(when);
        auto all = svc_->listDevices();
        ASSERT_TRUE(all.ok()) << all.error().message;
        ASSERT_FALSE(all->empty());
        for (const std::string& term : {std::string(), std::string("plc")}) {  // every device
            for (std::size_t i = 0; i < all->size(); ++i) {
                auto page = svc_->searchDevices(term, 1, static_cast<int>(i));
                ASSERT_TRUE(page.ok()) << page.error().message;
                ASSERT_EQ(page->size(), 1u) << "page " << i << " of '" << term << "'";
                EXPECT_EQ((*page)[0].groupId, (*all)[i].groupId) << "page " << i;
                EXPECT_EQ((*page)[0].zone, (*all)[i].zone) << "page " << i;
            }
        }
        // Terms matching some devices, through the trigram index and the short-term scan
        // (pages walk the stored order, schema v16): pages of one and of two equal the
        // unpaged search, which reads every match and sorts them.
        for (const std::string& term : {std::string("0000"), std::string("mac-00"),
                                         std::string("1"), std::string("e"), std::string("Line")}) {
            auto full = svc_->searchDevices(term, 0, 0);  // unpaged: every match, sorted
            ASSERT_TRUE(full.ok()) << full.error().message;
            for (std::size_t i = 0; i <= full->size(); ++i) {
                for (int size : {1, 2}) {
                    auto page = svc_->searchDevices(term, size, static_cast<int>(i));
                    ASSERT_TRUE(page.ok()) << page.error().message;
                    const std::size_t expected =
                        std::min(full->size() - i, static_cast<std::size_t>(size));
                    ASSERT_EQ(page->size(), expected) << "page " << i << " of '" << term << "'";
                    for (std::size_t k = 0; k < expected; ++k) {
                        EXPECT_EQ((*page)[k].groupId, (*full)[i + k].groupId)
                            << "row " << i + k << " of '" << term << "'";
                    }
                }
            }
        }
    }

    /// Groups whose inventory order is stored (schema v16), read from the database file.
    std::int64_t storedOrders() {
        auto db = sqlite::Db::open(dir_.path / "console.db", /*readOnly=*/true);
        EXPECT_TRUE(db.ok());
        if (!db) return -1;
        auto st = db->prepare("SELECT COUNT(*) FROM device_groups WHERE order_zone IS NOT NULL");
        EXPECT_TRUE(st.ok());
        if (!st) return -1;
        auto row = st->step();
        return row && *row ? st->columnInt(0) : -1;
    }

    std::map<std::string, std::uint64_t> seq_;
};

TEST_F(Devices, TheSameMacSeenByTwoSensorsOfASiteIsOneDevice) {
    ingest(s1_, {device("mac-000e8c01000c", {"10.10.1.12"}, "Siemens", 1000)});
    ingest(s2_, {device("mac-000e8c01000c", {"10.10.1.12"}, "", 5000)});
    ingest(s3_, {device("mac-000e8c01000c", {"10.10.1.12"}, "Siemens", 3000)});  // Plant B
    auto devices = svc_->listDevices();
    ASSERT_TRUE(devices.ok()) << devices.error().message;
    ASSERT_EQ(devices->size(), 2u);  // one per site
    const DeviceRow& a = (*devices)[0];
    EXPECT_EQ(a.site, "Plant A");
    ASSERT_EQ(a.observations.size(), 2u);
    EXPECT_EQ(a.observations[0].sensorName, "s2");  // most recently seen first
    EXPECT_EQ(a.observations[1].sensorName, "s1");
    EXPECT_EQ(a.sensorName, "s2");
    EXPECT_EQ(a.zone, "Line 2");  // the primary observation's sensor zone
    EXPECT_EQ(a.zoneSource, "sensor");
    EXPECT_EQ(a.vendor, "Siemens");  // gap of the newest filled from the other observation
    EXPECT_EQ(a.firstSeenMs, 1000);
    EXPECT_EQ(a.lastSeenMs, 5000);
    EXPECT_EQ(a.macs, std::vector<std::string>{"00:0e:8c:01:00:0c"});
    EXPECT_EQ((*devices)[1].site, "Plant B");
    EXPECT_EQ((*devices)[1].observations.size(), 1u);
    EXPECT_NE(group("s1", "mac-000e8c01000c"), group("s3", "mac-000e8c01000c"));

    // The export lists both sensors and the device id.
    auto json = nlohmann::json::parse(*svc_->exportDevices(ExportFormat::Json));
    ASSERT_EQ(json["devices"].size(), 2u);
    EXPECT_EQ(json["devices"][0]["sensors"], nlohmann::json::parse(R"(["s2", "s1"])"));
    EXPECT_EQ(json["devices"][0]["device"], a.groupId);
}

TEST_F(Devices, ARoutedObservationJoinsTheMacObservationOfItsAddress) {
    ingest(s1_, {device("mac-0080f401000b", {"10.10.1.11"})});
    // s2 sits behind a router: it sees the PLC by address only.
    ingest(s2_, {device("ip-10.10.1.11", {"10.10.1.11"})});
    EXPECT_EQ(group("s1", "mac-0080f401000b"), group("s2", "ip-10.10.1.11"));
    // The other order: a routed observation first, the MAC observation carrying it later.
    ingest(s2_, {device("ip-10.10.1.50", {"10.10.1.50"})});
    ingest(s1_, {device("mac-0080f4010050", {"10.10.1.50"})});
    EXPECT_EQ(group("s2", "ip-10.10.1.50"), group("s1", "mac-0080f4010050"));
    // An address a MAC observation gains later is found too (a trigger keeps the keys).
    ingest(s1_, {device("mac-0080f4010077")});
    ingest(s1_, {device("mac-0080f4010077", {"10.10.1.77"})});
    ingest(s2_, {device("ip-10.10.1.77", {"10.10.1.77"})});
    EXPECT_EQ(group("s1", "mac-0080f4010077"), group("s2", "ip-10.10.1.77"));
    EXPECT_EQ(svc_->listDevices()->size(), 3u);
    // Two sites never share a device, whatever the keys.
    ingest(s3_, {device("ip-10.10.1.11", {"10.10.1.11"})});
    EXPECT_NE(group("s3", "ip-10.10.1.11"), group("s1", "mac-0080f401000b"));
}

TEST_F(Devices, ARoutersMacNeverMergesTheHostsBehindIt) {
    // The router's own observation carries its MAC and its own address; the routed hosts are
    // ip- observations whose packets all came from the router's MAC.
    ingest(s1_, {device("mac-00000c9f0001", {"10.10.1.1"})});
    std::vector<v1::Device> routed;
    for (int i = 1; i <= 5; ++i) {
        auto d = device("ip-192.168.7." + std::to_string(i), {"192.168.7." + std::to_string(i)});
        d.add_macs("00:00:0c:9f:00:01");
        routed.push_back(d);
    }
    ingest(s1_, routed);
    ingest(s2_, routed);  // and a second sensor sees them the same way
    auto devices = svc_->listDevices();
    ASSERT_EQ(devices->size(), 6u);  // the router + 5 hosts, each seen by both sensors
    std::set<std::int64_t> groups;
    for (const auto& d : *devices) groups.insert(d.groupId);
    EXPECT_EQ(groups.size(), 6u);
    for (int i = 1; i <= 5; ++i) {
        const std::string id = "ip-192.168.7." + std::to_string(i);
        EXPECT_EQ(group("s1", id), group("s2", id));
        EXPECT_NE(group("s1", id), group("s1", "mac-00000c9f0001"));
    }
    // s2 sees the router's own address routed: it joins the router. A second MAC with that
    // address (a reassigned lease) stays a device of its own.
    ingest(s2_, {device("ip-10.10.1.1", {"10.10.1.1"})});
    EXPECT_EQ(group("s2", "ip-10.10.1.1"), group("s1", "mac-00000c9f0001"));
    ingest(s1_, {device("mac-00000c9f0002", {"10.10.1.1"})});
    EXPECT_NE(group("s1", "mac-00000c9f0002"), group("s1", "mac-00000c9f0001"));
}

TEST_F(Devices, EditsSurviveLaterSensorUpdatesOfEveryObservation) {
    ingest(s1_, {device("mac-000e8c01000c", {"10.10.1.12"}, "Siemens", 1000)});
    ingest(s2_, {device("mac-000e8c01000c", {"10.10.1.12"}, "Siemens", 1100)});
    const std::int64_t g = group("s1", "mac-000e8c01000c");
    Session analyst = signIn("ana", Role::Analyst);
    DeviceEdit edit;
    edit.name = "PLC-Line1";
    edit.type = "rtu";
    edit.purdueLevel = 2;
    edit.criticality = "high";
    edit.authorized = "yes";
    edit.notes = "Spare in store room 4";
    ASSERT_EQ(messageOf(svc_->editDevice(analyst, g, edit)), "ok");
    AuditRow rec = lastAudit();
    EXPECT_EQ(rec.actor, "ana");
    EXPECT_EQ(rec.action, "device.edit");
    EXPECT_EQ(rec.target, "device " + std::to_string(g));
    EXPECT_EQ(rec.source, "test");
    EXPECT_EQ(rec.outcome,
              "ok: name=PLC-Line1, type=rtu, criticality=high, notes=Spare in store room 4, "
              "purdue_level=2, authorized=yes");

    // Both sensors report again, with other values: the edits stay, the reports update.
    auto later = device("mac-000e8c01000c", {"10.10.1.12"}, "Siemens AG", 9000);
    later.set_type("hmi");
    later.set_purdue_level(3);
    ingest(s1_, {later});
    ingest(s2_, {later});
    DeviceRow d = find(g);
    EXPECT_EQ(d.name, "PLC-Line1");
    EXPECT_EQ(d.type, "rtu");
    EXPECT_TRUE(d.typeEdited);
    EXPECT_EQ(d.reportedType, "hmi");
    EXPECT_EQ(d.purdueLevel, 2);
    EXPECT_EQ(d.reportedPurdueLevel, 3);
    EXPECT_EQ(d.criticality, "high");
    EXPECT_EQ(d.authorized, std::optional<bool>(true));
    EXPECT_EQ(d.notes, "Spare in store room 4");
    EXPECT_EQ(d.vendor, "Siemens AG");
    EXPECT_EQ(d.lastSeenMs, 9000);
    EXPECT_EQ(d.editedBy, "ana");

    // Clearing an edit shows the reported value again.
    DeviceEdit clear;
    clear.type = "";
    clear.purdueLevel = -1;
    ASSERT_EQ(messageOf(svc_->editDevice(analyst, g, clear)), "ok");
    d = find(g);
    EXPECT_EQ(d.type, "hmi");
    EXPECT_EQ(d.purdueLevel, 3);
    EXPECT_EQ(d.name, "PLC-Line1");

    // Bad values: one clear line, nothing changed, the refusal audited.
    DeviceEdit bad;
    bad.criticality = "extreme";
    EXPECT_EQ(messageOf(svc_->editDevice(analyst, g, bad)),
              "invalid criticality 'extreme': use low, medium, high or critical");
    EXPECT_EQ(lastAudit().outcome,
              "failed: invalid criticality 'extreme': use low, medium, high or critical");
    bad = {};
    bad.purdueLevel = 7;
    EXPECT_EQ(messageOf(svc_->editDevice(analyst, g, bad)), "invalid Purdue level 7: use 0 to 5");
    bad = {};
    bad.authorized = "maybe";
    EXPECT_EQ(messageOf(svc_->editDevice(analyst, g, bad)),
              "invalid authorized value 'maybe': use yes or no");
    EXPECT_EQ(messageOf(svc_->editDevice(analyst, 9999, edit)), "no device 9999");
    EXPECT_EQ(messageOf(svc_->editDevice(analyst, g, DeviceEdit{})),
              "nothing to change: give at least one field");
    EXPECT_EQ(find(g).criticality, "high");

    // Read-only may not edit (refused and audited).
    Session viewer = signIn("vic", Role::Viewer);
    EXPECT_EQ(messageOf(svc_->editDevice(viewer, g, edit)),
              "permission denied: viewer may not edit, merge or split devices");
    EXPECT_EQ(lastAudit().action, "device.edit");
    EXPECT_EQ(lastAudit().outcome,
              "denied: permission denied: viewer may not edit, merge or split devices");
}

TEST_F(Devices, MergeAndSplitAreAuditedRoleCheckedAndStick) {
    ingest(s1_, {device("mac-0000000000a1", {"10.0.0.1"}, "", 1000)});
    ingest(s2_, {device("mac-0000000000a2", {"10.0.0.2"}, "", 2000)});  // a second NIC
    ingest(s3_, {device("mac-0000000000a3", {"10.0.0.3"})});
    const std::int64_t a = group("s1", "mac-0000000000a1");
    const std::int64_t b = group("s2", "mac-0000000000a2");
    const std::int64_t c = group("s3", "mac-0000000000a3");
    Session admin = signIn("admin", Role::Admin);
    Session viewer = signIn("vic", Role::Viewer);
    DeviceEdit ea, eb;
    ea.name = "Historian";
    eb.name = "ignored";
    eb.notes = "two NICs";
    ASSERT_TRUE(svc_->editDevice(admin, a, ea).ok());
    ASSERT_TRUE(svc_->editDevice(admin, b, eb).ok());

    EXPECT_EQ(messageOf(svc_->mergeDevices(viewer, a, b)),
              "permission denied: viewer may not edit, merge or split devices");
    EXPECT_EQ(messageOf(svc_->mergeDevices(admin, a, c)),
              "cannot merge devices of different sites (device " + std::to_string(a) +
                  " is in 'Plant A', device " + std::to_string(c) + " in 'Plant B')");
    EXPECT_EQ(lastAudit().outcome.rfind("failed: cannot merge devices of different sites", 0), 0u);
    EXPECT_EQ(messageOf(svc_->mergeDevices(admin, a, a)),
              "cannot merge device " + std::to_string(a) + " into itself");
    ASSERT_EQ(messageOf(svc_->mergeDevices(admin, a, b)), "ok");
    AuditRow rec = lastAudit();
    EXPECT_EQ(rec.action, "device.merge");
    EXPECT_EQ(rec.actor, "admin");
    EXPECT_EQ(rec.outcome, "ok: device " + std::to_string(b) + " merged in (1 observation(s))");
    DeviceRow d = find(a);
    EXPECT_EQ(d.name, "Historian");  // A keeps its edits
    EXPECT_EQ(d.notes, "two NICs");  // B's fill A's unset fields
    EXPECT_EQ(d.observations.size(), 2u);
    EXPECT_EQ(d.ips, (std::vector<std::string>{"10.0.0.2", "10.0.0.1"}));
    EXPECT_EQ(messageOf(svc_->findDevice(b) ? Status{} : Status(svc_->findDevice(b).error())),
              "no device " + std::to_string(b));
    // Later updates keep the merge.
    ingest(s2_, {device("mac-0000000000a2", {"10.0.0.2"}, "", 3000)});
    EXPECT_EQ(group("s2", "mac-0000000000a2"), a);

    // Split the second NIC out again; updates and new sightings keep it split.
    EXPECT_EQ(messageOf(svc_->splitDevice(viewer, "s2", "mac-0000000000a2")
                            ? Status{}
                            : Status(svc_->splitDevice(viewer, "s2", "mac-0000000000a2").error())),
              "permission denied: viewer may not edit, merge or split devices");
    auto split = svc_->splitDevice(admin, "s2", "mac-0000000000a2");
    ASSERT_TRUE(split.ok()) << split.error().message;
    EXPECT_EQ(lastAudit().action, "device.split");
    EXPECT_EQ(lastAudit().outcome,
              "ok: s2/mac-0000000000a2 is now device " + std::to_string(*split));
    EXPECT_EQ(find(*split).name, "");  // a split-off device starts without edits
    EXPECT_EQ(find(a).name, "Historian");
    ingest(s2_, {device("mac-0000000000a2", {"10.0.0.2"}, "", 4000)});
    EXPECT_EQ(group("s2", "mac-0000000000a2"), *split);
    ingest(s1_, {device("mac-0000000000a2", {"10.0.0.2"}, "", 4000)});  // s1 sees it too now
    EXPECT_EQ(group("s1", "mac-0000000000a2"), *split);
    auto only = svc_->splitDevice(admin, "s1", "mac-0000000000a1");
    ASSERT_FALSE(only.ok());
    EXPECT_EQ(only.error().message,
              "device " + std::to_string(a) + " has no other observation: nothing to split");
    auto unknown = svc_->splitDevice(admin, "s1", "mac-ffffffffffff");
    ASSERT_FALSE(unknown.ok());
    EXPECT_EQ(unknown.error().message, "sensor 's1' reported no device 'mac-ffffffffffff'");
}

TEST_F(Devices, ZoneOverrideAndVlanRules) {
    auto tagged = device("mac-0000000000b1", {"10.0.20.5"});
    tagged.add_vlans(20);
    ingest(s1_, {tagged, device("mac-0000000000b2", {"10.0.10.5"})});
    const std::int64_t t = group("s1", "mac-0000000000b1");
    const std::int64_t u = group("s1", "mac-0000000000b2");
    Session admin = signIn("admin", Role::Admin);
    Session analyst = signIn("ana", Role::Analyst);
    EXPECT_EQ(find(t).zone, "Line 1");

    // VLAN 20 of s1 is Cell 2: only the tagged device moves.
    EXPECT_EQ(messageOf(svc_->setZoneRule(analyst, "s1", 20, "Cell 2")),
              "permission denied: analyst may not change VLAN and interface zone rules");
    EXPECT_EQ(messageOf(svc_->setZoneRule(admin, "s1", 20, "Boiler")),
              "no zone 'Boiler' in site 'Plant A' (the sensor's site)");
    EXPECT_EQ(messageOf(svc_->setZoneRule(admin, "s1", 5000, "Cell 2")),
              "invalid VLAN 5000: use 1 to 4094");
    ASSERT_EQ(messageOf(svc_->setZoneRule(admin, "s1", 20, "Cell 2")), "ok");
    EXPECT_EQ(lastAudit().action, "device.zone_rule");
    EXPECT_EQ(lastAudit().outcome, "ok: zone Cell 2");
    EXPECT_EQ(find(t).zone, "Cell 2");
    EXPECT_EQ(find(t).zoneSource, "vlan");
    EXPECT_EQ(find(u).zone, "Line 1");
    expectPagesFollowTheList("with a VLAN rule");
    auto rules = svc_->listZoneRules();
    ASSERT_EQ(rules->size(), 1u);
    EXPECT_EQ((*rules)[0].sensorName, "s1");
    EXPECT_EQ((*rules)[0].vlan, 20u);
    EXPECT_EQ((*rules)[0].zone, "Cell 2");
    std::vector<std::string> ids;
    auto found = svc_->searchDevices("cell 2");
    ASSERT_TRUE(found.ok()) << found.error().message;
    for (const auto& d : *found) ids.push_back(d.deviceId);
    EXPECT_EQ(ids, std::vector<std::string>{"mac-0000000000b1"});

    // The operator's override wins over the rule; "" hands the zone back.
    DeviceEdit z;
    z.zone = "Line 2";
    ASSERT_TRUE(svc_->editDevice(analyst, t, z).ok());
    EXPECT_EQ(find(t).zone, "Line 2");
    EXPECT_EQ(find(t).zoneSource, "override");
    expectPagesFollowTheList("with an override");
    z.zone = "Boiler";
    EXPECT_EQ(messageOf(svc_->editDevice(analyst, t, z)),
              "no zone 'Boiler' in site 'Plant A' (the device's site)");
    z.zone = "";
    ASSERT_TRUE(svc_->editDevice(analyst, t, z).ok());
    EXPECT_EQ(find(t).zone, "Cell 2");

    ASSERT_EQ(messageOf(svc_->removeZoneRule(admin, "s1", 20)), "ok");
    EXPECT_EQ(messageOf(svc_->removeZoneRule(admin, "s1", 20)),
              "no zone rule for VLAN 20 of sensor 's1'");
    EXPECT_EQ(find(t).zone, "Line 1");

    // Deleting a zone drops the overrides and rules that point to it.
    ASSERT_TRUE(svc_->setZoneRule(admin, "s1", 20, "Cell 2").ok());
    z.zone = "Cell 2";
    ASSERT_TRUE(svc_->editDevice(analyst, u, z).ok());
    ASSERT_TRUE(svc_->deleteZone(admin, "Plant A", "Cell 2").ok());
    EXPECT_EQ(find(t).zone, "Line 1");
    EXPECT_EQ(find(u).zone, "Line 1");
    EXPECT_TRUE(svc_->listZoneRules()->empty());
    expectPagesFollowTheList("the override's zone deleted");  // FK actions fire v16's triggers
}

TEST_F(Devices, InterfaceRulesComeAfterVlanRulesAndBeforeTheSensorZone) {
    // A live sensor reports the capture interfaces each device was seen on (schema v17).
    auto a = device("mac-0000000000f1", {"10.0.30.1"});
    a.add_interfaces("eth1");
    a.add_interfaces("eth2");
    auto b = device("mac-0000000000f2", {"10.0.30.2"});
    b.add_interfaces("eth2");
    b.add_vlans(20);
    auto c = device("mac-0000000000f3", {"10.0.30.3"});  // no interface: a replayed file
    ingest(s1_, {a, b, c});
    const std::int64_t ga = group("s1", "mac-0000000000f1");
    const std::int64_t gb = group("s1", "mac-0000000000f2");
    const std::int64_t gc = group("s1", "mac-0000000000f3");
    ASSERT_EQ(find(ga).observations.size(), 1u);
    EXPECT_EQ(find(ga).observations[0].interfaces, (std::vector<std::string>{"eth1", "eth2"}));
    EXPECT_TRUE(find(gc).observations[0].interfaces.empty());
    EXPECT_EQ(storedOrders(), 3);  // no rule yet: every order stored
    Session admin = signIn("admin", Role::Admin);
    Session analyst = signIn("ana", Role::Analyst);

    // Admin only, a zone of the sensor's site, a name as sensors report them; refusals audited.
    EXPECT_EQ(messageOf(svc_->setInterfaceZoneRule(analyst, "s1", "eth2", "Cell 2")),
              "permission denied: analyst may not change VLAN and interface zone rules");
    EXPECT_EQ(lastAudit().action, "device.zone_rule");
    EXPECT_EQ(lastAudit().outcome.rfind("denied", 0), 0u) << lastAudit().outcome;
    EXPECT_EQ(messageOf(svc_->setInterfaceZoneRule(admin, "s1", "eth2", "Boiler")),
              "no zone 'Boiler' in site 'Plant A' (the sensor's site)");
    EXPECT_EQ(lastAudit().outcome,
              "failed: no zone 'Boiler' in site 'Plant A' (the sensor's site)");
    EXPECT_EQ(messageOf(svc_->setInterfaceZoneRule(admin, "s1", "eth 2", "Cell 2")),
              "invalid interface name 'eth 2': 1 to 64 characters without spaces (as "
              "`ironsight-sensor interfaces` lists them)");
    EXPECT_EQ(messageOf(svc_->setInterfaceZoneRule(admin, "s9", "eth2", "Cell 2")),
              "no sensor named 's9'");
    EXPECT_TRUE(svc_->listZoneRules()->empty());

    // eth2 of s1 is Cell 2: a and b move, c (no interface) stays in the sensor's zone.
    ASSERT_EQ(messageOf(svc_->setInterfaceZoneRule(admin, "s1", "eth2", "Cell 2")), "ok");
    EXPECT_EQ(lastAudit().action, "device.zone_rule");
    EXPECT_EQ(lastAudit().target, "s1/interface eth2");
    EXPECT_EQ(lastAudit().outcome, "ok: zone Cell 2");
    EXPECT_EQ(find(ga).zone, "Cell 2");
    EXPECT_EQ(find(ga).zoneSource, "interface");
    EXPECT_EQ(find(gb).zone, "Cell 2");
    EXPECT_EQ(find(gc).zone, "Line 1");
    EXPECT_EQ(find(gc).zoneSource, "sensor");
    EXPECT_EQ(storedOrders(), 0);  // s1 has a rule: its devices are keyed at search time
    expectPagesFollowTheList("with an interface rule");

    // The first of a device's interfaces (in the sensor's order) that has a rule decides.
    ASSERT_TRUE(svc_->setInterfaceZoneRule(admin, "s1", "eth1", "Line 2").ok());
    EXPECT_EQ(find(ga).zone, "Line 2");
    EXPECT_EQ(find(gb).zone, "Cell 2");
    // A VLAN rule wins over an interface rule; the operator's override over both.
    ASSERT_TRUE(svc_->setZoneRule(admin, "s1", 20, "Line 2").ok());
    EXPECT_EQ(find(gb).zone, "Line 2");
    EXPECT_EQ(find(gb).zoneSource, "vlan");
    DeviceEdit z;
    z.zone = "Line 1";
    ASSERT_TRUE(svc_->editDevice(analyst, ga, z).ok());
    EXPECT_EQ(find(ga).zone, "Line 1");
    EXPECT_EQ(find(ga).zoneSource, "override");
    expectPagesFollowTheList("override, VLAN and interface rules");
    z.zone = "";
    ASSERT_TRUE(svc_->editDevice(analyst, ga, z).ok());
    EXPECT_EQ(find(ga).zone, "Line 2");

    // Both kinds listed: by sensor, VLAN rules first, then interfaces by name.
    auto rules = svc_->listZoneRules();
    ASSERT_TRUE(rules.ok()) << rules.error().message;
    ASSERT_EQ(rules->size(), 3u);
    EXPECT_EQ((*rules)[0].vlan, 20u);
    EXPECT_EQ((*rules)[0].interface, "");
    EXPECT_EQ((*rules)[1].interface, "eth1");
    EXPECT_EQ((*rules)[1].zone, "Line 2");
    EXPECT_EQ((*rules)[1].vlan, 0u);
    EXPECT_EQ((*rules)[2].interface, "eth2");
    EXPECT_EQ((*rules)[2].site, "Plant A");
    EXPECT_EQ((*rules)[2].sensorName, "s1");

    // Search: an interface rule's zone like a VLAN rule's, and the interface names themselves.
    auto ids = [&](const std::string& term) {
        std::vector<std::string> out;
        auto found = svc_->searchDevices(term);
        EXPECT_TRUE(found.ok()) << found.error().message;
        if (found) {
            for (const auto& d : *found) out.push_back(d.deviceId);
        }
        return out;
    };
    EXPECT_EQ(ids("cell 2"), (std::vector<std::string>{"mac-0000000000f1", "mac-0000000000f2"}));
    EXPECT_EQ(ids("eth1"), std::vector<std::string>{"mac-0000000000f1"});
    EXPECT_EQ(ids("th2"), (std::vector<std::string>{"mac-0000000000f1", "mac-0000000000f2"}));

    // Ingest changes the interfaces: b is seen on eth1 only now (its VLAN tag dropped too).
    b.clear_interfaces();
    b.add_interfaces("eth1");
    b.clear_vlans();
    ingest(s1_, {b});
    EXPECT_EQ(find(gb).zone, "Line 2");
    EXPECT_EQ(find(gb).zoneSource, "interface");
    EXPECT_EQ(ids("eth2"), std::vector<std::string>{"mac-0000000000f1"});

    // Removing: audited; a second removal is an error naming the rule.
    ASSERT_EQ(messageOf(svc_->removeInterfaceZoneRule(admin, "s1", "eth1")), "ok");
    EXPECT_EQ(lastAudit().target, "s1/interface eth1");
    EXPECT_EQ(lastAudit().outcome, "ok: removed");
    EXPECT_EQ(messageOf(svc_->removeInterfaceZoneRule(admin, "s1", "eth1")),
              "no zone rule for interface 'eth1' of sensor 's1'");
    EXPECT_EQ(messageOf(svc_->removeInterfaceZoneRule(analyst, "s1", "eth2")),
              "permission denied: analyst may not change VLAN and interface zone rules");
    EXPECT_EQ(find(ga).zone, "Cell 2");
    EXPECT_EQ(find(gb).zone, "Line 1");
    ASSERT_TRUE(svc_->removeZoneRule(admin, "s1", 20).ok());
    ASSERT_TRUE(svc_->removeInterfaceZoneRule(admin, "s1", "eth2").ok());
    EXPECT_EQ(storedOrders(), 3);  // no rule left: the orders are stored again
    expectPagesFollowTheList("interface rules removed");

    // A zone moving to another site drops the rules pointing to it; deleting one too.
    ASSERT_TRUE(svc_->setInterfaceZoneRule(admin, "s1", "eth2", "Cell 2").ok());
    ASSERT_TRUE(svc_->moveZone("Plant A", "Cell 2", "Plant B").ok());
    EXPECT_TRUE(svc_->listZoneRules()->empty());
    EXPECT_EQ(find(ga).zone, "Line 1");
    ASSERT_TRUE(svc_->setInterfaceZoneRule(admin, "s1", "eth2", "Line 2").ok());
    EXPECT_EQ(find(ga).zone, "Line 2");
    expectPagesFollowTheList("rule to Line 2");
    ASSERT_TRUE(svc_->moveZone("Plant A", "Line 2", "Plant B").ok());  // takes s2 along
    EXPECT_TRUE(svc_->listZoneRules()->empty());
    EXPECT_EQ(find(ga).zone, "Line 1");
    expectPagesFollowTheList("the rule's zone moved away");
}

TEST_F(Devices, SearchCoversEditsAndEveryObservation) {
    auto a = device("mac-0000000000c1", {"10.1.1.1"}, "Siemens");
    a.set_serial("SN-4711");
    ingest(s1_, {a, device("mac-0000000000c2", {"10.1.1.2"}, "Moxa")});
    auto other = device("mac-0000000000c1", {"10.1.1.1"}, "", 500);
    other.set_hostname("plc-hall-7");  // only the older observation (s2) has the hostname
    ingest(s2_, {other});
    DeviceEdit e;
    e.name = "Kiln controller";
    e.notes = "vendor support contract 2291";
    e.criticality = "critical";
    ASSERT_TRUE(svc_->editDevice(group("s1", "mac-0000000000c2"), e).ok());
    using Ids = std::vector<std::string>;
    auto ids = [&](const std::string& term) {
        Ids out;
        auto rows = svc_->searchDevices(term);
        if (!rows) return Ids{"error: " + rows.error().message};
        for (const auto& d : *rows) out.push_back(d.deviceId);
        return out;
    };
    EXPECT_EQ(ids("kiln"), Ids{"mac-0000000000c2"});
    EXPECT_EQ(ids("contract 2291"), Ids{"mac-0000000000c2"});
    EXPECT_EQ(ids("CRITICAL"), Ids{"mac-0000000000c2"});
    EXPECT_EQ(ids("plc-hall"), Ids{"mac-0000000000c1"});  // from the other sensor's report
    EXPECT_EQ(ids("sn-4711"), Ids{"mac-0000000000c1"});
    EXPECT_EQ(ids("10.1.1."), (Ids{"mac-0000000000c1", "mac-0000000000c2"}));
    EXPECT_EQ(ids("s2"), Ids{"mac-0000000000c1"});  // a sensor of one observation
    EXPECT_EQ(ids("nothing like it"), Ids{});
    EXPECT_EQ(svc_->searchDevices("", 1, 1)->size(), 1u);
    EXPECT_EQ((*svc_->searchDevices("", 1, 1))[0].deviceId, "mac-0000000000c2");
    expectPagesFollowTheList("a device seen by two sensors");
}

TEST_F(Devices, SearchFindsFragmentsShortTermsEditsAndMerges) {
    auto a = device("mac-001b1b0a0b0c", {"10.7.3.21"}, "Moxa");
    a.set_hostname("kiln-ctrl-west-04");
    auto b = device("mac-001b1b0a0b0d", {"10.7.4.9"}, "Siemens");
    b.set_model("K7");
    ingest(s1_, {a, b});
    auto c = device("mac-001b1b0a0b0e", {"192.168.5.5"}, "ABB");
    c.set_hostname("beta-unit");
    ingest(s2_, {c});
    using Ids = std::vector<std::string>;
    auto ids = [&](const std::string& term) {
        Ids out;
        auto rows = svc_->searchDevices(term);
        if (!rows) return Ids{"error: " + rows.error().message};
        for (const auto& d : *rows) out.push_back(d.deviceId);
        return out;
    };
    EXPECT_EQ(ids("trl-WE"), Ids{"mac-001b1b0a0b0c"});  // the middle of a hostname, any case
    EXPECT_EQ(ids(".3.2"), Ids{"mac-001b1b0a0b0c"});    // an IP fragment
    EXPECT_EQ(ids("0A:0B:0"),  // a MAC fragment
              (Ids{"mac-001b1b0a0b0c", "mac-001b1b0a0b0d", "mac-001b1b0a0b0e"}));
    EXPECT_EQ(ids("b:0d"), Ids{"mac-001b1b0a0b0d"});
    EXPECT_EQ(ids("0a0b0e"), Ids{"mac-001b1b0a0b0e"});  // the device id
    // Shorter than a trigram: the fallback scan, same semantics.
    EXPECT_EQ(ids("k7"), Ids{"mac-001b1b0a0b0d"});
    EXPECT_EQ(ids("5."), Ids{"mac-001b1b0a0b0e"});
    // Quotes are literal text (the stored address lists are JSON), not FTS5 syntax.
    EXPECT_EQ(ids("\"10.7.3.21\""), Ids{"mac-001b1b0a0b0c"});
    EXPECT_EQ(ids("\"nothing"), Ids{});
    EXPECT_EQ(ids("OR"), Ids{});
    EXPECT_EQ(ids("-unit"), Ids{"mac-001b1b0a0b0e"});

    // A reported value that changes: the old text no longer matches, the new one does.
    a.set_vendor("Hirschmann");
    ingest(s1_, {a});
    EXPECT_EQ(ids("moxa"), Ids{});
    EXPECT_EQ(ids("hirsch"), Ids{"mac-001b1b0a0b0c"});
    // Only the last-seen time changing leaves the text as it was.
    a.set_last_seen_ms(9000);
    ingest(s1_, {a});
    EXPECT_EQ(ids("hirsch"), Ids{"mac-001b1b0a0b0c"});
    // An operator edit, then its removal.
    const std::int64_t ga = group("s1", "mac-001b1b0a0b0c");
    DeviceEdit e;
    e.name = "Boiler feed pump";
    e.notes = "spare in store 12";
    ASSERT_TRUE(svc_->editDevice(ga, e).ok());
    EXPECT_EQ(ids("feed pu"), Ids{"mac-001b1b0a0b0c"});
    EXPECT_EQ(ids("12"), Ids{"mac-001b1b0a0b0c"});  // notes, through the short-term scan
    e.name = "";
    ASSERT_TRUE(svc_->editDevice(ga, e).ok());
    EXPECT_EQ(ids("feed pu"), Ids{});
    EXPECT_EQ(ids("store 12"), Ids{"mac-001b1b0a0b0c"});

    // A merged device answers for the text of every observation it took in.
    const std::int64_t gc = group("s2", "mac-001b1b0a0b0e");
    ASSERT_TRUE(svc_->mergeDevices(ga, gc).ok());
    auto merged = svc_->searchDevices("beta-un");
    ASSERT_TRUE(merged.ok()) << merged.error().message;
    ASSERT_EQ(merged->size(), 1u);
    EXPECT_EQ((*merged)[0].groupId, ga);
    EXPECT_EQ((*merged)[0].observations.size(), 2u);
    auto byOther = svc_->searchDevices("kiln-ctrl");
    ASSERT_EQ(byOther->size(), 1u);
    EXPECT_EQ((*byOther)[0].groupId, ga);
    // Split again: the observation's text goes with it.
    auto split = svc_->splitDevice("s2", "mac-001b1b0a0b0e");
    ASSERT_TRUE(split.ok()) << split.error().message;
    auto apart = svc_->searchDevices("beta-un");
    ASSERT_EQ(apart->size(), 1u);
    EXPECT_EQ((*apart)[0].groupId, *split);
}

TEST_F(Devices, MovingAZoneTakesItsDevicesAlong) {
    ingest(s1_, {device("mac-0000000000d1", {"10.2.0.1"})});
    ingest(s2_, {device("mac-0000000000d1", {"10.2.0.1"}), device("mac-0000000000d2")});
    const std::int64_t shared = group("s1", "mac-0000000000d1");
    const std::int64_t alone = group("s2", "mac-0000000000d2");
    DeviceEdit e;
    e.name = "Shared PLC";
    ASSERT_TRUE(svc_->editDevice(shared, e).ok());
    ASSERT_TRUE(svc_->moveZone("Plant A", "Line 2", "Plant B").ok());
    // s2's observation of the shared device becomes a device of Plant B with a copy of the edits.
    const std::int64_t moved = group("s2", "mac-0000000000d1");
    EXPECT_NE(moved, shared);
    EXPECT_EQ(find(moved).site, "Plant B");
    EXPECT_EQ(find(moved).name, "Shared PLC");
    EXPECT_EQ(find(shared).site, "Plant A");
    EXPECT_EQ(find(alone).site, "Plant B");
    // New observations join by the keys of their own site.
    ingest(s3_, {device("mac-0000000000d2")});
    EXPECT_EQ(group("s3", "mac-0000000000d2"), alone);
    ingest(s3_, {device("mac-0000000000d1")});
    EXPECT_EQ(group("s3", "mac-0000000000d1"), moved);
}

TEST_F(Devices, SearchPagesFollowTheListAfterEveryChange) {
    // Eight devices in three zones of two sites, names sorting apart from their ids.
    ingest(s1_, {device("mac-0000000000e5", {"10.3.0.5"}), device("mac-0000000000e1"),
                 device("mac-0000000000e9", {"10.3.0.9"})});
    ingest(s2_, {device("mac-0000000000e2"), device("mac-0000000000e7", {"10.3.0.7"}),
                 device("ip-10.3.0.40")});
    ingest(s3_, {device("mac-0000000000e3"), device("mac-0000000000e8")});
    EXPECT_EQ(storedOrders(), 8);  // every device: one observation, no VLAN rule
    expectPagesFollowTheList("after ingest");
    Session admin = signIn("admin", Role::Admin);

    // A second sensor sees e5: two observations, the newer one (s2, Line 2) leads.
    ingest(s2_, {device("mac-0000000000e5", {"10.3.0.5"}, "", 5000)});
    const std::int64_t e5 = group("s1", "mac-0000000000e5");
    EXPECT_EQ(find(e5).zone, "Line 2");
    EXPECT_EQ(storedOrders(), 7);
    expectPagesFollowTheList("two observations");
    ingest(s1_, {device("mac-0000000000e5", {"10.3.0.5"}, "", 9000)});  // s1 leads again
    EXPECT_EQ(find(e5).zone, "Line 1");
    expectPagesFollowTheList("the other observation newer");

    // Override, then merge, split, edits.
    DeviceEdit z;
    z.zone = "Cell 2";
    const std::int64_t e9 = group("s1", "mac-0000000000e9");
    ASSERT_TRUE(svc_->editDevice(admin, e9, z).ok());
    EXPECT_EQ(storedOrders(), 7);  // an override is stored too
    expectPagesFollowTheList("override");
    const std::int64_t e2 = group("s2", "mac-0000000000e2");
    ASSERT_TRUE(svc_->mergeDevices(admin, e9, e2).ok());
    expectPagesFollowTheList("merged");
    auto split = svc_->splitDevice(admin, "s2", "mac-0000000000e2");
    ASSERT_TRUE(split.ok()) << split.error().message;
    EXPECT_EQ(find(*split).zone, "Line 2");  // no edits: its sensor's zone
    expectPagesFollowTheList("split");
    DeviceEdit name;
    name.name = "A first";
    ASSERT_TRUE(svc_->editDevice(admin, group("s3", "mac-0000000000e8"), name).ok());
    expectPagesFollowTheList("renamed");
    z.zone = "";
    ASSERT_TRUE(svc_->editDevice(admin, e9, z).ok());
    EXPECT_EQ(find(e9).zone, "Line 1");
    expectPagesFollowTheList("override removed");

    // A VLAN rule of s2 moves its tagged device; the rule's devices are keyed at search time.
    auto tagged = device("mac-0000000000e7", {"10.3.0.7"});
    tagged.add_vlans(30);
    ingest(s2_, {tagged});
    ASSERT_TRUE(svc_->setZoneRule(admin, "s2", 30, "Cell 2").ok());
    EXPECT_EQ(find(group("s2", "mac-0000000000e7")).zone, "Cell 2");
    expectPagesFollowTheList("VLAN rule");
    tagged.clear_vlans();  // ingest drops the tag: back in the sensor's zone
    ingest(s2_, {tagged});
    EXPECT_EQ(find(group("s2", "mac-0000000000e7")).zone, "Line 2");
    expectPagesFollowTheList("VLAN tag dropped");
    ASSERT_TRUE(svc_->removeZoneRule(admin, "s2", 30).ok());
    expectPagesFollowTheList("VLAN rule removed");
    EXPECT_EQ(storedOrders(), 7);

    // An interface rule of s2 likewise (schema v17): its devices lose their stored order while
    // it exists, and get it back when it is removed.
    auto spanned = device("mac-0000000000e7", {"10.3.0.7"});
    spanned.add_interfaces("eth3");
    ingest(s2_, {spanned});
    ASSERT_TRUE(svc_->setInterfaceZoneRule(admin, "s2", "eth3", "Cell 2").ok());
    EXPECT_EQ(find(group("s2", "mac-0000000000e7")).zone, "Cell 2");
    EXPECT_EQ(find(group("s2", "mac-0000000000e7")).zoneSource, "interface");
    EXPECT_LT(storedOrders(), 7);
    expectPagesFollowTheList("interface rule");
    spanned.clear_interfaces();  // seen on another interface now: back in the sensor's zone
    spanned.add_interfaces("eth4");
    ingest(s2_, {spanned});
    EXPECT_EQ(find(group("s2", "mac-0000000000e7")).zone, "Line 2");
    expectPagesFollowTheList("interface changed");
    ASSERT_TRUE(svc_->removeInterfaceZoneRule(admin, "s2", "eth3").ok());
    EXPECT_EQ(storedOrders(), 7);
    expectPagesFollowTheList("interface rule removed");

    // Renames and a zone moving to the other site.
    ASSERT_TRUE(svc_->renameZone("Plant A", "Line 1", "Zulu").ok());
    expectPagesFollowTheList("zone renamed");
    ASSERT_TRUE(svc_->renameSite("Plant B", "Alpha").ok());
    expectPagesFollowTheList("site renamed");
    ASSERT_TRUE(svc_->moveZone("Plant A", "Line 2", "Alpha").ok());
    expectPagesFollowTheList("zone moved");
}

TEST(DeviceMigration, ExistingObservationsAreGroupedOnUpgrade) {
    TempDir dir;
    const fs::path file = dir.path / "console.db";
    {
        // A v11 store with observations as the earlier release kept them.
        auto db = sqlite::Db::open(file);
        ASSERT_TRUE(db.ok());
        std::vector<std::string> v11(schemaSteps().begin(), schemaSteps().begin() + 11);
        ASSERT_TRUE(sqlite::migrate(*db, v11).ok());
        ASSERT_TRUE(db->exec(R"sql(
INSERT INTO sites(id, name) VALUES(1, 'Plant A'), (2, 'Plant B');
INSERT INTO zones(id, site_id, name) VALUES(1, 1, 'Line 1'), (2, 1, 'Line 2'), (3, 2, 'Boiler');
INSERT INTO sensors(id, name, zone_id, status, created_at) VALUES
  ('s1', 's1', 1, 'active', 0), ('s2', 's2', 2, 'active', 0), ('s3', 's3', 3, 'active', 0);
INSERT INTO devices(sensor_id, device_id, macs, ips, last_seq, last_seen) VALUES
  ('s1', 'mac-0000000000e1', '["00:00:00:00:00:e1"]', '["10.3.0.1"]', 1, 100),
  ('s2', 'mac-0000000000e1', '["00:00:00:00:00:e1"]', '["10.3.0.1"]', 1, 200),
  ('s2', 'ip-10.3.0.1', '["00:00:0c:9f:00:01"]', '["10.3.0.1"]', 2, 150),
  ('s2', 'ip-10.9.9.9', '["00:00:0c:9f:00:01"]', '["10.9.9.9"]', 3, 150),
  ('s3', 'mac-0000000000e1', '["00:00:00:00:00:e1"]', '["10.3.0.1"]', 1, 100),
  ('s3', 'legacy-id', '[]', '[]', 2, 100);
)sql")
                        .ok());
    }
    auto store = ConsoleStore::open(file);
    ASSERT_TRUE(store.ok()) << store.error().message;
    auto devices = (*store)->listDevices();
    ASSERT_TRUE(devices.ok()) << devices.error().message;
    ASSERT_EQ(devices->size(), 4u);
    EXPECT_EQ((*devices)[0].site, "Plant A");
    EXPECT_EQ((*devices)[0].deviceId, "ip-10.9.9.9");
    EXPECT_EQ((*devices)[1].deviceId, "mac-0000000000e1");
    EXPECT_EQ((*devices)[1].observations.size(), 3u);  // s1 + s2 mac- + s2 ip-10.3.0.1
    EXPECT_EQ((*devices)[2].site, "Plant B");
    EXPECT_EQ(*(*store)->deviceGroupOf("s2", "ip-10.3.0.1"),
              *(*store)->deviceGroupOf("s1", "mac-0000000000e1"));
    // And the keys were registered: a new observation joins its migrated device.
    ASSERT_TRUE((*store)->beginStream("s1", 1, 1000).ok());
    v1::Batch b;
    auto* env = b.add_envelopes();
    env->set_seq(1);
    *env->mutable_device() = device("ip-10.9.9.9", {"10.9.9.9"});
    ASSERT_TRUE((*store)->applyBatch("s1", 1, b, 2000).ok());
    EXPECT_EQ(*(*store)->deviceGroupOf("s1", "ip-10.9.9.9"),
              *(*store)->deviceGroupOf("s2", "ip-10.9.9.9"));
    auto fk = sqlite::Db::open(file);
    auto check = fk->prepare("SELECT COUNT(*) FROM pragma_foreign_key_check");
    ASSERT_TRUE(*check->step());
    EXPECT_EQ(check->columnInt(0), 0);
}

}  // namespace
}  // namespace ironsight::console::core
