// Messaging in headless Chromium: a parent opens "Messagerie" from the banner, writes to
// "Service enfance" with bold text in the rich-text editor and sees the confirmation; the
// service gets its mail; an agent (accueil, signed in with TOTP) finds the conversation first
// in the service's inbox and answers; the parent gets the mail, sees the unread count in the
// banner and reads the answer, signed with the service's name, in the thread. The parent's
// message carries a PDF ("Pièces jointes"), which the agent sees in the conversation and
// downloads, the same bytes; the agent answers with a file of their own, which the parent
// downloads. Every page has zero axe-core violations at 375 px and 1280 px.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readFile } from 'node:fs/promises';
import { ROOT, WIDTHS, SCREENSHOTS, TEST_NOW, portail, randomSlug, serve, smtpSink, launch, open, assertAccessible, assertNoHorizontalScroll, totp, menu } from './harness.mjs';

const slug = randomSlug('messagerie');
const PASSWORD = 'Vélo#Rouge42x';
const PAUL = 'paul.alain@demo.example';
const AGENT = 'alice.accueil@mairie.example';
const ENFANCE = 'service.enfance@demo.example';
let server;
let sink;
let browser;
let recoveryCodes = [];
let conversationPath;
const PDF = Buffer.from('%PDF-1.4\n1 0 obj <</Type /Catalog /Pages 2 0 R>> endobj\n2 0 obj <</Type /Pages /Kids [] /Count 0>> endobj\ntrailer <</Root 1 0 R>>\n%%EOF\n');

/** Clicks a file's link and answers the downloaded file's name and bytes. */
async function downloaded(page, link) {
  const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
  return { name: download.suggestedFilename(), bytes: await readFile(await download.path()) };
}

/**
 * The first mail to `addr` that `wanted` accepts: the server's sweep also delivers mail other
 * tests left in the shared database's outboxes.
 */
async function mailTo(addr, wanted) {
  for (let n = 1; ; n++) {
    const mail = await sink.waitFor(addr, n);
    if (wanted(mail)) return mail;
  }
}

async function check(page, width, label) {
  // A screenshot of each state checked, for people reviewing the pages.
  await page.screenshot({ path: join(SCREENSHOTS, `messagerie-${label.replaceAll(' ', '-')}-${width}.png`), fullPage: true });
  await assertAccessible(page, `${label} ${width}px`);
  await assertNoHorizontalScroll(page, width, `${label} ${width}px`);
}

