// SPDX-License-Identifier: Apache-2.0
// Conformance: `ironsight-sensor analyze --json` against the tshark truth files in ../shared/pcaps,
// compared as score.py's cdp aspect does: the set of (MAC, device_id) pairs.
#include <gtest/gtest.h>

#include <cstdio>
#include <vector>

#include "tests/support/conformance.h"

namespace ironsight::sensor::dissect::cdp {
namespace {

TEST(CdpConformanceTest, CapturesMatchTruth) {
    std::vector<test::TruthCapture> captures;
    for (const char* prefix : {"cdp-", "enip-openics-"}) {
        for (auto& c : test::capturesWithTruth(prefix)) captures.push_back(std::move(c));
    }
    if (captures.empty()) {
        GTEST_SKIP() << "../shared/pcaps not present: CDP conformance not checked";
    }
    auto total =
        test::macNameAgreement(captures, {"/cdp", "src_mac", "device_id", "cdp", "device_id"});
    ASSERT_TRUE(total.ok()) << total.error().message;
    ASSERT_GT(total->truth, 0u) << "no capture with CDP truth items";
    std::printf("cdp over %zu captures: recall %.3f precision %.3f F1 %.3f\n", captures.size(),
                total->recall(), total->precision(), total->f1());
    EXPECT_GE(total->f1(), 0.95);
}

}  // namespace
}  // namespace ironsight::sensor::dissect::cdp
