import path from "node:path";
import type { DevPki } from "./pki.ts";

/** Ports chosen for one environment, all on loopback. */
export interface DevPorts {
  etcdClient: number;
  etcdPeer: number;
  apiServer: number;
  registry: number;
  git: number;
  ssh: number;
  postgres: number;
}

export const loopback = "127.0.0.1";
export const serviceClusterIpRange = "10.96.0.0/16";

export function etcdArgs(dir: string, ports: DevPorts): string[] {
  const client = `http://${loopback}:${ports.etcdClient}`;
  const peer = `http://${loopback}:${ports.etcdPeer}`;
  return [
    "--name=sluice-dev",
    `--data-dir=${path.join(dir, "etcd")}`,
    `--listen-client-urls=${client}`,
    `--advertise-client-urls=${client}`,
    `--listen-peer-urls=${peer}`,
    `--initial-advertise-peer-urls=${peer}`,
    `--initial-cluster=sluice-dev=${peer}`,
    "--listen-metrics-urls=",
    // a throwaway test cluster: durability is not worth the fsync latency
    "--unsafe-no-fsync",
    "--log-level=warn",
  ];
}

export function apiServerArgs(pki: DevPki, ports: DevPorts): string[] {
  return [
    `--etcd-servers=http://${loopback}:${ports.etcdClient}`,
    `--bind-address=${loopback}`,
    `--advertise-address=${loopback}`,
    `--secure-port=${ports.apiServer}`,
    `--tls-cert-file=${pki.serving.certFile}`,
    `--tls-private-key-file=${pki.serving.keyFile}`,
    `--client-ca-file=${pki.caFile}`,
    "--authorization-mode=RBAC",
    "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
    `--service-account-key-file=${pki.serviceAccountPubFile}`,
    `--service-account-signing-key-file=${pki.serviceAccountKeyFile}`,
    `--service-cluster-ip-range=${serviceClusterIpRange}`,
    "--allow-privileged=true",
    // real nodes are reached at their InternalIP: their names are in no DNS
    "--kubelet-preferred-address-types=InternalIP,Hostname",
    // the kubernetes Service's endpoint would be a loopback address, which Endpoints reject
    "--endpoint-reconciler-type=none",
    "--enable-priority-and-fairness=false",
    "--profiling=false",
    "--v=0",
  ];
}

export function controllerManagerArgs(pki: DevPki, kubeconfig: string): string[] {
  return [
    `--kubeconfig=${kubeconfig}`,
    `--authentication-kubeconfig=${kubeconfig}`,
    `--authorization-kubeconfig=${kubeconfig}`,
    "--use-service-account-credentials=true",
    `--service-account-private-key-file=${pki.serviceAccountKeyFile}`,
    `--root-ca-file=${pki.caFile}`,
    `--service-cluster-ip-range=${serviceClusterIpRange}`,
    "--leader-elect=false",
    "--secure-port=0",
    "--profiling=false",
    "--v=0",
  ];
}

export function schedulerArgs(kubeconfig: string): string[] {
  return [
    `--kubeconfig=${kubeconfig}`,
    `--authentication-kubeconfig=${kubeconfig}`,
    `--authorization-kubeconfig=${kubeconfig}`,
    "--leader-elect=false",
    "--secure-port=0",
    "--profiling=false",
    "--v=0",
  ];
}

export const kwokNodeAnnotation = "kwok.x-k8s.io/node";

export function kwokArgs(kubeconfig: string): string[] {
  return [
    `--kubeconfig=${kubeconfig}`,
    "--manage-all-nodes=false",
    `--manage-nodes-with-annotation-selector=${kwokNodeAnnotation}=fake`,
    "--cidr=10.244.0.1/16",
    "--node-ip=10.0.0.1",
    "--node-lease-duration-seconds=40",
  ];
}

/** A fake node managed by kwok: schedulable, with room for many Pods. */
export function fakeNode(name: string) {
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: {
      name,
      annotations: { [kwokNodeAnnotation]: "fake", "node.alpha.kubernetes.io/ttl": "0" },
      labels: {
        "kubernetes.io/hostname": name,
        "kubernetes.io/os": "linux",
        "kubernetes.io/arch": "amd64",
        "node-role.kubernetes.io/agent": "",
        type: "kwok",
      },
    },
    status: {
      allocatable: { cpu: "32", memory: "256Gi", pods: "250" },
      capacity: { cpu: "32", memory: "256Gi", pods: "250" },
    },
  };
}
