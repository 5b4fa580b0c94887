// SPDX-License-Identifier: Apache-2.0
// PlantTraffic implementation: frames are generated per activity, then sorted by time and written.
#include "tests/support/plant_traffic.h"

#include <algorithm>
#include <cstdio>
#include <stdexcept>

#include "sensor-agent/capture/pcap_file_writer.h"

namespace ironsight::test {
namespace {

constexpr std::int64_t kSecond = 1000000;

struct TimedFrame {
    std::int64_t us;
    std::uint64_t order;
    Bytes frame;
};

class FrameList {
public:
    void add(std::int64_t us, Bytes frame) { frames_.push_back({us, next_++, std::move(frame)}); }
    std::vector<TimedFrame>& sorted() {
        std::sort(frames_.begin(), frames_.end(), [](const TimedFrame& a, const TimedFrame& b) {
            return a.us != b.us ? a.us < b.us : a.order < b.order;
        });
        return frames_;
    }

private:
    std::vector<TimedFrame> frames_;
    std::uint64_t next_ = 0;
};

/// One TCP connection with proper handshake, data exchange with acknowledgements, and close.
class TcpSession {
public:
    TcpSession(FrameList& out, Host client, Host server, std::uint16_t clientPort,
               std::uint16_t serverPort, std::uint32_t clientIsn, std::uint32_t serverIsn)
        : out_(out),
          c_(client),
          s_(server),
          cport_(clientPort),
          sport_(serverPort),
          cseq_(clientIsn),
          sseq_(serverIsn) {}

    void open(std::int64_t us) {
        out_.add(us, tcpFrame(c_, s_, cport_, sport_, cseq_, 0, tcp::kSyn, {}));
        out_.add(us + 300,
                 tcpFrame(s_, c_, sport_, cport_, sseq_, cseq_ + 1, tcp::kSyn | tcp::kAck, {}));
        ++cseq_;
        ++sseq_;
        out_.add(us + 500, tcpFrame(c_, s_, cport_, sport_, cseq_, sseq_, tcp::kAck, {}));
    }
    /// Client request, server response, client ACK.
    void exchange(std::int64_t us, const Bytes& request, const Bytes& response) {
        out_.add(us,
                 tcpFrame(c_, s_, cport_, sport_, cseq_, sseq_, tcp::kPsh | tcp::kAck, request));
        cseq_ += static_cast<std::uint32_t>(request.size());
        out_.add(us + 2000,
                 tcpFrame(s_, c_, sport_, cport_, sseq_, cseq_, tcp::kPsh | tcp::kAck, response));
        sseq_ += static_cast<std::uint32_t>(response.size());
        out_.add(us + 2400, tcpFrame(c_, s_, cport_, sport_, cseq_, sseq_, tcp::kAck, {}));
    }
    void close(std::int64_t us) {
        out_.add(us, tcpFrame(c_, s_, cport_, sport_, cseq_, sseq_, tcp::kFin | tcp::kAck, {}));
        ++cseq_;
        out_.add(us + 300,
                 tcpFrame(s_, c_, sport_, cport_, sseq_, cseq_, tcp::kFin | tcp::kAck, {}));
        ++sseq_;
        out_.add(us + 500, tcpFrame(c_, s_, cport_, sport_, cseq_, sseq_, tcp::kAck, {}));
    }

private:
    FrameList& out_;
    Host c_, s_;
    std::uint16_t cport_, sport_;
    std::uint32_t cseq_, sseq_;
};

Host makeHost(const char* macText, int line, int lastOctet) {
    Host h;
    h.mac = mac(macText);
    h.mac[3] = static_cast<std::uint8_t>(line);
    h.mac[5] = static_cast<std::uint8_t>(lastOctet);
    h.ip = (10u << 24) | (10u << 16) | (static_cast<std::uint32_t>(line) << 8) |
           static_cast<std::uint32_t>(lastOctet);
    return h;
}

std::vector<std::uint16_t> registers(int seed, int count) {
    std::vector<std::uint16_t> r;
    for (int i = 0; i < count; ++i)
        r.push_back(static_cast<std::uint16_t>((seed * 37 + i * 11) % 1000));
    return r;
}

}  // namespace

std::string PlantHost::ip() const {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%u.%u.%u.%u", host.ip >> 24, (host.ip >> 16) & 0xff,
                  (host.ip >> 8) & 0xff, host.ip & 0xff);
    return buf;
}

