/**
 * Commit messages for ImageUpdateAutomation: the data Flux gives `.spec.git.commit.messageTemplate`
 * and the Go-template renderer (go-template/) that fills it in.
 *
 * The data has Flux's shape, field and method names included:
 * - `.AutomationObject`: namespace and name, printing as `namespace/name`;
 * - `.Changed` (v1beta2, v1): `.FileChanges` (file → object → changes), `.ImageResult`, and the
 *   methods `.Changes` (distinct changes) and `.Objects` (object → changes);
 * - `.Updated` (v1beta1, v1beta2; removed in v1): `.Files` (file → `.Objects` → images) and the
 *   methods `.Images` and `.Objects`; an image prints as `name:tag` (or `name:tag@digest`);
 * - `.Values`: `.spec.git.commit.messageTemplateValues`.
 * Maps range in sorted key order, as in Go.
 */
import { Template, TemplateError } from "./go-template/template.ts";
import type { FileResult, ObjectRef } from "./setters.ts";

export { Template, TemplateError, type TemplateErrorCode } from "./go-template/template.ts";

/** Flux's message when `messageTemplate` is empty. */
export const fluxDefaultCommitMessage = "Update from image update automation";
/** Appended to the default message so that CI pipelines do not build automation commits. */
export const ciSkipMarker = "[ci skip]";
/** The message Sluice commits with when no template is set. */
export const defaultCommitMessage = `${fluxDefaultCommitMessage}\n\n${ciSkipMarker}`;

/** Go's types.NamespacedName. */
export class NamespacedName {
  readonly Namespace: string;
  readonly Name: string;
  constructor(namespace: string, name: string) {
    this.Namespace = namespace;
    this.Name = name;
  }
  String(): string {
    return `${this.Namespace}/${this.Name}`;
  }
}

/** Identifies the object a change was made in; fields in Go's order, which sorts map keys. */
export class ObjectIdentifier {
  readonly APIVersion: string;
  readonly Kind: string;
  readonly Name: string;
  readonly Namespace: string;
  constructor(ref: ObjectRef) {
    this.APIVersion = ref.apiVersion;
    this.Kind = ref.kind;
    this.Name = ref.name;
    this.Namespace = ref.namespace;
  }
  /** As Go prints the embedded kyaml ResourceIdentifier. */
  String(): string {
    return `{{${this.APIVersion} ${this.Kind}} {${this.Name} ${this.Namespace}}}`;
  }
}

export class Change {
  readonly OldValue: string;
  readonly NewValue: string;
  readonly Setter: string;
  constructor(oldValue: string, newValue: string, setter: string) {
    this.OldValue = oldValue;
    this.NewValue = newValue;
    this.Setter = setter;
  }
}

const dockerHub = "index.docker.io";

/** The image a policy wrote, with go-containerregistry's accessors. */
export class ImageRef {
  readonly #reference: string;
  readonly #policy: NamespacedName;
  readonly #name: string;
  readonly #identifier: string;
  readonly #separator: string;

  constructor(reference: string, policy: NamespacedName) {
    this.#reference = reference;
    this.#policy = policy;
    const at = reference.indexOf("@");
    const withoutDigest = at < 0 ? reference : reference.slice(0, at);
    const colon = withoutDigest.lastIndexOf(":");
    const hasTag = colon > withoutDigest.lastIndexOf("/");
    this.#name = hasTag ? withoutDigest.slice(0, colon) : withoutDigest;
    this.#identifier = at >= 0 ? reference.slice(at + 1) : hasTag ? withoutDigest.slice(colon + 1) : "latest";
    this.#separator = at >= 0 ? "@" : ":";
  }

