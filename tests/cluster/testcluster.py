"""Shared code of the local test clusters (tests/cluster/up, down, stop, start, grant, selftest).

Two independent Kubernetes clusters, "source" and "dest", run as plain processes: etcd,
kube-apiserver, kube-controller-manager, kube-scheduler and kwok (fake nodes: Pods become
Running/Ready without a kubelet), and, where the machine can run one (realnode.py), one real node
per cluster (containerd, kubelet, kube-proxy in a network namespace of its own). Binaries come from
scripts/build-test-k8s (or $DRSYNC_K8S_BIN). Python 3 standard library only; certificates are made
with the openssl CLI.

Layout of a run directory DIR:
  DIR/env                                   KUBECTL=..., K8S_BIN=..., more KEY=VALUE lines
  DIR/{source,dest}.kubeconfig              admin (client certificate, system:masters)
  DIR/{source,dest}-restricted.kubeconfig   bearer token of user drsync-restricted
  DIR/<cluster>/state.json                  ports, pids and exact argv of every process
  DIR/<cluster>/*.log                       one log per component
  DIR/<cluster>/pki/                        CA, serving/client certs, SA keys, token file
  DIR/<cluster>/etcd/                       etcd data
  DIR/<cluster>/node/                       the real node (containerd, kubelet, CNI, ...)
  DIR/real-nodes.json                       whether the real nodes run (or why not), their names
"""

import base64
import http.client
import json
import os
import random
import secrets
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import threading
import time

import realnode as rn

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
CLUSTERS = ("source", "dest")
K8S_VERSION = "v1.32.2"
RESTRICTED_USER = "drsync-restricted"
ADMIN_USER = "drsync-admin"
ROLE_NAME = "drsync-dr"
FIELD_MANAGER = "drsync-testcluster"
# Service and Pod ranges per cluster (realnode.CLUSTER_NET): source Services 10.0.0.0/16 (room for
# benchmarks with thousands of Services), dest 10.1.0.0/16; kwok's Pod IPs 10.244.0.0/16 and
# 10.246.0.0/16, the real nodes' 10.245.0.0/24 and 10.247.0.0/24: nothing overlaps.
NODE_COUNT = 3
# Components in start order; stopped in reverse order.
COMPONENTS = ("etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler", "kwok")
HOSTPATH_PV_ROOT = "/tmp/hostpath_pv/"


class Failure(Exception):
    """A user-facing error: message (and optionally a log to show)."""

    def __init__(self, msg, log=None):
        super().__init__(msg)
        self.log = log


def say(msg):
    print(msg, flush=True)


def warn(msg):
    print(msg, file=sys.stderr, flush=True)


def tail(path, lines=40):
    try:
        with open(path, "rb") as f:
            f.seek(0, os.SEEK_END)
            size = f.tell()
            f.seek(max(0, size - 64 * 1024))
            data = f.read().decode("utf-8", "replace").splitlines()
        return "\n".join(data[-lines:])
    except OSError as e:
        return f"(cannot read {path}: {e})"


# --------------------------------------------------------------------------------------------
# binaries


def k8s_bin():
    """Directory with kube-apiserver, kube-controller-manager, kube-scheduler, kubectl, etcd, kwok
    (and kubelet, kube-proxy for the real nodes)."""
    d = os.environ.get("DRSYNC_K8S_BIN")
    if not d:
        script = os.path.join(REPO, "scripts", "build-test-k8s")
        p = subprocess.run([script], stdout=subprocess.PIPE, text=True)
        lines = [l for l in p.stdout.splitlines() if l.strip()]
        if p.returncode != 0 or not lines:
            raise Failure(f"{script} failed (exit {p.returncode})")
        d = lines[-1].strip()
    for c in COMPONENTS + ("kubectl",):
        if not os.access(os.path.join(d, c), os.X_OK):
            raise Failure(f"{c} not found in {d}")
    return d


# --------------------------------------------------------------------------------------------
# ports


_port_lock = threading.Lock()


