// SPDX-License-Identifier: Apache-2.0
// Alert evidence end to end: generated traffic raises a known alert, the engine keeps the packets
// around its trigger, the sensor store persists them (real SQLite file, reopened), and the
// exported pcap read back with libpcap (and tshark when installed) holds those packets byte for
// byte. Bounds: per capture, per alert, the engine's buffer and the store under a flood.
#include <gtest/gtest.h>
#include <pcap/pcap.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "sensor-agent/engine/engine.h"
#include "sensor-agent/engine/evidence_recorder.h"
#include "sensor-agent/store/evidence_convert.h"
#include "sensor-agent/store/evidence_store.h"
#include "tests/support/packet_builder.h"

namespace ironsight::sensor {
namespace {

using test::Bytes;
using test::Host;

constexpr std::int64_t kStart = 1767261600000000;  // 2026-01-01 10:00 UTC

struct Fed {
    std::int64_t us;
    Bytes frame;
};

class EvidenceTest : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = std::filesystem::temp_directory_path() /
               ("ironsight-evidence-" + std::to_string(::getpid()) + "-" +
                ::testing::UnitTest::GetInstance()->current_test_info()->name());
        std::filesystem::remove_all(dir_);
        std::filesystem::create_directories(dir_);
    }
    void TearDown() override { std::filesystem::remove_all(dir_); }

    void feed(Engine& engine, Bytes frame, std::int64_t us) {
        RawPacket raw;
        raw.timestampUs = us;
        raw.data = frame;
        raw.wireLength = static_cast<std::uint32_t>(frame.size());
        engine.process(raw);
        fed_.push_back({us, std::move(frame)});
    }

    /// A scan of the PLC: `sources` hosts from `firstSource` on (one MAC, as behind a router),
    /// each sending a SYN to ports 1..`ports`, 50 us apart; `payloadOf(source, port)` is the
    /// SYN's payload. Many new flows: new_device, unauthorized_connection and port_scan alerts.
    template <class PayloadOf>
    void feedScan(Engine& engine, const char* mac, std::uint32_t firstSource, int sources,
                  std::uint16_t ports, PayloadOf payloadOf) {
        std::int64_t t = kStart;
        for (int src = 0; src < sources; ++src) {
            const Host scanner{test::mac(mac), firstSource + static_cast<std::uint32_t>(src)};
            for (std::uint16_t port = 1; port <= ports; ++port) {
                feed(engine,
                     test::tcpFrame(scanner, plc_, 40000, port, 1, 0, test::tcp::kSyn,
                                    payloadOf(src, port)),
                     t += 50);
            }
        }
    }

    /// A Modbus/TCP session HMI -> PLC: handshake, reads, one write (the trigger), more reads.
    /// Returns the index in fed_ of the write request.
    std::size_t modbusSessionWithWrite(Engine& engine, int readsBefore, int readsAfter) {
        std::int64_t t = kStart;
        std::uint32_t c = 1000, s = 9000;
        feed(engine, test::tcpFrame(hmi_, plc_, 50000, 502, c, 0, test::tcp::kSyn, {}), t);
        feed(
            engine,
            test::tcpFrame(plc_, hmi_, 502, 50000, s, c + 1, test::tcp::kSyn | test::tcp::kAck, {}),
            t += 100);
        ++c, ++s;
        feed(engine, test::tcpFrame(hmi_, plc_, 50000, 502, c, s, test::tcp::kAck, {}), t += 100);
        std::uint16_t tid = 1;
        const auto exchange = [&](const Bytes& request, const Bytes& response) {
            const Bytes req = test::modbusAdu(tid, 1, request);
            const Bytes rsp = test::modbusAdu(tid, 1, response);
            ++tid;
            feed(engine,
                 test::tcpFrame(hmi_, plc_, 50000, 502, c, s, test::tcp::kPsh | test::tcp::kAck,
                                req),
                 t += 500000);
            c += static_cast<std::uint32_t>(req.size());
            const std::size_t requestIndex = fed_.size() - 1;
            feed(engine,
                 test::tcpFrame(plc_, hmi_, 502, 50000, s, c, test::tcp::kPsh | test::tcp::kAck,
                                rsp),
                 t += 2000);
            s += static_cast<std::uint32_t>(rsp.size());
            return requestIndex;
        };
        const Bytes read = test::modbusReadRequest(3, 0, 2);
        const Bytes readResponse = test::modbusReadResponse(3, {1, 2});
        for (int i = 0; i < readsBefore; ++i) exchange(read, readResponse);
        const Bytes write = test::modbusWriteSingleRegister(7, 42);
        const std::size_t trigger = exchange(write, write);  // FC 6 response echoes the request
        for (int i = 0; i < readsAfter; ++i) exchange(read, readResponse);
        return trigger;
    }

