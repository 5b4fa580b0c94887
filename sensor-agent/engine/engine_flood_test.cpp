// SPDX-License-Identifier: Apache-2.0
// The engine under a flood of new flows (a SYN scan): the flow table stays within its bound,
// evictions are counted, and the established Modbus session keeps being analysed.
#include <gtest/gtest.h>

#include <algorithm>

#include "sensor-agent/engine/engine.h"
#include "tests/support/packet_builder.h"

namespace ironsight::sensor {
namespace {

using test::Bytes;
using test::Host;

void feed(Engine& engine, const Bytes& frame, std::int64_t us) {
    RawPacket raw;
    raw.timestampUs = us;
    raw.data = frame;
    raw.wireLength = static_cast<std::uint32_t>(frame.size());
    engine.process(raw);
}

TEST(EngineFloodTest, SynScanEvictsFlowsAndTheEngineKeepsAnalysing) {
    constexpr std::size_t kMaxFlows = 2000;
    constexpr int kScanPackets = 40000;
    EngineOptions options;
    options.maxFlows = kMaxFlows;
    Engine engine(options);
    const Host hmi{test::mac("00:14:22:00:00:01"), test::ipv4("10.0.0.1")};
    const Host plc{test::mac("00:80:f4:00:00:02"), test::ipv4("10.0.0.2")};
    const Host scanner{test::mac("00:14:22:00:00:66"), test::ipv4("10.0.0.66")};
    std::int64_t t = 1767261600000000;
    std::uint32_t cseq = 1000, sseq = 5000;
    feed(engine, test::tcpFrame(hmi, plc, 50000, 502, cseq++, 0, test::tcp::kSyn, {}), t);
    feed(engine,
         test::tcpFrame(plc, hmi, 502, 50000, sseq++, cseq, test::tcp::kSyn | test::tcp::kAck, {}),
         t + 100);
    feed(engine, test::tcpFrame(hmi, plc, 50000, 502, cseq, sseq, test::tcp::kAck, {}), t + 200);
    int polls = 0;
    for (int i = 0; i < kScanPackets; ++i) {
        t += 25;  // 40,000 SYNs a second: nothing idles out, only eviction bounds the table
        const Host target{plc.mac, test::ipv4("10.0.1.0") + static_cast<std::uint32_t>(i / 2000)};
        feed(engine,
             test::tcpFrame(scanner, target, static_cast<std::uint16_t>(30000 + i % 7),
                            static_cast<std::uint16_t>(1 + i % 2000), 77, 0, test::tcp::kSyn, {}),
             t);
        if (i % 400 == 0) {  // the HMI keeps polling holding registers 0-9
            const auto tid = static_cast<std::uint16_t>(++polls);
            const Bytes request = test::modbusAdu(tid, 1, test::modbusReadRequest(3, 0, 10));
            const Bytes response = test::modbusAdu(
                tid, 1, test::modbusReadResponse(3, std::vector<std::uint16_t>(10, 7)));
            feed(engine,
                 test::tcpFrame(hmi, plc, 50000, 502, cseq, sseq, test::tcp::kPsh | test::tcp::kAck,
                                request),
                 t + 1);
            cseq += static_cast<std::uint32_t>(request.size());
            feed(engine,
                 test::tcpFrame(plc, hmi, 502, 50000, sseq, cseq, test::tcp::kPsh | test::tcp::kAck,
                                response),
                 t + 2);
            sseq += static_cast<std::uint32_t>(response.size());
        }
    }
    engine.finish();
    const auto stats = engine.stats();
    EXPECT_EQ(stats.packets, 3u + kScanPackets + 2u * static_cast<unsigned>(polls));
    EXPECT_LE(stats.flowsActive, kMaxFlows);
    EXPECT_GE(stats.flowsEvicted, static_cast<std::uint64_t>(kScanPackets) - kMaxFlows);
    // Every poll was analysed: the session was never evicted (it is never the least recent).
    const auto ops = engine.operations();
    const auto read = std::find_if(ops.begin(), ops.end(), [](const OperationRecord& o) {
        return o.protocol == "modbus" && o.function == "read_holding_registers";
    });
    ASSERT_NE(read, ops.end());
    EXPECT_EQ(read->count, static_cast<std::uint64_t>(polls));
    EXPECT_EQ(read->clientIp, "10.0.0.1");
    EXPECT_EQ(read->serverIp, "10.0.0.2");
}

}  // namespace
}  // namespace ironsight::sensor