def free_ports(n):
    """n distinct free TCP ports on 127.0.0.1.

    Ports are picked at random *below* the kernel's ephemeral range and checked by binding them:
    a port from bind(("127.0.0.1", 0)) lies inside the ephemeral range, where it can be taken by
    an outgoing connection (e.g. kube-apiserver -> etcd) before the component binds it."""
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
            low = int(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        low = 32768
    lo, hi = 10000, max(low - 1, 12000)
    with _port_lock:
        socks, ports = [], []
        try:
            while len(ports) < n:
                port = random.randint(lo, hi)
                if port in ports:
                    continue
                s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                try:
                    s.bind(("127.0.0.1", port))
                except OSError:
                    s.close()
                    continue
                socks.append(s)
                ports.append(port)
        finally:
            for s in socks:
                s.close()
    return ports


# --------------------------------------------------------------------------------------------
# certificates (openssl CLI)


def _openssl(*args, cwd):
    p = subprocess.run(["openssl", *args], cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if p.returncode != 0:
        raise Failure(f"openssl {' '.join(args)} failed:\n{p.stderr}")


def _write(path, text, mode=0o644):
    with open(path, "w") as f:
        f.write(text)
    os.chmod(path, mode)


def _genkeys(pki, names):
    """RSA keys generated in parallel (the slow part of make_pki)."""
    procs = [(n, subprocess.Popen(["openssl", "genrsa", "-traditional", "-out", f"{n}.key", "2048"], cwd=pki,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)) for n in names]
    for n, p in procs:
        _, err = p.communicate()
        if p.returncode != 0:
            raise Failure(f"openssl genrsa for {n}.key failed:\n{err.decode(errors='replace')}")
        os.chmod(os.path.join(pki, f"{n}.key"), 0o600)


def _sign(pki, name, subj, ext):
    _write(os.path.join(pki, f"{name}.ext"), "[v3]\n" + ext)
    _openssl("req", "-new", "-key", f"{name}.key", "-subj", subj, "-out", f"{name}.csr", cwd=pki)
    _openssl("x509", "-req", "-in", f"{name}.csr", "-CA", "ca.crt", "-CAkey", "ca.key",
             "-set_serial", "0x" + secrets.token_hex(16), "-days", "3650", "-sha256",
             "-extfile", f"{name}.ext", "-extensions", "v3", "-out", f"{name}.crt", cwd=pki)
    os.remove(os.path.join(pki, f"{name}.csr"))
    os.remove(os.path.join(pki, f"{name}.ext"))


def make_pki(pki, cluster, host_ip=None):
    """A CA of its own per cluster, the apiserver serving cert, the admin client cert, the
    service-account signing key pair, and the static token file of the restricted user (and, with
    real nodes, of the node's kubelet and kube-proxy). host_ip: the address of the run's node
    bridge where the apiserver listens when the cluster has a real node (in the serving cert)."""
    os.makedirs(pki, exist_ok=True)
    _genkeys(pki, ("ca", "apiserver", "admin", "sa"))
    _write(os.path.join(pki, "ca.cnf"),
           "[req]\ndistinguished_name = dn\nprompt = no\n"
           f"[dn]\nCN = drsync-test-{cluster}-ca\n"
           "[v3]\nbasicConstraints = critical,CA:TRUE\n"
           "keyUsage = critical,keyCertSign,cRLSign,digitalSignature\n"
           "subjectKeyIdentifier = hash\n")
    _openssl("req", "-x509", "-new", "-key", "ca.key", "-config", "ca.cnf", "-extensions", "v3",
             "-set_serial", "0x" + secrets.token_hex(16), "-days", "3650", "-sha256",
             "-out", "ca.crt", cwd=pki)
    os.remove(os.path.join(pki, "ca.cnf"))
    common = ("authorityKeyIdentifier = keyid\nbasicConstraints = critical,CA:FALSE\n"
              "keyUsage = critical,digitalSignature,keyEncipherment\n")
    _sign(pki, "apiserver", "/CN=kube-apiserver",
          common + "extendedKeyUsage = serverAuth\n"
          "subjectAltName = IP:127.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,"
          "DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local,"
          f"IP:{rn.CLUSTER_NET[cluster]['service_ip']}" + (f",IP:{host_ip}" if host_ip else "") + "\n")
    _sign(pki, "admin", f"/O=system:masters/CN={ADMIN_USER}", common + "extendedKeyUsage = clientAuth\n")
    _openssl("rsa", "-in", "sa.key", "-pubout", "-out", "sa.pub", cwd=pki)
    token = secrets.token_hex(24)
    lines = [f'{token},{RESTRICTED_USER},{RESTRICTED_USER}-uid,""']
    node_tokens = {}
    if host_ip:
        node = rn.names("/", cluster)["node"]
        node_tokens = {"node": secrets.token_hex(24), "proxy": secrets.token_hex(24)}
        lines.append(f'{node_tokens["node"]},system:node:{node},system:node:{node},"system:nodes"')
        lines.append(f'{node_tokens["proxy"]},system:kube-proxy,system:kube-proxy,""')
    _write(os.path.join(pki, "tokens.csv"), "\n".join(lines) + "\n", 0o600)
    return token, node_tokens


def _b64file(path):
    with open(path, "rb") as f:
        return base64.b64encode(f.read()).decode()


def admin_kubeconfig(cluster, server, pki, files=False):
    """files=False: certificate data inline (for tests); True: file paths (for components)."""
    if files:
        ca = f"certificate-authority: {pki}/ca.crt"
        cert = f"client-certificate: {pki}/admin.crt"
        key = f"client-key: {pki}/admin.key"
    else:
        ca = f"certificate-authority-data: {_b64file(pki + '/ca.crt')}"
        cert = f"client-certificate-data: {_b64file(pki + '/admin.crt')}"
        key = f"client-key-data: {_b64file(pki + '/admin.key')}"
    return f"""apiVersion: v1
kind: Config
clusters:
- name: {cluster}
  cluster:
    server: {server}
    {ca}
users:
- name: {ADMIN_USER}
  user:
    {cert}
    {key}
contexts:
- name: {cluster}
  context:
    cluster: {cluster}
    user: {ADMIN_USER}
    namespace: default
current-context: {cluster}
preferences: {{}}
"""


def restricted_kubeconfig(cluster, server, pki, token, namespace):
    return f"""apiVersion: v1
kind: Config
clusters:
- name: {cluster}
  cluster:
    server: {server}
    certificate-authority-data: {_b64file(pki + '/ca.crt')}
users:
- name: {RESTRICTED_USER}
  user:
    token: {token}
contexts:
- name: {cluster}-restricted
  context:
    cluster: {cluster}
    user: {RESTRICTED_USER}
    namespace: {namespace}
current-context: {cluster}-restricted
preferences: {{}}
"""


# --------------------------------------------------------------------------------------------
# a minimal REST client (admin client certificate)


class Api:
    def __init__(self, port, pki, timeout=10, host="127.0.0.1"):
        self.port = port
        self.host = host
        self.timeout = timeout
        self.ctx = ssl.create_default_context(cafile=os.path.join(pki, "ca.crt"))
        self.ctx.load_cert_chain(os.path.join(pki, "admin.crt"), os.path.join(pki, "admin.key"))

    def request(self, method, path, body=None, content_type="application/json", timeout=None):
        """(status, parsed JSON or text). Raises OSError when the server cannot be reached."""
        conn = http.client.HTTPSConnection(self.host, self.port, context=self.ctx,
                                           timeout=timeout or self.timeout)
        try:
            headers = {"Accept": "application/json"}
            data = None
            if body is not None:
                data = body if isinstance(body, (bytes, str)) else json.dumps(body)
                headers["Content-Type"] = content_type
            conn.request(method, path, body=data, headers=headers)
            r = conn.getresponse()
            raw = r.read().decode("utf-8", "replace")
            try:
                return r.status, json.loads(raw)
            except ValueError:
                return r.status, raw
        finally:
            conn.close()

    def readyz(self):
        try:
            st, body = self.request("GET", "/readyz", timeout=3)
            return st == 200
        except (OSError, ssl.SSLError, http.client.HTTPException):
            return False

    def get(self, path):
        return self.request("GET", path)

    def apply(self, obj):
        """Server-side apply (idempotent create-or-update)."""
        path = object_path(obj) + f"?fieldManager={FIELD_MANAGER}&force=true"
        st, body = self.request("PATCH", path, obj, content_type="application/apply-patch+yaml")
        if st not in (200, 201):
            raise Failure(f"apply {obj['kind']} {obj['metadata'].get('name')}: HTTP {st}: {body}")
        return body


_RESOURCES = {
    "Namespace": ("/api/v1", "namespaces", False),
    "Node": ("/api/v1", "nodes", False),
    "StorageClass": ("/apis/storage.k8s.io/v1", "storageclasses", False),
    "Role": ("/apis/rbac.authorization.k8s.io/v1", "roles", True),
    "RoleBinding": ("/apis/rbac.authorization.k8s.io/v1", "rolebindings", True),
    "ClusterRole": ("/apis/rbac.authorization.k8s.io/v1", "clusterroles", False),
    "ClusterRoleBinding": ("/apis/rbac.authorization.k8s.io/v1", "clusterrolebindings", False),
}


def object_path(obj):
    prefix, plural, namespaced = _RESOURCES[obj["kind"]]
    md = obj["metadata"]
    if namespaced:
        return f"{prefix}/namespaces/{md['namespace']}/{plural}/{md['name']}"
    return f"{prefix}/{plural}/{md['name']}"


# --------------------------------------------------------------------------------------------
# objects created by up / grant


def dr_role_rules():
    """Least-privilege rules for DR work in one namespace (see docs/rbac.md)."""
    rw = ["get", "list", "watch", "create", "update", "patch", "delete"]
    return [
        {"apiGroups": [""], "resources": ["configmaps", "secrets", "serviceaccounts", "services",
                                          "persistentvolumeclaims", "limitranges", "resourcequotas"],
         "verbs": rw},
        {"apiGroups": ["apps"], "resources": ["deployments", "statefulsets", "daemonsets", "replicasets"],
         "verbs": rw},
        {"apiGroups": ["apps"], "resources": ["deployments/scale", "statefulsets/scale", "replicasets/scale"],
         "verbs": ["get", "update", "patch"]},
        {"apiGroups": ["batch"], "resources": ["cronjobs", "jobs"], "verbs": rw},
        {"apiGroups": ["networking.k8s.io"], "resources": ["ingresses", "networkpolicies"], "verbs": rw},
        {"apiGroups": ["autoscaling"], "resources": ["horizontalpodautoscalers"], "verbs": rw},
        {"apiGroups": ["policy"], "resources": ["poddisruptionbudgets"], "verbs": rw},
        {"apiGroups": ["rbac.authorization.k8s.io"], "resources": ["roles", "rolebindings"], "verbs": rw},
        # Restoring Roles/RoleBindings that grant more than this Role itself holds.
        {"apiGroups": ["rbac.authorization.k8s.io"], "resources": ["roles"], "verbs": ["bind", "escalate"]},
        {"apiGroups": ["rbac.authorization.k8s.io"], "resources": ["clusterroles"], "verbs": ["bind"]},
        # Readiness of restored workloads.
        {"apiGroups": [""], "resources": ["pods"], "verbs": ["get", "list", "watch"]},
        # Service checks: the Services' ready endpoints.
        {"apiGroups": ["discovery.k8s.io"], "resources": ["endpointslices"], "verbs": ["list"]},
        # GET of this namespace only (RBAC checks namespaces/<name> against namespace <name>).
        {"apiGroups": [""], "resources": ["namespaces"], "verbs": ["get"]},
    ]


CLUSTER_ROLE_NAME = "drsync-dr-cluster"


def dr_cluster_role_rules():
    """The cluster-level rules of DR copies: a namespace's ClusterRoleBindings and ClusterRoles
    (copied, pruned) and the CRDs of its custom resources (see docs/rbac.md)."""
    rw = ["get", "list", "create", "update", "patch", "delete"]
    return [
        {"apiGroups": ["rbac.authorization.k8s.io"], "resources": ["clusterrolebindings"], "verbs": rw},
        # bind / escalate: copying ClusterRoles (and bindings to them) that grant more than this holds.
        {"apiGroups": ["rbac.authorization.k8s.io"], "resources": ["clusterroles"],
         "verbs": rw + ["bind", "escalate"]},
        {"apiGroups": ["apiextensions.k8s.io"], "resources": ["customresourcedefinitions"],
         "verbs": ["get", "create"]},
    ]


def cluster_grant_objects():
    return [
        {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
         "metadata": {"name": CLUSTER_ROLE_NAME}, "rules": dr_cluster_role_rules()},
        {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
         "metadata": {"name": CLUSTER_ROLE_NAME},
         "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": CLUSTER_ROLE_NAME},
         "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": RESTRICTED_USER}]},
    ]


