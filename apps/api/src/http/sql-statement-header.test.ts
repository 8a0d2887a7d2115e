import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type TestApp, startTestApp } from "../testing/test-app.js";
import { SQL_STATEMENTS_HEADER } from "./graphql-http.js";

const SERVERS = `{ servers(first: 10) { totalCount nodes { id name } } }`;
const ME = `{ me { id } }`;

describe("the SQL statement count header (LISTBILL_EXPOSE_SQL_COUNT=1)", () => {
  let exposing: TestApp;
  let plain: TestApp;
  beforeAll(async () => {
    [exposing, plain] = await Promise.all([startTestApp("sqlite", { LISTBILL_EXPOSE_SQL_COUNT: "1" }), startTestApp("sqlite")]);
  });
  afterAll(async () => {
    await Promise.all([exposing?.stop(), plain?.stop()]);
  });

  it("is absent unless the flag is set", async () => {
    expect((await plain.gql(ME)).headers.get(SQL_STATEMENTS_HEADER)).toBeNull();
  });

  it("counts each request's own statements, even while other requests run", async () => {
    // The token's first use also records it (then once a minute): not what is measured here.
    await exposing.gql(ME);
    const alone = { me: Number((await exposing.gql(ME)).headers.get(SQL_STATEMENTS_HEADER)), servers: Number((await exposing.gql(SERVERS)).headers.get(SQL_STATEMENTS_HEADER)) };
    expect(alone.me).toBe(1);
    expect(alone.servers).toBeGreaterThan(alone.me);
    const together = await Promise.all(Array.from({ length: 6 }, (_, index) => exposing.gql(index % 2 ? ME : SERVERS)));
    expect(together.map((answer) => Number(answer.headers.get(SQL_STATEMENTS_HEADER)))).toEqual([alone.servers, alone.me, alone.servers, alone.me, alone.servers, alone.me]);
  });
});
