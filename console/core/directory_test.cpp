// SPDX-License-Identifier: Apache-2.0
// Directory sign-in against a real slapd on loopback: StartTLS and LDAPS with a test CA, groups
// mapped to roles, lockout, TLS refusals, a dead directory, and the role check on the settings.
#include "console/core/directory.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <thread>

#include "console/core/cert_test_util.h"
#include "console/core/console_service.h"
#include "shared/crypto/crypto.h"

namespace ironsight::console::core {
namespace {
namespace fs = std::filesystem;

constexpr const char* kSlapd = "/usr/sbin/slapd";
constexpr const char* kSchemaDir = "/etc/ldap/schema";
constexpr const char* kAdminPassword = "Local-admin-pass-1";
constexpr const char* kServicePassword = "Svc-Passw0rd-123";
constexpr const char* kUserPassword = "Directory-Passw0rd!";
constexpr const char* kBase = "ou=people,dc=example,dc=com";
constexpr const char* kAdmins = "cn=console-admins,ou=groups,dc=example,dc=com";
constexpr const char* kAnalysts = "cn=console-analysts,ou=groups,dc=example,dc=com";
constexpr const char* kViewers = "cn=console-viewers,ou=groups,dc=example,dc=com";

std::string messageOf(const Status& s) {
    return s ? std::string("ok") : s.error().message;
}
template <class T>
std::string messageOf(const Result<T>& r) {
    return r ? std::string("ok") : r.error().message;
}

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

/// A loopback TCP socket bound to an ephemeral port; listening only when asked (a listener
/// that never accepts is a directory that never answers).
class LoopbackSocket {
public:
    explicit LoopbackSocket(bool listening) {
        fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) return;
        socklen_t len = sizeof addr;
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
        port_ = ntohs(addr.sin_port);
        if (listening) ::listen(fd_, 8);
    }
    ~LoopbackSocket() {
        if (fd_ >= 0) ::close(fd_);
    }
    LoopbackSocket(const LoopbackSocket&) = delete;
    LoopbackSocket& operator=(const LoopbackSocket&) = delete;
    int port() const { return port_; }

private:
    int fd_ = -1;
    int port_ = 0;
};

/// A port nothing listens on (as likely free for slapd as any).
int unusedPort() {
    return LoopbackSocket(false).port();
}

bool canConnect(int port) {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<std::uint16_t>(port));
    bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    ::close(fd);
    return ok;
}

std::string fileText(const fs::path& path) {
    auto text = crypto::readFile(path);
    return text ? *text : std::string();
}

void writeText(const fs::path& path, const std::string& text) {
    std::ofstream(path) << text;
}

std::string person(const std::string& uid) {
    return "dn: uid=" + uid + "," + kBase + "\nobjectClass: inetOrgPerson\nuid: " + uid +
           "\ncn: " + uid + "\nsn: " + uid + "\nuserPassword: " + kUserPassword + "\n\n";
}

/// slapd (mdb backend in a temp dir, memberof overlay) serving ldap:// (StartTLS) and ldaps://
/// with a server certificate from a test CA, loaded with people, groups and a service account.
class Slapd {
public:
    static Slapd* instance;

    fs::path dir = fs::temp_directory_path() / ("ironsight-slapd-" + crypto::newUuid());
    testing::EnterprisePki pki;    // root -> intermediate -> server (IP:127.0.0.1)
    testing::EnterprisePki other;  // a CA the server's certificate does not chain to
    int ldapPort = 0, ldapsPort = 0;
    pid_t pid = -1;
    std::string error;

