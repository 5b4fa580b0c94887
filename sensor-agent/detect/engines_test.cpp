// SPDX-License-Identifier: Apache-2.0
// The protocol, anomaly, operational, IOC engines and the network policy rules (internet_access,
// remote_access, rogue_dhcp) end to end: generated frames through the real Engine, one test that
// triggers each type and one that shows it stays quiet on learned / normal traffic.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "sensor-agent/detect/alert_catalog.h"
#include "sensor-agent/detect/detector.h"
#include "sensor-agent/detect/ioc.h"
#include "sensor-agent/dissect/dnp3/dnp3_wire.h"
#include "sensor-agent/engine/engine.h"
#include "tests/support/packet_builder.h"

namespace ironsight::sensor::detect {
namespace {

using test::Bytes;
using test::Host;

const Host kPlc{test::mac("00:80:f4:00:00:11"), test::ipv4("10.0.0.11")};
const Host kPlc2{test::mac("00:80:f4:00:00:12"), test::ipv4("10.0.0.12")};
const Host kHmi{test::mac("00:80:f4:00:00:21"), test::ipv4("10.0.0.21")};
const Host kEws{test::mac("00:1b:1b:00:00:31"), test::ipv4("10.0.0.31")};
const Host kRogue{test::mac("00:0c:29:00:00:66"), test::ipv4("10.0.0.66")};
const Host kDhcp{test::mac("00:0c:29:00:00:01"), test::ipv4("10.0.0.1")};
const Host kInternet{test::mac("00:0c:29:00:00:fe"), test::ipv4("8.8.8.8")};
const Host kDocNet{test::mac("00:0c:29:00:00:fe"), test::ipv4("192.0.2.10")};

constexpr std::int64_t kStartUs = 1700000000000000;
constexpr std::int64_t kSecond = 1000000;

void feed(Engine& engine, const Bytes& frame, std::int64_t tsUs) {
    RawPacket p;
    p.timestampUs = tsUs;
    p.wireLength = static_cast<std::uint32_t>(frame.size());
    p.data = frame;
    engine.process(p);
}

/// A TCP conversation fed frame by frame; every frame advances the shared clock by `stepUs`.
class Session {
public:
    Session(Engine& engine, const Host& client, const Host& server, std::uint16_t clientPort,
            std::uint16_t serverPort, std::int64_t& clockUs, std::int64_t stepUs = 10000)
        : engine_(engine),
          client_(client),
          server_(server),
          cport_(clientPort),
          sport_(serverPort),
          clock_(clockUs),
          step_(stepUs) {
        send(true, test::tcp::kSyn, {});
        ++cseq_;
        send(false, test::tcp::kSyn | test::tcp::kAck, {});
        ++sseq_;
        send(true, test::tcp::kAck, {});
    }
    void request(const Bytes& payload) { send(true, test::tcp::kPsh | test::tcp::kAck, payload); }
    void response(const Bytes& payload) { send(false, test::tcp::kPsh | test::tcp::kAck, payload); }
    void setStep(std::int64_t stepUs) { step_ = stepUs; }

private:
    void send(bool fromClient, std::uint8_t flags, const Bytes& payload) {
        std::uint32_t& seq = fromClient ? cseq_ : sseq_;
        const std::uint32_t ack = (flags & test::tcp::kAck) ? (fromClient ? sseq_ : cseq_) : 0;
        const Bytes frame =
            fromClient ? test::tcpFrame(client_, server_, cport_, sport_, seq, ack, flags, payload)
                       : test::tcpFrame(server_, client_, sport_, cport_, seq, ack, flags, payload);
        seq += static_cast<std::uint32_t>(payload.size());
        feed(engine_, frame, clock_ += step_);
    }