def grant_objects(namespace):
    return [
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": namespace}},
        {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role",
         "metadata": {"name": ROLE_NAME, "namespace": namespace}, "rules": dr_role_rules()},
        {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
         "metadata": {"name": ROLE_NAME, "namespace": namespace},
         "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": ROLE_NAME},
         "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": RESTRICTED_USER}]},
    ]


def real_node_objects():
    """RBAC of the real node's kubelet (group system:nodes) and kube-proxy (user
    system:kube-proxy): the bootstrap ClusterRoles, bound (the Node authorizer is not enabled)."""
    def crb(name, role, kind, subject):
        return {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
                "metadata": {"name": name},
                "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": role},
                "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": kind, "name": subject}]}
    return [crb("drsync:real-node", "system:node", "Group", "system:nodes"),
            crb("drsync:real-node-proxier", "system:node-proxier", "User", "system:kube-proxy")]


def bootstrap_objects():
    objs = [{
        "apiVersion": "storage.k8s.io/v1", "kind": "StorageClass",
        "metadata": {"name": "standard",
                     "annotations": {"storageclass.kubernetes.io/is-default-class": "true"}},
        "provisioner": "kubernetes.io/host-path",
        "reclaimPolicy": "Delete",
        "volumeBindingMode": "Immediate",
    }]
    for i in range(NODE_COUNT):
        name = f"kwok-node-{i}"
        res = {"cpu": "32", "memory": "256Gi", "pods": "110"}
        objs.append({
            "apiVersion": "v1", "kind": "Node",
            "metadata": {
                "name": name,
                "annotations": {"kwok.x-k8s.io/node": "fake", "node.alpha.kubernetes.io/ttl": "0"},
                "labels": {"type": "kwok", "kubernetes.io/hostname": name, "kubernetes.io/os": "linux",
                           "kubernetes.io/arch": "amd64", "kubernetes.io/role": "agent",
                           "node-role.kubernetes.io/agent": "",
                           "topology.kubernetes.io/zone": f"zone-{i}"},
            },
            "status": {"allocatable": res, "capacity": res,
                       "addresses": [{"type": "InternalIP", "address": "127.0.0.1"},
                                     {"type": "Hostname", "address": name}]},
        })
    return objs + cluster_grant_objects()


