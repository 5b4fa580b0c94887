// SPDX-License-Identifier: Apache-2.0
// The desktop's filter latency at scale (docs/BENCHMARKS.md "Console store at scale"): over a
// console data dir (e.g. the 100,000-device / 1,000,000-alert store that
// ironsight-bench-store-scale --data DIR leaves), the Alerts and Inventory tables' real models
// (PagedTableModel in a shown QTableView, offscreen) get filter after filter while 10 sensor
// threads stream alerts and devices into the same store. Measured: the time from a filter change
// to the table holding the new first page, and the longest gap of a 5 ms GUI-thread heartbeat.
//
//   QT_QPA_PLATFORM=offscreen ironsight-bench-table-filter --data DIR [--runs 3] [--sensors 10]
//       [--window]   (also a whole MainWindow: snapshot, dashboard, map, on the same store)
//       [--map]      (only the map's data load: openAlertGroups, devices, connections,
//                     buildMapGraph; wall and this thread's CPU time per step, then exit)
#include <QApplication>
#include <QElapsedTimer>
#include <QTableView>
#include <QTimer>
#include <algorithm>
#include <ctime>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "console/core/console_service.h"
#include "console/ui/alerts_page.h"
#include "console/ui/main_window.h"
#include "console/ui/map_data.h"
#include "console/ui/paged_model.h"
#include "console/ui/snapshot.h"

using namespace ironsight;
using namespace ironsight::console;

namespace {

[[noreturn]] void die(const std::string& message) {
    std::fprintf(stderr, "ironsight-bench-table-filter: %s\n", message.c_str());
    std::exit(1);
}

double percentile(std::vector<double> v, double p) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    const auto i = static_cast<std::size_t>(p * static_cast<double>(v.size() - 1) + 0.5);
    return v[std::min(i, v.size() - 1)];
}

/// Runs the event loop (heartbeat included) until `done` or `timeoutMs`.
bool spinUntil(const std::function<bool()>& done, int timeoutMs) {
    QElapsedTimer clock;
    clock.start();
    while (!done()) {
        if (clock.elapsed() > timeoutMs) return false;
        QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents, 5);
    }
    return true;
}

