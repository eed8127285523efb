// Internal: drift — whether a destination object still holds what drsync wrote there. A hand
// edit does not change the content-hash annotation, so the hash alone cannot see it; the object
// an update would write is compared with the live one instead.
#pragma once

#include <rapidjson/document.h>

#include <string>

#include "drsync/ledger.hpp"
#include "drsync/object.hpp"

namespace drsync::detail {

// The body of an update of `live` to `desired`: the live resourceVersion (the precondition),
// the live scale (the ledger's), the fields the destination's controllers allocated.
Object update_body(const Object& desired, const Object& live, const ReplicaLedger& ledger);

// The JSON pointer of the first field of `want` that `have` does not hold ("" when `have`
// contains all of `want`). Objects: every member of `want` (missing empty objects, arrays and
// nulls are equal to absent); arrays: the same length, element by element; scalars: equal.
// Fields the server sets (status, metadata.resourceVersion, uid, generation, managedFields,
// creationTimestamp) are not compared. Fields only `have` has (server defaults) are not drift.
std::string first_difference(const rapidjson::Value& want, const rapidjson::Value& have);

// Where `live` drifted from what a sync to `desired` would write ("" when it did not).
std::string drift(const Object& desired, const Object& live, const ReplicaLedger& ledger);

}  // namespace drsync::detail
