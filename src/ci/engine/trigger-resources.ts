import type { Pipeline } from "../pipeline/index.ts";
import { jobInputs } from "../scheduler/index.ts";

/** The names of the resources that are a `trigger: true` input of some job of the pipeline. */
export function triggerResources(config: Pipeline): Set<string> {
  const names = (config.jobs ?? []).flatMap((job) =>
    jobInputs(config, job.name)
      .filter((input) => input.trigger)
      .map((input) => input.resource),
  );
  return new Set(names);
}
