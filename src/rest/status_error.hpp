// Internal: turns a non-2xx response (the server's Status body) into a typed drsync::Error.
#pragma once

#include <string_view>

#include "drsync/cluster.hpp"
#include "drsync/error.hpp"

namespace drsync::detail {

// `server`, when given, is named in the message of failures that are the server's (429, 5xx),
// together with the number of attempts made when the request was retried.
Error error_from_response(const Response& response, std::string_view what,
                          std::string_view server = {});
Errc errc_for_status(long http_status, std::string_view reason);

}  // namespace drsync::detail
