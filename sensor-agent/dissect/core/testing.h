// SPDX-License-Identifier: Apache-2.0
// Test helper for dissector unit tests: an EventSink that records what a dissector reported.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "sensor-agent/dissect/core/dissector.h"

namespace ironsight::sensor::dissect {

struct RecordingSink : EventSink {
    explicit RecordingSink(std::string protocol = {}) : expectedProtocol(std::move(protocol)) {}

    std::string expectedProtocol;  // when set, every anomaly must name this protocol
    std::vector<Operation> ops;
    std::vector<Identity> identities;
    std::vector<std::string> anomalies;

    void onOperation(const FlowContext&, const Operation& op) override { ops.push_back(op); }
    void onIdentity(const FlowContext&, const Identity& id) override { identities.push_back(id); }
    void onAnomaly(const FlowContext&, std::string_view protocol, std::string_view id) override {
        if (!expectedProtocol.empty()) {
            EXPECT_EQ(protocol, expectedProtocol) << id;
        }
        anomalies.emplace_back(id);
    }
    std::size_t count(const std::string& anomalyId) const {
        return static_cast<std::size_t>(std::count(anomalies.begin(), anomalies.end(), anomalyId));
    }
};

}  // namespace ironsight::sensor::dissect
