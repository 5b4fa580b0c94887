// SPDX-License-Identifier: Apache-2.0
// Devices, connections and alerts -> the device map's graph.
#include "console/ui/map_data.h"

#include <QCoreApplication>
#include <QHash>


namespace ironsight::console::ui {

namespace {

QString q(const std::string& s) {
    return QString::fromStdString(s);
}

QString esc(const QString& s) {
    return s.toHtmlEscaped();
}

QString key(const std::string& sensorId, const std::string& deviceId) {
    return q(sensorId) + QLatin1Char('/') + q(deviceId);
}

int severityRank(const std::string& s) {
    if (s == "critical") return 4;
    if (s == "major") return 3;
    if (s == "minor") return 2;
    if (s == "warning") return 1;
    return 0;
}

}  // namespace

QString subnetOf(const QString& ip) {
    const QStringList parts = ip.split(QLatin1Char('.'));
    if (parts.size() != 4) return QString();
    for (const auto& part : parts) {
        bool ok = false;
        const uint octet = part.toUInt(&ok);
        if (!ok || octet > 255 || part.isEmpty()) return QString();
    }
    return QStringLiteral("%1.%2.%3.0/24")
        .arg(parts[0].toUInt())
        .arg(parts[1].toUInt())
        .arg(parts[2].toUInt());
}

MapGraph buildMapGraph(const std::vector<core::DeviceRow>& devices,
                       const std::vector<ConnectionRecord>& connections,
                       const std::vector<core::OpenAlertGroup>& openAlerts) {
    MapGraph graph;
    QHash<QString, int> byKey;
    QHash<QString, int> byIp;  // "sensor/ip" -> node, for alerts that name only addresses
    graph.nodes.reserve(static_cast<int>(devices.size()));
    for (const auto& d : devices) {
        MapNode node;
        node.key = key(d.sensorId, d.deviceId);
        node.label = !d.hostname.empty() ? q(d.hostname)
                     : !d.ips.empty()    ? q(d.ips.front())
                     : !d.macs.empty()   ? q(d.macs.front())
                                         : q(d.deviceId);
        node.type = q(d.type);
        node.purdue = d.purdueLevel;
        node.site = q(d.site);
        node.zone = q(d.site) + QStringLiteral(" / ") + q(d.zone);
        for (const auto& ip : d.ips) node.ips << q(ip);
        for (const auto& mac : d.macs) node.macs << q(mac);
        node.vendor = q(d.vendor);
        for (const auto& [name, role] : d.protocols) {
            if (!node.protocols.contains(q(name))) node.protocols << q(name);
        }
        for (const auto& ip : node.ips) {
            if (node.subnet.isEmpty()) node.subnet = subnetOf(ip);
            byIp.insert(q(d.sensorId) + QLatin1Char('/') + ip,
                        static_cast<int>(graph.nodes.size()));
        }
        byKey.insert(node.key, static_cast<int>(graph.nodes.size()));
        // A device several sensors see: each sensor's connections and alerts use its own id.
        for (const auto& o : d.observations) {
            byKey.insert(key(o.sensorId, o.deviceId), static_cast<int>(graph.nodes.size()));
            for (const auto& ip : node.ips) {
                byIp.insert(q(o.sensorId) + QLatin1Char('/') + ip,
                            static_cast<int>(graph.nodes.size()));
            }
        }
        graph.nodes.push_back(std::move(node));
    }

    constexpr int kAlertLines = 10;  // alert lines in a device's detail
    QVector<QStringList> alertLines(graph.nodes.size());
    auto nodeOf = [&](const core::OpenAlertGroup& a, const std::string& id,
                      const std::string& ip) {
        int index = byKey.value(key(a.sensorId, id), -1);
        if (index < 0 && !ip.empty())
            index = byIp.value(q(a.sensorId) + QLatin1Char('/') + q(ip), -1);
        return index;
    };
    for (const auto& a : openAlerts) {  // most severe first
        const int rank = severityRank(a.severity);
        const int ends[] = {nodeOf(a, a.src, a.srcIp), nodeOf(a, a.dst, a.dstIp)};
        for (int i = 0; i < 2; ++i) {
            const int index = ends[i];
            if (index < 0 || (i == 1 && index == ends[0])) continue;
            MapNode& node = graph.nodes[index];
            node.openAlerts += static_cast<int>(a.alerts);
            node.worstSeverity = std::max(node.worstSeverity, rank);
            // The detail shows the first (most severe) kAlertLines: format no more.
            if (alertLines[index].size() >= kAlertLines) continue;
            QString line = QStringLiteral("%1 · %2").arg(esc(q(a.severity)), esc(q(a.title)));
            if (a.alerts > 1) line += QStringLiteral(" (×%1)").arg(a.alerts);
            alertLines[index] << line;
        }
    }

    QVector<QStringList> talks(graph.nodes.size());
    for (const auto& c : connections) {
        const int from = byKey.value(key(c.sensorId, c.src), -1);
        const int to = byKey.value(key(c.sensorId, c.dst), -1);
        if (from < 0 || to < 0) continue;
        MapEdge edge;
        edge.from = from;
        edge.to = to;
        edge.protocol = q(c.protocol);
        edge.transport = q(c.transport);
        edge.port = c.port;
        edge.packets = c.packets;
        edge.bytes = c.bytes;
        graph.edges.push_back(edge);
        const QString line = QStringLiteral("%1 %2/%3 · %4 packets")
                                 .arg(esc(edge.protocol), esc(edge.transport))
                                 .arg(edge.port)
                                 .arg(edge.packets);
        talks[from] << QStringLiteral("→ %1 (%2)").arg(esc(graph.nodes[to].label), line);
        talks[to] << QStringLiteral("← %1 (%2)").arg(esc(graph.nodes[from].label), line);
    }

    for (int i = 0; i < graph.nodes.size(); ++i) {
        MapNode& n = graph.nodes[i];
        QString html =
            QStringLiteral("<h3>%1</h3><p><b>%2</b> · %3 %4 · %5</p>")
                .arg(esc(n.label),
                     esc(n.type.isEmpty() ? QCoreApplication::translate("DeviceMap", "unknown type")
                                          : n.type),
                     QCoreApplication::translate("DeviceMap", "Purdue level"),
                     n.purdue >= 0 ? QString::number(n.purdue) : QStringLiteral("?"), esc(n.zone));
        html += QStringLiteral("<p>%1 %2<br>%3 %4<br>%5 %6<br>%7 %8</p>")
                    .arg(QCoreApplication::translate("DeviceMap", "IP:"),
                         esc(n.ips.join(QStringLiteral(", "))),
                         QCoreApplication::translate("DeviceMap", "MAC:"),
                         esc(n.macs.join(QStringLiteral(", "))),
                         QCoreApplication::translate("DeviceMap", "Vendor:"),
                         esc(n.vendor.isEmpty() ? QStringLiteral("—") : n.vendor),
                         QCoreApplication::translate("DeviceMap", "Protocols:"),
                         esc(n.protocols.join(QStringLiteral(", "))));
        if (!alertLines[i].isEmpty()) {
            // Coloured by the page's style sheet (light or dark palette; DeviceMapPage::setDark).
            html += QStringLiteral("<p><b class='alerts'>%1</b><br>%2</p>")
                        .arg(QCoreApplication::translate("DeviceMap", "Open alerts: %1")
                                 .arg(n.openAlerts),
                             alertLines[i].join(QStringLiteral("<br>")));
        }
        if (!talks[i].isEmpty()) {
            html += QStringLiteral("<p><b>%1</b><br>%2</p>")
                        .arg(QCoreApplication::translate("DeviceMap", "Connections: %1")
                                 .arg(talks[i].size()),
                             talks[i].mid(0, 20).join(QStringLiteral("<br>")));
        }
        n.detailHtml = html;
    }
    return graph;
}

}  // namespace ironsight::console::ui