# --------------------------------------------------------------------------------------------
# processes and state


def state_path(d, cluster):
    return os.path.join(d, cluster, "state.json")


def load_state(d, cluster):
    try:
        with open(state_path(d, cluster)) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def save_state(d, cluster, st):
    p = state_path(d, cluster)
    tmp = p + ".tmp"
    with open(tmp, "w") as f:
        json.dump(st, f, indent=2)
        f.write("\n")
    os.replace(tmp, p)


def pid_alive(pid, argv0=None):
    """True when pid runs (not a zombie) and, if argv0 is given, still is that program."""
    if not pid:
        return False
    try:
        with open(f"/proc/{pid}/stat") as f:
            stat = f.read()
        if stat[stat.rindex(")") + 2] == "Z":
            return False
        if argv0:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                first = f.read().split(b"\0")[0].decode("utf-8", "replace")
            return first == argv0
        return True
    except (OSError, ValueError, IndexError):
        return False


def spawn(argv, log, env=None, netns=None):
    """Start a detached process (own session), output appended to log. netns: run it in that
    network namespace (nsenter --net only: a mount namespace of its own would hide the kubelet's
    volume mounts from runc); nsenter execs it, so its pid and argv[0] are the program's."""
    with open(log, "ab") as lf:
        lf.write(f"\n==== {time.strftime('%Y-%m-%d %H:%M:%S')} starting: {' '.join(argv)}\n".encode())
        lf.flush()
        full = (["nsenter", f"--net=/run/netns/{netns}", "--"] if netns else []) + argv
        return subprocess.Popen(full, stdin=subprocess.DEVNULL, stdout=lf, stderr=subprocess.STDOUT,
                                start_new_session=True, close_fds=True, env=env)


