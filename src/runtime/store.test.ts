import assert from "node:assert/strict";
import { test } from "node:test";
import { IndexedStore } from "./store.ts";

interface Repo {
  name: string;
  secret?: string;
}

test("indexes follow sets, replacements and deletes", () => {
  const store = new IndexedStore<Repo>();
  store.set("ns/a", { name: "a", secret: "s1" });
  store.addIndex("secret", (r) => (r.secret ? [r.secret] : []));
  store.set("ns/b", { name: "b", secret: "s1" });
  store.set("ns/c", { name: "c" });
  assert.deepEqual(
    store.keysByIndex("secret", "s1").sort(),
    ["ns/a", "ns/b"],
    "existing and new objects are indexed",
  );

  store.set("ns/a", { name: "a", secret: "s2" });
  assert.deepEqual(
    store.keysByIndex("secret", "s1"),
    ["ns/b"],
    "a replaced object leaves its old index value",
  );
  assert.deepEqual(store.byIndex("secret", "s2"), [{ name: "a", secret: "s2" }]);

  store.delete("ns/b");
  assert.deepEqual(store.keysByIndex("secret", "s1"), []);
  assert.equal(store.size, 2);
  assert.throws(() => store.byIndex("nope", "x"), /no index named "nope"/);
  assert.throws(() => store.addIndex("secret", () => []), /already exists/);
});
