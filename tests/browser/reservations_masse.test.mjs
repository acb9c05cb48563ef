// "Réserver en masse" in headless Chromium: a parent goes from the grid through the wizard's
// three steps, books a coming period for two children and sees the confirmation; then the
// history of the changes and the calendar subscription page, whose address serves the booked
// days and can be renewed. Every page of the wizard, its error state, the confirmation, the
// history and the calendar page have zero axe-core violations at 375 px and 1280 px.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ROOT, WIDTHS, SCREENSHOTS, portail, randomSlug, serve, smtpSink, launch, open, assertAccessible, assertNoHorizontalScroll } from './harness.mjs';

const slug = randomSlug('masse');
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
  const { page, context } = await open(browser, server.base, `/${slug}/connexion`, width, 'masse-connexion');
  await page.getByLabel('Adresse e-mail').fill('paul.alain@demo.example');
  await page.getByLabel('Mot de passe', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Valider' }).click();
  await page.waitForURL(`**/${slug}/`);
  return { page, context };
}

// Fixed dates after the server's "today" (`TEST_NOW`, Monday 11 January 2027), zone B: five
// school weeks, the winter holidays (20 February to 7 March 2027), then one more school week.
// Meals run on Monday, Tuesday, Thursday and Friday: 6 weeks × 4 days for each child.
const FROM = '2027-01-18';
const TO = '2027-03-12';
const MEAL_DAYS_PER_CHILD = 24;

async function shot(page, name, width) {
  await page.screenshot({ path: join(SCREENSHOTS, `${name}-${width}.png`), fullPage: true });
}

async function check(page, name, width) {
  await shot(page, name, width);
  await assertAccessible(page, `${name} ${width}`);
  await assertNoHorizontalScroll(page, width, `${name} ${width}`);
}

test('a parent books a coming period with the wizard, then finds it in the history and in the calendar feed', async () => {
  const { page, context } = await signIn(375);
  await page.goto(`${server.base}/${slug}/reservations`);
  await page.getByRole('link', { name: '+ Réserver en masse' }).click();
  await page.getByText('Étape 1 sur 3').waitFor();
  await page.getByLabel('Repas enfant').check();
  await page.getByRole('button', { name: 'Suivant' }).click();

  await page.getByText('Étape 2 sur 3').waitFor();
  await page.getByLabel('Théo ALAIN').check();
  await page.getByLabel('Anna ALAIN').check();
  await page.getByRole('button', { name: 'Suivant' }).click();

  await page.getByText('Étape 3 sur 3').waitFor();
  for (const day of ['lundi', 'mardi', 'jeudi', 'vendredi']) assert.ok(await page.getByLabel(day, { exact: true }).isChecked(), `${day} checked`);
  assert.equal(await page.getByLabel('mercredi', { exact: true }).count(), 0, 'no meal on Wednesdays');
  await page.getByLabel('Du', { exact: true }).fill(FROM);
  await page.getByLabel('Au', { exact: true }).fill(TO);
  assert.ok(await page.getByLabel('Ajouter', { exact: true }).isChecked());
  await page.getByRole('button', { name: 'Réserver' }).click();

  await page.getByRole('heading', { level: 1, name: 'Réservations enregistrées' }).waitFor();
  const status = await page.getByRole('status').innerText();
  const booked = Number(status.match(/(\d+) jours? réservés?/)[1]);
  assert.equal(booked, 2 * MEAL_DAYS_PER_CHILD, `every meal day of both children, none in the holidays: ${status}`);
  assert.match(status, /0 annulé[ ,.]/);
  assert.match(await page.locator('main').innerText(), new RegExp(`Théo : ${MEAL_DAYS_PER_CHILD} jours réservés`));
  await shot(page, 'masse-confirmation', 375);

  await page.getByRole('link', { name: 'Voir la grille des réservations' }).click();
  await page.waitForURL(/\/reservations\?semaine=\d{4}-W\d{2}$/);

  await page.getByRole('link', { name: 'Historique' }).click();
  await page.getByRole('heading', { level: 1, name: 'Historique des réservations' }).waitFor();
  const first = page.locator('table.history tbody tr').first();
  assert.match(await first.innerText(), /Paul ALAIN/);
  assert.match(await first.innerText(), /Réservation en masse/);
  // Only this test's meals: other tests of this file book other prestations.
  assert.equal(await page.locator('table.history tbody tr', { hasText: 'Repas enfant' }).count(), booked);
  await shot(page, 'historique', 375);

  await page.goto(`${server.base}/${slug}/reservations`);
  await page.getByRole('link', { name: 'Ajouter à mon agenda' }).click();
  await page.getByRole('heading', { level: 1, name: 'Ajouter à mon agenda' }).waitFor();
  await page.getByRole('button', { name: "Créer mon adresse d'abonnement" }).click();
  await page.getByRole('status').filter({ hasText: 'est prête' }).waitFor();
  const address = await page.getByLabel("Adresse d'abonnement (privée)").inputValue();
  assert.match(address, new RegExp(`^${server.base}/${slug}/calendrier/[A-Za-z0-9_-]{43}\\.ics$`));
  const feed = await fetch(address);
  assert.equal(feed.status, 200);
  assert.equal(feed.headers.get('content-type'), 'text/calendar; charset=utf-8');
  const ics = await feed.text();
  const meals = ics.split('BEGIN:VEVENT').filter((e) => e.includes('SUMMARY:Repas enfant'));
  assert.equal(meals.length, booked, 'one event per booked meal');
  assert.ok(meals.every((e) => /DTSTART;VALUE=DATE:/.test(e)));
  assert.match(ics, /SUMMARY:Repas enfant – Théo\r\n/);
  await shot(page, 'calendrier', 375);

  await page.getByRole('button', { name: "Renouveler l'adresse" }).click();
  await page.getByRole('status').filter({ hasText: 'nouvelle adresse' }).waitFor();
  const renewed = await page.getByLabel("Adresse d'abonnement (privée)").inputValue();
  assert.notEqual(renewed, address);
  assert.equal((await fetch(address)).status, 404, 'the old address no longer works');
  assert.equal((await fetch(renewed)).status, 200);
  await context.close();
});