def terminate(pids, grace=5.0, sig=signal.SIGTERM):
    """Send sig (SIGTERM) to every (pid, argv0), SIGKILL whatever still runs after grace seconds."""
    live = [(p, a) for p, a in pids if pid_alive(p, a)]
    for p, _ in live:
        try:
            os.kill(p, sig)
        except OSError:
            pass
    deadline = time.time() + grace
    while time.time() < deadline:
        live = [(p, a) for p, a in live if pid_alive(p, a)]
        if not live:
            return
        time.sleep(0.1)
    for p, _ in live:
        try:
            os.kill(p, signal.SIGKILL)
        except OSError:
            pass
    deadline = time.time() + 5
    while time.time() < deadline and any(pid_alive(p, a) for p, a in live):
        time.sleep(0.1)


def stray_pids(d):
    """Processes of our components whose command line refers to run directory d (fallback when
    state.json is missing or stale, e.g. up was killed half-way)."""
    d = os.path.abspath(d).rstrip("/") + "/"
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                argv = [a.decode("utf-8", "replace") for a in f.read().split(b"\0") if a]
        except OSError:
            continue
        if not argv or os.path.basename(argv[0]) not in COMPONENTS + rn.NODE_PROGRAMS:
            continue
        if any(d in a for a in argv[1:]):
            found.append((int(entry), argv[0]))
    return found


