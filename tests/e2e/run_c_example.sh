#!/usr/bin/env bash
# e2e test of the C example (ctest "e2e: c_example"): a namespace with a Deployment of 3 replicas
# on the source, examples/c/stage_cutover_failback.c stages, cuts over and fails it back, then
# kubectl must show 3 replicas on the source and 0 on the destination, with the reports printed.
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
replicas() {  # CLUSTER_ARGS... -> spec.replicas of deployment web
  "$KUBECTL" "$@" get deployment web -o 'jsonpath={.spec.replicas}'
}

"$KUBECTL" "${SRC[@]}" create namespace "$NS" >/dev/null
"$KUBECTL" "${SRC[@]}" -n "$NS" apply -f - >/dev/null <<YAML
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 3
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: registry.k8s.io/pause:3.10}]
YAML
"$KUBECTL" "${SRC[@]}" -n "$NS" rollout status deployment/web --timeout=120s >/dev/null

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
[[ "$src" == 3 ]] || fail "source deployment/web has $src replicas, expected 3"
[[ "$dst" == 0 ]] || fail "destination deployment/web has $dst replicas, expected 0"
echo "PASS: source deployment/web at 3 replicas, destination at 0"
