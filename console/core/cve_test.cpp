// SPDX-License-Identifier: Apache-2.0
// Offline CVE import: a hand-written NVD CVE JSON 2.0 feed (testdata/) imported into a real
// console store and matched against devices streamed in with vendor / model / firmware.
#include "console/core/cve.h"

#include <gtest/gtest.h>

#include "console/core/console_service.h"
#include "shared/crypto/crypto.h"

namespace ironsight::console::core {
namespace {
namespace fs = std::filesystem;

const fs::path kFeed =
    fs::path(IRONSIGHT_SOURCE_DIR) / "console/core/testdata/nvd-cve-2.0-sample.json";

struct TempDir {
    fs::path path = fs::temp_directory_path() / ("ironsight-cve-" + crypto::newUuid());
    TempDir() { fs::create_directories(path); }
    ~TempDir() { fs::remove_all(path); }
};

TEST(Cpe23, FieldsUnescapedAndRefusals) {
    auto f = parseCpe23("cpe:2.3:o:RockwellAutomation:1756-enbt\\/a_firmware:10.27:*:*:*:*:*:*:*");
    ASSERT_TRUE(f.ok()) << f.error().message;
    ASSERT_EQ(f->size(), 13u);
    EXPECT_EQ((*f)[2], "o");
    EXPECT_EQ((*f)[3], "rockwellautomation");
    EXPECT_EQ((*f)[4], "1756-enbt/a_firmware");
    EXPECT_EQ((*f)[5], "10.27");
    for (const char* bad : {"cpe:/o:siemens:x", "cpe:2.3:o:siemens",
                            "cpe:2.2:o:a:b:c:*:*:*:*:*:*:*", "cpe:2.3:o::b:c:*:*:*:*:*:*:*"}) {
        EXPECT_FALSE(parseCpe23(bad).ok()) << bad;
    }
}

TEST(Cpe23, VersionComparison) {
    EXPECT_LT(compareVersions("V4.2.3", "4.5"), 0);
    EXPECT_GT(compareVersions("4.10", "4.9"), 0);
    EXPECT_EQ(compareVersions("4.2", "4.2.0"), 0);
    EXPECT_EQ(compareVersions("v10.27", "10.27"), 0);
    EXPECT_LT(compareVersions("2.1a", "2.1b"), 0);
    EXPECT_EQ(compareVersions("4.5.0", "4.5"), 0);
    EXPECT_GT(compareVersions("10.0", "9.99"), 0);
    EXPECT_EQ(matchKey("Rockwell Automation, Inc."), "rockwellautomationinc");
}

TEST(NvdFeed, ParsesTheFieldsThatMatter) {
    auto text = crypto::readFile(kFeed);
    ASSERT_TRUE(text.ok());
    auto entries = parseNvdFeed(*text, "sample");
    ASSERT_TRUE(entries.ok()) << entries.error().message;
    ASSERT_EQ(entries->size(), 5u);
    const CveEntry& e1 = (*entries)[0];
    EXPECT_EQ(e1.id, "CVE-2099-0001");
    EXPECT_EQ(e1.description, "S7-1200 CPUs before V4.5 allow a remote stop (test record).");
    EXPECT_DOUBLE_EQ(e1.cvss, 9.8);
    EXPECT_EQ(e1.severity, "CRITICAL");
    ASSERT_EQ(e1.cpes.size(), 1u);  // the non-vulnerable hardware platform is not a match
    EXPECT_EQ(e1.cpes[0].product, "simatic_s7-1200_firmware");
    EXPECT_EQ(e1.cpes[0].endExcl, "4.5");
    EXPECT_DOUBLE_EQ((*entries)[1].cvss, 7.5);    // CVSS v3.0
    EXPECT_EQ((*entries)[2].severity, "MEDIUM");  // v2 keeps baseSeverity beside cvssData
    EXPECT_DOUBLE_EQ((*entries)[3].cvss, 0);
    EXPECT_EQ(parseNvdFeed("{\"CVE_Items\": []}", "old.json").error().message,
              "old.json: no \"vulnerabilities\" array (not an NVD CVE JSON 2.0 feed)");
    EXPECT_EQ(parseNvdFeed("<html>", "page.html").error().message,
              "page.html: not JSON (an NVD CVE 2.0 feed is JSON)");
}

TEST(Cve, ImportMatchesDevicesByVendorModelFirmware) {
    TempDir dir;
    auto opened = ConsoleService::open(dir.path);
    ASSERT_TRUE(opened.ok());
    ConsoleService& svc = **opened;
    ASSERT_TRUE(svc.addSite("P").ok());
    ASSERT_TRUE(svc.addZone("P", "Z").ok());
    std::string sensor = svc.addSensor("P", "Z", "s1")->sensor.id;
    ASSERT_TRUE(svc.store().beginStream(sensor, 1, 1).ok());
    struct Dev {
        const char *id, *vendor, *model, *firmware;
    };
    const std::vector<Dev> devs = {
        {"plc-old", "Siemens", "SIMATIC S7-1200", "V4.2.3"},      // < 4.5: 0001
        {"plc-42", "Siemens", "SIMATIC S7-1200", "4.2"},          // 0001 and 0003 (<= 4.2)
        {"plc-new", "Siemens", "SIMATIC S7-1200", "V4.5.0"},      // patched: none
        {"enbt", "Rockwell Automation", "1756-ENBT/A", "10.27"},  // 0002 exact
        {"enbt-new", "Rockwell Automation", "1756-ENBT/A", "10.28"},
        {"s71500", "Siemens AG", "SIMATIC S7-1500", ""},  // 0005: every version
        {"unknown-fw", "Siemens", "S7-1200", ""},         // 0001/0003 possible
        {"m580", "Schneider Electric", "Modicon M580", "3.1"},
    };
    v1::Batch b;
    std::uint64_t seq = 0;
    for (const auto& d : devs) {
        auto* env = b.add_envelopes();
        env->set_seq(++seq);
        auto* dev = env->mutable_device();
        dev->set_id(d.id);
        dev->set_vendor(d.vendor);
        dev->set_model(d.model);
        dev->set_firmware(d.firmware);
    }
    ASSERT_TRUE(svc.store().applyBatch(sensor, 1, b, 1).ok());

    auto imported = svc.importCveFeed(kFeed);
    ASSERT_TRUE(imported.ok()) << imported.error().message;
    EXPECT_EQ(*imported, 5u);
    EXPECT_EQ(svc.store().cveCount(), 5);
    auto last = svc.listAudit()->back();
    EXPECT_EQ(last.action, "cve.import");
    EXPECT_EQ(last.outcome, "ok: 5 CVEs, 5 CPE criteria");
    // Importing the same feed again replaces, never duplicates.
    ASSERT_TRUE(svc.importCveFeed(kFeed).ok());
    EXPECT_EQ(svc.store().cveCount(), 5);

    auto vul = svc.deviceVulnerabilities();
    ASSERT_TRUE(vul.ok()) << vul.error().message;
    std::map<std::string, std::vector<std::string>> found;
    std::map<std::string, double> risk;
    for (const auto& v : *vul) {
        for (const auto& c : v.cves) {
            found[v.device.deviceId].push_back(c.cveId + (c.confirmed ? "" : "?"));
        }
        risk[v.device.deviceId] = v.risk;
    }
    std::map<std::string, std::vector<std::string>> want = {
        {"plc-old", {"CVE-2099-0001"}},
        {"plc-42", {"CVE-2099-0001", "CVE-2099-0003"}},
        {"enbt", {"CVE-2099-0002"}},
        {"s71500", {"CVE-2099-0005"}},
        {"unknown-fw", {"CVE-2099-0001?", "CVE-2099-0003?"}},
    };
    EXPECT_EQ(found, want);
    EXPECT_DOUBLE_EQ(risk["plc-42"], 9.8);
    EXPECT_DOUBLE_EQ(risk["enbt"], 7.5);
    EXPECT_DOUBLE_EQ(risk["s71500"], 6.1);
    EXPECT_DOUBLE_EQ(risk["unknown-fw"], 4.9);  // unconfirmed: half the CVSS
    EXPECT_EQ(vul->front().risk, 9.8);
    EXPECT_EQ(vul->back().device.deviceId, "unknown-fw");
    EXPECT_EQ(vul->front().cves.front().criteria,
              "cpe:2.3:o:siemens:simatic_s7-1200_firmware:*:*:*:*:*:*:*:*");
}

TEST(Cve, BadFeedFilesGiveOneLineErrors) {
    TempDir dir;
    auto opened = ConsoleService::open(dir.path);
    ASSERT_TRUE(opened.ok());
    fs::path gz = dir.path / "nvdcve-2.0-2024.json.gz";
    ASSERT_TRUE(crypto::writeFileAtomic(gz, std::string("\x1f\x8b\x08\x00", 4) + "xxxx",
                                        fs::perms::owner_all)
                    .ok());
    EXPECT_EQ((*opened)->importCveFeed(gz).error().message,
              gz.string() + ": compressed; decompress the feed first (gunzip/unzip)");
    fs::path empty = dir.path / "empty.json";
    ASSERT_TRUE(
        crypto::writeFileAtomic(empty, "{\"vulnerabilities\": []}", fs::perms::owner_all).ok());
    EXPECT_EQ((*opened)->importCveFeed(empty).error().message,
              empty.string() + ": the feed holds no CVE records");
    EXPECT_FALSE((*opened)->importCveFeed(dir.path / "missing.json").ok());
}

}  // namespace
}  // namespace ironsight::console::core
