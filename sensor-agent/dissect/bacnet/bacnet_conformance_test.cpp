// SPDX-License-Identifier: Apache-2.0
// Conformance: `ironsight-sensor analyze --json` on ../shared/pcaps/bacnet-*.pcap* against the
// tshark truth files, compared as score.py does (I-Am device instances found in
// devices[].identity.bacnet), plus the (apdu_type, service) pairs of the operations.
#include <gtest/gtest.h>

#include <cstdio>
#include <set>
#include <string>
#include <utility>

#include "tests/support/conformance.h"

namespace ironsight::sensor::dissect::bacnet {
namespace {

using test::scoreKey;
using Pair = std::pair<std::string, std::string>;

TEST(BacnetConformanceTest, CapturesMatchTruth) {
    const auto captures = test::capturesWithTruth("bacnet-");
    if (captures.empty()) {
        GTEST_SKIP() << "../shared/pcaps not present: BACnet conformance not checked";
    }
    test::Agreement iam, services;
    for (const auto& capture : captures) {
        auto doc = test::analyzeJson(capture.file);
        ASSERT_TRUE(doc.ok()) << doc.error().message;
        const auto& truth = capture.truth["bacnet"];
        std::set<std::string> wantIam, gotIam;
        for (const auto& r : truth["i_am"]) wantIam.insert(scoreKey(r["device_instance"]));
        for (const auto& dv : (*doc)["devices"]) {
            if (!dv.contains("identity") || !dv["identity"].contains("bacnet")) continue;
            const auto& b = dv["identity"]["bacnet"];
            if (b.contains("device_instance")) gotIam.insert(scoreKey(b["device_instance"]));
            if (b.contains("device_instances")) {
                for (const auto& i : b["device_instances"]) gotIam.insert(scoreKey(i));
            }
        }
        std::set<Pair> wantSvc, gotSvc;
        for (const auto& s : truth["services"]) {
            wantSvc.insert({scoreKey(s["apdu_type"]), scoreKey(s["service"])});
        }
        for (const auto& o : (*doc)["operations"]) {
            if (o.value("protocol", "") != "bacnet" || !o.contains("apdu_type")) continue;
            gotSvc.insert({scoreKey(o["apdu_type"]),
                           scoreKey(o.contains("service") ? o["service"] : nullptr)});
        }
        test::Agreement oneIam, oneSvc;
        oneIam.add(wantIam, gotIam);
        oneSvc.add(wantSvc, gotSvc);
        iam.add(wantIam, gotIam);
        services.add(wantSvc, gotSvc);
        std::printf(
            "%-46s I-Am instances %zu/%zu matched, %zu found; services %zu/%zu, %zu found\n",
            capture.name.c_str(), oneIam.matched, oneIam.truth, oneIam.found, oneSvc.matched,
            oneSvc.truth, oneSvc.found);
    }
    ASSERT_GT(iam.truth, 0u);
    std::printf("bacnet I-Am over %zu captures: recall %.3f precision %.3f F1 %.3f\n",
                captures.size(), iam.recall(), iam.precision(), iam.f1());
    std::printf("bacnet services: recall %.3f precision %.3f F1 %.3f\n", services.recall(),
                services.precision(), services.f1());
    EXPECT_GE(iam.f1(), 0.95);
    EXPECT_GE(services.f1(), 0.95);
}

}  // namespace
}  // namespace ironsight::sensor::dissect::bacnet
