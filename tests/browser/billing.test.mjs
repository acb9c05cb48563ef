// Billing in headless Chromium: a régisseur signs in to the back-office, previews then issues
// the month's invoices from "Facturation"; a parent opens "Mes factures" from the banner, sees
// the invoice to pay with its amount and due date, and its ↓ TÉLÉCHARGER opens the stored PDF
// in a new tab (inline); PAYER leads to the local PayFiP fake, "Payer" there brings the parent
// back to a paid invoice, and the receipt mail arrives. Zero axe-core violations at 375 px and
// 1280 px on every page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { ROOT, WIDTHS, TEST_NOW, portail, randomSlug, serve, smtpSink, launch, open, assertAccessible, assertNoHorizontalScroll, menu, firstConnection, signInParent } from './harness.mjs';

const slug = randomSlug('factures');
const PASSWORD = 'Vélo#Rouge42x';
const REGIE = 'rita.regie@mairie.example';
const PAUL = 'paul.alain@demo.example';
/** School days of the week after the portal's test clock: open for booking. */
const DAYS = ['2027-01-12', '2027-01-14'];
let server;
let sink;
let fake;
let browser;
let serverStarted;

/** RFC 6238 code of a base32 secret at the portal's time (its clock starts at TEST_NOW). */
function totp(secret) {
  const now = Date.parse(TEST_NOW) + (Date.now() - serverStarted);
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of secret) bits += alphabet.indexOf(c).toString(2).padStart(5, '0');
  const key = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(now / 1000 / 30)));
  const hash = createHmac('sha1', key).update(counter).digest();
  const offset = hash[hash.length - 1] & 0xf;
  return String((hash.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).padStart(6, '0');
}

async function check(page, width, label) {
  await assertAccessible(page, `${label} ${width}px`);
  await assertNoHorizontalScroll(page, width, `${label} ${width}px`);
}

/** The local PayFiP fake of tests/peers, on a free port. */
async function payfipFake() {
  const child = spawn('node', [join(ROOT, 'tests', 'peers', 'payfip-fake.mjs')], {
    env: { ...process.env, PAYFIP_PORT: '0' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const m = out.match(/PAYFIP_FAKE_READY port=(\d+)/);
      if (m) resolve(Number(m[1]));
    });
    child.on('exit', () => reject(new Error('the PayFiP fake stopped')));
  });
  return { url: `http://127.0.0.1:${port}`, stop: () => child.kill('SIGTERM') };
}

const json = (body) => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

before(async () => {
  portail('migrate');
  portail('tenant', 'create', slug, '--config', join(ROOT, 'tenants', 'examples', 'demo.toml'));
  portail('tenant', 'import-families', slug, join(ROOT, 'tenants', 'examples', 'families.csv'));
  portail('staff', 'invite', slug, REGIE, '--name', 'Rita RÉGIE', '--role', 'regisseur', '--test-clock', TEST_NOW);
  sink = await smtpSink();
  fake = await payfipFake();
  serverStarted = Date.now();
  server = await serve({ SMTP_URL: sink.url, MAIL_SWEEP_SECONDS: '1', PAYFIP_BASE_URL: fake.url });
  browser = await launch();
  // Paul's password, through the real first-connection mail; then two meals for Théo.
  await firstConnection(server.base, slug, sink, PAUL, PASSWORD);
  let r = await fetch(`${server.base}/${slug}/api/v1/auth/login`, json({ email: PAUL, password: PASSWORD }));
  const cookie = r.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  const { children } = await (await fetch(`${server.base}/${slug}/api/v1/children`, { headers: { cookie } })).json();
  const theo = children.find((c) => c.first_name === 'Théo');
  for (const day of DAYS) {
    r = await fetch(`${server.base}/${slug}/api/v1/children/${theo.id}/reservations/repas/${day}`, { method: 'PUT', headers: { cookie } });
    assert.ok(r.ok, `booking ${day}: ${r.status}`);
  }
});

after(async () => {
  await browser?.close();
  server?.stop();
  sink?.stop();
  fake?.stop();
  portail('tenant', 'delete', slug, '--confirm', slug);
});

