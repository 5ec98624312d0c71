# Pinned versions of everything Sluice installs. One place to bump.
NODE_VERSION=24.21.0
K8S_VERSION=v1.35.4
ETCD_VERSION=v3.6.16
KWOK_VERSION=v0.7.0
KUSTOMIZE_VERSION=v5.8.1
HELM_VERSION=v3.21.4
