// SPDX-License-Identifier: Apache-2.0
// Conformance: `ironsight-sensor analyze --json` on every ../shared/pcaps capture whose truth has
// DNS queries, compared as sets of (query name, qtype): truth dns.queries against operations[]
// with protocol "dns" and function "query".
#include <gtest/gtest.h>

#include <cctype>
#include <cstdio>
#include <set>
#include <string>
#include <utility>

#include "tests/support/conformance.h"

namespace ironsight::sensor::dissect::dns {
namespace {

using nlohmann::json;
using Item = std::pair<std::string, std::string>;  // name, qtype (as score.py's as_int)

std::string lower(std::string s) {
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (!s.empty() && s.back() == '.') s.pop_back();
    return s;
}

TEST(DnsConformanceTest, QueriesMatchTruth) {
    const auto captures = test::capturesWithTruth("");
    if (captures.empty())
        GTEST_SKIP() << "../shared/pcaps not present: DNS conformance not checked";
    test::Agreement total;
    std::size_t judged = 0;
    for (const auto& capture : captures) {
        if (!capture.truth.is_object()) continue;  // unreadable truth file: not judged
        std::set<Item> want, got;
        const auto dns = capture.truth.value("dns", json::object());
        for (const auto& q : dns.value("queries", json::array())) {
            if (q.value("kind", "dns") != "dns" || !q.value("name", json()).is_string()) continue;
            want.insert(
                {lower(q["name"].get<std::string>()), test::scoreKey(q.value("qtype", json()))});
        }
        if (want.empty()) continue;
        auto doc = test::analyzeJson(capture.file);
        ASSERT_TRUE(doc.ok()) << doc.error().message;
        for (const auto& op : (*doc)["operations"]) {
            if (op.value("protocol", "") != "dns" || op.value("function", "") != "query") continue;
            got.insert({lower(op.value("name", "")), test::scoreKey(op.value("qtype", json()))});
        }
        test::Agreement one;
        one.add(want, got);
        total.add(want, got);
        ++judged;
        std::printf("%-48s (name,qtype) %zu/%zu matched, %zu found\n", capture.name.c_str(),
                    one.matched, one.truth, one.found);
    }
    ASSERT_GT(judged, 0u) << "no capture with DNS query truth";
    std::printf("dns over %zu captures: recall %.3f precision %.3f F1 %.3f\n", judged,
                total.recall(), total.precision(), total.f1());
    EXPECT_GE(total.f1(), 0.95);
}

}  // namespace
}  // namespace ironsight::sensor::dissect::dns
