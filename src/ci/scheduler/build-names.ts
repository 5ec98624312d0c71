/** Build names as Concourse gives them: per-job numbers, and `N.1`, `N.2` for reruns of build N. */

/** The name of a job's next build, given how many builds its number sequence has handed out. */
export function nextBuildName(buildsNumbered: number): string {
  return String(buildsNumbered + 1);
}

export interface NamedBuild {
  name: string;
  /** The name of the build this one reruns, for a rerun. */
  rerunOf?: string;
}

/**
 * The name of a rerun of `build`. Rerunning a rerun reruns its original, so reruns of build 4
 * are 4.1, 4.2, … whichever of them is rerun. `rerunsSoFar` counts the original's reruns.
 */
export function rerunBuildName(build: NamedBuild, rerunsSoFar: number): string {
  return `${build.rerunOf ?? build.name}.${rerunsSoFar + 1}`;
}
