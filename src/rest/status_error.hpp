// Internal: turns a non-2xx response (the server's Status body) into a typed drsync::Error.
#pragma once

#include <string_view>

#include "drsync/cluster.hpp"
#include "drsync/error.hpp"

namespace drsync::detail {

Error error_from_response(const Response& response, std::string_view what);
Errc errc_for_status(long http_status, std::string_view reason);

}  // namespace drsync::detail
