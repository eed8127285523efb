// WATCH: a streamed response of one JSON event per line, read on the caller's thread with its own
// connection. Resumes from the last resourceVersion seen when the stream ends or drops; on 410
// Gone (the version was compacted) it re-lists and continues from the list's version.
#include <curl/curl.h>
#include <fmt/format.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <thread>

#include "core/document.hpp"
#include "drsync/cluster.hpp"
#include "rest/cluster_impl.hpp"
#include "rest/status_error.hpp"

namespace drsync {
namespace {

struct WatchState {
  const std::function<bool(WatchEvent&)>* on_event;
  const CancelToken* cancel;
  std::string buffer;
  std::string resource_version;
  std::string error_body;  // non-200 response body
  long status = 0;
  bool stop = false;  // the consumer asked to stop
  bool gone = false;  // 410 in an ERROR event
  std::exception_ptr error;
};

// Returns false to abort the transfer.
bool deliver_line(WatchState& st, std::string_view line) {
  if (line.empty()) return true;
  auto doc = detail::sized_document(line.size());
  doc->Parse(line.data(), line.size());
  if (doc->HasParseError() || !doc->IsObject()) {
    st.error = std::make_exception_ptr(Error(Errc::server_error, "watch: unparseable event"));
    return false;
  }
  std::string type(json_str(json_get(*doc, "type")));
  rapidjson::Value* obj = const_cast<rapidjson::Value*>(json_get(*doc, "object"));
  if (obj == nullptr) return true;
  if (type == "ERROR") {
    const rapidjson::Value* code = json_get(*obj, "code");
    if (code && code->IsInt() && code->GetInt() == 410) {
      st.gone = true;
    } else {
      Response r;
      r.status = code && code->IsInt() ? code->GetInt() : 500;
      rapidjson::StringBuffer b;
      rapidjson::Writer<rapidjson::StringBuffer> w(b);
      obj->Accept(w);
      r.body = b.GetString();
      st.error = std::make_exception_ptr(detail::error_from_response(r, "watch"));
    }
    return false;
  }
  WatchEvent ev{type, Object(doc, obj)};
  std::string_view rv = ev.object.resource_version();
  if (!rv.empty()) st.resource_version = std::string(rv);
  if (type == "BOOKMARK") return true;  // only moves the resume point
  try {
    if (!(*st.on_event)(ev)) {
      st.stop = true;
      return false;
    }
  } catch (...) {
    st.error = std::current_exception();
    return false;
  }
  return true;
}

size_t on_watch_data(char* data, size_t size, size_t n, void* user) {
  auto& st = *static_cast<WatchState*>(user);
  size_t len = size * n;
  if (st.status != 200) {
    st.error_body.append(data, len);
    return len;
  }
  st.buffer.append(data, len);
  size_t start = 0;
  for (size_t nl; (nl = st.buffer.find('\n', start)) != std::string::npos; start = nl + 1) {
    if (st.cancel->cancelled() ||
        !deliver_line(st, std::string_view(st.buffer).substr(start, nl - start))) {
      return 0;
    }
  }
  st.buffer.erase(0, start);
  return len;
}

size_t on_watch_header(char* data, size_t size, size_t n, void* user) {
  auto& st = *static_cast<WatchState*>(user);
  std::string_view line(data, size * n);
  if (line.rfind("HTTP/", 0) == 0) {
    auto sp = line.find(' ');
    if (sp != std::string_view::npos) st.status = std::strtol(line.data() + sp + 1, nullptr, 10);
  }
  return size * n;
}

int on_watch_progress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  return static_cast<WatchState*>(user)->cancel->cancelled() ? 1 : 0;
}

Request watch_request(std::string path, const WatchOptions& options, const std::string& rv) {
  Request req;
  req.verb = Verb::Watch;
  req.path = std::move(path);
  req.query.emplace_back("watch", "1");
  req.query.emplace_back("resourceVersion", rv);
  if (options.allow_bookmarks) req.query.emplace_back("allowWatchBookmarks", "true");
  if (!options.label_selector.empty())
    req.query.emplace_back("labelSelector", options.label_selector);
  if (!options.field_selector.empty())
    req.query.emplace_back("fieldSelector", options.field_selector);
  long server_timeout = options.timeout.count() > 0 ? options.timeout.count() : 300;
  req.query.emplace_back("timeoutSeconds", std::to_string(server_timeout));
  req.timeout = std::chrono::milliseconds((server_timeout + 30) * 1000);
  return req;
}

// One streamed WATCH on its own HTTP/1.1 connection; events go to `st` as they arrive.
CURLcode stream_watch(detail::Transport& transport, const Request& req, WatchState& st) {
  CURL* easy = curl_easy_init();
  curl_slist* headers = transport.configure_easy(easy, req, transport.url_for(req),
                                                 transport.credentials().current());
  curl_easy_setopt(easy, CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_1_1));
  curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, on_watch_data);
  curl_easy_setopt(easy, CURLOPT_WRITEDATA, &st);
  curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, on_watch_header);
  curl_easy_setopt(easy, CURLOPT_HEADERDATA, &st);
  curl_easy_setopt(easy, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(easy, CURLOPT_XFERINFOFUNCTION, on_watch_progress);
  curl_easy_setopt(easy, CURLOPT_XFERINFODATA, &st);
  transport.counters().count(Verb::Watch);
  CURLcode code = curl_easy_perform(easy);
  curl_slist_free_all(headers);
  curl_easy_cleanup(easy);
  return code;
}

}  // namespace

