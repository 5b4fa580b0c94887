// SPDX-License-Identifier: Apache-2.0
// OPC UA service table (OPC 10000-4 §5 services; ids from the NodeIds.csv of OPC 10000-6 for the
// DefaultBinary encodings). The services of the original specification have the response id =
// request id + 3; those added later (1.03: FindServersOnNetwork, RegisterServer2) do not, so the
// table lists both ids.
#include "sensor-agent/dissect/opcua/opcua_services.h"

#include <array>

namespace ironsight::sensor::dissect::opcua {
namespace {

struct Entry {
    std::uint32_t requestId;
    const char* name;
    const char* opClass;
    std::uint32_t responseId = 0;  // 0: requestId + 3
};

constexpr std::array<Entry, 39> kServices = {{
    {422, "find_servers", "diagnostic"},
    {428, "get_endpoints", "diagnostic"},
    {437, "register_server", "other"},
    {446, "open_secure_channel", "other"},
    {452, "close_secure_channel", "other"},
    {461, "create_session", "other"},
    {467, "activate_session", "other"},
    {473, "close_session", "other"},
    {479, "cancel", "other"},
    {488, "add_nodes", "write"},
    {494, "add_references", "write"},
    {500, "delete_nodes", "write"},
    {506, "delete_references", "write"},
    {527, "browse", "diagnostic"},
    {533, "browse_next", "diagnostic"},
    {554, "translate_browse_paths_to_node_ids", "diagnostic"},
    {560, "register_nodes", "diagnostic"},
    {566, "unregister_nodes", "diagnostic"},
    {615, "query_first", "read"},
    {621, "query_next", "read"},
    {631, "read", "read"},
    {664, "history_read", "read"},
    {673, "write", "write"},
    {700, "history_update", "write"},
    {712, "call", "control"},
    {751, "create_monitored_items", "read"},
    {763, "modify_monitored_items", "read"},
    {769, "set_monitoring_mode", "read"},
    {775, "set_triggering", "read"},
    {781, "delete_monitored_items", "read"},
    {787, "create_subscription", "read"},
    {793, "modify_subscription", "read"},
    {799, "set_publishing_mode", "read"},
    {826, "publish", "read"},
    {832, "republish", "read"},
    {841, "transfer_subscriptions", "read"},
    {847, "delete_subscriptions", "read"},
    // Discovery services of OPC 10000-12 (LDS-ME; open62541's discovery example uses both).
    {12208, "find_servers_on_network", "diagnostic", 12209},
    {12211, "register_server2", "other", 12212},
}};

}  // namespace

ServiceInfo serviceInfo(std::uint32_t encodingId) {
    if (encodingId == kServiceFault) return {"service_fault", "other", false, true};
    for (const auto& e : kServices) {
        if (e.requestId == encodingId) return {e.name, e.opClass, true, true};
        const std::uint32_t response = e.responseId ? e.responseId : e.requestId + 3;
        if (response == encodingId) return {e.name, e.opClass, false, true};
    }
    return {"service_" + std::to_string(encodingId), "other", true, false};
}

}  // namespace ironsight::sensor::dissect::opcua
