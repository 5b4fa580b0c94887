// SPDX-License-Identifier: Apache-2.0
// Conformance: `ironsight-sensor analyze --json` on ../shared/pcaps/cdp-zeek-v1.pcap,
// enip-openics-*.pcap against the tshark truth files, compared as score.py does (aspect cdp): the
// set of (MAC, device_id) pairs, from truth cdp[] and from devices[].identity.cdp.device_id x
// devices[].macs.
#include <gtest/gtest.h>

#include <cctype>
#include <cstdio>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "tests/support/conformance.h"

namespace ironsight::sensor::dissect::cdp {
namespace {

using nlohmann::json;
using Pair = std::pair<std::string, std::string>;

std::string lower(std::string s) {
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

TEST(CdpConformanceTest, CapturesMatchTruth) {
    std::vector<test::TruthCapture> captures;
    for (const char* prefix : {"cdp-", "enip-openics-"}) {
        for (auto& c : test::capturesWithTruth(prefix)) captures.push_back(std::move(c));
    }
    if (captures.empty())
        GTEST_SKIP() << "../shared/pcaps not present: CDP conformance not checked";
    test::Agreement total;
    for (const auto& capture : captures) {
        std::set<Pair> want, got;
        for (const auto& r : capture.truth.value("cdp", json::array())) {
            if (r.value("device_id", json()).is_string()) {
                want.insert({lower(r.value("src_mac", "")), r["device_id"].get<std::string>()});
            }
        }
        if (want.empty()) continue;  // score.py: aspect absent from this capture, not judged
        auto doc = test::analyzeJson(capture.file);
        ASSERT_TRUE(doc.ok()) << doc.error().message;
        for (const auto& d : (*doc)["devices"]) {
            const auto identity = d.value("identity", json::object());
            if (!identity.contains("cdp")) continue;
            const auto& p = identity["cdp"];
            if (!p.value("device_id", json()).is_string()) continue;
            for (const auto& mac : d.value("macs", json::array())) {
                got.insert({lower(mac.get<std::string>()), p["device_id"].get<std::string>()});
            }
        }
        test::Agreement one;
        one.add(want, got);
        total.add(want, got);
        std::printf("%-48s (mac,device_id) %zu/%zu matched, %zu found\n", capture.name.c_str(),
                    one.matched, one.truth, one.found);
    }
    ASSERT_GT(total.truth, 0u) << "no capture with CDP truth items";
    std::printf("cdp over %zu captures: recall %.3f precision %.3f F1 %.3f\n", captures.size(),
                total.recall(), total.precision(), total.f1());
    EXPECT_GE(total.f1(), 0.95);
}

}  // namespace
}  // namespace ironsight::sensor::dissect::cdp
