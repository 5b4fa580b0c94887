// SPDX-License-Identifier: Apache-2.0
// libFuzzer target: the input is a capture file; PcapFileSource must read the same packets and
// end the same way (clean end, or the same one-line error) from its memory mapping as libpcap.
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "sensor-agent/capture/pcap_read_check.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const int fd = ::memfd_create("pcap_file_fuzz", 0);
    if (fd < 0) return 0;
    std::size_t written = 0;
    while (written < size) {
        const ssize_t n = ::write(fd, data + written, size - written);
        if (n <= 0) break;
        written += static_cast<std::size_t>(n);
    }
    if (written == size) {
        const auto check =
            ironsight::sensor::capture::compareWithLibpcap("/proc/self/fd/" + std::to_string(fd));
        if (!check.difference.empty()) {
            std::fprintf(stderr, "pcap_file_fuzz: %s\n", check.difference.c_str());
            std::abort();
        }
    }
    ::close(fd);
    return 0;
}
