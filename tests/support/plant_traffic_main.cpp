// SPDX-License-Identifier: Apache-2.0
// ironsight-plant-traffic: writes DIR/lineN-baseline.pcap (normal operation) and DIR/lineN.pcap
// (the same an hour later; line 1 adds an engineering workstation writing to a PLC).
#include <CLI/CLI.hpp>

#include <filesystem>
#include <iostream>
#include <system_error>

#include "tests/support/plant_traffic.h"

int main(int argc, char** argv) {
    CLI::App app{
        "Writes deterministic OT plant traffic (two lines, Modbus/TCP, ARP, DHCP, DNS) as pcap "
        "files",
        "ironsight-plant-traffic"};
    std::string outDir;
    int minutes = 5;
    app.add_option("--out", outDir, "Output directory (created if missing)")->required();
    app.add_option("--minutes", minutes, "Capture length in minutes")->check(CLI::Range(1, 1440));
    CLI11_PARSE(app, argc, argv);

    std::error_code ec;
    std::filesystem::create_directories(outDir, ec);
    if (ec) {
        std::cerr << "cannot create " << outDir << ": " << ec.message() << "\n";
        return 2;
    }
    ironsight::test::PlantOptions options;
    options.minutes = minutes;
    // Normal operation an hour earlier, without the engineering workstation: what a sensor learns.
    ironsight::test::PlantOptions baseline = options;
    baseline.startUs -= 3600LL * 1000000;
    baseline.engineeringWorkstation = false;
    for (int line : {1, 2}) {
        const auto plant = ironsight::test::plantLine(line);
        const std::string stem = "line" + std::to_string(line);
        const auto learnFile = std::filesystem::path(outDir) / (stem + "-baseline.pcap");
        auto learned = ironsight::test::writePlantLine(line, learnFile, baseline);
        if (!learned) {
            std::cerr << learned.error().message << "\n";
            return 2;
        }
        std::cout << "wrote " << learnFile.string() << ": " << learned->packets << " packets, "
                  << minutes << " min, line " << line << " normal operation (to learn from)\n";
        const auto file = std::filesystem::path(outDir) / (stem + ".pcap");
        auto summary = ironsight::test::writePlantLine(line, file, options);
        if (!summary) {
            std::cerr << summary.error().message << "\n";
            return 2;
        }
        std::cout << "wrote " << file.string() << ": " << summary->packets << " packets, "
                  << minutes << " min, line " << line << " (PLCs " << plant.find("plc1").ip()
                  << ", " << plant.find("plc2").ip() << ", HMI " << plant.find("hmi").ip();
        if (line == 1) {
            std::cout << ", engineering workstation " << plant.find("ews").ip() << " writes to "
                      << plant.find("plc1").ip() << " at +"
                      << (summary->ewsWriteUs - options.startUs) / 1000000 << " s";
        }
        std::cout << ")\n";
    }
    return 0;
}
