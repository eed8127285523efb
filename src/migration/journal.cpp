#include "migration/journal.hpp"

#include <fcntl.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <unistd.h>

#include <algorithm>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "drsync/error.hpp"
#include "drsync/migration.hpp"
#include "drsync/sync.hpp"

namespace drsync::detail {

bool Journal::done(const std::string& step) const {
  return std::find(steps_done.begin(), steps_done.end(), step) != steps_done.end();
}

std::string Journal::to_json() const {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  // With their lengths: a value may hold a NUL (\u0000), which must survive the round trip.
  auto str = [&w](const std::string& s) {
    w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
  };
  auto strings = [&](const char* key, const std::vector<std::string>& list) {
    w.Key(key);
    w.StartArray();
    for (const auto& s : list) str(s);
    w.EndArray();
  };
  w.StartObject();
  const std::pair<const char*, const std::string*> fields[] = {
      {"mode", &mode}, {"status", &status}, {"subset", &subset}, {"started", &started}};
  for (const auto& [key, value] : fields) {
    w.Key(key);
    str(*value);
  }
  strings("stepsDone", steps_done);
  w.Key("values");
  w.StartObject();
  for (const auto& [k, v] : values) {
    w.Key(k.data(), static_cast<rapidjson::SizeType>(k.size()));
    str(v);
  }
  w.EndObject();
  if (!volumes_done.empty()) strings("volumesDone", volumes_done);
  w.EndObject();
  return buf.GetString();
}

Journal Journal::from_json(const std::string& text) {
  Journal j;
  Object o = Object::parse(text);
  const auto& v = o.json();
  j.mode = std::string(json_str(json_get(v, "mode")));
  j.status = std::string(json_str(json_get(v, "status")));
  j.subset = std::string(json_str(json_get(v, "subset")));
  j.started = std::string(json_str(json_get(v, "started")));
  if (const auto* steps = json_get(v, "stepsDone"); steps && steps->IsArray()) {
    for (const auto& s : steps->GetArray()) j.steps_done.emplace_back(json_str(&s));
  }
  if (const auto* vols = json_get(v, "volumesDone"); vols && vols->IsArray()) {
    for (const auto& s : vols->GetArray()) j.volumes_done.emplace_back(json_str(&s));
  }
  if (const auto* values = json_get(v, "values"); values && values->IsObject()) {
    for (const auto& m : values->GetObject()) {
      j.values[std::string(json_str(&m.name))] = std::string(json_str(&m.value));
    }
  }
  return j;
}

namespace {
ResourceInfo configmaps() {
  return {"", "v1", "configmaps", "ConfigMap", true, {}, {}, {}, {}};
}
}  // namespace

std::optional<StateStore::State> StateStore::load() const {
  auto cm = cluster_.try_get(configmaps(), ns_, kStateConfigMap);
  if (!cm) return std::nullopt;
  State s;
  s.role = std::string(json_str(cm->find("/data/role")));
  std::string_view journal = json_str(cm->find("/data/journal"));
  if (!journal.empty()) s.journal = Journal::from_json(std::string(journal));
  return s;
}

void StateStore::save(const std::optional<std::string>& role,
                      const std::optional<Journal>& journal) const {
  Object patch;
  auto& a = patch.allocator();
  rapidjson::Value data(rapidjson::kObjectType);
  if (role) data.AddMember("role", json_string(*role, a), a);
  if (journal) data.AddMember("journal", json_string(journal->to_json(), a), a);
  patch.json().AddMember("data", data, a);
  try {
    cluster_.patch(configmaps(), ns_, kStateConfigMap, PatchType::Merge, patch.to_json());
  } catch (const Error& e) {
    if (e.code() != Errc::not_found) throw;
    Object cm = Object::parse(R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{}})");
    cm.set_name(kStateConfigMap);
    cm.set_label("drsync.io/state", "true");
    cm.json().AddMember("data", rapidjson::Value(patch.json()["data"], cm.allocator()),
                        cm.allocator());
    try {
      cluster_.create(configmaps(), ns_, cm);
    } catch (const Error& e2) {
      if (e2.code() != Errc::already_exists) throw;
      cluster_.patch(configmaps(), ns_, kStateConfigMap, PatchType::Merge, patch.to_json());
    }
  }
}

void write_journal_file(const std::string& path, const Journal& journal) {
  std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) throw Error(Errc::invalid_argument, path + ": cannot write journal file");
  std::string text = journal.to_json() + "\n";
  bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
            ::fsync(fd) == 0;
  ::close(fd);
  if (!ok || std::rename(tmp.c_str(), path.c_str()) != 0) {
    throw Error(Errc::internal, path + ": cannot write journal file");
  }
  std::string dir = std::filesystem::path(path).parent_path().string();
  int dfd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
}

std::optional<Journal> read_journal_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::stringstream ss;
  ss << in.rdbuf();
  return Journal::from_json(ss.str());
}

std::string now_rfc3339() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace drsync::detail
