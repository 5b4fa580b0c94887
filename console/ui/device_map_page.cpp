// SPDX-License-Identifier: Apache-2.0
// The Device map page (SPEC §5): scene items over a Graphviz layout computed off the GUI thread.
#include "console/ui/device_map_page.h"

#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QElapsedTimer>
#include <QFileDialog>
#include <QFileInfo>
#include <QGraphicsItem>
#include <QGraphicsPathItem>
#include <QGraphicsRectItem>
#include <QGraphicsScene>
#include <QGraphicsSimpleTextItem>
#include <QHBoxLayout>
#include <QImage>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPainter>
#include <QPainterPath>
#include <QPixmapCache>
#include <QPointer>
#include <QPushButton>
#include <QScrollBar>
#include <QSet>
#include <QSplitter>
#include <QStyleOptionGraphicsItem>
#include <QSvgGenerator>
#include <QSvgRenderer>
#include <QTextBrowser>
#include <QThread>
#include <QVBoxLayout>
#include <QWheelEvent>
#include <algorithm>
#include <cmath>

// The icons live in a static library: its resources must be registered by hand.
static void registerMapIcons() {
    Q_INIT_RESOURCE(icons);
}

namespace ironsight::console::ui {

namespace {

constexpr double kLabelMargin = 170;  // band names left of the zones
constexpr double kIconSize = 44;
constexpr int kDeviceZ = 2;
constexpr int kEdgeZ = 1;

/// The map's own colours for the light and the dark palette (the scene does not follow the
/// widget palette by itself).
struct MapColours {
    QColor background, bandA, bandB, bandLine, ink, muted, zoneFrame, subnetFrame, subnetFill,
        labelBacking, iconPlate;
};
const MapColours kLightMap{QColor(0xfa, 0xfb, 0xfc), QColor(0xee, 0xf1, 0xf5),
                           QColor(0xf7, 0xf8, 0xfa), QColor(0xd5, 0xda, 0xe0),
                           QColor(0x22, 0x26, 0x2b), QColor(0x5f, 0x6a, 0x72),
                           QColor(0x5b, 0x6b, 0x7a), QColor(0x9a, 0xa8, 0xb5),
                           QColor(0xff, 0xff, 0xff, 150), QColor(0xfa, 0xfb, 0xfc, 225),
                           QColor()};
// Dark: the window's greys; text light; the icons (dark blue strokes) sit on a light plate.
const MapColours kDarkMap{QColor(0x1e, 0x1f, 0x22), QColor(0x26, 0x28, 0x2b),
                          QColor(0x2d, 0x30, 0x34), QColor(0x45, 0x49, 0x4e),
                          QColor(0xe6, 0xe6, 0xe6), QColor(0xa9, 0xb4, 0xbe),
                          QColor(0x9a, 0xab, 0xbb), QColor(0x6f, 0x7c, 0x89),
                          QColor(0x33, 0x37, 0x3c, 150), QColor(0x1e, 0x1f, 0x22, 225),
                          QColor(0xd9, 0xdf, 0xe6)};
const MapColours* gMapColours = &kLightMap;

/// A protocol's edge colour on the current background: dark ones are lightened on dark.
QColor edgeColour(const QString& protocol) {
    QColor c = mapProtocolColour(protocol);
    if (gMapColours == &kDarkMap && c.lightnessF() < 0.55) {
        c = QColor::fromHslF(c.hslHueF() < 0 ? 0 : c.hslHueF(), c.hslSaturationF(), 0.62);
    }
    return c;
}

QColor severityColour(int rank) {
    switch (rank) {
        case 4:
            return QColor(0xb0, 0x00, 0x20);
        case 3:
            return QColor(0xd3, 0x54, 0x00);
        case 2:
            return QColor(0xb7, 0x95, 0x0b);
        default:
            return QColor(0x24, 0x71, 0xa3);
    }
}

QString severityShape(int rank) {
    switch (rank) {
        case 4:
            return QStringLiteral("▲");
        case 3:
            return QStringLiteral("■");
        case 2:
            return QStringLiteral("●");
        default:
            return QStringLiteral("○");
    }
}

/// One shared renderer per icon category, owned by the application.
QSvgRenderer* iconRenderer(const QString& category) {
    static QHash<QString, QPointer<QSvgRenderer>> renderers;
    QPointer<QSvgRenderer>& renderer = renderers[category];
    if (!renderer) {
        renderer = new QSvgRenderer(QStringLiteral(":/icons/%1.svg").arg(category),
                                    QCoreApplication::instance());
    }
    return renderer;
}

/// Draws the icon of `category` into `target` from a pixmap rendered once per category and
/// size in device pixels (QPixmapCache): a zoom step re-paints thousands of devices, but in a
/// few icon sizes, and an SVG render per device made zooming a 5,000-device map stutter
/// (docs/BENCHMARKS.md "Device map"). Large sizes (an export) render the SVG directly.
void drawIcon(QPainter* painter, const QString& category, const QRectF& target) {
    const QTransform& t = painter->worldTransform();
    const double scale = std::sqrt(t.m11() * t.m11() + t.m12() * t.m12()) *
                         (painter->device() ? painter->device()->devicePixelRatioF() : 1.0);
    const int pixels = static_cast<int>(std::ceil(target.width() * scale));
    if (pixels <= 0 || pixels > 128) {
        iconRenderer(category)->render(painter, target);
        return;
    }
    const QString key = QStringLiteral("ironsight-map-icon/%1/%2").arg(category).arg(pixels);
    QPixmap icon;
    if (!QPixmapCache::find(key, &icon)) {
        icon = QPixmap(pixels, pixels);
        icon.fill(Qt::transparent);
        QPainter p(&icon);
        p.setRenderHints(QPainter::Antialiasing | QPainter::SmoothPixmapTransform);
        iconRenderer(category)->render(&p, QRectF(0, 0, pixels, pixels));
        p.end();
        QPixmapCache::insert(key, icon);
    }
    painter->drawPixmap(target, icon, QRectF(0, 0, pixels, pixels));
}

QString bandName(int band) {
    switch (band) {
        case 0:
            return DeviceMapPage::tr("External hosts");
        case 1:
            return DeviceMapPage::tr("Level 5 · Enterprise");
        case 2:
            return DeviceMapPage::tr("Level 4 · Business IT");
        case 3:
            return DeviceMapPage::tr("Level 3 · Operations");
        case 4:
            return DeviceMapPage::tr("Level 2 · Supervisory");
        case 5:
            return DeviceMapPage::tr("Level 1 · Control");
        case 6:
            return DeviceMapPage::tr("Level 0 · Process");
        default:
            return DeviceMapPage::tr("Level unknown");
    }
}

struct Category {
    QString key;
    QString name;
};

QVector<Category> categories() {
    return {{QStringLiteral("plc"), DeviceMapPage::tr("PLC")},
            {QStringLiteral("rtu"), DeviceMapPage::tr("RTU")},
            {QStringLiteral("hmi"), DeviceMapPage::tr("HMI")},
            {QStringLiteral("engineering"), DeviceMapPage::tr("Engineering workstation")},
            {QStringLiteral("server"), DeviceMapPage::tr("Server")},
            {QStringLiteral("network"), DeviceMapPage::tr("Switch / router")},
            {QStringLiteral("workstation"), DeviceMapPage::tr("Workstation")},
            {QStringLiteral("external"), DeviceMapPage::tr("External")},
            {QStringLiteral("unknown"), DeviceMapPage::tr("Unknown")}};
}

}  // namespace

QString mapIconOf(const QString& type) {
    const QString t = type.toLower();
    if (t == QLatin1String("plc")) return QStringLiteral("plc");
    if (t == QLatin1String("rtu") || t == QLatin1String("ied")) return QStringLiteral("rtu");
    if (t == QLatin1String("hmi")) return QStringLiteral("hmi");
    if (t == QLatin1String("engineering_workstation")) return QStringLiteral("engineering");
    if (t == QLatin1String("scada_server") || t == QLatin1String("historian") ||
        t == QLatin1String("server"))
        return QStringLiteral("server");
    if (t == QLatin1String("router") || t == QLatin1String("switch") ||
        t == QLatin1String("gateway") || t == QLatin1String("firewall"))
        return QStringLiteral("network");
    if (t == QLatin1String("it_host") || t == QLatin1String("workstation"))
        return QStringLiteral("workstation");
    if (t == QLatin1String("external")) return QStringLiteral("external");
    return QStringLiteral("unknown");
}

QColor mapProtocolColour(const QString& protocol) {
    static const QHash<QString, QColor> known = {
        {QStringLiteral("modbus"), QColor(0x1f, 0x77, 0xb4)},
        {QStringLiteral("s7comm"), QColor(0xd6, 0x27, 0x28)},
        {QStringLiteral("s7comm_plus"), QColor(0xa5, 0x1c, 0x30)},
        {QStringLiteral("enip"), QColor(0x2c, 0xa0, 0x2c)},
        {QStringLiteral("cip"), QColor(0x2c, 0xa0, 0x2c)},
        {QStringLiteral("dnp3"), QColor(0x94, 0x67, 0xbd)},
        {QStringLiteral("iec104"), QColor(0x8c, 0x56, 0x4b)},
        {QStringLiteral("opcua"), QColor(0xe3, 0x77, 0xc2)},
        {QStringLiteral("bacnet"), QColor(0x17, 0xbe, 0xcf)},
        {QStringLiteral("profinet"), QColor(0xbc, 0xbd, 0x22)},
        {QStringLiteral("http"), QColor(0x7f, 0x7f, 0x7f)},
        {QStringLiteral("https"), QColor(0x55, 0x55, 0x55)},
        {QStringLiteral("dns"), QColor(0x6b, 0xae, 0xd6)},
        {QStringLiteral("dhcp"), QColor(0x9e, 0x9a, 0xc8)},
    };
    const QString p = protocol.toLower();
    if (known.contains(p)) return known.value(p);
    static const QColor others[] = {QColor(0xff, 0x7f, 0x0e), QColor(0x39, 0x3b, 0x79),
                                    QColor(0x63, 0x79, 0x39), QColor(0x84, 0x3c, 0x39),
                                    QColor(0x7b, 0x41, 0x73), QColor(0x31, 0x82, 0xbd)};
    return others[qHash(p) % (sizeof others / sizeof others[0])];
}

double mapEdgeWidth(std::uint64_t bytes) {
    return std::clamp(0.6 + 0.8 * std::log10(static_cast<double>(bytes) + 1.0), 1.0, 7.0);
}

// ---- scene items --------------------------------------------------------------------------------

class DeviceItem final : public QGraphicsItem {
public:
    DeviceItem(const MapNode& node, int index) : index_(index) {
        setFlag(ItemIsSelectable);
        setAcceptHoverEvents(false);
        setZValue(kDeviceZ);
        setCacheMode(DeviceCoordinateCache);
        setNode(node);
    }
    void setNode(const MapNode& node) {
        node_ = node;
        category_ = mapIconOf(node.type);
        setToolTip(QStringLiteral("%1\n%2").arg(node.label, node.ips.join(QStringLiteral(", "))));
        update();
    }
    const MapNode& node() const { return node_; }
    const QString& category() const { return category_; }
    int index() const { return index_; }
    QSet<QString> edgeProtocols;
    /// Where an edge towards `other` attaches: under the labels when it leaves downwards, on top
    /// of the icon otherwise (edges never cross the device's own name).
    QPointF anchorTowards(QPointF other) const {
        if (other.y() > pos().y() + 1) return pos() + QPointF(0, kMapNodeHeight / 2 - 4);
        return pos() + QPointF(0, -kMapNodeHeight / 2 + 2);
    }

