#include "drsync/object.hpp"

#include <fmt/format.h>
#include <rapidjson/error/en.h>
#include <rapidjson/pointer.h>
#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <cstddef>
#include <memory>
#include <string>

#include "core/document.hpp"
#include "drsync/error.hpp"

namespace drsync {

using rapidjson::Value;

std::string_view json_str(const Value* v) noexcept {
  if (v == nullptr || !v->IsString()) return {};
  return {v->GetString(), v->GetStringLength()};
}

const Value* json_get(const Value& v, std::string_view key) noexcept {
  if (!v.IsObject()) return nullptr;
  auto it = v.FindMember(Value(rapidjson::StringRef(key.data(), key.size())));
  return it == v.MemberEnd() ? nullptr : &it->value;
}

Value json_string(std::string_view s, Object::Allocator& a) {
  return Value(s.data(), static_cast<rapidjson::SizeType>(s.size()), a);
}

Object::Object() : doc_(std::make_shared<rapidjson::Document>()) {
  doc_->SetObject();
  value_ = doc_.get();
}

Object::Object(std::shared_ptr<rapidjson::Document> doc, Value* value) noexcept
    : doc_(std::move(doc)), value_(value) {}

Object Object::parse(std::string_view json) {
  auto doc = detail::sized_document(json.size());
  // Not kParseFullPrecisionFlag: RapidJSON 1.1's full-precision path reads "0e91" as -1.06e270
  // (fuzz finding; tests/unit/test_object_yaml.cpp). The default path is exact for integers and
  // within one unit in the last place for the rare double.
  doc->Parse(json.data(), json.size());
  if (doc->HasParseError()) {
    throw Error(Errc::invalid_argument,
                fmt::format("invalid JSON at offset {}: {}", doc->GetErrorOffset(),
                            rapidjson::GetParseError_En(doc->GetParseError())));
  }
  Value* v = doc.get();
  return Object(std::move(doc), v);
}

namespace detail {
namespace {

// A document and the pool it allocates from, owned together.
struct PooledDocument {
  explicit PooledDocument(std::size_t chunk) : pool(chunk), doc(&pool) {}
  Object::Allocator pool;  // declared first: outlives the document that allocates from it
  rapidjson::Document doc;
};

}  // namespace

std::shared_ptr<rapidjson::Document> sized_document(std::size_t json_bytes) {
  constexpr std::size_t kMin = 1024, kMax = 64 * 1024;
  // A parsed DOM takes about twice its text (16-byte values, copied strings).
  auto owner = std::make_shared<PooledDocument>(std::clamp(json_bytes * 2, kMin, kMax));
  return {owner, &owner->doc};  // shares ownership of the pool with the document
}

}  // namespace detail

Object Object::copy_of(const Value& value) {
  auto doc = detail::sized_document();
  doc->CopyFrom(value, doc->GetAllocator());
  Value* v = doc.get();
  return Object(std::move(doc), v);
}

Object Object::clone() const {
  return copy_of(*value_);
}

std::string_view Object::group() const noexcept {
  std::string_view av = api_version();
  auto slash = av.find('/');
  return slash == std::string_view::npos ? std::string_view{} : av.substr(0, slash);
}

std::string_view Object::str_at(const char* key) const noexcept {
  return json_str(json_get(*value_, key));
}

std::string_view Object::meta_str(const char* key) const noexcept {
  const Value* m = json_get(*value_, "metadata");
  return m ? json_str(json_get(*m, key)) : std::string_view{};
}

const Value* Object::meta_map(const char* which) const noexcept {
  const Value* m = json_get(*value_, "metadata");
  return m ? json_get(*m, which) : nullptr;
}

Value& Object::metadata() {
  if (!value_->IsObject()) value_->SetObject();
  auto it = value_->FindMember("metadata");
  if (it == value_->MemberEnd() || !it->value.IsObject()) {
    if (it != value_->MemberEnd()) value_->RemoveMember(it);
    value_->AddMember("metadata", Value(rapidjson::kObjectType), allocator());
    it = value_->FindMember("metadata");
  }
  return it->value;
}

Value& Object::meta_map_mut(const char* which) {
  Value& m = metadata();
  auto it = m.FindMember(which);
  if (it == m.MemberEnd() || !it->value.IsObject()) {
    if (it != m.MemberEnd()) m.RemoveMember(it);
    m.AddMember(Value(which, allocator()), Value(rapidjson::kObjectType), allocator());
    it = m.FindMember(which);
  }
  return it->value;
}

std::string_view Object::label(std::string_view key) const noexcept {
  const Value* m = meta_map("labels");
  return m ? json_str(json_get(*m, key)) : std::string_view{};
}
std::string_view Object::annotation(std::string_view key) const noexcept {
  const Value* m = meta_map("annotations");
  return m ? json_str(json_get(*m, key)) : std::string_view{};
}
bool Object::has_label(std::string_view key) const noexcept {
  const Value* m = meta_map("labels");
  return m && json_get(*m, key) != nullptr;
}
bool Object::has_annotation(std::string_view key) const noexcept {
  const Value* m = meta_map("annotations");
  return m && json_get(*m, key) != nullptr;
}

static void set_member(Value& map, std::string_view key, std::string_view value,
                       Object::Allocator& a) {
  auto it = map.FindMember(Value(rapidjson::StringRef(key.data(), key.size())));
  if (it != map.MemberEnd()) {
    it->value.SetString(value.data(), static_cast<rapidjson::SizeType>(value.size()), a);
  } else {
    map.AddMember(json_string(key, a), json_string(value, a), a);
  }
}

static void remove_member(Value* map, std::string_view key) {
  if (map && map->IsObject())
    map->RemoveMember(Value(rapidjson::StringRef(key.data(), key.size())));
}

void Object::set_label(std::string_view key, std::string_view value) {
  set_member(meta_map_mut("labels"), key, value, allocator());
}
void Object::set_annotation(std::string_view key, std::string_view value) {
  set_member(meta_map_mut("annotations"), key, value, allocator());
}
void Object::remove_label(std::string_view key) {
  remove_member(const_cast<Value*>(meta_map("labels")), key);
}
void Object::remove_annotation(std::string_view key) {
  remove_member(const_cast<Value*>(meta_map("annotations")), key);
}
void Object::set_name(std::string_view name) {
  set_member(metadata(), "name", name, allocator());
}
void Object::set_namespace(std::string_view ns) {
  set_member(metadata(), "namespace", ns, allocator());
}

const Value* Object::find(std::string_view pointer) const {
  rapidjson::Pointer p(pointer.data(), pointer.size());
  if (!p.IsValid()) return nullptr;
  return p.Get(*value_);
}
Value* Object::find(std::string_view pointer) {
  rapidjson::Pointer p(pointer.data(), pointer.size());
  if (!p.IsValid()) return nullptr;
  return p.Get(*value_);
}

namespace {

// RapidJSON's writers stop at a number JSON cannot hold (a double that overflowed to infinity
// while parsing "1e400"): say so instead of returning a truncated document (fuzz finding).
template <typename Writer>
void write_all(const rapidjson::Value& v, Writer& w) {
  if (!v.Accept(w)) {
    throw Error(Errc::invalid_argument,
                "a number is out of the range of JSON numbers (larger than 1.8e308)");
  }
}

}  // namespace

std::string Object::to_json() const {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  write_all(*value_, w);
  return {buf.GetString(), buf.GetSize()};
}

std::string Object::to_pretty_json() const {
  rapidjson::StringBuffer buf;
  rapidjson::PrettyWriter<rapidjson::StringBuffer> w(buf);
  w.SetIndent(' ', 2);
  write_all(*value_, w);
  return {buf.GetString(), buf.GetSize()};
}

}  // namespace drsync
