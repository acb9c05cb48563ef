// The phone-first pass, as a tired parent uses the portal at 375 × 812 (and at 1280 × 800):
// the grid on the first screen, each booking, cancel and undo confirmed inside the viewport in
// the child's card, the compact header's Menu button, readable fields, narrow form cards, the
// 404 page inside the municipality's layout. Zero axe-core violations; a screenshot of each
// page at both widths (target/screenshots, git-ignored).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
import { ROOT, SCREENSHOTS, portail, randomSlug, serve, smtpSink, launch, assertAccessible, assertNoHorizontalScroll, firstConnection, signInParent } from './harness.mjs';

const slug = randomSlug('tel');
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

/** A phone-sized (or desktop-sized) page, the screen the issue was seen on. */
async function screen(width) {
  const context = await browser.newContext({ viewport: SCREENS[width], bypassCSP: true, locale: 'fr-FR' });
  return { context, page: await context.newPage() };
}

async function shot(page, name, width) {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `phone-${name}-${width}.png`), fullPage: true });
}

async function signIn(width) {
  const { page, context } = await screen(width);
  await signInParent(page, server.base, slug, 'paul.alain@demo.example', PASSWORD);
  return { page, context };
}

/** The element is entirely inside the screen the parent sees (no scrolling needed). */
async function assertInViewport(page, locator, label) {
  const box = await locator.boundingBox();
  const { height } = page.viewportSize();
  assert.ok(box, `${label}: shown`);
  // A sub-pixel scroll (an anchor on a fractional layout) is still on screen.
  assert.ok(box.y >= -1 && box.y + box.height <= height + 1, `${label}: from y=${box.y.toFixed(1)} to ${Math.round(box.y + box.height)} in a ${height}px screen`);
}

async function serverCells(page, week, child, prestation) {
  const r = await page.request.get(`${server.base}/${slug}/api/v1/reservations?week=${week}`);
  assert.equal(r.status(), 200);
  const data = await r.json();
  return data.children.find((c) => c.first_name === child).rows.find((row) => row.prestation === prestation).cells;
}
const reserved = async (page, week) => (await serverCells(page, week, 'Théo', 'repas')).filter((c) => c.state === 'reserved').map((c) => c.date);

// Weeks of zone B after the test clock's today (Monday 11 January 2027), one per width.
const WEEK = { 375: '2027-W03', 1280: '2027-W04' };
const MONDAY = { 375: 'lundi 18 janvier', 1280: 'lundi 25 janvier' };

