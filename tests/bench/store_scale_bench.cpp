// SPDX-License-Identifier: Apache-2.0
// ironsight-bench-store-scale: the console store at 100,000 devices and 1,000,000 alerts
// (issues 7 and 8 targets; docs/BENCHMARKS.md "Console store at scale").
//
// Builds a real console data dir (ConsoleService::open) in the temp directory: 2 sites x 5 zones
// x 10 sensors, devices and alerts applied through ConsoleStore::applyBatch (the ingest path,
// 1,000 envelopes per batch), alert types from resources/alerts/catalog.json with skewed
// severities. The alert workflow states (mostly closed or new) and their change times are then
// set by one direct SQL UPDATE: the audited workflow call would also write 1,000,000 hash-chained
// audit records. Then it times, warm and repeated (median / p95 / max):
//  - the alert list page filtered by site + severity + status (ConsoleStore::queryAlerts), its
//    count (countAlerts) and the per-site counters (alertCounts);
//  - the device search for a term across every field (ConsoleStore::searchDevices);
//  - what the desktop and `admin alert list` do today: listAlerts()/listDevices() of every row,
//    then the filter in memory; and the desktop's QSortFilterProxyModel (fixed string, every
//    column, case-insensitive) over the device table model;
//  - retention (closed alerts older than N days) while another thread applies ingest batches:
//    the worst applyBatch latency is how long retention blocked ingest.
#include <CLI/CLI.hpp>
#include <QCoreApplication>
#include <QSortFilterProxyModel>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "console/core/console_service.h"
#include "console/ui/table_model.h"
#include "shared/crypto/crypto.h"
#include "shared/sqlite/sqlite.h"

