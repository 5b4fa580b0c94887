// SPDX-License-Identifier: Apache-2.0
// Writes classic pcap files (microsecond timestamps) through pcap_open_dead + pcap_dump.
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>

#include "sensor-agent/capture/pcap_handle.h"
#include "shared/base/result.h"

namespace ironsight::sensor {

class PcapFileWriter {
public:
    static Result<PcapFileWriter> create(const std::filesystem::path& file, int linkType = 1);

    Status write(std::int64_t timestampUs, std::span<const std::uint8_t> frame);
    Status flush();
    std::uint64_t packetsWritten() const { return packets_; }

private:
    PcapFileWriter(capture::PcapHandle handle, capture::PcapDumperHandle dumper,
                   std::filesystem::path path);

    capture::PcapHandle handle_;        // declared first, destroyed last:
    capture::PcapDumperHandle dumper_;  // the dumper flushes and closes before its pcap_t
    std::filesystem::path path_;
    std::uint64_t packets_ = 0;
};

}  // namespace ironsight::sensor
