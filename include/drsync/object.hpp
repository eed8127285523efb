// drsync::Object: one Kubernetes object as a RapidJSON document, with cheap accessors.
//
// An Object owns (or shares, for the items of one LIST response) a rapidjson::Document and points
// at one value in it. It is move-only; clone() makes an independent deep copy. Items of one
// ObjectList share the list's document: read them from any thread, but clone() an item before
// mutating it concurrently with other items (they share one allocator).
#pragma once

#include <rapidjson/document.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "drsync/export.hpp"

namespace drsync {

class DRSYNC_API Object {
 public:
  using Allocator = rapidjson::Document::AllocatorType;

  Object();  // an empty JSON object {}
  // Parses JSON text; throws Error(Errc::invalid_argument) naming the offset on bad input.
  static Object parse(std::string_view json);
  // Deep copy of a value into a new, independent document.
  static Object copy_of(const rapidjson::Value& value);
  // A view of `value` inside a shared document (used by lists; no copy).
  Object(std::shared_ptr<rapidjson::Document> doc, rapidjson::Value* value) noexcept;

  Object(Object&&) noexcept = default;
  Object& operator=(Object&&) noexcept = default;
  Object(const Object&) = delete;
  Object& operator=(const Object&) = delete;
  Object clone() const;

  rapidjson::Value& json() noexcept { return *value_; }
  const rapidjson::Value& json() const noexcept { return *value_; }
  Allocator& allocator() noexcept { return doc_->GetAllocator(); }

  std::string_view api_version() const noexcept { return str_at("apiVersion"); }
  std::string_view kind() const noexcept { return str_at("kind"); }
  std::string_view name() const noexcept { return meta_str("name"); }
  std::string_view namespace_() const noexcept { return meta_str("namespace"); }
  std::string_view resource_version() const noexcept { return meta_str("resourceVersion"); }
  std::string_view uid() const noexcept { return meta_str("uid"); }
  // "apps" for "apps/v1", "" for "v1".
  std::string_view group() const noexcept;

  // Label / annotation lookups; empty string_view when absent (use has_* to distinguish).
  std::string_view label(std::string_view key) const noexcept;
  std::string_view annotation(std::string_view key) const noexcept;
  bool has_label(std::string_view key) const noexcept;
  bool has_annotation(std::string_view key) const noexcept;
  void set_label(std::string_view key, std::string_view value);
  void set_annotation(std::string_view key, std::string_view value);
  void remove_label(std::string_view key);
  void remove_annotation(std::string_view key);
  void set_name(std::string_view name);
  void set_namespace(std::string_view ns);

  // RFC 6901 JSON pointer lookup ("/spec/replicas"); nullptr when absent or malformed.
  const rapidjson::Value* find(std::string_view pointer) const;
  rapidjson::Value* find(std::string_view pointer);
  // metadata, created on demand.
  rapidjson::Value& metadata();

  std::string to_json() const;
  std::string to_pretty_json() const;

 private:
  std::string_view str_at(const char* key) const noexcept;
  std::string_view meta_str(const char* key) const noexcept;
  const rapidjson::Value* meta_map(const char* which) const noexcept;
  rapidjson::Value& meta_map_mut(const char* which);

  std::shared_ptr<rapidjson::Document> doc_;
  rapidjson::Value* value_;
};

// The items of a LIST (all pages), plus the list's resourceVersion for a following WATCH.
struct ObjectList {
  std::string resource_version;
  std::vector<Object> items;
  int pages = 0;
};

// Helpers for reading JSON values without boilerplate.
DRSYNC_API std::string_view json_str(const rapidjson::Value* v) noexcept;
DRSYNC_API const rapidjson::Value* json_get(const rapidjson::Value& v,
                                            std::string_view key) noexcept;
DRSYNC_API rapidjson::Value json_string(std::string_view s, Object::Allocator& a);

}  // namespace drsync
