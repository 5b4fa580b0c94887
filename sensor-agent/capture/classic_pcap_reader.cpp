// SPDX-License-Identifier: Apache-2.0
// ClassicPcapReader: see the header. The checks follow libpcap 1.10's sf-pcap.c
// (pcap_check_header, pcap_next_packet) for the files this reader takes.
#include "sensor-agent/capture/classic_pcap_reader.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace ironsight::sensor::capture {
namespace {

constexpr std::uint32_t kMagicMicro = 0xa1b2c3d4;
constexpr std::uint32_t kMagicNano = 0xa1b23c4d;
constexpr std::uint32_t kLinkTypeEthernet = 1;
constexpr std::uint32_t kMaxSnaplen = 262144;  // libpcap's MAXIMUM_SNAPLEN (Ethernet's maximum)
constexpr std::size_t kFileHeader = 24;
constexpr std::size_t kBlock = 1 << 20;  // read() size; a record (<= 256 KiB + 16) always fits

std::uint32_t load32(const std::uint8_t* p, bool swapped) {
    std::uint32_t v;
    std::memcpy(&v, p, sizeof v);
    return swapped ? __builtin_bswap32(v) : v;
}

std::uint16_t load16(const std::uint8_t* p, bool swapped) {
    std::uint16_t v;
    std::memcpy(&v, p, sizeof v);
    return swapped ? __builtin_bswap16(v) : v;
}

std::string readError() {
    return std::string("error reading dump file: ") + std::strerror(errno);
}

}  // namespace

std::unique_ptr<ClassicPcapReader> ClassicPcapReader::open(const std::string& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return nullptr;
    struct stat st {};
    std::uint8_t header[kFileHeader];
    const bool regular = ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
    if (!regular || ::pread(fd, header, sizeof header, 0) != static_cast<ssize_t>(sizeof header)) {
        ::close(fd);
        return nullptr;
    }
    std::uint32_t magic;
    std::memcpy(&magic, header, sizeof magic);
    bool swapped = false;
    if (magic != kMagicMicro && magic != kMagicNano) {
        magic = __builtin_bswap32(magic);
        swapped = true;
    }
    const bool taken = (magic == kMagicMicro || magic == kMagicNano) &&
                       load16(header + 4, swapped) == 2 && load16(header + 6, swapped) == 4 &&
                       load32(header + 20, swapped) == kLinkTypeEthernet;
    if (!taken) {  // pcapng, older versions, other link types: libpcap's
        ::close(fd);
        return nullptr;
    }
    // libpcap 1.10 keeps the header's snapshot length unless it is not positive as an int.
    std::uint32_t snaplen = load32(header + 16, swapped);
    if (static_cast<std::int32_t>(snaplen) <= 0) snaplen = kMaxSnaplen;
    (void)::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
    std::unique_ptr<ClassicPcapReader> reader(
        new ClassicPcapReader(fd, swapped, magic == kMagicNano, snaplen));
    reader->bufferOffset_ = kFileHeader;
    if (::lseek(fd, kFileHeader, SEEK_SET) != static_cast<off_t>(kFileHeader)) return nullptr;
    return reader;
}

ClassicPcapReader::ClassicPcapReader(int fd, bool swapped, bool nanoseconds, std::uint32_t snapshot)
    : fd_(fd),
      swapped_(swapped),
      nanoseconds_(nanoseconds),
      snapshot_(snapshot),
      keptLimit_(std::min(snapshot, kMaxSnaplen)),
      buffer_(kBlock) {}

ClassicPcapReader::~ClassicPcapReader() {
    ::close(fd_);
}

bool ClassicPcapReader::refill(std::size_t bytes, std::string& error) {
    // Move the unread tail to the front, then read whole blocks behind it.
    std::memmove(buffer_.data(), buffer_.data() + begin_, end_ - begin_);
    bufferOffset_ += static_cast<std::int64_t>(begin_);
    end_ -= begin_;
    begin_ = 0;
    while (end_ < bytes) {
        const ssize_t n = ::read(fd_, buffer_.data() + end_, buffer_.size() - end_);
        if (n < 0) {
            if (errno == EINTR) continue;
            error = readError();
            return false;
        }
        if (n == 0) return false;  // end of file
        end_ += static_cast<std::size_t>(n);
    }
    return true;
}

ClassicPcapReader::Status ClassicPcapReader::next(Record& record, std::string& error) {
    if (end_ - begin_ < kRecordHeader && !refill(kRecordHeader, error)) {
        if (!error.empty()) return Status::Error;
        if (end_ == begin_) return Status::End;
        error = "truncated dump file; tried to read 16 header bytes, only got " +
                std::to_string(end_ - begin_);
        return Status::Error;
    }
    const std::uint8_t* h = buffer_.data() + begin_;
    // Seconds and fraction are signed 32-bit fields (struct pcap_timeval); libpcap's byte swap
    // makes them unsigned, so a swapped file's times are never before 1970.
    const auto asTime = [this](std::uint32_t v) -> std::int64_t {
        return swapped_ ? static_cast<std::int64_t>(v)
                        : static_cast<std::int64_t>(static_cast<std::int32_t>(v));
    };
    const std::int64_t seconds = asTime(load32(h, swapped_));
    std::int64_t fraction = asTime(load32(h + 4, swapped_));
    const std::uint32_t caplen = load32(h + 8, swapped_);
    const std::uint32_t length = load32(h + 12, swapped_);
    if (nanoseconds_) fraction /= 1000;
    if (caplen > kMaxSnaplen) {
        error = "invalid packet capture length " + std::to_string(caplen) +
                (caplen > snapshot_ ? ", bigger than snaplen of " + std::to_string(snapshot_)
                                    : ", bigger than maximum of " + std::to_string(kMaxSnaplen));
        return Status::Error;
    }
    // A record longer than the file's snapshot length is cut to it (the rest is skipped).
    const std::uint32_t kept = caplen > snapshot_ ? snapshot_ : caplen;
    if (end_ - begin_ < kRecordHeader + caplen && !refill(kRecordHeader + caplen, error)) {
        if (error.empty()) {
            error = "truncated dump file; tried to read " + std::to_string(caplen) +
                    " captured bytes, only got " + std::to_string(end_ - begin_ - kRecordHeader);
        }
        return Status::Error;
    }
    record.timestampUs = seconds * 1000000 + fraction;
    record.wireLength = length;
    record.data = std::span<const std::uint8_t>(buffer_.data() + begin_ + kRecordHeader, kept);
    begin_ += kRecordHeader + caplen;
    return Status::Packet;
}

}  // namespace ironsight::sensor::capture
