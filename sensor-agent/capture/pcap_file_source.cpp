// SPDX-License-Identifier: Apache-2.0
// PcapFileSource: libpcap offline reading with specific, one-line error messages.
#include "sensor-agent/capture/pcap_file_source.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <system_error>

namespace ironsight::sensor {

PcapFileSource::PcapFileSource(capture::PcapHandle handle, std::filesystem::path path,
                               std::int64_t size)
    : handle_(std::move(handle)), path_(std::move(path)), fileSize_(size) {
    linkType_ = pcap_datalink(handle_.get());
}

PcapFileSource::PcapFileSource(std::unique_ptr<capture::ClassicPcapReader> classic,
                               std::filesystem::path path, std::int64_t size)
    : classic_(std::move(classic)), path_(std::move(path)), fileSize_(size) {
    linkType_ = DLT_EN10MB;  // the only link type the reader takes
}

PcapFileSource::~PcapFileSource() = default;
PcapFileSource::PcapFileSource(PcapFileSource&&) noexcept = default;
PcapFileSource& PcapFileSource::operator=(PcapFileSource&&) noexcept = default;

Result<PcapFileSource> PcapFileSource::open(const std::filesystem::path& file, Reader reader) {
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
    if (reader == Reader::Auto) {
        if (auto classic = capture::ClassicPcapReader::open(name)) {
            std::fclose(fp);
            return PcapFileSource(std::move(classic), file, size);
        }
    }
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
    return PcapFileSource(capture::PcapHandle(raw), file, size);
}

Result<bool> PcapFileSource::nextSlow(RawPacket& packet) {
    if (classic_) {
        capture::ClassicPcapReader::Record record;
        switch (classic_->next(record, classicError_)) {
            case capture::ClassicPcapReader::Status::Packet:
                take(record, packet);
                return true;
            case capture::ClassicPcapReader::Status::End:
                return false;
            case capture::ClassicPcapReader::Status::Error:
                break;
        }
        std::string reason;
        reason.swap(classicError_);
        return readError(reason);
    }
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
    return readError(pcap_geterr(handle_.get()));
}

Error PcapFileSource::readError(const std::string& reason) const {
    if (reason.find("truncated") != std::string::npos || reason.empty()) {
        return Error{path_.string() + " is truncated after packet " + std::to_string(packets_)};
    }
    return Error{path_.string() + " is corrupt after packet " + std::to_string(packets_) + " (" +
                 reason + ")"};
}

std::int64_t PcapFileSource::position() const {
    if (classic_) return classic_->position();
    std::FILE* fp = pcap_file(handle_.get());
    return fp ? static_cast<std::int64_t>(std::ftell(fp)) : 0;
}

}  // namespace ironsight::sensor
