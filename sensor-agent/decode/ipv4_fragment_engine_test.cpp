// SPDX-License-Identifier: Apache-2.0
// Reassembled IPv4 datagrams through the whole engine: a DNS response of 60 A records in three
// fragments names the host of its last record (only in the last fragment); with a fragment
// missing, or out of order, the engine sees exactly what a receiver would.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <string>

#include "sensor-agent/engine/engine.h"
#include "tests/support/packet_builder.h"

namespace ironsight::sensor {
namespace {

using namespace ironsight::test;

const Host kResolver{mac("00:80:f4:00:00:53"), ipv4("10.1.1.53")};
const Host kClient{mac("00:1b:1b:00:00:10"), ipv4("10.1.1.10")};

/// A DNS response for historian.plant.example with `answers` A records 10.1.2.1, 10.1.2.2, ...
Bytes bigDnsResponse(int answers) {
    Bytes m = dnsQuery(0x2222, "historian.plant.example");
    m[2] = 0x81;
    m[3] = 0x80;
    m[6] = static_cast<std::uint8_t>(answers >> 8);
    m[7] = static_cast<std::uint8_t>(answers);
    for (int i = 0; i < answers; ++i) {
        const Bytes rr{0xc0, 0x0c, 0, 1, 0,  1, 0, 0,
                       0x0e, 0x10, 0, 4, 10, 1, 2, static_cast<std::uint8_t>(1 + i)};
        m.insert(m.end(), rr.begin(), rr.end());
    }
    return m;
}

/// The UDP datagram (1,009 bytes) as three IPv4 fragments of up to 400 bytes, as Ethernet frames.
std::vector<Bytes> fragments() {
    const Bytes udp = udpDatagram(kResolver.ip, kClient.ip, 53, 40001, bigDnsResponse(60));
    std::vector<Bytes> out;
    for (std::size_t off = 0; off < udp.size(); off += 400) {
        const std::size_t len = std::min<std::size_t>(400, udp.size() - off);
        const Bytes piece(udp.begin() + static_cast<std::ptrdiff_t>(off),
                          udp.begin() + static_cast<std::ptrdiff_t>(off + len));
        const auto field =
            static_cast<std::uint16_t>((off + len < udp.size() ? 0x2000 : 0) | (off / 8));
        out.push_back(ethernet(kClient.mac, kResolver.mac, etype::kIpv4,
                               ipv4Packet(kResolver.ip, kClient.ip, 17, piece, 64, 4242, field)));
    }
    return out;
}

void feed(Engine& engine, const std::vector<Bytes>& frames, const std::vector<int>& order) {
    std::int64_t ts = 1'700'000'000'000'000;
    for (int i : order) {
        RawPacket p;
        p.data = frames[static_cast<std::size_t>(i)];
        p.wireLength = static_cast<std::uint32_t>(p.data.size());
        p.timestampUs = ts += 100;
        engine.process(p);
    }
}

/// The hosts the response names send something first (the inventory names devices it has seen).
void hostsSpeak(Engine& engine) {
    std::vector<Bytes> frames;
    for (const char* ip : {"10.1.2.1", "10.1.2.60"}) {
        const Host h{mac("00:80:f4:00:02:01"), ipv4(ip)};
        frames.push_back(udpFrame(h, kClient, 5000, 5001, Bytes{1, 2, 3}));
    }
    feed(engine, frames, {0, 1});
}

std::string hostnameOf(const Engine& engine, const std::string& ip) {
    for (const auto& d : engine.devices()) {
        if (std::find(d.ips.begin(), d.ips.end(), ip) != d.ips.end()) return d.hostname;
    }
    return "<no device>";
}

TEST(Ipv4FragmentEngineTest, ReassembledDnsResponseIsDissectedWhole) {
    const auto frames = fragments();
    ASSERT_EQ(frames.size(), 3U);
    Engine engine;
    hostsSpeak(engine);
    feed(engine, frames, {0, 1, 2});
    EXPECT_EQ(hostnameOf(engine, "10.1.2.1"),
              "historian.plant.example");  // first fragment's record
    EXPECT_EQ(hostnameOf(engine, "10.1.2.60"),
              "historian.plant.example");  // last fragment's record
    bool dns = false;
    for (const auto& c : engine.connections()) {
        dns = dns || (c.protocol == "dns" && c.port == 53 && c.srcIp == "10.1.1.10");
    }
    EXPECT_TRUE(dns);
    bool query = false;  // the response's question, reported once the message parsed whole
    for (const auto& o : engine.operations()) {
        query = query || (o.protocol == "dns" && o.function == "query");
    }
    EXPECT_TRUE(query);
    const auto stats = engine.stats();
    EXPECT_EQ(stats.packets, 5U);
    EXPECT_EQ(stats.malformed, 0U);
    EXPECT_TRUE(stats.malformedByReason.empty());
    EXPECT_EQ(stats.ipv4Fragments, 3U);
    EXPECT_EQ(stats.ipv4Reassembled, 1U);
    EXPECT_TRUE(stats.ipv4FragmentDrops.empty());
}

TEST(Ipv4FragmentEngineTest, DropsAndMalformedPacketsAreCountedByReason) {
    auto frames = fragments();
    Engine engine;
    hostsSpeak(engine);
    feed(engine, frames, {0, 2});  // the middle one never comes: the datagram times out
    Bytes cut = frames[1];
    cut.resize(14 + 10);  // Ethernet + half an IPv4 header
    feed(engine, {cut}, {0});
    // A fragment an hour later (packet time): the incomplete datagram's 30 s are over.
    RawPacket late;
    const Bytes frame = frames[0];
    late.data = frame;
    late.wireLength = static_cast<std::uint32_t>(frame.size());
    late.timestampUs = 1'700'000'000'000'000 + 3'600'000'000LL;
    engine.process(late);
    const auto stats = engine.stats();
    EXPECT_EQ(stats.malformed, 1U);
    EXPECT_EQ(stats.malformedByReason, (std::map<std::string, std::uint64_t>{{"truncated_ipv4", 1}}));
    EXPECT_EQ(stats.ipv4Fragments, 3U);
    EXPECT_EQ(stats.ipv4Reassembled, 0U);
    EXPECT_EQ(stats.ipv4FragmentDrops, (std::map<std::string, std::uint64_t>{{"timeout", 1}}));
}

TEST(Ipv4FragmentEngineTest, OutOfOrderFragmentsToo) {
    const auto frames = fragments();
    Engine engine;
    hostsSpeak(engine);
    feed(engine, frames, {2, 0, 1});
    EXPECT_EQ(hostnameOf(engine, "10.1.2.60"), "historian.plant.example");
}

TEST(Ipv4FragmentEngineTest, MissingFragmentMeansNoPartialMessage) {
    const auto frames = fragments();
    Engine engine;
    hostsSpeak(engine);
    feed(engine, frames, {0, 2});
    // Before reassembly the first fragment alone reached the DNS dissector as a cut message.
    EXPECT_EQ(hostnameOf(engine, "10.1.2.1"), "");
    EXPECT_EQ(hostnameOf(engine, "10.1.2.60"), "");
    for (const auto& c : engine.connections()) EXPECT_NE(c.port, 53) << c.srcIp << " " << c.dstIp;
    EXPECT_TRUE(engine.operations().empty());
}

}  // namespace
}  // namespace ironsight::sensor
