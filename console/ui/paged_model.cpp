// SPDX-License-Identifier: Apache-2.0
// A table model that pages through the console core (see paged_model.h).
#include "console/ui/paged_model.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QElapsedTimer>
#include <QPointer>
#include <QRegularExpression>
#include <QThreadPool>
#include <algorithm>

#include "console/core/console_service.h"
#include "console/ui/event_wait.h"
#include "console/ui/snapshot.h"

namespace ironsight::console::ui {

namespace {

/// The model's worker threads: separate from the window's pool (snapshot loads) and the global
/// one (map layouts) so a long snapshot load never queues a page behind it.
QThreadPool& pagePool() {
    static QThreadPool* pool = [] {
        auto* p = new QThreadPool;  // lives for the process: workers may outlive a model
        p->setMaxThreadCount(2);
        return p;
    }();
    return *pool;
}

}  // namespace

PagedTableModel::PagedTableModel(QStringList headers, PageFetcher fetcher, StampFetcher stamp,
                                 QObject* parent)
    : QAbstractTableModel(parent),
      headers_(std::move(headers)),
      fetcher_(std::move(fetcher)),
      stampFetcher_(std::move(stamp)) {
    debounce_.setSingleShot(true);
    debounce_.setInterval(kDebounceMs);
    connect(&debounce_, &QTimer::timeout, this, [this] { start(replaceJob(false)); });
}

PagedTableModel::~PagedTableModel() {
    if (runningCancel_) runningCancel_->store(true);  // its answer has nobody to go to
    std::unique_lock lock(inFlight_->mutex);
    inFlight_->idle.wait(lock, [this] { return inFlight_->count == 0; });
}

int PagedTableModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : static_cast<int>(rows_.size());
}

int PagedTableModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : static_cast<int>(headers_.size());
}

QVariant PagedTableModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid() || index.row() >= rows_.size()) return {};
    return tableRowData(rows_[index.row()], index.column(), role);
}

QVariant PagedTableModel::headerData(int section, Qt::Orientation orientation, int role) const {
    QVariant header = tableHeaderData(headers_, section, orientation, role);
    return header.isValid() ? header
                            : QAbstractTableModel::headerData(section, orientation, role);
}

bool PagedTableModel::canFetchMore(const QModelIndex& parent) const {
    return !parent.isValid() && more_ && !appending_;
}

void PagedTableModel::fetchMore(const QModelIndex& parent) {
    if (!canFetchMore(parent)) return;
    appending_ = true;
    Job job;
    job.kind = Kind::Append;
    job.request.filter = filter_;
    job.request.offset = static_cast<int>(rows_.size());
    job.request.limit = kPageRows;
    start(std::move(job));
}

PagedTableModel::Job PagedTableModel::replaceJob(bool keepLoaded) const {
    Job job;
    job.request.filter = filter_;
    // A refresh re-reads what is loaded, so the scroll position survives it.
    job.request.limit = keepLoaded ? std::max(kPageRows, static_cast<int>(rows_.size())) : kPageRows;
    job.countAfter = countable_;
    return job;
}

void PagedTableModel::newGeneration() {
    ++generation_;  // answers for the old filter are dropped from now on
    if (runningCancel_) runningCancel_->store(true);  // and its running query may stop early
    queued_.reset();
    countJob_.reset();
    countPending_ = false;
    appending_ = false;
}

void PagedTableModel::setFilter(const QString& filter) {
    if (filter == filter_ && !debounce_.isActive()) return;
    filter_ = filter;
    newGeneration();
    debounce_.start();
}

void PagedTableModel::setFilterNow(const QString& filter) {
    debounce_.stop();
    filter_ = filter;
    newGeneration();
    start(replaceJob(false));
}

void PagedTableModel::poll() {
    if (running_ || debounce_.isActive() || queued_ || countJob_ || appending_)
        return;  // an answer is on its way anyway
    Job job = replaceJob(true);
    job.onlyIfChanged = static_cast<bool>(stampFetcher_);
    // A slow count (a text filter over a million alerts) is not repeated every 2 s: the label
    // keeps the last count until the filter changes or this window writes (reload()).
    job.countAfter = countable_ && lastCountMs_ <= kRecountLimitMs;
    start(std::move(job));
}

void PagedTableModel::reload() {
    if (debounce_.isActive()) return;  // the typed filter's query comes anyway
    start(replaceJob(true));
}

void PagedTableModel::setFetcher(PageFetcher fetcher) {
    fetcher_ = std::move(fetcher);
    newGeneration();
    start(replaceJob(true));
}

void PagedTableModel::loadNow() {
    debounce_.stop();
    newGeneration();
    const bool wasRunning = running_;
    Answer answer;
    answer.generation = generation_;
    answer.stamp = stampFetcher_ ? stampFetcher_() : 0;
    answer.page = fetcher_(replaceJob(true).request);
    receive(answer, /*startNext=*/false);
    if (countJob_) {  // the count too, here (--screenshots shows the label)
        Answer count;
        count.generation = generation_;
        count.kind = Kind::Count;
        count.page = fetcher_(countJob_->request);
        countJob_.reset();
        receive(count, /*startNext=*/false);
    }
    running_ = wasRunning;  // a worker still running posts its (now stale) answer later
}

