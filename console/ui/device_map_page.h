// SPDX-License-Identifier: Apache-2.0
// The Device map page: devices as typed icons, connections as edges (width by traffic, colour by
// protocol), zone and subnet frames, Purdue bands; laid out off the GUI thread (map_layout.h).
#pragma once

#include <QFutureWatcher>
#include <QGraphicsView>
#include <QHash>
#include <QWidget>
#include <memory>
#include <optional>

#include "console/ui/map_layout.h"

class QCheckBox;
class QComboBox;
class QGraphicsScene;
class QLabel;
class QLineEdit;
class QTextBrowser;

namespace ironsight::console::ui {

class DeviceItem;
class EdgeItem;

/// QGraphicsView with wheel zoom (around the cursor) and drag-to-pan.
class MapView final : public QGraphicsView {
    Q_OBJECT
public:
    explicit MapView(QGraphicsScene* scene, QWidget* parent = nullptr);
    /// Multiplies the zoom by `factor` (clamped to 2 %..400 %).
    void zoomBy(double factor);
    double zoom() const;

signals:
    /// The user zoomed with the wheel: the page stops fitting the map to the window.
    void userZoomed();

protected:
    void wheelEvent(QWheelEvent* event) override;
};

/// The icon category of an inventory type: plc, rtu, hmi, engineering, server, network,
/// workstation, external, unknown (also the icon's file name in :/icons).
QString mapIconOf(const QString& type);
/// The colour a protocol's edges are drawn in (fixed for the common ICS protocols).
QColor mapProtocolColour(const QString& protocol);
/// Edge width in pixels for a connection's byte count (logarithmic, 1..7).
double mapEdgeWidth(std::uint64_t bytes);

class DeviceMapPage final : public QWidget {
    Q_OBJECT
public:
    /// `cache` keeps zone layouts across page rebuilds (a new one when null).
    explicit DeviceMapPage(std::shared_ptr<MapLayoutCache> cache = nullptr,
                           QWidget* parent = nullptr);
    ~DeviceMapPage() override;

    /// New data: re-lays out (off the GUI thread) when the layout-relevant graph changed,
    /// otherwise updates alerts, details and edges in place.
    void setGraph(MapGraph graph);

    /// The map's colours for the dark (or light) palette: background, bands, frames, labels,
    /// a light plate under the icons, lighter edges; the scene is redrawn.
    void setDark(bool dark);

    /// True while a layout runs; waitForLayout() spins the event loop until it is done.
    bool layoutPending() const { return watcher_ != nullptr; }
    bool waitForLayout(int timeoutMs);
    const MapLayout& layout() const { return layout_; }
    const MapGraph& graph() const { return shown_; }

    QGraphicsScene* scene() const { return scene_; }
    MapView* view() const { return view_; }
    QLineEdit* searchBox() const { return search_; }
    int deviceItemCount() const { return static_cast<int>(devices_.size()); }
    int edgeItemCount() const { return static_cast<int>(edges_.size()); }
    int visibleDeviceCount() const;
    int visibleEdgeCount() const;

    /// Filters ("" = all). Protocol: devices speaking it and its connections; zone: "Site / Zone";
    /// type: a mapIconOf() category; alerts only: devices with open alerts.
    void setProtocolFilter(const QString& protocol);
    void setZoneFilter(const QString& zone);
    void setTypeFilter(const QString& category);
    void setAlertsOnly(bool only);

    /// Selects and centres the next device whose name, IP, MAC or vendor contains `text`;
    /// false when none matches.
    bool focusDevice(const QString& text);
    /// The selected device's detail (empty when none is selected).
    QString detailText() const;
    /// Selects the device with `key` and shows its detail (as a click does).
    bool selectDevice(const QString& key);

    /// Writes the visible map (everything laid out, filters applied) as PNG or SVG.
    bool exportPng(const QString& path, QString* error);
    bool exportSvg(const QString& path, QString* error);

signals:
    /// A layout finished and the scene shows it.
    void layoutReady();

protected:
    void showEvent(QShowEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;

private:
    void startLayout();
    void layoutDone();
    void rebuildScene();
    void rebuildEdges();
    void refreshFilterChoices();
    void applyFilters();
    void showSelection();
    void fitAll();
    void exportWithDialog(bool svg);
    QRectF exportRect() const;

    QGraphicsScene* scene_ = nullptr;
    MapView* view_ = nullptr;
    QLineEdit* search_ = nullptr;
    QComboBox* protocol_ = nullptr;
    QComboBox* zone_ = nullptr;
    QComboBox* type_ = nullptr;
    QCheckBox* alertsOnly_ = nullptr;
    QLabel* status_ = nullptr;
    QLabel* legend_ = nullptr;
    QTextBrowser* detail_ = nullptr;

    std::shared_ptr<MapLayoutCache> cache_;
    QFutureWatcher<MapLayout>* watcher_ = nullptr;
    std::uint64_t layingOutHash_ = 0;
    std::optional<MapGraph> pending_;  // newer data that arrived while a layout ran
    MapGraph laying_;                  // the graph the running layout is for
    MapGraph shown_;                   // the graph the scene shows
    std::uint64_t shownHash_ = 0;
    bool haveLayout_ = false;
    MapLayout layout_;
    QVector<DeviceItem*> devices_;
    QVector<EdgeItem*> edges_;
    QHash<QString, int> indexByKey_;
    bool autoFit_ = true;  // fit the map to the window until the user zooms or searches
    int searchFrom_ = 0;
    QString lastSearch_;
};

}  // namespace ironsight::console::ui
