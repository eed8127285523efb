// RFC 6902 JSON Patch. Operations run on a scratch copy so that a failing operation (a `test`
// that does not hold, a missing path) leaves the target exactly as it was.
#include <fmt/format.h>

#include <string_view>

#include "drsync/error.hpp"
#include "drsync/transform.hpp"
#include "transform/json_pointer.hpp"
#include "transform/json_util.hpp"
#include "transform/patch_internal.hpp"

namespace drsync {
namespace detail {
namespace {

using rapidjson::Value;

enum class Op { add, remove, replace, move, copy, test };

struct ParsedOp {
  Op op;
  PointerTokens path;
  PointerTokens from;
  const Value* value = nullptr;
};

[[noreturn]] void malformed(rapidjson::SizeType i, const std::string& what) {
  throw Error(Errc::invalid_argument, fmt::format("JSON patch operation {}: {}", i, what));
}

PointerTokens pointer_field(const Value& op, std::string_view key, rapidjson::SizeType i) {
  const Value* v = json_get(op, key);
  if (!v) malformed(i, fmt::format("missing \"{}\"", key));
  if (!v->IsString()) malformed(i, fmt::format("\"{}\" must be a string", key));
  auto tokens = parse_json_pointer(json_str(v));
  if (!tokens) malformed(i, fmt::format("\"{}\" is not a JSON pointer: {}", key, json_str(v)));
  return std::move(*tokens);
}

std::vector<ParsedOp> parse(const Value& patch) {
  if (!patch.IsArray()) throw Error(Errc::invalid_argument, "JSON patch must be an array");
  std::vector<ParsedOp> ops;
  ops.reserve(patch.Size());
  for (rapidjson::SizeType i = 0; i < patch.Size(); ++i) {
    const Value& o = patch[i];
    if (!o.IsObject()) malformed(i, "must be an object");
    const Value* name = json_get(o, "op");
    if (!name || !name->IsString()) malformed(i, "missing \"op\"");
    const std::string_view n = json_str(name);
    ParsedOp p{};
    if (n == "add")
      p.op = Op::add;
    else if (n == "remove")
      p.op = Op::remove;
    else if (n == "replace")
      p.op = Op::replace;
    else if (n == "move")
      p.op = Op::move;
    else if (n == "copy")
      p.op = Op::copy;
    else if (n == "test")
      p.op = Op::test;
    else
      malformed(i, fmt::format("unknown op \"{}\"", n));
    p.path = pointer_field(o, "path", i);
    if (p.op == Op::move || p.op == Op::copy) p.from = pointer_field(o, "from", i);
    if (p.op == Op::add || p.op == Op::replace || p.op == Op::test) {
      p.value = json_get(o, "value");
      if (!p.value) malformed(i, "missing \"value\"");
    }
    ops.push_back(std::move(p));
  }
  return ops;
}

std::string pointer_text(const PointerTokens& t) {
  std::string s;
  for (const auto& tok : t) {
    s += '/';
    for (char c : tok) s += c == '~' ? "~0" : c == '/' ? "~1" : std::string(1, c);
  }
  return s;
}

// The container holding the last token of `path`; nullptr when it does not exist.
Value* parent_of(Value& root, const PointerTokens& path) {
  PointerTokens head(path.begin(), path.end() - 1);
  return resolve(root, head);
}

class Runner {
 public:
  explicit Runner(rapidjson::Document& doc) : doc_(doc), a_(doc.GetAllocator()) {}