    static const AlertEvidence* evidenceOf(const std::vector<AlertEvidence>& all,
                                           const std::string& alertId) {
        for (const auto& e : all) {
            if (e.alertId == alertId) return &e;
        }
        return nullptr;
    }
    static std::string alertIdOf(const Engine& engine, const std::string& type) {
        for (const auto& a : engine.alerts()) {
            if (a.type == type) return a.id;
        }
        return {};
    }

    const Host hmi_{test::mac("00:14:22:00:00:01"), test::ipv4("10.0.0.1")};
    const Host plc_{test::mac("00:80:f4:00:00:02"), test::ipv4("10.0.0.2")};
    std::filesystem::path dir_;
    std::vector<Fed> fed_;
};

struct PcapCloser {
    void operator()(pcap_t* p) const { pcap_close(p); }
};

/// Every record of a pcap file, read with libpcap.
std::vector<Fed> readPcap(const std::filesystem::path& file, int* linkType) {
    char err[PCAP_ERRBUF_SIZE] = {};
    std::unique_ptr<pcap_t, PcapCloser> p(pcap_open_offline(file.c_str(), err));
    EXPECT_TRUE(p) << err;
    std::vector<Fed> out;
    if (!p) return out;
    if (linkType) *linkType = pcap_datalink(p.get());
    pcap_pkthdr* h = nullptr;
    const u_char* data = nullptr;
    while (pcap_next_ex(p.get(), &h, &data) == 1) {
        out.push_back(
            {std::int64_t{h->ts.tv_sec} * 1000000 + h->ts.tv_usec, Bytes(data, data + h->caplen)});
        EXPECT_EQ(h->len, h->caplen);
    }
    return out;
}

