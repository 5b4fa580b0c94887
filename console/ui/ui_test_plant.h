// SPDX-License-Identifier: Apache-2.0
// Test support for the UI tests: the offscreen QApplication and a real console data dir holding a
// small plant (two zones, devices, connections, alerts) ingested through the core's store.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <QApplication>
#include <QDeadlineTimer>
#include <QTimer>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include "console/core/console_service.h"

namespace ironsight::console::ui::testing {

inline QApplication& offscreenApp() {  // one per process, whichever test file asks first
    if (auto* existing = qobject_cast<QApplication*>(QCoreApplication::instance()))
        return *existing;
    static int argc = 1;
    static char name[] = "console_ui_test";
    static char* argv[] = {name, nullptr};
    qputenv("QT_QPA_PLATFORM", "offscreen");
    // Never destroyed: QTest's input devices outlive a static QApplication and crash at exit.
    static auto* instance = new QApplication(argc, argv);
    return *instance;
}

/// Runs `act` on the next modal widget of type W (polled from the event loop, up to 30 s).
template <class W>
void onNextModal(std::function<void(W*)> act) {
    auto* timer = new QTimer;
    timer->setInterval(10);
    const QDeadlineTimer deadline(30000);
    QObject::connect(timer, &QTimer::timeout, [timer, act, deadline] {
        if (auto* widget = qobject_cast<W*>(QApplication::activeModalWidget())) {
            timer->stop();
            timer->deleteLater();
            act(widget);
        } else if (deadline.hasExpired()) {
            timer->stop();
            timer->deleteLater();
        }
    });
    timer->start();
}

/// Line 1 (sensor s1): PLC 10.10.1.11, HMI 10.10.1.20, engineering workstation "ews-03"
/// 10.10.1.50, router 10.10.1.1; connections HMI->PLC modbus, EWS->PLC modbus and s7comm;
/// alerts: EWS->PLC unauthorized write (major), HMI->PLC new function code (warning).
/// Line 2 (sensor s2): PLC 10.10.2.11, HMI 10.10.2.20; connection HMI->PLC enip.
class PlantFixture : public ::testing::Test {
protected:
    static constexpr const char* kAdminPassword = "a-long-demo-password-1";

    void SetUp() override {
        offscreenApp();
        dir_ = std::filesystem::temp_directory_path() /
               ("ironsight-ui-plant-" + std::to_string(::getpid()) + "-" +
                ::testing::UnitTest::GetInstance()->current_test_info()->name());
        std::filesystem::remove_all(dir_);
        auto opened = core::ConsoleService::open(dir_);
        ASSERT_TRUE(opened.ok()) << opened.error().message;
        service_ = std::move(*opened);
        ASSERT_TRUE(service_->init("admin", kAdminPassword, "127.0.0.1:1", "127.0.0.1:2").ok());
        ASSERT_TRUE(service_->addSite("Plant A").ok());
        ASSERT_TRUE(service_->addZone("Plant A", "Line 1").ok());
        ASSERT_TRUE(service_->addZone("Plant A", "Line 2").ok());
        auto s1 = service_->addSensor("Plant A", "Line 1", "s1");
        auto s2 = service_->addSensor("Plant A", "Line 2", "s2");
        ASSERT_TRUE(s1.ok() && s2.ok());
        s1_ = s1->sensor.id;
        s2_ = s2->sensor.id;
    }
    void TearDown() override {
        service_.reset();
        std::filesystem::remove_all(dir_);
    }

