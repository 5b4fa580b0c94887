// SPDX-License-Identifier: Apache-2.0
// The plugin SDK end to end (SPEC §3.3): the SDK is installed with `cmake --install` into a temp
// prefix, the example plugin (sensor-agent/sdk/example) is configured and built OUT OF TREE
// against that prefix only, and the real ironsight-sensor loads it: its device attributes,
// operations and alert must appear in `analyze --json`. Broken plugins (wrong ABI version,
// missing entry symbol, not a library) are refused with one clear line each and the analysis
// still succeeds.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "sensor-agent/capture/pcap_file_writer.h"
#include "sensor-agent/sdk/ironsight_plugin.h"
#include "tests/integration/process_harness.h"
#include "tests/support/packet_builder.h"

namespace ironsight::sensor {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using test::Bytes;
using test::Child;

// ---- ACME Telemetry Protocol frames (wire format: sensor-agent/sdk/example/acme_tp.c) ----

Bytes atpFrame(std::uint8_t function, std::uint16_t transaction, const Bytes& payload) {
    // Sized up front: GCC 12 -O2 misreads insert() after a short initializer list (-Warray-bounds).
    Bytes b(8 + payload.size());
    b[0] = 'A';
    b[1] = 'T';
    b[2] = 0x01;  // version
    b[3] = function;
    b[4] = static_cast<std::uint8_t>(transaction >> 8);
    b[5] = static_cast<std::uint8_t>(transaction);
    b[6] = static_cast<std::uint8_t>(payload.size() >> 8);
    b[7] = static_cast<std::uint8_t>(payload.size());
    std::copy(payload.begin(), payload.end(), b.begin() + 8);
    return b;
}

Bytes u16s(std::initializer_list<std::uint16_t> values) {
    Bytes b;
    for (auto v : values) {
        b.push_back(static_cast<std::uint8_t>(v >> 8));
        b.push_back(static_cast<std::uint8_t>(v));
    }
    return b;
}

Bytes identifyReply(const std::vector<std::string>& fields) {  // vendor, model, firmware, name
    Bytes b;
    for (const auto& f : fields) {
        b.push_back(static_cast<std::uint8_t>(f.size()));
        b.insert(b.end(), f.begin(), f.end());
    }
    return b;
}

/// One TCP conversation with sequence numbers kept per side.
class TcpTalk {
public:
    TcpTalk(PcapFileWriter& out, test::Host client, test::Host server, std::uint16_t clientPort,
            std::uint16_t serverPort, std::int64_t& clockUs)
        : out_(out), c_(client), s_(server), cp_(clientPort), sp_(serverPort), t_(clockUs) {}

    void handshake() {
        send(true, test::tcp::kSyn, {});
        ++cseq_;
        send(false, test::tcp::kSyn | test::tcp::kAck, {});
        ++sseq_;
        send(true, test::tcp::kAck, {});
    }
    void client(const Bytes& data) { data_(true, data); }
    void server(const Bytes& data) { data_(false, data); }

private:
    void data_(bool fromClient, const Bytes& data) {
        send(fromClient, test::tcp::kPsh | test::tcp::kAck, data);
        (fromClient ? cseq_ : sseq_) += static_cast<std::uint32_t>(data.size());
    }
    void send(bool fromClient, std::uint8_t flags, const Bytes& payload) {
        const Bytes frame = fromClient
                                ? test::tcpFrame(c_, s_, cp_, sp_, cseq_, sseq_, flags, payload)
                                : test::tcpFrame(s_, c_, sp_, cp_, sseq_, cseq_, flags, payload);
        t_ += 2000;
        ASSERT_TRUE(out_.write(t_, frame).ok());
    }

