// SPDX-License-Identifier: Apache-2.0
// Conformance: `ironsight-sensor analyze --json` on every ../shared/pcaps capture whose truth has
// SNMP: request/trap PDUs as (manager, agent, version, pdu_type) against operations[], and the
// agents that answered (GetResponse senders) against devices that are snmp servers.
#include <gtest/gtest.h>

#include <cstdio>
#include <set>
#include <string>

#include "tests/support/conformance.h"

namespace ironsight::sensor::dissect::snmp {
namespace {

using nlohmann::json;

TEST(SnmpConformanceTest, PdusAndAgentsMatchTruth) {
    const auto captures = test::capturesWithTruth("");
    if (captures.empty())
        GTEST_SKIP() << "../shared/pcaps not present: SNMP conformance not checked";
    test::Agreement total;
    std::size_t judged = 0;
    for (const auto& capture : captures) {
        if (!capture.truth.is_object()) continue;
        std::set<std::string> want, got;
        for (const auto& e : capture.truth.value("snmp", json::array())) {
            const int pdu = e.value("pdu_type", -1);
            if (pdu == 2) {
                want.insert("agent " + e.value("ip_src", ""));
            } else {
                want.insert("pdu " + e.value("ip_src", "") + " " + e.value("ip_dst", "") + " " +
                            test::scoreKey(e.value("version", json())) + " " +
                            test::scoreKey(e.value("pdu_type", json())));
            }
        }
        if (want.empty()) continue;
        auto doc = test::analyzeJson(capture.file);
        ASSERT_TRUE(doc.ok()) << doc.error().message;
        for (const auto& op : (*doc)["operations"]) {
            if (op.value("protocol", "") != "snmp") continue;
            const auto code = op.value("function_code", json());
            if (code == 2 || code == 8) continue;  // responses: judged through the agents
            got.insert("pdu " + op.value("client_ip", "") + " " + op.value("server_ip", "") + " " +
                       test::scoreKey(op.value("version", json())) + " " + test::scoreKey(code));
        }
        for (const auto& d : (*doc)["devices"]) {
            bool agent = false;
            for (const auto& p : d.value("protocols", json::array())) {
                agent |= p.value("name", "") == "snmp" && p.value("role", "") == "server";
            }
            const auto id = d.value("identity", json::object()).value("snmp", json::object());
            for (const auto& ip : d.value("ips", json::array())) {
                if (agent) got.insert("agent " + ip.get<std::string>());
                if (!id.empty()) {
                    std::printf("  agent %s: sys_name \"%s\" sys_descr \"%s\"\n",
                                ip.get<std::string>().c_str(), id.value("sys_name", "").c_str(),
                                id.value("sys_descr", "").c_str());
                }
            }
        }
        test::Agreement one;
        one.add(want, got);
        total.add(want, got);
        ++judged;
        std::printf("%-48s snmp items %zu/%zu matched, %zu found\n", capture.name.c_str(),
                    one.matched, one.truth, one.found);
    }
    ASSERT_GT(judged, 0u) << "no capture with SNMP truth";
    std::printf("snmp over %zu captures: recall %.3f precision %.3f F1 %.3f\n", judged,
                total.recall(), total.precision(), total.f1());
    EXPECT_GE(total.f1(), 0.95);
}

}  // namespace
}  // namespace ironsight::sensor::dissect::snmp
