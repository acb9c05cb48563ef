// Self-test of the two peers: node --test tests/peers/selftest.mjs
// Starts smtp-sink.mjs and oidc-provider.mjs as child processes and talks to them the way the
// portal will: a raw SMTP dialogue over a socket, and an authorization code + PKCE flow with
// plain fetch and a hand-made cookie jar.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';

import { createLocalJWKSet, jwtVerify } from 'jose';

const here = path.dirname(fileURLToPath(import.meta.url));

// ---------------------------------------------------------------- child processes

function startPeer(script, env, readyPattern) {
  const child = spawn(process.execPath, [path.join(here, script)], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stderr = [];
  child.stderr.on('data', (chunk) => stderr.push(chunk));
  const lines = readline.createInterface({ input: child.stdout });
  const stdoutLines = [];
  const ready = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${script} not ready in 15 s: ${Buffer.concat(stderr)}`)), 15000);
    lines.on('line', (line) => {
      stdoutLines.push(line);
      const match = line.match(readyPattern);
      if (match) {
        clearTimeout(timer);
        resolve(match);
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${script} exited (${code ?? signal}) before ready: ${Buffer.concat(stderr)}`));
    });
  });
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return { child, ready, exited, stdoutLines, stderr: () => Buffer.concat(stderr).toString() };
}

async function stopPeer(peer) {
  if (peer.child.exitCode !== null || peer.child.signalCode !== null) return peer.exited;
  peer.child.kill('SIGTERM');
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error('no exit 5 s after SIGTERM')), 5000);
  });
  try {
    return await Promise.race([peer.exited, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

// ---------------------------------------------------------------- a raw SMTP client

class SmtpDialogue {
  constructor(socket) {
    this.socket = socket;
    this.buffer = '';
    this.waiting = [];
    socket.setEncoding('utf8');
    socket.on('data', (data) => {
      this.buffer += data;
      this.#drain();
    });
  }

  static connect(port) {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: '127.0.0.1', port }, () => resolve(new SmtpDialogue(socket)));
      socket.once('error', reject);
    });
  }

  #drain() {
    while (this.waiting.length) {
      // A reply is complete at its line "NNN text" (continuation lines are "NNN-text").
      const match = this.buffer.match(/^(?:\d{3}-[^\r\n]*\r\n)*(\d{3})(?: [^\r\n]*)?\r\n/);
      if (!match) return;
      this.buffer = this.buffer.slice(match[0].length);
      this.waiting.shift()({ code: Number(match[1]), text: match[0] });
    }
  }

  reply() {
    return new Promise((resolve) => {
      this.waiting.push(resolve);
      this.#drain();
    });
  }

  async command(line) {
    this.socket.write(`${line}\r\n`);
    return this.reply();
  }

  async data(message) {
    const start = await this.command('DATA');
    assert.equal(start.code, 354, start.text);
    const stuffed = message.replace(/(^|\r\n)\./g, '$1..');
    this.socket.write(`${stuffed}${stuffed.endsWith('\r\n') ? '' : '\r\n'}.\r\n`);
    return this.reply();
  }

  close() {
    this.socket.end();
  }
}

async function sendMail(port, { from, to, message, auth }) {
  const smtp = await SmtpDialogue.connect(port);
  const greeting = await smtp.reply();
  assert.equal(greeting.code, 220, greeting.text);
  const ehlo = await smtp.command('EHLO selftest.local');
  assert.equal(ehlo.code, 250, ehlo.text);
  if (auth) {
    assert.match(ehlo.text, /AUTH[ -].*PLAIN/);
    const token = Buffer.from(`\0${auth.user}\0${auth.pass}`).toString('base64');
    const authReply = await smtp.command(`AUTH PLAIN ${token}`);
    assert.equal(authReply.code, 235, authReply.text);
  }
  assert.equal((await smtp.command(`MAIL FROM:<${from}>`)).code, 250);
  for (const rcpt of to) {
    assert.equal((await smtp.command(`RCPT TO:<${rcpt}>`)).code, 250);
  }
  const result = await smtp.data(message);
  await smtp.command('QUIT');
  smtp.close();
  return result;
}

async function readIndex(mailDir) {
  const text = await readFile(path.join(mailDir, 'index.jsonl'), 'utf8').catch(() => '');
  return text.split('\n').filter(Boolean).map((line) => JSON.parse(line));
}