void Cluster::watch(const ResourceInfo& r, std::string_view ns, const WatchOptions& options,
                    const std::function<bool(WatchEvent&)>& on_event,
                    const CancelToken& cancel) const {
  auto relist = [&](const char* type) -> std::optional<std::string> {
    ListOptions lo;
    lo.label_selector = options.label_selector;
    lo.field_selector = options.field_selector;
    ObjectList list = this->list(r, ns, lo);
    for (auto& item : list.items) {
      WatchEvent ev{type, std::move(item)};
      if (!on_event(ev)) return std::nullopt;
    }
    return list.resource_version;
  };

  std::string rv = options.resource_version;
  if (rv.empty()) {
    auto listed = relist("ADDED");
    if (!listed) return;
    rv = *listed;
  }
  auto& transport = impl_->transport;
  int failures = 0;
  bool auth_refreshed = false;
  while (!cancel.cancelled()) {
    Request req = watch_request(path_for(r, ns), options, rv);
    WatchState st{&on_event, &cancel, {}, rv, {}, 0, false, false, nullptr};
    CURLcode code = stream_watch(transport, req, st);

    if (st.error) std::rethrow_exception(st.error);
    if (st.stop || cancel.cancelled()) return;
    if (st.status == 410 || st.gone) {
      auto listed = relist("RELISTED");
      if (!listed) return;
      rv = *listed;
      continue;
    }
    if (st.status == 401 && !auth_refreshed && transport.credentials().invalidate()) {
      auth_refreshed = true;
      continue;
    }
    if (st.status != 0 && st.status != 200) {
      Response resp;
      resp.status = st.status;
      resp.body = st.error_body;
      throw detail::error_from_response(resp, "watch " + r.group_resource(), server());
    }
    rv = st.resource_version;
    if (code != CURLE_OK && code != CURLE_OPERATION_TIMEDOUT) {
      // Dropped connection: resume from the last version seen, with a bounded backoff.
      if (++failures > config().max_retries) {
        throw Error(Errc::network,
                    fmt::format("watch {}: connection to {} lost: {}", r.group_resource(), server(),
                                curl_easy_strerror(code)));
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(200 << std::min(failures, 5)));
      continue;
    }
    failures = 0;  // the server ended the watch normally (timeoutSeconds): resume
  }
}

}  // namespace drsync