    bool start() {
        fs::create_directories(dir / "db");
        writeText(dir / "server.pem", pki.server.certPem + pki.intermediate.certPem);
        writeText(dir / "server.key", pki.server.keyPem);
        writeText(dir / "ca.pem", pki.root.certPem);
        writeText(dir / "other-ca.pem", other.root.certPem);
        std::string conf;
        for (const char* schema : {"core", "cosine", "inetorgperson", "nis"}) {
            conf += std::string("include ") + kSchemaDir + "/" + schema + ".schema\n";
        }
        conf += "pidfile " + (dir / "slapd.pid").string() + "\n" +
                "modulepath /usr/lib/ldap\nmoduleload back_mdb\nmoduleload memberof\n" +
                "TLSCACertificateFile " + (dir / "ca.pem").string() + "\n" + "TLSCertificateFile " +
                (dir / "server.pem").string() + "\n" + "TLSCertificateKeyFile " +
                (dir / "server.key").string() + "\n" +
                "database mdb\nmaxsize 10485760\nsuffix \"dc=example,dc=com\"\n" +
                "rootdn \"cn=root,dc=example,dc=com\"\nrootpw root-secret\n" + "directory " +
                (dir / "db").string() + "\n" +
                // Anonymous clients may only bind: the user search needs the service account.
                "access to attrs=userPassword by self write by anonymous auth by * none\n" +
                "access to * by users read by * none\n" + "overlay memberof\n";
        writeText(dir / "slapd.conf", conf);

        ldapPort = unusedPort();
        ldapsPort = unusedPort();
        // 127.0.0.2 is an address the server certificate does not name.
        const std::string urls = "ldap://127.0.0.1:" + std::to_string(ldapPort) +
                                 "/ ldaps://127.0.0.1:" + std::to_string(ldapsPort) +
                                 "/ ldap://127.0.0.2:" + std::to_string(ldapPort) + "/";
        const std::string confPath = (dir / "slapd.conf").string();
        const std::string logPath = (dir / "slapd.log").string();
        pid = ::fork();
        if (pid == 0) {
            std::FILE* log = std::freopen(logPath.c_str(), "w", stderr);
            (void)log;
            ::execl(kSlapd, kSlapd, "-f", confPath.c_str(), "-h", urls.c_str(), "-d", "0",
                    static_cast<char*>(nullptr));
            ::_exit(127);
        }
        // Wait (bounded) until it listens or exits.
        for (int i = 0; i < 400 && !canConnect(ldapPort); ++i) {
            int status = 0;
            if (::waitpid(pid, &status, WNOHANG) == pid) {
                pid = -1;
                error = "slapd exited: " + fileText(logPath);
                return false;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(25));
        }
        if (!canConnect(ldapPort) || !canConnect(ldapsPort)) {
            error = "slapd does not listen: " + fileText(logPath);
            return false;
        }
        return load();
    }

    bool load() {
        std::string ldif =
            "dn: dc=example,dc=com\nobjectClass: dcObject\nobjectClass: organization\n"
            "o: Example\ndc: example\n\n"
            "dn: ou=people,dc=example,dc=com\nobjectClass: organizationalUnit\nou: people\n\n"
            "dn: ou=groups,dc=example,dc=com\nobjectClass: organizationalUnit\nou: groups\n\n"
            "dn: ou=services,dc=example,dc=com\nobjectClass: organizationalUnit\nou: services\n\n"
            "dn: uid=svc-console,ou=services,dc=example,dc=com\nobjectClass: account\n"
            "objectClass: simpleSecurityObject\nuid: svc-console\nuserPassword: " +
            std::string(kServicePassword) + "\n\n";
        // alice: admin; bob: analyst; carol: viewer (groupOfUniqueNames, no memberOf);
        // dave: analyst and viewer; erin: only an unmapped group; "st*r": a name to escape.
        for (const char* uid : {"alice", "bob", "carol", "dave", "erin", "st*r"}) {
            ldif += person(uid);
        }
        auto dn = [](const char* uid) { return std::string("uid=") + uid + "," + kBase; };
        ldif += std::string("dn: ") + kAdmins +
                "\nobjectClass: groupOfNames\ncn: console-admins\n" + "member: " + dn("alice") +
                "\n\n";
        ldif += std::string("dn: ") + kAnalysts +
                "\nobjectClass: groupOfNames\ncn: console-analysts\nmember: " + dn("bob") +
                "\nmember: " + dn("dave") + "\n\n";
        ldif +=
            std::string("dn: ") + kViewers +
            "\nobjectClass: groupOfUniqueNames\ncn: console-viewers\nuniqueMember: " + dn("carol") +
            "\nuniqueMember: " + dn("dave") + "\nuniqueMember: " + dn("st*r") + "\n\n";
        ldif +=
            "dn: cn=others,ou=groups,dc=example,dc=com\nobjectClass: groupOfNames\n"
            "cn: others\nmember: " +
            dn("erin") + "\n\n";
        writeText(dir / "data.ldif", ldif);
        const std::string command = "ldapadd -x -H ldap://127.0.0.1:" + std::to_string(ldapPort) +
                                    " -D cn=root,dc=example,dc=com -w root-secret -f " +
                                    (dir / "data.ldif").string() + " > " +
                                    (dir / "ldapadd.log").string() + " 2>&1";
        if (std::system(command.c_str()) != 0) {
            error = "ldapadd failed: " + fileText(dir / "ldapadd.log");
            return false;
        }
        return true;
    }

