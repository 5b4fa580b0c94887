// SPDX-License-Identifier: Apache-2.0
// Detector tests: learning, every policy type (fires / quiet when learned), aggregation, baseline
// round trip and backward compatibility, catalog.
#include <gtest/gtest.h>

#include <map>
#include <sstream>
#include <tuple>

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

dissect::FlowContext between(const std::string& client, const std::string& server,
                             std::int64_t tsUs = 1000000) {
    return {client, server, 40000, 102, dissect::Transport::Tcp, tsUs};
}

dissect::Operation op(const std::string& protocol, const std::string& function,
                      const std::string& opClass, bool request = true) {
    dissect::Operation o;
    o.protocol = protocol;
    o.function = function;
    o.opClass = opClass;
    o.request = request;
    return o;
}

ConnectionEvent conn(const std::string& client, const std::string& server, std::uint16_t port,
                     const std::string& protocol, std::int64_t tsUs = 1000000) {
    ConnectionEvent c;
    c.clientIp = client;
    c.serverIp = server;
    c.transport = "tcp";
    c.serverPort = port;
    c.protocol = protocol;
    c.timestampUs = tsUs;
    return c;
}

std::vector<std::string> types(const Detector& d) {
    std::vector<std::string> out;
    for (const auto& a : d.alerts()) out.push_back(a.type);
    return out;
}

TEST(OperationAlertTypeTest, ClassifiesByClassAndFunctionName) {
    EXPECT_EQ(operationAlertType(op("s7comm", "download_block", "program")), "program_transfer");
    EXPECT_EQ(operationAlertType(op("dnp3", "open_file", "program")), "program_transfer");
    EXPECT_EQ(operationAlertType(op("modbus", "umas_initialize_upload", "program")),
              "program_transfer");
    EXPECT_EQ(operationAlertType(op("s7comm", "plc_stop", "control")), "mode_change");
    EXPECT_EQ(operationAlertType(op("s7comm", "plc_start", "control")), "mode_change");
    EXPECT_EQ(operationAlertType(op("enip", "stop", "control")), "mode_change");
    EXPECT_EQ(operationAlertType(op("modbus", "umas_stop_plc", "control")), "mode_change");
    EXPECT_EQ(operationAlertType(op("bacnet", "device_communication_control", "control")),
              "mode_change");
    EXPECT_EQ(operationAlertType(op("dnp3", "cold_restart", "control")), "restart_command");
    EXPECT_EQ(operationAlertType(op("dnp3", "warm_restart", "control")), "restart_command");
    EXPECT_EQ(operationAlertType(op("enip", "reset", "control")), "restart_command");
    EXPECT_EQ(operationAlertType(op("bacnet", "reinitialize_device", "control")),
              "restart_command");
    EXPECT_EQ(operationAlertType(op("iec104", "C_RP_NA_1", "control")), "restart_command");
    EXPECT_EQ(operationAlertType(op("enip", "nvs_transfer", "firmware")), "firmware_update");
    // Ordinary process control is not a mode change or a restart.
    EXPECT_EQ(operationAlertType(op("dnp3", "direct_operate", "control")), "");
    EXPECT_EQ(operationAlertType(op("iec104", "C_SC_NA_1", "control")), "");
    EXPECT_EQ(operationAlertType(op("modbus", "read_holding_registers", "read")), "");
}

struct OpCase {
    const char* type;
    dissect::Operation operation;
};

class OperationPolicyTest : public ::testing::TestWithParam<OpCase> {};

