// The staff back-office in headless Chromium: an admin invited by the CLI activates the
// account with TOTP, invites a gestionnaire, who signs in, sets a family's quotient familial
// (the parent sees it), validates a record, opens the day's counts after a parent booked and
// downloads the attendance CSV; the parent sees the read under "Qui a consulté mes données".
// An admin changes the portal's texts and reads a household's audit; a gestionnaire records a
// criterion and an insurance and opens a family document, which the parent sees as a read.
// Every back-office page has zero axe-core violations at 375 px and 1280 px.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { join } from 'node:path';
import { ROOT, WIDTHS, TEST_NOW, portail, randomSlug, serve, smtpSink, launch, open, assertAccessible, assertNoHorizontalScroll, menu } from './harness.mjs';

const slug = randomSlug('gestion');
const PASSWORD = 'Vélo#Rouge42x';
const ADMIN = 'anne.leroux@mairie.example';
const GESTION = 'gael.gestion@mairie.example';
let server;
let sink;
let browser;
let gestionCodes = [];
let adminCodes = [];
/** The parent's API session cookie, once signed up. */
let parentCookie = '';
/** A school Tuesday of the week after the portal's test clock: open for booking. */
const DAY = '2027-01-19';
/** When the server started: its clock reads TEST_NOW then and runs from there. */
let serverStarted;

/** The portal's time now, in milliseconds since the epoch. */
function serverNow() {
  return Date.parse(TEST_NOW) + (Date.now() - serverStarted);
}

/** RFC 6238 code of a base32 secret at the portal's time. */
function totp(secret) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of secret) bits += alphabet.indexOf(c).toString(2).padStart(5, '0');
  const key = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(serverNow() / 1000 / 30)));
  const hash = createHmac('sha1', key).update(counter).digest();
  const offset = hash[hash.length - 1] & 0xf;
  const binary = hash.readUInt32BE(offset) & 0x7fffffff;
  return String(binary % 1_000_000).padStart(6, '0');
}

function tokenIn(mail, path) {
  return mail.text.match(new RegExp(`${path}\\?token=([A-Za-z0-9_-]{43})`))[1];
}

async function check(page, width, label) {
  await assertAccessible(page, `${label} ${width}px`);
  await assertNoHorizontalScroll(page, width, `${label} ${width}px`);
}

before(async () => {
  portail('migrate');
  portail('tenant', 'create', slug, '--config', join(ROOT, 'tenants', 'examples', 'demo.toml'));
  portail('tenant', 'import-families', slug, join(ROOT, 'tenants', 'examples', 'families.csv'));
  portail('staff', 'invite', slug, ADMIN, '--name', 'Anne LEROUX', '--role', 'admin', '--test-clock', TEST_NOW);
  sink = await smtpSink();
  serverStarted = Date.now();
  server = await serve({ SMTP_URL: sink.url, MAIL_SWEEP_SECONDS: '1' });
  browser = await launch();
});

after(async () => {
  await browser?.close();
  server?.stop();
  sink?.stop();
  portail('tenant', 'delete', slug, '--confirm', slug);
});

/** Activates through the pages at `width`; returns a recovery code. */
async function activate(token, width, label) {
  const { page, context } = await open(browser, server.base, `/${slug}/gestion/activation?token=${token}`, width, `${label}-activation`);
  await check(page, width, `${label} activation`);
  await page.getByLabel('Nouveau mot de passe').fill(PASSWORD);
  await page.getByRole('button', { name: 'Valider' }).click();
  const secret = (await page.locator('#totp-secret').innerText()).trim();
  await check(page, width, `${label} enrolment`);
  await page.getByLabel('Code à 6 chiffres').fill(totp(secret));
  await page.getByRole('button', { name: 'Valider' }).click();
  await page.getByRole('heading', { name: 'Vos codes de secours' }).waitFor();
  await check(page, width, `${label} recovery codes`);
  const codes = await page.locator('.recovery-codes code').allInnerTexts();
  assert.equal(codes.length, 10);
  await context.close();
  return codes;
}

async function signIn(email, code, width, label) {
  const { page, context } = await open(browser, server.base, `/${slug}/gestion/connexion`, width, `${label}-connexion`);
  await check(page, width, `${label} sign-in`);
  await page.getByLabel('Adresse e-mail').fill(email);
  await page.getByLabel('Mot de passe', { exact: true }).fill(PASSWORD);
  await page.getByLabel('Code de vérification').fill(code);
  await page.getByRole('button', { name: 'Valider' }).click();
  await page.waitForURL(`**/${slug}/gestion/`);
  return { page, context };
}

