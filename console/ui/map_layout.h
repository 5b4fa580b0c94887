// SPDX-License-Identifier: Apache-2.0
// The device map's graph and its layout: Graphviz (libgvc, `dot`) per zone, off the GUI thread,
// cached by a hash of each zone's graph; Purdue levels become horizontal bands.
#pragma once

#include <QFuture>
#include <QPointF>
#include <QRectF>
#include <QString>
#include <QStringList>
#include <QVector>
#include <cstdint>
#include <memory>
#include <mutex>
#include <unordered_map>

namespace ironsight::console::ui {

/// One device on the map.
struct MapNode {
    QString key;    ///< unique per map (sensor id + device id)
    QString label;  ///< hostname, else first IP, else MAC, else device id
    QString type;   ///< inventory type ("" = unknown)
    int purdue = -1;
    QString site;
    QString zone;    ///< "Site / Zone": one Graphviz layout per zone
    QString subnet;  ///< "10.10.1.0/24" ("" when the device has no IPv4 address)
    QStringList ips;
    QStringList macs;
    QString vendor;
    QStringList protocols;  ///< protocol names the device speaks
    int openAlerts = 0;     ///< open alerts naming the device as source or destination
    int worstSeverity = 0;  ///< of those alerts: 1 warning .. 4 critical
    QString detailHtml;     ///< what the detail pane shows on click
};

/// One connection (client -> server) between two nodes.
struct MapEdge {
    int from = -1;  ///< index into MapGraph::nodes
    int to = -1;
    QString protocol;
    QString transport;
    std::uint32_t port = 0;
    std::uint64_t packets = 0;
    std::uint64_t bytes = 0;
};

struct MapGraph {
    QVector<MapNode> nodes;
    QVector<MapEdge> edges;
};

/// The horizontal band a node sits in, top to bottom: external hosts, Purdue 5 .. 0, unknown.
int mapBandOf(const MapNode& node);
/// Number of bands (mapBandOf() is in [0, kMapBands)).
inline constexpr int kMapBands = 8;

/// Where everything goes, in scene coordinates (pixels, y down).
struct MapLayout {
    struct Box {
        QString label;
        QRectF rect;
        bool zone = false;  ///< zone frame (else a subnet cluster inside a zone)
    };
    struct Band {
        int band = 0;  ///< mapBandOf() value
        double top = 0;
        double bottom = 0;
    };
    QVector<QPointF> positions;  ///< centre of every node, same order as MapGraph::nodes
    QVector<Box> boxes;
    QVector<Band> bands;  ///< only bands that hold nodes, top to bottom
    QRectF bounds;
    double millis = 0;             ///< wall time of the whole layout
    int zonesLaidOut = 0;          ///< zones Graphviz laid out in this run
    int zonesFromCache = 0;        ///< zones whose positions came from the cache
    QString error;                 ///< one line when Graphviz failed (positions are then empty)
    const void* thread = nullptr;  ///< the QThread that ran the layout (layoutMapAsync)
};

/// Node cell size on the map (icon + two label lines), pixels.
inline constexpr double kMapNodeWidth = 112;
inline constexpr double kMapNodeHeight = 84;
/// At most this many devices side by side in one band of one zone; more wrap to a new row.
inline constexpr int kMapRowMax = 16;

/// A hash over everything that changes the layout (keys, bands, zones, subnets, edges).
std::uint64_t mapGraphHash(const MapGraph& graph);

/// Lays out `graph` with Graphviz on the calling thread (Graphviz itself is serialised by a
/// process-wide lock: it is not thread-safe). Zones found in `cache` are not laid out again.
class MapLayoutCache;
MapLayout layoutMap(const MapGraph& graph, MapLayoutCache* cache = nullptr);

/// Runs layoutMap() on Qt's thread pool (never on the GUI thread).
QFuture<MapLayout> layoutMapAsync(MapGraph graph, std::shared_ptr<MapLayoutCache> cache);

/// Positions of already laid-out zones, by zone-graph hash. Thread-safe.
class MapLayoutCache {
public:
    struct Zone {
        QVector<double> x;  ///< per zone node (zone order), relative to the zone's left edge
        QVector<int> row;   ///< row inside the node's band
        QVector<QPair<QString, QPair<double, double>>> clusters;  ///< subnet -> x range
        double width = 0;
    };
    bool find(std::uint64_t hash, Zone* out) const;
    void insert(std::uint64_t hash, Zone zone);
    int size() const;

private:
    mutable std::mutex mutex_;
    std::unordered_map<std::uint64_t, Zone> zones_;
};

}  // namespace ironsight::console::ui
