// SPDX-License-Identifier: Apache-2.0
// Anomaly engine: port_scan and arp_spoofing (both modes), traffic_anomaly and polling_change
// (against the profile learned while learning; compared once learning is off).
#include <algorithm>
#include <cstdlib>

#include "sensor-agent/detect/detector.h"

namespace ironsight::sensor::detect {
namespace {

constexpr std::size_t kMaxProbesPerSource = 4096;
constexpr std::size_t kMaxTracked = 100000;  // rate profiles / ARP bindings kept (bounded state)
constexpr std::size_t kMaxScanSources = 10000;
constexpr std::size_t kMaxPolls = 20000;
constexpr std::size_t kMaxMemoPolls = 32;  // polling profiles one flow's memo points to
constexpr std::size_t kPollWindow = 16;            // intervals compared (and learned at least)
constexpr std::size_t kMaxLearnedIntervals = 256;  // a ring: the most recent intervals

std::int64_t median(std::vector<std::int64_t> v) {
    if (v.empty()) return 0;
    auto mid = v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2);
    std::nth_element(v.begin(), mid, v.end());
    return *mid;
}

std::string ms(std::int64_t us) {
    return std::to_string(us / 1000) + " ms";
}

}  // namespace

void Detector::anomalyPacket(const decode::DecodedPacket& p,
                             const RateTracker::Alarm* rateAlarm) {
    const std::int64_t now = p.timestampUs;
    if (p.isArp) {
        // arp_spoofing: the sender's IP was bound to another MAC recently, or (learning off) to
        // other MACs only in the baseline.
        const auto& a = p.arp;
        if (decode::isGroupMac(a.senderMac) || !a.senderIp.isUnicastHost()) return;
        const std::string ip = a.senderIp.toString(), mac = decode::toString(a.senderMac);
        const std::string item = "arp " + ip + " " + mac;
        if (learning_) learn(item);
        if (arp_.size() >= kMaxTracked && !arp_.count(a.senderIp)) return;  // bounded state
        bool spoof = false;
        std::string detail;
        auto [it, created] = arp_.try_emplace(a.senderIp, a.senderMac, now);
        if (!created && it->second.first != a.senderMac) {
            if (now - it->second.second <= options_.arpFlipWindowUs) {
                spoof = true;
                detail = decode::toString(it->second.first) + " -> " + mac;
            }
            it->second.first = a.senderMac;
        }
        it->second.second = now;
        if (!spoof && !learning_ && !baseline_.count(item)) {
            const std::string prefix = "arp " + ip + " ";
            auto learned = arpItems_.lower_bound(prefix);
            if (learned != arpItems_.end() && learned->starts_with(prefix)) {
                spoof = true;
                detail = learned->substr(prefix.size()) + " (baseline) -> " + mac;
            }
        }
        if (spoof) {
            raiseAt("arp_spoofing", Trigger{.srcIp = "",
                                            .dstIp = ip,
                                            .protocol = "arp",
                                            .timestampUs = now,
                                            .detail = detail});
        }
        return;
    }
    if (!p.hasIp || !p.srcIp.isUnicastHost() || !p.dstIp.isUnicastHost()) return;

    // port_scan: TCP SYN (a connect or SYN scan; closed ports answer RST) and ICMP echo probes.
    if (const int port = probePort(p); port >= 0) scanPacket(p, port);

    // traffic_anomaly: packets per bucket between the two addresses vs the learned maximum.
    if (!rateShards_.empty()) {  // counted by the shard of the pair (shardRates)
        if (rateAlarm) raiseRate(*rateAlarm, now);
        return;
    }
    if (const auto* alarm = rates_.countUnicast(p, learning_)) raiseRate(*alarm, now);
}

