// SPDX-License-Identifier: Apache-2.0
// Inventory tests: MAC keying, router detection, group addresses, OUI vendor, type inference.
#include <gtest/gtest.h>

#include <map>
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

}  // namespace
}  // namespace ironsight::sensor::inventory
