// SPDX-License-Identifier: Apache-2.0
// The store-and-forward outbox: batched appends, ordered reads, delete on ack, bounded size.
#include "sensor-agent/store/outbox.h"

#include <algorithm>
#include <cstdlib>
#include <map>
#include <string>

#include "sensor-agent/store/state_store.h"

namespace ironsight::sensor::store {
namespace {

Result<std::uint64_t> metaNumber(sqlite::Db& db, const char* key) {
    auto stmt = db.prepare("SELECT value FROM meta WHERE key = ?1");
    if (!stmt) return stmt.error();
    auto row = stmt->bind(1, key).step();
    if (!row) return row.error();
    if (!*row) return std::uint64_t{0};
    return static_cast<std::uint64_t>(std::strtoull(stmt->columnText(0).c_str(), nullptr, 10));
}

Status setMetaNumber(sqlite::Db& db, const char* key, std::uint64_t value) {
    auto stmt = db.prepare(
        "INSERT INTO meta(key, value) VALUES (?1, ?2) "
        "ON CONFLICT(key) DO UPDATE SET value = excluded.value");
    if (!stmt) return stmt.error();
    return stmt->bind(1, key).bind(2, std::to_string(value)).run();
}

}  // namespace

Result<std::unique_ptr<Outbox>> Outbox::open(const std::filesystem::path& stateDir,
                                             OutboxLimits limits) {
    auto db = openStateDb(stateDir);
    if (!db) return db.error();
    std::unique_ptr<Outbox> outbox(new Outbox(std::move(*db), limits));
    if (auto st = outbox->loadCounters(); !st) return st.error();
    return outbox;
}

Status Outbox::loadCounters() {
    auto stmt = db_.prepare(
        "SELECT COUNT(*), COALESCE(SUM(length(payload)), 0), COALESCE(MAX(seq), 0) FROM outbox");
    if (!stmt) return stmt.error();
    if (auto row = stmt->step(); !row) return row.error();
    rows_ = static_cast<std::uint64_t>(stmt->columnInt(0));
    bytes_ = static_cast<std::uint64_t>(stmt->columnInt(1)) + rows_ * kRowOverhead;
    const auto maxSeq = static_cast<std::uint64_t>(stmt->columnInt(2));
    auto last = metaNumber(db_, meta::kLastSeq);
    auto acked = metaNumber(db_, meta::kAckedThrough);
    auto evicted = metaNumber(db_, meta::kEvicted);
    auto epoch = metaNumber(db_, meta::kEpoch);
    if (!last) return last.error();
    if (!acked) return acked.error();
    if (!evicted) return evicted.error();
    if (!epoch) return epoch.error();
    lastSeq_ = std::max(*last, maxSeq);
    acked_ = *acked;
    evicted_ = *evicted;
    epoch_ = *epoch;
    return {};
}

Status Outbox::evictFor(std::uint64_t addRows, std::uint64_t addBytes) {
    auto over = [&] {
        if (rows_ == 0) return false;
        if (bytes_ + addBytes > limits_.maxBytes) return true;
        return limits_.maxRows != 0 && rows_ + addRows > limits_.maxRows;
    };
    if (!over()) return {};
    auto pick =
        db_.prepare("SELECT seq, class, length(payload) FROM outbox ORDER BY class, seq LIMIT 256");
    auto del = db_.prepare("DELETE FROM outbox WHERE seq = ?1");
    auto note = db_.prepare(
        "INSERT INTO evicted(class, first_seq, last_seq, count, at_ms) "
        "VALUES (?1, ?2, ?3, ?4, CAST(strftime('%s','now') AS INTEGER) * 1000)");
    if (!pick) return pick.error();
    if (!del) return del.error();
    if (!note) return note.error();
    struct Range {
        std::int64_t first = 0, last = 0, count = 0;
    };
    std::map<std::int64_t, Range> ranges;  // per class
    std::uint64_t removed = 0;
    while (over()) {
        pick->reset();
        bool any = false;
        while (over()) {
            auto row = pick->step();
            if (!row) return row.error();
            if (!*row) break;
            any = true;
            const auto seq = pick->columnInt(0);
            const auto cls = pick->columnInt(1);
            const auto len = static_cast<std::uint64_t>(pick->columnInt(2));
            if (auto st = del->bind(1, seq).run(); !st) return st;
            auto& range = ranges[cls];
            if (range.count == 0) range.first = seq;
            range.last = seq;
            ++range.count;
            --rows_;
            bytes_ -= len + kRowOverhead;
            ++removed;
        }
        if (!any) break;
    }
    for (const auto& [cls, range] : ranges) {
        auto st =
            note->bind(1, cls).bind(2, range.first).bind(3, range.last).bind(4, range.count).run();
        if (!st) return st;
    }
    evicted_ += removed;
    return setMetaNumber(db_, meta::kEvicted, evicted_);
}

Result<std::vector<std::uint64_t>> Outbox::append(const std::vector<NewRecord>& records,
                                                  std::int64_t nowMs) {
    std::lock_guard lock(mutex_);
    std::vector<std::uint64_t> seqs;
    if (records.empty()) return seqs;
    std::uint64_t addBytes = 0;
    for (const auto& r : records) addBytes += r.payload.size() + kRowOverhead;

    const auto savedRows = rows_, savedBytes = bytes_, savedEvicted = evicted_;
    auto fail = [&](const Error& e) -> Result<std::vector<std::uint64_t>> {
        rows_ = savedRows;
        bytes_ = savedBytes;
        evicted_ = savedEvicted;
        return Error{"outbox append failed: " + e.message};
    };
    sqlite::Transaction tx(db_);
    if (!tx.began()) return fail(tx.beginStatus().error());
    if (auto st = evictFor(records.size(), addBytes); !st) return fail(st.error());
    auto insert =
        db_.prepare("INSERT INTO outbox(seq, class, created_ms, payload) VALUES (?1, ?2, ?3, ?4)");
    if (!insert) return fail(insert.error());
    std::uint64_t seq = lastSeq_;
    for (const auto& r : records) {
        ++seq;
        auto st = insert->bind(1, seq)
                      .bind(2, static_cast<int>(r.cls))
                      .bind(3, nowMs)
                      .bind(4, r.payload)
                      .run();
        if (!st) return fail(st.error());
        seqs.push_back(seq);
    }
    if (auto st = setMetaNumber(db_, meta::kLastSeq, seq); !st) return fail(st.error());
    if (auto st = tx.commit(); !st) return fail(st.error());
    lastSeq_ = seq;
    rows_ += records.size();
    bytes_ += addBytes;
    return seqs;
}

Result<std::vector<OutboxRecord>> Outbox::read(std::uint64_t fromSeq, std::size_t maxRecords,
                                               std::size_t maxBytes) {
    std::lock_guard lock(mutex_);
    std::vector<OutboxRecord> out;
    auto stmt = db_.prepare(
        "SELECT seq, class, created_ms, payload FROM outbox WHERE seq >= ?1 ORDER BY seq "
        "LIMIT ?2");
    if (!stmt) return stmt.error();
    stmt->bind(1, fromSeq).bind(2, static_cast<std::int64_t>(maxRecords));
    std::size_t total = 0;
    while (true) {
        auto row = stmt->step();
        if (!row) return row.error();
        if (!*row) break;
        OutboxRecord r;
        r.seq = static_cast<std::uint64_t>(stmt->columnInt(0));
        r.cls = static_cast<RecordClass>(stmt->columnInt(1));
        r.createdMs = stmt->columnInt(2);
        r.payload = stmt->columnBlob(3);
        if (!out.empty() && total + r.payload.size() > maxBytes) break;
        total += r.payload.size();
        out.push_back(std::move(r));
    }
    return out;
}

Status Outbox::ackThrough(std::uint64_t seq) {
    std::lock_guard lock(mutex_);
    if (seq > lastSeq_) seq = lastSeq_;  // never trust an ack beyond what exists
    sqlite::Transaction tx(db_);
    if (!tx.began()) return tx.beginStatus();
    auto sum = db_.prepare(
        "SELECT COUNT(*), COALESCE(SUM(length(payload)), 0) FROM outbox WHERE seq <= ?1");
    if (!sum) return sum.error();
    if (auto row = sum->bind(1, seq).step(); !row) return row.error();
    const auto n = static_cast<std::uint64_t>(sum->columnInt(0));
    const auto b = static_cast<std::uint64_t>(sum->columnInt(1));
    auto del = db_.prepare("DELETE FROM outbox WHERE seq <= ?1");
    if (!del) return del.error();
    if (auto st = del->bind(1, seq).run(); !st) return st;
    const auto acked = std::max(acked_, seq);
    if (auto st = setMetaNumber(db_, meta::kAckedThrough, acked); !st) return st;
    if (auto st = tx.commit(); !st) return st;
    acked_ = acked;
    rows_ -= n;
    bytes_ -= b + n * kRowOverhead;
    return {};
}

std::int64_t Outbox::oldestCreatedMs() {
    std::lock_guard lock(mutex_);
    auto stmt = db_.prepare("SELECT created_ms FROM outbox ORDER BY seq LIMIT 1");
    if (!stmt) return 0;
    auto row = stmt->step();
    return row && *row ? stmt->columnInt(0) : 0;
}

std::uint64_t Outbox::depth() {
    std::lock_guard lock(mutex_);
    return rows_;
}
std::uint64_t Outbox::bytes() {
    std::lock_guard lock(mutex_);
    return bytes_;
}
std::uint64_t Outbox::lastSeq() {
    std::lock_guard lock(mutex_);
    return lastSeq_;
}
std::uint64_t Outbox::ackedThrough() {
    std::lock_guard lock(mutex_);
    return acked_;
}
std::uint64_t Outbox::evicted() {
    std::lock_guard lock(mutex_);
    return evicted_;
}

std::uint64_t Outbox::firstUnackedSeq() {
    std::lock_guard lock(mutex_);
    auto stmt = db_.prepare("SELECT MIN(seq) FROM outbox");
    if (stmt && stmt->step().ok() && !stmt->columnIsNull(0)) {
        return static_cast<std::uint64_t>(stmt->columnInt(0));
    }
    return lastSeq_ + 1;
}

}  // namespace ironsight::sensor::store
