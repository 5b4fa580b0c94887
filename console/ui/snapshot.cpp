// SPDX-License-Identifier: Apache-2.0
// Reads the main window's snapshot through the console core's service interface.
#include "console/ui/snapshot.h"

#include <QDateTime>
#include <QMap>

#include "console/core/console_service.h"

namespace ironsight::console::ui {

namespace {

QString q(const std::string& s) { return QString::fromStdString(s); }

QString when(std::int64_t ms) {
    if (ms <= 0) return QStringLiteral("—");
    return QDateTime::fromMSecsSinceEpoch(ms).toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"));
}

QString join(const std::vector<std::string>& items) {
    QStringList out;
    for (const auto& s : items) out << q(s);
    return out.join(QStringLiteral(", "));
}

int severityRank(const std::string& s) {
    if (s == "critical") return 4;
    if (s == "major") return 3;
    if (s == "minor") return 2;
    if (s == "warning") return 1;
    return 0;
}

// Severity always has the same colour and shape (colour is never the only cue).
void styleSeverity(TableRow& row, int rank) {
    static const QColor colours[] = {QColor(), QColor(0x24, 0x71, 0xa3), QColor(0xb7, 0x95, 0x0b),
                                     QColor(0xd3, 0x54, 0x00), QColor(0xb0, 0x00, 0x20)};
    static const char* shapes[] = {"", "○", "●", "■", "▲"};
    row.accent = colours[rank];
    row.accentIcon = QString::fromUtf8(shapes[rank]);
}

bool isOpen(const std::string& status) { return status != "closed"; }

}  // namespace

Snapshot loadSnapshot(core::ConsoleService& service) {
    Snapshot snap;
    auto sites = service.listSites();
    auto zones = service.listZones();
    auto sensors = service.listSensors();
    auto devices = service.listDevices();
    auto alerts = service.listAlerts();
    for (const Error* e : {sites.ok() ? nullptr : &sites.error(), zones.ok() ? nullptr : &zones.error(),
                           sensors.ok() ? nullptr : &sensors.error(),
                           devices.ok() ? nullptr : &devices.error(),
                           alerts.ok() ? nullptr : &alerts.error()}) {
        if (e) {
            snap.error = q(e->message);
            return snap;
        }
    }

    struct Counts {
        int sensors = 0, devices = 0, openAlerts = 0;
    };
    QMap<QString, Counts> bySite, byZone;  // zone key: "site / zone"
    auto zoneKey = [](const std::string& site, const std::string& zone) {
        return q(site) + QStringLiteral(" / ") + q(zone);
    };

    for (const auto& s : *sensors) {
        ++snap.sensorsTotal;
        if (s.status == "active") ++snap.sensorsActive;
        ++bySite[q(s.site)].sensors;
        ++byZone[zoneKey(s.site, s.zone)].sensors;
        TableRow row;
        row.cells = {q(s.name), q(s.site), q(s.zone), q(s.status), when(s.lastSeenMs), q(s.id)};
        if (s.status == "revoked") row.accent = QColor(0xb0, 0x00, 0x20);
        snap.sensors.push_back(std::move(row));
    }

    for (const auto& d : *devices) {
        ++snap.deviceCount;
        ++bySite[q(d.site)].devices;
        ++byZone[zoneKey(d.site, d.zone)].devices;
        QStringList protocols;
        for (const auto& [name, role] : d.protocols) protocols << q(name) + QStringLiteral(" (") + q(role) + QStringLiteral(")");
        const QString name = !d.hostname.empty() ? q(d.hostname)
                             : !d.ips.empty()    ? q(d.ips.front())
                             : !d.macs.empty()   ? q(d.macs.front())
                                                 : q(d.deviceId);
        TableRow row;
        row.cells = {name,
                     join(d.ips),
                     join(d.macs),
                     q(d.vendor),
                     q(d.type),
                     d.purdueLevel >= 0 ? QString::number(d.purdueLevel) : QStringLiteral("—"),
                     protocols.join(QStringLiteral(", ")),
                     q(d.site),
                     q(d.zone),
                     q(d.sensorName),
                     when(d.lastSeenMs)};
        snap.devices.push_back(std::move(row));
    }

    for (const auto& a : *alerts) {
        const int rank = severityRank(a.severity);
        if (isOpen(a.status)) {
            ++snap.openAlerts;
            ++snap.bySeverity[rank];
            ++bySite[q(a.site)].openAlerts;
            ++byZone[zoneKey(a.site, a.zone)].openAlerts;
        }
        TableRow row;
        row.cells = {q(a.severity), q(a.status), q(a.title),
                     q(a.srcIp.empty() ? a.src : a.srcIp), q(a.dstIp.empty() ? a.dst : a.dstIp),
                     q(a.protocol), QString::number(a.count), q(a.sensorName), when(a.lastSeenMs)};
        styleSeverity(row, rank);
        snap.alerts.push_back(std::move(row));
    }

    for (const auto& site : *sites) {
        const Counts c = bySite.value(q(site.name));
        snap.sites.push_back(TableRow{{q(site.name), QString::number(c.sensors),
                                       QString::number(c.devices), QString::number(c.openAlerts)},
                                      {}, QString()});
        for (const auto& zone : *zones) {
            if (zone.site != site.name) continue;
            const Counts z = byZone.value(zoneKey(zone.site, zone.name));
            snap.sites.push_back(TableRow{{QStringLiteral("    ") + zoneKey(zone.site, zone.name),
                                           QString::number(z.sensors), QString::number(z.devices),
                                           QString::number(z.openAlerts)},
                                          {}, QString()});
        }
    }
    return snap;
}

Snapshot loadSnapshotIfChanged(core::ConsoleService& service, std::uint64_t* lastStamp) {
    const std::uint64_t stamp = service.changeStamp();
    if (stamp == *lastStamp && stamp != 0) {
        Snapshot snap;
        snap.unchanged = true;
        return snap;
    }
    *lastStamp = stamp;
    return loadSnapshot(service);
}

}  // namespace ironsight::console::ui