TEST_F(EvidenceTest, UnauthorizedWriteKeepsItsPacketsInTheStoreAndThePcapHasThemByteForByte) {
    Engine engine(EngineOptions{.learning = false});
    const std::size_t trigger = modbusSessionWithWrite(engine, 3, 20);
    engine.finish();
    const std::string alertId = alertIdOf(engine, "unauthorized_write");
    ASSERT_FALSE(alertId.empty());
    const auto all = engine.takeEvidence();
    const AlertEvidence* ev = evidenceOf(all, alertId);
    ASSERT_NE(ev, nullptr);
    // The ring held the last 16 packets of the flow up to the write; then the flow's next
    // packets until 32 (the default alertPackets).
    const std::size_t before = std::min<std::size_t>(16, trigger + 1);
    ASSERT_EQ(ev->packets.size(), 32u);
    EXPECT_EQ(ev->triggerIndex, before - 1);
    EXPECT_EQ(ev->linkType, 1);
    EXPECT_EQ(ev->triggerUs, fed_[trigger].us);
    const std::size_t first = trigger + 1 - before;
    for (std::size_t i = 0; i < ev->packets.size(); ++i) {
        EXPECT_EQ(ev->packets[i].data, fed_[first + i].frame) << "packet " << i;
        EXPECT_EQ(ev->packets[i].timestampUs, fed_[first + i].us) << "packet " << i;
    }
    EXPECT_TRUE(engine.takeEvidence().empty());  // taken once

    // Into the store (every capture, as `run` does), then a restart: a new process opens it.
    {
        auto store = store::EvidenceStore::open(dir_);
        ASSERT_TRUE(store.ok()) << store.error().message;
        std::vector<store::EvidenceCapture> batch;
        for (const auto& e : all) batch.push_back(store::toEvidenceCapture(e));
        ASSERT_TRUE((*store)->append(batch, 1000).ok());
    }
    auto pcap = store::evidencePcap(dir_, alertId);
    ASSERT_TRUE(pcap.ok()) << pcap.error().message;
    const auto file = dir_ / "evidence.pcap";
    std::ofstream(file, std::ios::binary) << *pcap;
    int linkType = 0;
    const auto records = readPcap(file, &linkType);
    EXPECT_EQ(linkType, 1);
    ASSERT_EQ(records.size(), ev->packets.size());
    for (std::size_t i = 0; i < records.size(); ++i) {
        EXPECT_EQ(records[i].frame, fed_[first + i].frame) << "record " << i;
        EXPECT_EQ(records[i].us, fed_[first + i].us) << "record " << i;
    }
    EXPECT_FALSE(store::evidencePcap(dir_, "no-such-alert").ok());

    // tshark opens it and sees the write (when installed; libpcap above is the real check).
    if (std::system("command -v tshark >/dev/null 2>&1") == 0) {
        const auto out = dir_ / "tshark.txt";
        const std::string cmd = "tshark -n -r '" + file.string() +
                                "' -Y 'modbus.func_code == 6' -T fields -e frame.number > '" +
                                out.string() + "' 2>/dev/null";  // stderr: a root warning
        ASSERT_EQ(std::system(cmd.c_str()), 0);
        std::ifstream in(out);
        std::string frames((std::istreambuf_iterator<char>(in)), {});
        // The write request (trigger) and its echoed response, as 1-based frame numbers.
        EXPECT_EQ(frames, std::to_string(ev->triggerIndex + 1) + "\n" +
                              std::to_string(ev->triggerIndex + 2) + "\n");
    } else {
        std::cout << "tshark not installed: pcap checked with libpcap only\n";
    }
}

TEST_F(EvidenceTest, AlertOutsideAFlowUsesTheRingOfOtherPackets) {
    // ARP and ICMP are no TCP/UDP flows: their evidence comes from the engine's ring of the
    // other packets. The PLC's ARP raises new_device for it, the HMI's ping for the HMI.
    Engine engine(EngineOptions{.learning = false});
    const Bytes icmp =
        test::ethernet(plc_.mac, hmi_.mac, test::etype::kIpv4,
                       test::ipv4Packet(hmi_.ip, plc_.ip, 1, Bytes{8, 0, 0xf7, 0xff, 0, 0, 0, 0}));
    const Bytes arp = test::arpFrame(1, plc_, hmi_, true);
    feed(engine, arp, kStart);
    feed(engine, icmp, kStart + 1000);
    engine.finish();
    std::string hmiAlert;
    for (const auto& a : engine.alerts()) {
        if (a.type == "new_device" && (a.srcIp == "10.0.0.1" || a.dstIp == "10.0.0.1")) {
            hmiAlert = a.id;
        }
    }
    ASSERT_FALSE(hmiAlert.empty());
    const auto all = engine.takeEvidence();
    const AlertEvidence* ev = evidenceOf(all, hmiAlert);
    ASSERT_NE(ev, nullptr);
    ASSERT_EQ(ev->packets.size(), 2u);  // the ARP before it, then the ping that raised it
    EXPECT_EQ(ev->triggerIndex, 1u);
    EXPECT_EQ(ev->packets[0].data, arp);
    EXPECT_EQ(ev->packets[1].data, icmp);
}

