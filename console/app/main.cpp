// SPDX-License-Identifier: Apache-2.0
// ironsight-console: the desktop UI, the --headless server, or the admin CLI (SPEC §6).
#include <cstdio>
#include <iostream>

#include "console/app/app.h"
#include "console/core/console_service.h"
#include "shared/base/version.h"

#ifdef IRONSIGHT_HAVE_DESKTOP_UI
#include "console/ui/desktop.h"
#endif

int main(int argc, char** argv) {
    namespace app = ironsight::console::app;
    CLI::App cli{"Ironsight console: desktop UI, headless ingest server and administration"};
    cli.set_version_flag("--version", std::string(ironsight::kVersion));
    // Extra arguments (Qt's -platform, --screenshots DIR) belong to the desktop UI.
    cli.allow_extras();

    std::string dataDirOption;
    bool headless = false;
    app::HeadlessOptions headlessOptions;
    cli.add_option("--data-dir", dataDirOption,
                   "Console data directory (default $IRONSIGHT_DATA_DIR or "
                   "~/.local/share/ironsight/console)");
    cli.add_flag("--headless", headless, "Run the ingest server without a window");
    cli.add_option("--listen", headlessOptions.listen,
                   "Link listener HOST:PORT (mutual TLS); default: the address stored by init");
    cli.add_option("--enroll-listen", headlessOptions.enrollListen,
                   "Enrollment listener HOST:PORT; default: the address stored by init");

    std::string adminDataDir;
    int exitCode = 0;
    auto resolveDataDir = [&]() -> std::filesystem::path {
        if (!adminDataDir.empty()) return adminDataDir;
        if (!dataDirOption.empty()) return dataDirOption;
        return ironsight::console::core::ConsoleService::defaultDataDir();
    };
    app::addAdminCommands(cli, resolveDataDir, exitCode);
    if (CLI::App* admin = cli.get_subcommand("admin")) {
        admin->add_option("--data-dir", adminDataDir, "Console data directory");
    }

    try {
        cli.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return cli.exit(e);
    }
    if (cli.got_subcommand("admin")) {
        if (!cli.remaining().empty()) {
            std::cerr << "error: unexpected argument '" << cli.remaining().front() << "'\n";
            return 2;
        }
        return exitCode;
    }
    if (headless) {
        if (!cli.remaining().empty()) {
            std::cerr << "error: unexpected argument '" << cli.remaining().front() << "'\n";
            return 2;
        }
        return app::runHeadless(resolveDataDir(), headlessOptions);
    }
#ifdef IRONSIGHT_HAVE_DESKTOP_UI
    return ironsight::console::ui::runDesktop(argc, argv, resolveDataDir());
#else
    std::cerr << "ironsight-console: built without the desktop UI; use --headless or admin\n";
    return 1;
#endif
}