namespace {

namespace fs = std::filesystem;
namespace v1 = ironsight::v1;
namespace core = ironsight::console::core;
using Clock = std::chrono::steady_clock;

[[noreturn]] void die(const std::string& message) {
    std::cerr << "store_scale_bench: " << message << "\n";
    std::exit(1);
}

double msSince(Clock::time_point start) {
    return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

struct Stats {
    double median = 0, p95 = 0, max = 0;
};

Stats stats(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    Stats s;
    if (v.empty()) return s;
    s.median = v[v.size() / 2];
    s.p95 = v[std::min(v.size() - 1, (v.size() * 95 + 99) / 100 - 1)];
    s.max = v.back();
    return s;
}

/// Runs `f` once to warm the cache, then `runs` times; prints median / p95 / max in ms.
template <class F>
Stats timeIt(const std::string& label, int runs, F&& f, double targetMs = 0) {
    f();
    std::vector<double> ms;
    for (int i = 0; i < runs; ++i) {
        const auto start = Clock::now();
        f();
        ms.push_back(msSince(start));
    }
    Stats s = stats(ms);
    std::printf("  %-62s median %8.1f  p95 %8.1f  max %8.1f ms", label.c_str(), s.median, s.p95,
                s.max);
    if (targetMs > 0) std::printf("  [%s < %.0f ms]", s.p95 < targetMs ? "PASS" : "MISS", targetMs);
    std::printf("\n");
    std::fflush(stdout);
    return s;
}

struct CatalogEntry {
    std::string id, engine, title, severity, mitre, description, remediation;
};

std::vector<CatalogEntry> loadCatalog(const fs::path& file) {
    std::ifstream in(file);
    if (!in) die("cannot read " + file.string() + " (give --catalog)");
    auto doc = nlohmann::json::parse(in, nullptr, false);
    if (!doc.is_object() || !doc.contains("alerts")) die(file.string() + ": not an alert catalog");
    std::vector<CatalogEntry> out;
    for (const auto& a : doc["alerts"]) {
        out.push_back({a.value("id", ""), a.value("engine", ""), a.value("title", ""),
                       a.value("severity", "minor"), a.value("mitre", ""),
                       a.value("description", ""), a.value("remediation", "")});
    }
    if (out.empty()) die(file.string() + ": no alerts");
    return out;
}

constexpr std::int64_t kDayMs = 24LL * 3600 * 1000;
const char* const kSites[] = {"Plant North", "Plant South"};
const char* const kVendors[] = {"Siemens",   "Rockwell Automation", "Schneider Electric",
                                "ABB",       "Honeywell",           "Moxa",
                                "Cisco",     "Phoenix Contact",     "Dell",
                                "Hirschmann"};
const char* const kTypes[] = {"plc", "hmi", "engineering_workstation", "rtu", "switch",
                              "historian", "io_module", "drive", "server", "unknown"};
const int kPurdue[] = {1, 2, 2, 1, 2, 3, 0, 0, 3, -1};
const char* const kProtocols[] = {"modbus", "s7comm", "enip", "dnp3", "http", "smb", "opcua",
                                  "profinet"};

/// Fills `dir` with the data set; returns the sensor ids (site-major order).
std::vector<std::string> generate(core::ConsoleService& console, const fs::path& catalogFile,
                                  int devices, int alerts, std::int64_t now) {
    const auto catalog = loadCatalog(catalogFile);
    std::map<std::string, std::vector<const CatalogEntry*>> bySeverity;
    for (const auto& e : catalog) bySeverity[e.severity].push_back(&e);
    // Skewed: mostly warnings and minor alerts, few critical ones.
    const std::pair<const char*, double> severityMix[] = {
        {"warning", 0.40}, {"minor", 0.35}, {"major", 0.18}, {"critical", 0.07}};

    std::vector<std::string> sensors;
    for (int si = 0; si < 2; ++si) {
        if (auto s = console.addSite(kSites[si]); !s) die(s.error().message);
        for (int zi = 0; zi < 5; ++zi) {
            const std::string zone = "Zone " + std::to_string(zi + 1);
            if (auto s = console.addZone(kSites[si], zone); !s) die(s.error().message);
            for (int k = 0; k < 10; ++k) {
                auto added = console.addSensor(kSites[si], zone,
                                               "s" + std::to_string(si + 1) + "-" +
                                                   std::to_string(zi + 1) + "-" +
                                                   std::to_string(k + 1));
                if (!added) die(added.error().message);
                sensors.push_back(added->sensor.id);
            }
        }
    }
    core::ConsoleStore& store = console.store();
    const int perSensorDevices = devices / static_cast<int>(sensors.size());
    const int perSensorAlerts = alerts / static_cast<int>(sensors.size());
    std::mt19937_64 rng(42);
    auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<std::uint64_t>(n)); };
    const auto start = Clock::now();
    std::int64_t envelopes = 0;
    for (std::size_t s = 0; s < sensors.size(); ++s) {
        const std::string& id = sensors[s];
        if (auto b = store.beginStream(id, 1, now); !b) die(b.error().message);
        std::uint64_t seq = 0;
        v1::Batch batch;
        auto flush = [&] {
            if (batch.envelopes_size() == 0) return;
            if (auto r = store.applyBatch(id, 1, batch, now); !r) die(r.error().message);
            envelopes += batch.envelopes_size();
            batch.Clear();
        };
        const int site = static_cast<int>(s / 50), zone = static_cast<int>(s % 50 / 10);
        auto ipOf = [&](int d) {
            return "10." + std::to_string(site * 10 + zone) + "." +
                   std::to_string(s % 10 * 20 + d / 250) + "." + std::to_string(d % 250 + 2);
        };
        for (int d = 0; d < perSensorDevices; ++d) {
            auto* env = batch.add_envelopes();
            env->set_seq(++seq);
            v1::Device* dev = env->mutable_device();
            const int t = pick(10), v = pick(10);
            char mac[32];
            std::snprintf(mac, sizeof mac, "00:1b:%02x:%02x:%02x:%02x", v * 7 % 256,
                          static_cast<int>(s), d / 256, d % 256);
            dev->set_id("dev-" + std::to_string(d));
            dev->add_macs(mac);
            dev->add_ips(ipOf(d));
            if (pick(4) == 0) dev->add_vlans(100 + static_cast<std::uint32_t>(zone));
            dev->set_vendor(kVendors[v]);
            dev->set_model(std::string(kVendors[v]).substr(0, 3) + "-" +
                           std::to_string(1000 + pick(40)));
            dev->set_firmware("V" + std::to_string(1 + pick(4)) + "." + std::to_string(pick(10)));
            dev->set_serial("SN" + std::to_string(s) + "X" + std::to_string(d * 7919 % 1000003));
            if (pick(2) == 0) {
                dev->set_hostname(std::string(kTypes[t]) + "-" + std::to_string(s) + "-" +
                                  std::to_string(d));
            }
            dev->set_type(kTypes[t]);
            dev->set_purdue_level(kPurdue[t]);
            for (int p = 0, n = 1 + pick(3); p < n; ++p) {
                auto* role = dev->add_protocols();
                role->set_name(kProtocols[pick(8)]);
                role->set_role(pick(2) ? "server" : "client");
            }
            dev->set_identity_json(R"({"vendor_source":"oui"})");
            dev->add_evidence(std::string("OUI ") + kVendors[v]);
            dev->set_first_seen_ms(now - 200 * kDayMs + pick(10) * kDayMs);
            dev->set_last_seen_ms(now - pick(180) * kDayMs);
            if (batch.envelopes_size() == 1000) flush();
        }
        for (int a = 0; a < perSensorAlerts; ++a) {
            auto* env = batch.add_envelopes();
            env->set_seq(++seq);
            v1::Alert* al = env->mutable_alert();
            double r = std::uniform_real_distribution<double>(0, 1)(rng);
            const char* severity = "warning";
            for (const auto& [name, share] : severityMix) {
                severity = name;
                if ((r -= share) < 0) break;
            }
            const auto& candidates = bySeverity.count(severity) ? bySeverity[severity]
                                                                 : bySeverity.begin()->second;
            const CatalogEntry& e = *candidates[static_cast<std::size_t>(pick(
                static_cast<int>(candidates.size())))];
            const int src = pick(perSensorDevices), dst = pick(perSensorDevices);
            al->set_id("a-" + std::to_string(a));
            al->set_engine(e.engine);
            al->set_type(e.id);
            al->set_severity(static_cast<v1::Severity>(core::severityRank(severity)));
            al->set_title(e.title);
            al->set_description(e.description);
            al->set_remediation(e.remediation);
            al->set_src("dev-" + std::to_string(src));
            al->set_dst("dev-" + std::to_string(dst));
            al->set_src_ip(ipOf(src));
            al->set_dst_ip(ipOf(dst));
            al->set_protocol(kProtocols[pick(8)]);
            al->set_count(1 + static_cast<std::uint64_t>(pick(50)));
            al->set_mitre(e.mitre);
            const std::int64_t last = now - static_cast<std::int64_t>(rng() % (180 * kDayMs));
            al->set_first_seen_ms(last - pick(3600) * 1000);
            al->set_last_seen_ms(last);
            if (batch.envelopes_size() == 1000) flush();
        }
        flush();
    }
    const double applyS = msSince(start) / 1000;
    std::printf("generated through applyBatch: %lld envelopes in %.1f s (%.0f/s)\n",
                static_cast<long long>(envelopes), applyS, static_cast<double>(envelopes) / applyS);

