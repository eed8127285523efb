"""The real node of each test cluster (see docs/test-clusters.md, "Real nodes").

Beside its kwok nodes every cluster gets one real node: containerd (with its own root, state,
socket and cgroup), runc, the CNI bridge/host-local/loopback/portmap plugins, a kubelet and a
kube-proxy (iptables mode). Each node lives in a network namespace made here, wired by a veth pair
to one bridge per run directory; the bridge's own address is where the kube-apiservers listen.
Nothing is routed or NATed on the host: host forwarding stays off, the host gets no iptables rule
(kube-proxy's and CNI's rules live in the node namespaces), every address lives on interfaces made
here, and teardown() / teardown_run() remove every namespace, link, mount, cgroup, file and
directory made here and restore the kernel settings the kubelet changes.

Python 3 standard library only. Runs as root (checked by preflight(), which says why a machine
cannot run a real node).
"""

import ctypes
import errno
import fcntl
import hashlib
import ipaddress
import json
import os
import re
import shutil
import signal
import subprocess
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))

LABEL_KEY = "drsync.io/real-node"
LABEL_VALUE = "true"
TAINT_EFFECT = "NoSchedule"
TOOLS_IMAGE = "drsync.local/tools:1"
PAUSE_IMAGE = "registry.k8s.io/pause:3.10"
NODE_COMPONENTS = ("containerd", "kubelet", "kube-proxy")
# programs of a real node found by their command line naming the run directory
NODE_PROGRAMS = NODE_COMPONENTS + ("containerd-shim-runc-v2",)
CNI_BIN = "/usr/lib/cni"
CNI_PLUGINS = ("bridge", "host-local", "loopback", "portmap")
HOST_TOOLS = ("containerd", "containerd-shim-runc-v2", "ctr", "runc", "nsenter", "ip", "iptables",
              "iptables-save", "iptables-restore")
CGROUP_V1_NEEDED = ("cpu", "cpuacct", "cpuset", "memory", "pids", "devices", "freezer")
# What the kubelet sets machine-wide at start (setupKernelTunables); restored by teardown_run().
# (net/ipv4/ip_forward: nothing here changes it; recorded so the selftest can check it stays.)
KERNEL_SYSCTLS = ("vm/overcommit_memory", "vm/panic_on_oom", "kernel/panic", "kernel/panic_on_oops",
                  "kernel/keys/root_maxkeys", "kernel/keys/root_maxbytes", "net/ipv4/ip_forward")
# Machine-wide bookkeeping shared by every run directory with real nodes: the kernel settings
# before the first kubelet started, the directories made outside run directories, the users.
REGISTRY = "/run/drsync-real-nodes.json"
# Paths outside the run directory that containerd, CNI or the kubelet create when missing.
# Deepest first. (The kubelet's device manager has a fixed socket path,
# /var/lib/kubelet/device-plugins/kubelet.sock, whatever its --root-dir.)
SHARED_DIRS = ("/var/log/containers", "/var/lib/cni/results", "/var/lib/cni",
               "/var/lib/kubelet/device-plugins", "/var/lib/kubelet", "/run/containerd/s",
               "/run/containerd", "/run/netns", "/run/mount")
DEVICE_PLUGIN_SOCKET = "/var/lib/kubelet/device-plugins/kubelet.sock"
VAR_LOG_CONTAINERS = "/var/log/containers"
CNI_CACHE = "/var/lib/cni/results"
SHIM_SOCKETS = "/run/containerd/s"

# Addresses. Node network: one /24 per run directory on its bridge (.1 the host = kube-apiservers,
# .2 the source node, .3 the dest node). Pod and Service ranges of the two clusters do not
# overlap; kwok's fake Pod IPs come from the other half of each cluster's range.
NODE_NET_BASE = "10.250.0.0/16"
CLUSTER_NET = {
    "source": {"host": 2, "cluster_cidr": "10.244.0.0/15", "kwok_cidr": "10.244.0.1/16",
               "pod_cidr": "10.245.0.0/24", "service_cidr": "10.0.0.0/16", "service_ip": "10.0.0.1"},
    "dest": {"host": 3, "cluster_cidr": "10.246.0.0/15", "kwok_cidr": "10.246.0.1/16",
             "pod_cidr": "10.247.0.0/24", "service_cidr": "10.1.0.0/16", "service_ip": "10.1.0.1"},
}


class Unavailable(Exception):
    """This machine cannot run a real node; the message says why."""


