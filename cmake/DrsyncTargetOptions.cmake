# drsync_target_options(<target>): the project's compiler flags, set on one target (never globally,
# so nothing leaks into a parent project that adds libdrsync with add_subdirectory/FetchContent,
# and nothing of it reaches consumers: everything here is PRIVATE).
#
#   warnings:    -Wall -Wextra -Wpedantic, plus -Werror with DRSYNC_WERROR
#   sanitizers:  DRSYNC_ASAN (ASan + UBSan) or DRSYNC_TSAN, at compile and link time (scripts/test
#                --sanitize address|thread, docs/reliability.md); DRSYNC_FUZZ
#                (clang: ASan + UBSan + libFuzzer's coverage instrumentation, tests/fuzz)
#   language:    no compiler extensions (the standard itself comes from target_compile_features:
#                cxx_std_20 is PUBLIC on the library, so every C++ target linking it gets C++20)
#
# Every target of the project calls it: the library's objects, the tests, the benchmarks, the
# examples and the CLI.
function(drsync_target_options target)
  set(warnings -Wall -Wextra -Wpedantic)
  if(DRSYNC_WERROR)
    list(APPEND warnings -Werror)
  endif()
  set(sanitize "")
  if(DRSYNC_ASAN AND DRSYNC_TSAN)
    message(FATAL_ERROR "DRSYNC_ASAN and DRSYNC_TSAN cannot be combined")
  elseif(DRSYNC_FUZZ)
    # pointer-overflow stays recoverable so tests/fuzz/ubsan.supp can name RapidJSON's own.
    set(sanitize -fsanitize=address,undefined,fuzzer-no-link -fno-sanitize-recover=undefined
                 -fsanitize-recover=pointer-overflow -fno-omit-frame-pointer)
  elseif(DRSYNC_ASAN)
    # Undefined behaviour is fatal, like ASan's own reports (scripts/test --sanitize address).
    set(sanitize -fsanitize=address,undefined -fno-sanitize-recover=undefined
                 -fno-omit-frame-pointer)
  elseif(DRSYNC_TSAN)
    set(sanitize -fsanitize=thread -fno-omit-frame-pointer)
  endif()
  if((DRSYNC_ASAN OR DRSYNC_TSAN) AND CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    # GCC's flow analysis is unreliable under its sanitizers' instrumentation (GCC manual,
    # -fsanitize): with -Werror, GCC 12 fails on std::regex's own std::function moves.
    list(APPEND warnings -Wno-maybe-uninitialized)
  endif()
  target_compile_options(${target} PRIVATE ${warnings} ${sanitize})
  get_target_property(type ${target} TYPE)
  if(sanitize AND NOT type STREQUAL "OBJECT_LIBRARY" AND NOT type STREQUAL "STATIC_LIBRARY")
    target_link_options(${target} PRIVATE ${sanitize})
  endif()
  set_target_properties(${target} PROPERTIES C_EXTENSIONS OFF CXX_EXTENSIONS OFF)
endfunction()