test('an invited admin activates with TOTP and invites a gestionnaire who sets a quotient, validates a record and reads the counts', async () => {
  const width = WIDTHS[0];
  adminCodes = await activate(tokenIn(await sink.waitFor(ADMIN), `/${slug}/gestion/activation`), width, 'admin');
  const admin = await signIn(ADMIN, adminCodes[0], width, 'admin');
  await check(admin.page, width, 'admin home');
  await (await menu(admin.page)).getByRole('link', { name: 'Équipe' }).click();
  await admin.page.getByLabel('Nom', { exact: true }).fill('Gaël GESTION');
  await admin.page.getByLabel('Adresse e-mail', { exact: true }).fill(GESTION);
  await admin.page.getByLabel('Rôle', { exact: true }).selectOption('gestionnaire');
  await admin.page.getByRole('button', { name: "Envoyer l'invitation" }).click();
  assert.match(await admin.page.getByRole('status').innerText(), /invitation a été envoyée/);
  await check(admin.page, width, 'team');
  await admin.context.close();

  // A parent books a meal today, and signs up.
  await fetch(`${server.base}/${slug}/api/v1/auth/password-reset`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'paul.alain@demo.example' }) });
  const reset = tokenIn(await sink.waitFor('paul.alain@demo.example'), `/${slug}/nouveau-mot-de-passe`);
  let r = await fetch(`${server.base}/${slug}/api/v1/auth/password-reset/confirm`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: reset, password: PASSWORD }) });
  assert.equal(r.status, 204);
  r = await fetch(`${server.base}/${slug}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'paul.alain@demo.example', password: PASSWORD }) });
  const cookie = r.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  parentCookie = cookie;
  const { children } = await (await fetch(`${server.base}/${slug}/api/v1/children`, { headers: { cookie } })).json();
  const theo = children.find((c) => c.first_name === 'Théo');
  r = await fetch(`${server.base}/${slug}/api/v1/children/${theo.id}/reservations/repas/${DAY}`, { method: 'PUT', headers: { cookie } });
  assert.equal(r.status, 200, await r.text());

  gestionCodes = await activate(tokenIn(await sink.waitFor(GESTION), `/${slug}/gestion/activation`), width, 'gestion');
  const { page, context } = await signIn(GESTION, gestionCodes[0], width, 'gestion');
  await (await menu(page)).getByRole('link', { name: 'Familles' }).click();
  await page.getByLabel('Nom, prénom d\'un enfant, e-mail ou téléphone').fill('théo');
  await page.getByRole('button', { name: 'Rechercher' }).click();
  await check(page, width, 'search');
  await page.getByRole('link', { name: 'Famille ALAIN' }).click();
  await page.getByRole('textbox', { name: 'Quotient familial' }).fill('742');
  await page.getByLabel('Valable à partir du').fill('2026-09-01');
  await page.getByRole('button', { name: 'Enregistrer' }).click();
  assert.match(await page.getByRole('status').innerText(), /quotient familial a été enregistré/);
  await check(page, width, 'household');
  await page.getByRole('link', { name: 'Fiche de Théo' }).click();
  await page.getByRole('button', { name: 'Valider la fiche' }).click();
  assert.match(await page.getByRole('status').innerText(), /fiche a été validée/);
  await check(page, width, 'child record');
  await (await menu(page)).getByRole('link', { name: 'Effectifs' }).click();
  await page.getByLabel('Jour').fill(DAY);
  await page.getByRole('button', { name: 'Afficher' }).click();
  assert.match(await page.locator('table').innerText(), /Repas enfant\s+1 \/ 120\s+sans porc : 1/);
  await check(page, width, 'counts');
  await page.getByRole('link', { name: 'Liste : Repas enfant' }).click();
  await check(page, width, 'attendance');
  const csvHref = await page.getByRole('link', { name: 'Télécharger la liste (CSV)' }).getAttribute('href');
  r = await context.request.get(`${server.base}${csvHref}`);
  assert.equal(r.status(), 200);
  assert.match(r.headers()['content-type'], /text\/csv/);
  assert.match(await r.text(), /ALAIN;Théo/);
  await context.close();

  // The parent sees the quotient and who read the record.
  const parent = await open(browser, server.base, `/${slug}/connexion`, width, 'gestion-parent');
  await parent.page.getByLabel('Adresse e-mail').fill('paul.alain@demo.example');
  await parent.page.getByLabel('Mot de passe', { exact: true }).fill(PASSWORD);
  await parent.page.getByRole('button', { name: 'Valider' }).click();
  await parent.page.waitForURL(`**/${slug}/`);
  await parent.page.goto(`${server.base}/${slug}/foyer`);
  // The quotient is in a closed category: its text is there, folded.
  assert.match(await parent.page.locator('main').textContent(), /742/);
  await parent.page.goto(`${server.base}/${slug}/mon-compte`);
  assert.match(await parent.page.locator('main').innerText(), /Qui a consulté mes données[\s\S]*Gaël GESTION \(Gestionnaire\)/);
  await check(parent.page, width, 'mon compte');
  await parent.context.close();
});

test('the back-office pages have no axe-core violations at 1280 px either', async () => {
  const width = WIDTHS[1];
  const { page, context } = await signIn(GESTION, gestionCodes[1], width, 'gestion-large');
  await check(page, width, 'home');
  await page.goto(`${server.base}/${slug}/gestion/familles?q=alain`);
  await check(page, width, 'search');
  await page.getByRole('link', { name: 'Famille ALAIN' }).click();
  await check(page, width, 'household');
  await page.getByRole('link', { name: 'Fiche de Théo' }).click();
  await check(page, width, 'child record');
  await page.goto(`${server.base}/${slug}/gestion/effectifs?date=${DAY}`);
  await check(page, width, 'counts');
  await page.getByRole('link', { name: 'Liste : Repas enfant' }).click();
  await check(page, width, 'attendance');
  await context.close();
});

test('an admin changes the portal texts and reads the audit; a gestionnaire records a criterion and an insurance and opens a document the parent sees read', async () => {
  const width = WIDTHS[0];
  // The parent sends a document.
  const form = new FormData();
  form.append('name', 'Attestation CAF');
  form.append('person', '');
  form.append('file', new Blob([Buffer.from('%PDF-1.4\n1 0 obj <</Type /Catalog /Pages 2 0 R>> endobj\n2 0 obj <</Type /Pages /Kids [] /Count 0>> endobj\ntrailer <</Root 1 0 R>>\n%%EOF\n')], { type: 'application/pdf' }), 'caf.pdf');
  let r = await fetch(`${server.base}/${slug}/api/v1/documents`, { method: 'POST', headers: { cookie: parentCookie }, body: form });
  assert.equal(r.status, 201, await r.text());

  const gestion = await signIn(GESTION, gestionCodes[2], width, 'gestion-dossier');
  await gestion.page.goto(`${server.base}/${slug}/gestion/familles?q=alain`);
  await gestion.page.getByRole('link', { name: 'Famille ALAIN' }).click();
  await gestion.page.getByLabel('Critère', { exact: true }).selectOption('Famille nombreuse');
  await gestion.page.getByRole('button', { name: 'Ajouter le critère' }).click();
  assert.match(await gestion.page.getByRole('status').innerText(), /critère a été enregistré/);
  await gestion.page.getByLabel("Compagnie d'assurance").fill('MAIF');
  await gestion.page.getByLabel('Numéro de contrat').fill('A1-42');
  await gestion.page.getByLabel('Valable du').fill('2026-09-01');
  await gestion.page.getByLabel("Valable jusqu'au").fill('2027-08-31');
  await gestion.page.getByRole('button', { name: "Ajouter l'assurance" }).click();
  assert.match(await gestion.page.getByRole('status').innerText(), /assurance a été enregistrée/);
  assert.match(await gestion.page.locator('main').innerText(), /Famille nombreuse[\s\S]*MAIF, contrat A1-42/);
  await check(gestion.page, width, 'household records');
  const href = await gestion.page.getByRole('link', { name: 'Ouvrir « Attestation CAF »' }).getAttribute('href');
  r = await gestion.context.request.get(`${server.base}${href}`);
  assert.equal(r.status(), 200);
  assert.equal(r.headers()['content-type'], 'application/pdf');
  await gestion.context.close();

  const admin = await signIn(ADMIN, adminCodes[1], width, 'admin-textes');
  await (await menu(admin.page)).getByRole('link', { name: 'Textes du portail' }).click();
  await check(admin.page, width, 'portal texts');
  await admin.page.getByLabel("Titre de la page d'accueil").fill('Bienvenue chez les familles de Démo');
  await admin.page.getByRole('button', { name: 'Enregistrer' }).click();
  assert.match(await admin.page.getByRole('status').innerText(), /textes du portail ont été enregistrés/);
  await admin.page.getByLabel("Titre de la page d'accueil").fill('');
  await admin.page.getByRole('button', { name: 'Enregistrer' }).click();
  await admin.page.getByRole('alert').waitFor();
  await check(admin.page, width, 'portal texts refused');
  await admin.page.goto(`${server.base}/${slug}/gestion/familles?q=alain`);
  await admin.page.getByRole('link', { name: 'Famille ALAIN' }).click();
  await admin.page.getByRole('link', { name: /Journal du foyer/ }).click();
  assert.match(await admin.page.locator('table').innerText(), /Gaël GESTION\s+consultation\s+document/);
  await check(admin.page, width, 'household audit');
  await admin.context.close();

  const home = await open(browser, server.base, `/${slug}/`, width, 'textes-accueil');
  assert.equal(await home.page.getByRole('heading', { level: 1 }).innerText(), 'Bienvenue chez les familles de Démo');
  await home.context.close();
  const account = await (await fetch(`${server.base}/${slug}/mon-compte`, { headers: { cookie: parentCookie } })).text();
  assert.match(account, /Gaël GESTION \(Gestionnaire\)[\s\S]*Document/);
});

test('the admin pages have no axe-core violations at 1280 px either', async () => {
  const width = WIDTHS[1];
  const { page, context } = await signIn(ADMIN, adminCodes[2], width, 'admin-large');
  await page.goto(`${server.base}/${slug}/gestion/textes`);
  await check(page, width, 'portal texts');
  await page.goto(`${server.base}/${slug}/gestion/familles?q=alain`);
  await page.getByRole('link', { name: 'Famille ALAIN' }).click();
  await check(page, width, 'household as admin');
  await page.getByRole('link', { name: /Journal du foyer/ }).click();
  await check(page, width, 'household audit');
  await context.close();
});
