// SPDX-License-Identifier: Apache-2.0
// Console -> sensor commands end to end (issues 6 and 7): the real ConsoleService and LinkServer,
// a real enrolled sensor (LinkClient, outbox file, Engine fed generated plant traffic) over mutual
// TLS on loopback. Commands issued while the sensor is offline wait, are delivered when it
// connects, change the engine, and come back as recorded, audited results; a command issued
// while connected arrives at once; a Read-only user is refused.
#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <functional>
#include <mutex>
#include <thread>

#include "console/core/link_server.h"
#include "sensor-agent/capture/pcap_file_source.h"
#include "sensor-agent/engine/engine.h"
#include "sensor-agent/link/commands.h"
#include "sensor-agent/link/enroll.h"
#include "sensor-agent/link/envelopes.h"
#include "sensor-agent/link/link_client.h"
#include "sensor-agent/store/outbox.h"
#include "shared/activation/activation.h"
#include "shared/crypto/crypto.h"
#include "tests/support/plant_traffic.h"

namespace ironsight::console::core {
namespace {
namespace fs = std::filesystem;
using namespace std::chrono_literals;

struct TempDir {
    fs::path path = fs::temp_directory_path() / ("ironsight-commands-" + crypto::newUuid());
    TempDir() { fs::create_directories(path); }
    ~TempDir() { fs::remove_all(path); }
};

/// Polls `done` until it holds or a generous deadline passes (no fixed sleeps in assertions).
bool waitFor(const std::function<bool()>& done, std::chrono::seconds timeout = 30s) {
    const auto until = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < until) {
        if (done()) return true;
        std::this_thread::sleep_for(20ms);
    }
    return done();
}

/// The sensor side as `ironsight-sensor run` wires it: the link thread queues Learn / Mute /
/// exclusions, an analysis thread owning the engine applies them and answers via the outbox.
class Sensor {
public:
    Sensor(const fs::path& stateDir, sensor::link::LinkConfig config) : config_(std::move(config)) {
        auto outbox = sensor::store::Outbox::open(stateDir);
        EXPECT_TRUE(outbox.ok()) << outbox.error().message;
        outbox_ = std::move(*outbox);
        analysis_ = std::thread([this] { analyse(); });
    }
    ~Sensor() {
        disconnect();
        {
            std::lock_guard lock(mutex_);
            stopping_ = true;
        }
        cv_.notify_all();
        analysis_.join();
    }

    void feed(const fs::path& pcap) {
        auto source = sensor::PcapFileSource::open(pcap);
        ASSERT_TRUE(source.ok());
        std::lock_guard lock(mutex_);
        sensor::RawPacket p;
        while (true) {
            auto more = source->next(p);
            ASSERT_TRUE(more.ok());
            if (!*more) break;
            engine_.process(p);
        }
        ASSERT_TRUE(outbox_->append(sensor::link::toRecords(engine_.takeChanges()), 1).ok());
    }

    void connect() {
        sensor::link::LinkHooks hooks;
        hooks.learning = [this] {
            std::lock_guard lock(mutex_);
            return engine_.learning();
        };
        hooks.setLearning = [this](bool on) -> Status {
            std::lock_guard lock(mutex_);
            engine_.setLearning(on);
            return {};
        };
        hooks.command = [this](const v1::Command& c) -> std::optional<sensor::link::CommandReply> {
            {
                std::lock_guard lock(mutex_);
                queue_.push_back(c);
            }
            cv_.notify_all();
            return std::nullopt;
        };
        hooks.log = [](const std::string&) {};
        auto link = std::make_unique<sensor::link::LinkClient>(config_, *outbox_, hooks);
        link->start();
        std::lock_guard lock(mutex_);
        link_ = std::move(link);
    }
    void disconnect() {
        std::unique_ptr<sensor::link::LinkClient> link;
        {
            std::lock_guard lock(mutex_);
            link = std::move(link_);
        }
        if (link) link->stop();  // outside the lock: its reader thread may be in a hook
    }

    template <class F>
    auto withEngine(F&& f) {
        std::lock_guard lock(mutex_);
        return f(engine_);
    }

private:
    void analyse() {
        std::unique_lock lock(mutex_);
        while (true) {
            cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
            if (stopping_) return;
            std::vector<sensor::store::NewRecord> results;
            while (!queue_.empty()) {
                bool changed = false;
                auto reply = sensor::link::applyToEngine(engine_, queue_.front(), changed);
                results.push_back(
                    sensor::link::commandResultRecord(queue_.front().command_id(), reply));
                queue_.pop_front();
            }
            EXPECT_TRUE(outbox_->append(results, 2).ok());
            if (link_) link_->notify();
        }
    }

