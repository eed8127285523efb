#include "status_writer.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <drsync/error.hpp>
#include <drsync/request.hpp>

#include "logger.hpp"

namespace drsync_controller {

std::string rfc3339(std::chrono::system_clock::time_point t) {
  return fmt::format("{:%Y-%m-%dT%H:%M:%SZ}", std::chrono::floor<std::chrono::seconds>(t));
}

std::string json_string(std::string_view s) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
  return buf.GetString();
}

std::string Condition::to_json() const {
  return fmt::format(
      R"({{"type":{},"status":"{}","reason":{},"message":{},"observedGeneration":{},"lastTransitionTime":"{}"}})",
      json_string(type), status ? "True" : "False", json_string(reason), json_string(message),
      observed_generation, last_transition);
}

bool StatusWriter::patch_status(const drsync::ResourceInfo& r, const ObjectRef& ref,
                                const std::string& fields) const {
  try {
    home_.request(drsync::Verb::Patch)
        .resource(r)
        .in_namespace(ref.namespace_)
        .name(ref.name)
        .subresource("status")
        .patch(drsync::PatchType::Merge, "{\"status\":{" + fields + "}}")
        .expect();
    return true;
  } catch (const drsync::Error& e) {
    if (e.code() != drsync::Errc::not_found)
      warn("{} {}: status not written: {}", r.kind, ref.key(), e.what());
    return false;
  }
}

void StatusWriter::clear_annotation(const drsync::ResourceInfo& r, const ObjectRef& ref,
                                    std::string_view key) const {
  try {
    home_.patch(r, ref.namespace_, ref.name, drsync::PatchType::Merge,
                fmt::format(R"({{"metadata":{{"annotations":{{{}:null}}}}}})", json_string(key)));
  } catch (const drsync::Error& e) {
    warn("{} {}: could not remove the {} annotation: {}", r.kind, ref.key(), key, e.what());
  }
}

}  // namespace drsync_controller
