// `scopemint keygen`: a key pair as PEM files, never written through a symlink.
import { closeSync, lstatSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import { generateKeyPair } from '../../dist/node.mjs';
import { Failure, writeOut } from '../cli.mjs';

export default {
  summary: 'write a key pair as PEM files',
  usage: 'scopemint keygen [--alg ES256|ES384|EdDSA] [--out-dir DIR] [--prefix NAME] [--force] [--json]',
  details: `Writes <prefix>-private.pem (PKCS#8, mode 0600) and <prefix>-public.pem (SPKI).
Refuses to overwrite existing files unless --force. Never writes through a symlink:
with --force a file (or symlink) is replaced, not written into.

Options:
  --alg ALG        ES256 (default), ES384 or EdDSA. Vizzly needs ES256.
  --out-dir DIR    where to write the files (default: .; created with mode 0700 if missing)
  --prefix NAME    file name prefix (default: scopemint)
  --force          replace existing files`,
  options: {
    alg: { type: 'string', default: 'ES256' },
    'out-dir': { type: 'string', default: '.' },
    prefix: { type: 'string', default: 'scopemint' },
    force: { type: 'boolean', default: false },
  },
  run: keygen,
};

// Creates `file` with `mode`, never following a symlink: O_CREAT|O_EXCL
// fails on any existing name, a dangling symlink included. To replace, the
// content goes to a fresh temporary name in the same directory, which is
// then renamed over `file` (rename replaces a symlink, it does not follow it).
function writeNewFile(file, content, mode, replace) {
  const target = replace ? `${file}.${randomBytes(6).toString('hex')}.tmp` : file;
  const fd = openSync(target, 'wx', mode);
  try {
    writeSync(fd, content);
  } finally {
    closeSync(fd);
  }
  if (replace) {
    try {
      renameSync(target, file);
    } catch (error) {
      rmSync(target, { force: true });
      throw error;
    }
  }
}

function keygen({ values }) {
  const algorithm = values.alg;
  const dir = resolve(values['out-dir']);
  const privateFile = join(dir, `${values.prefix}-private.pem`);
  const publicFile = join(dir, `${values.prefix}-public.pem`);
  // Check both first so a refusal never leaves half a key pair behind; lstat sees symlinks themselves.
  if (!values.force) {
    for (const file of [privateFile, publicFile]) {
      if (lstatSync(file, { throwIfNoEntry: false }) !== undefined) {
        throw new Failure(`${file} exists; use --force to replace it`, 'EEXIST');
      }
    }
  }
  const pair = generateKeyPair(algorithm);
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    writeNewFile(privateFile, pair.privateKey, 0o600, values.force);
    writeNewFile(publicFile, pair.publicKey, 0o644, values.force);
  } catch (error) {
    throw new Failure(`cannot write the key pair: ${error.message}`, error.code ?? 'ERR_CLI');
  }
  writeOut(
    { algorithm, privateKeyFile: privateFile, publicKeyFile: publicFile, publicJwk: pair.publicJwk },
    values.json,
    `wrote ${privateFile} (private, mode 0600)\nwrote ${publicFile} (public)`,
  );
}
