// Stage --continuous (a ContinuousSync per namespace pair, each on its own thread) and Stage
// --schedule (the Stage of every pair at each cron tick), both until SIGINT/SIGTERM. Each event
// is one line on stdout: text, or JSON with --output json; applied changes at --log-level=debug,
// resyncs and runs at info.
#include <fmt/format.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cstdio>
#include <ctime>
#include <memory>
#include <mutex>
#include <thread>

#include <drsync/continuous.hpp>
#include <drsync/error.hpp>
#include <drsync/schedule.hpp>

#include "commands.hpp"
#include "exit_codes.hpp"
#include "log_line.hpp"

namespace drsync_cli {
namespace {

struct Field {
  const char* key;
  std::string value;
  bool raw = false;  // value is JSON already
};

// One line: "<time> <event> <src> -> <dst>: <text>" or a JSON object.
class EventPrinter {
 public:
  explicit EventPrinter(const CliOptions& cli) : cli_(cli) {}

  void print(const char* event, const Target& t, const std::string& text,
             std::initializer_list<Field> fields = {}) {
    std::lock_guard lock(mutex_);
    const std::string time = utc_now();
    if (cli_.output == OutputFormat::Json) {
      rapidjson::StringBuffer b;
      rapidjson::Writer<rapidjson::StringBuffer> w(b);
      w.StartObject();
      put(w, "time", time);
      put(w, "event", event);
      put(w, "sourceNamespace", t.source_namespace);
      put(w, "destNamespace", t.dest_namespace);
      for (const auto& f : fields) {
        if (!f.raw) {
          put(w, f.key, f.value);
          continue;
        }
        w.Key(f.key);
        w.RawValue(f.value.c_str(), f.value.size(), rapidjson::kObjectType);
      }
      put(w, "message", text);
      w.EndObject();
      std::fputs(b.GetString(), stdout);
      std::fputc('\n', stdout);
    } else {
      fmt::print(stdout, "{} {:<9} {}: {}\n", time, event, pair_title("", t).substr(1), text);
    }
    std::fflush(stdout);
  }
  bool debug() const { return cli_.log_level == LogLevel::Debug; }
  bool info() const { return cli_.log_level <= LogLevel::Info; }

 private:
  template <typename W>
  static void put(W& w, const char* key, const std::string& value) {
    w.Key(key);
    w.String(value.c_str(), static_cast<rapidjson::SizeType>(value.size()));
  }

  const CliOptions& cli_;
  std::mutex mutex_;
};

void print_event(EventPrinter& out, const Target& t, const drsync::ContinuousEvent& ev) {
  using Kind = drsync::ContinuousEventKind;
  const char* name = drsync::continuous_event_name(ev.kind);
  if (ev.kind == Kind::Applied) {
    const bool write = ev.action == drsync::Action::Create || ev.action == drsync::Action::Update ||
                       ev.action == drsync::Action::Prune;
    const bool failed = ev.action == drsync::Action::Error || ev.action == drsync::Action::Conflict;
    if (!failed && !(write && out.debug())) return;
    const std::string lag = fmt::format("{:.1f}", static_cast<double>(ev.lag.count()) / 1000.0);
    out.print(name, t,
              fmt::format("{} {} (lag {} ms){}", ev.object, drsync::action_name(ev.action), lag,
                          ev.message.empty() ? "" : ": " + ev.message),
              {{"object", ev.object}, {"action", drsync::action_name(ev.action)}, {"lagMs", lag}});
    return;
  }
  if (ev.kind == Kind::Resynced && !out.info()) return;
  out.print(name, t, ev.message);
}

drsync::ContinuousOptions continuous_options(RunContext& ctx, EventPrinter& out, const Target& t) {
  drsync::ContinuousOptions options;
  options.sync = t.options.sync;
  if (ctx.cli.continuous.resync_interval) {
    options.resync_interval = *ctx.cli.continuous.resync_interval;
  }
  options.on_event = [&out, &t](const drsync::ContinuousEvent& ev) { print_event(out, t, ev); };
  return options;
}

// One pair's ContinuousSync until cancelled; false when it could not start.
bool run_pair(RunContext& ctx, EventPrinter& out, const Target& t, drsync::ContinuousSync& sync) {
  try {
    sync.run();
  } catch (const drsync::Error& e) {
    out.print("failed", t, describe(e));
    ctx.cancel.cancel();  // one pair cannot start: stop them all, exit non-zero
    return false;
  }
  drsync::ContinuousStats s = sync.stats();
  out.print("stopped", t,
            fmt::format("{} changes ({} created, {} updated, {} pruned), {} full syncs, lag p50 "
                        "{:.1f} ms, p99 {:.1f} ms",
                        s.changes, s.created, s.updated, s.pruned, s.resyncs,
                        static_cast<double>(s.lag_p50.count()) / 1000.0,
                        static_cast<double>(s.lag_p99.count()) / 1000.0),
            {{"stats", s.to_json(), true}});
  return true;
}

}  // namespace

int run_continuous(RunContext& ctx) {
  EventPrinter out(ctx.cli);
  std::vector<std::unique_ptr<drsync::ContinuousSync>> syncs;
  for (const auto& t : ctx.targets.pairs) {
    syncs.push_back(std::make_unique<drsync::ContinuousSync>(
        ctx.clusters.source, t.source_namespace, ctx.clusters.dest, t.dest_namespace,
        continuous_options(ctx, out, t)));
  }
  std::vector<char> ok(syncs.size(), 0);
  std::vector<std::thread> threads;
  for (size_t i = 0; i < syncs.size(); ++i) {
    threads.emplace_back(
        [&, i] { ok[i] = run_pair(ctx, out, ctx.targets.pairs[i], *syncs[i]) ? 1 : 0; });
  }
  // The signal handler only sets the flag; the syncs are told here.
  while (!ctx.cancel.cancelled()) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  for (auto& s : syncs) s->cancel();
  for (auto& t : threads) t.join();
  for (char o : ok) {
    if (!o) return kExitFailure;
  }
  return kExitOk;
}

int run_scheduled_stage(RunContext& ctx) {
  EventPrinter out(ctx.cli);
  const drsync::Schedule schedule(ctx.cli.continuous.schedule);
  int code = kExitOk;
  drsync::run_scheduled(
      schedule,
      [&](drsync::SysSeconds tick) {
        const std::time_t seconds = tick.time_since_epoch().count();
        std::tm tm{};
        gmtime_r(&seconds, &tm);
        const std::string at = fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}Z", tm.tm_year + 1900,
                                           tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min);
        for (const Outcome& o : run_modes(ctx)) {
          const Target* t = nullptr;
          for (const auto& p : ctx.targets.pairs) {
            if (p.source_namespace == o.source_namespace && p.dest_namespace == o.dest_namespace)
              t = &p;
          }
          std::string text = fmt::format("scheduled Stage of {}: {}", at, result_name(o.result));
          if (o.report && o.report->sync) {
            const drsync::SyncResult& r = *o.report->sync;
            text += fmt::format(" ({} created, {} updated, {} pruned, {} unchanged)",
                                r.count(drsync::Action::Create), r.count(drsync::Action::Update),
                                r.count(drsync::Action::Prune), r.count(drsync::Action::Unchanged));
          }
          if (!o.error.empty()) text += ": " + o.error;
          if (o.result == Result::Failed) code = kExitFailure;
          if (t && (out.info() || o.result != Result::Succeeded)) {
            out.print("stage", *t, text, {{"tick", at}, {"result", result_name(o.result)}});
          }
        }
      },
      ctx.cancel);
  return code;
}

}  // namespace drsync_cli
