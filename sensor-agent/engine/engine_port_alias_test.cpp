// SPDX-License-Identifier: Apache-2.0
// Protocols on non-standard ports: a site's port aliases bind a dissector to a port; specific
// probes (OPC UA, DNP3, TLS, BACnet) claim flows on any port without one; weak ones (Modbus)
// never do, so an unknown service is not mislabelled.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "sensor-agent/engine/engine.h"
#include "tests/support/packet_builder.h"

namespace ironsight::sensor {
namespace {

namespace tcp = test::tcp;

const test::Host kClient{test::mac("00:1b:21:00:00:02"), test::ipv4("10.0.0.2")};
const test::Host kServer{test::mac("00:80:f4:00:00:01"), test::ipv4("10.0.0.1")};

/// Runs one client request and server response on `port` through an engine with `aliases`.
struct Exchange {
    Exchange(std::uint16_t port, const test::Bytes& request, const test::Bytes& response,
             std::vector<PortAlias> aliases = {}) {
        EngineOptions options;
        options.portAliases = std::move(aliases);
        engine = std::make_unique<Engine>(options);
        std::int64_t now = 1'000'000;
        const auto send = [&](const test::Host& from, const test::Host& to, std::uint16_t sport,
                              std::uint16_t dport, std::uint32_t seq, std::uint32_t ack,
                              std::uint8_t flags, const test::Bytes& payload) {
            const test::Bytes frame = test::tcpFrame(from, to, sport, dport, seq, ack, flags, payload);
            RawPacket raw;
            raw.timestampUs = now += 1000;
            raw.wireLength = static_cast<std::uint32_t>(frame.size());
            raw.data = frame;
            engine->process(raw);
        };
        send(kClient, kServer, 49152, port, 999, 0, tcp::kSyn, {});
        send(kServer, kClient, port, 49152, 4999, 1000, tcp::kSyn | tcp::kAck, {});
        send(kClient, kServer, 49152, port, 1000, 5000, tcp::kAck | tcp::kPsh, request);
        send(kServer, kClient, port, 49152, 5000, 1000 + static_cast<std::uint32_t>(request.size()),
             tcp::kAck | tcp::kPsh, response);
        engine->finish();
    }
    std::string protocolOf(std::uint16_t port) const {
        for (const auto& c : engine->connections()) {
            if (c.port == port) return c.protocol;
        }
        return "<no connection>";
    }
    std::vector<std::string> functions() const {
        std::vector<std::string> out;
        for (const auto& op : engine->operations()) out.push_back(op.protocol + "." + op.function);
        return out;
    }
    std::unique_ptr<Engine> engine;
};

test::Bytes modbusRead() { return test::modbusAdu(1, 1, test::modbusReadRequest(3, 0, 2)); }
test::Bytes modbusReadResponse() { return test::modbusAdu(1, 1, test::modbusReadResponse(3, {7, 8})); }

/// OPC UA Hello (Part 6 §7.1.2.3): "HELF", size, version, buffer sizes, limits, endpoint URL.
test::Bytes opcuaHello() {
    const std::string url = "opc.tcp://10.0.0.1:4841";
    test::Bytes b = {'H', 'E', 'L', 'F', 0, 0, 0, 0};
    const auto u32 = [&](std::uint32_t v) {
        for (int i = 0; i < 4; ++i) b.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
    };
    u32(0);        // protocol version
    u32(65536);    // receive buffer size
    u32(65536);    // send buffer size
    u32(0);        // max message size
    u32(0);        // max chunk count
    u32(static_cast<std::uint32_t>(url.size()));
    b.insert(b.end(), url.begin(), url.end());
    const auto size = static_cast<std::uint32_t>(b.size());
    for (int i = 0; i < 4; ++i) b[4 + i] = static_cast<std::uint8_t>(size >> (8 * i));
    return b;
}

test::Bytes opcuaAcknowledge() {
    test::Bytes b = {'A', 'C', 'K', 'F', 28, 0, 0, 0};
    for (std::uint32_t v : {0u, 65536u, 65536u, 0u, 0u}) {
        for (int i = 0; i < 4; ++i) b.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
    }
    return b;
}

TEST(EnginePortAliasTest, ModbusOnANonStandardPortNeedsAnAlias) {
    // A zero protocol id is too weak a sign to claim a port nobody declared.
    const Exchange plain(5020, modbusRead(), modbusReadResponse());
    EXPECT_EQ(plain.protocolOf(5020), "");
    EXPECT_TRUE(plain.functions().empty());

    auto alias = parsePortAlias("modbus=tcp/5020");
    ASSERT_TRUE(alias) << alias.error().message;
    const Exchange aliased(5020, modbusRead(), modbusReadResponse(), {*alias});
    EXPECT_EQ(aliased.protocolOf(5020), "modbus");
    EXPECT_EQ(aliased.functions(), std::vector<std::string>{"modbus.read_holding_registers"});
}

TEST(EnginePortAliasTest, AnAliasWinsOverThePortsDefaultBinding) {
    // Modbus on 20000 (DNP3's port) at a site that says so.
    const Exchange aliased(20000, modbusRead(), modbusReadResponse(),
                           {*parsePortAlias("modbus=tcp/20000")});
    EXPECT_EQ(aliased.protocolOf(20000), "modbus");
    EXPECT_EQ(aliased.functions(), std::vector<std::string>{"modbus.read_holding_registers"});
}

TEST(EnginePortAliasTest, OpcUaIsRecognisedOnAnyPortByItsHello) {
    const Exchange exchange(4841, opcuaHello(), opcuaAcknowledge());
    EXPECT_EQ(exchange.protocolOf(4841), "opcua");
    bool hello = false;
    for (const auto& f : exchange.functions()) hello = hello || f == "opcua.hello";
    EXPECT_TRUE(hello) << ::testing::PrintToString(exchange.functions());
}

TEST(EnginePortAliasTest, OtherTrafficOnAnOddPortStaysUnlabelled) {
    const std::string get = "GET / HTTP/1.0\r\n\r\n", ok = "HTTP/1.0 200 OK\r\n\r\n";
    const Exchange exchange(4841, test::Bytes(get.begin(), get.end()),
                            test::Bytes(ok.begin(), ok.end()));
    EXPECT_EQ(exchange.protocolOf(4841), "");
    EXPECT_TRUE(exchange.functions().empty());
}

TEST(EnginePortAliasTest, MalformedOrUnknownAliasesAreRefusedWithTheReason) {
    const auto error = [](const std::string& spec) {
        auto r = parsePortAlias(spec);
        return r ? std::string("accepted") : r.error().message;
    };
    EXPECT_NE(error("modbus").find("malformed"), std::string::npos);
    EXPECT_NE(error("modbus=tcp/0").find("port must be 1-65535"), std::string::npos);
    EXPECT_NE(error("modbus=tcp/70000").find("port must be 1-65535"), std::string::npos);
    EXPECT_NE(error("modbus=tcp/50x").find("port must be 1-65535"), std::string::npos);
    EXPECT_NE(error("modbus=sctp/502").find("transport must be tcp or udp"), std::string::npos);
    const std::string unknown = error("modbuz=tcp/5020");
    EXPECT_NE(unknown.find("no tcp dissector named 'modbuz'"), std::string::npos) << unknown;
    EXPECT_NE(unknown.find("modbus"), std::string::npos) << unknown;  // lists the known ones
    EXPECT_NE(error("modbus=udp/5020").find("no udp dissector named 'modbus'"), std::string::npos);
    auto dnp3 = parsePortAlias("dnp3=udp/20001");
    ASSERT_TRUE(dnp3);
    EXPECT_EQ(dnp3->protocol, "dnp3");
    EXPECT_FALSE(dnp3->tcp);
    EXPECT_EQ(dnp3->port, 20001);
}

}  // namespace
}  // namespace ironsight::sensor