    PcapFileWriter& out_;
    test::Host c_, s_;
    std::uint16_t cp_, sp_;
    std::int64_t& t_;
    std::uint32_t cseq_ = 1000, sseq_ = 5000;
};

const test::Host kClient{test::mac("02:00:00:00:05:14"), test::ipv4("10.0.5.20")};
const test::Host kRtu{test::mac("02:00:00:00:05:0a"), test::ipv4("10.0.5.10")};
const test::Host kOther{test::mac("02:00:00:00:05:0b"), test::ipv4("10.0.5.11")};

/// The example's traffic: identify, read, a calibration write split over two segments on the
/// registered port 20547; and a read on port 31337 that only the plugin's heuristic can claim.
void writeAcmeCapture(const fs::path& file) {
    auto out = PcapFileWriter::create(file);
    ASSERT_TRUE(out.ok()) << out.error().message;
    std::int64_t clock = 1'767'225'600'000'000;  // 2026-01-01
    {
        TcpTalk talk(*out, kClient, kRtu, 40001, 20547, clock);
        talk.handshake();
        talk.client(atpFrame(0x03, 1, {}));
        talk.server(atpFrame(
            0x83, 1, identifyReply({"ACME Instruments", "TX-9000", "4.2.1", "tank-rtu-7"})));
        talk.client(atpFrame(0x01, 2, u16s({100, 4})));
        talk.server(atpFrame(0x81, 2, u16s({1, 2, 3, 4})));
        const Bytes write = atpFrame(0x02, 3, u16s({0xF000, 0x1234, 0x5678}));
        talk.client(Bytes(write.begin(), write.begin() + 5));  // the frame spans two segments
        talk.client(Bytes(write.begin() + 5, write.end()));
        talk.server(atpFrame(0x82, 3, {}));
    }
    {
        TcpTalk talk(*out, kClient, kOther, 40002, 31337, clock);
        talk.handshake();
        talk.client(atpFrame(0x01, 9, u16s({7, 1})));
        talk.server(atpFrame(0x81, 9, u16s({42})));
    }
    ASSERT_TRUE(out->flush().ok());
}

class PluginSdkTest : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        dir_ = fs::temp_directory_path() / ("ironsight_plugin_sdk_" + std::to_string(::getpid()));
        fs::remove_all(dir_);
        fs::create_directories(dir_ / "plugins");
        writeAcmeCapture(dir_ / "acme.pcap");
        // 1. Install the SDK (header + CMake package + pkg-config file) into a temp prefix.
        const fs::path prefix = dir_ / "prefix";
        built_ = step({IRONSIGHT_CMAKE_COMMAND, "--install", IRONSIGHT_BINARY_DIR, "--component",
                       "sdk", "--prefix", prefix.string()},
                      "install");
        // 2. Configure and build the example out of tree: it sees the prefix, not the sources.
        const fs::path build = dir_ / "example-build";
        built_ =
            built_ && step({IRONSIGHT_CMAKE_COMMAND, "-S",
                            std::string(IRONSIGHT_SOURCE_DIR) + "/sensor-agent/sdk/example", "-B",
                            build.string(), "-G", IRONSIGHT_CMAKE_GENERATOR,
                            "-DCMAKE_C_COMPILER=" IRONSIGHT_C_COMPILER,
                            "-DCMAKE_BUILD_TYPE=Release", "-DCMAKE_PREFIX_PATH=" + prefix.string(),
                            "-DCMAKE_C_FLAGS=-Wall -Wextra -Wpedantic -Werror"},
                           "configure");
        built_ = built_ && step({IRONSIGHT_CMAKE_COMMAND, "--build", build.string()}, "build");
        if (built_) fs::copy_file(build / "acme_tp.so", dir_ / "plugins" / "acme_tp.so");
    }
    static void TearDownTestSuite() {
        // Kept for a look when something failed (ctest runs one test per process).
        if (::testing::UnitTest::GetInstance()->failed_test_count() == 0) fs::remove_all(dir_);
    }

    /// Runs a build step; its output is kept in dir_ and shown when it fails.
    static bool step(const std::vector<std::string>& argv, const std::string& name) {
        Child child(argv, dir_ / (name + ".out"), dir_ / (name + ".err"));
        const int code = child.wait(std::chrono::minutes(5));
        if (code != 0) {
            log_ += name + " failed (" + std::to_string(code) + "):\n" + child.out() + child.err();
        }
        return code == 0;
    }

    static test::RunResult sensor(std::vector<std::string> args) {
        static int n = 0;
        args.insert(args.begin(), (test::kBin / "ironsight-sensor").string());
        const std::string id = std::to_string(++n);
        Child child(args, dir_ / ("analyze" + id + ".out"), dir_ / ("analyze" + id + ".err"));
        test::RunResult r;
        r.code = child.wait(std::chrono::minutes(2));
        r.out = child.out();
        r.err = child.err();
        return r;
    }

    static inline fs::path dir_;
    static inline bool built_ = false;
    static inline std::string log_;
};