TEST_P(OperationPolicyTest, FiresWithLearningOffAndAggregates) {
    const auto& c = GetParam();
    Detector d(false);
    d.importBaseline("talk " + c.operation.protocol + " 10.0.0.31 10.0.0.11\n");
    d.onOperation(between("10.0.0.31", "10.0.0.11", 2000000), c.operation, "ews", "plc");
    d.onOperation(between("10.0.0.31", "10.0.0.11", 9000000), c.operation, "ews", "plc");
    // The response carries the same function name but is not a command.
    auto response = c.operation;
    response.request = false;
    d.onOperation(between("10.0.0.31", "10.0.0.11", 9500000), response, "ews", "plc");
    const auto alerts = d.alerts();
    ASSERT_EQ(alerts.size(), 1u);
    const auto& a = alerts[0];
    EXPECT_EQ(a.type, c.type);
    EXPECT_EQ(a.id, alertId(c.type, "ews", "plc"));
    EXPECT_EQ(a.count, 2u);
    EXPECT_EQ(a.firstSeenMs, 2000);
    EXPECT_EQ(a.lastSeenMs, 9000);
    EXPECT_EQ(a.engine, "policy");
    const AlertType* t = findAlertType(c.type);
    ASSERT_NE(t, nullptr);
    EXPECT_EQ(a.severity, t->severity);
    EXPECT_EQ(a.mitre, t->mitre);
    EXPECT_NE(a.description.find("10.0.0.31"), std::string::npos) << a.description;
    EXPECT_NE(a.description.find(c.operation.function), std::string::npos) << a.description;
    EXPECT_EQ(a.description.find('{'), std::string::npos) << a.description;
}

TEST_P(OperationPolicyTest, QuietOnLearnedTrafficAndInLearningMode) {
    const auto& c = GetParam();
    Detector learner(true);
    learner.onOperation(between("10.0.0.31", "10.0.0.11"), c.operation, "ews", "plc");
    EXPECT_TRUE(learner.alerts().empty()) << "learning mode raises no policy alert";
    EXPECT_NE(learner.exportBaseline().find(std::string("op ") + c.type + " " +
                                            c.operation.protocol + " 10.0.0.31 10.0.0.11"),
              std::string::npos)
        << learner.exportBaseline();
    Detector d(false);
    d.importBaseline(learner.exportBaseline());
    d.onOperation(between("10.0.0.31", "10.0.0.11"), c.operation, "ews", "plc");
    EXPECT_TRUE(d.alerts().empty());
    // Learned for that pair only: another client doing the same still alerts.
    d.onOperation(between("10.0.0.66", "10.0.0.11"), c.operation, "rogue", "plc");
    EXPECT_EQ(types(d), std::vector<std::string>{c.type});
}

INSTANTIATE_TEST_SUITE_P(
    EveryOperationType, OperationPolicyTest,
    ::testing::Values(OpCase{"program_transfer", op("s7comm", "download_block", "program")},
                      OpCase{"mode_change", op("s7comm", "plc_stop", "control")},
                      OpCase{"restart_command", op("dnp3", "cold_restart", "control")},
                      OpCase{"firmware_update", op("enip", "nvs_update_begin", "firmware")}),
    [](const auto& info) { return std::string(info.param.type); });

TEST(DetectorTest, NewDeviceFiresOncePerDeviceAndAggregates) {
    Detector d(true);
    d.onHost("10.0.0.11", 1000000, [] { return std::string("plc"); });
    d.setLearning(false);
    int asked = 0;
    d.onHost("10.0.0.11", 2000000, [&] { return ++asked, std::string("plc"); });
    EXPECT_TRUE(d.alerts().empty());
    EXPECT_EQ(asked, 0) << "known hosts do not look up their device";
    d.onHost("10.0.0.66", 3000000, [&] { return ++asked, std::string("ip-10.0.0.66"); });
    // The inventory may later key the same address by its MAC: still one alert.
    d.onHost("10.0.0.66", 4000000, [&] { return ++asked, std::string("mac-001b1b000066"); });
    const auto alerts = d.alerts();
    ASSERT_EQ(alerts.size(), 1u);
    EXPECT_EQ(alerts[0].type, "new_device");
    EXPECT_EQ(alerts[0].src, "ip-10.0.0.66");
    EXPECT_EQ(alerts[0].srcIp, "10.0.0.66");
    EXPECT_EQ(alerts[0].count, 2u);
    EXPECT_EQ(alerts[0].lastSeenMs, 4000);
    EXPECT_EQ(alerts[0].severity, Severity::Minor);
    EXPECT_EQ(alerts[0].mitre, "T0848");
    EXPECT_NE(alerts[0].description.find("10.0.0.66"), std::string::npos);
    EXPECT_EQ(asked, 1);
}

