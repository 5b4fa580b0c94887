// SPDX-License-Identifier: Apache-2.0
// A table model that pages through the console core instead of holding every row: the filter
// and each page are queried off the GUI thread, stale answers are dropped.
#pragma once

#include <QTimer>
#include <atomic>
#include <cstdint>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>

#include "console/core/console_store.h"
#include "console/ui/table_model.h"

namespace ironsight::console::core {
class ConsoleService;
}

namespace ironsight::console::ui {

/// One page asked of a fetcher: rows [offset, offset + limit) of what matches `filter`, or, with
/// `countOnly`, how many match (answered in `total`; -1 when the fetcher cannot count).
struct PageRequest {
    QString filter;
    int offset = 0;
    int limit = 200;
    bool countOnly = false;
    /// Set by the model when the answer is no longer wanted (the filter changed): a fetcher that
    /// can stop early (the store's alert queries) does.
    std::shared_ptr<const std::atomic<bool>> cancel;
};

/// What a fetcher answers (on the worker thread). `total` < 0: unknown; then `more` says
/// whether rows follow this page.
struct PageAnswer {
    QVector<TableRow> rows;
    std::int64_t total = -1;
    bool more = false;
    QString error;
};

/// Runs on a worker thread; must be thread-safe (the console core's service is).
using PageFetcher = std::function<PageAnswer(const PageRequest&)>;
/// The store's change stamp (runs on the worker thread too: it takes the store's lock).
using StampFetcher = std::function<std::uint64_t()>;

class PagedTableModel final : public QAbstractTableModel {
    Q_OBJECT
public:
    PagedTableModel(QStringList headers, PageFetcher fetcher, StampFetcher stamp,
                    QObject* parent = nullptr);
    ~PagedTableModel() override;

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;
    bool canFetchMore(const QModelIndex& parent) const override;
    void fetchMore(const QModelIndex& parent) override;

    /// A typed filter: queried once typing pauses (debounceMs), off the GUI thread.
    void setFilter(const QString& filter);
    /// Queries `filter` now (still off the GUI thread): drill-down, pasted text.
    void setFilterNow(const QString& filter);
    QString filter() const { return filter_; }
    /// Re-queries the loaded rows if the store changed since the last answer (the window's
    /// refresh timer calls it; the change stamp is read on the worker too).
    void poll();
    /// Re-queries the loaded rows whatever the stamp says (after this window wrote something).
    void reload();
    /// Queries the first page on the calling thread (refreshNow, --screenshots).
    void loadNow();
    /// Replaces the fetcher (the read-only window's rows change with each snapshot) and reloads.
    void setFetcher(PageFetcher fetcher);
    /// Whether the fetcher answers countOnly requests (default yes). When not (the inventory's
    /// search has no count), a page that does not tell its total leaves it unknown ("N+
    /// matches") without a count request that would do nothing on the worker.
    void setCountable(bool countable) { countable_ = countable; }

