// SPDX-License-Identifier: Apache-2.0
// EvidenceStore: batched appends with oldest-first eviction, pcap export.
#include "sensor-agent/store/evidence_store.h"

#include <algorithm>
#include <cstdlib>

#include "sensor-agent/store/state_store.h"

namespace ironsight::sensor::store {
namespace {

constexpr const char* kEvictedKey = "evidence_evicted";  // meta: captures evicted, total

void put32(std::string& out, std::uint32_t v) {
    for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
void put32(std::vector<std::uint8_t>& out, std::uint32_t v) {
    for (int i = 0; i < 4; ++i) out.push_back(static_cast<std::uint8_t>((v >> (8 * i)) & 0xff));
}

}  // namespace

std::string pcapFileHeader(int linkType) {
    std::string out;
    put32(out, 0xa1b2c3d4u);             // microsecond timestamps, written little-endian
    out.push_back(2), out.push_back(0);  // version 2.4
    out.push_back(4), out.push_back(0);
    put32(out, 0);       // thiszone
    put32(out, 0);       // sigfigs
    put32(out, 262144);  // snaplen
    put32(out, static_cast<std::uint32_t>(linkType));
    return out;
}

void appendPcapRecord(std::vector<std::uint8_t>& out, std::int64_t timestampUs,
                      std::uint32_t wireLength, std::span<const std::uint8_t> data) {
    const std::int64_t sec = timestampUs >= 0 ? timestampUs / 1'000'000 : 0;
    const std::int64_t usec = timestampUs >= 0 ? timestampUs % 1'000'000 : 0;
    put32(out, static_cast<std::uint32_t>(sec));
    put32(out, static_cast<std::uint32_t>(usec));
    put32(out, static_cast<std::uint32_t>(data.size()));
    put32(out, std::max<std::uint32_t>(wireLength, static_cast<std::uint32_t>(data.size())));
    out.insert(out.end(), data.begin(), data.end());
}

Result<std::unique_ptr<EvidenceStore>> EvidenceStore::open(const std::filesystem::path& stateDir,
                                                           EvidenceLimits limits) {
    auto db = openStateDb(stateDir);
    if (!db) return db.error();
    std::unique_ptr<EvidenceStore> store(new EvidenceStore(std::move(*db), limits));
    if (auto st = store->load(); !st) return st.error();
    return store;
}

Status EvidenceStore::load() {
    auto stmt = db_.prepare("SELECT COUNT(*), COALESCE(SUM(length(records)), 0) FROM evidence");
    if (!stmt) return stmt.error();
    if (auto row = stmt->step(); !row) return row.error();
    rows_ = static_cast<std::uint64_t>(stmt->columnInt(0));
    bytes_ = static_cast<std::uint64_t>(stmt->columnInt(1));
    auto meta = db_.prepare("SELECT value FROM meta WHERE key = ?1");
    if (!meta) return meta.error();
    auto row = meta->bind(1, kEvictedKey).step();
    if (!row) return row.error();
    evicted_ = *row ? std::strtoull(meta->columnText(0).c_str(), nullptr, 10) : 0;
    return {};
}

Status EvidenceStore::append(const std::vector<EvidenceCapture>& captures, std::int64_t nowMs) {
    std::lock_guard lock(mutex_);
    if (captures.empty()) return {};
    const auto savedBytes = bytes_, savedRows = rows_, savedEvicted = evicted_;
    auto fail = [&](const Error& e) -> Status {
        bytes_ = savedBytes, rows_ = savedRows, evicted_ = savedEvicted;
        return Error{"evidence store append failed: " + e.message};
    };
    sqlite::Transaction tx(db_);
    if (!tx.began()) return fail(tx.beginStatus().error());
    auto insert = db_.prepare(
        "INSERT INTO evidence(alert_id, created_ms, trigger_us, link_type, packets, records) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
    auto oldest = db_.prepare("SELECT id, length(records) FROM evidence ORDER BY id LIMIT 64");
    auto del = db_.prepare("DELETE FROM evidence WHERE id = ?1");
    if (!insert) return fail(insert.error());
    if (!oldest) return fail(oldest.error());
    if (!del) return fail(del.error());
    const auto before = evicted_;
    for (const auto& c : captures) {
        const std::uint64_t size = c.records.size();
        if (size > limits_.maxBytes) {
            ++evicted_;  // on its own over the bound: refused, counted like an eviction
            continue;
        }
        while (bytes_ + size > limits_.maxBytes && rows_ > 0) {
            oldest->reset();
            bool any = false;
            while (bytes_ + size > limits_.maxBytes) {
                auto row = oldest->step();
                if (!row) return fail(row.error());
                if (!*row) break;
                any = true;
                const auto id = oldest->columnInt(0);
                const auto len = static_cast<std::uint64_t>(oldest->columnInt(1));
                if (auto st = del->bind(1, id).run(); !st) return fail(st.error());
                bytes_ -= len;
                --rows_;
                ++evicted_;
            }
            if (!any) break;
        }
        auto st = insert->bind(1, c.alertId)
                      .bind(2, nowMs)
                      .bind(3, c.triggerUs)
                      .bind(4, c.linkType)
                      .bind(5, c.packets)
                      .bind(6, c.records)
                      .run();
        if (!st) return fail(st.error());
        bytes_ += size;
        ++rows_;
    }
    if (evicted_ != before) {
        auto meta = db_.prepare(
            "INSERT INTO meta(key, value) VALUES (?1, ?2) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value");
        if (!meta) return fail(meta.error());
        if (auto st = meta->bind(1, kEvictedKey).bind(2, std::to_string(evicted_)).run(); !st) {
            return fail(st.error());
        }
    }
    if (auto st = tx.commit(); !st) return fail(st.error());
    return {};
}

Result<std::string> EvidenceStore::evidencePcap(const std::string& alertId) {
    std::lock_guard lock(mutex_);
    auto stmt =
        db_.prepare("SELECT link_type, records FROM evidence WHERE alert_id = ?1 ORDER BY id");
    if (!stmt) return stmt.error();
    stmt->bind(1, alertId);
    std::string out;
    int linkType = -1;
    while (true) {
        auto row = stmt->step();
        if (!row) return row.error();
        if (!*row) break;
        const int lt = static_cast<int>(stmt->columnInt(0));
        if (linkType < 0) {
            linkType = lt;
            out = pcapFileHeader(lt);
        }
        if (lt != linkType) continue;  // one link type per classic pcap file
        const auto records = stmt->columnBlob(1);
        out.append(records.begin(), records.end());
    }
    if (linkType < 0) return Error{"no evidence stored for alert " + alertId};
    return out;
}

Result<std::vector<EvidenceSummary>> EvidenceStore::list() {
    std::lock_guard lock(mutex_);
    auto stmt = db_.prepare(
        "SELECT alert_id, COUNT(*), SUM(packets), SUM(length(records)), MAX(trigger_us) "
        "FROM evidence GROUP BY alert_id ORDER BY MAX(trigger_us) DESC, alert_id");
    if (!stmt) return stmt.error();
    std::vector<EvidenceSummary> out;
    while (true) {
        auto row = stmt->step();
        if (!row) return row.error();
        if (!*row) break;
        out.push_back({stmt->columnText(0), static_cast<std::uint64_t>(stmt->columnInt(1)),
                       static_cast<std::uint64_t>(stmt->columnInt(2)),
                       static_cast<std::uint64_t>(stmt->columnInt(3)), stmt->columnInt(4)});
    }
    return out;
}

std::uint64_t EvidenceStore::bytes() {
    std::lock_guard lock(mutex_);
    return bytes_;
}
std::uint64_t EvidenceStore::captures() {
    std::lock_guard lock(mutex_);
    return rows_;
}
std::uint64_t EvidenceStore::evicted() {
    std::lock_guard lock(mutex_);
    return evicted_;
}

Result<std::string> evidencePcap(const std::filesystem::path& stateDir,
                                 const std::string& alertId) {
    std::error_code ec;
    if (!std::filesystem::exists(stateDir / "state.db", ec)) {
        return Error{"no sensor state in " + stateDir.string() + " (state.db missing)"};
    }
    auto store = EvidenceStore::open(stateDir);
    if (!store) return store.error();
    return (*store)->evidencePcap(alertId);
}

}  // namespace ironsight::sensor::store