TEST(DetectorTest, UnauthorizedConnectionFiresForAnUnlearnedPathOnly) {
    Detector learner(true);
    learner.onConnection(conn("10.0.0.21", "10.0.0.11", 502, "modbus"), "hmi", "plc");
    EXPECT_TRUE(learner.alerts().empty());
    Detector d(false);
    d.importBaseline(learner.exportBaseline());
    d.onConnection(conn("10.0.0.21", "10.0.0.11", 502, "modbus"), "hmi", "plc");
    EXPECT_TRUE(d.alerts().empty()) << "learned path";
    // Same devices, another server port without a dissector.
    d.onConnection(conn("10.0.0.21", "10.0.0.11", 8080, "", 2000000), "hmi", "plc");
    // Reverse direction is another path.
    d.onConnection(conn("10.0.0.11", "10.0.0.21", 502, "modbus", 3000000), "plc", "hmi");
    // A broadcast is not a connection to a device.
    auto broadcast = conn("10.0.0.21", "10.0.0.255", 47808, "bacnet");
    broadcast.unicast = false;
    d.onConnection(broadcast, "hmi", "");
    const auto alerts = d.alerts();
    ASSERT_EQ(alerts.size(), 2u);
    for (const auto& a : alerts) {
        EXPECT_EQ(a.type, "unauthorized_connection");
        EXPECT_EQ(a.severity, Severity::Major);
        EXPECT_EQ(a.mitre, "T0869");
        EXPECT_EQ(a.count, 1u);
    }
    const auto& port8080 = alerts[0].srcIp == "10.0.0.21" ? alerts[0] : alerts[1];
    EXPECT_EQ(port8080.dst, "plc");
    EXPECT_NE(port8080.description.find("tcp/8080"), std::string::npos) << port8080.description;
}

TEST(DetectorTest, NewProtocolBetweenKnownDevicesOnly) {
    Detector learner(true);
    learner.onConnection(conn("10.0.0.21", "10.0.0.11", 502, "modbus"), "hmi", "plc");
    learner.onHost("10.0.0.31", 1000000, {});
    Detector d(false);
    d.importBaseline(learner.exportBaseline());
    // The learned pair starts talking S7: new protocol, not a plain new connection.
    d.onConnection(conn("10.0.0.21", "10.0.0.11", 102, "s7comm"), "hmi", "plc");
    d.onConnection(conn("10.0.0.21", "10.0.0.11", 102, "s7comm", 5000000), "hmi", "plc");
    // Modbus on another port between the same pair: the protocol is known, the path is not.
    d.onConnection(conn("10.0.0.21", "10.0.0.11", 503, "modbus"), "hmi", "plc");
    // A known device to an unknown one: a connection, not a protocol change.
    d.onConnection(conn("10.0.0.31", "10.0.0.77", 102, "s7comm"), "ews", "");
    std::map<std::string, AlertRecord> byType;
    for (const auto& a : d.alerts()) byType[a.type + " " + a.dstIp] = a;
    ASSERT_EQ(byType.size(), 3u);
    ASSERT_TRUE(byType.count("new_protocol 10.0.0.11"));
    EXPECT_EQ(byType["new_protocol 10.0.0.11"].count, 2u);
    EXPECT_EQ(byType["new_protocol 10.0.0.11"].protocol, "s7comm");
    EXPECT_EQ(byType["new_protocol 10.0.0.11"].severity, Severity::Major);
    ASSERT_TRUE(byType.count("unauthorized_connection 10.0.0.11"));
    EXPECT_EQ(byType["unauthorized_connection 10.0.0.11"].count, 1u);
    // The server has no device yet: the alert names it by its IP.
    ASSERT_TRUE(byType.count("unauthorized_connection 10.0.0.77"));
    EXPECT_EQ(byType["unauthorized_connection 10.0.0.77"].dst, "10.0.0.77");
    // Learned: quiet.
    Detector quiet(false);
    quiet.importBaseline(learner.exportBaseline());
    quiet.onConnection(conn("10.0.0.21", "10.0.0.11", 502, "modbus"), "hmi", "plc");
    EXPECT_TRUE(quiet.alerts().empty());
}

