// SPDX-License-Identifier: Apache-2.0
// Inventory tests: MAC keying, router detection, group addresses, OUI vendor, type inference.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>
#include <tuple>
#include <vector>

#include "sensor-agent/decode/decoder.h"
#include "sensor-agent/inventory/inventory.h"
#include "sensor-agent/inventory/oui.h"
#include "tests/support/packet_builder.h"

namespace ironsight::sensor::inventory {
namespace {

using namespace ironsight::test;

void feed(Inventory& inv, const Bytes& frame, std::int64_t ts = 1000) {
    decode::Decoder d;
    decode::DecodedPacket p;
    RawPacket raw;
    raw.data = frame;
    raw.timestampUs = ts;
    raw.wireLength = static_cast<std::uint32_t>(frame.size());
    d.decode(raw, p);
    if (p.isArp) {
        inv.observeArp(p);
    } else {
        inv.observePacket(p);
    }
}

const DeviceRecord* byIp(const std::vector<DeviceRecord>& devices, const std::string& ip) {
    for (const auto& d : devices) {
        for (const auto& i : d.ips) {
            if (i == ip) return &d;
        }
    }
    return nullptr;
}

TEST(InventoryTest, OuiVendorFromGeneratedTable) {
    if (kOuiTableSize == 0) GTEST_SKIP() << "built without /usr/share/ieee-data/oui.csv";
    EXPECT_EQ(ouiVendor(mac("00:0e:8c:01:02:03")), "Siemens AG");
    EXPECT_EQ(ouiVendor(mac("02:00:00:00:00:01")), "");  // locally administered
}

TEST(InventoryTest, LocalHostsAreMacKeyedAndGroupsAreNotDevices) {
    Inventory inv;
    const Host a{mac("00:14:22:01:00:21"), ipv4("10.0.0.21")};
    const Host b{mac("00:0e:8c:01:00:11"), ipv4("10.0.0.11")};
    feed(inv, tcpFrame(a, b, 40000, 502, 1, 0, tcp::kSyn, {}));
    feed(inv, tcpFrame(b, a, 502, 40000, 1, 2, tcp::kSyn | tcp::kAck, {}));
    const Host group{mac("01:00:5e:00:00:fb"), ipv4("224.0.0.251")};
    feed(inv, udpFrame(a, group, 5353, 5353, Bytes{1, 2, 3}));
    const Host bcast{kBroadcastMac, ipv4("10.0.0.255")};
    feed(inv, udpFrame(a, bcast, 137, 137, Bytes{1}));
    const auto devices = inv.devices();
    ASSERT_EQ(devices.size(), 2u);
    const auto* plc = byIp(devices, "10.0.0.11");
    ASSERT_NE(plc, nullptr);
    EXPECT_EQ(plc->id, "mac-000e8c010011");
    ASSERT_EQ(plc->macs.size(), 1u);
    EXPECT_EQ(plc->macs[0], "00:0e:8c:01:00:11");
    EXPECT_EQ(byIp(devices, "224.0.0.251"), nullptr);
}

TEST(InventoryTest, RouterMacDoesNotMergeRoutedHosts) {
    Inventory inv;
    const Host local{mac("00:14:22:01:00:21"), ipv4("10.0.0.21")};
    const Mac router = mac("00:00:0c:aa:bb:cc");
    feed(inv, arpFrame(2, Host{router, ipv4("10.0.0.1")}, local, false));
    for (const char* remote : {"192.168.5.10", "192.168.5.11", "8.8.8.8"}) {
        feed(inv, udpFrame(Host{router, ipv4(remote)}, local, 53, 40000, Bytes{1}));
    }
    const auto devices = inv.devices();
    const auto* r = byIp(devices, "10.0.0.1");
    ASSERT_NE(r, nullptr);
    EXPECT_EQ(r->type, "router");
    EXPECT_EQ(r->ips.size(), 1u);
    const auto* routed = byIp(devices, "192.168.5.10");
    ASSERT_NE(routed, nullptr);
    EXPECT_EQ(routed->id, "ip-192.168.5.10");
    EXPECT_TRUE(routed->macs.empty());
    const auto* external = byIp(devices, "8.8.8.8");
    ASSERT_NE(external, nullptr);
    EXPECT_EQ(external->type, "external");
    EXPECT_NE(byIp(devices, "192.168.5.11")->id, routed->id);
}

TEST(InventoryTest, AnnouncedHostNamesFollowPrecedence) {
    Inventory inv;
    const Host ws{mac("00:14:22:01:00:31"), ipv4("10.0.0.31")};
    const Host dns{mac("00:14:22:01:00:02"), ipv4("10.0.0.2")};
    feed(inv, udpFrame(ws, dns, 51000, 53, Bytes{1}));
    dissect::FlowContext flow;
    flow.clientIp = "10.0.0.2";
    flow.serverIp = "10.0.0.31";
    const auto announce = [&](const char* protocol, const char* name) {
        dissect::Identity id;
        id.protocol = protocol;
        id.hostname = name;
        id.strings["hostname"] = name;
        inv.observeIdentity(flow, id);
    };
    // What DNS says of the host, then its SNMP sysName, then what it says itself over NBNS.
    announce("dns", "ws31.plant.lan");
    EXPECT_EQ(byIp(inv.devices(), "10.0.0.31")->hostname, "ws31.plant.lan");
    announce("snmp", "ws31-snmp");
    EXPECT_EQ(byIp(inv.devices(), "10.0.0.31")->hostname, "ws31-snmp");
    announce("nbns", "WS31");
    EXPECT_EQ(byIp(inv.devices(), "10.0.0.31")->hostname, "WS31");
    announce("dns", "other.plant.lan");  // a lower-ranked name does not replace it
    EXPECT_EQ(byIp(inv.devices(), "10.0.0.31")->hostname, "WS31");
    // A DHCP host name (keyed by MAC) wins over every announced one.
    dissect::Identity dhcp;
    dhcp.protocol = "dhcp";
    dhcp.mac = "00:14:22:01:00:31";
    dhcp.strings["hostname"] = "ws31-dhcp";
    inv.observeIdentity(flow, dhcp);
    EXPECT_EQ(byIp(inv.devices(), "10.0.0.31")->hostname, "ws31-dhcp");
}


std::string text(const std::vector<OperationRecord>& ops) {
    std::string out;
    for (const auto& o : ops) {
        out += o.protocol + " " + o.clientIp + " " + o.serverIp + " " + o.function + " " +
               o.opClass + " " + std::to_string(o.functionCode) + " " + std::to_string(o.count) +
               " " + std::to_string(o.exceptions);
        for (const auto& [k, v] : o.keys) out += " " + k + "=" + std::to_string(v);
        for (const auto& [k, v] : o.textKeys) out += " " + k + "=" + v;
        for (const auto& r : o.ranges) out += " [" + r + "]";
        out += "\n";
    }
    return out;
}

std::string text(const std::vector<ConnectionRecord>& conns) {
    std::string out;
    for (const auto& c : conns) {
        out += c.srcIp + " " + c.dstIp + " " + c.protocol + " " + std::to_string(c.port);
        for (const auto& o : c.operations) out += " " + o;
        out += "\n";
    }
    return out;
}

std::string text(const std::vector<DeviceRecord>& devices) {
    std::string out;
    for (const auto& d : devices) {
        out += d.id + " " + d.type;
        for (const auto& p : d.protocols) out += " " + p.name + "/" + p.role;
        for (const auto& e : d.evidence) out += " (" + e + ")";
        out += "\n";
    }
    return out;
}

// The per-flow memo (what the engine passes) must give exactly what the lookups give: an end
// that appears only later, a connection created after the first operation, a memo reused for
// other ends (reset), more aggregates than it keeps.
TEST(InventoryTest, OperationMemoAggregatesLikeLookups) {
    Inventory plain, memoized;
    Inventory::OperationMemo memo;
    const Host hmi{mac("00:14:22:01:00:21"), ipv4("10.0.0.21")};
    const Host plc{mac("00:0e:8c:01:00:11"), ipv4("10.0.0.11")};
    const auto both = [&](auto&& f) {
        f(plain, static_cast<Inventory::OperationMemo*>(nullptr));
        f(memoized, &memo);
    };
    dissect::FlowContext flow{"10.0.0.21", "10.0.0.11", 40000, 502, dissect::Transport::Tcp, 1000};
    const auto op = [](int fc, const char* cls, bool request, std::int64_t unit,
                       std::string range) {
        dissect::Operation o;
        o.protocol = "modbus";
        o.function = "fc" + std::to_string(fc);
        o.functionCode = fc;
        o.opClass = cls;
        o.request = request;
        o.keys["unit_id"] = unit;
        o.range = std::move(range);
        return o;
    };
    const auto observe = [&](const dissect::Operation& o) {
        both([&](Inventory& inv, Inventory::OperationMemo* m) { inv.observeOperation(flow, o, m); });
    };
    both([&](Inventory& inv, auto*) { feed(inv, tcpFrame(hmi, plc, 40000, 502, 1, 0, 0, {})); });
    observe(op(3, "read", true, 1, "holding_registers 0-9"));  // server not seen yet
    both([&](Inventory& inv, auto*) { feed(inv, tcpFrame(plc, hmi, 502, 40000, 1, 2, 0, {})); });
    observe(op(3, "read", false, 1, ""));
    both([&](Inventory& inv, auto*) {
        inv.connection(decode::IpAddress::v4(hmi.ip), decode::IpAddress::v4(plc.ip), "tcp", 502,
                       "modbus", 2000);  // after the first operations
    });
    for (int i = 0; i < 40; ++i) {  // more aggregates than the memo keeps
        observe(op(3, "read", true, i % 35, "holding_registers " + std::to_string(i)));
        observe(op(6, "write", true, 1, ""));
    }
    dissect::Operation cip = op(14, "read", true, 1, "");
    cip.protocol = "cip";  // another protocol on the same flow: no connection of that name
    observe(cip);
    std::swap(flow.clientIp, flow.serverIp);  // the memo now describes other ends
    observe(op(3, "read", true, 1, ""));
    EXPECT_EQ(text(memoized.operations()), text(plain.operations()));
    EXPECT_EQ(text(memoized.connections()), text(plain.connections()));
    EXPECT_EQ(text(memoized.devices()), text(plain.devices()));
    EXPECT_GT(plain.operations().size(), 32u);
}

// Records keep their texts pooled (Inventory::TextPool: one copy of each address, protocol,
// function, key name and value; records hold pointers). What they report must be the texts
// themselves, in the order the former string-and-map keys gave: by protocol, client, server,
// numeric keys (as a sequence of name/value pairs), function, code, text keys; connections by
// client, server, transport, port, protocol, with their operation classes in text order.
TEST(InventoryTest, PooledKeysReportTheirTextsInTheFormerOrder) {
    using Keys = std::map<std::string, std::int64_t>;
    using TextKeys = std::map<std::string, std::string>;
    struct Input {
        std::string protocol, client, server, function;
        int code;
        Keys keys;
        TextKeys textKeys;
        std::string opClass;
    };
    const std::vector<Input> inputs = {
        {"modbus", "10.0.0.9", "10.0.0.10", "read", 3, {{"unit_id", 1}}, {}, "read"},
        {"modbus", "10.0.0.9", "10.0.0.10", "read", 3, {{"unit_id", 1}, {"zz", 0}}, {}, "read"},
        {"modbus", "10.0.0.9", "10.0.0.10", "read", 3, {{"unit_id", -5}}, {}, "read"},
        {"modbus", "10.0.0.9", "10.0.0.10", "read", 4, {{"unit_id", 1}}, {}, "read"},
        {"modbus", "10.0.0.9", "10.0.0.10", "", -1, {}, {}, ""},
        {"modbus", "10.0.0.10", "10.0.0.9", "write", 6, {{"a", 7}}, {}, "write"},
        {"modbus", "10.0.0.9", "10.0.0.10", "write", 6, {{"unit_id", 1}}, {}, "write"},
        {"tls", "10.0.0.9", "10.0.0.10", "client_hello", 1, {{"version", 771}},
         {{"server_name", "a.example"}}, "other"},
        {"tls", "10.0.0.9", "10.0.0.10", "client_hello", 1, {{"version", 771}},
         {{"server_name", "a.example"}, {"x", ""}}, "other"},
        {"tls", "10.0.0.9", "10.0.0.10", "client_hello", 1, {{"version", 771}},
         {{"server_name", "b.example"}}, "other"},
        {"tls", "10.0.0.9", "10.0.0.10", "client_hello", 1, {}, {{"server_name", "tls"}}, "other"},
        {"opcua", "10.0.0.9", "10.0.0.10", "tls", 0, {{"tls", 1}}, {{"modbus", "10.0.0.9"}},
         "read"},
    };
    Inventory inv;
    const auto ip = [](const std::string& text) { return decode::IpAddress::v4(ipv4(text)); };
    // Connections: the texts' order differs from the addresses' (10.0.0.9 > 10.0.0.10).
    for (const auto& [client, server, port, protocol] :
         std::vector<std::tuple<std::string, std::string, std::uint16_t, std::string>>{
             {"10.0.0.9", "10.0.0.10", 502, "modbus"},
             {"10.0.0.10", "10.0.0.9", 502, "modbus"},
             {"10.0.0.9", "10.0.0.10", 443, "tls"},
             {"10.0.0.9", "10.0.0.10", 4840, "opcua"},
             {"10.0.0.9", "10.0.0.10", 80, ""}}) {
        inv.connection(ip(client), ip(server), "tcp", port, protocol, 1000);
    }
    // Every input twice, in an order unlike the expected one; the first modbus connection
    // sees the classes read, write and "" (not recorded: no class), the others one each.
    std::map<std::tuple<std::string, std::string, std::string, Keys, std::string, int, TextKeys>,
             std::pair<std::string, std::uint64_t>>
        expected;
    for (int round = 0; round < 2; ++round) {
        for (std::size_t i = inputs.size(); i-- > 0;) {
            const Input& in = inputs[(i * 5 + round) % inputs.size()];
            dissect::FlowContext flow{in.client, in.server, 40000,
                                      static_cast<std::uint16_t>(in.protocol == "tls" ? 443
                                                                 : in.protocol == "opcua" ? 4840
                                                                                          : 502),
                                      dissect::Transport::Tcp, 2000};
            dissect::Operation op;
            op.protocol = in.protocol;
            op.function = in.function;
            op.functionCode = in.code;
            for (const auto& [name, number] : in.keys)
                op.keys[name] = number;  // names live in `inputs`
            op.textKeys = in.textKeys;
            op.opClass = in.opClass;
            inv.observeOperation(flow, op);
            auto& e = expected[{in.protocol, in.client, in.server, in.keys, in.function, in.code,
                                in.textKeys}];
            if (e.first.empty()) e.first = in.opClass;
            ++e.second;
        }
    }
    const auto ops = inv.operations();
    ASSERT_EQ(ops.size(), expected.size());
    std::size_t i = 0;
    for (const auto& [key, value] : expected) {
        const auto& o = ops[i++];
        const auto& [protocol, client, server, keys, function, code, textKeys] = key;
        EXPECT_EQ(o.protocol, protocol) << i;
        EXPECT_EQ(o.clientIp, client) << i;
        EXPECT_EQ(o.serverIp, server) << i;
        EXPECT_EQ(o.keys, keys) << i;
        EXPECT_EQ(o.function, function) << i;
        EXPECT_EQ(o.functionCode, code) << i;
        EXPECT_EQ(o.textKeys, textKeys) << i;
        EXPECT_EQ(o.opClass, value.first) << i;
        EXPECT_EQ(o.count, value.second) << i;
    }
    const auto conns = inv.connections();
    ASSERT_EQ(conns.size(), 5u);
    std::vector<std::string> order;
    for (const auto& c : conns) {
        std::string classes;
        for (const auto& cls : c.operations) classes += "[" + cls + "]";
        order.push_back(c.srcIp + " " + c.dstIp + " " + c.transport + " " +
                        std::to_string(c.port) + " " + c.protocol + " " + classes);
    }
    EXPECT_EQ(order, (std::vector<std::string>{
                         "10.0.0.10 10.0.0.9 tcp 502 modbus [write]",
                         "10.0.0.9 10.0.0.10 tcp 80  ",
                         "10.0.0.9 10.0.0.10 tcp 443 tls [other]",
                         "10.0.0.9 10.0.0.10 tcp 502 modbus [read][write]",
                         "10.0.0.9 10.0.0.10 tcp 4840 opcua [read]",
                     }));
}

// observePacket's sender cache (keyed by the packet's MAC, IP, VLAN and interface): whatever
// the packet changes must reach the records, and a packet of a sender it already has must
// still move the last-seen times (and never back).
TEST(InventoryTest, SenderCacheFollowsChangesOfMacVlanAndInterface) {
    Inventory inv;
    inv.setInterfaces({"eth0", "eth1"});
    const auto send = [&](const Bytes& frame, std::int64_t ts, std::uint8_t source = 0) {
        decode::Decoder d;
        decode::DecodedPacket p;
        RawPacket raw;
        raw.data = frame;
        raw.timestampUs = ts;
        raw.source = source;
        raw.wireLength = static_cast<std::uint32_t>(frame.size());
        d.decode(raw, p);
        inv.observePacket(p);
    };
    const Host peer{mac("00:14:22:01:00:99"), ipv4("10.0.0.99")};
    const Mac macA = mac("00:0e:8c:01:00:11"), macB = mac("00:0e:8c:01:00:12");
    const std::uint32_t ip = ipv4("10.0.0.11");
    // The IP moves from MAC A to B and back: its device is the last MAC's.
    send(tcpFrame(Host{macA, ip}, peer, 502, 40000, 1, 0, 0, {}), 1'000'000);
    send(tcpFrame(Host{macB, ip}, peer, 502, 40000, 1, 0, 0, {}), 2'000'000);
    send(tcpFrame(Host{macA, ip}, peer, 502, 40000, 1, 0, 0, {}), 3'000'000);
    EXPECT_EQ(byIp(inv.devices(), "10.0.0.11")->id, "mac-000e8c010011");
    send(tcpFrame(Host{macB, ip}, peer, 502, 40000, 1, 0, 0, {}), 4'000'000);
    EXPECT_EQ(byIp(inv.devices(), "10.0.0.11")->id, "mac-000e8c010012");
    // Later packets of a known sender move its last-seen time; an older one does not.
    send(tcpFrame(Host{macB, ip}, peer, 502, 40000, 1, 0, 0, {}), 9'000'000);
    send(tcpFrame(Host{macB, ip}, peer, 502, 40000, 1, 0, 0, {}), 5'000'000);
    const auto devices = inv.devices();
    const auto* dev = byIp(devices, "10.0.0.11");
    ASSERT_NE(dev, nullptr);
    EXPECT_EQ(dev->lastSeenMs, 9'000);
    EXPECT_EQ(dev->firstSeenMs, 1'000);  // the IP's first packet (with MAC A)
    // The same sender on VLAN 10, then 20, then 10 again and untagged; then on eth1.
    const Host tagged{mac("00:0e:8c:01:00:21"), ipv4("10.0.0.21")};
    send(tcpFrame(tagged, peer, 502, 40000, 1, 0, 0, {}, {10}), 10'000'000);
    send(tcpFrame(tagged, peer, 502, 40000, 1, 0, 0, {}, {20}), 11'000'000);
    send(tcpFrame(tagged, peer, 502, 40000, 1, 0, 0, {}, {10}), 12'000'000);
    send(tcpFrame(tagged, peer, 502, 40000, 1, 0, 0, {}, {0}), 13'000'000);  // priority tag
    send(tcpFrame(tagged, peer, 502, 40000, 1, 0, 0, {}), 14'000'000);
    EXPECT_EQ(byIp(inv.devices(), "10.0.0.21")->vlans, (std::vector<std::uint32_t>{0, 10, 20}));
    EXPECT_EQ(byIp(inv.devices(), "10.0.0.21")->interfaces, (std::vector<std::string>{"eth0"}));
    send(tcpFrame(tagged, peer, 502, 40000, 1, 0, 0, {}, {10}), 15'000'000, 1);
    EXPECT_EQ(byIp(inv.devices(), "10.0.0.21")->interfaces,
              (std::vector<std::string>{"eth0", "eth1"}));
    EXPECT_EQ(byIp(inv.devices(), "10.0.0.21")->lastSeenMs, 15'000);
    // A MAC that sends without an address first (DHCP discover from 0.0.0.0), then with one.
    const Mac macC = mac("00:0e:8c:01:00:31");
    send(udpFrame(Host{macC, 0}, Host{kBroadcastMac, ipv4("255.255.255.255")}, 68, 67, Bytes{1}),
         16'000'000);
    EXPECT_EQ(byIp(inv.devices(), "10.0.0.31"), nullptr);
    send(udpFrame(Host{macC, ipv4("10.0.0.31")}, peer, 68, 67, Bytes{1}), 17'000'000);
    ASSERT_NE(byIp(inv.devices(), "10.0.0.31"), nullptr);
    EXPECT_EQ(byIp(inv.devices(), "10.0.0.31")->id, "mac-000e8c010031");
    // Its next packets without an address move the MAC's time alone; a routed host's (keyed by
    // IP) the IP's alone.
    const Host dhcp{macC, 0}, all{kBroadcastMac, ipv4("255.255.255.255")};
    send(udpFrame(dhcp, all, 68, 67, Bytes{1}), 18'000'000);
    EXPECT_EQ(byIp(inv.devices(), "10.0.0.31")->lastSeenMs, 18'000);
    const Mac router = mac("00:00:0c:aa:bb:cc");
    for (const char* remote : {"192.168.5.10", "192.168.5.11", "192.168.5.12"})
        send(udpFrame(Host{router, ipv4(remote)}, peer, 53, 40000, Bytes{1}), 19'000'000);
    send(udpFrame(Host{router, ipv4("192.168.5.10")}, peer, 53, 40000, Bytes{1}), 20'000'000);
    EXPECT_EQ(byIp(inv.devices(), "192.168.5.10")->id, "ip-192.168.5.10");
    EXPECT_EQ(byIp(inv.devices(), "192.168.5.10")->lastSeenMs, 20'000);
}

// What observeOperation's memos remember (the last aggregate, its last range, the classes and
// roles already added, the ends' records) must give the counts the operations make, counted
// here by hand: keys that change within a flow (in turn and back), aggregates that differ in
// one key name or the function text only, one memo reused for other ends, and operations
// without a memo (the inventory's own, shared by flows of the same ends).
TEST(InventoryTest, OperationMemosCountEachAggregateOfItsOwnFlow) {
    struct Op {
        const char* function;
        int code;
        const char* key;  // one numeric key, value `unit`
        std::int64_t unit;
        const char* opClass;
        std::string range;
        std::int64_t extra = -1;  // >= 0: two more keys (three in all), "z1" = 7, `third` = extra
        const char* third = "z2";
    };
    using Counts = std::map<std::string, std::uint64_t>;
    Counts expected;
    std::map<std::string, std::set<std::string>> expectedRanges;
    std::map<std::string, std::set<std::string>> expectedClasses;  // per connection
    Inventory inv;
    feed(inv, tcpFrame(Host{mac("00:14:22:01:00:21"), ipv4("10.0.0.21")},
                       Host{mac("00:0e:8c:01:00:11"), ipv4("10.0.0.11")}, 40000, 502, 1, 0, 0, {}));
    std::uint64_t hmiReads = 0, hmiWrites = 0;
    const auto observe = [&](const dissect::FlowContext& flow, const Op& o,
                             Inventory::OperationMemo* memo) {
        dissect::Operation op;
        op.protocol = "modbus";
        op.function = o.function;
        op.functionCode = o.code;
        op.opClass = o.opClass;
        op.keys[o.key] = o.unit;
        if (o.extra >= 0) {
            op.keys["z1"] = 7;
            op.keys[o.third] = o.extra;
        }
        op.range = o.range;
        inv.observeOperation(flow, op, memo);
        std::string agg =
            flow.clientIp + " " + flow.serverIp + " " + o.function + " " + std::to_string(o.code);
        for (const auto& [name, value] : op.keys)
            agg += " " + std::string(name) + "=" + std::to_string(value);
        ++expected[agg];
        if (flow.clientIp == "10.0.0.21")
            ++(o.opClass == std::string("read") ? hmiReads : hmiWrites);
        if (!o.range.empty()) expectedRanges[agg].insert(o.range);
        expectedClasses[flow.clientIp + " " + flow.serverIp + " " + std::to_string(flow.serverPort)]
            .insert(o.opClass);
    };
    const auto flowOf = [](const std::string& client, const std::string& server,
                           std::uint16_t port) {
        return dissect::FlowContext{client, server, 40000, port, dissect::Transport::Tcp, 1000};
    };
    const auto connect = [&](const dissect::FlowContext& f) {
        inv.connection(decode::IpAddress::v4(ipv4(f.clientIp)),
                       decode::IpAddress::v4(ipv4(f.serverIp)), "tcp", f.serverPort, "modbus",
                       1000);
    };
    const auto f1 = flowOf("10.0.0.21", "10.0.0.11", 502);
    const auto f2 = flowOf("10.0.0.21", "10.0.0.12", 502);
    connect(f1);
    connect(f2);
    // One memo: polls in turn, then back and forth; a key of another name with the same value,
    // a function text that differs alone; one range shared by two aggregates.
    Inventory::OperationMemo memo;
    const std::vector<Op> poll = {
        {"read_holding_registers", 3, "unit_id", 1, "read", "holding_registers 0-9"},
        {"read_holding_registers", 3, "unit_id", 2, "read", "holding_registers 0-9"},
        {"read_holding_registers", 3, "unit_id", 3, "read", "holding_registers 10-19"},
        {"read_holding_registers", 3, "unit_id", 1, "read", "holding_registers 20-29"},
        {"read_holding_registers", 3, "slave_id", 1, "read", ""},
        {"read_holding_registers_x", 3, "unit_id", 1, "read", ""},
        {"write_single_register", 6, "unit_id", 1, "write", "holding_registers 5"},
        {"read_holding_registers", 3, "unit_id", 1, "read", "", 1},
        {"read_holding_registers", 3, "unit_id", 1, "read", "", 2},
        {"read_holding_registers", 3, "unit_id", 1, "read", "", 2, "z3"},
    };
    for (int round = 0; round < 3; ++round) {
        for (const Op& o : poll) observe(f1, o, &memo);
        for (std::size_t i = poll.size(); i-- > 0;) observe(f1, poll[i], &memo);
    }
    // The same memo for another server: only reads there, so its connection has "read" alone.
    for (int i = 0; i < 3; ++i) observe(f2, poll[static_cast<std::size_t>(i)], &memo);
    observe(f1, poll[6], &memo);  // and back
    // No memo: flows of the same ends share the inventory's; many ends, so that they meet in
    // its table.
    for (int round = 0; round < 2; ++round) {
        for (int c = 0; c < 600; ++c) {
            const auto f = flowOf("10.1." + std::to_string(c / 200) + "." + std::to_string(c % 200),
                                  "10.0.0.11", 502);
            if (round == 0 && c % 2 == 0) connect(f);
            observe(f, poll[static_cast<std::size_t>((c + round) % 3)], nullptr);
            observe(f, poll[6], nullptr);
        }
    }
    Counts counts;
    std::map<std::string, std::set<std::string>> ranges;
    for (const auto& o : inv.operations()) {
        std::string agg =
            o.clientIp + " " + o.serverIp + " " + o.function + " " + std::to_string(o.functionCode);
        for (const auto& [name, value] : o.keys) agg += " " + name + "=" + std::to_string(value);
        counts[agg] = o.count;
        if (!o.ranges.empty()) ranges[agg].insert(o.ranges.begin(), o.ranges.end());
    }
    EXPECT_EQ(counts, expected);
    EXPECT_EQ(ranges, expectedRanges);
    std::size_t connections = 0;
    for (const auto& c : inv.connections()) {
        const std::set<std::string> classes(c.operations.begin(), c.operations.end());
        EXPECT_EQ(classes, expectedClasses[c.srcIp + " " + c.dstIp + " " + std::to_string(c.port)])
            << c.srcIp << " " << c.dstIp;
        ++connections;
    }
    EXPECT_EQ(connections, 2u + 300u);
    // The client's requests by class (they decide its type): it polls and writes now and then.
    const auto devices = inv.devices();
    const auto* hmi = byIp(devices, "10.0.0.21");
    ASSERT_NE(hmi, nullptr);
    EXPECT_EQ(hmi->type, "hmi");
    ASSERT_EQ(hmi->evidence.size(), 1u);
    EXPECT_NE(hmi->evidence[0].find("polls (" + std::to_string(hmiReads) +
                                    " reads) and writes occasionally (" +
                                    std::to_string(hmiWrites) + ")"),
              std::string::npos)
        << hmi->evidence[0];
}

// An operation without a class joins its connection's classes as "" only when the same memo's
// operation before it had a class (the memo compared each class with the last one, starting
// from ""); without a memo, never. A flow's memo that starts from what its first operations
// (without a memo) found starts over in this respect too. Analyze's output keeps this.
TEST(InventoryTest, EmptyOperationClassFollowsTheMemosLastClass) {
    const auto classesOf = [](const Inventory& inv, const std::string& server) {
        for (const auto& c : inv.connections()) {
            if (c.dstIp == server) return c.operations;
        }
        return std::vector<std::string>{"no connection"};
    };
    Inventory inv;
    const auto op = [](const char* cls) {
        dissect::Operation o;
        o.protocol = "modbus";
        o.function = "read_holding_registers";
        o.functionCode = 3;
        o.opClass = cls;
        o.keys["unit_id"] = 1;
        return o;
    };
    std::vector<dissect::FlowContext> flows;
    for (const char* server : {"10.0.0.11", "10.0.0.12", "10.0.0.13", "10.0.0.14"}) {
        flows.push_back({"10.0.0.21", server, 40000, 502, dissect::Transport::Tcp, 1000});
        inv.connection(decode::IpAddress::v4(ipv4("10.0.0.21")),
                       decode::IpAddress::v4(ipv4(server)), "tcp", 502, "modbus", 1000);
    }
    // No memo: "" never joins.
    inv.observeOperation(flows[0], op("read"), nullptr);
    inv.observeOperation(flows[0], op(""), nullptr);
    EXPECT_EQ(classesOf(inv, "10.0.0.11"), (std::vector<std::string>{"read"}));
    // A memo: "" first does not join; after "read" it does.
    Inventory::OperationMemo memo;
    inv.observeOperation(flows[1], op(""), &memo);
    EXPECT_EQ(classesOf(inv, "10.0.0.12"), (std::vector<std::string>{}));
    inv.observeOperation(flows[1], op("read"), &memo);
    inv.observeOperation(flows[1], op(""), &memo);
    EXPECT_EQ(classesOf(inv, "10.0.0.12"), (std::vector<std::string>{"", "read"}));
    // The memo reused for other ends starts over: "" after its last "read" elsewhere does not.
    inv.observeOperation(flows[2], op(""), &memo);
    EXPECT_EQ(classesOf(inv, "10.0.0.13"), (std::vector<std::string>{}));
    // The first operations without a memo, then a new memo (what the engine does): "" first
    // does not join even though the operation before it (without the memo) was a "read".
    Inventory::OperationMemo later;
    inv.observeOperation(flows[3], op("read"), nullptr);
    inv.observeOperation(flows[3], op(""), &later);
    EXPECT_EQ(classesOf(inv, "10.0.0.14"), (std::vector<std::string>{"read"}));
    inv.observeOperation(flows[3], op("write"), &later);
    inv.observeOperation(flows[3], op(""), &later);
    EXPECT_EQ(classesOf(inv, "10.0.0.14"), (std::vector<std::string>{"", "read", "write"}));
}

// visitDevices() sorts devices by a packed form of their ids and visitConnections() keeps each
// address's device id after its first connection: the order must still be the ids' text order
// ("ip-" before "mac-", addresses as text: "192.168.5.10" before "192.168.5.9"), each
// connection's ends the ids deviceIdForIp() gives, and a device serving several industrial
// protocols typed by the first of them in the rule table (modbus before dnp3), not by name.
TEST(InventoryTest, ReportsKeepIdOrderAndEachAddresssDeviceId) {
    Inventory inv;
    const Mac router = mac("00:00:0c:aa:bb:cc");
    const Host local{mac("00:14:22:01:00:21"), ipv4("10.0.0.21")};
    const Host plc{mac("0a:00:00:00:00:01"), ipv4("10.0.0.11")};
    const Host low{mac("00:00:00:00:00:a0"), ipv4("10.0.0.12")};
    const Host lower{mac("00:00:00:00:00:0b"), ipv4("10.0.0.13")};
    feed(inv, arpFrame(2, Host{router, ipv4("10.0.0.1")}, local, false));
    std::vector<const char*> clients = {"192.168.5.9", "192.168.5.10", "192.168.5.100",
                                        "10.0.0.21",   "10.0.0.12",    "10.0.0.13"};
    for (const char* remote : {"192.168.5.9", "192.168.5.10", "192.168.5.100"})
        feed(inv, udpFrame(Host{router, ipv4(remote)}, local, 53, 40000, Bytes{1}));
    for (const Host& h : {local, plc, low, lower})
        feed(inv, udpFrame(h, plc, 40000, 502, Bytes{1}));
    const auto op = [](const char* protocol) {
        dissect::Operation o;
        o.protocol = protocol;
        o.function = "read";
        o.opClass = "read";
        return o;
    };
    for (const char* client : clients) {
        for (const auto& [protocol, port] : {std::pair{"dnp3", 20000}, std::pair{"modbus", 502}}) {
            inv.connection(decode::IpAddress::v4(ipv4(client)),
                           decode::IpAddress::v4(ipv4("10.0.0.11")), "tcp",
                           static_cast<std::uint16_t>(port), protocol, 1000);
            dissect::FlowContext flow{client,
                                      "10.0.0.11",
                                      40000,
                                      static_cast<std::uint16_t>(port),
                                      dissect::Transport::Tcp,
                                      1000};
            inv.observeOperation(flow, op(protocol), nullptr);
        }
    }
    // 600 more clients, one connection each: more addresses than the report's id cache has
    // slots, so slots are shared and a cache that kept a slot's first id would show.
    for (int i = 0; i < 600; ++i) {
        char macText[32], ipText[32];
        std::snprintf(macText, sizeof macText, "02:00:00:00:%02x:%02x", i / 256, i % 256);
        std::snprintf(ipText, sizeof ipText, "10.1.%d.%d", i / 256, i % 256);
        feed(inv, udpFrame(Host{mac(macText), ipv4(ipText)}, plc, 40000, 502, Bytes{1}));
        inv.connection(decode::IpAddress::v4(ipv4(ipText)),
                       decode::IpAddress::v4(ipv4("10.0.0.11")), "tcp", 502, "modbus", 1000);
    }
    const auto conns = inv.connections();
    ASSERT_EQ(conns.size(), 2 * clients.size() + 600);
    std::set<std::string> sources;
    for (std::size_t i = 0; i < conns.size(); ++i) {
        const auto& c = conns[i];
        EXPECT_EQ(c.src, inv.deviceIdForIp(c.srcIp)) << c.srcIp;
        EXPECT_EQ(c.dst, "mac-0a0000000001");
        sources.insert(c.src);
        if (i > 0) {
            const auto& p = conns[i - 1];
            EXPECT_LT(std::tie(p.srcIp, p.dstIp, p.transport, p.port, p.protocol),
                      std::tie(c.srcIp, c.dstIp, c.transport, c.port, c.protocol));
        }
    }
    EXPECT_EQ(sources.size(), clients.size() + 600);
    EXPECT_EQ(conns.front().srcIp, "10.0.0.12");
    EXPECT_EQ(conns.front().src, "mac-0000000000a0");
    EXPECT_EQ(conns.back().src, "ip-192.168.5.9");
    const auto devices = inv.devices();
    std::vector<std::string> ids;
    for (const auto& d : devices) {
        if (d.id.rfind("mac-02", 0) != 0) ids.push_back(d.id);  // not the 600 (is_sorted below)
    }
    EXPECT_TRUE(std::is_sorted(devices.begin(), devices.end(),
                               [](const auto& a, const auto& b) { return a.id < b.id; }));
    EXPECT_EQ(ids,
              (std::vector<std::string>{"ip-192.168.5.10", "ip-192.168.5.100", "ip-192.168.5.9",
                                        "mac-00000000000b", "mac-0000000000a0", "mac-00000caabbcc",
                                        "mac-001422010021", "mac-0a0000000001"}));
    const auto* server = byIp(devices, "10.0.0.11");
    ASSERT_NE(server, nullptr);
    EXPECT_EQ(server->type, "plc");
    EXPECT_EQ(server->evidence, (std::vector<std::string>{"modbus server → plc"}));
}

}  // namespace
}  // namespace ironsight::sensor::inventory
