#!/usr/bin/env node
// OpenID Connect provider for Portail Famille's tests, built on panva's oidc-provider.
//
//   OIDC_PORT               port on 127.0.0.1 (default 0: a free port); issuer http://127.0.0.1:<port>
//   OIDC_CLIENT_ID          the one client's id      (default portail-test)
//   OIDC_CLIENT_SECRET      its secret               (default portail-test-secret)
//   OIDC_REDIRECT_URIS      comma-separated redirect URIs (default http://127.0.0.1/callback)
//   OIDC_APPLICATION_TYPE   web (default: redirect URIs match exactly) or native (http loopback
//                           redirect URIs match whatever their port, RFC 8252 section 7.3)
//   OIDC_ACCOUNTS           JSON [{"sub","email","given_name","family_name"}] (default: two accounts)
//
// stdout carries exactly one line, `OIDC_PROVIDER_READY issuer=http://127.0.0.1:<port>`;
// everything else (including oidc-provider's notices) goes to stderr.
//
// Sign-in has no password: the page /interaction/:uid asks for an account's sub or e-mail, and
// POST /interaction/:uid/login signs that account in and grants the requested scopes and claims
// at once (no consent page). See README.md for the request sequence.

import http from 'node:http';
import { randomBytes, randomUUID } from 'node:crypto';
import process from 'node:process';

// oidc-provider prints its notices with console.info (stdout); stdout is kept for the ready line.
console.info = (...args) => console.error(...args);
console.log = (...args) => console.error(...args);

const { default: Provider, errors } = await import('oidc-provider');
const { exportJWK, generateKeyPair } = await import('jose');

const log = (...args) => console.error('[oidc-provider]', ...args);

function fail(message) {
  log(message);
  process.exit(2);
}

// ---------------------------------------------------------------- configuration from env

const port = Number(process.env.OIDC_PORT ?? 0);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  fail(`OIDC_PORT must be a port number (0 = any free port), got ${JSON.stringify(process.env.OIDC_PORT)}`);
}

const clientId = process.env.OIDC_CLIENT_ID || 'portail-test';
const clientSecret = process.env.OIDC_CLIENT_SECRET || 'portail-test-secret';
const redirectUris = (process.env.OIDC_REDIRECT_URIS || 'http://127.0.0.1/callback')
  .split(',')
  .map((uri) => uri.trim())
  .filter(Boolean);
const applicationType = process.env.OIDC_APPLICATION_TYPE || 'web';
if (!['web', 'native'].includes(applicationType)) {
  fail(`OIDC_APPLICATION_TYPE must be web or native, got ${JSON.stringify(applicationType)}`);
}

const DEFAULT_ACCOUNTS = [
  { sub: 'alice', email: 'alice.martin@example.test', given_name: 'Alice', family_name: 'Martin' },
  { sub: 'bob', email: 'bob.durand@example.test', given_name: 'Bob', family_name: 'Durand' },
];

let accounts = DEFAULT_ACCOUNTS;
if (process.env.OIDC_ACCOUNTS) {
  try {
    accounts = JSON.parse(process.env.OIDC_ACCOUNTS);
  } catch (error) {
    fail(`OIDC_ACCOUNTS is not JSON: ${error.message}`);
  }
  if (!Array.isArray(accounts) || accounts.some((a) => !a || typeof a.sub !== 'string' || !a.sub)) {
    fail('OIDC_ACCOUNTS must be a JSON array of objects, each with a non-empty string "sub"');
  }
}

function findAccountByLogin(login) {
  const wanted = String(login ?? '').trim();
  if (!wanted) return undefined;
  return accounts.find((a) => a.sub === wanted)
    ?? accounts.find((a) => typeof a.email === 'string' && a.email.toLowerCase() === wanted.toLowerCase());
}

function claimsOf(account) {
  const claims = { sub: account.sub };
  if (account.email !== undefined) {
    claims.email = account.email;
    claims.email_verified = account.email_verified ?? true;
  }
  if (account.given_name !== undefined) claims.given_name = account.given_name;
  if (account.family_name !== undefined) claims.family_name = account.family_name;
  const name = account.name ?? [account.given_name, account.family_name].filter(Boolean).join(' ');
  if (name) claims.name = name;
  return claims;
}