    sensor::link::LinkConfig config_;
    std::unique_ptr<sensor::store::Outbox> outbox_;
    std::unique_ptr<sensor::link::LinkClient> link_;
    std::mutex mutex_;
    std::condition_variable cv_;
    std::deque<v1::Command> queue_;
    bool stopping_ = false;
    sensor::Engine engine_{sensor::EngineOptions{.learning = false}};
    std::thread analysis_;
};

class CommandLink : public ::testing::Test {
protected:
    void SetUp() override {
        auto console = ConsoleService::open(dir_.path / "console");
        ASSERT_TRUE(console.ok()) << console.error().message;
        console_ = std::move(*console);
        ASSERT_TRUE(console_->init("admin", "Admin-password-1", "127.0.0.1:0", "127.0.0.1:0").ok());
        ASSERT_TRUE(console_->addSite("Plant").ok());
        ASSERT_TRUE(console_->addZone("Plant", "Line").ok());
        server_ = std::make_unique<LinkServer>(*console_);
        auto started = server_->start("127.0.0.1:0", "127.0.0.1:0");
        ASSERT_TRUE(started.ok()) << started.error().message;
    }

    /// Adds and enrolls sensor `name`; its link configuration.
    sensor::link::LinkConfig enrollSensor(const std::string& name) {
        auto added = console_->addSensor("Plant", "Line", name);
        EXPECT_TRUE(added.ok()) << added.error().message;
        auto payload = activation::decodeAndVerify(added->activationText, nowMs());
        EXPECT_TRUE(payload.ok());
        payload->set_enroll_endpoint("127.0.0.1:" + std::to_string(server_->enrollPort()));
        auto key = crypto::generateP256Key();
        auto resp = sensor::link::enroll(*payload, *crypto::makeCsrPem(key->get(), name), 10'000ms);
        EXPECT_TRUE(resp.ok()) << resp.error().message;
        sensor::link::LinkConfig c;
        c.endpoints = {"127.0.0.1:" + std::to_string(server_->linkPort())};
        c.tlsName = kConsoleTlsName;
        c.caPem = console_->pki().caCertPem();
        c.keyPem = *crypto::privateKeyToPem(key->get());
        c.certPem = resp->certificate_pem();
        c.backoffInitial = 50ms;
        c.backoffMax = 200ms;
        sensorId_ = payload->sensor_id();
        return c;
    }

    Session signedIn(const std::string& user, Role role) {
        EXPECT_TRUE(console_->addUser(user, "Initial-pass-12", role).ok());
        auto s = console_->signIn(user, "Initial-pass-12", "test");
        EXPECT_TRUE(s.ok());
        EXPECT_TRUE(console_->changePassword(*s, "Initial-pass-12", "Changed-pass-34").ok());
        return *s;
    }

    std::optional<CommandRow> command(const std::string& id) {
        auto rows = console_->listCommands();
        if (!rows) return std::nullopt;
        for (const auto& r : *rows) {
            if (r.id == id) return r;
        }
        return std::nullopt;
    }
    bool finished(const std::string& id) {
        auto c = command(id);
        return c && (c->state == "done" || c->state == "failed");
    }
    std::optional<AlertRow> alertOfType(const std::string& type) {
        auto alerts = console_->listAlerts();
        if (!alerts) return std::nullopt;
        for (const auto& a : *alerts) {
            if (a.type == type && a.sensorId == sensorId_) return a;
        }
        return std::nullopt;
    }
    int auditCount(const std::string& action, const std::string& outcomePrefix) {
        int n = 0;
        auto rows = console_->listAudit();  // kept alive for the loop
        for (const auto& r : *rows) {
            if (r.action == action && r.outcome.rfind(outcomePrefix, 0) == 0) ++n;
        }
        return n;
    }

    TempDir dir_;
    std::unique_ptr<ConsoleService> console_;
    std::unique_ptr<LinkServer> server_;
    std::string sensorId_;
};

TEST_F(CommandLink, OfflineCommandsAreDeliveredOnConnectRecordedAuditedAndApplied) {
    ASSERT_TRUE(
        test::writePlantLine(1, dir_.path / "line1.pcap", test::PlantOptions{.minutes = 1}).ok());
    Sensor sensor(dir_.path / "sensor", enrollSensor("s1"));
    sensor.feed(dir_.path / "line1.pcap");
    sensor.withEngine([](sensor::Engine& e) { e.setLearning(true); });

    // First contact: the alerts reach the console, then the sensor goes offline.
    sensor.connect();
    ASSERT_TRUE(waitFor([&] { return alertOfType("unauthorized_write").has_value(); }));
    std::string otherType;
    auto alerts = console_->listAlerts();
    for (const auto& a : *alerts) {
        if (a.type != "unauthorized_write") otherType = a.type;
    }
    ASSERT_FALSE(otherType.empty());
    sensor.disconnect();
    ASSERT_TRUE(waitFor([&] { return server_->connectedSensors().empty(); }));

    const AlertRow learned = *alertOfType("unauthorized_write");
    const AlertRow muted = *alertOfType(otherType);
    const AlertKey learnKey{learned.sensorId, learned.alertId};
    const AlertKey muteKey{muted.sensorId, muted.alertId};

    // A Read-only user may not send commands; the refusal is audited and nothing is queued.
    Session viewer = signedIn("vic", Role::Viewer);
    auto refused = console_->learnAlert(viewer, learnKey);
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.error().message, permissionDenied(Role::Viewer, Action::CommandSensor));
    EXPECT_FALSE(console_->setSensorLearning(viewer, "s1", false).ok());
    EXPECT_EQ(auditCount("command.issue", "denied: "), 2);
    EXPECT_TRUE(console_->listCommands()->empty());