    static void device(ironsight::v1::Batch& batch, std::uint64_t seq, const std::string& id,
                       const std::string& ip, const std::string& type,
                       const std::string& hostname = "") {
        auto* env = batch.add_envelopes();
        env->set_seq(seq);
        auto* d = env->mutable_device();
        d->set_id(id);
        d->add_ips(ip);
        d->set_type(type);
        if (!hostname.empty()) d->set_hostname(hostname);
        d->set_purdue_level(type == "plc" ? 1 : type == "router" ? 3 : 2);
    }
    static void connection(ironsight::v1::Batch& batch, std::uint64_t seq, const std::string& src,
                           const std::string& dst, const std::string& protocol, std::uint32_t port,
                           std::uint64_t bytes) {
        auto* env = batch.add_envelopes();
        env->set_seq(seq);
        auto* c = env->mutable_connection();
        c->set_src(src);
        c->set_dst(dst);
        c->set_transport("tcp");
        c->set_port(port);
        c->set_protocol(protocol);
        c->set_packets(bytes / 60);
        c->set_bytes(bytes);
    }
    static void alert(ironsight::v1::Batch& batch, std::uint64_t seq, const std::string& id,
                      const std::string& src, const std::string& dst,
                      ironsight::v1::Severity severity, const std::string& title) {
        auto* env = batch.add_envelopes();
        env->set_seq(seq);
        auto* a = env->mutable_alert();
        a->set_id(id);
        a->set_engine("policy");
        a->set_type(id);
        a->set_severity(severity);
        a->set_title(title);
        a->set_src(src);
        a->set_dst(dst);
        a->set_protocol("modbus");
        a->set_count(3);
        a->set_description("A client that is not in the baseline wrote to a PLC.");
        a->set_remediation("Confirm the change with the plant engineer.");
        a->set_mitre("T0855");
        a->set_first_seen_ms(1700000000000);
        a->set_last_seen_ms(1700000600000);
    }

    void ingestPlant() {
        auto& store = service_->store();
        ASSERT_TRUE(store.beginStream(s1_, 1, core::nowMs()).ok());
        ASSERT_TRUE(store.beginStream(s2_, 1, core::nowMs()).ok());
        ironsight::v1::Batch line1;
        device(line1, 1, "plc1", "10.10.1.11", "plc");
        device(line1, 2, "hmi1", "10.10.1.20", "hmi");
        device(line1, 3, "ews", "10.10.1.50", "engineering_workstation", "ews-03");
        device(line1, 4, "gw", "10.10.1.1", "router");
        connection(line1, 5, "hmi1", "plc1", "modbus", 502, 120000);
        connection(line1, 6, "ews", "plc1", "modbus", 502, 4000);
        connection(line1, 7, "ews", "plc1", "s7comm", 102, 900);
        alert(line1, 8, "unauthorized_write", "ews", "plc1", ironsight::v1::SEVERITY_MAJOR,
              "Unauthorized Modbus write");
        alert(line1, 9, "new_function_code", "hmi1", "plc1", ironsight::v1::SEVERITY_WARNING,
              "New Modbus function code");
        auto applied = store.applyBatch(s1_, 1, line1, core::nowMs());
        ASSERT_TRUE(applied.ok()) << applied.error().message;
        ironsight::v1::Batch line2;
        device(line2, 1, "plc2", "10.10.2.11", "plc");
        device(line2, 2, "hmi2", "10.10.2.20", "hmi");
        connection(line2, 3, "hmi2", "plc2", "enip", 44818, 50000);
        applied = store.applyBatch(s2_, 1, line2, core::nowMs());
        ASSERT_TRUE(applied.ok()) << applied.error().message;
    }

    /// A live session for a new user with `role` (password changed, as the UI requires).
    core::Session sessionFor(const std::string& user, core::Role role) {
        const std::string password = "Initial-password-for-" + user;
        EXPECT_TRUE(service_->addUser(user, password, role).ok());
        auto session = service_->signIn(user, password, "test");
        EXPECT_TRUE(session.ok()) << session.error().message;
        const std::string changed = "Changed-password-for-" + user + "-1";
        EXPECT_TRUE(service_->changePassword(*session, password, changed).ok());
        EXPECT_TRUE(service_->refreshSession(*session).ok());
        return *session;
    }

    std::filesystem::path dir_;
    std::unique_ptr<core::ConsoleService> service_;
    std::string s1_, s2_;
};

}  // namespace ironsight::console::ui::testing
