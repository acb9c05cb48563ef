// The booking grid with JavaScript, at 375 × 812 and 1280 × 800: a cell is booked and
// cancelled in place through the JSON API (no page load), the confirmation with its undo is
// written in the child's card (a role=status region, announced), inside the screen, and the
// undo restores the previous state; the keyboard does the same. The mass wizard's cancel mode
// (a sick child), its Du/Au proposed, and the wizard's error pattern (summary linking to the
// field, taking the focus, "Erreur : " in the title, values kept). Zero axe-core violations;
// screenshots in target/screenshots.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
import { ROOT, SCREENSHOTS, portail, randomSlug, serve, smtpSink, launch, assertAccessible, assertNoHorizontalScroll, firstConnection, signInParent } from './harness.mjs';

const slug = randomSlug('surplace');
const PASSWORD = 'Vélo#Rouge42x';
const SCREENS = { 375: { width: 375, height: 812 }, 1280: { width: 1280, height: 800 } };
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
  await firstConnection(server.base, slug, sink, 'paul.alain@demo.example', PASSWORD);
});

after(async () => {
  await browser?.close();
  server?.stop();
  sink?.stop();
  portail('tenant', 'delete', slug, '--confirm', slug);
});

async function signIn(width) {
  const context = await browser.newContext({ viewport: SCREENS[width], bypassCSP: true, locale: 'fr-FR' });
  const page = await context.newPage();
  await signInParent(page, server.base, slug, 'paul.alain@demo.example', PASSWORD);
  return { page, context };
}

async function shot(page, name, width) {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `surplace-${name}-${width}.png`), fullPage: true });
}

async function check(page, name, width) {
  await shot(page, name, width);
  await assertAccessible(page, `${name} ${width}`);
  await assertNoHorizontalScroll(page, width, `${name} ${width}`);
}

/** The element is entirely inside the screen the parent sees. */
async function assertInViewport(page, locator, label) {
  const box = await locator.boundingBox();
  const { height } = page.viewportSize();
  assert.ok(box, `${label}: shown`);
  assert.ok(box.y >= 0 && box.y + box.height <= height, `${label}: from y=${Math.round(box.y)} to ${Math.round(box.y + box.height)} in a ${height}px screen`);
}

async function reserved(page, week, child = 'Théo', prestation = 'repas') {
  const r = await page.request.get(`${server.base}/${slug}/api/v1/reservations?week=${week}`);
  assert.equal(r.status(), 200);
  const data = await r.json();
  const row = data.children.find((c) => c.first_name === child).rows.find((x) => x.prestation === prestation);
  return row.cells.filter((c) => c.state === 'reserved').map((c) => c.date);
}

/** No page was loaded since `mark` (a value kept in the page's window). */
async function markPage(page) {
  await page.evaluate(() => { window.sameDocument = true; });
}
async function assertSamePage(page, label) {
  assert.equal(await page.evaluate(() => window.sameDocument === true), true, `${label}: changed in place, no page load`);
}

// Zone B school weeks after the test clock's today (Monday 11 January 2027), one per width.
const WEEK = { 375: '2027-W03', 1280: '2027-W04' };
const DAYS = { 375: ['lundi 18 janvier', 'mardi 19 janvier'], 1280: ['lundi 25 janvier', 'mardi 26 janvier'] };
const ISO = { 375: ['2027-01-18', '2027-01-19'], 1280: ['2027-01-25', '2027-01-26'] };
const SICK_WEEK = { 375: ['2027-02-01', '2027-02-02', '2027-02-04', '2027-02-05'], 1280: ['2027-02-08', '2027-02-09', '2027-02-11', '2027-02-12'] };

