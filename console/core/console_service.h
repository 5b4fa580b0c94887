// SPDX-License-Identifier: Apache-2.0
// The console core's service interface: what the desktop UI, the admin CLI and exports use.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "console/core/console_store.h"
#include "console/core/pki.h"
#include "shared/base/result.h"

namespace ironsight::console::core {

inline constexpr const char* kDefaultLinkListen = "127.0.0.1:50051";
inline constexpr const char* kDefaultEnrollListen = "127.0.0.1:50052";
inline constexpr const char* kSettingLinkListen = "link_listen";
inline constexpr const char* kSettingEnrollListen = "enroll_listen";

/// A sensor just added: its row and the text of its activation file.
struct NewSensor {
    SensorRow sensor;
    std::string activationText;
};

enum class ExportFormat { Csv, Json };

class ConsoleService {
public:
    /// $IRONSIGHT_DATA_DIR, else ~/.local/share/ironsight/console.
    static std::filesystem::path defaultDataDir();

    /// Opens `dataDir` (console.db, pki/). Creates the directory, database and PKI when missing;
    /// `hosts` are extra names/IPs for a newly created server certificate.
    static Result<std::unique_ptr<ConsoleService>> open(const std::filesystem::path& dataDir,
                                                        const std::vector<std::string>& hosts = {});

    const std::filesystem::path& dataDir() const { return dataDir_; }
    ConsoleStore& store() { return *store_; }
    const Pki& pki() const { return pki_; }
    const std::string& caFingerprint() const { return pki_.caFingerprint(); }

    /// First-run setup: the admin account and the listen addresses.
    Status init(const std::string& adminUser, const std::string& adminPassword,
                const std::string& linkListen, const std::string& enrollListen);
    bool initialized() { return store_->userCount() > 0; }
    std::string linkListen();
    std::string enrollListen();

    Result<SiteRow> addSite(const std::string& name) { return store_->addSite(name); }
    Result<ZoneRow> addZone(const std::string& site, const std::string& name) {
        return store_->addZone(site, name);
    }
    /// Adds a pending sensor and builds its signed activation file (token stored hashed only).
    Result<NewSensor> addSensor(const std::string& site, const std::string& zone,
                                const std::string& name,
                                std::chrono::milliseconds validity = std::chrono::hours(24 * 7));
    /// Marks the sensor revoked; a running LinkServer cancels its stream within 2 s.
    Status revokeSensor(const std::string& idOrName, const std::string& actor = "cli") {
        return store_->revokeSensor(idOrName, actor);
    }

    Result<std::vector<SiteRow>> listSites() { return store_->listSites(); }
    Result<std::vector<ZoneRow>> listZones() { return store_->listZones(); }
    Result<std::vector<SensorRow>> listSensors() { return store_->listSensors(); }
    Result<std::vector<DeviceRow>> listDevices() { return store_->listDevices(); }
    Result<std::vector<AlertRow>> listAlerts() { return store_->listAlerts(); }
    Result<std::vector<AuditRow>> listAudit() { return store_->listAudit(); }
    /// Differs from the previous value when anything was committed since (any process).
    std::uint64_t changeStamp() { return store_->changeStamp(); }

    /// Devices in the `analyze --json` device shape plus site, zone, sensors (JSON), or CSV.
    Result<std::string> exportDevices(ExportFormat format);
    /// Alerts in the `analyze --json` alert shape plus status, site, zone, sensor, or CSV.
    Result<std::string> exportAlerts(ExportFormat format);
    /// `sensor list --json` text.
    static std::string sensorsToJson(const std::vector<SensorRow>& sensors);

private:
    ConsoleService(std::filesystem::path dataDir, std::unique_ptr<ConsoleStore> store, Pki pki)
        : dataDir_(std::move(dataDir)), store_(std::move(store)), pki_(std::move(pki)) {}

    std::filesystem::path dataDir_;
    std::unique_ptr<ConsoleStore> store_;
    Pki pki_;
};

/// "host:port" -> host (brackets of an IPv6 literal removed); empty when malformed.
std::string hostOf(const std::string& hostPort);

}  // namespace ironsight::console::core
