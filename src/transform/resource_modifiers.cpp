// ResourceModifiers: Velero's resource-modifier rules (version v1), parsed strictly up front
// (globs, regexes, pointers and patch data compiled once) and applied per object.
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <initializer_list>
#include <optional>
#include <regex>
#include <sstream>

#include "drsync/error.hpp"
#include "drsync/transform.hpp"
#include "drsync/yaml.hpp"
#include "transform/glob.hpp"
#include "transform/json_pointer.hpp"
#include "transform/json_util.hpp"
#include "transform/modifier_value.hpp"
#include "transform/patch_internal.hpp"

namespace drsync {
namespace {

using rapidjson::Value;

struct LabelRequirement {
  enum class Op { in, not_in, exists, does_not_exist };
  std::string key;
  Op op = Op::exists;
  std::vector<std::string> values;
};

struct MatchRule {
  detail::PointerTokens path;
  std::string raw;  // the value as written
  Object typed;     // the value as Velero reads it (see modifier_value.hpp)
};

enum class PatchKind { json, merge, strategic };

struct Rule {
  detail::Glob group_resource;
  std::optional<std::regex> name_regex;
  std::vector<detail::Glob> namespaces;
  bool has_selector = false;
  std::vector<std::pair<std::string, std::string>> match_labels;
  std::vector<LabelRequirement> expressions;
  std::vector<MatchRule> matches;
  PatchKind kind = PatchKind::json;
  Object json_patch;         // `patches` as one RFC 6902 document (Velero applies them as one)
  std::vector<Object> data;  // parsed patchData of mergePatches / strategicPatches
};

std::string at(const std::string& where, std::string_view key) {
  return where.empty() ? std::string(key) : fmt::format("{}.{}", where, key);
}
std::string at(const std::string& where, std::size_t index) {
  return fmt::format("{}[{}]", where, index);
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// RE2 escapes that std::regex would silently read as literal letters (\pL, \A, \z, \Q...\E) or as
// something else (\1).
std::optional<char> re2_only_escape(std::string_view re) {
  for (std::size_t i = 0; i + 1 < re.size(); ++i) {
    if (re[i] != '\\') continue;
    const char c = re[++i];
    if (c == 'p' || c == 'P' || c == 'A' || c == 'z' || c == 'Q' || c == 'E') return c;
    // \1-\9: a back-reference in ECMAScript (whose compiler overflows on a long number, a fuzz
    // finding), an octal escape in RE2: the two disagree, refuse it.
    if (c >= '1' && c <= '9') return c;
  }
  return std::nullopt;
}

// The largest repetition count `{n}` / `{n,m}` in `re` (digits after a '{', escapes skipped),
// saturated at 100000. RE2 (Velero's engine) refuses counts over 1000; libstdc++'s regex compiler
// overflows a signed integer on long ones (fuzz finding), so they are refused before compiling.
long largest_repeat(std::string_view re) {
  long largest = 0;
  for (std::size_t i = 0; i < re.size(); ++i) {
    if (re[i] == '\\') {
      ++i;
      continue;
    }
    if (re[i] != '{') continue;
    long n = 0;
    for (std::size_t j = i + 1;
         j < re.size() && (std::isdigit(static_cast<unsigned char>(re[j])) || re[j] == ','); ++j) {
      n = re[j] == ',' ? 0 : std::min(100000L, n * 10 + (re[j] - '0'));
      largest = std::max(largest, n);
    }
  }
  return largest;
}

// Strict reader of the YAML tree: every problem names the field, e.g.
// "modifiers.yaml: resourceModifierRules[2].conditions.resourceNameRgx: unknown field".
class Parser {
 public:
  explicit Parser(std::string_view origin) : origin_(origin) {}

  [[noreturn]] void fail(const std::string& field, std::string_view problem) const {
    throw Error(Errc::invalid_argument, fmt::format("{}: {}: {}", origin_, field, problem));
  }

  const Value& map(const Value& v, const std::string& field,
                   std::initializer_list<std::string_view> allowed) const {
    if (!v.IsObject()) fail(field, "must be a map");
    for (const auto& m : v.GetObject()) {
      const std::string_view k = detail::name_of(m.name);
      if (std::find(allowed.begin(), allowed.end(), k) == allowed.end()) {
        fail(at(field, k), "unknown field");
      }
    }
    return v;
  }

  const Value& required(const Value& map, std::string_view key, const std::string& where) const {
    const Value* v = json_get(map, key);
    if (!v || v->IsNull()) fail(at(where, key), "required field is missing");
    return *v;
  }

  std::string string(const Value& v, const std::string& field) const {
    if (!v.IsString()) fail(field, "must be a string");
    return std::string(json_str(&v));
  }

  // Velero's string fields; a YAML number or boolean is taken as its text.
  std::string scalar_text(const Value& v, const std::string& field) const {
    if (v.IsString()) return std::string(json_str(&v));
    if (v.IsNull()) return {};
    if (v.IsBool() || v.IsNumber()) return detail::scalar_text(v);
    fail(field, "must be a string (JSON or YAML text for structured values)");
  }

  // A list (null counts as empty).
  const Value* list(const Value& map, std::string_view key, const std::string& where) const {
    const Value* v = json_get(map, key);
    if (!v || v->IsNull()) return nullptr;
    if (!v->IsArray()) fail(at(where, key), "must be a list");
    return v;
  }

  std::vector<std::string> strings(const Value& map, std::string_view key,
                                   const std::string& where) const {
    std::vector<std::string> out;
    if (const Value* l = list(map, key, where)) {
      for (rapidjson::SizeType i = 0; i < l->Size(); ++i) {
        out.push_back(string((*l)[i], at(at(where, key), i)));
      }
    }
    return out;
  }

  detail::PointerTokens pointer(const Value& v, const std::string& field) const {
    const std::string s = string(v, field);
    if (s.empty()) fail(field, "must not be empty");
    auto tokens = detail::parse_json_pointer(s);
    if (!tokens) fail(field, fmt::format("not a JSON pointer (RFC 6901): \"{}\"", s));
    return std::move(*tokens);
  }

  Object yaml_value(std::string_view text, const std::string& field) const {
    try {
      return parse_yaml(text, "patchData");
    } catch (const Error& e) {
      fail(field, fmt::format("not valid JSON or YAML: {}", e.what()));
    }
  }

  Rule rule(const Value& v, const std::string& where) const {
    map(v, where, {"conditions", "patches", "mergePatches", "strategicPatches"});
    Rule r;
    conditions(required(v, "conditions", where), at(where, "conditions"), r);
    const Value* patches = list(v, "patches", where);
    const Value* merges = list(v, "mergePatches", where);
    const Value* strategic = list(v, "strategicPatches", where);
    const int kinds = (patches && !patches->Empty()) + (merges && !merges->Empty()) +
                      (strategic && !strategic->Empty());
    if (kinds > 1)
      fail(where, "only one of patches, mergePatches, strategicPatches can be specified");
    if (kinds == 0) fail(where, "one of patches, mergePatches or strategicPatches is required");
    if (patches && !patches->Empty()) {
      r.kind = PatchKind::json;
      json_ops(*patches, at(where, "patches"), r);
    } else {
      r.kind = merges && !merges->Empty() ? PatchKind::merge : PatchKind::strategic;
      const Value& l = r.kind == PatchKind::merge ? *merges : *strategic;
      const std::string field =
          at(where, r.kind == PatchKind::merge ? "mergePatches" : "strategicPatches");
      for (rapidjson::SizeType i = 0; i < l.Size(); ++i) {
        const std::string f = at(field, i);
        map(l[i], f, {"patchData"});
        const std::string data = string(required(l[i], "patchData", f), at(f, "patchData"));
        Object parsed = yaml_value(data, at(f, "patchData"));
        if (!parsed.json().IsObject()) fail(at(f, "patchData"), "must be a map");
        r.data.push_back(std::move(parsed));
      }
    }
    return r;
  }

 private:
  void conditions(const Value& v, const std::string& where, Rule& r) const {
    map(v, where, {"groupResource", "resourceNameRegex", "namespaces", "labelSelector", "matches"});
    const std::string gr = string(required(v, "groupResource", where), at(where, "groupResource"));
    if (gr.empty()) fail(at(where, "groupResource"), "must not be empty");
    r.group_resource = glob(gr, '.', at(where, "groupResource"));
    if (const Value* re = json_get(v, "resourceNameRegex"); re && !re->IsNull()) {
      const std::string field = at(where, "resourceNameRegex");
      const std::string s = string(*re, field);
      if (auto esc = re2_only_escape(s)) {
        fail(field, fmt::format("RE2 escape \\{} is not supported (ECMAScript regex)", *esc));
      }
      if (largest_repeat(s) > 1000) fail(field, "repeat count over 1000 (as RE2 refuses)");
      try {
        if (!s.empty()) r.name_regex.emplace(s, std::regex::ECMAScript | std::regex::optimize);
      } catch (const std::regex_error& e) {
        fail(field, fmt::format("invalid regular expression: {}", e.what()));
      }
    }
    const std::vector<std::string> nss = strings(v, "namespaces", where);
    for (std::size_t i = 0; i < nss.size(); ++i) {
      r.namespaces.push_back(glob(nss[i], '\0', at(at(where, "namespaces"), i)));
    }
    if (const Value* sel = json_get(v, "labelSelector"); sel && !sel->IsNull()) {
      label_selector(*sel, at(where, "labelSelector"), r);
    }
    if (const Value* l = list(v, "matches", where)) {
      for (rapidjson::SizeType i = 0; i < l->Size(); ++i) {
        const std::string f = at(at(where, "matches"), i);
        map((*l)[i], f, {"path", "value"});
        MatchRule m;
        m.path = pointer(required((*l)[i], "path", f), at(f, "path"));
        if (const Value* val = json_get((*l)[i], "value"))
          m.raw = scalar_text(*val, at(f, "value"));
        m.typed = typed(m.raw, at(f, "value"));
        r.matches.push_back(std::move(m));
      }
    }
  }

  void label_selector(const Value& v, const std::string& where, Rule& r) const {
    map(v, where, {"matchLabels", "matchExpressions"});
    r.has_selector = true;
    if (const Value* ml = json_get(v, "matchLabels"); ml && !ml->IsNull()) {
      if (!ml->IsObject()) fail(at(where, "matchLabels"), "must be a map");
      for (const auto& m : ml->GetObject()) {
        const std::string k(detail::name_of(m.name));
        r.match_labels.emplace_back(k, string(m.value, at(at(where, "matchLabels"), k)));
      }
    }
    const Value* exprs = list(v, "matchExpressions", where);
    if (!exprs) return;
    for (rapidjson::SizeType i = 0; i < exprs->Size(); ++i) {
      const std::string f = at(at(where, "matchExpressions"), i);
      const Value& e = map((*exprs)[i], f, {"key", "operator", "values"});
      LabelRequirement req;
      req.key = string(required(e, "key", f), at(f, "key"));
      const std::string op = string(required(e, "operator", f), at(f, "operator"));
      if (op == "In")
        req.op = LabelRequirement::Op::in;
      else if (op == "NotIn")
        req.op = LabelRequirement::Op::not_in;
      else if (op == "Exists")
        req.op = LabelRequirement::Op::exists;
      else if (op == "DoesNotExist")
        req.op = LabelRequirement::Op::does_not_exist;
      else
        fail(at(f, "operator"),
             fmt::format("must be In, NotIn, Exists or DoesNotExist, not \"{}\"", op));
      req.values = strings(e, "values", f);
      const bool set_op =
          req.op == LabelRequirement::Op::in || req.op == LabelRequirement::Op::not_in;
      if (set_op && req.values.empty()) {
        fail(at(f, "values"), fmt::format("must not be empty for {}", op));
      }
      if (!set_op && !req.values.empty()) {
        fail(at(f, "values"), fmt::format("must be empty for {}", op));
      }
      r.expressions.push_back(std::move(req));
    }
  }

  void json_ops(const Value& l, const std::string& where, Rule& r) const {
    Value& ops = r.json_patch.json();
    Object::Allocator& a = r.json_patch.allocator();
    ops.SetArray();
    for (rapidjson::SizeType i = 0; i < l.Size(); ++i) {
      const std::string f = at(where, i);
      const Value& p = map(l[i], f, {"operation", "path", "from", "value"});
      const std::string op = lower(string(required(p, "operation", f), at(f, "operation")));
      if (op != "add" && op != "remove" && op != "replace" && op != "move" && op != "copy" &&
          op != "test") {
        fail(at(f, "operation"),
             fmt::format("unsupported operation \"{}\" (add, remove, replace, move, copy, test)",
                         op));
      }
      Value o(rapidjson::kObjectType);
      o.AddMember("op", json_string(op, a), a);
      const std::string path = string(required(p, "path", f), at(f, "path"));
      pointer(required(p, "path", f), at(f, "path"));
      o.AddMember("path", json_string(path, a), a);
      if (op == "move" || op == "copy") {
        const Value& from = required(p, "from", f);
        pointer(from, at(f, "from"));
        o.AddMember("from", json_string(json_str(&from), a), a);
      }
      if (op == "add" || op == "replace" || op == "test") {
        const Value* val = json_get(p, "value");
        if (!val) fail(at(f, "value"), "required field is missing");
        Object v = typed(scalar_text(*val, at(f, "value")), at(f, "value"));
        o.AddMember("value", Value(v.json(), a), a);
      }
      ops.PushBack(std::move(o), a);
    }
    detail::validate_json_patch(ops);
  }

  Object typed(const std::string& raw, const std::string& field) const {
    try {
      return detail::modifier_value(raw);
    } catch (const Error& e) {
      fail(field, e.what());
    }
  }

  detail::Glob glob(const std::string& pattern, char sep, const std::string& field) const {
    try {
      return detail::Glob::compile(pattern, sep);
    } catch (const Error& e) {
      fail(field, fmt::format("invalid glob: {}", e.what()));
    }
  }

  std::string origin_;
};

bool selector_matches(const Rule& r, const Object& obj) {
  const Value* meta = json_get(obj.json(), "metadata");
  const Value* labels = meta ? json_get(*meta, "labels") : nullptr;
  auto label = [labels](const std::string& key) -> const Value* {
    return labels ? json_get(*labels, key) : nullptr;
  };
  for (const auto& [k, v] : r.match_labels) {
    const Value* have = label(k);
    if (!have || json_str(have) != v) return false;
  }
  for (const auto& e : r.expressions) {
    const Value* have = label(e.key);
    const bool listed =
        have && std::find(e.values.begin(), e.values.end(), json_str(have)) != e.values.end();
    switch (e.op) {
      case LabelRequirement::Op::in:
        if (!listed) return false;
        break;
      case LabelRequirement::Op::not_in:
        if (listed) return false;
        break;
      case LabelRequirement::Op::exists:
        if (!have) return false;
        break;
      case LabelRequirement::Op::does_not_exist:
        if (have) return false;
        break;
    }
  }
  return true;
}

// Velero turns each match into a `test` operation; a scalar whose text equals the value as
// written also matches (so "3" matches both 3 and "3").
bool match_holds(const MatchRule& m, const Object& obj) {
  const Value* target = detail::resolve(obj.json(), m.path);
  if (!target) return false;
  if (*target == m.typed.json()) return true;
  if (target->IsObject() || target->IsArray()) return false;
  return (target->IsString() ? std::string(json_str(target)) : detail::scalar_text(*target)) ==
         m.raw;
}

bool rule_matches(const Rule& r, const Object& obj, std::string_view group_resource,
                  std::string_view ns) {
  // Velero only applies `namespaces` to namespaced objects.
  if (!ns.empty() && !r.namespaces.empty() &&
      std::none_of(r.namespaces.begin(), r.namespaces.end(),
                   [ns](const detail::Glob& g) { return g.match(ns); })) {
    return false;
  }
  if (!r.group_resource.match(group_resource)) return false;
  if (r.name_regex) {
    const std::string_view name = obj.name();
    if (!std::regex_search(name.begin(), name.end(), *r.name_regex)) return false;
  }
  if (r.has_selector && !selector_matches(r, obj)) return false;
  return std::all_of(r.matches.begin(), r.matches.end(),
                     [&obj](const MatchRule& m) { return match_holds(m, obj); });
}

}  // namespace

struct ResourceModifiers::Impl {
  std::string origin;
  std::vector<Rule> rules;
};

ResourceModifiers::ResourceModifiers() : impl_(std::make_unique<Impl>()) {}
ResourceModifiers::~ResourceModifiers() = default;
ResourceModifiers::ResourceModifiers(ResourceModifiers&&) noexcept = default;
ResourceModifiers& ResourceModifiers::operator=(ResourceModifiers&&) noexcept = default;

std::size_t ResourceModifiers::size() const noexcept {
  return impl_ ? impl_->rules.size() : 0;
}

ResourceModifiers ResourceModifiers::parse(std::string_view yaml, std::string_view origin) {
  const Parser p(origin);
  const Object doc = parse_yaml(yaml, origin);
  if (!doc.json().IsObject()) p.fail("(top level)", "must be a map");
  const Value& root = p.map(doc.json(), "", {"version", "resourceModifierRules"});
  const std::string version = p.string(p.required(root, "version", ""), "version");
  if (lower(version) != "v1")
    p.fail("version", fmt::format("unsupported version \"{}\" (want v1)", version));
  const Value* rules = p.list(root, "resourceModifierRules", "");
  if (!rules || rules->Empty()) p.fail("resourceModifierRules", "must list at least one rule");

  ResourceModifiers out;
  out.impl_->origin = std::string(origin);
  for (rapidjson::SizeType i = 0; i < rules->Size(); ++i) {
    out.impl_->rules.push_back(p.rule((*rules)[i], at("resourceModifierRules", i)));
  }
  return out;
}

ResourceModifiers ResourceModifiers::load_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw Error(Errc::invalid_argument,
                fmt::format("{}: cannot read resource modifiers file", path));
  }
  std::ostringstream text;
  text << in.rdbuf();
  return parse(text.str(), path);
}

