import { execFile } from 'node:child_process';
import { request } from 'node:https';
import { request as httpRequest } from 'node:http';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import bcrypt from 'bcryptjs';

// Test plumbing for servers behind TLS and passwords: a throwaway CA with a certificate for
// 127.0.0.1 (openssl), bcrypt hashes for Prometheus' web config, and a readiness probe that
// authenticates the way a client would.

const run = promisify(execFile);

export interface TestCertificates {
  caFile: string;
  /** The CA as PEM text. */
  ca: string;
  certFile: string;
  keyFile: string;
}

/** A CA and a server certificate for 127.0.0.1 and localhost, written into `dir`. */
export async function makeCertificates(dir: string): Promise<TestCertificates> {
  const f = (name: string) => join(dir, name);
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  await run('openssl', [
    'req',
    '-x509',
    ...ec,
    '-keyout',
    f('ca.key'),
    '-out',
    f('ca.pem'),
    '-days',
    '2',
    '-subj',
    '/CN=tarka test CA',
  ]);
  await run('openssl', [
    'req',
    ...ec,
    '-keyout',
    f('server.key'),
    '-out',
    f('server.csr'),
    '-subj',
    '/CN=127.0.0.1',
  ]);
  await writeFile(f('san.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  await run('openssl', [
    'x509',
    '-req',
    '-in',
    f('server.csr'),
    '-CA',
    f('ca.pem'),
    '-CAkey',
    f('ca.key'),
    '-CAcreateserial',
    '-out',
    f('server.pem'),
    '-days',
    '2',
    '-extfile',
    f('san.ext'),
  ]);
  return {
    caFile: f('ca.pem'),
    ca: await readFile(f('ca.pem'), 'utf8'),
    certFile: f('server.pem'),
    keyFile: f('server.key'),
  };
}

/** A bcrypt hash as Prometheus' basic_auth_users wants (low cost: tests only). */
export function bcryptHash(password: string): string {
  return bcrypt.hashSync(password, 4);
}

/** GET `url` with optional basic auth and CA; true on a 2xx answer. */
export function probe(url: string, auth?: { user: string; password: string }, ca?: string): Promise<boolean> {
  const headers: Record<string, string> = {};
  if (auth)
    headers.authorization = `Basic ${Buffer.from(`${auth.user}:${auth.password}`).toString('base64')}`;
  const u = new URL(url);
  return new Promise((resolve) => {
    const req = (u.protocol === 'https:' ? request : httpRequest)(
      u,
      { headers, timeout: 1_000, ...(ca ? { ca } : {}) },
      (res) => {
        res.resume();
        res.on('end', () => resolve((res.statusCode ?? 0) >= 200 && (res.statusCode ?? 0) < 300));
      },
    );
    req.on('error', () => resolve(false));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}
