// SPDX-License-Identifier: Apache-2.0
// Post-install checks shared by the sensor's and the console's doctor commands.
#include "shared/doctor/doctor.h"

#include <openssl/asn1.h>
#include <openssl/x509.h>
#include <pwd.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/timex.h>
#include <unistd.h>

#include <chrono>
#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <iomanip>
#include <nlohmann/json.hpp>
#include <sstream>

#include "shared/crypto/crypto.h"
#include "shared/sqlite/sqlite.h"

namespace ironsight::doctor {
namespace fs = std::filesystem;
namespace {

Check make(const std::string& name, Level level, std::string detail, std::string fix = {}) {
    return Check{name, level, std::move(detail), level == Level::Ok ? std::string{} : std::move(fix)};
}

std::string humanBytes(std::uint64_t bytes) {
    const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    double value = static_cast<double>(bytes);
    int unit = 0;
    while (value >= 1024.0 && unit < 4) {
        value /= 1024.0;
        ++unit;
    }
    char buf[32];
    std::snprintf(buf, sizeof buf, unit == 0 ? "%.0f %s" : "%.1f %s", value, units[unit]);
    return buf;
}

std::string utcDate(std::int64_t unixSeconds) {
    const std::time_t t = static_cast<std::time_t>(unixSeconds);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M UTC", &tm);
    return buf;
}

std::int64_t nowSeconds() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

bool asn1ToUnix(const ASN1_TIME* time, std::int64_t& out) {
    std::tm tm{};
    if (time == nullptr || ASN1_TIME_to_tm(time, &tm) != 1) return false;
    out = static_cast<std::int64_t>(timegm(&tm));
    return true;
}

}  // namespace

const char* levelName(Level level) {
    switch (level) {
        case Level::Ok: return "ok";
        case Level::Warn: return "warn";
        case Level::Fail: return "fail";
        case Level::Skip: return "skip";
    }
    return "?";
}

int Report::count(Level level) const {
    int n = 0;
    for (const auto& c : checks_) n += c.level == level ? 1 : 0;
    return n;
}

std::string Report::text() const {
    std::size_t width = 0;
    for (const auto& c : checks_) width = std::max(width, c.name.size());
    std::ostringstream out;
    for (const auto& c : checks_) {
        const char* tag = c.level == Level::Ok     ? "ok  "
                          : c.level == Level::Warn ? "WARN"
                          : c.level == Level::Fail ? "FAIL"
                                                   : "skip";
        out << tag << "  " << std::left << std::setw(static_cast<int>(width)) << c.name << "  "
            << c.detail;
        if (!c.fix.empty()) out << " -- fix: " << c.fix;
        out << "\n";
    }
    out << "doctor: " << count(Level::Ok) << " ok, " << count(Level::Warn) << " warnings, "
        << count(Level::Fail) << " failed, " << count(Level::Skip) << " skipped\n";
    return out.str();
}

std::string Report::json() const {
    nlohmann::ordered_json doc;
    doc["ok"] = count(Level::Fail) == 0;
    doc["failed"] = count(Level::Fail);
    doc["warnings"] = count(Level::Warn);
    auto list = nlohmann::ordered_json::array();
    for (const auto& c : checks_) {
        list.push_back(nlohmann::ordered_json{{"name", c.name},
                                              {"status", levelName(c.level)},
                                              {"detail", c.detail},
                                              {"fix", c.fix}});
    }
    doc["checks"] = std::move(list);
    return doc.dump(2) + "\n";
}

Check directoryWritable(const std::string& name, const fs::path& dir, const std::string& fix) {
    std::error_code ec;
    const auto st = fs::status(dir, ec);
    if (ec || !fs::exists(st)) return make(name, Level::Fail, dir.string() + " does not exist", fix);
    if (!fs::is_directory(st)) return make(name, Level::Fail, dir.string() + " is not a directory", fix);
    // access(2) alone is not enough (read-only mounts, ProtectSystem=strict): create a file.
    const fs::path probe = dir / (".doctor-" + std::to_string(::getpid()));
    std::FILE* f = std::fopen(probe.c_str(), "w");
    if (f == nullptr) {
        return make(name, Level::Fail,
                    dir.string() + " is not writable by uid " + std::to_string(::geteuid()) + ": " +
                        std::strerror(errno),
                    fix);
    }
    std::fclose(f);
    fs::remove(probe, ec);
    const auto perms = st.permissions();
    if ((perms & fs::perms::others_all) != fs::perms::none) {
        return make(name, Level::Warn, dir.string() + " is writable but open to other users",
                    "chmod 0750 " + dir.string());
    }
    return make(name, Level::Ok, dir.string() + " is writable");
}

Check diskSpace(const std::string& name, const fs::path& dir, std::uint64_t failBytes,
                std::uint64_t warnBytes) {
    struct statvfs vfs {};
    fs::path probe = dir;
    std::error_code ec;
    while (!fs::exists(probe, ec) && probe.has_parent_path() && probe != probe.parent_path()) {
        probe = probe.parent_path();  // a missing dir: the file system it would be created on
    }
    if (::statvfs(probe.c_str(), &vfs) != 0) {
        return make(name, Level::Fail, "cannot read free space of " + probe.string() + ": " +
                                           std::strerror(errno),
                    "check that " + dir.string() + " is on a mounted file system");
    }
    const std::uint64_t free = static_cast<std::uint64_t>(vfs.f_bavail) * vfs.f_frsize;
    const std::string detail = humanBytes(free) + " free on the file system of " + probe.string();
    const std::string fix = "free space or move " + dir.string() + " to a larger file system (" +
                            "keep at least " + humanBytes(warnBytes) + " free)";
    if (free < failBytes) return make(name, Level::Fail, detail, fix);
    if (free < warnBytes) return make(name, Level::Warn, detail, fix);
    return make(name, Level::Ok, detail);
}

Check clock(const std::string& name, std::int64_t notBeforeMs) {
    const std::int64_t now = nowSeconds();
    const std::int64_t floor = notBeforeMs / 1000;
    if (notBeforeMs > 0 && now + 60 < floor) {
        return make(name, Level::Fail,
                    "the clock (" + utcDate(now) + ") is behind the activation/certificate time " +
                        utcDate(floor),
                    "set the time (timedatectl set-ntp true, or chrony/ntpsec pointed at the "
                    "site's time server)");
    }
    struct timex tx {};
    const int state = ::adjtimex(&tx);  // modes 0: read only, no privilege needed
    if (state == -1) {
        return make(name, Level::Warn, "clock " + utcDate(now) + "; cannot read the NTP state: " +
                                           std::strerror(errno),
                    "check time synchronization with timedatectl");
    }
    if (state == TIME_ERROR || (tx.status & STA_UNSYNC) != 0) {
        return make(name, Level::Warn,
                    "clock " + utcDate(now) + " is not NTP-synchronized (kernel: unsynchronized)",
                    "enable time synchronization (timedatectl set-ntp true, or chrony/ntpsec "
                    "pointed at the site's time server): alert times and certificate checks "
                    "depend on it");
    }
    return make(name, Level::Ok,
                "clock " + utcDate(now) + ", NTP-synchronized (estimated error " +
                    std::to_string(tx.esterror) + " us)");
}

bool certificateValidity(const fs::path& pem, std::int64_t& notBefore, std::int64_t& notAfter) {
    auto text = crypto::readFile(pem, 1 << 20);
    if (!text) return false;
    auto cert = crypto::certificateFromPem(*text);
    if (!cert) return false;
    return asn1ToUnix(X509_get0_notBefore(cert->get()), notBefore) &&
           asn1ToUnix(X509_get0_notAfter(cert->get()), notAfter);
}

Check certificate(const std::string& name, const fs::path& pem, int warnDays,
                  const std::string& fix) {
    auto text = crypto::readFile(pem, 1 << 20);
    if (!text) return make(name, Level::Fail, text.error().message, fix);
    auto cert = crypto::certificateFromPem(*text);
    if (!cert) {
        return make(name, Level::Fail, pem.string() + ": " + cert.error().message, fix);
    }
    std::int64_t notBefore = 0, notAfter = 0;
    if (!certificateValidity(pem, notBefore, notAfter)) {
        return make(name, Level::Fail, pem.string() + ": unreadable validity dates", fix);
    }
    const std::int64_t now = nowSeconds();
    if (now < notBefore) {
        return make(name, Level::Fail,
                    pem.string() + " is not valid before " + utcDate(notBefore) +
                        " (is the clock behind?)",
                    "set the clock, then run doctor again");
    }
    const std::int64_t days = (notAfter - now) / 86400;
    if (now >= notAfter) {
        return make(name, Level::Fail, pem.string() + " expired on " + utcDate(notAfter), fix);
    }
    const std::string detail = pem.filename().string() + " valid until " + utcDate(notAfter) +
                               " (" + std::to_string(days) + " days left)";
    if (days < warnDays) return make(name, Level::Warn, detail, fix);
    return make(name, Level::Ok, detail);
}

Check sqliteIntegrity(const std::string& name, const fs::path& db, bool full,
                      const std::string& fix) {
    std::error_code ec;
    if (!fs::exists(db, ec)) return make(name, Level::Fail, db.string() + " does not exist", fix);
    auto open = sqlite::Db::open(db, /*readOnly=*/true);
    if (!open) return make(name, Level::Fail, open.error().message, fix);
    const char* pragma = full ? "PRAGMA integrity_check" : "PRAGMA quick_check";
    auto stmt = open->prepare(pragma);
    if (!stmt) return make(name, Level::Fail, db.string() + ": " + stmt.error().message, fix);
    auto row = stmt->step();
    if (!row) return make(name, Level::Fail, db.string() + ": " + row.error().message, fix);
    const std::string answer = *row ? stmt->columnText(0) : std::string("no answer");
    const std::string what = full ? "integrity_check" : "quick_check";
    if (answer != "ok") {
        return make(name, Level::Fail, db.string() + ": " + what + ": " + answer, fix);
    }
    return make(name, Level::Ok, db.filename().string() + ": " + what + " ok");
}

Check privateKeyMode(const std::string& name, const fs::path& key) {
    std::error_code ec;
    const auto st = fs::status(key, ec);
    if (ec || !fs::exists(st)) return make(name, Level::Fail, key.string() + " is missing", {});
    const auto open = fs::perms::group_all | fs::perms::others_all;
    if ((st.permissions() & open) != fs::perms::none) {
        return make(name, Level::Fail, key.string() + " is readable by other users",
                    "chmod 0600 " + key.string());
    }
    return make(name, Level::Ok, key.filename().string() + " is private (owner only)");
}

Check ownedBy(const std::string& name, const fs::path& dir, const std::string& user,
              const std::string& howToAvoid) {
    const passwd* pw = ::getpwnam(user.c_str());
    if (pw == nullptr) {
        return make(name, Level::Skip, "no user " + user + " on this machine (the package creates it)");
    }
    const uid_t uid = pw->pw_uid;
    std::vector<std::string> wrong;
    struct stat top {};
    if (::stat(dir.c_str(), &top) == 0 && top.st_uid != uid) wrong.push_back(".");
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(dir, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
        struct stat st {};
        if (::lstat(it->path().c_str(), &st) == 0 && st.st_uid != uid) {
            wrong.push_back(fs::relative(it->path(), dir, ec).string());
        }
    }
    if (wrong.empty()) return make(name, Level::Ok, "everything in " + dir.string() + " belongs to " + user);
    std::string list;
    for (std::size_t i = 0; i < wrong.size() && i < 4; ++i) list += (i ? ", " : "") + wrong[i];
    if (wrong.size() > 4) list += ", ...";
    return make(name, Level::Fail,
                std::to_string(wrong.size()) + " entries in " + dir.string() + " not owned by " +
                    user + " (" + list + "): the service cannot write them",
                "chown -R " + user + ":" + user + " " + dir.string() + "; " + howToAvoid);
}

bool splitHostPort(const std::string& endpoint, std::string& host, std::string& port) {
    if (!endpoint.empty() && endpoint.front() == '[') {
        const auto close = endpoint.find(']');
        if (close == std::string::npos || close + 1 >= endpoint.size() || endpoint[close + 1] != ':') {
            return false;
        }
        host = endpoint.substr(1, close - 1);
        port = endpoint.substr(close + 2);
    } else {
        const auto colon = endpoint.rfind(':');
        if (colon == std::string::npos) return false;
        host = endpoint.substr(0, colon);
        port = endpoint.substr(colon + 1);
    }
    return !port.empty() && port.find_first_not_of("0123456789") == std::string::npos;
}

}  // namespace ironsight::doctor