int ResourceModifiers::apply(Object& obj, std::string_view group_resource,
                             std::string_view namespace_) const {
  if (!impl_ || impl_->rules.empty()) return 0;
  const auto& rules = impl_->rules;
  // Velero evaluates every rule's conditions on the object as it was before any rule patched it.
  std::vector<bool> matched(rules.size());
  for (std::size_t i = 0; i < rules.size(); ++i) {
    matched[i] = rule_matches(rules[i], obj, group_resource, namespace_);
  }
  int count = 0;
  for (std::size_t i = 0; i < rules.size(); ++i) {
    if (!matched[i]) continue;
    ++count;
    const Rule& r = rules[i];
    const std::string where = fmt::format("{}: {}", impl_->origin, at("resourceModifierRules", i));
    try {
      if (r.kind == PatchKind::json) {
        const auto res = detail::json_patch(obj.json(), r.json_patch.json(), obj.allocator());
        // A failed `test` is Velero's conditional patch: the rule is skipped, not an error.
        if (res.status == detail::JsonPatchResult::failed) {
          throw Error(Errc::invalid_argument, res.message);
        }
      } else if (r.kind == PatchKind::merge) {
        for (const Object& d : r.data) apply_merge_patch(obj.json(), d.json(), obj.allocator());
      } else {
        const std::string kind(obj.kind());
        for (const Object& d : r.data) {
          apply_strategic_merge_patch(obj.json(), d.json(), kind, obj.allocator());
        }
      }
    } catch (const Error& e) {
      throw Error(Errc::invalid_argument, fmt::format("{}: cannot patch {} {}: {}", where,
                                                      obj.kind(), obj.name(), e.what()));
    }
  }
  return count;
}

}  // namespace drsync
