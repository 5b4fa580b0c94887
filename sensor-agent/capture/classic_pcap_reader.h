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
#include <cstring>
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
    /// next() for the common case, inline: true with the next record when it lies whole in the
    /// buffer and within the length limits; false, having changed nothing, for everything else
    /// (a refill, the end, an error, a record cut to the snapshot length): then call next().
    /// (A call per packet: out of line, next() cost ~55 instructions, this ~20.)
    bool nextInBuffer(Record& record) {
        const std::size_t available = end_ - begin_;
        if (available < kRecordHeader) return false;
        const std::uint8_t* h = buffer_.data() + begin_;
        std::uint32_t word[4];
        std::memcpy(word, h, sizeof word);
        if (swapped_) {
            for (auto& w : word) w = __builtin_bswap32(w);
        }
        const std::uint32_t caplen = word[2];
        if (caplen > keptLimit_ || available - kRecordHeader < caplen) return false;
        // As next(): signed 32-bit fields, made unsigned by a byte swap.
        const std::int64_t seconds =
            swapped_ ? std::int64_t{word[0]} : std::int64_t{static_cast<std::int32_t>(word[0])};
        std::int64_t fraction =
            swapped_ ? std::int64_t{word[1]} : std::int64_t{static_cast<std::int32_t>(word[1])};
        if (nanoseconds_) fraction /= 1000;
        record.timestampUs = seconds * 1000000 + fraction;
        record.wireLength = word[3];
        record.data = std::span<const std::uint8_t>(h + kRecordHeader, caplen);
        begin_ += kRecordHeader + caplen;
        return true;
    }

    /// File offset of the next record (progress display).
    std::int64_t position() const { return bufferOffset_ + static_cast<std::int64_t>(begin_); }

private:
    ClassicPcapReader(int fd, bool swapped, bool nanoseconds, std::uint32_t snapshot);
    /// Reads until at least `bytes` unread bytes are in the buffer, unless the file ends first
    /// (false; `error` set on a read error, left empty at the end of the file).
    bool refill(std::size_t bytes, std::string& error);

    static constexpr std::size_t kRecordHeader = 16;

    int fd_;
    bool swapped_, nanoseconds_;
    std::uint32_t snapshot_;  // libpcap's snapshot length for the file (may exceed the maximum)
    std::uint32_t keptLimit_;  // records up to this length are kept whole: min(snapshot, max)
    std::vector<std::uint8_t> buffer_;
    std::size_t begin_ = 0, end_ = 0;  // unread bytes: buffer_[begin_, end_)
    std::int64_t bufferOffset_ = 0;    // file offset of buffer_[0]
};

}  // namespace ironsight::sensor::capture
