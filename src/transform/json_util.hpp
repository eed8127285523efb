// Small helpers for editing RapidJSON objects in place (internal to src/transform).
#pragma once

#include <rapidjson/document.h>

#include <string_view>

#include "drsync/object.hpp"

namespace drsync::detail {

inline rapidjson::Value key_ref(std::string_view key) {
  return rapidjson::Value(rapidjson::StringRef(key.data(), key.size()));
}

inline std::string_view name_of(const rapidjson::Value& v) {
  return {v.GetString(), v.GetStringLength()};
}

// The member `key` of `v` (nullptr when `v` is not an object or has no such member).
inline rapidjson::Value* member(rapidjson::Value& v, std::string_view key) {
  if (!v.IsObject()) return nullptr;
  auto it = v.FindMember(key_ref(key));
  return it == v.MemberEnd() ? nullptr : &it->value;
}

// The member `key` when it is an object / an array, else nullptr.
inline rapidjson::Value* object_member(rapidjson::Value& v, std::string_view key) {
  rapidjson::Value* m = member(v, key);
  return m && m->IsObject() ? m : nullptr;
}
inline rapidjson::Value* array_member(rapidjson::Value& v, std::string_view key) {
  rapidjson::Value* m = member(v, key);
  return m && m->IsArray() ? m : nullptr;
}

// Removes `key` keeping the other members' order (EraseMember, not RemoveMember, which
// reorders); returns whether it was there.
inline bool erase_member(rapidjson::Value& v, std::string_view key) {
  if (!v.IsObject()) return false;
  auto it = v.FindMember(key_ref(key));
  if (it == v.MemberEnd()) return false;
  v.EraseMember(it);
  return true;
}

// Removes `key` when its value is an empty object (an emptied labels/annotations map).
inline void erase_if_empty_object(rapidjson::Value& v, std::string_view key) {
  rapidjson::Value* m = member(v, key);
  if (m && m->IsObject() && m->MemberCount() == 0) erase_member(v, key);
}

// Sets `key` to a string value, adding the member when absent.
inline void set_string(rapidjson::Value& v, std::string_view key, std::string_view value,
                       Object::Allocator& a) {
  if (rapidjson::Value* m = member(v, key)) {
    m->SetString(value.data(), static_cast<rapidjson::SizeType>(value.size()), a);
  } else {
    v.AddMember(json_string(key, a), json_string(value, a), a);
  }
}

}  // namespace drsync::detail