TEST(DetectorTest, BaselineRoundTripKeepsEveryKindAndUnknownLines) {
    Detector learner(true);
    learner.onHost("10.0.0.21", 1, {});
    learner.onConnection(conn("10.0.0.21", "10.0.0.11", 502, "modbus"), "hmi", "plc");
    learner.onOperation(between("10.0.0.31", "10.0.0.11"), op("s7comm", "plc_stop", "control"),
                        "ews", "plc");
    const std::string text = learner.exportBaseline();
    EXPECT_EQ(text,
              "conn tcp 10.0.0.21 10.0.0.11 502 modbus\n"
              "device 10.0.0.21\n"
              "op mode_change s7comm 10.0.0.31 10.0.0.11\n"
              "talk s7comm 10.0.0.31 10.0.0.11\n");
    Detector copy(false);
    copy.importBaseline(text + "x-future-kind something\r\n");
    EXPECT_EQ(copy.exportBaseline(), text + "x-future-kind something\n");
}

TEST(DetectorTest, OldBaselineWithOnlyTalkItemsCoversItsDevicesAndConnections) {
    // A baseline exported before device/conn/op items existed.
    Detector d(false);
    d.importBaseline("talk modbus 10.0.0.21 10.0.0.11\n");
    d.onHost("10.0.0.21", 1000000, {});
    d.onHost("10.0.0.11", 1000000, {});
    d.onConnection(conn("10.0.0.21", "10.0.0.11", 502, "modbus"), "hmi", "plc");
    EXPECT_TRUE(d.alerts().empty());
    d.onHost("10.0.0.99", 1000000, {});
    EXPECT_EQ(types(d), std::vector<std::string>{"new_device"});
}


std::string summary(const Detector& d) {
    std::string out = d.exportBaseline();
    for (const auto& a : d.alerts()) {
        out += a.id + " " + a.src + " " + a.dst + " " + std::to_string(a.count) + " " +
               std::to_string(a.firstSeenMs) + " " + std::to_string(a.lastSeenMs) + "\n";
    }
    return out;
}

// The engine passes a per-flow memo: alerts, counts and the learned baseline must be what the
// lookups without it give, also when one memo meets other ends (it starts over).
TEST(DetectorTest, OperationMemoChangesNothing) {
    for (const bool learning : {true, false}) {
        Detector plain(true), memoized(true);
        Detector::OperationMemo memo;
        const auto both = [&](const dissect::FlowContext& f, const dissect::Operation& op) {
            plain.onOperation(f, op, "ews", "plc");
            memoized.onOperation(
                f, op, [](bool server) { return std::string(server ? "plc" : "ews"); }, &memo);
        };
        dissect::Operation read = write();
        read.opClass = "read";
        read.function = "read_holding_registers";
        read.functionCode = 3;
        dissect::Operation stop = write();
        stop.protocol = "s7comm";
        stop.function = "plc_stop";
        stop.opClass = "control";
        for (int i = 0; i < 40; ++i) {  // a learned polling profile
            read.range = "holding_registers " + std::to_string(i % 2);
            both(flow("10.0.0.21", 1000000 + i * 500000), read);
        }
        both(flow("10.0.0.21", 30000000), write());
        plain.setLearning(learning);
        memoized.setLearning(learning);
        for (int i = 0; i < 40; ++i) {  // polling faster: polling_change once learning is off
            read.range = "holding_registers " + std::to_string(i % 2);
            both(flow("10.0.0.21", 40000000 + i * 50000), read);
            both(flow(i % 3 ? "10.0.0.21" : "10.0.0.31", 40000000 + i * 50000), write());
        }
        both(flow("10.0.0.31", 50000000), stop);
        both(flow("10.0.0.21", 50000000), stop);
        dissect::Operation response = write();
        response.request = false;
        both(flow("10.0.0.31", 51000000), response);
        EXPECT_EQ(summary(memoized), summary(plain)) << "learning " << learning;
        if (!learning) {
            EXPECT_FALSE(plain.alerts().empty());
        }
    }
}

