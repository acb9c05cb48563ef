// The family file in headless Chromium: a signed-in parent edits a guardian's phone in place,
// adds an emergency contact, sets a diet, validates the child's record, and sees each change
// confirmed. "Mon foyer", "Mes enfants" and a child page have zero axe-core violations at
// 375 px and 1280 px.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ROOT, WIDTHS, SCREENSHOTS, portail, randomSlug, serve, smtpSink, launch, open, assertAccessible, assertNoHorizontalScroll, menu } from './harness.mjs';

const slug = randomSlug('famille');
const PASSWORD = 'Vélo#Rouge42x';
let server;
let sink;
let browser;

before(async () => {
  portail('migrate');
  portail('tenant', 'create', slug, '--config', join(ROOT, 'tenants', 'examples', 'demo.toml'));
  portail('tenant', 'import-families', slug, join(ROOT, 'tenants', 'examples', 'families.csv'));
  sink = await smtpSink();
  server = await serve({ SMTP_URL: sink.url, MAIL_SWEEP_SECONDS: '0' });
  browser = await launch();
  // Paul's password, through the real first-connection mail.
  await fetch(`${server.base}/${slug}/api/v1/auth/password-reset`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'paul.alain@demo.example' }) });
  const mail = await sink.waitFor('paul.alain@demo.example');
  const token = mail.text.match(/token=([A-Za-z0-9_-]{43})/)[1];
  const r = await fetch(`${server.base}/${slug}/api/v1/auth/password-reset/confirm`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token, password: PASSWORD }) });
  assert.equal(r.status, 204);
});

after(async () => {
  await browser?.close();
  server?.stop();
  sink?.stop();
  portail('tenant', 'delete', slug, '--confirm', slug);
});

async function signIn(width) {
  const { page, context } = await open(browser, server.base, `/${slug}/connexion`, width, `famille-connexion`);
  await page.getByLabel('Email').fill('paul.alain@demo.example');
  await page.getByLabel('Mot de passe', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Valider' }).click();
  await page.waitForURL(`**/${slug}/`);
  return { page, context };
}

test('a parent edits a phone, adds an emergency contact, sets a diet and validates the record, each confirmed', async () => {
  const { page, context } = await signIn(375);
  await (await menu(page)).getByRole('link', { name: 'Mon foyer' }).click();
  const sophie = page.getByRole('article').filter({ has: page.getByRole('heading', { name: 'ALAIN Sophie' }) });
  await sophie.locator('summary', { hasText: 'Coordonnées' }).click();
  await sophie.getByRole('link', { name: 'Modifier Téléphone', exact: true }).click();
  const field = sophie.getByLabel('Téléphone', { exact: true });
  await field.fill('07 12 12 12 12');
  await sophie.getByRole('button', { name: 'Enregistrer Téléphone', exact: true }).click();
  assert.match(await page.getByRole('status').innerText(), /Les informations ont été mises à jour/);
  assert.match(await page.locator('main').innerText(), /07 12 12 12 12/);

  await (await menu(page)).getByRole('link', { name: 'Mes enfants' }).click();
  await page.getByRole('link', { name: 'ALAIN Théo' }).click();
  assert.match(await page.locator('main').innerText(), /Fiche non validée/);
  await page.locator('summary', { hasText: 'Plus de détails' }).click();
  await page.locator('summary', { hasText: "Contacts de sortie et d'urgence" }).click();
  const add = page.locator('form', { has: page.getByRole('heading', { name: 'Ajouter un contact' }) });
  await add.getByLabel('Nom').fill('Mamie Jeanne');
  await add.getByLabel("Lien avec l'enfant").fill('Grand-mère');
  await add.getByLabel('Téléphone').fill('06 55 44 33 22');
  await add.getByLabel("être appelé en cas d'urgence").check();
  await add.getByRole('button', { name: 'Ajouter le contact' }).click();
  assert.match(await page.getByRole('status').innerText(), /Les informations ont été mises à jour/);
  assert.match(await page.locator('#contacts').innerText(), /Urgence : 1 contact/);

  await page.locator('summary', { hasText: 'Régimes spéciaux' }).click();
  await page.getByLabel('sans porc').check();
  await page.locator('#regimes').getByRole('button', { name: 'Mettre à jour' }).click();
  assert.match(await page.getByRole('status').innerText(), /Les informations ont été mises à jour/);
  await page.getByRole('button', { name: 'Valider cette fiche' }).click();
  assert.match(await page.getByRole('status').innerText(), /La fiche est validée/);
  assert.match(await page.locator('main').innerText(), /Fiche validée le/);
  await page.screenshot({ path: join(SCREENSHOTS, 'enfant-valide-375.png'), fullPage: true });
  await context.close();
});

for (const width of WIDTHS) {
  test(`"Mon foyer", "Mes enfants" and a child page at ${width} px have no axe-core violation and fit the screen`, async () => {
    const { page, context } = await signIn(width);
    await page.goto(`${server.base}/${slug}/foyer`);
    for (const summary of await page.locator('details.category > summary').all()) await summary.click();
    await page.screenshot({ path: join(SCREENSHOTS, `foyer-${width}.png`), fullPage: true });
    await assertAccessible(page, `foyer ${width}`);
    await assertNoHorizontalScroll(page, width, `foyer ${width}`);

    await page.goto(`${server.base}/${slug}/foyer?modifier=foyer.postal_code`);
    await page.getByLabel('Code postal', { exact: true }).fill('123');
    await page.getByRole('button', { name: 'Enregistrer Code postal' }).click();
    assert.match(await page.getByRole('alert').innerText(), /5 chiffres/);
    await assertAccessible(page, `foyer erreur ${width}`);

    await page.goto(`${server.base}/${slug}/enfants`);
    await assertAccessible(page, `enfants ${width}`);
    await page.getByRole('link', { name: 'ALAIN Anna' }).click();
    await page.locator('summary', { hasText: 'Plus de détails' }).click();
    for (const summary of await page.locator('details.category > summary').all()) await summary.click();
    await page.screenshot({ path: join(SCREENSHOTS, `enfant-${width}.png`), fullPage: true });
    await assertAccessible(page, `enfant ${width}`);
    await assertNoHorizontalScroll(page, width, `enfant ${width}`);
    await context.close();
  });
}
