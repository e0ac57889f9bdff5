// A small TypeScript program on the client generated from docs/openapi.json by openapi-typescript and
// openapi-fetch (tests/system/test_clients.py builds and runs it). Every value it reads is typed by the
// contract: `tsc --strict` checks it, and it uses no type assertion and no untyped value.
// Usage: node program.js BASE_URL WRITE_KEY THEME ENTITY; prints what it read as one JSON object.
import createClient from "openapi-fetch";
import type { components, paths } from "./schema.js";

type Claim = components["schemas"]["ClaimPublic"];
type Problem = components["schemas"]["Problem"];

function argument(position: number): string {
  const value = process.argv[position + 2];
  if (!value) {
    throw new Error("usage: program.js BASE_URL WRITE_KEY THEME ENTITY");
  }
  return value;
}

const baseUrl = argument(0);
const key = argument(1);
const theme = argument(2);
const entity = argument(3);
const client = createClient<paths>({ baseUrl });

function problem(found: Problem | undefined, status: number): { status: number; type: string; detail: string } {
  if (found === undefined) {
    throw new Error(`expected a problem with status ${status}`);
  }
  return { status: found.status, type: found.type, detail: found.detail };
}

async function themeClaims(cursor: string | null): Promise<{ ids: string[]; next: string | null; total: number }> {
  const { data, error } = await client.GET("/v1/themes/{slug}/claims", {
    params: { path: { slug: theme }, query: { limit: 2, cursor } },
  });
  if (error || !data) {
    throw new Error(`theme claims: ${JSON.stringify(error)}`);
  }
  return { ids: data.data.map((claim: Claim) => claim.id), next: data.meta.next_cursor, total: data.meta.total };
}

async function main(): Promise<void> {
  // A theme's claims, every page, following the cursor.
  const pages: string[][] = [];
  let page = await themeClaims(null);
  pages.push(page.ids);
  while (page.next !== null) {
    page = await themeClaims(page.next);
    pages.push(page.ids);
  }

  // An entity's claims through the claim list's filter: the first quoted claim's quote, typed (a cited
  // source's paraphrase has no quote or span).
  const byEntity = await client.GET("/v1/claims", { params: { query: { entity: [entity], limit: 100 } } });
  if (!byEntity.data) {
    throw new Error(`entity claims: ${JSON.stringify(byEntity.error)}`);
  }
  const first = byEntity.data.data.find((claim: Claim) => claim.quote !== null);
  if (first === undefined) {
    throw new Error("the entity has no quoted claim");
  }

  // One claim.
  const one = await client.GET("/v1/claims/{claim_id}", { params: { path: { claim_id: first.id } } });
  if (!one.data) {
    throw new Error(`get claim: ${JSON.stringify(one.error)}`);
  }
  const span = one.data.span;
  if (span === null) {
    throw new Error("a quoted claim without a span");
  }

  // Problem details: an unknown claim (404) and an unknown theme (422).
  const missing = await client.GET("/v1/claims/{claim_id}", { params: { path: { claim_id: "no-such-claim" } } });
  const unknown = await client.GET("/v1/claims", { params: { query: { theme: ["no-such-theme"] } } });

  // A new claim with a write key, then an edit that sends its ETag back as If-Match, then a stale one.
  const auth = { Authorization: `Bearer ${key}` };
  const created = await client.POST("/v1/claims", {
    headers: auth,
    body: {
      document: first.document_id,
      statement: "Pakistan's tech sector will create jobs.",
      quote: "creating jobs",
      kind: "prediction",
      themes: [theme],
      entities: [entity],
    },
  });
  if (!created.data) {
    throw new Error(`create claim: ${JSON.stringify(created.error)}`);
  }
  const etag = created.response.headers.get("etag");
  if (etag === null) {
    throw new Error("the created claim has no ETag");
  }
  const edited = await client.PATCH("/v1/claims/{claim_id}", {
    params: { path: { claim_id: created.data.id } },
    headers: { ...auth, "If-Match": etag },
    body: { statement: "Pakistan's technology sector will create jobs." },
  });
  if (!edited.data) {
    throw new Error(`edit claim: ${JSON.stringify(edited.error)}`);
  }
  const stale = await client.PATCH("/v1/claims/{claim_id}", {
    params: { path: { claim_id: created.data.id } },
    headers: { ...auth, "If-Match": etag },
    body: { statement: "An edit made on an old copy." },
  });

  console.log(
    JSON.stringify({
      theme_pages: pages,
      theme_total: page.total,
      entity_claims: byEntity.data.data.map((claim: Claim) => claim.id),
      entity_total: byEntity.data.meta.total,
      claim: { id: one.data.id, quote: one.data.quote, span: [span.start, span.end] },
      first_quote: first.quote,
      not_found: problem(missing.error, 404),
      not_found_status: missing.response.status,
      invalid: problem(unknown.error, 422),
      invalid_status: unknown.response.status,
      created: { id: created.data.id, status: created.response.status, etag },
      edited: { statement: edited.data.statement, etag: edited.response.headers.get("etag") },
      stale: problem(stale.error, 412),
      stale_status: stale.response.status,
    }),
  );
}

await main();
