// SPDX-License-Identifier: Apache-2.0
// Tests for roles, sign-in, lockout, sessions and the hash-chained audit log on real SQLite files.
#include "console/core/auth.h"

#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <set>

#include "console/core/cert_test_util.h"
#include "console/core/console_service.h"
#include "shared/crypto/crypto.h"

namespace ironsight::console::core {
namespace {
namespace fs = std::filesystem;

constexpr const char* kAdminInitial = "Initial-admin-1";
constexpr const char* kAdminPassword = "Changed-admin-2";
constexpr std::int64_t kMinute = 60'000;

struct TempDir {
    fs::path path = fs::temp_directory_path() / ("ironsight-auth-" + crypto::newUuid());
    TempDir() { fs::create_directories(path); }
    ~TempDir() { fs::remove_all(path); }
};

template <class T>
Status statusOf(const Result<T>& r) {
    if (r) return {};
    return r.error();
}

std::string messageOf(const Status& s) {
    return s ? std::string("ok") : s.error().message;
}

TEST(RoleMatrix, HasExactlyOneRowPerAction) {
    std::map<int, int> rows;
    for (const auto& rule : roleMatrix()) ++rows[static_cast<int>(rule.action)];
    for (int a = 0; a <= static_cast<int>(kLastAction); ++a) {
        EXPECT_EQ(rows[a], 1) << "action " << a;
    }
    EXPECT_EQ(roleMatrix().size(), static_cast<std::size_t>(kLastAction) + 1);
    EXPECT_EQ(permissionDenied(Role::Viewer, Action::AddSite),
              "permission denied: viewer may not add sites");
}

TEST(PasswordPolicy, NamesTheRuleThatFailed) {
    struct Case {
        const char* user;
        const char* password;
        const char* error;  // nullptr: accepted
    };
    const Case cases[] = {
        {"alice", "Short-1", "password must have at least 12 characters"},
        {"Alice-Admin-12", "alice-admin-12", "password must not be the user name"},
        {"alice", "alllowercaseletters",
         "password must mix at least 3 of: lower-case letters, "
         "upper-case letters, digits, symbols (it has 1)"},
        {"alice", "lowercase and spaces",
         "password must mix at least 3 of: lower-case "
         "letters, upper-case letters, digits, symbols (it "
         "has 2)"},
        {"alice", "Lower and Upper", nullptr},
        {"alice", "lowercase123!", nullptr},
        {"alice", "ABCDEFGH1234!", nullptr},
        {"alice", "Abcdefghijk1", nullptr},
    };
    for (const auto& c : cases) {
        Status s = checkPasswordPolicy(c.user, c.password);
        if (c.error == nullptr) {
            EXPECT_TRUE(s.ok()) << c.password << ": " << messageOf(s);
        } else {
            EXPECT_EQ(messageOf(s), c.error) << c.password;
        }
    }
}

class Auth : public ::testing::Test {
protected:
    void SetUp() override {
        auto opened = ConsoleService::open(dir_.path);
        ASSERT_TRUE(opened.ok()) << opened.error().message;
        svc_ = std::move(*opened);
        svc_->setClock([this] { return now_; });
        ASSERT_TRUE(svc_->init("admin", kAdminInitial, "127.0.0.1:1", "127.0.0.1:2").ok());
    }

    /// Signs in with the initial password and sets `changed`.
    Session signInAndChange(const std::string& user, const std::string& initial,
                            const std::string& changed) {
        auto s = svc_->signIn(user, initial, "test");
        EXPECT_TRUE(s.ok()) << (s ? "" : s.error().message);
        if (!s) return {};
        EXPECT_TRUE(s->mustChangePassword);
        Status c = svc_->changePassword(*s, initial, changed);
        EXPECT_TRUE(c.ok()) << messageOf(c);
        return *s;
    }

    AuditRow lastAudit() {
        auto rows = svc_->listAudit();
        return rows && !rows->empty() ? rows->back() : AuditRow{};
    }