// ---------------------------------------------------------------- a cookie jar for fetch

class CookieJar {
  cookies = new Map(); // "name path" -> { name, value, path }

  store(response, url) {
    for (const header of response.headers.getSetCookie()) {
      const [pair, ...attributes] = header.split(';').map((part) => part.trim());
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      let cookiePath = new URL(url).pathname.replace(/\/[^/]*$/, '') || '/';
      let expired = value === '';
      for (const attribute of attributes) {
        const [key, ...rest] = attribute.split('=');
        const attrValue = rest.join('=');
        if (key.toLowerCase() === 'path') cookiePath = attrValue;
        if (key.toLowerCase() === 'max-age' && Number(attrValue) <= 0) expired = true;
        if (key.toLowerCase() === 'expires' && Date.parse(attrValue) <= Date.now()) expired = true;
      }
      const key = `${name} ${cookiePath}`;
      if (expired) this.cookies.delete(key);
      else this.cookies.set(key, { name, value, path: cookiePath });
    }
  }

  header(url) {
    const { pathname } = new URL(url);
    const matching = [...this.cookies.values()].filter(({ path: p }) => pathname === p
      || (pathname.startsWith(p) && (p.endsWith('/') || pathname[p.length] === '/')));
    return matching.map(({ name, value }) => `${name}=${value}`).join('; ');
  }

  names() {
    return [...this.cookies.values()].map(({ name, path: p }) => `${name} ${p}`);
  }
}

// One request, no automatic redirect, cookies sent and stored.
async function request(jar, url, init = {}) {
  const headers = new Headers(init.headers);
  const cookie = jar.header(url);
  if (cookie) headers.set('cookie', cookie);
  const response = await fetch(url, { ...init, headers, redirect: 'manual' });
  jar.store(response, url);
  return response;
}

const b64url = (buffer) => Buffer.from(buffer).toString('base64url');

// ---------------------------------------------------------------- SMTP sink

describe('smtp-sink', () => {
  let peer;
  let port;
  let mailDir;
  let root;

  before(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'peers-smtp-'));
    mailDir = path.join(root, 'mail'); // does not exist yet: the sink creates it
    peer = startPeer('smtp-sink.mjs', { SMTP_PORT: '0', MAIL_DIR: mailDir }, /^SMTP_SINK_READY port=(\d+)$/);
    port = Number((await peer.ready)[1]);
  });

  after(async () => {
    await stopPeer(peer);
    await rm(root, { recursive: true, force: true });
  });

  test('prints exactly one ready line on stdout', () => {
    assert.ok(port > 0);
    assert.deepEqual(peer.stdoutLines, [`SMTP_SINK_READY port=${port}`]);
  });

  test('stores a message verbatim and indexes it', async () => {
    const subject = 'Votre lien de connexion — Portail Famille';
    const message = [
      'From: Portail Famille <noreply@portail.test>',
      'To: Alice <alice@example.test>, bob@example.test',
      `Subject: =?UTF-8?B?${Buffer.from(subject).toString('base64')}?=`,
      'Message-ID: <selftest-1@portail.test>',
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=utf-8',
      'Content-Transfer-Encoding: 8bit',
      '',
      'Bonjour Alice,',
      '.a line that starts with a dot (dot-stuffed on the wire)',
      'http://127.0.0.1/connexion?jeton=abc',
      '',
    ].join('\r\n');
    const result = await sendMail(port, {
      from: 'noreply@portail.test',
      to: ['alice@example.test', 'bob@example.test'],
      message,
      auth: { user: 'portail', pass: 'anything' },
    });
    assert.equal(result.code, 250, result.text);

    const index = await readIndex(mailDir);
    assert.equal(index.length, 1);
    const [entry] = index;
    assert.match(entry.file, /^\d+-1\.eml$/);
    assert.equal(entry.from, 'noreply@portail.test');
    assert.deepEqual(entry.to, ['alice@example.test', 'bob@example.test']);
    assert.equal(entry.subject, subject);
    assert.ok(!Number.isNaN(Date.parse(entry.received_at)));
    assert.match(entry.text, /jeton=abc/);

    const stored = await readFile(path.join(mailDir, entry.file), 'utf8');
    assert.equal(stored, message);
  });

  test('answers 451 to DATA while .refuse exists, then accepts again', async () => {
    const message = 'From: a@portail.test\r\nTo: b@example.test\r\nSubject: retry\r\n\r\nbody\r\n';
    await writeFile(path.join(mailDir, '.refuse'), '');
    const refused = await sendMail(port, { from: 'a@portail.test', to: ['b@example.test'], message });
    assert.equal(refused.code, 451, refused.text);
    assert.equal((await readIndex(mailDir)).length, 1, 'a refused message is not stored');

    await rm(path.join(mailDir, '.refuse'));
    const accepted = await sendMail(port, { from: 'a@portail.test', to: ['b@example.test'], message });
    assert.equal(accepted.code, 250, accepted.text);
    const index = await readIndex(mailDir);
    assert.equal(index.length, 2);
    assert.equal(index[1].subject, 'retry');
    assert.match(index[1].file, /^\d+-2\.eml$/);
    const emls = (await readdir(mailDir)).filter((f) => f.endsWith('.eml'));
    assert.equal(emls.length, 2);
  });

  test('exits cleanly on SIGTERM', async () => {
    const { code, signal } = await stopPeer(peer);
    assert.equal(signal, null);
    assert.equal(code, 0);
  });
});

