// SPDX-License-Identifier: Apache-2.0
// PcapFileSource: classic pcap files from a memory mapping, everything else through libpcap's
// offline reading; specific, one-line error messages.
#include "sensor-agent/capture/pcap_file_source.h"

#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <system_error>

namespace ironsight::sensor {
namespace {

constexpr std::size_t kFileHeader = 24, kRecordHeader = 16;
// libpcap's MAXIMUM_SNAPLEN: its limit for the link types read from the mapping.
constexpr std::uint32_t kMaxSnaplen = 262144;
// Consumed pages are given back in steps of this size: a mapped file's pages count towards the
// process's resident memory while mapped, and a capture can be larger than the memory.
constexpr std::size_t kReleaseStep = std::size_t{256} << 10;

std::uint32_t load32(const std::uint8_t* p, bool swapped) {
    std::uint32_t v;
    std::memcpy(&v, p, sizeof v);
    return swapped ? __builtin_bswap32(v) : v;
}

}  // namespace

PcapFileSource::Mapping& PcapFileSource::Mapping::operator=(Mapping&& o) noexcept {
    if (this != &o) {
        reset();
        data = o.data;
        size = o.size;
        o.data = nullptr;
    }
    return *this;
}

void PcapFileSource::Mapping::reset() {
    if (data) ::munmap(const_cast<std::uint8_t*>(data), size);
    data = nullptr;
    size = 0;
}

PcapFileSource::PcapFileSource(capture::PcapHandle handle, std::filesystem::path path,
                               std::int64_t size, bool mapping)
    : handle_(std::move(handle)), path_(std::move(path)), fileSize_(size) {
    linkType_ = pcap_datalink(handle_.get());
    if (mapping) tryMapping();
}

/// Maps the file when it is a classic pcap file whose records libpcap hands over unchanged:
/// version 2.4 (no swapped lengths), micro- or nanosecond magic in either byte order, and a
/// link type libpcap neither renumbers nor rewrites (Ethernet, raw IPv4/IPv6; Linux cooked
/// headers only in the native byte order). Anything else stays with libpcap.
void PcapFileSource::tryMapping() {
    std::FILE* fp = pcap_file(handle_.get());
    if (!fp || fileSize_ < static_cast<std::int64_t>(kFileHeader)) return;
    struct stat st {};
    if (::fstat(::fileno(fp), &st) != 0 || !S_ISREG(st.st_mode) || st.st_size != fileSize_) return;
    std::uint8_t header[kFileHeader];
    if (::pread(::fileno(fp), header, sizeof header, 0) != static_cast<ssize_t>(sizeof header)) {
        return;
    }
    std::uint32_t magic;
    std::memcpy(&magic, header, sizeof magic);
    switch (magic) {
        case 0xa1b2c3d4:
            break;
        case 0xd4c3b2a1:
            swapped_ = true;
            break;
        case 0xa1b23c4d:
            nanoseconds_ = true;
            break;
        case 0x4d3cb2a1:
            swapped_ = nanoseconds_ = true;
            break;
        default:
            return;  // pcapng, modified pcap formats
    }
    const auto u16 = [&](std::size_t at) {
        const std::uint16_t v = static_cast<std::uint16_t>(header[at] | (header[at + 1] << 8));
        return swapped_ ? static_cast<std::uint16_t>((v >> 8) | (v << 8)) : v;
    };
    if (u16(4) != 2 || u16(6) != 4) return;
    const std::uint32_t linkType = load32(header + 20, swapped_);
    const bool plain = linkType == 1 || linkType == 228 || linkType == 229 ||
                       (!swapped_ && (linkType == 113 || linkType == 276));
    if (!plain || static_cast<int>(linkType) != linkType_) return;
    snapshot_ = load32(header + 16, swapped_);
    if (snapshot_ == 0 || snapshot_ > kMaxSnaplen) snapshot_ = kMaxSnaplen;
    void* data = ::mmap(nullptr, static_cast<std::size_t>(fileSize_), PROT_READ, MAP_PRIVATE,
                        ::fileno(fp), 0);
    if (data == MAP_FAILED) return;  // libpcap reads it then
    ::madvise(data, static_cast<std::size_t>(fileSize_), MADV_SEQUENTIAL);
    map_.data = static_cast<const std::uint8_t*>(data);
    map_.size = static_cast<std::size_t>(fileSize_);
    offset_ = released_ = kFileHeader;
}

Result<PcapFileSource> PcapFileSource::open(const std::filesystem::path& file, bool mapping) {
    const std::string name = file.string();
    std::error_code ec;
    if (std::filesystem::is_directory(file, ec)) {
        return makeError("cannot open " + name + ": Is a directory");
    }
    std::FILE* fp = std::fopen(name.c_str(), "rb");
    if (!fp) {
        return makeError("cannot open " + name + ": " + std::strerror(errno));
    }
    std::fseek(fp, 0, SEEK_END);
    const std::int64_t size = std::ftell(fp);
    std::fseek(fp, 0, SEEK_SET);
    char errbuf[PCAP_ERRBUF_SIZE] = {};
    // On success libpcap owns fp (pcap_close closes it); on failure we still own it.
    pcap_t* raw = pcap_fopen_offline_with_tstamp_precision(fp, PCAP_TSTAMP_PRECISION_MICRO, errbuf);
    if (!raw) {
        std::fclose(fp);
        if (size == 0) return makeError(name + " is not a pcap or pcapng capture (empty file)");
        if (std::strstr(errbuf, "truncated") != nullptr) {
            return makeError(name + " is truncated (incomplete file header)");
        }
        return makeError(name + " is not a pcap or pcapng capture");
    }
    return PcapFileSource(capture::PcapHandle(raw), file, size, mapping);
}

Result<bool> PcapFileSource::next(RawPacket& packet) {
    if (map_.data) {
        switch (nextMapped(packet)) {
            case Mapped::Packet:
                return true;
            case Mapped::End:
                return false;
            case Mapped::Unusual:
                break;
        }
        auto left = leaveMapping();
        if (!left.ok()) return left;
    }
    return nextLibpcap(packet);
}

/// One record from the mapping, or Unusual where libpcap would do more than hand it over: a
/// truncated record, a capture length above the snapshot length (libpcap cuts it) or the limit
/// (an error), a timestamp field with the top bit set, a file that grew since it was mapped.
PcapFileSource::Mapped PcapFileSource::nextMapped(RawPacket& packet) {
    // The previous packet's bytes are no longer needed (valid until this call).
    if (offset_ - released_ >= kReleaseStep) {
        const std::size_t upTo = offset_ & ~(std::size_t{4095});
        ::madvise(const_cast<std::uint8_t*>(map_.data) + released_, upTo - released_,
                  MADV_DONTNEED);
        released_ = upTo;
        // A file cut while it is read: libpcap reads on and reports it (reading the mapping
        // beyond the new end would fault; this narrows that to a change within one step).
        struct stat st {};
        std::FILE* fp = pcap_file(handle_.get());
        if (fp && ::fstat(::fileno(fp), &st) == 0 && st.st_size < static_cast<off_t>(map_.size)) {
            return Mapped::Unusual;
        }
    }
    const std::size_t left = map_.size - offset_;
    if (left == 0) {
        struct stat st {};
        std::FILE* fp = pcap_file(handle_.get());
        const bool grew =
            fp && ::fstat(::fileno(fp), &st) == 0 && st.st_size != static_cast<off_t>(map_.size);
        return grew ? Mapped::Unusual : Mapped::End;
    }
    if (left < kRecordHeader) return Mapped::Unusual;
    const std::uint8_t* h = map_.data + offset_;
    const std::uint32_t seconds = load32(h, swapped_), fraction = load32(h + 4, swapped_);
    const std::uint32_t caplen = load32(h + 8, swapped_), len = load32(h + 12, swapped_);
    if (caplen > snapshot_ || caplen > left - kRecordHeader || ((seconds | fraction) >> 31) != 0) {
        return Mapped::Unusual;
    }
    ++packets_;
    packet.linkType = linkType_;
    packet.timestampUs = static_cast<std::int64_t>(seconds) * 1000000 +
                         static_cast<std::int64_t>(nanoseconds_ ? fraction / 1000 : fraction);
    packet.wireLength = len;
    packet.data = std::span<const std::uint8_t>(h + kRecordHeader, caplen);
    offset_ += kRecordHeader + caplen;
    return Mapped::Packet;
}

/// libpcap takes over: it still stands after the file header, so it skips the packets the
/// mapping gave and reads on from there (the same packets, cuts and errors as libpcap alone).
Result<bool> PcapFileSource::leaveMapping() {
    map_.reset();
    for (std::uint64_t i = 0; i < packets_; ++i) {
        pcap_pkthdr* header = nullptr;
        const u_char* data = nullptr;
        if (pcap_next_ex(handle_.get(), &header, &data) != 1) {
            return makeError(path_.string() + " changed while it was read");
        }
    }
    return true;
}

Result<bool> PcapFileSource::nextLibpcap(RawPacket& packet) {
    pcap_pkthdr* header = nullptr;
    const u_char* data = nullptr;
    const int rc = pcap_next_ex(handle_.get(), &header, &data);
    if (rc == 1) {
        ++packets_;
        packet.linkType = linkType_;
        packet.timestampUs = static_cast<std::int64_t>(header->ts.tv_sec) * 1000000 +
                             static_cast<std::int64_t>(header->ts.tv_usec);
        packet.wireLength = header->len;
        packet.data = std::span<const std::uint8_t>(data, header->caplen);
        return true;
    }
    if (rc == PCAP_ERROR_BREAK) return false;  // clean end of file
    const std::string reason = pcap_geterr(handle_.get());
    if (reason.find("truncated") != std::string::npos || reason.empty()) {
        return makeError(path_.string() + " is truncated after packet " + std::to_string(packets_));
    }
    return makeError(path_.string() + " is corrupt after packet " + std::to_string(packets_) +
                     " (" + reason + ")");
}

std::int64_t PcapFileSource::position() const {
    if (map_.data) return static_cast<std::int64_t>(offset_);
    std::FILE* fp = pcap_file(handle_.get());
    return fp ? static_cast<std::int64_t>(std::ftell(fp)) : 0;
}

}  // namespace ironsight::sensor
