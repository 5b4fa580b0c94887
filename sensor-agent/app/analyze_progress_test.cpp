// SPDX-License-Identifier: Apache-2.0
// `analyze`'s progress bar: drawn on a terminal (a real pseudo-terminal from forkpty), absent when
// stderr is not a terminal and with --json; and the bar's text for known figures.
#include <gtest/gtest.h>
#include <pty.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "sensor-agent/app/progress_bar.h"
#include "sensor-agent/capture/pcap_file_writer.h"
#include "tests/support/packet_builder.h"

namespace ironsight::sensor::app {
namespace {

namespace fs = std::filesystem;

class AnalyzeProgressTest : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        file_ = fs::temp_directory_path() /
                ("ironsight_progress_" + std::to_string(::getpid()) + ".pcap");
        auto writer = PcapFileWriter::create(file_);
        ASSERT_TRUE(writer.ok());
        const test::Host a{test::mac("00:80:f4:00:00:01"), test::ipv4("10.1.1.1")};
        const test::Host b{test::mac("00:80:f4:00:00:02"), test::ipv4("10.1.1.2")};
        const auto frame = test::udpFrame(a, b, 40000, 47808, test::Bytes(1400, 0x55));
        for (int i = 0; i < kPackets; ++i) {
            ASSERT_TRUE(writer->write(1'700'000'000'000'000 + i * 100, frame).ok());
        }
        ASSERT_TRUE(writer->flush().ok());
        ASSERT_GT(fs::file_size(file_), 20U * 1024 * 1024);  // over the bar's threshold
    }
    static void TearDownTestSuite() { fs::remove(file_); }

    /// Runs the sensor with stdout and stderr on a pseudo-terminal; returns what it printed.
    static std::string runOnTerminal(const std::vector<std::string>& args, int& exitCode) {
        int master = -1;
        winsize ws{};
        ws.ws_col = 100;
        ws.ws_row = 30;
        const pid_t pid = ::forkpty(&master, nullptr, nullptr, &ws);
        if (pid == 0) {
            std::vector<char*> argv;
            const std::string binary = std::string(IRONSIGHT_BINARY_DIR) + "/bin/ironsight-sensor";
            argv.push_back(const_cast<char*>(binary.c_str()));
            for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
            argv.push_back(nullptr);
            ::execv(binary.c_str(), argv.data());
            _exit(127);
        }
        std::string out;
        char buf[4096];
        ssize_t got;
        while ((got = ::read(master, buf, sizeof buf)) > 0) out.append(buf, got);  // EIO at exit
        ::close(master);
        int status = 0;
        ::waitpid(pid, &status, 0);
        exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        return out;
    }

    static constexpr int kPackets = 16000;
    static inline fs::path file_;
};

TEST_F(AnalyzeProgressTest, DrawsABarOnATerminal) {
    int code = -1;
    const std::string out = runOnTerminal({"analyze", file_.string()}, code);
    EXPECT_EQ(code, 0) << out;
    EXPECT_NE(out.find("\r"), std::string::npos) << out;
    EXPECT_NE(out.find("MB/s ETA "), std::string::npos) << out;
    EXPECT_NE(out.find("pkts"), std::string::npos) << out;
    EXPECT_NE(out.find("%"), std::string::npos) << out;
    EXPECT_NE(out.find("analysed " + file_.string() + ": " + std::to_string(kPackets) + " packets"),
              std::string::npos)
        << out;
    EXPECT_NE(out.find("Devices ("), std::string::npos) << out;  // the tables follow
}

TEST_F(AnalyzeProgressTest, NoBarWithJsonEvenOnATerminal) {
    int code = -1;
    const std::string out = runOnTerminal({"analyze", "--json", file_.string()}, code);
    EXPECT_EQ(code, 0);
    EXPECT_EQ(out.find("MB/s"), std::string::npos) << out.substr(0, 300);
    EXPECT_EQ(out.find("analysed "), std::string::npos);
}

TEST_F(AnalyzeProgressTest, NothingOnStderrWhenNotATerminal) {
    const fs::path err = file_.string() + ".err";
    const std::string cmd = std::string(IRONSIGHT_BINARY_DIR) + "/bin/ironsight-sensor analyze " +
                            file_.string() + " >/dev/null 2>" + err.string();
    ASSERT_EQ(std::system(cmd.c_str()), 0);
    EXPECT_EQ(fs::file_size(err), 0U);
    fs::remove(err);
}

TEST(ProgressBarTest, FormatShowsPercentRateAndEta) {
    // 25 MB of 100 MB in 5 s: 25 %, 5.0 MB/s, 15 s left.
    const std::string line =
        ProgressBar::format("plant.pcap", 25'000'000, 100'000'000, 123456, 5.0, 100);
    EXPECT_NE(line.find("plant.pcap ["), std::string::npos) << line;
    EXPECT_NE(line.find(" 25% 123456 pkts    5.0 MB/s ETA 0:15"), std::string::npos) << line;
    EXPECT_LE(line.size(), 100U);
    const auto open = line.find('['), close = line.find(']');
    const std::string bar = line.substr(open + 1, close - open - 1);
    EXPECT_EQ(std::count(bar.begin(), bar.end(), '#') * 4, static_cast<long>(bar.size()));
    // Long runs: hours in the ETA, millions of packets abbreviated.
    const std::string slow = ProgressBar::format("x", 1, 10'000, 12'345'678, 1.0, 80);
    EXPECT_NE(slow.find("12.3M pkts"), std::string::npos) << slow;
    EXPECT_NE(slow.find("ETA 2:46:39"), std::string::npos) << slow;
    // A name longer than the line is shortened from the left.
    const std::string longName =
        ProgressBar::format(std::string(200, 'n') + ".pcap", 1, 2, 1, 0.1, 80);
    EXPECT_LE(longName.size(), 80U) << longName;
    EXPECT_EQ(longName.rfind("...", 0), 0U) << longName;
    EXPECT_NE(longName.find("ETA --:--"), std::string::npos) << longName;
}

}  // namespace
}  // namespace ironsight::sensor::app