// ---------------------------------------------------------------- OpenID Connect provider

const CLIENT_ID = 'portail-selftest';
const CLIENT_SECRET = 'selftest secret: with = odd & chars';
const REDIRECT_URI = 'http://127.0.0.1:45678/auth/oidc/callback';

function startProvider(extraEnv = {}) {
  return startPeer('oidc-provider.mjs', {
    OIDC_PORT: '0',
    OIDC_CLIENT_ID: CLIENT_ID,
    OIDC_CLIENT_SECRET: CLIENT_SECRET,
    OIDC_REDIRECT_URIS: `http://127.0.0.1:45679/other,${REDIRECT_URI}`,
    OIDC_ACCOUNTS: JSON.stringify([
      { sub: 'parent-1', email: 'camille.leroy@example.test', given_name: 'Camille', family_name: 'Leroy' },
      { sub: 'parent-2', email: 'jules.petit@example.test', given_name: 'Jules', family_name: 'Petit' },
    ]),
    ...extraEnv,
  }, /^OIDC_PROVIDER_READY issuer=(http:\/\/127\.0\.0\.1:\d+)$/);
}

function basic(id, secret) {
  // RFC 6749 2.3.1: form-urlencode each part before base64.
  const enc = (s) => encodeURIComponent(s).replace(/%20/g, '+');
  return `Basic ${Buffer.from(`${enc(id)}:${enc(secret)}`).toString('base64')}`;
}

function newPkce() {
  const verifier = b64url(randomBytes(32));
  const challenge = b64url(createHash('sha256').update(verifier).digest());
  return { verifier, challenge };
}

// authorize → /interaction/:uid → POST login → /auth/:uid → redirect_uri. Returns the callback URL.
async function signIn(discovery, jar, { login, redirectUri = REDIRECT_URI, extra = {} } = {}) {
  const state = b64url(randomBytes(16));
  const nonce = b64url(randomBytes(16));
  const pkce = newPkce();
  const authorize = new URL(discovery.authorization_endpoint);
  authorize.search = new URLSearchParams({
    response_type: 'code',
    client_id: CLIENT_ID,
    redirect_uri: redirectUri,
    scope: 'openid email profile',
    state,
    nonce,
    code_challenge: pkce.challenge,
    code_challenge_method: 'S256',
    ...extra,
  });
  const steps = [];

  let response = await request(jar, authorize.href);
  steps.push(response.status);
  assert.equal(response.status, 303, await response.text());
  const interactionUrl = new URL(response.headers.get('location'), authorize);
  assert.match(interactionUrl.pathname, /^\/interaction\/[A-Za-z0-9_-]+$/);
  const uid = interactionUrl.pathname.split('/')[2];
  // Both interaction cookies are scoped to a path: a jar must honour Path to send them back.
  for (const expected of [`test_op_interaction ${interactionUrl.pathname}`, `test_op_interaction_resume /auth/${uid}`]) {
    assert.ok(jar.names().includes(expected), `${expected} not in ${jar.names()}`);
  }

  response = await request(jar, interactionUrl.href);
  steps.push(response.status);
  assert.equal(response.status, 200);
  const html = await response.text();
  assert.match(html, /<label for="login">[^<]+<\/label>/);
  assert.match(html, /<input id="login" name="login"/);
  assert.match(html, /<button type="submit">Se connecter<\/button>/);
  const action = html.match(/<form method="post" action="([^"]+\/login)">/)[1];

  response = await request(jar, new URL(action, interactionUrl).href, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ login }),
  });
  steps.push(response.status);
  assert.equal(response.status, 303, await response.text());

  // Follow the provider's own redirects until one leaves the issuer.
  let location = new URL(response.headers.get('location'), interactionUrl);
  while (location.origin === new URL(discovery.issuer).origin) {
    response = await request(jar, location.href);
    steps.push(response.status);
    assert.ok([302, 303].includes(response.status), `${location} answered ${response.status}: ${await response.text()}`);
    location = new URL(response.headers.get('location'), location);
  }
  assert.ok(jar.names().includes('test_op_session /'), 'a provider session cookie is set');
  return { callback: location, state, nonce, pkce, steps };
}

