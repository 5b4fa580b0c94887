// SPDX-License-Identifier: Apache-2.0
// Reads the main window's snapshot through the console core's service interface.
#include "console/ui/snapshot.h"

#include <cmath>

#include <QCoreApplication>
#include <QDateTime>
#include <QHash>
#include <QMap>

#include "console/core/console_service.h"
#include "console/ui/map_data.h"

namespace ironsight::console::ui {

namespace {

QString q(const std::string& s) {
    return QString::fromStdString(s);
}

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

QString esc(const std::string& s) {
    return q(s).toHtmlEscaped();
}

/// Sorts IPv4 addresses numerically ("10.10.1.2" before "10.10.1.12").
QVariant ipSortKey(const std::vector<std::string>& ips) {
    if (ips.empty()) return QVariant();
    const QStringList parts = q(ips.front()).split(QLatin1Char('.'));
    if (parts.size() != 4) return q(ips.front());
    quint64 key = 0;
    for (const auto& part : parts) key = key * 256 + part.toUInt();
    return key;
}

QString deviceDetail(const core::DeviceRow& d, const QString& name) {
    QString html =
        QStringLiteral("<h3>%1</h3><p><b>%2</b> · Purdue level %3 · %4 / %5 · seen by %6</p>")
            .arg(name.toHtmlEscaped(), esc(d.type),
                 d.purdueLevel >= 0 ? QString::number(d.purdueLevel) : QStringLiteral("?"),
                 esc(d.site), esc(d.zone), esc(d.sensorName));
    html += QStringLiteral("<p>IP %1 · MAC %2 · vendor %3")
                .arg(esc(join(d.ips).toStdString()), esc(join(d.macs).toStdString()),
                     esc(d.vendor.empty() ? "—" : d.vendor));
    if (!d.model.empty()) html += QStringLiteral(" · model %1").arg(esc(d.model));
    if (!d.firmware.empty()) html += QStringLiteral(" · firmware %1").arg(esc(d.firmware));
    html += QStringLiteral("</p>");
    // The operator's view of the device (Inventory's "Edit device…", docs/CONSOLE.md "Devices").
    QStringList about{QCoreApplication::translate("DeviceDetail", "Device %1").arg(d.groupId)};
    if (!d.criticality.empty())
        about << QCoreApplication::translate("DeviceDetail", "criticality %1")
                     .arg(esc(d.criticality));
    if (d.authorized)
        about << (*d.authorized ? QCoreApplication::translate("DeviceDetail", "authorized")
                                : QCoreApplication::translate("DeviceDetail", "not authorized"));
    if (!d.editedBy.empty())
        about << QCoreApplication::translate("DeviceDetail", "edited by %1").arg(esc(d.editedBy));
    html += QStringLiteral("<p>%1</p>").arg(about.join(QStringLiteral(" · ")));
    if (!d.notes.empty())
        html += QStringLiteral("<p><b>%1</b> %2</p>")
                    .arg(QCoreApplication::translate("DeviceDetail", "Notes"), esc(d.notes));
    if (d.observations.size() > 1) {
        QStringList seen;
        for (const auto& o : d.observations) seen << esc(o.sensorName + "/" + o.deviceId);
        html += QStringLiteral("<p><b>%1</b> %2</p>")
                    .arg(QCoreApplication::translate("DeviceDetail", "Seen by"),
                         seen.join(QStringLiteral(", ")));
    }
    if (!d.evidence.empty()) {
        html += QStringLiteral("<p><b>Why this type</b></p><ul>");
        for (const auto& e : d.evidence) html += QStringLiteral("<li>%1</li>").arg(esc(e));
        html += QStringLiteral("</ul>");
    }
    if (!d.identityJson.empty() && d.identityJson != "{}") {
        html += QStringLiteral("<p><b>Identity</b> <code>%1</code></p>").arg(esc(d.identityJson));
    }
    return html;
}

/// "EWS-03 (engineering_workstation, 10.10.1.50)" for a device the store knows, else the address.
using DeviceNames = QHash<QString, QString>;  // "sensor/device id" -> description

QString deviceOf(const DeviceNames& names, const core::AlertRow& a, const std::string& id,
                 const std::string& ip) {
    const QString known = names.value(q(a.sensorId) + QLatin1Char('/') + q(id));
    if (!known.isEmpty()) return known;
    return q(ip.empty() ? id : ip);
}

QString alertDetail(const core::AlertRow& a, const DeviceNames& names) {
    QString html =
        QStringLiteral("<h3>%1</h3><p><b>%2</b> · %3 · %4 · %5 %6 · %7 / %8 · %9 %10</p>")
            .arg(esc(a.title), esc(a.severity), esc(a.engine), esc(a.type),
                 QCoreApplication::translate("Alerts", "ATT&amp;CK for ICS"),
                 esc(a.mitre.empty() ? "—" : a.mitre), esc(a.site), esc(a.zone),
                 QCoreApplication::translate("Alerts", "sensor"), esc(a.sensorName));
    html += QStringLiteral("<p><b>%1</b> %2<br><b>%3</b> %4<br><b>%5</b> %6</p>")
                .arg(QCoreApplication::translate("Alerts", "Source:"),
                     deviceOf(names, a, a.src, a.srcIp).toHtmlEscaped(),
                     QCoreApplication::translate("Alerts", "Destination:"),
                     deviceOf(names, a, a.dst, a.dstIp).toHtmlEscaped(),
                     QCoreApplication::translate("Alerts", "Protocol:"),
                     esc(a.protocol.empty() ? "—" : a.protocol));
    html += QStringLiteral("<p>%1 · %2 · %3 · %4%5</p>")
                .arg(QCoreApplication::translate("Alerts", "seen %1 times").arg(a.count),
                     QCoreApplication::translate("Alerts", "first %1").arg(when(a.firstSeenMs)),
                     QCoreApplication::translate("Alerts", "last %1").arg(when(a.lastSeenMs)),
                     QCoreApplication::translate("Alerts", "status %1").arg(esc(a.status)),
                     a.assignee.empty() ? QString()
                                        : QStringLiteral(" · ") + QCoreApplication::translate(
                                                                      "Alerts", "assigned to %1")
                                                                      .arg(esc(a.assignee)));
    if (!a.description.empty()) {
        html += QStringLiteral("<p><b>%1</b><br>%2</p>")
                    .arg(QCoreApplication::translate("Alerts", "What happened / why it matters"),
                         esc(a.description));
    }
    if (!a.remediation.empty()) {
        html += QStringLiteral("<p><b>%1</b><br>%2</p>")
                    .arg(QCoreApplication::translate("Alerts", "What to do"), esc(a.remediation));
    }
    return html;
}

/// Fills the alerts-over-time buckets: the finest of month, day, hour, 10 minutes, minute that
/// needs at most 36 continuous buckets between the oldest and newest "Last seen". The counts come
/// from the store's index (alertCountsOverTime), not from reading every alert.
QString fillTimeline(Snapshot& snap, core::ConsoleService& service) {
    auto range = service.alertTimeRange();
    if (!range) return q(range.error().message);
    const std::int64_t first = range->firstMs, last = range->lastMs;
    if (first <= 0) return QString();
    struct Grain {
        int prefix;           // characters of "yyyy-MM-dd HH:mm:ss"
        std::int64_t stepMs;  // 0: calendar month / day
    };
    const Grain grains[] = {{16, 60'000}, {15, 600'000}, {13, 3'600'000}, {10, 0}, {7, 0}};
    const QString format = QStringLiteral("yyyy-MM-dd HH:mm:ss");
    const QDateTime from = QDateTime::fromMSecsSinceEpoch(first);
    const QDateTime to = QDateTime::fromMSecsSinceEpoch(last);
    for (const Grain& g : grains) {
        QStringList buckets;
        const QString end = when(last).left(g.prefix);
        const auto next = [&g](const QDateTime& t) {
            return g.stepMs ? t.addMSecs(g.stepMs) : g.prefix == 10 ? t.addDays(1) : t.addMonths(1);
        };
        QDateTime t = from;
        while (buckets.size() <= 36) {
            const QString key = t.toString(format).left(g.prefix);
            if (buckets.isEmpty() || buckets.back() != key) buckets << key;
            if (key == end || t > to) break;
            t = next(t);
        }
        if (buckets.size() > 36 && g.prefix != 7) continue;
        // A bucket starts at its name padded with the format's zero tail ("2026-01-01 10" ->
        // "2026-01-01 10:00:00", local time); the last one ends where the next would start.
        const QString zeroTail = QStringLiteral("0000-01-01 00:00:00");
        const auto startOf = [&](const QString& key) {
            return QDateTime::fromString(key + zeroTail.mid(key.size()), format);
        };
        std::vector<std::int64_t> bounds;
        for (const QString& key : buckets) bounds.push_back(startOf(key).toMSecsSinceEpoch());
        bounds.push_back(
            std::max<std::int64_t>(next(startOf(buckets.back())).toMSecsSinceEpoch(), last + 1));
        bounds.front() = std::min(bounds.front(), first);
        for (std::size_t i = 1; i < bounds.size(); ++i)  // a DST fold must not reorder them
            bounds[i] = std::max(bounds[i], bounds[i - 1]);
        auto counts = service.alertCountsOverTime(bounds);
        if (!counts) return q(counts.error().message);
        snap.timeBuckets = buckets;
        snap.timeCounts = QVector<QVector<int>>(buckets.size(), QVector<int>(5, 0));
        for (int i = 0; i < buckets.size() && i < static_cast<int>(counts->size()); ++i) {
            for (int rank = 0; rank < 5; ++rank)
                snap.timeCounts[i][rank] = static_cast<int>((*counts)[i][rank]);
        }
        return QString();
    }
    return QString();
}

}  // namespace


/// Packets/s, drops, CPU, memory, outbox (depth, oldest), learning, version, uptime, clock skew of
/// a sensor's latest health record (empty cells when it never reported).
void appendHealthCells(TableRow& row, const core::SensorHealth* h) {
    if (!h) {
        for (int i = 0; i < 9; ++i) {
            row.cells.push_back(QString());
            row.sortKeys.push_back(QVariant());
        }
        return;
    }
    const auto duration = [](std::int64_t seconds) {
        if (seconds >= 86400) return QObject::tr("%1 d %2 h").arg(seconds / 86400).arg(seconds % 86400 / 3600);
        if (seconds >= 3600) return QObject::tr("%1 h %2 min").arg(seconds / 3600).arg(seconds % 3600 / 60);
        return QObject::tr("%1 min").arg(seconds / 60);
    };
    // Rounded to 0.1 s; "+ 0.0" keeps a tiny negative skew from showing as "-0.0".
    const double skewS =
        h->clockSkewMs ? std::round(static_cast<double>(*h->clockSkewMs) / 100.0) / 10.0 + 0.0 : 0.0;
    row.cells << QString::number(h->packetsPerSecond, 'f', 0)
              << QString::number(h->kernelDrops)
              << QStringLiteral("%1 %").arg(h->cpuPercent, 0, 'f', 0)
              << QStringLiteral("%1 MiB").arg(static_cast<double>(h->rssBytes) / 1048576.0, 0, 'f', 0)
              << (h->outboxDepth == 0
                      ? QString::number(0)
                      : QObject::tr("%1 (oldest %2)")
                            .arg(h->outboxDepth)
                            .arg(duration(h->outboxOldestAgeMs / 1000)))
              << (h->learning ? QObject::tr("on") : QObject::tr("off"))
              << q(h->version) << duration(h->uptimeS)
              << (h->clockSkewMs ? QStringLiteral("%1 s").arg(skewS, 0, 'f', 1) : QString());
    row.sortKeys << QVariant(h->packetsPerSecond) << QVariant::fromValue(h->kernelDrops)
                 << QVariant(h->cpuPercent) << QVariant::fromValue(h->rssBytes)
                 << QVariant::fromValue(h->outboxDepth) << QVariant() << QVariant()
                 << QVariant::fromValue(h->uptimeS) << QVariant(skewS);
}

Snapshot loadSnapshot(core::ConsoleService& service, bool tables) {
    Snapshot snap;
    auto sites = service.listSites();
    auto zones = service.listZones();
    auto sensors = service.listSensors();
    auto health = service.sensorHealth();  // a failure only leaves the health columns empty
    auto devices = service.listDevices();
    // Alert rows only for the alerts table; the charts, counters and map use aggregates.
    auto alerts = tables ? service.listAlerts()
                         : Result<std::vector<core::AlertRow>>(std::vector<core::AlertRow>{});
    auto counts = service.alertCounts();
    auto openAlerts = service.openAlertGroups();
    for (const Error* e :
         {sites.ok() ? nullptr : &sites.error(), zones.ok() ? nullptr : &zones.error(),
          sensors.ok() ? nullptr : &sensors.error(), devices.ok() ? nullptr : &devices.error(),
          alerts.ok() ? nullptr : &alerts.error(), counts.ok() ? nullptr : &counts.error(),
          openAlerts.ok() ? nullptr : &openAlerts.error()}) {
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
        ++snap.sensorsByStatus[q(s.status)];
        ++bySite[q(s.site)].sensors;
        ++byZone[zoneKey(s.site, s.zone)].sensors;
        TableRow row;
        // connected / disconnected (3 missed health reports) for active sensors.
        const std::string state = core::sensorState(s, core::nowMs());
        if (state == "connected") ++snap.sensorsConnected;
        row.cells = {q(s.name), q(s.site), q(s.zone), q(state), when(s.lastSeenMs), q(s.id)};
        row.sortKeys = {QVariant(), QVariant(), QVariant(), QVariant(),
                        QVariant::fromValue(s.lastSeenMs), QVariant()};
        const core::SensorHealth* h = nullptr;
        if (health) {
            for (const auto& candidate : *health) {
                if (candidate.sensorId == s.id) h = &candidate;
            }
        }
        appendHealthCells(row, h);
        if (s.status == "revoked") row.accent = QColor(0xb0, 0x00, 0x20);
        snap.sensors.push_back(std::move(row));
    }

    for (const auto& d : *devices) {
        ++snap.deviceCount;
        ++bySite[q(d.site)].devices;
        ++byZone[zoneKey(d.site, d.zone)].devices;
        ++snap.devicesByType[d.type.empty() ? QStringLiteral("unknown") : q(d.type)];
        QStringList distinct;
        for (const auto& [name, role] : d.protocols) {
            if (!distinct.contains(q(name))) distinct << q(name);
        }
        for (const auto& name : distinct) ++snap.devicesByProtocol[name];
        if (tables) snap.devices.push_back(deviceTableRow(d));
    }

    auto deviceNames = std::make_shared<DeviceNames>();
    for (const auto& d : *devices) {
        const QString name = !d.hostname.empty() ? q(d.hostname)
                             : !d.ips.empty()    ? q(d.ips.front())
                                                 : q(d.deviceId);
        QStringList about;
        if (!d.type.empty()) about << q(d.type);
        for (const auto& ip : d.ips) {
            if (q(ip) != name) about << q(ip);
        }
        deviceNames->insert(q(d.sensorId) + QLatin1Char('/') + q(d.deviceId),
                            about.isEmpty()
                                ? name
                                : name + QStringLiteral(" (") + about.join(QStringLiteral(", ")) +
                                      QLatin1Char(')'));
    }
    // Counters from the store's tallies, not by walking every alert.
    snap.openAlerts = static_cast<int>(counts->all.open);
    for (const auto& [severity, tally] : counts->bySeverity)
        snap.bySeverity[severityRank(severity)] += static_cast<int>(tally.open);
    for (const auto& [site, tally] : counts->bySite)
        bySite[q(site)].openAlerts = static_cast<int>(tally.open);
    for (const auto& [key, tally] : counts->byZone) {  // "site/zone"
        const auto cut = key.find('/');
        if (cut == std::string::npos) continue;
        byZone[zoneKey(key.substr(0, cut), key.substr(cut + 1))].openAlerts =
            static_cast<int>(tally.open);
    }
    for (const auto& a : *alerts) snap.alerts.push_back(alertTableRow(a, deviceNames.get()));
    snap.deviceNames = std::move(deviceNames);

    if (QString error = fillTimeline(snap, service); !error.isEmpty()) {
        snap.error = error;
        return snap;
    }
    auto connections = service.listConnections();
    if (!connections) snap.mapError = q(connections.error().message);
    snap.map = buildMapGraph(*devices, connections ? *connections : std::vector<ConnectionRecord>{},
                             *openAlerts);

    for (const auto& site : *sites) {
        const Counts c = bySite.value(q(site.name));
        TableRow siteRow;
        siteRow.cells = {q(site.name), QString::number(c.sensors), QString::number(c.devices),
                         QString::number(c.openAlerts)};
        snap.sites.push_back(std::move(siteRow));
        for (const auto& zone : *zones) {
            if (zone.site != site.name) continue;
            const Counts z = byZone.value(zoneKey(zone.site, zone.name));
            TableRow zoneRow;
            zoneRow.cells = {QStringLiteral("    ") + zoneKey(zone.site, zone.name),
                             QString::number(z.sensors), QString::number(z.devices),
                             QString::number(z.openAlerts)};
            snap.sites.push_back(std::move(zoneRow));
        }
    }
    return snap;
}

Snapshot loadSnapshotIfChanged(core::ConsoleService& service, std::uint64_t* lastStamp,
                               bool tables) {
    const std::uint64_t stamp = service.changeStamp();
    if (stamp == *lastStamp && stamp != 0) {
        Snapshot snap;
        snap.unchanged = true;
        return snap;
    }
    *lastStamp = stamp;
    return loadSnapshot(service, tables);
}

TableRow deviceTableRow(const core::DeviceRow& d) {
    QStringList protocols;
    for (const auto& [name, role] : d.protocols)
        protocols << q(name) + QStringLiteral(" (") + q(role) + QStringLiteral(")");
    const QString name = !d.name.empty()     ? q(d.name)  // the operator's name (Edit device…)
                         : !d.hostname.empty() ? q(d.hostname)
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
    row.sortKeys = {QVariant(),
                    ipSortKey(d.ips),
                    QVariant(),
                    QVariant(),
                    QVariant(),
                    d.purdueLevel,
                    QVariant(),
                    QVariant(),
                    QVariant(),
                    QVariant(),
                    QVariant::fromValue(d.lastSeenMs)};
    row.detailHtml = deviceDetail(d, name);
    row.key = q(d.sensorId) + QLatin1Char('\n') + q(d.deviceId);
    return row;
}

TableRow alertTableRow(const core::AlertRow& a, const QHash<QString, QString>* names) {
    static const DeviceNames none;
    const int rank = severityRank(a.severity);
    TableRow row;
    row.cells = {q(a.severity),
                 q(a.status),
                 q(a.title),
                 q(a.srcIp.empty() ? a.src : a.srcIp),
                 q(a.dstIp.empty() ? a.dst : a.dstIp),
                 q(a.protocol),
                 QString::number(a.count),
                 q(a.sensorName),
                 when(a.lastSeenMs),
                 q(a.assignee)};
    row.sortKeys = {rank,
                    QVariant(),
                    QVariant(),
                    QVariant(),
                    QVariant(),
                    QVariant(),
                    QVariant::fromValue(a.count),
                    QVariant(),
                    QVariant::fromValue(a.lastSeenMs),
                    QVariant()};
    row.detailHtml = alertDetail(a, names ? *names : none);
    row.key = q(a.sensorId) + QLatin1Char('\n') + q(a.alertId);
    styleSeverity(row, rank);
    return row;
}

}  // namespace ironsight::console::ui