async function post(path, body) {
  return fetch(`${server.base}/${slug}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

before(async () => {
  portail('migrate');
  portail('tenant', 'create', slug, '--config', join(ROOT, 'tenants', 'examples', 'demo.toml'));
  portail('tenant', 'import-families', slug, join(ROOT, 'tenants', 'examples', 'families.csv'));
  portail('staff', 'invite', slug, AGENT, '--name', 'Alice ACCUEIL', '--role', 'accueil', '--test-clock', TEST_NOW);
  sink = await smtpSink();
  const started = Date.now();
  server = await serve({ SMTP_URL: sink.url, MAIL_SWEEP_SECONDS: '1' });
  browser = await launch();

  // Paul's password, through the real first-connection mail.
  let r = await post('/api/v1/auth/password-reset', { email: PAUL });
  assert.equal(r.status, 202);
  const reset = (await mailTo(PAUL, (m) => m.text.includes(`/${slug}/nouveau-mot-de-passe`))).text.match(/token=([A-Za-z0-9_-]{43})/)[1];
  r = await post('/api/v1/auth/password-reset/confirm', { token: reset, password: PASSWORD });
  assert.equal(r.status, 204);

  // The agent activates the account (the back-office pages have their own browser test):
  // recovery codes stand in for TOTP codes at the sign-ins below.
  const token = (await mailTo(AGENT, (m) => m.text.includes(`/${slug}/gestion/activation`))).text.match(/activation\?token=([A-Za-z0-9_-]{43})/)[1];
  r = await post('/api/v1/staff/auth/activate', { token, password: PASSWORD });
  assert.equal(r.status, 200);
  const { totp_secret: secret } = await r.json();
  const portalNow = Date.parse(TEST_NOW) + (Date.now() - started);
  r = await post('/api/v1/staff/auth/activate/confirm', { token, code: totp(secret, portalNow) });
  assert.equal(r.status, 200, await r.clone().text());
  recoveryCodes = (await r.json()).recovery_codes;
});

after(async () => {
  await browser?.close();
  server?.stop();
  sink?.stop();
  portail('tenant', 'delete', slug, '--confirm', slug);
});

async function parentSignedIn(width, name) {
  const { page, context } = await open(browser, server.base, `/${slug}/connexion`, width, name);
  await page.getByLabel('Adresse e-mail').fill(PAUL);
  await page.getByLabel('Mot de passe', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Valider' }).click();
  await page.waitForURL(`**/${slug}/`);
  return { page, context };
}

async function agentSignedIn(code, width, name) {
  const { page, context } = await open(browser, server.base, `/${slug}/gestion/connexion`, width, name);
  await page.getByLabel('Adresse e-mail').fill(AGENT);
  await page.getByLabel('Mot de passe', { exact: true }).fill(PASSWORD);
  await page.getByLabel('Code de vérification').fill(code);
  await page.getByRole('button', { name: 'Valider' }).click();
  await page.waitForURL(`**/${slug}/gestion/`);
  return { page, context };
}

test('a parent writes to Service enfance in bold, the service answers, the parent is told and reads the answer', async () => {
  const width = WIDTHS[0];
  const parent = await parentSignedIn(width, 'messagerie-parent');
  const nav = async () => menu(parent.page);
  await (await nav()).getByRole('link', { name: 'Messagerie' }).click();
  await parent.page.waitForURL(`**/${slug}/messagerie`);
  const main = parent.page.locator('main');
  assert.match(await main.innerText(), /Par voie postale[\s\S]*1 place de la mairie - 22300 Lannion[\s\S]*02 02 02 02 02/);
  assert.match(await main.innerText(), /Mes conversations/);
  await check(parent.page, width, 'messagerie');

  await parent.page.getByRole('link', { name: 'Service enfance' }).click();
  await parent.page.getByLabel('Objet du message').fill('Enfant malade');
  // The editor: a toolbar of labelled buttons, B pressed while bold is on.
  const editor = parent.page.getByRole('textbox', { name: 'Votre message' });
  const bold = parent.page.getByRole('button', { name: 'Gras' });
  for (const name of ['Gras', 'Italique', 'Souligné', 'Annuler', 'Rétablir']) {
    assert.equal(await parent.page.getByRole('toolbar', { name: 'Mise en forme' }).getByRole('button', { name }).count(), 1, name);
  }
  await editor.click();
  await editor.pressSequentially('Bonjour, ');
  await bold.click();
  assert.equal(await bold.getAttribute('aria-pressed'), 'true');
  await editor.pressSequentially('Théo a de la fièvre');
  await bold.click();
  assert.equal(await bold.getAttribute('aria-pressed'), 'false');
  await editor.pressSequentially(' aujourd’hui.');
  await parent.page.getByLabel('Pièces jointes (facultatif)').setInputFiles({ name: 'Certificat médical.pdf', mimeType: 'application/pdf', buffer: PDF });
  await check(parent.page, width, 'nouveau message');
  await parent.page.getByRole('button', { name: '▶ Envoyer' }).click();
  await parent.page.waitForURL(/\/messagerie\/[0-9a-f-]{36}\?info=envoye$/);
  conversationPath = new URL(parent.page.url()).pathname;
  assert.equal(await parent.page.getByRole('status').innerText(), 'Votre message a bien été envoyé.');
  assert.equal(await parent.page.locator('.thread-body b').innerText(), 'Théo a de la fièvre');
  assert.equal(await parent.page.locator('.thread-author').first().innerText(), 'Moi');
  const mine = parent.page.locator('.thread-family .thread-files');
  assert.match(await mine.innerText(), /Certificat médical\.pdf \(PDF, \d+ octets\)/);
  await check(parent.page, width, 'conversation');

  // The service's mail, with the message.
  const announce = await mailTo(ENFANCE, (m) => m.text.includes(`/${slug}/gestion/messagerie/`));
  assert.equal(announce.subject, 'Nouveau message de la famille ALAIN : Enfant malade');
  assert.match(announce.text, /Théo a de la fièvre aujourd’hui\./);

  // The agent: the conversation first in the inbox, answered from its page.
  const agent = await agentSignedIn(recoveryCodes[0], width, 'messagerie-agent');
  await (await menu(agent.page)).getByRole('link', { name: 'Messagerie' }).click();
  await agent.page.waitForURL(`**/${slug}/gestion/messagerie`);
  const firstRow = agent.page.locator('tbody tr').first();
  assert.match(await firstRow.innerText(), /Enfant malade\s+Nouveau[\s\S]*ALAIN/);
  await check(agent.page, width, 'inbox');
  await firstRow.getByRole('link', { name: 'Enfant malade' }).click();
  assert.equal(await agent.page.locator('.thread-body b').innerText(), 'Théo a de la fièvre');
  await check(agent.page, width, 'staff conversation');
  // The family's file, downloaded from the conversation: the same bytes.
  const sent = await downloaded(agent.page, agent.page.getByRole('link', { name: 'Certificat médical.pdf' }));
  assert.equal(sent.name, 'Certificat médical.pdf');
  assert.deepEqual(sent.bytes, PDF, 'the same bytes');
  const reply = agent.page.getByRole('textbox', { name: 'Votre message' });
  await reply.click();
  await reply.pressSequentially('Bien noté, nous décomptons la cantine. ');
  await agent.page.getByRole('button', { name: 'Italique' }).click();
  await reply.pressSequentially('Bon rétablissement !');
  await agent.page.getByLabel('Pièces jointes (facultatif)').setInputFiles({ name: 'Menu adapté.pdf', mimeType: 'application/pdf', buffer: PDF });
  await agent.page.getByRole('button', { name: '▶ Envoyer' }).click();
  assert.equal(await agent.page.getByRole('status').innerText(), 'Votre réponse a été envoyée à la famille.');
  await agent.context.close();

  // Paul's mail, the unread count in the banner, the answer in the thread.
  const told = await mailTo(PAUL, (m) => m.text.includes(`/${slug}/messagerie/`));
  assert.equal(told.subject, 'Service enfance vous a répondu');
  assert.ok(told.text.includes(`${server.base}${conversationPath}`), told.text);
  await parent.page.goto(`${server.base}/${slug}/messagerie`);
  // The count is shown, and read out as words.
  assert.equal(await (await nav()).getByRole('link', { name: 'Messagerie (1 message non lu)', exact: true }).locator('.badge').innerText(), '1');
  assert.match(await main.innerText(), /Enfant malade[\s\S]*1 non lu/);
  await check(parent.page, width, 'messagerie unread');
  await parent.page.goto(`${server.base}${conversationPath}`);
  const answer = parent.page.locator('.thread-service');
  assert.equal(await answer.locator('.thread-author').innerText(), 'Service enfance');
  assert.equal(await answer.locator('.thread-body i').innerText(), 'Bon rétablissement !');
  const theirs = await downloaded(parent.page, answer.getByRole('link', { name: 'Menu adapté.pdf' }));
  assert.equal(theirs.name, 'Menu adapté.pdf');
  assert.deepEqual(theirs.bytes, PDF, 'the same bytes');
  assert.equal(await (await nav()).getByRole('link', { name: 'Messagerie', exact: true }).count(), 1);
  assert.equal(await (await nav()).locator('.badge').count(), 0);
  await check(parent.page, width, 'conversation answered');
  await parent.context.close();
});

test('the messaging pages have no axe-core violations at 1280 px either', async () => {
  const width = WIDTHS[1];
  const parent = await parentSignedIn(width, 'messagerie-parent-large');
  await parent.page.goto(`${server.base}/${slug}/messagerie`);
  await check(parent.page, width, 'messagerie');
  await parent.page.goto(`${server.base}/${slug}/messagerie/nouveau?service=jeunesse`);
  await check(parent.page, width, 'nouveau message');
  // Refused (empty): the errors are announced and linked.
  await parent.page.getByRole('button', { name: '▶ Envoyer' }).click();
  assert.match(await parent.page.getByRole('alert').innerText(), /Indiquez l'objet du message/);
  await check(parent.page, width, 'nouveau message refusé');
  await parent.page.goto(`${server.base}${conversationPath}`);
  await check(parent.page, width, 'conversation');
  await parent.context.close();

  const agent = await agentSignedIn(recoveryCodes[1], width, 'messagerie-agent-large');
  await agent.page.goto(`${server.base}/${slug}/gestion/messagerie?service=enfance`);
  await check(agent.page, width, 'inbox');
  await agent.page.getByRole('link', { name: 'Enfant malade' }).click();
  await agent.page.getByRole('button', { name: 'Clore la conversation' }).click();
  assert.equal(await agent.page.getByRole('status').innerText(), 'La conversation est close.');
  await check(agent.page, width, 'staff conversation');
  await agent.context.close();
});