void Detector::scanPacket(const decode::DecodedPacket& p, int port) {
    const std::int64_t now = p.timestampUs;
    if (!scans_.count(p.srcIp) && scans_.size() >= kMaxScanSources) return;  // bounded state
    ScanState& s = scans_[p.srcIp];
    const auto forget = [&s] {
        const auto& [t, host, prt] = s.probes.front();
        if (s.removeProbe(host, prt) == 0) {
            s.removeHost(host);
            s.hostsPerPort.remove(prt);
        }
        s.probes.pop_front();
    };
    while (!s.probes.empty() && (now - std::get<0>(s.probes.front()) > options_.scanWindowUs ||
                                 s.probes.size() >= kMaxProbesPerSource)) {
        forget();
    }
    const auto prt = static_cast<std::uint16_t>(port);
    s.probes.emplace_back(now, p.dstIp, prt);
    if (s.addProbe(p.dstIp, prt) == 1) {
        const std::uint32_t ports = s.addHost(p.dstIp);
        const std::uint32_t hosts = s.hostsPerPort.add(prt);
        const std::string window = std::to_string(options_.scanWindowUs / 1'000'000) + " s";
        if (ports >= options_.scanPorts) {
            raiseAt("port_scan", Trigger{.srcIp = p.srcIp.toString(),
                                         .dstIp = p.dstIp.toString(),
                                         .timestampUs = now,
                                         .detail = std::to_string(ports) + " ports of " +
                                                   p.dstIp.toString() + " within " + window});
        }
        if (hosts >= options_.scanHosts) {
            raiseAt("port_scan",
                    Trigger{.srcIp = p.srcIp.toString(),
                            .timestampUs = now,
                            .detail = std::to_string(hosts) + " hosts on " +
                                      (prt ? "port " + std::to_string(prt) : "ICMP echo") +
                                      " within " + window});
        }
    }
}

void Detector::raiseRate(const RateTracker::Alarm& alarm, std::int64_t now) {
    raiseAt("traffic_anomaly",
            Trigger{.srcIp = alarm.low.toString(),
                    .dstIp = alarm.high.toString(),
                    .timestampUs = now,
                    .detail = std::to_string(alarm.packets) + " packets within " +
                              std::to_string(options_.rateBucketUs / 1'000'000) +
                              " s, learned at most " + std::to_string(alarm.learnedMax)});
}

RateTracker::RateTracker(std::int64_t bucketUs, std::shared_ptr<std::atomic<std::size_t>> tracked)
    : bucketUs_(bucketUs),
      tracked_(tracked ? std::move(tracked) : std::make_shared<std::atomic<std::size_t>>(0)) {}

bool RateTracker::full() const {
    return tracked_->load(std::memory_order_relaxed) >= Detector::kMaxRatePairs;
}

RateTracker::Profile* RateTracker::insert4(std::uint32_t low, std::uint32_t high, bool bounded) {
    const std::uint64_t key = (std::uint64_t{low} << 32) | high;
    if (!index4_.empty()) {
        const std::size_t mask = index4_.size() - 1;
        for (std::size_t i = home4(key) & mask; index4_[i] != 0; i = (i + 1) & mask) {
            Entry4& e = entries4_[index4_[i] - 1];
            if (e.low == low && e.high == high) return &e.profile;
        }
    }
    if (bounded && full()) return nullptr;  // bounded state
    if (4 * (entries4_.size() + 1) > 3 * index4_.size()) {
        index4_.assign(std::max<std::size_t>(64, 2 * index4_.size()), 0);
        const std::size_t mask = index4_.size() - 1;
        for (std::size_t n = 0; n < entries4_.size(); ++n) {
            const Entry4& e = entries4_[n];
            std::size_t i = home4((std::uint64_t{e.low} << 32) | e.high) & mask;
            while (index4_[i] != 0) i = (i + 1) & mask;
            index4_[i] = static_cast<std::uint32_t>(n + 1);
        }
    }
    const std::size_t mask = index4_.size() - 1;
    std::size_t i = home4(key) & mask;
    while (index4_[i] != 0) i = (i + 1) & mask;
    entries4_.push_back(Entry4{low, high, Profile{}});
    index4_[i] = static_cast<std::uint32_t>(entries4_.size());
    tracked_->fetch_add(1, std::memory_order_relaxed);
    return &entries4_.back().profile;
}