const json* find(const json& list, const std::function<bool(const json&)>& pred) {
    for (const auto& item : list) {
        if (pred(item)) return &item;
    }
    return nullptr;
}

TEST_F(PluginSdkTest, ExamplePluginBuiltOutOfTreeReportsDeviceOperationsAndAlert) {
    ASSERT_TRUE(built_) << log_;
    const auto r = sensor({"analyze", "--plugins", (dir_ / "plugins").string(), "--json",
                            (dir_ / "acme.pcap").string()});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_NE(r.err.find("plugin acme_tp 1.0.0 loaded from acme_tp.so (tcp 20547; heuristic)"),
              std::string::npos)
        << r.err;
    const json doc = json::parse(r.out);

    // Device attributes of the server side, from the identify reply.
    const json* rtu =
        find(doc["devices"], [](const json& d) { return d["ips"] == json::array({"10.0.5.10"}); });
    ASSERT_NE(rtu, nullptr) << doc["devices"].dump(2);
    EXPECT_EQ((*rtu)["vendor"], "ACME Instruments");
    EXPECT_EQ((*rtu)["model"], "TX-9000");
    EXPECT_EQ((*rtu)["firmware"], "4.2.1");
    EXPECT_EQ((*rtu)["type"], "rtu");
    EXPECT_EQ((*rtu)["identity"]["acme_tp"]["station_name"], "tank-rtu-7");
    EXPECT_EQ((*rtu)["identity"]["acme_tp"]["vendor"], "ACME Instruments");
    EXPECT_NE(find((*rtu)["protocols"],
                   [](const json& p) { return p["name"] == "acme_tp" && p["role"] == "server"; }),
              nullptr)
        << (*rtu)["protocols"].dump();

    // Operations, classified as the plugin said.
    const auto op = [&](const std::string& server, const std::string& function) {
        return find(doc["operations"], [&](const json& o) {
            return o["protocol"] == "acme_tp" && o["server_ip"] == server &&
                   o["function"] == function;
        });
    };
    const json* write = op("10.0.5.10", "write_registers");
    ASSERT_NE(write, nullptr) << doc["operations"].dump(2);
    EXPECT_EQ((*write)["class"], "write");
    EXPECT_EQ((*write)["function_code"], 2);
    EXPECT_EQ((*write)["client_ip"], "10.0.5.20");
    EXPECT_EQ((*write)["count"], 1);  // reassembled from two segments: one frame, one write
    EXPECT_EQ((*write)["ranges"], json::array({"registers 61440-61441"}));
    ASSERT_NE(op("10.0.5.10", "read_registers"), nullptr);
    EXPECT_EQ((*op("10.0.5.10", "read_registers"))["class"], "read");
    ASSERT_NE(op("10.0.5.10", "identify"), nullptr);
    EXPECT_EQ((*op("10.0.5.10", "identify"))["class"], "diagnostic");
    // Port 31337 is nobody's: the heuristic claimed the flow.
    ASSERT_NE(op("10.0.5.11", "read_registers"), nullptr) << doc["operations"].dump(2);
    // One connection for that flow, handshake included (it waited for the heuristic).
    const json* claimed = find(doc["connections"], [](const json& c) {
        return c["dst_ip"] == "10.0.5.11" && c["port"] == 31337;
    });
    ASSERT_NE(claimed, nullptr) << doc["connections"].dump(2);
    EXPECT_EQ((*claimed)["protocol"], "acme_tp");
    EXPECT_EQ((*claimed)["packets"], 5);  // SYN, SYN-ACK, ACK, request, response
    EXPECT_EQ((*claimed)["operations"], json::array({"read"}));
    EXPECT_EQ(doc["connections"].size(), 2u) << doc["connections"].dump(2);

    // The finding became an alert with the plugin's type, severity and English text.
    const json* alert =
        find(doc["alerts"], [](const json& a) { return a["type"] == "acme_tp.calibration_write"; });
    ASSERT_NE(alert, nullptr) << doc["alerts"].dump(2);
    EXPECT_EQ((*alert)["severity"], "major");
    EXPECT_EQ((*alert)["engine"], "protocol");
    EXPECT_EQ((*alert)["protocol"], "acme_tp");
    EXPECT_EQ((*alert)["mitre"], "T0836");
    EXPECT_EQ((*alert)["src_ip"], "10.0.5.20");
    EXPECT_EQ((*alert)["dst_ip"], "10.0.5.10");
    EXPECT_EQ((*alert)["title"],
              "ACME calibration block written on " + (*alert)["dst"].get<std::string>());
    EXPECT_NE((*alert)["description"].get<std::string>().find("registers 61440-61441"),
              std::string::npos);

    // The display strings travel with the result, translations included.
    ASSERT_EQ(doc["plugins"].size(), 1u);
    EXPECT_EQ(doc["plugins"][0]["name"], "acme_tp");
    EXPECT_EQ(doc["plugins"][0]["strings"]["protocol.title"]["de"], "ACME-Telemetrieprotokoll");
}

