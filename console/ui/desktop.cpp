// SPDX-License-Identifier: Apache-2.0
// The desktop console's entry point: QApplication, main window, optional page screenshots.
#include "console/ui/desktop.h"

#include <QApplication>
#include <QDir>
#include <QPixmap>
#include <QTimer>

#include <cstring>
#include <iostream>

#include "console/core/console_service.h"
#include "console/ui/main_window.h"
#include "shared/base/version.h"

namespace ironsight::console::ui {

namespace {
/// Writes a PNG of every page into outDir; returns the number written.
int takeScreenshots(MainWindow& window, const QString& outDir) {
    QDir().mkpath(outDir);
    window.refreshNow();
    int written = 0;
    const QStringList names = window.pageNames();
    for (int i = 0; i < names.size(); ++i) {
        window.showPage(i);
        QApplication::processEvents();
        QString file = names[i].toLower();
        file.replace(QLatin1String(" & "), QLatin1String("-")).replace(QLatin1Char(' '), QLatin1Char('-'));
        file = QDir(outDir).filePath(QStringLiteral("%1-%2.png").arg(i + 1).arg(file.section(QLatin1Char('('), 0, 0).trimmed()));
        if (window.grab().save(file)) {
            std::cout << "screenshot " << file.toStdString() << "\n";
            ++written;
        } else {
            std::cerr << "cannot write " << file.toStdString() << "\n";
        }
    }
    return written;
}
}  // namespace

int runDesktop(int argc, char** argv, const std::filesystem::path& dataDir) {
    QString screenshotDir;
    for (int i = 1; i + 1 < argc; ++i) {
        if (std::strcmp(argv[i], "--screenshots") == 0) screenshotDir = QString::fromLocal8Bit(argv[i + 1]);
    }
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("Ironsight Console"));
    QApplication::setApplicationVersion(QString::fromLatin1(ironsight::kVersion));

    if (!std::filesystem::exists(dataDir / "console.db")) {
        std::cerr << "ironsight-console: no console data in " << dataDir.string()
                  << "; create it with: ironsight-console admin --data-dir " << dataDir.string()
                  << " init --admin-user NAME --admin-password-file FILE\n";
        return 2;
    }
    auto opened = core::ConsoleService::open(dataDir);
    if (!opened) {
        std::cerr << "ironsight-console: " << opened.error().message << "\n";
        return 2;
    }
    // One service shared by the loads; MainWindow runs at most one load at a time.
    std::shared_ptr<core::ConsoleService> service(std::move(*opened));
    auto lastStamp = std::make_shared<std::uint64_t>(0);
    MainWindow window([service, lastStamp] { return loadSnapshotIfChanged(*service, lastStamp.get()); },
                      QStringLiteral("Ironsight — %1").arg(QString::fromStdString(dataDir.string())));
    window.show();
    if (!screenshotDir.isEmpty()) {
        QApplication::processEvents();
        return takeScreenshots(window, screenshotDir) > 0 ? 0 : 1;
    }
    return app.exec();
}

}  // namespace ironsight::console::ui
