// SPDX-License-Identifier: Apache-2.0
// Alert evidence in state.db (SPEC §3.5): the packets around each alert's trigger, one row per
// capture (the first raise, and a few repeats), stored as pcap records so an export is the pcap
// file header plus the rows' bytes. Bounded: beyond maxBytes the oldest captures go first.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <vector>

#include "shared/base/result.h"
#include "shared/sqlite/sqlite.h"

namespace ironsight::sensor::store {

/// A classic pcap file header (microsecond timestamps, snaplen 262144) for a DLT_* link type.
std::string pcapFileHeader(int linkType);
/// Appends one pcap record (16-byte header + data) to `out`.
void appendPcapRecord(std::vector<std::uint8_t>& out, std::int64_t timestampUs,
                      std::uint32_t wireLength, std::span<const std::uint8_t> data);

struct EvidenceCapture {
    std::string alertId;
    int linkType = 1;
    std::int64_t triggerUs = 0;
    std::uint32_t packets = 0;
    std::vector<std::uint8_t> records;  // appendPcapRecord() output, no file header
};

struct EvidenceSummary {
    std::string alertId;
    std::uint64_t captures = 0, packets = 0, bytes = 0;
    std::int64_t lastTriggerUs = 0;
};

struct EvidenceLimits {
    std::uint64_t maxBytes = 256ULL << 20;  // records bytes of all captures together
};

/// The evidence table on its own connection to state.db. Thread-safe (one internal mutex): the
/// analysis thread appends, a command or the link thread exports.
class EvidenceStore {
public:
    static Result<std::unique_ptr<EvidenceStore>> open(const std::filesystem::path& stateDir,
                                                       EvidenceLimits limits = {});

    /// Stores a batch in one transaction, first evicting the oldest captures (any alert) so the
    /// total stays within maxBytes. A capture larger than maxBytes on its own is not stored.
    Status append(const std::vector<EvidenceCapture>& captures, std::int64_t nowMs);
    /// The alert's evidence as a pcap file: every stored capture of it, oldest first (captures
    /// with another link type than the first are left out). An error when there is none.
    Result<std::string> evidencePcap(const std::string& alertId);
    /// One line per alert with evidence, newest trigger first.
    Result<std::vector<EvidenceSummary>> list();

    std::uint64_t bytes();
    std::uint64_t captures();
    /// Captures evicted (or refused as too large) since state.db was created.
    std::uint64_t evicted();

private:
    EvidenceStore(sqlite::Db db, EvidenceLimits limits) : db_(std::move(db)), limits_(limits) {}
    Status load();

    std::mutex mutex_;
    sqlite::Db db_;
    EvidenceLimits limits_;
    std::uint64_t bytes_ = 0, rows_ = 0, evicted_ = 0;
};

/// Opens DIR/state.db on a connection of its own and exports one alert's evidence (for the link
/// thread or a command).
Result<std::string> evidencePcap(const std::filesystem::path& stateDir, const std::string& alertId);

}  // namespace ironsight::sensor::store
