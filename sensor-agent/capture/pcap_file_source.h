// SPDX-License-Identifier: Apache-2.0
// Reads pcap and pcapng files packet by packet (microsecond timestamps) with one-line errors.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include "sensor-agent/capture/classic_pcap_reader.h"
#include "sensor-agent/capture/pcap_handle.h"
#include "sensor-agent/capture/raw_packet.h"
#include "shared/base/result.h"

namespace ironsight::sensor {

class PcapFileSource {
public:
    /// Auto: classic Ethernet pcap files (version 2.4) through the built-in block reader
    /// (capture::ClassicPcapReader, same packets and errors, a fraction of the cost), everything
    /// else through libpcap. Libpcap: libpcap for every file (tests compare the two).
    enum class Reader { Auto, Libpcap };

    /// Opens a pcap or pcapng file. Errors: "cannot open X: No such file or directory",
    /// "X is not a pcap or pcapng capture", "X is truncated (incomplete file header)".
    static Result<PcapFileSource> open(const std::filesystem::path& file,
                                       Reader reader = Reader::Auto);
    ~PcapFileSource();
    PcapFileSource(PcapFileSource&&) noexcept;
    PcapFileSource& operator=(PcapFileSource&&) noexcept;

    /// Reads the next packet into `packet` (its data stays valid until the next call).
    /// Returns false at a clean end of file; an Error ("X is truncated after packet N") for a
    /// truncated or corrupt file.
    Result<bool> next(RawPacket& packet) {
        // The built-in reader's common case inline (a call per packet); the rest out of line.
        capture::ClassicPcapReader::Record record;
        if (classic_ && classic_->nextInBuffer(record)) [[likely]] {
            take(record, packet);
            return true;
        }
        return nextSlow(packet);
    }

    int linkType() const { return linkType_; }
    std::uint64_t packetsRead() const { return packets_; }
    /// Bytes of the file consumed so far (for progress display).
    std::int64_t position() const;
    std::int64_t fileSize() const { return fileSize_; }
    const std::filesystem::path& path() const { return path_; }
    /// True when the built-in classic pcap reader reads the file (Reader::Auto), not libpcap.
    bool builtInReader() const { return classic_ != nullptr; }

private:
    PcapFileSource(capture::PcapHandle handle, std::filesystem::path path, std::int64_t size);
    PcapFileSource(std::unique_ptr<capture::ClassicPcapReader> classic, std::filesystem::path path,
                   std::int64_t size);
    Result<bool> nextSlow(RawPacket& packet);
    /// A record of the built-in reader as the packet read (both paths of next()).
    void take(const capture::ClassicPcapReader::Record& record, RawPacket& packet) {
        ++packets_;
        packet.linkType = linkType_;
        packet.timestampUs = record.timestampUs;
        packet.wireLength = record.wireLength;
        packet.data = record.data;
    }
    Error readError(const std::string& reason) const;

    capture::PcapHandle handle_;  // null when classic_ reads the file
    std::unique_ptr<capture::ClassicPcapReader> classic_;
    std::filesystem::path path_;
    int linkType_ = 1;
    std::uint64_t packets_ = 0;
    std::int64_t fileSize_ = 0;
    std::string classicError_;  // the classic reader's error text (kept: no allocation per call)
};

}  // namespace ironsight::sensor