// The baseline's compact set must behave as the std::set<std::string> it replaced: membership,
// insert/erase answers, the texts given back whole (empty, long, with spaces and NUL bytes) and
// sorted() in the set's order, across growth and erased slots being reused.
TEST(TextSetTest, BehavesLikeASetOfStrings) {
    TextSet set;
    std::set<std::string> reference;
    std::uint64_t state = 12345;
    const auto next = [&] {
        state = state * 6364136223846793005ULL + 1442695040888963407ULL;
        return state >> 33;
    };
    const auto textOf = [&](std::uint64_t n) {
        switch (n % 5) {
            case 0: return "conn tcp 10.0." + std::to_string(n % 251) + ".1 10.9.0." +
                           std::to_string(n % 17) + " 443 tls";
            case 1: return std::string(n % 7, 'x');  // "" among them
            case 2: return std::string("talk\0nul ", 9) + std::to_string(n % 997);
            case 3:  // now and then longer than an arena chunk
                return n % 400 == 3 ? std::string(300000 + n % 3, 'L') : "ip " + std::to_string(n);
            default: return "device 192.168." + std::to_string(n % 300);
        }
    };
    for (int i = 0; i < 60000; ++i) {
        const std::string text = textOf(next() % 4000);
        if (next() % 4 == 0) {
            ASSERT_EQ(set.erase(text), reference.erase(text)) << i;
        } else {
            ASSERT_EQ(set.insert(text), reference.insert(text).second) << i;
        }
        ASSERT_EQ(set.size(), reference.size());
        const std::string probe = textOf(next() % 4000);
        ASSERT_EQ(set.count(probe), reference.count(probe)) << i;
    }
    const auto sorted = set.sorted();
    ASSERT_EQ(sorted.size(), reference.size());
    EXPECT_TRUE(std::equal(sorted.begin(), sorted.end(), reference.begin(), reference.end()));
    EXPECT_GT(reference.size(), 1000u);
}

// The baseline's conn keys are cut from the "conn" items (session 10); an item written with
// other white space (a hand-edited or older baseline) still covers its connection, and the
// export gives every item back as it was.
TEST(DetectorTest, ConnItemsCoverTheirConnectionsWhateverTheirSpacing) {
    const std::string baseline =
        "conn tcp 10.0.0.1 10.0.0.2 502 modbus\n"
        "conn  tcp 10.0.0.3 10.0.0.4 502 modbus\n"
        "conn\ttcp\t10.0.0.5 10.0.0.6 502\tmodbus\n"
        "conn tcp 10.0.0.7 10.0.0.8 102 -\n";
    Detector d(false);
    d.importBaseline(baseline);
    d.onConnection(conn("10.0.0.1", "10.0.0.2", 502, "modbus"), "a", "b");
    d.onConnection(conn("10.0.0.3", "10.0.0.4", 502, "modbus"), "a", "b");
    d.onConnection(conn("10.0.0.5", "10.0.0.6", 502, "modbus"), "a", "b");
    d.onConnection(conn("10.0.0.7", "10.0.0.8", 102, ""), "a", "b");
    EXPECT_TRUE(d.alerts().empty()) << d.alerts().front().type;
    d.onConnection(conn("10.0.0.1", "10.0.0.2", 503, "modbus"), "a", "b");  // another port
    d.onConnection(conn("10.0.0.3", "10.0.0.4", 102, ""), "c", "d");
    EXPECT_EQ(types(d),
              (std::vector<std::string>{"unauthorized_connection", "unauthorized_connection"}));
    std::vector<std::string> lines;
    std::istringstream exported(d.exportBaseline());
    for (std::string line; std::getline(exported, line);) {
        if (line.starts_with("conn")) lines.push_back(line);
    }
    EXPECT_EQ(lines, (std::vector<std::string>{"conn\ttcp\t10.0.0.5 10.0.0.6 502\tmodbus",
                                               "conn  tcp 10.0.0.3 10.0.0.4 502 modbus",
                                               "conn tcp 10.0.0.1 10.0.0.2 502 modbus",
                                               "conn tcp 10.0.0.7 10.0.0.8 102 -"}));
    // Learning: a connection learned once is not learned again under another protocol.
    Detector learner(true);
    learner.onConnection(conn("10.0.1.1", "10.0.1.2", 502, "modbus"), "a", "b");
    learner.onConnection(conn("10.0.1.1", "10.0.1.2", 502, "other"), "a", "b");
    EXPECT_EQ(learner.exportBaseline().find("other"), std::string::npos);
}

