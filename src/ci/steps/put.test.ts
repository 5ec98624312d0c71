import assert from "node:assert/strict";
import { test } from "node:test";
import { detectInputs } from "./put.ts";

test("inputs: detect takes the first path segment of every string in params, nested ones too", () => {
  assert.deepEqual(
    detectInputs({
      image: "image/image.tar",
      additional_tags: "version/number",
      build: { args: ["src/x", 3] },
    }),
    ["image", "version", "src"],
  );
  assert.deepEqual(detectInputs({ bump: "patch", file: "/abs", none: null }), ["patch"]);
});
