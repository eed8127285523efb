/* Stages a namespace into a DR cluster, cuts over to it and fails back, with the C ABI.
 *   c_example SOURCE_KUBECONFIG DEST_KUBECONFIG SOURCE_NAMESPACE DEST_NAMESPACE */
#include <drsync/drsync.h>
#include <stdio.h>

static int progress(const drsync_progress* p, void* payload) {
  (void)payload;
  if (p->total > 0) fprintf(stderr, "  %s %zu/%zu %s\n", p->step, p->done, p->total, p->object);
  return 0; /* non-zero would cancel the mode */
}

static int fail(const char* what) {
  const drsync_error* e = drsync_error_last();
  fprintf(stderr, "%s failed: %s [%s, HTTP %d %s]\n", what, e->message, drsync_error_name(e->code),
          e->http_status, e->reason);
  return 1;
}

int main(int argc, char** argv) {
  typedef int (*mode_fn)(drsync_result**, drsync_migration*);
  const mode_fn modes[] = {drsync_migration_stage, drsync_migration_cutover,
                           drsync_migration_failback};
  const char* names[] = {"Stage", "Cutover", "Failback"};
  drsync_cluster *src = NULL, *dst = NULL;
  drsync_migration* m = NULL;
  int i, rc = 0;
  if (argc != 5) {
    fprintf(stderr, "usage: %s SRC_KUBECONFIG DST_KUBECONFIG SRC_NS DST_NS\n", argv[0]);
    return 2;
  }
  if (drsync_abi_version() != DRSYNC_ABI_VERSION) {
    fprintf(stderr, "libdrsync has ABI %d, not %d\n", drsync_abi_version(), DRSYNC_ABI_VERSION);
    return 1;
  }
  if (drsync_cluster_open(&src, argv[1], NULL) || drsync_cluster_open(&dst, argv[2], NULL)) {
    rc = fail("opening the clusters");
  } else if (drsync_migration_new(&m, src, argv[3], dst, argv[4], "waitTimeoutSeconds: 120")) {
    rc = fail("drsync_migration_new");
  } else {
    drsync_migration_set_progress(m, progress, NULL);
    for (i = 0; i < 3 && rc == 0; i++) {
      drsync_result* report = NULL;
      int err = modes[i](&report, m); /* the report is set even when the mode failed */
      if (report) puts(i == 0 ? drsync_result_json(report) : drsync_result_markdown(report));
      drsync_result_free(report);
      if (err) rc = fail(names[i]);
    }
  }
  drsync_migration_free(m);
  drsync_cluster_free(dst);
  drsync_cluster_free(src);
  return rc;
}
