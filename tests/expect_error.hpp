// Shared by the unit and e2e tests: run something that must fail with a drsync::Error.
#pragma once

#include <catch2/catch.hpp>

#include "drsync/error.hpp"

namespace drsync::test {

// Runs `f`, which must throw a drsync::Error, and returns it.
template <typename F>
Error expect_error(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    return e;
  }
  FAIL("expected a drsync::Error");
  return Error(Errc::internal, "unreachable");
}

}  // namespace drsync::test