    /// All matches (-1 while unknown or when the fetcher cannot count). The first page arrives
    /// without it when more rows follow; the count is asked for next (totalLoaded()).
    std::int64_t total() const { return total_; }
    /// The count of the current filter was asked for and has not arrived yet.
    bool counting() const { return countPending_; }
    /// Rows still to come below the loaded ones.
    bool hasMore() const { return more_; }
    /// A query is running or a typed filter is waiting for its pause.
    bool busy() const {
        return running_ || debounce_.isActive() || queued_.has_value() || countJob_.has_value();
    }
    /// Runs the event loop until nothing is in flight (tests, the bench); false on timeout.
    bool waitIdle(int timeoutMs = 30'000);
    QString lastError() const { return error_; }

    static constexpr int kPageRows = 200;
    static constexpr int kDebounceMs = 150;
    /// A count that took longer is not repeated by poll() (every 2 s the store changes while
    /// sensors stream); the filter's next change or reload() counts again.
    static constexpr int kRecountLimitMs = 1000;

signals:
    /// The first page for the current filter (or a refresh of the loaded rows) arrived.
    void pageLoaded();
    /// Rows were appended by fetchMore.
    void moreLoaded();
    /// The count of the current filter arrived (total()).
    void totalLoaded();

private:
    enum class Kind { Replace, Append, Count };
    struct Job {
        Kind kind = Kind::Replace;
        PageRequest request;
        bool onlyIfChanged = false;  // poll(): skip the query when the stamp is unchanged
        bool countAfter = true;      // Replace: ask for the count if the page does not tell it
    };
    struct Answer {
        quint64 generation = 0;
        Kind kind = Kind::Replace;
        int offset = 0;
        bool unchanged = false;
        bool countAfter = true;
        std::uint64_t stamp = 0;
        qint64 elapsedMs = 0;
        PageAnswer page;
    };
    void start(Job job);
    void run(Job job);
    /// `startNext` false: loadNow() runs what would come next itself.
    void receive(const Answer& answer, bool startNext = true);
    Job replaceJob(bool keepLoaded) const;
    /// A new filter or fetcher: older answers are dropped and the running query is told to stop.
    void newGeneration();

    QStringList headers_;
    PageFetcher fetcher_;
    StampFetcher stampFetcher_;
    QVector<TableRow> rows_;
    QString filter_;
    std::int64_t total_ = -1;
    bool countable_ = true;
    bool more_ = false;
    QString error_;
    quint64 generation_ = 0;  // bumped by every filter change: older answers are dropped
    bool running_ = false;    // one query at a time; the next one waits in queued_
    std::shared_ptr<std::atomic<bool>> runningCancel_;  // the running query's stop flag
    bool countPending_ = false;
    qint64 lastCountMs_ = 0;  // how long the last count took
    bool appending_ = false;
    std::optional<Job> queued_;
    std::optional<Job> countJob_;  // runs after the page, unless a newer request waits
    quint64 rowsGeneration_ = 0;   // the generation the loaded rows (and total_) belong to
    std::uint64_t stamp_ = 0;  // the store's change stamp when the rows were read
    QTimer debounce_;
    /// Queries still running on the pool: the destructor waits for them, because the fetchers
    /// refer to the console service, which the model's owner may destroy right after it.
    struct InFlight {
        std::mutex mutex;
        std::condition_variable idle;
        int count = 0;
    };
    std::shared_ptr<InFlight> inFlight_ = std::make_shared<InFlight>();
};

/// The Alerts page's filter text as a store query. Words naming a severity (critical, major,
/// minor, warning) or a status (new, acknowledged, closed; "open" = new and acknowledged) filter
/// on those; a local time prefix "yyyy-MM[-dd[ HH[:m[m]]]]" (the dashboard's time buckets)
/// selects that month, day, hour, 10 minutes or minute of "Last seen"; the other words, as typed,
/// are a substring of title, id, type, engine, devices, addresses, protocol, ATT&CK id,
/// assignee or sensor.
core::AlertQuery parseAlertFilter(const QString& filter);

/// The Alerts page's fetcher: the filter is parsed into a core::AlertQuery (parseAlertFilter),
/// a page is one queryAlerts call, the first one also a countAlerts. `deviceNames` (may return
/// null) names an alert's source and destination in the detail pane.
PageFetcher alertPageFetcher(core::ConsoleService* service,
                             std::function<std::shared_ptr<const QHash<QString, QString>>()>
                                 deviceNames);
/// The inventory's fetcher: searchDevices(filter, page + 1 rows) (the extra row says "more").
PageFetcher devicePageFetcher(core::ConsoleService* service);
/// Pages through rows held in memory (the read-only window over a snapshot loader): a row
/// matches when any cell contains the filter (case-insensitive).
PageFetcher memoryPageFetcher(std::shared_ptr<const QVector<TableRow>> rows);

}  // namespace ironsight::console::ui