  // Empty string on success, else why the operation failed.
  std::string run(const ParsedOp& p) {
    switch (p.op) {
      case Op::add:
        return add(p.path, Value(*p.value, a_));
      case Op::remove:
        return remove(p.path, nullptr);
      case Op::replace: {
        Value* at = resolve(doc_, p.path);
        if (!at) return fmt::format("path {} does not exist", pointer_text(p.path));
        at->CopyFrom(*p.value, a_);
        return {};
      }
      case Op::move: {
        if (p.from == p.path) return resolve(doc_, p.from) ? "" : "from does not exist";
        if (p.path.size() > p.from.size() &&
            std::equal(p.from.begin(), p.from.end(), p.path.begin())) {
          return fmt::format("cannot move {} into its own child", pointer_text(p.from));
        }
        Value taken;
        if (auto err = remove(p.from, &taken); !err.empty()) return err;
        return add(p.path, std::move(taken));
      }
      case Op::copy: {
        const Value* src = resolve(doc_, p.from);
        if (!src) return fmt::format("from {} does not exist", pointer_text(p.from));
        return add(p.path, Value(*src, a_));
      }
      case Op::test: {
        const Value* at = resolve(doc_, p.path);
        if (!at) return fmt::format("test: path {} does not exist", pointer_text(p.path));
        return *at == *p.value ? "" : fmt::format("test failed at {}", pointer_text(p.path));
      }
    }
    return "unknown op";
  }

 private:
  std::string add(const PointerTokens& path, Value v) {
    if (path.empty()) {
      static_cast<Value&>(doc_) = std::move(v);
      return {};
    }
    Value* parent = parent_of(doc_, path);
    const std::string& last = path.back();
    if (parent && parent->IsObject()) {
      if (Value* existing = member(*parent, last)) {
        *existing = std::move(v);
      } else {
        parent->AddMember(Value(last.data(), static_cast<rapidjson::SizeType>(last.size()), a_),
                          std::move(v), a_);
      }
      return {};
    }
    if (parent && parent->IsArray()) {
      const rapidjson::SizeType size = parent->Size();
      auto idx = last == "-" ? std::optional<rapidjson::SizeType>(size) : parse_array_index(last);
      if (!idx || *idx > size) return fmt::format("index {} is out of range", pointer_text(path));
      parent->PushBack(std::move(v), a_);
      for (rapidjson::SizeType i = size; i > *idx; --i) (*parent)[i].Swap((*parent)[i - 1]);
      return {};
    }
    return fmt::format("parent of {} does not exist", pointer_text(path));
  }

  std::string remove(const PointerTokens& path, Value* taken) {
    if (path.empty()) return "cannot remove the whole document";
    Value* parent = parent_of(doc_, path);
    const std::string& last = path.back();
    if (parent && parent->IsObject()) {
      auto it = parent->FindMember(Value(rapidjson::StringRef(last.data(), last.size())));
      if (it != parent->MemberEnd()) {
        if (taken) *taken = std::move(it->value);
        parent->EraseMember(it);
        return {};
      }
    } else if (parent && parent->IsArray()) {
      auto idx = parse_array_index(last);
      if (idx && *idx < parent->Size()) {
        if (taken) *taken = std::move((*parent)[*idx]);
        parent->Erase(parent->Begin() + *idx);
        return {};
      }
    }
    return fmt::format("path {} does not exist", pointer_text(path));
  }

  rapidjson::Document& doc_;
  Object::Allocator& a_;
};

}  // namespace

void validate_json_patch(const rapidjson::Value& patch) {
  parse(patch);
}

JsonPatchResult json_patch(Value& target, const Value& patch, Object::Allocator& a) {
  const std::vector<ParsedOp> ops = parse(patch);
  if (ops.empty()) return {};
  rapidjson::Document scratch;
  scratch.CopyFrom(target, scratch.GetAllocator());
  Runner runner(scratch);
  for (std::size_t i = 0; i < ops.size(); ++i) {
    std::string err = runner.run(ops[i]);
    if (err.empty()) continue;
    const auto status =
        ops[i].op == Op::test ? JsonPatchResult::test_failed : JsonPatchResult::failed;
    return {status, fmt::format("operation {}: {}", i, err)};
  }
  target.CopyFrom(scratch, a);
  return {};
}

}  // namespace detail

bool apply_json_patch(rapidjson::Value& target, const rapidjson::Value& patch,
                      Object::Allocator& a) {
  return detail::json_patch(target, patch, a).status == detail::JsonPatchResult::applied;
}

}  // namespace drsync