class NodeError(Exception):
    def __init__(self, msg, log=None):
        super().__init__(msg)
        self.log = log


# --------------------------------------------------------------------------------------------
# names


def run_id(d):
    return hashlib.sha256(os.path.abspath(d).encode()).hexdigest()[:6]


def names(d, cluster=None):
    i = run_id(d)
    n = {"bridge": f"drsbr{i}", "id": i}
    if cluster:
        n.update({
            "netns": f"drsync-{i}-{cluster}",
            "veth": f"drs{i}{cluster[0]}",
            "veth_peer": f"drs{i}{cluster[0]}n",
            "cgroup": f"drsync-{i}-{cluster}",
            "network": f"drsync-{i}-{cluster}",
            "node": f"real-{cluster}",
            "dir": os.path.join(os.path.abspath(d), cluster, "node"),
        })
    return n


# --------------------------------------------------------------------------------------------
# small helpers


def sh(*argv, check=True, timeout=60):
    try:
        p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=timeout)
    except FileNotFoundError as e:  # e.g. no iproute2 on a machine that never had real nodes
        p = subprocess.CompletedProcess(argv, 127, "", str(e))
    if check and p.returncode != 0:
        raise NodeError(f"{' '.join(argv)} failed (exit {p.returncode}): {p.stderr.strip()}")
    return p


def write(path, text, mode=0o644):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)
    os.chmod(path, mode)


def read(path):
    try:
        with open(path) as f:
            return f.read().strip()
    except OSError:
        return None


def which(prog):
    return shutil.which(prog, path=os.environ.get("PATH", "") + ":/usr/sbin:/sbin:/usr/bin:/bin")


def mountinfo():
    """(mount point, fstype) of every mount, decoded."""
    out = []
    with open("/proc/self/mountinfo") as f:
        for line in f:
            left, right = line.split(" - ", 1)
            mp = left.split()[4]
            mp = re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), mp)
            out.append((mp, right.split()[0]))
    return out


def cgroup_v1_hierarchies():
    """{controller name: mount point} of the cgroup v1 hierarchies (name=systemd included)."""
    h = {}
    with open("/proc/self/mountinfo") as f:
        for line in f:
            left, right = line.split(" - ", 1)
            fstype, _, opts = right.split()[:3]
            if fstype != "cgroup":
                continue
            mp = left.split()[4]
            for o in opts.split(","):
                if o in ("rw", "ro") or o.startswith(("relatime", "nosuid", "nodev", "noexec")):
                    continue
                h[o] = mp
    return h


def cgroup_dirs(cgroup):
    """The cgroup's directory in every hierarchy: the v1 ones and, on a hybrid machine, the
    unified (v2) one where runc and the kubelet also make their cgroups."""
    mps = set(cgroup_v1_hierarchies().values())
    mps.update(mp for mp, fstype in mountinfo() if fstype == "cgroup2")
    return sorted(os.path.join(mp, cgroup) for mp in mps)


# --------------------------------------------------------------------------------------------
# can this machine run a real node?


