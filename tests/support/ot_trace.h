// SPDX-License-Identifier: Apache-2.0
// OtTrace: a deterministic (seeded) generator of a large mixed OT/IT capture for the throughput
// and memory benchmarks (docs/BENCHMARKS.md): ~2,000 devices, HMIs polling PLCs and RTUs over
// Modbus/TCP, S7comm, DNP3, EtherNet/IP, IEC 60870-5-104 and BACnet/IP, plus bulk IT traffic
// (HTTP downloads, TLS sessions, DNS, ARP) with real TCP sessions (handshakes, ACKs, closes).
// Frames are produced in time order by a scheduler and streamed to the file, so memory stays
// small whatever the packet count.
#pragma once

#include <cstdint>
#include <filesystem>

#include "shared/base/result.h"

namespace ironsight::test {

struct OtTraceOptions {
    std::uint64_t seed = 1;
    int devices = 2000;  // hosts that send (PLCs/RTUs, HMIs, IT hosts, servers behind the router)
    int minutes = 10;    // capture span
    /// Extra long-lived TLS connections from IT hosts to servers, all opened in the first minute
    /// and kept open (a keep-alive exchange every 2-5 minutes) to the end: concurrent flows for
    /// the memory benchmark. 0: none.
    std::uint32_t longLivedFlows = 0;
    /// Scales the polling and IT session rates (1.0 gives ~2.3 million packets for 2,000
    /// devices and 10 minutes).
    double rate = 1.0;
    std::int64_t startUs = 1767261600000000;  // 2026-01-01 10:00:00 UTC
};

struct OtTraceSummary {
    std::uint64_t packets = 0, bytes = 0;
    std::uint64_t tcpSessions = 0, otFlows = 0, longLivedFlows = 0;
    int devices = 0;  // sending hosts generated
};

/// Writes the trace as a classic pcap file (Ethernet, microsecond timestamps).
Result<OtTraceSummary> writeOtTrace(const std::filesystem::path& file,
                                    const OtTraceOptions& options = {});

}  // namespace ironsight::test