test('the régisseur previews then issues the month\'s invoices from the back-office', async () => {
  // Activation through the API (the pages are the staff test's); sign-in through the page.
  const token = (await sink.waitFor(REGIE)).text.match(/activation\?token=([A-Za-z0-9_-]{43})/)[1];
  let r = await fetch(`${server.base}/${slug}/api/v1/staff/auth/activate`, json({ token, password: PASSWORD }));
  const { totp_secret: secret } = await r.json();
  r = await fetch(`${server.base}/${slug}/api/v1/staff/auth/activate/confirm`, json({ token, code: totp(secret) }));
  const { recovery_codes: codes } = await r.json();
  for (const [i, width] of WIDTHS.entries()) {
    const { page, context } = await open(browser, server.base, `/${slug}/gestion/connexion`, width, 'facturation-connexion');
    await page.getByLabel('Adresse e-mail').fill(REGIE);
    await page.getByLabel('Mot de passe', { exact: true }).fill(PASSWORD);
    await page.getByLabel('Code de vérification').fill(codes[i]);
    await page.getByRole('button', { name: 'Valider' }).click();
    await page.waitForURL(`**/${slug}/gestion/`);
    await (await menu(page)).getByRole('link', { name: 'Facturation' }).click();
    await page.waitForURL(`**/${slug}/gestion/facturation`);
    await check(page, width, 'billing page');
    await page.getByLabel('Mois à facturer').fill('2027-01');
    const button = i === 0 ? 'Voir sans émettre' : 'Émettre les factures';
    await page.getByRole('button', { name: button }).click();
    const heading = await page.getByRole('status').locator('h2').innerText();
    assert.match(heading, i === 0 ? /janvier 2027 : 1 facture serait émise/ : /janvier 2027 : 1 facture émise/);
    await page.screenshot({ path: join(ROOT, 'target', 'screenshots', `facturation-resultat-${width}.png`), fullPage: true });
    await check(page, width, 'billing result');
    await context.close();
  }
});

test('a parent opens Mes factures and the invoice\'s PDF in a new tab', async () => {
  for (const width of WIDTHS) {
    const { page, context } = await open(browser, server.base, `/${slug}/connexion`, width, 'factures-connexion');
    await signInParent(page, server.base, slug, PAUL, PASSWORD);
    await (await menu(page)).getByRole('link', { name: 'Mes factures' }).click();
    await page.waitForURL(`**/${slug}/factures`);
    assert.equal(await page.locator('h1').innerText(), 'Mes factures');
    const card = page.getByRole('listitem').filter({ has: page.getByRole('heading', { name: /Facture FAC-\d{4}-000001 · janvier 2027/ }) });
    const text = await card.innerText();
    assert.match(text, /À payer/i);
    assert.match(text, /5,00\s€/);
    await page.screenshot({ path: join(ROOT, 'target', 'screenshots', `factures-${width}.png`), fullPage: true });
    await check(page, width, 'Mes factures');

    const link = card.getByRole('link', { name: /Télécharger/ });
    assert.equal(await link.getAttribute('target'), '_blank', 'the PDF opens in a new tab');
    const [tab] = await Promise.all([context.waitForEvent('page'), link.click()]);
    const href = await link.getAttribute('href');
    assert.match(tab.url() || href, /\/factures\/[0-9a-f-]{36}\/pdf$/);
    await tab.close();
    const pdf = await page.request.get(`${server.base}${href}`);
    assert.equal(pdf.headers()['content-type'], 'application/pdf');
    assert.match(pdf.headers()['content-disposition'], /^inline; filename="FAC-\d{4}-000001\.pdf"$/);
    assert.equal((await pdf.body()).subarray(0, 5).toString(), '%PDF-');
    await context.close();
  }
});

test('a parent pays an invoice on PayFiP and comes back to a paid invoice and a receipt mail', async () => {
  const mailsBefore = sink.count(PAUL);
  for (const [i, width] of WIDTHS.entries()) {
    const { page, context } = await open(browser, server.base, `/${slug}/connexion`, width, 'paiement-connexion');
    await signInParent(page, server.base, slug, PAUL, PASSWORD);
    await page.goto(`${server.base}/${slug}/factures`);
    if (i === 0) {
      assert.match(await page.locator('main').innerText(), /Une notification vous sera envoyée par e-mail dès que le paiement sera pris en compte/);
      await page.getByRole('button', { name: /Payer/ }).click();
      await page.waitForURL(`${fake.url}/tpa/paiementws.web?idop=*`);
      assert.match(await page.locator('body').innerText(), /Montant : 5,00 €/);
      await page.getByRole('button', { name: 'Payer', exact: true }).click();
      await page.waitForURL(`**/${slug}/factures/retour?paiement=*`);
      assert.match(await page.getByRole('status').innerText(), /Votre paiement de la facture FAC-\d{4}-000001 a bien été pris en compte/);
      await page.screenshot({ path: join(ROOT, 'target', 'screenshots', `paiement-retour-${width}.png`), fullPage: true });
      await check(page, width, 'payment return');
      await page.getByRole('link', { name: 'Retour à mes factures' }).click();
      await page.waitForURL(`**/${slug}/factures`);
    }
    const card = page.getByRole('listitem').filter({ has: page.getByRole('heading', { name: /FAC-\d{4}-000001/ }) });
    assert.match(await card.innerText(), /Payée/i);
    assert.equal(await card.getByRole('button', { name: /Payer/ }).count(), 0, 'a paid invoice shows no PAYER');
    await check(page, width, 'Mes factures, paid');
    await context.close();
  }
  const receipt = await sink.waitFor(PAUL, mailsBefore + 1);
  assert.equal(receipt.subject, 'Votre paiement a bien été pris en compte');
  assert.match(receipt.text, /5,00\s€ pour la facture FAC-\d{4}-000001/);
});
