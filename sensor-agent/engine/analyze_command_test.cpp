// SPDX-License-Identifier: Apache-2.0
// Runs the real ironsight-sensor binary: JSON contract, bad-input exit codes, learn-from, and
// Modbus conformance against the tshark truth files in ../shared/pcaps.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "tests/support/plant_traffic.h"

namespace ironsight::sensor {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

struct CommandRun {
    int exitCode = -1;
    std::string out, err;
};

CommandRun run(const std::string& args) {
    static int n = 0;
    const fs::path errFile =
        fs::temp_directory_path() /
        ("ironsight_analyze_err_" + std::to_string(::getpid()) + "_" + std::to_string(n++));
    const std::string cmd = std::string(IRONSIGHT_BINARY_DIR) + "/bin/ironsight-sensor " + args +
                            " 2>" + errFile.string();
    CommandRun r;
    FILE* p = ::popen(cmd.c_str(), "r");
    if (!p) return r;
    char buf[65536];
    std::size_t got;
    while ((got = std::fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, got);
    const int status = ::pclose(p);
    r.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    std::ifstream e(errFile);
    r.err.assign(std::istreambuf_iterator<char>(e), {});
    fs::remove(errFile);
    return r;
}

class AnalyzeCommandTest : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        dir_ = fs::temp_directory_path() / ("ironsight_analyze_test_" + std::to_string(::getpid()));
        fs::create_directories(dir_);
        test::PlantOptions options;
        options.minutes = 2;
        ASSERT_TRUE(test::writePlantLine(1, dir_ / "line1.pcap", options).ok());
        ASSERT_TRUE(test::writePlantLine(2, dir_ / "line2.pcap", options).ok());
    }
    static void TearDownTestSuite() { fs::remove_all(dir_); }
    static inline fs::path dir_;
};

TEST_F(AnalyzeCommandTest, JsonContract) {
    const CommandRun r = run("analyze --json " + (dir_ / "line1.pcap").string());
    ASSERT_EQ(r.exitCode, 0) << r.err;
    const json doc = json::parse(r.out);
    ASSERT_TRUE(doc["capture"]["packets"].is_number_unsigned());
    EXPECT_GT(doc["capture"]["packets"].get<int>(), 500);
    EXPECT_TRUE(doc["capture"]["bytes"].is_number());
    EXPECT_TRUE(doc["capture"]["malformed"].is_number());
    EXPECT_TRUE(doc["capture"]["seconds"].is_number_float());
    EXPECT_EQ(doc["capture"]["files"][0], (dir_ / "line1.pcap").string());
    ASSERT_TRUE(doc["devices"].is_array());
    const auto plant = test::plantLine(1);
    bool plcFound = false;
    for (const auto& d : doc["devices"]) {
        for (const char* key :
             {"id", "vendor", "model", "firmware", "serial", "hostname", "type"}) {
            EXPECT_TRUE(d[key].is_string()) << key;
        }
        EXPECT_TRUE(d["macs"].is_array());
        EXPECT_TRUE(d["ips"].is_array());
        EXPECT_TRUE(d["vlans"].is_array());
        EXPECT_TRUE(d["purdue_level"].is_number_integer());
        EXPECT_TRUE(d["protocols"].is_array());
        EXPECT_TRUE(d["identity"].is_object());
        EXPECT_TRUE(d["evidence"].is_array());
        if (d["ips"] == json::array({plant.find("plc1").ip()})) {
            plcFound = true;
            EXPECT_EQ(d["type"], "plc");
            EXPECT_EQ(d["purdue_level"], 1);
            EXPECT_EQ(d["protocols"][0]["name"], "modbus");
            EXPECT_EQ(d["protocols"][0]["role"], "server");
            EXPECT_EQ(d["identity"]["modbus"]["vendor"], "Schneider Electric");
            EXPECT_FALSE(d["identity"].contains("enip"));  // only keys a protocol revealed
        }
    }
    EXPECT_TRUE(plcFound);
    bool modbusConnection = false;
    for (const auto& c : doc["connections"]) {
        for (const char* key : {"src", "dst", "src_ip", "dst_ip", "transport", "protocol"}) {
            EXPECT_TRUE(c[key].is_string()) << key;
        }
        EXPECT_TRUE(c["port"].is_number_integer());
        EXPECT_TRUE(c["packets"].is_number_integer());
        EXPECT_TRUE(c["operations"].is_array());
        if (c["protocol"] == "modbus" && c["port"] == 502) modbusConnection = true;
    }
    EXPECT_TRUE(modbusConnection);
    bool writeOp = false;
    for (const auto& o : doc["operations"]) {
        EXPECT_TRUE(o["function_code"].is_number_integer());
        EXPECT_TRUE(o["count"].is_number_integer());
        EXPECT_TRUE(o["class"].is_string());
        EXPECT_TRUE(o["unit_id"].is_number_integer());
        if (o["function"] == "write_multiple_registers") writeOp = o["class"] == "write";
    }
    EXPECT_TRUE(writeOp);
    EXPECT_TRUE(doc["alerts"].empty()) << "plain analyze runs in learning mode";
}

