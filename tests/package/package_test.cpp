// SPDX-License-Identifier: Apache-2.0
// Builds the two .deb packages with cpack from this build tree and checks them with dpkg-deb:
// runtime Depends from dpkg-shlibdeps (no -dev package), binaries, units, conffile and docs at
// their paths, maintainer scripts present and executable. Installing them into a fresh Debian
// root is installer/test-debs.sh (opt-in, docs/OPERATIONS.md).
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;

const fs::path kBuild = IRONSIGHT_BINARY_DIR;
const fs::path kSource = IRONSIGHT_SOURCE_DIR;

struct Output {
    int code = -1;
    std::string text;
};

/// Runs a shell command, stdout and stderr together.
Output shell(const std::string& command) {
    Output out;
    std::unique_ptr<FILE, int (*)(FILE*)> pipe(::popen((command + " 2>&1").c_str(), "r"),
                                               &::pclose);
    if (!pipe) return out;
    std::array<char, 4096> buf{};
    while (std::fgets(buf.data(), buf.size(), pipe.get()) != nullptr) out.text += buf.data();
    const int status = ::pclose(pipe.release());
    out.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return out;
}

std::string readText(const fs::path& file) {
    std::ifstream in(file);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

std::vector<std::string> splitDepends(const std::string& field) {
    std::vector<std::string> out;
    std::stringstream in(field);
    for (std::string item; std::getline(in, item, ',');) {
        const auto start = item.find_first_not_of(" \n");
        if (start == std::string::npos) continue;
        item = item.substr(start);
        out.push_back(item.substr(0, item.find_first_of(" (\n")));
    }
    return out;
}

class DebPackageTest : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        if (shell("command -v cpack && command -v dpkg-deb && command -v dpkg-shlibdeps").code != 0) {
            skip_ = "cpack, dpkg-deb or dpkg-shlibdeps not installed";
            return;
        }
        if (!fs::exists(kBuild / "bin" / "ironsight-sensor") ||
            !fs::exists(kBuild / "bin" / "ironsight-console")) {
            skip_ = "build ironsight-sensor and ironsight-console first";
            return;
        }
        out_ = fs::temp_directory_path() / ("ironsight-debs-" + std::to_string(::getpid()));
        fs::remove_all(out_);
        fs::create_directories(out_);
        const auto r = shell("cd '" + out_.string() + "' && cpack -G DEB --config '" +
                             (kBuild / "CPackConfig.cmake").string() + "' -B '" + out_.string() +
                             "'");
        cpackOutput_ = r.text;
        cpackCode_ = r.code;
        for (const auto& e : fs::directory_iterator(out_)) {
            const std::string name = e.path().filename().string();
            if (name.rfind("ironsight-sensor_", 0) == 0 && e.path().extension() == ".deb") {
                sensorDeb_ = e.path();
            }
            if (name.rfind("ironsight-console_", 0) == 0 && e.path().extension() == ".deb") {
                consoleDeb_ = e.path();
            }
        }
    }
    static void TearDownTestSuite() {
        if (!out_.empty() && !::testing::UnitTest::GetInstance()->Failed()) fs::remove_all(out_);
    }
    void SetUp() override {
        if (!skip_.empty()) GTEST_SKIP() << skip_;
        ASSERT_EQ(cpackCode_, 0) << cpackOutput_;
    }

    static std::string field(const fs::path& deb, const std::string& name) {
        return shell("dpkg-deb -f '" + deb.string() + "' " + name).text;
    }
    /// Paths in the package's data archive ("./usr/bin/x" -> "/usr/bin/x").
    static std::string contents(const fs::path& deb) {
        return shell("dpkg-deb -c '" + deb.string() + "' | awk '{print $6}' | sed 's|^\\.||'").text;
    }

    static inline std::string skip_, cpackOutput_;
    static inline int cpackCode_ = -1;
    static inline fs::path out_, sensorDeb_, consoleDeb_;
};

