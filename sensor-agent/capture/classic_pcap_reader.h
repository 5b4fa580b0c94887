// SPDX-License-Identifier: Apache-2.0
// ClassicPcapReader: the records of a classic pcap file (version 2.4, Ethernet, microsecond or
// nanosecond timestamps, either byte order) read in large blocks and handed out in place.
//
// Why not libpcap: its savefile reader costs two fread() calls and a copy per packet, about as
// much as a whole bare read loop, and that was a tenth of the analysis (docs/BENCHMARKS.md
// "Session 10"). This reader takes only the common format and gives exactly what libpcap gives
// for it, errors included (the same checks, in the same order: pcap_file_test compares both on
// good, truncated and corrupt files, and pcap_reader_fuzz does so on any input); PcapFileSource
// leaves every other file (pcapng, other versions and link types, pipes) to libpcap.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace ironsight::sensor::capture {

class ClassicPcapReader {
public:
    /// The reader for `path` when it is a regular file this reader takes (checked on the file's
    /// first 24 bytes); nullptr otherwise (the caller uses libpcap, which says what is wrong).
    static std::unique_ptr<ClassicPcapReader> open(const std::string& path);
    ~ClassicPcapReader();
    ClassicPcapReader(const ClassicPcapReader&) = delete;
    ClassicPcapReader& operator=(const ClassicPcapReader&) = delete;

    struct Record {
        std::int64_t timestampUs = 0;
        std::uint32_t wireLength = 0;
        std::span<const std::uint8_t> data;  // valid until the next call
    };
    enum class Status { Packet, End, Error };
    /// The next record; Error sets `error` (empty before) to libpcap's text for the same problem (a
    /// message with "truncated" for a file that ends inside a record).
    Status next(Record& record, std::string& error);

    /// File offset of the next record (progress display).
    std::int64_t position() const { return bufferOffset_ + static_cast<std::int64_t>(begin_); }

private:
    ClassicPcapReader(int fd, bool swapped, bool nanoseconds, std::uint32_t snapshot);
    /// Reads until at least `bytes` unread bytes are in the buffer, unless the file ends first
    /// (false; `error` set on a read error, left empty at the end of the file).
    bool refill(std::size_t bytes, std::string& error);

    int fd_;
    bool swapped_, nanoseconds_;
    std::uint32_t snapshot_;  // libpcap's snapshot length for the file (may exceed the maximum)
    std::vector<std::uint8_t> buffer_;
    std::size_t begin_ = 0, end_ = 0;  // unread bytes: buffer_[begin_, end_)
    std::int64_t bufferOffset_ = 0;    // file offset of buffer_[0]
};

}  // namespace ironsight::sensor::capture
