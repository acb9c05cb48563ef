// The booking grid in headless Chromium, as a parent uses it each week: book a cell, book a
// whole week by the prestation's name, cancel a day; each change confirmed on the page and
// matching what the server decided. Zero axe-core violations at 375 px and 1280 px.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ROOT, WIDTHS, SCREENSHOTS, portail, randomSlug, serve, smtpSink, launch, open, assertAccessible, assertNoHorizontalScroll, firstConnection, signInParent } from './harness.mjs';

const slug = randomSlug('resa');
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
  await firstConnection(server.base, slug, sink, 'paul.alain@demo.example', PASSWORD);
});

after(async () => {
  await browser?.close();
  server?.stop();
  sink?.stop();
  portail('tenant', 'delete', slug, '--confirm', slug);
});

async function signIn(width) {
  const { page, context } = await open(browser, server.base, `/${slug}/connexion`, width, 'resa-connexion');
  await signInParent(page, server.base, slug, 'paul.alain@demo.example', PASSWORD);
  return { page, context };
}

/**
 * Fixed school weeks of zone B after the server's "today" (`TEST_NOW`, Monday 11 January
 * 2027), one per test so that no test sees another's bookings: meals run on Monday, Tuesday,
 * Thursday and Friday. The tests mean the same thing on any date they run.
 */
const WEEKS = {
  '2027-W03': ['2027-01-18', '2027-01-19', '2027-01-21', '2027-01-22'],
  '2027-W04': ['2027-01-25', '2027-01-26', '2027-01-28', '2027-01-29'],
  '2027-W05': ['2027-02-01', '2027-02-02', '2027-02-04', '2027-02-05'],
  '2027-W06': ['2027-02-08', '2027-02-09', '2027-02-11', '2027-02-12'],
};

/** The test's week, checked to be bookable for `child` on its four meal days. */
async function bookableWeek(page, week, child = 'Théo') {
  const available = (await serverCells(page, week, child, 'repas')).filter((c) => c.state === 'available').map((c) => c.date);
  assert.deepEqual(available, WEEKS[week], `${week} is bookable for ${child} on the four meal days`);
  return { week };
}

async function serverCells(page, week, child, prestation) {
  const r = await page.request.get(`${server.base}/${slug}/api/v1/reservations?week=${week}`);
  assert.equal(r.status(), 200, `GET reservations?week=${week}`);
  const data = await r.json();
  return data.children.find((c) => c.first_name === child).rows.find((row) => row.prestation === prestation).cells;
}

test('a parent books a cell, books a week by the prestation name, cancels a day, and the page matches the server', async () => {
  const { page, context } = await signIn(375);
  const { week } = await bookableWeek(page, '2027-W03');
  await page.goto(`${server.base}/${slug}/reservations?semaine=${week}`);
  assert.match(await page.locator('h2#semaine').innerText(), /^Semaine \d{2} · du \d+ au \d+ janvier$/);
  assert.match(await page.locator('main').innerText(), /Informations à votre attention/);

  const theo = page.getByRole('article').filter({ has: page.getByRole('heading', { name: 'Théo ALAIN' }) });
  const first = theo.getByRole('button', { name: /^Réserver Repas enfant pour Théo le / }).first();
  const label = await first.getAttribute('aria-label');
  assert.match(label, /le lundi 18 janvier/);
  // With JavaScript the cell changes in place (reservations_inplace.test.mjs); the
  // confirmation is in the card either way.
  await first.click();
  await theo.getByRole('status').filter({ hasText: /Repas enfant du lundi 18 janvier réservé pour Théo/ }).waitFor();
  const reservedCount = async () => (await serverCells(page, week, 'Théo', 'repas')).filter((c) => c.state === 'reserved').length;
  assert.equal(await reservedCount(), 1);
  const cancel = label.replace('Réserver', 'Annuler');
  assert.ok(await theo.getByRole('button', { name: cancel }).isVisible(), 'the booked cell now offers to cancel');

  await Promise.all([page.waitForURL(/info=semaine-/), theo.getByRole('button', { name: 'Réserver Repas enfant pour Théo toute la semaine' }).click()]);
  assert.match(await theo.getByRole('status').innerText(), /3 jours réservés pour la semaine/);
  const cells = await serverCells(page, week, 'Théo', 'repas');
  assert.equal(cells.filter((c) => c.state === 'available').length, 0, 'every available day is booked');
  const booked = cells.filter((c) => c.state === 'reserved').length;
  assert.equal(booked, 4, 'the four meal days of the week');

  await theo.getByRole('button', { name: cancel }).click();
  await theo.getByRole('status').filter({ hasText: /annulé pour Théo/ }).waitFor();
  assert.equal(await reservedCount(), booked - 1);
  const uiReserved = await theo.locator('tbody', { hasText: 'Repas enfant' }).locator('td.cell-reserved').count();
  assert.equal(uiReserved, booked - 1, 'the page shows what the server decided');
  await page.screenshot({ path: join(SCREENSHOTS, 'reservations-apres-375.png'), fullPage: true });
  await context.close();
});

test('a cell says its state and deadline on focus, and the week is usable with the keyboard', async () => {
  const { page, context } = await signIn(1280);
  const { week } = await bookableWeek(page, '2027-W04', 'Anna');
  await page.goto(`${server.base}/${slug}/reservations?semaine=${week}`);
  const anna = page.getByRole('article').filter({ has: page.getByRole('heading', { name: 'Anna ALAIN' }) });
  const cell = anna.getByRole('button', { name: /^Réserver Repas enfant pour Anna le / }).first();
  await cell.focus();
  // The reason is visible text under the grid (a tooltip would be clipped by the scrolling grid).
  const hint = anna.locator('.cell-reason');
  assert.ok(await hint.isVisible());
  assert.match(await hint.innerText(), /réservable jusqu'au .* à 8h30/);
  await page.keyboard.press('Enter');
  await anna.getByRole('status').filter({ hasText: /réservé pour Anna/ }).waitFor();
  const reserved = (await serverCells(page, week, 'Anna', 'repas')).filter((c) => c.state === 'reserved').map((c) => c.date);
  assert.deepEqual(reserved, ['2027-01-25'], 'Enter booked the focused cell');
  await context.close();
});

for (const width of WIDTHS) {
  test(`the booking grid at ${width} px has no axe-core violation and the week fits the phone`, async () => {
    const { page, context } = await signIn(width);
    const { week } = await bookableWeek(page, width === 375 ? '2027-W05' : '2027-W06');
    await page.goto(`${server.base}/${slug}/reservations?semaine=${week}`);
    await page.screenshot({ path: join(SCREENSHOTS, `reservations-${width}.png`), fullPage: true });
    await assertAccessible(page, `reservations ${width}`);
    await assertNoHorizontalScroll(page, width, `reservations ${width}`);
    await page.goto(`${server.base}/${slug}/reservations?semaine=2026-W54`);
    assert.match(await page.getByRole('alert').innerText(), /Cette semaine n'existe pas/);
    await assertAccessible(page, `semaine invalide ${width}`);
    await context.close();
  });
}
