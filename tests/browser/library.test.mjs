// The home dashboard and the documents library in headless Chromium: a parent signs in and
// lands on the four tiles; a gestionnaire (invited by the CLI, activated through the API,
// signed in with a recovery code) publishes a menu through the back-office page; the parent
// sees "1" before the "Menus repas" rubrique, opens the PDF in a new tab, and the count is
// gone. The dashboard, the rubriques and the staff page have zero axe-core violations at
// 375 px and 1280 px.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { join } from 'node:path';
import { ROOT, WIDTHS, TEST_NOW, portail, randomSlug, serve, smtpSink, launch, open, assertAccessible, assertNoHorizontalScroll, menu } from './harness.mjs';

const slug = randomSlug('bibliotheque');
const PASSWORD = 'Vélo#Rouge42x';
const PAUL = 'paul.alain@demo.example';
const GESTION = 'gael.gestion@mairie.example';
const PDF = Buffer.from('%PDF-1.4\n1 0 obj <</Type /Catalog /Pages 2 0 R>> endobj\n2 0 obj <</Type /Pages /Kids [] /Count 0>> endobj\ntrailer <</Root 1 0 R>>\n%%EOF\n');
let server;
let sink;
let browser;
let serverStarted;
let recoveryCodes = [];

/** RFC 6238 code of a base32 secret at the portal's time (its clock started at TEST_NOW). */
function totp(secret) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of secret) bits += alphabet.indexOf(c).toString(2).padStart(5, '0');
  const key = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  const now = Date.parse(TEST_NOW) + (Date.now() - serverStarted);
  counter.writeBigUInt64BE(BigInt(Math.floor(now / 1000 / 30)));
  const hash = createHmac('sha1', key).update(counter).digest();
  const offset = hash[hash.length - 1] & 0xf;
  return String((hash.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).padStart(6, '0');
}

const json = (body) => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

before(async () => {
  portail('migrate');
  portail('tenant', 'create', slug, '--config', join(ROOT, 'tenants', 'examples', 'demo.toml'));
  portail('tenant', 'import-families', slug, join(ROOT, 'tenants', 'examples', 'families.csv'));
  portail('staff', 'invite', slug, GESTION, '--name', 'Gaël GESTION', '--role', 'gestionnaire', '--test-clock', TEST_NOW);
  sink = await smtpSink();
  serverStarted = Date.now();
  server = await serve({ SMTP_URL: sink.url, MAIL_SWEEP_SECONDS: '1' });
  browser = await launch();
  // Paul's password, through the real first-connection mail.
  await fetch(`${server.base}/${slug}/api/v1/auth/password-reset`, json({ email: PAUL }));
  const reset = (await sink.waitFor(PAUL)).text.match(/token=([A-Za-z0-9_-]{43})/)[1];
  let r = await fetch(`${server.base}/${slug}/api/v1/auth/password-reset/confirm`, json({ token: reset, password: PASSWORD }));
  assert.equal(r.status, 204);
  // The gestionnaire's activation, through the API (the pages are tested in staff.test.mjs).
  const token = (await sink.waitFor(GESTION)).text.match(/activation\?token=([A-Za-z0-9_-]{43})/)[1];
  r = await fetch(`${server.base}/${slug}/api/v1/staff/auth/activate`, json({ token, password: PASSWORD }));
  assert.equal(r.status, 200);
  const { totp_secret: secret } = await r.json();
  r = await fetch(`${server.base}/${slug}/api/v1/staff/auth/activate/confirm`, json({ token, code: totp(secret) }));
  assert.equal(r.status, 200);
  recoveryCodes = (await r.json()).recovery_codes;
});

after(async () => {
  await browser?.close();
  server?.stop();
  sink?.stop();
  portail('tenant', 'delete', slug, '--confirm', slug);
});

async function check(page, width, label) {
  await assertAccessible(page, `${label} ${width}px`);
  await assertNoHorizontalScroll(page, width, `${label} ${width}px`);
}

