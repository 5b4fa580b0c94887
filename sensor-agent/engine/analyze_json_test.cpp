// SPDX-License-Identifier: Apache-2.0
// writeAnalyzeJson (analyze --json, written record by record) against the document as it was
// built before session 10: one nlohmann::json tree of the snapshots, dump(2, ' ', false,
// replace). Every reference capture of ../shared/pcaps, learning and detection (alerts, evidence
// on), and a generated plant trace; the visitors give the snapshots' records in their order.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "sensor-agent/capture/pcap_file_source.h"
#include "sensor-agent/engine/analyze_json.h"
#include "sensor-agent/engine/engine.h"
#include "tests/support/conformance.h"
#include "tests/support/packet_builder.h"
#include "tests/support/plant_traffic.h"

namespace ironsight::sensor {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

/// analyze_command.cpp's toJson() before session 10 (without --plugins), verbatim.
json treeDocument(const Engine& engine, const std::vector<std::string>& files) {
    const CaptureStats stats = engine.stats();
    json doc;
    doc["capture"] = {{"files", files},
                      {"packets", stats.packets},
                      {"bytes", stats.bytes},
                      {"malformed", stats.malformed},
                      {"malformed_by_reason", stats.malformedByReason},
                      {"ipv4_fragments",
                       {{"fragments", stats.ipv4Fragments},
                        {"reassembled", stats.ipv4Reassembled},
                        {"duplicates", stats.ipv4FragmentDuplicates},
                        {"dropped", stats.ipv4FragmentDrops}}},
                      {"seconds", stats.seconds}};
    json devices = json::array();
    for (const auto& d : engine.devices()) {
        json protocols = json::array();
        for (const auto& p : d.protocols) protocols.push_back({{"name", p.name}, {"role", p.role}});
        json identity = json::parse(d.identityJson, nullptr, false);
        if (identity.is_discarded()) identity = json::object();
        json vlanNames = json::object();
        for (const auto& [id, name] : d.vlanNames) vlanNames[std::to_string(id)] = name;
        devices.push_back({{"id", d.id},
                           {"macs", d.macs},
                           {"ips", d.ips},
                           {"vlans", d.vlans},
                           {"vendor", d.vendor},
                           {"model", d.model},
                           {"firmware", d.firmware},
                           {"serial", d.serial},
                           {"hostname", d.hostname},
                           {"type", d.type},
                           {"purdue_level", d.purdueLevel},
                           {"protocols", protocols},
                           {"identity", identity},
                           {"evidence", d.evidence}});
        if (!vlanNames.empty()) devices.back()["vlan_names"] = vlanNames;
    }
    doc["devices"] = devices;
    json connections = json::array();
    for (const auto& c : engine.connections()) {
        connections.push_back({{"src", c.src},
                               {"dst", c.dst},
                               {"src_ip", c.srcIp},
                               {"dst_ip", c.dstIp},
                               {"transport", c.transport},
                               {"port", c.port},
                               {"protocol", c.protocol},
                               {"packets", c.packets},
                               {"bytes", c.bytes},
                               {"operations", c.operations}});
    }
    doc["connections"] = connections;
    json operations = json::array();
    for (const auto& o : engine.operations()) {
        const json functionCode = o.functionCode < 0 ? json(nullptr) : json(o.functionCode);
        json op = {
            {"protocol", o.protocol}, {"client_ip", o.clientIp},       {"server_ip", o.serverIp},
            {"function", o.function}, {"function_code", functionCode}, {"class", o.opClass},
            {"count", o.count},       {"exceptions", o.exceptions}};
        if (!o.ranges.empty()) op["ranges"] = o.ranges;
        for (const auto& [k, v] : o.keys) op[k] = v;
        for (const auto& [k, v] : o.textKeys) op[k] = v;
        operations.push_back(op);
    }
    doc["operations"] = operations;
    json alerts = json::array();
    for (const auto& a : engine.alerts()) {
        alerts.push_back({{"id", a.id},
                          {"engine", a.engine},
                          {"type", a.type},
                          {"severity", severityName(a.severity)},
                          {"title", a.title},
                          {"description", a.description},
                          {"remediation", a.remediation},
                          {"src", a.src},
                          {"dst", a.dst},
                          {"src_ip", a.srcIp},
                          {"dst_ip", a.dstIp},
                          {"protocol", a.protocol},
                          {"count", a.count},
                          {"mitre", a.mitre}});
    }
    doc["alerts"] = alerts;
    return doc;
}

struct Counts {
    std::size_t alerts = 0, connections = 0, operations = 0, namedVlans = 0;
};

/// [network] vlan_names for every VLAN id, so devices on VLANs carry "vlan_names".
config::NetworkSettings everyVlanNamed() {
    config::NetworkSettings network;
    for (int vlan = 1; vlan <= 4094; ++vlan) {
        network.vlanNames.push_back(std::to_string(vlan) + "=floor " + std::to_string(vlan));
    }
    return network;
}

/// Requires the streamed document of what `engine` analysed to be the tree's bytes, and the
/// visitors to give the snapshots' records.
Counts expectStreamedLikeTheTree(const Engine& engine, const std::string& name) {
    const fs::path file = name;
    const std::vector<std::string> files = {file.string(), "second \"file\"\n.pcap"};
    std::ostringstream streamed;
    writeAnalyzeJson(engine, files, nullptr, streamed);
    const std::string tree =
        treeDocument(engine, files).dump(2, ' ', false, json::error_handler_t::replace) + "\n";
    EXPECT_EQ(streamed.str().size(), tree.size()) << file.filename().string();
    EXPECT_TRUE(streamed.str() == tree)
        << name << " differs at byte "
        << std::ranges::mismatch(streamed.str(), tree).in1 - streamed.str().begin();

    const auto devices = engine.devices();
    std::size_t i = 0;
    const std::size_t deviceCount = engine.forEachDevice([&](const DeviceRecord& d) {
        ASSERT_LT(i, devices.size());
        const auto& e = devices[i++];
        EXPECT_TRUE(d.id == e.id && d.macs == e.macs && d.ips == e.ips && d.vlans == e.vlans &&
                    d.vlanNames == e.vlanNames && d.type == e.type && d.evidence == e.evidence &&
                    d.identityJson == e.identityJson && d.protocols == e.protocols &&
                    d.firstSeenMs == e.firstSeenMs && d.lastSeenMs == e.lastSeenMs);
    });
    EXPECT_EQ(deviceCount, devices.size());
    const auto connections = engine.connections();
    i = 0;
    const std::size_t visited = engine.forEachConnection([&](const ConnectionRecord& c) {
        ASSERT_LT(i, connections.size());
        const auto& e = connections[i++];
        EXPECT_TRUE(c.src == e.src && c.dst == e.dst && c.srcIp == e.srcIp && c.dstIp == e.dstIp &&
                    c.transport == e.transport && c.port == e.port && c.protocol == e.protocol &&
                    c.packets == e.packets && c.bytes == e.bytes && c.operations == e.operations &&
                    c.firstSeenMs == e.firstSeenMs && c.lastSeenMs == e.lastSeenMs);
    });
    EXPECT_EQ(visited, connections.size());
    EXPECT_EQ(engine.connectionCount(), connections.size());
    const auto operations = engine.operations();
    i = 0;
    const std::size_t ops = engine.forEachOperation([&](const OperationRecord& o) {
        ASSERT_LT(i, operations.size());
        const auto& e = operations[i++];
        EXPECT_TRUE(o.protocol == e.protocol && o.clientIp == e.clientIp &&
                    o.serverIp == e.serverIp && o.function == e.function &&
                    o.opClass == e.opClass && o.functionCode == e.functionCode &&
                    o.count == e.count && o.keys == e.keys && o.textKeys == e.textKeys &&
                    o.exceptions == e.exceptions && o.ranges == e.ranges);
    });
    EXPECT_EQ(ops, operations.size());
    EXPECT_EQ(engine.operationCount(), operations.size());
    std::size_t namedVlans = 0;
    for (const auto& d : engine.devices()) namedVlans += d.vlanNames.size();
    return {engine.alerts().size(), connections.size(), operations.size(), namedVlans};
}

/// `file` analysed (learning or detecting on an empty baseline: alerts) and compared.
Counts expectStreamedLikeTheTree(const fs::path& file, bool learning,
                                 const config::NetworkSettings& network = {}) {
    EngineOptions options;
    options.learning = learning;
    options.network = network;
    Engine engine(options);
    auto source = PcapFileSource::open(file);
    EXPECT_TRUE(source.ok()) << file;
    if (!source) return {};
    RawPacket packet;
    while (true) {
        auto more = source->next(packet);
        if (!more || !*more) break;
        engine.process(packet);
    }
    engine.finish();
    return expectStreamedLikeTheTree(
        engine, file.filename().string() + (learning ? " (learning)" : " (detecting)"));
}

TEST(AnalyzeJsonTest, StreamedDocumentIsTheTreeDumpOfEveryReferenceCapture) {
    if (!fs::exists(test::sharedPcapsDir())) {
        GTEST_SKIP() << "reference captures absent: " << test::sharedPcapsDir().string();
    }
    const auto files = test::referenceCaptures();
    ASSERT_GT(files.size(), 10u);
    Counts total, detecting;
    std::size_t empty = 0;
    for (const auto& file : files) {
        const Counts learnt = expectStreamedLikeTheTree(file, true);
        const Counts d = expectStreamedLikeTheTree(file, false);  // empty baseline: alerts
        total.connections += learnt.connections;
        total.operations += learnt.operations;
        detecting.alerts += d.alerts;
        if (learnt.connections == 0 || learnt.operations == 0) ++empty;
    }
    // The comparison covered records of every kind, and empty arrays.
    EXPECT_GT(total.connections, 300u);
    EXPECT_GT(total.operations, 300u);
    EXPECT_GT(detecting.alerts, 100u);
    EXPECT_GT(empty, 0u);
}

TEST(AnalyzeJsonTest, StreamedDocumentIsTheTreeDumpOfAPlantTrace) {
    const fs::path file = fs::temp_directory_path() /
                          ("ironsight_analyze_json_" + std::to_string(::getpid()) + ".pcap");
    test::PlantOptions plant;
    plant.minutes = 2;
    ASSERT_TRUE(test::writePlantLine(1, file, plant).ok());
    const Counts learnt = expectStreamedLikeTheTree(file, true);
    const Counts detecting = expectStreamedLikeTheTree(file, false);
    EXPECT_GT(learnt.operations, 10u);
    EXPECT_GT(detecting.alerts, 0u);
    fs::remove(file);
}

// VLAN names (only with [network] vlan_names) and texts the writer escapes: a DHCP host name
// with quotes, a backslash and UTF-8 (the dissectors pass valid UTF-8 only; the writer's
// `replace` stays as the tree's was), on VLAN 20.
TEST(AnalyzeJsonTest, StreamedDocumentIsTheTreeDumpWithVlanNamesAndEscapedTexts) {
    EngineOptions options;
    options.network = everyVlanNamed();
    Engine engine(options);
    const test::Host client{{0x02, 0, 0, 0, 0, 0x10}, 0x0a000010};  // 10.0.0.16
    const test::Host server{{0x02, 0, 0, 0, 0, 0x20}, 0x0a000020};  // 10.0.0.32
    std::int64_t us = 1'767'261'600'000'000;
    const auto feed = [&](const test::Bytes& frame) {
        engine.process(RawPacket{1, us, static_cast<std::uint32_t>(frame.size()), frame});
        us += 1000;
    };
    const std::vector<std::uint16_t> vlan20 = {20};
    feed(test::tcpFrame(client, server, 40000, 502, 1, 0, test::tcp::kSyn, {}, vlan20));
    feed(test::tcpFrame(server, client, 502, 40000, 7, 2, test::tcp::kSyn | test::tcp::kAck, {},
                        vlan20));
    for (std::uint16_t i = 0; i < 5; ++i) {
        feed(test::tcpFrame(client, server, 40000, 502, 2 + 12u * i, 8,
                            test::tcp::kAck | test::tcp::kPsh,
                            test::modbusAdu(i, 1, test::modbusReadRequest(3, 100, 2)), vlan20));
    }
    const std::string badName = "plc-\"line\"\\1 \xc3\xa9t\xc3\xa9";
    const test::Host dhcpServer{{0x02, 0, 0, 0, 0, 0x01}, 0x0a000001};
    test::Mac broadcast;
    broadcast.fill(0xff);
    feed(test::udpFrame(client, {broadcast, 0xffffffff}, 68, 67,
                        test::dhcpMessage(1, 3, 77, client.mac, 0, badName, "", 0x0a000001),
                        &broadcast));
    feed(test::udpFrame(dhcpServer, client, 67, 68,
                        test::dhcpMessage(2, 5, 77, client.mac, client.ip, "", "", 0x0a000001)));
    engine.finish();
    const Counts counts = expectStreamedLikeTheTree(engine, "VLAN and DHCP frames");
    EXPECT_GT(counts.namedVlans, 0u);
    EXPECT_GT(counts.operations, 0u);
    std::ostringstream streamed;
    writeAnalyzeJson(engine, {"x.pcap"}, nullptr, streamed);
    EXPECT_NE(streamed.str().find("\"vlan_names\": {\n        \"20\": \"floor 20\""),
              std::string::npos);
    EXPECT_NE(streamed.str().find("\"hostname\": \"plc-\\\"line\\\"\\\\1 \xc3\xa9t\xc3\xa9\""),
              std::string::npos)
        << "the DHCP host name, quotes and backslash escaped, UTF-8 as is:\n"
        << streamed.str();
}

}  // namespace
}  // namespace ironsight::sensor
