/** A job's unfinished builds: the newest pages of its builds, read until a page has none. */
import { isFinished, type BuildRecord, type CiStore } from "../../store/index.ts";

const PAGE = 20;

export async function unfinishedBuilds(store: CiStore, jobId: number): Promise<BuildRecord[]> {
  const unfinished: BuildRecord[] = [];
  for (let beforeId: number | undefined; ;) {
    const page = await store.listJobBuilds(jobId, { limit: PAGE, ...(beforeId && { beforeId }) });
    const found = page.filter((build) => !isFinished(build.status));
    unfinished.push(...found);
    if (found.length === 0 || page.length < PAGE) return unfinished.reverse();
    beforeId = page.at(-1)?.id;
  }
}
