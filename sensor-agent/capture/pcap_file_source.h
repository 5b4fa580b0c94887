// SPDX-License-Identifier: Apache-2.0
// Reads pcap and pcapng files packet by packet (microsecond timestamps) with one-line errors.
// Classic pcap files are read from a memory mapping (no copy per packet); libpcap reads pcapng,
// anything unusual, and takes over a mapped file at the first record that is not plain.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>

#include "sensor-agent/capture/pcap_handle.h"
#include "sensor-agent/capture/raw_packet.h"
#include "shared/base/result.h"

namespace ironsight::sensor {

class PcapFileSource {
public:
    /// Opens a pcap or pcapng file. Errors: "cannot open X: No such file or directory",
    /// "X is not a pcap or pcapng capture", "X is truncated (incomplete file header)".
    /// `mapping` false: libpcap reads every packet (tests compare the two ways).
    static Result<PcapFileSource> open(const std::filesystem::path& file, bool mapping = true);

    /// Reads the next packet into `packet` (its data stays valid until the next call).
    /// Returns false at a clean end of file; an Error ("X is truncated after packet N") for a
    /// truncated or corrupt file.
    Result<bool> next(RawPacket& packet);

    int linkType() const { return linkType_; }
    std::uint64_t packetsRead() const { return packets_; }
    /// Bytes of the file consumed so far (for progress display).
    std::int64_t position() const;
    std::int64_t fileSize() const { return fileSize_; }
    const std::filesystem::path& path() const { return path_; }

    /// Whether packets currently come from the memory mapping (false: from libpcap).
    bool mapped() const { return map_.data != nullptr; }

private:
    /// A read-only mapping of the whole file; unmapped on destruction.
    struct Mapping {
        const std::uint8_t* data = nullptr;
        std::size_t size = 0;
        Mapping() = default;
        Mapping(Mapping&& o) noexcept : data(o.data), size(o.size) { o.data = nullptr; }
        Mapping& operator=(Mapping&& o) noexcept;
        Mapping(const Mapping&) = delete;
        Mapping& operator=(const Mapping&) = delete;
        ~Mapping() { reset(); }
        void reset();
    };
    enum class Mapped { Packet, End, Unusual };

    PcapFileSource(capture::PcapHandle handle, std::filesystem::path path, std::int64_t size,
                   bool mapping);
    void tryMapping();
    Mapped nextMapped(RawPacket& packet);
    Result<bool> nextLibpcap(RawPacket& packet);
    Result<bool> leaveMapping();

    Mapping map_;
    std::size_t offset_ = 0;    // the next record in map_
    std::size_t released_ = 0;  // pages before this were given back (madvise)
    bool swapped_ = false, nanoseconds_ = false;
    std::uint32_t snapshot_ = 0;  // the file's snapshot length as libpcap applies it
    capture::PcapHandle handle_;
    std::filesystem::path path_;
    int linkType_ = 1;
    std::uint64_t packets_ = 0;
    std::int64_t fileSize_ = 0;
};

}  // namespace ironsight::sensor
