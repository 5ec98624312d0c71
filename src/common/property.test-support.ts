/**
 * fast-check settings for the property tests: a fixed seed and a short budget in `make test`, so a
 * run is repeatable; `make fuzz` raises the budget (SLUICE_FUZZ_RUNS) and may vary the seed
 * (SLUICE_FUZZ_SEED). A failure prints the seed and path that replay it.
 */
import type { Parameters } from "fast-check";

const positive = (text: string | undefined, fallback: number): number => {
  const value = Number(text);
  return Number.isSafeInteger(value) && value > 0 ? value : fallback;
};

export function propertyParameters<T>(runs = 200): Parameters<T> {
  return {
    seed: positive(process.env["SLUICE_FUZZ_SEED"], 18),
    numRuns: positive(process.env["SLUICE_FUZZ_RUNS"], runs),
  };
}
