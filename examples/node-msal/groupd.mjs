// Runs a real groupd for the Node example: builds it from this repository
// with `go build`, starts `groupd serve --listen 127.0.0.1:0` on a fresh data
// dir and registers an application with `groupd app create`, as a user would
// from a shell (DESIGN.md, "Command line contract"). Every wait is bounded.

import { execFile, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const run = promisify(execFile);

export const repoRoot = fileURLToPath(new URL("../../", import.meta.url));
export const adminPassword = "Examples-Admin-Pw-1";

const buildTimeoutMs = 8 * 60_000; // a cold build compiles modernc SQLite
const startTimeoutMs = 60_000;
const commandTimeoutMs = 60_000;
const stopTimeoutMs = 15_000;

/** A scratch directory, removed by cleanup(). */
export async function scratchDir() {
  return mkdtemp(join(tmpdir(), "groupd-node-example-"));
}

export async function cleanup(dir) {
  if (dir) await rm(dir, { recursive: true, force: true });
}

/** go build ./cmd/groupd into dir; returns the binary's path. */
export async function buildGroupd(dir) {
  const bin = join(dir, "groupd");
  try {
    await run("go", ["build", "-o", bin, "./cmd/groupd"], {
      cwd: repoRoot,
      timeout: buildTimeoutMs,
      maxBuffer: 16 << 20,
    });
  } catch (err) {
    throw new Error(`go build ./cmd/groupd in ${repoRoot} failed: ${err.message}\n${err.stderr ?? ""}`);
  }
  return bin;
}

/** Whether bin has `app create` (the server side of issue 5). */
export async function hasAppCreate(bin) {
  const { stdout } = await run(bin, ["help"], { timeout: commandTimeoutMs });
  return stdout.includes("app create");
}

function env(extra = {}) {
  const e = { ...process.env, ...extra };
  delete e.GROUPD_DATABASE; // always the SQLite database in --data-dir
  return e;
}

/**
 * Starts `groupd serve` on a free loopback port with dataDir. Resolves to
 * { url, host, certFile, stop, log } once groupd printed where it listens.
 */
export function startGroupd(bin, dataDir) {
  const child = spawn(bin, ["serve", "--listen", "127.0.0.1:0", "--data-dir", dataDir], {
    env: env({ GROUPD_ADMIN_PASSWORD: adminPassword }),
    stdio: ["ignore", "pipe", "pipe"],
  });
  let log = "";
  child.stderr.on("data", (b) => {
    log = (log + b).slice(-16384);
  });
  const exited = new Promise((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));

  async function stop() {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill("SIGTERM");
    const t = setTimeout(() => child.kill("SIGKILL"), stopTimeoutMs);
    await exited;
    clearTimeout(t);
  }

  return new Promise((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`groupd printed nothing within ${startTimeoutMs} ms\n${log}`));
    }, startTimeoutMs);
    child.once("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
    exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`groupd serve exited (${code ?? signal}) before listening\n${log}`));
    });
    child.stdout.on("data", function onData(b) {
      out += b;
      const nl = out.indexOf("\n");
      if (nl < 0) return;
      clearTimeout(timer);
      // The rest of the banner (with the admin password) is read and dropped.
      child.stdout.off("data", onData);
      child.stdout.resume();
      const m = /^groupd listening on (https:\/\/127\.0\.0\.1:\d+)\s*$/.exec(out.slice(0, nl));
      if (!m) {
        stop();
        reject(new Error(`groupd's first line is ${JSON.stringify(out.slice(0, nl))}`));
        return;
      }
      const url = m[1];
      resolve({
        url,
        host: new URL(url).host,
        certFile: join(dataDir, "tls.crt"),
        stop,
        log: () => log,
      });
    });
  });
}

/** `groupd app create --data-dir DIR --name NAME --role ...`, parsed. */
export async function createApp(bin, dataDir, name, roles) {
  const args = ["app", "create", "--data-dir", dataDir, "--name", name];
  for (const r of roles) args.push("--role", r);
  const { stdout } = await run(bin, args, { env: env(), timeout: commandTimeoutMs });
  const app = JSON.parse(stdout);
  for (const k of ["tenantId", "appId", "clientSecret"]) {
    if (typeof app[k] !== "string" || app[k] === "") {
      throw new Error(`groupd app create printed ${stdout}: no ${k}`);
    }
  }
  return app;
}