    void stop() {
        if (pid > 0) {
            ::kill(pid, SIGTERM);
            int status = 0;
            ::waitpid(pid, &status, 0);
            pid = -1;
        }
        std::error_code ec;
        fs::remove_all(dir, ec);
    }

    DirectoryConfig config(DirectoryTls tls) const {
        DirectoryConfig c;
        c.tls = tls;
        c.url = tls == DirectoryTls::Ldaps ? "ldaps://127.0.0.1:" + std::to_string(ldapsPort)
                                           : "ldap://127.0.0.1:" + std::to_string(ldapPort);
        c.caFile = (dir / "ca.pem").string();
        c.bindDn = "uid=svc-console,ou=services,dc=example,dc=com";
        c.bindPassword = kServicePassword;
        c.base = kBase;
        c.groups = {{kAdmins, Role::Admin}, {kAnalysts, Role::Analyst}, {kViewers, Role::Viewer}};
        return c;
    }
};
Slapd* Slapd::instance = nullptr;

class Directory : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        if (::access(kSlapd, X_OK) != 0 || !fs::exists(fs::path(kSchemaDir) / "core.schema"))
            return;
        Slapd::instance = new Slapd;
        if (!Slapd::instance->start()) {
            startError_ = Slapd::instance->error;
            Slapd::instance->stop();
            delete Slapd::instance;
            Slapd::instance = nullptr;
        }
    }
    static void TearDownTestSuite() {
        if (Slapd::instance != nullptr) Slapd::instance->stop();
        delete Slapd::instance;
        Slapd::instance = nullptr;
    }

    void SetUp() override {
        if (!startError_.empty()) FAIL() << startError_;
        if (Slapd::instance == nullptr) {
            GTEST_SKIP() << "slapd is not installed (apt-get install slapd ldap-utils): "
                            "directory sign-in is not tested against a real server";
        }
        ldap_ = Slapd::instance;
        auto svc = ConsoleService::open(dir_);
        ASSERT_TRUE(svc.ok()) << svc.error().message;
        svc_ = std::move(*svc);
        ASSERT_TRUE(svc_->init("admin", kAdminPassword, "127.0.0.1:0", "127.0.0.1:0", false).ok());
    }
    void TearDown() override {
        svc_.reset();
        std::error_code ec;
        fs::remove_all(dir_, ec);
    }

    AuditRow lastAudit(const std::string& action) {
        auto rows = svc_->listAudit();
        EXPECT_TRUE(rows.ok());
        for (auto it = rows->rbegin(); it != rows->rend(); ++it) {
            if (it->action == action) return *it;
        }
        return {};
    }

    static inline std::string startError_;
    Slapd* ldap_ = nullptr;
    fs::path dir_ = fs::temp_directory_path() / ("ironsight-dir-" + crypto::newUuid());
    std::unique_ptr<ConsoleService> svc_;
};

TEST_F(Directory, StartTlsSignInGetsTheRoleOfTheHighestMappedGroup) {
    ASSERT_TRUE(svc_->setDirectoryConfig(ldap_->config(DirectoryTls::StartTls)).ok());
    const std::pair<const char*, Role> cases[] = {
        {"alice", Role::Admin},   // groupOfNames, found through memberOf
        {"bob", Role::Analyst},   //
        {"carol", Role::Viewer},  // groupOfUniqueNames, found by asking the group
        {"dave", Role::Analyst},  // analyst and viewer: the higher wins
        {"st*r", Role::Viewer},   // escaped in the filter, still found
    };
    for (const auto& [user, role] : cases) {
        SCOPED_TRACE(user);
        auto session = svc_->signIn(user, kUserPassword, "10.0.0.9");
        ASSERT_TRUE(session.ok()) << session.error().message;
        EXPECT_EQ(session->role, role);
        EXPECT_TRUE(session->directory);
        EXPECT_FALSE(session->mustChangePassword);
        AuditRow row = lastAudit("user.sign_in");
        EXPECT_EQ(row.actor, user);
        EXPECT_EQ(row.source, "10.0.0.9");
        EXPECT_EQ(row.outcome, std::string("ok: directory uid=") + user + "," + kBase + ", role " +
                                   roleName(role) + " from " +
                                   (role == Role::Admin     ? kAdmins
                                    : role == Role::Analyst ? kAnalysts
                                                            : kViewers));
        // The role holds for the session exactly as for a local user.
        Session s = *session;
        ASSERT_TRUE(svc_->refreshSession(s).ok());
        EXPECT_EQ(s.role, role);
        EXPECT_EQ(svc_->addSite(*session, std::string("site-") + user).ok(), role == Role::Admin);
        EXPECT_EQ(svc_->listAudit(*session).ok(), role != Role::Viewer);
    }
    auto verified = svc_->verifyAudit();
    ASSERT_TRUE(verified.ok());
    EXPECT_TRUE(verified->intact());
}