def wait_ready(api, timeout, procs=None, abort=None):
    """Poll /readyz until 200; fail early if a watched process exits."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        if api.readyz():
            return
        check_procs(procs)
        if abort is not None and abort.is_set():
            raise Failure("aborted")
        time.sleep(0.2)
    raise Failure(f"kube-apiserver on port {api.port} not ready after {timeout}s")


def check_procs(procs):
    """procs: {name: (Popen, log)}. Raise Failure (with the log) if one exited."""
    for name, (p, log) in (procs or {}).items():
        if p.poll() is not None:
            raise Failure(f"{name} exited with code {p.returncode}", log=log)


# --------------------------------------------------------------------------------------------
# one cluster


class Cluster:
    def __init__(self, d, name, bindir, restricted_namespaces, abort, net=None, images=None):
        """net: the run's node network (realnode.setup_run_network) when the cluster gets a real
        node, else None; images: directory of the node images (scripts/build-test-images)."""
        self.net = net
        self.images = images
        self.node_thread = None
        self.node_error = None
        self.d = os.path.abspath(d)
        self.name = name
        self.cdir = os.path.join(self.d, name)
        self.pki = os.path.join(self.cdir, "pki")
        self.bin = bindir
        self.namespaces = restricted_namespaces
        self.abort = abort
        self.procs = {}  # name -> (Popen, log)
        self.state = None
        self.timings = {}
        self.error = None
        self.node_lock = threading.Lock()
        self.node_procs = {}  # started by prepare_node before the state exists
        self.node_popen = None

    def log(self, comp):
        return os.path.join(self.cdir, f"{comp}.log")

    @property
    def host(self):
        """Where the apiserver listens: the run's node bridge with real nodes, else loopback."""
        return self.net["host_ip"] if self.net else "127.0.0.1"

    def argvs(self, ports):
        b, pki, c = self.bin, self.pki, self.cdir
        kc = os.path.join(c, "admin.kubeconfig")
        cn = rn.CLUSTER_NET[self.name]
        # With a real node: kubectl logs/exec reach its kubelet with the admin client certificate.
        kubelet_client = [f"--kubelet-client-certificate={pki}/admin.crt",
                          f"--kubelet-client-key={pki}/admin.key"] if self.net else []
        return {
            "etcd": [f"{b}/etcd", "--data-dir", f"{c}/etcd",
                     "--client-url", f"http://127.0.0.1:{ports['etcd_client']}",
                     "--peer-url", f"http://127.0.0.1:{ports['etcd_peer']}"],
            "kube-apiserver": [
                f"{b}/kube-apiserver",
                f"--etcd-servers=http://127.0.0.1:{ports['etcd_client']}",
                f"--secure-port={ports['apiserver']}",
                f"--bind-address={self.host}",
                f"--advertise-address={self.host}",
                # The apiserver's own Endpoints (of the `kubernetes` Service: in-cluster clients
                # on the real node reach it through kube-proxy) are its address; on loopback
                # (no real node) Endpoints validation rejects them, so none are written.
                "--endpoint-reconciler-type=" + ("lease" if self.net else "none"),
                f"--cert-dir={pki}",
                f"--tls-cert-file={pki}/apiserver.crt",
                f"--tls-private-key-file={pki}/apiserver.key",
                f"--client-ca-file={pki}/ca.crt",
                "--authorization-mode=RBAC",
                f"--token-auth-file={pki}/tokens.csv",
                "--service-account-issuer=https://kubernetes.default.svc",
                f"--service-account-key-file={pki}/sa.pub",
                f"--service-account-signing-key-file={pki}/sa.key",
                f"--service-cluster-ip-range={cn['service_cidr']}",
                "--allow-privileged=true",
                "--profiling=false",
                "--event-ttl=1h",
                # kubectl logs/exec/port-forward: the fake nodes' InternalIP is 127.0.0.1, so the
                # attempt to reach a kubelet stays on loopback (no DNS lookup of the node name)
                "--kubelet-preferred-address-types=InternalIP",
            ] + kubelet_client,
            "kube-controller-manager": [
                f"{b}/kube-controller-manager",
                f"--kubeconfig={kc}",
                "--leader-elect=false",
                "--secure-port=0",
                "--profiling=false",
                f"--cluster-name={self.name}",
                f"--service-account-private-key-file={pki}/sa.key",
                f"--root-ca-file={pki}/ca.crt",
                "--enable-hostpath-provisioner=true",
                # kwok renews node leases; never mark the fake nodes NotReady because the
                # apiserver was stopped for a while by a test (tests/cluster/stop)
                "--node-monitor-grace-period=1h",
                "--kube-api-qps=100",
                "--kube-api-burst=200",
            ],
            "kube-scheduler": [
                f"{b}/kube-scheduler",
                f"--kubeconfig={kc}",
                "--leader-elect=false",
                "--secure-port=0",
                "--profiling=false",
                "--kube-api-qps=100",
                "--kube-api-burst=200",
            ],
            "kwok": [
                f"{b}/kwok",
                f"--kubeconfig={kc}",
                f"--config={c}/kwok.yaml",
                "--manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake",
                "--node-lease-duration-seconds=40",
                f"--cidr={cn['kwok_cidr']}",
                "--node-ip=127.0.0.1",
            ],
        }

    def save(self):
        save_state(self.d, self.name, self.state)

    def start_proc(self, comp):
        argv = self.state["processes"][comp]["argv"]
        p = spawn(argv, self.log(comp), netns=self.state["processes"][comp].get("netns"))
        self.procs[comp] = (p, self.log(comp))
        self.state["processes"][comp]["pid"] = p.pid
        self.save()
        return p

    def tick(self, key, t0):
        self.timings[key] = round(time.time() - t0, 1)

    def up(self, t0):
        self.t0 = t0
        if os.path.exists(self.cdir):
            shutil.rmtree(self.cdir)
        os.makedirs(self.cdir)
        if self.net:
            # network namespace, cgroups, containerd and its images: beside the control plane
            self.node_thread = threading.Thread(target=self.prepare_node, daemon=True)
            self.node_thread.start()
        token, node_tokens = make_pki(self.pki, self.name, self.net["host_ip"] if self.net else None)
        self.tick("certs", t0)
        _write(os.path.join(self.cdir, "kwok.yaml"),
               "apiVersion: config.kwok.x-k8s.io/v1alpha1\nkind: KwokConfiguration\noptions: {}\n")
        for attempt in range(3):
            ports = dict(zip(("etcd_client", "etcd_peer", "apiserver"), free_ports(3)))
            server = f"https://{self.host}:{ports['apiserver']}"
            argvs = self.argvs(ports)
            self.state = {
                "cluster": self.name, "dir": self.d, "server": server, "host": self.host, "ports": ports,
                "bin": self.bin, "restricted_user": RESTRICTED_USER, "restricted_token": token,
                "restricted_namespaces": self.namespaces,
                "processes": {c: {"argv": argvs[c], "pid": None, "log": self.log(c)} for c in COMPONENTS},
                "real_node": rn.node_info(self.d, self.name, self.net) if self.net else None,
            }
            _write(os.path.join(self.cdir, "admin.kubeconfig"),
                   admin_kubeconfig(self.name, server, self.pki, files=True), 0o600)
            self.save()
            try:
                self.start_control_plane(ports)
                break
            except Failure as e:
                if attempt < 2 and e.log and "address already in use" in tail(e.log, 200):
                    warn(f"{self.name}: port collision, retrying with other ports")
                    self.kill_all()
                    shutil.rmtree(os.path.join(self.cdir, "etcd"), ignore_errors=True)
                    for c in COMPONENTS:
                        try:
                            os.remove(self.log(c))
                        except OSError:
                            pass
                    continue
                raise
        self.tick("apiserver-ready", t0)
        api = self.api
        for c in ("kube-controller-manager", "kube-scheduler", "kwok"):
            self.start_proc(c)
        for obj in bootstrap_objects():
            api.apply(obj)
        for ns in self.namespaces:
            for obj in grant_objects(ns):
                api.apply(obj)
        if self.net:
            for obj in real_node_objects():
                api.apply(obj)
        self.tick("objects", t0)
        if self.net:
            self.start_node(node_tokens)
        # ready: default ServiceAccounts exist (controller-manager works), fake nodes Ready (kwok
        # works), StorageClass exists
        deadline = time.time() + 120
        pending = ["default"] + list(self.namespaces)
        while True:
            pending = [ns for ns in pending
                       if api.get(f"/api/v1/namespaces/{ns}/serviceaccounts/default")[0] != 200]
            st, nodes = api.get("/api/v1/nodes?labelSelector=type%3Dkwok")
            ready = 0
            if st == 200:
                for n in nodes.get("items", []):
                    for cond in n.get("status", {}).get("conditions", []):
                        if cond.get("type") == "Ready" and cond.get("status") == "True":
                            ready += 1
            sc = api.get("/apis/storage.k8s.io/v1/storageclasses/standard")[0]
            real_ok, real = rn.node_ready(api, self.state["real_node"]["name"]) if self.net else (True, "")
            if not pending and ready == NODE_COUNT and sc == 200 and real_ok:
                break
            check_procs(self.procs)
            if self.abort.is_set():
                raise Failure("aborted")
            if time.time() > deadline:
                raise Failure(f"not ready after 120s: default ServiceAccount missing in {pending}, "
                              f"{ready}/{NODE_COUNT} nodes Ready, StorageClass HTTP {sc}"
                              + (f", real node {self.state['real_node']['name']}: {real}" if self.net else ""),
                              log=self.log("kubelet") if not real_ok else None)
            time.sleep(0.2)
        self.tick("ready", t0)
        check_procs(self.procs)

    @property
    def api(self):
        return Api(self.state["ports"]["apiserver"], self.pki, host=self.host)

    def prepare_node(self):
        """Thread: the node's namespace and cgroups, containerd, the imported images."""
        t0 = time.time()
        try:
            rn.setup_node_network(self.d, self.name, self.net)
            rn.setup_cgroups(rn.names(self.d, self.name)["cgroup"])
            nd = rn.names(self.d, self.name)["dir"]
            argv = rn.containerd_config(self.d, self.name)
            netns = rn.names(self.d, self.name)["netns"]
            with self.node_lock:
                self.node_procs["containerd"] = {"argv": argv, "pid": None, "log": self.log("containerd"),
                                                 "netns": netns}
                p = spawn(argv, self.log("containerd"), netns=netns)
                self.node_procs["containerd"]["pid"] = p.pid
                self.node_popen = p
            sock = os.path.join(nd, "containerd.sock")
            rn.wait_containerd(sock, p, self.log("containerd"))
            self.tick("containerd", t0)
            rn.import_images(sock, self.images)
            self.timings["node-prepared"] = round(time.time() - t0, 1)
        except (rn.NodeError, OSError, subprocess.SubprocessError) as e:
            self.node_error = Failure(f"real node: {e}", log=getattr(e, "log", None))

    def start_node(self, node_tokens):
        """kubelet and kube-proxy, once the node is prepared and the apiserver serves."""
        self.node_thread.join()
        with self.node_lock:
            self.state["processes"].update(self.node_procs)
            self.save()
        if self.node_error:
            raise self.node_error
        netns = rn.names(self.d, self.name)["netns"]
        argvs = rn.node_configs(self.d, self.name, self.net, self.state, self.bin, self.pki, node_tokens)
        for comp in ("kubelet", "kube-proxy"):
            self.state["processes"][comp] = {"argv": argvs[comp], "pid": None, "log": self.log(comp),
                                             "netns": netns}
            self.start_proc(comp)
        self.tick("node-started", self.t0)

    def join_node(self):
        if self.node_thread is not None:
            self.node_thread.join()

    def start_control_plane(self, ports):
        self.start_proc("etcd")
        deadline = time.time() + 60
        while True:
            try:
                c = http.client.HTTPConnection("127.0.0.1", ports["etcd_client"], timeout=2)
                c.request("GET", "/health")
                r = c.getresponse()
                body = r.read()
                c.close()
                if r.status == 200 and b"true" in body:
                    break
            except (OSError, http.client.HTTPException):
                pass
            check_procs(self.procs)
            if time.time() > deadline:
                raise Failure("etcd not healthy after 60s", log=self.log("etcd"))
            time.sleep(0.1)
        self.start_proc("kube-apiserver")
        wait_ready(self.api, 120, self.procs, self.abort)

    def entries(self):
        """(component, pid, argv0) of the processes this object started."""
        return [(c, p.pid, self.state["processes"][c]["argv"][0]) for c, (p, _) in self.procs.items()]

    def reap(self):
        for p, _ in self.procs.values():
            try:
                p.wait(timeout=1)
            except subprocess.TimeoutExpired:
                pass
        self.procs = {}

    def kill_all(self):
        stop_components(self.entries())
        self.reap()

    def write_kubeconfigs(self):
        server = self.state["server"]
        _write(os.path.join(self.d, f"{self.name}.kubeconfig"),
               admin_kubeconfig(self.name, server, self.pki), 0o600)
        _write(os.path.join(self.d, f"{self.name}-restricted.kubeconfig"),
               restricted_kubeconfig(self.name, server, self.pki, self.state["restricted_token"],
                                     self.namespaces[0]), 0o600)