for (const width of [375, 1280]) {
  test(`at ${width} px the grid is on the first screen and every change is confirmed where it happened, with its undo`, async () => {
    const { page, context } = await signIn(width);
    const week = WEEK[width];
    await page.goto(`${server.base}/${slug}/reservations?semaine=${week}`);
    assert.match(await page.locator('h2#semaine').innerText(), /^Semaine \d{2} · du \d+ au \d+ janvier$/);
    await assertInViewport(page, page.locator('.week-grid td').first(), 'the first grid cell');
    await shot(page, 'reservations', width);
    await assertAccessible(page, `grid ${width}`);
    await assertNoHorizontalScroll(page, width, `grid ${width}`);

    // Day cells are tap targets; inert ones are out of the Tab order and say why on tap.
    const sizes = await page.locator('.cell-button, .cell-static').evaluateAll((cells) => cells.map((c) => c.getBoundingClientRect()).map((r) => [r.width, r.height]));
    assert.ok(sizes.every(([w, h]) => w >= 44 && h >= 44), `cells at least 44 × 44: ${JSON.stringify(sizes.slice(0, 6))}`);
    assert.equal(await page.locator('.cell-static[tabindex], .cell-static button').count(), 0, 'inert cells are not Tab stops');
    const theo = page.getByRole('article').filter({ has: page.getByRole('heading', { name: 'Théo ALAIN' }) });
    const inert = theo.locator('.cell-static').first();
    await inert.click();
    assert.equal(await theo.locator('.cell-reason').innerText(), await inert.getAttribute('title'), 'the reason of the blocked day is shown as text');
    const nameSize = await theo.locator('.prestation-button, .prestation-name').first().evaluate((e) => e.getBoundingClientRect().height);
    assert.ok(nameSize < 60, `the prestation's name holds on one line (${nameSize}px)`);

    // One day booked: confirmed in Théo's card, on screen, then undone.
    const monday = theo.getByRole('button', { name: `Réserver Repas enfant pour Théo le ${MONDAY[width]}` });
    // With JavaScript the cell changes in place; the confirmation is in the card either way.
    await monday.click();
    const status = theo.getByRole('status');
    await status.filter({ hasText: 'réservé pour Théo' }).waitFor();
    assert.match(await status.innerText(), new RegExp(`Repas enfant du ${MONDAY[width]} réservé pour Théo, annulable jusqu'au ${MONDAY[width]} à 8h30`));
    await assertInViewport(page, status, 'the booking confirmation');
    assert.deepEqual((await reserved(page, week)).length, 1);
    await shot(page, 'reservation-confirmee', width);
    await assertAccessible(page, `booking confirmed ${width}`);
    await status.getByRole('button', { name: 'Annuler' }).click();
    await status.filter({ hasText: 'annulé pour Théo' }).waitFor();
    await assertInViewport(page, theo.getByRole('status'), 'the cancel confirmation');
    assert.deepEqual(await reserved(page, week), [], 'undo restored the week');

    // The whole week by the prestation's name, undone in one tap.
    await Promise.all([page.waitForURL(/info=semaine-reserve/), theo.getByRole('button', { name: 'Réserver Repas enfant pour Théo toute la semaine' }).click()]);
    assert.match(await theo.getByRole('status').innerText(), /4 jours réservés pour la semaine : Repas enfant, Théo/);
    await assertInViewport(page, theo.getByRole('status'), 'the week confirmation');
    assert.equal((await reserved(page, week)).length, 4);
    await Promise.all([page.waitForURL(/info=semaine-annule/), theo.getByRole('status').getByRole('button', { name: 'Annuler' }).click()]);
    assert.deepEqual(await reserved(page, week), [], 'undo cancelled the four days just booked');

    // A fully booked row offers "Annuler la semaine": one tap instead of four.
    await Promise.all([page.waitForURL(/info=semaine-reserve/), theo.getByRole('button', { name: 'Réserver Repas enfant pour Théo toute la semaine' }).click()]);
    await Promise.all([page.waitForURL(/info=semaine-annule/), theo.getByRole('button', { name: 'Annuler Repas enfant pour Théo toute la semaine' }).click()]);
    assert.match(await theo.getByRole('status').innerText(), /4 jours annulés pour la semaine/);
    await assertInViewport(page, theo.getByRole('status'), 'the week cancel confirmation');
    assert.deepEqual(await reserved(page, week), []);
    // …and its undo books them again.
    await Promise.all([page.waitForURL(/info=semaine-reserve/), theo.getByRole('status').getByRole('button', { name: 'Réserver de nouveau' }).click()]);
    assert.equal((await reserved(page, week)).length, 4, 'undo restored the four days');
    await context.close();
  });

  test(`at ${width} px the header is compact, fields are readable, form cards narrow, the 404 page keeps the menu`, async () => {
    const { page, context } = await screen(width);
    await page.goto(`${server.base}/${slug}/connexion`);
    const menuButton = page.getByRole('button', { name: 'Menu' });
    const nav = page.getByRole('navigation', { name: 'Navigation principale' });
    if (width === 375) {
      assert.ok(await menuButton.isVisible(), 'a Menu button on the phone');
      assert.ok(!(await nav.isVisible()), 'the menu is folded');
      await menuButton.click();
      assert.equal(await menuButton.getAttribute('aria-expanded'), 'true');
      assert.ok(await nav.isVisible(), 'the Menu button opens the navigation');
      const header = await page.locator('header').boundingBox();
      await menuButton.click();
      const folded = await page.locator('header').boundingBox();
      assert.ok(folded.height <= 110 && folded.height < header.height, `the folded header is one row (${folded.height}px)`);
    } else {
      assert.ok(!(await menuButton.isVisible()) && (await nav.isVisible()), 'wide screens show the menu');
    }
    const card = await page.locator('main .card').first().boundingBox();
    assert.ok(card.width <= 720, `the sign-in card is ${card.width}px wide`);
    await shot(page, 'connexion', width);
    await assertAccessible(page, `sign-in ${width}`);

    // Every field a parent types in: at least 44 px tall with 16 px text (no zoom on iOS).
    const signedIn = await signIn(width);
    for (const path of ['connexion', 'foyer', 'enfants', 'reservations/masse?prestation=repas&enfants=all', 'mon-compte']) {
      const p = path === 'connexion' ? page : signedIn.page;
      await p.goto(`${server.base}/${slug}/${path}`);
      const fields = await p.locator('input[type=text], input[type=tel], input[type=email], input[type=date], input[type=number], input[type=password]').evaluateAll((inputs) =>
        inputs.map((i) => { const s = getComputedStyle(i); return { name: i.name, minHeight: parseFloat(s.minHeight), font: parseFloat(s.fontSize) }; }));
      const bad = fields.filter((f) => f.minHeight < 44 || f.font < 16);
      assert.deepEqual(bad, [], `${path}: fields under 44 px or 16 px`);
    }

    // The child's page, with its contact forms, follows the same rule.
    await signedIn.page.goto(`${server.base}/${slug}/enfants`);
    await signedIn.page.getByRole('link', { name: 'Théo ALAIN' }).click();
    await signedIn.page.getByRole('link', { name: /^Modifier/ }).first().click();
    const childFields = await signedIn.page.locator('input[type=text], input[type=tel], input[type=email], input[type=date], input[type=number]').evaluateAll((inputs) =>
      inputs.map((i) => { const s = getComputedStyle(i); return { name: i.name, height: i.getBoundingClientRect().height, minHeight: parseFloat(s.minHeight), font: parseFloat(s.fontSize) }; }));
    assert.ok(childFields.length > 0, 'the child page has fields');
    assert.deepEqual(childFields.filter((f) => f.minHeight < 44 || f.font < 16), [], 'child page: fields under 44 px or 16 px');

    // "Mon compte": its card is narrow on a wide screen too.
    await signedIn.page.goto(`${server.base}/${slug}/mon-compte`);
    const account = await signedIn.page.locator('main .card').first().boundingBox();
    assert.ok(account.width <= 720, `the account card is ${account.width}px wide`);
    await shot(signedIn.page, 'mon-compte', width);
    await assertAccessible(signedIn.page, `account ${width}`);

    // The family file: the pencil hides while its field is edited.
    const family = signedIn.page;
    await family.goto(`${server.base}/${slug}/foyer`);
    const sophie = family.getByRole('article').filter({ has: family.getByRole('heading', { name: /Sophie/ }) });
    await sophie.locator('summary', { hasText: 'Coordonnées' }).click();
    const pencil = sophie.getByRole('link', { name: 'Modifier Téléphone', exact: true });
    await pencil.click();
    assert.ok(!(await pencil.isVisible()), 'the pencil is hidden while editing');
    assert.ok(await sophie.getByLabel('Téléphone', { exact: true }).isVisible());
    const tel = await sophie.getByLabel('Téléphone', { exact: true }).boundingBox();
    assert.ok(tel.height >= 44, `the phone field is ${tel.height}px tall`);
    await shot(family, 'foyer-edition', width);

    // A page that does not exist: the municipality's banner and menu, and ways back.
    const r = await family.goto(`${server.base}/${slug}/nulle-part`);
    assert.equal(r.status(), 404);
    assert.match(await family.locator('header').innerText(), /Mairie de Démonstration/);
    if (width === 375) await family.getByRole('button', { name: 'Menu' }).click();
    assert.ok(await family.getByRole('navigation', { name: 'Navigation principale' }).getByRole('link', { name: 'Réservations' }).isVisible());
    assert.ok(await family.getByRole('main').getByRole('link', { name: "Retour à l'accueil" }).isVisible());
    await shot(family, '404', width);
    await assertAccessible(family, `404 ${width}`);

    // Signed out, the help page does not mark "Se connecter" as the current page.
    await page.goto(`${server.base}/${slug}/aide-connexion`);
    assert.equal(await page.locator('[aria-current="page"]').count(), 0);
    await signedIn.context.close();
    await context.close();
  });
}

