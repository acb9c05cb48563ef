// The portal shell in headless Chromium: the home page, the accessibility statement and the
// error pages, at phone and desktop widths, with zero axe-core violations.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { writeFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { ROOT, WIDTHS, portail, randomSlug, serve, launch, open, assertAccessible, assertNoHorizontalScroll, menu } from './harness.mjs';

const active = randomSlug('navigateur');
const suspended = randomSlug('maintenance');
let server;
let browser;

before(async () => {
  portail('migrate');
  const config = join(ROOT, 'tenants', 'examples', 'demo.toml');
  portail('tenant', 'create', active, '--config', config);
  portail('tenant', 'import-families', active, join(ROOT, 'tenants', 'examples', 'families.csv'));
  const other = join(mkdtempSync(join(tmpdir(), 'portail-')), 'autre.toml');
  writeFileSync(other, readFileSync(config, 'utf8').replace('Mairie de Démonstration', 'Mairie de Ploumanac\'h'));
  portail('tenant', 'create', suspended, '--config', other);
  portail('tenant', 'suspend', suspended);
  server = await serve();
  browser = await launch();
});

after(async () => {
  await browser?.close();
  server?.stop();
  for (const slug of [active, suspended]) portail('tenant', 'delete', slug, '--confirm', slug);
});

for (const width of WIDTHS) {
  test(`the home page at ${width} px shows the welcome text, the banner and the contact, accessibly`, async () => {
    const { page, response, context } = await open(browser, server.base, `/${active}/`, width, 'accueil');
    assert.equal(response.status(), 200);
    assert.equal(await page.title(), 'Accueil – Mairie de Démonstration');
    assert.equal(await page.locator('h1').innerText(), 'Bienvenue sur votre portail famille');
    const nav = await menu(page);
    for (const label of ['Accueil', 'Mon foyer', 'Mes enfants', 'Réservations', 'Mes factures', 'Mes documents', 'Messagerie', 'Se connecter']) {
      assert.ok(await nav.getByRole('link', { name: label }).isVisible(), `banner entry ${label}`);
    }
    assert.equal(await nav.getByRole('link', { name: 'Accueil' }).getAttribute('aria-current'), 'page');
    assert.match(await page.locator('address').innerText(), /1 place de la mairie – 22300 Lannion/);
    await assertAccessible(page, `home ${width}`);
    await assertNoHorizontalScroll(page, width, `home ${width}`);
    await context.close();
  });

  test(`the accessibility statement at ${width} px is reachable from the footer and accessible`, async () => {
    const { page, context } = await open(browser, server.base, `/${active}/`, width, 'accueil-pied');
    await page.getByRole('link', { name: /Accessibilité/ }).click();
    await page.waitForURL(`**/${active}/accessibilite`);
    assert.equal(await page.locator('h1').innerText(), 'Déclaration d\'accessibilité');
    await page.screenshot({ path: join(ROOT, 'target', 'screenshots', `accessibilite-${width}.png`), fullPage: true });
    await assertAccessible(page, `accessibility ${width}`);
    await assertNoHorizontalScroll(page, width, `accessibility ${width}`);
    await context.close();
  });

  test(`an unknown portal at ${width} px answers a French 404 page, accessibly`, async () => {
    const { page, response, context } = await open(browser, server.base, '/ville-inconnue/', width, 'introuvable');
    assert.equal(response.status(), 404);
    assert.equal(await page.locator('h1').innerText(), 'Portail introuvable');
    await assertAccessible(page, `404 ${width}`);
    await context.close();
  });

  test(`a suspended portal at ${width} px answers the maintenance page, accessibly`, async () => {
    const { page, response, context } = await open(browser, server.base, `/${suspended}/`, width, 'maintenance');
    assert.equal(response.status(), 503);
    assert.equal(await page.locator('h1').innerText(), 'Portail en maintenance');
    assert.match(await page.locator('main').innerText(), /Mairie de Ploumanac'h/);
    await assertAccessible(page, `503 ${width}`);
    await context.close();
  });
}

test('the skip link takes keyboard users straight to the content', async () => {
  const { page, context } = await open(browser, server.base, `/${active}/`, 375, 'clavier');
  await page.keyboard.press('Tab');
  const focused = await page.evaluate(() => document.activeElement.textContent);
  assert.equal(focused, 'Aller au contenu');
  await page.keyboard.press('Enter');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'contenu');
  await context.close();
});
