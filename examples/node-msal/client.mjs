// The unmodified @azure/msal-node and @microsoft/microsoft-graph-client
// against groupd. Run it with groupd's certificate trusted:
//
//   NODE_EXTRA_CA_CERTS=groupd-data/tls.crt \
//   GROUPD_URL=https://127.0.0.1:9200 GROUPD_TENANT_ID=… \
//   GROUPD_CLIENT_ID=… GROUPD_CLIENT_SECRET=… node client.mjs
//
// with the values `groupd app create --name NAME --role Group.ReadWrite.All`
// printed. It prints one "ok" line per step and exits non-zero on the first
// failure. msal-graph.test.mjs runs it against a fresh groupd.

import assert from "node:assert/strict";
import { ConfidentialClientApplication } from "@azure/msal-node";
import {
  BatchRequestContent,
  BatchResponseContent,
  Client,
  GraphError,
  PageIterator,
} from "@microsoft/microsoft-graph-client";

const GRAPH_SCOPE = "https://graph.microsoft.com/.default";

function need(name) {
  const v = process.env[name];
  if (!v) throw new Error(`set ${name}`);
  return v;
}

const url = need("GROUPD_URL").replace(/\/+$/, ""); // https://127.0.0.1:9200
const tenantId = need("GROUPD_TENANT_ID");
const clientId = need("GROUPD_CLIENT_ID");
const clientSecret = need("GROUPD_CLIENT_SECRET");
const domain = process.env.GROUPD_DOMAIN ?? "example.org"; // the bootstrap tenant's verified domain

const ok = (step) => console.log(`ok ${step}`);

/** An msal-node client whose authority is groupd (known, so no instance discovery). */
function msalClient(tenant) {
  return new ConfidentialClientApplication({
    auth: {
      clientId,
      clientSecret,
      authority: `${url}/${tenant}`,
      knownAuthorities: [new URL(url).host], // "127.0.0.1:9200": host and port
    },
  });
}

/** A Graph client that gets its tokens from cca and sends them to groupd. */
function graphClient(cca) {
  return Client.initWithMiddleware({
    authProvider: {
      getAccessToken: async () => (await cca.acquireTokenByClientCredential({ scopes: [GRAPH_SCOPE] })).accessToken,
    },
    baseUrl: `${url}/`,
    defaultVersion: "v1.0",
    customHosts: new Set([new URL(url).hostname]), // "127.0.0.1": the token goes only there
  });
}

function decodeJwt(token) {
  const parts = token.split(".");
  assert.equal(parts.length, 3, "the access token is a JWT");
  const [header, claims] = parts.slice(0, 2).map((p) => JSON.parse(Buffer.from(p, "base64url")));
  return { header, claims };
}

async function expectGraphError(promise, statusCode, code) {
  await assert.rejects(promise, (err) => {
    assert.ok(err instanceof GraphError, `a GraphError, got ${err}`);
    assert.equal(err.statusCode, statusCode, `status of ${err.message}`);
    assert.equal(err.code, code, `code of ${err.message}`);
    return true;
  });
}

const cca = msalClient(tenantId);

// 1. A token for Graph, by client secret.
const result = await cca.acquireTokenByClientCredential({ scopes: [GRAPH_SCOPE] });
assert.equal(result.tokenType, "Bearer");
const minutesLeft = (result.expiresOn.getTime() - Date.now()) / 60_000;
assert.ok(minutesLeft > 50 && minutesLeft < 70, `token lasts about an hour, not ${minutesLeft} minutes`);
const { header, claims } = decodeJwt(result.accessToken);
assert.equal(header.alg, "RS256");
assert.ok(header.kid, "the JWT header has a kid");
assert.equal(claims.tid, tenantId);
assert.equal(claims.aud, "https://graph.microsoft.com");
assert.equal(claims.iss, `${url}/${tenantId}/v2.0`);
assert.ok(claims.appid === clientId || claims.azp === clientId, "appid or azp is the client id");
assert.ok(claims.roles?.includes("Group.ReadWrite.All"), `roles ${claims.roles} hold Group.ReadWrite.All`);
ok("msal-node acquireTokenByClientCredential: RS256 JWT with tid, aud, iss, roles");

// msal-node caches a token only when the response is what it expects
// (integer expires_in, token_type Bearer).
const again = await cca.acquireTokenByClientCredential({ scopes: [GRAPH_SCOPE] });
assert.equal(again.fromCache, true, "the second token comes from msal-node's cache");
assert.equal(again.accessToken, result.accessToken);
ok("msal-node caches the token");

// The tenant named by its verified domain: msal-node posts to
// /{domain}/oauth2/v2.0/token whatever discovery says.
const byDomain = await msalClient(domain).acquireTokenByClientCredential({ scopes: [GRAPH_SCOPE] });
assert.equal(decodeJwt(byDomain.accessToken).claims.tid, tenantId);
ok(`authority ${url}/${domain}`);

const graph = graphClient(cca);

// 2. List and create groups.
const list = await graph.api("/groups").get();
assert.ok(Array.isArray(list.value), "GET /groups has a value array");
ok("GET /v1.0/groups");

const ids = [];
for (let i = 0; i < 3; i++) {
  const g = await graph.api("/groups").post({
    displayName: `node group ${i}`,
    mailNickname: `node-group-${i}`,
    mailEnabled: false,
    securityEnabled: true,
  });
  assert.ok(g.id, "the created group has an id");
  assert.equal(g.displayName, `node group ${i}`);
  ids.push(g.id);
}
ok("POST /v1.0/groups (3 groups)");

