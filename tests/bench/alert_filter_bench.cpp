// SPDX-License-Identifier: Apache-2.0
// The alert filter at the store, without the desktop around it (docs/BENCHMARKS.md "Desktop
// filter at scale, session 9"): for each filter, ConsoleStore::queryAlerts (the desktop's first
// page: 201 rows) and countAlerts, wall and this process's CPU time, median of --runs rounds
// (the filters take turns, as in the desktop bench). Nothing is written but the upgrade of an
// older store. Under valgrind --tool=callgrind with --runs 1 and one filter, the instruction
// count is a measure the machine's load does not change.
//
//   ironsight-bench-alert-filter --data DIR [--runs 5] FILTER...
//   FILTER: text, optionally after "severity:" words (critical:, major:, minor:, warning:) or
//   "open:", and "page:" or "count:" to run only that half, e.g. open:page:T0855.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <string>
#include <vector>

#include "console/core/console_store.h"

using namespace ironsight::console::core;

namespace {

double cpuMs() {
    timespec t{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return static_cast<double>(t.tv_sec) * 1e3 + static_cast<double>(t.tv_nsec) / 1e6;
}

double median(std::vector<double> v) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

bool takePrefix(std::string& s, const std::string& prefix) {
    if (s.rfind(prefix, 0) != 0) return false;
    s.erase(0, prefix.size());
    return true;
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"Alert filter at the store: page and count per filter"};
    std::string dataDir;
    int runs = 5;
    std::vector<std::string> filters;
    app.add_option("--data", dataDir, "Console data dir (console.db)")->required();
    app.add_option("--runs", runs, "Rounds over the filters")->check(CLI::Range(1, 1000));
    app.add_option("filters", filters, "Filters (see the file's head)")->required();
    CLI11_PARSE(app, argc, argv);

    auto store = ConsoleStore::open(std::filesystem::path(dataDir) / "console.db");
    if (!store) {
        std::fprintf(stderr, "ironsight-bench-alert-filter: %s\n", store.error().message.c_str());
        return 1;
    }
    struct Case {
        AlertQuery query;
        bool page = true, count = true;
        std::vector<double> pageMs, pageCpu, countMs, countCpu;
        std::size_t rows = 0;
        std::int64_t total = -1;
    };
    std::vector<Case> cases;
    for (std::string f : filters) {
        Case c;
        for (bool more = true; more;) {
            more = false;
            for (const char* severity : {"critical", "major", "minor", "warning"}) {
                if (takePrefix(f, std::string(severity) + ":")) {
                    c.query.severities.push_back(severity);
                    more = true;
                }
            }
            if (takePrefix(f, "open:")) {
                c.query.statuses = {"new", "acknowledged"};
                more = true;
            }
            if (takePrefix(f, "page:")) {
                c.count = false;
                more = true;
            }
            if (takePrefix(f, "count:")) {
                c.page = false;
                more = true;
            }
        }
        c.query.text = f;
        c.query.limit = 201;
        cases.push_back(std::move(c));
    }
    using Clock = std::chrono::steady_clock;
    auto ms = [](Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); };
    for (int run = 0; run < runs; ++run) {
        for (Case& c : cases) {
            if (c.page) {
                const double cpu = cpuMs();
                const auto start = Clock::now();
                auto rows = (*store)->queryAlerts(c.query);
                c.pageMs.push_back(ms(Clock::now() - start));
                c.pageCpu.push_back(cpuMs() - cpu);
                if (!rows) {
                    std::fprintf(stderr, "ironsight-bench-alert-filter: %s\n",
                                 rows.error().message.c_str());
                    return 1;
                }
                c.rows = rows->size();
            }
            if (c.count) {
                const double cpu = cpuMs();
                const auto start = Clock::now();
                auto total = (*store)->countAlerts(c.query);
                c.countMs.push_back(ms(Clock::now() - start));
                c.countCpu.push_back(cpuMs() - cpu);
                if (!total) {
                    std::fprintf(stderr, "ironsight-bench-alert-filter: %s\n",
                                 total.error().message.c_str());
                    return 1;
                }
                c.total = *total;
            }
        }
    }
    std::printf("median of %d runs: wall (CPU) ms\n", runs);
    for (std::size_t i = 0; i < cases.size(); ++i) {
        const Case& c = cases[i];
        std::printf("  %-24s page %8.2f (%8.2f)  count %8.2f (%8.2f)  %zu rows, %lld match\n",
                    filters[i].c_str(), median(c.pageMs), median(c.pageCpu), median(c.countMs),
                    median(c.countCpu), c.rows, static_cast<long long>(c.total));
    }
    return 0;
}
