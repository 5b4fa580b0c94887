# SPDX-License-Identifier: Apache-2.0
# Build helpers: one declarative call per unit (STYLE.md rule 2).

set(IRONSIGHT_WARNINGS -Wall -Wextra -Wpedantic)

function(ironsight_set_warnings target)
    target_compile_options(${target} PRIVATE ${IRONSIGHT_WARNINGS})
    if(IRONSIGHT_WERROR)
        target_compile_options(${target} PRIVATE -Werror)
    endif()
endfunction()

# ironsight_add_library(NAME name SOURCES ... [PUBLIC_DEPS ...] [PRIVATE_DEPS ...])
# Creates static library ironsight_<name> with warnings on and the repository root as include root.
function(ironsight_add_library)
    cmake_parse_arguments(ARG "" "NAME" "SOURCES;PUBLIC_DEPS;PRIVATE_DEPS" ${ARGN})
    set(target ironsight_${ARG_NAME})
    add_library(${target} STATIC ${ARG_SOURCES})
    target_include_directories(${target} PUBLIC ${PROJECT_SOURCE_DIR})
    target_link_libraries(${target} PUBLIC ${ARG_PUBLIC_DEPS} PRIVATE ${ARG_PRIVATE_DEPS})
    ironsight_set_warnings(${target})
endfunction()

# ironsight_add_test(NAME name SOURCES ... DEPS ... [LABELS ...])
# A GoogleTest executable registered with ctest (one ctest entry per test case).
function(ironsight_add_test)
    cmake_parse_arguments(ARG "" "NAME" "SOURCES;DEPS;LABELS" ${ARGN})
    if(NOT IRONSIGHT_BUILD_TESTS)
        return()
    endif()
    set(target ${ARG_NAME})
    add_executable(${target} ${ARG_SOURCES})
    target_include_directories(${target} PRIVATE ${PROJECT_SOURCE_DIR})
    target_link_libraries(${target} PRIVATE ${ARG_DEPS} GTest::gtest GTest::gtest_main)
    target_compile_definitions(${target} PRIVATE
        IRONSIGHT_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
        IRONSIGHT_BINARY_DIR="${PROJECT_BINARY_DIR}")
    ironsight_set_warnings(${target})
    include(GoogleTest)
    gtest_discover_tests(${target} DISCOVERY_TIMEOUT 60 PROPERTIES LABELS "${ARG_LABELS}")
endfunction()
