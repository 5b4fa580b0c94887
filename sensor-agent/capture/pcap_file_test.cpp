// SPDX-License-Identifier: Apache-2.0
// Tests for PcapFileSource / PcapFileWriter on real files in a temporary directory.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <vector>

#include "sensor-agent/capture/pcap_file_source.h"
#include "sensor-agent/capture/pcap_file_writer.h"

namespace ironsight::sensor {
namespace {

class PcapFileTest : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = std::filesystem::temp_directory_path() /
               ("ironsight_capture_test_" + std::to_string(::getpid()) + "_" +
                ::testing::UnitTest::GetInstance()->current_test_info()->name());
        std::filesystem::create_directories(dir_);
    }
    void TearDown() override { std::filesystem::remove_all(dir_); }
    std::filesystem::path writeThree(const std::string& name) {
        auto file = dir_ / name;
        auto writer = PcapFileWriter::create(file);
        EXPECT_TRUE(writer.ok());
        for (int i = 0; i < 3; ++i) {
            std::vector<std::uint8_t> frame(60 + i, static_cast<std::uint8_t>(i));
            EXPECT_TRUE(writer->write(1700000000000000 + i * 1500, frame).ok());
        }
        return file;
    }
    std::filesystem::path dir_;
};

TEST_F(PcapFileTest, WritesAndReadsBackWithMicrosecondTimestamps) {
    const auto file = writeThree("three.pcap");
    auto source = PcapFileSource::open(file);
    ASSERT_TRUE(source.ok()) << source.error().message;
    EXPECT_EQ(source->linkType(), 1);
    RawPacket p;
    for (int i = 0; i < 3; ++i) {
        auto more = source->next(p);
        ASSERT_TRUE(more.ok());
        ASSERT_TRUE(*more);
        EXPECT_EQ(p.timestampUs, 1700000000000000 + i * 1500);
        EXPECT_EQ(p.data.size(), 60u + i);
        EXPECT_EQ(p.data[0], i);
    }
    auto end = source->next(p);
    ASSERT_TRUE(end.ok());
    EXPECT_FALSE(*end);
}

TEST_F(PcapFileTest, MissingFileNamesFileAndReason) {
    auto source = PcapFileSource::open(dir_ / "nope.pcap");
    ASSERT_FALSE(source.ok());
    EXPECT_EQ(source.error().message,
              "cannot open " + (dir_ / "nope.pcap").string() + ": No such file or directory");
}

TEST_F(PcapFileTest, NotACapture) {
    const auto file = dir_ / "notes.txt";
    std::ofstream(file) << "this is not a capture file, just some text that is long enough\n";
    auto source = PcapFileSource::open(file);
    ASSERT_FALSE(source.ok());
    EXPECT_EQ(source.error().message, file.string() + " is not a pcap or pcapng capture");
}

TEST_F(PcapFileTest, TruncatedCaptureIsAnErrorAfterTheGoodPackets) {
    const auto file = writeThree("cut.pcap");
    std::filesystem::resize_file(file, std::filesystem::file_size(file) - 10);
    auto source = PcapFileSource::open(file);
    ASSERT_TRUE(source.ok());
    RawPacket p;
    ASSERT_TRUE(*source->next(p));
    ASSERT_TRUE(*source->next(p));
    auto third = source->next(p);
    ASSERT_FALSE(third.ok());
    EXPECT_EQ(third.error().message, file.string() + " is truncated after packet 2");
}

}  // namespace
}  // namespace ironsight::sensor
