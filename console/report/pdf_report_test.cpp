// SPDX-License-Identifier: Apache-2.0
// PDF reports: a real QPdfWriter file with one page per pdfRowsPerPage() rows, and a
// cancelled report that leaves nothing behind.
#include "console/report/pdf_report.h"

#include <gtest/gtest.h>

#include <QGuiApplication>
#include <fstream>
#include <iterator>
#include <regex>

namespace ironsight::console::report {
namespace {
namespace fs = std::filesystem;

core::ReportTable table(std::size_t rows) {
    core::ReportTable t;
    t.title = "Alerts";
    t.filterDescription = "site Plant A";
    t.generatedMs = 1'767'261'811'000;
    t.columns = {"Severity", "Title", "Source"};
    t.columnWeights = {1, 3, 1};
    for (std::size_t i = 0; i < rows; ++i) {
        t.rows.push_back({"major", "A rather long alert title that must be elided in its column " +
                                       std::to_string(i),
                          "10.0.0." + std::to_string(i % 250)});
    }
    return t;
}

std::string slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}

std::size_t pageObjects(const std::string& pdf) {
    static const std::regex page(R"(/Type\s*/Page[^s])");
    return static_cast<std::size_t>(
        std::distance(std::sregex_iterator(pdf.begin(), pdf.end(), page), std::sregex_iterator()));
}

struct TempDir {
    fs::path path = fs::temp_directory_path() / ("ironsight-pdf-" + std::to_string(::getpid()));
    TempDir() { fs::create_directories(path); }
    ~TempDir() { fs::remove_all(path); }
};

TEST(PdfReport, OnePagePerRowsPerPageAndProgressToTheEnd) {
    TempDir dir;
    const std::size_t perPage = pdfRowsPerPage();
    ASSERT_GT(perPage, 10u);
    const std::size_t rows = perPage * 2 + 3;  // three pages
    std::vector<std::size_t> seen;
    auto status = writePdfReport(table(rows), dir.path / "alerts.pdf",
                                 [&](std::size_t done, std::size_t total) {
                                     EXPECT_EQ(total, rows);
                                     seen.push_back(done);
                                     return true;
                                 });
    ASSERT_TRUE(status.ok()) << status.error().message;
    const std::string pdf = slurp(dir.path / "alerts.pdf");
    EXPECT_EQ(pdf.rfind("%PDF-", 0), 0u);
    EXPECT_EQ(pageObjects(pdf), 3u);
    EXPECT_EQ(seen, (std::vector<std::size_t>{perPage, 2 * perPage, rows}));
    EXPECT_FALSE(fs::exists(dir.path / "alerts.pdf.part"));
    EXPECT_EQ(fs::status(dir.path / "alerts.pdf").permissions() & fs::perms::others_all,
              fs::perms::none);

    // An empty report is one page that says so.
    ASSERT_TRUE(writePdfReport(table(0), dir.path / "empty.pdf").ok());
    EXPECT_EQ(pageObjects(slurp(dir.path / "empty.pdf")), 1u);
}

TEST(PdfReport, CancelledLeavesNoFile) {
    TempDir dir;
    auto status = writePdfReport(table(pdfRowsPerPage() * 3), dir.path / "alerts.pdf",
                                 [](std::size_t, std::size_t) { return false; });
    ASSERT_FALSE(status.ok());
    EXPECT_EQ(status.error().message, "cancelled");
    EXPECT_FALSE(fs::exists(dir.path / "alerts.pdf"));
    EXPECT_FALSE(fs::exists(dir.path / "alerts.pdf.part"));
}

TEST(PdfReport, UnwritablePathIsAClearError) {
    auto status = writePdfReport(table(1), "/nonexistent-dir/report.pdf");
    ASSERT_FALSE(status.ok());
    EXPECT_NE(status.error().message.find("cannot write /nonexistent-dir/report.pdf"),
              std::string::npos)
        << status.error().message;
}

}  // namespace
}  // namespace ironsight::console::report

int main(int argc, char** argv) {
    qputenv("QT_QPA_PLATFORM", "offscreen");
    QGuiApplication app(argc, argv);
    ::testing::InitGoogleTest(&argc, argv);
    return RUN_ALL_TESTS();
}
