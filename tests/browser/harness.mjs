// Shared by the browser tests: provisions municipalities with the real `portail` binary,
// serves them, drives Debian's Chromium with playwright-core and checks pages with axe-core.
import { execFileSync, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createHmac, randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import net from 'node:net';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const BIN = process.env.PORTAIL_BIN ?? join(ROOT, 'target', 'debug', 'portail');
export const SCREENSHOTS = join(ROOT, 'target', 'screenshots');
export const WIDTHS = [375, 1280];

export function portail(...args) {
  return execFileSync(BIN, args, { encoding: 'utf8', env: { ...process.env, RUST_LOG: 'warn' } });
}

export function randomSlug(prefix) {
  return `${prefix}-${randomBytes(5).toString('hex')}`;
}

async function freePort() {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * The portal's time in every browser test: Monday 11 January 2027, 8:00 in Paris, a school
 * week of zone B (the demo's). `portail serve --test-clock` starts its clock there, so the
 * tests book fixed school-year dates and pass whatever the date of the run.
 */
export const TEST_NOW = '2027-01-11T08:00:00+01:00';

/** Starts `portail serve` on a free port, its clock at `TEST_NOW`, and waits until it is ready. */
export async function serve(extraEnv = {}) {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const child = spawn(BIN, ['serve', '--test-clock', TEST_NOW], {
    env: { ...process.env, LISTEN_ADDR: `127.0.0.1:${port}`, PUBLIC_URL: base, RUST_LOG: 'warn', TENANT_CACHE_SECONDS: '1', ...extraEnv },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(`${base}/readyz`)).ok) return { base, stop: () => child.kill('SIGTERM') };
    } catch { /* not listening yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill();
  throw new Error('portail serve did not become ready');
}

export async function launch() {
  // Under libfaketime (a run with the machine's clock moved) the browser keeps the real time:
  // it is the parents' device, and Chromium does not run with the library preloaded.
  const { LD_PRELOAD, FAKETIME, ...env } = process.env;
  return chromium.launch({
    env,
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
}

/**
 * Opens `url` at `width`, fails on any request leaving the portal, saves a screenshot, and
 * returns the page. Axe is injected by the test, so the page's CSP is bypassed for it only.
 */
export async function open(browser, base, path, width, name) {
  const context = await browser.newContext({ viewport: { width, height: 900 }, bypassCSP: true, locale: 'fr-FR' });
  const page = await context.newPage();
  const foreign = [];
  page.on('request', (req) => { if (!req.url().startsWith(base) && !req.url().startsWith('data:')) foreign.push(req.url()); });
  const response = await page.goto(`${base}${path}`);
  assert.deepEqual(foreign, [], 'no request leaves the portal (no third-party assets)');
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}-${width}.png`), fullPage: true });
  return { page, response, context };
}

/** Zero axe-core violations for WCAG 2.1 A and AA. */
export async function assertAccessible(page, label) {
  await page.addScriptTag({ content: axeSource });
  const result = await page.evaluate(() =>
    window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } }));
  const summary = result.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
  assert.deepEqual(summary, [], `${label}: axe-core violations`);
}

/** The page fits the viewport: nothing to scroll sideways on a phone. */
export async function assertNoHorizontalScroll(page, width, label) {
  const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(scrollWidth <= width, `${label}: ${scrollWidth}px wide in a ${width}px viewport`);
}

/** The SMTP sink of tests/peers: a real SMTP server writing each mail to a folder. */
export async function smtpSink() {
  const dir = mkdtempSync(join(tmpdir(), 'portail-sink-'));
  const child = spawn('node', [join(ROOT, 'tests', 'peers', 'smtp-sink.mjs')], {
    env: { ...process.env, SMTP_PORT: '0', MAIL_DIR: dir },
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const port = await new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const m = out.match(/SMTP_SINK_READY port=(\d+)/);
      if (m) resolve(Number(m[1]));
    });
    child.on('exit', () => reject(new Error('the SMTP sink stopped')));
  });
  const mails = () => {
    try {
      return readFileSync(join(dir, 'index.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
    } catch { return []; }
  };
  const to = (addr) => mails().filter((m) => m.to.some((t) => t.toLowerCase() === addr.toLowerCase()));
  return {
    url: `smtp://127.0.0.1:${port}`,
    /** How many mails `addr` received so far: wait for the next one with `waitFor(addr, count + 1)`. */
    count: (addr) => to(addr).length,
    /** Waits for the n-th mail to `to` (from 1). */
    async waitFor(to, n = 1) {
      for (let i = 0; i < 200; i++) {
        const mine = mails().filter((m) => m.to.some((t) => t.toLowerCase() === to.toLowerCase()));
        if (mine.length >= n) return mine[n - 1];
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error(`no mail #${n} to ${to}`);
    },
    stop: () => child.kill('SIGTERM'),
  };
}

/**
 * RFC 6238 code of a base32 secret at `atMs` (milliseconds since the epoch): give it the
 * portal's time, `Date.parse(TEST_NOW) + (Date.now() - serverStarted)`.
 */
export function totp(secret, atMs) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of secret) bits += alphabet.indexOf(c).toString(2).padStart(5, '0');
  const key = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(atMs / 1000 / 30)));
  const hash = createHmac('sha1', key).update(counter).digest();
  const offset = hash[hash.length - 1] & 0xf;
  const binary = hash.readUInt32BE(offset) & 0x7fffffff;
  return String(binary % 1_000_000).padStart(6, '0');
}

/**
 * The main navigation, opened first on a phone, where it folds behind the header's "Menu"
 * button.
 */
export async function menu(page) {
  const button = page.locator('.menu-button');
  if (await button.isVisible() && (await button.getAttribute('aria-expanded')) !== 'true') await button.click();
  return page.locator('#menu > nav');
}

/**
 * A parent's first connection, through the API: asks the mailed link (read from the SMTP
 * `sink`) and sets `password`. Resolves once the password is set.
 */
export async function firstConnection(base, slug, sink, email, password) {
  const json = (body) => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const before = sink.count(email);
  const asked = await fetch(`${base}/${slug}/api/v1/auth/password-reset`, json({ email }));
  assert.equal(asked.status, 202);
  const token = (await sink.waitFor(email, before + 1)).text.match(/token=([A-Za-z0-9_-]{43})/)[1];
  const r = await fetch(`${base}/${slug}/api/v1/auth/password-reset/confirm`, json({ token, password }));
  assert.equal(r.status, 204);
}

/** Signs a parent in through the sign-in page (opened if `page` is elsewhere); lands on the home page. */
export async function signInParent(page, base, slug, email, password) {
  if (!page.url().endsWith(`/${slug}/connexion`)) await page.goto(`${base}/${slug}/connexion`);
  await page.getByLabel('Adresse e-mail').fill(email);
  await page.getByLabel('Mot de passe', { exact: true }).fill(password);
  await Promise.all([page.waitForURL(`**/${slug}/`), page.getByRole('button', { name: 'Valider' }).click()]);
}
