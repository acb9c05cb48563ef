// First connection and sign-in in headless Chromium, as a parent does it: ask for a link,
// receive the mail at a real SMTP sink, follow the link, create a password with each of the
// guide's three methods (one run each), sign in, see their name, sign out. Every page passes
// axe-core at 375 px and 1280 px.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ROOT, WIDTHS, SCREENSHOTS, portail, randomSlug, serve, smtpSink, launch, open, assertAccessible, assertNoHorizontalScroll, menu } from './harness.mjs';

const slug = randomSlug('connexion');
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
});

after(async () => {
  await browser?.close();
  server?.stop();
  sink?.stop();
  portail('tenant', 'delete', slug, '--confirm', slug);
});

/** From the home page to the page of the mailed link. */
async function followFirstConnection(page, email) {
  const nthMail = sink.count(email) + 1;
  await page.goto(`${server.base}/${slug}/`);
  await (await menu(page)).getByRole('link', { name: 'Se connecter' }).click();
  await page.getByRole('link', { name: 'Première connexion ou mot de passe oublié ?' }).click();
  assert.match(await page.locator('main').innerText(), /Saisissez votre adresse e-mail : vous recevrez un lien pour créer votre mot de passe\./);
  await page.getByLabel('Adresse e-mail').fill(email);
  await page.getByRole('button', { name: 'Valider' }).click();
  assert.match(await page.getByRole('status').innerText(), /Si un compte correspond à cette adresse/);
  const mail = await sink.waitFor(email, nthMail);
  assert.equal(mail.subject, 'Demande de nouveau mot de passe');
  const link = mail.text.match(/https?:\/\/\S+nouveau-mot-de-passe\?token=\S+/)[0];
  assert.ok(link.startsWith(`${server.base}/${slug}/`));
  await page.goto(link);
  assert.equal(await page.locator('h1').innerText(), 'Créer votre mot de passe');
}

/** From the sign-in page after the password was created, to signed in and out. */
async function signInAndOut(page, email, password, name) {
  await page.waitForURL(`**/${slug}/connexion?info=mot-de-passe-cree`);
  assert.match(await page.getByRole('status').innerText(), /Votre mot de passe a été créé/);
  await page.getByLabel('Adresse e-mail').fill(email);
  await page.getByLabel('Mot de passe', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Valider' }).click();
  await page.waitForURL(`**/${slug}/`);
  assert.match(await page.locator('main').innerText(), new RegExp(`Bonjour ${name}, vous êtes connecté`));
  await menu(page);
  await page.getByRole('button', { name: 'Se déconnecter' }).click();
  await page.waitForURL(`**/${slug}/connexion?info=deconnecte`);
  assert.match(await page.getByRole('status').innerText(), /Vous êtes déconnecté/);
}

test('choice 1: a parent types their own password, with live feedback, then signs in and out', async () => {
  const context = await browser.newContext({ viewport: { width: 375, height: 800 }, locale: 'fr-FR' });
  const page = await context.newPage();
  await followFirstConnection(page, 'paul.alain@demo.example');
  const field = page.getByLabel('Nouveau mot de passe');
  await field.fill('court');
  await page.waitForFunction(() => document.getElementById('retour').textContent.includes('trop faible'));
  await field.fill('Vélo#Rouge42x');
  await page.waitForFunction(() => document.getElementById('retour').textContent.includes('suffisamment robuste'));
  assert.equal(await page.locator('#retour').getAttribute('aria-live'), 'polite');
  const toggle = page.locator('[data-password-toggle="password"]');
  await toggle.click();
  assert.equal(await field.getAttribute('type'), 'text');
  assert.equal(await toggle.getAttribute('aria-pressed'), 'true');
  await page.screenshot({ path: join(SCREENSHOTS, 'nouveau-mot-de-passe-choix1-375.png'), fullPage: true });
  await page.locator('form').filter({ has: field }).getByRole('button', { name: 'Valider' }).click();
  await signInAndOut(page, 'paul.alain@demo.example', 'Vélo#Rouge42x', 'Paul ALAIN');
  await context.close();
});

test('choice 2: a parent takes a generated random password, then signs in and out', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'fr-FR' });
  const page = await context.newPage();
  await followFirstConnection(page, 'sophie.alain@demo.example');
  await page.getByRole('button', { name: 'Générer un mot de passe' }).click();
  const password = (await page.locator('code.secret').innerText()).trim();
  assert.equal(password.length, 16);
  await page.screenshot({ path: join(SCREENSHOTS, 'nouveau-mot-de-passe-choix2-1280.png'), fullPage: true });
  await page.getByRole('button', { name: 'Utiliser ce mot de passe' }).click();
  await signInAndOut(page, 'sophie.alain@demo.example', password, 'Sophie ALAIN');
  await context.close();
});

