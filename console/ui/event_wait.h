// SPDX-License-Identifier: Apache-2.0
// Waiting on the GUI thread for work that answers through queued signals (tests, --screenshots).
#pragma once

#include <functional>

namespace ironsight::console::ui {

/// Runs the event loop until `busy()` is false (true) or `timeoutMs` passes (false). The queued
/// answers of pool work arrive through the loop, so a plain sleep would wait for ever.
bool processEventsWhile(const std::function<bool()>& busy, int timeoutMs);

}  // namespace ironsight::console::ui
