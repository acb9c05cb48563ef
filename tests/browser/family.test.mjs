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
  await page.getByLabel('Adresse e-mail').fill('paul.alain@demo.example');
  await page.getByLabel('Mot de passe', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Valider' }).click();
  await page.waitForURL(`**/${slug}/`);
  return { page, context };
}

test('a parent edits a phone, adds an emergency contact, sets a diet and validates the record, each confirmed', async () => {
  const { page, context } = await signIn(375);
  await (await menu(page)).getByRole('link', { name: 'Mon foyer' }).click();
  const sophie = page.getByRole('article').filter({ has: page.getByRole('heading', { name: 'Sophie ALAIN' }) });
  await sophie.locator('summary', { hasText: 'Coordonnées' }).click();
  await sophie.getByRole('link', { name: 'Modifier Téléphone', exact: true }).click();
  const field = sophie.getByLabel('Téléphone', { exact: true });
  await field.fill('07 12 12 12 12');
  await sophie.getByRole('button', { name: 'Enregistrer Téléphone', exact: true }).click();
  assert.match(await page.getByRole('status').innerText(), /Les informations ont été mises à jour/);
  assert.match(await page.locator('main').innerText(), /07 12 12 12 12/);

  await (await menu(page)).getByRole('link', { name: 'Mes enfants' }).click();
  await page.getByRole('link', { name: 'Théo ALAIN' }).click();
  assert.match(await page.locator('main').innerText(), /Fiche non validée/);
  // A read-only summary: each section opens as its form on "Modifier".
  assert.equal(await page.locator('form input[name=section]').count(), 0);
  const add = page.locator('form', { has: page.getByRole('heading', { name: 'Ajouter un contact' }) });
  await add.getByLabel('Nom').fill('Mamie Jeanne');
  await add.getByLabel("Lien avec l'enfant").fill('Grand-mère');
  await add.getByLabel('Téléphone').fill('06 55 44 33 22');
  await add.getByLabel("être appelé en cas d'urgence").check();
  await add.getByRole('button', { name: 'Ajouter le contact' }).click();
  assert.match(await page.getByRole('status').innerText(), /Contact ajouté/);
  assert.match(await page.locator('#contacts').innerText(), /Urgence : 1 contact/);

  await page.getByRole('link', { name: 'Modifier : Régimes spéciaux' }).click();
  await page.getByLabel('sans porc').check();
  await page.locator('#regimes').getByRole('button', { name: 'Enregistrer' }).click();
  assert.match(await page.locator('#regimes').getByRole('status').innerText(), /Les informations ont été mises à jour/);
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
    assert.match(await page.getByRole('alert').innerText(), /Code postal : Le code postal doit comporter 5 chiffres/);
    await assertAccessible(page, `foyer erreur ${width}`);

    await page.goto(`${server.base}/${slug}/enfants`);
    await assertAccessible(page, `enfants ${width}`);
    await page.getByRole('link', { name: 'Anna ALAIN' }).click();
    await page.screenshot({ path: join(SCREENSHOTS, `enfant-${width}.png`), fullPage: true });
    await assertAccessible(page, `enfant ${width}`);
    await assertNoHorizontalScroll(page, width, `enfant ${width}`);
    await context.close();
  });
}

/** The element is wholly inside the viewport: the parent sees it without scrolling. */
async function assertInViewport(page, locator, label) {
  const box = await locator.boundingBox();
  const { height } = page.viewportSize();
  assert.ok(box && box.y >= 0 && box.y + box.height <= height, `${label}: ${JSON.stringify(box)} outside 0–${height}`);
}

/** Every text, tel, e-mail, date and number input of the page: at least 44 px tall, 16 px text. */
async function assertTouchSizedInputs(page, label) {
  const small = await page.locator('main').evaluate((main) => [...main.querySelectorAll('input[type=text], input[type=tel], input[type=email], input[type=date], input[type=number]')]
    .filter((i) => i.offsetParent !== null)
    .map((i) => ({ id: i.id, h: i.getBoundingClientRect().height, f: parseFloat(getComputedStyle(i).fontSize) }))
    .filter((i) => i.h < 44 || i.f < 16));
  assert.deepEqual(small, [], `${label}: inputs under 44 px or 16 px`);
}

