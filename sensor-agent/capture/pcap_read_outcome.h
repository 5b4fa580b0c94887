// SPDX-License-Identifier: Apache-2.0
// Everything a PcapFileSource gives for a file, for comparing its two readers (the built-in
// classic pcap reader and libpcap) in pcap_file_test and the pcap_reader fuzz target.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <tuple>
#include <vector>

#include "sensor-agent/capture/pcap_file_source.h"

namespace ironsight::sensor::capture {

struct ReadOutcome {
    std::string open;  // error of open(), empty when it opened
    bool builtIn = false;
    int linkType = 0;
    std::vector<std::tuple<std::int64_t, std::uint32_t, std::vector<std::uint8_t>>> packets;
    std::string end;  // empty at a clean end, else the error message
    std::int64_t position = 0;
};

inline ReadOutcome readAll(const std::filesystem::path& file, PcapFileSource::Reader reader) {
    ReadOutcome out;
    auto source = PcapFileSource::open(file, reader);
    if (!source) {
        out.open = source.error().message;
        return out;
    }
    out.builtIn = source->builtInReader();
    out.linkType = source->linkType();
    RawPacket p;
    for (;;) {
        auto more = source->next(p);
        if (!more) {
            out.end = more.error().message;
            break;
        }
        if (!*more) break;
        out.packets.emplace_back(p.timestampUs, p.wireLength,
                                 std::vector<std::uint8_t>(p.data.begin(), p.data.end()));
    }
    out.position = source->position();
    return out;
}

}  // namespace ironsight::sensor::capture
