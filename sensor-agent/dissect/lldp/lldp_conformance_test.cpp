// SPDX-License-Identifier: Apache-2.0
// Conformance: `ironsight-sensor analyze --json` on ../shared/pcaps/lldp-*.pcap and the captures
// with LLDP against the tshark truth files, compared as score.py does (aspect lldp): the set of
// (MAC, system_name) pairs, from truth lldp[] and from devices[].identity.lldp.system_name x
// devices[].macs.
#include <gtest/gtest.h>

#include <cctype>
#include <cstdio>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "tests/support/conformance.h"

namespace ironsight::sensor::dissect::lldp {
namespace {

using nlohmann::json;
using Pair = std::pair<std::string, std::string>;

std::string lower(std::string s) {
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

TEST(LldpConformanceTest, CapturesMatchTruth) {
    std::vector<test::TruthCapture> captures;
    for (const char* prefix : {"lldp-", "it-lan-wrapup-lldp-mdns", "ads-beckhoff-addroute-lldp",
                               "profinet-failed-lldp"}) {
        for (auto& c : test::capturesWithTruth(prefix)) captures.push_back(std::move(c));
    }
    if (captures.empty())
        GTEST_SKIP() << "../shared/pcaps not present: LLDP conformance not checked";
    test::Agreement total;
    for (const auto& capture : captures) {
        std::set<Pair> want, got;
        for (const auto& r : capture.truth.value("lldp", json::array())) {
            if (r.value("system_name", json()).is_string()) {
                want.insert({lower(r.value("src_mac", "")), r["system_name"].get<std::string>()});
            }
        }
        if (want.empty()) continue;  // score.py: aspect absent from this capture, not judged
        auto doc = test::analyzeJson(capture.file);
        ASSERT_TRUE(doc.ok()) << doc.error().message;
        for (const auto& d : (*doc)["devices"]) {
            const auto identity = d.value("identity", json::object());
            if (!identity.contains("lldp")) continue;
            const auto& p = identity["lldp"];
            if (!p.value("system_name", json()).is_string()) continue;
            for (const auto& mac : d.value("macs", json::array())) {
                got.insert({lower(mac.get<std::string>()), p["system_name"].get<std::string>()});
            }
        }
        test::Agreement one;
        one.add(want, got);
        total.add(want, got);
        std::printf("%-48s (mac,system_name) %zu/%zu matched, %zu found\n", capture.name.c_str(),
                    one.matched, one.truth, one.found);
    }
    ASSERT_GT(total.truth, 0u) << "no capture with LLDP truth items";
    std::printf("lldp over %zu captures: recall %.3f precision %.3f F1 %.3f\n", captures.size(),
                total.recall(), total.precision(), total.f1());
    EXPECT_GE(total.f1(), 0.95);
}

}  // namespace
}  // namespace ironsight::sensor::dissect::lldp
