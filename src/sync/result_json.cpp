#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>

#include "drsync/sync.hpp"

namespace drsync {

namespace {
template <typename W>
void write_stats(W& w, const RequestStats& s) {
  w.StartObject();
  for (Verb v : kAllVerbs) {
    w.Key(verb_name(v));
    w.Uint64(s[v]);
  }
  w.Key("retries");
  w.Uint64(s.retries);
  w.Key("total");
  w.Uint64(s.total());
  w.EndObject();
}
}  // namespace

std::string SyncResult::to_json() const {
  rapidjson::StringBuffer buf;
  rapidjson::PrettyWriter<rapidjson::StringBuffer> w(buf);
  w.SetIndent(' ', 2);
  w.StartObject();
  w.Key("ok");
  w.Bool(ok());
  w.Key("dryRun");
  w.Bool(dry_run);
  w.Key("durationMs");
  w.Int64(duration.count());
  w.Key("counts");
  w.StartObject();
  for (Action a : kAllActions) {
    w.Key(action_name(a));
    w.Int(count(a));
  }
  w.EndObject();
  w.Key("objects");
  w.StartArray();
  for (const auto& o : objects) {
    w.StartObject();
    w.Key("resource");
    w.String(o.group_resource.c_str());
    w.Key("kind");
    w.String(o.kind.c_str());
    w.Key("name");
    w.String(o.name.c_str());
    w.Key("action");
    w.String(action_name(o.action));
    if (!o.message.empty()) {
      w.Key("message");
      w.String(o.message.c_str());
    }
    if (!o.diff.empty()) {
      w.Key("diff");
      w.String(o.diff.c_str());
    }
    w.EndObject();
  }
  w.EndArray();
  w.Key("warnings");
  w.StartArray();
  for (const auto& s : warnings) w.String(s.c_str());
  w.EndArray();
  w.Key("errors");
  w.StartArray();
  for (const auto& s : errors) w.String(s.c_str());
  w.EndArray();
  w.Key("notCopied");
  w.StartArray();
  for (const auto& s : not_copied) w.String(s.c_str());
  w.EndArray();
  w.Key("requests");
  w.StartObject();
  w.Key("source");
  write_stats(w, source_requests);
  w.Key("destination");
  write_stats(w, dest_requests);
  w.EndObject();
  w.EndObject();
  return buf.GetString();
}

}  // namespace drsync