    // Workflow states: 60 % closed, 32 % new, 8 % acknowledged; closed ones some time after
    // their last sighting (up to 180 days ago), so a 90-day retention finds about half of them.
    auto db = ironsight::sqlite::Db::open(console.dataDir() / "console.db");
    if (!db) die(db.error().message);
    const auto upStart = Clock::now();
    if (auto s = db->exec(R"sql(
UPDATE alerts SET
  status = CASE WHEN rowid * 7919 % 100 < 60 THEN 'closed'
                WHEN rowid * 7919 % 100 < 92 THEN 'new' ELSE 'acknowledged' END,
  status_changed_at = CASE WHEN rowid * 7919 % 100 < 92 AND rowid * 7919 % 100 >= 60 THEN 0
                           ELSE last_seen + rowid % 86400000 END)sql");
        !s) {
        die(s.error().message);
    }
    std::printf("workflow states set by direct SQL in %.1f s\n", msSince(upStart) / 1000);
    return sensors;
}

std::string lower(std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

bool containsText(const core::DeviceRow& d, const std::string& needle) {
    auto has = [&](const std::string& s) { return lower(s).find(needle) != std::string::npos; };
    for (const auto& m : d.macs) {
        if (has(m)) return true;
    }
    for (const auto& ip : d.ips) {
        if (has(ip)) return true;
    }
    return has(d.deviceId) || has(d.vendor) || has(d.model) || has(d.firmware) ||
           has(d.serial) || has(d.hostname) || has(d.type) || has(d.sensorName) ||
           has(d.site) || has(d.zone);
}

/// 100 new_device alerts as a sensor streams them: sequence numbers after `seq`, ids
/// `prefix` + the counter `n` (both advanced).
v1::Batch newDeviceAlerts(const std::string& prefix, std::uint64_t& seq, int& n) {
    v1::Batch batch;
    for (int i = 0; i < 100; ++i) {
        auto* env = batch.add_envelopes();
        env->set_seq(++seq);
        v1::Alert* al = env->mutable_alert();
        al->set_id(prefix + std::to_string(n++));
        al->set_engine("policy");
        al->set_type("new_device");
        al->set_severity(v1::SEVERITY_MINOR);
        al->set_title("New device on the network");
        al->set_first_seen_ms(core::nowMs());
        al->set_last_seen_ms(core::nowMs());
    }
    return batch;
}

}  // namespace