describe('oidc-provider', () => {
  let peer;
  let issuer;
  let discovery;
  let jwks;

  before(async () => {
    peer = startProvider();
    issuer = (await peer.ready)[1];
    const response = await fetch(`${issuer}/.well-known/openid-configuration`);
    assert.equal(response.status, 200);
    discovery = await response.json();
    jwks = createLocalJWKSet(await (await fetch(discovery.jwks_uri)).json());
  });

  after(async () => {
    await stopPeer(peer);
  });

  test('prints exactly one ready line and serves discovery and JWKS', async () => {
    assert.deepEqual(peer.stdoutLines, [`OIDC_PROVIDER_READY issuer=${issuer}`]);
    assert.equal(discovery.issuer, issuer);
    assert.equal(discovery.authorization_endpoint, `${issuer}/auth`);
    assert.equal(discovery.token_endpoint, `${issuer}/token`);
    assert.deepEqual(discovery.code_challenge_methods_supported, ['S256']);
    assert.deepEqual(discovery.id_token_signing_alg_values_supported, ['RS256']);
    for (const scope of ['openid', 'email', 'profile']) assert.ok(discovery.scopes_supported.includes(scope));
    for (const method of ['client_secret_basic', 'client_secret_post']) {
      assert.ok(discovery.token_endpoint_auth_methods_supported.includes(method));
    }
    const keys = await (await fetch(discovery.jwks_uri)).json();
    assert.equal(keys.keys.length, 1);
    assert.equal(keys.keys[0].kty, 'RSA');
    assert.equal(keys.keys[0].alg, 'RS256');
    assert.equal(keys.keys[0].d, undefined, 'no private part in the JWKS');
  });

  test('authorization code + PKCE over plain HTTP, client_secret_basic, id_token verified', async () => {
    const jar = new CookieJar();
    const { callback, state, nonce, pkce, steps } = await signIn(discovery, jar, { login: 'parent-1' });
    assert.deepEqual(steps, [303, 200, 303, 303]);
    assert.equal(`${callback.origin}${callback.pathname}`, REDIRECT_URI);
    assert.equal(callback.searchParams.get('state'), state);
    assert.equal(callback.searchParams.get('iss'), issuer);
    const code = callback.searchParams.get('code');
    assert.ok(code);

    const tokenResponse = await fetch(discovery.token_endpoint, {
      method: 'POST',
      headers: {
        authorization: basic(CLIENT_ID, CLIENT_SECRET),
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code,
        redirect_uri: REDIRECT_URI,
        code_verifier: pkce.verifier,
      }),
    });
    const tokens = await tokenResponse.json();
    assert.equal(tokenResponse.status, 200, JSON.stringify(tokens));
    assert.equal(tokens.token_type, 'Bearer');
    assert.ok(tokens.access_token);

    const { payload, protectedHeader } = await jwtVerify(tokens.id_token, jwks, {
      issuer,
      audience: CLIENT_ID,
      algorithms: ['RS256'],
    });
    assert.equal(protectedHeader.alg, 'RS256');
    assert.equal(payload.nonce, nonce);
    assert.equal(payload.sub, 'parent-1');
    assert.equal(payload.email, 'camille.leroy@example.test');
    assert.equal(payload.email_verified, true);
    assert.equal(payload.given_name, 'Camille');
    assert.equal(payload.family_name, 'Leroy');

    const userinfo = await fetch(discovery.userinfo_endpoint, {
      headers: { authorization: `Bearer ${tokens.access_token}` },
    });
    assert.equal(userinfo.status, 200);
    assert.equal((await userinfo.json()).email, 'camille.leroy@example.test');

    // The same cookie jar now has a provider session: the next authorize goes straight back.
    const again = new URL(discovery.authorization_endpoint);
    const second = newPkce();
    again.search = new URLSearchParams({
      response_type: 'code', client_id: CLIENT_ID, redirect_uri: REDIRECT_URI, scope: 'openid email',
      state: 's2', nonce: 'n2', code_challenge: second.challenge, code_challenge_method: 'S256',
    });
    const sso = await request(jar, again.href);
    assert.equal(sso.status, 303);
    const ssoLocation = new URL(sso.headers.get('location'));
    assert.equal(`${ssoLocation.origin}${ssoLocation.pathname}`, REDIRECT_URI);
    assert.ok(ssoLocation.searchParams.get('code'));

    // A code is single-use.
    const replay = await fetch(discovery.token_endpoint, {
      method: 'POST',
      headers: { authorization: basic(CLIENT_ID, CLIENT_SECRET), 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, code_verifier: pkce.verifier }),
    });
    assert.equal(replay.status, 400);
    assert.equal((await replay.json()).error, 'invalid_grant');


    // A replayed code also revokes the grant it came from (RFC 6749 4.1.2): the provider
    // session is still there, so the next authorize only needs consent, which the
    // interaction page grants by itself without a form.
    const third = newPkce();
    again.search = new URLSearchParams({
      response_type: 'code', client_id: CLIENT_ID, redirect_uri: REDIRECT_URI, scope: 'openid email',
      state: 's3', nonce: 'n3', code_challenge: third.challenge, code_challenge_method: 'S256',
    });
    const hops = [];
    let hop = await request(jar, again.href);
    let hopUrl = again;
    while ([302, 303].includes(hop.status)) {
      hopUrl = new URL(hop.headers.get('location'), hopUrl);
      hops.push(hopUrl.pathname);
      if (hopUrl.origin !== new URL(issuer).origin) break;
      hop = await request(jar, hopUrl.href);
    }
    assert.equal(hops.length, 3, hops.join(' -> '));
    assert.match(hops[0], /^\/interaction\//);
    assert.match(hops[1], /^\/auth\//);
    assert.equal(`${hopUrl.origin}${hopUrl.pathname}`, REDIRECT_URI);
    assert.equal(hopUrl.searchParams.get('state'), 's3');
    assert.ok(hopUrl.searchParams.get('code'));
  });

  test('client_secret_post and login by e-mail', async () => {
    const { callback, nonce, pkce } = await signIn(discovery, new CookieJar(), { login: 'JULES.PETIT@example.test' });
    const response = await fetch(discovery.token_endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code: callback.searchParams.get('code'),
        redirect_uri: REDIRECT_URI,
        code_verifier: pkce.verifier,
        client_id: CLIENT_ID,
        client_secret: CLIENT_SECRET,
      }),
    });
    const tokens = await response.json();
    assert.equal(response.status, 200, JSON.stringify(tokens));
    const { payload } = await jwtVerify(tokens.id_token, jwks, { issuer, audience: CLIENT_ID });
    assert.equal(payload.sub, 'parent-2');
    assert.equal(payload.email, 'jules.petit@example.test');
    assert.equal(payload.nonce, nonce);
  });

  test('PKCE is required and checked; secrets and redirect URIs are checked', async () => {
    // No code_challenge: the error goes back to the (registered) redirect URI.
    const authorize = new URL(discovery.authorization_endpoint);
    authorize.search = new URLSearchParams({
      response_type: 'code', client_id: CLIENT_ID, redirect_uri: REDIRECT_URI, scope: 'openid', state: 'x',
    });
    let response = await request(new CookieJar(), authorize.href);
    assert.equal(response.status, 303);
    const location = new URL(response.headers.get('location'));
    assert.equal(location.searchParams.get('error'), 'invalid_request');
    assert.match(location.searchParams.get('error_description'), /PKCE/);

    // An unregistered redirect URI is not redirected to.
    authorize.searchParams.set('redirect_uri', 'http://127.0.0.1:45678/elsewhere');
    response = await request(new CookieJar(), authorize.href);
    assert.equal(response.status, 400);

    // A wrong code_verifier or a wrong secret: invalid_grant / invalid_client.
    const { callback } = await signIn(discovery, new CookieJar(), { login: 'parent-1' });
    const code = callback.searchParams.get('code');
    response = await fetch(discovery.token_endpoint, {
      method: 'POST',
      headers: { authorization: basic(CLIENT_ID, 'wrong'), 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, code_verifier: newPkce().verifier }),
    });
    assert.equal(response.status, 401);
    assert.equal((await response.json()).error, 'invalid_client');
    response = await fetch(discovery.token_endpoint, {
      method: 'POST',
      headers: { authorization: basic(CLIENT_ID, CLIENT_SECRET), 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, code_verifier: newPkce().verifier }),
    });
    assert.equal(response.status, 400);
    assert.equal((await response.json()).error, 'invalid_grant');
  });

  test('unknown account, cancel, and a lost cookie', async () => {
    const jar = new CookieJar();
    const pkce = newPkce();
    const authorize = new URL(discovery.authorization_endpoint);
    authorize.search = new URLSearchParams({
      response_type: 'code', client_id: CLIENT_ID, redirect_uri: REDIRECT_URI, scope: 'openid email',
      state: 'st', nonce: 'nn', code_challenge: pkce.challenge, code_challenge_method: 'S256',
    });
    let response = await request(jar, authorize.href);
    const interactionUrl = new URL(response.headers.get('location'), authorize);

    response = await request(jar, `${interactionUrl.href}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'login=nobody',
    });
    assert.equal(response.status, 401);
    assert.match(await response.text(), /role="alert"/);

    // Without the interaction cookie the provider cannot tell which sign-in this is.
    response = await request(new CookieJar(), `${interactionUrl.href}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'login=parent-1',
    });
    assert.equal(response.status, 400);

    response = await request(jar, `${interactionUrl.href}/abort`, { method: 'POST' });
    assert.equal(response.status, 303);
    response = await request(jar, new URL(response.headers.get('location'), interactionUrl).href);
    assert.equal(response.status, 303);
    const location = new URL(response.headers.get('location'));
    assert.equal(location.searchParams.get('error'), 'access_denied');
    assert.equal(location.searchParams.get('state'), 'st');
  });

  test('exits cleanly on SIGTERM', async () => {
    const { code, signal } = await stopPeer(peer);
    assert.equal(signal, null);
    assert.equal(code, 0);
  });
});