def cluster_api(d, cluster):
    st = load_state(d, cluster)
    if not st:
        raise Failure(f"no cluster {cluster} in {d} (missing {state_path(d, cluster)}); run tests/cluster/up")
    return st, state_api(d, cluster, st)


def state_api(d, cluster, st, timeout=10):
    return Api(st["ports"]["apiserver"], os.path.join(d, cluster, "pki"), timeout=timeout,
               host=st.get("host", "127.0.0.1"))


def stop_components(entries):
    """Stop (component, pid, argv0) entries in stages: clients first (kwok, scheduler,
    controller-manager), then kube-apiserver, then etcd. kube-apiserver's graceful shutdown waits
    for its clients' open connections, so stopping it last makes it exit at once."""
    stages = (("kwok", "kube-scheduler", "kube-controller-manager", "kubelet", "kube-proxy"),
              ("kube-apiserver",), ("etcd",))
    for stage in stages:
        terminate([(pid, argv0) for c, pid, argv0 in entries if c in stage], grace=3)
    known = {comp for st in stages for comp in st}
    terminate([(pid, argv0) for c, pid, argv0 in entries if c not in known], grace=3)


def cluster_entries(d, cluster):
    """(component, pid, argv0) of one cluster: from state.json plus a /proc scan for leftovers."""
    st = load_state(d, cluster)
    entries = []
    if st:
        for c, pr in st.get("processes", {}).items():
            if pr.get("pid"):
                entries.append((c, pr["pid"], pr["argv"][0]))
    seen = {pid for _, pid, _ in entries}
    for pid, argv0 in stray_pids(os.path.join(d, cluster)):
        if pid not in seen:
            entries.append((os.path.basename(argv0), pid, argv0))
    return entries


