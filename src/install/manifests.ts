/**
 * What `sluice install` puts in a cluster: the CRDs of the selected controllers, a Namespace, the
 * server's ServiceAccount and RBAC, the artifact Service and the `sluice server` Deployment.
 */
import type { CustomResourceDefinition } from "../api/crd.ts";
import { crds } from "../api/registry.ts";
import type { KubeObject } from "../kube/objects.ts";
import type { ControllerName } from "../server/server.ts";

export interface InstallOptions {
  namespace: string;
  image: string;
  controllers: readonly ControllerName[];
  version: string;
  logLevel?: string;
  /** Taints with these keys are tolerated by the server's Pod (`--toleration-keys`, as Flux's). */
  tolerationKeys?: readonly string[] | undefined;
}

export interface InstallObjects {
  crds: CustomResourceDefinition[];
  namespace: KubeObject;
  /** in apply order; deleted in reverse */
  components: KubeObject[];
}

/**
 * Named like Flux's source-controller Service, so in-cluster artifact URLs read as they do with
 * Flux: http://source-controller.<namespace>.svc.cluster.local./gitrepository/<ns>/<name>/<digest>.tar.gz
 */
export const artifactServiceName = "source-controller";
export const serverName = "sluice-server";
export const leaderElectionRole = "sluice-leader-election";
export const storagePort = 9090;
export const healthPort = 9440;

export const defaultImage = (version: string) => `ghcr.io/sluice/sluice:v${version}`;

/** Flux component names accepted by --components, mapped to the Sluice controller that replaces them. */
export const componentAliases: Readonly<Record<string, readonly ControllerName[]>> = {
  "source-controller": ["gitrepository"],
  "kustomize-controller": ["kustomization"],
  "image-reflector-controller": ["imagerepository", "imagepolicy"],
  "image-automation-controller": ["imageupdateautomation"],
  "notification-controller": ["receiver", "alert"],
};

/** The cluster-scoped RBAC objects carry the namespace, so two installs (e.g. tests) never share them. */
export const clusterRoleName = (namespace: string) => `sluice-server-${namespace}`;

const selectorLabels = { app: serverName };

function labels(o: InstallOptions, component?: string): Record<string, string> {
  return {
    "app.kubernetes.io/part-of": "sluice",
    "app.kubernetes.io/instance": o.namespace,
    "app.kubernetes.io/version": o.version,
    ...(component ? { "app.kubernetes.io/component": component } : {}),
  };
}

/** The CRDs a set of controllers serves: a controller is named after its kind in lowercase. */
export function crdsFor(controllers: readonly ControllerName[]): CustomResourceDefinition[] {
  // the alert controller serves Providers too
  const kinds = controllers.flatMap((c): string[] => (c === "alert" ? ["alert", "provider"] : [c]));
  return crds.filter((crd) => kinds.includes(crd.spec.names.kind.toLowerCase()));
}

function namespaced(
  kind: string,
  apiVersion: string,
  name: string,
  o: InstallOptions,
  component?: string,
): KubeObject {
  return { apiVersion, kind, metadata: { name, namespace: o.namespace, labels: labels(o, component) } };
}

/** What the server needs: its kinds (status, finalizers), Secrets read, Events written. */
function clusterRole(o: InstallOptions, selected: readonly CustomResourceDefinition[]): KubeObject {
  const rules = selected.map((crd) => ({
    apiGroups: [crd.spec.group],
    resources: [crd.spec.names.plural],
    verbs: ["get", "list", "watch", "patch", "update"],
  }));
  for (const crd of selected) {
    const p = crd.spec.names.plural;
    rules.push({
      apiGroups: [crd.spec.group],
      resources: [`${p}/status`],
      verbs: ["get", "patch", "update"],
    });
    rules.push({ apiGroups: [crd.spec.group], resources: [`${p}/finalizers`], verbs: ["update", "patch"] });
  }
  rules.push({ apiGroups: [""], resources: ["secrets"], verbs: ["get", "list", "watch"] });
  // image scans read service accounts' imagePullSecrets; cross-namespace checks read namespace labels
  rules.push({
    apiGroups: [""],
    resources: ["serviceaccounts", "namespaces"],
    verbs: ["get", "list", "watch"],
  });
  if (selected.some((crd) => crd.spec.names.kind === "Kustomization")) {
    // Kustomizations apply whatever their sources hold, as Flux's kustomize-controller does with
    // cluster-admin; tenants are confined with serviceAccountName (impersonation) instead.
    rules.push({ apiGroups: ["*"], resources: ["*"], verbs: ["*"] });
  }
  rules.push({ apiGroups: ["", "events.k8s.io"], resources: ["events"], verbs: ["create", "patch"] });
  return {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "ClusterRole",
    metadata: { name: clusterRoleName(o.namespace), labels: labels(o) },
    rules,
  };
}

