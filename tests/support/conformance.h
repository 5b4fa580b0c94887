// SPDX-License-Identifier: Apache-2.0
// Conformance-test support: run the real `ironsight-sensor analyze --json` on the captures in
// ../shared/pcaps and compare sets of items with their tshark truth files as score.py does.
#pragma once

#include <cstddef>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "shared/base/result.h"

namespace ironsight::test {

/// IRONSIGHT_SOURCE_DIR/../shared/pcaps (the team's reference captures; absent on some machines).
std::filesystem::path sharedPcapsDir();

/// Every .pcap and .pcapng file of sharedPcapsDir(), sorted by path. Empty when the folder is
/// absent (callers GTEST_SKIP saying so: .ci/run has it, so there they run).
std::vector<std::filesystem::path> referenceCaptures();

struct TruthCapture {
    std::filesystem::path file;
    std::string name;  // file name, e.g. "dnp3-cold-restart.pcap"
    nlohmann::json truth;
};

/// The captures whose file name starts with `prefix` and that have a truth file, sorted by name.
/// Empty when ../shared/pcaps is absent (callers GTEST_SKIP with a clear message).
std::vector<TruthCapture> capturesWithTruth(std::string_view prefix);

/// Runs `ironsight-sensor analyze --json FILE` (the binary in IRONSIGHT_BINARY_DIR/bin) and parses
/// its output; an error names the exit code and the first stderr line.
Result<nlohmann::json> analyzeJson(const std::filesystem::path& capture);

/// score.py's as_int(): integers and "0x.."/decimal strings as a decimal string, null as "None",
/// anything else as its text. Used to build comparable keys.
std::string scoreKey(const nlohmann::json& value);

/// Micro-averaged agreement over captures (score.py's F1 for one aspect).
struct Agreement {
    std::size_t truth = 0, found = 0, matched = 0;

    template <class T>
    void add(const std::set<T>& want, const std::set<T>& got) {
        if (want.empty()) return;  // score.py: an aspect absent from a capture is not judged
        truth += want.size();
        found += got.size();
        for (const auto& w : want) matched += got.count(w);
    }
    double recall() const { return truth ? double(matched) / double(truth) : 1.0; }
    double precision() const {
        return found ? double(matched) / double(found) : (truth ? 0.0 : 1.0);
    }
    double f1() const {
        const double p = precision(), r = recall();
        return p + r > 0 ? 2 * p * r / (p + r) : 0.0;
    }
};

/// What a (MAC, name) identity comparison reads: truth records at `truthPointer` (a JSON pointer,
/// e.g. "/lldp" or "/profinet_dcp/identify_responses") with `truthMac` / `truthName` fields, and
/// devices[].identity.<protocol>.<identityName> for each of the device's MACs (score.py's lldp,
/// cdp and profinet_dcp aspects).
struct MacNameAspect {
    std::string truthPointer, truthMac, truthName;
    std::string protocol, identityName;
};

/// Runs analyze on every capture with truth items for the aspect, prints one line per capture,
/// and returns the micro-averaged agreement (an Error when analyze fails).
Result<Agreement> macNameAgreement(const std::vector<TruthCapture>& captures,
                                   const MacNameAspect& aspect);

}  // namespace ironsight::test