TEST_F(Directory, LdapsSignInGetsTheMappedRole) {
    ASSERT_TRUE(svc_->setDirectoryConfig(ldap_->config(DirectoryTls::Ldaps)).ok());
    auto alice = svc_->signIn("alice", kUserPassword, "desktop");
    ASSERT_TRUE(alice.ok()) << alice.error().message;
    EXPECT_EQ(alice->role, Role::Admin);
    auto carol = svc_->signIn("carol", kUserPassword, "desktop");
    ASSERT_TRUE(carol.ok()) << carol.error().message;
    EXPECT_EQ(carol->role, Role::Viewer);

    auto found =
        authenticateDirectoryUser(ldap_->config(DirectoryTls::Ldaps), "dave", kUserPassword);
    ASSERT_TRUE(found.ok()) << found.message;
    EXPECT_EQ(found.dn, std::string("uid=dave,") + kBase);
    EXPECT_EQ(found.role, Role::Analyst);
    EXPECT_EQ(found.roleGroup, kAnalysts);
    EXPECT_NE(std::find(found.groups.begin(), found.groups.end(), kViewers), found.groups.end());
}

TEST_F(Directory, LocalAccountsComeFirst) {
    ASSERT_TRUE(svc_->setDirectoryConfig(ldap_->config(DirectoryTls::StartTls)).ok());
    // "admin" is local: the directory is never asked, its password is the local one.
    EXPECT_EQ(messageOf(svc_->signIn("admin", kUserPassword, "desktop")), kSignInFailed);
    auto admin = svc_->signIn("admin", kAdminPassword, "desktop");
    ASSERT_TRUE(admin.ok()) << admin.error().message;
    EXPECT_FALSE(admin->directory);
}

TEST_F(Directory, WrongPasswordIsRefusedAndCountsTowardsLockout) {
    ASSERT_TRUE(svc_->setDirectoryConfig(ldap_->config(DirectoryTls::StartTls)).ok());
    AuthPolicy policy;
    policy.lockoutThreshold = 3;
    ASSERT_TRUE(svc_->setAuthPolicy(policy).ok());
    EXPECT_EQ(messageOf(svc_->signIn("bob", "Wrong-password-1", "10.0.0.5")), kSignInFailed);
    EXPECT_EQ(lastAudit("user.sign_in").outcome, "failure: wrong password (directory)");
    // An empty password would be an anonymous bind the server accepts: refused and counted.
    EXPECT_EQ(messageOf(svc_->signIn("bob", "", "10.0.0.5")), kSignInFailed);
    // Another spelling of the same entry shares the count (it is kept per DN).
    EXPECT_EQ(messageOf(svc_->signIn("BOB", "Wrong-password-2", "10.0.0.5")), kSignInFailed);
    AuditRow lockout = lastAudit("user.lockout");
    EXPECT_EQ(lockout.target, "BOB");
    EXPECT_EQ(lockout.outcome, "locked for 15 min after 3 failed sign-ins (directory)");
    // Locked: even the right password is refused, without trying it.
    EXPECT_EQ(messageOf(svc_->signIn("bob", kUserPassword, "10.0.0.5")),
              "sign-in failed: account locked, try again in 15 min");
    EXPECT_EQ(lastAudit("user.sign_in").outcome, "refused: account locked (directory)");
    // Other directory users are not affected; after the lockout time bob signs in again.
    EXPECT_TRUE(svc_->signIn("alice", kUserPassword, "10.0.0.5").ok());
    const std::int64_t later = nowMs() + 16 * 60'000;
    svc_->setClock([later] { return later; });
    auto bob = svc_->signIn("bob", kUserPassword, "10.0.0.5");
    ASSERT_TRUE(bob.ok()) << bob.error().message;
    EXPECT_EQ(bob->role, Role::Analyst);
}

