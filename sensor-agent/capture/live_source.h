// SPDX-License-Identifier: Apache-2.0
// Live capture on one interface through libpcap (SPEC §3.1): promiscuous, snaplen 65535, a large
// kernel ring (TPACKET_V3 on Linux, sized by pcap_set_buffer_size), immediate mode off, an
// optional BPF filter, and a read timeout so the capture loop can be stopped.
#pragma once

#include <cstdint>
#include <string>

#include "sensor-agent/capture/pcap_handle.h"
#include "sensor-agent/capture/raw_packet.h"
#include "shared/base/result.h"

namespace ironsight::sensor {

struct LiveOptions {
    std::string interface;
    int snaplen = 65535;
    int bufferBytes = 64 * 1024 * 1024;  // kernel ring; libpcap rounds it to whole blocks
    bool promiscuous = true;
    int timeoutMs = 100;  // longest a read waits (the ring's block retire timeout, too)
    std::string filter;   // BPF, empty: everything
};

/// Counters from pcap_stats: packets the kernel handed over, dropped because the ring was full
/// (kernel), and dropped by the interface/driver (where the platform reports it).
struct LiveStats {
    std::uint64_t received = 0, kernelDrops = 0, interfaceDrops = 0;
};

/// Compiles `filter` for `linkType` without a capture handle: checks a filter before it is
/// applied to open handles (a config reload). One line naming the filter on error.
Status checkFilter(const std::string& filter, int linkType, int snaplen);

class LiveSource {
public:
    /// Opens and activates the capture. One-line errors, e.g. "no such interface: eth9",
    /// "cannot capture on eth0: permission denied (run as root or give the binary CAP_NET_RAW,
    /// see docs/SENSOR.md)", "bad BPF filter 'tcp port': <libpcap's reason>".
    static Result<LiveSource> open(const LiveOptions& options);

    /// Waits up to the read timeout for packets and calls `handler(const RawPacket&)` for each
    /// one (its data is valid only during the call). Returns the number of packets handled (0 on
    /// a timeout or after breakLoop()) or an Error when the interface went away.
    template <typename Handler>
    Result<int> dispatch(Handler&& handler, int maxPackets = 4096) {
        Trampoline<Handler> t{&handler, linkType_};
        return dispatchRaw(&Trampoline<Handler>::call, reinterpret_cast<u_char*>(&t), maxPackets);
    }

    /// Makes a dispatch() in progress (on another thread) return within the read timeout.
    /// Thread-safe.
    void breakLoop() { pcap_breakloop(handle_.get()); }

    /// Cumulative counters since open. Call from the capturing thread.
    Result<LiveStats> stats();
    /// Replaces the BPF filter of the open handle ("" captures everything) without closing it.
    /// Call it from the thread that dispatches (libpcap handles are not thread-safe). A filter
    /// that does not compile is an error and the old one stays.
    Status setFilter(const std::string& filter);

    int linkType() const { return linkType_; }
    const std::string& interface() const { return interface_; }
    /// A warning libpcap gave on activation (e.g. promiscuous mode not supported), or "".
    const std::string& warning() const { return warning_; }

private:
    LiveSource(capture::PcapHandle handle, std::string interface, std::string warning);

    template <typename Handler>
    struct Trampoline {
        Handler* handler;
        int linkType;
        static void call(u_char* user, const pcap_pkthdr* header, const u_char* bytes) {
            auto* self = reinterpret_cast<Trampoline*>(user);
            RawPacket packet;
            packet.linkType = self->linkType;
            packet.timestampUs = static_cast<std::int64_t>(header->ts.tv_sec) * 1000000 +
                                 static_cast<std::int64_t>(header->ts.tv_usec);
            packet.wireLength = header->len;
            packet.data = std::span<const std::uint8_t>(bytes, header->caplen);
            (*self->handler)(static_cast<const RawPacket&>(packet));
        }
    };

    Result<int> dispatchRaw(pcap_handler callback, u_char* user, int maxPackets);

    capture::PcapHandle handle_;
    std::string interface_;
    std::string warning_;
    int linkType_ = 1;
    int fd_ = -1;  // owned by handle_ (pcap_get_selectable_fd)
    int timeoutMs_ = 100;
};

}  // namespace ironsight::sensor
