/**
 * registry-image's `format: rootfs` get, unpacked by the image builder from the image the
 * resource pulled (an OCI layout on disk, no second download): BuildKit's unpacker applies the
 * layers with whiteouts, opaque directories, hard links and ownership, and keeps paths in the root.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { RootfsUnpacker } from "../resources/registry-image/resource.ts";
import type { ImageBuilder } from "./image-builder.ts";

export function builderRootfsUnpacker(builder: ImageBuilder): RootfsUnpacker {
  return {
    async unpack(image, rootfsDir, signal) {
      const contextDir = await mkdtemp(path.join(os.tmpdir(), "sluice-unpack-"));
      try {
        await writeFile(path.join(contextDir, "Dockerfile"), "FROM pulled\n");
        await builder.build({
          contextDir,
          baseLayouts: { pulled: { dir: image.layoutDir, digest: image.manifestDigest } },
          outputs: [{ kind: "rootfs", dir: rootfsDir }],
          signal,
        });
      } finally {
        await rm(contextDir, { recursive: true, force: true });
      }
    },
  };
}
