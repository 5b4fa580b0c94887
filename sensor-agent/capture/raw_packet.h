// SPDX-License-Identifier: Apache-2.0
// A captured frame as handed from capture to decode: link type, timestamp and bytes.
#pragma once

#include <cstdint>
#include <span>

namespace ironsight::sensor {

struct RawPacket {
    int linkType = 1;                    // libpcap DLT_* value (1 = Ethernet)
    std::int64_t timestampUs = 0;        // capture time, Unix microseconds
    std::uint32_t wireLength = 0;        // original length on the wire
    std::span<const std::uint8_t> data;  // captured bytes (may be shorter than wireLength)
    /// The capture interface: its index in the sensor's list (EngineOptions::interfaces), so
    /// the inventory can say where a device was seen. 0 for a file.
    std::uint8_t source = 0;
};

}  // namespace ironsight::sensor
