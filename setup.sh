#!/usr/bin/env bash
# podnet setup on a fresh Debian 12 machine, as root: system packages, npm packages, build, and
# (unless --no-demo) a demo lab: 3 nodes, 30 pods, the pod table and a cross-node connectivity check.
set -euo pipefail
cd "$(dirname "$0")"

if [ "$(id -u)" != 0 ]; then
  echo "setup.sh: run as root: it installs Debian packages and the demo creates network namespaces" >&2
  exit 1
fi
major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$major" -lt 20 ]; then
  echo "setup.sh: Node.js 20 or newer is needed (found: $(node --version 2>/dev/null || echo none))" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
# iproute2/nftables/util-linux: the data plane; containernetworking-plugins + iptables: the reference
# CNI plugins (tests chain podnet with portmap, the bench compares with bridge + host-local);
# gcc: builds the CNI plugin's shim; iperf3/dnsutils/conntrack/curl: tests, bench, demo, debugging;
# dnsperf + dnsmasq-base/unbound: the DNS bench and its reference servers; nginx: the gateway bench's
# reference proxy (all run by the bench only, on 127.0.0.1 or in lab namespaces, never as host services);
# tshark: the mesh test reads a lab bridge's packets to show only TLS between meshed pods.
apt-get update -qq
apt-get install -y -qq --no-install-recommends \
  iproute2 nftables iptables conntrack util-linux procps mount \
  containernetworking-plugins iperf3 dnsutils gcc libc6-dev \
  dnsperf dnsmasq-base unbound nginx curl \
  tshark >/dev/null

npm ci --no-audit --no-fund --loglevel=error
npm run build --silent
ln -sf "$PWD/bin/podnet" /usr/local/bin/podnet

if [ "${1:-}" = "--no-demo" ]; then exit 0; fi

echo "== podnet demo: a 3-node lab of 30 pods and 4 Services (examples/demo), VXLAN overlay"
podnet up -f examples/demo --name demo
podnet get nodes -o wide --name demo
podnet get svc -A --name demo
podnet check --name demo
echo "== a frontend pod finds the backend by name (cluster DNS) and reaches it through its ClusterIP"
podnet exec frontend/deploy/web --name demo -- dig +short +search db.backend
podnet exec frontend/deploy/web --name demo -- sh -c 'for i in 1 2 3 4 5 6; do curl -s http://db.backend/hostname; echo; done'
echo "== node-2 reaches the web NodePort on node-1's address"
ip netns exec pn-demo-node-2 curl -s http://172.18.0.2:30080/hostname; echo
podnet down --name demo