TEST_F(EvidenceTest, RepeatsAreCapturedUpToTheCapAndTheIntervalApart) {
    EngineOptions options{.learning = false};
    options.evidence.repeatCaptures = 2;
    options.evidence.repeatIntervalUs = 10'000'000;
    options.evidence.alertPackets = 4;
    Engine engine(options);
    // One write every second for 60 s: one alert, raised 60 times.
    std::int64_t t = kStart;
    std::uint32_t c = 1000;
    for (int i = 0; i < 60; ++i) {
        const Bytes req = test::modbusAdu(static_cast<std::uint16_t>(i), 1,
                                          test::modbusWriteSingleRegister(7, 42));
        feed(engine,
             test::tcpFrame(hmi_, plc_, 50000, 502, c, 1, test::tcp::kPsh | test::tcp::kAck, req),
             t += 1'000'000);
        c += static_cast<std::uint32_t>(req.size());
    }
    engine.finish();
    const std::string alertId = alertIdOf(engine, "unauthorized_write");
    std::vector<std::int64_t> triggers;
    for (const auto& e : engine.takeEvidence()) {
        if (e.alertId == alertId) triggers.push_back(e.triggerUs);
        EXPECT_LE(e.packets.size(), 4u);
    }
    ASSERT_EQ(triggers.size(), 3u);  // the first and two repeats
    std::sort(triggers.begin(), triggers.end());
    EXPECT_GE(triggers[1] - triggers[0], 10'000'000);
    EXPECT_GE(triggers[2] - triggers[1], 10'000'000);
}

TEST_F(EvidenceTest, BoundsHoldUnderAFlood) {
    EngineOptions options{.learning = false};
    options.evidence.packetBytes = 60;  // evidence keeps at most 60 bytes of each frame
    options.evidence.memoryBytes = 64 * 1024;
    options.evidence.alertPackets = 8;
    Engine engine(options);
    // A scan from 200 sources over 100 ports of the PLC.
    feedScan(engine, "00:14:22:00:01:00", test::ipv4("10.0.1.1"), 200, 100,
             [](int, std::uint16_t) { return Bytes(100, 0xab); });
    engine.finish();
    const auto all = engine.takeEvidence();
    ASSERT_FALSE(all.empty());
    std::map<std::string, int> perAlert;
    for (const auto& e : all) {
        ++perAlert[e.alertId];
        EXPECT_LE(e.packets.size(), 8u);
        for (const auto& p : e.packets) {
            EXPECT_LE(p.data.size(), 60u);
            EXPECT_EQ(p.wireLength, fed_.front().frame.size());  // the original length is kept
        }
    }
    for (const auto& [id, n] : perAlert) EXPECT_LE(n, 3) << id;  // first + 2 repeats at most
    EXPECT_EQ(engine.stats().evidenceCaptures, all.size() + engine.stats().evidenceDropped);

    // The store under the same flood: a small cap, oldest captures evicted first and counted.
    std::vector<store::EvidenceCapture> batch;
    for (const auto& e : all) batch.push_back(store::toEvidenceCapture(e));
    std::uint64_t total = 0;
    for (const auto& c : batch) total += c.records.size();
    const std::uint64_t cap = total / 4;
    {
        auto store = store::EvidenceStore::open(dir_, store::EvidenceLimits{.maxBytes = cap});
        ASSERT_TRUE(store.ok());
        for (std::size_t i = 0; i < batch.size(); i += 50) {  // batches, as `run` flushes them
            const std::vector<store::EvidenceCapture> part(
                batch.begin() + static_cast<std::ptrdiff_t>(i),
                batch.begin() + static_cast<std::ptrdiff_t>(std::min(batch.size(), i + 50)));
            ASSERT_TRUE((*store)->append(part, 1).ok());
            EXPECT_LE((*store)->bytes(), cap);
        }
        EXPECT_GT((*store)->evicted(), 0u);
        EXPECT_EQ((*store)->evicted() + (*store)->captures(), batch.size());
    }
    auto reopened = store::EvidenceStore::open(dir_, store::EvidenceLimits{.maxBytes = cap});
    ASSERT_TRUE(reopened.ok());
    EXPECT_LE((*reopened)->bytes(), cap);
    EXPECT_GT((*reopened)->evicted(), 0u);
    // Oldest first: the last capture stored is still there, the first one is gone.
    EXPECT_TRUE((*reopened)->evidencePcap(batch.back().alertId).ok());
    const bool firstAlertHasLaterCaptures =
        std::any_of(batch.begin() + 1, batch.end(),
                    [&](const auto& c) { return c.alertId == batch.front().alertId; });
    if (!firstAlertHasLaterCaptures) {
        EXPECT_FALSE((*reopened)->evidencePcap(batch.front().alertId).ok());
    }
}

