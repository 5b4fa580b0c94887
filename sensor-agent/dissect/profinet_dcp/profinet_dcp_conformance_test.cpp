// SPDX-License-Identifier: Apache-2.0
// Conformance: `ironsight-sensor analyze --json` against the tshark truth files in ../shared/pcaps,
// compared as score.py's profinet_dcp aspect does: the set of (MAC, station_name) pairs.
#include <gtest/gtest.h>

#include <cstdio>
#include <vector>

#include "tests/support/conformance.h"

namespace ironsight::sensor::dissect::profinet_dcp {
namespace {

TEST(ProfinetDcpConformanceTest, CapturesMatchTruth) {
    std::vector<test::TruthCapture> captures;
    for (const char* prefix : {"profinet-"}) {
        for (auto& c : test::capturesWithTruth(prefix)) captures.push_back(std::move(c));
    }
    if (captures.empty()) {
        GTEST_SKIP() << "../shared/pcaps not present: Profinet DCP conformance not checked";
    }
    auto total = test::macNameAgreement(captures, {"/profinet_dcp/identify_responses", "mac",
                                                   "station_name", "profinet_dcp", "station_name"});
    ASSERT_TRUE(total.ok()) << total.error().message;
    ASSERT_GT(total->truth, 0u) << "no capture with Profinet DCP truth items";
    std::printf("profinet_dcp over %zu captures: recall %.3f precision %.3f F1 %.3f\n",
                captures.size(), total->recall(), total->precision(), total->f1());
    EXPECT_GE(total->f1(), 0.95);
}

}  // namespace
}  // namespace ironsight::sensor::dissect::profinet_dcp