// ---------------------------------------------------------------- HTML

function escapeHtml(value) {
  return String(value)
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

function page(title, body) {
  return `<!DOCTYPE html>
<html lang="fr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
body{font-family:system-ui,sans-serif;max-width:28rem;margin:2rem auto;padding:0 1rem;color:#1a1a1a}
label{display:block;font-weight:600;margin-bottom:.25rem}
input{font:inherit;width:100%;box-sizing:border-box;padding:.5rem;margin-bottom:1rem;border:1px solid #555}
button{font:inherit;padding:.5rem 1rem;border:0;background:#0b57d0;color:#fff;cursor:pointer}
button.secondary{background:#fff;color:#0b57d0;border:1px solid #0b57d0}
.error{color:#a00000;font-weight:600}
</style>
</head>
<body>
<main>
${body}
</main>
</body>
</html>
`;
}

function loginPage({ uid, clientId: forClient, loginHint, error }) {
  const known = accounts
    .map((a) => `<li><code>${escapeHtml(a.sub)}</code>${a.email ? ` — ${escapeHtml(a.email)}` : ''}</li>`)
    .join('');
  return page('Connexion — fournisseur OpenID de test', `<h1>Connexion</h1>
<p>Fournisseur OpenID Connect de test, pour l'application <strong>${escapeHtml(forClient)}</strong>.</p>
${error ? `<p class="error" role="alert" id="login-error">${escapeHtml(error)}</p>` : ''}
<form method="post" action="/interaction/${escapeHtml(uid)}/login">
<label for="login">Identifiant ou adresse e-mail</label>
<input id="login" name="login" type="text" autocomplete="username" autocapitalize="none" spellcheck="false" required autofocus${error ? ' aria-invalid="true" aria-describedby="login-error"' : ''} value="${escapeHtml(loginHint ?? '')}">
<button type="submit">Se connecter</button>
</form>
<form method="post" action="/interaction/${escapeHtml(uid)}/abort">
<button type="submit" class="secondary">Annuler</button>
</form>
<h2>Comptes de test</h2>
<ul>${known}</ul>`);
}

function send(res, status, contentType, body, headers = {}) {
  res.statusCode = status;
  res.setHeader('Content-Type', contentType);
  res.setHeader('Cache-Control', 'no-store');
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  res.end(body);
}

function sendHtml(res, status, html) {
  send(res, status, 'text/html; charset=utf-8', html);
}

// ---------------------------------------------------------------- start

const { privateKey } = await generateKeyPair('RS256', { modulusLength: 2048, extractable: true });
const signingKey = { ...(await exportJWK(privateKey)), kid: randomUUID(), alg: 'RS256', use: 'sig' };

let handler = (_req, res) => send(res, 503, 'text/plain; charset=utf-8', 'starting\n');
const server = http.createServer((req, res) => handler(req, res));
server.keepAliveTimeout = 5000;
await new Promise((resolve, reject) => {
  server.once('error', reject);
  server.listen(port, '127.0.0.1', resolve);
});
const issuer = `http://127.0.0.1:${server.address().port}`;

const provider = new Provider(issuer, {
  clients: [{
    client_id: clientId,
    client_secret: clientSecret,
    redirect_uris: redirectUris,
    application_type: applicationType,
    grant_types: ['authorization_code'],
    response_types: ['code'],
    // client_secret_post is accepted too: oidc-provider treats the two as one method.
    token_endpoint_auth_method: 'client_secret_basic',
    id_token_signed_response_alg: 'RS256',
  }],
  jwks: { keys: [signingKey] },
  cookies: {
    // Cookies ignore ports: the provider and the portal share the host 127.0.0.1, so the
    // provider's cookies get names that the portal's own cookies will not use.
    names: {
      session: 'test_op_session',
      interaction: 'test_op_interaction',
      resume: 'test_op_interaction_resume',
    },
    keys: [randomBytes(32).toString('base64url')],
  },
  scopes: ['openid', 'email', 'profile'],
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name', 'given_name', 'family_name'],
  },
  // The ID Token carries the scopes' claims (email, names), not only the userinfo endpoint.
  conformIdTokenClaims: false,
  pkce: { required: () => true },
  ttl: {
    AccessToken: 3600,
    AuthorizationCode: 120,
    ClientCredentials: 600,
    Grant: 86400,
    IdToken: 3600,
    Interaction: 3600,
    Session: 86400,
  },
  responseTypes: ['code'],
  enabledJWA: { idTokenSigningAlgValues: ['RS256'] },
  features: {
    devInteractions: { enabled: false },
    userinfo: { enabled: true },
    rpInitiatedLogout: {
      enabled: true,
      logoutSource(ctx, form) {
        ctx.type = 'html';
        ctx.body = page('Déconnexion', `<h1>Déconnexion</h1>
${form}
<button type="submit" form="op.logoutForm" name="logout" value="yes">Se déconnecter</button>
<button type="submit" form="op.logoutForm" class="secondary">Rester connecté</button>`);
      },
      postLogoutSuccessSource(ctx) {
        ctx.type = 'html';
        ctx.body = page('Déconnecté', '<h1>Vous êtes déconnecté.</h1>');
      },
    },
  },
  interactions: {
    url: (_ctx, interaction) => `/interaction/${interaction.uid}`,
  },
  async findAccount(_ctx, sub) {
    const account = accounts.find((a) => a.sub === sub);
    if (!account) return undefined;
    return {
      accountId: account.sub,
      async claims() {
        return claimsOf(account);
      },
    };
  },
  renderError(ctx, out) {
    ctx.type = 'html';
    ctx.body = page('Erreur', `<h1>Erreur</h1>
<dl>${Object.entries(out).map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd>`).join('')}</dl>`);
  },
});

provider.on('interaction.started', (_ctx, prompt) => log(`interaction started: prompt ${prompt.name} (${prompt.reasons.join(', ')})`));
for (const event of ['server_error', 'authorization.error', 'grant.error', 'introspection.error', 'userinfo.error', 'end_session.error']) {
  provider.on(event, (_ctx, error) => log(`${event}: ${error.message}${error.error_description ? ` (${error.error_description})` : ''}`));
}

// ---------------------------------------------------------------- interactions

function readForm(req, limit = 16 * 1024) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on('data', (chunk) => {
      size += chunk.length;
      if (size > limit) {
        reject(Object.assign(new Error('request body too large'), { status: 413 }));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const type = String(req.headers['content-type'] || '').split(';')[0].trim().toLowerCase();
      if (type === 'application/json') {
        try {
          resolve(new URLSearchParams(Object.entries(JSON.parse(body || '{}')).map(([k, v]) => [k, String(v)])));
        } catch {
          reject(Object.assign(new Error('invalid JSON body'), { status: 400 }));
        }
        return;
      }
      resolve(new URLSearchParams(body));
    });
    req.on('error', reject);
  });
}

// A Grant that covers everything the authorization request asks for (scopes and claims).
async function grantFor(details, accountId) {
  const { params, prompt } = details;
  let grant;
  if (details.grantId) {
    grant = await provider.Grant.find(details.grantId);
  }
  if (!grant || grant.accountId !== accountId) {
    grant = new provider.Grant({ accountId, clientId: params.client_id });
  }
  const scopes = String(params.scope || 'openid').split(' ').filter(Boolean);
  grant.addOIDCScope(scopes.join(' '));
  const promptDetails = prompt?.details ?? {};
  if (promptDetails.missingOIDCScope) grant.addOIDCScope(promptDetails.missingOIDCScope.join(' '));
  if (promptDetails.missingOIDCClaims) grant.addOIDCClaims(promptDetails.missingOIDCClaims);
  if (promptDetails.missingResourceScopes) {
    for (const [indicator, resourceScopes] of Object.entries(promptDetails.missingResourceScopes)) {
      grant.addResourceScope(indicator, resourceScopes.join(' '));
    }
  }
  if (params.claims) {
    try {
      const requested = typeof params.claims === 'string' ? JSON.parse(params.claims) : params.claims;
      const names = new Set([
        ...Object.keys(requested?.id_token ?? {}),
        ...Object.keys(requested?.userinfo ?? {}),
      ]);
      if (names.size) grant.addOIDCClaims([...names]);
    } catch {
      // oidc-provider has already validated the claims parameter
    }
  }
  return grant.save();
}

async function interactionOr400(req, res, uid) {
  let details;
  try {
    details = await provider.interactionDetails(req, res);
  } catch (error) {
    if (error instanceof errors.SessionNotFound) {
      sendHtml(res, 400, page('Session expirée', `<h1>Session de connexion introuvable</h1>
<p>Le cookie <code>test_op_interaction</code> (chemin <code>/interaction/${escapeHtml(uid)}</code>) n’a pas été envoyé ou a expiré : recommencez depuis l’application.</p>
<p lang="en">${escapeHtml(error.error_description || error.message)}</p>`));
      return undefined;
    }
    throw error;
  }
  if (details.uid !== uid) {
    sendHtml(res, 400, page('Session invalide', '<h1>Cette page de connexion ne correspond pas à la session en cours.</h1>'));
    return undefined;
  }
  return details;
}

async function interactions(req, res, url) {
  const match = url.pathname.match(/^\/interaction\/([A-Za-z0-9_-]+)(?:\/(login|abort))?\/?$/);
  if (!match) {
    send(res, 404, 'text/plain; charset=utf-8', 'not found\n');
    return;
  }
  const [, uid, action] = match;

  if (!action) {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      send(res, 405, 'text/plain; charset=utf-8', 'method not allowed\n', { Allow: 'GET, HEAD' });
      return;
    }
    const details = await interactionOr400(req, res, uid);
    if (!details) return;
    log(`interaction ${uid}: prompt ${details.prompt.name} (${details.prompt.reasons.join(', ')})`);
    if (details.prompt.name === 'login') {
      sendHtml(res, 200, loginPage({ uid, clientId: details.params.client_id, loginHint: details.params.login_hint }));
      return;
    }
    // Already signed in, only consent is missing: grant it without asking.
    const grantId = await grantFor(details, details.session.accountId);
    await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
    return;
  }

  if (req.method !== 'POST') {
    send(res, 405, 'text/plain; charset=utf-8', 'method not allowed\n', { Allow: 'POST' });
    return;
  }
  const form = await readForm(req);
  const details = await interactionOr400(req, res, uid);
  if (!details) return;

  if (action === 'abort') {
    await provider.interactionFinished(req, res, {
      error: 'access_denied',
      error_description: 'End-User aborted interaction',
    }, { mergeWithLastSubmission: false });
    return;
  }

  const account = findAccountByLogin(form.get('login'));
  if (!account) {
    sendHtml(res, 401, loginPage({
      uid,
      clientId: details.params.client_id,
      loginHint: form.get('login'),
      error: 'Compte inconnu : saisissez l’identifiant (sub) ou l’adresse e-mail d’un compte de test.',
    }));
    return;
  }
  const grantId = await grantFor(details, account.sub);
  log(`interaction ${uid}: ${account.sub} signed in for ${details.params.client_id}`);
  await provider.interactionFinished(req, res, {
    login: { accountId: account.sub, amr: ['pwd'], remember: true },
    consent: { grantId },
  }, { mergeWithLastSubmission: false });
}

// ---------------------------------------------------------------- HTTP

const providerCallback = provider.callback();
handler = (req, res) => {
  const url = new URL(req.url, issuer);
  if (url.pathname.startsWith('/interaction/')) {
    interactions(req, res, url).catch((error) => {
      log(`interaction error: ${error.stack || error}`);
      if (!res.headersSent) {
        send(res, error.status || 500, 'text/plain; charset=utf-8', `${error.error_description || error.message}\n`);
      } else {
        res.destroy();
      }
    });
    return;
  }
  providerCallback(req, res);
};

process.stdout.write(`OIDC_PROVIDER_READY issuer=${issuer}\n`);
log(`issuer ${issuer}, client ${clientId} (${applicationType}), redirect_uris ${redirectUris.join(' ')}, accounts ${accounts.map((a) => a.sub).join(' ')}`);

let stopping = false;
function stop(signal) {
  if (stopping) return;
  stopping = true;
  log(`${signal}: closing`);
  server.close(() => process.exit(0));
  server.closeAllConnections();
  setTimeout(() => process.exit(0), 2000).unref();
}
process.on('SIGTERM', () => stop('SIGTERM'));
process.on('SIGINT', () => stop('SIGINT'));