    // Issued while offline: they wait as pending.
    Session analyst = signedIn("ana", Role::Analyst);
    auto learningOff = console_->setSensorLearning(analyst, "s1", false);
    ASSERT_TRUE(learningOff.ok()) << learningOff.error().message;
    auto learn = console_->learnAlert(analyst, learnKey);
    ASSERT_TRUE(learn.ok()) << learn.error().message;
    auto mute = console_->muteAlert(muteKey);  // the local administrator path
    ASSERT_TRUE(mute.ok()) << mute.error().message;
    EXPECT_EQ(learn->sensorId, sensorId_);  // routed to the sensor that raised the alert
    for (const auto* c : {&*learningOff, &*learn, &*mute}) {
        EXPECT_EQ(command(c->id)->state, "pending");
    }
    EXPECT_EQ(auditCount("command.issue", "ok: "), 3);

    // The sensor connects: every command arrives, is applied and answered.
    sensor.connect();
    ASSERT_TRUE(waitFor(
        [&] { return finished(learningOff->id) && finished(learn->id) && finished(mute->id); }));
    for (const auto* c : {&*learningOff, &*learn, &*mute}) {
        auto row = command(c->id);
        EXPECT_EQ(row->state, "done") << row->kind << ": " << row->result;
        EXPECT_GT(row->completedAtMs, 0);
    }
    EXPECT_EQ(command(learningOff->id)->result, "learning off");
    EXPECT_EQ(command(learn->id)->issuedBy, "ana");
    EXPECT_EQ(auditCount("command.result", "ok: "), 3);
    EXPECT_EQ(alertOfType("unauthorized_write")->status, "closed");  // Learn closes the alert
    EXPECT_EQ(auditCount("alert.close", "ok: "), 1);
    EXPECT_TRUE(console_->verifyAudit()->intact());

    const std::string baseline =
        sensor.withEngine([](sensor::Engine& e) { return e.exportBaseline(); });
    EXPECT_FALSE(sensor.withEngine([](sensor::Engine& e) { return e.learning(); }));
    EXPECT_NE(baseline.find("allow unauthorized_write "), std::string::npos);
    EXPECT_NE(baseline.find("mute " + otherType + " "), std::string::npos);

    // Issued while connected: it arrives without a reconnect. Unmute reverses Mute.
    auto unmute = console_->muteAlert(analyst, muteKey, false);
    ASSERT_TRUE(unmute.ok());
    ExclusionRule rule;
    rule.type = "port_scan";
    rule.subnet = "10.0.0.0/8";
    rule.from = "22:00";
    rule.to = "06:00";
    auto exclusion = console_->addExclusion(analyst, "s1", rule);
    ASSERT_TRUE(exclusion.ok()) << exclusion.error().message;
    ASSERT_TRUE(waitFor([&] { return finished(unmute->id) && finished(exclusion->id); }));
    EXPECT_EQ(command(unmute->id)->state, "done") << command(unmute->id)->result;
    EXPECT_EQ(command(exclusion->id)->state, "done") << command(exclusion->id)->result;
    const std::string after =
        sensor.withEngine([](sensor::Engine& e) { return e.exportBaseline(); });
    EXPECT_EQ(after.find("mute " + otherType + " "), std::string::npos);
    EXPECT_NE(after.find("exclude port_scan * 10.0.0.0/8 22:00-06:00"), std::string::npos);

