// SPDX-License-Identifier: Apache-2.0
// Conformance: `ironsight-sensor analyze --json` on every ../shared/pcaps capture whose truth has
// NBNS responses naming a workstation (<00>) or server (<20>): the set of (responder IP, name)
// against devices[].identity.nbns.hostname x devices[].ips (IPv4, as the truth). Node status
// responses (question "*") carry names the truth does not list: their responders are not judged.
#include <gtest/gtest.h>

#include <cstdio>
#include <regex>
#include <set>
#include <string>
#include <utility>

#include "tests/support/conformance.h"

namespace ironsight::sensor::dissect::nbns {
namespace {

using nlohmann::json;
using Item = std::pair<std::string, std::string>;  // ip, NetBIOS name

TEST(NbnsConformanceTest, AnsweredNamesMatchTruth) {
    const auto captures = test::capturesWithTruth("");
    if (captures.empty())
        GTEST_SKIP() << "../shared/pcaps not present: NBNS conformance not checked";
    // tshark prints e.g. "CX_0D7560<00> (Workstation/Redirector)".
    const std::regex hostName(R"(^([^<*][^<]*)<(00|20)>)");
    test::Agreement total;
    std::size_t judged = 0;
    for (const auto& capture : captures) {
        if (!capture.truth.is_object()) continue;
        std::set<Item> want, got;
        std::set<std::string> nodeStatusResponders;
        for (const auto& e : capture.truth.value("nbns", json::array())) {
            if (e.value("direction", "") != "response" || e.value("opcode", -1) != 0) continue;
            std::smatch m;
            const std::string name = e.value("name", "");
            if (name.starts_with("*")) nodeStatusResponders.insert(e.value("ip_src", ""));
            if (std::regex_search(name, m, hostName)) want.insert({e.value("ip_src", ""), m[1]});
        }
        if (want.empty()) continue;
        auto doc = test::analyzeJson(capture.file);
        ASSERT_TRUE(doc.ok()) << doc.error().message;
        for (const auto& d : (*doc)["devices"]) {
            const auto nbns = d.value("identity", json::object()).value("nbns", json::object());
            if (!nbns.value("hostname", json()).is_string()) continue;
            for (const auto& ip : d.value("ips", json::array())) {
                const std::string text = ip.get<std::string>();
                if (text.find(':') != std::string::npos || nodeStatusResponders.count(text))
                    continue;
                got.insert({text, nbns["hostname"].get<std::string>()});
            }
        }
        test::Agreement one;
        one.add(want, got);
        total.add(want, got);
        ++judged;
        std::printf("%-48s (ip,name) %zu/%zu matched, %zu found\n", capture.name.c_str(),
                    one.matched, one.truth, one.found);
    }
    ASSERT_GT(judged, 0u) << "no capture with NBNS response truth";
    std::printf("nbns over %zu captures: recall %.3f precision %.3f F1 %.3f\n", judged,
                total.recall(), total.precision(), total.f1());
    EXPECT_GE(total.f1(), 0.95);
}

}  // namespace
}  // namespace ironsight::sensor::dissect::nbns
