// SPDX-License-Identifier: Apache-2.0
// Tests for PcapFileSource / PcapFileWriter on real files in a temporary directory.
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <tuple>
#include <vector>

#include "sensor-agent/capture/pcap_file_source.h"
#include "sensor-agent/capture/pcap_file_writer.h"
#include "sensor-agent/capture/pcap_read_outcome.h"
#include "tests/support/conformance.h"

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

// ---- The built-in classic pcap reader against libpcap -------------------------------------

using capture::readAll;
using Outcome = capture::ReadOutcome;

/// Both readers give the same; returns whether the built-in one read the file.
bool expectSameAsLibpcap(const std::filesystem::path& file, const std::string& what) {
    const Outcome builtIn = readAll(file, PcapFileSource::Reader::Auto);
    const Outcome libpcap = readAll(file, PcapFileSource::Reader::Libpcap);
    EXPECT_EQ(builtIn.open, libpcap.open) << what;
    EXPECT_EQ(builtIn.linkType, libpcap.linkType) << what;
    EXPECT_EQ(builtIn.packets.size(), libpcap.packets.size()) << what;
    EXPECT_TRUE(builtIn.packets == libpcap.packets) << what;
    EXPECT_EQ(builtIn.end, libpcap.end) << what;
    if (builtIn.end.empty() && builtIn.open.empty()) {
        EXPECT_EQ(builtIn.position, libpcap.position) << what;  // the whole file
    }
    return builtIn.builtIn;
}

struct RecordSpec {
    std::uint32_t seconds = 1700000000, fraction = 0, caplen = 0, length = 0;
    std::vector<std::uint8_t> data;
};

struct FileSpec {
    std::uint32_t magic = 0xa1b2c3d4;
    bool swapped = false;
    std::uint16_t major = 2, minor = 4;
    std::uint32_t snaplen = 65535, linkType = 1;
};

void put32(std::vector<std::uint8_t>& out, std::uint32_t v, bool swapped) {
    if (swapped) v = __builtin_bswap32(v);
    const auto* b = reinterpret_cast<const std::uint8_t*>(&v);
    out.insert(out.end(), b, b + 4);
}

void put16(std::vector<std::uint8_t>& out, std::uint16_t v, bool swapped) {
    if (swapped) v = __builtin_bswap16(v);
    const auto* b = reinterpret_cast<const std::uint8_t*>(&v);
    out.insert(out.end(), b, b + 2);
}

std::vector<std::uint8_t> pcapBytes(const FileSpec& f, const std::vector<RecordSpec>& records) {
    std::vector<std::uint8_t> out;
    put32(out, f.magic, f.swapped);
    put16(out, f.major, f.swapped);
    put16(out, f.minor, f.swapped);
    put32(out, 0, f.swapped);
    put32(out, 0, f.swapped);
    put32(out, f.snaplen, f.swapped);
    put32(out, f.linkType, f.swapped);
    for (const auto& r : records) {
        put32(out, r.seconds, f.swapped);
        put32(out, r.fraction, f.swapped);
        put32(out, r.caplen, f.swapped);
        put32(out, r.length, f.swapped);
        out.insert(out.end(), r.data.begin(), r.data.end());
    }
    return out;
}

/// Records of sizes 60..~1500 with a recognisable pattern (caplen = data size).
std::vector<RecordSpec> someRecords(std::size_t n, std::uint32_t fractionScale = 1) {
    std::vector<RecordSpec> out;
    for (std::size_t i = 0; i < n; ++i) {
        RecordSpec r;
        r.seconds = 1700000000 + static_cast<std::uint32_t>(i / 3);
        r.fraction = static_cast<std::uint32_t>((i * 333331) % 1000000) * fractionScale +
                     (fractionScale > 1 ? static_cast<std::uint32_t>(i % 1000) : 0);
        const std::size_t size = 60 + (i * 397) % 1441;
        for (std::size_t b = 0; b < size; ++b) {
            r.data.push_back(static_cast<std::uint8_t>(i * 31 + b));
        }
        r.caplen = static_cast<std::uint32_t>(size);
        r.length = r.caplen + static_cast<std::uint32_t>(i % 2) * 100;
        out.push_back(std::move(r));
    }
    return out;
}

void writeBytes(const std::filesystem::path& file, const std::vector<std::uint8_t>& bytes) {
    std::ofstream(file, std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes.data()),
               static_cast<std::streamsize>(bytes.size()));
}

