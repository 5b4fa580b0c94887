// SPDX-License-Identifier: Apache-2.0
// dropPrivileges: prctl (ambient, bounding set, securebits, no_new_privs), setgroups/setgid/
// setuid, and capset through the raw system call (no libcap needed).
#include "sensor-agent/capture/privileges.h"

#include <grp.h>
#include <linux/capability.h>
#include <linux/securebits.h>
#include <pwd.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <vector>

namespace ironsight::sensor {
namespace {

std::string errnoText() {
    return std::strerror(errno);
}

int lastCapability() {
    std::ifstream in("/proc/sys/kernel/cap_last_cap");
    int last = CAP_LAST_CAP;
    if (!(in >> last) || last < 0 || last > 63) last = CAP_LAST_CAP;
    return last;
}

/// Clears the effective, permitted and inheritable sets of this thread (= the process: the
/// sensor calls this before it starts any thread).
int clearCapabilitySets() {
    __user_cap_header_struct header{};
    header.version = _LINUX_CAPABILITY_VERSION_3;
    header.pid = 0;
    __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {};
    return static_cast<int>(syscall(SYS_capset, &header, data));
}

struct UserIds {
    uid_t uid = 0;
    gid_t gid = 0;
    std::string name;
};

Result<UserIds> lookUpUser(const std::string& user) {
    long size = sysconf(_SC_GETPW_R_SIZE_MAX);
    if (size < 1024) size = 16384;
    std::vector<char> buffer(static_cast<std::size_t>(size));
    passwd entry{};
    passwd* found = nullptr;
    const int rc = getpwnam_r(user.c_str(), &entry, buffer.data(), buffer.size(), &found);
    if (rc != 0) return makeError("cannot look up user " + user + ": " + std::strerror(rc));
    if (!found) return makeError("no such user: " + user);
    return UserIds{entry.pw_uid, entry.pw_gid, entry.pw_name};
}

}  // namespace

Result<CapabilitySets> readCapabilities(int pid) {
    const std::string file =
        pid == 0 ? std::string("/proc/self/status") : "/proc/" + std::to_string(pid) + "/status";
    std::ifstream in(file);
    if (!in) return makeError("cannot read " + file);
    CapabilitySets sets;
    int found = 0;
    for (std::string line; std::getline(in, line);) {
        std::uint64_t* target = nullptr;
        if (line.rfind("CapInh:", 0) == 0) target = &sets.inheritable;
        if (line.rfind("CapPrm:", 0) == 0) target = &sets.permitted;
        if (line.rfind("CapEff:", 0) == 0) target = &sets.effective;
        if (line.rfind("CapBnd:", 0) == 0) target = &sets.bounding;
        if (line.rfind("CapAmb:", 0) == 0) target = &sets.ambient;
        if (!target) continue;
        std::istringstream value(line.substr(7));
        value >> std::hex >> *target;
        ++found;
    }
    if (found < 4) return makeError("no capability sets in " + file);
    return sets;
}

Status dropPrivileges(const std::string& user) {
    UserIds ids;
    if (!user.empty()) {
        if (geteuid() != 0) {
            return makeError("--user " + user +
                             " needs the sensor to start as root (it runs as uid " +
                             std::to_string(geteuid()) + ")");
        }
        auto found = lookUpUser(user);
        if (!found) return found.error();
        ids = *found;
    }
    // Ambient capabilities would survive an execve; EINVAL only on kernels before 4.3.
    if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0 && errno != EINVAL) {
        return makeError("cannot clear ambient capabilities: " + errnoText());
    }
    // Emptying the bounding set needs CAP_SETPCAP (root has it; a setcap'ed binary does not, and
    // then no_new_privs below is what keeps the capabilities from coming back).
    const auto before = readCapabilities();
    if (before && hasCapability(before->effective, CAP_SETPCAP)) {
        for (int cap = 0; cap <= lastCapability(); ++cap) {
            if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 && errno != EINVAL) {
                return makeError("cannot drop capability " + std::to_string(cap) +
                                 " from the bounding set: " + errnoText());
            }
        }
        if (user.empty() && geteuid() == 0) {
            // Still uid 0: make sure an execve does not hand root its capabilities back.
            if (prctl(PR_SET_SECUREBITS,
                      SECBIT_NOROOT | SECBIT_NOROOT_LOCKED | SECBIT_NO_CAP_AMBIENT_RAISE |
                          SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED,
                      0, 0, 0) != 0) {
                return makeError("cannot lock the root capability rules: " + errnoText());
            }
        }
    }
    if (!user.empty()) {
        if (initgroups(ids.name.c_str(), ids.gid) != 0) {
            return makeError("cannot set the groups of " + user + ": " + errnoText());
        }
        if (setresgid(ids.gid, ids.gid, ids.gid) != 0) {
            return makeError("cannot switch to the group of " + user + ": " + errnoText());
        }
        if (setresuid(ids.uid, ids.uid, ids.uid) != 0) {
            return makeError("cannot switch to user " + user + ": " + errnoText());
        }
    }
    if (clearCapabilitySets() != 0) return makeError("cannot drop capabilities: " + errnoText());
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
        return makeError("cannot set no_new_privs: " + errnoText());
    }
    auto after = readCapabilities();
    if (!after) return after.error();
    if (after->effective != 0 || after->permitted != 0 || after->ambient != 0) {
        return makeError("capabilities are still held after dropping them");
    }
    if (!user.empty() && (getuid() != ids.uid || geteuid() != ids.uid || getegid() != ids.gid)) {
        return makeError("still not running as " + user + " after switching");
    }
    return {};
}

}  // namespace ironsight::sensor
