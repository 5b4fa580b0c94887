// SPDX-License-Identifier: Apache-2.0
// Engine TCP recovery on generated Modbus/TCP frames: a hole the peer acknowledged is skipped at
// once, an unacknowledged one waits for finish() (or the flow's idle expiry).
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
constexpr std::uint16_t kClientPort = 49152;
constexpr std::uint32_t kClientIsn = 1000, kServerIsn = 5000;

/// A Modbus/TCP exchange where the capture lost the client's second request (FC 16):
/// A = read holding registers (FC 3), B = write multiple registers (lost), C = write single
/// register (FC 6, captured after the hole).
class EngineReassemblyTest : public ::testing::Test {
protected:
    void SetUp() override {
        a_ = test::modbusAdu(1, 1, test::modbusReadRequest(3, 0, 2));
        b_ = test::modbusAdu(2, 1, test::modbusWriteMultipleRegisters(0, {1, 2}));
        c_ = test::modbusAdu(3, 1, test::modbusWriteSingleRegister(5, 42));
        responseA_ = test::modbusAdu(1, 1, test::modbusReadResponse(3, {7, 8}));
    }

    void send(const test::Host& from, const test::Host& to, std::uint16_t srcPort,
              std::uint16_t dstPort, std::uint32_t seq, std::uint32_t ack,
              const test::Bytes& payload) {
        const test::Bytes frame =
            test::tcpFrame(from, to, srcPort, dstPort, seq, ack, tcp::kAck | tcp::kPsh, payload);
        RawPacket raw;
        raw.timestampUs = nowUs_;
        raw.wireLength = static_cast<std::uint32_t>(frame.size());
        raw.data = frame;
        engine_.process(raw);
        nowUs_ += 10000;
    }
    void fromClient(std::uint32_t seq, std::uint32_t ack, const test::Bytes& payload) {
        send(kClient, kServer, kClientPort, 502, seq, ack, payload);
    }
    void fromServer(std::uint32_t seq, std::uint32_t ack, const test::Bytes& payload) {
        send(kServer, kClient, 502, kClientPort, seq, ack, payload);
    }
    std::uint32_t clientOffset(std::size_t bytes) const {
        return kClientIsn + static_cast<std::uint32_t>(bytes);
    }

    /// Request A and its response are seen; B is lost by the capture; C is captured.
    void requestsWithALostOne() {
        fromClient(kClientIsn, kServerIsn, a_);
        fromServer(kServerIsn, clientOffset(a_.size()), responseA_);
        fromClient(clientOffset(a_.size() + b_.size()), kServerIsn, c_);
    }

    std::uint64_t count(int functionCode) const {
        std::uint64_t n = 0;
        for (const auto& o : engine_.operations()) {
            if (o.protocol == "modbus" && o.functionCode == functionCode) n += o.count;
        }
        return n;
    }

    Engine engine_;
    std::int64_t nowUs_ = 1700000000000000;
    test::Bytes a_, b_, c_, responseA_;
};

TEST_F(EngineReassemblyTest, HoleThePeerAcknowledgedIsSkipped) {
    requestsWithALostOne();
    EXPECT_EQ(count(3), 1u);
    EXPECT_EQ(count(6), 0u) << "C waits behind the hole";
    // The server acknowledges B and C: the capture lost B, the network did not.
    const std::uint32_t serverNext = kServerIsn + static_cast<std::uint32_t>(responseA_.size());
    fromServer(serverNext, clientOffset(a_.size() + b_.size() + c_.size()), {});
    EXPECT_EQ(count(6), 1u) << "C is delivered after the gap, without finish()";
    EXPECT_EQ(count(16), 0u);
    // The stream goes on in order after the skipped hole.
    const test::Bytes d = test::modbusAdu(4, 1, test::modbusReadRequest(4, 0, 1));
    fromClient(clientOffset(a_.size() + b_.size() + c_.size()), serverNext, d);
    EXPECT_EQ(count(4), 1u);
    engine_.finish();
    EXPECT_EQ(count(6), 1u) << "nothing was left to flush";
}

TEST_F(EngineReassemblyTest, UnacknowledgedHoleWaitsForFinish) {
    requestsWithALostOne();
    // A duplicate acknowledgement of A only: B may still be retransmitted.
    const std::uint32_t serverNext = kServerIsn + static_cast<std::uint32_t>(responseA_.size());
    fromServer(serverNext, clientOffset(a_.size()), {});
    EXPECT_EQ(count(6), 0u);
    engine_.finish();  // end of the capture: the hole is given up on
    EXPECT_EQ(count(6), 1u);
    EXPECT_EQ(count(16), 0u);
    engine_.finish();  // idempotent
    EXPECT_EQ(count(6), 1u);
}

TEST_F(EngineReassemblyTest, RetransmissionFillsTheHoleBeforeFinish) {
    requestsWithALostOne();
    fromClient(clientOffset(a_.size()), kServerIsn, b_);  // B retransmitted and captured
    EXPECT_EQ(count(16), 1u);
    EXPECT_EQ(count(6), 1u);
    engine_.finish();
    EXPECT_EQ(count(6), 1u);
}

TEST_F(EngineReassemblyTest, IdleExpiryFlushesTheFlow) {
    requestsWithALostOne();
    EXPECT_EQ(count(6), 0u);
    nowUs_ += 3600LL * 1000000;  // an hour later another flow's packet expires this one
    send(kClient, kServer, kClientPort + 1, 502, 1, 0, a_);
    EXPECT_EQ(count(6), 1u);
}

