// SPDX-License-Identifier: Apache-2.0
// The shared doctor checks on real files: certificates made with OpenSSL, SQLite databases
// (one of them damaged on disk), directories and the report's text and JSON forms.
#include "shared/doctor/doctor.h"

#include <gtest/gtest.h>
#include <openssl/x509.h>
#include <unistd.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "shared/crypto/crypto.h"
#include "shared/sqlite/sqlite.h"

namespace ironsight::doctor {
namespace {

namespace fs = std::filesystem;

struct TempDir {
    fs::path path = fs::temp_directory_path() / ("ironsight-doctor-" + crypto::newUuid());
    TempDir() { fs::create_directories(path); }
    ~TempDir() { fs::remove_all(path); }
};

/// A self-signed certificate valid from now+fromDays to now+toDays, written as PEM.
fs::path writeCertificate(const fs::path& file, long fromDays, long toDays) {
    auto key = crypto::generateP256Key();
    EXPECT_TRUE(key.ok());
    crypto::X509Ptr cert(X509_new());
    X509_set_version(cert.get(), 2);
    X509_gmtime_adj(X509_getm_notBefore(cert.get()), fromDays * 86400L);
    X509_gmtime_adj(X509_getm_notAfter(cert.get()), toDays * 86400L);
    X509_NAME_add_entry_by_txt(X509_get_subject_name(cert.get()), "CN", MBSTRING_UTF8,
                               reinterpret_cast<const unsigned char*>("doctor test"), -1, -1, 0);
    X509_set_issuer_name(cert.get(), X509_get_subject_name(cert.get()));
    X509_set_pubkey(cert.get(), key->get());
    EXPECT_GT(X509_sign(cert.get(), key->get(), EVP_sha256()), 0);
    auto pem = crypto::certificateToPem(cert.get());
    EXPECT_TRUE(pem.ok());
    std::ofstream(file) << *pem;
    return file;
}

TEST(DoctorTest, CertificateValidityLevels) {
    TempDir dir;
    const auto ok = certificate("c", writeCertificate(dir.path / "ok.crt", -1, 400), 30, "renew");
    EXPECT_EQ(ok.level, Level::Ok) << ok.detail;
    EXPECT_NE(ok.detail.find("days left"), std::string::npos) << ok.detail;
    EXPECT_TRUE(ok.fix.empty());

    const auto soon = certificate("c", writeCertificate(dir.path / "soon.crt", -1, 10), 30, "renew");
    EXPECT_EQ(soon.level, Level::Warn) << soon.detail;
    EXPECT_EQ(soon.fix, "renew");

    const auto expired =
        certificate("c", writeCertificate(dir.path / "old.crt", -30, -1), 30, "renew");
    EXPECT_EQ(expired.level, Level::Fail);
    EXPECT_NE(expired.detail.find("expired on"), std::string::npos) << expired.detail;

    const auto future =
        certificate("c", writeCertificate(dir.path / "future.crt", 5, 400), 30, "renew");
    EXPECT_EQ(future.level, Level::Fail);
    EXPECT_NE(future.detail.find("not valid before"), std::string::npos) << future.detail;

    std::ofstream(dir.path / "junk.crt") << "not a certificate";
    EXPECT_EQ(certificate("c", dir.path / "junk.crt", 30, "renew").level, Level::Fail);
    EXPECT_EQ(certificate("c", dir.path / "missing.crt", 30, "renew").level, Level::Fail);
}

TEST(DoctorTest, SqliteIntegrityFindsADamagedFile) {
    TempDir dir;
    const fs::path file = dir.path / "test.db";
    {
        auto db = sqlite::Db::open(file);
        ASSERT_TRUE(db.ok());
        ASSERT_TRUE(db->exec("CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT);"
                             "CREATE INDEX t_v ON t(v);")
                        .ok());
        sqlite::Transaction tx(*db);
        auto insert = db->prepare("INSERT INTO t(v) VALUES(?1)");
        ASSERT_TRUE(insert.ok());
        for (int i = 0; i < 2000; ++i) {
            insert->bind(1, "row " + std::to_string(i) + std::string(100, 'x'));
            ASSERT_TRUE(insert->run().ok());
        }
        ASSERT_TRUE(tx.commit().ok());
        ASSERT_TRUE(db->exec("PRAGMA wal_checkpoint(TRUNCATE)").ok());
    }
    const auto good = sqliteIntegrity("store", file, false, "restore");
    EXPECT_EQ(good.level, Level::Ok) << good.detail;
    EXPECT_EQ(sqliteIntegrity("store", file, true, "restore").level, Level::Ok);

    // Overwrite pages in the middle of the file (the table and index b-trees live there).
    {
        std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
        const std::string junk(4096 * 4, '\x5a');
        f.seekp(4096 * 8);
        f.write(junk.data(), static_cast<std::streamsize>(junk.size()));
    }
    const auto bad = sqliteIntegrity("store", file, false, "restore");
    EXPECT_EQ(bad.level, Level::Fail) << bad.detail;
    EXPECT_EQ(bad.fix, "restore");

    std::ofstream(dir.path / "junk.db") << std::string(8192, 'j');
    EXPECT_EQ(sqliteIntegrity("store", dir.path / "junk.db", false, "restore").level, Level::Fail);
    EXPECT_EQ(sqliteIntegrity("store", dir.path / "none.db", false, "restore").level, Level::Fail);
}

TEST(DoctorTest, DirectoryAndDiskChecks) {
    TempDir dir;
    fs::permissions(dir.path, fs::perms::owner_all, fs::perm_options::replace);
    EXPECT_EQ(directoryWritable("d", dir.path, "create it").level, Level::Ok);
    const auto missing = directoryWritable("d", dir.path / "nope", "create it");
    EXPECT_EQ(missing.level, Level::Fail);
    EXPECT_EQ(missing.fix, "create it");
    std::ofstream(dir.path / "file") << "x";
    EXPECT_EQ(directoryWritable("d", dir.path / "file", "create it").level, Level::Fail);
    fs::permissions(dir.path, fs::perms::others_all, fs::perm_options::add);
    EXPECT_EQ(directoryWritable("d", dir.path, "create it").level, Level::Warn);

    EXPECT_EQ(diskSpace("disk", dir.path, 0, 0).level, Level::Ok);
    EXPECT_EQ(diskSpace("disk", dir.path, 1ULL << 62, 1ULL << 62).level, Level::Fail);
    EXPECT_EQ(diskSpace("disk", dir.path, 0, 1ULL << 62).level, Level::Warn);
    // A directory still to be created: the file system it would be created on.
    EXPECT_EQ(diskSpace("disk", dir.path / "a" / "b", 0, 0).level, Level::Ok);
}

TEST(DoctorTest, ClockBehindARecordedEventFails) {
    const auto behind = clock("clock", std::int64_t{4102444800} * 1000);  // 2100-01-01
    EXPECT_EQ(behind.level, Level::Fail);
    EXPECT_NE(behind.detail.find("behind"), std::string::npos) << behind.detail;
    EXPECT_NE(clock("clock", 0).level, Level::Fail);  // ok, or a warning when NTP is off
}

TEST(DoctorTest, PrivateKeyModeAndHostPort) {
    TempDir dir;
    const fs::path key = dir.path / "k.key";
    std::ofstream(key) << "key";
    fs::permissions(key, fs::perms::owner_read | fs::perms::owner_write, fs::perm_options::replace);
    EXPECT_EQ(privateKeyMode("key", key).level, Level::Ok);
    fs::permissions(key, fs::perms::group_read, fs::perm_options::add);
    const auto open = privateKeyMode("key", key);
    EXPECT_EQ(open.level, Level::Fail);
    EXPECT_EQ(open.fix, "chmod 0600 " + key.string());

    std::string host, port;
    EXPECT_TRUE(splitHostPort("127.0.0.1:50051", host, port));
    EXPECT_EQ(host, "127.0.0.1");
    EXPECT_EQ(port, "50051");
    EXPECT_TRUE(splitHostPort("[::1]:7", host, port));
    EXPECT_EQ(host, "::1");
    EXPECT_EQ(port, "7");
    EXPECT_FALSE(splitHostPort("console", host, port));
    EXPECT_FALSE(splitHostPort("[::1]", host, port));
    EXPECT_FALSE(splitHostPort("host:http", host, port));
}

TEST(DoctorTest, ReportTextJsonAndExitCode) {
    Report report;
    report.add({"alpha", Level::Ok, "fine", ""});
    report.add({"beta-check", Level::Warn, "so so", "tune it"});
    EXPECT_EQ(report.exitCode(), 0);
    report.add({"gamma", Level::Fail, "broken", "fix it"});
    report.add({"delta", Level::Skip, "not applicable", ""});
    EXPECT_EQ(report.exitCode(), 1);
    const std::string text = report.text();
    EXPECT_NE(text.find("ok    alpha       fine\n"), std::string::npos) << text;
    EXPECT_NE(text.find("WARN  beta-check  so so -- fix: tune it\n"), std::string::npos) << text;
    EXPECT_NE(text.find("FAIL  gamma       broken -- fix: fix it\n"), std::string::npos) << text;
    EXPECT_NE(text.find("doctor: 1 ok, 1 warnings, 1 failed, 1 skipped\n"), std::string::npos);
    const auto json = nlohmann::json::parse(report.json());
    EXPECT_FALSE(json["ok"].get<bool>());
    EXPECT_EQ(json["failed"], 1);
    EXPECT_EQ(json["warnings"], 1);
    ASSERT_EQ(json["checks"].size(), 4U);
    EXPECT_EQ(json["checks"][2]["name"], "gamma");
    EXPECT_EQ(json["checks"][2]["status"], "fail");
    EXPECT_EQ(json["checks"][2]["fix"], "fix it");
}

}  // namespace
}  // namespace ironsight::doctor
