// SPDX-License-Identifier: Apache-2.0
// Tests for PcapFileSource / PcapFileWriter on real files in a temporary directory.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <vector>

#include "sensor-agent/capture/pcap_file_source.h"
#include "sensor-agent/capture/pcap_file_writer.h"
#include "sensor-agent/capture/pcap_read_check.h"

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

/// A classic pcap file built byte by byte: either byte order, micro- or nanosecond magic, any
/// snapshot length, records whose fields may be odd (capture length above the snapshot length,
/// wire length below it, timestamps with the top bit set).
struct PcapBuilder {
    bool swapped = false, nanoseconds = false;
    std::uint16_t major = 2, minor = 4;
    std::uint32_t snaplen = 65535, linkType = 1;
    std::vector<std::uint8_t> bytes;

    void u16(std::uint16_t v) {
        if (swapped) v = static_cast<std::uint16_t>((v >> 8) | (v << 8));
        bytes.push_back(static_cast<std::uint8_t>(v));
        bytes.push_back(static_cast<std::uint8_t>(v >> 8));
    }
    void u32(std::uint32_t v) {
        if (swapped) v = __builtin_bswap32(v);
        for (int i = 0; i < 4; ++i) bytes.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
    }
    void header() {
        u32(nanoseconds ? 0xa1b23c4d : 0xa1b2c3d4);
        u16(major);
        u16(minor);
        u32(0);
        u32(0);
        u32(snaplen);
        u32(linkType);
    }
    void record(std::uint32_t seconds, std::uint32_t fraction, std::uint32_t len,
                const std::vector<std::uint8_t>& data) {
        u32(seconds);
        u32(fraction);
        u32(static_cast<std::uint32_t>(data.size()));
        u32(len);
        bytes.insert(bytes.end(), data.begin(), data.end());
    }
};

std::vector<std::uint8_t> randomFile(std::mt19937& random, PcapBuilder b) {
    b.header();
    const int records = static_cast<int>(random() % 12);
    for (int i = 0; i < records; ++i) {
        std::vector<std::uint8_t> data(random() % 3 == 0 ? random() % 400 : random() % 80);
        for (auto& x : data) x = static_cast<std::uint8_t>(random());
        const std::uint32_t seconds =
            random() % 16 == 0 ? 0x80000000u + random() % 1000 : 1700000000u + i;
        const std::uint32_t fraction =
            random() % 16 == 0 ? 0xfffffff0u : random() % (b.nanoseconds ? 1000000000u : 1000000u);
        const auto len = static_cast<std::uint32_t>(
            random() % 4 == 0 ? data.size() / 2 : data.size() + random() % 100);
        b.record(seconds, fraction, len, data);
    }
    return b.bytes;
}

TEST_F(PcapFileTest, MappedReaderReadsWhatLibpcapReads) {
    std::mt19937 random(3);
    const auto file = dir_ / "random.pcap";
    int mapped = 0, cut = 0;
    for (int round = 0; round < 400; ++round) {
        PcapBuilder b;
        b.swapped = round % 2 == 1;
        b.nanoseconds = round % 4 >= 2;
        const std::uint32_t snaplens[] = {65535, 0, 100, 300000, 40};
        b.snaplen = snaplens[round / 4 % 5];
        const std::uint32_t linkTypes[] = {1, 1, 113, 228, 101};
        b.linkType = linkTypes[round / 20 % 5];
        auto bytes = randomFile(random, b);
        // Whole, cut at a random place, with one byte changed.
        for (int variant = 0; variant < 3; ++variant) {
            auto v = bytes;
            if (variant == 1) v.resize(random() % (v.size() + 1));
            if (variant == 2 && v.size() > 24) v[24 + random() % (v.size() - 24)] ^= 0xff;
            std::ofstream(file, std::ios::binary | std::ios::trunc)
                .write(reinterpret_cast<const char*>(v.data()), static_cast<long>(v.size()));
            const auto check = capture::compareWithLibpcap(file);
            ASSERT_EQ(check.difference, "") << "round " << round << " variant " << variant;
            mapped += check.mapped;
            cut += variant == 1;
        }
    }
    EXPECT_GT(mapped, 600);  // most of them went through the mapping
}

TEST_F(PcapFileTest, MappedReaderMatchesLibpcapAtEveryCut) {
    std::mt19937 random(5);
    PcapBuilder b;
    b.snaplen = 64;  // the last record is longer: libpcap cuts it
    b.header();
    for (int i = 0; i < 4; ++i) {
        b.record(1700000000 + i, 1000u * i, 70, std::vector<std::uint8_t>(60 + 5 * i, 0xab));
    }
    const auto file = dir_ / "cut.pcap";
    for (std::size_t size = 0; size <= b.bytes.size(); ++size) {
        std::ofstream(file, std::ios::binary | std::ios::trunc)
            .write(reinterpret_cast<const char*>(b.bytes.data()), static_cast<long>(size));
        const auto check = capture::compareWithLibpcap(file);
        ASSERT_EQ(check.difference, "") << "cut at " << size;
    }
}