TEST_F(DebPackageTest, SensorPackage) {
    ASSERT_FALSE(sensorDeb_.empty()) << cpackOutput_;
    EXPECT_NE(sensorDeb_.filename().string().find(std::string("_") + IRONSIGHT_VERSION + "-1_"),
              std::string::npos)
        << sensorDeb_;
    EXPECT_EQ(field(sensorDeb_, "Package"), "ironsight-sensor\n");
    const auto depends = splitDepends(field(sensorDeb_, "Depends"));
    for (const char* lib : {"passwd", "libpcap0.8", "libssl3", "libsqlite3-0", "libgrpc++1.51",
                            "libprotobuf32", "libsnmp40", "libc6", "libstdc++6"}) {
        EXPECT_NE(std::find(depends.begin(), depends.end(), lib), depends.end())
            << lib << " missing from Depends: " << field(sensorDeb_, "Depends");
    }
    for (const auto& d : depends) {
        EXPECT_EQ(d.find("-dev"), std::string::npos) << "build-only dependency " << d;
        EXPECT_EQ(d.rfind("libqt6", 0), std::string::npos) << "the sensor needs no Qt: " << d;
    }

    const std::string files = contents(sensorDeb_);
    for (const char* path : {"/usr/bin/ironsight-sensor",
                             "/usr/lib/systemd/system/ironsight-sensor.service",
                             "/etc/ironsight/sensor.toml",
                             "/usr/share/snmp/mibs/IRONSIGHT-SENSOR-MIB.txt",
                             "/usr/share/doc/ironsight-sensor/OPERATIONS.md"}) {
        EXPECT_NE(files.find(std::string(path) + "\n"), std::string::npos) << path << "\n" << files;
    }
    EXPECT_EQ(files.find("ironsight-console"), std::string::npos) << files;

    // Maintainer scripts and the conffile, extracted.
    const fs::path control = out_ / "sensor-control";
    ASSERT_EQ(shell("dpkg-deb -e '" + sensorDeb_.string() + "' '" + control.string() + "'").code, 0);
    for (const char* script : {"postinst", "prerm", "postrm"}) {
        struct stat st {};
        ASSERT_EQ(::stat((control / script).c_str(), &st), 0) << script;
        EXPECT_EQ(st.st_mode & 0777, 0755U) << script;
        EXPECT_EQ(readText(control / script), readText(kSource / "installer/debian/sensor" / script));
    }
    EXPECT_EQ(readText(control / "conffiles"), "/etc/ironsight/sensor.toml\n");
    EXPECT_NE(readText(control / "postinst").find("useradd --system"), std::string::npos);
    EXPECT_NE(readText(control / "postrm").find("purge)"), std::string::npos);

    // The installed unit is the source file, byte for byte.
    const fs::path data = out_ / "sensor-data";
    ASSERT_EQ(shell("dpkg-deb -x '" + sensorDeb_.string() + "' '" + data.string() + "'").code, 0);
    EXPECT_EQ(readText(data / "usr/lib/systemd/system/ironsight-sensor.service"),
              readText(kSource / "installer/systemd/ironsight-sensor.service"));
    // Stripped: the Debug build's symbols stay out of the package.
    if (shell("command -v file").code == 0) {
        EXPECT_NE(shell("file '" + (data / "usr/bin/ironsight-sensor").string() + "'")
                      .text.find(", stripped"),
                  std::string::npos);
    }
    const auto version = shell("'" + (data / "usr/bin/ironsight-sensor").string() + "' --version");
    EXPECT_EQ(version.code, 0);
    EXPECT_EQ(version.text, std::string("ironsight-sensor ") + IRONSIGHT_VERSION + "\n");
}

TEST_F(DebPackageTest, ConsolePackage) {
    ASSERT_FALSE(consoleDeb_.empty()) << cpackOutput_;
    EXPECT_EQ(field(consoleDeb_, "Package"), "ironsight-console\n");
    const auto depends = splitDepends(field(consoleDeb_, "Depends"));
    for (const char* lib : {"passwd", "libqt6widgets6", "libqt6charts6", "libqt6svg6", "libgvc6",
                            "libargon2-1", "libssl3", "libsqlite3-0", "libgrpc++1.51"}) {
        EXPECT_NE(std::find(depends.begin(), depends.end(), lib), depends.end())
            << lib << " missing from Depends: " << field(consoleDeb_, "Depends");
    }
    for (const auto& d : depends) {
        EXPECT_EQ(d.find("-dev"), std::string::npos) << "build-only dependency " << d;
        EXPECT_EQ(d.find("libpcap"), std::string::npos) << "the console needs no libpcap: " << d;
    }
    EXPECT_NE(field(consoleDeb_, "Recommends").find("qt6-qpa-plugins"), std::string::npos);

    const std::string files = contents(consoleDeb_);
    for (const char* path : {"/usr/bin/ironsight-console",
                             "/usr/lib/systemd/system/ironsight-console-headless.service",
                             "/usr/share/doc/ironsight-console/OPERATIONS.md"}) {
        EXPECT_NE(files.find(std::string(path) + "\n"), std::string::npos) << path << "\n" << files;
    }
    EXPECT_EQ(files.find("ironsight-sensor"), std::string::npos) << files;

    const fs::path control = out_ / "console-control";
    ASSERT_EQ(shell("dpkg-deb -e '" + consoleDeb_.string() + "' '" + control.string() + "'").code, 0);
    for (const char* script : {"postinst", "prerm", "postrm"}) {
        struct stat st {};
        ASSERT_EQ(::stat((control / script).c_str(), &st), 0) << script;
        EXPECT_EQ(st.st_mode & 0777, 0755U) << script;
    }
    EXPECT_NE(readText(control / "postinst").find("/var/lib/ironsight/console"), std::string::npos);
    EXPECT_NE(readText(control / "postrm").find("rm -rf /var/lib/ironsight/console"),
              std::string::npos);
}

}  // namespace