test('choice 3: a parent turns a sentence into a password, is told why a short one fails, then signs in and out', async () => {
  const context = await browser.newContext({ viewport: { width: 375, height: 800 }, locale: 'fr-FR' });
  const page = await context.newPage();
  await followFirstConnection(page, 'lan.nguyen@demo.example');
  await page.getByLabel('Votre phrase').fill("J'aime le soleil");
  await page.getByRole('button', { name: 'Générer depuis ma phrase' }).click();
  assert.match(await page.locator('#phrase-erreur').innerText(), /ne convient pas.*trop faible/s);
  await page.getByLabel('Votre phrase').fill('Ma fille Léa a 8 ans, elle adore le judo !');
  await page.getByRole('button', { name: 'Générer depuis ma phrase' }).click();
  const password = (await page.locator('code.secret').innerText()).trim();
  assert.equal(password, 'MfLa8a,ealj!');
  await page.screenshot({ path: join(SCREENSHOTS, 'nouveau-mot-de-passe-choix3-375.png'), fullPage: true });
  await page.getByRole('button', { name: 'Utiliser ce mot de passe' }).click();
  await signInAndOut(page, 'lan.nguyen@demo.example', password, 'Thi Lan NGUYEN');
  await context.close();
});

for (const width of WIDTHS) {
  test(`the sign-in pages at ${width} px have no axe-core violation and fit the screen`, async () => {
    const pages = [
      ['connexion', `/${slug}/connexion`],
      ['mot-de-passe-oublie', `/${slug}/mot-de-passe-oublie`],
      ['aide-connexion', `/${slug}/aide-connexion`],
      ['lien-invalide', `/${slug}/nouveau-mot-de-passe?token=invalide`],
    ];
    for (const [name, path] of pages) {
      const { page, context } = await open(browser, server.base, path, width, name);
      await assertAccessible(page, `${name} ${width}`);
      await assertNoHorizontalScroll(page, width, `${name} ${width}`);
      await context.close();
    }
  });

  test(`a failed sign-in and the link page with its three methods at ${width} px are accessible`, async () => {
    const { page, context } = await open(browser, server.base, `/${slug}/connexion`, width, 'connexion-erreur');
    await page.getByLabel('Adresse e-mail').fill('inconnu@demo.example');
    await page.getByLabel('Mot de passe', { exact: true }).fill('Mauvais#Passe1');
    await page.getByRole('button', { name: 'Valider' }).click();
    assert.match(await page.getByRole('alert').innerText(), /Adresse e-mail ou mot de passe incorrect/);
    await assertAccessible(page, `connexion erreur ${width}`);

    await page.goto(`${server.base}/${slug}/mot-de-passe-oublie`);
    const next = sink.count('karim.benali@demo.example') + 1;
    await page.getByLabel('Adresse e-mail').fill('karim.benali@demo.example');
    await page.getByRole('button', { name: 'Valider' }).click();
    await assertAccessible(page, `mot de passe oublié envoyé ${width}`);
    const mail = await sink.waitFor('karim.benali@demo.example', next);
    await page.goto(mail.text.match(/https?:\/\/\S+token=\S+/)[0]);
    await page.getByRole('button', { name: 'Générer un mot de passe' }).click();
    await page.getByLabel('Votre phrase').fill('court');
    await page.getByRole('button', { name: 'Générer depuis ma phrase' }).click();
    await page.screenshot({ path: join(SCREENSHOTS, `nouveau-mot-de-passe-${width}.png`), fullPage: true });
    await assertAccessible(page, `nouveau mot de passe ${width}`);
    await assertNoHorizontalScroll(page, width, `nouveau mot de passe ${width}`);
    await context.close();
  });
}