/// Time from setFilterNow to the model's pageLoaded (the table holds the new first page); in
/// `countMs` the time until the count arrived too (the model asks for it after the page).
double timeFilter(ui::PagedTableModel& model, const QString& filter, int* rows,
                  double* countMs = nullptr) {
    double pageMs = -1;
    QElapsedTimer clock;
    auto connection = QObject::connect(&model, &ui::PagedTableModel::pageLoaded, [&] {
        if (pageMs < 0) pageMs = static_cast<double>(clock.nsecsElapsed()) / 1e6;
    });
    clock.start();
    model.setFilterNow(filter);
    if (!spinUntil([&] { return pageMs >= 0 && !model.busy(); }, 120'000))
        die("no answer in 120 s");
    if (countMs) *countMs = static_cast<double>(clock.nsecsElapsed()) / 1e6;
    QObject::disconnect(connection);
    *rows = model.rowCount();
    return pageMs;
}

/// This thread's CPU time in ms (user + system; load-independent, unlike the wall clock).
double threadCpuMs() {
    timespec t{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return static_cast<double>(t.tv_sec) * 1e3 + static_cast<double>(t.tv_nsec) / 1e6;
}

/// The map's data load (what loadSnapshot reads for the map), each step timed `runs` times.
void timeMapLoad(core::ConsoleService& svc, int runs) {
    for (int run = 0; run < runs; ++run) {
        std::printf("map data load, run %d:\n", run + 1);
        QElapsedTimer clock;
        auto step = [&clock](const char* what, double cpu0, qint64 wall0, std::size_t n) {
            std::printf("  %-22s %9.1f ms wall %9.1f ms CPU  (%zu)\n", what,
                        static_cast<double>(clock.nsecsElapsed() - wall0) / 1e6,
                        threadCpuMs() - cpu0, n);
        };
        clock.start();
        double cpu = threadCpuMs();
        qint64 wall = clock.nsecsElapsed();
        auto groups = svc.openAlertGroups();
        if (!groups) die(groups.error().message);
        step("openAlertGroups", cpu, wall, groups->size());
        cpu = threadCpuMs();
        wall = clock.nsecsElapsed();
        auto devices = svc.listDevices();
        if (!devices) die(devices.error().message);
        step("listDevices", cpu, wall, devices->size());
        cpu = threadCpuMs();
        wall = clock.nsecsElapsed();
        auto connections = svc.listConnections();
        if (!connections) die(connections.error().message);
        step("listConnections", cpu, wall, connections->size());
        cpu = threadCpuMs();
        wall = clock.nsecsElapsed();
        const ui::MapGraph graph = ui::buildMapGraph(*devices, *connections, *groups);
        step("buildMapGraph", cpu, wall, static_cast<std::size_t>(graph.nodes.size()));
    }
}

}  // namespace

int main(int argc, char** argv) {
    std::string data;
    int runs = 3, sensorThreads = 10;
    bool window = false, mapOnly = false;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        auto next = [&]() -> std::string {
            if (i + 1 >= argc) die(a + " needs a value");
            return argv[++i];
        };
        if (a == "--data") data = next();
        else if (a == "--runs") runs = std::atoi(next().c_str());
        else if (a == "--sensors") sensorThreads = std::atoi(next().c_str());
        else if (a == "--window") window = true;
        else if (a == "--map") mapOnly = true;
        else die("unknown option " + a);
    }
    if (data.empty()) die("--data DIR is required (e.g. from ironsight-bench-store-scale --data)");
    qputenv("QT_QPA_PLATFORM", qgetenv("QT_QPA_PLATFORM").isEmpty() ? "offscreen"
                                                                    : qgetenv("QT_QPA_PLATFORM"));
    QApplication app(argc, argv);
    auto opened = core::ConsoleService::open(data);
    if (!opened) die(opened.error().message);
    std::shared_ptr<core::ConsoleService> service = std::move(*opened);
    core::ConsoleService* svc = service.get();
    auto counts = svc->alertCounts();
    if (!counts) die(counts.error().message);
    std::printf("store: %lld alerts (%lld open)\n", static_cast<long long>(counts->all.total),
                static_cast<long long>(counts->all.open));
    if (mapOnly) {
        timeMapLoad(*svc, runs);
        return 0;
    }

    // The GUI thread's heartbeat: the longest gap between two 5 ms ticks is its longest stall.
    QElapsedTimer beat;
    beat.start();
    qint64 lastBeat = 0;
    std::vector<double> gaps;
    QTimer heartbeat;
    heartbeat.setTimerType(Qt::PreciseTimer);
    heartbeat.setInterval(5);
    QObject::connect(&heartbeat, &QTimer::timeout, [&] {
        const qint64 now = beat.nsecsElapsed();
        if (lastBeat) gaps.push_back(static_cast<double>(now - lastBeat) / 1e6);
        lastBeat = now;
    });

    // 10 sensors stream: each a thread applying a batch (10 new alerts, 2 device sightings)
    // every 200 ms through the ingest path.
    auto sensors = svc->listSensors();
    if (!sensors) die(sensors.error().message);
    std::atomic<bool> stop{false};
    std::atomic<long long> applied{0};
    std::vector<std::thread> writers;
    std::vector<double> batchMs;
    std::mutex batchMutex;
    for (int t = 0; t < sensorThreads && t < static_cast<int>(sensors->size()); ++t) {
        const std::string id = (*sensors)[static_cast<std::size_t>(t)].id;
        auto progress = svc->store().progress(id);
        if (!progress) die(progress.error().message);
        writers.emplace_back([&, id, epoch = progress->epoch,
                              seq = progress->appliedThroughSeq, t]() mutable {
            int n = 0;
            while (!stop.load()) {
                v1::Batch batch;
                for (int i = 0; i < 10; ++i) {
                    auto* env = batch.add_envelopes();
                    env->set_seq(++seq);
                    v1::Alert* al = env->mutable_alert();
                    al->set_id("bench-live-" + std::to_string(t) + "-" + std::to_string(n++));
                    al->set_engine("policy");
                    al->set_type("new_device");
                    al->set_severity(i % 4 == 0 ? v1::SEVERITY_CRITICAL : v1::SEVERITY_MINOR);
                    al->set_title("New device on the network");
                    al->set_protocol("modbus");
                    al->set_first_seen_ms(core::nowMs());
                    al->set_last_seen_ms(core::nowMs());
                }
                for (int i = 0; i < 2; ++i) {
                    auto* env = batch.add_envelopes();
                    env->set_seq(++seq);
                    v1::Device* d = env->mutable_device();
                    d->set_id("bench-live-dev-" + std::to_string(t) + "-" + std::to_string(i));
                    d->add_ips("10.250." + std::to_string(t) + "." + std::to_string(i + 1));
                    d->set_type("plc");
                }
                QElapsedTimer clock;
                clock.start();
                if (auto r = svc->store().applyBatch(id, epoch, batch, core::nowMs()); !r)
                    die(r.error().message);
                {
                    std::lock_guard lock(batchMutex);
                    batchMs.push_back(static_cast<double>(clock.nsecsElapsed()) / 1e6);
                }
                applied += batch.envelopes_size();
                std::this_thread::sleep_for(std::chrono::milliseconds(200));
            }
        });
    }

    std::unique_ptr<ui::MainWindow> mainWindow;
    QTableView alertsView, devicesView;
    ui::PagedTableModel* alerts = nullptr;
    ui::PagedTableModel* devices = nullptr;
    if (window) {
        // The desktop as it runs: snapshot (map, dashboard), paged pages, the 2 s refresh.
        auto lastStamp = std::make_shared<std::uint64_t>(0);
        mainWindow = std::make_unique<ui::MainWindow>(
            [service, lastStamp] {
                return ui::loadSnapshotIfChanged(*service, lastStamp.get(), false);
            },
            "bench", ui::UiContext{svc, std::nullopt});
        mainWindow->show();
        mainWindow->showPage(mainWindow->pageIndex("alerts"));
        alerts = mainWindow->alertsModel();
        devices = mainWindow->devicesModel();
    } else {
        alerts = new ui::PagedTableModel({"Severity", "Status", "Title", "Source", "Destination",
                                          "Protocol", "Count", "Sensor", "Last seen", "Assigned"},
                                         ui::alertPageFetcher(svc, nullptr),
                                         [svc] { return svc->changeStamp(); }, &alertsView);
        devices = new ui::PagedTableModel({"Device", "IPs", "MAC", "Vendor", "Type", "Purdue",
                                           "Protocols", "Site", "Zone", "Sensor", "Last seen"},
                                          ui::devicePageFetcher(svc),
                                          [svc] { return svc->changeStamp(); }, &devicesView);
        devices->setCountable(false);  // as the window does: the device search has no count
        alertsView.setModel(alerts);
        devicesView.setModel(devices);
        alertsView.resize(1200, 600);
        devicesView.resize(1200, 600);
        alertsView.show();
        devicesView.show();
        // The window's 2 s refresh: re-read the loaded rows when the store changed.
        auto* poll = new QTimer(&alertsView);
        QObject::connect(poll, &QTimer::timeout, [alerts, devices] {
            alerts->poll();
            devices->poll();
        });
        poll->start(2000);
    }
    heartbeat.start();
    int rows = 0;
    timeFilter(*alerts, QString(), &rows);  // warm-up: the unfiltered first page
    timeFilter(*devices, QString(), &rows);

    struct Case {
        ui::PagedTableModel* model;
        QString filter;
        std::vector<double> ms;
        int rows = 0;
        long long total = -1;
        std::vector<double> countMs = {};
    };
    std::vector<Case> cases = {
        {alerts, "critical new", {}, 0, -1},   {alerts, "major acknowledged", {}, 0, -1},
        {alerts, "warning closed", {}, 0, -1}, {alerts, "minor", {}, 0, -1},
        {alerts, "critical open", {}, 0, -1},  {alerts, "modbus", {}, 0, -1},
        {alerts, "T0855", {}, 0, -1},          {alerts, "no-such-alert-text", {}, 0, -1},
        {alerts, "", {}, 0, -1},               {devices, "siemens", {}, 0, -1},
        {devices, "10.13.4", {}, 0, -1},       {devices, "no-such-device", {}, 0, -1},
        {devices, "", {}, 0, -1},
    };
    for (int run = 0; run < runs; ++run) {
        for (auto& c : cases) {
            double counted = 0;
            c.ms.push_back(timeFilter(*c.model, c.filter, &c.rows, &counted));
            c.countMs.push_back(counted);
            c.total = static_cast<long long>(c.model->total());
        }
    }
    std::printf("\nfilter change -> table holds the first page (median / max of %d runs), "
                "then the count too (median):\n", runs);
    for (const auto& c : cases) {
        std::printf("  %-9s %-22s %9.1f ms %9.1f ms  count %9.1f ms  (%d rows loaded, %lld "
                    "match)\n",
                    c.model == alerts ? "alerts" : "inventory",
                    QStringLiteral("\"%1\"").arg(c.filter).toStdString().c_str(),
                    percentile(c.ms, 0.5), percentile(c.ms, 1.0), percentile(c.countMs, 0.5),
                    c.rows, c.total);
    }

    // Typing "modbus" at 80 ms per key: one query after the pause, none per key.
    int queries = 0;
    qint64 pageAt = 0;
    QElapsedTimer typing;
    auto counter = QObject::connect(alerts, &ui::PagedTableModel::pageLoaded, [&] {
        ++queries;
        pageAt = typing.elapsed();
    });
    typing.start();
    QString typed;
    for (QChar ch : QStringLiteral("modbus")) {
        typed += ch;
        alerts->setFilter(typed);
        spinUntil([] { return false; }, 80);
    }
    const qint64 lastKey = typing.elapsed();
    spinUntil([&] { return !alerts->busy(); }, 120'000);
    std::printf("\ntyping \"modbus\" (80 ms per key): %d page query, table updated %lld ms after "
                "the last key (%d ms pause + query), count %lld ms after it\n",
                queries, static_cast<long long>(pageAt - lastKey),
                ui::PagedTableModel::kDebounceMs,
                static_cast<long long>(typing.elapsed() - lastKey));
    QObject::disconnect(counter);

    // Scrolling: fetchMore pages.
    std::vector<double> pageMs;
    alerts->setFilterNow(QString());
    spinUntil([&] { return !alerts->busy(); }, 120'000);
    for (int i = 0; i < 10 && alerts->canFetchMore({}); ++i) {
        QElapsedTimer clock;
        clock.start();
        const int before = alerts->rowCount();
        alerts->fetchMore({});
        spinUntil([&] { return alerts->rowCount() > before || !alerts->busy(); }, 120'000);
        pageMs.push_back(static_cast<double>(clock.nsecsElapsed()) / 1e6);
    }
    std::printf("scrolling: next %d-row page in %.1f ms median, %.1f ms max (%d pages)\n",
                ui::PagedTableModel::kPageRows, percentile(pageMs, 0.5), percentile(pageMs, 1.0),
                static_cast<int>(pageMs.size()));

    heartbeat.stop();
    stop = true;
    for (auto& w : writers) w.join();
    std::printf("\nGUI thread heartbeat (5 ms timer) over %.1f s: p50 %.1f ms, p99 %.1f ms, "
                "p99.9 %.1f ms, max %.1f ms\n",
                static_cast<double>(beat.elapsed()) / 1000.0, percentile(gaps, 0.5),
                percentile(gaps, 0.99), percentile(gaps, 0.999), percentile(gaps, 1.0));
    std::printf("streamed meanwhile: %lld envelopes from %d sensor threads; batch apply p50 %.1f "
                "ms, max %.1f ms\n",
                applied.load(), static_cast<int>(writers.size()), percentile(batchMs, 0.5),
                percentile(batchMs, 1.0));
    return 0;
}
