/**
 * A private PostgreSQL server for one test file or benchmark: Debian's `postgresql` package
 * (installed by scripts/setup.mjs), a cluster made with initdb in a temp folder, listening on
 * 127.0.0.1 at a free port and on a socket in that folder, stopped and deleted afterwards.
 * No shared server, no mocks: every test talks to a real PostgreSQL.
 *
 * PostgreSQL refuses to run as root; as root (these machines, CI) the cluster belongs to the
 * package's `postgres` user and its programs run through runuser.
 *
 * `stop()` and `start()` take the server down and up again on the same port and data folder,
 * for the fault tests (the server goes away mid-sync and comes back).
 */
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, copyFileSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestPostgres {
  /** postgres://switchboard@127.0.0.1:PORT/switchboard (trust auth: no password). */
  url: string;
  /** With `tls: true`: the CA that signed the server's certificate (for 127.0.0.1 and localhost), and one that did not. */
  tls: { caFile: string; otherCaFile: string } | null;
  port: number;
  /** A URL for another database on the same server, created on demand. */
  createDatabase(name: string): Promise<string>;
  /** Fast shutdown (clients disconnected); the data stays. */
  stop(): Promise<void>;
  /** Starts it again on the same port. */
  start(): Promise<void>;
  readonly running: boolean;
  /** Stops it and deletes the cluster. */
  close(): Promise<void>;
}

const USER = 'switchboard';

function binDir(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((v) => /^\d+$/.test(v))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  const version = versions.find((v) => existsSync(join(root, v, 'bin', 'postgres')));
  if (!version) throw new Error('PostgreSQL is not installed (Debian package postgresql): run `npm run setup`');
  return join(root, version, 'bin');
}

const asRoot = process.getuid?.() === 0;

/** Runs a PostgreSQL program as the cluster's owner. */
function command(program: string, args: string[]): [string, string[]] {
  const path = join(binDir(), program);
  return asRoot ? ['runuser', ['-u', 'postgres', '--', path, ...args]] : [path, args];
}

function run(program: string, args: string[]): void {
  const [cmd, argv] = command(program, args);
  const result = spawnSync(cmd, argv, { encoding: 'utf8', timeout: 60_000 });
  if (result.status !== 0) throw new Error(`${program} failed (${result.status}): ${result.stderr || result.stdout}`);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** `tls`: the server also speaks TLS, with a certificate for 127.0.0.1/localhost from a CA made for the run (openssl). */
export async function startPostgres(options: { tls?: boolean } = {}): Promise<TestPostgres> {
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-pg-'));
  const data = join(dir, 'data');
  if (asRoot) {
    const owner = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
    const group = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
    chownSync(dir, Number(owner.stdout.trim()), Number(group.stdout.trim()));
  }
  chmodSync(dir, 0o700);
  const tls = options.tls ? makeCertificates(dir) : null;
  // --no-sync and fsync=off: a throwaway cluster needs no durability against power loss.
  run('initdb', ['-D', data, '-U', USER, '--auth=trust', '-E', 'UTF8', '--locale=C.UTF-8', '--no-sync', '--no-instructions']);
  const port = await freePort();
  const serverOptions = [
    `-p ${port}`,
    `-k ${dir}`,
    "-c listen_addresses='127.0.0.1'",
    '-c fsync=off',
    '-c synchronous_commit=off',
    '-c full_page_writes=off',
    '-c max_connections=100',
    '-c shared_buffers=128MB',
    ...(tls ? ['-c ssl=on', `-c ssl_cert_file=${join(dir, 'server.crt')}`, `-c ssl_key_file=${join(dir, 'server.key')}`] : []),
  ].join(' ');
  let running = false;

  const pg: TestPostgres = {
    url: `postgres://${USER}@127.0.0.1:${port}/postgres`,
    tls,
    port,
    get running() {
      return running;
    },
    async createDatabase(name) {
      if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`bad database name ${name}`);
      run('createdb', ['-h', dir, '-p', String(port), '-U', USER, name]);
      return `postgres://${USER}@127.0.0.1:${port}/${name}`;
    },
    async start() {
      await pgCtl(['start', '-w', '-t', '30', '-D', data, '-l', join(dir, 'server.log'), '-o', serverOptions]);
      running = true;
    },
    async stop() {
      if (!running) return;
      await pgCtl(['stop', '-w', '-t', '30', '-m', 'fast', '-D', data]);
      running = false;
    },
    async close() {
      try {
        if (running) await pgCtl(['stop', '-w', '-t', '30', '-m', 'immediate', '-D', data]);
      } finally {
        running = false;
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
  await pg.start();
  pg.url = await pg.createDatabase('switchboard');
  return pg;
}

/** pg_ctl, asynchronously (start waits for the server to accept connections). */
function pgCtl(args: string[]): Promise<void> {
  const [cmd, argv] = command('pg_ctl', args);
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`pg_ctl ${args[0]} failed (${code}): ${output}`))));
  });
}

/** A CA, a server certificate it signs (127.0.0.1 and localhost) and an unrelated CA, in `dir`, readable by the server. */
function makeCertificates(dir: string): { caFile: string; otherCaFile: string } {
  const ssl = (args: string[]) => {
    const result = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8', timeout: 30_000 });
    if (result.status !== 0) throw new Error(`openssl ${args[0]} failed: ${result.stderr}`);
  };
  for (const ca of ['ca', 'other-ca']) {
    ssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', `/CN=Switchboard test ${ca}`, '-keyout', `${ca}.key`, '-out', `${ca}.crt`]);
  }
  ssl(['req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=127.0.0.1', '-keyout', 'server.key', '-out', 'server.csr']);
  writeFileSync(join(dir, 'san.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  ssl(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '2', '-extfile', 'san.ext', '-out', 'server.crt']);
  chmodSync(join(dir, 'server.key'), 0o600);
  if (asRoot) {
    const uid = Number(spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).stdout.trim());
    const gid = Number(spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).stdout.trim());
    for (const file of ['server.key', 'server.crt']) chownSync(join(dir, file), uid, gid);
  }
  // The test process reads the CA files; the folder is the server's (0700), so copy them out.
  const out = mkdtempSync(join(tmpdir(), 'switchboard-pg-ca-'));
  copyFileSync(join(dir, 'ca.crt'), join(out, 'ca.crt'));
  copyFileSync(join(dir, 'other-ca.crt'), join(out, 'other-ca.crt'));
  return { caFile: join(out, 'ca.crt'), otherCaFile: join(out, 'other-ca.crt') };
}