TEST_F(PcapFileTest, PlainFilesAreMappedOthersAreNot) {
    const auto plain = writeThree("plain.pcap");
    auto source = PcapFileSource::open(plain);
    ASSERT_TRUE(source.ok());
    EXPECT_TRUE(source->mapped());
    RawPacket p;
    ASSERT_TRUE(*source->next(p));
    EXPECT_EQ(source->position(), 24 + 16 + 60);
    EXPECT_TRUE(source->mapped());
    EXPECT_FALSE(PcapFileSource::open(plain, false)->mapped());
    // Version 2.3 (lengths maybe swapped), a link type libpcap renumbers: libpcap reads them.
    for (const auto& [minor, linkType] : {std::pair<int, std::uint32_t>{3, 1}, {4, 101}}) {
        PcapBuilder b;
        b.minor = static_cast<std::uint16_t>(minor);
        b.linkType = linkType;
        b.header();
        b.record(1700000000, 0, 60, std::vector<std::uint8_t>(60, 1));
        const auto file = dir_ / "other.pcap";
        std::ofstream(file, std::ios::binary | std::ios::trunc)
            .write(reinterpret_cast<const char*>(b.bytes.data()),
                   static_cast<long>(b.bytes.size()));
        auto other = PcapFileSource::open(file);
        ASSERT_TRUE(other.ok());
        EXPECT_FALSE(other->mapped()) << minor << " " << linkType;
        EXPECT_EQ(capture::compareWithLibpcap(file).difference, "");
    }
}

TEST_F(PcapFileTest, LibpcapTakesOverAtAnUnusualRecord) {
    PcapBuilder b;
    b.snaplen = 64;
    b.header();
    b.record(1700000000, 5, 60, std::vector<std::uint8_t>(60, 1));
    b.record(1700000001, 6, 100, std::vector<std::uint8_t>(100, 2));  // cut to 64 by libpcap
    b.record(1700000002, 7, 60, std::vector<std::uint8_t>(60, 3));
    const auto file = dir_ / "unusual.pcap";
    std::ofstream(file, std::ios::binary)
        .write(reinterpret_cast<const char*>(b.bytes.data()), static_cast<long>(b.bytes.size()));
    auto source = PcapFileSource::open(file);
    ASSERT_TRUE(source.ok());
    RawPacket p;
    ASSERT_TRUE(*source->next(p));
    EXPECT_TRUE(source->mapped());
    ASSERT_TRUE(*source->next(p));
    EXPECT_FALSE(source->mapped());
    EXPECT_EQ(p.data.size(), 64u);
    EXPECT_EQ(p.wireLength, 100u);
    EXPECT_EQ(p.timestampUs, 1700000001000006);
    ASSERT_TRUE(*source->next(p));
    EXPECT_EQ(p.data[0], 3);
    EXPECT_EQ(source->packetsRead(), 3u);
    EXPECT_FALSE(*source->next(p));
}

TEST_F(PcapFileTest, AFileCutWhileMappedEndsWithLibpcapsError) {
    PcapBuilder b;
    b.header();
    constexpr int kRecords = 600;  // ~610 KB: the mapping checks the size every 256 KiB
    for (int i = 0; i < kRecords; ++i) {
        b.record(1700000000 + i, 0, 1000,
                 std::vector<std::uint8_t>(1000, static_cast<std::uint8_t>(i)));
    }
    const auto file = dir_ / "shrinks.pcap";
    std::ofstream(file, std::ios::binary)
        .write(reinterpret_cast<const char*>(b.bytes.data()), static_cast<long>(b.bytes.size()));
    auto source = PcapFileSource::open(file);
    ASSERT_TRUE(source.ok());
    ASSERT_TRUE(source->mapped());
    RawPacket p;
    for (int i = 0; i < 200; ++i) ASSERT_TRUE(*source->next(p));
    constexpr std::size_t kCut = 300 * 1024;  // beyond what was read, before the next check
    std::filesystem::resize_file(file, kCut);
    const std::uint64_t whole = (kCut - 24) / 1016;  // complete records left
    std::uint64_t read = 200;
    Result<bool> more = true;
    while (more.ok() && *more) {
        more = source->next(p);
        if (more.ok() && *more) {
            ASSERT_EQ(p.data[0], static_cast<std::uint8_t>(read));
            ++read;
        }
    }
    EXPECT_FALSE(source->mapped());
    EXPECT_EQ(read, whole);
    ASSERT_FALSE(more.ok());
    EXPECT_EQ(more.error().message,
              file.string() + " is truncated after packet " + std::to_string(whole));
}

}  // namespace
}  // namespace ironsight::sensor
