/**
 * What a real node's daemons read: containerd's config (its own root, state and socket; the CRI
 * plugin on cgroupfs; registry hosts), the hosts files that send public image names to the
 * environment's registry, the CNI network and the kubelet's configuration. Pure text, so the
 * settings that make a VM without cgroups v2 work are in one place (ADR 0027).
 */
import path from "node:path";
import type { NodesNetwork, RealNodePlan } from "./plan.ts";

/** The public registries whose images the environment's registry mirrors (base images). */
export const mirroredRegistries = ["docker.io", "ghcr.io", "registry.k8s.io"] as const;
export const pauseImage = "registry.k8s.io/pause:3.10";
export const clusterDomain = "cluster.local";
export const realNodeTaint = { key: "sluice.dev/real-node", value: "true", effect: "NoSchedule" } as const;

export const nodeFiles = (plan: RealNodePlan) => ({
  containerdConfig: path.join(plan.dir, "containerd.toml"),
  containerdRoot: path.join(plan.dir, "containerd"),
  containerdState: path.join(plan.dir, "containerd-state"),
  hostsDir: path.join(plan.dir, "registry-hosts"),
  cniConfDir: path.join(plan.dir, "cni"),
  cniBinDir: path.join(plan.dir, "cni-bin"),
  cniIpamDir: path.join(plan.dir, "cni-ipam"),
  kubeletConfig: path.join(plan.dir, "kubelet.yaml"),
  kubeletRoot: path.join(plan.dir, "kubelet"),
  kubeconfig: path.join(plan.dir, "kubeconfig"),
});

export function containerdConfig(
  plan: RealNodePlan,
  registryAuth?: { host: string; username: string; password: string },
): string {
  const f = nodeFiles(plan);
  const auth = registryAuth
    ? `
  [plugins."io.containerd.grpc.v1.cri".registry.configs."${registryAuth.host}".auth]
    username = ${JSON.stringify(registryAuth.username)}
    password = ${JSON.stringify(registryAuth.password)}`
    : "";
  return `version = 2
root = ${JSON.stringify(f.containerdRoot)}
state = ${JSON.stringify(f.containerdState)}

[grpc]
  address = ${JSON.stringify(plan.socket)}

[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = ${JSON.stringify(pauseImage)}
  # root may not lower oom_score_adj here: keep containers' at or above containerd's
  restrict_oom_score_adj = true
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
        Root = ${JSON.stringify(plan.runcRoot)}
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = ${JSON.stringify(f.cniBinDir)}
    conf_dir = ${JSON.stringify(f.cniConfDir)}
  [plugins."io.containerd.grpc.v1.cri".registry]
    config_path = ${JSON.stringify(f.hostsDir)}${auth}
`;
}

/** `certs.d/<registry>/hosts.toml`: a mirrored public registry answered from `<mirror>/<registry>`, the environment's own over plain HTTP. */
export function registryHosts(registry: string, mirrorPrefix: string): Record<string, string> {
  const files: Record<string, string> = {};
  for (const upstream of mirroredRegistries)
    files[upstream] = `server = "https://${upstream}"

[host."http://${registry}/v2/${mirrorPrefix}/${upstream}"]
  capabilities = ["pull", "resolve"]
  override_path = true
`;
  files[registry] = `server = "http://${registry}"

[host."http://${registry}"]
  capabilities = ["pull", "resolve", "push"]
`;
  return files;
}

/** Debian's CNI plugins, whence the node's plugin directory links them. */
export const systemCniDir = "/usr/lib/cni";

/**
 * The node's CNI plugins: the bridge plugin runs in the Pods' network namespace (it makes the
 * bridge where it runs; the Pod's own namespace it is handed by path), the others as they are.
 */
export function cniPlugins(
  network: NodesNetwork,
  ip: string,
): { scripts: Record<string, string>; links: string[] } {
  return {
    scripts: {
      bridge: `#!/bin/sh\nexec ${ip} netns exec ${network.netns} ${systemCniDir}/bridge "$@"\n`,
    },
    links: ["host-local", "loopback"],
  };
}

/** A bridge per node with host-local addresses; no masquerade and no port maps, so no iptables rules to leave behind. */
export function cniNetwork(plan: RealNodePlan): string {
  return JSON.stringify(
    {
      cniVersion: "1.0.0",
      name: `sluice-${plan.name}`,
      plugins: [
        {
          type: "bridge",
          bridge: plan.podBridge,
          isGateway: true,
          ipMasq: false,
          hairpinMode: true,
          ipam: {
            type: "host-local",
            dataDir: nodeFiles(plan).cniIpamDir,
            ranges: [[{ subnet: plan.podSubnet, gateway: plan.podGateway }]],
            routes: [{ dst: "0.0.0.0/0" }],
          },
        },
        { type: "loopback" },
      ],
    },
    null,
    2,
  );
}

/** The kubelet's settings; each departure from the defaults is explained in ADR 0027. */
export function kubeletConfig(plan: RealNodePlan, network: NodesNetwork): string {
  return `apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
# this VM mounts cgroups v1 only, which the kubelet refuses unless told
failCgroupV1: false
cgroupDriver: cgroupfs
# the machine's cgroups belong to the sandbox it runs in: no QoS hierarchy, no reservations
cgroupsPerQOS: false
enforceNodeAllocatable: []
failSwapOn: false
containerRuntimeEndpoint: unix://${plan.socket}
address: ${plan.nodeIp}
port: 10250
readOnlyPort: 0
healthzPort: 0
# on a private address of this machine only; the API server reaches it for logs and exec
authentication:
  anonymous: {enabled: true}
  webhook: {enabled: false}
authorization: {mode: AlwaysAllow}
clusterDomain: ${clusterDomain}
# node-services answers names on the address the Pods reach this machine at
clusterDNS: [${network.servicesIp}]
resolvConf: /etc/resolv.conf
# a test machine's disk is what it is: never evict or collect images for it
evictionHard: {}
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
localStorageCapacityIsolation: false
serializeImagePulls: false
registerWithTaints:
  - {key: ${realNodeTaint.key}, value: "${realNodeTaint.value}", effect: ${realNodeTaint.effect}}
`;
}

/**
 * kube-proxy, in the Pods' network namespace: iptables rules there only; every Service
 * connection masqueraded, as the Pods share a bridge and reply past the rules otherwise; the
 * machine-wide conntrack settings left alone.
 */
export function kubeProxyConfig(network: NodesNetwork, kubeconfig: string, nodeName: string): string {
  return `apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
clientConnection: {kubeconfig: ${JSON.stringify(kubeconfig)}}
mode: iptables
clusterCIDR: ${network.podSupernet}
hostnameOverride: ${nodeName}
bindAddress: ${network.netnsIp}
nodePortAddresses: [${network.netnsIp}/32]
healthzBindAddress: 127.0.0.1:10256
metricsBindAddress: 127.0.0.1:10249
conntrack: {maxPerCore: 0, min: 0, tcpEstablishedTimeout: 0s, tcpCloseWaitTimeout: 0s}
iptables: {masqueradeAll: true, localhostNodePorts: false}
`;
}