for (const width of [375, 1280]) {
  test(`at ${width} px a cell is booked and cancelled in place, confirmed and announced in the card, and undone`, async () => {
    const { page, context } = await signIn(width);
    const week = WEEK[width];
    const [monday, tuesday] = DAYS[width];
    await page.goto(`${server.base}/${slug}/reservations?semaine=${week}`);
    await markPage(page);
    const theo = page.getByRole('article').filter({ has: page.getByRole('heading', { name: 'Théo ALAIN' }) });
    const status = theo.getByRole('status');
    assert.equal(await status.count(), 1, 'one status region (aria-live polite) in the card');

    // A tap books the day: the cell changes, the confirmation is in the card, on screen.
    await theo.getByRole('button', { name: `Réserver Repas enfant pour Théo le ${monday}` }).click();
    await status.filter({ hasText: `Repas enfant du ${monday} réservé pour Théo, annulable jusqu'au ${monday} à 8h30.` }).waitFor();
    const cancelCell = theo.getByRole('button', { name: `Annuler Repas enfant pour Théo le ${monday}` });
    assert.ok(await cancelCell.isVisible(), 'the booked cell now offers to cancel');
    assert.match(await cancelCell.evaluate((b) => b.closest('td').className), /cell-reserved/);
    assert.equal(await cancelCell.evaluate((b) => b === document.activeElement), true, 'the focus stays on the cell');
    await assertInViewport(page, status, 'the confirmation');
    await assertSamePage(page, 'booking');
    assert.deepEqual(await reserved(page, week), [ISO[width][0]]);
    await check(page, 'reservee', width);

    // Its undo puts the day back, in place too.
    await status.getByRole('button', { name: 'Annuler', exact: true }).click();
    await status.filter({ hasText: `Repas enfant du ${monday} annulé pour Théo.` }).waitFor();
    assert.ok(await theo.getByRole('button', { name: `Réserver Repas enfant pour Théo le ${monday}` }).isVisible(), 'the cell is available again');
    assert.deepEqual(await reserved(page, week), [], 'undo restored the previous state');
    await assertInViewport(page, status, 'the undo confirmation');
    // …and the undo of the undo books it again.
    await status.getByRole('button', { name: 'Réserver de nouveau' }).click();
    await status.filter({ hasText: `réservé pour Théo` }).waitFor();
    assert.deepEqual(await reserved(page, week), [ISO[width][0]]);

    // With the keyboard: Enter on a focused cell books it, Enter again cancels it.
    const tue = theo.getByRole('button', { name: `Réserver Repas enfant pour Théo le ${tuesday}` });
    await tue.focus();
    await page.keyboard.press('Enter');
    await status.filter({ hasText: `du ${tuesday} réservé` }).waitFor();
    assert.deepEqual(await reserved(page, week), ISO[width]);
    await page.keyboard.press('Enter');
    await status.filter({ hasText: `du ${tuesday} annulé` }).waitFor();
    assert.deepEqual(await reserved(page, week), [ISO[width][0]]);
    await assertSamePage(page, 'keyboard');
    await check(page, 'annulee', width);

    // What the server shows after a reload is what the page showed.
    await page.reload();
    assert.ok(await theo.getByRole('button', { name: `Annuler Repas enfant pour Théo le ${monday}` }).isVisible());
    await context.close();
  });

  test(`at ${width} px the wizard's cancel mode cancels a sick child's week, its period proposed, its errors linked`, async () => {
    const { page, context } = await signIn(width);
    for (const day of SICK_WEEK[width]) {
      const r = await page.request.put(`${server.base}/${slug}/api/v1/children/${await childId(page, 'Théo')}/reservations/repas/${day}`);
      assert.equal(r.status(), 200);
    }
    await page.goto(`${server.base}/${slug}/reservations/masse`);
    await page.getByRole('link', { name: 'Un enfant malade ? Annuler des réservations sur une période' }).click();
    await page.getByRole('heading', { level: 1, name: 'Annuler des réservations' }).waitFor();
    // Proposed: today (the meal may be cancelled until 8:30) to the end of the week.
    assert.equal(await page.getByLabel('Du', { exact: true }).inputValue(), '2027-01-11');
    assert.equal(await page.getByLabel('Au', { exact: true }).inputValue(), '2027-01-15');
    await check(page, 'masse-annulation', width);

    // No child ticked: the error pattern.
    const [first, , , last] = SICK_WEEK[width];
    await page.getByLabel('Du', { exact: true }).fill(first);
    await page.getByLabel('Au', { exact: true }).fill(last);
    for (const code of ['Accueil périscolaire matin', 'Accueil périscolaire soir']) await page.getByLabel(code).uncheck();
    await page.getByRole('button', { name: 'Annuler les réservations' }).click();
    const summary = page.getByRole('alert');
    await summary.waitFor();
    assert.match(await page.title(), /^Erreur : Annuler des réservations/);
    assert.equal(await summary.evaluate((s) => s === document.activeElement), true, 'the summary takes the focus');
    assert.equal(await summary.getByRole('link', { name: 'Choisissez au moins un enfant.' }).getAttribute('href'), '#masse-enfant');
    assert.equal(await page.getByLabel('Du', { exact: true }).inputValue(), first, 'the period is kept');
    assert.equal(await page.getByLabel('Accueil périscolaire soir').isChecked(), false, 'the ticks are kept');
    await check(page, 'masse-annulation-erreur', width);

    await page.getByLabel('Théo ALAIN').check();
    await page.getByRole('button', { name: 'Annuler les réservations' }).click();
    await page.getByRole('heading', { level: 1, name: 'Réservations annulées' }).waitFor();
    assert.match(await page.getByRole('status').innerText(), /4 jours annulés/);
    assert.match(await page.locator('main').innerText(), /Théo : 4 jours annulés/);
    const week = width === 375 ? '2027-W05' : '2027-W06';
    assert.deepEqual(await reserved(page, week), [], 'the sick week is cancelled');
    await check(page, 'masse-annulee', width);
    await context.close();
  });

  test(`at ${width} px the booking wizard proposes Du/Au and says its errors with the one pattern`, async () => {
    const { page, context } = await signIn(width);
    await page.goto(`${server.base}/${slug}/reservations/masse`);
    await page.getByLabel('Repas enfant').check();
    await page.getByRole('button', { name: 'Suivant' }).click();
    await page.getByLabel('Théo ALAIN').check();
    await page.getByRole('button', { name: 'Suivant' }).click();
    await page.getByText('Étape 3 sur 3').waitFor();
    // From the next bookable day (today until 8:30) to the end of the school year.
    assert.equal(await page.getByLabel('Du', { exact: true }).inputValue(), '2027-01-11');
    assert.equal(await page.getByLabel('Au', { exact: true }).inputValue(), '2027-07-02');

    for (const day of ['lundi', 'mardi', 'jeudi', 'vendredi']) await page.getByLabel(day, { exact: true }).uncheck();
    await page.getByLabel('Au', { exact: true }).fill('2027-03-31');
    await page.getByRole('button', { name: 'Réserver' }).click();
    const summary = page.getByRole('alert');
    await summary.waitFor();
    assert.match(await page.title(), /^Erreur : Réserver en masse/);
    assert.equal(await summary.evaluate((s) => s === document.activeElement), true, 'the summary takes the focus');
    assert.equal(await summary.getByRole('link', { name: 'Choisissez au moins un jour de la semaine.' }).getAttribute('href'), '#masse-jour');
    assert.equal(await page.getByLabel('Au', { exact: true }).inputValue(), '2027-03-31', 'the period is kept');
    await check(page, 'masse-erreur', width);
    await context.close();
  });
}

test('without JavaScript a cell is still a form: the POST lands on the card with the confirmation', async () => {
  const context = await browser.newContext({ viewport: SCREENS[375], bypassCSP: true, locale: 'fr-FR', javaScriptEnabled: false });
  const page = await context.newPage();
  await signInParent(page, server.base, slug, 'paul.alain@demo.example', PASSWORD);
  await page.goto(`${server.base}/${slug}/reservations?semaine=2027-W07`);
  const anna = page.getByRole('article').filter({ has: page.getByRole('heading', { name: 'Anna ALAIN' }) });
  await Promise.all([page.waitForURL(/info=reserve.*#enfant-/), anna.getByRole('button', { name: 'Réserver Repas enfant pour Anna le lundi 15 février' }).click()]);
  assert.match(await anna.getByRole('status').innerText(), /Repas enfant du lundi 15 février réservé pour Anna/);
  assert.deepEqual(await reserved(page, '2027-W07', 'Anna'), ['2027-02-15']);
  await shot(page, 'sans-js', 375);
  await context.close();
});

async function childId(page, name) {
  const r = await page.request.get(`${server.base}/${slug}/api/v1/reservations`);
  return (await r.json()).children.find((c) => c.first_name === name).id;
}
