import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { nextLink } from "./link-header.ts";

describe("nextLink", () => {
  const base = new URL("http://127.0.0.1:5000/v2/app/tags/list?n=50");

  it("resolves a relative next link against the request URL", () => {
    const link = nextLink(['</v2/app/tags/list?last=v50&n=50>; rel="next"'], base);
    assert.equal(link?.href, "http://127.0.0.1:5000/v2/app/tags/list?last=v50&n=50");
  });

  it("finds next among several links and relation lists", () => {
    const header =
      '<https://r.example/first>; rel="first", <https://r.example/page2>; title="x"; rel="prefetch next"';
    assert.equal(nextLink([header], base)?.href, "https://r.example/page2");
    assert.equal(
      nextLink(["<https://r.example/a>; rel=prev", "<https://r.example/b>; rel=next"], base)?.href,
      "https://r.example/b",
    );
  });

  it("gives undefined without a next link", () => {
    assert.equal(nextLink([], base), undefined);
    assert.equal(nextLink(['</v2/app/tags/list?n=50>; rel="prev"'], base), undefined);
  });
});
