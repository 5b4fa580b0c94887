// SPDX-License-Identifier: Apache-2.0
// The text each FTS5 search index of the console store holds per row, as SQL over that row's
// own columns: one definition for the flush that writes the index (console_store.cpp) and the
// tests that check it. Macros, so they can be pasted into the statement constants, which the
// store caches by address. (The schema steps keep their own copy: a step is history.)
#pragma once

#include <string>

/// device_text (schema v14, flushed since v15, capture interfaces since v17): what the device
/// search matches.
#define IRONSIGHT_DEVICE_TEXT_BODY                                                             \
    "device_id || ' ' || macs || ' ' || ips || ' ' || vlans || ' ' || COALESCE(vendor, '') || " \
    "' ' || COALESCE(model, '') || ' ' || COALESCE(firmware, '') || ' ' || "                    \
    "COALESCE(serial, '') || ' ' || COALESCE(hostname, '') || ' ' || COALESCE(type, '') || "    \
    "' ' || purdue_level || ' ' || protocols || ' ' || COALESCE(identity_json, '') || ' ' || "  \
    "evidence || ' ' || interfaces"

/// alert_text (schema v18): what the alert filter matches, but the sensor's name.
#define IRONSIGHT_ALERT_TEXT_BODY                                                                \
    "COALESCE(title, '') || ' ' || alert_id || ' ' || COALESCE(type, '') || ' ' || "             \
    "COALESCE(engine, '') || ' ' || COALESCE(src, '') || ' ' || COALESCE(src_ip, '') || ' ' || " \
    "COALESCE(dst, '') || ' ' || COALESCE(dst_ip, '') || ' ' || COALESCE(protocol, '') || ' ' || " \
    "COALESCE(mitre, '') || ' ' || assignee"

namespace ironsight::console::core {

/// Whether a search term can be looked up in a trigram index: 3 characters (UTF-8) or more. A
/// shorter one is matched by reading the text itself.
inline bool trigramSearchable(const std::string& term) {
    std::size_t chars = 0;
    for (unsigned char c : term) chars += (c & 0xC0) != 0x80;
    return chars >= 3;
}

}  // namespace ironsight::console::core