int main(int argc, char** argv) {
    QCoreApplication qapp(argc, argv);
    CLI::App app{"Console store at scale: alert list, device search and retention timings"};
    int devices = 100'000, alerts = 1'000'000, runs = 20, retentionDays = 90, pageSize = 500;
    int ingestAloneSeconds = 20;
    std::string parent = fs::temp_directory_path().string(), dataDir;
    std::string catalog = std::string(IRONSIGHT_SOURCE_DIR) + "/resources/alerts/catalog.json";
    bool keep = false, skipLegacy = false, skipRetention = false, onlyRetention = false;
    app.add_option("--devices", devices, "Devices in the store")
        ->check(CLI::Range(100, 10'000'000));
    app.add_option("--alerts", alerts, "Alerts in the store")->check(CLI::Range(100, 100'000'000));
    app.add_option("--runs", runs, "Timed runs per query (after one warm-up run)")
        ->check(CLI::Range(1, 1000));
    app.add_option("--page", pageSize, "Rows of an alert list / search page")
        ->check(CLI::Range(1, 100'000));
    app.add_option("--retention-days", retentionDays, "Retention: closed alerts older than N days")
        ->check(CLI::Range(1, 3650));
    app.add_option("--dir", parent, "Parent directory of the temporary data dir");
    app.add_option("--data", dataDir,
                   "Use (or create and keep) this console data dir instead of a temporary one");
    app.add_option("--catalog", catalog, "Alert catalog (resources/alerts/catalog.json)");
    app.add_flag("--keep", keep, "Keep the temporary data dir");
    app.add_flag("--skip-legacy", skipLegacy, "Skip the load-everything-then-filter paths");
    app.add_flag("--skip-retention", skipRetention, "Skip retention (it deletes alerts)");
    app.add_option("--ingest-alone", ingestAloneSeconds,
                   "Seconds of ingest without retention first, the latencies to compare with")
        ->check(CLI::Range(0, 3600));
    app.add_flag("--only-retention", onlyRetention,
                 "Run only the retention-during-ingest part (no query timings)");
    CLI11_PARSE(app, argc, argv);

    const fs::path dir =
        dataDir.empty()
            ? fs::path(parent) / ("ironsight-bench-store-" + ironsight::crypto::newUuid())
            : fs::path(dataDir);
    const bool reuse = fs::exists(dir / "console.db");
    if (!dataDir.empty()) keep = true;
    struct Cleanup {
        fs::path dir;
        bool keep;
        ~Cleanup() {
            std::error_code ec;
            if (!keep) fs::remove_all(dir, ec);
        }
    } cleanup{dir, keep};

    auto console = core::ConsoleService::open(dir);
    if (!console) die(console.error().message);
    core::ConsoleStore& store = (*console)->store();
    const std::int64_t now = core::nowMs();
    if (!reuse) {
        std::printf("data dir %s: generating %d devices, %d alerts\n", dir.string().c_str(),
                    devices, alerts);
        generate(**console, catalog, devices, alerts, now);
    } else {
        std::printf("data dir %s: reusing its data\n", dir.string().c_str());
    }
    auto sensors = store.listSensors();
    if (!sensors || sensors->empty()) die("no sensors in the data dir");
    std::printf("database %.0f MiB (+ WAL %.0f MiB)\n",
                static_cast<double>(fs::file_size(dir / "console.db")) / 1048576.0,
                fs::exists(dir / "console.db-wal")
                    ? static_cast<double>(fs::file_size(dir / "console.db-wal")) / 1048576.0
                    : 0.0);

    if (!onlyRetention) {
        // ---- Alert list: the filtered first page, its count, the counters ----
        std::printf("\nalert list (page of %d, newest first), %d runs:\n", pageSize, runs);
        struct Filter {
            const char* site;
            const char* severity;
            const char* status;
        };
        const Filter filters[] = {{"Plant North", "critical", "new"},
                                  {"Plant North", "major", "acknowledged"},
                                  {"Plant South", "warning", "closed"},
                                  {"Plant South", "minor", "new"}};
        for (const Filter& f : filters) {
            core::AlertQuery q;
            q.site = f.site;
            q.severities = {f.severity};
            q.statuses = {f.status};
            q.limit = pageSize;
            std::size_t rows = 0;
            std::int64_t total = 0;
            const std::string what = std::string(f.site) + " + " + f.severity + " + " + f.status;
            timeIt(
                "queryAlerts " + what, runs,
                [&] {
                    auto r = store.queryAlerts(q);
                    if (!r) die(r.error().message);
                    rows = r->size();
                },
                50);
            timeIt(
                "countAlerts " + what, runs,
                [&] {
                    auto r = store.countAlerts(q);
                    if (!r) die(r.error().message);
                    total = *r;
                },
                50);
            std::printf("    -> %zu rows shown of %lld matching\n", rows,
                        static_cast<long long>(total));
        }
        {
            core::AlertQuery q;
            q.site = "Plant North";
            q.zone = "Zone 3";
            q.severities = {"major", "critical"};
            q.statuses = {"new", "acknowledged"};
            q.limit = pageSize;
            timeIt(
                "queryAlerts Plant North/Zone 3 + major,critical + open", runs,
                [&] {
                    if (auto r = store.queryAlerts(q); !r) die(r.error().message);
                },
                50);
            q.text = "modbus";
            timeIt(
                "queryAlerts ... + text \"modbus\"", runs,
                [&] {
                    if (auto r = store.queryAlerts(q); !r) die(r.error().message);
                },
                50);
            q.text = "no-such-text";
            timeIt(
                "queryAlerts ... + text, no match", runs,
                [&] {
                    if (auto r = store.queryAlerts(q); !r) die(r.error().message);
                },
                50);
            timeIt(
                "countAlerts ... + text, no match", runs,
                [&] {
                    if (auto r = store.countAlerts(q); !r) die(r.error().message);
                },
                50);
            q = {};
            q.site = "Plant South";
            q.limit = pageSize;
            timeIt(
                "queryAlerts Plant South, any severity and status", runs,
                [&] {
                    if (auto r = store.queryAlerts(q); !r) die(r.error().message);
                },
                50);
            timeIt(
                "countAlerts (no filter: 1,000,000)", runs,
                [&] {
                    if (auto r = store.countAlerts(core::AlertQuery{}); !r) die(r.error().message);
                },
                50);
        }
        timeIt(
            "alertCounts (all: severity/status/site/zone tallies)", runs,
            [&] {
                if (auto r = store.alertCounts(); !r) die(r.error().message);
            },
            50);
        timeIt(
            "alertCounts Plant North", runs,
            [&] {
                if (auto r = store.alertCounts("Plant North"); !r) die(r.error().message);
            },
            50);

        // ---- Device search ----
        std::printf("\ndevice search (page of %d), %d runs:\n", pageSize, runs);
        const std::string someSerial = [&] {
            auto r = store.searchDevices("", 1, devices / 2);
            return r && !r->empty() ? (*r)[0].serial : std::string("SN1X1");
        }();
        for (const std::string& term : {someSerial, std::string("siemens"), std::string("10.13.4"),
                                        std::string("no-such-device"), std::string("7c")}) {
            std::size_t rows = 0;
            timeIt(
                "searchDevices \"" + term + "\"", runs,
                [&] {
                    auto r = store.searchDevices(term, pageSize);
                    if (!r) die(r.error().message);
                    rows = r->size();
                },
                50);
            std::printf("    -> %zu rows\n", rows);
        }
        // Deeper pages walk further through the stored order (schema v16); each page must be the
        // same rows, in the same order, as the unpaged search (every match read and sorted).
        for (const std::string& term : {std::string("siemens"), std::string("7c")}) {
            const int offset = 5 * pageSize;
            timeIt(
                "searchDevices \"" + term + "\" page at offset " + std::to_string(offset), runs,
                [&] {
                    if (auto r = store.searchDevices(term, pageSize, offset); !r) {
                        die(r.error().message);
                    }
                },
                50);
            auto full = store.searchDevices(term, 0, 0);  // unpaged: every match, sorted
            if (!full) die(full.error().message);
            for (int from : {0, offset, static_cast<int>(full->size()) - pageSize / 2}) {
                auto page = store.searchDevices(term, pageSize, from);
                if (!page) die(page.error().message);
                const std::size_t begin = static_cast<std::size_t>(std::max(from, 0));
                bool same = page->size() == std::min<std::size_t>(pageSize, full->size() - begin);
                for (std::size_t k = 0; same && k < page->size(); ++k) {
                    same = (*page)[k].groupId == (*full)[begin + k].groupId;
                    if (!same) {
                        const auto& a = (*page)[k];
                        const auto& b = (*full)[begin + k];
                        std::fprintf(stderr, "row %zu: %lld %s/%s/%s vs %lld %s/%s/%s\n", begin + k,
                                     static_cast<long long>(a.groupId), a.site.c_str(),
                                     a.zone.c_str(), a.deviceId.c_str(),
                                     static_cast<long long>(b.groupId), b.site.c_str(),
                                     b.zone.c_str(), b.deviceId.c_str());
                    }
                }
                if (!same) {
                    die("search page at " + std::to_string(from) + " of '" + term +
                        "' differs from the unpaged search");
                }
            }
            std::printf("    pages of \"%s\" equal the unpaged search (%zu matches)\n",
                        term.c_str(), full->size());
        }

        // ---- Reads while ingest writes: the UI's queries run on the read-only connection ----
        {
            std::printf("\ningest while the UI queries (text filters, searches, counts):\n");
            const std::string ingestSensor = (*sensors)[1].id;
            auto progress = store.progress(ingestSensor);
            if (!progress) die(progress.error().message);
            std::atomic<bool> stop{false};
            std::vector<double> latencies;  // read only after the thread joined
            std::thread ingest([&] {
                std::uint64_t seq = progress->appliedThroughSeq;
                int n = 0;
                while (!stop.load()) {
                    const v1::Batch batch = newDeviceAlerts("read-", seq, n);
                    const auto start = Clock::now();
                    if (auto r =
                            store.applyBatch(ingestSensor, progress->epoch, batch, core::nowMs());
                        !r) {
                        die(r.error().message);
                    }
                    latencies.push_back(msSince(start));
                    std::this_thread::sleep_for(std::chrono::milliseconds(5));
                }
            });
            const auto start = Clock::now();
            int queries = 0;
            while (msSince(start) < 5000) {
                core::AlertQuery q;
                q.text =
                    queries % 2 ? "no-such-text" : "modbus";  // the slowest: text, no other filter
                if (auto r = store.queryAlerts(q); !r) die(r.error().message);
                if (auto r = store.searchDevices(queries % 2 ? "siemens" : "7c", pageSize); !r) {
                    die(r.error().message);
                }
                if (auto r = store.alertCounts(); !r) die(r.error().message);
                ++queries;
            }
            stop = true;
            ingest.join();
            const Stats s = stats(latencies);
            std::printf(
                "  %d query rounds in %.1f s; ingest batches of 100 alerts (%zu): median %.1f"
                " p95 %.1f max %.1f ms\n",
                queries, msSince(start) / 1000, latencies.size(), s.median, s.p95, s.max);
        }

        // ---- What the desktop and `admin alert list` do today ----
        if (!skipLegacy) {
            const int legacyRuns = 1;  // after the warm-up run: each is seconds at 1,000,000 alerts
            std::printf("\nload every row, filter in memory (desktop snapshot, admin), %d runs:\n",
                        legacyRuns);
            std::vector<core::DeviceRow> all;
            timeIt("listDevices() (100 % of rows) + filter \"siemens\"", legacyRuns, [&] {
                auto r = store.listDevices();
                if (!r) die(r.error().message);
                std::size_t n = 0;
                for (const auto& d : *r) n += containsText(d, "siemens");
                all = std::move(*r);
                (void)n;
            });
            timeIt("listAlerts() + filter site + severity + status", legacyRuns, [&] {
                auto r = store.listAlerts();
                if (!r) die(r.error().message);
                std::size_t n = 0;
                for (const auto& a : *r) {
                    n += a.site == "Plant North" && a.severity == "critical" && a.status == "new";
                }
                (void)n;
            });

            // The desktop's inventory table: TableModel + QSortFilterProxyModel, fixed string over
            // every column, case-insensitive (console/ui/main_window.cpp). Cells as snapshot.cpp.
            QVector<ironsight::console::ui::TableRow> rows;
            rows.reserve(static_cast<int>(all.size()));
            auto q = [](const std::string& s) { return QString::fromStdString(s); };
            auto join = [&](const std::vector<std::string>& v) {
                QStringList l;
                for (const auto& s : v) l << q(s);
                return l.join(QStringLiteral(", "));
            };
            for (const auto& d : all) {
                ironsight::console::ui::TableRow row;
                QStringList protocols;
                for (const auto& [name, role] : d.protocols) {
                    protocols << q(name) + " (" + q(role) + ")";
                }
                row.cells = {q(d.hostname.empty() ? d.deviceId : d.hostname),
                             join(d.ips),
                             join(d.macs),
                             q(d.vendor),
                             q(d.type),
                             QString::number(d.purdueLevel),
                             protocols.join(QStringLiteral(", ")),
                             q(d.site),
                             q(d.zone),
                             q(d.sensorName),
                             QString::number(d.lastSeenMs)};
                rows.push_back(std::move(row));
            }
            ironsight::console::ui::TableModel model({"Name", "IP", "MAC", "Vendor", "Type",
                                                      "Purdue", "Protocols", "Site", "Zone",
                                                      "Sensor", "Last seen"});
            model.setRows(std::move(rows));
            QSortFilterProxyModel proxy;
            proxy.setSourceModel(&model);
            proxy.setFilterKeyColumn(-1);
            proxy.setFilterCaseSensitivity(Qt::CaseInsensitive);
            int toggle = 0;
            timeIt(
                "desktop proxy filter over " + std::to_string(all.size()) + " device rows",
                legacyRuns,
                [&] {
                    // Alternate so every run re-filters (setting the same string is a no-op).
                    proxy.setFilterFixedString(++toggle % 2 ? QStringLiteral("siemens")
                                                            : QStringLiteral("no-such-device"));
                },
                50);
        }
    }  // !onlyRetention

    // ---- Retention while ingest runs ----
    if (!skipRetention) {
        std::printf("\nretention (closed alerts older than %d days) during ingest:\n",
                    retentionDays);
        const std::string ingestSensor = (*sensors)[0].id;
        auto progress = store.progress(ingestSensor);
        if (!progress) die(progress.error().message);
        std::atomic<bool> stop{false};
        // (start, latency) of each batch; read only after the thread joined.
        std::vector<std::pair<Clock::time_point, double>> latencies;
        auto walMiB = [&] {
            std::error_code ec;
            const auto size = fs::file_size(dir / "console.db-wal", ec);
            return ec ? 0.0 : static_cast<double>(size) / 1048576.0;
        };
        double largestWalMiB = 0;  // the ingest thread's, read after it joined
        std::thread ingest([&] {
            std::uint64_t seq = progress->appliedThroughSeq;
            int n = 0;
            while (!stop.load()) {
                const v1::Batch batch = newDeviceAlerts("live-", seq, n);
                const auto start = Clock::now();
                if (auto r = store.applyBatch(ingestSensor, progress->epoch, batch, core::nowMs());
                    !r) {
                    die(r.error().message);
                }
                latencies.emplace_back(start, msSince(start));
                largestWalMiB = std::max(largestWalMiB, walMiB());
                std::this_thread::sleep_for(std::chrono::milliseconds(5));
            }
        });
        // Ingest alone first, the same time of day and load: the latencies to compare with.
        std::this_thread::sleep_for(std::chrono::seconds(ingestAloneSeconds));
        const auto start = Clock::now();
        auto r = store.applyRetention({retentionDays, 0});
        const double retentionMs = msSince(start);
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
        stop = true;
        ingest.join();
        if (!r) die(r.error().message);
        std::vector<double> beforeMs, duringMs;
        for (const auto& [at, ms] : latencies) (at < start ? beforeMs : duringMs).push_back(ms);
        const Stats idle = stats(beforeMs), during = stats(duringMs);
        std::printf("  retention deleted %lld alerts in %.1f s (%.0f/s)\n",
                    static_cast<long long>(r->alertsDeleted), retentionMs / 1000,
                    static_cast<double>(r->alertsDeleted) / (retentionMs / 1000));
        std::printf(
            "  WAL: %llu checkpoints, %llu caught up over the bound; file now %.0f MiB, "
            "largest seen %.0f MiB\n",
            static_cast<unsigned long long>(store.walCheckpoints()),
            static_cast<unsigned long long>(store.walCatchUps()), walMiB(), largestWalMiB);
        auto p99 = [](std::vector<double> v) {
            std::sort(v.begin(), v.end());
            return v.empty() ? 0.0 : v[std::min(v.size() - 1, v.size() * 99 / 100)];
        };
        std::printf(
            "  ingest batches of 100 alerts alone (%zu, %d s): median %.1f p95 %.1f p99 "
            "%.1f max %.1f ms\n",
            beforeMs.size(), ingestAloneSeconds, idle.median, idle.p95, p99(beforeMs), idle.max);
        const double duringP99 = p99(duringMs);
        std::printf(
            "  ingest batches during/after retention (%zu): median %.1f p95 %.1f p99 %.1f"
            " max %.1f ms  [%s: p99 < 100 ms]\n",
            duringMs.size(), during.median, during.p95, duringP99, during.max,
            duringP99 < 100 ? "PASS" : "MISS");
    }
    return 0;
}