/** Paul, signed in through the page: he lands on the dashboard. */
async function parent(width, name) {
  const { page, context } = await open(browser, server.base, `/${slug}/connexion`, width, name);
  await page.getByLabel('Adresse e-mail').fill(PAUL);
  await page.getByLabel('Mot de passe', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Valider' }).click();
  await page.waitForURL(`**/${slug}/`);
  return { page, context };
}

async function staff(width, code, name) {
  const { page, context } = await open(browser, server.base, `/${slug}/gestion/connexion`, width, name);
  await page.getByLabel('Adresse e-mail').fill(GESTION);
  await page.getByLabel('Mot de passe', { exact: true }).fill(PASSWORD);
  await page.getByLabel('Code de vérification').fill(code);
  await page.getByRole('button', { name: 'Valider' }).click();
  await page.waitForURL(`**/${slug}/gestion/`);
  return { page, context };
}

/** The "Menus repas" rubrique's summary on "Mes documents". */
const menus = (page) => page.locator('details.rubrique > summary', { hasText: 'Menus repas' });

test('a parent sees four tiles; a published menu shows "1" until the parent opens its PDF in a new tab', async () => {
  const width = WIDTHS[0];
  const paul = await parent(width, 'bibliotheque-accueil');
  for (const tile of ['Mes documents', 'Mes factures', 'Mes messages', 'Mes réservations']) {
    await paul.page.getByRole('heading', { name: tile, level: 2 }).waitFor();
  }
  assert.match(await paul.page.locator('main').innerText(), /Informations laissées par votre structure/);
  assert.match(await paul.page.locator('main').innerText(), /Vous n'avez aucune facture à régler/);
  await check(paul.page, width, 'dashboard');

  // The gestionnaire publishes the menu through the back-office page.
  const gestion = await staff(width, recoveryCodes[0], 'bibliotheque-gestion');
  await (await menu(gestion.page)).getByRole('link', { name: 'Documents publiés' }).click();
  await gestion.page.waitForURL(`**/${slug}/gestion/bibliotheque`);
  await check(gestion.page, width, 'staff library, empty');
  await gestion.page.getByLabel('Rubrique').selectOption({ label: 'Menus repas' });
  await gestion.page.getByLabel('Nom du document').fill('Menus de janvier');
  await gestion.page.getByLabel('Destinataires').selectOption('all');
  await gestion.page.getByLabel('Fichier').setInputFiles({ name: 'menus.pdf', mimeType: 'application/pdf', buffer: PDF });
  await gestion.page.getByRole('button', { name: 'Publier' }).click();
  assert.match(await gestion.page.getByRole('status').innerText(), /Le document est publié/);
  assert.match(await gestion.page.locator('table').innerText(), /Menus de janvier/);
  await check(gestion.page, width, 'staff library, one document');
  await gestion.context.close();

  // The parent: "1" in front of the rubrique, and on the dashboard.
  await paul.page.reload();
  assert.match(await paul.page.locator('main').innerText(), /1 nouveau document/);
  await paul.page.getByRole('link', { name: '▶ Voir mes documents' }).click();
  await paul.page.waitForURL(`**/${slug}/documents`);
  assert.equal((await menus(paul.page).locator('.count').innerText()).trim(), '1');
  await menus(paul.page).click();
  await check(paul.page, width, 'documents with a new menu');
  const link = paul.page.getByRole('link', { name: /Menus de janvier/ });
  assert.equal(await link.getAttribute('target'), '_blank');
  const served = paul.context.waitForEvent('response', (r) => r.url().includes('/documents/bibliotheque/'));
  const [popup] = await Promise.all([paul.page.waitForEvent('popup'), link.click()]);
  const response = await served;
  assert.equal(response.status(), 200);
  assert.match(response.headers()['content-disposition'], /^inline;/);
  assert.equal(response.headers()['content-type'], 'application/pdf');
  await popup.close();

  // Opened: the count is gone.
  await paul.page.reload();
  assert.equal(await menus(paul.page).locator('.count').count(), 0);
  await check(paul.page, width, 'documents, menu opened');
  await paul.context.close();
});

test('the dashboard, the rubriques and the staff page have no axe-core violations at 1280 px', async () => {
  const width = WIDTHS[1];
  const paul = await parent(width, 'bibliotheque-accueil-large');
  await check(paul.page, width, 'dashboard');
  await paul.page.goto(`${server.base}/${slug}/documents`);
  await menus(paul.page).click();
  await check(paul.page, width, 'documents');
  await paul.context.close();
  const gestion = await staff(width, recoveryCodes[1], 'bibliotheque-gestion-large');
  await gestion.page.goto(`${server.base}/${slug}/gestion/bibliotheque`);
  await check(gestion.page, width, 'staff library');
  await gestion.context.close();
});
