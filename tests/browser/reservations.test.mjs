// The booking grid in headless Chromium, as a parent uses it each week: book a cell, book a
// whole week by the prestation's name, cancel a day; each change confirmed on the page and
// matching what the server decided. Zero axe-core violations at 375 px and 1280 px.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ROOT, WIDTHS, SCREENSHOTS, portail, randomSlug, serve, smtpSink, launch, open, assertAccessible, assertNoHorizontalScroll } from './harness.mjs';

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
  await fetch(`${server.base}/${slug}/api/v1/auth/password-reset`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'paul.alain@demo.example' }) });
  const mail = await sink.waitFor('paul.alain@demo.example');
  const token = mail.text.match(/token=([A-Za-z0-9_-]{43})/)[1];
  await fetch(`${server.base}/${slug}/api/v1/auth/password-reset/confirm`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token, password: PASSWORD }) });
});

after(async () => {
  await browser?.close();
  server?.stop();
  sink?.stop();
  portail('tenant', 'delete', slug, '--confirm', slug);
});

async function signIn(width) {
  const { page, context } = await open(browser, server.base, `/${slug}/connexion`, width, 'resa-connexion');
  await page.getByLabel('Email').fill('paul.alain@demo.example');
  await page.getByLabel('Mot de passe', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Valider' }).click();
  await page.waitForURL(`**/${slug}/`);
  return { page, context };
}

/** A coming week where Théo's meals can be booked on several days, found through the API. */
async function bookableWeek(page) {
  const today = new Date();
  for (let i = 1; i < 12; i++) {
    const d = new Date(today.getTime() + i * 7 * 86400000);
    const week = isoWeek(d);
    const r = await page.request.get(`${server.base}/${slug}/api/v1/reservations?week=${week}`);
    const data = await r.json();
    const theo = data.children.find((c) => c.first_name === 'Théo');
    const repas = theo.rows.find((row) => row.prestation === 'repas');
    if (repas.cells.filter((c) => c.state === 'available').length >= 3) return { week, data };
  }
  throw new Error('no bookable week found');
}

function isoWeek(date) {
  const d = new Date(Date.UTC(date.getFullYear(), date.getMonth(), date.getDate()));
  const day = d.getUTCDay() || 7;
  d.setUTCDate(d.getUTCDate() + 4 - day);
  const yearStart = new Date(Date.UTC(d.getUTCFullYear(), 0, 1));
  const week = Math.ceil(((d - yearStart) / 86400000 + 1) / 7);
  return `${d.getUTCFullYear()}-W${String(week).padStart(2, '0')}`;
}

async function serverCells(page, week, child, prestation) {
  const data = await (await page.request.get(`${server.base}/${slug}/api/v1/reservations?week=${week}`)).json();
  return data.children.find((c) => c.first_name === child).rows.find((r) => r.prestation === prestation).cells;
}

test('a parent books a cell, books a week by the prestation name, cancels a day, and the page matches the server', async () => {
  const { page, context } = await signIn(375);
  const { week } = await bookableWeek(page);
  await page.goto(`${server.base}/${slug}/reservations?semaine=${week}`);
  assert.match(await page.locator('h2#semaine').innerText(), /^Semaine \d{2} \/ \d{4}$/);
  assert.match(await page.locator('main').innerText(), /Informations à votre attention/);

  const theo = page.getByRole('article').filter({ has: page.getByRole('heading', { name: 'ALAIN Théo' }) });
  const first = theo.getByRole('button', { name: /^Réserver Repas enfant pour Théo le / }).first();
  const label = await first.getAttribute('aria-label');
  await Promise.all([page.waitForURL(/info=reserve/), first.click()]);
  assert.match(await page.getByRole('status').innerText(), /Réservation enregistrée/);
  const reservedCount = async () => (await serverCells(page, week, 'Théo', 'repas')).filter((c) => c.state === 'reserved').length;
  assert.equal(await reservedCount(), 1);
  const cancel = label.replace('Réserver', 'Annuler');
  assert.ok(await theo.getByRole('button', { name: cancel }).isVisible(), 'the booked cell now offers to cancel');

  await Promise.all([page.waitForURL(/info=semaine-/), theo.getByRole('button', { name: 'Réserver Repas enfant pour Théo toute la semaine' }).click()]);
  assert.match(await page.getByRole('status').innerText(), /jour\(s\) réservé\(s\) pour la semaine/);
  const cells = await serverCells(page, week, 'Théo', 'repas');
  assert.equal(cells.filter((c) => c.state === 'available').length, 0, 'every available day is booked');
  const booked = cells.filter((c) => c.state === 'reserved').length;
  assert.ok(booked >= 3);

  await Promise.all([page.waitForURL(/info=annule/), theo.getByRole('button', { name: cancel }).click()]);
  assert.match(await page.getByRole('status').innerText(), /Réservation annulée/);
  assert.equal(await reservedCount(), booked - 1);
  const uiReserved = await theo.locator('tr', { hasText: 'Repas enfant' }).locator('td.cell-reserved').count();
  assert.equal(uiReserved, booked - 1, 'the page shows what the server decided');
  await page.screenshot({ path: join(SCREENSHOTS, 'reservations-apres-375.png'), fullPage: true });
  await context.close();
});

test('a cell says its state and deadline on focus, and the week is usable with the keyboard', async () => {
  const { page, context } = await signIn(1280);
  const { week } = await bookableWeek(page);
  await page.goto(`${server.base}/${slug}/reservations?semaine=${week}`);
  const cell = page.getByRole('button', { name: /^Réserver Repas enfant pour Anna le / }).first();
  await cell.focus();
  const hint = cell.locator('.cell-hint');
  assert.ok(await hint.isVisible());
  assert.match(await hint.innerText(), /réservable jusqu'au .* à 8h30/);
  await Promise.all([page.waitForURL(/info=reserve/), page.keyboard.press('Enter')]);
  assert.match(await page.getByRole('status').innerText(), /Réservation enregistrée/);
  await context.close();
});

for (const width of WIDTHS) {
  test(`the booking grid at ${width} px has no axe-core violation and the week fits the phone`, async () => {
    const { page, context } = await signIn(width);
    const { week } = await bookableWeek(page);
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