    Engine& engine_;
    Host client_, server_;
    std::uint16_t cport_, sport_;
    std::uint32_t cseq_ = 1000, sseq_ = 50000;
    std::int64_t& clock_;
    std::int64_t step_;
};

std::vector<AlertRecord> ofType(const Engine& engine, const std::string& type) {
    std::vector<AlertRecord> out;
    for (const auto& a : engine.alerts()) {
        if (a.type == type) out.push_back(a);
    }
    return out;
}

std::string list(const Engine& engine) {
    std::string out;
    for (const auto& a : engine.alerts()) {
        out += a.type + " " + a.srcIp + " -> " + a.dstIp + " x" + std::to_string(a.count) + ": " +
               a.description + "\n";
    }
    return out;
}

/// Checks the catalog text was filled for an alert (no placeholder left, engine and ATT&CK set).
void expectCatalogText(const AlertRecord& a) {
    const AlertType* t = findAlertType(a.type);
    ASSERT_NE(t, nullptr) << a.type;
    EXPECT_EQ(a.engine, t->engine);
    EXPECT_EQ(a.severity, t->severity);
    EXPECT_EQ(a.mitre, t->mitre);
    EXPECT_EQ(a.description.find('{'), std::string::npos) << a.description;
    EXPECT_FALSE(a.remediation.empty());
}

/// HMI polls the PLC: read holding registers every `intervalUs`, answered.
void poll(Engine& engine, Session& s, int count, std::int64_t intervalUs, std::int64_t& clock,
          std::uint16_t firstTid = 1) {
    for (int i = 0; i < count; ++i) {
        const auto tid = static_cast<std::uint16_t>(firstTid + i);
        clock += intervalUs;
        s.request(test::modbusAdu(tid, 1, test::modbusReadRequest(3, 0, 4)));
        s.response(test::modbusAdu(tid, 1, test::modbusReadResponse(3, {1, 2, 3, 4})));
    }
    (void)engine;
}

/// A baseline learned from HMI -> PLC Modbus polling (once a second for `seconds`).
std::string learnPolling(std::int64_t& clock, int seconds = 60) {
    Engine learner;
    Session s(learner, kHmi, kPlc, 40000, 502, clock);
    poll(learner, s, seconds, kSecond, clock);
    return learner.exportBaseline();
}

// ---- protocol engine ---------------------------------------------------------------------------

TEST(ProtocolEngineTest, MalformedModbusRaisesMalformedPdu) {
    std::int64_t clock = kStartUs;
    Engine engine;  // learning: the protocol engine runs in both modes
    Session s(engine, kRogue, kPlc, 40000, 502, clock);
    s.request(test::modbusAdu(1, 1, test::modbusReadRequest(3, 0, 4)));
    s.request(Bytes{0x00, 0x02, 0x00, 0x07, 0x00, 0x01, 0x01, 0x03});  // protocol id 7
    const auto alerts = ofType(engine, "malformed_pdu");
    ASSERT_EQ(alerts.size(), 1u) << list(engine);
    EXPECT_EQ(alerts[0].srcIp, "10.0.0.66");
    EXPECT_EQ(alerts[0].dstIp, "10.0.0.11");
    EXPECT_EQ(alerts[0].protocol, "modbus");
    EXPECT_EQ(alerts[0].engine, "protocol");
    EXPECT_NE(alerts[0].description.find("malformed_pdu"), std::string::npos);
    expectCatalogText(alerts[0]);
}

TEST(ProtocolEngineTest, WellFormedTrafficHasNoProtocolAlerts) {
    std::int64_t clock = kStartUs;
    Engine engine;
    Session s(engine, kHmi, kPlc, 40000, 502, clock);
    poll(engine, s, 30, kSecond, clock);
    s.request(test::modbusAdu(99, 1, test::modbusReadRequest(3, 9000, 4)));
    s.response(test::modbusAdu(99, 1, test::modbusException(3, 2)));  // one exception is normal
    EXPECT_TRUE(engine.alerts().empty()) << list(engine);
}

TEST(ProtocolEngineTest, ManyModbusExceptionsRaiseOneExceptionStorm) {
    std::int64_t clock = kStartUs;
    Engine engine;
    Session s(engine, kRogue, kPlc, 40000, 502, clock);
    for (std::uint16_t i = 1; i <= 30; ++i) {  // an address sweep, 20 ms apart
        const auto address = static_cast<std::uint16_t>(9000 + 100 * i);
        s.request(test::modbusAdu(i, 1, test::modbusReadRequest(3, address, 1)));
        s.response(test::modbusAdu(i, 1, test::modbusException(3, 2)));
    }
    const auto alerts = ofType(engine, "exception_storm");
    ASSERT_EQ(alerts.size(), 1u) << list(engine);
    EXPECT_EQ(alerts[0].count, 1u);  // one storm
    EXPECT_EQ(alerts[0].srcIp, "10.0.0.66");
    EXPECT_EQ(alerts[0].dstIp, "10.0.0.11");
    EXPECT_EQ(alerts[0].protocol, "modbus");
    expectCatalogText(alerts[0]);
}

TEST(ProtocolEngineTest, SparseExceptionsAreNoStorm) {
    std::int64_t clock = kStartUs;
    Engine engine;
    Session s(engine, kHmi, kPlc, 40000, 502, clock);
    for (std::uint16_t i = 1; i <= 30; ++i) {  // one exception every 3 s: 4 per window at most
        clock += 3 * kSecond;
        s.request(test::modbusAdu(i, 1, test::modbusReadRequest(3, 9000, 1)));
        s.response(test::modbusAdu(i, 1, test::modbusException(3, 2)));
    }
    EXPECT_TRUE(ofType(engine, "exception_storm").empty()) << list(engine);
}

// OPC UA OpenSecureChannel request (UA TCP message "OPN"), security policy and mode as given.
Bytes u32le(std::uint32_t v) {
    return {std::uint8_t(v), std::uint8_t(v >> 8), std::uint8_t(v >> 16), std::uint8_t(v >> 24)};
}
Bytes cat(std::initializer_list<Bytes> parts) {
    Bytes out;
    for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
    return out;
}
Bytes opcuaOpen(const std::string& policy, std::uint32_t mode) {
    const Bytes body =
        cat({u32le(0),                              // secure channel id 0
             u32le(std::uint32_t(policy.size())),   // policy URI length
             Bytes(policy.begin(), policy.end()),   // policy URI
             u32le(0xffffffff), u32le(0xffffffff),  // no certificate, no thumbprint
             u32le(1), u32le(1),                    // sequence number, request id
             Bytes{0x01, 0x00, 0xbe, 0x01},         // NodeId 446: OPN request
             Bytes{0x00, 0x00, 0, 0, 0,    0,    0,    0,
                   0,    0,    1, 0, 0,    0,                 // auth token, timestamp, handle
                   0,    0,    0, 0, 0xff, 0xff, 0xff, 0xff,  // diagnostics, audit entry id
                   0x10, 0x27, 0, 0, 0,    0,    0},          // timeout, additional header
             u32le(0), u32le(0), u32le(mode),                 // version, issue, security mode
             u32le(0), u32le(600000)});                       // nonce, lifetime
    return cat({Bytes{'O', 'P', 'N', 'F'}, u32le(std::uint32_t(8 + body.size())), body});
}

TEST(ProtocolEngineTest, OpcuaSecurityModeNoneRaisesInsecureOpcua) {
    std::int64_t clock = kStartUs;
    Engine engine;
    Session s(engine, kHmi, kPlc, 40000, 4840, clock);
    s.request(opcuaOpen("http://opcfoundation.org/UA/SecurityPolicy#None", 1));
    const auto alerts = ofType(engine, "insecure_opcua");
    ASSERT_EQ(alerts.size(), 1u) << list(engine);
    EXPECT_EQ(alerts[0].srcIp, "10.0.0.21");
    EXPECT_EQ(alerts[0].dstIp, "10.0.0.11");
    EXPECT_EQ(alerts[0].severity, Severity::Warning);
    expectCatalogText(alerts[0]);
}

TEST(ProtocolEngineTest, SignedOpcuaChannelIsQuiet) {
    std::int64_t clock = kStartUs;
    Engine engine;
    Session s(engine, kHmi, kPlc, 40000, 4840, clock);
    s.request(opcuaOpen("http://opcfoundation.org/UA/SecurityPolicy#Basic256Sha256", 3));
    EXPECT_TRUE(ofType(engine, "insecure_opcua").empty()) << list(engine);
}

// ---- policy engine: network rules --------------------------------------------------------------

TEST(PolicyNetworkTest, IcsDeviceTalkingToPublicAddressRaisesInternetAccess) {
    std::int64_t clock = kStartUs;
    const std::string baseline = learnPolling(clock, 20);
    Engine engine(EngineOptions{.learning = false});
    engine.importBaseline(baseline);
    Session s(engine, kHmi, kPlc, 41000, 502, clock);
    poll(engine, s, 3, kSecond, clock);
    EXPECT_TRUE(engine.alerts().empty()) << list(engine);
    Session out(engine, kPlc, kInternet, 50000, 443, clock);
    Session doc(engine, kPlc, kDocNet, 50001, 443, clock);  // documentation range: not public
    const auto alerts = ofType(engine, "internet_access");
    ASSERT_EQ(alerts.size(), 1u) << list(engine);
    EXPECT_EQ(alerts[0].srcIp, "10.0.0.11");
    EXPECT_EQ(alerts[0].dstIp, "8.8.8.8");
    EXPECT_EQ(alerts[0].count, 1u);
    expectCatalogText(alerts[0]);
}

TEST(PolicyNetworkTest, LearnedInternetContactIsQuiet) {
    std::int64_t clock = kStartUs;
    Engine learner;
    {
        Session s(learner, kHmi, kPlc, 40000, 502, clock);
        poll(learner, s, 5, kSecond, clock);
        Session out(learner, kPlc, kInternet, 50000, 443, clock);  // learned
    }
    EXPECT_TRUE(learner.alerts().empty()) << list(learner);
    Engine engine(EngineOptions{.learning = false});
    engine.importBaseline(learner.exportBaseline());
    Session out(engine, kPlc, kInternet, 50002, 443, clock);
    EXPECT_TRUE(ofType(engine, "internet_access").empty()) << list(engine);
    // A non-ICS host is not an ICS device.
    Session it(engine, kRogue, kInternet, 50003, 443, clock);
    EXPECT_TRUE(ofType(engine, "internet_access").empty()) << list(engine);
}

Bytes text(const std::string& s) {
    return Bytes(s.begin(), s.end());
}

TEST(PolicyNetworkTest, SshSessionOutsideTheBaselineRaisesRemoteAccess) {
    std::int64_t clock = kStartUs;
    const std::string baseline = learnPolling(clock, 20);
    Engine engine(EngineOptions{.learning = false});
    engine.importBaseline(baseline);
    {
        Session ssh(engine, kHmi, kPlc, 41000, 22, clock);
        ssh.response(text("SSH-2.0-dropbear_2019.78\r\n"));
        ssh.request(text("SSH-2.0-OpenSSH_9.2\r\n"));
        ssh.response(Bytes(64, 0x14));  // key exchange: same session, counted once
        Session rdp(engine, kHmi, kPlc, 41001, 3389, clock);
        rdp.request(Bytes{0x03, 0x00, 0x00, 0x0b, 0x06, 0xe0, 0, 0, 0, 0, 0});
        rdp.response(Bytes{0x03, 0x00, 0x00, 0x0b, 0x06, 0xd0, 0, 0, 0, 0, 0});
    }
    const auto alerts = ofType(engine, "remote_access");
    ASSERT_EQ(alerts.size(), 1u) << list(engine);  // one alert for the device pair
    EXPECT_EQ(alerts[0].srcIp, "10.0.0.21");
    EXPECT_EQ(alerts[0].dstIp, "10.0.0.11");
    EXPECT_EQ(alerts[0].count, 2u);  // two sessions: SSH and RDP
    EXPECT_EQ(alerts[0].protocol, "ssh");
    // The connection itself is not also an unauthorized_connection.
    EXPECT_TRUE(ofType(engine, "unauthorized_connection").empty()) << list(engine);
    expectCatalogText(alerts[0]);
}

TEST(PolicyNetworkTest, LearnedRemoteSessionAndUnansweredAttemptAreQuiet) {
    std::int64_t clock = kStartUs;
    Engine learner;
    {
        Session ssh(learner, kEws, kPlc, 40000, 22, clock);
        ssh.response(text("SSH-2.0-dropbear_2019.78\r\n"));
    }
    EXPECT_TRUE(learner.alerts().empty()) << list(learner);
    Engine engine(EngineOptions{.learning = false});
    engine.importBaseline(learner.exportBaseline());
    Session ssh(engine, kEws, kPlc, 40100, 22, clock);  // the learned maintenance path
    ssh.response(text("SSH-2.0-dropbear_2019.78\r\n"));
    feed(engine, test::tcpFrame(kEws, kPlc, 40101, 23, 1, 0, test::tcp::kSyn, {}), clock += 1000);
    EXPECT_TRUE(ofType(engine, "remote_access").empty()) << list(engine);
}

Bytes dhcpOffer(const Host& client, std::uint32_t offered, std::uint32_t serverId) {
    return test::dhcpMessage(2, 2, 0x1234, client.mac, offered, "", "", serverId);
}

TEST(PolicyNetworkTest, UnknownDhcpServerRaisesRogueDhcp) {
    std::int64_t clock = kStartUs;
    const Host anyone{kPlc.mac, 0};
    const Host broadcast{test::kBroadcastMac, 0xffffffff};
    Engine learner;
    feed(learner,
         test::udpFrame(kDhcp, broadcast, 67, 68, dhcpOffer(anyone, kPlc.ip, kDhcp.ip),
                        &test::kBroadcastMac),
         clock += kSecond);
    Engine engine(EngineOptions{.learning = false});
    engine.importBaseline(learner.exportBaseline());
    feed(engine,
         test::udpFrame(kDhcp, broadcast, 67, 68, dhcpOffer(anyone, kPlc.ip, kDhcp.ip),
                        &test::kBroadcastMac),
         clock += kSecond);
    EXPECT_TRUE(ofType(engine, "rogue_dhcp").empty()) << list(engine);  // the learned server
    for (int i = 0; i < 2; ++i) {
        feed(engine,
             test::udpFrame(kRogue, broadcast, 67, 68,
                            dhcpOffer(anyone, test::ipv4("10.0.0.200"), kRogue.ip),
                            &test::kBroadcastMac),
             clock += kSecond);
    }
    const auto alerts = ofType(engine, "rogue_dhcp");
    ASSERT_EQ(alerts.size(), 1u) << list(engine);
    EXPECT_EQ(alerts[0].srcIp, "10.0.0.66");
    EXPECT_EQ(alerts[0].count, 2u);
    EXPECT_NE(alerts[0].description.find("10.0.0.200"), std::string::npos);
    expectCatalogText(alerts[0]);
}

// ---- site network settings ([network]: ICS subnets, DHCP ranges, VLAN names) -------------------

TEST(PolicyNetworkTest, HostInAnIcsSubnetTalkingToPublicAddressRaisesInternetAccess) {
    std::int64_t clock = kStartUs;
    Engine engine(EngineOptions{.learning = false});
    Session before(engine, kRogue, kInternet, 50000, 443, clock);  // no subnet yet: an IT host
    EXPECT_TRUE(ofType(engine, "internet_access").empty()) << list(engine);
    ASSERT_TRUE(engine.setNetwork({.icsSubnets = {"10.0.0.64/26"}}).ok());
    Session after(engine, kRogue, kInternet, 50001, 443, clock);
    Session other(engine, kEws, kInternet, 50002, 443, clock);  // 10.0.0.31: outside the subnet
    const auto alerts = ofType(engine, "internet_access");
    ASSERT_EQ(alerts.size(), 1u) << list(engine);
    EXPECT_EQ(alerts[0].srcIp, "10.0.0.66");
    EXPECT_EQ(alerts[0].dstIp, "8.8.8.8");
    expectCatalogText(alerts[0]);
}

TEST(PolicyNetworkTest, OfferOutsideTheDhcpRangesRaisesRogueDhcpEvenFromTheLearnedServer) {
    std::int64_t clock = kStartUs;
    const Host anyone{kPlc.mac, 0};
    const Host broadcast{test::kBroadcastMac, 0xffffffff};
    const auto offer = [&](Engine& e, std::uint32_t address) {
        feed(e,
             test::udpFrame(kDhcp, broadcast, 67, 68, dhcpOffer(anyone, address, kDhcp.ip),
                            &test::kBroadcastMac),
             clock += kSecond);
    };
    Engine learner;
    offer(learner, test::ipv4("10.0.0.150"));
    Engine engine(EngineOptions{.learning = false,
                                .network = {.dhcpRanges = {"10.0.0.100-10.0.0.199"}}});
    engine.importBaseline(learner.exportBaseline());
    offer(engine, test::ipv4("10.0.0.150"));  // the learned server, inside its pool
    EXPECT_TRUE(ofType(engine, "rogue_dhcp").empty()) << list(engine);
    offer(engine, test::ipv4("10.0.0.11"));  // outside: misconfigured or spoofed
    const auto alerts = ofType(engine, "rogue_dhcp");
    ASSERT_EQ(alerts.size(), 1u) << list(engine);
    EXPECT_EQ(alerts[0].srcIp, "10.0.0.1");
    EXPECT_NE(alerts[0].description.find("offered 10.0.0.11 (outside the site's DHCP ranges)"),
              std::string::npos)
        << alerts[0].description;
    expectCatalogText(alerts[0]);
}

TEST(PolicyNetworkTest, VlanNamesLabelDevicesAndAChangeReportsThemAgain) {
    std::int64_t clock = kStartUs;
    Engine engine;
    feed(engine, test::tcpFrame(kHmi, kPlc, 40000, 502, 1, 0, test::tcp::kSyn, {}, {20}),
         clock += kSecond);
    (void)engine.takeChanges();
    ASSERT_TRUE(engine.setNetwork({.vlanNames = {"20=PLC floor", "30=Office"}}).ok());
    const auto changes = engine.takeChanges();
    ASSERT_FALSE(changes.devices.empty());  // names changed: the devices are reported again
    for (const auto& d : changes.devices) {
        ASSERT_EQ(d.vlans, std::vector<std::uint32_t>{20}) << d.id;
        EXPECT_EQ(d.vlanNames, (std::map<std::uint32_t, std::string>{{20, "PLC floor"}})) << d.id;
    }
    EXPECT_TRUE(engine.takeChanges().devices.empty());
    // A bad entry changes nothing.
    const auto bad = engine.setNetwork({.vlanNames = {"20=Renamed"}, .dhcpRanges = {"nonsense"}});
    ASSERT_FALSE(bad.ok());
    EXPECT_NE(bad.error().message.find("'nonsense'"), std::string::npos) << bad.error().message;
    EXPECT_EQ(engine.devices().front().vlanNames.at(20), "PLC floor");
}

// ---- anomaly engine ----------------------------------------------------------------------------

TEST(AnomalyEngineTest, SynScanAnsweredByResetsRaisesPortScan) {
    std::int64_t clock = kStartUs;
    Engine engine;  // both modes
    for (std::uint16_t port = 1; port <= 40; ++port) {
        feed(engine, test::tcpFrame(kRogue, kPlc, 60000, port, 7, 0, test::tcp::kSyn, {}),
             clock += 1000);
        feed(engine,
             test::tcpFrame(kPlc, kRogue, port, 60000, 0, 8, test::tcp::kRst | test::tcp::kAck, {}),
             clock += 1000);
    }
    const auto alerts = ofType(engine, "port_scan");
    ASSERT_EQ(alerts.size(), 1u) << list(engine);
    EXPECT_EQ(alerts[0].srcIp, "10.0.0.66");
    EXPECT_EQ(alerts[0].dstIp, "10.0.0.11");
    EXPECT_EQ(alerts[0].count, 26u);  // probes 15..40
    EXPECT_EQ(alerts[0].severity, Severity::Critical);
    expectCatalogText(alerts[0]);
}

TEST(AnomalyEngineTest, HostSweepOnOnePortRaisesPortScan) {
    std::int64_t clock = kStartUs;
    Engine engine;
    for (std::uint32_t i = 1; i <= 30; ++i) {
        const Host target{kPlc.mac, test::ipv4("10.0.1.0") + i};
        feed(engine, test::tcpFrame(kRogue, target, 60000, 502, 7, 0, test::tcp::kSyn, {}),
             clock += 1000);
    }
    const auto alerts = ofType(engine, "port_scan");
    ASSERT_EQ(alerts.size(), 1u) << list(engine);
    EXPECT_EQ(alerts[0].srcIp, "10.0.0.66");
    EXPECT_EQ(alerts[0].dstIp, "");
    EXPECT_EQ(alerts[0].count, 11u);  // hosts 20..30
    EXPECT_NE(alerts[0].description.find("port 502"), std::string::npos);
}

TEST(AnomalyEngineTest, ReconnectingPollerIsNoScan) {
    std::int64_t clock = kStartUs;
    Engine engine;
    for (std::uint16_t i = 0; i < 50; ++i) {  // a new connection per poll, two PLCs
        Session a(engine, kHmi, kPlc, std::uint16_t(40000 + i), 502, clock);
        Session b(engine, kHmi, kPlc2, std::uint16_t(40000 + i), 502, clock);
    }
    EXPECT_TRUE(ofType(engine, "port_scan").empty()) << list(engine);
}

Bytes arpReply(const Host& sender, const Host& target) {
    return test::arpFrame(2, sender, target, false);
}

TEST(AnomalyEngineTest, ArpBindingFlipRaisesArpSpoofing) {
    std::int64_t clock = kStartUs;
    Engine engine;                            // both modes
    const Host spoofed{kRogue.mac, kPlc.ip};  // the rogue laptop claims the PLC's address
    for (int i = 0; i < 3; ++i) {
        feed(engine, arpReply(kPlc, kHmi), clock += kSecond);
        feed(engine, arpReply(spoofed, kHmi), clock += kSecond);
    }
    const auto alerts = ofType(engine, "arp_spoofing");
    ASSERT_EQ(alerts.size(), 1u) << list(engine);
    EXPECT_EQ(alerts[0].dstIp, "10.0.0.11");
    EXPECT_EQ(alerts[0].count, 5u);  // every change after the first binding
    EXPECT_NE(alerts[0].description.find("00:0c:29:00:00:66"), std::string::npos);
    expectCatalogText(alerts[0]);
}

TEST(AnomalyEngineTest, StableOrLongReplacedBindingIsQuietWhileLearning) {
    std::int64_t clock = kStartUs;
    Engine engine;
    for (int i = 0; i < 5; ++i) feed(engine, arpReply(kPlc, kHmi), clock += kSecond);
    clock += 3600 * kSecond;  // the PLC's NIC replaced an hour later
    const Host replaced{kRogue.mac, kPlc.ip};
    for (int i = 0; i < 5; ++i) feed(engine, arpReply(replaced, kHmi), clock += kSecond);
    EXPECT_TRUE(ofType(engine, "arp_spoofing").empty()) << list(engine);
}

TEST(AnomalyEngineTest, BindingOutsideTheBaselineRaisesArpSpoofingWhenLearningIsOff) {
    std::int64_t clock = kStartUs;
    Engine learner;
    feed(learner, arpReply(kPlc, kHmi), clock += kSecond);
    Engine engine(EngineOptions{.learning = false});
    engine.importBaseline(learner.exportBaseline());
    clock += 3600 * kSecond;
    feed(engine, arpReply(kPlc, kHmi), clock += kSecond);
    EXPECT_TRUE(ofType(engine, "arp_spoofing").empty()) << list(engine);
    feed(engine, arpReply(Host{kRogue.mac, kPlc.ip}, kHmi), clock += kSecond);
    ASSERT_EQ(ofType(engine, "arp_spoofing").size(), 1u) << list(engine);
}

TEST(AnomalyEngineTest, SlowerPollingRaisesPollingChangeOnce) {
    std::int64_t clock = kStartUs;
    const std::string baseline = learnPolling(clock, 60);
    EXPECT_NE(baseline.find("poll modbus|10.0.0.21|10.0.0.11|read_holding_registers|"),
              std::string::npos)
        << baseline;
    Engine engine(EngineOptions{.learning = false});
    engine.importBaseline(baseline);
    Session s(engine, kHmi, kPlc, 41000, 502, clock);
    poll(engine, s, 40, kSecond, clock, 1);  // as learned
    EXPECT_TRUE(engine.alerts().empty()) << list(engine);
    poll(engine, s, 40, 5 * kSecond, clock, 100);  // the poller slowed down to 5 s
    const auto alerts = ofType(engine, "polling_change");
    ASSERT_EQ(alerts.size(), 1u) << list(engine);
    EXPECT_EQ(alerts[0].count, 1u);  // hysteresis: one raise while it stays slow
    EXPECT_EQ(alerts[0].srcIp, "10.0.0.21");
    EXPECT_NE(alerts[0].description.find("learned 10"), std::string::npos) << alerts[0].description;
    expectCatalogText(alerts[0]);
}

TEST(AnomalyEngineTest, FloodRaisesTrafficAnomalyOnceAndLearnedRateIsQuiet) {
    std::int64_t clock = kStartUs;
    const std::string baseline = learnPolling(clock, 120);
    EXPECT_NE(baseline.find("rate 10.0.0.11 10.0.0.21 "), std::string::npos) << baseline;
    Engine engine(EngineOptions{.learning = false});
    engine.importBaseline(baseline);
    Session s(engine, kHmi, kPlc, 41000, 502, clock);
    poll(engine, s, 60, kSecond, clock);
    EXPECT_TRUE(engine.alerts().empty()) << list(engine);
    for (int i = 0; i < 3000; ++i) {  // 3000 segments in 3 s
        feed(engine, test::tcpFrame(kHmi, kPlc, 41001, 502, 1, 0, test::tcp::kAck, {}),
             clock += 1000);
    }
    const auto alerts = ofType(engine, "traffic_anomaly");
    ASSERT_EQ(alerts.size(), 1u) << list(engine);
    EXPECT_EQ(alerts[0].count, 1u);
    EXPECT_EQ(alerts[0].srcIp, "10.0.0.11");
    EXPECT_EQ(alerts[0].dstIp, "10.0.0.21");
    expectCatalogText(alerts[0]);
}

// ---- operational engine ------------------------------------------------------------------------

TEST(OperationalEngineTest, RegularSenderThatStopsRaisesDeviceSilentOnPacketTime) {
    std::int64_t clock = kStartUs;
    Engine learner(EngineOptions{.silentAfterSeconds = 30});
    {
        Session s(learner, kHmi, kPlc, 40000, 502, clock);
        poll(learner, s, 60, kSecond, clock);
    }
    const std::string baseline = learner.exportBaseline();
    EXPECT_NE(baseline.find("active 10.0.0.11"), std::string::npos) << baseline;
    Engine engine(EngineOptions{.learning = false, .silentAfterSeconds = 30});
    engine.importBaseline(baseline);
    Session s(engine, kHmi, kPlc, 41000, 502, clock);
    poll(engine, s, 10, kSecond, clock);
    // The PLC stops answering; the HMI keeps asking (packet time moves on, wall clock does not).
    for (std::uint16_t i = 0; i < 60; ++i) {
        clock += kSecond;
        s.request(test::modbusAdu(std::uint16_t(500 + i), 1, test::modbusReadRequest(3, 0, 4)));
    }
    const auto silent = ofType(engine, "device_silent");
    ASSERT_EQ(silent.size(), 1u) << list(engine);
    EXPECT_EQ(silent[0].dstIp, "10.0.0.11");
    EXPECT_EQ(silent[0].count, 1u);
    EXPECT_EQ(silent[0].engine, "operational");
    expectCatalogText(silent[0]);
    // The same outage seen by Modbus: requests left unanswered.
    const auto restarted = ofType(engine, "device_restarted");
    ASSERT_EQ(restarted.size(), 1u) << list(engine);
    EXPECT_EQ(restarted[0].dstIp, "10.0.0.11");
    EXPECT_NE(restarted[0].description.find("unanswered"), std::string::npos);
    expectCatalogText(restarted[0]);
}

TEST(OperationalEngineTest, DevicesThatKeepTalkingAreQuiet) {
    std::int64_t clock = kStartUs;
    Engine learner(EngineOptions{.silentAfterSeconds = 30});
    {
        Session s(learner, kHmi, kPlc, 40000, 502, clock);
        poll(learner, s, 60, kSecond, clock);
    }
    Engine engine(EngineOptions{.learning = false, .silentAfterSeconds = 30});
    engine.importBaseline(learner.exportBaseline());
    Session s(engine, kHmi, kPlc, 41000, 502, clock);
    poll(engine, s, 120, kSecond, clock);
    EXPECT_TRUE(engine.alerts().empty()) << list(engine);
}

TEST(OperationalEngineTest, Dnp3RestartIinRaisesDeviceRestarted) {
    std::int64_t clock = kStartUs;
    Engine engine;
    Session s(engine, kHmi, kPlc, 40000, 20000, clock);
    // Link frame (DIR=0 PRM=1 unconfirmed user data, 10 -> 1) with correct CRCs; transport FIN
    // FIR; application: response (129) with IIN1 = 0x80 (device restart) or 0x00.
    const auto response = [](std::uint8_t iin1) {
        using namespace dissect::dnp3;
        const Bytes user = {0xc0, 0xc0, 0x81, iin1, 0x00};
        Bytes out = {0x05, 0x64, std::uint8_t(5 + user.size()), 0x44, 0x01, 0x00, 0x0a, 0x00};
        const std::uint16_t h = crc16(out);
        out.push_back(std::uint8_t(h));
        out.push_back(std::uint8_t(h >> 8));
        const std::uint16_t b = crc16(user);
        out.insert(out.end(), user.begin(), user.end());
        out.push_back(std::uint8_t(b));
        out.push_back(std::uint8_t(b >> 8));
        return out;
    };
    s.response(response(0x00));
    EXPECT_TRUE(ofType(engine, "device_restarted").empty()) << list(engine);
    s.response(response(0x80));
    s.response(response(0x80));  // the bit stays set until the master clears it: same restart
    ASSERT_EQ(ofType(engine, "device_restarted").size(), 1u) << list(engine);
    EXPECT_EQ(ofType(engine, "device_restarted")[0].count, 1u);
    s.response(response(0x00));  // cleared
    s.response(response(0x80));  // restarted again
    const auto alerts = ofType(engine, "device_restarted");
    ASSERT_EQ(alerts.size(), 1u) << list(engine);
    EXPECT_EQ(alerts[0].dstIp, "10.0.0.11");
    EXPECT_EQ(alerts[0].protocol, "dnp3");
    EXPECT_EQ(alerts[0].count, 2u);
    EXPECT_NE(alerts[0].description.find("IIN1.7"), std::string::npos);
    expectCatalogText(alerts[0]);
}

// ---- IOC engine --------------------------------------------------------------------------------

TEST(IndicatorListTest, ParsesAddressesNetworksDomainsAndComments) {
    const auto list = IndicatorList::parse(
        "# threat feed 2026-11\n"
        "8.8.8.8\n"
        "  203.0.113.0/24   # campaign X\n"
        "2001:db8::/32\n"
        "Evil.Example.\n"
        "\n",
        "feed.txt");
    ASSERT_TRUE(list) << list.error().message;
    EXPECT_EQ(list->size(), 4u);
    decode::IpAddress ip;
    ASSERT_TRUE(parseIpAddress("203.0.113.77", ip));
    EXPECT_EQ(list->match(ip), "203.0.113.0/24");
    ASSERT_TRUE(parseIpAddress("203.0.114.1", ip));
    EXPECT_EQ(list->match(ip), "");
    ASSERT_TRUE(parseIpAddress("2001:db8::5", ip));
    EXPECT_EQ(list->match(ip), "2001:db8::/32");
    EXPECT_EQ(list->matchDomain("www.EVIL.example"), "evil.example");
    EXPECT_EQ(list->matchDomain("evil.example."), "evil.example");
    EXPECT_EQ(list->matchDomain("notevil.example"), "");

    const auto bad = IndicatorList::parse("8.8.8.8\n10.0.0.0/33\n", "feed.txt");
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().message, "feed.txt:2: not an IP address, CIDR or domain: 10.0.0.0/33");
    EXPECT_FALSE(IndicatorList::parse("not a domain!"));
}

TEST(IocEngineTest, AddressDnsAndHttpHostMatchesRaiseIocMatch) {
    std::int64_t clock = kStartUs;
    Engine engine(EngineOptions{.indicators = "8.8.8.0/24\nevil.example\n"});
    const Host dns{kDhcp.mac, kDhcp.ip};
    feed(engine, test::udpFrame(kHmi, dns, 53000, 53, test::dnsQuery(7, "c2.evil.example")),
         clock += kSecond);
    Session out(engine, kPlc, kInternet, 50000, 443, clock);
    Session web(engine, kEws, kDocNet, 50001, 80, clock);
    web.request(text("GET / HTTP/1.1\r\nUser-Agent: x\r\nHost: evil.example:8080\r\n\r\n"));
    const auto alerts = ofType(engine, "ioc_match");
    std::map<std::string, AlertRecord> bySrc;
    for (const auto& a : alerts) bySrc[a.srcIp] = a;
    ASSERT_EQ(alerts.size(), 3u) << list(engine);
    ASSERT_TRUE(bySrc.count("10.0.0.21"));
    EXPECT_EQ(bySrc["10.0.0.21"].dstIp, "c2.evil.example");
    EXPECT_EQ(bySrc["10.0.0.21"].protocol, "dns");
    ASSERT_TRUE(bySrc.count("10.0.0.11"));
    EXPECT_EQ(bySrc["10.0.0.11"].dstIp, "8.8.8.8");
    EXPECT_EQ(bySrc["10.0.0.11"].count, 3u);  // SYN, SYN-ACK, ACK
    ASSERT_TRUE(bySrc.count("10.0.0.31"));
    EXPECT_EQ(bySrc["10.0.0.31"].protocol, "http");
    EXPECT_NE(bySrc["10.0.0.31"].description.find("evil.example"), std::string::npos);
    for (const auto& a : alerts) expectCatalogText(a);
}

TEST(IocEngineTest, TrafficOffTheListIsQuiet) {
    std::int64_t clock = kStartUs;
    Engine engine(EngineOptions{.indicators = "8.8.4.4\nevil.example\n"});
    const Host dns{kDhcp.mac, kDhcp.ip};
    feed(engine, test::udpFrame(kHmi, dns, 53000, 53, test::dnsQuery(7, "good.example")),
         clock += kSecond);
    feed(engine, test::udpFrame(kHmi, dns, 53000, 53, test::dnsQuery(8, "evil.example.org")),
         clock += kSecond);
    Session out(engine, kPlc, kInternet, 50000, 443, clock);
    EXPECT_TRUE(ofType(engine, "ioc_match").empty()) << list(engine);
}

// ---- baseline text -----------------------------------------------------------------------------

TEST(ProfileBaselineTest, ProfilesSurviveExportAndImport) {
    std::int64_t clock = kStartUs;
    Engine learner(EngineOptions{.silentAfterSeconds = 30});
    {
        Session s(learner, kHmi, kPlc, 40000, 502, clock);
        poll(learner, s, 120, kSecond, clock);
    }
    const std::string baseline = learner.exportBaseline();
    Engine copy(EngineOptions{.learning = false});
    copy.importBaseline(baseline);
    EXPECT_EQ(copy.exportBaseline(), baseline);
    EXPECT_NE(baseline.find("poll "), std::string::npos);
    EXPECT_NE(baseline.find("rate "), std::string::npos);
    EXPECT_NE(baseline.find("active "), std::string::npos);
}

// ---- alert handling: Learn, Mute, exclusion rules ----------------------------------------------

/// A rogue laptop scans the PLC (port_scan, both modes) at `clock`.
void scan(Engine& engine, const Host& from, const Host& to, std::int64_t& clock) {
    for (std::uint16_t port = 1; port <= 20; ++port) {
        feed(engine, test::tcpFrame(from, to, 60000, port, 7, 0, test::tcp::kSyn, {}),
             clock += 1000);
    }
}

TEST(AlertHandlingTest, LearnedAlertStopsFiringAndSurvivesTheBaseline) {
    std::int64_t clock = kStartUs;
    Engine engine;
    scan(engine, kRogue, kPlc, clock);
    auto alerts = ofType(engine, "port_scan");
    ASSERT_EQ(alerts.size(), 1u) << list(engine);
    const auto count = alerts[0].count;
    EXPECT_FALSE(engine.learnAlert("port_scan-0000000000000000"));
    ASSERT_TRUE(engine.learnAlert(alerts[0].id));
    clock += 120 * kSecond;
    scan(engine, kRogue, kPlc, clock);  // the same pattern again: learned
    EXPECT_EQ(ofType(engine, "port_scan")[0].count, count);
    const std::string baseline = engine.exportBaseline();
    EXPECT_NE(baseline.find("allow port_scan 10.0.0.66 10.0.0.11\n"), std::string::npos);

    Engine restored;  // persisted: a sensor restarted from its stored baseline stays quiet
    restored.importBaseline(baseline);
    scan(restored, kRogue, kPlc, clock);
    EXPECT_TRUE(ofType(restored, "port_scan").empty()) << list(restored);
    scan(restored, kEws, kPlc, clock);  // another scanner is not covered
    EXPECT_EQ(ofType(restored, "port_scan").size(), 1u) << list(restored);
}

TEST(AlertHandlingTest, MuteSuppressesAndUnmuteRestores) {
    std::int64_t clock = kStartUs;
    Engine engine;
    scan(engine, kRogue, kPlc, clock);
    const auto alert = ofType(engine, "port_scan").at(0);
    ASSERT_TRUE(engine.muteAlert(alert.id));
    clock += 120 * kSecond;
    scan(engine, kRogue, kPlc, clock);
    EXPECT_EQ(ofType(engine, "port_scan").at(0).count, alert.count);  // suppressed
    EXPECT_NE(engine.exportBaseline().find("mute port_scan "), std::string::npos);
    ASSERT_TRUE(engine.muteAlert(alert.id, false));
    EXPECT_EQ(engine.exportBaseline().find("mute port_scan "), std::string::npos);
    clock += 120 * kSecond;
    scan(engine, kRogue, kPlc, clock);
    EXPECT_EQ(ofType(engine, "port_scan").at(0).count, 2 * alert.count);  // reversible
}

TEST(AlertHandlingTest, ExclusionRulesByTypeDeviceSubnetAndTimeWindow) {
    Engine engine;
    EXPECT_FALSE(engine.addExclusion("port_scan * 10.0.0.0/33 *"));
    EXPECT_FALSE(engine.addExclusion("port_scan * * 25:00-01:00"));
    EXPECT_FALSE(engine.addExclusion("port_scan *"));
    // Scans from the vulnerability scanner's subnet during the nightly window are approved.
    ASSERT_TRUE(engine.addExclusion("port_scan * 10.0.0.64/26 22:00-02:00"));
    ASSERT_TRUE(engine.addExclusion("* 10.0.0.31 * *"));  // the engineering station: anything
    std::int64_t night = kStartUs - kStartUs % (86400 * kSecond) + 23 * 3600 * kSecond;
    scan(engine, kRogue, kPlc, night);  // 10.0.0.66 at 23:00 UTC: excluded
    scan(engine, kEws, kPlc, night);    // excluded by device
    EXPECT_TRUE(engine.alerts().empty()) << list(engine);
    std::int64_t day = night + 12 * 3600 * kSecond;  // 11:00 UTC: outside the window
    scan(engine, kRogue, kPlc, day);
    ASSERT_EQ(ofType(engine, "port_scan").size(), 1u) << list(engine);
    EXPECT_EQ(ofType(engine, "port_scan")[0].srcIp, "10.0.0.66");

    const std::string baseline = engine.exportBaseline();
    EXPECT_NE(baseline.find("exclude port_scan * 10.0.0.64/26 22:00-02:00\n"), std::string::npos);
    {
        Detector d;  // a rule can be taken back
        d.importBaseline(baseline);
        EXPECT_FALSE(d.removeExclusion("port_scan * 10.0.0.0/8 *"));
        EXPECT_TRUE(d.removeExclusion("port_scan * 10.0.0.64/26 22:00-02:00"));
        EXPECT_EQ(d.exportBaseline().find("exclude port_scan"), std::string::npos);
    }
    Engine restored;
    restored.importBaseline(baseline);
    night += 86400 * kSecond;
    scan(restored, kRogue, kPlc, night);
    EXPECT_TRUE(restored.alerts().empty()) << list(restored);
}

}  // namespace
}  // namespace ironsight::sensor::detect