def preflight(bindir, d):
    """None when a real node can run here (for run directory d), else the reason."""
    sock = os.path.join(names(d, "source")["dir"], "containerd.sock.ttrpc")
    if len(sock) > 100:  # sun_path holds 108 bytes
        return f"run directory path too long for containerd's sockets ({sock}: {len(sock)} > 100 characters)"
    if os.uname().sysname != "Linux":
        return "not Linux"
    if os.geteuid() != 0:
        return ("needs root (network namespaces, cgroups, mounts); tests/cluster/up runs as uid "
                f"{os.geteuid()}")
    missing = [t for t in HOST_TOOLS if not which(t)]
    if missing:
        return (f"missing programs: {', '.join(missing)} (scripts/setup installs containerd, runc, "
                "iptables, iproute2, util-linux)")
    missing = [p for p in CNI_PLUGINS if not os.access(os.path.join(CNI_BIN, p), os.X_OK)]
    if missing:
        return f"missing CNI plugins in {CNI_BIN}: {', '.join(missing)} (Debian containernetworking-plugins)"
    for b in ("kubelet", "kube-proxy"):
        if not os.access(os.path.join(bindir, b), os.X_OK):
            return f"{b} not found in {bindir} (scripts/build-test-k8s builds it)"
    h = cgroup_v1_hierarchies()
    if not h:
        return ("no cgroup v1 hierarchies: the unified cgroup v2 layout is not supported by the test "
                "clusters' real nodes yet")
    missing = [c for c in CGROUP_V1_NEEDED if c not in h]
    if missing:
        return f"cgroup v1 controllers not mounted: {', '.join(missing)}"
    probe = f"drsync-probe-{os.getpid()}"
    for c in sorted(set(h.values())):
        p = os.path.join(c, probe)
        try:
            os.mkdir(p)
            os.rmdir(p)
        except OSError as e:
            return f"cannot create cgroups in {c}: {e.strerror}"
    if read("/proc/sys/net/bridge/bridge-nf-call-iptables") == "1":
        fwd = sh("iptables", "-S", "FORWARD", check=False).stdout.splitlines()
        if fwd and fwd[0].strip() == "-P FORWARD DROP":
            return ("the host's iptables FORWARD policy is DROP and bridged frames pass it "
                    "(net.bridge.bridge-nf-call-iptables=1): the two nodes could not reach each other")
    if "overlay" not in (read("/proc/filesystems") or ""):
        return "the kernel has no overlay filesystem (containerd's overlayfs snapshotter)"
    ns = f"drsync-probe-{os.getpid()}"
    p = sh("ip", "netns", "add", ns, check=False)
    if p.returncode != 0:
        return f"cannot create network namespaces (ip netns add): {p.stderr.strip()}"
    p2 = sh("ip", "-n", ns, "link", "add", "probe0", "type", "bridge", check=False)
    sh("ip", "netns", "del", ns, check=False)
    if p2.returncode != 0:
        return f"cannot create a bridge in a network namespace: {p2.stderr.strip()}"
    return None