for (const width of [375, 1280]) {
  test(`at ${width} px every account form refuses with the one error pattern`, async () => {
    const { page, context } = await screen(width);
    /** The summary: announced, focused, on screen, each refused field a link to its input. */
    const refusal = async (id, links, label) => {
      const summary = page.locator(`#${id}`);
      await summary.waitFor();
      assert.equal(await summary.getAttribute('role'), 'alert');
      assert.equal(await summary.evaluate((s) => s === document.activeElement), true, `${label}: the summary takes the focus`);
      await assertInViewport(page, summary, `${label}: the summary`);
      assert.deepEqual(await summary.locator('a').evaluateAll((as) => as.map((a) => a.getAttribute('href'))), links, `${label}: links to the fields`);
      assert.match(await page.title(), /^Erreur : /, `${label}: the title says so first`);
      await shot(page, label, width);
      await assertAccessible(page, `${label} ${width}`);
      return summary;
    };

    // An empty sign-in says which field is missing, not "incorrect"; what was typed stays.
    await page.goto(`${server.base}/${slug}/connexion`);
    await page.getByRole('button', { name: 'Valider' }).click();
    let summary = await refusal('connexion-erreur', ['#email', '#password'], 'connexion-vide');
    assert.match(await summary.innerText(), /Adresse e-mail : Saisissez votre adresse e-mail\./);
    assert.doesNotMatch(await summary.innerText(), /incorrect/);
    await page.getByLabel('Adresse e-mail').fill('paul.alain@demo.example');
    await page.getByRole('button', { name: 'Valider' }).click();
    summary = await refusal('connexion-erreur', ['#password'], 'connexion-mot-de-passe-vide');
    assert.equal(await page.getByLabel('Adresse e-mail').inputValue(), 'paul.alain@demo.example', 'the address is kept');
    assert.match(await page.locator('#password-erreur').innerText(), /Saisissez votre mot de passe/);
    // A wrong password: one sentence, the same summary.
    await page.getByLabel('Mot de passe', { exact: true }).fill('pas-le-bon');
    await page.getByRole('button', { name: 'Valider' }).click();
    summary = await refusal('connexion-erreur', [], 'connexion-refusee');
    assert.match(await summary.innerText(), /Adresse e-mail ou mot de passe incorrect\./);

    // Changing the password with a wrong current one: said next to that field.
    await signInParent(page, server.base, slug, 'paul.alain@demo.example', PASSWORD);
    await page.goto(`${server.base}/${slug}/mon-compte/mot-de-passe`);
    const card = await page.locator('main .card').first().boundingBox();
    assert.ok(card.width <= 720, `the password card is ${card.width}px wide`);
    await page.getByLabel('Mot de passe actuel').fill('pas-le-bon');
    await page.getByLabel('Nouveau mot de passe').fill('Une-Autre#Phrase-2027x');
    await page.getByRole('button', { name: 'Valider' }).click();
    summary = await refusal('changer-erreur', ['#current'], 'mot-de-passe-refuse');
    assert.match(await page.locator('#current-erreur').innerText(), /Le mot de passe actuel est incorrect\./);
    assert.equal(await page.getByLabel('Mot de passe actuel').getAttribute('aria-invalid'), 'true');

    // Changing the e-mail address: both fields said, the typed address kept.
    await page.goto(`${server.base}/${slug}/mon-compte/adresse-email`);
    await page.getByLabel('Nouvelle adresse e-mail').fill('pas-une-adresse');
    await page.getByRole('button', { name: 'Envoyer le lien de confirmation' }).click();
    summary = await refusal('adresse-erreur', ['#email', '#current'], 'adresse-refusee');
    assert.equal(await page.getByLabel('Nouvelle adresse e-mail').inputValue(), 'pas-une-adresse');
    await context.close();
  });
}
