#include "transform/json_pointer.hpp"

#include <limits>

namespace drsync::detail {

std::optional<PointerTokens> parse_json_pointer(std::string_view pointer) {
  PointerTokens tokens;
  if (pointer.empty()) return tokens;
  if (pointer.front() != '/') return std::nullopt;
  std::string token;
  for (std::size_t i = 1; i <= pointer.size(); ++i) {
    if (i == pointer.size() || pointer[i] == '/') {
      tokens.push_back(std::move(token));
      token.clear();
    } else if (pointer[i] == '~') {
      if (i + 1 >= pointer.size() || (pointer[i + 1] != '0' && pointer[i + 1] != '1')) {
        return std::nullopt;
      }
      token.push_back(pointer[++i] == '0' ? '~' : '/');
    } else {
      token.push_back(pointer[i]);
    }
  }
  return tokens;
}

std::optional<rapidjson::SizeType> parse_array_index(std::string_view token) noexcept {
  if (token.empty() || (token.size() > 1 && token[0] == '0')) return std::nullopt;
  std::uint64_t n = 0;
  for (char c : token) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + static_cast<std::uint64_t>(c - '0');
    if (n > std::numeric_limits<rapidjson::SizeType>::max()) return std::nullopt;
  }
  return static_cast<rapidjson::SizeType>(n);
}

rapidjson::Value* resolve(rapidjson::Value& root, const PointerTokens& tokens) {
  rapidjson::Value* cur = &root;
  for (const std::string& t : tokens) {
    if (cur->IsObject()) {
      auto it = cur->FindMember(rapidjson::Value(rapidjson::StringRef(t.data(), t.size())));
      if (it == cur->MemberEnd()) return nullptr;
      cur = &it->value;
    } else if (cur->IsArray()) {
      auto idx = parse_array_index(t);
      if (!idx || *idx >= cur->Size()) return nullptr;
      cur = &(*cur)[*idx];
    } else {
      return nullptr;
    }
  }
  return cur;
}

const rapidjson::Value* resolve(const rapidjson::Value& root, const PointerTokens& tokens) {
  return resolve(const_cast<rapidjson::Value&>(root), tokens);
}

}  // namespace drsync::detail