// 3. Update and read back.
await graph.api(`/groups/${ids[0]}`).patch({ description: "patched from node" });
const patched = await graph.api(`/groups/${ids[0]}`).select(["id", "description"]).get();
assert.equal(patched.description, "patched from node");
ok("PATCH /v1.0/groups/{id}, then GET with $select");

// 4. Paging: two per page, following @odata.nextLink.
const first = await graph.api("/groups").top(2).get();
assert.equal(first.value.length, 2, "$top=2 gives 2 groups");
assert.ok(first["@odata.nextLink"]?.startsWith(`${url}/v1.0/`), `absolute nextLink on groupd, got ${first["@odata.nextLink"]}`);
const seen = [];
const it = new PageIterator(graph, first, (g) => {
  seen.push(g.id);
  return seen.length < 1000; // bounded, whatever the server answers
});
await it.iterate();
for (const id of ids) assert.ok(seen.includes(id), `group ${id} listed`);
assert.equal(new Set(seen).size, seen.length, "no group listed twice");
ok(`PageIterator over ${seen.length} groups, 2 per page`);

// 5. Membership, with an @odata.id written as Microsoft's samples write it.
await graph.api(`/groups/${ids[1]}/members/$ref`).post({
  "@odata.id": `https://graph.microsoft.com/v1.0/directoryObjects/${ids[2]}`,
});
const members = await graph.api(`/groups/${ids[1]}/members`).get();
assert.deepEqual(members.value.map((m) => [m.id, m["@odata.type"]]), [[ids[2], "#microsoft.graph.group"]]);
ok("POST /v1.0/groups/{id}/members/$ref, then GET members");

// 6. JSON batching with the client's BatchRequestContent: a read, a create
// and a 404, run in that order (the client allows only such chains, a
// batch without dependencies, or one request that all the others wait for).
const batch = new BatchRequestContent([
  { id: "read", request: new Request(`${url}/v1.0/groups/${ids[1]}?$select=id,displayName`, { method: "GET" }) },
  {
    id: "create",
    dependsOn: ["read"],
    request: new Request(`${url}/v1.0/groups`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ displayName: "node batched", mailNickname: "node-batched", mailEnabled: false, securityEnabled: true }),
    }),
  },
  {
    id: "missing",
    dependsOn: ["create"],
    request: new Request(`${url}/v1.0/groups/00000000-0000-0000-0000-000000000000`, { method: "GET" }),
  },
]);
const batched = new BatchResponseContent(await graph.api("/$batch").post(await batch.getContent()));
const read = batched.getResponseById("read");
assert.equal(read.status, 200);
assert.equal((await read.json()).displayName, "node group 1");
const created = batched.getResponseById("create");
assert.equal(created.status, 201);
const createdGroup = await created.json();
assert.equal(createdGroup.displayName, "node batched");
assert.equal(created.headers.get("Location"), `${url}/v1.0/groups/${createdGroup.id}`);
const missing = batched.getResponseById("missing");
assert.equal(missing.status, 404);
assert.equal((await missing.json()).error.code, "Request_ResourceNotFound");
ok("POST /v1.0/$batch with BatchRequestContent: 200, 201 and 404 in one call");

// 7. Guests and managers: an invitation makes a guest at once; a manager
// is set with PUT manager/$ref and read back, also through $expand.
const invited = await graph.api("/invitations").post({
  invitedUserEmailAddress: "node@partner.example",
  inviteRedirectUrl: "https://app.example",
});
assert.equal(invited.status, "PendingAcceptance");
const guest = await graph.api(`/users/${invited.invitedUser.id}`).select("userType,userPrincipalName").get();
assert.equal(guest.userType, "Guest");
assert.equal(guest.userPrincipalName.split("@")[0], "node_partner.example#EXT#");
const boss = await graph.api("/invitations").post({ invitedUserEmailAddress: "boss@partner.example", inviteRedirectUrl: "https://app.example" });
const guestId = invited.invitedUser.id;
await graph.api(`/users/${guestId}/manager/$ref`).put({ "@odata.id": `https://graph.microsoft.com/v1.0/users/${boss.invitedUser.id}` });
const expanded = await graph.api(`/users/${guestId}`).select("id").expand("manager($select=id)").get();
assert.equal(expanded.manager.id, boss.invitedUser.id);
const reports = await graph.api(`/users/${boss.invitedUser.id}/directReports`).get();
assert.deepEqual(reports.value.map((u) => u.id), [guestId]);
ok("POST /v1.0/invitations, PUT manager/$ref, $expand=manager and directReports");

// 8. Delete; a deleted group is a GraphError 404.
await graph.api(`/groups/${ids[0]}`).delete();
await expectGraphError(graph.api(`/groups/${ids[0]}`).get(), 404, "Request_ResourceNotFound");
ok("DELETE /v1.0/groups/{id}, then GET is GraphError 404");

// 9. A bad token is a GraphError 401.
const forged = Client.initWithMiddleware({
  authProvider: { getAccessToken: async () => result.accessToken.replace(/\.[^.]*$/, ".bm90IGEgc2lnbmF0dXJl") },
  baseUrl: `${url}/`,
  defaultVersion: "v1.0",
  customHosts: new Set([new URL(url).hostname]),
});
await expectGraphError(forged.api("/groups").get(), 401, "InvalidAuthenticationToken");
ok("a forged token is GraphError 401 InvalidAuthenticationToken");