const PlantHost& PlantLine::find(const std::string& name) const {
    for (const auto& h : hosts) {
        if (h.name == name) return h;
    }
    throw std::out_of_range("no plant host " + name);
}

PlantLine plantLine(int line) {
    PlantLine l;
    l.line = line;
    l.hosts.push_back({"gateway", "gateway", makeHost("00:00:0c:00:00:00", line, 1)});  // Cisco
    l.hosts.push_back({"dns", "dns_server", makeHost("00:14:22:00:00:00", line, 2)});   // Dell
    l.hosts.push_back({"plc1", "plc", makeHost("00:80:f4:00:00:00", line, 11)});  // Telemecanique
    l.hosts.push_back({"plc2", "plc", makeHost("00:0e:8c:00:00:00", line, 12)});  // Siemens
    l.hosts.push_back({"hmi", "hmi", makeHost("00:14:22:00:00:00", line, 21)});   // Dell
    if (line == 1) {
        l.hosts.push_back(
            {"ews", "engineering_workstation", makeHost("00:14:22:00:00:00", line, 31)});
    }
    return l;
}

Result<PlantSummary> writePlantLine(int line, const std::filesystem::path& file,
                                    const PlantOptions& options) {
    const PlantLine plant = plantLine(line);
    const Host gw = plant.find("gateway").host, dns = plant.find("dns").host,
               plc1 = plant.find("plc1").host, plc2 = plant.find("plc2").host,
               hmi = plant.find("hmi").host;
    const std::int64_t t0 = options.startUs;
    const std::int64_t duration = std::max(1, options.minutes) * 60 * kSecond;
    FrameList out;
    PlantSummary summary;
    summary.file = file;

    // DHCP: the HMI gets its address and announces its host name.
    const std::string hostname = "hmi-line" + std::to_string(line);
    const Host unassigned{hmi.mac, 0};
    const Host broadcast{kBroadcastMac, 0xffffffffu};
    const std::uint32_t xid = 0x1a2b0000u + static_cast<std::uint32_t>(line);
    out.add(t0, udpFrame(unassigned, broadcast, 68, 67,
                         dhcpMessage(1, 1, xid, hmi.mac, 0, hostname, "ironsight-hmi", 0)));
    out.add(t0 + 2000,
            udpFrame(gw, broadcast, 67, 68, dhcpMessage(2, 2, xid, hmi.mac, hmi.ip, "", "", gw.ip),
                     &kBroadcastMac));
    out.add(t0 + 4000,
            udpFrame(unassigned, broadcast, 68, 67,
                     dhcpMessage(1, 3, xid, hmi.mac, hmi.ip, hostname, "ironsight-hmi", gw.ip)));
    out.add(t0 + 6000,
            udpFrame(gw, broadcast, 67, 68, dhcpMessage(2, 5, xid, hmi.mac, hmi.ip, "", "", gw.ip),
                     &kBroadcastMac));

    // ARP: the HMI resolves its peers at start and refreshes every 30 s; PLCs answer.
    for (std::int64_t t = t0 + kSecond / 2; t < t0 + duration; t += 30 * kSecond) {
        std::int64_t dt = 0;
        for (const Host& peer : {plc1, plc2, dns, gw}) {
            out.add(t + dt, arpFrame(1, hmi, peer, true));
            out.add(t + dt + 400, arpFrame(2, peer, hmi, false));
            dt += 1000;
        }
    }

    // DNS: the HMI looks its PLCs up at start and once a minute.
    std::uint16_t dnsId = static_cast<std::uint16_t>(0x4000 + line * 0x100);
    for (std::int64_t t = t0 + kSecond; t < t0 + duration; t += 60 * kSecond) {
        const Host* targets[2] = {&plc1, &plc2};
        for (int i = 0; i < 2; ++i) {
            const std::string name =
                "plc" + std::to_string(i + 1) + ".line" + std::to_string(line) + ".plant.local";
            out.add(t + i * 5000,
                    udpFrame(hmi, dns, static_cast<std::uint16_t>(50000 + dnsId % 1000), 53,
                             dnsQuery(dnsId, name)));
            out.add(t + i * 5000 + 800,
                    udpFrame(dns, hmi, 53, static_cast<std::uint16_t>(50000 + dnsId % 1000),
                             dnsResponse(dnsId, name, targets[i]->ip)));
            ++dnsId;
        }
    }

    // Modbus polling: HMI -> both PLCs, alternating FC 3 and FC 4 about once a second.
    TcpSession s1(out, hmi, plc1, 49152, 502, 1000000u * static_cast<std::uint32_t>(line),
                  7000000u);
    TcpSession s2(out, hmi, plc2, 49153, 502, 2000000u * static_cast<std::uint32_t>(line),
                  9000000u);
    s1.open(t0 + 2 * kSecond);
    s2.open(t0 + 2 * kSecond + 5000);
    // Device identification (FC 43 / MEI 14) once per PLC.
    s1.exchange(
        t0 + 2 * kSecond + 20000, modbusAdu(1, 1, Bytes{0x2b, 0x0e, 0x01, 0x00}),
        modbusAdu(1, 1, modbusDeviceIdResponse("Schneider Electric", "BMX P34 2020", "v2.70")));
    s2.exchange(t0 + 2 * kSecond + 30000, modbusAdu(1, 1, Bytes{0x2b, 0x0e, 0x01, 0x00}),
                modbusAdu(1, 1, modbusDeviceIdResponse("Siemens", "6ES7 214-1AG40", "V4.4")));
    std::uint16_t tid = 2;
    int poll = 0;
    for (std::int64_t t = t0 + 3 * kSecond; t < t0 + duration - 2 * kSecond; t += kSecond, ++poll) {
        const bool holding = poll % 2 == 0;
        const std::uint8_t fc = holding ? 3 : 4;
        const std::uint16_t addr = holding ? 0 : 100;
        const int count = holding ? 10 : 8;
        s1.exchange(
            t, modbusAdu(tid, 1, modbusReadRequest(fc, addr, static_cast<std::uint16_t>(count))),
            modbusAdu(tid, 1, modbusReadResponse(fc, registers(poll, count))));
        s2.exchange(
            t + 10000,
            modbusAdu(tid, 1, modbusReadRequest(fc, addr, static_cast<std::uint16_t>(count))),
            modbusAdu(tid, 1, modbusReadResponse(fc, registers(poll + 7, count))));
        ++tid;
    }
    s1.close(t0 + duration - kSecond);
    s2.close(t0 + duration - kSecond + 5000);

    // Line 1: the engineering workstation reads, then writes to PLC 1 late in the capture.
    if (line == 1 && options.engineeringWorkstation) {
        const Host ews = plant.find("ews").host;
        const std::int64_t te = t0 + duration * 7 / 10;
        out.add(te - 3000, arpFrame(1, ews, plc1, true));
        out.add(te - 2600, arpFrame(2, plc1, ews, false));
        TcpSession e(out, ews, plc1, 51000, 502, 3100000u, 8100000u);
        e.open(te);
        e.exchange(te + 100000, modbusAdu(1, 1, modbusReadRequest(3, 0, 10)),
                   modbusAdu(1, 1, modbusReadResponse(3, registers(99, 10))));
        e.exchange(te + 600000, modbusAdu(2, 1, modbusReadRequest(3, 40, 4)),
                   modbusAdu(2, 1, modbusReadResponse(3, registers(98, 4))));
        summary.ewsWriteUs = te + 1100000;
        e.exchange(te + 1100000, modbusAdu(3, 1, modbusWriteSingleRegister(40, 1234)),
                   modbusAdu(3, 1, modbusWriteSingleRegister(40, 1234)));
        e.exchange(te + 1600000, modbusAdu(4, 1, modbusWriteMultipleRegisters(41, {10, 20, 30})),
                   modbusAdu(4, 1, modbusWriteMultipleRegistersResponse(41, 3)));
        e.close(te + 2100000);
    }

    auto writer = ironsight::sensor::PcapFileWriter::create(file);
    if (!writer) return writer.error();
    for (const auto& f : out.sorted()) {
        auto st = writer->write(f.us, f.frame);
        if (!st) return st.error();
    }
    summary.packets = writer->packetsWritten();
    return summary;
}

}  // namespace ironsight::test
