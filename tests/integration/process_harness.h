// SPDX-License-Identifier: Apache-2.0
// Test harness for tests that run the real binaries as child processes: spawn, wait, kill,
// free loopback ports, a headless console that is up once it prints its listen addresses, and
// read-only queries on the SQLite files the binaries leave behind.
#pragma once

#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "shared/sqlite/sqlite.h"

namespace ironsight::test {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

inline const fs::path kBin = fs::path(IRONSIGHT_BINARY_DIR) / "bin";

inline std::string readText(const fs::path& file) {
    std::ifstream in(file);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

/// A child process with stdout and stderr in files.
class Child {
public:
    Child() = default;
    Child(const std::vector<std::string>& argv, const fs::path& out, const fs::path& err)
        : out_(out), err_(err) {
        pid_ = ::fork();
        if (pid_ == 0) {
            const int o = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
            const int e = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
            ::dup2(o, 1);
            ::dup2(e, 2);
            std::vector<char*> args;
            for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
            args.push_back(nullptr);
            ::execv(args[0], args.data());
            ::_exit(127);
        }
    }
    Child(const Child&) = delete;
    Child& operator=(const Child&) = delete;
    ~Child() { kill(); }

    /// Exit code, or -1 on timeout (the child is then killed), -2 when killed by a signal.
    int wait(std::chrono::milliseconds timeout) {
        const auto until = std::chrono::steady_clock::now() + timeout;
        while (pid_ > 0) {
            int status = 0;
            const pid_t r = ::waitpid(pid_, &status, WNOHANG);
            if (r == pid_) {
                pid_ = 0;
                return WIFEXITED(status) ? WEXITSTATUS(status) : -2;
            }
            if (std::chrono::steady_clock::now() > until) {
                kill();
                return -1;
            }
            std::this_thread::sleep_for(20ms);
        }
        return -2;
    }
    void kill() {
        if (pid_ <= 0) return;
        ::kill(pid_, SIGTERM);
        for (int i = 0; i < 100; ++i) {
            if (::waitpid(pid_, nullptr, WNOHANG) == pid_) {
                pid_ = 0;
                return;
            }
            std::this_thread::sleep_for(20ms);
        }
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, nullptr, 0);
        pid_ = 0;
    }
    /// SIGKILL with no warning (a crash or a power cut as far as the process can tell).
    void kill9() {
        if (pid_ <= 0) return;
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, nullptr, 0);
        pid_ = 0;
    }
    /// SIGTERM, then the exit code as wait() gives it.
    int terminate(std::chrono::milliseconds timeout) {
        if (pid_ > 0) ::kill(pid_, SIGTERM);
        return wait(timeout);
    }
    bool running() const { return pid_ > 0; }
    std::string out() const { return readText(out_); }
    std::string err() const { return readText(err_); }

private:
    pid_t pid_ = 0;
    fs::path out_, err_;
};

struct RunResult {
    int code = 0;
    std::string out, err;
};

inline int freePort() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    socklen_t len = sizeof addr;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    ::close(fd);
    return ntohs(addr.sin_port);
}

inline std::int64_t scalar(sqlite::Db& db, const std::string& sql) {
    auto stmt = db.prepare(sql);
    EXPECT_TRUE(stmt.ok()) << sql << ": " << (stmt.ok() ? "" : stmt.error().message);
    if (!stmt.ok()) return -1;
    auto row = stmt->step();
    EXPECT_TRUE(row.ok() && *row) << sql;
    if (!row.ok() || !*row) return -1;
    return stmt->columnInt(0);
}

inline std::string text(sqlite::Db& db, const std::string& sql) {
    auto stmt = db.prepare(sql);
    EXPECT_TRUE(stmt.ok()) << sql << ": " << (stmt.ok() ? "" : stmt.error().message);
    if (!stmt.ok()) return {};
    auto row = stmt->step();
    if (!row.ok() || !*row) return {};
    return stmt->columnText(0);
}

class ProcessTest : public ::testing::Test {
protected:
    void SetUp() override {
        for (const char* exe :
             {"ironsight-console", "ironsight-sensor", "ironsight-plant-traffic"}) {
            if (!fs::exists(kBin / exe)) {
                GTEST_SKIP() << (kBin / exe).string() << " is not built; build it to run this test";
            }
        }
        dir_ = fs::temp_directory_path() / (prefix_ + std::to_string(::getpid()));
        fs::remove_all(dir_);
        fs::create_directories(dir_);
    }
    void TearDown() override {
        console_.reset();  // kills the console child
        if (!dir_.empty() && !HasFailure()) fs::remove_all(dir_);
    }

    RunResult run(std::vector<std::string> argv, std::chrono::milliseconds timeout = 60s) {
        argv[0] = (kBin / argv[0]).string();
        const auto n = std::to_string(++runs_);
        Child child(argv, dir_ / ("run" + n + ".out"), dir_ / ("run" + n + ".err"));
        RunResult r;
        r.code = child.wait(timeout);
        r.out = child.out();
        r.err = child.err();
        return r;
    }

    /// Starts `ironsight-console --headless` and waits until it prints that it listens on
    /// every address in `addresses`.
    ::testing::AssertionResult startConsole(const fs::path& data,
                                            const std::vector<std::string>& addresses) {
        const auto n = std::to_string(++runs_);
        console_ = std::make_unique<Child>(
            std::vector<std::string>{(kBin / "ironsight-console").string(), "--headless",
                                     "--data-dir", data.string()},
            dir_ / ("console" + n + ".out"), dir_ / ("console" + n + ".err"));
        auto listening = [&] {
            const std::string all = console_->out() + console_->err();
            for (const auto& a : addresses) {
                if (all.find("listening on " + a) == std::string::npos) return false;
            }
            return true;
        };
        const auto until = std::chrono::steady_clock::now() + 30s;
        while (!listening() && console_->running() && std::chrono::steady_clock::now() < until) {
            std::this_thread::sleep_for(50ms);
        }
        if (listening()) return ::testing::AssertionSuccess();
        return ::testing::AssertionFailure() << "console did not start listening:\n"
                                             << console_->out() << console_->err();
    }

    /// Name prefix of the test's scratch directory under the system temp dir.
    std::string prefix_ = "ironsight-e2e-";
    fs::path dir_;
    int runs_ = 0;
    std::unique_ptr<Child> console_;
};

#define EXPECT_RUN_OK(r) EXPECT_EQ((r).code, 0) << "stdout: " << (r).out << "\nstderr: " << (r).err

}  // namespace ironsight::test
