/**
 * `strategy.matrix` as GitHub expands it: the product of its lists, minus `exclude` (partial
 * matches), plus `include` (merged into the combinations it extends without overwriting an
 * original value, else added as its own).
 */
import type { Value } from "./expression.ts";

export type Combination = Record<string, Value>;

const matches = (combination: Combination, partial: Combination) =>
  Object.entries(partial).every(([key, value]) => JSON.stringify(combination[key]) === JSON.stringify(value));

export function expandMatrix(matrix: Record<string, unknown> | undefined): Combination[] {
  if (!matrix) return [{}];
  const { include, exclude, ...axes } = matrix as { include?: Combination[]; exclude?: Combination[] };
  let combinations: Combination[] = [{}];
  for (const [key, values] of Object.entries(axes)) {
    if (!Array.isArray(values)) throw new Error(`strategy.matrix.${key}: expected a list`);
    combinations = combinations.flatMap((c) => (values as Value[]).map((v) => ({ ...c, [key]: v })));
  }
  if (Object.keys(axes).length === 0) combinations = [];
  combinations = combinations.filter((c) => !(exclude ?? []).some((e) => matches(c, e)));
  const originalKeys = Object.keys(axes);
  for (const extra of include ?? []) {
    let extended = false;
    combinations = combinations.map((c) => {
      const conflicts = originalKeys.some(
        (key) => key in extra && JSON.stringify(extra[key]) !== JSON.stringify(c[key]),
      );
      if (conflicts) return c;
      extended = true;
      return { ...c, ...extra };
    });
    if (!extended) combinations.push({ ...extra });
  }
  return combinations.length === 0 ? [{}] : combinations;
}

/** `build (linux, 18)`, as GitHub names a matrix job. */
export const matrixJobName = (id: string, combination: Combination): string => {
  const values = Object.values(combination);
  return values.length === 0
    ? id
    : `${id} (${values.map((v) => (typeof v === "object" ? JSON.stringify(v) : String(v))).join(", ")})`;
};
