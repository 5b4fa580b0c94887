// SPDX-License-Identifier: Apache-2.0
// PcapFileWriter: RAII pcap dumper; the file is flushed and closed by the destructor.
#include "sensor-agent/capture/pcap_file_writer.h"

#include <string>

namespace ironsight::sensor {

PcapFileWriter::PcapFileWriter(capture::PcapHandle handle, capture::PcapDumperHandle dumper,
                               std::filesystem::path path)
    : handle_(std::move(handle)), dumper_(std::move(dumper)), path_(std::move(path)) {}

Result<PcapFileWriter> PcapFileWriter::create(const std::filesystem::path& file, int linkType) {
    capture::PcapHandle handle(
        pcap_open_dead_with_tstamp_precision(linkType, 65535, PCAP_TSTAMP_PRECISION_MICRO));
    if (!handle) return makeError("cannot create " + file.string() + ": pcap_open_dead failed");
    capture::PcapDumperHandle dumper(pcap_dump_open(handle.get(), file.string().c_str()));
    if (!dumper) {
        return makeError("cannot create " + file.string() + ": " + pcap_geterr(handle.get()));
    }
    return PcapFileWriter(std::move(handle), std::move(dumper), file);
}

Status PcapFileWriter::write(std::int64_t timestampUs, std::span<const std::uint8_t> frame) {
    if (!dumper_) return makeError("cannot write " + path_.string() + ": writer is closed");
    pcap_pkthdr header{};
    header.ts.tv_sec = static_cast<time_t>(timestampUs / 1000000);
    header.ts.tv_usec = static_cast<suseconds_t>(timestampUs % 1000000);
    header.caplen = static_cast<bpf_u_int32>(frame.size());
    header.len = static_cast<bpf_u_int32>(frame.size());
    pcap_dump(reinterpret_cast<u_char*>(dumper_.get()), &header, frame.data());
    ++packets_;
    return {};
}

Status PcapFileWriter::flush() {
    if (dumper_ && pcap_dump_flush(dumper_.get()) != 0) {
        return makeError("cannot write " + path_.string() + ": flush failed");
    }
    return {};
}

}  // namespace ironsight::sensor
