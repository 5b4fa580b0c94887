// SPDX-License-Identifier: Apache-2.0
// The engine's evidence capture (engine.h) as the store keeps it: pcap records.
#pragma once

#include "sensor-agent/engine/engine.h"
#include "sensor-agent/store/evidence_store.h"

namespace ironsight::sensor::store {

inline EvidenceCapture toEvidenceCapture(const AlertEvidence& evidence) {
    EvidenceCapture c;
    c.alertId = evidence.alertId;
    c.linkType = evidence.linkType;
    c.triggerUs = evidence.triggerUs;
    c.packets = static_cast<std::uint32_t>(evidence.packets.size());
    for (const auto& p : evidence.packets) {
        appendPcapRecord(c.records, p.timestampUs, p.wireLength, p.data);
    }
    return c;
}

/// A pcap file of one capture (the offline export of `analyze --evidence-dir`).
inline std::string toPcapFile(const AlertEvidence& evidence) {
    const EvidenceCapture c = toEvidenceCapture(evidence);
    std::string out = pcapFileHeader(evidence.linkType);
    out.append(c.records.begin(), c.records.end());
    return out;
}

}  // namespace ironsight::sensor::store
