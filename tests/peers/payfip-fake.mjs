#!/usr/bin/env node
// A faithful local fake of PayFiP's web service (see shared/design/PAYFIP.md) for Portail
// Famille's tests and demo, with Node's own http module:
//
//   POST /tpa/services/securite   SOAP creerPaiementSecurise → idOp (checks the fields as PayFiP
//                                 does), recupererDetailPaiementSecurise → the result, or the
//                                 FonctionnelleErreur P1 (unknown idOp) / P5 (no result yet)
//   GET  /tpa/paiementws.web?idop= the payment page: "Payer", "Refuser", "Abandonner"
//   POST /tpa/paiementws.web       the payer's choice: the result is set (P, R, A), urlnotif is
//                                  notified with the idOp (form), the browser goes to urlredirect
//   POST /fake/result              tests only: {idOp, resultrans, montant?, refdet?} sets a
//                                  result without notifying (forged answers, Z, V…)
//   POST /fake/notify              tests only: {idOp} notifies urlnotif now
//
//   PAYFIP_PORT  port to listen on (default 0: a free port, announced on stdout)
//
// stdout carries exactly one line, `PAYFIP_FAKE_READY port=<port>`; the rest goes to stderr.

import http from 'node:http';
import { randomBytes } from 'node:crypto';
import process from 'node:process';

const log = (...args) => console.error('[payfip-fake]', ...args);
const port = Number(process.env.PAYFIP_PORT ?? 0);
/** idOp → { fields sent, result } */
const operations = new Map();

const tag = (xml, name) => {
  const m = xml.match(new RegExp(`<(?:[A-Za-z0-9_]+:)?${name}>([\\s\\S]*?)</(?:[A-Za-z0-9_]+:)?${name}>`));
  return m ? m[1].replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&amp;/g, '&') : undefined;
};
const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const envelope = (body) => `<?xml version="1.0" encoding="UTF-8"?><S:Envelope xmlns:S="http://schemas.xmlsoap.org/soap/envelope/"><S:Body>${body}</S:Body></S:Envelope>`;
const fault = (code, libelle) => envelope(`<S:Fault><faultcode>S:Server</faultcode><faultstring>${esc(libelle)}</faultstring><detail><ns2:FonctionnelleErreur xmlns:ns2="http://securite.service.tpa.cp.finances.gouv.fr/reponse"><code>${code}</code><descriptif>${esc(libelle)}</descriptif><libelle>${esc(libelle)}</libelle></ns2:FonctionnelleErreur></detail></S:Fault>`);

function checkCreation(f) {
  if (!/^\d{6}$/.test(f.numcli ?? '')) return ['R3', 'numcli invalide'];
  if (!/^\d{4}$/.test(f.exer ?? '')) return ['R4', 'exer invalide'];
  if (!/^[A-Za-z0-9]{1,30}$/.test(f.refdet ?? '')) return ['R5', 'refdet invalide'];
  const montant = Number(f.montant);
  if (!Number.isInteger(montant) || montant < 100 || montant > 10_000_000) return ['R6', 'montant invalide'];
  if (!f.mel || f.mel.length < 6 || f.mel.length > 80 || !f.mel.includes('@')) return ['R7', 'mel invalide'];
  if (f.objet && !/^[A-Za-z0-9 ]{0,100}$/.test(f.objet)) return ['R8', 'objet invalide'];
  if (!['T', 'X', 'W'].includes(f.saisie)) return ['R9', 'saisie invalide'];
  if (!/^https?:\/\//.test(f.urlnotif ?? '') || !/^https?:\/\//.test(f.urlredirect ?? '')) return ['R10', 'url invalide'];
  return null;
}

function readBody(req) {
  return new Promise((resolve) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}

async function notify(op, idOp) {
  try {
    const r = await fetch(op.fields.urlnotif, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ idOp }) });
    log('notified', idOp, r.status);
  } catch (e) {
    log('notification failed', idOp, e.message);
  }
}