// An index over a set's texts (the baseline's conn keys, session 10) must behave as a
// std::set of the keys inserted: keys are views into the source's texts, which stay valid when
// the source erases them and across the growth of both tables; a text the source does not
// hold adds nothing.
TEST(TextSetTest, IndexBehavesLikeASetOfKeys) {
    // The key: the text without its first and last words ("conn tcp A B 443 tls" -> "tcp A B
    // 443"); an item with less has an empty key.
    constexpr TextSet::KeyOf keyOf = [](std::string_view text) -> std::string_view {
        const std::size_t first = text.find(' '), last = text.rfind(' ');
        if (first == std::string_view::npos || last <= first) return {};
        return text.substr(first + 1, last - first - 1);
    };
    TextSet source;
    TextSet index(source, keyOf);
    std::set<std::string> keys, texts;
    std::uint64_t state = 777;
    const auto next = [&] {
        state = state * 6364136223846793005ULL + 1442695040888963407ULL;
        return state >> 33;
    };
    const auto textOf = [&](std::uint64_t n) {
        switch (n % 4) {
            case 0:  // two protocols on one key: one key for both texts
                return "conn tcp 10.0." + std::to_string(n % 509) + ".1 10.9.0.7 443 " +
                       (n % 8 == 0 ? "tls" : "http");
            case 1:
                return std::string("x ") + std::string(n % 300 == 1 ? 200000 : 3, 'K') + " y";
            case 2:
                return std::string("conn udp\0 10.1.1.", 17) + std::to_string(n % 97) + " 53 dns";
            default:
                return std::string(n % 3, 'w');  // no key: ""
        }
    };
    EXPECT_THROW(index.insert("a b c"), std::logic_error);
    EXPECT_THROW(source.insertKeyOf("a b c"), std::logic_error);
    EXPECT_FALSE(index.insertKeyOf("conn tcp 1.2.3.4 5.6.7.8 80 http")) << "not in the source";
    for (int i = 0; i < 40000; ++i) {
        const std::string text = textOf(next() % 6000);
        if (next() % 5 == 0) {
            ASSERT_EQ(source.erase(text), texts.erase(text)) << i;
        } else {
            ASSERT_EQ(source.insert(text), texts.insert(text).second) << i;
            const bool added = keys.insert(std::string(keyOf(text))).second;
            ASSERT_EQ(index.insertKeyOf(text), added) << i;
        }
        ASSERT_EQ(index.size(), keys.size());
        const std::string probe(keyOf(textOf(next() % 6000)));
        ASSERT_EQ(index.count(probe), keys.count(probe)) << i;
    }
    const auto sorted = index.sorted();
    ASSERT_EQ(sorted.size(), keys.size());
    EXPECT_TRUE(std::equal(sorted.begin(), sorted.end(), keys.begin(), keys.end()));
    EXPECT_GT(keys.size(), 500u);
    EXPECT_LT(index.memoryBytes(), keys.size() * 16) << "an index holds no texts";
}

// port_scan keeps IPv4 and IPv6 targets in tables of their own (session 10): a sweep counts
// ports per host and hosts per port whatever the family, and an IPv4 host and the IPv6 address
// whose first bytes are the same are two hosts.
TEST(DetectorTest, PortScanCountsIpv4AndIpv6TargetsApart) {
    const auto syn = [](const decode::IpAddress& dst, std::uint16_t port, std::int64_t us) {
        decode::DecodedPacket p;
        p.timestampUs = us;
        p.hasIp = true;
        p.srcIp = decode::IpAddress::v4(0x0a000042);  // 10.0.0.66
        p.dstIp = dst;
        p.l4 = decode::L4::Tcp;
        p.srcPort = 60000;
        p.dstPort = port;
        p.tcpFlags = decode::tcpflag::kSyn;
        return p;
    };
    decode::IpAddress v4 = decode::IpAddress::v4(0x0a00000b);  // 10.0.0.11
    decode::IpAddress v6 = v4;  // the same first four bytes, as IPv6: another host
    v6.v6 = true;
    v6.bytes[0] = 0xfd;
    decode::IpAddress v6Same = v6;
    v6Same.bytes[0] = 10;
    Detector d(true);
    std::int64_t us = 1'000'000;
    // One source; 10 ports of each host: below the threshold (15) per host unless the tables
    // took the two for one.
    for (std::uint16_t port = 1; port <= 10; ++port) {
        d.onPacket(syn(v4, port, us += 1000));
        d.onPacket(syn(v6Same, std::uint16_t(100 + port), us += 1000));
    }
    EXPECT_TRUE(d.alerts().empty()) << d.alerts().front().description;
    for (std::uint16_t port = 11; port <= 16; ++port) d.onPacket(syn(v6, port, us += 1000));
    for (std::uint16_t port = 111; port <= 115; ++port) d.onPacket(syn(v6Same, port, us += 1000));
    const auto alerts = d.alerts();
    ASSERT_EQ(alerts.size(), 1u);
    EXPECT_EQ(alerts[0].type, "port_scan");
    EXPECT_NE(alerts[0].description.find("15 ports"), std::string::npos) << alerts[0].description;
}

