// SPDX-License-Identifier: Apache-2.0
// ironsight-ot-trace: writes the large deterministic OT/IT benchmark capture (docs/BENCHMARKS.md).
#include <CLI/CLI.hpp>

#include <iostream>

#include "tests/support/ot_trace.h"

int main(int argc, char** argv) {
    CLI::App app{
        "Writes a large deterministic OT/IT capture (Modbus, S7, DNP3, EtherNet/IP, IEC 104, "
        "BACnet polling plus HTTP/TLS/DNS/ARP) as a pcap file",
        "ironsight-ot-trace"};
    std::string out;
    ironsight::test::OtTraceOptions options;
    app.add_option("--out", out, "Output pcap file")->required();
    app.add_option("--seed", options.seed, "Random seed (same seed, same file)");
    app.add_option("--devices", options.devices, "Sending hosts")->check(CLI::Range(20, 60000));
    app.add_option("--minutes", options.minutes, "Capture span")->check(CLI::Range(1, 1440));
    app.add_option("--flows", options.longLivedFlows,
                   "Extra long-lived TLS connections kept open to the end (concurrent flows)")
        ->check(CLI::Range(0, 2000000));
    app.add_option("--rate", options.rate, "Scales polling and IT session rates")
        ->check(CLI::Range(0.01, 100.0));
    CLI11_PARSE(app, argc, argv);

    auto summary = ironsight::test::writeOtTrace(out, options);
    if (!summary) {
        std::cerr << "ironsight-ot-trace: " << summary.error().message << "\n";
        return 2;
    }
    std::cout << "wrote " << out << ": " << summary->packets << " packets, " << summary->bytes
              << " bytes, " << summary->devices << " devices, " << summary->otFlows
              << " OT polling flows, " << summary->tcpSessions << " TCP sessions, "
              << summary->longLivedFlows << " long-lived flows, " << options.minutes
              << " min, seed " << options.seed << "\n";
    return 0;
}