RateTracker::Profile* RateTracker::insert(
    const std::pair<decode::IpAddress, decode::IpAddress>& key, bool bounded) {
    if (!key.first.v6 && !key.second.v6) {
        return insert4(key.first.v4Value(), key.second.v4Value(), bounded);
    }
    auto it = profiles_.find(key);
    if (it == profiles_.end()) {
        if (bounded && full()) return nullptr;  // bounded state
        it = profiles_.try_emplace(key).first;
        tracked_->fetch_add(1, std::memory_order_relaxed);
    }
    return &it->second;
}

const RateTracker::Alarm* RateTracker::countUnicast(const decode::DecodedPacket& p,
                                                    bool learning) {
    if (p.srcIp.v6 || p.dstIp.v6) return countOther(p, learning);
    const std::uint32_t src = v4Of(p.srcIp), dst = v4Of(p.dstIp);
    const std::uint64_t pair = (std::uint64_t{src} << 32) | dst;
    Slot4& slot = slots4_[slot4(src, dst)];
    if (!slot.profile || (slot.pair != pair && slot.pair != ((pair << 32) | (pair >> 32)))) {
        Profile* profile = insert4(std::min(src, dst), std::max(src, dst), true);
        if (!profile) return nullptr;
        slot = Slot4{pair, profile};
    }
    return count4(*slot.profile, src, dst, p.timestampUs, learning);
}

const RateTracker::Alarm* RateTracker::countOther(const decode::DecodedPacket& p, bool learning) {
    const std::int64_t now = p.timestampUs;
    const auto orderedPair = [&p] {
        return p.srcIp < p.dstIp ? std::make_pair(p.srcIp, p.dstIp)
                                 : std::make_pair(p.dstIp, p.srcIp);
    };
    Slot& slot = slots_[((ipWord(p.srcIp) ^ ipWord(p.dstIp)) >> 32) & (kSlots - 1)];
    if (!slot.profile || !((sameIp(slot.src, p.srcIp) && sameIp(slot.dst, p.dstIp)) ||
                           (sameIp(slot.src, p.dstIp) && sameIp(slot.dst, p.srcIp)))) {
        Profile* profile = insert(orderedPair(), true);
        if (!profile) return nullptr;
        slot = Slot{p.srcIp, p.dstIp, profile};
    }
    const Alarm* alarm = countProfile(*slot.profile, now, learning);
    if (alarm) {
        const auto key = orderedPair();
        alarm_.low = key.first;
        alarm_.high = key.second;
    }
    return alarm;
}

void RateTracker::nextBucket(Profile& r, std::int64_t now, bool learning) {
    const std::int64_t bucket = bucketUs_;
    if (r.bucketStartUs < 0) r.bucketStartUs = now;
    if (now >= r.bucketStartUs + bucket) {
        const std::int64_t elapsed = (now - r.bucketStartUs) / bucket;
        if (learning) {
            r.learnedMax = std::max(r.learnedMax, r.bucketPackets);
            r.learnedBuckets += static_cast<std::uint64_t>(elapsed);
        } else if (r.alarmed && r.bucketPackets <= 2 * r.learnedMax) {
            r.alarmed = false;  // back near the profile: re-armed
        }
        r.bucketStartUs += elapsed * bucket;
        r.bucketPackets = 0;
    }
}

void RateTracker::namePair4(std::uint32_t src, std::uint32_t dst) {
    alarm_.low = decode::IpAddress::v4(std::min(src, dst));
    alarm_.high = decode::IpAddress::v4(std::max(src, dst));
}

