// Internal: the Applier — runs a plan's writes against the destination, tier by tier (creates and
// updates in apply order, then prunes in reverse order), every write of a tier in flight at once.
//
// Each object's write is a small state machine, run for all objects of a tier in rounds (so the
// retries of a tier are concurrent too):
//
//   Send --2xx (or a prune's 404)--> Done
//   Send --409 Conflict on an update--> Reread: the live object again, then Send (an update with
//        its new resourceVersion, or a create when it is gone)
//   Send --409 AlreadyExists on a create--> Reread: ours (or the merged default ServiceAccount)
//        becomes an update, then Send; anyone else's fails
//   Send --422 immutable field, recreate policy--> Recreate: delete, wait until gone, then Send a
//        create (a dry run only says it would)
//   anything else, or still not written after 4 rounds --> Failed
#pragma once

#include <functional>
#include <future>
#include <string>

#include "drsync/cluster.hpp"
#include "drsync/ledger.hpp"
#include "drsync/sync.hpp"
#include "sync/plan.hpp"

namespace drsync::detail {

struct ApplyContext {
  const SyncOptions* options = nullptr;
  const ReplicaLedger* ledger = nullptr;
  std::string source_id;
  // Called after each object's write ended: (done, total, "deployments.apps/web").
  std::function<void(size_t, size_t, const std::string&)> progress;
};

class Applier {
 public:
  Applier(Cluster dest, std::string dest_ns, ApplyContext context);

  // Writes every Create / Update / Prune of `plan`; an object that cannot be written gets
  // Action::Error with the cause, and its error goes to `problems`.
  void apply(Plan& plan, Problems& problems);

  struct Write;

 private:
  void apply_tier(std::vector<Write>& writes, Problems& problems);
  void send_round(std::vector<Write>& writes);
  // Reads one write's answer; a written object's bodies are released.
  void receive(Write& w, std::future<Response>& answer) const;
  void reread_round(std::vector<Write>& writes);
  void recreate_round(std::vector<Write>& writes);
  RestRequest write_request(const PlannedObject& p) const;
  void on_response(Write& w, const Response& response) const;
  void on_immutable(Write& w, const Error& e) const;
  // Whether an existing `live` object may be written over for `p`.
  bool owns(const PlannedObject& p, const Object& live) const;

  Cluster dest_;
  std::string dest_ns_;
  ApplyContext ctx_;
  size_t done_ = 0;
  size_t total_ = 0;
};

}  // namespace drsync::detail