for (const width of WIDTHS) {
  test(`the wizard, its confirmation, the history and the calendar page at ${width} px have no axe-core violation`, async () => {
    const { page, context } = await signIn(width);
    await page.goto(`${server.base}/${slug}/reservations/masse`);
    await check(page, 'masse-etape-1', width);
    await page.getByLabel('Accueil périscolaire soir').check();
    await page.getByRole('button', { name: 'Suivant' }).click();
    await page.getByText('Étape 2 sur 3').waitFor();
    await check(page, 'masse-etape-2', width);
    await page.getByLabel('David ALAIN').check();
    await page.getByRole('button', { name: 'Suivant' }).click();
    await page.getByText('Étape 3 sur 3').waitFor();
    await check(page, 'masse-etape-3', width);

    // Every weekday unticked: the step again, with the reason.
    for (const day of ['lundi', 'mardi', 'jeudi', 'vendredi']) await page.getByLabel(day, { exact: true }).uncheck();
    await page.getByLabel('Du', { exact: true }).fill(FROM);
    await page.getByLabel('Au', { exact: true }).fill(TO);
    await page.getByLabel('Remplacer', { exact: true }).check();
    await page.getByRole('button', { name: 'Réserver' }).click();
    assert.match(await page.getByRole('alert').innerText(), /Choisissez au moins un jour de la semaine/);
    assert.ok(await page.getByLabel('Remplacer', { exact: true }).isChecked(), 'the choices are kept');
    assert.equal(await page.getByLabel('lundi', { exact: true }).isChecked(), false, 'unticked days stay unticked');
    await check(page, 'masse-erreur', width);

    await page.getByLabel('jeudi', { exact: true }).check();
    await page.getByRole('button', { name: 'Réserver' }).click();
    await page.getByRole('heading', { level: 1, name: 'Réservations enregistrées' }).waitFor();
    await check(page, 'masse-confirmation', width);

    await page.goto(`${server.base}/${slug}/reservations/historique`);
    await check(page, 'historique', width);
    // The address is made by this test when no other test of the file made it before.
    await page.goto(`${server.base}/${slug}/calendrier`);
    const create = page.getByRole('button', { name: "Créer mon adresse d'abonnement" });
    if (await create.count()) {
      await create.click();
      await page.getByRole('status').filter({ hasText: 'est prête' }).waitFor();
      await page.goto(`${server.base}/${slug}/calendrier`);
    }
    assert.match(await page.locator('main').innerText(), /a été créée le/);
    await check(page, 'calendrier-existant', width);
    await page.getByRole('button', { name: "Renouveler l'adresse" }).click();
    await page.getByRole('status').filter({ hasText: 'nouvelle adresse' }).waitFor();
    await check(page, 'calendrier', width);
    await context.close();
  });
}