/** Gives `email` a password through the mailed link, as the parent would: the test's own state. */
async function setPassword(email, password) {
  const next = sink.count(email) + 1;
  const asked = await fetch(`${server.base}/${slug}/api/v1/auth/password-reset`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email }) });
  assert.equal(asked.status, 202);
  const token = (await sink.waitFor(email, next)).text.match(/token=([A-Za-z0-9_-]{43})/)[1];
  const r = await fetch(`${server.base}/${slug}/api/v1/auth/password-reset/confirm`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token, password }) });
  assert.equal(r.status, 204);
}

async function signIn(page, email, password) {
  await page.getByLabel('Adresse e-mail').fill(email);
  await page.getByLabel('Mot de passe', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Valider' }).click();
}

// Each width signs in as its own guardian, whose password the test sets itself.
const ACCOUNT_AT = {
  375: { email: 'julien.martin@demo.example', name: 'Julien MARTIN' },
  1280: { email: 'maiwenn.legall@demo.example', name: 'Maïwenn LE GALL' },
};

for (const width of WIDTHS) {
  test(`signed in at ${width} px: "Mon compte" and "Changer mon mot de passe" are accessible, a wrong current password is explained, a right one changes it`, async () => {
    const { email, name } = ACCOUNT_AT[width];
    await setPassword(email, 'Vélo#Rouge42x');
    const { page, context } = await open(browser, server.base, `/${slug}/connexion`, width, 'connexion-compte');
    await signIn(page, email, 'Vélo#Rouge42x');
    await page.waitForURL(`**/${slug}/`);
    await menu(page);
    await page.getByRole('link', { name }).click();
    await page.waitForURL(`**/${slug}/mon-compte`);
    assert.ok((await page.locator('main').innerText()).includes(email));
    await page.screenshot({ path: join(SCREENSHOTS, `mon-compte-${width}.png`), fullPage: true });
    await assertAccessible(page, `mon compte ${width}`);
    await assertNoHorizontalScroll(page, width, `mon compte ${width}`);
    await page.getByRole('link', { name: 'Changer mon mot de passe' }).click();
    await page.getByLabel('Mot de passe actuel').fill('Pas#LeBon1234');
    await page.getByLabel('Nouveau mot de passe').fill('Autre#Velo2024x');
    await page.getByRole('button', { name: 'Valider' }).click();
    assert.match(await page.getByRole('alert').innerText(), /Le mot de passe actuel est incorrect/);
    await page.screenshot({ path: join(SCREENSHOTS, `changer-mot-de-passe-${width}.png`), fullPage: true });
    await assertAccessible(page, `changer mot de passe ${width}`);
    await assertNoHorizontalScroll(page, width, `changer mot de passe ${width}`);

    // The right current password: changed, signed out, and only the new one works.
    await page.getByLabel('Mot de passe actuel').fill('Vélo#Rouge42x');
    await page.getByLabel('Nouveau mot de passe').fill('Autre#Velo2024x');
    await page.getByRole('button', { name: 'Valider' }).click();
    await page.waitForURL(`**/${slug}/connexion?info=mot-de-passe-modifie`);
    assert.match(await page.getByRole('status').innerText(), /mot de passe a été modifié/i);
    await signIn(page, email, 'Vélo#Rouge42x');
    assert.match(await page.getByRole('alert').innerText(), /Adresse e-mail ou mot de passe incorrect/);
    await signIn(page, email, 'Autre#Velo2024x');
    await page.waitForURL(`**/${slug}/`);
    assert.match(await page.locator('main').innerText(), new RegExp(`Bonjour ${name}, vous êtes connecté`));
    await context.close();
  });
}
