// SPDX-License-Identifier: Apache-2.0
// LiveSource: pcap_create + options + pcap_activate, BPF filter, pcap_dispatch and pcap_stats.
#include "sensor-agent/capture/live_source.h"

#include <poll.h>

#include <cerrno>
#include <cstring>
#include <utility>

namespace ironsight::sensor {
namespace {

std::string activationError(pcap_t* handle, int rc, const std::string& name) {
    const std::string detail = pcap_geterr(handle);
    switch (rc) {
        case PCAP_ERROR_NO_SUCH_DEVICE:
            return "no such interface: " + name;
        case PCAP_ERROR_PERM_DENIED:
            return "cannot capture on " + name +
                   ": permission denied (run as root or give the binary CAP_NET_RAW and "
                   "CAP_NET_ADMIN, see docs/SENSOR.md)";
        case PCAP_ERROR_PROMISC_PERM_DENIED:
            return "cannot capture on " + name +
                   ": promiscuous mode not permitted (give the binary CAP_NET_ADMIN, see "
                   "docs/SENSOR.md)";
        case PCAP_ERROR_IFACE_NOT_UP:
            return "cannot capture on " + name + ": the interface is down";
        case PCAP_ERROR_RFMON_NOTSUP:
            return "cannot capture on " + name + ": monitor mode not supported";
        default:
            break;
    }
    return "cannot capture on " + name + ": " +
           (detail.empty() ? std::string(pcap_statustostr(rc)) : detail);
}

}  // namespace

LiveSource::LiveSource(capture::PcapHandle handle, std::string interface, std::string warning)
    : handle_(std::move(handle)), interface_(std::move(interface)), warning_(std::move(warning)) {
    linkType_ = pcap_datalink(handle_.get());
}

Result<LiveSource> LiveSource::open(const LiveOptions& options) {
    const std::string& name = options.interface;
    if (name.empty()) return makeError("no capture interface given");
    if (options.snaplen <= 0 || options.bufferBytes <= 0 || options.timeoutMs <= 0) {
        return makeError("cannot capture on " + name +
                         ": snaplen, buffer size and timeout must be positive");
    }
    char errbuf[PCAP_ERRBUF_SIZE] = {};
    capture::PcapHandle handle(pcap_create(name.c_str(), errbuf));
    if (!handle) return makeError("cannot capture on " + name + ": " + errbuf);
    pcap_t* p = handle.get();
    // Options only fail on an already activated handle, which this one is not.
    pcap_set_snaplen(p, options.snaplen);
    pcap_set_promisc(p, options.promiscuous ? 1 : 0);
    pcap_set_timeout(p, options.timeoutMs);
    pcap_set_buffer_size(p, options.bufferBytes);
    pcap_set_immediate_mode(p, 0);  // let the kernel fill ring blocks: fewer wake-ups
    pcap_set_tstamp_precision(p, PCAP_TSTAMP_PRECISION_MICRO);
    const int rc = pcap_activate(p);
    std::string warning;
    if (rc < 0) return makeError(activationError(p, rc, name));
    if (rc > 0) {
        const std::string detail = pcap_geterr(p);
        warning = name + ": " + (detail.empty() ? std::string(pcap_statustostr(rc)) : detail);
    }
    if (!options.filter.empty()) {
        capture::BpfProgram program;
        if (!program.compile(p, options.filter.c_str())) {
            return makeError("bad BPF filter '" + options.filter + "': " + pcap_geterr(p));
        }
        if (pcap_setfilter(p, program.get()) != 0) {
            return makeError("cannot set BPF filter '" + options.filter + "' on " + name + ": " +
                             pcap_geterr(p));
        }
    }
    // With TPACKET_V3 a blocking read waits for a filled (or timed-out) ring block and never
    // returns while no packet arrives at all: read non-blocking and wait in poll() instead.
    if (pcap_setnonblock(p, 1, errbuf) != 0) {
        return makeError("cannot capture on " + name + ": " + errbuf);
    }
    const int fd = pcap_get_selectable_fd(p);
    if (fd < 0) return makeError("cannot capture on " + name + ": no selectable descriptor");
    LiveSource source(std::move(handle), name, std::move(warning));
    source.fd_ = fd;
    source.timeoutMs_ = options.timeoutMs;
    return source;
}

Result<int> LiveSource::dispatchRaw(pcap_handler callback, u_char* user, int maxPackets) {
    // Whatever is ready first; otherwise wait until the kernel hands over a ring block (it
    // retires a partly filled block after the timeout) or the timeout passes.
    int rc = pcap_dispatch(handle_.get(), maxPackets, callback, user);
    if (rc == 0) {
        pollfd pfd{fd_, POLLIN, 0};
        if (::poll(&pfd, 1, timeoutMs_) < 0 && errno != EINTR) {
            return makeError("capture on " + interface_ + " failed: " + std::strerror(errno));
        }
        rc = pcap_dispatch(handle_.get(), maxPackets, callback, user);
    }
    if (rc >= 0) return rc;
    if (rc == PCAP_ERROR_BREAK) return 0;
    return makeError("capture on " + interface_ + " failed: " + pcap_geterr(handle_.get()));
}

Status checkFilter(const std::string& filter, int linkType, int snaplen) {
    capture::PcapHandle dead(pcap_open_dead(linkType, snaplen));
    if (!dead) return makeError("cannot check BPF filter '" + filter + "': out of memory");
    capture::BpfProgram program;
    if (!program.compile(dead.get(), filter.c_str())) {
        return makeError("bad BPF filter '" + filter + "': " + pcap_geterr(dead.get()));
    }
    return {};
}

Status LiveSource::setFilter(const std::string& filter) {
    pcap_t* p = handle_.get();
    capture::BpfProgram program;
    // "" compiles to accept-all, which also clears a previous filter.
    if (!program.compile(p, filter.c_str())) {
        return makeError("bad BPF filter '" + filter + "': " + pcap_geterr(p));
    }
    if (pcap_setfilter(p, program.get()) != 0) {
        return makeError("cannot set BPF filter '" + filter + "' on " + interface_ + ": " +
                         pcap_geterr(p));
    }
    return {};
}

Result<LiveStats> LiveSource::stats() {
    pcap_stat s{};
    if (pcap_stats(handle_.get(), &s) != 0) {
        return makeError("cannot read capture counters of " + interface_ + ": " +
                         pcap_geterr(handle_.get()));
    }
    return LiveStats{s.ps_recv, s.ps_drop, s.ps_ifdrop};
}

}  // namespace ironsight::sensor
