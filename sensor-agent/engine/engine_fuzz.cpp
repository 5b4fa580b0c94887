// SPDX-License-Identifier: Apache-2.0
// libFuzzer target: arbitrary frames through the whole pipeline (decode, flows, dissectors,
// inventory, detection, end-of-capture flush). The first byte picks the link type; learning
// toggles halfway.
#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "sensor-agent/engine/engine.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static constexpr int kLinkTypes[] = {1, 0, 108, 12, 101, 113, 276, 228, 229};
    if (size < 2) return 0;
    // Small bounds keep the per-input set-up cheap (the defaults reserve 64k flow buckets and a
    // 32 MB evidence buffer that ASan poisons on every run) and let short inputs reach eviction
    // and evidence ring wrap-around.
    ironsight::sensor::EngineOptions options;
    options.maxFlows = 64;
    options.evidence.packetBytes = 256;
    options.evidence.memoryBytes = 64 << 10;
    ironsight::sensor::Engine engine(options);
    const int linkType = kLinkTypes[data[0] % (sizeof kLinkTypes / sizeof kLinkTypes[0])];
    std::size_t pos = 1;
    std::int64_t ts = 1000000;
    int frames = 0;
    while (pos + 2 <= size) {
        const std::size_t len =
            std::min<std::size_t>((std::size_t{data[pos]} << 8 | data[pos + 1]), size - pos - 2);
        pos += 2;
        ironsight::sensor::RawPacket p;
        p.linkType = linkType;
        p.timestampUs = ts += 1000;
        p.wireLength = static_cast<std::uint32_t>(len);
        p.data = {data + pos, len};
        engine.process(p);
        pos += len;
        if (++frames == 4) engine.setLearning(false);
    }
    engine.finish();  // flush TCP data still buffered behind holes
    (void)engine.takeChanges();
    (void)engine.devices();
    (void)engine.operations();
    return 0;
}
