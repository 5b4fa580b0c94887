// SPDX-License-Identifier: Apache-2.0
// Conformance: `ironsight-sensor analyze --json` on ../shared/pcaps/dnp3-*.pcap against the tshark
// truth files, compared as score.py does: the set of (src_addr, dst_addr, function_code) triples.
#include <gtest/gtest.h>

#include <cstdio>
#include <set>
#include <string>
#include <tuple>

#include "tests/support/conformance.h"

namespace ironsight::sensor::dissect::dnp3 {
namespace {

using nlohmann::json;
using test::scoreKey;
using Triple = std::tuple<std::string, std::string, std::string>;

TEST(Dnp3ConformanceTest, CapturesMatchTruth) {
    const auto captures = test::capturesWithTruth("dnp3-");
    if (captures.empty())
        GTEST_SKIP() << "../shared/pcaps not present: DNP3 conformance not checked";
    test::Agreement total;
    for (const auto& capture : captures) {
        auto doc = test::analyzeJson(capture.file);
        ASSERT_TRUE(doc.ok()) << doc.error().message;
        std::set<Triple> want, got;
        for (const auto& p : capture.truth["dnp3"]["src_dst_function"]) {
            want.insert(
                {scoreKey(p["src_addr"]), scoreKey(p["dst_addr"]), scoreKey(p["function_code"])});
        }
        for (const auto& o : (*doc)["operations"]) {
            if (o.value("protocol", "") != "dnp3") continue;
            got.insert({scoreKey(o.value("src_addr", json())),
                        scoreKey(o.value("dst_addr", json())),
                        scoreKey(o.value("function_code", json()))});
        }
        test::Agreement one;
        one.add(want, got);
        total.add(want, got);
        std::printf("%-44s (src,dst,function) %zu/%zu matched, %zu found\n", capture.name.c_str(),
                    one.matched, one.truth, one.found);
    }
    ASSERT_GT(total.truth, 0u);
    std::printf("dnp3 over %zu captures: recall %.3f precision %.3f F1 %.3f\n", captures.size(),
                total.recall(), total.precision(), total.f1());
    EXPECT_GE(total.f1(), 0.95);
}

}  // namespace
}  // namespace ironsight::sensor::dissect::dnp3