TEST_F(PcapFileTest, BuiltInReaderGivesWhatLibpcapGivesForEveryVariantAndEveryCut) {
    struct Variant {
        std::string name;
        FileSpec file;
        std::vector<RecordSpec> records;
        bool builtIn;
    };
    std::vector<Variant> variants;
    variants.push_back({"microseconds", {}, someRecords(12), true});
    variants.push_back({"byte-swapped", {.swapped = true}, someRecords(12), true});
    variants.push_back({"nanoseconds", {.magic = 0xa1b23c4d}, someRecords(12, 1000), true});
    variants.push_back({"nanoseconds, byte-swapped",
                        {.magic = 0xa1b23c4d, .swapped = true},
                        someRecords(12, 1000),
                        true});
    // Records longer than the file's snapshot length are cut to it; snaplen 0 means the maximum.
    variants.push_back({"snaplen 100", {.snaplen = 100}, someRecords(12), true});
    variants.push_back({"snaplen 0", {.snaplen = 0}, someRecords(12), true});
    variants.push_back({"snaplen over the maximum", {.snaplen = 1u << 30}, someRecords(12), true});
    // The reader's inline path keeps records up to the snapshot length whole and leaves longer
    // ones (cut) to the general one: records at, under and just over the snapshot length.
    auto atSnap = someRecords(5);
    for (const std::size_t i : {1, 2, 3}) {
        atSnap[i].data.resize(99 + i);
        atSnap[i].caplen = static_cast<std::uint32_t>(99 + i);
    }
    variants.push_back({"records around the snapshot length", {.snaplen = 100}, atSnap, true});
    // Times before 1970 and fractions out of range pass through as libpcap passes them (signed
    // in the file's own byte order, unsigned once swapped).
    auto odd = someRecords(4);
    odd[1].seconds = 0xfffffff0;
    odd[2].fraction = 0xffffff00;
    odd[3].fraction = 2500000;
    variants.push_back({"odd times", {}, odd, true});
    variants.push_back({"odd times, nanoseconds", {.magic = 0xa1b23c4d}, odd, true});
    variants.push_back({"odd times, byte-swapped", {.swapped = true}, odd, true});
    variants.push_back({"odd times, nanoseconds, byte-swapped",
                        {.magic = 0xa1b23c4d, .swapped = true},
                        odd,
                        true});
    // A capture length over libpcap's maximum (262,144) is a corrupt file.
    auto huge = someRecords(3);
    huge[1].caplen = 300000;
    variants.push_back({"capture length over the maximum", {}, huge, true});
    auto overSnap = someRecords(3);
    overSnap[1].caplen = 300000;
    variants.push_back(
        {"capture length over the maximum, snaplen 100", {.snaplen = 100}, overSnap, true});
    // libpcap 1.10 keeps a header snapshot length over the maximum (a capture length between
    // the two is "bigger than maximum"), and takes one that is negative as an int as the maximum.
    variants.push_back({"capture length over the maximum, snaplen 0x33ffffff",
                        {.snaplen = 0x33ffffff},
                        huge,
                        true});
    variants.push_back({"capture length over the maximum, snaplen 0xffffff00",
                        {.snaplen = 0xffffff00},
                        huge,
                        true});
    variants.push_back({"snaplen 0xffffff00", {.snaplen = 0xffffff00}, someRecords(12), true});
    variants.push_back({"no packets", {}, {}, true});
    // Left to libpcap: other versions, link types and magic numbers.
    variants.push_back({"version 2.3", {.minor = 3}, someRecords(4), false});
    variants.push_back({"version 2.2", {.minor = 2}, someRecords(4), false});
    variants.push_back({"linux cooked", {.linkType = 113}, someRecords(4), false});
    variants.push_back(
        {"link type with FCS bits", {.linkType = 1 | 0x10000000}, someRecords(4), false});
    variants.push_back({"modified magic", {.magic = 0xa1b2cd34}, someRecords(4), false});

    for (const auto& v : variants) {
        const auto bytes = pcapBytes(v.file, v.records);
        const auto file = dir_ / "variant.pcap";
        writeBytes(file, bytes);
        EXPECT_EQ(expectSameAsLibpcap(file, v.name), v.builtIn) << v.name;
        // Cut at every length: inside the file header, inside a record header, inside data.
        // (Shortened in place, longest first: rewriting a file from empty waits for the disk.)
        for (std::size_t size = bytes.size(); size-- > 0;) {
            std::filesystem::resize_file(file, size);
            expectSameAsLibpcap(file, v.name + " cut to " + std::to_string(size) + " bytes");
            if (HasFailure()) return;  // one readable failure, not thousands
        }
    }
}

TEST_F(PcapFileTest, BuiltInReaderGivesWhatLibpcapGivesAcrossItsReadBlocks) {
    // ~10 MB: records straddle the reader's 1 MiB blocks many times; one record of 200,000 bytes
    // (over the 65,535 snapshot length: cut) and one of 262,144 (the maximum) among them.
    auto records = someRecords(12000);
    records[5000].data.assign(200000, 0x5a);
    records[5000].caplen = 200000;
    records[9000].data.assign(262144, 0xa5);
    records[9000].caplen = 262144;
    const auto file = dir_ / "large.pcap";
    writeBytes(file, pcapBytes({}, records));
    EXPECT_TRUE(expectSameAsLibpcap(file, "large"));
    const Outcome o = readAll(file, PcapFileSource::Reader::Auto);
    ASSERT_EQ(o.packets.size(), 12000u);
    EXPECT_EQ(std::get<2>(o.packets[5000]).size(), 65535u);
    EXPECT_EQ(o.position, static_cast<std::int64_t>(std::filesystem::file_size(file)));
}

TEST_F(PcapFileTest, BuiltInReaderGivesWhatLibpcapGivesForEveryReferenceCapture) {
    if (!std::filesystem::exists(test::sharedPcapsDir())) {
        GTEST_SKIP() << "reference captures absent: " << test::sharedPcapsDir().string();
    }
    int files = 0, builtIn = 0;
    for (const auto& capture : test::referenceCaptures()) {
        ++files;
        if (expectSameAsLibpcap(capture, capture.filename().string())) ++builtIn;
    }
    EXPECT_GT(files, 0);
    EXPECT_GT(builtIn, files / 2);  // most of them are classic Ethernet pcap files
    std::cout << files << " captures, " << builtIn << " read by the built-in reader\n";
}

}  // namespace
}  // namespace ironsight::sensor
