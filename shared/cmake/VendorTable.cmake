# SPDX-License-Identifier: Apache-2.0
# cmake -DTSV=<vendors.tsv> -DOUT=<table.cpp> -DSYMBOL=<name> -P VendorTable.cmake
# Compiles a resources/vendors/*.tsv registry (id<TAB>name, '#' comments) into a sorted C++ array
# of ironsight::sensor::dissect::VendorEntry, so the sensor needs no data file at run time.
file(STRINGS "${TSV}" lines ENCODING UTF-8)
set(entries "")
set(count 0)
foreach(line IN LISTS lines)
    if(line MATCHES "^#" OR line STREQUAL "")
        continue()
    endif()
    if(NOT line MATCHES "^([0-9]+)\t(.+)$")
        message(FATAL_ERROR "${TSV}: malformed line: ${line}")
    endif()
    set(id ${CMAKE_MATCH_1})
    set(name "${CMAKE_MATCH_2}")
    string(REPLACE "\\" "\\\\" name "${name}")
    string(REPLACE "\"" "\\\"" name "${name}")
    string(APPEND entries "    {${id}u, \"${name}\"},\n")
    math(EXPR count "${count} + 1")
endforeach()
file(WRITE "${OUT}.tmp" "// Generated from ${TSV} by shared/cmake/VendorTable.cmake: do not edit.
#include <cstddef>

#include \"sensor-agent/dissect/core/vendor_table.h\"

namespace ironsight::sensor::dissect {
extern const VendorEntry ${SYMBOL}[];
extern const std::size_t ${SYMBOL}Count;
const VendorEntry ${SYMBOL}[] = {
${entries}};
const std::size_t ${SYMBOL}Count = ${count};
}  // namespace ironsight::sensor::dissect
")
file(COPY_FILE "${OUT}.tmp" "${OUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUT}.tmp")
