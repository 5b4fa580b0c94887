// SPDX-License-Identifier: Apache-2.0
// The device map over a real console store (offscreen platform): items, edges, filters, search,
// layout off the GUI thread, export.
#include "console/ui/device_map_page.h"

#include <gtest/gtest.h>

#include <QFile>
#include <QGraphicsScene>
#include <QImage>
#include <QLineEdit>
#include <QSvgRenderer>
#include <QTemporaryDir>
#include <QThread>
#include <QXmlStreamReader>
#include <set>

#include "console/ui/main_window.h"
#include "console/ui/map_data.h"
#include "console/ui/snapshot.h"
#include "console/ui/ui_test_plant.h"

namespace ironsight::console::ui {
namespace {

class DeviceMapTest : public testing::PlantFixture {
protected:
    /// The map page showing the store's snapshot, laid out.
    std::unique_ptr<DeviceMapPage> mapOfStore() {
        const Snapshot snap = loadSnapshot(*service_);
        EXPECT_TRUE(snap.error.isEmpty()) << snap.error.toStdString();
        EXPECT_TRUE(snap.mapError.isEmpty()) << snap.mapError.toStdString();
        auto page = std::make_unique<DeviceMapPage>();
        page->resize(1200, 800);
        page->setGraph(snap.map);
        EXPECT_TRUE(page->waitForLayout(60000));
        return page;
    }
};

TEST_F(DeviceMapTest, OneItemPerDeviceAndOneEdgePerConnection) {
    ingestPlant();
    auto page = mapOfStore();
    EXPECT_TRUE(page->layout().error.isEmpty()) << page->layout().error.toStdString();
    EXPECT_EQ(page->deviceItemCount(), 6);
    EXPECT_EQ(page->edgeItemCount(), 4);  // modbus x2, s7comm (parallel to modbus), enip
    EXPECT_EQ(page->visibleDeviceCount(), 6);
    EXPECT_EQ(page->visibleEdgeCount(), 4);
    // Devices with open alerts carry them: the PLC of line 1 is named by both alerts.
    int plcAlerts = -1;
    for (const auto& node : page->graph().nodes) {
        if (node.ips.contains("10.10.1.11")) plcAlerts = node.openAlerts;
    }
    EXPECT_EQ(plcAlerts, 2);
}

TEST_F(DeviceMapTest, LayoutRunsOffTheGuiThreadAndPlacesEveryNode) {
    ingestPlant();
    auto page = mapOfStore();
    const MapLayout& layout = page->layout();
    ASSERT_EQ(layout.positions.size(), 6);
    EXPECT_NE(layout.thread, nullptr);
    EXPECT_NE(layout.thread, static_cast<const void*>(QThread::currentThread()));
    EXPECT_EQ(layout.zonesLaidOut, 2);  // one Graphviz graph per zone
    std::set<std::pair<int, int>> distinct;
    for (const QPointF& p : layout.positions) {
        EXPECT_TRUE(layout.bounds.contains(p)) << p.x() << "," << p.y();
        distinct.insert({qRound(p.x()), qRound(p.y())});
    }
    EXPECT_EQ(distinct.size(), 6u);  // nobody on top of anybody
    // Purdue bands: level 1 PLCs sit below the level 2 HMIs, which sit below the level 3 router.
    const MapGraph& g = page->graph();
    auto yOf = [&](const QString& ip) {
        for (int i = 0; i < g.nodes.size(); ++i) {
            if (g.nodes[i].ips.contains(ip)) return layout.positions[i].y();
        }
        return -1.0;
    };
    EXPECT_GT(yOf("10.10.1.11"), yOf("10.10.1.20"));
    EXPECT_GT(yOf("10.10.1.20"), yOf("10.10.1.1"));
    EXPECT_DOUBLE_EQ(yOf("10.10.1.11"), yOf("10.10.2.11"));  // same band across zones
    // Zones side by side: every line 2 device right of every line 1 device.
    double line1Right = -1, line2Left = 1e9;
    for (int i = 0; i < g.nodes.size(); ++i) {
        if (g.nodes[i].zone == "Plant A / Line 1")
            line1Right = std::max(line1Right, layout.positions[i].x());
        else
            line2Left = std::min(line2Left, layout.positions[i].x());
    }
    EXPECT_GT(line2Left, line1Right);
}

TEST_F(DeviceMapTest, LayoutsAreCachedPerZoneByGraphHash) {
    ingestPlant();
    const Snapshot snap = loadSnapshot(*service_);
    MapLayoutCache cache;
    const MapLayout first = layoutMap(snap.map, &cache);
    ASSERT_TRUE(first.error.isEmpty());
    EXPECT_EQ(first.zonesLaidOut, 2);
    const MapLayout again = layoutMap(snap.map, &cache);
    EXPECT_EQ(again.zonesLaidOut, 0);
    EXPECT_EQ(again.zonesFromCache, 2);
    EXPECT_EQ(again.positions, first.positions);
    // A new device in line 2 re-lays out line 2 only.
    MapGraph changed = snap.map;
    MapNode extra = changed.nodes.back();
    extra.key += "-new";
    changed.nodes.push_back(extra);
    EXPECT_NE(mapGraphHash(changed), mapGraphHash(snap.map));
    const MapLayout third = layoutMap(changed, &cache);
    EXPECT_EQ(third.zonesLaidOut, 1);
    EXPECT_EQ(third.zonesFromCache, 1);
    EXPECT_EQ(third.positions.size(), 7);
}

TEST_F(DeviceMapTest, FiltersHideDevicesAndTheirConnections) {
    ingestPlant();
    auto page = mapOfStore();
    page->setProtocolFilter("enip");
    EXPECT_EQ(page->visibleDeviceCount(), 2);
    EXPECT_EQ(page->visibleEdgeCount(), 1);
    page->setProtocolFilter("");
    page->setZoneFilter("Plant A / Line 1");
    EXPECT_EQ(page->visibleDeviceCount(), 4);
    EXPECT_EQ(page->visibleEdgeCount(), 3);
    page->setZoneFilter("");
    page->setTypeFilter("plc");
    EXPECT_EQ(page->visibleDeviceCount(), 2);
    EXPECT_EQ(page->visibleEdgeCount(), 0);
    page->setTypeFilter("");
    page->setAlertsOnly(true);  // PLC, HMI and EWS of line 1 are named by open alerts
    EXPECT_EQ(page->visibleDeviceCount(), 3);
    EXPECT_EQ(page->visibleEdgeCount(), 3);
    page->setAlertsOnly(false);
    EXPECT_EQ(page->visibleDeviceCount(), 6);
}

TEST_F(DeviceMapTest, SearchFocusesTheDeviceAndShowsItsDetail) {
    ingestPlant();
    auto page = mapOfStore();
    EXPECT_TRUE(page->focusDevice("ews-03"));
    const QString detail = page->detailText();
    EXPECT_TRUE(detail.contains("ews-03")) << detail.toStdString();
    EXPECT_TRUE(detail.contains("10.10.1.50"));
    EXPECT_TRUE(detail.contains("Unauthorized Modbus write"));
    EXPECT_EQ(page->scene()->selectedItems().size(), 1);
    EXPECT_FALSE(page->focusDevice("192.168.99.99"));
    // Typing in the search box (the page's Ctrl+F target) does the same.
    page->searchBox()->setText("10.10.2.20");
    EXPECT_TRUE(page->detailText().contains("10.10.2.20"));
}

TEST_F(DeviceMapTest, ExportWritesAPngAndAnSvgThatParses) {
    ingestPlant();
    auto page = mapOfStore();
    QTemporaryDir out;
    ASSERT_TRUE(out.isValid());
    QString error;
    const QString png = out.filePath("map.png");
    ASSERT_TRUE(page->exportPng(png, &error)) << error.toStdString();
    QImage image(png);
    ASSERT_FALSE(image.isNull());
    EXPECT_GT(image.width(), 200);
    EXPECT_GT(image.height(), 100);
    const QString svg = out.filePath("map.svg");
    ASSERT_TRUE(page->exportSvg(svg, &error)) << error.toStdString();
    QFile file(svg);
    ASSERT_TRUE(file.open(QIODevice::ReadOnly));
    QXmlStreamReader xml(&file);
    int elements = 0;
    bool sawDeviceName = false;
    while (!xml.atEnd()) {
        if (xml.readNext() == QXmlStreamReader::StartElement) ++elements;
        if (xml.isCharacters() && xml.text().contains(QStringLiteral("ews-03")))
            sawDeviceName = true;
    }
    EXPECT_FALSE(xml.hasError()) << xml.errorString().toStdString();
    EXPECT_GT(elements, 20);
    EXPECT_TRUE(sawDeviceName);
    EXPECT_TRUE(QSvgRenderer(svg).isValid());
    // Writing where nothing can be written fails with one line, not a crash.
    EXPECT_FALSE(page->exportPng(out.filePath("missing/dir/map.png"), &error));
    EXPECT_FALSE(error.isEmpty());
}

TEST_F(DeviceMapTest, EmptyStoreAndBrokenEdgesDoNotBreakTheMap) {
    auto page = mapOfStore();
    EXPECT_EQ(page->deviceItemCount(), 0);
    QString error;
    QTemporaryDir out;
    EXPECT_FALSE(page->exportPng(out.filePath("empty.png"), &error));
    EXPECT_FALSE(error.isEmpty());
    MapGraph g;
    g.nodes.push_back({});
    g.nodes[0].key = "a";
    g.edges.push_back({0, 7, "modbus", "tcp", 502, 1, 1});  // points at no node
    const MapLayout layout = layoutMap(g);
    EXPECT_TRUE(layout.error.isEmpty());
    EXPECT_EQ(layout.positions.size(), 1);
}

TEST_F(DeviceMapTest, MainWindowShowsTheMapBetweenInventoryAndAlerts) {
    ingestPlant();
    core::ConsoleService& service = *service_;
    MainWindow window([&service] { return loadSnapshot(service); }, "test",
                      UiContext{service_.get(), std::nullopt});
    window.refreshNow();
    const int map = window.pageIndex("map");
    EXPECT_EQ(map, window.pageIndex("inventory") + 1);
    EXPECT_EQ(window.pageIndex("alerts"), map + 1);
    ASSERT_NE(window.mapPage(), nullptr);
    ASSERT_TRUE(window.mapPage()->waitForLayout(60000));
    EXPECT_EQ(window.mapPage()->deviceItemCount(), 6);
    EXPECT_EQ(window.filterOf(map), window.mapPage()->searchBox());
}

TEST(MapData, SubnetsAndIconsAndEdgeWidths) {
    EXPECT_EQ(subnetOf("10.10.1.77"), "10.10.1.0/24");
    EXPECT_EQ(subnetOf("fe80::1"), "");
    EXPECT_EQ(subnetOf("10.10.1.300"), "");
    EXPECT_EQ(mapIconOf("engineering_workstation"), "engineering");
    EXPECT_EQ(mapIconOf("historian"), "server");
    EXPECT_EQ(mapIconOf("router"), "network");
    EXPECT_EQ(mapIconOf(""), "unknown");
    EXPECT_LT(mapEdgeWidth(100), mapEdgeWidth(1000000));
    EXPECT_GE(mapEdgeWidth(0), 1.0);
    EXPECT_LE(mapEdgeWidth(~0ULL), 7.0);
    EXPECT_NE(mapProtocolColour("modbus"), mapProtocolColour("s7comm"));
}

}  // namespace
}  // namespace ironsight::console::ui
