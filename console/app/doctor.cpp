// SPDX-License-Identifier: Apache-2.0
// `ironsight-console admin doctor [--json]`: data dir, ownership, set-up, database integrity, CA
// and server certificates, listen ports, disk space and clock; one line per check with the fix.
// Reads the data dir without changing it (console.db is opened read-only), so it is safe beside a
// running console.
#include "console/app/doctor.h"

#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "console/core/console_service.h"
#include "console/core/handshake_audit.h"
#include "shared/doctor/doctor.h"
#include "shared/sqlite/sqlite.h"

namespace ironsight::console::app {
namespace {

namespace fs = std::filesystem;
using doctor::Check;
using doctor::Level;

constexpr std::uint64_t kMiB = 1024 * 1024;

struct DoctorOptions {
    std::string serviceUser = "ironsight";
    bool json = false;
    bool full = false;
};

Check make(const std::string& name, Level level, std::string detail, std::string fix = {}) {
    return Check{name, level, std::move(detail), level == Level::Ok ? std::string{} : std::move(fix)};
}

/// Inodes of listening TCP sockets on `port` (from /proc/net/tcp and tcp6).
std::vector<std::string> listeningInodes(int port) {
    std::vector<std::string> inodes;
    for (const core::TcpSocket& s : core::tcpSockets()) {
        if (s.state == "0A" && s.localPort == static_cast<unsigned>(port)) {  // 0A: LISTEN
            inodes.push_back(s.inode);
        }
    }
    return inodes;
}

/// The process holding one of `inodes` as an open socket: "comm (pid N)", or empty when none
/// is visible to this user.
std::string socketOwner(const std::vector<std::string>& inodes, bool& isConsole) {
    isConsole = false;
    std::error_code ec;
    for (const auto& proc : fs::directory_iterator("/proc", ec)) {
        const std::string pid = proc.path().filename().string();
        if (pid.find_first_not_of("0123456789") != std::string::npos) continue;
        std::error_code fdError;
        for (const auto& fd : fs::directory_iterator(proc.path() / "fd", fdError)) {
            std::error_code linkError;
            const std::string target = fs::read_symlink(fd.path(), linkError).string();
            if (linkError || target.rfind("socket:[", 0) != 0) continue;
            const std::string inode = target.substr(8, target.size() - 9);
            if (std::find(inodes.begin(), inodes.end(), inode) == inodes.end()) continue;
            std::string comm;
            std::getline(std::ifstream(proc.path() / "comm"), comm);
            // comm is cut to 15 characters: "ironsight-conso".
            isConsole = comm.rfind("ironsight-cons", 0) == 0;
            return comm + " (pid " + pid + ")";
        }
    }
    return {};
}

/// The listen address can be bound now, or is held by a running console.
Check listenCheck(const std::string& name, const std::string& address) {
    std::string host, port;
    if (!doctor::splitHostPort(address, host, port)) {
        return make(name, Level::Fail, "'" + address + "' is not HOST:PORT",
                    "start the console with --listen/--enroll-listen HOST:PORT");
    }
    addrinfo hints{};
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    addrinfo* found = nullptr;
    if (int rc = ::getaddrinfo(host.empty() ? nullptr : host.c_str(), port.c_str(), &hints, &found);
        rc != 0) {
        return make(name, Level::Fail, address + ": " + ::gai_strerror(rc),
                    "use an address of this machine");
    }
    std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> list(found, &::freeaddrinfo);
    const int fd = ::socket(found->ai_family, found->ai_socktype | SOCK_CLOEXEC, found->ai_protocol);
    if (fd < 0) return make(name, Level::Fail, address + ": " + std::strerror(errno), {});
    const int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);  // as gRPC does
    const int rc = ::bind(fd, found->ai_addr, found->ai_addrlen);
    const int err = errno;
    ::close(fd);
    if (rc == 0) return make(name, Level::Ok, address + " is free for the console");
    if (err == EADDRINUSE) {
        bool isConsole = false;
        const std::string owner = socketOwner(listeningInodes(std::stoi(port)), isConsole);
        if (isConsole) return make(name, Level::Ok, address + " is held by the console: " + owner);
        if (owner.empty()) {
            return make(name, Level::Warn,
                        address + " is in use by a process this user cannot see",
                        "run doctor as root to see which; if it is not the console, stop it or "
                        "move the console to another port (--listen/--enroll-listen)");
        }
        return make(name, Level::Fail, address + " is in use by " + owner,
                    "stop that program or move the console to another port "
                    "(--listen/--enroll-listen HOST:PORT)");
    }
    if (err == EACCES) {
        return make(name, Level::Fail, address + ": ports below 1024 need privileges",
                    "use a port above 1024 (default " + std::string(core::kDefaultLinkListen) +
                        ")");
    }
    if (err == EADDRNOTAVAIL) {
        return make(name, Level::Fail, host + " is not an address of this machine",
                    "listen on an address of this machine (or 0.0.0.0)");
    }
    return make(name, Level::Fail, address + ": " + std::strerror(err), {});
}

int doctorMain(const fs::path& dir, const DoctorOptions& o) {
    doctor::Report report;
    std::error_code ec;
    const std::string dirText = dir.string();
    const std::string initFix = "ironsight-console admin --data-dir " + dirText +
                                " init --admin-user NAME --admin-password-file FILE";
    report.add(doctor::directoryWritable(
        "data-dir", dir,
        "create it for the service user (install -d -o " + o.serviceUser + " -g " +
            o.serviceUser + " -m 0750 " + dirText + "; the package does this), then " + initFix));
    if (fs::is_directory(dir, ec) && ::geteuid() == 0) {
        report.add(doctor::ownedBy("data-owner", dir, o.serviceUser,
                                   "run admin commands as that user: sudo -u " + o.serviceUser +
                                       " ironsight-console admin ..."));
    }

    const fs::path db = dir / "console.db";
    const fs::path pki = dir / "pki";
    std::optional<sqlite::Db> consoleDb;
    if (fs::exists(db, ec)) {
        if (auto opened = sqlite::Db::open(db, /*readOnly=*/true); opened) {
            consoleDb.emplace(std::move(*opened));
        }
    }
    const auto query = [&](const std::string& sql, const std::string& arg) -> std::string {
        if (!consoleDb) return {};
        auto stmt = consoleDb->prepare(sql);
        if (!stmt) return {};
        if (!arg.empty()) stmt->bind(1, arg);
        auto row = stmt->step();
        return row && *row ? stmt->columnText(0) : std::string{};
    };
    const std::string users = query("SELECT COUNT(*) FROM users", {});
    const bool initialized = core::Pki::exists(pki) && consoleDb && !users.empty() && users != "0";
    if (initialized) {
        report.add(make("setup", Level::Ok, "console set up (" + users + " users)"));
    } else {
        report.add(make("setup", Level::Fail,
                        !fs::exists(db, ec)       ? "no console.db in " + dirText
                        : !core::Pki::exists(pki) ? "no CA in " + pki.string()
                                                  : "no user accounts",
                        initFix));
    }

    if (fs::exists(db, ec)) {
        consoleDb.reset();
        report.add(doctor::sqliteIntegrity(
            "db-integrity", db, o.full,
            "stop the console and restore the last good backup: ironsight-console admin "
            "--data-dir " + dirText + " restore FILE (docs/OPERATIONS.md)"));
    } else {
        report.add(make("db-integrity", Level::Skip, "no console.db"));
    }

    std::int64_t clockFloorMs = 0;
    if (core::Pki::exists(pki)) {
        report.add(doctor::certificate(
            "ca-certificate", pki / "ca.crt", 180,
            "the console CA cannot be renewed in place yet: plan a new console set-up and "
            "re-activation of every sensor before it expires (docs/OPERATIONS.md)"));
        report.add(doctor::certificate(
            "server-certificate", pki / "server.crt", 30,
            "renew the server certificate before it expires (docs/OPERATIONS.md, "
            "\"Certificates\")"));
        report.add(doctor::privateKeyMode("ca-key", pki / "ca.key"));
        report.add(doctor::privateKeyMode("server-key", pki / "server.key"));
        if (fs::exists(pki / "link" / "anchor.crt", ec)) {  // `admin cert import` (CONSOLE.md)
            report.add(doctor::certificate(
                "imported-link-certificate", pki / "link" / "server.crt", 30,
                "import a renewed certificate from your CA (admin cert import) before it expires"));
            report.add(doctor::privateKeyMode("imported-link-key", pki / "link" / "server.key"));
        }
        std::int64_t notBefore = 0, notAfter = 0;
        if (doctor::certificateValidity(pki / "server.crt", notBefore, notAfter)) {
            clockFloorMs = notBefore * 1000;
        }
    } else {
        report.add(make("certificates", Level::Skip, "no CA yet"));
    }

    if (fs::exists(db, ec)) {
        if (auto opened = sqlite::Db::open(db, /*readOnly=*/true); opened) {
            consoleDb.emplace(std::move(*opened));
        }
    }
    const std::string settingSql = "SELECT value FROM settings WHERE key = ?1";
    std::string link = query(settingSql, core::kSettingLinkListen);
    std::string enroll = query(settingSql, core::kSettingEnrollListen);
    consoleDb.reset();
    report.add(listenCheck("link-listen", link.empty() ? core::kDefaultLinkListen : link));
    report.add(listenCheck("enroll-listen", enroll.empty() ? core::kDefaultEnrollListen : enroll));

    report.add(doctor::diskSpace("disk-space", dir, 512 * kMiB, 2048 * kMiB));
    report.add(doctor::clock("clock", clockFloorMs));

    std::cout << (o.json ? report.json() : report.text());
    return report.exitCode();
}

}  // namespace

void addDoctorCommand(CLI::App& admin, const std::function<fs::path()>& dataDir, int& exitCode) {
    auto o = std::make_shared<DoctorOptions>();
    CLI::App* cmd = admin.add_subcommand(
        "doctor",
        "Check this console: data dir, database integrity, certificates, listen ports, disk, "
        "clock (exit 1 when a check fails)");
    cmd->add_option("--service-user", o->serviceUser,
                    "User the headless service runs as (ownership is checked when run as root)")
        ->capture_default_str();
    cmd->add_flag("--full", o->full, "PRAGMA integrity_check instead of quick_check");
    cmd->add_flag("--json", o->json, "Print one JSON object");
    cmd->callback([o, dataDir, &exitCode] { exitCode = doctorMain(dataDir(), *o); });
}

}  // namespace ironsight::console::app
