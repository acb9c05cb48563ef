#!/usr/bin/env node
// SMTP sink for Portail Famille's tests: a real SMTP server (nodemailer's smtp-server) on
// 127.0.0.1 that stores every accepted message verbatim as a .eml file and indexes it.
//
//   SMTP_PORT  port to listen on (default 0: a free port, announced on stdout)
//   MAIL_DIR   folder for the messages (created; default ./mail)
//
// stdout carries exactly one line, `SMTP_SINK_READY port=<port>`; everything else goes to stderr.
// While the file $MAIL_DIR/.refuse exists, each message is answered `451` at the end of DATA
// (a temporary failure: the client is expected to retry later).

import { appendFile, mkdir, rename, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import process from 'node:process';

import { SMTPServer } from 'smtp-server';
import { simpleParser } from 'mailparser';

const log = (...args) => console.error('[smtp-sink]', ...args);

function parsePort(raw, name) {
  const port = Number(raw ?? 0);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    log(`${name} must be a port number (0 = any free port), got ${JSON.stringify(raw)}`);
    process.exit(2);
  }
  return port;
}

const port = parsePort(process.env.SMTP_PORT, 'SMTP_PORT');
const mailDir = path.resolve(process.env.MAIL_DIR || 'mail');
const refuseFlag = path.join(mailDir, '.refuse');
const indexFile = path.join(mailDir, 'index.jsonl');

await mkdir(mailDir, { recursive: true });

let counter = 0;
// Index lines are appended one after another, in the order messages were accepted.
let indexQueue = Promise.resolve();

function readAll(stream) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    stream.on('data', (chunk) => chunks.push(chunk));
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
  });
}

async function store(raw, session) {
  const receivedAt = new Date();
  counter += 1;
  const n = counter;
  const file = `${receivedAt.getTime()}-${n}.eml`;
  const target = path.join(mailDir, file);
  // Written under a temporary name, then renamed: a reader never sees half a message.
  const temporary = path.join(mailDir, `.${file}.part`);
  await writeFile(temporary, raw);
  await rename(temporary, target);

  let subject = null;
  let text = null;
  try {
    const parsed = await simpleParser(raw, { skipImageLinks: true, skipTextToHtml: true });
    subject = parsed.subject ?? null;
    text = parsed.text ?? null;
  } catch (error) {
    log(`could not parse ${file}: ${error.message}`);
  }

  const entry = {
    file,
    from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
    to: session.envelope.rcptTo.map((rcpt) => rcpt.address),
    subject,
    received_at: receivedAt.toISOString(),
    text,
  };
  indexQueue = indexQueue.then(() => appendFile(indexFile, `${JSON.stringify(entry)}\n`));
  await indexQueue;
  log(`stored ${file} from <${entry.from}> to ${entry.to.map((a) => `<${a}>`).join(', ')}`);
}

const server = new SMTPServer({
  name: 'portail-smtp-sink',
  banner: 'Portail Famille test SMTP sink',
  secure: false,
  disabledCommands: ['STARTTLS'],
  authOptional: true,
  allowInsecureAuth: true,
  authMethods: ['PLAIN', 'LOGIN', 'CRAM-MD5'],
  logger: false,
  closeTimeout: 1000,
  onAuth(auth, _session, callback) {
    // Any credentials are accepted: the sink only records what it is sent.
    callback(null, { user: auth.username || 'anonymous' });
  },
  onData(stream, session, callback) {
    readAll(stream)
      .then(async (raw) => {
        if (stream.sizeExceeded) {
          const error = new Error('Message too big');
          error.responseCode = 552;
          throw error;
        }
        if (existsSync(refuseFlag)) {
          log('refusing a message: .refuse is present');
          const error = new Error('Temporary failure, try again later (.refuse present)');
          error.responseCode = 451;
          throw error;
        }
        await store(raw, session);
      })
      .then(() => callback(null, 'Message stored'), (error) => {
        if (!error.responseCode) {
          log(`failed to store a message: ${error.stack || error}`);
          error.responseCode = 451;
        }
        callback(error);
      });
  },
});

let ready = false;
server.on('error', (error) => {
  log(`error: ${error.message}`);
  if (!ready) process.exit(1); // e.g. the port is taken: no ready line will come
});

server.listen(port, '127.0.0.1', () => {
  ready = true;
  const actual = server.server.address().port;
  process.stdout.write(`SMTP_SINK_READY port=${actual}\n`);
  log(`listening on 127.0.0.1:${actual}, writing to ${mailDir}`);
});

let stopping = false;
function stop(signal) {
  if (stopping) return;
  stopping = true;
  log(`${signal}: closing`);
  const force = setTimeout(() => process.exit(0), 3000);
  force.unref();
  server.close(() => {
    indexQueue.finally(() => process.exit(0));
  });
}
process.on('SIGTERM', () => stop('SIGTERM'));
process.on('SIGINT', () => stop('SIGINT'));
