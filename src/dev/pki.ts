import { mkdir, readFile, access } from "node:fs/promises";
import path from "node:path";
import { inheritedEnv, runProcess } from "../process/run.ts";

export interface Identity {
  cert: string;
  key: string;
  certFile: string;
  keyFile: string;
}

export interface DevPki {
  caFile: string;
  ca: string;
  serving: Identity;
  admin: Identity;
  controllerManager: Identity;
  scheduler: Identity;
  serviceAccountKeyFile: string;
  serviceAccountPubFile: string;
}

const exists = (f: string) =>
  access(f).then(
    () => true,
    () => false,
  );

async function openssl(args: string[]): Promise<void> {
  await runProcess("openssl", args, { env: inheritedEnv(), timeoutMs: 30_000 });
}

/** A self-signed certificate, or one signed by `signer` (a CA's cert and key files). */
async function newCertificate(
  files: { key: string; cert: string },
  subject: string,
  extensions: string[],
  signer?: { cert: string; key: string },
): Promise<void> {
  await openssl([
    ...["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"],
    ...["-keyout", files.key, "-out", files.cert, "-days", "3650", "-subj", subject],
    ...(signer ? ["-CA", signer.cert, "-CAkey", signer.key] : []),
    ...extensions.flatMap((e) => ["-addext", e]),
  ]);
}

async function issue(dir: string, name: string, subject: string, extensions: string[]): Promise<Identity> {
  const certFile = path.join(dir, `${name}.crt`);
  const keyFile = path.join(dir, `${name}.key`);
  if (!(await exists(certFile))) {
    const ca = { cert: path.join(dir, "ca.crt"), key: path.join(dir, "ca.key") };
    await newCertificate({ key: keyFile, cert: certFile }, subject, extensions, ca);
  }
  return { certFile, keyFile, cert: await readFile(certFile, "utf8"), key: await readFile(keyFile, "utf8") };
}

export const clientCert = (dir: string, name: string, subject: string) =>
  issue(dir, name, subject, ["extendedKeyUsage=clientAuth", "keyUsage=critical,digitalSignature"]);

/** A private CA and the certificates of every component, created once per environment directory. */
export async function ensurePki(dir: string): Promise<DevPki> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const caFile = path.join(dir, "ca.crt");
  if (!(await exists(caFile))) {
    await newCertificate({ key: path.join(dir, "ca.key"), cert: caFile }, "/CN=sluice-dev-ca", [
      "basicConstraints=critical,CA:TRUE",
      "keyUsage=critical,keyCertSign,cRLSign,digitalSignature",
    ]);
  }
  const serviceAccountKeyFile = path.join(dir, "sa.key");
  const serviceAccountPubFile = path.join(dir, "sa.pub");
  if (!(await exists(serviceAccountPubFile))) {
    await openssl([
      "genpkey",
      "-algorithm",
      "EC",
      "-pkeyopt",
      "ec_paramgen_curve:P-256",
      "-out",
      serviceAccountKeyFile,
    ]);
    await openssl(["pkey", "-in", serviceAccountKeyFile, "-pubout", "-out", serviceAccountPubFile]);
  }
  const sans =
    "subjectAltName=IP:127.0.0.1,IP:10.96.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc";
  const [serving, admin, controllerManager, scheduler] = await Promise.all([
    issue(dir, "apiserver", "/CN=kube-apiserver", [
      sans,
      "extendedKeyUsage=serverAuth",
      "keyUsage=critical,digitalSignature",
    ]),
    clientCert(dir, "admin", "/O=system:masters/CN=sluice-admin"),
    clientCert(dir, "controller-manager", "/CN=system:kube-controller-manager"),
    clientCert(dir, "scheduler", "/CN=system:kube-scheduler"),
  ]);
  return {
    caFile,
    ca: await readFile(caFile, "utf8"),
    serving,
    admin,
    controllerManager,
    scheduler,
    serviceAccountKeyFile,
    serviceAccountPubFile,
  };
}
