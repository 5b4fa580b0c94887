// SPDX-License-Identifier: Apache-2.0
#include "console/report/pdf_report.h"

#include <QFile>
#include <QFont>
#include <QFontMetrics>
#include <QGuiApplication>
#include <QPageLayout>
#include <QPainter>
#include <QPdfWriter>
#include <numeric>
#include <system_error>

namespace ironsight::console::report {
namespace {

// Fixed pixel geometry at a fixed resolution: the page count is known before drawing, so
// every footer can say "page i of n" and progress is exact.
constexpr int kDpi = 120;
constexpr int kTitleBlock = 70;
constexpr int kHeaderRow = 24;
constexpr int kRowHeight = 20;
constexpr int kFooter = 26;
constexpr int kCellPad = 4;

QPageLayout pageLayout() {
    return QPageLayout(QPageSize(QPageSize::A4), QPageLayout::Landscape,
                       QMarginsF(12, 12, 12, 12), QPageLayout::Millimeter);
}

QString q(const std::string& s) { return QString::fromStdString(s); }

}  // namespace

std::size_t pdfRowsPerPage() {
    const QRect area = pageLayout().paintRectPixels(kDpi);
    const int rows = (area.height() - kTitleBlock - kHeaderRow - kFooter) / kRowHeight;
    return static_cast<std::size_t>(std::max(rows, 1));
}

Status writePdfReport(const core::ReportTable& table, const std::filesystem::path& path,
                      const Progress& progress) {
    if (!QGuiApplication::instance()) return makeError("PDF reports need a QGuiApplication");
    if (table.columns.empty()) return makeError("report has no columns");
    const std::filesystem::path partial = path.string() + ".part";
    const QString partialName = QString::fromStdString(partial.string());
    const std::size_t perPage = pdfRowsPerPage();
    const std::size_t pages = std::max<std::size_t>(1, (table.rows.size() + perPage - 1) / perPage);
    bool cancelled = false;
    {
        QPdfWriter writer(partialName);
        writer.setResolution(kDpi);
        writer.setPageLayout(pageLayout());
        writer.setTitle(q("Ironsight — " + table.title));
        writer.setCreator(QStringLiteral("Ironsight console"));
        QPainter painter;
        if (!painter.begin(&writer)) {
            QFile::remove(partialName);
            return makeError("cannot write " + path.string() + ": cannot open it for writing");
        }
        const QRect area = pageLayout().paintRectPixels(kDpi).translated(
            -pageLayout().paintRectPixels(kDpi).topLeft());
        // Column x positions from the weights.
        std::vector<double> weights = table.columnWeights;
        weights.resize(table.columns.size(), 1.0);
        const double total = std::accumulate(weights.begin(), weights.end(), 0.0);
        std::vector<int> xs{0};
        for (double w : weights) xs.push_back(xs.back() + static_cast<int>(area.width() * w / total));
        xs.back() = area.width();

        QFont titleFont(QStringLiteral("DejaVu Sans"));
        titleFont.setPixelSize(22);
        titleFont.setBold(true);
        QFont smallFont(QStringLiteral("DejaVu Sans"));
        smallFont.setPixelSize(12);
        QFont headerFont = smallFont;
        headerFont.setBold(true);
        QFont cellFont(QStringLiteral("DejaVu Sans"));
        cellFont.setPixelSize(11);
        const QFontMetrics cellMetrics(cellFont, &writer);
        const QFontMetrics headerMetrics(headerFont, &writer);

        const QString subtitle =
            q("Filter: " + table.filterDescription + "   ·   " +
              std::to_string(table.rows.size()) + " rows   ·   generated " +
              core::isoUtc(table.generatedMs) + " (UTC)");
        for (std::size_t page = 0; page < pages && !cancelled; ++page) {
            if (page > 0) writer.newPage();
            painter.setPen(Qt::black);
            painter.setFont(titleFont);
            painter.drawText(QRect(0, 0, area.width(), 34), Qt::AlignLeft | Qt::AlignVCenter,
                             q("Ironsight — " + table.title));
            painter.setFont(smallFont);
            painter.setPen(QColor(80, 80, 80));
            painter.drawText(QRect(0, 36, area.width(), 24), Qt::AlignLeft | Qt::AlignVCenter,
                             subtitle);

            int y = kTitleBlock;
            painter.fillRect(QRect(0, y, area.width(), kHeaderRow), QColor(225, 230, 238));
            painter.setFont(headerFont);
            painter.setPen(Qt::black);
            for (std::size_t c = 0; c < table.columns.size(); ++c) {
                const QRect cell(xs[c] + kCellPad, y, xs[c + 1] - xs[c] - 2 * kCellPad, kHeaderRow);
                painter.drawText(cell, Qt::AlignLeft | Qt::AlignVCenter,
                                 headerMetrics.elidedText(q(table.columns[c]), Qt::ElideRight,
                                                          cell.width()));
            }
            y += kHeaderRow;

            painter.setFont(cellFont);
            const std::size_t first = page * perPage;
            const std::size_t last = std::min(table.rows.size(), first + perPage);
            for (std::size_t r = first; r < last; ++r) {
                if ((r - first) % 2 == 1) {
                    painter.fillRect(QRect(0, y, area.width(), kRowHeight), QColor(246, 247, 250));
                }
                const auto& row = table.rows[r];
                for (std::size_t c = 0; c < table.columns.size() && c < row.size(); ++c) {
                    const QRect cell(xs[c] + kCellPad, y, xs[c + 1] - xs[c] - 2 * kCellPad,
                                     kRowHeight);
                    painter.drawText(cell, Qt::AlignLeft | Qt::AlignVCenter,
                                     cellMetrics.elidedText(q(row[c]), Qt::ElideRight, cell.width()));
                }
                y += kRowHeight;
            }
            if (table.rows.empty()) {
                painter.drawText(QRect(0, y, area.width(), kRowHeight), Qt::AlignCenter,
                                 QStringLiteral("No rows match this filter."));
            }
            painter.setFont(smallFont);
            painter.setPen(QColor(80, 80, 80));
            painter.drawText(QRect(0, area.height() - kFooter, area.width(), kFooter),
                             Qt::AlignRight | Qt::AlignVCenter,
                             q("Page " + std::to_string(page + 1) + " of " + std::to_string(pages)));
            if (progress && !progress(last, table.rows.size())) cancelled = true;
        }
        painter.end();
    }
    if (cancelled) {
        QFile::remove(partialName);
        return makeError("cancelled");
    }
    // Reports hold the plant's inventory: owner and group only, like the CSV exports.
    QFile::setPermissions(partialName,
                          QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ReadGroup);
    std::error_code ec;
    std::filesystem::rename(partial, path, ec);
    if (ec) {
        QFile::remove(partialName);
        return makeError("cannot write " + path.string() + ": " + ec.message());
    }
    return {};
}

}  // namespace ironsight::console::report
