// SPDX-License-Identifier: Apache-2.0
// listInterfaces: pcap_findalldevs + inet_ntop + /sys/class/net counters.
#include "sensor-agent/capture/interface_list.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <fstream>

#include "sensor-agent/capture/pcap_handle.h"

namespace ironsight::sensor {
namespace {

std::string addressText(const sockaddr* sa) {
    if (!sa) return {};
    char buf[INET6_ADDRSTRLEN] = {};
    if (sa->sa_family == AF_INET) {
        const auto* in = reinterpret_cast<const sockaddr_in*>(sa);
        if (inet_ntop(AF_INET, &in->sin_addr, buf, sizeof buf)) return buf;
    } else if (sa->sa_family == AF_INET6) {
        const auto* in6 = reinterpret_cast<const sockaddr_in6*>(sa);
        if (inet_ntop(AF_INET6, &in6->sin6_addr, buf, sizeof buf)) return buf;
    }
    return {};
}

bool readCounter(const std::filesystem::path& file, std::uint64_t& value) {
    std::ifstream in(file);
    return static_cast<bool>(in >> value);
}

std::string readLine(const std::filesystem::path& file) {
    std::ifstream in(file);
    std::string line;
    std::getline(in, line);
    return line;
}

}  // namespace

bool looksLikeMonitorPort(const InterfaceInfo& info) {
    if (!info.up || !info.running || info.loopback || !info.hasCounters) return false;
    for (const auto& a : info.addresses) {
        if (a.family == "ipv4") return false;
    }
    return info.rxPackets > 0 && info.txPackets * 100 <= info.rxPackets;
}

Result<std::vector<InterfaceInfo>> listInterfaces(const std::filesystem::path& sysNet) {
    char errbuf[PCAP_ERRBUF_SIZE] = {};
    pcap_if_t* raw = nullptr;
    if (pcap_findalldevs(&raw, errbuf) != 0) {
        return makeError(std::string("cannot list capture interfaces: ") + errbuf);
    }
    const capture::PcapIfList list(raw);
    std::vector<InterfaceInfo> out;
    for (const pcap_if_t* dev = list.get(); dev; dev = dev->next) {
        InterfaceInfo info;
        info.name = dev->name ? dev->name : "";
        info.description = dev->description ? dev->description : "";
        info.up = (dev->flags & PCAP_IF_UP) != 0;
        info.running = (dev->flags & PCAP_IF_RUNNING) != 0;
        info.loopback = (dev->flags & PCAP_IF_LOOPBACK) != 0;
        info.wireless = (dev->flags & PCAP_IF_WIRELESS) != 0;
        for (const pcap_addr_t* a = dev->addresses; a; a = a->next) {
            if (!a->addr || (a->addr->sa_family != AF_INET && a->addr->sa_family != AF_INET6)) {
                continue;
            }
            info.addresses.push_back({a->addr->sa_family == AF_INET ? "ipv4" : "ipv6",
                                      addressText(a->addr), addressText(a->netmask)});
        }
        // Only plain names map onto /sys (never let a name walk out of the directory).
        const bool plainName = !info.name.empty() && info.name.find('/') == std::string::npos &&
                               info.name != "." && info.name != "..";
        const auto stats = sysNet / info.name / "statistics";
        std::error_code ec;
        if (plainName && std::filesystem::is_directory(stats, ec)) {
            info.hasCounters = readCounter(stats / "rx_packets", info.rxPackets) &&
                               readCounter(stats / "tx_packets", info.txPackets);
            readCounter(stats / "rx_bytes", info.rxBytes);
            readCounter(stats / "tx_bytes", info.txBytes);
            readCounter(stats / "rx_dropped", info.rxDropped);
            info.mac = readLine(sysNet / info.name / "address");
        }
        info.likelyMonitorPort = looksLikeMonitorPort(info);
        out.push_back(std::move(info));
    }
    return out;
}

}  // namespace ironsight::sensor
