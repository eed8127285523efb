#include "sync/applier.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <deque>
#include <future>
#include <map>
#include <thread>

#include "sync/cluster_deps.hpp"
#include "sync/drift.hpp"
#include "transform/destination_fields.hpp"

namespace drsync::detail {
namespace {

using Clock = std::chrono::steady_clock;

constexpr int kMaxRounds = 4;
constexpr auto kRecreateTimeout = std::chrono::seconds(60);

enum class Step { Send, Reread, Recreate, Done, Failed };

bool is_immutable_rejection(const Error& e) {
  if (e.code() != Errc::invalid) return false;
  if (std::string_view(e.what()).find("immutable") != std::string_view::npos) return true;
  return std::any_of(e.causes().begin(), e.causes().end(), [](const FieldCause& c) {
    return c.message.find("immutable") != std::string::npos;
  });
}

std::string immutable_fields(const Error& e) {
  std::string fields;
  for (const auto& c : e.causes()) {
    if (c.message.find("immutable") == std::string::npos || c.field.empty()) continue;
    fields += fields.empty() ? c.field : ", " + c.field;
  }
  return fields;
}

bool cluster_scoped(const PlannedObject& p) {
  return !p.type->info.namespaced;
}

// A cluster-scoped copy that could not be written for want of permission, or a prune that found
// the object changed since it was listed: reported and left, not a failure of the copy.
bool excused(const PlannedObject& p, const Error& e) {
  if (!cluster_scoped(p)) return false;
  return e.code() == Errc::forbidden || (p.action == Action::Prune && e.code() == Errc::conflict);
}

}  // namespace

struct Applier::Write {
  explicit Write(PlannedObject* object) : p(object) {}

  PlannedObject* p;
  Step step = Step::Send;
  std::optional<RestRequest> request;  // the last write sent
  std::optional<Error> error;          // why it failed; or the AlreadyExists a reread may excuse
  std::string error_line;              // the line for the sync's error list
  bool recreated = false;
  bool settled = false;
  bool unanswered = false;  // a create got no answer: reread, then create again only if absent