    TempDir dir_;
    std::unique_ptr<ConsoleService> svc_;
    std::int64_t now_ = 1'700'000'000'000;
};

TEST_F(Auth, EveryActionTimesEveryRole) {
    std::map<Role, Session> sessions;
    std::map<Role, std::string> passwords;
    sessions[Role::Admin] = signInAndChange("admin", kAdminInitial, kAdminPassword);
    passwords[Role::Admin] = kAdminPassword;
    ASSERT_TRUE(
        svc_->addUser(sessions[Role::Admin], "ana", "Analyst-initial-1", Role::Analyst).ok());
    ASSERT_TRUE(svc_->addUser(sessions[Role::Admin], "vic", "Viewer-initial-1", Role::Viewer).ok());
    sessions[Role::Analyst] = signInAndChange("ana", "Analyst-initial-1", "Analyst-changed-2");
    passwords[Role::Analyst] = "Analyst-changed-2";
    sessions[Role::Viewer] = signInAndChange("vic", "Viewer-initial-1", "Viewer-changed-2");
    passwords[Role::Viewer] = "Viewer-changed-2";

    // Fixtures through the local-administrator path, one per role so allowed calls succeed.
    ASSERT_TRUE(svc_->addSite("P").ok());
    ASSERT_TRUE(svc_->addZone("P", "Z").ok());
    ASSERT_TRUE(svc_->addSite("Q").ok());
    for (const char* tag : {"admin", "analyst", "viewer"}) {
        std::string t = tag;
        ASSERT_TRUE(svc_->addSensor("P", "Z", "s-" + t).ok());
        ASSERT_TRUE(svc_->addUser("t-" + t, "Target-password-1", Role::Viewer).ok());
        ASSERT_TRUE(svc_->addSite("rs-" + t).ok());
        ASSERT_TRUE(svc_->addSite("ds-" + t).ok());
        for (const char* z : {"rz-", "mz-", "dz-"}) ASSERT_TRUE(svc_->addZone("P", z + t).ok());
    }
    ASSERT_TRUE(svc_->addSensor("P", "Z", "cmd").ok());  // takes commands (never revoked)
    // One alert from sensor s-admin to triage and comment on.
    AlertKey alert{(*svc_->store().findSensor("s-admin"))->id, "alert-1"};
    {
        ASSERT_TRUE(svc_->store().beginStream(alert.sensorId, 1, now_).ok());
        v1::Batch b;
        auto* env = b.add_envelopes();
        env->set_seq(1);
        env->mutable_alert()->set_id(alert.alertId);
        env->mutable_alert()->set_severity(v1::SEVERITY_MAJOR);
        auto* dev = b.add_envelopes();  // and a device to edit
        dev->set_seq(2);
        dev->mutable_device()->set_id("mac-00aa00000001");
        ASSERT_TRUE(svc_->store().applyBatch(alert.sensorId, 1, b, now_).ok());
    }
    const std::int64_t device = *svc_->deviceGroupOf("s-admin", "mac-00aa00000001");

    using Call = std::function<Status(const Session&, const std::string& tag, Role role)>;
    const std::vector<std::pair<Action, Call>> table = {
        {Action::ChangeOwnPassword,
         [&](const Session& s, const std::string&, Role role) {
             if (auto c = svc_->changePassword(s, passwords[role], "Temporary-pass-9"); !c) {
                 return c;
             }
             return svc_->changePassword(s, "Temporary-pass-9", passwords[role]);
         }},
        {Action::AddSite, [&](const Session& s, const std::string& tag,
                              Role) { return statusOf(svc_->addSite(s, "site-" + tag)); }},
        {Action::AddZone, [&](const Session& s, const std::string& tag,
                              Role) { return statusOf(svc_->addZone(s, "P", "zone-" + tag)); }},
        {Action::AddSensor,
         [&](const Session& s, const std::string& tag, Role) {
             return statusOf(svc_->addSensor(s, "P", "Z", "new-" + tag));
         }},
        {Action::RevokeSensor, [&](const Session& s, const std::string& tag,
                                   Role) { return svc_->revokeSensor(s, "s-" + tag); }},
        {Action::AddUser,
         [&](const Session& s, const std::string& tag, Role) {
             return svc_->addUser(s, "u-" + tag, "New-user-pass-1", Role::Viewer);
         }},
        {Action::ListUsers,
         [&](const Session& s, const std::string&, Role) { return statusOf(svc_->listUsers(s)); }},
        {Action::DisableUser, [&](const Session& s, const std::string& tag,
                                  Role) { return svc_->disableUser(s, "t-" + tag); }},
        {Action::EnableUser, [&](const Session& s, const std::string& tag,
                                 Role) { return svc_->enableUser(s, "t-" + tag); }},
        {Action::SetUserRole,
         [&](const Session& s, const std::string& tag, Role) {
             return svc_->setUserRole(s, "t-" + tag, Role::Analyst);
         }},
        {Action::ResetPassword,
         [&](const Session& s, const std::string& tag, Role) {
             return svc_->resetPassword(s, "t-" + tag, "Reset-password-1");
         }},
        {Action::ChangeAuthPolicy, [&](const Session& s, const std::string&,
                                       Role) { return svc_->setAuthPolicy(s, AuthPolicy{}); }},
        {Action::ExportData,
         [&](const Session& s, const std::string&, Role) {
             if (auto d = svc_->exportDevices(s, ExportFormat::Json); !d) return statusOf(d);
             return statusOf(svc_->exportAlerts(s, ExportFormat::Csv));
         }},
        {Action::ViewAudit,
         [&](const Session& s, const std::string&, Role) { return statusOf(svc_->listAudit(s)); }},
        {Action::ExportAudit,
         [&](const Session& s, const std::string&, Role) {
             return statusOf(svc_->exportAudit(s, ExportFormat::Csv));
         }},
        {Action::TriageAlert,
         [&](const Session& s, const std::string&, Role) {
             if (auto c = svc_->setAlertStatus(s, {alert}, AlertStatus::Acknowledged); !c) return c;
             if (auto c = svc_->setAlertStatus(s, {alert}, AlertStatus::New); !c) return c;
             return svc_->assignAlert(s, alert, "ana");
         }},
        {Action::CommentAlert,
         [&](const Session& s, const std::string& tag, Role) {
             return svc_->addAlertComment(s, alert, "seen by " + tag);
         }},
        {Action::RenameSite, [&](const Session& s, const std::string& tag,
                                 Role) { return svc_->renameSite(s, "rs-" + tag, "rs2-" + tag); }},
        {Action::DeleteSite, [&](const Session& s, const std::string& tag,
                                 Role) { return svc_->deleteSite(s, "ds-" + tag); }},
        {Action::RenameZone,
         [&](const Session& s, const std::string& tag, Role) {
             return svc_->renameZone(s, "P", "rz-" + tag, "rz2-" + tag);
         }},
        {Action::MoveZone, [&](const Session& s, const std::string& tag,
                               Role) { return svc_->moveZone(s, "P", "mz-" + tag, "Q"); }},
        {Action::DeleteZone, [&](const Session& s, const std::string& tag,
                                 Role) { return svc_->deleteZone(s, "P", "dz-" + tag); }},
        {Action::BackupData,
         [&](const Session& s, const std::string& tag, Role) {
             return statusOf(svc_->backup(s, dir_.path / ("backup-" + tag + ".db")));
         }},
        {Action::ChangeRetention,
         [&](const Session& s, const std::string&, Role) {
             if (auto c = svc_->setRetentionPolicy(s, RetentionPolicy{365, 0}); !c) return c;
             return statusOf(svc_->runRetention(s));
         }},
        {Action::ManageForwarding,
         [&](const Session& s, const std::string&, Role) {
             ForwardRule rule;
             rule.target = "udp://127.0.0.1:514";
             rule.format = "cef";
             auto added = svc_->addForwardRule(s, rule);
             if (!added) return statusOf(added);
             if (auto l = svc_->listForwardRules(s); !l) return statusOf(l);
             return svc_->removeForwardRule(s, added->id);
         }},
        {Action::ImportVulnerabilities,
         [&](const Session& s, const std::string&, Role) {
             return statusOf(svc_->importCveFeed(
                 s,
                 fs::path(IRONSIGHT_SOURCE_DIR) / "console/core/testdata/nvd-cve-2.0-sample.json"));
         }},
        {Action::CommandSensor,
         [&](const Session& s, const std::string&, Role) {
             return statusOf(svc_->setSensorLearning(s, "cmd", false));
         }},
        {Action::ManageCertificates,
         [&](const Session& s, const std::string&, Role) {
             testing::EnterprisePki pki;
             CertificateImport files{pki.server.keyPem, pki.server.certPem, pki.chainPem(), {}};
             if (auto i = svc_->importServerCertificate(s, files, true); !i) return statusOf(i);
             return svc_->useGeneratedCertificate(s);
         }},
        {Action::ManageDirectory,
         [&](const Session& s, const std::string&, Role) {
             DirectoryConfig c;
             c.url = "ldaps://ldap.example.com:636";
             c.tls = DirectoryTls::Ldaps;
             c.base = "ou=people,dc=example,dc=com";
             c.groups = {{"cn=console-admins,ou=groups,dc=example,dc=com", Role::Admin}};
             return svc_->setDirectoryConfig(s, c);
         }},
        {Action::EditDevice,
         [&](const Session& s, const std::string& tag, Role) {
             DeviceEdit edit;
             edit.name = "device-" + tag;
             return svc_->editDevice(s, device, edit);
         }},
        {Action::ManageZoneRules,
         [&](const Session& s, const std::string&, Role role) {
             const std::uint32_t vlan = 10 + static_cast<std::uint32_t>(role);
             if (auto r = svc_->setZoneRule(s, "cmd", vlan, "Z"); !r) return r;
             return svc_->removeZoneRule(s, "cmd", vlan);
         }},
    };

    std::set<Action> covered;
    for (const auto& [action, call] : table) covered.insert(action);
    EXPECT_EQ(covered.size(), roleMatrix().size()) << "every action of the matrix is exercised";

    for (const auto& [action, call] : table) {
        for (Role role : {Role::Admin, Role::Analyst, Role::Viewer}) {
            std::string tag = roleName(role);
            Status s = call(sessions[role], tag, role);
            SCOPED_TRACE(std::string(ruleFor(action).code) + " as " + tag);
            if (allowed(role, action)) {
                EXPECT_TRUE(s.ok()) << messageOf(s);
            } else {
                EXPECT_EQ(messageOf(s), permissionDenied(role, action));
                AuditRow denied = lastAudit();
                EXPECT_EQ(denied.actor, role == Role::Admin     ? "admin"
                                        : role == Role::Analyst ? "ana"
                                                                : "vic");
                EXPECT_EQ(denied.action, ruleFor(action).code);
                EXPECT_EQ(denied.source, "test");
                EXPECT_EQ(denied.outcome, "denied: " + permissionDenied(role, action));
            }
        }
    }
    auto v = svc_->verifyAudit();
    ASSERT_TRUE(v.ok());
    EXPECT_TRUE(v->intact()) << v->reason;
}

TEST_F(Auth, InitialAdminMustChangePasswordFirst) {
    auto s = svc_->signIn("admin", kAdminInitial, "desktop");
    ASSERT_TRUE(s.ok()) << s.error().message;
    EXPECT_TRUE(s->mustChangePassword);
    EXPECT_EQ(s->role, Role::Admin);
    EXPECT_EQ(messageOf(statusOf(svc_->addSite(*s, "A"))), kMustChangePassword);
    EXPECT_EQ(messageOf(statusOf(svc_->listUsers(*s))), kMustChangePassword);
    EXPECT_EQ(messageOf(svc_->changePassword(*s, "Wrong-password-1", kAdminPassword)),
              "password not changed: the current password is wrong");
    EXPECT_EQ(messageOf(svc_->changePassword(*s, kAdminInitial, "short")),
              "password must have at least 12 characters");
    EXPECT_EQ(messageOf(svc_->changePassword(*s, kAdminInitial, kAdminInitial)),
              "password not changed: the new password must differ from the current one");
    ASSERT_TRUE(svc_->changePassword(*s, kAdminInitial, kAdminPassword).ok());
    EXPECT_TRUE(svc_->addSite(*s, "A").ok());
    ASSERT_TRUE(svc_->refreshSession(*s).ok());
    EXPECT_FALSE(s->mustChangePassword);
    EXPECT_EQ(svc_->signIn("admin", kAdminInitial, "desktop").error().message, kSignInFailed);
    auto again = svc_->signIn("admin", kAdminPassword, "desktop");
    ASSERT_TRUE(again.ok());
    EXPECT_FALSE(again->mustChangePassword);
}

TEST_F(Auth, LockoutAfterFiveFailuresInFifteenMinutes) {
    Session admin = signInAndChange("admin", kAdminInitial, kAdminPassword);
    // Unknown user and wrong password look the same.
    EXPECT_EQ(svc_->signIn("nobody", "Whatever-pass-1", "10.0.0.9").error().message, kSignInFailed);
    for (int i = 0; i < 4; ++i) {
        EXPECT_EQ(svc_->signIn("admin", "Wrong-password-1", "10.0.0.9").error().message,
                  kSignInFailed);
    }
    ASSERT_TRUE(svc_->signIn("admin", kAdminPassword, "10.0.0.9").ok());  // resets the count
    for (int i = 0; i < 4; ++i) {
        EXPECT_FALSE(svc_->signIn("admin", "Wrong-password-1", "10.0.0.9").ok());
        now_ += 5 * kMinute;  // 4 failures over 20 min: never 5 within 15 min
    }
    ASSERT_TRUE(svc_->signIn("admin", kAdminPassword, "10.0.0.9").ok());
    for (int i = 0; i < 5; ++i) {
        EXPECT_EQ(svc_->signIn("admin", "Wrong-password-1", "10.0.0.9").error().message,
                  kSignInFailed);
        now_ += kMinute;
    }
    EXPECT_EQ(lastAudit().action, "user.lockout");
    EXPECT_EQ(lastAudit().target, "admin");
    // Locked at t0+4 min until t0+19 min; now is t0+5 min.
    EXPECT_EQ(svc_->signIn("admin", kAdminPassword, "10.0.0.9").error().message,
              "sign-in failed: account locked, try again in 14 min");
    EXPECT_EQ(lastAudit().outcome, "refused: account locked");
    auto users = svc_->listUsers(admin);  // the existing session is unaffected
    ASSERT_TRUE(users.ok());
    now_ += 14 * kMinute;
    ASSERT_TRUE(svc_->signIn("admin", kAdminPassword, "10.0.0.9").ok());

    // Configurable: 3 failures lock for 60 minutes.
    ASSERT_TRUE(svc_->setAuthPolicy(admin, AuthPolicy{3, 15, 60, 30}).ok());
    for (int i = 0; i < 3; ++i) EXPECT_FALSE(svc_->signIn("admin", "Wrong-password-1", "x").ok());
    now_ += 59 * kMinute;
    EXPECT_EQ(svc_->signIn("admin", kAdminPassword, "x").error().message,
              "sign-in failed: account locked, try again in 1 min");
    now_ += kMinute + 1;
    EXPECT_TRUE(svc_->signIn("admin", kAdminPassword, "x").ok());

    // An admin reset clears a lockout.
    for (int i = 0; i < 3; ++i) EXPECT_FALSE(svc_->signIn("admin", "Wrong-password-1", "x").ok());
    ASSERT_TRUE(svc_->resetPassword("admin", "Break-glass-pw-3").ok());
    EXPECT_TRUE(svc_->signIn("admin", "Break-glass-pw-3", "x").ok());
}

TEST_F(Auth, IdleSessionsExpire) {
    Session admin = signInAndChange("admin", kAdminInitial, kAdminPassword);
    now_ += 29 * kMinute;
    EXPECT_TRUE(svc_->listUsers(admin).ok());  // refreshes the idle timer
    now_ += 29 * kMinute;
    EXPECT_TRUE(svc_->addSite(admin, "A").ok());
    now_ += 30 * kMinute + 1;
    EXPECT_EQ(messageOf(statusOf(svc_->addSite(admin, "B"))), kSessionExpired);
    EXPECT_EQ(lastAudit().outcome, std::string("denied: ") + kSessionExpired);
    EXPECT_EQ(messageOf(svc_->changePassword(admin, kAdminPassword, "Another-pass-3")),
              kSessionExpired);
    Session forged = admin;
    forged.token = "00";
    EXPECT_EQ(messageOf(statusOf(svc_->listUsers(forged))), kSessionExpired);

    auto again = svc_->signIn("admin", kAdminPassword, "desktop");
    ASSERT_TRUE(again.ok());
    ASSERT_TRUE(svc_->setAuthPolicy(*again, AuthPolicy{5, 15, 15, 5}).ok());
    now_ += 5 * kMinute + 1;
    EXPECT_EQ(messageOf(statusOf(svc_->listUsers(*again))), kSessionExpired);
    auto third = svc_->signIn("admin", kAdminPassword, "desktop");
    ASSERT_TRUE(third.ok());
    svc_->signOut(*third);
    EXPECT_EQ(messageOf(statusOf(svc_->listUsers(*third))), kSessionExpired);
}

TEST_F(Auth, AdminResetsOtherPasswordsDisablesAndChangesRoles) {
    Session admin = signInAndChange("admin", kAdminInitial, kAdminPassword);
    ASSERT_TRUE(svc_->addUser(admin, "ana", "Analyst-initial-1", Role::Analyst).ok());
    EXPECT_EQ(messageOf(svc_->addUser(admin, "ana", "Analyst-initial-1", Role::Analyst)),
              "user 'ana' already exists");
    EXPECT_EQ(messageOf(svc_->addUser(admin, "bob", "bob", Role::Viewer)),
              "password must have at least 12 characters");
    Session ana = signInAndChange("ana", "Analyst-initial-1", "Analyst-changed-2");

    ASSERT_TRUE(svc_->resetPassword(admin, "ana", "Analyst-reset-3").ok());
    EXPECT_EQ(messageOf(svc_->resetPassword(admin, "admin", "Admin-reset-pw-3")),
              "use change password for your own account");
    EXPECT_EQ(svc_->signIn("ana", "Analyst-changed-2", "x").error().message, kSignInFailed);
    auto reset = svc_->signIn("ana", "Analyst-reset-3", "x");
    ASSERT_TRUE(reset.ok());
    EXPECT_TRUE(reset->mustChangePassword);
    // The old session is bound to the account: it too must change first.
    EXPECT_EQ(messageOf(statusOf(svc_->listAudit(ana))), kMustChangePassword);
    ASSERT_TRUE(svc_->changePassword(*reset, "Analyst-reset-3", "Analyst-final-4").ok());
    EXPECT_TRUE(svc_->listAudit(ana).ok());

    ASSERT_TRUE(svc_->setUserRole(admin, "ana", Role::Viewer).ok());
    EXPECT_EQ(messageOf(statusOf(svc_->listAudit(ana))),
              permissionDenied(Role::Viewer, Action::ViewAudit));
    ASSERT_TRUE(svc_->setUserRole(admin, "ana", Role::Admin).ok());
    EXPECT_TRUE(svc_->listUsers(ana).ok());

    ASSERT_TRUE(svc_->disableUser(admin, "ana").ok());
    EXPECT_EQ(messageOf(statusOf(svc_->listUsers(ana))), "session ended: the account is disabled");
    EXPECT_EQ(svc_->signIn("ana", "Analyst-final-4", "x").error().message, kSignInFailed);
    EXPECT_EQ(lastAudit().outcome, "failure: account disabled");
    EXPECT_EQ(messageOf(svc_->disableUser(admin, "admin")), "you cannot disable your own account");
    EXPECT_EQ(messageOf(svc_->disableUser("admin")),
              "cannot disable 'admin': it is the last enabled admin");
    EXPECT_EQ(messageOf(svc_->setUserRole("admin", Role::Viewer)),
              "cannot change the role of 'admin': it is the last enabled admin");
    ASSERT_TRUE(svc_->enableUser(admin, "ana").ok());
    EXPECT_TRUE(svc_->signIn("ana", "Analyst-final-4", "x").ok());

    auto users = svc_->listUsers(admin);
    ASSERT_TRUE(users.ok());
    ASSERT_EQ(users->size(), 2u);
    EXPECT_EQ((*users)[1].name, "ana");
    EXPECT_EQ((*users)[1].role, Role::Admin);
}

TEST_F(Auth, AuditRecordsWhoWhatWhenSourceOutcome) {
    EXPECT_FALSE(svc_->signIn("admin", "Wrong-password-1", "192.0.2.7").ok());
    AuditRow r = lastAudit();
    EXPECT_EQ(r.timeMs, now_);
    EXPECT_EQ(r.actor, "admin");
    EXPECT_EQ(r.action, "user.sign_in");
    EXPECT_EQ(r.source, "192.0.2.7");
    EXPECT_EQ(r.outcome, "failure: wrong password");
    now_ += 1234;
    ASSERT_TRUE(svc_->signIn("admin", kAdminInitial, "192.0.2.7").ok());
    r = lastAudit();
    EXPECT_EQ(r.timeMs, now_);
    EXPECT_EQ(r.outcome, "ok");
    EXPECT_EQ(r.hash, auditRecordHash(r));
    EXPECT_EQ(r.hash.size(), 64u);
}

/// A store with `n` records, then one raw SQL edit through a second connection.
struct Tamper {
    TempDir dir;
    fs::path db = dir.path / "console.db";
    std::unique_ptr<ConsoleStore> store;
    explicit Tamper(int n) {
        auto s = ConsoleStore::open(db);
        EXPECT_TRUE(s.ok());
        store = std::move(*s);
        for (int i = 1; i <= n; ++i) {
            EXPECT_TRUE(
                store->audit("u" + std::to_string(i), "test.event", "t", "local", "ok").ok());
        }
    }
    void exec(const std::string& sql) {
        auto d = sqlite::Db::open(db);
        ASSERT_TRUE(d.ok());
        ASSERT_TRUE(d->exec(sql).ok()) << sql;
    }
    /// id of the record at 1-based position `k`.
    std::string idAt(int k) {
        return "(SELECT id FROM audit_log ORDER BY id LIMIT 1 OFFSET " + std::to_string(k - 1) +
               ")";
    }
    AuditVerification verify() {
        auto v = store->verifyAudit();
        EXPECT_TRUE(v.ok());
        return v ? *v : AuditVerification{};
    }
};

TEST(AuditChain, IntactLogVerifies) {
    Tamper t(10);
    AuditVerification v = t.verify();
    EXPECT_TRUE(v.intact()) << v.reason;
    EXPECT_EQ(v.records, 10);
    EXPECT_EQ(v.headHash, (*t.store->listAudit()).back().hash);
}

TEST(AuditChain, DetectsAnEditedRecordAtItsIndex) {
    for (int k : {1, 2, 5, 10}) {
        for (const char* column : {"outcome", "actor", "time", "source", "target", "action"}) {
            Tamper t(10);
            std::string value = std::string(column) == "time" ? "time + 1" : "'forged'";
            t.exec(std::string("UPDATE audit_log SET ") + column + " = " + value +
                   " WHERE id = " + t.idAt(k));
            AuditVerification v = t.verify();
            EXPECT_EQ(v.brokenAt, k) << column << " at " << k << ": " << v.reason;
        }
    }
}

TEST(AuditChain, DetectsADeletedRecordAtItsIndex) {
    for (int k : {1, 2, 5, 9, 10}) {
        Tamper t(10);
        t.exec("DELETE FROM audit_log WHERE id = " + t.idAt(k));
        AuditVerification v = t.verify();
        EXPECT_EQ(v.brokenAt, k) << "deleted " << k << ": " << v.reason;
        EXPECT_EQ(v.records, 9);
    }
}

TEST(AuditChain, DetectsRewrittenHashesAndLaterAppendsStayBroken) {
    Tamper t(6);
    // Editing a record and its own hash still breaks the link from the next record.
    auto rows = *t.store->listAudit();
    AuditRow forged = rows[2];
    forged.outcome = "forged";
    std::string hash = auditRecordHash(forged);
    t.exec("UPDATE audit_log SET outcome = 'forged', hash = '" + hash +
           "' WHERE id = " + std::to_string(forged.id));
    EXPECT_EQ(t.verify().brokenAt, 4);
    // New records keep chaining to the recorded head: the break stays visible.
    ASSERT_TRUE(t.store->audit("u", "test.event", "t", "local", "ok").ok());
    EXPECT_EQ(t.verify().brokenAt, 4);
}

TEST(AuditChain, DeletingTheLastRecordsIsDetectedAndNextAppendShowsIt) {
    Tamper t(5);
    t.exec("DELETE FROM audit_log WHERE id = " + t.idAt(5));
    AuditVerification v = t.verify();
    EXPECT_EQ(v.brokenAt, 5);
    ASSERT_TRUE(t.store->audit("u", "test.event", "t", "local", "ok").ok());
    EXPECT_EQ(t.verify().brokenAt, 5);  // the new 5th record does not follow the 4th
}

TEST(Migration, UpgradesASchemaV1DataDirInPlace) {
    TempDir dir;
    fs::path dbFile = dir.path / "console.db";
    std::string v1Hash = *hashPassword("Old-admin-password-1");
    {
        // Exactly what the v1 code wrote: schema step 1 plus its rows.
        auto db = sqlite::Db::open(dbFile);
        ASSERT_TRUE(db.ok());
        ASSERT_TRUE(sqlite::migrate(*db, {schemaSteps()[0]}).ok());
        auto st = db->prepare(
            "INSERT INTO users(name, password_hash, role, created_at) VALUES(?1, ?2, ?3, 1)");
        ASSERT_TRUE(st.ok());
        ASSERT_TRUE(st->bind(1, "admin").bind(2, v1Hash).bind(3, "admin").run().ok());
        ASSERT_TRUE(st->bind(1, "reader").bind(2, v1Hash).bind(3, "readonly").run().ok());
        ASSERT_TRUE(db->exec("INSERT INTO sites(name) VALUES('Plant A')").ok());
        ASSERT_TRUE(db->exec("INSERT INTO audit_log(time, actor, action, target, source, outcome) "
                             "VALUES(1, 'cli', 'user.add', 'admin', 'local', 'ok'), "
                             "(2, 'cli', 'site.add', 'Plant A', 'local', 'ok')")
                        .ok());
    }
    {
        auto opened = ConsoleService::open(dir.path);
        ASSERT_TRUE(opened.ok()) << opened.error().message;
        ConsoleService& svc = **opened;
        auto sites = svc.listSites();
        ASSERT_EQ(sites->size(), 1u);
        auto v = svc.verifyAudit();
        ASSERT_TRUE(v.ok());
        EXPECT_TRUE(v->intact()) << v->reason;
        EXPECT_EQ(v->records, 2);
        auto rows = *svc.listAudit();
        EXPECT_EQ(rows[0].prevHash, "");
        EXPECT_EQ(rows[1].prevHash, rows[0].hash);

        auto users = *svc.listUsers();
        ASSERT_EQ(users.size(), 2u);
        EXPECT_EQ(users[1].name, "reader");
        EXPECT_EQ(users[1].role, Role::Viewer);
        EXPECT_TRUE(users[0].mustChangePassword);
        auto s = svc.signIn("admin", "Old-admin-password-1", "x");
        ASSERT_TRUE(s.ok()) << s.error().message;
        EXPECT_EQ(messageOf(statusOf(svc.addSite(*s, "B"))), kMustChangePassword);
        ASSERT_TRUE(svc.changePassword(*s, "Old-admin-password-1", "New-admin-password-2").ok());
        EXPECT_TRUE(svc.addSite(*s, "B").ok());
        ASSERT_TRUE(svc.setUserRole(*s, "reader", Role::Analyst).ok());
        ASSERT_TRUE(svc.setUserRole(*s, "reader", Role::Viewer).ok());
        EXPECT_TRUE(svc.verifyAudit()->intact());
    }
    // Reopening does not re-seal or re-migrate.
    auto again = ConsoleStore::open(dbFile);
    ASSERT_TRUE(again.ok());
    auto v = (*again)->verifyAudit();
    EXPECT_TRUE(v->intact()) << v->reason;
    auto db = sqlite::Db::open(dbFile);
    auto st = db->prepare("PRAGMA user_version");
    ASSERT_TRUE(*st->step());
    EXPECT_EQ(st->columnInt(0), static_cast<std::int64_t>(schemaSteps().size()));
}

}  // namespace
}  // namespace ironsight::console::core