TEST_F(EvidenceTest, PacketsReadBackByteForByteAfterTheBufferWrapsManyTimes) {
    // A buffer that is no multiple of the records' sizes, frames of many lengths: records skip
    // the buffer's tail at a different place on every lap, and what a capture reads must still
    // be the frame written there.
    EngineOptions options{.learning = false};
    options.evidence.packetBytes = 90;
    options.evidence.memoryBytes = 16 * 1024 + 44;
    options.evidence.alertPackets = 8;
    Engine engine(options);
    feedScan(engine, "00:14:22:00:02:00", test::ipv4("10.0.2.1"), 60, 90,
             [](int src, std::uint16_t port) {
                 return Bytes(static_cast<std::size_t>((src * 7 + port * 13) % 61),
                              static_cast<std::uint8_t>(src * 31 + port));
             });
    engine.finish();
    const auto all = engine.takeEvidence();
    ASSERT_FALSE(all.empty());
    std::map<std::int64_t, const Bytes*> byTime;  // every fed frame has a time of its own
    for (const auto& f : fed_) byTime[f.us] = &f.frame;
    std::size_t compared = 0;
    for (const auto& e : all) {
        for (const auto& p : e.packets) {
            const auto it = byTime.find(p.timestampUs);
            ASSERT_NE(it, byTime.end());
            const Bytes& frame = *it->second;
            const std::size_t kept = std::min<std::size_t>(frame.size(), 90);
            ASSERT_EQ(p.data.size(), kept);
            EXPECT_TRUE(std::equal(p.data.begin(), p.data.end(), frame.begin()))
                << "alert " << e.alertId << " packet at " << p.timestampUs;
            EXPECT_EQ(p.wireLength, frame.size());
            ++compared;
        }
    }
    // 5,400 frames of 66-126 bytes through a 16 KiB buffer: dozens of laps before the last alerts.
    EXPECT_GT(compared, 100u);
    EXPECT_GT(fed_.size() * 100, 20u * options.evidence.memoryBytes);
}

TEST(SensorAlertTest, EvictionAndCaptureAlertsCarryTheirDetailAndAggregate) {
    Engine engine(EngineOptions{.learning = true});
    engine.raiseSensorAlert("sensor_eviction", "12 records evicted, 12 in total", 1767261600000);
    engine.raiseSensorAlert("sensor_capture", "250 packets dropped on eth1 in 10 s", 1767261601000);
    auto changes = engine.takeChanges();
    ASSERT_EQ(changes.alerts.size(), 2u);
    std::map<std::string, AlertRecord> byType;
    for (const auto& a : changes.alerts) byType[a.type] = a;
    const AlertRecord& eviction = byType.at("sensor_eviction");
    EXPECT_EQ(eviction.engine, "operational");
    EXPECT_EQ(eviction.severity, Severity::Critical);
    EXPECT_EQ(eviction.description,
              "The sensor's outbox is full and the oldest data was evicted (12 records evicted, "
              "12 in total).");
    EXPECT_EQ(eviction.count, 1u);
    EXPECT_EQ(byType.at("sensor_capture").severity, Severity::Major);
    EXPECT_NE(byType.at("sensor_capture").description.find("250 packets dropped on eth1"),
              std::string::npos);
    // A later eviction updates the same alert (learning mode does not silence it).
    engine.raiseSensorAlert("sensor_eviction", "3 records evicted, 15 in total", 1767261700000);
    changes = engine.takeChanges();
    ASSERT_EQ(changes.alerts.size(), 1u);
    EXPECT_EQ(changes.alerts[0].id, eviction.id);
    EXPECT_EQ(changes.alerts[0].count, 2u);
    EXPECT_EQ(changes.alerts[0].lastSeenMs, 1767261700000);
    EXPECT_TRUE(engine.takeEvidence().empty());  // not about packets: no evidence
}

TEST_F(EvidenceTest, OffMeansNoCopies) {
    EngineOptions options{.learning = false};
    options.evidence.ringPackets = 0;
    Engine engine(options);
    modbusSessionWithWrite(engine, 1, 1);
    engine.finish();
    EXPECT_FALSE(alertIdOf(engine, "unauthorized_write").empty());
    EXPECT_TRUE(engine.takeEvidence().empty());
    EXPECT_EQ(engine.stats().evidenceCaptures, 0u);
}