def build_images():
    """Directory with pause.tar and tools.tar (scripts/build-test-images, cached)."""
    script = os.path.join(REPO, "scripts", "build-test-images")
    p = subprocess.run([script], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lines = [l for l in p.stdout.splitlines() if l.strip()]
    if p.returncode != 0 or not lines:
        raise Unavailable(f"building the node images failed (scripts/build-test-images, exit "
                          f"{p.returncode}): {p.stderr.strip()[-800:]}")
    return lines[-1].strip()


# --------------------------------------------------------------------------------------------
# machine-wide registry (kernel settings, shared directories)


class _Registry:
    """flock-protected JSON at REGISTRY."""

    def __enter__(self):
        while True:
            self.fd = os.open(REGISTRY, os.O_RDWR | os.O_CREAT, 0o600)
            fcntl.flock(self.fd, fcntl.LOCK_EX)
            try:
                if os.fstat(self.fd).st_ino == os.stat(REGISTRY).st_ino:
                    break
            except FileNotFoundError:
                pass
            os.close(self.fd)  # removed by the last user meanwhile: take the new one
        data = os.read(self.fd, 1 << 20).decode() or "{}"
        try:
            self.data = json.loads(data)
        except ValueError:
            self.data = {}
        return self

    def save(self):
        os.lseek(self.fd, 0, os.SEEK_SET)
        os.ftruncate(self.fd, 0)
        os.write(self.fd, json.dumps(self.data, indent=2).encode())

    def remove(self):
        os.unlink(REGISTRY)

    def __exit__(self, *exc):
        os.close(self.fd)


def register_user(d):
    """Before the first kubelet of run d: remember the kernel settings (when no other run with
    real nodes is registered) and which shared directories exist already."""
    d = os.path.abspath(d)
    with _Registry() as r:
        users = [u for u in r.data.get("users", []) if os.path.isdir(u) and u != d]
        if not users:
            r.data = {"sysctls": {k: read(f"/proc/sys/{k}") for k in KERNEL_SYSCTLS},
                      "created": [p for p in SHARED_DIRS if not os.path.lexists(p)],
                      "run_netns_mount": "/run/netns" not in {mp for mp, _ in mountinfo()}}
        r.data["users"] = users + [d]
        r.save()


def recorded_sysctls():
    """The kernel settings recorded before the first kubelet of the running real nodes."""
    try:
        with open(REGISTRY) as f:
            return json.load(f).get("sysctls") or {}
    except (OSError, ValueError):
        return {}


def host_isolation_problems():
    """What breaks "networking stays on this machine" in the host's own namespace: forwarding
    turned on, or iptables rules of kube-proxy / CNI."""
    problems = []
    before = recorded_sysctls().get("net/ipv4/ip_forward")
    now = read("/proc/sys/net/ipv4/ip_forward")
    if now != "0" and now != before:
        problems.append(f"host net.ipv4.ip_forward is {now} (was {before})")
    p = sh("iptables-save", check=False)
    rules = [l for l in p.stdout.splitlines() if re.search(r"KUBE-|CNI-|10\.24[4-7]\.", l)]
    if rules:
        problems.append("host iptables has kube-proxy/CNI rules: " + "; ".join(rules[:5]))
    return problems


def release_user(d):
    """After run d's nodes are gone: when it was the last run, restore the kernel settings and
    remove the shared directories that did not exist before (when empty)."""
    d = os.path.abspath(d)
    if not os.path.exists(REGISTRY):
        return []
    done = []
    with _Registry() as r:
        users = [u for u in r.data.get("users", []) if u != d and os.path.isdir(u)]
        if users:
            r.data["users"] = users
            r.save()
            return done
        for k, v in (r.data.get("sysctls") or {}).items():
            if v is not None and read(f"/proc/sys/{k}") != v:
                try:
                    write(f"/proc/sys/{k}", v + "\n")
                    done.append(f"{k.replace('/', '.')}={v}")
                except OSError:
                    pass
        created = r.data.get("created", [])
        if "/var/lib/kubelet/device-plugins" in created:
            try:
                os.remove(DEVICE_PLUGIN_SOCKET)
            except OSError:
                pass
        if r.data.get("run_netns_mount") and "/run/netns" in created:
            try:
                if not os.listdir("/run/netns"):
                    umount("/run/netns")
            except OSError:
                pass
        for p in created:  # deepest first (SHARED_DIRS order)
            try:
                os.rmdir(p)
            except OSError:
                pass
        r.remove()
    return done


# --------------------------------------------------------------------------------------------
# the node network


def setup_run_network(d):
    """The run's bridge with the host address (where the kube-apiservers listen)."""
    n = names(d)
    used = set()
    for line in sh("ip", "-4", "-o", "addr", "show").stdout.splitlines():
        m = re.search(r"inet (\S+)", line)
        if m:
            used.add(ipaddress.ip_interface(m.group(1)).network)
    for line in sh("ip", "-4", "route", "show", "table", "all").stdout.splitlines():
        dst = line.split()[0]
        if dst not in ("default", "broadcast", "local", "unreachable") and re.match(r"^[0-9.]+(/\d+)?$", dst):
            used.add(ipaddress.ip_network(dst, strict=False))
    base = ipaddress.ip_network(NODE_NET_BASE)
    start = int(n["id"], 16) % 256
    subnet = None
    for k in range(256):
        cand = list(base.subnets(new_prefix=24))[(start + k) % 256]
        if not any(cand.overlaps(u) for u in used):
            subnet = cand
            break
    if subnet is None:
        raise NodeError(f"no free /24 in {NODE_NET_BASE} for the node network")
    host_ip = str(subnet.network_address + 1)
    sh("ip", "link", "del", n["bridge"], check=False)
    sh("ip", "link", "add", n["bridge"], "type", "bridge")
    _disable_ipv6(n["bridge"])
    sh("ip", "addr", "add", f"{host_ip}/24", "dev", n["bridge"])
    sh("ip", "link", "set", n["bridge"], "up")
    return {"bridge": n["bridge"], "subnet": str(subnet), "host_ip": host_ip}


def _disable_ipv6(dev, netns=None):
    path = f"/proc/sys/net/ipv6/conf/{dev}/disable_ipv6"
    if netns:
        sh("nsenter", f"--net=/run/netns/{netns}", "--", "sh", "-c", f"[ ! -e {path} ] || echo 1 > {path}",
           check=False)
    elif os.path.exists(path):
        try:
            write(path, "1\n")
        except OSError:
            pass


def node_ip(net, cluster):
    return str(ipaddress.ip_network(net["subnet"]).network_address + CLUSTER_NET[cluster]["host"])


# --------------------------------------------------------------------------------------------
# one node


CONTAINERD_TOML = """\
version = 2
root = "{dir}/containerd/root"
state = "{dir}/containerd/state"
disabled_plugins = ["io.containerd.internal.v1.opt", "io.containerd.snapshotter.v1.btrfs",
                    "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper",
                    "io.containerd.snapshotter.v1.aufs", "io.containerd.tracing.processor.v1.otlp"]

[grpc]
  address = "{dir}/containerd.sock"

[ttrpc]
  address = "{dir}/containerd.sock.ttrpc"

[cgroup]
  path = "/{cgroup}/containerd"

[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "{pause}"
  # root lacks CAP_SYS_RESOURCE here: without this every sandbox fails with
  # "can't get final child's PID from pipe: EOF" (runc refused the oom_score_adj write)
  restrict_oom_score_adj = true
  netns_mounts_under_state_dir = true
  disable_apparmor = true
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
        Root = "{dir}/runc"
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "{cni_bin}"
    conf_dir = "{dir}/cni"
    max_conf_num = 1
"""

KUBELET_YAML = """\
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
containerRuntimeEndpoint: unix://{dir}/containerd.sock
# cgroup v1 (hybrid) machine: cgroupfs driver under a root of this node's own
cgroupDriver: cgroupfs
cgroupRoot: /{cgroup}
failCgroupV1: false
failSwapOn: false
address: {ip}
port: 10250
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
healthzPort: 10248
authentication:
  anonymous: {{enabled: false}}
  webhook: {{enabled: false}}
  x509: {{clientCAFile: {pki}/ca.crt}}
authorization: {{mode: AlwaysAllow}}
registerWithTaints:
- {{key: {label_key}, value: "{label_value}", effect: {effect}}}
resolvConf: ""
podLogsDir: {dir}/pod-logs
volumePluginDir: {dir}/volume-plugins
# no registry to pull from: never garbage-collect the imported images; no disk-pressure eviction
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
evictionHard: {{memory.available: "1Mi"}}
serializeImagePulls: false
maxPods: 50
protectKernelDefaults: false
nodeStatusReportFrequency: 1m
"""

KUBE_PROXY_YAML = """\
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
mode: iptables
clientConnection: {{kubeconfig: {dir}/kube-proxy.kubeconfig}}
hostnameOverride: {node}
clusterCIDR: {cluster_cidr}
healthzBindAddress: 127.0.0.1:10256
metricsBindAddress: 127.0.0.1:10249
oomScoreAdj: 0
# Service traffic is masqueraded, so replies cross the node's routing (no br_netfilter needed)
iptables: {{masqueradeAll: true, syncPeriod: 30s, minSyncPeriod: 0s}}
# leave the machine-wide conntrack settings alone
conntrack: {{maxPerCore: 0, min: 0, tcpEstablishedTimeout: 0s, tcpCloseWaitTimeout: 0s}}
"""


def cni_conflist(n, cluster):
    return json.dumps({
        "cniVersion": "0.4.0", "name": n["network"],
        "plugins": [
            {"type": "bridge", "bridge": "cni0", "isGateway": True, "ipMasq": True, "hairpinMode": True,
             "ipam": {"type": "host-local", "ranges": [[{"subnet": CLUSTER_NET[cluster]["pod_cidr"]}]],
                      "routes": [{"dst": "0.0.0.0/0"}], "dataDir": os.path.join(n["dir"], "cni-data")}},
            {"type": "portmap", "capabilities": {"portMappings": True}},
        ],
    }, indent=2) + "\n"


def token_kubeconfig(cluster, server, ca, user, token):
    return f"""apiVersion: v1
kind: Config
clusters:
- name: {cluster}
  cluster: {{server: "{server}", certificate-authority: "{ca}"}}
users:
- name: {user}
  user: {{token: {token}}}
contexts:
- name: {cluster}
  context: {{cluster: {cluster}, user: {user}}}
current-context: {cluster}
"""


def node_info(d, cluster, net):
    n = names(d, cluster)
    cn = CLUSTER_NET[cluster]
    return {"name": n["node"], "ip": node_ip(net, cluster), "netns": n["netns"], "cgroup": n["cgroup"],
            "dir": n["dir"], "network": n["network"], "pod_cidr": cn["pod_cidr"],
            "cluster_cidr": cn["cluster_cidr"], "service_cidr": cn["service_cidr"]}


def setup_node_network(d, cluster, net):
    """The node's namespace: eth0 (veth to the run's bridge) with the node address, lo, and
    forwarding on inside the namespace only (the host's stays off)."""
    n = names(d, cluster)
    ns = n["netns"]
    sh("ip", "netns", "del", ns, check=False)
    sh("ip", "link", "del", n["veth"], check=False)
    sh("ip", "netns", "add", ns)
    sh("ip", "link", "add", n["veth"], "type", "veth", "peer", "name", n["veth_peer"])
    sh("ip", "link", "set", n["veth_peer"], "netns", ns)
    _disable_ipv6(n["veth"])
    sh("ip", "link", "set", n["veth"], "master", net["bridge"], "up")
    sh("ip", "-n", ns, "link", "set", n["veth_peer"], "name", "eth0")
    _disable_ipv6("eth0", ns)
    sh("ip", "-n", ns, "addr", "add", f"{node_ip(net, cluster)}/24", "dev", "eth0")
    sh("ip", "-n", ns, "link", "set", "eth0", "up")
    sh("ip", "-n", ns, "link", "set", "lo", "up")
    sh("nsenter", f"--net=/run/netns/{ns}", "--", "sh", "-c", "echo 1 > /proc/sys/net/ipv4/ip_forward")


def setup_cgroups(cgroup):
    """The node's cgroup root (kubelet's cgroupRoot, containerd below it) in every v1 hierarchy;
    cpuset needs cpus and mems before a task can join."""
    for sub in (cgroup, f"{cgroup}/containerd"):
        for path in (os.path.join(mp, sub) for mp in set(cgroup_v1_hierarchies().values())):
            os.makedirs(path, exist_ok=True)
            if os.path.exists(os.path.join(path, "cpuset.cpus")):
                parent = os.path.dirname(path)
                for f in ("cpuset.cpus", "cpuset.mems"):
                    if not read(os.path.join(path, f)):
                        write(os.path.join(path, f), read(os.path.join(parent, f)) + "\n")


def containerd_config(d, cluster):
    """Writes containerd's configuration and the CNI network (they need no apiserver); returns
    containerd's argv."""
    n = names(d, cluster)
    nd = n["dir"]
    for sub in ("cni", "cni-data", "runc"):
        os.makedirs(os.path.join(nd, sub), exist_ok=True)
    write(os.path.join(nd, "containerd.toml"),
          CONTAINERD_TOML.format(dir=nd, cgroup=n["cgroup"], pause=PAUSE_IMAGE, cni_bin=CNI_BIN))
    write(os.path.join(nd, "cni", "10-drsync.conflist"), cni_conflist(n, cluster))
    return [which("containerd"), "--config", os.path.join(nd, "containerd.toml")]


def node_configs(d, cluster, net, state, bindir, pki, tokens):
    """Writes the kubelet's and kube-proxy's configuration files (once the apiserver's address
    and the tokens are known); returns {component: argv}."""
    n = names(d, cluster)
    nd = n["dir"]
    ip = node_ip(net, cluster)
    server = state["server"]
    for sub in ("pod-logs", "volume-plugins", "kubelet", "kubelet-pki"):
        os.makedirs(os.path.join(nd, sub), exist_ok=True)
    write(os.path.join(nd, "kubelet.yaml"),
          KUBELET_YAML.format(dir=nd, cgroup=n["cgroup"], ip=ip, pki=pki, label_key=LABEL_KEY,
                              label_value=LABEL_VALUE, effect=TAINT_EFFECT))
    write(os.path.join(nd, "kubelet.kubeconfig"),
          token_kubeconfig(cluster, server, f"{pki}/ca.crt", f"system:node:{n['node']}", tokens["node"]), 0o600)
    write(os.path.join(nd, "kube-proxy.yaml"),
          KUBE_PROXY_YAML.format(dir=nd, node=n["node"], cluster_cidr=CLUSTER_NET[cluster]["cluster_cidr"]))
    write(os.path.join(nd, "kube-proxy.kubeconfig"),
          token_kubeconfig(cluster, server, f"{pki}/ca.crt", "system:kube-proxy", tokens["proxy"]), 0o600)
    return {
        "kubelet": [f"{bindir}/kubelet", f"--config={nd}/kubelet.yaml", f"--kubeconfig={nd}/kubelet.kubeconfig",
                    f"--hostname-override={n['node']}", f"--node-ip={ip}",
                    f"--node-labels={LABEL_KEY}={LABEL_VALUE}", f"--root-dir={nd}/kubelet",
                    f"--cert-dir={nd}/kubelet-pki", "--v=1"],
        "kube-proxy": [f"{bindir}/kube-proxy", f"--config={nd}/kube-proxy.yaml", "--v=1"],
    }


def wait_containerd(sock, proc, log, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            raise NodeError(f"containerd exited with code {proc.returncode}", log=log)
        if os.path.exists(sock) and sh("ctr", "-a", sock, "version", check=False, timeout=10).returncode == 0:
            return
        time.sleep(0.1)
    raise NodeError(f"containerd not serving on {sock} after {timeout}s", log=log)


def import_images(sock, images_dir):
    for f in ("pause.tar", "tools.tar"):
        sh("ctr", "-a", sock, "-n", "k8s.io", "images", "import", "--snapshotter", "overlayfs",
           os.path.join(images_dir, f), timeout=120)
    have = sh("ctr", "-a", sock, "-n", "k8s.io", "images", "ls", "-q").stdout.split()
    for img in (PAUSE_IMAGE, TOOLS_IMAGE):
        if img not in have:
            raise NodeError(f"image {img} missing after ctr images import (have: {have})")


def node_ready(api, name):
    """(ready, description) of the real node."""
    st, node = api.get(f"/api/v1/nodes/{name}")
    if st != 200:
        return False, f"GET node: HTTP {st}"
    conds = {c.get("type"): c for c in node.get("status", {}).get("conditions", [])}
    ready = conds.get("Ready", {})
    taints = node.get("spec", {}).get("taints", [])
    tainted = any(t.get("key") == LABEL_KEY and t.get("effect") == TAINT_EFFECT for t in taints)
    labelled = node.get("metadata", {}).get("labels", {}).get(LABEL_KEY) == LABEL_VALUE
    ok = ready.get("status") == "True" and tainted and labelled
    return ok, f"Ready={ready.get('status')} ({ready.get('message', '')}) tainted={tainted} labelled={labelled}"


# --------------------------------------------------------------------------------------------
# what tests read: DIR/real-nodes.json and lines of DIR/env


INFO_FILE = "real-nodes.json"


def write_info(d, net, reason):
    info = {
        "available": reason is None, "reason": reason,
        "label": {"key": LABEL_KEY, "value": LABEL_VALUE},
        "taint": {"key": LABEL_KEY, "value": LABEL_VALUE, "effect": TAINT_EFFECT},
        "tools_image": TOOLS_IMAGE, "pause_image": PAUSE_IMAGE,
        "network": net,
        "nodes": {c: node_info(d, c, net) for c in ("source", "dest")} if net else {},
    }
    write(os.path.join(d, INFO_FILE), json.dumps(info, indent=2) + "\n")


def read_info(d):
    try:
        with open(os.path.join(d, INFO_FILE)) as f:
            return json.load(f)
    except (OSError, ValueError):
        return {"available": False, "reason": f"{os.path.join(d, INFO_FILE)} missing (clusters started "
                                               "by an older tests/cluster/up?)"}


def env_lines(d, net, reason):
    lines = [f"REAL_NODES={0 if reason else 1}", f"REAL_NODES_REASON={reason or ''}",
             f"REAL_NODE_LABEL={LABEL_KEY}={LABEL_VALUE}",
             f"REAL_NODE_TAINT={LABEL_KEY}={LABEL_VALUE}:{TAINT_EFFECT}", f"TOOLS_IMAGE={TOOLS_IMAGE}"]
    for c in ("source", "dest"):
        info = node_info(d, c, net) if net else {"name": "", "ip": ""}
        lines += [f"{c.upper()}_REAL_NODE={info['name']}", f"{c.upper()}_REAL_NODE_IP={info['ip']}"]
    return lines


# --------------------------------------------------------------------------------------------
# teardown


_libc = ctypes.CDLL(None, use_errno=True)
MNT_DETACH = 2


def umount(path):
    if _libc.umount2(path.encode(), 0) != 0:
        if _libc.umount2(path.encode(), MNT_DETACH) != 0:
            e = ctypes.get_errno()
            if e not in (errno.EINVAL, errno.ENOENT):
                raise OSError(e, os.strerror(e), path)


def umount_under(root):
    """Unmounts everything mounted at or below root, deepest first (stacked mounts too)."""
    root = os.path.abspath(root).rstrip("/")
    count = 0
    for _ in range(50):
        mps = sorted({mp for mp, _ in mountinfo() if mp == root or mp.startswith(root + "/")},
                     key=lambda p: (-p.count("/"), p))
        if not mps:
            break
        for mp in mps:
            try:
                umount(mp)
                count += 1
            except OSError:
                pass
    return count


def cgroup_pids(cgroup):
    pids = set()
    for top in cgroup_dirs(cgroup):
        for dirpath, _, files in os.walk(top):
            if "cgroup.procs" in files:
                for line in (read(os.path.join(dirpath, "cgroup.procs")) or "").split():
                    pids.add(int(line))
    return pids


def kill_cgroup(cgroup, timeout=10):
    """SIGKILLs every process of the cgroup tree until none is left."""
    deadline = time.time() + timeout
    while True:
        pids = cgroup_pids(cgroup)
        if not pids:
            return True
        for p in pids:
            try:
                os.kill(p, signal.SIGKILL)
            except OSError:
                pass
        if time.time() > deadline:
            return False
        time.sleep(0.1)


def remove_cgroups(cgroup):
    for top in cgroup_dirs(cgroup):
        for dirpath, _, _ in sorted(os.walk(top), key=lambda w: -w[0].count("/")):
            try:
                os.rmdir(dirpath)
            except OSError:
                pass


def shim_sockets(address):
    """/run/containerd/s/<sha256(address/namespace/id)> of the running shims of a containerd whose
    socket is `address` (containerd 1.6's shim.SocketAddress)."""
    out = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                argv = [a.decode() for a in f.read().split(b"\0") if a]
        except OSError:
            continue
        if not argv or os.path.basename(argv[0]) != "containerd-shim-runc-v2" or address not in argv:
            continue
        opts = dict(zip(argv[1::1], argv[2::1]))
        ns, sid = opts.get("-namespace"), opts.get("-id")
        if ns and sid:
            h = hashlib.sha256(os.path.join(address, ns, sid).encode()).hexdigest()
            out.append(os.path.join(SHIM_SOCKETS, h))
    return out


def teardown_node(d, cluster, entries, terminate):
    """Removes one cluster's real node: its processes (entries: (component, pid, argv0); the
    kubelet and kube-proxy get SIGTERM first), then everything in its cgroup (containers, shims,
    containerd: SIGKILL), mounts, namespace, veth, cgroups, CNI cache files and container log
    links. terminate(list of (pid, argv0), grace, sig) stops processes. Safe to call when nothing
    (or only part) of it exists."""
    n = names(d, cluster)
    nd = n["dir"]
    sock = os.path.join(nd, "containerd.sock")
    sockets = shim_sockets(sock)
    sandboxes = set()
    for sub in ("root", "state"):
        p = os.path.join(nd, "containerd", sub, "io.containerd.grpc.v1.cri", "sandboxes")
        if os.path.isdir(p):
            sandboxes.update(os.listdir(p))
    # a shim that died without removing its socket: one shim per Pod sandbox (CRI's grouping)
    sockets += [os.path.join(SHIM_SOCKETS, hashlib.sha256(os.path.join(sock, "k8s.io", s).encode()).hexdigest())
                for s in sandboxes]
    terminate([(p, a) for c, p, a in entries if c in ("kubelet", "kube-proxy")], 3, signal.SIGTERM)
    kill_cgroup(n["cgroup"])
    # shims and containerd outside the cgroup (e.g. up killed half-way)
    terminate([(p, a) for c, p, a in entries if c not in ("kubelet", "kube-proxy")], 0, signal.SIGKILL)
    for s in sockets:
        try:
            os.remove(s)
        except OSError:
            pass
    umount_under(nd)
    if os.path.exists(f"/run/netns/{n['netns']}"):
        sh("ip", "netns", "del", n["netns"], check=False)
    sh("ip", "link", "del", n["veth"], check=False)
    remove_cgroups(n["cgroup"])
    if os.path.isdir(CNI_CACHE):
        for f in os.listdir(CNI_CACHE):
            # libcni's cache of this node's pod network and of containerd's loopback network
            if f.startswith(n["network"] + "-") or any(f == f"cni-loopback-{s}-lo" for s in sandboxes):
                try:
                    os.remove(os.path.join(CNI_CACHE, f))
                except OSError:
                    pass
    if os.path.isdir(VAR_LOG_CONTAINERS):
        for f in os.listdir(VAR_LOG_CONTAINERS):
            p = os.path.join(VAR_LOG_CONTAINERS, f)
            if os.path.islink(p) and os.readlink(p).startswith(nd + "/"):
                try:
                    os.remove(p)
                except OSError:
                    pass


def teardown_run(d):
    """After both nodes: the run's bridge; the machine-wide settings when it was the last run.
    Returns the kernel settings restored."""
    sh("ip", "link", "del", names(d)["bridge"], check=False)
    if os.geteuid() != 0:
        return []  # never had real nodes (they need root)
    return release_user(d)
