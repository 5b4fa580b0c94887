// SPDX-License-Identifier: Apache-2.0
// Test support: reads a capture twice with PcapFileSource, from the memory mapping and through
// libpcap alone, and says where the two differ (packets, timestamps, lengths, bytes, the end).
#pragma once

#include <algorithm>
#include <filesystem>
#include <string>

#include "sensor-agent/capture/pcap_file_source.h"

namespace ironsight::sensor::capture {

struct ReadCheck {
    std::string difference;  // empty: the same packets and the same end
    bool mapped = false;     // the mapping read at least the first packet
    std::uint64_t packets = 0;
};

inline ReadCheck compareWithLibpcap(const std::filesystem::path& file) {
    ReadCheck check;
    auto fast = PcapFileSource::open(file, true);
    auto slow = PcapFileSource::open(file, false);
    if (fast.ok() != slow.ok()) {
        check.difference = "open: " + (fast.ok() ? slow.error() : fast.error()).message;
        return check;
    }
    if (!fast.ok()) {
        if (fast.error().message != slow.error().message) check.difference = "open messages";
        return check;
    }
    check.mapped = fast->mapped();
    for (;;) {
        RawPacket a, b;
        const auto more = fast->next(a);
        const auto moreSlow = slow->next(b);
        const std::string at = " at packet " + std::to_string(check.packets);
        if (more.ok() != moreSlow.ok()) {
            check.difference =
                "outcome" + at + ": " + (more.ok() ? moreSlow.error() : more.error()).message;
            return check;
        }
        if (!more.ok()) {
            if (more.error().message != moreSlow.error().message) {
                check.difference =
                    "error" + at + ": " + more.error().message + " vs " + moreSlow.error().message;
            }
            return check;
        }
        if (*more != *moreSlow) {
            check.difference = "end" + at;
            return check;
        }
        if (!*more) return check;
        ++check.packets;
        if (a.timestampUs != b.timestampUs || a.wireLength != b.wireLength ||
            a.linkType != b.linkType ||
            !std::equal(a.data.begin(), a.data.end(), b.data.begin(), b.data.end())) {
            check.difference = "packet" + at;
            return check;
        }
        if (fast->packetsRead() != slow->packetsRead()) {
            check.difference = "count" + at;
            return check;
        }
    }
}

}  // namespace ironsight::sensor::capture