TEST_F(PluginSdkTest, WithoutThePluginTheProtocolIsUnknown) {
    // The same capture without --plugins: nothing of the above (the test above can fail).
    const auto r = sensor({"analyze", "--json", (dir_ / "acme.pcap").string()});
    ASSERT_EQ(r.code, 0) << r.err;
    const json doc = json::parse(r.out);
    EXPECT_FALSE(doc.contains("plugins"));
    EXPECT_TRUE(doc["operations"].empty()) << doc["operations"].dump(2);
    EXPECT_TRUE(doc["alerts"].empty()) << doc["alerts"].dump(2);
    for (const auto& d : doc["devices"]) EXPECT_EQ(d["vendor"], "") << d.dump();
}

TEST_F(PluginSdkTest, WrongAbiMissingEntryAndNonLibrariesAreRefusedAndAnalysisRunsOn) {
    ASSERT_TRUE(built_) << log_;
    const fs::path plugins = dir_ / "mixed";
    fs::create_directories(plugins);
    for (const char* bad : {"bad_abi_plugin.so", "no_entry_plugin.so"}) {
        fs::copy_file(fs::path(IRONSIGHT_TEST_PLUGIN_DIR) / bad, plugins / bad,
                      fs::copy_options::overwrite_existing);
    }
    std::ofstream(plugins / "notes.so") << "not a shared library\n";
    fs::copy_file(dir_ / "plugins" / "acme_tp.so", plugins / "acme_tp.so",
                  fs::copy_options::overwrite_existing);
    const auto r = sensor(
        {"analyze", "--plugin-dir", plugins.string(), "--json", (dir_ / "acme.pcap").string()});
    ASSERT_EQ(r.code, 0) << r.err;
    const std::string abi = std::to_string(IRONSIGHT_PLUGIN_ABI_VERSION);
    const std::string newer = std::to_string(IRONSIGHT_PLUGIN_ABI_VERSION + 1);
    EXPECT_NE(r.err.find("plugin bad_abi_plugin.so: ABI version " + newer +
                         ", this sensor supports " + abi + "; skipped\n"),
              std::string::npos)
        << r.err;
    EXPECT_NE(r.err.find("plugin no_entry_plugin.so: missing symbol ironsight_plugin_init (not an "
                         "Ironsight plugin); skipped\n"),
              std::string::npos)
        << r.err;
    EXPECT_NE(r.err.find("plugin notes.so: cannot load: "), std::string::npos) << r.err;
    // The good plugin next to them still works, and only it is listed.
    const json doc = json::parse(r.out);
    ASSERT_EQ(doc["plugins"].size(), 1u);
    EXPECT_EQ(doc["plugins"][0]["name"], "acme_tp");
    EXPECT_NE(
        find(doc["alerts"], [](const json& a) { return a["type"] == "acme_tp.calibration_write"; }),
        nullptr);
}