TEST_F(Directory, UnknownUserAndFilterInjectionAreRefused) {
    ASSERT_TRUE(svc_->setDirectoryConfig(ldap_->config(DirectoryTls::StartTls)).ok());
    for (const char* user : {"mallory", "*", "alice)(uid=*", "al*"}) {
        SCOPED_TRACE(user);
        EXPECT_EQ(messageOf(svc_->signIn(user, kUserPassword, "10.0.0.5")), kSignInFailed);
        EXPECT_TRUE(contains(lastAudit("user.sign_in").outcome, "failure: unknown user (directory"))
            << lastAudit("user.sign_in").outcome;
    }
    EXPECT_EQ(escapeLdapFilterValue(std::string("a*(b)\\c\0", 8)), "a\\2a\\28b\\29\\5cc\\00");
    EXPECT_EQ(directoryUserFilter("(&(objectClass=user)(sAMAccountName=%s))", "x)(cn=*"),
              "(&(objectClass=user)(sAMAccountName=x\\29\\28cn=\\2a))");
}

TEST_F(Directory, UserInNoMappedGroupIsRefusedWithAClearMessage) {
    ASSERT_TRUE(svc_->setDirectoryConfig(ldap_->config(DirectoryTls::StartTls)).ok());
    EXPECT_EQ(messageOf(svc_->signIn("erin", kUserPassword, "10.0.0.5")),
              "sign-in refused: erin is in no directory group that grants a console role (ask an "
              "administrator to map one of your groups)");
    EXPECT_EQ(lastAudit("user.sign_in").outcome,
              std::string("refused: directory: uid=erin,") + kBase +
                  " is in no directory group mapped to a console role");
    // With a wrong password the answer does not reveal the groups.
    EXPECT_EQ(messageOf(svc_->signIn("erin", "Wrong-password-1", "10.0.0.5")), kSignInFailed);
    // The admin test names what was found, including a mapped group that does not exist.
    DirectoryConfig c = ldap_->config(DirectoryTls::StartTls);
    c.groups.push_back({"cn=no-such-group,ou=groups,dc=example,dc=com", Role::Admin});
    ASSERT_TRUE(svc_->setDirectoryConfig(c).ok());
    DirectoryAuthResult r = svc_->testDirectory("erin", kUserPassword);
    EXPECT_EQ(r.failure, DirectoryFailure::NoMappedGroup);
    EXPECT_EQ(r.groups, std::vector<std::string>{"cn=others,ou=groups,dc=example,dc=com"});
    EXPECT_EQ(r.missingGroups,
              std::vector<std::string>{"cn=no-such-group,ou=groups,dc=example,dc=com"});
}

TEST_F(Directory, UntrustedServerCertificateIsRefusedAsATlsFailure) {
    for (DirectoryTls tls : {DirectoryTls::StartTls, DirectoryTls::Ldaps}) {
        SCOPED_TRACE(directoryTlsName(tls));
        DirectoryConfig c = ldap_->config(tls);
        c.caFile = (ldap_->dir / "other-ca.pem").string();
        auto r = authenticateDirectoryUser(c, "alice", kUserPassword);
        EXPECT_EQ(r.failure, DirectoryFailure::Tls) << r.message;
        EXPECT_TRUE(contains(r.message, "TLS with the directory at " + c.url +
                                            " failed: its certificate is not trusted by the CA "
                                            "file " +
                                            c.caFile))
            << r.message;
        ASSERT_TRUE(svc_->setDirectoryConfig(c).ok());
        auto session = svc_->signIn("alice", kUserPassword, "desktop");
        ASSERT_FALSE(session.ok());
        EXPECT_TRUE(contains(session.error().message, "sign-in failed: directory unavailable: TLS"))
            << session.error().message;
    }
    // The right CA, but a name the certificate does not carry (it names 127.0.0.1/localhost).
    DirectoryConfig c = ldap_->config(DirectoryTls::StartTls);
    c.url = "ldap://127.0.0.2:" + std::to_string(ldap_->ldapPort);
    auto r = authenticateDirectoryUser(c, "alice", kUserPassword);
    EXPECT_EQ(r.failure, DirectoryFailure::Tls) << r.message;
    EXPECT_TRUE(contains(r.message, "does not name the URL's host")) << r.message;
}