void PagedTableModel::start(Job job) {
    if (running_) {  // one at a time: the newest request waits, older waiting ones are dropped
        if (queued_ && queued_->kind == Kind::Append && job.kind != Kind::Append)
            appending_ = false;  // the dropped page is asked for again when the view scrolls
        queued_ = std::move(job);
        return;
    }
    run(std::move(job));
}

void PagedTableModel::run(Job job) {
    running_ = true;
    auto cancel = std::make_shared<std::atomic<bool>>(false);
    runningCancel_ = cancel;
    job.request.cancel = std::move(cancel);
    const quint64 generation = generation_;
    const std::uint64_t lastStamp = stamp_;
    QPointer<PagedTableModel> self(this);
    PageFetcher fetcher = fetcher_;
    StampFetcher stampFetcher = stampFetcher_;
    std::shared_ptr<InFlight> inFlight = inFlight_;
    {
        std::lock_guard lock(inFlight->mutex);
        ++inFlight->count;
    }
    pagePool().start([self, generation, lastStamp, job = std::move(job), fetcher, stampFetcher,
                      inFlight] {
        Answer answer;
        answer.generation = generation;
        answer.kind = job.kind;
        answer.offset = job.request.offset;
        answer.countAfter = job.countAfter;
        if (stampFetcher) answer.stamp = stampFetcher();
        if (job.onlyIfChanged && answer.stamp == lastStamp && lastStamp != 0) {
            answer.unchanged = true;
        } else {
            QElapsedTimer clock;
            clock.start();
            answer.page = fetcher(job.request);
            answer.elapsedMs = clock.elapsed();
        }
        // Back to the GUI thread; QPointer is checked there (the model may be gone by then).
        QMetaObject::invokeMethod(
            QCoreApplication::instance(),
            [self, answer = std::move(answer)] {
                if (self) self->receive(answer);
            },
            Qt::QueuedConnection);
        {
            std::lock_guard lock(inFlight->mutex);
            --inFlight->count;
        }
        inFlight->idle.notify_all();
    });
}

void PagedTableModel::receive(const Answer& answer, bool startNext) {
    running_ = false;
    runningCancel_.reset();
    const bool current = answer.generation == generation_;
    if (current && answer.kind == Kind::Count) {
        countPending_ = false;
        lastCountMs_ = answer.elapsedMs;
        if (answer.page.error.isEmpty() && answer.page.total >= 0) {
            total_ = answer.page.total;
            more_ = rows_.size() < total_;
        }
        emit totalLoaded();
    } else if (current && !answer.unchanged) {
        error_ = answer.page.error;
        if (answer.kind == Kind::Append) {
            appending_ = false;
            // A refresh may have replaced the rows meanwhile: append only where this page began.
            if (error_.isEmpty() && answer.offset == rows_.size() && !answer.page.rows.isEmpty()) {
                beginInsertRows({}, static_cast<int>(rows_.size()),
                                static_cast<int>(rows_.size() + answer.page.rows.size()) - 1);
                rows_ += answer.page.rows;
                endInsertRows();
            }
            if (error_.isEmpty()) {
                more_ = answer.page.total >= 0 ? rows_.size() < answer.page.total
                                               : answer.page.more;
                if (answer.page.total >= 0) total_ = answer.page.total;
            }
            emit moreLoaded();
        } else {
            if (error_.isEmpty()) {
                beginResetModel();
                rows_ = answer.page.rows;
                // Unknown: the count follows; a refresh of the same filter keeps the last one.
                if (answer.page.total >= 0) total_ = answer.page.total;
                else if (rowsGeneration_ != answer.generation) total_ = -1;
                rowsGeneration_ = answer.generation;
                more_ = answer.page.total >= 0 ? rows_.size() < answer.page.total
                                               : answer.page.more;
                stamp_ = answer.stamp;
                endResetModel();
                if (answer.page.total < 0 && answer.page.more && answer.countAfter) {
                    // The table first, the count after: it may take seconds.
                    Job count;
                    count.kind = Kind::Count;
                    count.request.filter = filter_;
                    count.request.countOnly = true;
                    countJob_ = std::move(count);
                    countPending_ = true;
                }
            }
            emit pageLoaded();
        }
    }
    if (!startNext) return;
    if (queued_) {
        Job next = std::move(*queued_);
        queued_.reset();
        run(std::move(next));
    } else if (countJob_) {
        Job next = std::move(*countJob_);
        countJob_.reset();
        run(std::move(next));
    }
}

bool PagedTableModel::waitIdle(int timeoutMs) {
    return processEventsWhile([this] { return busy(); }, timeoutMs);
}

