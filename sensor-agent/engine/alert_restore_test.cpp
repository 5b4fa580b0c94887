// SPDX-License-Identifier: Apache-2.0
// Alerts across a sensor restart: the engine's alerts are kept in the sensor store (real SQLite
// file, reopened) and restored into a new engine, where a console's Learn and Mute by alert id
// work and a repeat aggregates into the same alert instead of starting over.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include "sensor-agent/engine/engine.h"
#include "sensor-agent/store/state_store.h"
#include "tests/support/packet_builder.h"

namespace ironsight::sensor {
namespace {

namespace tcp = test::tcp;

const test::Host kHmi{test::mac("00:1b:21:00:00:02"), test::ipv4("10.0.0.2")};
const test::Host kPlc{test::mac("00:80:f4:00:00:01"), test::ipv4("10.0.0.1")};

/// One Modbus write HMI -> PLC at `us` (a new TCP connection each time).
void modbusWrite(Engine& engine, std::int64_t us, std::uint16_t clientPort) {
    const auto send = [&](const test::Host& from, const test::Host& to, std::uint16_t sport,
                          std::uint16_t dport, std::uint32_t seq, std::uint32_t ack,
                          std::uint8_t flags, const test::Bytes& payload) {
        const test::Bytes frame = test::tcpFrame(from, to, sport, dport, seq, ack, flags, payload);
        RawPacket raw;
        raw.timestampUs = us += 1000;
        raw.wireLength = static_cast<std::uint32_t>(frame.size());
        raw.data = frame;
        engine.process(raw);
    };
    const test::Bytes write = test::modbusAdu(1, 1, test::modbusWriteSingleRegister(5, 42));
    send(kHmi, kPlc, clientPort, 502, 999, 0, tcp::kSyn, {});
    send(kPlc, kHmi, 502, clientPort, 4999, 1000, tcp::kSyn | tcp::kAck, {});
    send(kHmi, kPlc, clientPort, 502, 1000, 5000, tcp::kAck | tcp::kPsh, write);
    send(kPlc, kHmi, 502, clientPort, 5000, 1000 + static_cast<std::uint32_t>(write.size()),
         tcp::kAck | tcp::kPsh, write);
}

const AlertRecord* findType(const std::vector<AlertRecord>& alerts, const std::string& type) {
    for (const auto& a : alerts) {
        if (a.type == type) return &a;
    }
    return nullptr;
}

class AlertRestoreTest : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = std::filesystem::temp_directory_path() /
               ("ironsight-alert-restore-" + std::to_string(::getpid()) + "-" +
                ::testing::UnitTest::GetInstance()->current_test_info()->name());
        std::filesystem::remove_all(dir_);
    }
    void TearDown() override { std::filesystem::remove_all(dir_); }

    /// What `run` does: every alert change goes to the store.
    void keep(Engine& engine) {
        auto store = store::StateStore::open(dir_);
        ASSERT_TRUE(store) << store.error().message;
        std::vector<store::StoredAlert> kept;
        for (const auto& a : engine.takeChanges().alerts) {
            kept.push_back({a.id, a.lastSeenMs, encodeAlert(a)});
        }
        ASSERT_TRUE(store->saveAlerts(kept));
    }
    /// What `run` does at start: a new engine, the kept alerts restored.
    std::unique_ptr<Engine> restart() {
        auto store = store::StateStore::open(dir_);
        EXPECT_TRUE(store) << store.error().message;
        auto texts = store->storedAlerts();
        EXPECT_TRUE(texts);
        std::vector<AlertRecord> restored;
        for (const auto& t : *texts) {
            auto a = decodeAlert(t);
            EXPECT_TRUE(a) << a.error().message;
            if (a) restored.push_back(*a);
        }
        auto engine = std::make_unique<Engine>(EngineOptions{.learning = false});
        engine->restoreAlerts(restored);
        return engine;
    }

    std::filesystem::path dir_;
};

