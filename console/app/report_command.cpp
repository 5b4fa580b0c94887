// SPDX-License-Identifier: Apache-2.0
#include "console/app/report_command.h"

#include "console/app/app.h"

#include <QGuiApplication>
#include <iostream>
#include <memory>

#include "console/core/console_service.h"
#include "console/report/pdf_report.h"
#include "shared/crypto/crypto.h"

namespace ironsight::console::app {
namespace fs = std::filesystem;
namespace {

struct ReportArgs {
    std::string what, format, out, from, to;
    core::ReportFilter filter;
};

int reportFailed(const std::string& message) {
    std::cerr << "error: " << message << "\n";
    return 1;
}

/// PDF drawing needs fonts, hence a QGuiApplication; the CLI has no display, so offscreen.
/// Qt's platform chatter (XDG_RUNTIME_DIR and the like) is not for the operator; only
/// critical messages pass.
std::unique_ptr<QGuiApplication> offscreenGuiApplication() {
    qInstallMessageHandler([](QtMsgType type, const QMessageLogContext&, const QString& message) {
        if (type == QtCriticalMsg || type == QtFatalMsg) {
            std::cerr << "qt: " << message.toStdString() << "\n";
        }
    });
    static int argc = 3;
    static char arg0[] = "ironsight-console";
    static char arg1[] = "-platform";
    static char arg2[] = "offscreen";
    static char* argv[] = {arg0, arg1, arg2, nullptr};
    return std::make_unique<QGuiApplication>(argc, argv);
}

int runReport(const ReportArgs& args, const fs::path& dataDir) {
    core::ReportFilter filter = args.filter;
    if (!args.from.empty()) {
        auto ms = core::parseIsoUtc(args.from);
        if (!ms) return reportFailed("--from: " + ms.error().message);
        filter.fromMs = *ms;
    }
    if (!args.to.empty()) {
        auto ms = core::parseIsoUtc(args.to);
        if (!ms) return reportFailed("--to: " + ms.error().message);
        filter.toMs = *ms;
    }
    if (filter.fromMs && filter.toMs && filter.toMs <= filter.fromMs) {
        return reportFailed("--to must be after --from");
    }
    auto console = openExisting(dataDir);
    if (!console) return reportFailed(console.error().message);
    const auto kind = args.what == "devices" ? core::ReportKind::Devices : core::ReportKind::Alerts;
    auto table = (*console)->report(nullptr, kind, filter);
    if (!table) return reportFailed(table.error().message);

    if (args.format == "csv") {
        const std::string text = core::reportToCsv(*table);
        if (args.out.empty() || args.out == "-") {
            std::cout << text;
        } else {
            auto perms = fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read;
            if (auto s = crypto::writeFileAtomic(args.out, text, perms); !s) {
                return reportFailed(s.error().message);
            }
        }
    } else {
        if (args.out.empty() || args.out == "-") return reportFailed("a PDF report needs --out FILE");
        auto app = offscreenGuiApplication();
        const bool tty = isatty(fileno(stderr)) != 0;
        auto status = report::writePdfReport(
            *table, args.out, [tty](std::size_t done, std::size_t total) {
                if (tty) std::cerr << "\rwriting PDF: " << done << " / " << total << " rows" << std::flush;
                return true;
            });
        if (tty) std::cerr << "\n";
        if (!status) return reportFailed(status.error().message);
    }
    if (!args.out.empty() && args.out != "-") {
        std::cerr << "wrote " << args.out << ": " << table->title << ", " << table->rows.size()
                  << " rows (" << table->filterDescription << ")\n";
    }
    return 0;
}

}  // namespace

void addReportCommand(CLI::App& admin, const std::function<fs::path()>& dataDir, int& exitCode) {
    auto args = std::make_shared<ReportArgs>();
    CLI::App* cmd = admin.add_subcommand(
        "report", "Device inventory or alert report as CSV or PDF, filtered like the UI");
    cmd->add_option("WHAT", args->what, "devices or alerts")
        ->required()
        ->check(CLI::IsMember({"devices", "alerts"}));
    cmd->add_option("--format", args->format, "csv (default) or pdf")
        ->default_val("csv")
        ->check(CLI::IsMember({"csv", "pdf"}));
    cmd->add_option("-o,--out", args->out, "Output file (CSV: standard output when omitted)");
    cmd->add_option("--site", args->filter.site, "Only this site");
    cmd->add_option("--zone", args->filter.zone, "Only this zone");
    cmd->add_option("--from", args->from, "Seen at or after this UTC time (2026-01-31[T08:00:00Z])");
    cmd->add_option("--to", args->to, "Seen before this UTC time");
    cmd->add_option("--severity", args->filter.severities,
                    "Alerts: only these severities (repeatable)")
        ->check(CLI::IsMember({"critical", "major", "minor", "warning"}));
    cmd->add_option("--status", args->filter.statuses, "Alerts: only these statuses (repeatable)")
        ->check(CLI::IsMember({"new", "acknowledged", "closed"}));
    cmd->add_option("--search", args->filter.text,
                    "Only rows with this text in any column (case-insensitive)");
    cmd->callback([args, dataDir, &exitCode] { exitCode = runReport(*args, dataDir()); });
}

}  // namespace ironsight::console::app