TEST_F(AnalyzeCommandTest, LearnFromThenUnauthorizedWrite) {
    // Learn from line 2 only: the line-1 writer has no baseline entry -> alert.
    CommandRun r = run("analyze --json --learn-from " + (dir_ / "line2.pcap").string() + " " +
                       (dir_ / "line1.pcap").string());
    ASSERT_EQ(r.exitCode, 0) << r.err;
    json doc = json::parse(r.out);
    ASSERT_EQ(doc["alerts"].size(), 1u);
    const auto& a = doc["alerts"][0];
    EXPECT_EQ(a["type"], "unauthorized_write");
    EXPECT_EQ(a["engine"], "policy");
    EXPECT_EQ(a["severity"], "major");
    EXPECT_EQ(a["protocol"], "modbus");
    EXPECT_EQ(a["mitre"], "T0855");
    EXPECT_EQ(a["count"], 2);
    EXPECT_TRUE(a["src"].is_string() && !a["src"].get<std::string>().empty());
    // Learned from the same traffic: quiet.
    r = run("analyze --json --learn-from " + (dir_ / "line1.pcap").string() + " " +
            (dir_ / "line1.pcap").string());
    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_TRUE(json::parse(r.out)["alerts"].empty());
}

TEST_F(AnalyzeCommandTest, TableOutput) {
    const CommandRun r = run("analyze " + (dir_ / "line1.pcap").string());
    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_NE(r.out.find("Devices ("), std::string::npos);
    EXPECT_NE(r.out.find("engineering_workstation"), std::string::npos);
    EXPECT_NE(r.out.find("write_multiple_registers"), std::string::npos);
}

TEST_F(AnalyzeCommandTest, BadInputIsOneLineAndExitCode2) {
    CommandRun r = run("analyze --json " + (dir_ / "missing.pcap").string());
    EXPECT_EQ(r.exitCode, 2);
    EXPECT_TRUE(r.out.empty());
    EXPECT_EQ(r.err, "ironsight-sensor analyze: cannot open " + (dir_ / "missing.pcap").string() +
                         ": No such file or directory\n");

    const fs::path text = dir_ / "notes.txt";
    std::ofstream(text) << "not a capture at all, just text that is long enough to have a header\n";
    r = run("analyze " + text.string());
    EXPECT_EQ(r.exitCode, 2);
    EXPECT_EQ(r.err,
              "ironsight-sensor analyze: " + text.string() + " is not a pcap or pcapng capture\n");

    const fs::path cut = dir_ / "cut.pcap";
    fs::copy_file(dir_ / "line2.pcap", cut, fs::copy_options::overwrite_existing);
    fs::resize_file(cut, fs::file_size(cut) - 7);
    r = run("analyze --json " + cut.string());
    EXPECT_EQ(r.exitCode, 2);
    EXPECT_TRUE(r.out.empty());
    EXPECT_NE(r.err.find(cut.string() + " is truncated after packet "), std::string::npos) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1);
}

// Conformance: (unit_id, function_code) pairs and client/server IPs against tshark truth.
TEST(AnalyzeConformanceTest, ModbusCapturesMatchTruth) {
    const fs::path pcaps = fs::path(IRONSIGHT_SOURCE_DIR) / ".." / "shared" / "pcaps";
    if (!fs::exists(pcaps / "truth")) GTEST_SKIP() << "../shared/pcaps not present";
    std::size_t truthItems = 0, matched = 0, found = 0;
    int files = 0;
    for (const auto& entry : fs::directory_iterator(pcaps)) {
        const std::string name = entry.path().filename().string();
        if (name.rfind("modbus-", 0) != 0) continue;
        std::ifstream tf(pcaps / "truth" / (name + ".truth.json"));
        if (!tf) continue;
        const json truth = json::parse(tf);
        const CommandRun r = run("analyze --json " + entry.path().string());
        ASSERT_EQ(r.exitCode, 0) << name << ": " << r.err;
        const json doc = json::parse(r.out);
        ++files;
        std::set<std::pair<long, long>> want, got;
        std::set<std::pair<std::string, std::string>> wantPairs, gotPairs;
        for (const auto& p : truth["modbus"]["unit_function_pairs"]) {
            want.insert({p["unit_id"].get<long>(), p["function_code"].get<long>()});
        }
        for (const auto& t : truth["modbus"]["transactions"]) {
            wantPairs.insert({t["client"].get<std::string>(), t["server"].get<std::string>()});
        }
        for (const auto& o : doc["operations"]) {
            if (o["protocol"] != "modbus") continue;
            got.insert({o["unit_id"].get<long>(), o["function_code"].get<long>()});
            gotPairs.insert({o["client_ip"].get<std::string>(), o["server_ip"].get<std::string>()});
        }
        std::size_t m = 0;
        for (const auto& w : want) m += got.count(w);
        std::size_t mp = 0;
        for (const auto& w : wantPairs) mp += gotPairs.count(w);
        std::printf("%-42s pairs %zu/%zu (found %zu)  client/server %zu/%zu (found %zu)\n",
                    name.c_str(), m, want.size(), got.size(), mp, wantPairs.size(),
                    gotPairs.size());
        truthItems += want.size() + wantPairs.size();
        matched += m + mp;
        found += got.size() + gotPairs.size();
    }
    if (files == 0) GTEST_SKIP() << "no modbus-*.pcap with truth files";
    const double recall = static_cast<double>(matched) / static_cast<double>(truthItems);
    const double precision =
        found ? static_cast<double>(matched) / static_cast<double>(found) : 0.0;
    std::printf("modbus agreement over %d captures: recall %.3f precision %.3f\n", files, recall,
                precision);
    EXPECT_GE(recall, 0.95);
    EXPECT_GE(precision, 0.95);
}

}  // namespace
}  // namespace ironsight::sensor
