// SPDX-License-Identifier: Apache-2.0
// Conformance: `ironsight-sensor analyze --json` on ../shared/pcaps/iec104-*.pcap against the
// tshark truth files, compared as score.py does: the set of ASDU type ids and common addresses.
#include <gtest/gtest.h>

#include <cstdio>
#include <set>
#include <string>
#include <utility>

#include "tests/support/conformance.h"

namespace ironsight::sensor::dissect::iec104 {
namespace {

using test::scoreKey;
using Item = std::pair<std::string, std::string>;

TEST(Iec104ConformanceTest, CapturesMatchTruth) {
    const auto captures = test::capturesWithTruth("iec104-");
    if (captures.empty()) {
        GTEST_SKIP() << "../shared/pcaps not present: IEC 104 conformance not checked";
    }
    test::Agreement total;
    for (const auto& capture : captures) {
        auto doc = test::analyzeJson(capture.file);
        ASSERT_TRUE(doc.ok()) << doc.error().message;
        std::set<Item> want, got;
        for (const auto& t : capture.truth["iec104"]["type_ids"])
            want.insert({"type", scoreKey(t)});
        for (const auto& a : capture.truth["iec104"]["asdu_addresses"]) {
            want.insert({"asdu", scoreKey(a)});
        }
        for (const auto& o : (*doc)["operations"]) {
            if (o.value("protocol", "") != "iec104") continue;
            if (o.contains("type_id")) got.insert({"type", scoreKey(o["type_id"])});
            if (o.contains("asdu_addr")) got.insert({"asdu", scoreKey(o["asdu_addr"])});
        }
        test::Agreement one;
        one.add(want, got);
        total.add(want, got);
        std::printf("%-44s type ids + common addresses %zu/%zu matched, %zu found\n",
                    capture.name.c_str(), one.matched, one.truth, one.found);
    }
    ASSERT_GT(total.truth, 0u);
    std::printf("iec104 over %zu captures: recall %.3f precision %.3f F1 %.3f\n", captures.size(),
                total.recall(), total.precision(), total.f1());
    EXPECT_GE(total.f1(), 0.95);
}

}  // namespace
}  // namespace ironsight::sensor::dissect::iec104
