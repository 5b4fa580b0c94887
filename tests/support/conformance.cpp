// SPDX-License-Identifier: Apache-2.0
// Conformance-test support (see conformance.h).
#include "tests/support/conformance.h"

#include <sys/wait.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdio>
#include <fstream>

namespace ironsight::test {

namespace fs = std::filesystem;
using nlohmann::json;

fs::path sharedPcapsDir() {
    return fs::path(IRONSIGHT_SOURCE_DIR) / ".." / "shared" / "pcaps";
}

std::vector<fs::path> referenceCaptures() {
    std::vector<fs::path> files;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(sharedPcapsDir(), ec)) {
        const auto ext = entry.path().extension();
        if (ext == ".pcap" || ext == ".pcapng") files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());
    return files;
}

std::vector<TruthCapture> capturesWithTruth(std::string_view prefix) {
    std::vector<TruthCapture> out;
    const fs::path dir = sharedPcapsDir();
    std::error_code ec;
    if (!fs::is_directory(dir / "truth", ec)) return out;
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
        const std::string name = entry.path().filename().string();
        if (name.rfind(prefix, 0) != 0) continue;
        std::ifstream tf(dir / "truth" / (name + ".truth.json"));
        if (!tf) continue;
        out.push_back({entry.path(), name, json::parse(tf, nullptr, false)});
    }
    std::sort(out.begin(), out.end(),
              [](const TruthCapture& a, const TruthCapture& b) { return a.name < b.name; });
    return out;
}

Result<json> analyzeJson(const fs::path& capture) {
    const fs::path err = fs::temp_directory_path() /
                         ("ironsight-conformance-" + std::to_string(::getpid()) + ".err");
    const std::string cmd = std::string(IRONSIGHT_BINARY_DIR) +
                            "/bin/ironsight-sensor analyze --json '" + capture.string() + "' 2>'" +
                            err.string() + "'";
    FILE* pipe = ::popen(cmd.c_str(), "r");
    if (!pipe) return Error{"cannot run " + cmd};
    std::string out;
    std::array<char, 65536> buf{};
    std::size_t got = 0;
    while ((got = std::fread(buf.data(), 1, buf.size(), pipe)) > 0) out.append(buf.data(), got);
    const int status = ::pclose(pipe);
    std::string firstErrorLine;
    {
        std::ifstream ef(err);
        std::getline(ef, firstErrorLine);
    }
    fs::remove(err);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        return Error{"analyze " + capture.filename().string() + " exited " +
                     std::to_string(WIFEXITED(status) ? WEXITSTATUS(status) : -1) + ": " +
                     firstErrorLine};
    }
    json doc = json::parse(out, nullptr, false);
    if (doc.is_discarded()) return Error{"analyze " + capture.filename().string() + ": not JSON"};
    return doc;
}

std::string scoreKey(const json& value) {
    if (value.is_null()) return "None";
    if (value.is_number_integer()) return std::to_string(value.get<long long>());
    const std::string text = value.is_string() ? value.get<std::string>() : value.dump();
    try {
        std::size_t used = 0;
        const bool hex = text.rfind("0x", 0) == 0 || text.rfind("0X", 0) == 0;
        const long long n = std::stoll(text, &used, hex ? 16 : 10);
        if (used == text.size()) return std::to_string(n);
    } catch (const std::exception&) {
    }
    return text;
}

namespace {
std::string lower(std::string s) {
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}
}  // namespace

Result<Agreement> macNameAgreement(const std::vector<TruthCapture>& captures,
                                   const MacNameAspect& aspect) {
    using Pair = std::pair<std::string, std::string>;
    Agreement total;
    const json::json_pointer records(aspect.truthPointer);
    for (const auto& capture : captures) {
        std::set<Pair> want, got;
        if (capture.truth.contains(records) && capture.truth[records].is_array()) {
            for (const auto& r : capture.truth[records]) {
                if (r.value(aspect.truthName, json()).is_string()) {
                    want.insert({lower(r.value(aspect.truthMac, "")),
                                 r[aspect.truthName].get<std::string>()});
                }
            }
        }
        if (want.empty()) continue;  // score.py: aspect absent from this capture, not judged
        auto doc = analyzeJson(capture.file);
        if (!doc) return doc.error();
        for (const auto& d : (*doc)["devices"]) {
            const json identity = d.value("identity", json::object());
            const json fields = identity.value(aspect.protocol, json::object());
            if (!fields.value(aspect.identityName, json()).is_string()) continue;
            for (const auto& mac : d.value("macs", json::array())) {
                got.insert({lower(mac.get<std::string>()),
                            fields[aspect.identityName].get<std::string>()});
            }
        }
        Agreement one;
        one.add(want, got);
        total.add(want, got);
        std::printf("%-48s (mac,%s) %zu/%zu matched, %zu found\n", capture.name.c_str(),
                    aspect.identityName.c_str(), one.matched, one.truth, one.found);
    }
    return total;
}

}  // namespace ironsight::test
