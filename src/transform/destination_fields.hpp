// Internal: what the destination owns on an update of an object that already exists there —
// fields its API server or controllers allocated (a Service's clusterIP, a claim's volumeName, a
// Job's generated selector, a ServiceAccount's token Secrets) and that the transforms of that kind
// removed from the desired object. One function per kind, next to that kind's transform; one
// table (destination_fields.cpp) dispatches by kind.
#pragma once

#include <string>
#include <string_view>

#include "drsync/object.hpp"

namespace drsync::detail {

// Puts the destination-owned fields of `live` into `desired` (by kind; other kinds: nothing).
void keep_destination_fields(Object& desired, const Object& live);

void keep_service_fields(Object& desired, const Object& live);          // service.cpp
void keep_claim_fields(Object& desired, const Object& live);            // pvc.cpp
void keep_job_fields(Object& desired, const Object& live);              // job.cpp
void keep_service_account_fields(Object& desired, const Object& live);  // service_account.cpp

// The `default` ServiceAccount of a namespace is created by the destination itself: drsync merges
// the source's labels, annotations, imagePullSecrets and automountServiceAccountToken into it and
// never replaces it (service_account.cpp).
bool is_merged_not_replaced(std::string_view group_resource, std::string_view name);
// The JSON merge patch that merges `desired` into the live default ServiceAccount.
std::string default_service_account_patch(const Object& desired);

// Copies the value at JSON `pointer` of `from` into `to` (nothing when `from` has none).
void copy_pointer(Object& to, const Object& from, const char* pointer);

}  // namespace drsync::detail
