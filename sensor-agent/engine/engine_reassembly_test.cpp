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

}  // namespace
}  // namespace ironsight::sensor