function bindings(o: InstallOptions): KubeObject[] {
  const subjects = [{ kind: "ServiceAccount", name: serverName, namespace: o.namespace }];
  const rbac = "rbac.authorization.k8s.io";
  return [
    {
      apiVersion: `${rbac}/v1`,
      kind: "ClusterRoleBinding",
      metadata: { name: clusterRoleName(o.namespace), labels: labels(o) },
      roleRef: { apiGroup: rbac, kind: "ClusterRole", name: clusterRoleName(o.namespace) },
      subjects,
    },
    {
      ...namespaced("Role", `${rbac}/v1`, leaderElectionRole, o),
      rules: [
        {
          apiGroups: ["coordination.k8s.io"],
          resources: ["leases"],
          verbs: ["get", "create", "update", "patch"],
        },
      ],
    },
    {
      ...namespaced("RoleBinding", `${rbac}/v1`, leaderElectionRole, o),
      roleRef: { apiGroup: rbac, kind: "Role", name: leaderElectionRole },
      subjects,
    },
  ];
}

function service(o: InstallOptions): KubeObject {
  return {
    ...namespaced("Service", "v1", artifactServiceName, o, "server"),
    spec: {
      type: "ClusterIP",
      selector: selectorLabels,
      ports: [{ name: "http", port: 80, protocol: "TCP", targetPort: "http" }],
      // the artifacts are served as soon as the server listens, and its own kustomize controller
      // fetches them through this Service before the Pod has passed its readiness probe
      publishNotReadyAddresses: true,
    },
  };
}

export function serverArgs(o: InstallOptions): string[] {
  return [
    "server",
    `--controllers=${o.controllers.join(",")}`,
    "--storage-path=/data",
    `--storage-addr=:${storagePort}`,
    `--storage-adv-addr=${artifactServiceName}.${o.namespace}.svc.cluster.local.`,
    `--health-addr=:${healthPort}`,
    "--leader-elect",
    `--leader-election-namespace=${o.namespace}`,
    `--log-level=${o.logLevel ?? "info"}`,
  ];
}

function container(o: InstallOptions): Record<string, unknown> {
  const probe = (path: string) => ({
    httpGet: { path, port: "healthz" },
    periodSeconds: 10,
    timeoutSeconds: 5,
  });
  return {
    name: "server",
    image: o.image,
    imagePullPolicy: "IfNotPresent",
    args: serverArgs(o),
    env: [
      { name: "RUNTIME_NAMESPACE", valueFrom: { fieldRef: { fieldPath: "metadata.namespace" } } },
      { name: "HOME", value: "/tmp" },
      { name: "TMPDIR", value: "/tmp" },
    ],
    ports: [
      { name: "http", containerPort: storagePort, protocol: "TCP" },
      { name: "healthz", containerPort: healthPort, protocol: "TCP" },
    ],
    livenessProbe: probe("/healthz"),
    readinessProbe: probe("/readyz"),
    resources: { requests: { cpu: "50m", memory: "64Mi" }, limits: { cpu: "1", memory: "1Gi" } },
    securityContext: {
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      runAsUser: 65534,
      runAsGroup: 65534,
      capabilities: { drop: ["ALL"] },
      seccompProfile: { type: "RuntimeDefault" },
    },
    volumeMounts: [
      { name: "data", mountPath: "/data" },
      { name: "tmp", mountPath: "/tmp" },
    ],
  };
}

function deployment(o: InstallOptions): KubeObject {
  return {
    ...namespaced("Deployment", "apps/v1", serverName, o, "server"),
    spec: {
      replicas: 1,
      selector: { matchLabels: selectorLabels },
      template: {
        metadata: {
          labels: { ...selectorLabels, ...labels(o, "server") },
          annotations: { "prometheus.io/scrape": "true", "prometheus.io/port": String(healthPort) },
        },
        spec: {
          serviceAccountName: serverName,
          terminationGracePeriodSeconds: 60,
          securityContext: { fsGroup: 1337, runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
          containers: [container(o)],
          ...(o.tolerationKeys?.length && {
            tolerations: o.tolerationKeys.map((key) => ({ key, operator: "Exists" })),
          }),
          volumes: [
            { name: "data", emptyDir: {} },
            { name: "tmp", emptyDir: {} },
          ],
        },
      },
    },
  };
}

export function installObjects(o: InstallOptions): InstallObjects {
  const selected = crdsFor(o.controllers);
  return {
    crds: selected.map((crd) => ({
      ...crd,
      // shared by every install in the cluster: no per-namespace instance label
      metadata: {
        ...crd.metadata,
        labels: {
          ...crd.metadata.labels,
          "app.kubernetes.io/part-of": "sluice",
          "app.kubernetes.io/version": o.version,
        },
      },
    })),
    namespace: {
      apiVersion: "v1",
      kind: "Namespace",
      metadata: {
        name: o.namespace,
        labels: {
          ...labels(o),
          "pod-security.kubernetes.io/warn": "restricted",
          "pod-security.kubernetes.io/warn-version": "latest",
        },
      },
    },
    components: [
      namespaced("ServiceAccount", "v1", serverName, o, "server"),
      clusterRole(o, selected),
      ...bindings(o),
      service(o),
      deployment(o),
    ],
  };
}

/** Every object in apply order: CRDs, the Namespace, then the components. */
export function allInstallObjects(objects: InstallObjects): KubeObject[] {
  return [...objects.crds, objects.namespace, ...objects.components];
}
