// SPDX-License-Identifier: Apache-2.0
// Runs the real ironsight-sensor binary: JSON contract (null function codes), bad-input exit
// codes, learn-from, end-of-capture flush, and Modbus conformance against ../shared/pcaps truth.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <vector>

#include "tests/support/packet_builder.h"
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
        if (o["protocol"] != "modbus") continue;  // the plant's DNS lookups are operations too
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
    json writes = json::array();  // line 1's devices are not in line 2's baseline: new_device...
    for (const auto& alert : doc["alerts"]) {
        if (alert["type"] == "unauthorized_write") writes.push_back(alert);
    }
    ASSERT_EQ(writes.size(), 1u);
    const auto& a = writes[0];
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

TEST_F(AnalyzeCommandTest, PortAliasesAreCheckedBeforeAnything) {
    const std::string capture = (dir_ / "line1.pcap").string();
    CommandRun r = run("analyze --json --port-alias modbuz=tcp/5020 " + capture);
    EXPECT_EQ(r.exitCode, 2);
    EXPECT_TRUE(r.out.empty());
    EXPECT_EQ(r.err.rfind("ironsight-sensor analyze: port alias 'modbuz=tcp/5020': no tcp "
                          "dissector named 'modbuz' (known: ",
                          0),
              0u)
        << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1);
    r = run("analyze --json --port-alias modbus=tcp/5020 --port-alias bacnet=udp/47809 " + capture);
    EXPECT_EQ(r.exitCode, 0) << r.err;
    EXPECT_FALSE(json::parse(r.out)["devices"].empty());
}