TEST_F(PluginSdkTest, OnlyBrokenPluginsStillAnalyses) {
    const fs::path plugins = dir_ / "broken";
    fs::create_directories(plugins);
    for (const char* bad : {"bad_abi_plugin.so", "no_entry_plugin.so"}) {
        fs::copy_file(fs::path(IRONSIGHT_TEST_PLUGIN_DIR) / bad, plugins / bad,
                      fs::copy_options::overwrite_existing);
    }
    const auto r = sensor(
        {"analyze", "--plugins", plugins.string(), "--json", (dir_ / "acme.pcap").string()});
    ASSERT_EQ(r.code, 0) << r.err;
    const json doc = json::parse(r.out);
    EXPECT_TRUE(doc["plugins"].empty());
    EXPECT_GT(doc["capture"]["packets"].get<int>(), 10);
}

TEST_F(PluginSdkTest, MissingPluginFolderIsOneLineError) {
    const auto r = sensor({"analyze", "--plugins", (dir_ / "nowhere").string(), "--json",
                            (dir_ / "acme.pcap").string()});
    EXPECT_EQ(r.code, 2);
    EXPECT_EQ(r.err, "ironsight-sensor analyze: plugin folder " + (dir_ / "nowhere").string() +
                         " does not exist or is not a folder\n");
    EXPECT_TRUE(r.out.empty());
}

TEST_F(PluginSdkTest, RunChecksThePluginsSectionOfItsConfigFile) {
    const fs::path config = dir_ / "bad.toml";
    std::ofstream(config) << "[plugins]\ndir = 5\n";
    const auto r = sensor({"run", "--config", config.string(), "--state-dir",
                            (dir_ / "state").string(), "--replay", (dir_ / "acme.pcap").string()});
    EXPECT_EQ(r.code, 1);
    EXPECT_EQ(r.err,
              "error: " + config.string() + ":2:7: plugins.dir must be a non-empty string\n");
}

TEST_F(PluginSdkTest, PkgConfigFileFindsTheInstalledHeader) {
    ASSERT_TRUE(built_) << log_;
    const fs::path pc = dir_ / "prefix" / "share" / "pkgconfig";
    ASSERT_TRUE(fs::exists(pc / "ironsight-plugin.pc"));
    ASSERT_TRUE(fs::exists(dir_ / "prefix" / "include" / "ironsight" / "ironsight_plugin.h"));
    const auto pkgConfig = [&](const std::string& what) {
        const std::string cmd =
            "PKG_CONFIG_PATH=" + pc.string() + " pkg-config " + what + " ironsight-plugin 2>&1";
        std::string out;
        FILE* p = ::popen(cmd.c_str(), "r");
        if (!p) return out;
        char buf[512];
        for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;) out.append(buf, n);
        EXPECT_EQ(::pclose(p), 0) << cmd << ": " << out;
        return out;
    };
    EXPECT_EQ(pkgConfig("--modversion"), std::to_string(IRONSIGHT_PLUGIN_ABI_VERSION) + ".0.0\n");
    const std::string out = pkgConfig("--cflags");
    // -I<prefix>/share/pkgconfig/../../include: the prefix found relative to the .pc file.
    const auto flag = out.find("-I");
    ASSERT_NE(flag, std::string::npos) << out;
    const std::string include = out.substr(flag + 2, out.find_first_of(" \n", flag) - flag - 2);
    EXPECT_TRUE(fs::exists(fs::path(include) / "ironsight" / "ironsight_plugin.h")) << include;
}

}  // namespace
}  // namespace ironsight::sensor
