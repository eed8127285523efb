#!/usr/bin/env bash
# e2e test of the C example (ctest "e2e: c_example"): the guestbook fixture app on the source,
# examples/c/stage_cutover_failback.c stages, cuts over and fails it back, then kubectl must show
# every Deployment at its original replicas on the source and 0 on the destination.
#
#   tests/e2e/run_c_example.sh CLUSTER_DIR C_EXAMPLE_BINARY
set -euo pipefail
DIR=${1:?usage: $0 CLUSTER_DIR C_EXAMPLE_BINARY}
EXAMPLE=${2:?usage: $0 CLUSTER_DIR C_EXAMPLE_BINARY}
# shellcheck disable=SC1091
. "$DIR/env"
SRC=(--kubeconfig "$DIR/source.kubeconfig")
DST=(--kubeconfig "$DIR/dest.kubeconfig")
NS=c-example-$$-$RANDOM
DNS=$NS-dr
OUT=$(mktemp)

cleanup() {
  "$KUBECTL" "${SRC[@]}" delete namespace "$NS" --wait=false --ignore-not-found >/dev/null 2>&1 || true
  "$KUBECTL" "${DST[@]}" delete namespace "$DNS" --wait=false --ignore-not-found >/dev/null 2>&1 || true
  rm -f "$OUT"
}
trap cleanup EXIT
fail() {
  echo "FAIL: $*" >&2
  exit 1
}
replicas() {  # CLUSTER_ARGS... -> "name=replicas ..." of every deployment
  "$KUBECTL" "$@" get deployments -o 'jsonpath={range .items[*]}{.metadata.name}={.spec.replicas} {end}'
}
APP=$(cd "$(dirname "$0")/.." && pwd)/fixtures/apps/guestbook

"$KUBECTL" "${SRC[@]}" create namespace "$NS" >/dev/null
"$KUBECTL" "${SRC[@]}" -n "$NS" apply -f "$APP" >/dev/null
for d in $("$KUBECTL" "${SRC[@]}" -n "$NS" get deployments -o name); do
  "$KUBECTL" "${SRC[@]}" -n "$NS" rollout status "$d" --timeout=120s >/dev/null
done
before=$(replicas "${SRC[@]}" -n "$NS")
[[ -n "$before" ]] || fail "the guestbook app has no deployments"

echo "running $EXAMPLE $NS -> $DNS"
status=0
"$EXAMPLE" "$DIR/source.kubeconfig" "$DIR/dest.kubeconfig" "$NS" "$DNS" >"$OUT" || status=$?
cat "$OUT"
((status == 0)) || fail "the example exited with status $status"
grep -q '"mode": "Stage"' "$OUT" || fail "no Stage report (JSON) printed"
grep -q '^# drsync Cutover report' "$OUT" || fail "no Cutover report (Markdown) printed"
grep -q '^# drsync Failback report' "$OUT" || fail "no Failback report (Markdown) printed"
[[ $(grep -c 'Result: \*\*succeeded\*\*' "$OUT") == 2 ]] || fail "Cutover and Failback did not both succeed"

src=$(replicas "${SRC[@]}" -n "$NS")
dst=$(replicas "${DST[@]}" -n "$DNS")
[[ "$src" == "$before" ]] || fail "source deployments are at '$src', expected '$before'"
expected_dst=$(echo "$before" | sed -E 's/=[0-9]+/=0/g')
[[ "$dst" == "$expected_dst" ]] || fail "destination deployments are at '$dst', expected '$expected_dst'"
echo "PASS: source deployments at '$src', destination at '$dst'"