TEST_F(Directory, PlainLdapAndInconsistentSettingsAreRefusedByValidation) {
    DirectoryConfig c = ldap_->config(DirectoryTls::StartTls);
    c.tls = DirectoryTls::None;
    EXPECT_EQ(messageOf(svc_->setDirectoryConfig(c)),
              "plain LDAP without TLS is refused (passwords would cross the network in clear): "
              "use an ldaps:// URL, or StartTLS with ldap://");
    EXPECT_EQ(lastAudit("directory.change").outcome,
              "failure: plain LDAP without TLS is refused (passwords would cross the network in "
              "clear): use an ldaps:// URL, or StartTLS with ldap://");
    auto r = authenticateDirectoryUser(c, "alice", kUserPassword);
    EXPECT_EQ(r.failure, DirectoryFailure::Config);

    auto refused = [&](auto change, const std::string& expected) {
        DirectoryConfig bad = ldap_->config(DirectoryTls::StartTls);
        change(bad);
        EXPECT_EQ(messageOf(checkDirectoryConfig(bad)), expected);
    };
    refused([](DirectoryConfig& d) { d.url = "ldaps://127.0.0.1:1"; },
            "directory URL 'ldaps://127.0.0.1:1' is LDAPS: StartTLS applies to ldap:// only");
    refused([](DirectoryConfig& d) { d.url = "http://127.0.0.1:1"; },
            "directory URL 'http://127.0.0.1:1' is not an LDAP URL (ldaps://HOST:636 or "
            "ldap://HOST:389)");
    refused([](DirectoryConfig& d) { d.filter = "uid=%s"; },
            "user filter 'uid=%s' is not one parenthesized LDAP filter");
    refused([](DirectoryConfig& d) { d.filter = "(uid=alice)"; },
            "user filter '(uid=alice)' has no %s for the user name");
    refused([](DirectoryConfig& d) { d.bindPassword.clear(); },
            "bind DN 'uid=svc-console,ou=services,dc=example,dc=com' has no bind password");
    refused([](DirectoryConfig& d) { d.groups.clear(); },
            "no directory group is mapped to a console role (add one, e.g. "
            "admin=cn=console-admins,ou=groups,dc=example,dc=com)");
    refused([](DirectoryConfig& d) { d.caFile = "/nonexistent/ca.pem"; },
            "directory CA file /nonexistent/ca.pem cannot be read");
    // Nothing of the refused settings was stored.
    auto stored = svc_->directoryConfig();
    ASSERT_TRUE(stored.ok());
    EXPECT_FALSE(stored->enabled());
}

TEST_F(Directory, ServiceAccountMattersAndItsPasswordIsNeverLogged) {
    DirectoryConfig c = ldap_->config(DirectoryTls::StartTls);
    c.bindPassword = "Wrong-service-pass";
    auto r = authenticateDirectoryUser(c, "alice", kUserPassword);
    EXPECT_EQ(r.failure, DirectoryFailure::ServiceBind);
    EXPECT_TRUE(contains(r.message,
                         "refused the service account "
                         "uid=svc-console,ou=services,dc=example,dc=com: Invalid "
                         "credentials"))
        << r.message;
    // Anonymous clients may not search this directory (slapd hides the base from them).
    c.bindDn.clear();
    c.bindPassword.clear();
    r = authenticateDirectoryUser(c, "alice", kUserPassword);
    EXPECT_EQ(r.failure, DirectoryFailure::Config);
    EXPECT_TRUE(contains(r.message, std::string("the user search base ") + kBase +
                                        " does not exist in the directory at " + c.url +
                                        " or anonymous clients may not read it"))
        << r.message;

    ASSERT_TRUE(svc_->setDirectoryConfig(ldap_->config(DirectoryTls::StartTls)).ok());
    EXPECT_TRUE(contains(lastAudit("directory.change").outcome, "bind password changed"));
    ASSERT_TRUE(svc_->setDirectoryConfig(ldap_->config(DirectoryTls::StartTls)).ok());
    EXPECT_TRUE(contains(lastAudit("directory.change").outcome, "bind password unchanged"));
    auto audit = svc_->exportAudit(ExportFormat::Csv);
    ASSERT_TRUE(audit.ok());
    EXPECT_FALSE(contains(*audit, kServicePassword));
    EXPECT_FALSE(contains(*audit, kUserPassword));
}

