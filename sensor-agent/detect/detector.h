// SPDX-License-Identifier: Apache-2.0
// Detector: the baseline (learning mode) and policy alerts with aggregation (SPEC §3.5).
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "sensor-agent/dissect/core/dissector.h"
#include "sensor-agent/engine/engine.h"

namespace ironsight::sensor::detect {

class Detector {
public:
    explicit Detector(bool learning = true) : learning_(learning) {}

    void setLearning(bool on) { learning_ = on; }
    bool learning() const { return learning_; }

    /// Baseline as text, one item per line ("talk <protocol> <client-ip> <server-ip>"), sorted.
    std::string exportBaseline() const;
    /// Adds the items of an exported baseline (unknown lines are kept as they are).
    void importBaseline(const std::string& text);
    std::size_t baselineSize() const { return baseline_.size(); }

    /// Learning: the client/server pair joins the baseline. Otherwise a write-class request
    /// from a client with no baseline entry for that server raises unauthorized_write.
    void onOperation(const dissect::FlowContext& flow, const dissect::Operation& op,
                     const std::string& srcDevice, const std::string& dstDevice);

    std::vector<AlertRecord> alerts() const;
    /// Ids of alerts raised or updated since the last call.
    std::set<std::string> takeChangedAlertIds();

private:
    void raise(const std::string& type, const dissect::FlowContext& flow,
               const dissect::Operation& op, const std::string& srcDevice,
               const std::string& dstDevice);

    bool learning_;
    std::set<std::string> baseline_;
    std::map<std::string, AlertRecord> alerts_;
    std::set<std::string> changed_;
};

/// Stable alert id: same type + same devices -> same id.
std::string alertId(const std::string& type, const std::string& srcDevice,
                    const std::string& dstDevice);

}  // namespace ironsight::sensor::detect
