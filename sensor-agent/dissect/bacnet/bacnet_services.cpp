// SPDX-License-Identifier: Apache-2.0
// BACnet service choice tables (ASHRAE 135-2020 §21 BACnetConfirmedServiceChoice and
// BACnetUnconfirmedServiceChoice, §6.2.4 network messages, Annex J.2 BVLC functions).
#include "sensor-agent/dissect/bacnet/bacnet_services.h"

#include <array>

#include "sensor-agent/dissect/core/numbered_names.h"

namespace ironsight::sensor::dissect::bacnet {
namespace {

struct Entry {  // views with their lengths (from char pointers, a lookup cost a strlen call)
    std::string_view name;
    std::string_view opClass;
};

// Index = confirmed service choice.
constexpr std::array<Entry, 34> kConfirmed = {{
    {"acknowledge_alarm", "control"},                 // 0
    {"confirmed_cov_notification", "read"},           // 1
    {"confirmed_event_notification", "read"},         // 2
    {"get_alarm_summary", "diagnostic"},              // 3
    {"get_enrollment_summary", "diagnostic"},         // 4
    {"subscribe_cov", "read"},                        // 5
    {"atomic_read_file", "read"},                     // 6
    {"atomic_write_file", "write"},                   // 7
    {"add_list_element", "write"},                    // 8
    {"remove_list_element", "write"},                 // 9
    {"create_object", "write"},                       // 10
    {"delete_object", "write"},                       // 11
    {"read_property", "read"},                        // 12
    {"read_property_conditional", "read"},            // 13
    {"read_property_multiple", "read"},               // 14
    {"write_property", "write"},                      // 15
    {"write_property_multiple", "write"},             // 16
    {"device_communication_control", "control"},      // 17
    {"confirmed_private_transfer", "other"},          // 18
    {"confirmed_text_message", "other"},              // 19
    {"reinitialize_device", "control"},               // 20
    {"vt_open", "other"},                             // 21
    {"vt_close", "other"},                            // 22
    {"vt_data", "other"},                             // 23
    {"authenticate", "other"},                        // 24
    {"request_key", "other"},                         // 25
    {"read_range", "read"},                           // 26
    {"life_safety_operation", "control"},             // 27
    {"subscribe_cov_property", "read"},               // 28
    {"get_event_information", "diagnostic"},          // 29
    {"subscribe_cov_property_multiple", "read"},      // 30
    {"confirmed_cov_notification_multiple", "read"},  // 31
    {"confirmed_audit_notification", "other"},        // 32
    {"audit_log_query", "diagnostic"},                // 33
}};

// Index = unconfirmed service choice.
constexpr std::array<Entry, 15> kUnconfirmed = {{
    {"i_am", "diagnostic"},                             // 0
    {"i_have", "diagnostic"},                           // 1
    {"unconfirmed_cov_notification", "read"},           // 2
    {"unconfirmed_event_notification", "read"},         // 3
    {"unconfirmed_private_transfer", "other"},          // 4
    {"unconfirmed_text_message", "other"},              // 5
    {"time_synchronization", "write"},                  // 6
    {"who_has", "diagnostic"},                          // 7
    {"who_is", "diagnostic"},                           // 8
    {"utc_time_synchronization", "write"},              // 9
    {"write_group", "write"},                           // 10
    {"unconfirmed_cov_notification_multiple", "read"},  // 11
    {"unconfirmed_audit_notification", "other"},        // 12
    {"who_am_i", "diagnostic"},                         // 13
    {"you_are", "write"},                               // 14
}};

constexpr NumberedNames kConfirmedNames("confirmed_service_");
constexpr NumberedNames kUnconfirmedNames("unconfirmed_service_");
constexpr NumberedNames kNetworkNames("network_message_");
constexpr NumberedNames kBvlcNames("bvlc_function_");
constexpr NumberedNames kBvlc6Names("bvlc6_function_");

template <std::size_t N>
ServiceInfo fromTable(const Entry* table, std::size_t size, std::uint8_t index,
                      const NumberedNames<N>& unknown) {
    if (index < size) return {table[index].name, table[index].opClass};
    return {unknown[index], "other"};
}

}  // namespace

ServiceInfo confirmedService(std::uint8_t choice) {
    return fromTable(kConfirmed.data(), kConfirmed.size(), choice, kConfirmedNames);
}

ServiceInfo unconfirmedService(std::uint8_t choice) {
    return fromTable(kUnconfirmed.data(), kUnconfirmed.size(), choice, kUnconfirmedNames);
}

ServiceInfo networkMessage(std::uint8_t type) {
    switch (type) {
        case 0x00:
            return {"who_is_router_to_network", "diagnostic"};
        case 0x01:
            return {"i_am_router_to_network", "diagnostic"};
        case 0x02:
            return {"i_could_be_router_to_network", "diagnostic"};
        case 0x03:
            return {"reject_message_to_network", "diagnostic"};
        case 0x04:
            return {"router_busy_to_network", "control"};
        case 0x05:
            return {"router_available_to_network", "control"};
        case 0x06:
            return {"initialize_routing_table", "write"};
        case 0x07:
            return {"initialize_routing_table_ack", "write"};
        case 0x08:
            return {"establish_connection_to_network", "control"};
        case 0x09:
            return {"disconnect_connection_to_network", "control"};
        case 0x12:
            return {"what_is_network_number", "diagnostic"};
        case 0x13:
            return {"network_number_is", "diagnostic"};
        default:
            return {kNetworkNames[type], "other"};
    }
}

ServiceInfo bvlcFunction(std::uint8_t function) {
    switch (function) {
        case 0x00:
            return {"bvlc_result", "other"};
        case 0x01:
            return {"write_broadcast_distribution_table", "write"};
        case 0x02:
            return {"read_broadcast_distribution_table", "diagnostic"};
        case 0x03:
            return {"read_broadcast_distribution_table_ack", "diagnostic"};
        case 0x05:
            return {"register_foreign_device", "other"};
        case 0x06:
            return {"read_foreign_device_table", "diagnostic"};
        case 0x07:
            return {"read_foreign_device_table_ack", "diagnostic"};
        case 0x08:
            return {"delete_foreign_device_table_entry", "write"};
        case 0x0c:
            return {"secure_bvll", "other"};
        default:
            return {kBvlcNames[function], "other"};
    }
}

ServiceInfo bvlc6Function(std::uint8_t function) {
    return {kBvlc6Names[function], "other"};
}

}  // namespace ironsight::sensor::dissect::bacnet