  bool pending() const noexcept {
    return step == Step::Send || step == Step::Reread || step == Step::Recreate;
  }
  void fail(const Error& e, std::string line) {
    step = Step::Failed;
    error = e;
    error_line = std::move(line);
  }
  // A failure the server described: its message names the request already.
  void fail(const Error& e) { fail(e, e.what()); }
};

Applier::Applier(Cluster dest, std::string dest_ns, ApplyContext context)
    : dest_(std::move(dest)), dest_ns_(std::move(dest_ns)), ctx_(std::move(context)) {}

void Applier::apply(Plan& plan, Problems& problems) {
  total_ = std::count_if(plan.objects.begin(), plan.objects.end(),
                         [](const PlannedObject& p) { return p.is_write(); });
  done_ = 0;
  if (ctx_.progress) ctx_.progress(0, total_, {});
  // Creates and updates tier by tier; then prunes, workloads first (reverse tiers).
  for (bool prunes : {false, true}) {
    std::map<int, std::vector<Write>> tiers;
    for (auto& p : plan.objects) {
      if (!p.is_write() || (p.action == Action::Prune) != prunes) continue;
      tiers[prunes ? -p.type->tier : p.type->tier].emplace_back(&p);
    }
    for (auto& [tier, writes] : tiers) {
      if (ctx_.options->cancel.cancelled()) throw Error(Errc::cancelled, "sync cancelled");
      apply_tier(writes, problems);
    }
  }
}

void Applier::apply_tier(std::vector<Write>& writes, Problems& problems) {
  auto settle = [&](Write& w) {
    if (w.settled || w.pending()) return;
    w.settled = true;
    if (w.step == Step::Failed && excused(*w.p, *w.error)) {
      const bool forbidden = w.error->code() == Errc::forbidden;
      w.p->message = fmt::format("{}: {}", forbidden ? "not permitted" : "changed meanwhile, left",
                                 w.error->what());
      std::string line = fmt::format("{}: {}", w.p->label(), w.p->message);
      forbidden ? problems.not_copy(std::move(line)) : problems.warn(std::move(line));
      w.p->action = Action::Skip;
    } else if (w.step == Step::Failed) {
      w.p->action = Action::Error;
      w.p->error = w.error->code();
      w.p->message = w.error->what();
      problems.error(w.error->code(), w.error_line);
    }
    if (ctx_.progress) ctx_.progress(++done_, total_, w.p->label());
  };
  for (int round = 0; round < kMaxRounds; ++round) {
    recreate_round(writes);
    reread_round(writes);
    send_round(writes);
    for (auto& w : writes) settle(w);
  }
  for (auto& w : writes) {
    if (!w.pending()) continue;
    std::string what =
        fmt::format("{}: still conflicting after {} attempts", w.p->label(), kMaxRounds);
    w.fail(Error(Errc::conflict, what));
    settle(w);
  }
}

RestRequest Applier::write_request(const PlannedObject& p) const {
  const ResourceInfo& r = p.type->info;
  WriteOptions write;
  write.dry_run = ctx_.options->dry_run;
  switch (p.action) {
    case Action::Create: {
      RestRequest req = dest_.request(Verb::Create);
      req.resource(r).in_namespace(dest_ns_).name(p.name).options(write);
      if (p.desired_json.empty()) {
        req.body(p.desired);
      } else {
        req.body(p.desired_json);
      }
      return req;
    }
    case Action::Update: {
      RestRequest req = dest_.request(p.merge_only ? Verb::Patch : Verb::Update);
      req.resource(r).in_namespace(dest_ns_).name(p.name).options(write);
      if (p.merge_only)
        return req.patch(PatchType::Merge, default_service_account_patch(p.desired));
      // What the destination owns stays: its resourceVersion (the optimistic-concurrency
      // precondition), the live scale (the ledger's), the fields its controllers allocated.
      return req.body(update_body(p.desired, *p.live, *ctx_.ledger));
    }
    default: {
      DeleteOptions del;
      del.propagation_policy = "Background";
      del.dry_run = ctx_.options->dry_run;
      // Shared by namespaces: deleted only as listed, with no user added since.
      if (cluster_scoped(p)) del.precondition_resource_version = p.live->resource_version();
      return dest_.request(Verb::Delete)
          .resource(r)
          .in_namespace(dest_ns_)
          .name(p.name)
          .options(del);
    }
  }
}

// Writes go out through a sliding window of twice the sync's concurrency: a request's body is
// made shortly before it is sent and dropped with its answer, and a written object's bodies are
// dropped then too, so a sync never holds every request of a tier at once.
void Applier::send_round(std::vector<Write>& writes) {
  const std::size_t window = 2 * static_cast<std::size_t>(std::max(1, ctx_.options->concurrency));
  std::deque<std::pair<Write*, std::future<Response>>> inflight;
  for (auto& w : writes) {
    if (w.step != Step::Send) continue;
    if (inflight.size() >= window) {
      receive(*inflight.front().first, inflight.front().second);
      inflight.pop_front();
    }
    w.request = write_request(*w.p);
    inflight.emplace_back(&w, w.request->start());
  }
  for (auto& [w, future] : inflight) receive(*w, future);
}

void Applier::receive(Write& w, std::future<Response>& answer) const {
  try {
    on_response(w, answer.get());
  } catch (const Error& e) {
    if (w.p->action == Action::Create && outcome_unknown(e) && !ctx_.options->dry_run) {
      w.error = e;  // it may have been created: look before sending it again
      w.unanswered = true;
      w.step = Step::Reread;
    } else {
      w.fail(e, fmt::format("{}: {}", w.p->label(), e.what()));
    }
  }
  w.request.reset();
  if (w.step == Step::Done) {
    w.p->desired = Object();
    w.p->desired_json = std::string();
    w.p->live.reset();
  }
}

void Applier::on_response(Write& w, const Response& response) const {
  PlannedObject& p = *w.p;
  if (response.ok() || (p.action == Action::Prune && response.status == 404)) {
    if (w.recreated) p.action = Action::Update;
    w.step = Step::Done;
    return;
  }
  Error e = w.request->error(response);
  if (e.code() == Errc::conflict && p.action == Action::Update && !p.merge_only) {
    w.step = Step::Reread;  // someone changed it since our LIST
  } else if (e.code() == Errc::already_exists && p.action == Action::Create) {
    w.error = e;  // created since our LIST: by the destination itself, or a concurrent sync
    w.step = Step::Reread;
  } else if (is_immutable_rejection(e)) {
    on_immutable(w, e);
  } else {
    w.fail(e);
  }
}

// A 422 for an immutable field: recreate when the policy says so, else fail saying how to fix it.
void Applier::on_immutable(Write& w, const Error& e) const {
  PlannedObject& p = *w.p;
  const std::string fields = immutable_fields(e);
  if (ctx_.options->immutable == ImmutablePolicy::Recreate && p.action == Action::Update) {
    if (ctx_.options->dry_run) {
      p.message = fmt::format("would be recreated (immutable field {})", fields);
      w.step = Step::Done;
    } else {
      p.message = fmt::format("recreated: immutable field {} changed", fields);
      w.step = Step::Recreate;
    }
    return;
  }
  w.fail(Error(Errc::invalid,
               fmt::format("{}: immutable field {} differs from the source; use the recreate "
                           "policy to delete and recreate it ({})",
                           p.label(), fields.empty() ? "?" : fields, e.what()),
               e.http_status(), e.reason(), e.causes()));
}

void Applier::reread_round(std::vector<Write>& writes) {
  std::vector<std::tuple<Write*, RestRequest, std::future<Response>>> inflight;
  for (auto& w : writes) {
    if (w.step != Step::Reread) continue;
    RestRequest get =
        dest_.request(Verb::Get).resource(w.p->type->info).in_namespace(dest_ns_).name(w.p->name);
    auto future = get.start();
    inflight.emplace_back(&w, std::move(get), std::move(future));
  }
  for (auto& [w, get, future] : inflight) {
    PlannedObject& p = *w->p;
    try {
      p.unpack_desired();
      Response r = future.get();
      if (!r.ok() && r.status != 404) get.check(r);
      std::optional<Object> fresh;
      if (r.ok()) fresh = Object::parse(r.body);
      if (p.action == Action::Update) {
        // Re-read after a conflict: update its new version, or create it when it is gone.
        if (fresh)
          p.live = std::move(fresh);
        else
          p.action = Action::Create;
        if (cluster_scoped(p))
          set_used_by(p.desired, p.live ? &*p.live : nullptr, dest_ns_, !p.releases);
        w->step = Step::Send;
      } else if (!fresh && w->unanswered) {
        w->unanswered = false;  // the unanswered create did not happen: send it again
        w->step = Step::Send;
      } else if (fresh && w->unanswered && owns(p, *fresh)) {
        p.live = std::move(fresh);  // the unanswered create happened: done, no second write
        w->step = Step::Done;
      } else if (fresh && owns(p, *fresh)) {
        // AlreadyExists: merge into ours (or the default ServiceAccount); never overwrite others'.
        p.live = std::move(fresh);
        if (cluster_scoped(p)) set_used_by(p.desired, &*p.live, dest_ns_, true);
        p.action = Action::Update;
        w->step = Step::Send;
      } else {
        w->fail(*w->error);
      }
    } catch (const Error& e) {
      w->fail(e, fmt::format("{}: {}", p.label(), e.what()));
    }
  }
}

bool Applier::owns(const PlannedObject& p, const Object& live) const {
  if (p.merge_only) return true;
  // A cluster-scoped copy is shared by the namespaces that use it: any drsync copy is ours.
  if (cluster_scoped(p)) return is_managed(live);
  return live.label(kSourceIdLabel) == ctx_.source_id;
}

void Applier::recreate_round(std::vector<Write>& writes) {
  std::vector<Write*> deleting;
  std::vector<std::future<Response>> deletes;
  for (auto& w : writes) {
    if (w.step != Step::Recreate) continue;
    DeleteOptions del;
    del.propagation_policy = "Foreground";
    w.request = dest_.request(Verb::Delete)
                    .resource(w.p->type->info)
                    .in_namespace(dest_ns_)
                    .name(w.p->name)
                    .options(del);
    deleting.push_back(&w);
    deletes.push_back(w.request->start());
  }
  for (size_t i = 0; i < deleting.size(); ++i) {
    try {
      Response r = deletes[i].get();
      if (!r.ok() && r.status != 404) deleting[i]->fail(deleting[i]->request->error(r));
    } catch (const Error& e) {
      deleting[i]->fail(e, fmt::format("{}: {}", deleting[i]->p->label(), e.what()));
    }
  }
  std::erase_if(deleting, [](const Write* w) { return w->step != Step::Recreate; });
  const auto deadline = Clock::now() + kRecreateTimeout;
  while (!deleting.empty()) {
    std::vector<std::future<Response>> gets;
    for (Write* w : deleting) {
      gets.push_back(dest_.request(Verb::Get)
                         .resource(w->p->type->info)
                         .in_namespace(dest_ns_)
                         .name(w->p->name)
                         .start());
    }
    for (size_t i = 0; i < deleting.size(); ++i) {
      Write& w = *deleting[i];
      try {
        if (gets[i].get().status != 404) continue;
      } catch (const Error& e) {
        w.fail(e, fmt::format("{}: {}", w.p->label(), e.what()));
        continue;
      }
      w.p->action = Action::Create;
      w.recreated = true;
      w.step = Step::Send;
    }
    std::erase_if(deleting, [](const Write* w) { return w->step != Step::Recreate; });
    if (deleting.empty()) break;
    if (Clock::now() > deadline) {
      for (Write* w : deleting) {
        w->fail(Error(Errc::timeout, fmt::format("{}: not deleted within {} s for recreation",
                                                 w->p->label(), kRecreateTimeout.count())));
      }
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
}

}  // namespace drsync::detail
