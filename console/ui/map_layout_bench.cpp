// SPDX-License-Identifier: Apache-2.0
// ironsight-bench-map [DEVICES...]: device map layout time (Graphviz dot per zone) for generated
// plants. Each plant: zones of ~250 devices (Purdue 1 controllers, level 2 HMIs and engineering
// workstations, level 3 servers), HMIs polling controllers of their zone, a few cross-zone links.
// Prints the first (cold) layout, a second one over the zone cache, and one after a single zone
// changed. See docs/BENCHMARKS.md.
// --png DIR also renders each plant through the real map page (offscreen platform without a
// display): DIR/map-N-view.png is what the window shows, DIR/map-N.png the exported map.
#include <QApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QScrollBar>
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <vector>

#include "console/ui/device_map_page.h"
#include "console/ui/map_layout.h"

using namespace ironsight::console::ui;

namespace {

MapGraph plant(int devices) {
    MapGraph g;
    const int perZone = 250;
    const int zones = std::max(1, (devices + perZone - 1) / perZone);
    std::srand(7);
    for (int i = 0; i < devices; ++i) {
        MapNode n;
        const int zone = i % zones;
        const int inZone = i / zones;
        n.key = QStringLiteral("s%1/d%2").arg(zone).arg(i);
        n.zone = QStringLiteral("Plant / Zone %1").arg(zone, 2, 10, QLatin1Char('0'));
        const int kind = inZone % 10;
        n.type = kind < 6   ? QStringLiteral("plc")
                 : kind < 8 ? QStringLiteral("hmi")
                 : kind < 9 ? QStringLiteral("engineering_workstation")
                            : QStringLiteral("historian");
        n.purdue = kind < 6 ? 1 : kind < 9 ? 2 : 3;
        n.label = QStringLiteral("10.%1.%2.%3").arg(zone).arg(inZone / 200).arg(inZone % 200 + 10);
        n.subnet = QStringLiteral("10.%1.%2.0/24").arg(zone).arg(inZone / 200);
        g.nodes.push_back(n);
    }
    // Every HMI / workstation polls 3 controllers of its zone; 1 in 50 devices talks across zones.
    for (int i = 0; i < devices; ++i) {
        if (g.nodes[i].purdue < 2) continue;
        for (int k = 0; k < 3; ++k) {
            const int j = (i + zones * (1 + std::rand() % 40)) % devices;
            if (g.nodes[j].zone == g.nodes[i].zone && g.nodes[j].purdue == 1)
                g.edges.push_back(
                    {i, j, QStringLiteral("modbus"), QStringLiteral("tcp"), 502, 100, 10000});
        }
        if (std::rand() % 50 == 0)
            g.edges.push_back({i, std::rand() % devices, QStringLiteral("opcua"),
                               QStringLiteral("tcp"), 4840, 10, 1000});
    }
    return g;
}

}  // namespace

int main(int argc, char** argv) {
    QString pngDir;
    QList<int> sizes;
    for (int i = 1; i < argc; ++i) {
        if (QByteArray(argv[i]) == "--png" && i + 1 < argc) {
            pngDir = QString::fromLocal8Bit(argv[++i]);
        } else if (std::atoi(argv[i]) > 0) {
            sizes << std::atoi(argv[i]);
        } else {
            std::fprintf(stderr, "usage: ironsight-bench-map [--png DIR] [DEVICES...]\n");
            return 2;
        }
    }
    if (qEnvironmentVariableIsEmpty("DISPLAY") && qEnvironmentVariableIsEmpty("WAYLAND_DISPLAY") &&
        qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");  // no display needed, also for --png
    QApplication app(argc, argv);
    if (sizes.isEmpty()) sizes = {500, 5000};
    std::printf("%8s %6s %6s %12s %12s %16s\n", "devices", "edges", "zones", "cold ms", "cached ms",
                "1 zone changed ms");
    for (int devices : sizes) {
        MapGraph g = plant(devices);
        MapLayoutCache cache;
        const MapLayout cold = layoutMap(g, &cache);
        if (!cold.error.isEmpty()) {
            std::fprintf(stderr, "ironsight-bench-map: %s\n", qPrintable(cold.error));
            return 1;
        }
        const MapLayout cached = layoutMap(g, &cache);
        g.nodes.last().key += QStringLiteral("-renamed");  // one device replaced in one zone
        const MapLayout changed = layoutMap(g, &cache);
        std::printf("%8d %6lld %6d %12.0f %12.1f %16.0f\n", devices,
                    static_cast<long long>(g.edges.size()), cold.zonesLaidOut, cold.millis,
                    cached.millis, changed.millis);
    }
    for (int devices : pngDir.isEmpty() ? QList<int>{} : sizes) {
        QDir().mkpath(pngDir);
        DeviceMapPage page;
        page.resize(1280, 800);
        page.show();
        QElapsedTimer timer;
        timer.start();
        page.setGraph(plant(devices));
        if (!page.waitForLayout(600000)) return 1;
        const qint64 shown = timer.elapsed();
        QApplication::processEvents();
        const QString view = QDir(pngDir).filePath(QStringLiteral("map-%1-view.png").arg(devices));
        page.grab().save(view);
        // Smoothness: what one frame of the view costs to paint (the raster engine, as on a
        // machine without GPU), for the whole map and while the user zooms in and pans.
        // Thread CPU time, not wall time: on this shared machine the wall time mostly measures
        // the other jobs.
        auto cpuMs = [] {
            timespec ts{};
            clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
            return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
        };
        auto frame = [&] {
            const double start = cpuMs();
            (void)page.view()->viewport()->grab();
            return cpuMs() - start;
        };
        auto report = [&](const char* what, std::vector<double> ms) {
            std::sort(ms.begin(), ms.end());
            std::printf("%d devices: %-36s frame CPU median %6.1f ms, max %6.1f ms (%zu frames)\n",
                        devices, what, ms[ms.size() / 2], ms.back(), ms.size());
        };
        std::vector<double> fitFrames, zoomFrames, panFrames;
        for (int i = 0; i < 10; ++i) fitFrames.push_back(frame());
        report("whole map (fit):", fitFrames);
        for (int i = 0; i < 12; ++i) {  // wheel turns in, 1.25x each (as MapView::wheelEvent)
            page.view()->zoomBy(1.25);
            zoomFrames.push_back(frame());
        }
        report("zooming in (12 wheel steps):", zoomFrames);
        for (int i = 0; i < 20; ++i) {  // dragging: 40 px a frame
            page.view()->horizontalScrollBar()->setValue(
                page.view()->horizontalScrollBar()->value() + 40);
            panFrames.push_back(frame());
        }
        report("panning at that zoom (20 steps):", panFrames);
        // And at 100 % around the first zone's top left, as after a few wheel turns.
        page.view()->zoomBy(1.0 / page.view()->zoom());
        page.view()->centerOn(page.layout().boxes.isEmpty()
                                  ? QPointF()
                                  : page.layout().boxes.front().rect.topLeft() + QPointF(500, 300));
        QApplication::processEvents();
        page.grab().save(QDir(pngDir).filePath(QStringLiteral("map-%1-zoom.png").arg(devices)));
        QString error;
        const QString file = QDir(pngDir).filePath(QStringLiteral("map-%1.png").arg(devices));
        if (!page.exportPng(file, &error)) {
            std::fprintf(stderr, "ironsight-bench-map: %s\n", qPrintable(error));
            return 1;
        }
        std::printf("%d devices: on screen after %lld ms (layout + scene); wrote %s and %s\n",
                    devices, static_cast<long long>(shown), qPrintable(view), qPrintable(file));
    }
    return 0;
}
