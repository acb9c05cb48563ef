// "Mes documents" in headless Chromium: a parent signs in through the page, opens "+ AJOUTER
// UN NOUVEAU DOCUMENT", sends a PDF for a child with the form, sees the confirmation and the
// document in the list, and downloads the same bytes. A file that is not a PDF, JPEG or PNG is
// refused in the form, in French. The page has zero axe-core violations at 375 px and 1280 px,
// empty, filled and with an error.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, WIDTHS, SCREENSHOTS, portail, randomSlug, serve, smtpSink, launch, open, assertAccessible, assertNoHorizontalScroll, menu } from './harness.mjs';

const slug = randomSlug('documents');
const PASSWORD = 'Vélo#Rouge42x';
const PDF = Buffer.from('%PDF-1.4\n1 0 obj <</Type /Catalog /Pages 2 0 R>> endobj\n2 0 obj <</Type /Pages /Kids [] /Count 0>> endobj\ntrailer <</Root 1 0 R>>\n%%EOF\n');
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
  const asked = await fetch(`${server.base}/${slug}/api/v1/auth/password-reset`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'paul.alain@demo.example' }) });
  assert.equal(asked.status, 202);
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

/** Signs Paul in through the sign-in page and opens "Mes documents" from the banner. */
async function documentsPage(width, name) {
  const { page, context } = await open(browser, server.base, `/${slug}/connexion`, width, name);
  await page.getByLabel('Adresse e-mail').fill('paul.alain@demo.example');
  await page.getByLabel('Mot de passe', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Valider' }).click();
  await page.waitForURL(`**/${slug}/`);
  await (await menu(page)).getByRole('link', { name: 'Mes documents' }).click();
  await page.waitForURL(`**/${slug}/documents`);
  assert.equal(await page.locator('h1').innerText(), 'Mes documents');
  return { page, context };
}

test('a parent sends a PDF for a child through the form, sees it confirmed and listed, and downloads it', async () => {
  const { page, context } = await documentsPage(375, 'documents-connexion');
  await page.locator('summary', { hasText: 'Ajouter un nouveau document' }).click();
  await page.getByLabel('Nom du document').fill('Certificat médical');
  await page.getByLabel('Description').fill('Pour la piscine, valable un an');
  await page.getByLabel('Personne concernée').selectOption({ label: 'Théo ALAIN' });
  await page.getByLabel('Fichier').setInputFiles({ name: 'certificat.pdf', mimeType: 'application/pdf', buffer: PDF });
  await page.screenshot({ path: join(SCREENSHOTS, 'documents-formulaire-375.png'), fullPage: true });
  await page.getByRole('button', { name: 'Envoyer' }).click();
  await page.waitForURL(`**/${slug}/documents?info=document-envoye#documents-titre`);
  assert.equal(await page.getByRole('status').innerText(), 'Votre document a bien été envoyé.');
  const item = page.getByRole('listitem').filter({ has: page.getByRole('heading', { name: 'Certificat médical' }) });
  assert.match(await item.innerText(), /Pour la piscine, valable un an/);
  assert.match(await item.innerText(), /Théo ALAIN · envoyé le \p{L}+ \d{1,2}(er)? \p{L}+ \d{4} · PDF/u);
  await page.screenshot({ path: join(SCREENSHOTS, 'documents-envoye-375.png'), fullPage: true });

  const link = item.getByRole('link', { name: /Télécharger/ });
  assert.equal(await link.evaluate((a) => getComputedStyle(a).textTransform), 'none', 'labels are not shouted in capitals');
  const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
  assert.equal(download.suggestedFilename(), 'Certificat médical.pdf');
  const dir = join(ROOT, 'target', 'downloads');
  mkdirSync(dir, { recursive: true });
  const saved = join(dir, `${slug}.pdf`);
  await download.saveAs(saved);
  assert.deepEqual(readFileSync(saved), PDF, 'the same bytes');
  await context.close();
});

test('a file that is not a PDF, JPEG or PNG is refused in the form, in French, with what was typed', async () => {
  const { page, context } = await documentsPage(1280, 'documents-connexion');
  await page.locator('summary', { hasText: 'Ajouter un nouveau document' }).click();
  await page.getByLabel('Nom du document').fill('Page web');
  await page.getByLabel('Fichier').setInputFiles({ name: 'facture.pdf', mimeType: 'application/pdf', buffer: Buffer.from('<!doctype html><p>pas un PDF</p>') });
  await page.getByRole('button', { name: 'Envoyer' }).click();
  assert.match(await page.getByRole('alert').innerText(), /Ce type de fichier n'est pas accepté/);
  assert.equal(await page.getByLabel('Nom du document').inputValue(), 'Page web');
  assert.equal(await page.getByLabel('Fichier').getAttribute('aria-invalid'), 'true');
  await page.screenshot({ path: join(SCREENSHOTS, 'documents-refuse-1280.png'), fullPage: true });
  await assertAccessible(page, 'documents refusé 1280');
  await context.close();
});

for (const width of WIDTHS) {
  test(`"Mes documents" at ${width} px has no axe-core violation and fits the screen, closed and open`, async () => {
    const { page, context } = await documentsPage(width, 'documents-connexion');
    await page.screenshot({ path: join(SCREENSHOTS, `mes-documents-${width}.png`), fullPage: true });
    await assertAccessible(page, `mes documents ${width}`);
    await assertNoHorizontalScroll(page, width, `mes documents ${width}`);
    await page.locator('summary', { hasText: 'Ajouter un nouveau document' }).click();
    await page.getByRole('button', { name: 'Envoyer' }).click();
    assert.match(await page.getByRole('alert').innerText(), /Nom du document : Indiquez le nom du document/);
    await page.screenshot({ path: join(SCREENSHOTS, `mes-documents-erreurs-${width}.png`), fullPage: true });
    await assertAccessible(page, `mes documents erreurs ${width}`);
    await assertNoHorizontalScroll(page, width, `mes documents erreurs ${width}`);
    await context.close();
  });
}
