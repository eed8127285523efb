#include "rest/list_page.hpp"

#include <rapidjson/encodedstream.h>
#include <rapidjson/memorystream.h>
#include <rapidjson/reader.h>

#include <cstdint>
#include <cstring>
#include <string_view>
#include <vector>

namespace drsync::detail {
namespace {

using rapidjson::SizeType;

bool is(const char* s, SizeType n, std::string_view want) {
  return n == want.size() && std::memcmp(s, want.data(), n) == 0;
}

// A SAX handler that forwards every event to a Document except the value of
// items[*].metadata.managedFields, whose key it also drops (the enclosing object's member count
// is corrected on its end).
class WithoutManagedFields {
 public:
  explicit WithoutManagedFields(rapidjson::Document& doc) : doc_(doc) {}

  bool Null() { return skipping_ ? scalar_skipped() : doc_.Null(); }
  bool Bool(bool b) { return skipping_ ? scalar_skipped() : doc_.Bool(b); }
  bool Int(int i) { return skipping_ ? scalar_skipped() : doc_.Int(i); }
  bool Uint(unsigned u) { return skipping_ ? scalar_skipped() : doc_.Uint(u); }
  bool Int64(std::int64_t i) { return skipping_ ? scalar_skipped() : doc_.Int64(i); }
  bool Uint64(std::uint64_t u) { return skipping_ ? scalar_skipped() : doc_.Uint64(u); }
  bool Double(double d) { return skipping_ ? scalar_skipped() : doc_.Double(d); }
  bool RawNumber(const char* s, SizeType n, bool copy) {
    return skipping_ ? scalar_skipped() : doc_.RawNumber(s, n, copy);
  }
  bool String(const char* s, SizeType n, bool copy) {
    return skipping_ ? scalar_skipped() : doc_.String(s, n, copy);
  }
  bool Key(const char* s, SizeType n, bool copy) {
    if (skipping_) return true;
    key_on_path_ = key_continues_path(s, n);
    if (frames_.size() == 4 && frames_.back().on_path && is(s, n, "managedFields")) {
      ++frames_.back().dropped;
      skipping_ = true;
      depth_ = 0;
      return true;
    }
    return doc_.Key(s, n, copy);
  }
  bool StartObject() {
    if (skipping_) return open_skipped();
    open(true);
    return doc_.StartObject();
  }
  bool StartArray() {
    if (skipping_) return open_skipped();
    open(false);
    return doc_.StartArray();
  }
  bool EndObject(SizeType members) {
    if (skipping_) return close_skipped();
    members -= frames_.back().dropped;
    frames_.pop_back();
    return doc_.EndObject(members);
  }
  bool EndArray(SizeType elements) {
    if (skipping_) return close_skipped();
    frames_.pop_back();
    return doc_.EndArray(elements);
  }

 private:
  struct Frame {
    bool object = false;
    bool on_path = false;  // root, its "items", an item, an item's "metadata"
    SizeType dropped = 0;
  };

  // Whether the value of key `s` in the current object is the next step of the path.
  bool key_continues_path(const char* s, SizeType n) const {
    if (frames_.empty() || !frames_.back().on_path) return false;
    if (frames_.size() == 1) return is(s, n, "items");
    return frames_.size() == 3 && is(s, n, "metadata");
  }
  // A container opens: on the path when it is the root, an element of "items", or the value of
  // a key that continues the path.
  void open(bool object) {
    const Frame* parent = frames_.empty() ? nullptr : &frames_.back();
    const bool on_path =
        !parent || (parent->on_path && (parent->object ? key_on_path_ : frames_.size() == 2));
    key_on_path_ = false;
    frames_.push_back(Frame{object, on_path, 0});
  }
  bool scalar_skipped() {
    if (depth_ == 0) skipping_ = false;
    return true;
  }
  bool open_skipped() {
    ++depth_;
    return true;
  }
  bool close_skipped() {
    if (--depth_ == 0) skipping_ = false;
    return true;
  }

  rapidjson::Document& doc_;
  std::vector<Frame> frames_;
  bool key_on_path_ = false;
  bool skipping_ = false;
  int depth_ = 0;  // containers open inside the value being skipped
};

}  // namespace

bool parse_list_page(rapidjson::Document& doc, std::string_view body, bool without_managed_fields) {
  if (!without_managed_fields) {
    doc.Parse(body.data(), body.size());
    return !doc.HasParseError();
  }
  rapidjson::ParseResult result;
  auto generate = [&](rapidjson::Document& d) {
    WithoutManagedFields handler(d);
    rapidjson::MemoryStream bytes(body.data(), body.size());
    rapidjson::EncodedInputStream<rapidjson::UTF8<>, rapidjson::MemoryStream> in(bytes);
    rapidjson::Reader reader;
    result = reader.Parse(in, handler);
    return !result.IsError();
  };
  doc.Populate(generate);
  if (result.IsError()) {
    // Report it the way Document::Parse does: an empty document carrying the error.
    doc.Parse(body.data(), body.size());
    return false;
  }
  return true;
}

}  // namespace drsync::detail
