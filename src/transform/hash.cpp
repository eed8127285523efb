// canonical_json and content_hash: the form of an object that the diff step compares and that the
// drsync.io/content-hash annotation records.
#include <openssl/evp.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <memory>
#include <vector>

#include "drsync/error.hpp"
#include "drsync/transform.hpp"

namespace drsync {
namespace {

using rapidjson::Value;

constexpr std::string_view kHashAnnotation = "drsync.io/content-hash";

// Where the walk is relative to metadata.annotations, the one place content_hash skips a key.
enum class Level { none, root, metadata, annotations };

std::string_view sv(const Value& s) {
  return {s.GetString(), s.GetStringLength()};
}

bool name_less(const Value::Member* a, const Value::Member* b) {
  return sv(a->name) < sv(b->name);  // byte order (std::char_traits<char> compares as unsigned)
}

bool is_only_hash_annotation(const Value& ann) {
  return ann.IsObject() && ann.MemberCount() == 1 && sv(ann.MemberBegin()->name) == kHashAnnotation;
}

template <class Writer>
void write(Writer& w, const Value& v, Level level) {
  switch (v.GetType()) {
    case rapidjson::kNullType:
      w.Null();
      return;
    case rapidjson::kFalseType:
      w.Bool(false);
      return;
    case rapidjson::kTrueType:
      w.Bool(true);
      return;
    case rapidjson::kStringType:
      w.String(v.GetString(), v.GetStringLength());
      return;
    case rapidjson::kNumberType:
      if (v.IsDouble())
        w.Double(v.GetDouble());
      else if (v.IsInt64())
        w.Int64(v.GetInt64());
      else
        w.Uint64(v.GetUint64());
      return;
    case rapidjson::kArrayType:
      w.StartArray();
      for (const auto& item : v.GetArray()) write(w, item, Level::none);
      w.EndArray(v.Size());
      return;
    case rapidjson::kObjectType:
      break;
  }
  // Sort member pointers, not members: the value stays const and untouched.
  constexpr std::size_t kInline = 32;
  const Value::Member* inline_buf[kInline];
  std::vector<const Value::Member*> heap;
  const Value::Member** members = inline_buf;
  const std::size_t n = v.MemberCount();
  if (n > kInline) {
    heap.resize(n);
    members = heap.data();
  }
  std::size_t i = 0;
  for (auto it = v.MemberBegin(); it != v.MemberEnd(); ++it) members[i++] = &*it;
  std::sort(members, members + n, name_less);

  w.StartObject();
  for (i = 0; i < n; ++i) {
    const Value::Member& m = *members[i];
    const std::string_view name = sv(m.name);
    Level child = Level::none;
    if (level == Level::root && name == "metadata") {
      child = Level::metadata;
    } else if (level == Level::metadata && name == "annotations") {
      // Stamping the hash must not change it, even when it adds the annotations map.
      if (is_only_hash_annotation(m.value)) continue;
      child = Level::annotations;
    } else if (level == Level::annotations && name == kHashAnnotation) {
      continue;
    }
    w.Key(m.name.GetString(), m.name.GetStringLength());
    write(w, m.value, child);
  }
  w.EndObject(n);
}

const EVP_MD* sha256() {
  // Fetched once: an implicit fetch per digest would take a provider lock every time.
  static EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  if (!md) throw Error(Errc::internal, "OpenSSL has no SHA256");
  return md;
}

EVP_MD_CTX* thread_ctx() {
  struct Free {
    void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
  };
  thread_local std::unique_ptr<EVP_MD_CTX, Free> ctx(EVP_MD_CTX_new());
  if (!ctx) throw Error(Errc::internal, "EVP_MD_CTX_new failed");
  return ctx.get();
}

}  // namespace

std::string canonical_json(const Value& value) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  write(w, value, Level::none);
  return {buf.GetString(), buf.GetSize()};
}

std::string content_hash(const Value& value) {
  // One reused buffer per thread: rapidjson's StringBuffer writes without a per-character
  // capacity check, which makes this faster than streaming into the digest in chunks.
  thread_local rapidjson::StringBuffer buf;
  buf.Clear();
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  write(w, value, Level::root);
  EVP_MD_CTX* ctx = thread_ctx();
  if (EVP_DigestInit_ex2(ctx, sha256(), nullptr) != 1 ||
      EVP_DigestUpdate(ctx, buf.GetString(), buf.GetSize()) != 1) {
    throw Error(Errc::internal, "SHA-256 failed");
  }
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_DigestFinal_ex(ctx, digest, &len) != 1) throw Error(Errc::internal, "SHA-256 final");
  if (buf.GetSize() > (1u << 20)) {  // do not keep a huge object's buffer for the thread's life
    buf.Clear();
    buf.ShrinkToFit();
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex(2 * len, '\0');
  for (unsigned int i = 0; i < len; ++i) {
    hex[2 * i] = kHex[digest[i] >> 4];
    hex[2 * i + 1] = kHex[digest[i] & 0xf];
  }
  return hex;
}

}  // namespace drsync
