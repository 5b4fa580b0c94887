// SPDX-License-Identifier: Apache-2.0
// Engine records -> ironsight.v1 envelopes for the outbox, field by field (proto at the edge only).
#pragma once

#include <vector>

#include "ironsight/v1/link.pb.h"
#include "sensor-agent/engine/engine.h"
#include "sensor-agent/store/outbox.h"

namespace ironsight::sensor::link {

v1::Device toProto(const DeviceRecord& d);
v1::Connection toProto(const ConnectionRecord& c);
v1::Alert toProto(const AlertRecord& a);
v1::Severity toProto(Severity s);

/// An outbox record holding `envelope` (its seq is assigned when sent).
store::NewRecord toRecord(const v1::Envelope& envelope);
/// Devices, then connections, then alerts of a change set, as outbox records.
std::vector<store::NewRecord> toRecords(const ChangeSet& changes);

}  // namespace ironsight::sensor::link