TEST_F(Directory, ADeadDirectoryFailsWithAClearErrorWithinTheTimeout) {
    // Nothing listens: refused at once.
    DirectoryConfig c = ldap_->config(DirectoryTls::StartTls);
    c.url = "ldap://127.0.0.1:" + std::to_string(unusedPort());
    c.timeoutSeconds = 1;
    auto r = authenticateDirectoryUser(c, "alice", kUserPassword);
    EXPECT_EQ(r.failure, DirectoryFailure::Connect);
    EXPECT_TRUE(contains(
        r.message, "cannot connect to the directory at " + c.url + ": Can't contact LDAP server"))
        << r.message;
    ASSERT_TRUE(svc_->setDirectoryConfig(c).ok());
    auto session = svc_->signIn("alice", kUserPassword, "desktop");
    ASSERT_FALSE(session.ok());
    EXPECT_EQ(session.error().message, "sign-in failed: directory unavailable: " + r.message);

    // A listener that accepts the connection but never answers (hung server): the timeouts end
    // the attempt, for StartTLS and for the LDAPS handshake alike.
    LoopbackSocket hung(true);
    for (DirectoryTls tls : {DirectoryTls::StartTls, DirectoryTls::Ldaps}) {
        SCOPED_TRACE(directoryTlsName(tls));
        DirectoryConfig h = c;
        h.tls = tls;
        h.url = std::string(tls == DirectoryTls::Ldaps ? "ldaps" : "ldap") +
                "://127.0.0.1:" + std::to_string(hung.port());
        auto hr = authenticateDirectoryUser(h, "alice", kUserPassword);
        EXPECT_EQ(hr.failure, DirectoryFailure::Connect) << hr.message;
        EXPECT_EQ(hr.message, "the directory at " + h.url + " did not answer within 1 s");
    }
}

TEST_F(Directory, OnlyAdminsChangeDirectorySettingsAndDirectoryUsersKeepTheirPassword) {
    const DirectoryConfig c = ldap_->config(DirectoryTls::StartTls);
    ASSERT_TRUE(svc_->setDirectoryConfig(c).ok());
    auto carol = svc_->signIn("carol", kUserPassword, "10.0.0.7");
    ASSERT_TRUE(carol.ok()) << carol.error().message;
    DirectoryConfig changed = c;
    changed.groups = {{kViewers, Role::Admin}};
    EXPECT_EQ(messageOf(svc_->setDirectoryConfig(*carol, changed)),
              "permission denied: viewer may not change directory sign-in settings");
    AuditRow denied = lastAudit("directory.change");
    EXPECT_EQ(denied.actor, "carol");
    EXPECT_EQ(denied.outcome,
              "denied: permission denied: viewer may not change directory sign-in settings");
    auto bob = svc_->signIn("bob", kUserPassword, "10.0.0.7");
    ASSERT_TRUE(bob.ok());
    EXPECT_FALSE(svc_->setDirectoryConfig(*bob, changed).ok());
    auto stored = svc_->directoryConfig();
    ASSERT_TRUE(stored.ok());
    EXPECT_EQ(stored->groups.size(), 3u);

    auto alice = svc_->signIn("alice", kUserPassword, "10.0.0.7");
    ASSERT_TRUE(alice.ok());
    changed.timeoutSeconds = 7;
    changed.groups = c.groups;
    EXPECT_TRUE(svc_->setDirectoryConfig(*alice, changed).ok());
    EXPECT_EQ(svc_->directoryConfig()->timeoutSeconds, 7);
    EXPECT_EQ(lastAudit("directory.change").actor, "alice");

    EXPECT_EQ(messageOf(svc_->changePassword(*carol, kUserPassword, "Another-passw0rd!")),
              "password not changed: carol signs in through the directory; change the password "
              "there");
    // Turning the directory off ends new directory sign-ins.
    ASSERT_TRUE(svc_->setDirectoryConfig(DirectoryConfig{}).ok());
    EXPECT_EQ(messageOf(svc_->signIn("alice", kUserPassword, "10.0.0.7")), kSignInFailed);
}

}  // namespace
}  // namespace ironsight::console::core