def stop_clusters(d, clusters=CLUSTERS, remove_hostpath=True):
    """Stop every process of the given clusters of run directory d and remove their real nodes
    (when both clusters are stopped, also the run's node network). Returns the kernel settings
    restored (realnode.teardown_run)."""
    entries = []
    for c in clusters:
        st = load_state(d, c)
        if st and remove_hostpath:
            cleanup_hostpath_volumes(d, c, st)
        mine = cluster_entries(d, c)
        node = [e for e in mine if e[0] in rn.NODE_PROGRAMS]
        # kubelet and kube-proxy first, then everything in the node's cgroup (containers, shims,
        # containerd), mounts, namespace, cgroups; the control plane keeps running meanwhile
        rn.teardown_node(d, c, node, lambda pids, grace, sig: terminate(pids, grace=grace, sig=sig))
        entries += [e for e in mine if e[0] not in rn.NODE_PROGRAMS]
    stop_components(entries)
    # anything started meanwhile or missed
    stop_components([(os.path.basename(a), p, a) for p, a in stray_pids(d)])
    if set(clusters) == set(CLUSTERS):
        return rn.teardown_run(d)
    return []


def cleanup_hostpath_volumes(d, cluster, st):
    """Remove the directories the in-tree hostPath provisioner made for this cluster's PVs (it
    only removes them itself when a PVC is deleted while the cluster runs). Best effort."""
    try:
        api = state_api(d, cluster, st, timeout=2)
        status, pvs = api.get("/api/v1/persistentvolumes")
    except (OSError, ssl.SSLError, http.client.HTTPException, KeyError):
        return
    if status != 200:
        return
    for pv in pvs.get("items", []):
        path = (pv.get("spec", {}).get("hostPath") or {}).get("path", "")
        real = os.path.realpath(path) if path else ""
        if real.startswith(HOSTPATH_PV_ROOT) and "/" not in real[len(HOSTPATH_PV_ROOT):]:
            shutil.rmtree(real, ignore_errors=True)


def restart_apiserver(d, cluster, timeout=120):
    st = load_state(d, cluster)
    if not st:
        raise Failure(f"no cluster {cluster} in {d}")
    pr = st["processes"]["kube-apiserver"]
    api = state_api(d, cluster, st)
    etcd = st["processes"]["etcd"]
    if not pid_alive(etcd.get("pid"), etcd["argv"][0]):
        raise Failure(f"etcd of {cluster} is not running (pid {etcd.get('pid')}); run down and up again")
    procs = {}
    if not pid_alive(pr.get("pid"), pr["argv"][0]):
        p = spawn(pr["argv"], pr["log"])
        pr["pid"] = p.pid
        save_state(d, cluster, st)
        procs["kube-apiserver"] = (p, pr["log"])
    wait_ready(api, timeout, procs)


def stop_apiserver(d, cluster):
    st = load_state(d, cluster)
    if not st:
        raise Failure(f"no cluster {cluster} in {d}")
    pr = st["processes"]["kube-apiserver"]
    # SIGKILL: a crash, everything is gone at once. (On SIGTERM the apiserver closes its listener
    # at once but keeps serving open connections for several seconds.) It has no state of its
    # own; all data is in etcd, which keeps running.
    terminate([(pr.get("pid"), pr["argv"][0])], grace=0, sig=signal.SIGKILL)
    pr["pid"] = None
    save_state(d, cluster, st)


def read_env(d):
    env = {}
    try:
        with open(os.path.join(d, "env")) as f:
            for line in f:
                if "=" in line:
                    k, v = line.rstrip("\n").split("=", 1)
                    env[k] = v
    except OSError:
        pass
    return env
