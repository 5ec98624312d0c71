/**
 * Where a raw pipeline may still hold `((var))` text. Validation runs before interpolation, so a
 * field whose value is a single var reference is accepted whatever type the field wants: the var
 * keeps its YAML type when it is resolved. The reference's own syntax is checked by `ci/vars`.
 */
import { z } from "zod";

// A whole value that is one reference without spaces, e.g. `((n))`, `((src:a.b))`, `((."x y"))`.
const WHOLE_REFERENCE = /^\(\((?:[^\s()"]|"[^"]*")+\)\)$/;

export function isVarReference(value: unknown): boolean {
  return typeof value === "string" && WHOLE_REFERENCE.test(value);
}

export const VarReference = z.string().regex(WHOLE_REFERENCE);

/**
 * One of `alternatives`, or a `((var))` standing for it. `expected` names what the field wants: a
 * value of the wrong kind for every alternative is reported as `expected <expected>, or a
 * ((var))`; a value of the right kind for one alternative gets that alternative's own issues (a
 * count below its minimum, a number inside a version map).
 */
export function orVar<const T extends readonly [z.ZodType, ...z.ZodType[]]>(
  expected: string,
  ...alternatives: T
) {
  return z.custom<z.output<T[number]> | string>().check((ctx) => {
    if (isVarReference(ctx.value)) return;
    const failures: z.core.$ZodIssue[][] = [];
    for (const alternative of alternatives) {
      const result = alternative.safeParse(ctx.value);
      if (result.success) return;
      failures.push(result.error.issues);
    }
    const rightKind = failures.filter(
      (issues) => !issues.some((i) => i.path.length === 0 && WRONG_KIND.has(i.code)),
    );
    if (rightKind.length === 1 && rightKind[0]) {
      for (const issue of rightKind[0])
        ctx.issues.push({ ...issue, input: ctx.value } as z.core.$ZodRawIssue);
      return;
    }
    ctx.issues.push({
      code: "custom",
      input: ctx.value,
      message: `expected ${expected}, or a ((var)), got ${describeValue(ctx.value)}`,
    });
  });
}

const WRONG_KIND: ReadonlySet<string> = new Set([
  "invalid_type",
  "invalid_union",
  "invalid_value",
  "invalid_format",
]);

/** A value as error messages show it: its YAML type, and scalars themselves. */
export function describeValue(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a map";
  if (typeof value === "string") return `string ${JSON.stringify(value)}`;
  if (typeof value === "number" || typeof value === "boolean") return `${typeof value} ${value}`;
  return typeof value;
}
