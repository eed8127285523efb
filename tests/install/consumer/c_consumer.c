/* Uses the installed C ABI. */
#include <drsync/drsync.h>
#include <stdio.h>

int main(void) {
  drsync_cluster* c = NULL;
  if (drsync_abi_version() != DRSYNC_ABI_VERSION) return 1;
  if (drsync_cluster_open(&c, "/nonexistent/kubeconfig", NULL) == 0) return 1;
  printf("c consumer ok: %s\n", drsync_error_last()->message);
  return 0;
}
