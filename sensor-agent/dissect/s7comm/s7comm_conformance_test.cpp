// SPDX-License-Identifier: Apache-2.0
// Conformance: the real `ironsight-sensor analyze --json` on ../shared/pcaps/s7comm*.pcap* against
// the tshark truth files, compared as ../shared/pcaps/score.py does (ROSCTR/function pairs).
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <string>

namespace ironsight::sensor::dissect::s7comm {
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

std::string num(const json& v) {
    if (v.is_null()) return "-";
    if (v.is_number_integer()) return std::to_string(v.get<long>());
    return v.dump();
}

/// score.py truth_sets()["s7comm"]: (rosctr, function) or (7, group, sub|None).
std::set<std::string> truthSet(const json& truth) {
    std::set<std::string> out;
    static const std::regex ud(R"(group=(\d+) sub=(\d+|None))");
    if (!truth.contains("s7comm")) return out;
    for (const auto& p : truth["s7comm"]["rosctr_function"]) {
        const json& f = p["function"];
        std::smatch m;
        std::string text;
        if (f.is_string() && std::regex_search(text = f.get<std::string>(), m, ud)) {
            out.insert("7/" + m[1].str() + "/" + (m[2].str() == "None" ? "-" : m[2].str()));
        } else {
            out.insert(num(p["rosctr"]) + "/" + num(f));
        }
    }
    return out;
}

/// score.py found_sets()["s7comm"].
std::set<std::string> foundSet(const json& doc) {
    std::set<std::string> out;
    for (const auto& o : doc["operations"]) {
        if (o.value("protocol", "") != "s7comm") continue;
        const json rosctr = o.value("rosctr", json());
        if (rosctr == 7) {
            out.insert("7/" + num(o.value("userdata_group", json())) + "/" +
                       num(o.value("userdata_subfunction", json())));
        } else {
            out.insert(num(rosctr) + "/" + num(o.value("function_code", json())));
        }
    }
    return out;
}

TEST(S7commConformanceTest, CapturesMatchTruth) {
    const fs::path pcaps = fs::path(IRONSIGHT_SOURCE_DIR) / ".." / "shared" / "pcaps";
    if (!fs::exists(pcaps / "truth")) {
        GTEST_SKIP() << "../shared/pcaps/truth not present: S7comm conformance not checked";
    }
    std::size_t truthItems = 0, found = 0, matched = 0;
    int files = 0;
    std::set<fs::path> captures;
    for (const auto& e : fs::directory_iterator(pcaps)) {
        if (e.path().filename().string().rfind("s7comm", 0) == 0) captures.insert(e.path());
    }
    for (const auto& capture : captures) {
        const std::string name = capture.filename().string();
        std::ifstream tf(pcaps / "truth" / (name + ".truth.json"));
        if (!tf) continue;
        const std::set<std::string> want = truthSet(json::parse(tf));
        std::string out;
        ASSERT_TRUE(analyze(capture, out)) << name;
        const std::set<std::string> got = foundSet(json::parse(out));
        ++files;
        if (want.empty()) {  // score.py: no truth for the protocol, found items not judged
            std::printf("%-48s no s7comm truth (found %zu, not judged)\n", name.c_str(),
                        got.size());
            continue;
        }
        std::size_t m = 0;
        std::string missing, extra;
        for (const auto& w : want) {
            if (got.count(w)) {
                ++m;
            } else {
                missing += " " + w;
            }
        }
        for (const auto& g : got) {
            if (!want.count(g)) extra += " " + g;
        }
        std::printf("%-48s %zu/%zu matched, found %zu%s%s%s%s\n", name.c_str(), m, want.size(),
                    got.size(), missing.empty() ? "" : "  missing:", missing.c_str(),
                    extra.empty() ? "" : "  extra:", extra.c_str());
        truthItems += want.size();
        found += got.size();
        matched += m;
    }
    if (files == 0) GTEST_SKIP() << "no s7comm*.pcap* with truth files in ../shared/pcaps";
    const double recall = truthItems ? static_cast<double>(matched) / truthItems : 1.0;
    const double precision = found ? static_cast<double>(matched) / found : 0.0;
    const double f1 = recall + precision > 0 ? 2 * precision * recall / (precision + recall) : 0.0;
    std::printf("s7comm over %d captures: recall %.3f precision %.3f F1 %.3f\n", files, recall,
                precision, f1);
    EXPECT_GE(f1, 0.95);
}

}  // namespace
}  // namespace ironsight::sensor::dissect::s7comm
