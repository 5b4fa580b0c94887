// SPDX-License-Identifier: Apache-2.0
// What the pages act through: the console core's service and the signed-in user's session.
#pragma once

#include <QThreadPool>
#include <optional>
#include <string>

#include "console/core/console_service.h"

namespace ironsight::console::ui {

/// The service the window acts on and the session it acts as. Without a session the calls take
/// the core's local-administrator path (only `--screenshots` and tests do that; see README.md).
struct UiContext {
    core::ConsoleService* service = nullptr;
    std::optional<core::Session> session;
    /// Where work that uses the service runs: the window's own pool (its destructor and a
    /// restore wait for exactly that work); null = Qt's global pool.
    QThreadPool* pool = nullptr;

    QThreadPool* workPool() const { return pool ? pool : QThreadPool::globalInstance(); }

    /// The role the UI shapes itself for (admin on the local-administrator path).
    core::Role role() const { return session ? session->role : core::Role::Admin; }
    /// The name shown in the window ("local-admin" on the local-administrator path).
    std::string userName() const { return session ? session->user : std::string("local-admin"); }
    /// True when the role matrix lets this user do `action` (the core checks again).
    bool may(core::Action action) const { return core::allowed(role(), action); }

    Result<core::NewSensor> addSensor(const std::string& site, const std::string& zone,
                                      const std::string& name) const {
        return session ? service->addSensor(*session, site, zone, name)
                       : service->addSensor(site, zone, name);
    }
    Status revokeSensor(const std::string& idOrName) const {
        return session ? service->revokeSensor(*session, idOrName)
                       : service->revokeSensor(idOrName);
    }
    /// Alert workflow (bulk): the core checks the role (Action::TriageAlert) and audits.
    Status setAlertStatus(const std::vector<core::AlertKey>& alerts,
                          core::AlertStatus status) const {
        return session ? service->setAlertStatus(*session, alerts, status)
                       : service->setAlertStatus(alerts, status);
    }
    Status addAlertComment(const core::AlertKey& alert, const std::string& text) const {
        return session ? service->addAlertComment(*session, alert, text)
                       : service->addAlertComment(alert, text);
    }
    /// Commands to sensors (Action::CommandSensor), delivered by the link when connected.
    Result<core::CommandRow> setSensorLearning(const std::string& sensor, bool on) const {
        return session ? service->setSensorLearning(*session, sensor, on)
                       : service->setSensorLearning(sensor, on);
    }
    /// Settings push and certificate renewal: commands to a sensor (Action::CommandSensor).
    Result<core::CommandRow> pushSensorSettings(const std::string& sensor,
                                                const std::string& toml) const {
        return session ? service->pushSensorSettings(*session, sensor, toml)
                       : service->pushSensorSettings(sensor, toml);
    }
    Result<core::CommandRow> renewSensorCertificate(const std::string& sensor) const {
        return session ? service->renewSensorCertificate(*session, sensor)
                       : service->renewSensorCertificate(sensor);
    }
    /// Learn / Mute: commands to the sensor that raised the alert (Action::CommandSensor).
    Result<core::CommandRow> learnAlert(const core::AlertKey& alert) const {
        return session ? service->learnAlert(*session, alert) : service->learnAlert(alert);
    }
    Result<core::CommandRow> muteAlert(const core::AlertKey& alert, bool muted) const {
        return session ? service->muteAlert(*session, alert, muted)
                       : service->muteAlert(alert, muted);
    }
    /// Asks the alert's sensor for its evidence pcap (Action::CommandSensor).
    Result<core::CommandRow> requestEvidence(const core::AlertKey& alert) const {
        return session ? service->requestEvidence(*session, alert)
                       : service->requestEvidence(alert);
    }
    /// Assigns to an enabled admin or analyst, "" unassigns (Action::TriageAlert).
    Status assignAlert(const core::AlertKey& alert, const std::string& user) const {
        return session ? service->assignAlert(*session, alert, user)
                       : service->assignAlert(alert, user);
    }
    /// Online backup with progress and cancel (Action::BackupData).
    Result<core::BackupInfo> backup(const std::filesystem::path& dest,
                                    const core::BackupProgress& progress) const {
        return session ? service->backup(*session, dest, progress)
                       : service->backup(dest, progress);
    }
    /// Device edits, merge and split (Action::EditDevice: admin and analyst; audited).
    Status editDevice(std::int64_t groupId, const core::DeviceEdit& edit) const {
        return session ? service->editDevice(*session, groupId, edit)
                       : service->editDevice(groupId, edit);
    }
    Status mergeDevices(std::int64_t into, std::int64_t from) const {
        return session ? service->mergeDevices(*session, into, from)
                       : service->mergeDevices(into, from);
    }
    Result<std::int64_t> splitDevice(const std::string& sensor,
                                     const std::string& deviceId) const {
        return session ? service->splitDevice(*session, sensor, deviceId)
                       : service->splitDevice(sensor, deviceId);
    }
    Result<std::vector<core::AlertComment>> alertComments(const core::AlertKey& alert) const {
        return service->alertComments(alert);
    }
    Result<std::vector<core::UserRow>> listUsers() const {
        return session ? service->listUsers(*session) : service->listUsers();
    }
};

}  // namespace ironsight::console::ui
