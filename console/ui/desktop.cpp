// SPDX-License-Identifier: Apache-2.0
// The desktop console's entry point: QApplication, sign-in, main window, optional page screenshots.
#include "console/ui/desktop.h"

#include <QApplication>
#include <QDir>
#include <QLineEdit>
#include <QMessageBox>
#include <QPixmap>
#include <QRadioButton>
#include <QSettings>
#include <QTimer>

#include <cstring>
#include <iostream>

#include "console/core/console_service.h"
#include "console/ui/device_map_page.h"
#include "console/ui/language.h"
#include "console/ui/main_window.h"
#include "console/ui/setup_wizard.h"
#include "console/ui/sign_in_dialog.h"
#include "shared/base/version.h"

namespace ironsight::console::ui {

namespace {
bool save(QWidget& widget, const QString& file) {
    if (widget.grab().save(file)) {
        std::cout << "screenshot " << file.toStdString() << "\n";
        return true;
    }
    std::cerr << "cannot write " << file.toStdString() << "\n";
    return false;
}

/// Writes a PNG of the sign-in dialog, of every page and of the dark dashboard into outDir;
/// returns the number written. File names are stable (English page keys), whatever the language.
int takeScreenshots(core::ConsoleService& service, MainWindow& window, const QString& outDir) {
    QDir().mkpath(outDir);
    const QDir out(outDir);
    int written = 0;
    {
        SignInDialog signIn(service);
        signIn.show();
        QApplication::processEvents();
        written += save(signIn, out.filePath(QStringLiteral("0-sign-in.png"))) ? 1 : 0;
    }
    window.refreshNow();
    const QStringList keys = {QStringLiteral("dashboard"), QStringLiteral("sites"),
                              QStringLiteral("sensors"),   QStringLiteral("inventory"),
                              QStringLiteral("map"),       QStringLiteral("alerts"),
                              QStringLiteral("settings")};
    int n = 0;
    for (const auto& key : keys) {
        const int index = window.pageIndex(key);
        if (index < 0) continue;
        window.showPage(index);
        QApplication::processEvents();
        if (key == QLatin1String("map")) {
            if (!window.mapPage()->waitForLayout(300000))
                std::cerr << "the device map layout did not finish in 5 minutes\n";
            // Show a detail: the device named by the most open alerts, if any.
            const MapNode* worst = nullptr;
            for (const auto& node : window.mapPage()->graph().nodes) {
                if (node.openAlerts > 0 && (!worst || node.openAlerts > worst->openAlerts))
                    worst = &node;
            }
            if (worst) window.mapPage()->selectDevice(worst->key);
        }
        QApplication::processEvents();
        written +=
            save(window, out.filePath(QStringLiteral("%1-%2.png").arg(++n).arg(key))) ? 1 : 0;
    }
    window.setDark(true);
    window.showPage(window.pageIndex(QStringLiteral("dashboard")));
    QApplication::processEvents();
    written += save(window, out.filePath(QStringLiteral("%1-dashboard-dark.png").arg(++n))) ? 1 : 0;
    window.showPage(window.pageIndex(QStringLiteral("map")));  // the map's own dark colours
    QApplication::processEvents();
    written += save(window, out.filePath(QStringLiteral("%1-map-dark.png").arg(n))) ? 1 : 0;
    window.setDark(false);
    {
        // The first-run wizard on its certificate page, import chosen. It writes nothing before
        // its last page, so the directory it names is never created.
        SetupWizard wizard(service.dataDir() / "setup-preview");
        wizard.findChild<QLineEdit*>(QStringLiteral("adminPassword"))
            ->setText(QStringLiteral("Preview-only-password-1"));
        wizard.findChild<QLineEdit*>(QStringLiteral("adminConfirm"))
            ->setText(QStringLiteral("Preview-only-password-1"));
        wizard.show();
        wizard.next();
        wizard.next();
        wizard.findChild<QRadioButton*>(QStringLiteral("importCertificate"))->setChecked(true);
        for (auto [name, file] : {std::pair{"keyFile", "/etc/ssl/private/console.key"},
                                  std::pair{"certFile", "/etc/ssl/certs/console.crt"},
                                  std::pair{"chainFile", "/etc/ssl/certs/example-ca-chain.pem"}}) {
            wizard.findChild<QLineEdit*>(QLatin1String(name))->setText(QLatin1String(file));
        }
        QApplication::processEvents();
        written += save(wizard, out.filePath(QStringLiteral("%1-setup-wizard.png").arg(++n))) ? 1 : 0;
    }
    return written;
}
}  // namespace

int runDesktop(int argc, char** argv, const std::filesystem::path& dataDir) {
    QString screenshotDir;
    for (int i = 1; i + 1 < argc; ++i) {
        if (std::strcmp(argv[i], "--screenshots") == 0)
            screenshotDir = QString::fromLocal8Bit(argv[i + 1]);
    }
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("Ironsight Console"));
    QApplication::setOrganizationName(QStringLiteral("Ironsight"));
    QApplication::setApplicationVersion(QString::fromLatin1(ironsight::kVersion));
    QApplication::setStyle(QStringLiteral("Fusion"));  // the light and dark palettes assume it

