// SPDX-License-Identifier: Apache-2.0
// libFuzzer target: arbitrary bytes as the payload of one frame handed to the cdp dissector.
#include <cstddef>
#include <cstdint>
#include <span>

#include "sensor-agent/dissect/cdp/cdp_dissector.h"
#include "sensor-agent/dissect/core/fuzzing.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace ironsight::sensor::dissect;
    FrameContext frame;
    frame.srcMac = "00:1b:1b:02:9a:c3";
    frame.dstMac = "01:80:c2:00:00:0e";
    NullSink sink;
    cdp::CdpDissector dissector;
    dissector.onFrame(frame, std::span<const std::uint8_t>(data, size), sink);
    return 0;
}
