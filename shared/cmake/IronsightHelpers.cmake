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

# A libFuzzer target and its regression replay.
#   ironsight_add_fuzz_target(NAME <name> SOURCE <x_fuzz.cpp> DEPS <libs> CORPUS <dir>)
# With IRONSIGHT_BUILD_FUZZERS (clang, `cmake --preset fuzz`): builds <name>_fuzz linked with
# libFuzzer. Otherwise, with tests on: builds <name>_fuzz_replay (the same entry point behind a plain
# main) and registers the ctest FuzzRegression.<name>, which runs every file of CORPUS (seeds and
# every crasher ever found) through the target, so a fixed crash stays fixed in the normal build.
function(ironsight_add_fuzz_target)
    cmake_parse_arguments(ARG "" "NAME;SOURCE;CORPUS" "DEPS" ${ARGN})
    if(IRONSIGHT_BUILD_FUZZERS)
        add_executable(${ARG_NAME}_fuzz ${ARG_SOURCE})
        target_include_directories(${ARG_NAME}_fuzz PRIVATE ${PROJECT_SOURCE_DIR})
        target_link_libraries(${ARG_NAME}_fuzz PRIVATE ${ARG_DEPS})
        target_link_options(${ARG_NAME}_fuzz PRIVATE -fsanitize=fuzzer)
        set_property(GLOBAL APPEND PROPERTY IRONSIGHT_FUZZ_TARGETS "${ARG_NAME}=${ARG_CORPUS}")
    elseif(IRONSIGHT_BUILD_TESTS)
        add_executable(${ARG_NAME}_fuzz_replay ${ARG_SOURCE} ${PROJECT_SOURCE_DIR}/tests/fuzz/replay_main.cpp)
        target_include_directories(${ARG_NAME}_fuzz_replay PRIVATE ${PROJECT_SOURCE_DIR})
        target_link_libraries(${ARG_NAME}_fuzz_replay PRIVATE ${ARG_DEPS})
        ironsight_set_warnings(${ARG_NAME}_fuzz_replay)
        add_test(NAME FuzzRegression.${ARG_NAME} COMMAND ${ARG_NAME}_fuzz_replay ${ARG_CORPUS})
    endif()
endfunction()
