// SPDX-License-Identifier: Apache-2.0
// Post-install checks shared by `ironsight-sensor doctor` and `ironsight-console admin doctor`
// (SPEC §3.6): a report of one line per check with its status and, when not ok, the fix; and the
// checks both programs run (directory, disk space, clock, certificate, SQLite integrity).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace ironsight::doctor {

enum class Level { Ok, Warn, Fail, Skip };

/// "ok", "warn", "fail", "skip".
const char* levelName(Level level);

struct Check {
    std::string name;    ///< short, stable key ("state-dir", "certificate", ...)
    Level level = Level::Ok;
    std::string detail;  ///< what was found
    std::string fix;     ///< what to do; empty when ok
};

class Report {
public:
    void add(Check check) { checks_.push_back(std::move(check)); }
    const std::vector<Check>& checks() const { return checks_; }
    int count(Level level) const;
    /// 1 when any check failed (warnings do not change the exit code), else 0.
    int exitCode() const { return count(Level::Fail) > 0 ? 1 : 0; }
    /// One line per check ("FAIL  name  detail -- fix: ...") and a summary line.
    std::string text() const;
    /// {"ok": bool, "failed": N, "warnings": N, "checks": [{name, status, detail, fix}]}
    std::string json() const;

private:
    std::vector<Check> checks_;
};

/// `dir` exists, is a directory and a file can be created in it. `fix` is shown when not.
Check directoryWritable(const std::string& name, const std::filesystem::path& dir,
                        const std::string& fix);

/// Free space on the file system holding `dir`: fail below `failBytes`, warn below `warnBytes`.
Check diskSpace(const std::string& name, const std::filesystem::path& dir,
                std::uint64_t failBytes, std::uint64_t warnBytes);

/// The wall clock is not before `notBeforeMs` (activation time, a certificate's start: things
/// that happened, so a clock behind them is wrong) and the kernel reports it NTP-synchronized
/// (adjtimex; a warning when not).
Check clock(const std::string& name, std::int64_t notBeforeMs);

/// A PEM certificate's validity now: fail when unreadable, not yet valid or expired; warn when
/// it expires within `warnDays`. `fix` is shown for the failure and the warning.
Check certificate(const std::string& name, const std::filesystem::path& pem, int warnDays,
                  const std::string& fix);

/// The validity period of a PEM certificate as Unix seconds (notBefore, notAfter); false when
/// it cannot be read.
bool certificateValidity(const std::filesystem::path& pem, std::int64_t& notBefore,
                         std::int64_t& notAfter);

/// PRAGMA quick_check (or integrity_check when `full`) on a database opened read-only.
Check sqliteIntegrity(const std::string& name, const std::filesystem::path& db, bool full,
                      const std::string& fix);

/// A private key file readable by its owner only (mode 0600 or 0400).
Check privateKeyMode(const std::string& name, const std::filesystem::path& key);

/// Every entry under `dir` (and `dir` itself) belongs to `user`: a file left owned by root (an
/// admin command run with sudo) stops a service running as `user` from writing. Skipped when
/// the user does not exist.
Check ownedBy(const std::string& name, const std::filesystem::path& dir, const std::string& user,
              const std::string& howToAvoid);

/// "host:port" or "[v6]:port" split into its parts; false when there is no port.
bool splitHostPort(const std::string& endpoint, std::string& host, std::string& port);

}  // namespace ironsight::doctor
