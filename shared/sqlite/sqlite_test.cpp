// SPDX-License-Identifier: Apache-2.0
// Tests of the SQLite RAII wrappers on real database files.
#include "shared/sqlite/sqlite.h"

#include <gtest/gtest.h>

#include <filesystem>

namespace ironsight::sqlite {
namespace {

class SqliteTest : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = std::filesystem::temp_directory_path() /
               ("ironsight-sqlite-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
                "-" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
        std::filesystem::remove_all(dir_);
        std::filesystem::create_directories(dir_);
    }
    void TearDown() override { std::filesystem::remove_all(dir_); }
    std::filesystem::path dir_;
};

TEST_F(SqliteTest, MigratesOnceAndKeepsDataAcrossReopen) {
    const std::vector<std::string> steps = {
        "CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT, data BLOB)",
        "ALTER TABLE t ADD COLUMN extra INTEGER DEFAULT 7"};
    {
        auto db = Db::open(dir_ / "a.db");
        ASSERT_TRUE(db.ok()) << db.error().message;
        ASSERT_TRUE(migrate(*db, steps).ok());
        auto ins = db->prepare("INSERT INTO t(name, data) VALUES(?1, ?2)");
        ASSERT_TRUE(ins.ok());
        ASSERT_TRUE(ins->bind(1, "plc").bind(2, Bytes{1, 2, 3}).run().ok());
        ASSERT_TRUE(ins->bind(1, std::string("hmi")).bind(2, Bytes{}).run().ok());
        EXPECT_EQ(db->lastInsertRowid(), 2);
    }
    auto db = Db::open(dir_ / "a.db");
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE(migrate(*db, steps).ok());  // already applied: no-op
    auto q = db->prepare("SELECT name, data, extra FROM t ORDER BY id");
    ASSERT_TRUE(q.ok());
    ASSERT_TRUE(*q->step());
    EXPECT_EQ(q->columnText(0), "plc");
    EXPECT_EQ(q->columnBlob(1), (Bytes{1, 2, 3}));
    EXPECT_EQ(q->columnInt(2), 7);
    ASSERT_TRUE(*q->step());
    EXPECT_FALSE(q->columnIsNull(1));  // empty blob stays a blob
    EXPECT_FALSE(*q->step());
    EXPECT_EQ(*db->quickCheck(), "ok");
}

TEST_F(SqliteTest, MigrationStepsMayRebuildTables) {
    auto db = Db::open(dir_ / "r.db");
    ASSERT_TRUE(db.ok());
    const std::vector<std::string> steps = {
        "CREATE TABLE users(name TEXT, role TEXT)",
        "CREATE TABLE users_new(name TEXT, role TEXT CHECK(role IN ('admin','viewer')));"
        "INSERT INTO users_new SELECT * FROM users; DROP TABLE users;"
        "ALTER TABLE users_new RENAME TO users"};
    auto st = migrate(*db, steps);
    EXPECT_TRUE(st.ok()) << st.error().message;
}

TEST_F(SqliteTest, RefusesNewerSchema) {
    auto db = Db::open(dir_ / "b.db");
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE(db->exec("PRAGMA user_version=5").ok());
    auto st = migrate(*db, {"CREATE TABLE x(a)"});
    ASSERT_FALSE(st.ok());
    EXPECT_NE(st.error().message.find("newer"), std::string::npos);
}

TEST_F(SqliteTest, UncommittedTransactionRollsBack) {
    auto db = Db::open(dir_ / "c.db");
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE(db->exec("CREATE TABLE t(a)").ok());
    {
        Transaction tx(*db);
        ASSERT_TRUE(tx.began());
        ASSERT_TRUE(db->exec("INSERT INTO t VALUES(1)").ok());
    }
    auto q = db->prepare("SELECT count(*) FROM t");
    ASSERT_TRUE(q.ok());
    ASSERT_TRUE(*q->step());
    EXPECT_EQ(q->columnInt(0), 0);
}

TEST_F(SqliteTest, OpenErrorNamesTheFile) {
    auto db = Db::open(dir_ / "missing" / "x.db", true);
    ASSERT_FALSE(db.ok());
    EXPECT_NE(db.error().message.find("x.db"), std::string::npos);
}

TEST_F(SqliteTest, BadSqlIsAnErrorNotACrash) {
    auto db = Db::open(dir_ / "d.db");
    ASSERT_TRUE(db.ok());
    EXPECT_FALSE(db->prepare("SELEKT 1").ok());
    EXPECT_FALSE(db->exec("CREATE TABLE (").ok());
}

}  // namespace
}  // namespace ironsight::sqlite
