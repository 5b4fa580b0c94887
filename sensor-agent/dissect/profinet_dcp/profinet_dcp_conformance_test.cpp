// SPDX-License-Identifier: Apache-2.0
// Conformance: `ironsight-sensor analyze --json` on ../shared/pcaps/profinet-*.pcap* against the
// tshark truth files, compared as score.py does (aspect profinet_dcp): the set of (MAC,
// station_name) pairs, from truth profinet_dcp.identify_responses[] and from
// devices[].identity.profinet_dcp.station_name x devices[].macs.
#include <gtest/gtest.h>

#include <cctype>
#include <cstdio>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "tests/support/conformance.h"

namespace ironsight::sensor::dissect::profinet_dcp {
namespace {

using nlohmann::json;
using Pair = std::pair<std::string, std::string>;

std::string lower(std::string s) {
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

TEST(ProfinetDcpConformanceTest, CapturesMatchTruth) {
    std::vector<test::TruthCapture> captures;
    for (const char* prefix : {"profinet-"}) {
        for (auto& c : test::capturesWithTruth(prefix)) captures.push_back(std::move(c));
    }
    if (captures.empty())
        GTEST_SKIP() << "../shared/pcaps not present: Profinet DCP conformance not checked";
    test::Agreement total;
    for (const auto& capture : captures) {
        std::set<Pair> want, got;
        for (const auto& r : capture.truth.value("profinet_dcp", json::object())
                                 .value("identify_responses", json::array())) {
            if (r.value("station_name", json()).is_string()) {
                want.insert({lower(r.value("mac", "")), r["station_name"].get<std::string>()});
            }
        }
        if (want.empty()) continue;  // score.py: aspect absent from this capture, not judged
        auto doc = test::analyzeJson(capture.file);
        ASSERT_TRUE(doc.ok()) << doc.error().message;
        for (const auto& d : (*doc)["devices"]) {
            const auto identity = d.value("identity", json::object());
            if (!identity.contains("profinet_dcp")) continue;
            const auto& p = identity["profinet_dcp"];
            if (!p.value("station_name", json()).is_string()) continue;
            for (const auto& mac : d.value("macs", json::array())) {
                got.insert({lower(mac.get<std::string>()), p["station_name"].get<std::string>()});
            }
        }
        test::Agreement one;
        one.add(want, got);
        total.add(want, got);
        std::printf("%-48s (mac,station_name) %zu/%zu matched, %zu found\n", capture.name.c_str(),
                    one.matched, one.truth, one.found);
    }
    ASSERT_GT(total.truth, 0u) << "no capture with Profinet DCP truth items";
    std::printf("profinet_dcp over %zu captures: recall %.3f precision %.3f F1 %.3f\n",
                captures.size(), total.recall(), total.precision(), total.f1());
    EXPECT_GE(total.f1(), 0.95);
}

}  // namespace
}  // namespace ironsight::sensor::dissect::profinet_dcp
