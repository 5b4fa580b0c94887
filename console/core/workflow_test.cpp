// SPDX-License-Identifier: Apache-2.0
// Alert workflow and site/zone hierarchy on a real console data directory: transitions, bulk
// all-or-nothing, comments, assignment, counts, role checks, audit records, schema v2 -> v3.
#include <gtest/gtest.h>

#include "console/core/console_service.h"
#include "console/core/test_console_fixture.h"
#include "shared/crypto/crypto.h"

namespace ironsight::console::core {
namespace {
namespace fs = std::filesystem;

using test::messageOf;

/// A temporary directory for the tests that build their own data dir.
struct TempDir : test::TempDir {
    TempDir() : test::TempDir("ironsight-workflow-") {}
};

/// Streams `alerts` (id, severity) from `sensorId` as one batch of a fresh epoch.
void ingestAlerts(ConsoleStore& store, const std::string& sensorId,
                  const std::vector<std::pair<std::string, v1::Severity>>& alerts,
                  std::uint64_t epoch = 1, std::uint64_t count = 1) {
    auto p = store.beginStream(sensorId, epoch, 1000);
    ASSERT_TRUE(p.ok());
    v1::Batch b;
    std::uint64_t seq = p->appliedThroughSeq;
    for (const auto& [id, severity] : alerts) {
        auto* env = b.add_envelopes();
        env->set_seq(++seq);
        auto* a = env->mutable_alert();
        a->set_id(id);
        a->set_engine("policy");
        a->set_severity(severity);
        a->set_title("Title of " + id);
        a->set_count(count);
        a->set_last_seen_ms(static_cast<std::int64_t>(seq));
    }
    auto applied = store.applyBatch(sensorId, epoch, b, 2000);
    ASSERT_TRUE(applied.ok()) << applied.error().message;
}

class Workflow : public test::ConsoleFixture {
protected:
    Workflow() : ConsoleFixture("ironsight-workflow-") {}

    void beforeInit() override { svc_->setClock([this] { return now_; }); }

    void SetUp() override {
        ConsoleFixture::SetUp();
        if (HasFatalFailure()) return;
        ingestAlerts(svc_->store(), s1_,
                     {{"a1", v1::SEVERITY_CRITICAL},
                      {"a2", v1::SEVERITY_MAJOR},
                      {"shared", v1::SEVERITY_MINOR}});
        ingestAlerts(svc_->store(), s2_, {{"b1", v1::SEVERITY_MAJOR}});
        ingestAlerts(svc_->store(), s3_,
                     {{"c1", v1::SEVERITY_WARNING}, {"shared", v1::SEVERITY_CRITICAL}});
    }

    AlertRow alert(const AlertKey& key) {
        auto alerts = svc_->listAlerts();
        for (const auto& a : *alerts) {
            if (a.sensorId == key.sensorId && a.alertId == key.alertId) return a;
        }
        ADD_FAILURE() << "no alert " << key.alertId;
        return {};
    }

    std::vector<AuditRow> auditSince(std::size_t from) {
        auto rows = *svc_->listAudit();
        return {rows.begin() + static_cast<std::ptrdiff_t>(std::min(from, rows.size())),
                rows.end()};
    }

