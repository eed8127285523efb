#include <fmt/format.h>
#include <rapidjson/pointer.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "drsync/error.hpp"
#include "drsync/ledger.hpp"

namespace drsync {
namespace {

using rapidjson::Value;

// A replica count as the peers write it: decimal digits.
bool is_count(std::string_view text) {
  return !text.empty() && text.size() < 10 &&
         text.find_first_not_of("0123456789") == std::string_view::npos;
}

std::string value_text(const Value& v) {
  if (v.IsString()) return {v.GetString(), v.GetStringLength()};
  if (v.IsBool()) return v.GetBool() ? "true" : "false";
  if (v.IsInt64()) return std::to_string(v.GetInt64());
  if (v.IsUint64()) return std::to_string(v.GetUint64());
  if (v.IsDouble()) return std::to_string(static_cast<long long>(v.GetDouble()));
  return {};
}

Value typed_value(ScaleType type, std::string_view text, Object::Allocator& a) {
  switch (type) {
    case ScaleType::Int: {
      char* end = nullptr;
      std::string s(text);
      long long n = std::strtoll(s.c_str(), &end, 10);
      if (s.empty() || *end != '\0')
        throw Error(Errc::invalid_argument, fmt::format("not an integer scale value: {}", s));
      return Value(static_cast<int64_t>(n));
    }
    case ScaleType::Bool:
      if (text != "true" && text != "false") {
        throw Error(Errc::invalid_argument, fmt::format("not a boolean scale value: {}", text));
      }
      return Value(text == "true");
    case ScaleType::String:
      return json_string(text, a);
  }
  return Value();
}

const char* type_name(ScaleType t) {
  return t == ScaleType::Int ? "int" : t == ScaleType::Bool ? "bool" : "string";
}

// The API server's default when the field is absent.
std::string default_value(const ScaleSpec& spec) {
  if (spec.replicas()) return "1";
  if (spec.type == ScaleType::Bool) return "false";
  return "";
}

}  // namespace

ReplicaLedger::ReplicaLedger(std::vector<ScaleSpec> extra) {
  specs_ = {
      {"apps", "Deployment", "/spec/replicas", ScaleType::Int, "0"},
      {"apps", "StatefulSet", "/spec/replicas", ScaleType::Int, "0"},
      {"apps", "ReplicaSet", "/spec/replicas", ScaleType::Int, "0"},
      {"batch", "CronJob", "/spec/suspend", ScaleType::Bool, "true"},
      // A copied Job must not run in the DR copy either (Job suspension, Kubernetes >= 1.24).
      {"batch", "Job", "/spec/suspend", ScaleType::Bool, "true"},
      // A DaemonSet has no scale: its copy gets a nodeSelector no node carries (and runs again
      // when the key is removed, whatever nodeSelector it had).
      {"apps", "DaemonSet", "/spec/template/spec/nodeSelector/drsync.io~1stopped",
       ScaleType::String, "true", true},
  };
  for (auto& s : extra) {
    if (s.path.empty() || s.path.front() != '/') {
      throw Error(Errc::invalid_argument,
                  fmt::format("scale path of {} must be a JSON pointer: {}", s.kind, s.path));
    }
    specs_.push_back(std::move(s));
  }
}

const ScaleSpec* ReplicaLedger::spec_for(std::string_view group,
                                         std::string_view kind) const noexcept {
  for (const auto& s : specs_) {
    if (s.group == group && s.kind == kind) return &s;
  }
  return nullptr;
}

bool ReplicaLedger::is_workload(const Object& obj) const noexcept {
  return spec_for(obj.group(), obj.kind()) != nullptr;
}

std::string ReplicaLedger::live_value(const Object& obj) const {
  const ScaleSpec* spec = spec_for(obj.group(), obj.kind());
  if (spec == nullptr) return {};
  const Value* v = obj.find(spec->path);
  return v ? value_text(*v) : default_value(*spec);
}

std::optional<ScaleValue> ReplicaLedger::recorded(const Object& obj) const {
  const ScaleSpec* spec = spec_for(obj.group(), obj.kind());
  if (spec == nullptr) return std::nullopt;
  if (spec->replicas()) {
    for (const auto& r : kReplicaRecords) {
      bool present = r.label ? obj.has_label(r.key) : obj.has_annotation(r.key);
      std::string_view text = r.label ? obj.label(r.key) : obj.annotation(r.key);
      if (present && is_count(text)) return ScaleValue{std::string(text), r.key};
    }
    return std::nullopt;
  }
  if (!obj.has_annotation(kOriginalValueAnnotation)) return std::nullopt;
  rapidjson::Document d;
  std::string_view text = obj.annotation(kOriginalValueAnnotation);
  d.Parse(text.data(), text.size());
  if (d.HasParseError() || !d.IsObject() || json_str(json_get(d, "path")) != spec->path)
    return std::nullopt;
  const Value* v = json_get(d, "value");
  if (v == nullptr) return std::nullopt;
  return ScaleValue{value_text(*v), kOriginalValueAnnotation};
}

std::string ReplicaLedger::record_keys(const Object& obj) const {
  const ScaleSpec* spec = spec_for(obj.group(), obj.kind());
  if (spec == nullptr) return {};
  if (!spec->replicas()) return fmt::format("annotation {}", kOriginalValueAnnotation);
  std::string out;
  for (const auto& r : kReplicaRecords) {
    out += fmt::format("{}{} {}", out.empty() ? "" : ", ", r.label ? "label" : "annotation", r.key);
  }
  return out;
}

bool ReplicaLedger::is_stopped(const Object& obj) const {
  const ScaleSpec* spec = spec_for(obj.group(), obj.kind());
  return spec != nullptr && live_value(obj) == spec->stopped_value;
}

ScaleValue ReplicaLedger::original(const Object& obj) const {
  // A stopped workload with a record was stopped by a DR tool: its record is the original.
  // Otherwise the live value is the user's own (including a genuine change while active).
  if (is_stopped(obj)) {
    if (auto r = recorded(obj)) return *r;
  }
  const ScaleSpec* spec = spec_for(obj.group(), obj.kind());
  const char* field = spec && spec->replicas() ? "spec.replicas" : "live field";
  return ScaleValue{live_value(obj), field};
}

std::optional<ScaleValue> ReplicaLedger::known_original(const Object& obj) const {
  if (is_stopped(obj) && !recorded(obj)) return std::nullopt;
  return original(obj);
}

void ReplicaLedger::record(Object& obj, const ScaleValue& value) const {
  const ScaleSpec* spec = spec_for(obj.group(), obj.kind());
  if (spec == nullptr) return;
  if (spec->replicas()) {
    obj.set_annotation(kOriginalReplicasAnnotation, value.value);
    return;
  }
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  w.StartObject();
  w.Key("path");
  w.String(spec->path.c_str());
  w.Key("type");
  w.String(type_name(spec->type));
  w.Key("value");
  Object::Allocator scratch;
  typed_value(spec->type, value.value, scratch).Accept(w);
  w.EndObject();
  obj.set_annotation(kOriginalValueAnnotation, buf.GetString());
}

void ReplicaLedger::clear_record(Object& obj) const {
  obj.remove_annotation(kOriginalReplicasAnnotation);
  obj.remove_annotation(kOriginalValueAnnotation);
}

void ReplicaLedger::set_value(Object& obj, std::string_view value) const {
  const ScaleSpec* spec = spec_for(obj.group(), obj.kind());
  if (spec == nullptr) return;
  if (spec->absent_when_empty && value.empty()) {
    rapidjson::Pointer(spec->path.c_str()).Erase(obj.json());
    return;
  }
  rapidjson::Pointer(spec->path.c_str())
      .Set(obj.json(), typed_value(spec->type, value, obj.allocator()), obj.allocator());
}

void ReplicaLedger::keep_live_scale(Object& desired, const Object& live) const {
  const ScaleSpec* spec = spec_for(live.group(), live.kind());
  if (spec == nullptr) return;
  const Value* v = live.find(spec->path);
  if (v) {
    rapidjson::Pointer(spec->path.c_str())
        .Set(desired.json(), Value(*v, desired.allocator()), desired.allocator());
  } else if (spec->absent_when_empty) {
    rapidjson::Pointer(spec->path.c_str()).Erase(desired.json());  // running: no key
  }
}

void ReplicaLedger::set_stopped(Object& obj) const {
  const ScaleSpec* spec = spec_for(obj.group(), obj.kind());
  if (spec != nullptr) set_value(obj, spec->stopped_value);
}

std::string ReplicaLedger::scale_patch(const ScaleSpec& spec, std::string_view value,
                                       const std::optional<ScaleValue>& rec, bool clear) const {
  Object patch;
  auto& a = patch.allocator();
  // JSON merge patch: null removes a field whose running value is its absence.
  Value v = spec.absent_when_empty && value.empty() ? Value(rapidjson::kNullType)
                                                    : typed_value(spec.type, value, a);
  rapidjson::Pointer(spec.path.c_str()).Set(patch.json(), v, a);
  if (rec || clear) {
    Value annotations(rapidjson::kObjectType);
    if (clear) {
      annotations.AddMember(Value(kOriginalReplicasAnnotation, a), Value(rapidjson::kNullType), a);
      annotations.AddMember(Value(kOriginalValueAnnotation, a), Value(rapidjson::kNullType), a);
    }
    if (rec) {
      // Build the annotation on a scratch object of the same kind, then copy it over.
      Object tmp;
      tmp.json().AddMember(
          "apiVersion",
          Value(spec.group.empty() ? "v1" : (spec.group + "/v1").c_str(), tmp.allocator()),
          tmp.allocator());
      tmp.json().AddMember("kind", Value(spec.kind.c_str(), tmp.allocator()), tmp.allocator());
      record(tmp, *rec);
      const Value* anns = tmp.find("/metadata/annotations");
      for (const auto& m : anns->GetObject()) {
        annotations.RemoveMember(m.name.GetString());
        annotations.AddMember(Value(m.name, a), Value(m.value, a), a);
      }
    }
    Value meta(rapidjson::kObjectType);
    meta.AddMember("annotations", annotations, a);
    patch.json().AddMember("metadata", meta, a);
  }
  return patch.to_json();
}

}  // namespace drsync
