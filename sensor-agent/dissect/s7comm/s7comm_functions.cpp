// SPDX-License-Identifier: Apache-2.0
// S7comm function tables (names follow the Wireshark s7comm / s7comm_plus dissectors' value
// strings; classes follow SPEC §3.3).
#include "sensor-agent/dissect/s7comm/s7comm_functions.h"

namespace ironsight::sensor::dissect::s7comm {

FunctionInfo jobFunction(std::uint8_t function) {
    switch (function) {
        case 0x00:
            return {"cpu_services", "other"};
        case 0x04:
            return {"read_var", "read"};
        case 0x05:
            return {"write_var", "write"};
        case 0x1a:
            return {"request_download", "program"};
        case 0x1b:
            return {"download_block", "program"};
        case 0x1c:
            return {"download_ended", "program"};
        case 0x1d:
            return {"start_upload", "program"};
        case 0x1e:
            return {"upload", "program"};
        case 0x1f:
            return {"end_upload", "program"};
        case 0x28:
            return {"pi_service", "control"};
        case 0x29:
            return {"plc_stop", "control"};
        case 0xf0:
            return {"setup_communication", "other"};
        default:
            return {"unknown", "other"};
    }
}

FunctionInfo piService(std::string_view name) {
    if (name == "P_PROGRAM") return {"plc_start", "control"};
    if (name == "_INSE") return {"insert_block", "program"};
    if (name == "_DELE") return {"delete_block", "program"};
    if (name == "_MODU") return {"copy_ram_to_rom", "program"};
    if (name == "_GARB") return {"compress_memory", "control"};
    if (name == "_N_") return {"nc_pi_service", "control"};
    return {"pi_service", "control"};
}

FunctionInfo userdataFunction(std::uint8_t group, std::uint8_t sub) {
    switch (group) {
        case 0x0:
            return {"mode_transition", "other"};
        case 0x1:  // programmer commands
            switch (sub) {
                case 0x01:
                    return {"request_diag_data", "diagnostic"};
                case 0x02:
                    return {"variable_table", "diagnostic"};
                case 0x09:
                    return {"forces", "write"};
                case 0x0c:
                    return {"erase", "write"};
                case 0x0e:
                    return {"read_diag_data", "diagnostic"};
                case 0x0f:
                    return {"remove_diag_data", "diagnostic"};
                case 0x13:
                    return {"request_diag_data_2", "diagnostic"};
                default:
                    return {"programmer_command", "diagnostic"};
            }
        case 0x2:  // cyclic data
            return {sub == 0x04 ? "cyclic_unsubscribe" : "cyclic_data", "read"};
        case 0x3:  // block functions
            switch (sub) {
                case 0x01:
                    return {"list_blocks", "diagnostic"};
                case 0x02:
                    return {"list_blocks_of_type", "diagnostic"};
                case 0x03:
                    return {"get_block_info", "diagnostic"};
                default:
                    return {"block_function", "diagnostic"};
            }
        case 0x4:  // CPU functions
            switch (sub) {
                case 0x01:
                    return {"read_szl", "diagnostic"};
                case 0x02:
                    return {"message_service", "diagnostic"};
                case 0x03:
                    return {"diagnostic_message", "diagnostic"};
                case 0x05:
                    return {"alarm8_indication", "diagnostic"};
                case 0x06:
                    return {"notify_indication", "diagnostic"};
                case 0x0b:
                    return {"alarm_ack", "write"};
                case 0x13:
                    return {"alarm_query", "diagnostic"};
                default:
                    return {"cpu_function", "diagnostic"};
            }
        case 0x5:  // security
            return {sub == 0x01 ? "plc_password" : "security", "other"};
        case 0x6:
            return {"pbc_bsend_brecv", "other"};
        case 0x7:  // time functions
            switch (sub) {
                case 0x01:
                    return {"read_clock", "read"};
                case 0x02:
                    return {"set_clock", "write"};
                case 0x03:
                    return {"read_clock_following", "read"};
                case 0x04:
                    return {"set_clock_2", "write"};
                default:
                    return {"time_function", "other"};
            }
        case 0xf:
            return {"nc_programming", "program"};
        default:
            return {"userdata", "other"};
    }
}

FunctionInfo plusFunction(std::uint16_t function) {
    switch (function) {
        case 0x04b1:
        case 0x05a9:
            return {"error", "other"};
        case 0x04bb:
            return {"explore", "read"};
        case 0x04ca:
            return {"create_object", "other"};
        case 0x04d4:
            return {"delete_object", "other"};
        case 0x04f2:
            return {"set_variable", "write"};
        case 0x04fc:
            return {"get_variable", "read"};
        case 0x0506:
            return {"add_link", "other"};
        case 0x051a:
            return {"remove_link", "other"};
        case 0x0524:
            return {"get_link", "read"};
        case 0x0542:
            return {"set_multi_variables", "write"};
        case 0x054c:
            return {"get_multi_variables", "read"};
        case 0x0556:
            return {"begin_sequence", "other"};
        case 0x0560:
            return {"end_sequence", "other"};
        case 0x056b:
            return {"invoke", "control"};
        case 0x057c:
            return {"set_var_substreamed", "write"};
        case 0x0586:
            return {"get_var_substreamed", "read"};
        case 0x0590:
            return {"get_variables_address", "read"};
        case 0x059a:
            return {"abort", "other"};
        case 0x05b3:
            return {"init_ssl", "other"};
        default:
            return {"unknown", "other"};
    }
}

}  // namespace ironsight::sensor::dissect::s7comm
