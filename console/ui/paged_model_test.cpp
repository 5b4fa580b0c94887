// SPDX-License-Identifier: Apache-2.0
// The paged table models over a real console store (offscreen platform): filter parsing, pages
// fetched as the view asks, counts, stale answers dropped, refresh on the change stamp.
#include "console/ui/paged_model.h"

#include <gtest/gtest.h>

#include <QDateTime>
#include <QLabel>
#include <QTableView>
#include <atomic>
#include <future>
#include <thread>

#include "console/ui/alerts_page.h"
#include "console/ui/event_wait.h"
#include "console/ui/ui_test_plant.h"

namespace ironsight::console::ui {
namespace {

class PagedModelTest : public testing::PlantFixture {
protected:
    /// `n` alerts on sensor s1: every 10th critical, the rest warning; titles "Alert <i>".
    void ingestAlerts(int n) {
        auto& store = service_->store();
        ASSERT_TRUE(store.beginStream(s1_, 1, core::nowMs()).ok());
        ironsight::v1::Batch batch;
        for (int i = 0; i < n; ++i) {
            alert(batch, static_cast<std::uint64_t>(i + 1), "a" + std::to_string(i), "ews", "plc1",
                  i % 10 == 0 ? ironsight::v1::SEVERITY_CRITICAL : ironsight::v1::SEVERITY_WARNING,
                  "Alert " + std::to_string(i));
            batch.mutable_envelopes(i)->mutable_alert()->set_last_seen_ms(1700000000000 + i * 1000);
        }
        auto applied = store.applyBatch(s1_, 1, batch, core::nowMs());
        ASSERT_TRUE(applied.ok()) << applied.error().message;
    }
    PagedTableModel* alertsModel(QObject* parent) {
        core::ConsoleService* service = service_.get();
        return new PagedTableModel({"Severity", "Status", "Title"},
                                   alertPageFetcher(service, nullptr),
                                   [service] { return service->changeStamp(); }, parent);
    }
};

TEST(AlertFilterTest, WordsBecomeSeveritiesStatusesTimeAndText) {
    core::AlertQuery q = parseAlertFilter("Critical open modbus write");
    EXPECT_EQ(q.severities, std::vector<std::string>({"critical"}));
    EXPECT_EQ(q.statuses, std::vector<std::string>({"new", "acknowledged"}));
    EXPECT_EQ(q.text, "modbus write");
    EXPECT_EQ(q.lastSeenFromMs, 0);

    q = parseAlertFilter("2026-01-01 10");  // a dashboard bucket: that hour, local time
    const QDateTime from = QDateTime::fromString("2026-01-01 10:00", "yyyy-MM-dd HH:mm");
    EXPECT_EQ(q.lastSeenFromMs, from.toMSecsSinceEpoch());
    EXPECT_EQ(q.lastSeenBeforeMs, from.addSecs(3600).toMSecsSinceEpoch());
    EXPECT_TRUE(q.text.empty());

    q = parseAlertFilter("2026-01-01 10:3 closed");  // ten minutes
    EXPECT_EQ(q.lastSeenBeforeMs - q.lastSeenFromMs, 600'000);
    EXPECT_EQ(q.statuses, std::vector<std::string>({"closed"}));

    q = parseAlertFilter("10.10.1.50");
    EXPECT_EQ(q.text, "10.10.1.50");
    EXPECT_EQ(q.lastSeenFromMs, 0);
}

TEST_F(PagedModelTest, PagesLoadAsTheViewScrollsAndTheCountIsTheStores) {
    ingestAlerts(450);
    QTableView view;
    PagedTableModel* model = alertsModel(&view);
    view.setModel(model);
    model->loadNow();
    EXPECT_EQ(model->rowCount(), PagedTableModel::kPageRows);
    EXPECT_EQ(model->total(), 450);
    EXPECT_EQ(model->index(0, 2).data().toString(), "Alert 449");  // newest first
    ASSERT_TRUE(model->canFetchMore({}));
    model->fetchMore({});
    EXPECT_FALSE(model->canFetchMore({}));  // one page at a time
    ASSERT_TRUE(model->waitIdle());
    EXPECT_EQ(model->rowCount(), 400);
    model->fetchMore({});
    ASSERT_TRUE(model->waitIdle());
    EXPECT_EQ(model->rowCount(), 450);
    EXPECT_FALSE(model->canFetchMore({}));
    EXPECT_EQ(model->index(449, 2).data().toString(), "Alert 0");

    // A filter: 45 critical alerts, counted by the store.
    model->setFilter("critical");
    EXPECT_TRUE(model->busy());
    EXPECT_EQ(model->rowCount(), 450);  // the old rows stay until the answer arrives
    ASSERT_TRUE(model->waitIdle());
    EXPECT_EQ(model->rowCount(), 45);
    EXPECT_EQ(model->total(), 45);
    EXPECT_FALSE(model->canFetchMore({}));
}

TEST_F(PagedModelTest, AnAnswerForAnOlderFilterIsDropped) {
    ingestAlerts(30);
    core::ConsoleService* service = service_.get();
    std::promise<void> release;
    std::shared_future<void> released = release.get_future().share();
    std::atomic<int> calls{0};
    PageFetcher real = alertPageFetcher(service, nullptr);
    // The first query (filter "warning") is held until the second filter was typed.
    PageFetcher held = [&, released](const PageRequest& request) {
        if (calls++ == 0) released.wait();
        return real(request);
    };
    PagedTableModel model({"Severity", "Status", "Title"}, held, {});
    model.setFilterNow("warning");
    model.setFilterNow("critical");  // queued behind the held one
    release.set_value();
    ASSERT_TRUE(model.waitIdle());
    EXPECT_EQ(calls.load(), 2);
    EXPECT_EQ(model.filter(), "critical");
    EXPECT_EQ(model.rowCount(), 3);  // a0, a10, a20: the warning answer never showed
    for (int r = 0; r < model.rowCount(); ++r)
        EXPECT_TRUE(model.index(r, 0).data().toString().contains("critical"));
}

// The table shows the first page as soon as it is read; the count of a broad filter follows.
TEST_F(PagedModelTest, TheFirstPageArrivesBeforeTheCount) {
    ingestAlerts(450);
    core::ConsoleService* service = service_.get();
    std::promise<void> release;
    std::shared_future<void> released = release.get_future().share();
    PageFetcher real = alertPageFetcher(service, nullptr);
    PageFetcher slowCount = [&real, released](const PageRequest& request) {
        if (request.countOnly) released.wait();
        return real(request);
    };
    PagedTableModel model({"Severity", "Status", "Title"}, slowCount, {});
    int totals = 0;
    QObject::connect(&model, &PagedTableModel::totalLoaded, [&totals] { ++totals; });
    model.setFilterNow("warning");  // 405 match: more than a page
    ASSERT_TRUE(processEventsWhile([&] { return model.rowCount() == 0; }, 30'000));
    EXPECT_EQ(model.rowCount(), PagedTableModel::kPageRows);
    EXPECT_EQ(model.total(), -1);
    EXPECT_TRUE(model.counting());
    EXPECT_TRUE(model.busy());
    release.set_value();
    ASSERT_TRUE(model.waitIdle());
    EXPECT_EQ(totals, 1);
    EXPECT_EQ(model.total(), 405);
    EXPECT_FALSE(model.counting());
}

// A new filter tells the running query to stop (the store ends it with "query cancelled"), so
// the new page does not wait behind a scan of every alert.
TEST_F(PagedModelTest, ANewFilterCancelsTheRunningQuery) {
    ingestAlerts(2000);  // enough rows for the store's stop check (every 10,000 steps) to run
    core::ConsoleService* service = service_.get();
    PageFetcher real = alertPageFetcher(service, nullptr);
    std::atomic<bool> started{false}, sawCancel{false};
    std::atomic<int> calls{0};
    PageFetcher stuck = [&](const PageRequest& request) {
        if (calls++ == 0) {  // the first query runs until told to stop (at most 30 s)
            started = true;
            for (int i = 0; i < 30'000 && !(request.cancel && *request.cancel); ++i)
                std::this_thread::sleep_for(std::chrono::milliseconds(1));
            sawCancel = request.cancel && request.cancel->load();
        }
        return real(request);
    };
    PagedTableModel model({"Severity", "Status", "Title"}, stuck, {});
    model.setFilterNow("warning");
    ASSERT_TRUE(processEventsWhile([&] { return !started.load(); }, 30'000));
    model.setFilterNow("critical");
    ASSERT_TRUE(model.waitIdle());
    EXPECT_TRUE(sawCancel.load());
    EXPECT_EQ(model.rowCount(), 200);  // every 10th of 2,000
    EXPECT_EQ(model.total(), 200);

    // The store side: the fetcher hands the flag to the query, which stops. (A text too short
    // for the alert text index, so the count reads every alert.)
    auto stop = std::make_shared<std::atomic<bool>>(true);
    PageRequest count;
    count.filter = QStringLiteral("zq");
    count.countOnly = true;
    count.cancel = stop;
    const PageAnswer cancelled = real(count);
    EXPECT_EQ(cancelled.error, QStringLiteral("query cancelled"));
    stop->store(false);
    const PageAnswer counted = real(count);
    EXPECT_TRUE(counted.error.isEmpty()) << counted.error.toStdString();
    EXPECT_EQ(counted.total, 0);
}

TEST_F(PagedModelTest, PollRereadsOnlyWhenTheStoreChanged) {
    ingestAlerts(5);
    QObject owner;
    PagedTableModel* model = alertsModel(&owner);
    model->loadNow();
    ASSERT_EQ(model->rowCount(), 5);
    int resets = 0;
    QObject::connect(model, &QAbstractItemModel::modelReset, [&resets] { ++resets; });
    model->poll();
    ASSERT_TRUE(model->waitIdle());
    EXPECT_EQ(resets, 0);  // nothing committed: the rows stay as they are
    ASSERT_TRUE(service_->setAlertStatus({{s1_, "a3"}}, core::AlertStatus::Closed).ok());
    model->poll();
    ASSERT_TRUE(model->waitIdle());
    EXPECT_EQ(resets, 1);
    bool closed = false;
    for (int r = 0; r < model->rowCount(); ++r) {
        if (model->index(r, 2).data().toString() == "Alert 3")
            closed = model->index(r, 1).data().toString() == "closed";
    }
    EXPECT_TRUE(closed);
}

// A model whose fetcher cannot count (the inventory's search) leaves the total unknown after a
// page that does not tell it, and sends no count request; a countable one asks once.
TEST_F(PagedModelTest, OnlyACountableModelAsksForTheCount) {
    std::atomic<int> countRequests{0};
    PageFetcher fetcher = [&](const PageRequest& request) {
        PageAnswer answer;
        if (request.countOnly) {
            ++countRequests;
            answer.total = 999;
            return answer;
        }
        for (int i = 0; i < request.limit; ++i) {
            TableRow row;
            row.cells = {QString::number(request.offset + i)};
            answer.rows.push_back(row);
        }
        answer.more = true;  // and no total: the count would come next
        return answer;
    };
    QObject owner;
    auto* silent = new PagedTableModel({"Device"}, fetcher, {}, &owner);
    silent->setCountable(false);
    silent->setFilterNow("x");
    ASSERT_TRUE(silent->waitIdle());
    EXPECT_EQ(silent->rowCount(), PagedTableModel::kPageRows);
    EXPECT_EQ(silent->total(), -1);
    EXPECT_FALSE(silent->counting());
    EXPECT_EQ(countRequests.load(), 0);

    auto* counted = new PagedTableModel({"Device"}, fetcher, {}, &owner);
    counted->setFilterNow("x");
    ASSERT_TRUE(counted->waitIdle());
    EXPECT_EQ(counted->total(), 999);
    EXPECT_EQ(countRequests.load(), 1);
}

TEST_F(PagedModelTest, InventorySearchPagesThroughTheStore) {
    ingestPlant();
    QObject owner;
    auto* model = new PagedTableModel({"Device"}, devicePageFetcher(service_.get()), {}, &owner);
    model->loadNow();
    EXPECT_EQ(model->rowCount(), 6);
    EXPECT_EQ(model->total(), 6);  // fewer than a page: the count is known
    model->setFilter("plc");
    ASSERT_TRUE(model->waitIdle());
    EXPECT_EQ(model->rowCount(), 2);
    model->setFilter("no-such-device");
    ASSERT_TRUE(model->waitIdle());
    EXPECT_EQ(model->rowCount(), 0);
}

}  // namespace
}  // namespace ironsight::console::ui
