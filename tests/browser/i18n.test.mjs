// Languages in headless Chromium: the footer's language switch turns the sign-in page, the
// booking grid and the family pages into English and back; a guardian's saved language
// survives sign-out and sign-in; zero axe-core violations in both languages at 375 and
// 1280 px.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ROOT, WIDTHS, portail, randomSlug, serve, smtpSink, launch, open, assertAccessible, assertNoHorizontalScroll, menu } from './harness.mjs';

const slug = randomSlug('lang');
const PASSWORD = 'Vélo#Rouge42x';
const WEEK = '2027-W03';
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

const lang = (page) => page.evaluate(() => document.documentElement.lang);

async function footerSwitch(page, name) {
  await Promise.all([page.waitForNavigation(), page.locator('footer').getByRole('link', { name }).click()]);
}

async function checked(page, label) {
  await assertAccessible(page, label);
}

async function signIn(page, english) {
  await page.getByLabel(english ? 'Email' : 'Adresse e-mail').fill('paul.alain@demo.example');
  await page.getByLabel(english ? 'Password' : 'Mot de passe', { exact: true }).fill(PASSWORD);
  await Promise.all([page.waitForURL(`**/${slug}/`), page.getByRole('button', { name: english ? 'Confirm' : 'Valider' }).click()]);
}

for (const width of WIDTHS) {
  test(`the footer switch turns the pages into English and back, and the saved language survives sign-in, at ${width} px`, async () => {
    const { page, context } = await open(browser, server.base, `/${slug}/connexion`, width, 'langue-connexion');
    // Sign-in page, French then English.
    assert.equal(await lang(page), 'fr');
    assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Connexion');
    await checked(page, `connexion fr ${width}`);
    await footerSwitch(page, 'English');
    assert.match(page.url(), new RegExp(`/${slug}/connexion$`), 'back on the same page');
    assert.equal(await lang(page), 'en');
    assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Sign in');
    assert.ok(await page.getByRole('link', { name: 'First sign-in or forgotten password?' }).isVisible());
    await checked(page, `connexion en ${width}`);
    await signIn(page, true);
    assert.match(await page.locator('main').innerText(), /you are signed in/);

    // The booking grid: day names, legend, buttons.
    await page.goto(`${server.base}/${slug}/reservations?semaine=${WEEK}`);
    assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Bookings');
    assert.equal(await page.locator('h2#semaine').innerText(), 'Week 03 · 18 to 22 January');
    const head = await page.locator('table.week-grid thead').first().innerText();
    assert.match(head, width >= 1280 ? /Monday/ : /Mon|Monday/);
    assert.doesNotMatch(head, /lundi|lun\./);
    const legend = await page.getByRole('list', { name: 'Legend' }).innerText();
    for (const word of ['Booked', 'Available for booking', 'Not available', 'Locked']) assert.match(legend, new RegExp(word));
    assert.ok(await page.getByRole('link', { name: '+ Book in bulk' }).isVisible());
    assert.ok(await page.getByRole('button', { name: /^Book Repas enfant for Théo on Monday 18 January$/ }).count() === 1);
    await checked(page, `grille en ${width}`);
    await assertNoHorizontalScroll(page, width, `grille en ${width}`);

    // Family pages.
    await page.goto(`${server.base}/${slug}/foyer`);
    assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'My household');
    assert.match(await page.locator('main').innerText(), /Civil status[\s\S]*Contact details/);
    await checked(page, `foyer en ${width}`);
    await page.goto(`${server.base}/${slug}/enfants`);
    assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'My children');
    await page.getByRole('link', { name: 'Théo ALAIN' }).click();
    assert.match(await page.locator('main').innerText(), /Medical information/);
    await checked(page, `enfant en ${width}`);

    // And back to French, on the grid.
    await page.goto(`${server.base}/${slug}/reservations?semaine=${WEEK}`);
    await footerSwitch(page, 'Français');
    assert.equal(await lang(page), 'fr');
    assert.equal(await page.locator('h2#semaine').innerText(), 'Semaine 03 · du 18 au 22 janvier');
    assert.match(await page.locator('table.week-grid thead').first().innerText(), /lundi|lun\./);
    assert.match(await page.getByRole('list', { name: 'Légende' }).innerText(), /Disponible à la réservation/);
    await checked(page, `grille fr ${width}`);
    await page.goto(`${server.base}/${slug}/foyer`);
    assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Mon foyer');
    await checked(page, `foyer fr ${width}`);

    // The saved language: chosen on "Mon compte", kept across sign-out and sign-in.
    await page.goto(`${server.base}/${slug}/mon-compte`);
    await page.getByLabel('Langue du portail et des messages').selectOption('en');
    await Promise.all([page.waitForURL(/info=langue/), page.getByRole('button', { name: 'Enregistrer la langue' }).click()]);
    assert.equal(await lang(page), 'en');
    assert.match(await page.getByRole('status').innerText(), /Your language has been saved/);
    await checked(page, `mon compte en ${width}`);
    await menu(page);
    await Promise.all([page.waitForURL(/connexion/), page.getByRole('button', { name: 'Sign out' }).click()]);
    assert.equal(await lang(page), 'fr', 'signed out, the cookie (French) decides');
    await signIn(page, false);
    assert.equal(await lang(page), 'en', 'signed in again, the saved language');
    await page.goto(`${server.base}/${slug}/enfants`);
    assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'My children');
    await context.close();
  });
}