    std::int64_t now_ = 1'700'000'000'000;
};

TEST_F(Workflow, NewAcknowledgedClosedReopenIsAuditedAndPersists) {
    Session ana = signIn("ana", Role::Analyst);
    AlertKey a1{s1_, "a1"};
    EXPECT_EQ(alert(a1).status, "new");
    std::size_t before = svc_->listAudit()->size();
    now_ += 1000;
    ASSERT_EQ(messageOf(svc_->setAlertStatus(ana, {a1}, AlertStatus::Acknowledged)), "ok");
    EXPECT_EQ(alert(a1).status, "acknowledged");
    EXPECT_EQ(alert(a1).statusChangedMs, now_);
    now_ += 1000;
    ASSERT_TRUE(svc_->setAlertStatus(ana, {a1}, AlertStatus::Closed).ok());
    // Setting the same status again changes (and audits) nothing.
    ASSERT_TRUE(svc_->setAlertStatus(ana, {a1}, AlertStatus::Closed).ok());
    now_ += 1000;
    ASSERT_TRUE(svc_->setAlertStatus(ana, {a1}, AlertStatus::New).ok());
    EXPECT_EQ(alert(a1).status, "new");
    auto rows = auditSince(before);
    ASSERT_EQ(rows.size(), 3u);
    EXPECT_EQ(rows[0].action, "alert.acknowledge");
    EXPECT_EQ(rows[0].outcome, "ok: new -> acknowledged");
    EXPECT_EQ(rows[1].action, "alert.close");
    EXPECT_EQ(rows[1].outcome, "ok: acknowledged -> closed");
    EXPECT_EQ(rows[2].action, "alert.reopen");
    EXPECT_EQ(rows[2].outcome, "ok: closed -> new");
    for (const auto& r : rows) {
        EXPECT_EQ(r.actor, "ana");
        EXPECT_EQ(r.source, "test");
        EXPECT_EQ(r.target, s1_ + "/a1");
    }
    ASSERT_TRUE(svc_->setAlertStatus(ana, {a1}, AlertStatus::Closed).ok());
    svc_.reset();
    // A new connection (a restarted console) sees the workflow state.
    auto again = ConsoleService::open(dir_.path);
    ASSERT_TRUE(again.ok());
    svc_ = std::move(*again);
    EXPECT_EQ(alert(a1).status, "closed");
    EXPECT_TRUE(svc_->verifyAudit()->intact());
}

TEST_F(Workflow, IngestUpdatesKeepStatusAssigneeAndComments) {
    AlertKey a2{s1_, "a2"};
    ASSERT_TRUE(svc_->setAlertStatus({a2}, AlertStatus::Closed).ok());
    ASSERT_TRUE(svc_->addUser("ana", "Initial-pass-ana1", Role::Analyst).ok());
    ASSERT_TRUE(svc_->assignAlert(a2, "ana").ok());
    ASSERT_TRUE(svc_->addAlertComment(a2, "false positive: maintenance window").ok());
    // The sensor reports the same alert again (higher count): workflow fields survive.
    ingestAlerts(svc_->store(), s1_, {{"a2", v1::SEVERITY_MAJOR}}, 1, 42);
    AlertRow row = alert(a2);
    EXPECT_EQ(row.count, 42u);
    EXPECT_EQ(row.status, "closed");
    EXPECT_EQ(row.assignee, "ana");
    EXPECT_EQ(row.comments, 1);
}

TEST_F(Workflow, BulkChangesAllOrNothing) {
    Session ana = signIn("ana", Role::Analyst);
    std::vector<AlertKey> keys = {{s1_, "a1"}, {s2_, "b1"}, {s3_, "c1"}};
    std::vector<AlertKey> withUnknown = keys;
    withUnknown.push_back({s2_, "nope"});
    std::size_t before = svc_->listAudit()->size();
    EXPECT_EQ(messageOf(svc_->setAlertStatus(ana, withUnknown, AlertStatus::Closed)),
              "no alert 'nope' from sensor '" + s2_ + "'");
    for (const auto& k : keys) EXPECT_EQ(alert(k).status, "new") << k.alertId;
    EXPECT_EQ(svc_->listAudit()->size(), before);  // nothing changed, nothing recorded
    ASSERT_TRUE(svc_->setAlertStatus(ana, keys, AlertStatus::Acknowledged).ok());
    for (const auto& k : keys) EXPECT_EQ(alert(k).status, "acknowledged") << k.alertId;
    auto rows = auditSince(before);
    ASSERT_EQ(rows.size(), 3u);
    EXPECT_EQ(rows[2].target, s3_ + "/c1");
    EXPECT_EQ(messageOf(svc_->setAlertStatus(ana, {}, AlertStatus::Closed)), "no alerts selected");
}

TEST_F(Workflow, CommentsAndAssignment) {
    Session ana = signIn("ana", Role::Analyst);
    ASSERT_TRUE(svc_->addUser("vic", "Initial-pass-vic1", Role::Viewer).ok());
    AlertKey b1{s2_, "b1"};
    now_ += 5;
    ASSERT_TRUE(svc_->addAlertComment(ana, b1, "  checking with the line engineer \n").ok());
    now_ += 5;
    ASSERT_TRUE(svc_->addAlertComment(ana, b1, "confirmed | planned = change \\ ok").ok());
    EXPECT_EQ(messageOf(svc_->addAlertComment(ana, b1, " \n\t")), "comment must not be empty");
    EXPECT_EQ(messageOf(svc_->addAlertComment(ana, b1, std::string(4001, 'x'))),
              "comment too long (at most 4000 characters)");
    EXPECT_EQ(messageOf(svc_->addAlertComment(ana, {s2_, "zz"}, "x")),
              "no alert 'zz' from sensor '" + s2_ + "'");
    auto comments = svc_->alertComments(b1);
    ASSERT_TRUE(comments.ok());
    ASSERT_EQ(comments->size(), 2u);
    EXPECT_EQ((*comments)[0].text, "checking with the line engineer");
    EXPECT_EQ((*comments)[0].author, "ana");
    EXPECT_EQ((*comments)[0].timeMs, 1'700'000'000'005);
    EXPECT_EQ((*comments)[1].text, "confirmed | planned = change \\ ok");
    EXPECT_LT((*comments)[0].id, (*comments)[1].id);
    EXPECT_TRUE(svc_->alertComments({s1_, "a1"})->empty());
    EXPECT_FALSE(svc_->alertComments({s1_, "zz"}).ok());

    ASSERT_TRUE(svc_->assignAlert(ana, b1, "ana").ok());
    EXPECT_EQ(alert(b1).assignee, "ana");
    EXPECT_EQ(svc_->listAudit()->back().outcome, "ok: to ana");
    EXPECT_EQ(messageOf(svc_->assignAlert(ana, b1, "vic")),
              "cannot assign alerts to 'vic': read-only users cannot triage alerts");
    EXPECT_EQ(messageOf(svc_->assignAlert(ana, b1, "ghost")), "no user 'ghost'");
    ASSERT_TRUE(svc_->assignAlert(ana, b1, "").ok());
    EXPECT_EQ(alert(b1).assignee, "");
    EXPECT_EQ(svc_->listAudit()->back().outcome, "ok: unassigned");
}

TEST_F(Workflow, ReadOnlyCannotMutateAndIsAudited) {
    Session vic = signIn("vic", Role::Viewer);
    AlertKey a1{s1_, "a1"};
    for (AlertStatus st : {AlertStatus::Acknowledged, AlertStatus::Closed}) {
        EXPECT_EQ(messageOf(svc_->setAlertStatus(vic, {a1}, st)),
                  "permission denied: viewer may not triage alerts");
    }
    EXPECT_EQ(messageOf(svc_->assignAlert(vic, a1, "admin")),
              "permission denied: viewer may not triage alerts");
    EXPECT_EQ(messageOf(svc_->addAlertComment(vic, a1, "hi")),
              "permission denied: viewer may not comment on alerts");
    AuditRow last = svc_->listAudit()->back();
    EXPECT_EQ(last.actor, "vic");
    EXPECT_EQ(last.action, "alert.comment");
    EXPECT_EQ(last.outcome, "denied: permission denied: viewer may not comment on alerts");
    EXPECT_EQ(alert(a1).status, "new");
    EXPECT_TRUE(svc_->alertComments(a1)->empty());
    // Reading is allowed.
    EXPECT_TRUE(svc_->alertCounts().ok());
}

TEST_F(Workflow, CountsBySeverityStatusSiteAndZone) {
    ASSERT_TRUE(svc_->setAlertStatus({{s1_, "a1"}, {s3_, "shared"}}, AlertStatus::Closed).ok());
    ASSERT_TRUE(svc_->setAlertStatus({{s2_, "b1"}}, AlertStatus::Acknowledged).ok());
    auto c = svc_->alertCounts();
    ASSERT_TRUE(c.ok());
    EXPECT_EQ(c->all, (AlertTally{6, 4}));
    EXPECT_EQ(c->bySeverity["critical"], (AlertTally{2, 0}));
    EXPECT_EQ(c->bySeverity["major"], (AlertTally{2, 2}));
    EXPECT_EQ(c->bySeverity["minor"], (AlertTally{1, 1}));
    EXPECT_EQ(c->bySeverity["warning"], (AlertTally{1, 1}));
    EXPECT_EQ(c->byStatus["new"], (AlertTally{3, 3}));
    EXPECT_EQ(c->byStatus["acknowledged"], (AlertTally{1, 1}));
    EXPECT_EQ(c->byStatus["closed"], (AlertTally{2, 0}));
    EXPECT_EQ(c->bySite["Plant A"], (AlertTally{4, 3}));
    EXPECT_EQ(c->bySite["Plant B"], (AlertTally{2, 1}));
    EXPECT_EQ(c->byZone["Plant A/Line 1"], (AlertTally{3, 2}));
    EXPECT_EQ(c->byZone["Plant A/Line 2"], (AlertTally{1, 1}));
    auto a = svc_->alertCounts("Plant A", "Line 2");
    EXPECT_EQ(a->all, (AlertTally{1, 1}));
    EXPECT_EQ(a->bySite.size(), 1u);
    EXPECT_EQ(svc_->alertCounts("Nowhere")->all, (AlertTally{0, 0}));
}

TEST_F(Workflow, FindAlertsDisambiguatesBySensor) {
    auto both = svc_->findAlerts("shared");
    ASSERT_EQ(both->size(), 2u);
    auto one = svc_->findAlerts("shared", "s3");
    ASSERT_EQ(one->size(), 1u);
    EXPECT_EQ((*one)[0].sensorId, s3_);
    EXPECT_EQ(svc_->findAlerts("shared", s1_)->at(0).sensorId, s1_);
    EXPECT_TRUE(svc_->findAlerts("none")->empty());
}

std::vector<std::string> idsOf(const Result<std::vector<AlertRow>>& rows) {
    std::vector<std::string> out;
    if (!rows) return {"error: " + rows.error().message};
    for (const auto& a : *rows) out.push_back(a.alertId);
    return out;
}

TEST_F(Workflow, QueryAlertsFiltersInSqlNewestFirstInPages) {
    using Ids = std::vector<std::string>;
    AlertQuery q;
    q.site = "Plant A";
    q.severities = {"major"};
    q.statuses = {"new"};
    EXPECT_EQ(idsOf(svc_->queryAlerts(q)), (Ids{"a2", "b1"}));  // last seen 2, then 1
    EXPECT_EQ(*svc_->countAlerts(q), 2);
    ASSERT_TRUE(svc_->setAlertStatus({{s1_, "a2"}}, AlertStatus::Closed).ok());
    EXPECT_EQ(idsOf(svc_->queryAlerts(q)), (Ids{"b1"}));
    q.statuses = {"closed", "acknowledged"};
    EXPECT_EQ(idsOf(svc_->queryAlerts(q)), (Ids{"a2"}));
    q.statuses = {"open"};  // = new
    q.zone = "Line 2";
    EXPECT_EQ(idsOf(svc_->queryAlerts(q)), (Ids{"b1"}));

    // Every alert: last seen descending, then alert id; a page of 2 after the first.
    AlertQuery all;
    EXPECT_EQ(idsOf(svc_->queryAlerts(all)), (Ids{"shared", "a2", "shared", "a1", "b1", "c1"}));
    all.limit = 2;
    all.offset = 1;
    EXPECT_EQ(idsOf(svc_->queryAlerts(all)), (Ids{"a2", "shared"}));
    EXPECT_EQ(*svc_->countAlerts(all), 6);  // the page does not narrow the count
    all.severities = {"critical"};
    all.offset = 0;
    all.limit = 0;
    EXPECT_EQ(idsOf(svc_->queryAlerts(all)), (Ids{"shared", "a1"}));

    // Text: case-insensitive over the listed fields; % and _ are literal.
    AlertQuery text;
    text.text = "TITLE OF c1";
    EXPECT_EQ(idsOf(svc_->queryAlerts(text)), (Ids{"c1"}));
    text.text = "a_";
    EXPECT_EQ(idsOf(svc_->queryAlerts(text)), (Ids{}));
    text.text = "%";
    EXPECT_EQ(*svc_->countAlerts(text), 0);

    AlertQuery bad;
    bad.severities = {"severe"};
    ASSERT_FALSE(svc_->queryAlerts(bad).ok());
    EXPECT_EQ(svc_->queryAlerts(bad).error().message, "unknown alert severity 'severe'");
    bad.severities.clear();
    bad.statuses = {"done"};
    EXPECT_EQ(svc_->countAlerts(bad).error().message, "unknown alert status 'done'");
}

TEST_F(Workflow, QueryAlertsTimeBoundsAndMultiValuePages) {
    // Last seen (= the envelope's seq): s1 a1 1, a2 2, shared 3; s2 b1 1; s3 c1 1, shared 2.
    using Ids = std::vector<std::string>;
    AlertQuery q;
    q.lastSeenFromMs = 2;  // at or after
    EXPECT_EQ(idsOf(svc_->queryAlerts(q)), (Ids{"shared", "a2", "shared"}));
    EXPECT_EQ(*svc_->countAlerts(q), 3);
    q.lastSeenBeforeMs = 3;  // and before
    EXPECT_EQ(idsOf(svc_->queryAlerts(q)), (Ids{"a2", "shared"}));
    EXPECT_EQ(*svc_->countAlerts(q), 2);
    q.lastSeenFromMs = 0;
    q.lastSeenBeforeMs = 2;
    EXPECT_EQ(idsOf(svc_->queryAlerts(q)), (Ids{"a1", "b1", "c1"}));
    EXPECT_EQ(*svc_->countAlerts(q), 3);
    q.lastSeenBeforeMs = 1;  // nothing before the first
    EXPECT_EQ(idsOf(svc_->queryAlerts(q)), (Ids{}));
    EXPECT_EQ(*svc_->countAlerts(q), 0);

    // Time bounds with several severities (one index range per status and severity, merged).
    q = {};
    q.lastSeenFromMs = 2;
    q.severities = {"critical", "major"};
    EXPECT_EQ(idsOf(svc_->queryAlerts(q)), (Ids{"a2", "shared"}));
    EXPECT_EQ(*svc_->countAlerts(q), 2);
    q.site = "Plant A";
    EXPECT_EQ(idsOf(svc_->queryAlerts(q)), (Ids{"a2"}));
    EXPECT_EQ(*svc_->countAlerts(q), 1);

    // Multi-value filters page exactly like slices of the whole ordered list.
    ASSERT_TRUE(svc_->setAlertStatus({{s3_, "c1"}}, AlertStatus::Acknowledged).ok());
    ASSERT_TRUE(svc_->setAlertStatus({{s1_, "a1"}}, AlertStatus::Closed).ok());
    AlertQuery multi;
    multi.statuses = {"new", "acknowledged", "new"};  // a repeated value counts once
    multi.severities = {"critical", "major", "minor", "warning"};
    const Ids open = {"shared", "a2", "shared", "b1", "c1"};
    EXPECT_EQ(idsOf(svc_->queryAlerts(multi)), open);
    EXPECT_EQ(*svc_->countAlerts(multi), 5);
    for (int offset = 0; offset < 6; ++offset) {
        multi.limit = 2;
        multi.offset = offset;
        const auto from = std::min<std::size_t>(static_cast<std::size_t>(offset), open.size());
        const auto to = std::min<std::size_t>(from + 2, open.size());
        EXPECT_EQ(idsOf(svc_->queryAlerts(multi)),
                  Ids(open.begin() + static_cast<std::ptrdiff_t>(from),
                      open.begin() + static_cast<std::ptrdiff_t>(to)))
            << "offset " << offset;
    }
    multi = {};
    multi.statuses = {"closed"};
    multi.text = "title of a";
    EXPECT_EQ(idsOf(svc_->queryAlerts(multi)), (Ids{"a1"}));
    EXPECT_EQ(*svc_->countAlerts(multi), 1);

    // The counters (a tally kept by triggers, schema v14) follow the status changes.
    auto counts = svc_->alertCounts();
    ASSERT_TRUE(counts.ok()) << counts.error().message;
    EXPECT_EQ(counts->all, (AlertTally{6, 5}));
    EXPECT_EQ(counts->byStatus["closed"], (AlertTally{1, 0}));
    EXPECT_EQ(counts->byStatus["acknowledged"], (AlertTally{1, 1}));
    EXPECT_EQ(counts->byZone["Plant A/Line 1"], (AlertTally{3, 2}));

    // A site of few sensors is walked one sensor range at a time (merged newest first): the
    // same rows, in the same order, as the site's slice of the whole list, page by page.
    Ids inSite;
    for (const auto& a : *svc_->queryAlerts(AlertQuery{})) {
        if (a.site == "Plant A") inSite.push_back(a.alertId);
    }
    ASSERT_GE(inSite.size(), 3u);
    for (const std::vector<std::string>& statuses :
         {std::vector<std::string>{}, std::vector<std::string>{"new", "acknowledged", "closed"}}) {
        AlertQuery site;
        site.site = "Plant A";
        site.statuses = statuses;
        EXPECT_EQ(idsOf(svc_->queryAlerts(site)), inSite);
        for (int offset = 0; offset <= static_cast<int>(inSite.size()); ++offset) {
            site.limit = 1;
            site.offset = offset;
            const auto from = static_cast<std::size_t>(offset);
            EXPECT_EQ(idsOf(svc_->queryAlerts(site)),
                      from < inSite.size() ? Ids{inSite[from]} : Ids{})
                << "offset " << offset;
        }
    }
    AlertQuery nowhere;
    nowhere.site = "No such site";
    EXPECT_EQ(idsOf(svc_->queryAlerts(nowhere)), Ids{});
}

TEST_F(Workflow, SearchDevicesMatchesAnyFieldInListOrder) {
    auto ingest = [&](const std::string& sensor, const std::vector<v1::Device>& devices) {
        auto p = svc_->store().beginStream(sensor, 1, 1000);
        ASSERT_TRUE(p.ok());
        v1::Batch b;
        std::uint64_t seq = p->appliedThroughSeq;
        for (const auto& d : devices) {
            auto* env = b.add_envelopes();
            env->set_seq(++seq);
            *env->mutable_device() = d;
        }
        ASSERT_TRUE(svc_->store().applyBatch(sensor, 1, b, 3000).ok());
    };
    v1::Device d1, d2, d3;
    d1.set_id("d1");
    d1.set_vendor("Siemens");
    d1.add_ips("10.0.0.5");
    d1.set_hostname("plc-one");
    d2.set_id("d2");
    d2.set_vendor("Moxa");
    d2.add_macs("00:90:e8:aa:bb:cc");
    auto* role = d2.add_protocols();
    role->set_name("modbus");
    role->set_role("server");
    d3.set_id("d3");
    d3.set_vendor("ABB");
    d3.set_serial("SN_100%");
    ingest(s1_, {d2, d1});
    ingest(s3_, {d3});

    using Ids = std::vector<std::string>;
    auto ids = [&](const std::string& term, int limit = 500, int offset = 0) {
        auto rows = svc_->searchDevices(term, limit, offset);
        Ids out;
        if (!rows) return Ids{"error: " + rows.error().message};
        for (const auto& d : *rows) out.push_back(d.deviceId);
        return out;
    };
    EXPECT_EQ(ids("siemens"), (Ids{"d1"}));
    EXPECT_EQ(ids("00:90:E8"), (Ids{"d2"}));  // MAC, any case
    EXPECT_EQ(ids("modbus"), (Ids{"d2"}));    // protocol
    EXPECT_EQ(ids("10.0.0"), (Ids{"d1"}));    // IP
    EXPECT_EQ(ids("plant b"), (Ids{"d3"}));   // site
    EXPECT_EQ(ids("Line 1"), (Ids{"d1", "d2"}));
    EXPECT_EQ(ids("N_100%"), (Ids{"d3"}));    // literal _ and %
    EXPECT_EQ(ids("S_"), (Ids{}));
    EXPECT_EQ(ids("no such thing"), (Ids{}));
    // Empty term: every device, in listDevices() order, paged.
    EXPECT_EQ(ids(""), (Ids{"d1", "d2", "d3"}));
    EXPECT_EQ(ids("", 2), (Ids{"d1", "d2"}));
    EXPECT_EQ(ids("", 2, 2), (Ids{"d3"}));
    EXPECT_EQ(svc_->searchDevices("d")->size(), svc_->listDevices()->size());
}

TEST_F(Workflow, SiteZoneHierarchyRenameMoveDelete) {
    Session admin = signIn("admin", Role::Admin);
    ASSERT_TRUE(svc_->renameSite(admin, "Plant B", "Plant Beta").ok());
    EXPECT_EQ(messageOf(svc_->renameSite(admin, "Plant A", "Plant Beta")),
              "site 'Plant Beta' already exists");
    EXPECT_EQ(messageOf(svc_->renameSite(admin, "Nowhere", "X")), "no site named 'Nowhere'");
    EXPECT_EQ((*svc_->store().findSensor("s3"))->site, "Plant Beta");

    ASSERT_TRUE(svc_->renameZone(admin, "Plant A", "Line 2", "Packaging").ok());
    EXPECT_EQ(messageOf(svc_->renameZone(admin, "Plant A", "Packaging", "Line 1")),
              "zone 'Line 1' already exists in site 'Plant A'");
    EXPECT_EQ((*svc_->store().findSensor("s2"))->zone, "Packaging");

    // Moving a zone takes its sensors, their alerts and devices along.
    ASSERT_TRUE(svc_->addZone("Plant Beta", "Line 1").ok());
    EXPECT_EQ(messageOf(svc_->moveZone(admin, "Plant A", "Line 1", "Plant Beta")),
              "cannot move zone 'Line 1': site 'Plant Beta' already has a zone of that name");
    EXPECT_EQ(messageOf(svc_->moveZone(admin, "Plant A", "Packaging", "Nowhere")),
              "no site named 'Nowhere'");
    ASSERT_TRUE(svc_->moveZone(admin, "Plant A", "Packaging", "Plant Beta").ok());
    EXPECT_EQ((*svc_->store().findSensor("s2"))->site, "Plant Beta");
    EXPECT_EQ(svc_->alertCounts()->byZone["Plant Beta/Packaging"], (AlertTally{1, 1}));

    EXPECT_EQ(messageOf(svc_->deleteZone(admin, "Plant Beta", "Packaging")),
              "cannot delete zone 'Packaging' of site 'Plant Beta': 1 sensor(s) (1 not revoked) "
              "belong to it; move or remove them first");
    EXPECT_EQ(messageOf(svc_->deleteSite(admin, "Plant Beta")),
              "cannot delete site 'Plant Beta': it still has 3 zone(s); delete or move them "
              "first");
    ASSERT_TRUE(svc_->deleteZone(admin, "Plant Beta", "Line 1").ok());
    ASSERT_TRUE(svc_->addSite("Empty").ok());
    ASSERT_TRUE(svc_->deleteSite(admin, "Empty").ok());
    EXPECT_EQ(messageOf(svc_->deleteSite(admin, "Empty")), "no site named 'Empty'");
    std::vector<std::string> actions;
    auto audit = svc_->listAudit();
    for (const auto& r : *audit) {
        if (r.actor == "admin" && r.outcome.rfind("ok", 0) == 0) actions.push_back(r.action);
    }
    std::vector<std::string> want = {
        "user.sign_in", "user.change_password", "site.rename", "zone.rename",
        "zone.move",    "zone.delete",          "site.delete"};
    EXPECT_EQ(actions, want);
    EXPECT_TRUE(svc_->verifyAudit()->intact());

    Session ana = signIn("ana", Role::Analyst);
    EXPECT_EQ(messageOf(svc_->deleteZone(ana, "Plant A", "Line 1")),
              "permission denied: analyst may not delete zones");
    EXPECT_EQ(messageOf(svc_->renameSite(ana, "Plant A", "X")),
              "permission denied: analyst may not rename sites");
}

TEST(WorkflowMigration, UpgradesASchemaV2DataDirWithAlertsInPlace) {
    TempDir dir;
    fs::path dbFile = dir.path / "console.db";
    {
        // Exactly what the v2 code wrote: schema steps 1-2, a sensor and its alerts.
        auto db = sqlite::Db::open(dbFile);
        ASSERT_TRUE(db.ok());
        ASSERT_TRUE(sqlite::migrate(*db, {schemaSteps()[0], schemaSteps()[1]}).ok());
        ASSERT_TRUE(db->exec(R"sql(
INSERT INTO sites(name) VALUES('P');
INSERT INTO zones(site_id, name) VALUES(1, 'Z');
INSERT INTO sensors(id, name, zone_id, status, created_at) VALUES('sid', 's', 1, 'active', 1);
INSERT INTO alerts(sensor_id, alert_id, severity, title, count, last_seen, status)
  VALUES('sid', 'x1', 4, 'PLC stop', 3, 10, 'new'), ('sid', 'x2', 2, 'Scan', 1, 11, 'new');
INSERT INTO audit_head(id, records, hash) VALUES(1, 0, '');
)sql")
                        .ok());
        auto v = db->prepare("PRAGMA user_version");
        ASSERT_TRUE(*v->step());
        ASSERT_EQ(v->columnInt(0), 2);
    }
    auto opened = ConsoleService::open(dir.path);
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    ConsoleService& svc = **opened;
    auto alerts = *svc.listAlerts();
    ASSERT_EQ(alerts.size(), 2u);
    EXPECT_EQ(alerts[0].alertId, "x2");
    EXPECT_EQ(alerts[0].status, "new");
    EXPECT_EQ(alerts[0].assignee, "");
    EXPECT_EQ(alerts[1].severity, "critical");
    ASSERT_TRUE(svc.setAlertStatus({{"sid", "x1"}}, AlertStatus::Closed).ok());
    ASSERT_TRUE(svc.addAlertComment({"sid", "x1"}, "upgraded").ok());
    EXPECT_EQ(svc.alertCounts()->byStatus["closed"], (AlertTally{1, 0}));
    EXPECT_TRUE(svc.verifyAudit()->intact());
    auto db = sqlite::Db::open(dbFile);
    auto st = db->prepare("PRAGMA user_version");
    ASSERT_TRUE(*st->step());
    EXPECT_EQ(st->columnInt(0), static_cast<std::int64_t>(schemaSteps().size()));
}

}  // namespace
}  // namespace ironsight::console::core
