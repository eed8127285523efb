#include "sync/diff.hpp"

#include <sstream>
#include <vector>

#include "drsync/yaml.hpp"

namespace drsync::detail {
namespace {

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

void mask_map(rapidjson::Value& map, const rapidjson::Value* other, Object::Allocator& a) {
  if (!map.IsObject()) return;
  for (auto& m : map.GetObject()) {
    const rapidjson::Value* theirs =
        other ? json_get(*other, std::string_view(m.name.GetString(), m.name.GetStringLength()))
              : nullptr;
    bool changed = other != nullptr && (theirs == nullptr || *theirs != m.value);
    m.value.SetString(changed ? "<redacted, changed>" : "<redacted>", a);
  }
}

}  // namespace

Object masked_for_display(const Object& obj, const Object* other) {
  Object copy = obj.clone();
  if (copy.kind() == "Secret") {
    for (const char* field : {"data", "stringData"}) {
      auto it = copy.json().FindMember(field);
      if (it == copy.json().MemberEnd()) continue;
      const rapidjson::Value* theirs = other ? json_get(other->json(), field) : nullptr;
      mask_map(it->value, theirs, copy.allocator());
    }
  }
  return copy;
}

std::string unified_diff(const Object* live, const Object& desired, const std::string& label) {
  std::vector<std::string> a = live ? lines_of(to_yaml(masked_for_display(*live, nullptr).json()))
                                    : std::vector<std::string>{};
  std::vector<std::string> b = lines_of(to_yaml(masked_for_display(desired, live).json()));
  // LCS table: objects are small (hundreds of lines), so O(n*m) is fine.
  size_t n = a.size(), m = b.size();
  std::vector<std::vector<int>> lcs(n + 1, std::vector<int>(m + 1, 0));
  for (size_t i = n; i-- > 0;) {
    for (size_t j = m; j-- > 0;) {
      lcs[i][j] = a[i] == b[j] ? lcs[i + 1][j + 1] + 1 : std::max(lcs[i + 1][j], lcs[i][j + 1]);
    }
  }
  struct Line {
    char op;
    std::string text;
  };
  std::vector<Line> script;
  size_t i = 0, j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] == b[j]) {
      script.push_back({' ', a[i]});
      ++i, ++j;
    } else if (j < m && (i == n || lcs[i][j + 1] >= lcs[i + 1][j])) {
      script.push_back({'+', b[j++]});
    } else {
      script.push_back({'-', a[i++]});
    }
  }
  // Hunks with 3 lines of context.
  std::ostringstream out;
  out << "--- live/" << label << "\n+++ desired/" << label << "\n";
  const size_t ctx = 3;
  size_t k = 0;
  bool any = false;
  while (k < script.size()) {
    if (script[k].op == ' ') {
      ++k;
      continue;
    }
    size_t start = k >= ctx ? k - ctx : 0;
    size_t end = k;
    // Extend while changes are within 2*ctx of each other.
    size_t last_change = k;
    while (end < script.size()) {
      if (script[end].op != ' ') last_change = end;
      if (end - last_change > 2 * ctx) break;
      ++end;
    }
    end = std::min(script.size(), last_change + ctx + 1);
    size_t a_start = 0, b_start = 0, a_len = 0, b_len = 0;
    for (size_t x = 0; x < start; ++x) {
      if (script[x].op != '+') ++a_start;
      if (script[x].op != '-') ++b_start;
    }
    for (size_t x = start; x < end; ++x) {
      if (script[x].op != '+') ++a_len;
      if (script[x].op != '-') ++b_len;
    }
    out << "@@ -" << (a_len ? a_start + 1 : a_start) << "," << a_len << " +"
        << (b_len ? b_start + 1 : b_start) << "," << b_len << " @@\n";
    for (size_t x = start; x < end; ++x) out << script[x].op << script[x].text << "\n";
    any = true;
    k = end;
  }
  return any ? out.str() : std::string();
}

}  // namespace drsync::detail