describe('oidc-provider with OIDC_APPLICATION_TYPE=native', () => {
  test('a loopback redirect URI matches whatever its port', async () => {
    const peer = startProvider({ OIDC_APPLICATION_TYPE: 'native' });
    try {
      const issuer = (await peer.ready)[1];
      const discovery = await (await fetch(`${issuer}/.well-known/openid-configuration`)).json();
      const otherPort = 'http://127.0.0.1:51234/auth/oidc/callback';
      const { callback, pkce } = await signIn(discovery, new CookieJar(), { login: 'parent-2', redirectUri: otherPort });
      assert.equal(`${callback.origin}${callback.pathname}`, otherPort);
      const response = await fetch(discovery.token_endpoint, {
        method: 'POST',
        headers: { authorization: basic(CLIENT_ID, CLIENT_SECRET), 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'authorization_code', code: callback.searchParams.get('code'), redirect_uri: otherPort, code_verifier: pkce.verifier,
        }),
      });
      assert.equal(response.status, 200, await response.clone().text());
      const jwks = createLocalJWKSet(await (await fetch(discovery.jwks_uri)).json());
      const { payload } = await jwtVerify((await response.json()).id_token, jwks, { issuer, audience: CLIENT_ID });
      assert.equal(payload.sub, 'parent-2');
    } finally {
      await stopPeer(peer);
    }
  });
});