for (const width of WIDTHS) {
  test(`at ${width} px the confirmation of a foyer edit and a contact change is on screen, a refusal's summary takes the focus`, async () => {
    const { page, context } = await signIn(width);
    await page.setViewportSize({ width, height: width === 375 ? 812 : 800 });

    // A foyer field: its confirmation next to it, inside the screen, in a live region.
    await page.goto(`${server.base}/${slug}/foyer?modifier=foyer.city`);
    await assertTouchSizedInputs(page, `foyer ${width}`);
    await page.getByLabel('Ville', { exact: true }).fill('Lannion');
    await page.getByRole('button', { name: 'Enregistrer Ville' }).click();
    const saved = page.locator('#champ-foyer-city').getByRole('status');
    assert.match(await saved.innerText(), /Les informations ont été mises à jour/);
    await assertInViewport(page, saved, `foyer confirmation ${width}`);
    assert.equal(await page.locator('#champ-foyer-city [aria-live=polite]').count(), 1);
    await page.screenshot({ path: join(SCREENSHOTS, `foyer-confirmation-${width}.png`) });

    // A refused field: "Erreur : " in the title, the summary focused, on screen.
    await page.goto(`${server.base}/${slug}/foyer?modifier=foyer.postal_code`);
    await page.getByLabel('Code postal', { exact: true }).fill('22A');
    await page.getByRole('button', { name: 'Enregistrer Code postal' }).click();
    await page.waitForLoadState('load');
    assert.match(await page.title(), /^Erreur : Mon foyer/);
    const summary = page.locator('#champ-foyer-postal_code-erreurs');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'champ-foyer-postal_code-erreurs');
    await assertInViewport(page, summary, `foyer erreur ${width}`);
    assert.equal(await page.getByLabel('Code postal', { exact: true }).inputValue(), '22A');
    await page.screenshot({ path: join(SCREENSHOTS, `foyer-erreur-${width}.png`) });
    await assertAccessible(page, `foyer erreur ${width}`);

    // A contact changed on the child page: said next to it, on screen.
    await page.goto(`${server.base}/${slug}/enfants`);
    await page.getByRole('link', { name: 'Anna ALAIN' }).click();
    const child = page.url();
    const add = page.locator('#contact-nouveau');
    await add.getByLabel('Nom').fill(`Tata ${width}`);
    await add.getByLabel("Lien avec l'enfant").fill('Tante');
    await add.getByLabel('Téléphone').fill('06 11 22 33 44');
    await add.getByLabel('venir chercher l\'enfant').check();
    await add.getByRole('button', { name: 'Ajouter le contact' }).click();
    const added = page.locator('#contacts').getByRole('status');
    assert.match(await added.innerText(), /Contact ajouté/);
    await assertInViewport(page, added, `contact ajouté ${width}`);

    await page.getByRole('link', { name: `Modifier Tata ${width}` }).click();
    const card = page.locator('article.contact', { has: page.getByRole('heading', { name: `Tata ${width}` }) });
    await assertTouchSizedInputs(page, `contact ${width}`);
    const formWidth = await card.locator('form').evaluate((f) => f.getBoundingClientRect().width);
    assert.ok(formWidth <= 720, `the contact form is ${formWidth}px wide`);
    await card.getByLabel('Autre téléphone').fill('02 96 11 22 33');
    await card.getByRole('button', { name: 'Enregistrer le contact' }).click();
    const changed = page.locator('article.contact', { has: page.getByRole('heading', { name: `Tata ${width}` }) }).getByRole('status');
    assert.match(await changed.innerText(), /Contact enregistré/);
    await assertInViewport(page, changed, `contact enregistré ${width}`);
    await page.screenshot({ path: join(SCREENSHOTS, `contact-enregistre-${width}.png`) });

    // A refused contact: the summary in the contact, focused, linking to the field.
    await page.getByRole('link', { name: `Modifier Tata ${width}` }).click();
    await card.getByLabel('Téléphone', { exact: true }).fill('12');
    await card.getByRole('button', { name: 'Enregistrer le contact' }).click();
    await page.waitForLoadState('load');
    assert.match(await page.title(), /^Erreur : /);
    const refusal = page.locator('[data-error-summary]');
    assert.equal(await refusal.evaluate((e) => e === document.activeElement), true);
    await assertInViewport(page, refusal, `contact refusé ${width}`);
    assert.equal(await refusal.getByRole('link').count(), 1);
    await assertAccessible(page, `contact refusé ${width}`);
    await page.screenshot({ path: join(SCREENSHOTS, `contact-erreur-${width}.png`) });

    // Its removal: confirmed first (without script), then said as such.
    await page.goto(child);
    await page.getByRole('link', { name: `Supprimer Tata ${width}` }).click();
    await assertAccessible(page, `contact suppression ${width}`);
    await page.getByRole('button', { name: `Oui, supprimer Tata ${width}` }).click();
    const removed = page.locator('#contacts').getByRole('status');
    assert.match(await removed.innerText(), /Contact supprimé/);
    await assertInViewport(page, removed, `contact supprimé ${width}`);
    await page.screenshot({ path: join(SCREENSHOTS, `contact-supprime-${width}.png`) });
    await context.close();
  });
}