function soap(body, res) {
  const send = (status, xml) => { res.writeHead(status, { 'content-type': 'text/xml; charset=utf-8' }); res.end(xml); };
  if (body.includes('creerPaiementSecurise')) {
    const names = ['numcli', 'exer', 'refdet', 'montant', 'mel', 'objet', 'saisie', 'urlnotif', 'urlredirect'];
    const fields = Object.fromEntries(names.map((n) => [n, tag(body, n)]));
    const refused = checkCreation(fields);
    if (refused) return send(500, fault(...refused));
    const idOp = randomBytes(16).toString('hex');
    operations.set(idOp, { fields, result: null, created: Date.now() });
    return send(200, envelope(`<ns2:creerPaiementSecuriseResponse xmlns:ns2="http://securite.service.tpa.cp.finances.gouv.fr/services/mas_securite/contrat_paiement_securise/PaiementSecuriseService"><return><idOp>${idOp}</idOp></return></ns2:creerPaiementSecuriseResponse>`));
  }
  if (body.includes('recupererDetailPaiementSecurise')) {
    const idOp = tag(body, 'idOp');
    const op = operations.get(idOp);
    if (!op) return send(500, fault('P1', 'IdOp incorrect'));
    if (!op.result) return send(500, fault('P5', 'Résultat de la transaction non connu'));
    const f = { ...op.fields, ...op.result.overrides };
    const now = new Date();
    const dd = String(now.getDate()).padStart(2, '0') + String(now.getMonth() + 1).padStart(2, '0') + now.getFullYear();
    const hh = String(now.getHours()).padStart(2, '0') + String(now.getMinutes()).padStart(2, '0');
    const fields = { dattrans: dd, heurtrans: hh, exer: f.exer, idOp, mel: f.mel, montant: f.montant, numauto: op.result.resultrans === 'P' ? '123456' : '', numcli: f.numcli, objet: f.objet ?? '', refdet: f.refdet, resultrans: op.result.resultrans, saisie: f.saisie };
    const xml = Object.entries(fields).map(([k, v]) => `<${k}>${esc(v)}</${k}>`).join('');
    return send(200, envelope(`<ns2:recupererDetailPaiementSecuriseResponse xmlns:ns2="http://securite.service.tpa.cp.finances.gouv.fr/services/mas_securite/contrat_paiement_securise/PaiementSecuriseService"><return>${xml}</return></ns2:recupererDetailPaiementSecuriseResponse>`));
  }
  return send(500, fault('S1', 'opération inconnue'));
}

function page(op, idOp) {
  const euros = (Number(op.fields.montant) / 100).toFixed(2).replace('.', ',');
  return `<!doctype html><html lang="fr"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>PayFiP (simulation)</title></head>
<body style="font-family: sans-serif; max-width: 40rem; margin: 2rem auto; padding: 0 1rem;">
<main><h1>Paiement PayFiP (simulation locale)</h1>
<p>Référence : ${esc(op.fields.refdet)} · Exercice ${esc(op.fields.exer)} · Montant : ${euros} €</p>
<form method="post" action="/tpa/paiementws.web"><input type="hidden" name="idop" value="${esc(idOp)}">
<button name="choix" value="P">Payer</button> <button name="choix" value="R">Refuser</button> <button name="choix" value="A">Abandonner</button>
</form></main></body></html>`;
}

const server = http.createServer(async (req, res) => {
  const url = new URL(req.url, 'http://localhost');
  const body = req.method === 'POST' ? await readBody(req) : '';
  if (url.pathname === '/tpa/services/securite' && req.method === 'POST') return soap(body, res);
  if (url.pathname === '/tpa/paiementws.web' && req.method === 'GET') {
    const idOp = url.searchParams.get('idop');
    const op = operations.get(idOp);
    if (!op) { res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }); return res.end('Opération inconnue'); }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    return res.end(page(op, idOp));
  }
  if (url.pathname === '/tpa/paiementws.web' && req.method === 'POST') {
    const form = new URLSearchParams(body);
    const idOp = form.get('idop');
    const op = operations.get(idOp);
    const choice = form.get('choix');
    if (!op || !['P', 'R', 'A'].includes(choice)) { res.writeHead(400); return res.end(); }
    op.result ??= { resultrans: choice, overrides: {} };
    await notify(op, idOp);
    res.writeHead(303, { location: op.fields.urlredirect });
    return res.end();
  }
  if (url.pathname === '/fake/result' && req.method === 'POST') {
    const { idOp, resultrans, ...overrides } = JSON.parse(body || '{}');
    const op = operations.get(idOp);
    if (!op) { res.writeHead(404); return res.end(); }
    op.result = { resultrans, overrides };
    res.writeHead(204);
    return res.end();
  }
  if (url.pathname === '/fake/notify' && req.method === 'POST') {
    const { idOp } = JSON.parse(body || '{}');
    const op = operations.get(idOp);
    if (!op) { res.writeHead(404); return res.end(); }
    await notify(op, idOp);
    res.writeHead(204);
    return res.end();
  }
  res.writeHead(404);
  res.end();
});

server.listen(port, '127.0.0.1', () => {
  process.stdout.write(`PAYFIP_FAKE_READY port=${server.address().port}\n`);
});
