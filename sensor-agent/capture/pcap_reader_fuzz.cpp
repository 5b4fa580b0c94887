// SPDX-License-Identifier: Apache-2.0
// libFuzzer target, differential: any bytes as a capture file, read by the built-in classic pcap
// reader and by libpcap; both must give the same packets and end the same way (traps if not).
// The first input byte picks a file header (timestamp precision, byte order, snapshot length),
// so most inputs reach the records; with bit 7 set the input is the whole file as it is.
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <tuple>
#include <vector>

#include "sensor-agent/capture/pcap_read_outcome.h"

namespace {

using ironsight::sensor::PcapFileSource;
using ironsight::sensor::capture::readAll;

void put32(std::vector<std::uint8_t>& out, std::uint32_t v, bool swapped) {
    if (swapped) v = __builtin_bswap32(v);
    const auto* b = reinterpret_cast<const std::uint8_t*>(&v);
    out.insert(out.end(), b, b + 4);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) return 0;
    std::vector<std::uint8_t> file;
    const std::uint8_t pick = data[0];
    if (pick & 0x80) {
        file.assign(data + 1, data + size);
    } else {
        const bool swapped = pick & 1;
        static constexpr std::uint32_t kSnaplens[] = {65535, 0, 64, 262144, 1u << 31, 1500};
        put32(file, (pick & 2) ? 0xa1b23c4d : 0xa1b2c3d4, swapped);
        // Version 2.4: two 16-bit fields in the file's byte order.
        if (swapped) {
            file.insert(file.end(), {0, 2, 0, 4});
        } else {
            file.insert(file.end(), {2, 0, 4, 0});
        }
        put32(file, 0, swapped);
        put32(file, 0, swapped);
        put32(file, kSnaplens[(pick >> 2) % 6], swapped);
        put32(file, 1, swapped);
        file.insert(file.end(), data + 1, data + size);
    }
    const int fd = ::memfd_create("pcap", MFD_CLOEXEC);
    if (fd < 0) return 0;
    if (::write(fd, file.data(), file.size()) != static_cast<ssize_t>(file.size())) {
        ::close(fd);
        return 0;
    }
    const std::string path = "/proc/self/fd/" + std::to_string(fd);
    const auto builtIn = readAll(path, PcapFileSource::Reader::Auto);
    const auto libpcap = readAll(path, PcapFileSource::Reader::Libpcap);
    ::close(fd);
    if (builtIn.open != libpcap.open || builtIn.packets != libpcap.packets ||
        builtIn.end != libpcap.end) {
        __builtin_trap();
    }
    return 0;
}
