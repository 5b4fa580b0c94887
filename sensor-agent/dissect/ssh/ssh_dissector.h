// SPDX-License-Identifier: Apache-2.0
// SSH dissector (TCP 22): each side's version banner as identity.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "sensor-agent/dissect/core/dissector.h"
#include "sensor-agent/dissect/core/registry.h"

namespace ironsight::sensor::dissect::ssh {

inline constexpr std::uint16_t kPort = 22;
inline constexpr std::size_t kMaxLine = 255;  // RFC 4253 §4.2, including CR LF
inline constexpr int kMaxPreambleLines = 16;  // lines a server may send before its banner

class SshDissector final : public Dissector {
public:
    static DissectorPtr create();
    ParseResult onData(const FlowContext& flow, Direction dir, std::span<const std::uint8_t> data,
                       EventSink& sink) noexcept override;
    void onGap(Direction dir) noexcept override;

private:
    struct Side {
        bool done = false;
        int lines = 0;
    };
    Side sides_[2];
};

void registerDissector(DissectorRegistry& registry);

}  // namespace ironsight::sensor::dissect::ssh
