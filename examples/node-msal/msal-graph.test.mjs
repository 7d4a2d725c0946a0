// node --test: starts a fresh groupd, registers an app, and runs client.mjs
// (msal-node + the Graph JS client) against it with NODE_EXTRA_CA_CERTS
// pointing at groupd's self-signed certificate. NODE_EXTRA_CA_CERTS is read
// when node starts, so the client runs in a process of its own, exactly as
// the README shows.

import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { buildGroupd, cleanup, createApp, hasAppCreate, scratchDir, startGroupd } from "./groupd.mjs";

const run = promisify(execFile);
const clientScript = fileURLToPath(new URL("./client.mjs", import.meta.url));

let dir;
let server;
let bin;
let skip = false;

before(async () => {
  dir = await scratchDir();
  bin = await buildGroupd(dir);
  if (!(await hasAppCreate(bin))) {
    const msg =
      "groupd has no `app create` command yet, so no application can get a token; " +
      "this example cannot run until the identity platform (issue 5) is built";
    if (process.env.CI === "true") throw new Error(msg);
    console.error(`\n*** SKIPPED: ${msg} ***\n`);
    skip = true;
    return;
  }
  server = await startGroupd(bin, `${dir}/data`);
});

after(async () => {
  await server?.stop();
  await cleanup(dir);
});

test("msal-node and the Graph JS client against groupd", { timeout: 3 * 60_000 }, async (t) => {
  if (skip) {
    t.skip("groupd has no `app create` command yet");
    return;
  }
  const app = await createApp(bin, `${dir}/data`, "ci", ["Group.ReadWrite.All", "User.ReadWrite.All"]);
  let out;
  try {
    out = await run(process.execPath, [clientScript], {
      env: {
        ...process.env,
        NODE_EXTRA_CA_CERTS: server.certFile,
        GROUPD_URL: server.url,
        GROUPD_TENANT_ID: app.tenantId,
        GROUPD_CLIENT_ID: app.appId,
        GROUPD_CLIENT_SECRET: app.clientSecret,
      },
      timeout: 2 * 60_000,
      maxBuffer: 4 << 20,
    });
  } catch (err) {
    assert.fail(
      `client.mjs failed (${err.code ?? err.signal}):\n${err.stdout}\n${err.stderr}\n--- groupd log (tail) ---\n${server.log()}`,
    );
  }
  for (const line of out.stdout.trim().split("\n")) t.diagnostic(line);
  assert.match(out.stdout, /^ok a forged token/m, "client.mjs ran every step");
});