// port_scan's counters (session 10) must count as the std::maps they replaced: add/remove
// answers, membership and size across growth, backward-shift deletions and shrinking, with IPv4
// and IPv6 keys and a hash that collides a lot; an emptied table frees its slots.
TEST(FlatCounterTest, CountsLikeAStdMap) {
    struct Key {
        decode::IpAddress ip;
        std::uint16_t port = 0;
        bool operator==(const Key&) const = default;
        bool operator<(const Key& o) const { return std::tie(ip, port) < std::tie(o.ip, o.port); }
    };
    struct PoorHash {  // many keys share a home slot: long probe runs to shift back
        std::size_t operator()(const Key& k) const noexcept { return k.ip.bytes[3] % 7; }
    };
    FlatCounter<Key, PoorHash> counter;
    std::map<Key, std::uint32_t> reference;
    std::uint64_t state = 99;
    const auto next = [&] {
        state = state * 6364136223846793005ULL + 1442695040888963407ULL;
        return state >> 33;
    };
    const auto keyOf = [](std::uint64_t n) {
        Key k;
        k.ip = decode::IpAddress::v4(0x0a000000u + static_cast<std::uint32_t>(n % 700));
        if (n % 5 == 0) {
            k.ip.v6 = true;
            k.ip.bytes[15] = static_cast<std::uint8_t>(n);
        }
        k.port = static_cast<std::uint16_t>(n % 3);
        return k;
    };
    std::size_t largest = 0;
    for (int round = 0; round < 3; ++round) {
        // Fill (more adds than removes), then drain: the table grows, then shrinks.
        for (int phase = 0; phase < 2; ++phase) {
            for (int i = 0; i < 30000; ++i) {
                const Key k = keyOf(next() % (phase == 0 ? 3000 : 600));
                const bool adding = phase == 0 ? next() % 3 != 0 : next() % 4 == 0;
                if (adding) {
                    ASSERT_EQ(counter.add(k), ++reference[k]) << i;
                } else {
                    auto it = reference.find(k);
                    const std::uint32_t left = it == reference.end() ? 0 : --it->second;
                    if (it != reference.end() && left == 0) reference.erase(it);
                    ASSERT_EQ(counter.remove(k), left) << i;
                }
                ASSERT_EQ(counter.size(), reference.size());
                const Key probe = keyOf(next() % 3000);
                const auto found = reference.find(probe);
                ASSERT_EQ(counter.count(probe), found == reference.end() ? 0u : found->second);
                largest = std::max(largest, counter.capacity());
            }
        }
        for (const auto& [k, n] : reference) ASSERT_EQ(counter.count(k), n);
    }
    EXPECT_GT(largest, 2048u);
    while (!reference.empty()) {  // empty it: the slots are freed
        const Key k = reference.begin()->first;
        if (--reference.begin()->second == 0) reference.erase(reference.begin());
        counter.remove(k);
        ASSERT_EQ(counter.size(), reference.size());
        ASSERT_LE(counter.capacity(), std::max<std::size_t>(8, 8 * counter.size()));
    }
    EXPECT_EQ(counter.capacity(), 0u);
}

}  // namespace
}  // namespace ironsight::sensor::detect
