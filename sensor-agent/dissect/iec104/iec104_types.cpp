// SPDX-License-Identifier: Apache-2.0
// IEC 60870-5-101/104 type identification table (IEC 60870-5-101 §7.2.1.1, 60870-5-104 §8).
#include "sensor-agent/dissect/iec104/iec104_types.h"

#include <algorithm>
#include <array>

#include "sensor-agent/dissect/core/numbered_names.h"

namespace ironsight::sensor::dissect::iec104 {
namespace {

struct Row {
    std::uint8_t id;
    const char* name;
    const char* opClass;
    std::uint8_t elementSize;
};

// Element sizes without the IOA (§7.3): SIQ/DIQ 1, VTI+QDS 2, BSI+QDS 5, NVA/SVA+QDS 3,
// float+QDS 5, BCR 5; time tags CP24Time2a 3, CP56Time2a 7, CP16Time2a 2. File transfer: variable.
// clang-format off
constexpr std::array<Row, 67> kTypes = {{
    {1, "M_SP_NA_1", "read", 1},
    {2, "M_SP_TA_1", "read", 4},
    {3, "M_DP_NA_1", "read", 1},
    {4, "M_DP_TA_1", "read", 4},
    {5, "M_ST_NA_1", "read", 2},
    {6, "M_ST_TA_1", "read", 5},
    {7, "M_BO_NA_1", "read", 5},
    {8, "M_BO_TA_1", "read", 8},
    {9, "M_ME_NA_1", "read", 3},
    {10, "M_ME_TA_1", "read", 6},
    {11, "M_ME_NB_1", "read", 3},
    {12, "M_ME_TB_1", "read", 6},
    {13, "M_ME_NC_1", "read", 5},
    {14, "M_ME_TC_1", "read", 8},
    {15, "M_IT_NA_1", "read", 5},
    {16, "M_IT_TA_1", "read", 8},
    {17, "M_EP_TA_1", "read", 6},
    {18, "M_EP_TB_1", "read", 7},
    {19, "M_EP_TC_1", "read", 7},
    {20, "M_PS_NA_1", "read", 5},
    {21, "M_ME_ND_1", "read", 2},
    {30, "M_SP_TB_1", "read", 8},
    {31, "M_DP_TB_1", "read", 8},
    {32, "M_ST_TB_1", "read", 9},
    {33, "M_BO_TB_1", "read", 12},
    {34, "M_ME_TD_1", "read", 10},
    {35, "M_ME_TE_1", "read", 10},
    {36, "M_ME_TF_1", "read", 12},
    {37, "M_IT_TB_1", "read", 12},
    {38, "M_EP_TD_1", "read", 10},
    {39, "M_EP_TE_1", "read", 11},
    {40, "M_EP_TF_1", "read", 11},
    {45, "C_SC_NA_1", "control", 1},
    {46, "C_DC_NA_1", "control", 1},
    {47, "C_RC_NA_1", "control", 1},
    {48, "C_SE_NA_1", "write", 3},
    {49, "C_SE_NB_1", "write", 3},
    {50, "C_SE_NC_1", "write", 5},
    {51, "C_BO_NA_1", "write", 4},
    {58, "C_SC_TA_1", "control", 8},
    {59, "C_DC_TA_1", "control", 8},
    {60, "C_RC_TA_1", "control", 8},
    {61, "C_SE_TA_1", "write", 10},
    {62, "C_SE_TB_1", "write", 10},
    {63, "C_SE_TC_1", "write", 12},
    {64, "C_BO_TA_1", "write", 11},
    {70, "M_EI_NA_1", "other", 1},
    {100, "C_IC_NA_1", "read", 1},
    {101, "C_CI_NA_1", "read", 1},
    {102, "C_RD_NA_1", "read", 0},
    {103, "C_CS_NA_1", "write", 7},
    {104, "C_TS_NA_1", "diagnostic", 2},
    {105, "C_RP_NA_1", "control", 1},
    {106, "C_CD_NA_1", "diagnostic", 2},
    {107, "C_TS_TA_1", "diagnostic", 9},
    {110, "P_ME_NA_1", "write", 3},
    {111, "P_ME_NB_1", "write", 3},
    {112, "P_ME_NC_1", "write", 5},
    {113, "P_AC_NA_1", "write", 1},
    {120, "F_FR_NA_1", "program", 0},
    {121, "F_SR_NA_1", "program", 0},
    {122, "F_SC_NA_1", "program", 0},
    {123, "F_LS_NA_1", "program", 0},
    {124, "F_AF_NA_1", "program", 0},
    {125, "F_SG_NA_1", "program", 0},
    {126, "F_DR_TA_1", "program", 0},
    {127, "F_SC_NB_1", "program", 0},
}};
// clang-format on

constexpr NumberedNames kUnknown("type_");

}  // namespace

TypeInfo typeInfo(std::uint8_t typeId) {
    // Every type id's entry, by id, built at compile time: a lookup instead of a search.
    static constexpr auto kById = [] {
        std::array<TypeInfo, 256> t{};
        for (unsigned id = 0; id < t.size(); ++id) {
            t[id] = {kUnknown[static_cast<std::uint8_t>(id)], "other", 0, false};
        }
        for (const Row& row : kTypes) t[row.id] = {row.name, row.opClass, row.elementSize};
        return t;
    }();
    return kById[typeId];
}

}  // namespace ironsight::sensor::dissect::iec104
