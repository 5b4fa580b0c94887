// SPDX-License-Identifier: Apache-2.0
// ironsight-plant-traffic: writes DIR/line1.pcap and DIR/line2.pcap (deterministic plant traffic).
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
    for (int line : {1, 2}) {
        const auto file = std::filesystem::path(outDir) / ("line" + std::to_string(line) + ".pcap");
        auto summary = ironsight::test::writePlantLine(line, file, options);
        if (!summary) {
            std::cerr << summary.error().message << "\n";
            return 2;
        }
        const auto plant = ironsight::test::plantLine(line);
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
