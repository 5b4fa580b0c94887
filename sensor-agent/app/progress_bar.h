// SPDX-License-Identifier: Apache-2.0
// A one-line progress bar on a terminal (stderr) for `analyze` over large files: percentage of the
// file's bytes, packets, MB/s and ETA, redrawn at most every 100 ms. The caller decides whether to
// show it at all (only when stderr is a TTY and the output is not --json).
#pragma once

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>

namespace ironsight::sensor::app {

class ProgressBar {
public:
    using Clock = std::chrono::steady_clock;

    ProgressBar(std::string label, std::int64_t totalBytes, std::FILE* out = stderr)
        : label_(std::move(label)), total_(std::max<std::int64_t>(totalBytes, 1)), out_(out) {}

    /// Redraws when 100 ms passed since the last drawing. Cheap enough to call every few
    /// thousand packets.
    void update(std::int64_t bytesDone, std::uint64_t packets) {
        const auto now = Clock::now();
        if (drawn_ && now - lastDraw_ < std::chrono::milliseconds(100)) return;
        lastDraw_ = now;
        drawn_ = true;
        draw(bytesDone, packets, now);
    }

    /// Replaces the bar with a summary line.
    void finish(std::int64_t bytesDone, std::uint64_t packets) {
        const double seconds = elapsed(Clock::now());
        const double mb = static_cast<double>(bytesDone) / 1e6;
        std::fprintf(out_, "\r\033[Kanalysed %s: %s packets, %.1f MB in %.1f s (%.1f MB/s)\n",
                     label_.c_str(), count(packets).c_str(), mb, seconds,
                     seconds > 0 ? mb / seconds : 0.0);
        std::fflush(out_);
    }

    /// The line drawn for these figures (without the leading carriage return), `width` columns.
    static std::string format(const std::string& label, std::int64_t done, std::int64_t total,
                              std::uint64_t packets, double seconds, int width) {
        total = std::max<std::int64_t>(total, 1);
        done = std::clamp<std::int64_t>(done, 0, total);
        const double fraction = static_cast<double>(done) / static_cast<double>(total);
        const double mbPerSecond = seconds > 0 ? static_cast<double>(done) / 1e6 / seconds : 0.0;
        std::string eta = "--:--";
        if (seconds >= 0.5 && done > 0) {
            const auto left = static_cast<std::int64_t>(seconds * (1.0 - fraction) / fraction);
            eta = clock(left);
        }
        char figures[160];
        std::snprintf(figures, sizeof figures, " %3d%% %s pkts %6.1f MB/s ETA %s",
                      static_cast<int>(fraction * 100.0), count(packets).c_str(), mbPerSecond,
                      eta.c_str());
        std::string name = label;
        // Bar width: what is left of the line, between 10 and 40 cells.
        const int fixed = static_cast<int>(std::string(figures).size()) + 3;
        int barCells = std::clamp(width - fixed - static_cast<int>(name.size()) - 1, 10, 40);
        if (static_cast<int>(name.size()) > width - fixed - barCells - 1) {
            const int keep = std::max(8, width - fixed - barCells - 1);
            if (static_cast<int>(name.size()) > keep)
                name = "..." + name.substr(name.size() - keep + 3);
        }
        const int filled = static_cast<int>(fraction * barCells);
        return name + " [" + std::string(filled, '#') + std::string(barCells - filled, '-') + "]" +
               figures;
    }

private:
    static std::string count(std::uint64_t n) {
        char buf[32];
        if (n >= 10'000'000) {
            std::snprintf(buf, sizeof buf, "%.1fM", static_cast<double>(n) / 1e6);
        } else {
            std::snprintf(buf, sizeof buf, "%llu", static_cast<unsigned long long>(n));
        }
        return buf;
    }
    static std::string clock(std::int64_t s) {
        char buf[32];
        if (s >= 3600) {
            std::snprintf(buf, sizeof buf, "%lld:%02lld:%02lld", static_cast<long long>(s / 3600),
                          static_cast<long long>(s / 60 % 60), static_cast<long long>(s % 60));
        } else {
            std::snprintf(buf, sizeof buf, "%lld:%02lld", static_cast<long long>(s / 60),
                          static_cast<long long>(s % 60));
        }
        return buf;
    }
    double elapsed(Clock::time_point now) const {
        return std::chrono::duration<double>(now - start_).count();
    }
    int width() const {
        winsize ws{};
        if (::ioctl(::fileno(out_), TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 40) return ws.ws_col;
        return 80;
    }
    void draw(std::int64_t done, std::uint64_t packets, Clock::time_point now) {
        const int w = width();
        const std::string line = format(label_, done, total_, packets, elapsed(now), w - 1);
        std::fprintf(out_, "\r%s\033[K", line.c_str());
        std::fflush(out_);
    }

    std::string label_;
    std::int64_t total_;
    std::FILE* out_;
    Clock::time_point start_ = Clock::now();
    Clock::time_point lastDraw_{};
    bool drawn_ = false;
};

}  // namespace ironsight::sensor::app
