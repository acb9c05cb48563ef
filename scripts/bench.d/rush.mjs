// The 8:30 rush of scripts/bench: many signed-in parents book the same day's meal in the last
// seconds before its deadline, against a capacity smaller than the crowd.
//
//   node rush.mjs accounts BASE SLUG MAIL_DIR COUNT PASSWORD OUT.json
//     gives each imported guardian rush<i>@bench.example a password through the real
//     first-connection flow (mail read from MAIL_DIR), signs each in, and writes their session
//     cookie and child id to OUT.json;
//   node rush.mjs fire BASE SLUG SESSIONS.json DAY DEADLINE_EPOCH_MS WINDOW_MS LATE
//     books DAY's "repas" once per session: LATE sessions just after the deadline (real time),
//     every other one at a random instant of the WINDOW_MS before it; prints what the portal
//     answered as JSON.
import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const [mode, ...args] = process.argv.slice(2);

/** Runs `work` over `items`, at most `limit` at once. */
async function pool(items, limit, work) {
  const results = new Array(items.length);
  let next = 0;
  async function worker() {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i], i);
    }
  }
  await Promise.all(Array.from({ length: limit }, worker));
  return results;
}

function json(base, path, body, cookie) {
  const headers = { "content-type": "application/json" };
  if (cookie) headers.cookie = cookie;
  return fetch(base + path, { method: "POST", headers, body: JSON.stringify(body) });
}

/** The token of each first-connection mail in the folder, by recipient. */
function tokensByRecipient(dir) {
  const found = new Map();
  for (const name of readdirSync(dir).filter((n) => n.endsWith(".eml"))) {
    const raw = readFileSync(join(dir, name), "utf8");
    const to = /^To: (.+)$/m.exec(raw)?.[1]?.trim();
    // Quoted-printable: soft line breaks, then =XX escapes.
    const text = raw.replace(/=\r?\n/g, "").replace(/=([0-9A-F]{2})/g, (_, h) => String.fromCharCode(parseInt(h, 16)));
    const token = /token=([A-Za-z0-9_-]{43})/.exec(text)?.[1];
    if (to && token) found.set(to, token);
  }
  return found;
}

async function accounts(base, slug, mailDir, count, password, out) {
  const api = `/${slug}/api/v1`;
  const emails = Array.from({ length: Number(count) }, (_, i) => `rush${i + 1}@bench.example`);
  await pool(emails, 16, (email) => json(base, `${api}/auth/password-reset`, { email }));
  let tokens = new Map();
  for (let i = 0; i < 600 && emails.some((e) => !tokens.has(e)); i++) {
    await new Promise((r) => setTimeout(r, 200));
    tokens = tokensByRecipient(mailDir);
  }
  const missing = emails.filter((e) => !tokens.has(e));
  if (missing.length) throw new Error(`${missing.length} first-connection mails missing, e.g. ${missing[0]}`);
  // Password hashing is the cost here: two at a time per core.
  await pool(emails, 4, async (email) => {
    const r = await json(base, `${api}/auth/password-reset/confirm`, { token: tokens.get(email), password });
    if (!r.ok) throw new Error(`password for ${email}: ${r.status} ${await r.text()}`);
  });
  const sessions = await pool(emails, 4, async (email) => {
    const r = await json(base, `${api}/auth/login`, { email, password });
    if (!r.ok) throw new Error(`sign-in of ${email}: ${r.status} ${await r.text()}`);
    const cookie = r.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
    const children = await (await fetch(`${base}${api}/children`, { headers: { cookie } })).json();
    return { email, cookie, child: children.children[0].id };
  });
  writeFileSync(out, JSON.stringify(sessions));
}

function percentile(sorted, p) {
  if (!sorted.length) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

function summary(answers) {
  const ms = answers.map((a) => a.ms).sort((a, b) => a - b);
  const by = (f) => answers.filter(f).length;
  return {
    sent: answers.length,
    booked: by((a) => a.status >= 200 && a.status < 300),
    full: by((a) => a.code === "full"),
    deadline: by((a) => a.code === "deadline"),
    server_errors: by((a) => a.status >= 500),
    other: answers.filter((a) => !(a.status < 300) && !["full", "deadline"].includes(a.code)).map((a) => `${a.status} ${a.code}`),
    p50_ms: Math.round(percentile(ms, 50)),
    p99_ms: Math.round(percentile(ms, 99)),
    max_ms: Math.round(ms[ms.length - 1] ?? 0),
  };
}

async function fire(base, slug, sessionsFile, day, deadlineMs, windowMs, late) {
  const sessions = JSON.parse(readFileSync(sessionsFile, "utf8"));
  const deadline = Number(deadlineMs);
  const window = Number(windowMs);
  const book = async (s, at) => {
    const wait = at - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const started = performance.now();
    const r = await fetch(`${base}/${slug}/api/v1/children/${s.child}/reservations/repas/${day}`, {
      method: "PUT",
      headers: { cookie: s.cookie },
    });
    const text = await r.text();
    const ms = performance.now() - started;
    let code = null;
    try {
      code = JSON.parse(text).code ?? null;
    } catch {}
    return { status: r.status, code, ms };
  };
  // The first LATE sessions come too late, 300 ms to 2 s after the deadline; every other one
  // inside the window, which ends 300 ms before the deadline so that the skew between this
  // process and the server's test clock cannot push a request over it.
  const latecomers = sessions.slice(0, Number(late)).map((s) => book(s, deadline + 300 + Math.random() * 1700));
  const inWindow = sessions.slice(Number(late)).map((s) => book(s, deadline - window + Math.random() * (window - 300)));
  const result = { in_window: summary(await Promise.all(inWindow)), after_deadline: summary(await Promise.all(latecomers)) };
  console.log(JSON.stringify(result));
}

if (mode === "accounts") await accounts(...args);
else if (mode === "fire") await fire(...args);
else {
  console.error("usage: rush.mjs accounts|fire …");
  process.exit(2);
}
