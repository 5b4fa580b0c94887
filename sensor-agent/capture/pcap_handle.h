// SPDX-License-Identifier: Apache-2.0
// RAII ownership of libpcap handles (STYLE.md rule 9): pcap_t, pcap_dumper_t, the
// pcap_findalldevs list and a compiled BPF program.
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

struct PcapIfListCloser {
    void operator()(pcap_if_t* list) const noexcept {
        if (list) pcap_freealldevs(list);
    }
};

using PcapHandle = std::unique_ptr<pcap_t, PcapCloser>;
using PcapDumperHandle = std::unique_ptr<pcap_dumper_t, PcapDumperCloser>;
using PcapIfList = std::unique_ptr<pcap_if_t, PcapIfListCloser>;

/// A compiled BPF program; pcap_freecode on destruction (only after a successful pcap_compile).
class BpfProgram {
public:
    BpfProgram() = default;
    ~BpfProgram() {
        if (compiled_) pcap_freecode(&program_);
    }
    BpfProgram(const BpfProgram&) = delete;
    BpfProgram& operator=(const BpfProgram&) = delete;

    /// Compiles `filter` for `handle` (optimised, netmask unknown); false with pcap_geterr set.
    bool compile(pcap_t* handle, const char* filter) {
        if (compiled_) pcap_freecode(&program_);
        compiled_ = pcap_compile(handle, &program_, filter, 1, PCAP_NETMASK_UNKNOWN) == 0;
        return compiled_;
    }
    bpf_program* get() { return &program_; }

private:
    bpf_program program_{};
    bool compiled_ = false;
};

}  // namespace ironsight::sensor::capture
