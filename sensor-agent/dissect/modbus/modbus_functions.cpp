// SPDX-License-Identifier: Apache-2.0
// Modbus and UMAS function tables.
#include "sensor-agent/dissect/modbus/modbus_functions.h"

#include <array>

#include "sensor-agent/dissect/core/numbered_names.h"

namespace ironsight::sensor::dissect::modbus {
namespace {

constexpr NumberedNames kUnknownNames("function_");

constexpr FunctionInfo describeFunction(std::uint8_t fc) {
    switch (fc) {
        case 1:
            return {"read_coils", "read"};
        case 2:
            return {"read_discrete_inputs", "read"};
        case 3:
            return {"read_holding_registers", "read"};
        case 4:
            return {"read_input_registers", "read"};
        case 5:
            return {"write_single_coil", "write"};
        case 6:
            return {"write_single_register", "write"};
        case 7:
            return {"read_exception_status", "diagnostic"};
        case 8:
            return {"diagnostics", "diagnostic"};
        case 11:
            return {"get_comm_event_counter", "diagnostic"};
        case 12:
            return {"get_comm_event_log", "diagnostic"};
        case 15:
            return {"write_multiple_coils", "write"};
        case 16:
            return {"write_multiple_registers", "write"};
        case 17:
            return {"report_server_id", "diagnostic"};
        case 20:
            return {"read_file_record", "read"};
        case 21:
            return {"write_file_record", "write"};
        case 22:
            return {"mask_write_register", "write"};
        case 23:
            return {"read_write_multiple_registers", "write"};
        case 24:
            return {"read_fifo_queue", "read"};
        case 43:
            return {"encapsulated_interface_transport", "other"};
        case 90:
            return {"umas", "other"};
        default:
            return {kUnknownNames[fc], "other"};
    }
}

constexpr FunctionInfo describeUmas(std::uint8_t code) {
    switch (code) {
        case 0x01:
            return {"umas_init_comm", "other"};
        case 0x02:
            return {"umas_read_id", "diagnostic"};
        case 0x03:
            return {"umas_read_project_info", "read"};
        case 0x04:
            return {"umas_read_plc_info", "diagnostic"};
        case 0x06:
            return {"umas_read_card_info", "diagnostic"};
        case 0x0a:
            return {"umas_repeat", "other"};
        case 0x10:
            return {"umas_take_plc_reservation", "other"};
        case 0x11:
            return {"umas_release_plc_reservation", "other"};
        case 0x12:
            return {"umas_keep_alive", "other"};
        case 0x20:
            return {"umas_read_memory_block", "read"};
        case 0x22:
            return {"umas_read_variables", "read"};
        case 0x23:
            return {"umas_write_variables", "write"};
        case 0x24:
            return {"umas_read_coils_registers", "read"};
        case 0x25:
            return {"umas_write_coils_registers", "write"};
        case 0x30:
            return {"umas_initialize_upload", "program"};
        case 0x31:
            return {"umas_upload_block", "program"};
        case 0x32:
            return {"umas_end_strategy_upload", "program"};
        case 0x33:
            return {"umas_initialize_download", "program"};
        case 0x34:
            return {"umas_download_block", "program"};
        case 0x35:
            return {"umas_end_strategy_download", "program"};
        case 0x39:
            return {"umas_read_ethernet_master_data", "read"};
        case 0x40:
            return {"umas_start_plc", "control"};
        case 0x41:
            return {"umas_stop_plc", "control"};
        case 0x50:
            return {"umas_monitor_plc", "other"};
        case 0x58:
            return {"umas_check_plc", "diagnostic"};
        case 0x70:
            return {"umas_read_io_object", "read"};
        case 0x71:
            return {"umas_write_io_object", "write"};
        case 0x73:
            return {"umas_get_status_module", "diagnostic"};
        default:
            return {"umas", "other"};
    }
}

/// Every code's entry, built at compile time.
template <FunctionInfo (*describe)(std::uint8_t)>
constexpr std::array<FunctionInfo, 256> kTable = [] {
    std::array<FunctionInfo, 256> t{};
    for (std::size_t code = 0; code < t.size(); ++code) {
        t[code] = describe(static_cast<std::uint8_t>(code));
    }
    return t;
}();

}  // namespace

const FunctionInfo& functionInfo(std::uint8_t fc) {
    return kTable<&describeFunction>[fc];
}

const FunctionInfo& umasInfo(std::uint8_t umasCode) {
    return kTable<&describeUmas>[umasCode];
}

}  // namespace ironsight::sensor::dissect::modbus