    const bool screenshots = !screenshotDir.isEmpty();

    // Language: $IRONSIGHT_LANG, else the last choice (not for screenshots: English by default).
    QSettings settings;
    QString language = qEnvironmentVariable("IRONSIGHT_LANG");
    if (language.isEmpty() && !screenshots)
        language = settings.value(QStringLiteral("language")).toString();
    if (!language.isEmpty() && !applyLanguage(language)) {
        std::cerr << "ironsight-console: unknown language '" << language.toStdString()
                  << "', using English\n";
    }

    // One service shared by the loads; MainWindow runs at most one load at a time.
    std::shared_ptr<core::ConsoleService> service;
    std::optional<core::Session> session;
    if (!screenshots && needsSetup(dataDir)) {
        // First run: the wizard creates the console and signs its admin in.
        SetupWizard wizard(dataDir);
        if (wizard.exec() != QDialog::Accepted || !wizard.service()) return 1;
        service = wizard.service();
        session = wizard.session();
    } else {
        if (!std::filesystem::exists(dataDir / "console.db")) {
            std::cerr << "ironsight-console: no console data in " << dataDir.string()
                      << "; start the desktop console without --screenshots to set it up, or: "
                         "ironsight-console admin --data-dir "
                      << dataDir.string() << " init --admin-user NAME --admin-password-file FILE\n";
            return 2;
        }
        auto opened = core::ConsoleService::open(dataDir);
        if (!opened) {
            std::cerr << "ironsight-console: " << opened.error().message << "\n";
            return 2;
        }
        service = std::move(*opened);
    }

    UiContext context{service.get(), std::nullopt};
    if (!screenshots) {
        // Everyone signs in; --screenshots is the local-administrator path (it needs file-system
        // access to the data dir, which is already full control; see console/ui/README.md).
        context.session = session ? session : signInInteractively(*service);
        if (!context.session) return 1;
    }
    // No table rows: Inventory and Alerts page through the core (paged_model.h). The loader
    // holds no reference of its own: a restore closes the service and gets a new loader.
    auto makeLoader = [](core::ConsoleService* console) -> MainWindow::Loader {
        auto lastStamp = std::make_shared<std::uint64_t>(0);
        return [console, lastStamp] {
            return loadSnapshotIfChanged(*console, lastStamp.get(), /*tables=*/false);
        };
    };
    MainWindow window(
        makeLoader(service.get()),
        QStringLiteral("Ironsight — %1").arg(QString::fromStdString(dataDir.string())), context);
    // Settings' Restore… needs the directory closed by this process too (restoreDatabase takes
    // its lock exclusively); afterwards everyone signs in again: the users are the backup's.
    MainWindow::ServiceOwner owner;
    owner.close = [&service] { service.reset(); };
    owner.reopen = [&, screenshots]() -> std::optional<MainWindow::Reopened> {
        auto reopened = core::ConsoleService::open(dataDir);
        if (!reopened) {
            QMessageBox::critical(&window, QStringLiteral("Ironsight"),
                                  QString::fromStdString(reopened.error().message));
            return std::nullopt;
        }
        service = std::move(*reopened);
        context = UiContext{service.get(), std::nullopt};
        if (!screenshots) {
            context.session = signInInteractively(*service);
            if (!context.session) return std::nullopt;
        }
        return MainWindow::Reopened{context, makeLoader(service.get())};
    };
    window.setServiceOwner(owner);
    if (!screenshots) {
        window.setDark(settings.value(QStringLiteral("dark"), false).toBool());
        QObject::connect(&window, &MainWindow::darkChanged, &window,
                         [](bool dark) { QSettings().setValue(QStringLiteral("dark"), dark); });
        QObject::connect(&window, &MainWindow::languageChanged, &window, [](const QString& code) {
            QSettings().setValue(QStringLiteral("language"), code);
        });
    }
    window.show();
    if (screenshots) {
        QApplication::processEvents();
        return takeScreenshots(*service, window, screenshotDir) > 0 ? 0 : 1;
    }
    const int code = app.exec();
    if (service && context.session) service->signOut(*context.session);
    return code;
}

}  // namespace ironsight::console::ui
