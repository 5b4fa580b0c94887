// SPDX-License-Identifier: Apache-2.0
// The console core tests' shared setup: a real console data directory (real SQLite file, real
// ConsoleService) with an initialised admin, two sites, zones and three sensors.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "console/core/console_service.h"
#include "shared/crypto/crypto.h"

namespace ironsight::console::core::test {

/// A fresh directory under the system temp dir, removed with everything in it.
struct TempDir {
    explicit TempDir(const std::string& prefix)
        : path(std::filesystem::temp_directory_path() / (prefix + crypto::newUuid())) {
        std::filesystem::create_directories(path);
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    std::filesystem::path path;
};

/// "ok" or the error's message (compares nicely in EXPECT_EQ).
inline std::string messageOf(const Status& s) {
    return s ? std::string("ok") : s.error().message;
}

/// Admin "admin" (password "Admin-initial-1"); site "Plant A" with `plantAZones` and site
/// "Plant B" with zone "Boiler"; sensors s1 (Plant A / Line 1), s2 (Plant A / Line 2) and
/// s3 (Plant B / Boiler), their ids in s1_, s2_, s3_.
class ConsoleFixture : public ::testing::Test {
protected:
    explicit ConsoleFixture(const std::string& tempPrefix,
                            std::vector<std::string> plantAZones = {"Line 1", "Line 2"})
        : dir_(tempPrefix), plantAZones_(std::move(plantAZones)) {}

    void SetUp() override {
        auto opened = ConsoleService::open(dir_.path);
        ASSERT_TRUE(opened.ok()) << opened.error().message;
        svc_ = std::move(*opened);
        beforeInit();
        ASSERT_TRUE(svc_->init("admin", "Admin-initial-1", "127.0.0.1:1", "127.0.0.1:2").ok());
        ASSERT_TRUE(svc_->addSite("Plant A").ok());
        for (const auto& zone : plantAZones_) ASSERT_TRUE(svc_->addZone("Plant A", zone).ok());
        ASSERT_TRUE(svc_->addSite("Plant B").ok());
        ASSERT_TRUE(svc_->addZone("Plant B", "Boiler").ok());
        s1_ = svc_->addSensor("Plant A", "Line 1", "s1")->sensor.id;
        s2_ = svc_->addSensor("Plant A", "Line 2", "s2")->sensor.id;
        s3_ = svc_->addSensor("Plant B", "Boiler", "s3")->sensor.id;
    }

    /// Called between opening the data dir and init (e.g. to set a clock).
    virtual void beforeInit() {}

    /// Adds `user` with `role` (admin exists), signs in and changes the initial password.
    Session signIn(const std::string& user, Role role) {
        const std::string initial = "Initial-pass-" + user + "1";
        const std::string changed = "Changed-pass-" + user + "2";
        if (user != "admin") {
            EXPECT_TRUE(svc_->addUser(user, initial, role).ok());
        }
        auto s = svc_->signIn(user, user == "admin" ? "Admin-initial-1" : initial, "test");
        EXPECT_TRUE(s.ok());
        if (!s) return {};
        EXPECT_TRUE(
            svc_->changePassword(*s, user == "admin" ? "Admin-initial-1" : initial, changed).ok());
        return *s;
    }

    AuditRow lastAudit() { return svc_->listAudit()->back(); }

    TempDir dir_;
    std::vector<std::string> plantAZones_;
    std::unique_ptr<ConsoleService> svc_;
    std::string s1_, s2_, s3_;
};

}  // namespace ironsight::console::core::test
