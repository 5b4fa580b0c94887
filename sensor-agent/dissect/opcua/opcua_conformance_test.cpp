// SPDX-License-Identifier: Apache-2.0
// Conformance: `ironsight-sensor analyze --json` on ../shared/pcaps/opcua-*.pcap against the
// tshark truth files, compared as score.py does (the security policy URIs of the operations),
// plus the endpoint URLs (identity endpoint_url and the "endpoint(s) ..." operation ranges).
#include <gtest/gtest.h>

#include <cstdio>
#include <set>
#include <string>

#include "tests/support/conformance.h"

namespace ironsight::sensor::dissect::opcua {
namespace {

/// "endpoint URL" or "endpoints URL, URL" -> the URLs.
void endpointsFromRange(const std::string& range, std::set<std::string>& out) {
    std::string rest;
    if (range.rfind("endpoints ", 0) == 0) {
        rest = range.substr(10);
    } else if (range.rfind("endpoint ", 0) == 0) {
        rest = range.substr(9);
    } else {
        return;
    }
    std::size_t pos = 0;
    while (pos <= rest.size()) {
        const std::size_t comma = rest.find(", ", pos);
        out.insert(rest.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos));
        if (comma == std::string::npos) break;
        pos = comma + 2;
    }
}

TEST(OpcuaConformanceTest, CapturesMatchTruth) {
    const auto captures = test::capturesWithTruth("opcua-");
    if (captures.empty()) {
        GTEST_SKIP() << "../shared/pcaps not present: OPC UA conformance not checked";
    }
    test::Agreement policies, endpoints;
    for (const auto& capture : captures) {
        auto doc = test::analyzeJson(capture.file);
        ASSERT_TRUE(doc.ok()) << doc.error().message;
        const auto& truth = capture.truth["opcua"];
        std::set<std::string> wantPolicy, gotPolicy, wantUrl, gotUrl;
        for (const auto& p : truth["security_policies"]) {
            wantPolicy.insert(p.is_string() ? p.get<std::string>() : p.value("policy", p.dump()));
        }
        for (const auto& u : truth["endpoint_urls"]) wantUrl.insert(u.get<std::string>());
        for (const auto& o : (*doc)["operations"]) {
            if (o.value("protocol", "") != "opcua") continue;
            if (o.contains("security_policy") && o["security_policy"].is_string()) {
                const auto p = o["security_policy"].get<std::string>();
                if (!p.empty()) gotPolicy.insert(p);
            }
            for (const auto& r : o.value("ranges", nlohmann::json::array())) {
                endpointsFromRange(r.get<std::string>(), gotUrl);
            }
        }
        for (const auto& dv : (*doc)["devices"]) {
            if (!dv.contains("identity") || !dv["identity"].contains("opcua")) continue;
            const auto& id = dv["identity"]["opcua"];
            if (id.contains("endpoint_url")) gotUrl.insert(id["endpoint_url"].get<std::string>());
        }
        test::Agreement onePolicy, oneUrl;
        onePolicy.add(wantPolicy, gotPolicy);
        oneUrl.add(wantUrl, gotUrl);
        policies.add(wantPolicy, gotPolicy);
        endpoints.add(wantUrl, gotUrl);
        std::printf("%-46s policies %zu/%zu matched, %zu found; endpoints %zu/%zu, %zu found\n",
                    capture.name.c_str(), onePolicy.matched, onePolicy.truth, onePolicy.found,
                    oneUrl.matched, oneUrl.truth, oneUrl.found);
    }
    ASSERT_GT(policies.truth, 0u);
    std::printf("opcua policies over %zu captures: recall %.3f precision %.3f F1 %.3f\n",
                captures.size(), policies.recall(), policies.precision(), policies.f1());
    std::printf("opcua endpoint URLs: recall %.3f precision %.3f F1 %.3f\n", endpoints.recall(),
                endpoints.precision(), endpoints.f1());
    EXPECT_GE(policies.f1(), 0.95);
    EXPECT_GE(endpoints.f1(), 0.95);
}

}  // namespace
}  // namespace ironsight::sensor::dissect::opcua