TEST_F(AlertRestoreTest, LearnAndMuteWorkOnAlertsRaisedBeforeARestart) {
    std::string writeId, newDeviceId;
    {
        Engine first(EngineOptions{.learning = false});
        modbusWrite(first, 1'000'000'000, 40000);
        const auto alerts = first.alerts();
        const AlertRecord* write = findType(alerts, "unauthorized_write");
        const AlertRecord* device = findType(alerts, "new_device");
        ASSERT_NE(write, nullptr);
        ASSERT_NE(device, nullptr);
        writeId = write->id;
        newDeviceId = device->id;
        keep(first);
    }
    auto engine = restart();
    EXPECT_FALSE(engine->learnAlert("unauthorized_write-0000000000000000"));  // never raised
    ASSERT_TRUE(engine->learnAlert(writeId));
    ASSERT_TRUE(engine->muteAlert(newDeviceId));
    EXPECT_TRUE(engine->takeChanges().alerts.empty());  // restored alerts are not news

    modbusWrite(*engine, 2'000'000'000, 40001);  // the learned write, the muted device again
    const auto after = engine->alerts();
    const AlertRecord* write = findType(after, "unauthorized_write");
    ASSERT_NE(write, nullptr);
    EXPECT_EQ(write->count, 1u) << "learned after the restart: it must not fire again";
    for (const auto& a : engine->takeChanges().alerts) {
        EXPECT_NE(a.id, writeId);
        EXPECT_NE(a.id, newDeviceId);
    }
}

TEST_F(AlertRestoreTest, ARepeatAfterARestartAggregatesIntoTheKeptAlert) {
    std::string id;
    std::int64_t firstSeen = 0;
    {
        Engine first(EngineOptions{.learning = false});
        modbusWrite(first, 1'000'000'000, 40000);
        const auto alerts = first.alerts();
        const AlertRecord* write = findType(alerts, "unauthorized_write");
        ASSERT_NE(write, nullptr);
        id = write->id;
        firstSeen = write->firstSeenMs;
        keep(first);
    }
    auto engine = restart();
    modbusWrite(*engine, 2'000'000'000, 40001);
    const auto changes = engine->takeChanges().alerts;
    const AlertRecord* write = findType(changes, "unauthorized_write");
    ASSERT_NE(write, nullptr);
    EXPECT_EQ(write->id, id);
    EXPECT_EQ(write->count, 2u);
    EXPECT_EQ(write->firstSeenMs, firstSeen);
    EXPECT_GT(write->lastSeenMs, firstSeen);
}

TEST_F(AlertRestoreTest, TheStoreKeepsTheMostRecentlySeenAlertsWithinItsBound) {
    auto store = store::StateStore::open(dir_);
    ASSERT_TRUE(store) << store.error().message;
    const std::size_t total = store::StateStore::kMaxStoredAlerts + 10;
    std::vector<store::StoredAlert> alerts;
    for (std::size_t i = 0; i < total; ++i) {
        alerts.push_back({"a" + std::to_string(i), static_cast<std::int64_t>(i), "{}"});
    }
    ASSERT_TRUE(store->saveAlerts(alerts));
    ASSERT_TRUE(store->saveAlerts({{"a5", 1'000'000, "{\"seen\":\"again\"}"}}));  // upsert
    auto kept = store->storedAlerts();
    ASSERT_TRUE(kept);
    ASSERT_EQ(kept->size(), store::StateStore::kMaxStoredAlerts);
    EXPECT_EQ(kept->back(), "{\"seen\":\"again\"}");  // most recently seen last
}

TEST(AlertCodecTest, EveryFieldSurvivesAndBadTextIsAnError) {
    AlertRecord a;
    a.id = "unauthorized_write-0123456789abcdef";
    a.engine = "policy";
    a.type = "unauthorized_write";
    a.severity = Severity::Critical;
    a.title = "Unauthorized write \"x\"";
    a.description = "d\nline two";
    a.remediation = "r";
    a.src = "dev-1";
    a.dst = "dev-2";
    a.srcIp = "10.0.0.2";
    a.dstIp = "10.0.0.1";
    a.protocol = "modbus";
    a.mitre = "T0855";
    a.count = 7;
    a.firstSeenMs = 1;
    a.lastSeenMs = 2;
    auto back = decodeAlert(encodeAlert(a));
    ASSERT_TRUE(back) << back.error().message;
    EXPECT_EQ(back->id, a.id);
    EXPECT_EQ(back->severity, a.severity);
    EXPECT_EQ(back->title, a.title);
    EXPECT_EQ(back->description, a.description);
    EXPECT_EQ(back->src, a.src);
    EXPECT_EQ(back->dstIp, a.dstIp);
    EXPECT_EQ(back->mitre, a.mitre);
    EXPECT_EQ(back->count, a.count);
    EXPECT_EQ(back->lastSeenMs, a.lastSeenMs);
    EXPECT_EQ(encodeAlert(a).find('\n'), std::string::npos);  // one line
    EXPECT_FALSE(decodeAlert("{not json"));
    EXPECT_FALSE(decodeAlert(R"({"id":"x"})"));
}

}  // namespace
}  // namespace ironsight::sensor