  /** The reference as written into files, e.g. `ghcr.io/org/app:1.0.1`. */
  String(): string {
    return this.#reference;
  }
  /** The tag, or the digest when there is one. */
  Identifier(): string {
    return this.#identifier;
  }
  Registry(): string {
    return splitRepository(this.#name).registry;
  }
  Repository(): string {
    return splitRepository(this.#name).repository;
  }
  /** Fully qualified, e.g. `index.docker.io/library/helloworld:v1.0.1`. */
  Name(): string {
    const { registry, repository } = splitRepository(this.#name);
    return `${registry}/${repository}${this.#separator}${this.#identifier}`;
  }
  Policy(): NamespacedName {
    return this.#policy;
  }
}

function splitRepository(name: string): { registry: string; repository: string } {
  const slash = name.indexOf("/");
  const first = slash < 0 ? "" : name.slice(0, slash);
  const explicit = first.includes(".") || first.includes(":") || first === "localhost";
  let registry = explicit ? first : dockerHub;
  let repository = explicit ? name.slice(slash + 1) : name;
  if (registry === "docker.io") registry = dockerHub;
  if (registry === dockerHub && !repository.includes("/")) repository = `library/${repository}`;
  return { registry, repository };
}

/** `.Updated.Files[file]`. */
export class FileUpdates {
  readonly Objects: Map<ObjectIdentifier, ImageRef[]>;
  constructor(objects: Map<ObjectIdentifier, ImageRef[]>) {
    this.Objects = objects;
  }
}

/** `.Updated` (Flux's update.Result). */
export class UpdateResult {
  readonly Files: Map<string, FileUpdates>;
  constructor(files: Map<string, FileUpdates>) {
    this.Files = files;
  }
  /** Every image involved in at least one change, once. */
  Images(): ImageRef[] {
    const seen = new Set<ImageRef>();
    for (const file of this.Files.values())
      for (const refs of file.Objects.values()) for (const r of refs) seen.add(r);
    return [...seen];
  }
  /** Object → images, whatever file the object is in. */
  Objects(): Map<ObjectIdentifier, ImageRef[]> {
    const out = new Map<ObjectIdentifier, ImageRef[]>();
    for (const file of this.Files.values()) {
      for (const [id, refs] of file.Objects) out.set(id, [...(out.get(id) ?? []), ...refs]);
    }
    return out;
  }
}

/** `.Changed` (Flux's update.ResultV2). */
export class ChangeResult {
  readonly ImageResult: UpdateResult;
  readonly FileChanges: Map<string, Map<ObjectIdentifier, Change[]>>;
  constructor(imageResult: UpdateResult, fileChanges: Map<string, Map<ObjectIdentifier, Change[]>>) {
    this.ImageResult = imageResult;
    this.FileChanges = fileChanges;
  }
  /** Every distinct change. */
  Changes(): Change[] {
    const seen = new Map<string, Change>();
    for (const objects of this.FileChanges.values()) {
      for (const changes of objects.values()) {
        for (const c of changes) {
          const key = JSON.stringify([c.OldValue, c.NewValue, c.Setter]);
          if (!seen.has(key)) seen.set(key, c);
        }
      }
    }
    return [...seen.values()];
  }
  /** Object → changes, whatever file the object is in (a later file's entry wins, as in Flux). */
  Objects(): Map<ObjectIdentifier, Change[]> {
    const out = new Map<ObjectIdentifier, Change[]>();
    for (const objects of this.FileChanges.values())
      for (const [id, changes] of objects) out.set(id, changes);
    return out;
  }
}

/** The value given to a commit message template. */
export class TemplateData {
  readonly AutomationObject: NamespacedName;
  declare readonly Updated?: UpdateResult;
  readonly Changed: ChangeResult;
  readonly Values: Map<string, string>;
  constructor(
    automation: NamespacedName,
    changed: ChangeResult,
    values: Map<string, string>,
    updated: UpdateResult | undefined,
  ) {
    this.AutomationObject = automation;
    if (updated !== undefined) Object.defineProperty(this, "Updated", { value: updated, enumerable: true });
    this.Changed = changed;
    this.Values = values;
  }
}

export interface TemplateDataOptions {
  /** `.spec.git.commit.messageTemplateValues`. */
  readonly values?: Readonly<Record<string, string>> | ReadonlyMap<string, string> | undefined;
  /**
   * Offer `.Updated` (v1beta1/v1beta2 templates). Flux v1 removed it, so a template using it fails
   * there; Sluice offers it unless this is false.
   */
  readonly updated?: boolean | undefined;
}

/** Builds the template data from the setters' result (`applySettersToTree(...).files`). */
export function templateData(
  automation: { readonly namespace: string; readonly name: string },
  result: { readonly files: readonly FileResult[] },
  options: TemplateDataOptions = {},
): TemplateData {
  const ids = new Map<string, ObjectIdentifier>();
  const idOf = (ref: ObjectRef): ObjectIdentifier => {
    const key = JSON.stringify([ref.apiVersion, ref.kind, ref.name, ref.namespace]);
    let id = ids.get(key);
    if (id === undefined) ids.set(key, (id = new ObjectIdentifier(ref)));
    return id;
  };
  const refs = new Map<string, ImageRef>();
  const refOf = (policy: string, image: string): ImageRef => {
    const key = `${policy} ${image}`;
    let ref = refs.get(key);
    if (ref === undefined) {
      const [namespace = "", name = ""] = policy.split(":");
      refs.set(key, (ref = new ImageRef(image, new NamespacedName(namespace, name))));
    }
    return ref;
  };
  const fileChanges = new Map<string, Map<ObjectIdentifier, Change[]>>();
  const fileUpdates = new Map<string, FileUpdates>();
  for (const file of result.files) {
    const byObject = new Map<ObjectIdentifier, Change[]>();
    const images = new Map<ObjectIdentifier, ImageRef[]>();
    for (const change of file.changes) {
      const id = idOf(change.object);
      byObject.set(id, [...(byObject.get(id) ?? []), new Change(change.from, change.to, change.setter)]);
      const ref = refOf(change.policy, change.image);
      const list = images.get(id) ?? [];
      if (!list.includes(ref)) images.set(id, [...list, ref]);
    }
    if (byObject.size === 0) continue;
    fileChanges.set(file.file, byObject);
    fileUpdates.set(file.file, new FileUpdates(images));
  }
  const updateResult = new UpdateResult(fileUpdates);
  const values = options.values instanceof Map ? options.values : Object.entries(options.values ?? {});
  return new TemplateData(
    new NamespacedName(automation.namespace, automation.name),
    new ChangeResult(updateResult, fileChanges),
    new Map<string, string>(values),
    options.updated === false ? undefined : updateResult,
  );
}

export interface CommitMessageOptions {
  /** End the default message with `[ci skip]` (default true). Templates are rendered as written. */
  readonly ciSkip?: boolean | undefined;
}

/**
 * The commit message: the default one when `template` is empty, else the rendered template.
 * Throws a TemplateError, with position, for a template that cannot be parsed or executed.
 */
export function renderCommitMessage(
  template: string | undefined,
  data: TemplateData,
  options: CommitMessageOptions = {},
): string {
  if (template === undefined || template === "") {
    return options.ciSkip === false ? fluxDefaultCommitMessage : defaultCommitMessage;
  }
  return Template.parse(template, "commit message").execute(data);
}

/** Checks a template without data, e.g. to report a bad template before cloning anything. */
export function checkCommitTemplate(template: string): TemplateError | undefined {
  try {
    Template.parse(template, "commit message");
    return undefined;
  } catch (err) {
    if (err instanceof TemplateError) return err;
    throw err;
  }
}
