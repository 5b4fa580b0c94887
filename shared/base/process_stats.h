// SPDX-License-Identifier: Apache-2.0
// This process's CPU time and resident memory, for health reports (SPEC §4.3).
#pragma once

#include <sys/resource.h>
#include <unistd.h>

#include <cstdint>
#include <fstream>

namespace ironsight {

/// User + system CPU seconds this process has used so far.
inline double processCpuSeconds() {
    rusage usage{};
    if (::getrusage(RUSAGE_SELF, &usage) != 0) return 0;
    const auto seconds = [](const timeval& t) {
        return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
    };
    return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

/// Resident set size in bytes (/proc/self/statm), 0 when unknown.
inline std::uint64_t processRssBytes() {
    std::ifstream statm("/proc/self/statm");
    std::uint64_t sizePages = 0, residentPages = 0;
    if (!(statm >> sizePages >> residentPages)) return 0;
    const long page = ::sysconf(_SC_PAGESIZE);
    return residentPages * static_cast<std::uint64_t>(page > 0 ? page : 4096);
}

}  // namespace ironsight
