// SPDX-License-Identifier: Apache-2.0
// BACnet service choice tables: names and operation classes (ASHRAE 135-2020 §21).
#pragma once

#include <cstdint>
#include <string_view>

namespace ironsight::sensor::dissect::bacnet {

/// Static text: names of unknown codes ("network_message_200") come from tables built at
/// compile time.
struct ServiceInfo {
    std::string_view name;     // snake_case, e.g. "read_property"
    std::string_view opClass;  // read / write / program / control / diagnostic / firmware / other
};

/// BACnetConfirmedServiceChoice (also used by SimpleACK, ComplexACK and Error PDUs).
ServiceInfo confirmedService(std::uint8_t choice);
/// BACnetUnconfirmedServiceChoice.
ServiceInfo unconfirmedService(std::uint8_t choice);
/// Network layer message types (§6.2.4).
ServiceInfo networkMessage(std::uint8_t type);
/// BACnet/IP BVLC functions (Annex J.2) that carry no NPDU.
ServiceInfo bvlcFunction(std::uint8_t function);
/// A BACnet/IPv6 BVLC function that carries no NPDU (Annex U): "bvlc6_function_<n>".
ServiceInfo bvlc6Function(std::uint8_t function);

}  // namespace ironsight::sensor::dissect::bacnet