    QRectF boundingRect() const override {
        return QRectF(-kMapNodeWidth / 2, -kMapNodeHeight / 2, kMapNodeWidth, kMapNodeHeight);
    }

    void paint(QPainter* painter, const QStyleOptionGraphicsItem* option, QWidget*) override {
        const double lod = option->levelOfDetailFromTransform(painter->worldTransform());
        const QRectF cell = boundingRect().adjusted(2, 2, -2, -2);
        if (isSelected()) {
            painter->setPen(QPen(QColor(0x2f, 0x65, 0xca), 2.5));
            painter->setBrush(QColor(0x2f, 0x65, 0xca, 40));
            painter->drawRoundedRect(cell, 8, 8);
        }
        const QRectF icon(-kIconSize / 2, -kMapNodeHeight / 2 + 6, kIconSize, kIconSize);
        if (node_.openAlerts > 0) {
            const QColor c = severityColour(node_.worstSeverity);
            QColor fill = c;
            fill.setAlpha(45);
            painter->setPen(QPen(c, 3));
            painter->setBrush(fill);
            painter->drawEllipse(icon.adjusted(-7, -7, 7, 7));
        }
        if (gMapColours->iconPlate.isValid()) {
            painter->setPen(Qt::NoPen);
            painter->setBrush(gMapColours->iconPlate);
            painter->drawRoundedRect(icon.adjusted(-3, -3, 3, 3), 9, 9);
        }
        drawIcon(painter, category_, icon);
        if (lod < 0.3) return;  // far out: icons and halos only
        QFont font = painter->font();
        font.setPointSizeF(8);
        painter->setFont(font);
        const QFontMetricsF fm(font);
        const QRectF line1(-kMapNodeWidth / 2 + 2, icon.bottom() + 3, kMapNodeWidth - 4,
                           fm.height());
        // A backing under the two label lines keeps them legible where edges pass.
        const QString first = fm.elidedText(node_.label, Qt::ElideMiddle, line1.width());
        const double textWidth = std::min(line1.width(), fm.horizontalAdvance(first) + 8);
        painter->setPen(Qt::NoPen);
        painter->setBrush(gMapColours->labelBacking);
        painter->drawRoundedRect(QRectF(-textWidth / 2, line1.top(), textWidth, 2 * fm.height()), 3,
                                 3);
        painter->setPen(gMapColours->ink);
        painter->drawText(line1, Qt::AlignHCenter | Qt::AlignTop, first);
        const QString second = !node_.ips.isEmpty() && node_.ips.front() != node_.label
                                   ? node_.ips.front()
                               : !node_.vendor.isEmpty() ? node_.vendor
                                                         : node_.type;
        font.setPointSizeF(7);
        painter->setFont(font);
        painter->setPen(gMapColours->muted);
        painter->drawText(line1.translated(0, fm.height()), Qt::AlignHCenter | Qt::AlignTop,
                          QFontMetricsF(font).elidedText(second, Qt::ElideRight, line1.width()));
        if (node_.openAlerts > 0) {  // badge: severity shape + count (colour is not the only cue)
            const QString text = QStringLiteral("%1 %2")
                                     .arg(severityShape(node_.worstSeverity))
                                     .arg(node_.openAlerts);
            font.setPointSizeF(7.5);
            font.setBold(true);
            painter->setFont(font);
            const double w = QFontMetricsF(font).horizontalAdvance(text) + 8;
            const QRectF badge(icon.right() + 2, icon.top() - 4, w, 15);
            painter->setPen(Qt::NoPen);
            painter->setBrush(severityColour(node_.worstSeverity));
            painter->drawRoundedRect(badge, 7, 7);
            painter->setPen(Qt::white);
            painter->drawText(badge, Qt::AlignCenter, text);
        }
    }

private:
    MapNode node_;
    QString category_;
    int index_;
};

class EdgeItem final : public QGraphicsPathItem {
public:
    EdgeItem(const MapEdge& edge, int parallel) : edge_(edge), parallel_(parallel) {
        setZValue(kEdgeZ);
        QColor colour = edgeColour(edge.protocol);
        colour.setAlpha(190);
        QPen pen(colour, mapEdgeWidth(edge.bytes));
        pen.setCapStyle(Qt::RoundCap);
        setPen(pen);
        setToolTip(DeviceMapPage::tr("%1 %2/%3 · %4 packets · %5 bytes")
                       .arg(edge.protocol, edge.transport)
                       .arg(edge.port)
                       .arg(edge.packets)
                       .arg(edge.bytes));
    }
    const MapEdge& edge() const { return edge_; }
    void paint(QPainter* painter, const QStyleOptionGraphicsItem* option,
               QWidget* widget) override {
        const double lod = option->levelOfDetailFromTransform(painter->worldTransform());
        if (lod >= 0.5) return QGraphicsPathItem::paint(painter, option, widget);
        // Far out an edge is a pixel or two wide: a cosmetic line without antialiasing costs a
        // fraction of the antialiased wide curve (docs/BENCHMARKS.md "Device map").
        QPen thin = pen();
        const double width = thin.widthF() * lod;  // in pixels
        thin.setCosmetic(true);
        thin.setWidthF(std::max(1.0, width));
        if (width < 1.0) {  // fainter, as antialiasing would draw a line thinner than a pixel
            QColor faded = thin.color();
            faded.setAlphaF(faded.alphaF() * std::max(0.2, width));
            thin.setColor(faded);
        }
        painter->setRenderHint(QPainter::Antialiasing, false);
        painter->setPen(thin);
        painter->setBrush(Qt::NoBrush);
        painter->drawPath(path());
    }
    void route(QPointF a, QPointF b) {
        QPainterPath path(a);
        const double bend = 10.0 * parallel_;
        if (std::abs(a.y() - b.y()) < 1) {  // same row: arc over the row
            const QPointF mid = (a + b) / 2;
            const double lift = std::min(160.0, 24 + 0.12 * std::abs(b.x() - a.x())) + bend;
            path.quadTo(mid - QPointF(0, lift), b);
        } else {
            const double my = (a.y() + b.y()) / 2;
            path.cubicTo(QPointF(a.x() + bend, my), QPointF(b.x() + bend, my), b);
        }
        setPath(path);
    }

private:
    MapEdge edge_;
    int parallel_;
};

// ---- view -------------------------------------------------------------------------------------

MapView::MapView(QGraphicsScene* scene, QWidget* parent) : QGraphicsView(scene, parent) {
    setDragMode(ScrollHandDrag);
    setTransformationAnchor(AnchorUnderMouse);
    setResizeAnchor(AnchorViewCenter);
    setRenderHints(QPainter::Antialiasing | QPainter::SmoothPixmapTransform |
                   QPainter::TextAntialiasing);
    setViewportUpdateMode(SmartViewportUpdate);
    setOptimizationFlag(DontAdjustForAntialiasing);
}

double MapView::zoom() const {
    return transform().m11();
}

void MapView::zoomBy(double factor) {
    const double target = std::clamp(zoom() * factor, 0.02, 4.0);
    const double applied = target / zoom();
    scale(applied, applied);
}

void MapView::wheelEvent(QWheelEvent* event) {
    const double steps = event->angleDelta().y() / 120.0;
    if (steps == 0) {
        QGraphicsView::wheelEvent(event);
        return;
    }
    zoomBy(std::pow(1.2, steps));
    event->accept();
    emit userZoomed();
}

// ---- page -------------------------------------------------------------------------------------

/// The detail pane's style: the "Open alerts" line (map_data.cpp, class "alerts") is dark red
/// on the light pane and light red on the dark one, where dark red is unreadable.
static QString detailStyle(bool dark) {
    return dark ? QStringLiteral(".alerts { color: #ff7b7b; }")
                : QStringLiteral(".alerts { color: #b00020; }");
}

DeviceMapPage::DeviceMapPage(std::shared_ptr<MapLayoutCache> cache, QWidget* parent)
    : QWidget(parent), cache_(cache ? std::move(cache) : std::make_shared<MapLayoutCache>()) {
    static const bool registered = (registerMapIcons(), true);
    (void)registered;
    scene_ = new QGraphicsScene(this);
    scene_->setBackgroundBrush(gMapColours->background);
    scene_->setItemIndexMethod(QGraphicsScene::BspTreeIndex);
    view_ = new MapView(scene_);
    view_->setObjectName(QStringLiteral("mapView"));

    auto* layout = new QVBoxLayout(this);
    auto* title = new QLabel(QStringLiteral("<h2>%1</h2>").arg(tr("Device map").toHtmlEscaped()));
    search_ = new QLineEdit;
    search_->setObjectName(QStringLiteral("filter-map"));
    search_->setPlaceholderText(tr("Find device, IP, MAC… (Enter: next)"));
    search_->setClearButtonEnabled(true);
    search_->setMinimumWidth(220);
    auto* top = new QHBoxLayout;
    top->addWidget(title);
    status_ = new QLabel;
    status_->setObjectName(QStringLiteral("mapStatus"));
    top->addWidget(status_);
    top->addStretch(1);
    top->addWidget(search_);
    layout->addLayout(top);

    auto* filters = new QHBoxLayout;
    protocol_ = new QComboBox;
    protocol_->setObjectName(QStringLiteral("mapProtocol"));
    zone_ = new QComboBox;
    zone_->setObjectName(QStringLiteral("mapZone"));
    type_ = new QComboBox;
    type_->setObjectName(QStringLiteral("mapType"));
    type_->addItem(tr("All device types"), QString());
    for (const auto& c : categories())
        type_->addItem(QIcon(QStringLiteral(":/icons/%1.svg").arg(c.key)), c.name, c.key);
    alertsOnly_ = new QCheckBox(tr("Only devices with open alerts"));
    alertsOnly_->setObjectName(QStringLiteral("mapAlertsOnly"));
    auto* fit = new QPushButton(tr("Fit"));
    fit->setToolTip(tr("Show the whole map (wheel: zoom, drag: pan)"));
    auto* png = new QPushButton(tr("Export PNG…"));
    png->setObjectName(QStringLiteral("mapExportPng"));
    auto* svg = new QPushButton(tr("Export SVG…"));
    svg->setObjectName(QStringLiteral("mapExportSvg"));
    filters->addWidget(new QLabel(tr("Protocol:")));
    filters->addWidget(protocol_);
    filters->addWidget(new QLabel(tr("Zone:")));
    filters->addWidget(zone_);
    filters->addWidget(new QLabel(tr("Type:")));
    filters->addWidget(type_);
    filters->addWidget(alertsOnly_);
    filters->addStretch(1);
    filters->addWidget(fit);
    filters->addWidget(png);
    filters->addWidget(svg);
    layout->addLayout(filters);
    refreshFilterChoices();

    legend_ = new QLabel;
    legend_->setObjectName(QStringLiteral("mapLegend"));
    legend_->setTextFormat(Qt::RichText);
    legend_->setWordWrap(true);
    legend_->setAlignment(Qt::AlignTop | Qt::AlignLeft);
    detail_ = new QTextBrowser;
    detail_->setObjectName(QStringLiteral("mapDetail"));
    detail_->setOpenLinks(false);
    detail_->setPlaceholderText(tr("Click a device to see its details."));
    detail_->document()->setDefaultStyleSheet(detailStyle(gMapColours == &kDarkMap));
    auto* side = new QWidget;
    auto* sideLayout = new QVBoxLayout(side);
    sideLayout->setContentsMargins(0, 0, 0, 0);
    sideLayout->addWidget(legend_);
    sideLayout->addWidget(detail_, 1);
    auto* split = new QSplitter(Qt::Horizontal);
    split->addWidget(view_);
    split->addWidget(side);
    split->setStretchFactor(0, 4);
    split->setStretchFactor(1, 1);
    split->setSizes({900, 280});
    layout->addWidget(split, 1);

    connect(protocol_, &QComboBox::currentIndexChanged, this, [this] { applyFilters(); });
    connect(zone_, &QComboBox::currentIndexChanged, this, [this] { applyFilters(); });
    connect(type_, &QComboBox::currentIndexChanged, this, [this] { applyFilters(); });
    connect(alertsOnly_, &QCheckBox::toggled, this, [this] { applyFilters(); });
    connect(search_, &QLineEdit::returnPressed, this, [this] {
        if (!search_->text().isEmpty() && !focusDevice(search_->text()))
            status_->setText(tr("No device matches “%1”").arg(search_->text()));
    });
    connect(search_, &QLineEdit::textChanged, this, [this](const QString& text) {
        if (text.size() >= 2) focusDevice(text);
    });
    connect(fit, &QPushButton::clicked, this, &DeviceMapPage::fitAll);
    connect(png, &QPushButton::clicked, this, [this] { exportWithDialog(false); });
    connect(svg, &QPushButton::clicked, this, [this] { exportWithDialog(true); });
    connect(scene_, &QGraphicsScene::selectionChanged, this, &DeviceMapPage::showSelection);
    connect(view_, &MapView::userZoomed, this, [this] { autoFit_ = false; });
    status_->setText(tr("No devices yet"));
}

DeviceMapPage::~DeviceMapPage() {
    // The scene announces its items' removal while it is destroyed: nobody is listening now.
    disconnect(scene_, nullptr, this, nullptr);
    if (watcher_) watcher_->waitForFinished();  // the layout holds no pointer into the page
}

void DeviceMapPage::setGraph(MapGraph graph) {
    const std::uint64_t hash = mapGraphHash(graph);
    if (watcher_) {  // a layout runs: keep the newest data for when it is done
        pending_ = std::move(graph);
        return;
    }
    if (haveLayout_ && hash == shownHash_) {
        // Same layout: alerts, details and traffic may have changed; positions have not.
        QHash<QString, int> index;
        for (int i = 0; i < graph.nodes.size(); ++i) index.insert(graph.nodes[i].key, i);
        QVector<QPointF> positions(graph.nodes.size());
        for (int i = 0; i < graph.nodes.size(); ++i)
            positions[i] = layout_.positions.value(indexByKey_.value(graph.nodes[i].key));
        layout_.positions = positions;
        shown_ = std::move(graph);
        indexByKey_ = index;
        for (auto* item : devices_) {
            const int i = index.value(item->node().key, -1);
            if (i >= 0) item->setNode(shown_.nodes[i]);
        }
        // Device items are re-indexed by key; the edge set is rebuilt against them.
        QVector<DeviceItem*> ordered(shown_.nodes.size(), nullptr);
        for (auto* item : devices_) ordered[index.value(item->node().key)] = item;
        devices_ = ordered;
        rebuildEdges();
        refreshFilterChoices();
        applyFilters();
        showSelection();
        return;
    }
    laying_ = std::move(graph);
    layingOutHash_ = hash;
    startLayout();
}

void DeviceMapPage::startLayout() {
    status_->setText(tr("Laying out %1 devices…").arg(laying_.nodes.size()));
    watcher_ = new QFutureWatcher<MapLayout>(this);
    connect(watcher_, &QFutureWatcher<MapLayout>::finished, this, &DeviceMapPage::layoutDone);
    watcher_->setFuture(layoutMapAsync(laying_, cache_));
}

void DeviceMapPage::layoutDone() {
    MapLayout result = watcher_->result();
    watcher_->deleteLater();
    watcher_ = nullptr;
    if (!result.error.isEmpty()) {
        status_->setText(tr("Cannot lay out the map: %1").arg(result.error));
    } else {
        layout_ = std::move(result);
        shown_ = std::move(laying_);
        shownHash_ = layingOutHash_;
        haveLayout_ = true;
        rebuildScene();
    }
    if (pending_) {
        MapGraph next = std::move(*pending_);
        pending_.reset();
        setGraph(std::move(next));
    }
    emit layoutReady();
}

bool DeviceMapPage::waitForLayout(int timeoutMs) {
    QElapsedTimer timer;
    timer.start();
    while ((watcher_ || pending_) && timer.elapsed() < timeoutMs) {
        QCoreApplication::processEvents(QEventLoop::AllEvents, 20);
        QThread::msleep(2);
    }
    return !watcher_ && !pending_;
}

void DeviceMapPage::setDark(bool dark) {
    gMapColours = dark ? &kDarkMap : &kLightMap;
    scene_->setBackgroundBrush(gMapColours->background);
    detail_->document()->setDefaultStyleSheet(detailStyle(dark));
    if (!shown_.nodes.isEmpty() && !watcher_) {
        rebuildScene();  // bands, frames and edges carry their colours
    } else {
        scene_->update();
    }
    showSelection();  // the detail again, in the new colours
}

void DeviceMapPage::rebuildScene() {
    const QString selectedKey = [this] {
        const auto selected = scene_->selectedItems();
        for (auto* item : selected) {
            if (auto* device = dynamic_cast<DeviceItem*>(item)) return device->node().key;
        }
        return QString();
    }();
    edges_.clear();
    devices_.clear();
    scene_->clear();
    indexByKey_.clear();

    const double right = layout_.bounds.right() + kLabelMargin + 20;
    // Purdue bands across the whole map, names on the left.
    bool shade = false;
    for (const auto& band : layout_.bands) {
        auto* rect = scene_->addRect(QRectF(0, band.top, right, band.bottom - band.top), Qt::NoPen,
                                     shade ? gMapColours->bandA : gMapColours->bandB);
        rect->setZValue(-3);
        shade = !shade;
        auto* line =
            scene_->addLine(0, band.bottom, right, band.bottom, QPen(gMapColours->bandLine, 1));
        line->setZValue(-2.5);
        auto* name = scene_->addSimpleText(bandName(band.band));
        QFont font = name->font();
        font.setPointSizeF(10);
        font.setBold(true);
        name->setFont(font);
        name->setBrush(gMapColours->muted);
        name->setPos(10, band.top + 8);
        name->setZValue(-2);
    }
    for (const auto& box : layout_.boxes) {
        const QRectF r = box.rect.translated(kLabelMargin, 0);
        if (box.zone) {
            QPen pen(gMapColours->zoneFrame, 1.5, Qt::DashLine);
            auto* frame = scene_->addRect(r, pen, Qt::NoBrush);
            frame->setZValue(-1);
            auto* name = scene_->addSimpleText(box.label);
            QFont font = name->font();
            font.setPointSizeF(11);
            font.setBold(true);
            name->setFont(font);
            name->setBrush(gMapColours->ink);
            name->setPos(r.left() + 8, r.top() + 6);
            name->setFlag(QGraphicsItem::ItemIgnoresTransformations);
        } else {
            auto* frame = scene_->addRect(r, QPen(gMapColours->subnetFrame, 1),
                                          gMapColours->subnetFill);
            frame->setZValue(-0.5);
            auto* name = scene_->addSimpleText(box.label);
            QFont font = name->font();
            font.setPointSizeF(7.5);
            name->setFont(font);
            name->setBrush(gMapColours->muted);
            name->setPos(r.left() + 4, r.top() + 2);
            name->setZValue(-0.4);
        }
    }
    devices_.reserve(shown_.nodes.size());
    for (int i = 0; i < shown_.nodes.size(); ++i) {
        auto* item = new DeviceItem(shown_.nodes[i], i);
        item->setPos(layout_.positions.value(i) + QPointF(kLabelMargin, 0));
        scene_->addItem(item);
        devices_.push_back(item);
        indexByKey_.insert(shown_.nodes[i].key, i);
    }
    rebuildEdges();
    scene_->setSceneRect(QRectF(0, 0, right, layout_.bounds.bottom() + 20));
    refreshFilterChoices();
    applyFilters();
    status_->setText(tr("%1 devices · %2 connections · laid out in %3 ms (%4 zones, %5 from cache)")
                         .arg(shown_.nodes.size())
                         .arg(shown_.edges.size())
                         .arg(std::lround(layout_.millis))
                         .arg(layout_.zonesLaidOut + layout_.zonesFromCache)
                         .arg(layout_.zonesFromCache));
    if (autoFit_) fitAll();
    if (!selectedKey.isEmpty()) selectDevice(selectedKey);
}

void DeviceMapPage::rebuildEdges() {
    for (auto* edge : edges_) {
        scene_->removeItem(edge);
        delete edge;
    }
    edges_.clear();
    for (auto* device : devices_) {
        if (device) device->edgeProtocols.clear();
    }
    QHash<quint64, int> parallel;  // pair -> edges so far, to fan out parallel edges
    for (const auto& edge : shown_.edges) {
        if (edge.from < 0 || edge.to < 0 || edge.from >= devices_.size() ||
            edge.to >= devices_.size() || !devices_[edge.from] || !devices_[edge.to])
            continue;
        const quint64 pair = (static_cast<quint64>(std::min(edge.from, edge.to)) << 32) |
                             static_cast<quint32>(std::max(edge.from, edge.to));
        const int n = parallel.value(pair, 0);
        parallel.insert(pair, n + 1);
        auto* item = new EdgeItem(edge, (n % 2 ? -1 : 1) * ((n + 1) / 2));
        DeviceItem* a = devices_[edge.from];
        DeviceItem* b = devices_[edge.to];
        item->route(a->anchorTowards(b->pos()), b->anchorTowards(a->pos()));
        scene_->addItem(item);
        edges_.push_back(item);
        devices_[edge.from]->edgeProtocols.insert(edge.protocol);
        devices_[edge.to]->edgeProtocols.insert(edge.protocol);
    }

    // Legend: the protocols on the map, what width and rings mean, the icons.
    QMap<QString, int> protocols;
    for (const auto& edge : shown_.edges) ++protocols[edge.protocol];
    QString html = QStringLiteral("<b>%1</b><br>").arg(tr("Connections by protocol"));
    for (auto it = protocols.begin(); it != protocols.end(); ++it) {
        html += QStringLiteral("<span style='color:%1; font-size:14pt'>━</span> %2 (%3)<br>")
                    .arg(edgeColour(it.key()).name(), it.key().toHtmlEscaped())
                    .arg(it.value());
    }
    if (protocols.isEmpty()) html += tr("none yet") + QStringLiteral("<br>");
    html += QStringLiteral("<small>%1<br>%2</small><br>")
                .arg(tr("Line width: traffic (bytes, log scale)"),
                     tr("Ring and badge: open alerts (▲ critical ■ major ● minor ○ warning)"));
    html += QStringLiteral("<b>%1</b><br><table>").arg(tr("Device types"));
    const auto cats = categories();
    for (int i = 0; i < cats.size(); i += 2) {
        html += QStringLiteral("<tr>");
        for (int j = i; j < std::min<int>(i + 2, cats.size()); ++j) {
            html += QStringLiteral(
                        "<td><img src=':/icons/%1.svg' width='18' height='18'></td>"
                        "<td>%2&nbsp;&nbsp;</td>")
                        .arg(cats[j].key, cats[j].name.toHtmlEscaped());
        }
        html += QStringLiteral("</tr>");
    }
    html += QStringLiteral("</table>");
    legend_->setText(html);
}

void DeviceMapPage::refreshFilterChoices() {
    auto refill = [](QComboBox* combo, const QString& all, const QStringList& values) {
        const QString current = combo->currentData().toString();
        const QSignalBlocker block(combo);
        combo->clear();
        combo->addItem(all, QString());
        for (const auto& v : values) combo->addItem(v, v);
        const int keep = combo->findData(current);
        combo->setCurrentIndex(keep >= 0 ? keep : 0);
    };
    QSet<QString> protocolSet, zoneSet;
    for (const auto& node : shown_.nodes) {
        zoneSet.insert(node.zone);
        for (const auto& p : node.protocols) protocolSet.insert(p);
    }
    for (const auto& edge : shown_.edges) protocolSet.insert(edge.protocol);
    QStringList protocols(protocolSet.begin(), protocolSet.end());
    QStringList zones(zoneSet.begin(), zoneSet.end());
    protocols.sort();
    zones.sort();
    refill(protocol_, tr("All protocols"), protocols);
    refill(zone_, tr("All zones"), zones);
}

void DeviceMapPage::setProtocolFilter(const QString& protocol) {
    protocol_->setCurrentIndex(std::max(0, protocol_->findData(protocol)));
}

void DeviceMapPage::setZoneFilter(const QString& zone) {
    zone_->setCurrentIndex(std::max(0, zone_->findData(zone)));
}

void DeviceMapPage::setTypeFilter(const QString& category) {
    type_->setCurrentIndex(std::max(0, type_->findData(category)));
}

void DeviceMapPage::setAlertsOnly(bool only) {
    alertsOnly_->setChecked(only);
}

void DeviceMapPage::applyFilters() {
    const QString protocol = protocol_->currentData().toString();
    const QString zone = zone_->currentData().toString();
    const QString category = type_->currentData().toString();
    const bool alertsOnly = alertsOnly_->isChecked();
    for (auto* item : devices_) {
        if (!item) continue;
        const MapNode& n = item->node();
        const bool visible = (zone.isEmpty() || n.zone == zone) &&
                             (category.isEmpty() || item->category() == category) &&
                             (!alertsOnly || n.openAlerts > 0) &&
                             (protocol.isEmpty() || n.protocols.contains(protocol) ||
                              item->edgeProtocols.contains(protocol));
        item->setVisible(visible);
    }
    for (auto* edge : edges_) {
        const MapEdge& e = edge->edge();
        edge->setVisible(devices_[e.from]->isVisible() && devices_[e.to]->isVisible() &&
                         (protocol.isEmpty() || e.protocol == protocol));
    }
}

int DeviceMapPage::visibleDeviceCount() const {
    return static_cast<int>(std::count_if(devices_.begin(), devices_.end(),
                                          [](auto* item) { return item && item->isVisible(); }));
}

int DeviceMapPage::visibleEdgeCount() const {
    return static_cast<int>(
        std::count_if(edges_.begin(), edges_.end(), [](auto* item) { return item->isVisible(); }));
}

bool DeviceMapPage::focusDevice(const QString& text) {
    if (devices_.isEmpty() || text.isEmpty()) return false;
    if (text != lastSearch_) {
        lastSearch_ = text;
        searchFrom_ = 0;
    }
    const int n = static_cast<int>(devices_.size());
    for (int step = 0; step < n; ++step) {
        const int i = (searchFrom_ + step) % n;
        DeviceItem* item = devices_[i];
        if (!item || !item->isVisible()) continue;
        const MapNode& node = item->node();
        const bool hit = node.label.contains(text, Qt::CaseInsensitive) ||
                         node.vendor.contains(text, Qt::CaseInsensitive) ||
                         node.type.contains(text, Qt::CaseInsensitive) ||
                         std::any_of(node.ips.begin(), node.ips.end(),
                                     [&](const QString& ip) { return ip.contains(text); }) ||
                         std::any_of(node.macs.begin(), node.macs.end(), [&](const QString& m) {
                             return m.contains(text, Qt::CaseInsensitive);
                         });
        if (!hit) continue;
        searchFrom_ = i + 1;
        autoFit_ = false;
        scene_->clearSelection();
        item->setSelected(true);
        if (view_->zoom() < 0.8) view_->zoomBy(0.8 / view_->zoom());
        view_->centerOn(item);
        return true;
    }
    return false;
}

bool DeviceMapPage::selectDevice(const QString& key) {
    const int i = indexByKey_.value(key, -1);
    if (i < 0 || i >= devices_.size() || !devices_[i]) return false;
    scene_->clearSelection();
    devices_[i]->setSelected(true);
    return true;
}

QString DeviceMapPage::detailText() const {
    return detail_->toPlainText();
}

void DeviceMapPage::showSelection() {
    for (auto* item : scene_->selectedItems()) {
        if (auto* device = dynamic_cast<DeviceItem*>(item)) {
            detail_->setHtml(device->node().detailHtml);
            // The selected device's connections stand out; the others step back.
            const int index = device->index();
            for (auto* edge : edges_) {
                const bool mine = edge->edge().from == index || edge->edge().to == index;
                edge->setOpacity(mine ? 1.0 : 0.25);
                edge->setZValue(mine ? kDeviceZ - 0.5 : kEdgeZ);
            }
            return;
        }
    }
    detail_->clear();
    for (auto* edge : edges_) {
        edge->setOpacity(1.0);
        edge->setZValue(kEdgeZ);
    }
}

void DeviceMapPage::fitAll() {
    if (scene_->items().isEmpty()) return;
    view_->resetTransform();
    view_->fitInView(scene_->sceneRect(), Qt::KeepAspectRatio);
    // A small plant is not blown up beyond 150 %.
    if (view_->zoom() > 1.5) view_->zoomBy(1.5 / view_->zoom());
}

void DeviceMapPage::showEvent(QShowEvent* event) {
    QWidget::showEvent(event);
    if (autoFit_) fitAll();
}

void DeviceMapPage::resizeEvent(QResizeEvent* event) {
    QWidget::resizeEvent(event);
    if (autoFit_) fitAll();
}

QRectF DeviceMapPage::exportRect() const {
    return scene_->sceneRect();
}

bool DeviceMapPage::exportPng(const QString& path, QString* error) {
    const QRectF source = exportRect();
    if (devices_.isEmpty() || source.isEmpty()) {
        *error = tr("the map is empty");
        return false;
    }
    // Up to 2 px per scene unit, at most 16,000 px on the long side.
    const double scale = std::min(2.0, 16000.0 / std::max(source.width(), source.height()));
    const QSize size(std::max(1, static_cast<int>(source.width() * scale)),
                     std::max(1, static_cast<int>(source.height() * scale)));
    QImage image(size, QImage::Format_ARGB32_Premultiplied);
    if (image.isNull()) {
        *error = tr("not enough memory for a %1 × %2 image").arg(size.width()).arg(size.height());
        return false;
    }
    image.fill(Qt::white);
    {
        QPainter painter(&image);
        painter.setRenderHints(QPainter::Antialiasing | QPainter::TextAntialiasing |
                               QPainter::SmoothPixmapTransform);
        scene_->render(&painter, QRectF(QPointF(0, 0), QSizeF(size)), source);
    }
    if (!image.save(path, "PNG")) {
        *error = tr("cannot write %1").arg(path);
        return false;
    }
    return true;
}

bool DeviceMapPage::exportSvg(const QString& path, QString* error) {
    const QRectF source = exportRect();
    if (devices_.isEmpty() || source.isEmpty()) {
        *error = tr("the map is empty");
        return false;
    }
    QSvgGenerator generator;
    generator.setFileName(path);
    generator.setSize(source.size().toSize());
    generator.setViewBox(QRectF(QPointF(0, 0), source.size()));
    generator.setTitle(tr("Ironsight device map"));
    generator.setDescription(
        tr("%1 devices, %2 connections").arg(shown_.nodes.size()).arg(shown_.edges.size()));
    {
        QPainter painter;
        if (!painter.begin(&generator)) {
            *error = tr("cannot write %1").arg(path);
            return false;
        }
        // Cached pixmaps would end up as bitmaps in the SVG: draw the items themselves.
        for (auto* item : devices_) item->setCacheMode(QGraphicsItem::NoCache);
        scene_->render(&painter, QRectF(QPointF(0, 0), source.size()), source);
        for (auto* item : devices_) item->setCacheMode(QGraphicsItem::DeviceCoordinateCache);
    }
    if (QFileInfo(path).size() <= 0) {
        *error = tr("cannot write %1").arg(path);
        return false;
    }
    return true;
}

void DeviceMapPage::exportWithDialog(bool svg) {
    const QString filter = svg ? tr("SVG image (*.svg)") : tr("PNG image (*.png)");
    QString path = QFileDialog::getSaveFileName(
        this, svg ? tr("Export map as SVG") : tr("Export map as PNG"),
        svg ? QStringLiteral("device-map.svg") : QStringLiteral("device-map.png"), filter);
    if (path.isEmpty()) return;
    QString error;
    if (!(svg ? exportSvg(path, &error) : exportPng(path, &error))) {
        QMessageBox::warning(this, tr("Export map"), error);
        return;
    }
    status_->setText(tr("Map exported to %1").arg(path));
}

}  // namespace ironsight::console::ui