void RateTracker::exportProfiles(std::ostream& out) const {
    const auto write = [&out](const decode::IpAddress& a, const decode::IpAddress& b,
                              const Profile& r) {
        if (r.learnedBuckets < kMinRateBuckets) return;
        out << "rate " << a.toString() << " " << b.toString() << " " << r.learnedMax << " "
            << r.learnedBuckets << "\n";
    };
    for (const Entry4& e : entries4_) {
        write(decode::IpAddress::v4(e.low), decode::IpAddress::v4(e.high), e.profile);
    }
    for (const auto& [pair, r] : profiles_) write(pair.first, pair.second, r);
}

void RateTracker::importProfile(const decode::IpAddress& x, const decode::IpAddress& y,
                                std::uint64_t learnedMax, std::uint64_t learnedBuckets) {
    Profile& r = *insert(x < y ? std::make_pair(x, y) : std::make_pair(y, x), false);
    r.learnedMax = std::max(r.learnedMax, learnedMax);
    r.learnedBuckets = std::max(r.learnedBuckets, learnedBuckets);
}

void Detector::anomalyOperation(const dissect::FlowContext& flow, const dissect::Operation& op,
                                OperationMemo* memo, const OpFacts& facts) {
    // polling_change: the interval between requests of one kind (protocol, client, server,
    // function, addressed range) against its learned median.
    if (!op.request || !facts.ics || flow.clientIp.empty()) return;
    PollProfile* profile = nullptr;
    if (memo) {  // the flow's client and server are the memo's
        for (const auto& p : memo->polls) {
            if (sameText(p.range, op.range) && sameText(p.function, op.function) &&
                sameText(p.protocol, op.protocol)) {
                profile = p.profile;
                break;
            }
        }
    }
    if (!profile) {
        std::string range = op.range;
        std::replace(range.begin(), range.end(), ' ', '_');
        const std::string key = op.protocol + "|" + flow.clientIp + "|" + flow.serverIp + "|" +
                                op.function + "|" + (range.empty() ? "-" : range);
        auto it = polls_.find(key);
        if (it == polls_.end()) {
            if (polls_.size() >= kMaxPolls) return;
            it = polls_.try_emplace(key).first;
        }
        profile = &it->second;  // polls_ never drops a profile: the pointer stays valid
        if (memo && memo->polls.size() < kMaxMemoPolls) {
            memo->polls.push_back({op.protocol, op.function, op.range, profile});
        }
    }
    PollProfile& pp = *profile;
    const std::int64_t now = flow.timestampUs;
    const std::int64_t last = pp.lastUs;
    pp.lastUs = now;
    if (last < 0 || now < last) return;
    const std::int64_t interval = now - last;
    if (learning_) {
        if (pp.learned.size() < kMaxLearnedIntervals) {
            pp.learned.push_back(interval);
        } else {
            pp.learned[pp.learnedNext % kMaxLearnedIntervals] = interval;
        }
        ++pp.learnedNext;
        return;
    }
    if (pp.baselineSamples < kPollWindow) return;  // no learned profile
    pp.recent.push_back(interval);
    if (pp.recent.size() > kPollWindow) pp.recent.erase(pp.recent.begin());
    if (pp.recent.size() < kPollWindow) return;
    const std::int64_t now16 = median({pp.recent.begin(), pp.recent.end()});
    const std::int64_t base = pp.baselineUs;
    const bool far = (now16 > 3 * base || 3 * now16 < base) && std::llabs(now16 - base) >= 100'000;
    const bool near = 2 * now16 <= 3 * base && 3 * now16 >= 2 * base;
    if (!pp.alarmed && far) {
        pp.alarmed = true;
        raiseAt("polling_change", Trigger{.srcIp = flow.clientIp,
                                          .dstIp = flow.serverIp,
                                          .protocol = op.protocol,
                                          .function = op.function,
                                          .timestampUs = now,
                                          .detail = op.function + " every " + ms(now16) +
                                                    " (learned " + ms(base) + ")"});
    } else if (pp.alarmed && near) {
        pp.alarmed = false;
    }
}

}  // namespace ironsight::sensor::detect