core::AlertQuery parseAlertFilter(const QString& filter) {
    core::AlertQuery query;
    QString rest = filter.trimmed();
    // The dashboard's time buckets: "2026-01-01 10" is that hour of local time.
    static const QRegularExpression timePrefix(
        QStringLiteral("(?:^|\\s)(\\d{4}-\\d{2}(?:-\\d{2}(?: \\d{2}(?::\\d{1,2})?)?)?)(?=\\s|$)"));
    const QRegularExpressionMatch m = timePrefix.match(rest);
    if (m.hasMatch()) {
        const QString prefix = m.captured(1);
        const QString full = QStringLiteral("2000-01-01 00:00");
        // Complete the prefix ("2026-01-01 10:3" -> "2026-01-01 10:30").
        QString stamp = prefix + full.mid(prefix.size());
        if (prefix.size() == 15) stamp = prefix + QStringLiteral("0");
        const QDateTime from =
            QDateTime::fromString(stamp, QStringLiteral("yyyy-MM-dd HH:mm"));  // local time
        if (from.isValid()) {
            QDateTime to;
            switch (prefix.size()) {
                case 7: to = from.addMonths(1); break;
                case 10: to = from.addDays(1); break;
                case 13: to = from.addSecs(3600); break;
                case 15: to = from.addSecs(600); break;
                default: to = from.addSecs(60); break;
            }
            query.lastSeenFromMs = from.toMSecsSinceEpoch();
            query.lastSeenBeforeMs = to.toMSecsSinceEpoch();
            rest.remove(m.capturedStart(1), m.capturedLength(1));
        }
    }
    QStringList words;
    for (const QString& word : rest.split(QLatin1Char(' '), Qt::SkipEmptyParts)) {
        const QString w = word.toLower();
        if (w == QLatin1String("critical") || w == QLatin1String("major") ||
            w == QLatin1String("minor") || w == QLatin1String("warning")) {
            query.severities.push_back(w.toStdString());
        } else if (w == QLatin1String("new") || w == QLatin1String("acknowledged") ||
                   w == QLatin1String("closed")) {
            query.statuses.push_back(w.toStdString());
        } else if (w == QLatin1String("open")) {
            query.statuses.push_back("new");
            query.statuses.push_back("acknowledged");
        } else {
            words << word;
        }
    }
    query.text = words.join(QLatin1Char(' ')).toStdString();
    return query;
}

PageFetcher alertPageFetcher(core::ConsoleService* service,
                             std::function<std::shared_ptr<const QHash<QString, QString>>()>
                                 deviceNames) {
    return [service, deviceNames](const PageRequest& request) {
        PageAnswer answer;
        core::AlertQuery query = parseAlertFilter(request.filter);
        query.cancel = request.cancel;
        if (request.countOnly) {
            auto total = service->countAlerts(query);
            if (total) answer.total = *total;
            else answer.error = QString::fromStdString(total.error().message);
            return answer;
        }
        // One row beyond the page tells whether more follow; the count is a separate request.
        query.limit = request.limit + 1;
        query.offset = request.offset;
        auto rows = service->queryAlerts(query);
        if (!rows) {
            answer.error = QString::fromStdString(rows.error().message);
            return answer;
        }
        answer.more = static_cast<int>(rows->size()) > request.limit;
        if (answer.more) rows->pop_back();
        const auto names = deviceNames ? deviceNames() : nullptr;
        answer.rows.reserve(static_cast<int>(rows->size()));
        for (const auto& a : *rows) answer.rows.push_back(alertTableRow(a, names.get()));
        if (!answer.more) answer.total = request.offset + static_cast<std::int64_t>(rows->size());
        return answer;
    };
}

PageFetcher devicePageFetcher(core::ConsoleService* service) {
    return [service](const PageRequest& request) {
        PageAnswer answer;
        if (request.countOnly) return answer;  // the store does not count searches: "N+ matches"
        // One row beyond the page tells whether more follow (the store does not count them).
        auto rows = service->searchDevices(request.filter.trimmed().toStdString(),
                                           request.limit + 1, request.offset);
        if (!rows) {
            answer.error = QString::fromStdString(rows.error().message);
            return answer;
        }
        answer.more = static_cast<int>(rows->size()) > request.limit;
        if (answer.more) rows->pop_back();
        answer.rows.reserve(static_cast<int>(rows->size()));
        for (const auto& d : *rows) answer.rows.push_back(deviceTableRow(d));
        if (!answer.more) answer.total = request.offset + static_cast<std::int64_t>(rows->size());
        return answer;
    };
}

PageFetcher memoryPageFetcher(std::shared_ptr<const QVector<TableRow>> rows) {
    return [rows](const PageRequest& request) {
        PageAnswer answer;
        const QString filter = request.filter.trimmed();
        int matched = 0;
        for (const TableRow& row : *rows) {
            bool hit = filter.isEmpty();
            for (int c = 0; !hit && c < row.cells.size(); ++c)
                hit = row.cells[c].contains(filter, Qt::CaseInsensitive);
            if (!hit) continue;
            if (matched >= request.offset && answer.rows.size() < request.limit)
                answer.rows.push_back(row);
            ++matched;
        }
        answer.total = matched;
        answer.more = request.offset + answer.rows.size() < matched;
        return answer;
    };
}

}  // namespace ironsight::console::ui