    // What the engine persists restores it (the sensor saves this text with its baseline).
    sensor::Engine restarted(sensor::EngineOptions{.learning = false});
    restarted.importBaseline(after);
    EXPECT_EQ(restarted.exportBaseline(), after);
}

TEST_F(CommandLink, FailedCommandsCarryTheSensorsMessage) {
    Sensor sensor(dir_.path / "sensor", enrollSensor("s1"));
    sensor.connect();
    ASSERT_TRUE(waitFor([&] { return !server_->connectedSensors().empty(); }));
    // An alert id the sensor does not know (the console row is made up here).
    auto unknown =
        console_->store().addCommand(sensorId_, "learn_alert", R"({"alert_id":"no-such-alert"})");
    ASSERT_TRUE(unknown.ok());
    // The store's layer refuses nothing the console cannot express; an invalid rule is refused
    // before it is stored.
    EXPECT_FALSE(console_->addExclusion("s1", ExclusionRule{}).ok());
    EXPECT_FALSE(console_->addExclusion("s1", ExclusionRule{"a b", "", "", "", ""}).ok());
    EXPECT_FALSE(console_->addExclusion("s1", ExclusionRule{"", "", "", "22:00", ""}).ok());
    ASSERT_TRUE(waitFor([&] { return finished(unknown->id); }));
    auto row = command(unknown->id);
    EXPECT_EQ(row->state, "failed");
    EXPECT_NE(row->result.find("not known to this sensor"), std::string::npos) << row->result;
    EXPECT_EQ(auditCount("command.result", "failed: "), 1);
}

TEST(ExclusionToml, ParsesTablesAndRefusesUnknownKeys) {
    auto toml = exclusionToml(ExclusionRule{"modbus_write", "10.0.0.5", "", "22:00", "06:00"});
    ASSERT_TRUE(toml.ok()) << toml.error().message;
    auto rules = sensor::link::exclusionRulesFromToml(*toml);
    ASSERT_TRUE(rules.ok()) << rules.error().message;
    ASSERT_EQ(rules->size(), 1u);
    EXPECT_EQ(rules->front(), "modbus_write 10.0.0.5 * 22:00-06:00");

    auto unknownKey = sensor::link::exclusionRulesFromToml("[[exclusion]]\nhost = \"x\"\n");
    ASSERT_FALSE(unknownKey.ok());
    EXPECT_NE(unknownKey.error().message.find("unknown exclusion key 'host'"), std::string::npos);
    auto unknownTable = sensor::link::exclusionRulesFromToml("[capture]\nsnaplen = 1\n");
    ASSERT_FALSE(unknownTable.ok());
    EXPECT_NE(unknownTable.error().message.find("unknown setting 'capture'"), std::string::npos);
    EXPECT_FALSE(sensor::link::exclusionRulesFromToml("[[exclusion]\n").ok());

    sensor::Engine engine;
    v1::Command bad;
    bad.set_command_id("c1");
    bad.mutable_config_push()->set_toml("[[exclusion]]\nsubnet = \"not-a-subnet\"\n");
    bool changed = true;
    auto reply = sensor::link::applyToEngine(engine, bad, changed);
    EXPECT_FALSE(reply.ok);
    EXPECT_FALSE(changed);
    EXPECT_NE(reply.message.find("not an exclusion rule"), std::string::npos) << reply.message;
}

TEST_F(CommandLink, EnrollmentListenerIsOpenOnlyWhileActivationsArePending) {
    EXPECT_FALSE(server_->enrollmentOpen());  // no activation yet
    EXPECT_GT(server_->enrollPort(), 0);      // but its port is reserved
    auto added = console_->addSensor("Plant", "Line", "later");
    ASSERT_TRUE(added.ok());
    EXPECT_TRUE(server_->enrollmentOpen());  // at once, in this process
    ASSERT_TRUE(console_->revokeSensor("later").ok());
    EXPECT_FALSE(server_->enrollmentOpen());  // its activation was withdrawn

    (void)enrollSensor("s1");  // reopens for the new activation, closes once it is used
    EXPECT_TRUE(waitFor([&] { return !server_->enrollmentOpen(); }));

    // An activation created by another process (another store connection) is noticed too.
    auto other = ConsoleStore::open(dir_.path / "console" / "console.db");
    ASSERT_TRUE(other.ok());
    ASSERT_TRUE((*other)
                    ->addSensor("Plant", "Line", "remote", std::string(64, 'a'), "bundle",
                                nowMs() + 3'600'000)
                    .ok());
    EXPECT_TRUE(waitFor([&] { return server_->enrollmentOpen(); }));
}

}  // namespace
}  // namespace ironsight::console::core