// A flow's ring keeps 32-bit distances from a base: across its growth (4, 8, 12, 16, 32 ...
// slots) and gaps of gigabytes between a flow's packets it must give back the newest positions
// exactly as long as they are readable (within kHorizon of the newest), and kLapped only for
// older ones.
TEST(PacketRingTest, KeepsTheNewestPositionsAcrossGrowthAndLongGaps) {
    const std::uint64_t gaps[] = {8,    1500, 24,           std::uint64_t{3} << 30, 64,
                                  2048, 8,    PacketRing::kHorizon,  16, std::uint64_t{5} << 32,
                                  40,   8,    (std::uint64_t{1} << 32) - 8, 8};
    for (const std::size_t capacity :
         {std::size_t{1}, std::size_t{3}, std::size_t{10}, std::size_t{16}, std::size_t{50}}) {
        PacketRing ring;
        std::deque<std::uint64_t> expected;
        std::uint64_t position = 1000;
        std::size_t lapped = 0;
        for (int round = 0; round < 6; ++round) {
            for (const auto gap : gaps) {
                position += gap;
                ring.push(position, capacity);
                expected.push_back(position);
                if (expected.size() > capacity) expected.pop_front();
                ASSERT_EQ(ring.size(), expected.size());
                for (std::size_t i = 0; i < expected.size(); ++i) {
                    const std::uint64_t got = ring.at(i, capacity);
                    if (position - expected[i] <= PacketRing::kHorizon) {
                        ASSERT_EQ(got, expected[i]) << "capacity " << capacity << " slot " << i;
                    } else if (got != expected[i]) {
                        ASSERT_EQ(got, PacketRing::kLapped);
                        ++lapped;
                    }
                }
            }
        }
        if (capacity > 1) {
            EXPECT_GT(lapped, 0u) << "the gaps must move the base";
        }
    }
}

// A full ring forgets positions the recorder's buffer has overwritten instead of growing: the
// positions it can still give back are those of a ring that grows, and it stays smaller.
TEST(PacketRingTest, AFullRingForgetsOverwrittenPositionsInsteadOfGrowing) {
    std::mt19937_64 random(7);
    const std::uint64_t windows[] = {3000, 40000, std::uint64_t{1} << 20};
    for (const bool quiet : {false, true}) {
        for (const std::uint64_t window : windows) {
            PacketRing forgetting, growing;
            const std::size_t capacity = 16;
            std::uint64_t position = 0;
            std::size_t smaller = 0;
            for (int i = 0; i < 5000; ++i) {
                // Quiet: a packet every 1,000-21,000 bytes of other traffic (a keep-alive);
                // else bursts and quiet spells in turn.
                position +=
                    quiet ? 1000 + random() % 20000 : 8 + random() % (i % 100 < 50 ? 200 : 20000);
                const std::uint64_t oldest = position > window ? position - window : 0;
                forgetting.push(position, capacity, oldest);
                growing.push(position, capacity);
                const auto readable = [&](const PacketRing& ring) {
                    std::vector<std::uint64_t> kept;
                    for (std::size_t j = 0; j < ring.size(); ++j) {
                        const std::uint64_t at = ring.at(j, capacity);
                        if (at != PacketRing::kLapped && at >= oldest) kept.push_back(at);
                    }
                    return kept;
                };
                ASSERT_EQ(readable(forgetting), readable(growing))
                    << "window " << window << " push " << i;
                ASSERT_LE(forgetting.slotCount(), growing.slotCount());
                if (forgetting.slotCount() < growing.slotCount()) ++smaller;
            }
            EXPECT_EQ(growing.slotCount(), capacity);
            if (quiet && window < (std::uint64_t{1} << 20)) {
                EXPECT_GT(smaller, 0u) << "window " << window;
            }
            if (quiet && window == 3000) {
                // At most 3 positions readable at a time: the ring never needs more than 4 slots.
                EXPECT_EQ(forgetting.slotCount(), 4u);
            }
        }
    }
}

}  // namespace
}  // namespace ironsight::sensor
