// SPDX-License-Identifier: Apache-2.0
// Plain main for a libFuzzer entry point: runs every file of the given folders (or the given files)
// through LLVMFuzzerTestOneInput once. Built into the normal test build as FuzzRegression.<name>,
// so the seed corpus and every crasher kept next to a dissector are replayed by ctest, where ASan
// and UBSan builds (`--preset asan`) also check them.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {

bool replayFile(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        std::fprintf(stderr, "fuzz replay: cannot read %s\n", path.c_str());
        return false;
    }
    const std::vector<char> bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
    return true;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: %s CORPUS_DIR_OR_FILE...\n", argv[0]);
        return 2;
    }
    std::size_t replayed = 0;
    for (int i = 1; i < argc; ++i) {
        const std::filesystem::path arg = argv[i];
        std::error_code ec;
        if (std::filesystem::is_directory(arg, ec)) {
            for (const auto& entry : std::filesystem::directory_iterator(arg)) {
                if (!entry.is_regular_file()) continue;
                if (!replayFile(entry.path())) return 2;
                ++replayed;
            }
        } else if (std::filesystem::is_regular_file(arg, ec)) {
            if (!replayFile(arg)) return 2;
            ++replayed;
        } else {
            std::fprintf(stderr, "fuzz replay: %s: no such file or folder\n", argv[i]);
            return 2;
        }
    }
    if (replayed == 0) {
        std::fprintf(stderr, "fuzz replay: no inputs found (a target's corpus must keep its seeds)\n");
        return 2;
    }
    std::printf("replayed %zu inputs without a crash\n", replayed);
    return 0;
}
