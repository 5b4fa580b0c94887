// SPDX-License-Identifier: Apache-2.0
// The benchmark trace generator: deterministic per seed, and what it writes is real traffic the
// engine understands (every OT protocol and the IT protocols yield operations, no malformed
// packets, every generated host becomes a device).
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <string>

#include "sensor-agent/capture/pcap_file_source.h"
#include "sensor-agent/engine/engine.h"
#include "tests/support/ot_trace.h"

namespace ironsight::test {
namespace {

namespace fs = std::filesystem;

class OtTraceTest : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ =
            fs::temp_directory_path() / ("ironsight_ot_trace_test_" + std::to_string(::getpid()));
        fs::create_directories(dir_);
    }
    void TearDown() override { fs::remove_all(dir_); }
    static std::string contents(const fs::path& file) {
        std::ifstream in(file, std::ios::binary);
        return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    }
    fs::path dir_;
};

OtTraceOptions small() {
    OtTraceOptions o;
    o.devices = 200;
    o.minutes = 1;
    o.longLivedFlows = 300;
    return o;
}

TEST_F(OtTraceTest, SameSeedSameBytesOtherSeedOtherBytes) {
    auto a = writeOtTrace(dir_ / "a.pcap", small());
    auto b = writeOtTrace(dir_ / "b.pcap", small());
    OtTraceOptions other = small();
    other.seed = 2;
    auto c = writeOtTrace(dir_ / "c.pcap", other);
    ASSERT_TRUE(a.ok() && b.ok() && c.ok());
    EXPECT_GT(a->packets, 10000u);
    EXPECT_EQ(a->packets, b->packets);
    EXPECT_EQ(contents(dir_ / "a.pcap"), contents(dir_ / "b.pcap"));
    EXPECT_NE(contents(dir_ / "a.pcap"), contents(dir_ / "c.pcap"));
}

TEST_F(OtTraceTest, TheEngineSeesEveryProtocolAndEveryHost) {
    auto summary = writeOtTrace(dir_ / "t.pcap", small());
    ASSERT_TRUE(summary.ok()) << summary.error().message;
    EXPECT_EQ(summary->longLivedFlows, 300u);
    auto source = sensor::PcapFileSource::open(dir_ / "t.pcap");
    ASSERT_TRUE(source.ok());
    sensor::Engine engine;
    sensor::RawPacket packet;
    std::int64_t lastUs = 0;
    bool ordered = true;
    for (;;) {
        auto more = source->next(packet);
        ASSERT_TRUE(more.ok());
        if (!*more) break;
        ordered = ordered && packet.timestampUs >= lastUs;
        lastUs = packet.timestampUs;
        engine.process(packet);
    }
    engine.finish();
    EXPECT_TRUE(ordered) << "frames are written in time order";
    const auto stats = engine.stats();
    EXPECT_EQ(stats.packets, summary->packets);
    EXPECT_EQ(stats.malformed, 0u);
    EXPECT_EQ(engine.devices().size(), static_cast<std::size_t>(summary->devices));
    // Long-lived flows stay open: at least those are still in the flow table at the end.
    EXPECT_GE(stats.flowsActive, 300u);

    std::set<std::string> protocols;
    std::uint64_t writes = 0;
    for (const auto& op : engine.operations()) {
        protocols.insert(op.protocol);
        if (op.opClass == "write") writes += op.count;
    }
    for (const char* p : {"modbus", "s7comm", "dnp3", "iec104", "bacnet", "http", "tls", "dns"}) {
        EXPECT_TRUE(protocols.count(p)) << p << " operations missing";
    }
    EXPECT_TRUE(protocols.count("enip") || protocols.count("cip")) << "EtherNet/IP missing";
    EXPECT_GT(writes, 0u) << "the HMIs write the odd setpoint";
}

}  // namespace
}  // namespace ironsight::test
