// SPDX-License-Identifier: Apache-2.0
// Conformance: `ironsight-sensor analyze --json` against the tshark truth files in ../shared/pcaps,
// compared as score.py's lldp aspect does: the set of (MAC, system_name) pairs.
#include <gtest/gtest.h>

#include <cstdio>
#include <vector>

#include "tests/support/conformance.h"

namespace ironsight::sensor::dissect::lldp {
namespace {

TEST(LldpConformanceTest, CapturesMatchTruth) {
    std::vector<test::TruthCapture> captures;
    for (const char* prefix : {"lldp-", "it-lan-wrapup-lldp-mdns", "ads-beckhoff-addroute-lldp",
                               "profinet-failed-lldp"}) {
        for (auto& c : test::capturesWithTruth(prefix)) captures.push_back(std::move(c));
    }
    if (captures.empty()) {
        GTEST_SKIP() << "../shared/pcaps not present: LLDP conformance not checked";
    }
    auto total = test::macNameAgreement(captures,
                                        {"/lldp", "src_mac", "system_name", "lldp", "system_name"});
    ASSERT_TRUE(total.ok()) << total.error().message;
    ASSERT_GT(total->truth, 0u) << "no capture with LLDP truth items";
    std::printf("lldp over %zu captures: recall %.3f precision %.3f F1 %.3f\n", captures.size(),
                total->recall(), total->precision(), total->f1());
    EXPECT_GE(total->f1(), 0.95);
}

}  // namespace
}  // namespace ironsight::sensor::dissect::lldp
