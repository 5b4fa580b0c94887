// SPDX-License-Identifier: Apache-2.0
// RAII ownership of libpcap handles (STYLE.md rule 9): pcap_t and pcap_dumper_t.
#pragma once

#include <pcap/pcap.h>

#include <memory>

namespace ironsight::sensor::capture {

struct PcapCloser {
    void operator()(pcap_t* p) const noexcept {
        if (p) pcap_close(p);
    }
};
struct PcapDumperCloser {
    void operator()(pcap_dumper_t* d) const noexcept {
        if (d) pcap_dump_close(d);
    }
};

using PcapHandle = std::unique_ptr<pcap_t, PcapCloser>;
using PcapDumperHandle = std::unique_ptr<pcap_dumper_t, PcapDumperCloser>;

}  // namespace ironsight::sensor::capture
