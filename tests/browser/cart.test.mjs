// The prepaid meal cart in headless Chromium: a parent books Théo's "Repas du mercredi" (a
// prepaid prestation of the demo) in the grid, where the day shows "Dans le panier"; "Mon
// panier" lists it with its price; PAYER leads to the local PayFiP fake, "Payer" there brings
// the parent back to a paid cart, the day is booked in the grid and the receipt mail arrives.
// Zero axe-core violations at 375 px and 1280 px on every page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { ROOT, WIDTHS, portail, randomSlug, serve, smtpSink, launch, open, assertAccessible, assertNoHorizontalScroll, firstConnection, signInParent } from './harness.mjs';

const slug = randomSlug('panier');
const PASSWORD = 'Vélo#Rouge42x';
const PAUL = 'paul.alain@demo.example';
/** Wednesdays after the portal's test clock, open for booking: one per width. */
const WEEKS = { 375: '2027-W02', 1280: '2027-W03' };
let server;
let sink;
let fake;
let browser;

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
  sink = await smtpSink();
  fake = await payfipFake();
  server = await serve({ SMTP_URL: sink.url, MAIL_SWEEP_SECONDS: '1', PAYFIP_BASE_URL: fake.url });
  browser = await launch();
  await firstConnection(server.base, slug, sink, PAUL, PASSWORD);
  // "Votre mot de passe a été modifié": counted before the receipts.
  await sink.waitFor(PAUL, 2);
});

after(async () => {
  await browser?.close();
  server?.stop();
  sink?.stop();
  fake?.stop();
  portail('tenant', 'delete', slug, '--confirm', slug);
});

test('a parent books prepaid meals into the cart and pays them on PayFiP', async () => {
  for (const width of WIDTHS) {
    const mailsBefore = sink.count(PAUL);
    const { page, context } = await open(browser, server.base, `/${slug}/connexion`, width, 'panier-connexion');
    await signInParent(page, server.base, slug, PAUL, PASSWORD);
    await page.goto(`${server.base}/${slug}/reservations?semaine=${WEEKS[width]}`);
    const theo = page.locator('article.child-week').filter({ has: page.getByRole('heading', { name: /Théo/ }) });
    await Promise.all([
      page.waitForURL(/info=panier/),
      theo.getByRole('button', { name: /^Réserver Repas du mercredi pour Théo le / }).click(),
    ]);
    assert.match(await theo.getByRole('status').innerText(), /ajouté au panier pour Théo/);
    assert.equal(await page.locator('td.cell-cart').count(), 1, 'the day shows in the cart');
    await check(page, width, 'grid with a day in the cart');

    await page.getByRole('link', { name: 'Mon panier (1)' }).click();
    await page.waitForURL(`**/${slug}/panier`);
    assert.equal(await page.locator('h1').innerText(), 'Mon panier');
    const main = await page.locator('main').innerText();
    assert.match(main, /Repas du mercredi — Théo ALAIN, mercredi \d+ janvier/);
    assert.match(main, /2,80\s€/);
    await page.screenshot({ path: join(ROOT, 'target', 'screenshots', `panier-${width}.png`), fullPage: true });
    await check(page, width, 'Mon panier');

    await page.getByRole('button', { name: /Payer/ }).click();
    await page.waitForURL(`${fake.url}/tpa/paiementws.web?idop=*`);
    assert.match(await page.locator('body').innerText(), /Montant : 2,80 €/);
    await page.getByRole('button', { name: 'Payer', exact: true }).click();
    await page.waitForURL(`**/${slug}/factures/retour?paiement=*`);
    assert.match(await page.getByRole('status').innerText(), /Votre paiement du panier a bien été pris en compte/);
    await check(page, width, 'cart payment return');

    await page.goto(`${server.base}/${slug}/reservations?semaine=${WEEKS[width]}`);
    assert.equal(await page.locator('td.cell-cart').count(), 0);
    assert.ok(await theo.getByRole('button', { name: /^Annuler Repas du mercredi pour Théo le / }).isVisible(), 'the paid day is booked');
    const receipt = await sink.waitFor(PAUL, mailsBefore + 1);
    assert.equal(receipt.subject, 'Votre paiement a bien été pris en compte');
    await context.close();
  }
});
