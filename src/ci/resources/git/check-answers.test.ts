import assert from "node:assert/strict";
import { test } from "node:test";
import { CheckAnswers } from "./check-answers.ts";

test("CheckAnswers: identical checks share one computation; a failure is not remembered", async () => {
  const answers = new CheckAnswers();
  let computed = 0;
  const compute = () => {
    computed++;
    return Promise.resolve([{ ref: "a" }]);
  };
  const all = await Promise.all([1, 2, 3].map(() => answers.get({ uri: "u" }, undefined, "tip1", compute)));
  assert.deepEqual(all, [[{ ref: "a" }], [{ ref: "a" }], [{ ref: "a" }]]);
  assert.equal(computed, 1);
  await answers.get({ uri: "u" }, undefined, "tip2", compute);
  assert.equal(computed, 2, "another remote state is another answer");

  await assert.rejects(
    answers.get({ uri: "u" }, { ref: "x" }, "tip2", () => Promise.reject(new Error("boom"))),
  );
  assert.deepEqual(await answers.get({ uri: "u" }, { ref: "x" }, "tip2", compute), [{ ref: "a" }]);
});
