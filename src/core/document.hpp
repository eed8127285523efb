// Internal: RapidJSON documents whose memory pool fits what they will hold. RapidJSON's default
// pool starts with a 64 KiB chunk: for the 1 KiB object of a watch event or a GET, most of it is
// slack, and a sync holding hundreds of them (a busy continuous sync's pending changes and
// re-reads) held megabytes of it.
#pragma once

#include <rapidjson/document.h>

#include <cstddef>
#include <memory>

namespace drsync::detail {

// A document with a pool of its own whose chunks are sized for parsing `json_bytes` of JSON
// (at least 1 KiB, at most RapidJSON's 64 KiB); 0: small chunks for a copy built piece by piece.
std::shared_ptr<rapidjson::Document> sized_document(std::size_t json_bytes = 0);

}  // namespace drsync::detail
