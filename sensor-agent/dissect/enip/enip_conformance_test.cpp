// SPDX-License-Identifier: Apache-2.0
// Conformance: the real `ironsight-sensor analyze --json` on ../shared/pcaps/enip-*.pcap* against
// the tshark truth files (List Identity: responder IP, product name, serial number, one claim per
// device; see foundIdentities), plus encapsulation commands and CIP services for information.
#include <gtest/gtest.h>

#include <cstdio>
#include <set>
#include <string>

#include "tests/support/conformance.h"

namespace ironsight::sensor::dissect::enip {
namespace {

using nlohmann::json;
using test::scoreKey;

std::string strip(std::string s) {
    const auto b = s.find_first_not_of(" \t\r\n");
    const auto e = s.find_last_not_of(" \t\r\n");
    return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
}

std::set<std::string> truthIdentities(const json& truth) {
    std::set<std::string> out;
    if (!truth.contains("enip")) return out;
    for (const auto& r : truth["enip"]["list_identity_responses"]) {
        out.insert(r.value("ip", "") + "|" + strip(r.value("product_name", "")) + "|" +
                   scoreKey(r.value("serial_number", json())));
    }
    return out;
}

/// One identity claim per device (not per IP): a device that changed its address keeps both IPs
/// (it is one MAC on the segment), and the identity belongs to the device. score.py pairs the
/// identity with every IP of the device, which counts such a device twice; here the claim is
/// the device's IP that the truth names, else its first IP.
std::set<std::string> foundIdentities(const json& doc, const std::set<std::string>& want) {
    std::set<std::string> out;
    for (const auto& d : doc["devices"]) {
        if (!d.contains("identity") || !d["identity"].contains("enip")) continue;
        const json& e = d["identity"]["enip"];
        if (e.empty()) continue;
        const std::string rest = "|" + strip(e.value("product_name", "")) + "|" +
                                 scoreKey(e.value("serial_number", json()));
        std::string claim = (d["ips"].empty() ? std::string("-") : d["ips"][0].get<std::string>());
        for (const auto& ip : d["ips"]) {
            if (want.count(ip.get<std::string>() + rest)) claim = ip.get<std::string>();
        }
        out.insert(claim + rest);
    }
    return out;
}

TEST(EnipConformanceTest, CapturesMatchTruth) {
    const auto captures = test::capturesWithTruth("enip-");
    if (captures.empty()) {
        GTEST_SKIP() << "../shared/pcaps not present: EtherNet/IP conformance not checked";
    }
    test::Agreement identities;
    for (const auto& capture : captures) {
        auto doc = test::analyzeJson(capture.file);
        ASSERT_TRUE(doc.ok()) << doc.error().message;
        // Informational: encapsulation commands and CIP services (request/response, 7 bits).
        std::set<std::string> wantCmd, gotCmd, wantSvc, gotSvc;
        for (const auto& c : capture.truth["enip"]["commands"])
            wantCmd.insert(scoreKey(c["command"]));
        for (const auto& c : capture.truth["enip"]["cip_services"]) {
            wantSvc.insert(scoreKey(c["service"]));
        }
        for (const auto& o : (*doc)["operations"]) {
            if (o.value("protocol", "") != "enip") continue;
            if (o.contains("command")) gotCmd.insert(scoreKey(o["command"]));
            if (o.contains("cip_service")) gotSvc.insert(scoreKey(o["cip_service"]));
        }
        test::Agreement commands, services, one;
        commands.add(wantCmd, gotCmd);
        services.add(wantSvc, gotSvc);
        const std::set<std::string> want = truthIdentities(capture.truth);
        const std::set<std::string> got = foundIdentities(*doc, want);
        one.add(want, got);
        identities.add(want, got);
        std::printf(
            "%-48s list identity %zu/%zu (found %zu)%s  commands %zu/%zu  cip services "
            "%zu/%zu (found %zu)\n",
            capture.name.c_str(), one.matched, want.size(), got.size(),
            want.empty() ? " not judged" : "", commands.matched, commands.truth, services.matched,
            services.truth, gotSvc.size());
    }
    if (identities.truth == 0) GTEST_SKIP() << "no List Identity responses in the truth files";
    std::printf("enip list identity over %zu captures: recall %.3f precision %.3f F1 %.3f\n",
                captures.size(), identities.recall(), identities.precision(), identities.f1());
    EXPECT_GE(identities.f1(), 0.95);
}

}  // namespace
}  // namespace ironsight::sensor::dissect::enip
