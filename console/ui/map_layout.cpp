// SPDX-License-Identifier: Apache-2.0
// Device map layout: one Graphviz `dot` graph per zone (subnets as clusters, one rank per row of a
// Purdue band), positions read back and assembled into zone columns crossed by horizontal bands.
#include "console/ui/map_layout.h"

#include <graphviz/cgraph.h>
#include <graphviz/gvc.h>

#include <QElapsedTimer>
#include <QHash>
#include <QMap>
#include <QSet>
#include <QThread>
#include <QtConcurrent/QtConcurrentRun>
#include <algorithm>
#include <cmath>
#include <string>

namespace ironsight::console::ui {

namespace {

// ---- Graphviz RAII -------------------------------------------------------------------------

struct GvcDeleter {
    void operator()(GVC_t* gvc) const { gvFreeContext(gvc); }
};
struct GraphDeleter {
    void operator()(Agraph_t* graph) const { agclose(graph); }
};
using GvcPtr = std::unique_ptr<GVC_t, GvcDeleter>;
using GraphPtr = std::unique_ptr<Agraph_t, GraphDeleter>;

/// Frees the layout data gvLayout() attached to a graph (before the graph itself is closed).
class LaidOut {
public:
    LaidOut(GVC_t* gvc, Agraph_t* graph) : gvc_(gvc), graph_(graph) {}
    ~LaidOut() { gvFreeLayout(gvc_, graph_); }
    LaidOut(const LaidOut&) = delete;
    LaidOut& operator=(const LaidOut&) = delete;

private:
    GVC_t* gvc_;
    Agraph_t* graph_;
};

/// Graphviz keeps global state (error handler, layout statics): one user at a time.
std::mutex& graphvizMutex() {
    static std::mutex mutex;
    return mutex;
}

std::string& graphvizError() {  // only touched under graphvizMutex()
    static std::string message;
    return message;
}

int collectGraphvizError(char* message) {
    std::string& last = graphvizError();
    last = message ? message : "";
    while (!last.empty() && (last.back() == '\n' || last.back() == ' ')) last.pop_back();
    return 0;
}

/// The process's Graphviz context (layout plugins from Debian's libgvc6 plugin config).
GVC_t* context() {  // caller holds graphvizMutex()
    static GvcPtr gvc;
    if (!gvc) {
        agseterrf(&collectGraphvizError);
        agseterr(AGERR);  // warnings stay quiet; errors are reported by layoutMap()
        gvc.reset(gvContext());
    }
    return gvc.get();
}

char* cs(const char* s) {
    return const_cast<char*>(s);  // cgraph predates const; it does not write through these
}

void set(void* object, const char* name, const std::string& value) {
    agsafeset(object, cs(name), cs(value.c_str()), cs(""));
}

std::string inches(double pixels) {
    return std::to_string(pixels / 72.0);
}

// ---- hashing ----------------------------------------------------------------------------------

struct Hasher {
    std::uint64_t h = 1469598103934665603ULL;  // FNV-1a 64
    void bytes(const void* data, std::size_t n) {
        const auto* p = static_cast<const unsigned char*>(data);
        for (std::size_t i = 0; i < n; ++i) {
            h ^= p[i];
            h *= 1099511628211ULL;
        }
    }
    void add(const QString& s) {
        bytes(s.constData(), static_cast<std::size_t>(s.size()) * sizeof(QChar));
        add(static_cast<std::int64_t>(s.size()));
    }
    void add(std::int64_t v) { bytes(&v, sizeof v); }
};

// ---- zones --------------------------------------------------------------------------------------

/// One zone's part of the graph, in layout order.
struct ZonePlan {
    QString name;
    QVector<int> nodes;  // graph indices, sorted by band, subnet, label
    QVector<int> band;   // per zone node
    QVector<int> row;    // per zone node: row inside its band
    int rows[kMapBands] = {0, 0, 0, 0, 0, 0, 0, 0};
    QVector<QPair<int, int>> edges;  // zone-local (from, to), distinct, no loops
    std::uint64_t hash = 0;
};

QVector<ZonePlan> planZones(const MapGraph& graph) {
    QMap<QString, int> zoneIndex;  // sorted by name: zones appear left to right alphabetically
    for (const auto& node : graph.nodes) zoneIndex.insert(node.zone, 0);
    QVector<ZonePlan> zones;
    for (auto it = zoneIndex.begin(); it != zoneIndex.end(); ++it) {
        it.value() = static_cast<int>(zones.size());
        ZonePlan plan;
        plan.name = it.key();
        zones.push_back(plan);
    }
    for (int i = 0; i < graph.nodes.size(); ++i)
        zones[zoneIndex.value(graph.nodes[i].zone)].nodes.push_back(i);

    QVector<int> localIndex(graph.nodes.size(), -1);
    for (auto& zone : zones) {
        std::stable_sort(zone.nodes.begin(), zone.nodes.end(), [&graph](int a, int b) {
            const MapNode& x = graph.nodes[a];
            const MapNode& y = graph.nodes[b];
            const int bx = mapBandOf(x), by = mapBandOf(y);
            if (bx != by) return bx < by;
            if (x.subnet != y.subnet) return x.subnet < y.subnet;
            return x.label < y.label;
        });
        int inBand[kMapBands] = {0, 0, 0, 0, 0, 0, 0, 0};
        for (int local = 0; local < zone.nodes.size(); ++local) {
            const int index = zone.nodes[local];
            localIndex[index] = local;
            const int band = mapBandOf(graph.nodes[index]);
            const int row = inBand[band]++ / kMapRowMax;
            zone.band.push_back(band);
            zone.row.push_back(row);
            zone.rows[band] = std::max(zone.rows[band], row + 1);
        }
    }
    QVector<QSet<quint64>> seen(zones.size());
    for (const auto& edge : graph.edges) {
        if (edge.from < 0 || edge.to < 0 || edge.from >= graph.nodes.size() ||
            edge.to >= graph.nodes.size() || edge.from == edge.to)
            continue;
        const int zone = zoneIndex.value(graph.nodes[edge.from].zone);
        if (graph.nodes[edge.to].zone != graph.nodes[edge.from].zone) continue;
        const int a = localIndex[edge.from], b = localIndex[edge.to];
        const quint64 key =
            (static_cast<quint64>(std::min(a, b)) << 32) | static_cast<quint32>(std::max(a, b));
        if (seen[zone].contains(key)) continue;
        seen[zone].insert(key);
        zones[zone].edges.push_back({a, b});
    }
    for (auto& zone : zones) {
        Hasher h;
        h.add(zone.name);
        for (int local = 0; local < zone.nodes.size(); ++local) {
            const MapNode& node = graph.nodes[zone.nodes[local]];
            h.add(node.key);
            h.add(node.subnet);
            h.add(static_cast<std::int64_t>(zone.band[local] * 100000 + zone.row[local]));
        }
        for (const auto& [a, b] : zone.edges) h.add((static_cast<std::int64_t>(a) << 32) | b);
        zone.hash = h.h;
    }
    return zones;
}

/// Lays one zone out with Graphviz `dot`; caller holds graphvizMutex().
bool layoutZone(const MapGraph& graph, const ZonePlan& plan, MapLayoutCache::Zone* out,
                QString* error) {
    GVC_t* gvc = context();
    if (!gvc) {
        *error = QStringLiteral("cannot start Graphviz (gvContext failed)");
        return false;
    }
    graphvizError().clear();
    GraphPtr g(agopen(cs("zone"), Agdirected, nullptr));
    if (!g) {
        *error = QStringLiteral("Graphviz cannot create a graph");
        return false;
    }
    Agraph_t* root = g.get();
    agattr(root, AGRAPH, cs("newrank"), cs("true"));
    agattr(root, AGRAPH, cs("rankdir"), cs("TB"));
    agattr(root, AGRAPH, cs("nodesep"), cs("0.12"));
    agattr(root, AGRAPH, cs("ranksep"), cs("0.3"));
    agattr(root, AGRAPH, cs("mclimit"), cs("0.5"));  // bounded crossing minimisation
    agattr(root, AGNODE, cs("shape"), cs("box"));
    agattr(root, AGNODE, cs("fixedsize"), cs("true"));
    agattr(root, AGNODE, cs("label"), cs(""));
    agattr(root, AGNODE, cs("width"), cs(inches(kMapNodeWidth - 8).c_str()));
    agattr(root, AGNODE, cs("height"), cs(inches(kMapNodeHeight - 8).c_str()));
    agattr(root, AGEDGE, cs("constraint"), cs("true"));
    agattr(root, AGEDGE, cs("style"), cs("solid"));
    agattr(root, AGEDGE, cs("weight"), cs("1"));
    agattr(root, AGRAPH, cs("label"), cs(""));
    agattr(root, AGRAPH, cs("rank"), cs(""));
    agattr(root, AGRAPH, cs("margin"), cs("8"));

    // One rank per (band, row), ordered top to bottom by a chain of invisible anchors.
    QMap<int, Agnode_t*> anchors;  // band * 1000 + row
    QMap<int, Agraph_t*> rankGroups;
    Agnode_t* previous = nullptr;
    for (int band = 0; band < kMapBands; ++band) {
        for (int row = 0; row < plan.rows[band]; ++row) {
            const int key = band * 1000 + row;
            const std::string name = "anchor_" + std::to_string(key);
            Agnode_t* anchor = agnode(root, cs(name.c_str()), 1);
            set(anchor, "width", "0.01");
            set(anchor, "height", "0.01");
            anchors.insert(key, anchor);
            const std::string group = "rank_" + std::to_string(key);
            Agraph_t* same = agsubg(root, cs(group.c_str()), 1);
            set(same, "rank", "same");
            agsubnode(same, anchor, 1);
            rankGroups.insert(key, same);
            if (previous) {
                Agedge_t* chain = agedge(root, previous, anchor, nullptr, 1);
                set(chain, "style", "invis");
                set(chain, "weight", "100");
            }
            previous = anchor;
        }
    }
    QVector<Agnode_t*> nodes(plan.nodes.size(), nullptr);
    QMap<QString, Agraph_t*> clusters;
    for (int local = 0; local < plan.nodes.size(); ++local) {
        const std::string name = "n" + std::to_string(local);
        Agnode_t* node = agnode(root, cs(name.c_str()), 1);
        nodes[local] = node;
        agsubnode(rankGroups.value(plan.band[local] * 1000 + plan.row[local]), node, 1);
        const QString& subnet = graph.nodes[plan.nodes[local]].subnet;
        if (subnet.isEmpty()) continue;
        Agraph_t* cluster = clusters.value(subnet, nullptr);
        if (!cluster) {
            const std::string cname = "cluster_" + std::to_string(clusters.size());
            cluster = agsubg(root, cs(cname.c_str()), 1);
            set(cluster, "label", subnet.toStdString());
            set(cluster, "margin", "10");
            clusters.insert(subnet, cluster);
        }
        agsubnode(cluster, node, 1);
    }
    // Connections pull talking devices together but do not move them between ranks.
    for (const auto& [a, b] : plan.edges) {
        Agedge_t* edge = agedge(root, nodes[a], nodes[b], nullptr, 1);
        set(edge, "constraint", "false");
    }

    if (gvLayout(gvc, root, "dot") != 0) {
        *error = QStringLiteral("Graphviz layout failed: %1")
                     .arg(QString::fromStdString(graphvizError().empty() ? "dot refused the graph"
                                                                         : graphvizError()));
        return false;
    }
    LaidOut laidOut(gvc, root);
    const boxf bb = GD_bb(root);
    out->width = bb.UR.x - bb.LL.x;
    out->x.resize(plan.nodes.size());
    out->row = plan.row;
    for (int local = 0; local < plan.nodes.size(); ++local)
        out->x[local] = ND_coord(nodes[local]).x - bb.LL.x;
    for (auto it = clusters.begin(); it != clusters.end(); ++it) {
        const boxf cb = GD_bb(it.value());
        out->clusters.push_back({it.key(), {cb.LL.x - bb.LL.x, cb.UR.x - bb.LL.x}});
    }
    return true;
}

constexpr double kRowPitch = kMapNodeHeight + 24;
constexpr double kBandPad = 18;
constexpr double kZoneGap = 60;
constexpr double kZonePad = 16;
constexpr double kZoneHeader = 34;

}  // namespace

int mapBandOf(const MapNode& node) {
    if (node.type == QLatin1String("external")) return 0;
    if (node.purdue >= 0 && node.purdue <= 5) return 6 - node.purdue;
    return 7;
}

std::uint64_t mapGraphHash(const MapGraph& graph) {
    Hasher h;
    for (const auto& zone : planZones(graph)) h.add(static_cast<std::int64_t>(zone.hash));
    return h.h;
}

bool MapLayoutCache::find(std::uint64_t hash, Zone* out) const {
    std::lock_guard lock(mutex_);
    auto it = zones_.find(hash);
    if (it == zones_.end()) return false;
    *out = it->second;
    return true;
}

void MapLayoutCache::insert(std::uint64_t hash, Zone zone) {
    std::lock_guard lock(mutex_);
    if (zones_.size() > 512) zones_.clear();  // bounded: old plant states are not worth keeping
    zones_[hash] = std::move(zone);
}

int MapLayoutCache::size() const {
    std::lock_guard lock(mutex_);
    return static_cast<int>(zones_.size());
}

MapLayout layoutMap(const MapGraph& graph, MapLayoutCache* cache) {
    QElapsedTimer timer;
    timer.start();
    MapLayout layout;
    const QVector<ZonePlan> zones = planZones(graph);

    QVector<MapLayoutCache::Zone> placed(zones.size());
    for (int z = 0; z < zones.size(); ++z) {
        if (cache && cache->find(zones[z].hash, &placed[z])) {
            ++layout.zonesFromCache;
            continue;
        }
        QString error;
        bool ok = false;
        {
            std::lock_guard lock(graphvizMutex());
            ok = layoutZone(graph, zones[z], &placed[z], &error);
        }
        if (!ok) {
            layout.error = error;
            layout.millis = static_cast<double>(timer.nsecsElapsed()) / 1e6;
            return layout;
        }
        ++layout.zonesLaidOut;
        if (cache) cache->insert(zones[z].hash, placed[z]);
    }

    // Zones stand side by side; many zones wrap into several zone rows so that the map keeps a
    // screen-like shape (about 16:10). Each zone row has its own Purdue bands.
    auto bandsHeight = [](const int* rows) {
        double h = kZoneHeader;
        for (int b = 0; b < kMapBands; ++b) h += rows[b] ? rows[b] * kRowPitch + 2 * kBandPad : 0;
        return h;
    };
    int allRows[kMapBands] = {0, 0, 0, 0, 0, 0, 0, 0};
    double totalWidth = 0;
    for (int z = 0; z < zones.size(); ++z) {
        for (int b = 0; b < kMapBands; ++b) allRows[b] = std::max(allRows[b], zones[z].rows[b]);
        totalWidth += placed[z].width + 2 * kZonePad + kZoneGap;
    }
    const double oneRowHeight = bandsHeight(allRows);
    int zoneRows = 1;
    double bestScore = 1e18;
    for (int r = 1; r <= std::max(1, static_cast<int>(zones.size())); ++r) {
        const double aspect = (totalWidth / r) / ((oneRowHeight + kZoneGap) * r);
        const double score = std::abs(std::log(aspect / 1.6));
        if (score < bestScore) {
            bestScore = score;
            zoneRows = r;
        }
    }
    const double rowWidth = totalWidth / zoneRows;
    QVector<QVector<int>> wrapped(1);
    double used = 0;
    for (int z = 0; z < zones.size(); ++z) {
        const double w = placed[z].width + 2 * kZonePad + kZoneGap;
        if (!wrapped.back().isEmpty() && used + w / 2 > rowWidth) {
            wrapped.push_back({});
            used = 0;
        }
        wrapped.back().push_back(z);
        used += w;
    }

    layout.positions.resize(graph.nodes.size());
    double top = 0, right = 0;
    for (const auto& zoneRow : wrapped) {
        // Bands of this zone row: as tall as its zone with the most rows in them.
        int rows[kMapBands] = {0, 0, 0, 0, 0, 0, 0, 0};
        for (int z : zoneRow) {
            for (int b = 0; b < kMapBands; ++b) rows[b] = std::max(rows[b], zones[z].rows[b]);
        }
        double bandTop[kMapBands] = {};
        double y = top + kZoneHeader;
        for (int b = 0; b < kMapBands; ++b) {
            bandTop[b] = y;
            if (rows[b] == 0) continue;
            const double height = rows[b] * kRowPitch + 2 * kBandPad;
            layout.bands.push_back({b, y, y + height});
            y += height;
        }
        const double bottom = y;
        double x = 0;
        for (int z : zoneRow) {
            const ZonePlan& plan = zones[z];
            const MapLayoutCache::Zone& at = placed[z];
            const double left = x + kZonePad;
            QHash<QString, QPair<double, double>> subnetY;  // top, bottom of member cells
            for (int local = 0; local < plan.nodes.size(); ++local) {
                const int band = plan.band[local];
                const double cy =
                    bandTop[band] + kBandPad + at.row[local] * kRowPitch + kRowPitch / 2;
                layout.positions[plan.nodes[local]] = QPointF(left + at.x[local], cy);
                const QString& subnet = graph.nodes[plan.nodes[local]].subnet;
                if (subnet.isEmpty()) continue;
                auto span = subnetY.value(subnet, {cy, cy});
                subnetY[subnet] = {std::min(span.first, cy), std::max(span.second, cy)};
            }
            for (const auto& [subnet, range] : at.clusters) {
                const auto span = subnetY.value(subnet, {0.0, 0.0});
                layout.boxes.push_back(
                    {subnet,
                     QRectF(QPointF(left + range.first, span.first - kRowPitch / 2),
                            QPointF(left + range.second, span.second + kRowPitch / 2 - 6)),
                     false});
            }
            const double width = at.width + 2 * kZonePad;
            layout.boxes.push_back(
                {plan.name, QRectF(x, top, width, bottom - top + kZonePad), true});
            x += width + kZoneGap;
        }
        right = std::max(right, x - kZoneGap);
        top = bottom + kZonePad + kZoneGap;
    }
    layout.bounds = QRectF(0, 0, std::max(0.0, right), std::max(0.0, top - kZoneGap));
    layout.millis = static_cast<double>(timer.nsecsElapsed()) / 1e6;
    return layout;
}

QFuture<MapLayout> layoutMapAsync(MapGraph graph, std::shared_ptr<MapLayoutCache> cache) {
    return QtConcurrent::run([graph = std::move(graph), cache = std::move(cache)] {
        MapLayout layout = layoutMap(graph, cache.get());
        layout.thread = QThread::currentThread();
        return layout;
    });
}

}  // namespace ironsight::console::ui
