// The web UI's build: plain TypeScript with Preact and htm (no JSX step), hashed asset names
// under /assets/ so the server can cache them for good; built into ui/dist by `make`.
import { defineConfig } from "vite";

export default defineConfig({
  root: import.meta.dirname,
  base: "/",
  build: {
    outDir: "dist",
    emptyOutDir: true,
    assetsDir: "assets",
    target: "es2022",
    sourcemap: false,
    reportCompressedSize: false,
  },
  logLevel: "warn",
});