/// A TLS flow whose dissector is released (after the ServerHello) while the client's side
/// still buffers bytes behind a hole, and which then goes on: the flow's reassembly state goes
/// at the release, and nothing the engine reports differs from keeping the dissector.
TEST(EngineReleasedFlowTest, FlowReleasedMidStreamThenContinuingReportsTheSame) {
    const auto concat = [](std::initializer_list<test::Bytes> parts) {
        test::Bytes out;
        for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
        return out;
    };
    // ClientHello with SNI "plc.vendor" (as in tls_dissector_test.cpp), 78 bytes.
    const test::Bytes hello = concat({
        {0x16, 0x03, 0x01, 0x00, 0x49, 0x01, 0x00, 0x00, 0x45, 0x03, 0x03},
        test::Bytes(32, 0xab),
        {0x00, 0x00, 0x02, 0x13, 0x01, 0x01, 0x00, 0x00, 0x1a},
        {0x00, 0x00, 0x00, 0x0f, 0x00, 0x0d, 0x00, 0x00, 0x0a, 'p', 'l', 'c', '.', 'v', 'e', 'n',
         'd', 'o', 'r'},
        {0x00, 0x2b, 0x00, 0x03, 0x02, 0x03, 0x04},
    });
    const test::Bytes serverHello = {0x16, 0x03, 0x03, 0x00, 0x04, 0x02, 0x00, 0x00, 0x00};
    const test::Bytes appData = {0x17, 0x03, 0x03, 0x00, 0x04, 0xde, 0xad, 0xbe, 0xef};
    const test::Host client{test::mac("00:1b:21:00:00:02"), test::ipv4("10.0.0.2")};
    const test::Host server{test::mac("00:80:f4:00:00:01"), test::ipv4("10.0.0.1")};
    constexpr std::uint32_t kC = 1000, kS = 5000;  // sequence numbers after the SYNs
    const auto n = [](const test::Bytes& b) { return static_cast<std::uint32_t>(b.size()); };

    const auto run = [&](Engine& engine) {
        std::int64_t us = 1700000000000000;
        const auto send = [&](bool fromClient, std::uint32_t seq, std::uint32_t ack,
                              std::uint8_t flags, const test::Bytes& payload) {
            const test::Bytes frame =
                fromClient ? test::tcpFrame(client, server, 51515, 443, seq, ack, flags, payload)
                           : test::tcpFrame(server, client, 443, 51515, seq, ack, flags, payload);
            RawPacket raw;
            raw.timestampUs = us += 1000;
            raw.wireLength = static_cast<std::uint32_t>(frame.size());
            raw.data = frame;
            engine.process(raw);
        };
        const std::uint8_t data = tcp::kAck | tcp::kPsh;
        send(true, kC - 1, 0, tcp::kSyn, {});
        send(false, kS - 1, kC, tcp::kSyn | tcp::kAck, {});
        send(true, kC, kS, tcp::kAck, {});
        send(true, kC, kS, data, hello);
        // The client's next record, beyond a hole of one record: buffered.
        send(true, kC + n(hello) + n(appData), kS, data, appData);
        send(false, kS, kC + n(hello), data, serverHello);  // the dissector is finished
        // The flow goes on: the hole filled, data both ways, a hole the peer acknowledged, a
        // retransmission, and a hole still open at the end of the capture.
        std::uint32_t c = kC + n(hello), s = kS + n(serverHello);
        send(true, c, s, data, appData);
        c += 2 * n(appData);
        send(false, s, c, data, appData);
        s += n(appData);
        send(false, s + n(appData), c, data, appData);
        send(true, c, s + 2 * n(appData), data, appData);
        send(false, s + 2 * n(appData), c + n(appData), data, appData);
        send(true, c, s, data, appData);
        send(true, c + 3 * n(appData), s, data, appData);
        engine.finish();
    };
    EngineOptions keep;
    keep.releaseFinishedDissectors = false;
    Engine released, kept(keep);
    run(released);
    run(kept);
    EXPECT_EQ(released.stats().dissectorsReleased, 1u);
    EXPECT_EQ(kept.stats().dissectorsReleased, 0u);
    const auto connections = [](const Engine& e) {
        std::vector<std::string> out;
        for (const auto& c : e.connections()) {
            std::string ops;
            for (const auto& o : c.operations) ops += o + ",";
            out.push_back(c.src + ">" + c.dst + " " + c.transport + "/" + std::to_string(c.port) +
                          " " + c.protocol + " " + std::to_string(c.packets) + " pkts " +
                          std::to_string(c.bytes) + " B " + ops);
        }
        return out;
    };
    const auto operations = [](const Engine& e) {
        std::vector<std::string> out;
        for (const auto& o : e.operations()) {
            out.push_back(o.protocol + " " + o.function + " " + std::to_string(o.count) + " " +
                          std::to_string(o.exceptions));
        }
        return out;
    };
    ASSERT_EQ(connections(released).size(), 1u);
    EXPECT_EQ(connections(released), connections(kept));
    EXPECT_EQ(operations(released), operations(kept));
    EXPECT_EQ(operations(released), std::vector<std::string>{"tls client_hello 1 0"});
    EXPECT_EQ(released.devices().size(), kept.devices().size());
    EXPECT_EQ(released.alerts().size(), kept.alerts().size());
}

}  // namespace
}  // namespace ironsight::sensor
