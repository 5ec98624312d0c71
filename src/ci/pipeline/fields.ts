/** Field types shared by resources, resource types, steps and task configs, as Concourse reads them. */
import { z } from "zod";
import { isDuration } from "../../api/duration.ts";
import { isVarReference, orVar } from "./var-reference.ts";

/** Free-form configuration handed to a resource type (`source`, `params`, `defaults`). */
export const Config = z.record(z.string(), z.unknown());
export type Config = z.infer<typeof Config>;

/** A resource version: string keys to string values. */
export const Version = z.record(z.string(), z.string());
export type Version = z.infer<typeof Version>;

/** Worker tags. */
export const Tags = z.array(z.string());
export type Tags = z.infer<typeof Tags>;

export const Flag = orVar("a boolean", z.boolean());
export type Flag = z.infer<typeof Flag>;

export const Count = orVar("an integer", z.int());
export type Count = z.infer<typeof Count>;

const durationHint = "a Go duration such as 30s, 1m or 1h30m";

/** A Go duration (`timeout`, `check_timeout`). */
export const GoDuration = z.string().refine((s) => isVarReference(s) || isDuration(s), {
  error: (issue) => `invalid duration ${JSON.stringify(issue.input)}: expected ${durationHint}`,
});
export type GoDuration = z.infer<typeof GoDuration>;

/** `check_every`: a Go duration, or `never` to stop periodic checks. */
export const CheckEvery = z
  .string()
  .refine((s) => s === "" || s === "never" || isVarReference(s) || isDuration(s), {
    error: (issue) =>
      `invalid check_every ${JSON.stringify(issue.input)}: expected ${durationHint}, or never`,
  });
export type CheckEvery = z.infer<typeof CheckEvery>;
