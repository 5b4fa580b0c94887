// SPDX-License-Identifier: Apache-2.0
// SSH dissector (RFC 4253 §4.2 protocol version exchange).
//
// Each side first sends "SSH-protoversion-softwareversion SP comments CR LF" (at most 255 bytes);
// a server may send other lines before it. Everything after is the binary packet protocol,
// encrypted once keys are exchanged: nothing more is parsed.
#include "sensor-agent/dissect/ssh/ssh_dissector.h"

#include <algorithm>
#include <string_view>

#include "sensor-agent/dissect/core/text.h"

namespace ironsight::sensor::dissect::ssh {

DissectorPtr SshDissector::create() {
    return std::make_unique<SshDissector>();
}

void SshDissector::onGap(Direction dir) noexcept {
    sides_[dir == Direction::ToClient ? 1 : 0].done = true;  // the banner, if any, is lost
}

ParseResult SshDissector::onData(const FlowContext& flow, Direction dir,
                                 std::span<const std::uint8_t> data, EventSink& sink) noexcept {
    Side& side = sides_[dir == Direction::ToClient ? 1 : 0];
    std::size_t pos = 0;
    while (!side.done && pos < data.size()) {
        const auto rest = data.subspan(pos);
        const auto nl = std::find(rest.begin(), rest.end(), std::uint8_t{'\n'});
        if (nl == rest.end()) {
            if (rest.size() >= kMaxLine) {
                sink.onAnomaly(flow, "ssh", "malformed_banner");
                side.done = true;
                break;
            }
            return ParseResult::incomplete(pos, rest.size() + 1);
        }
        const std::size_t lineLen = static_cast<std::size_t>(nl - rest.begin());
        auto line = rest.first(lineLen);
        pos += lineLen + 1;
        if (!line.empty() && line.back() == '\r') line = line.first(line.size() - 1);
        const std::string_view text(reinterpret_cast<const char*>(line.data()), line.size());
        if (text.starts_with("SSH-") && lineLen <= kMaxLine) {
            Identity id;
            id.protocol = "ssh";
            id.ofServer = dir == Direction::ToClient;
            id.strings["banner"] = safeText(line);
            sink.onIdentity(flow, id);
            side.done = true;
            break;
        }
        // Clients send their banner first; servers may send up to kMaxPreambleLines other lines.
        if (dir == Direction::ToServer || ++side.lines >= kMaxPreambleLines) {
            sink.onAnomaly(flow, "ssh", "malformed_banner");
            side.done = true;
        }
    }
    return ParseResult::ok(data.size());
}

void registerDissector(DissectorRegistry& registry) {
    registry.add({.name = "ssh",
                  .transport = Transport::Tcp,
                  .defaultPorts = {kPort},
                  .probe = nullptr,
                  .create = &SshDissector::create});
}

}  // namespace ironsight::sensor::dissect::ssh
