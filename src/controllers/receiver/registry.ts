/** What the receiver HTTP server needs to verify a call for a Receiver. */
export interface ReceiverTarget {
  namespace: string;
  name: string;
  /** spec.type: generic, generic-hmac, github, gitlab, gitea, bitbucket, harbor, dockerhub, quay, acr, nexus, distribution */
  type: string;
  /** the `token` of the Receiver's secret */
  token: string;
  /** spec.events; empty = all */
  events: string[];
}

export interface ResourceRef {
  apiVersion?: string | undefined;
  kind: string;
  name: string;
  namespace?: string | undefined;
  matchLabels?: Record<string, string> | undefined;
}

export interface RegisteredReceiver extends ReceiverTarget {
  resources: ResourceRef[];
}

/** The Receivers ready to be called, by webhook path: what the receiver server looks up. */
export class ReceiverRegistry {
  readonly #byPath = new Map<string, RegisteredReceiver>();
  readonly #pathByKey = new Map<string, string>();

  set(path: string, receiver: RegisteredReceiver): void {
    this.remove(receiver.namespace, receiver.name);
    this.#byPath.set(path, receiver);
    this.#pathByKey.set(`${receiver.namespace}/${receiver.name}`, path);
  }

  remove(namespace: string, name: string): void {
    const path = this.#pathByKey.get(`${namespace}/${name}`);
    if (path === undefined) return;
    this.#byPath.delete(path);
    this.#pathByKey.delete(`${namespace}/${name}`);
  }

  lookup(path: string): RegisteredReceiver | undefined {
    return this.#byPath.get(path);
  }
}
