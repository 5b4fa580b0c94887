// SPDX-License-Identifier: Apache-2.0
// Reads the main window's snapshot through the console core's service interface.
#include "console/ui/snapshot.h"

#include <QDateTime>
#include <QMap>

#include "console/core/console_service.h"

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

bool isOpen(const std::string& status) {
    return status != "closed";
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

QString alertDetail(const core::AlertRow& a) {
    QString html =
        QStringLiteral(
            "<h3>%1</h3><p><b>%2</b> · %3 · %4 · ATT&amp;CK for ICS %5 · %6 / %7 · sensor %8</p>")
            .arg(esc(a.title), esc(a.severity), esc(a.engine), esc(a.type),
                 esc(a.mitre.empty() ? "—" : a.mitre), esc(a.site), esc(a.zone), esc(a.sensorName));
    html += QStringLiteral("<p>%1 → %2 (%3) · seen %4 times · first %5 · last %6 · status %7</p>")
                .arg(esc(a.srcIp.empty() ? a.src : a.srcIp), esc(a.dstIp.empty() ? a.dst : a.dstIp),
                     esc(a.protocol))
                .arg(a.count)
                .arg(when(a.firstSeenMs), when(a.lastSeenMs), esc(a.status));
    if (!a.description.empty()) {
        html += QStringLiteral("<p><b>What happened / why it matters</b><br>%1</p>")
                    .arg(esc(a.description));
    }
    if (!a.remediation.empty()) {
        html += QStringLiteral("<p><b>What to do</b><br>%1</p>").arg(esc(a.remediation));
    }
    return html;
}

}  // namespace

Snapshot loadSnapshot(core::ConsoleService& service) {
    Snapshot snap;
    auto sites = service.listSites();
    auto zones = service.listZones();
    auto sensors = service.listSensors();
    auto devices = service.listDevices();
    auto alerts = service.listAlerts();
    for (const Error* e :
         {sites.ok() ? nullptr : &sites.error(), zones.ok() ? nullptr : &zones.error(),
          sensors.ok() ? nullptr : &sensors.error(), devices.ok() ? nullptr : &devices.error(),
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
        ++snap.sensorsByStatus[q(s.status)];
        ++bySite[q(s.site)].sensors;
        ++byZone[zoneKey(s.site, s.zone)].sensors;
        TableRow row;
        row.cells = {q(s.name), q(s.site), q(s.zone), q(s.status), when(s.lastSeenMs), q(s.id)};
        row.sortKeys = {QVariant(), QVariant(), QVariant(), QVariant(),
                        QVariant::fromValue(s.lastSeenMs)};
        if (s.status == "revoked") row.accent = QColor(0xb0, 0x00, 0x20);
        snap.sensors.push_back(std::move(row));
    }

    for (const auto& d : *devices) {
        ++snap.deviceCount;
        ++bySite[q(d.site)].devices;
        ++byZone[zoneKey(d.site, d.zone)].devices;
        QStringList protocols;
        ++snap.devicesByType[d.type.empty() ? QStringLiteral("unknown") : q(d.type)];
        QStringList distinct;
        for (const auto& [name, role] : d.protocols) {
            protocols << q(name) + QStringLiteral(" (") + q(role) + QStringLiteral(")");
            if (!distinct.contains(q(name))) distinct << q(name);
        }
        for (const auto& name : distinct) ++snap.devicesByProtocol[name];
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
        row.cells = {q(a.severity),
                     q(a.status),
                     q(a.title),
                     q(a.srcIp.empty() ? a.src : a.srcIp),
                     q(a.dstIp.empty() ? a.dst : a.dstIp),
                     q(a.protocol),
                     QString::number(a.count),
                     q(a.sensorName),
                     when(a.lastSeenMs)};
        row.sortKeys = {rank,
                        QVariant(),
                        QVariant(),
                        QVariant(),
                        QVariant(),
                        QVariant(),
                        QVariant::fromValue(a.count),
                        QVariant(),
                        QVariant::fromValue(a.lastSeenMs)};
        row.detailHtml = alertDetail(a);
        styleSeverity(row, rank);
        snap.alerts.push_back(std::move(row));
    }

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
