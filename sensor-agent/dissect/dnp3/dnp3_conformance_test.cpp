// SPDX-License-Identifier: Apache-2.0
// Conformance: `ironsight-sensor analyze --json` on ../shared/pcaps/dnp3-*.pcap against the tshark
// truth files, compared as score.py does: the set of (src_addr, dst_addr, function_code) triples.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <tuple>
#include <vector>

namespace ironsight::sensor::dissect::dnp3 {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using Triple = std::tuple<long, long, long>;

std::string runAnalyze(const fs::path& capture, int& exitCode) {
    const std::string cmd = std::string(IRONSIGHT_BINARY_DIR) +
                            "/bin/ironsight-sensor analyze --json '" + capture.string() +
                            "' 2>/dev/null";
    std::string out;
    exitCode = -1;
    FILE* p = ::popen(cmd.c_str(), "r");
    if (!p) return out;
    char buf[65536];
    std::size_t got;
    while ((got = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, got);
    const int status = ::pclose(p);
    exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return out;
}

long asLong(const json& v) {
    if (v.is_number_integer()) return v.get<long>();
    if (v.is_string()) return std::stol(v.get<std::string>(), nullptr, 0);
    return -1;
}

TEST(Dnp3ConformanceTest, CapturesMatchTruth) {
    const fs::path pcaps = fs::path(IRONSIGHT_SOURCE_DIR) / ".." / "shared" / "pcaps";
    if (!fs::exists(pcaps / "truth")) {
        GTEST_SKIP() << "../shared/pcaps/truth not present: DNP3 conformance not checked";
    }
    std::vector<fs::path> captures;
    for (const auto& entry : fs::directory_iterator(pcaps)) {
        const std::string name = entry.path().filename().string();
        if (name.rfind("dnp3-", 0) == 0 && fs::exists(pcaps / "truth" / (name + ".truth.json")))
            captures.push_back(entry.path());
    }
    if (captures.empty()) GTEST_SKIP() << "no dnp3-*.pcap with a truth file in " << pcaps;
    std::sort(captures.begin(), captures.end());
    std::size_t truthItems = 0, foundItems = 0, matched = 0;
    for (const auto& capture : captures) {
        const std::string name = capture.filename().string();
        std::ifstream tf(pcaps / "truth" / (name + ".truth.json"));
        const json truth = json::parse(tf);
        int exitCode = -1;
        const std::string out = runAnalyze(capture, exitCode);
        ASSERT_EQ(exitCode, 0) << name;
        const json doc = json::parse(out);
        std::set<Triple> want, got;
        for (const auto& p : truth["dnp3"]["src_dst_function"]) {
            want.insert({asLong(p["src_addr"]), asLong(p["dst_addr"]), asLong(p["function_code"])});
        }
        for (const auto& o : doc["operations"]) {
            if (o.value("protocol", "") != "dnp3") continue;
            got.insert({o.contains("src_addr") ? asLong(o["src_addr"]) : -1,
                        o.contains("dst_addr") ? asLong(o["dst_addr"]) : -1,
                        asLong(o["function_code"])});
        }
        if (want.empty()) continue;  // as score.py: captures without DNP3 truth are not judged
        std::size_t m = 0;
        for (const auto& w : want) m += got.count(w);
        std::printf("%-44s (src,dst,function) %zu/%zu matched, %zu found\n", name.c_str(), m,
                    want.size(), got.size());
        truthItems += want.size();
        foundItems += got.size();
        matched += m;
    }
    ASSERT_GT(truthItems, 0u);
    const double recall = static_cast<double>(matched) / static_cast<double>(truthItems);
    const double precision =
        foundItems ? static_cast<double>(matched) / static_cast<double>(foundItems) : 0.0;
    const double f1 = recall + precision > 0 ? 2 * recall * precision / (recall + precision) : 0;
    std::printf("dnp3 over %zu captures: recall %.3f precision %.3f F1 %.3f\n", captures.size(),
                recall, precision, f1);
    EXPECT_GE(f1, 0.95);
}

}  // namespace
}  // namespace ironsight::sensor::dissect::dnp3