TEST_F(AnalyzeCommandTest, RunChecksTheProtocolsSectionOfItsConfigFile) {
    const fs::path config = dir_ / "protocols.toml";
    const auto runWith = [&](const std::string& text) {
        std::ofstream(config) << text;
        return run("run --config " + config.string() + " --state-dir " + (dir_ / "state").string() +
                   " --replay " + (dir_ / "line1.pcap").string());
    };
    CommandRun r = runWith("[protocols]\nport_aliases = 5\n");
    EXPECT_EQ(r.exitCode, 1);
    EXPECT_EQ(r.err, "error: " + config.string() +
                         ":2:16: protocols.port_aliases must be a list of strings\n");
    r = runWith("[protocols]\naliases = [\"modbus=tcp/5020\"]\n");
    EXPECT_EQ(r.err, "error: " + config.string() +
                         ":2:1: unknown setting protocols.aliases (known in [protocols]: "
                         "port_aliases)\n");
    r = runWith("[protocols]\nport_aliases = [\"modbus@5020\"]\n");
    EXPECT_EQ(r.err, "error: " + config.string() +
                         ":2:17: protocols.port_aliases: 'modbus@5020' is not PROTOCOL=tcp/PORT or "
                         "PROTOCOL=udp/PORT (port 1-65535)\n");
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

/// Writes Ethernet frames as a classic pcap file (microsecond timestamps, one second apart).
void writePcap(const fs::path& file, const std::vector<test::Bytes>& frames) {
    std::ofstream out(file, std::ios::binary);
    const auto u32 = [&out](std::uint32_t v) { out.write(reinterpret_cast<const char*>(&v), 4); };
    const auto u16 = [&out](std::uint16_t v) { out.write(reinterpret_cast<const char*>(&v), 2); };
    u32(0xa1b2c3d4);  // magic (host byte order), version 2.4, zone, sigfigs, snaplen, Ethernet
    u16(2);
    u16(4);
    u32(0);
    u32(0);
    u32(65535);
    u32(1);
    std::uint32_t seconds = 1767261600;
    for (const auto& f : frames) {
        u32(seconds++);
        u32(0);
        u32(static_cast<std::uint32_t>(f.size()));
        u32(static_cast<std::uint32_t>(f.size()));
        out.write(reinterpret_cast<const char*>(f.data()), static_cast<std::streamsize>(f.size()));
    }
}

// An S7comm Job (setup communication) answered by a plain Ack (ROSCTR 2, no function): the Ack
// is an operation with "rosctr": 2 and "function_code": null, as in the tshark truth files.
TEST_F(AnalyzeCommandTest, S7commAckHasNullFunctionCode) {
    const test::Host client{test::mac("00:1b:21:00:00:02"), test::ipv4("10.0.0.2")};
    const test::Host plc{test::mac("00:1b:1b:00:00:01"), test::ipv4("10.0.0.1")};
    const test::Bytes job = {
        0x03, 0x00, 0x00, 0x19,  // TPKT: version 3, length 25
        0x02, 0xf0, 0x80,        // COTP: LI 2, DT, EOT
        0x32, 0x01,              // S7comm, ROSCTR 1 Job
        0x00, 0x00, 0x00, 0x05,  // redundancy id, PDU reference 5
        0x00, 0x08, 0x00, 0x00,  // parameter length 8, data length 0
        0xf0, 0x00,              // function 0xf0 setup communication, reserved
        0x00, 0x01, 0x00, 0x01,  // max AmQ calling 1, called 1
        0x01, 0xe0,              // PDU length 480
    };
    const test::Bytes ack = {
        0x03, 0x00, 0x00, 0x13,  // TPKT length 19
        0x02, 0xf0, 0x80,        // COTP DT, EOT
        0x32, 0x02,              // S7comm, ROSCTR 2 Ack
        0x00, 0x00, 0x00, 0x05,  // redundancy id, PDU reference 5
        0x00, 0x00, 0x00, 0x00,  // parameter length 0, data length 0
        0x00, 0x00,              // error class 0, error code 0
    };
    const fs::path file = dir_ / "s7ack.pcap";
    writePcap(file,
              {test::tcpFrame(client, plc, 49200, 102, 100, 900, test::tcp::kAck, job),
               test::tcpFrame(plc, client, 102, 49200, 900,
                              100 + static_cast<std::uint32_t>(job.size()), test::tcp::kAck, ack)});
    const CommandRun r = run("analyze --json " + file.string());
    ASSERT_EQ(r.exitCode, 0) << r.err;
    const json doc = json::parse(r.out);
    bool sawJob = false, sawAck = false;
    for (const auto& o : doc["operations"]) {
        if (o["protocol"] != "s7comm") continue;
        if (o["rosctr"] == 1) {
            sawJob = true;
            EXPECT_EQ(o["function_code"], 0xf0);
        } else if (o["rosctr"] == 2) {
            sawAck = true;
            EXPECT_TRUE(o.contains("function_code"));
            EXPECT_TRUE(o["function_code"].is_null()) << o.dump();
            EXPECT_EQ(o["function"], "ack");
            EXPECT_EQ(o["client_ip"], "10.0.0.2");
            EXPECT_EQ(o["server_ip"], "10.0.0.1");
            EXPECT_EQ(o["count"], 1);
            EXPECT_FALSE(o.contains("userdata_group"));
        }
    }
    EXPECT_TRUE(sawJob);
    EXPECT_TRUE(sawAck);
}

// The last request sits behind a hole nobody acknowledged (the capture ends first): analyze
// flushes it at the end of the capture (Engine::finish) instead of dropping it.
TEST_F(AnalyzeCommandTest, EndOfCaptureFlushesBufferedRequests) {
    const test::Host client{test::mac("00:1b:21:00:00:02"), test::ipv4("10.0.0.2")};
    const test::Host plc{test::mac("00:80:f4:00:00:01"), test::ipv4("10.0.0.1")};
    const test::Bytes a = test::modbusAdu(1, 1, test::modbusReadRequest(3, 0, 2));
    const test::Bytes lost = test::modbusAdu(2, 1, test::modbusReadRequest(4, 0, 2));
    const test::Bytes last = test::modbusAdu(3, 1, test::modbusWriteSingleRegister(5, 42));
    const auto seq = [](std::size_t offset) { return 1000 + static_cast<std::uint32_t>(offset); };
    const fs::path file = dir_ / "modbus_tail.pcap";
    writePcap(file, {test::tcpFrame(client, plc, 49201, 502, seq(0), 7000, test::tcp::kAck, a),
                     test::tcpFrame(client, plc, 49201, 502, seq(a.size() + lost.size()), 7000,
                                    test::tcp::kAck, last)});
    const CommandRun r = run("analyze --json " + file.string());
    ASSERT_EQ(r.exitCode, 0) << r.err;
    const json doc = json::parse(r.out);
    std::set<long> codes;
    for (const auto& o : doc["operations"]) {
        if (o["protocol"] == "modbus") codes.insert(o["function_code"].get<long>());
    }
    EXPECT_EQ(codes, (std::set<long>{3, 6}));
}

}  // namespace
}  // namespace ironsight::sensor
