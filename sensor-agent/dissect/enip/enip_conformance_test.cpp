// SPDX-License-Identifier: Apache-2.0
// Conformance: the real `ironsight-sensor analyze --json` on ../shared/pcaps/enip-*.pcap* against
// the tshark truth files (List Identity: responder IP, product name, serial number, one claim per
// device; see foundIdentities), plus encapsulation commands and CIP services for information.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

namespace ironsight::sensor::dissect::enip {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

bool analyze(const fs::path& capture, std::string& out) {
    const std::string cmd = std::string(IRONSIGHT_BINARY_DIR) +
                            "/bin/ironsight-sensor analyze --json '" + capture.string() +
                            "' 2>/dev/null";
    FILE* p = ::popen(cmd.c_str(), "r");
    if (!p) return false;
    char buf[65536];
    std::size_t got;
    while ((got = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, got);
    const int status = ::pclose(p);
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/// score.py as_int(): "0x..." hex, decimal, else the text.
std::string asInt(const json& v) {
    if (v.is_null()) return "-";
    if (v.is_number_integer()) return std::to_string(v.get<long long>());
    std::string s = v.is_string() ? v.get<std::string>() : v.dump();
    try {
        return std::to_string(s.rfind("0x", 0) == 0 ? std::stoll(s, nullptr, 16) : std::stoll(s));
    } catch (...) {
        return s;
    }
}

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
                   asInt(r.value("serial_number", json())));
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
                                 asInt(e.value("serial_number", json()));
        std::string claim =
            (d["ips"].empty() ? std::string("-") : d["ips"][0].get<std::string>()) + rest;
        for (const auto& ip : d["ips"]) {
            if (want.count(ip.get<std::string>() + rest)) claim = ip.get<std::string>() + rest;
        }
        out.insert(claim);
    }
    return out;
}

std::pair<std::size_t, std::size_t> overlap(const std::set<std::string>& want,
                                            const std::set<std::string>& got) {
    std::size_t m = 0;
    for (const auto& w : want) m += got.count(w);
    return {m, want.size()};
}

TEST(EnipConformanceTest, CapturesMatchTruth) {
    const fs::path pcaps = fs::path(IRONSIGHT_SOURCE_DIR) / ".." / "shared" / "pcaps";
    if (!fs::exists(pcaps / "truth")) {
        GTEST_SKIP() << "../shared/pcaps/truth not present: EtherNet/IP conformance not checked";
    }
    std::set<fs::path> captures;
    for (const auto& e : fs::directory_iterator(pcaps)) {
        if (e.path().filename().string().rfind("enip-", 0) == 0) captures.insert(e.path());
    }
    std::size_t truthItems = 0, found = 0, matched = 0;
    int files = 0;
    for (const auto& capture : captures) {
        const std::string name = capture.filename().string();
        std::ifstream tf(pcaps / "truth" / (name + ".truth.json"));
        if (!tf) continue;
        const json truth = json::parse(tf);
        std::string out;
        ASSERT_TRUE(analyze(capture, out)) << name;
        const json doc = json::parse(out);
        ++files;
        // Informational: encapsulation commands and CIP services (request/response, 7 bits).
        std::set<std::string> wantCmd, gotCmd, wantSvc, gotSvc;
        for (const auto& c : truth["enip"]["commands"]) wantCmd.insert(asInt(c["command"]));
        for (const auto& c : truth["enip"]["cip_services"]) wantSvc.insert(asInt(c["service"]));
        for (const auto& o : doc["operations"]) {
            if (o.value("protocol", "") != "enip") continue;
            if (o.contains("command")) gotCmd.insert(asInt(o["command"]));
            if (o.contains("cip_service")) gotSvc.insert(asInt(o["cip_service"]));
        }
        const auto [cm, cn] = overlap(wantCmd, gotCmd);
        const auto [sm, sn] = overlap(wantSvc, gotSvc);
        const std::set<std::string> want = truthIdentities(truth);
        const std::set<std::string> got = foundIdentities(doc, want);
        const std::size_t m = overlap(want, got).first;
        std::printf(
            "%-48s list identity %zu/%zu (found %zu)%s  commands %zu/%zu  cip services "
            "%zu/%zu (found %zu)\n",
            name.c_str(), m, want.size(), got.size(), want.empty() ? " not judged" : "", cm, cn, sm,
            sn, gotSvc.size());
        if (want.empty()) continue;  // score.py: no truth for the aspect, found items not judged
        truthItems += want.size();
        found += got.size();
        matched += m;
    }
    if (files == 0) GTEST_SKIP() << "no enip-*.pcap* with truth files in ../shared/pcaps";
    if (truthItems == 0) GTEST_SKIP() << "no List Identity responses in the truth files";
    const double recall = static_cast<double>(matched) / truthItems;
    const double precision = found ? static_cast<double>(matched) / found : 0.0;
    const double f1 = recall + precision > 0 ? 2 * precision * recall / (precision + recall) : 0.0;
    std::printf("enip list identity over %d captures: recall %.3f precision %.3f F1 %.3f\n", files,
                recall, precision, f1);
    EXPECT_GE(f1, 0.95);
}

}  // namespace
}  // namespace ironsight::sensor::dissect::enip
