// `scopemint sign`: a JWT from a private key or an HMAC secret.
import { createSigner } from '../../dist/node.mjs';
import { DURATION_HELP, parseDuration, readSecret, readText, UsageError, writeOut } from '../cli.mjs';

export default {
  summary: 'sign a JWT with a private key or an HMAC secret',
  usage: 'scopemint sign (--private-key FILE | --secret-file FILE) --ttl DURATION [--alg ALG] [--claims JSON] [--kid ID] [--json]',
  details: `Adds iat, and exp from --ttl (--ttl may be left out only when --claims has exp).

Options:
  --private-key FILE   PEM private key (PKCS#8, SEC1, PKCS#1)
  --secret-file FILE   HMAC secret (file contents; a trailing newline is dropped)
  --alg ALG            default: from the key (HS256 for secrets)
  --ttl DURATION       ${DURATION_HELP}
  --claims JSON        claims object, e.g. '{"sub":"user_123"}'
  --kid ID             header kid`,
  options: {
    'private-key': { type: 'string' },
    'secret-file': { type: 'string' },
    alg: { type: 'string' },
    ttl: { type: 'string' },
    claims: { type: 'string' },
    kid: { type: 'string' },
  },
  run: sign,
};

function sign({ values }) {
  const keyFlags = ['private-key', 'secret-file'].filter((flag) => values[flag] !== undefined);
  if (keyFlags.length !== 1) throw new UsageError('give exactly one of --private-key and --secret-file');
  let claims = {};
  if (values.claims !== undefined) {
    try {
      claims = JSON.parse(values.claims);
    } catch (error) {
      throw new UsageError(`--claims: not JSON (${error.message})`);
    }
    if (claims === null || typeof claims !== 'object' || Array.isArray(claims)) {
      throw new UsageError('--claims must be a JSON object');
    }
  }
  if (values.ttl === undefined && !('exp' in claims)) throw new UsageError('--ttl is required (or an exp in --claims)');
  // The library signs past expiries (tests need expired tokens); a person at a shell never means to.
  if (typeof claims.exp === 'number' && claims.exp <= Date.now() / 1000) {
    throw new UsageError(`--claims: exp ${claims.exp} is already past; the token would be born expired`);
  }
  const options = {};
  if (values['private-key'] !== undefined) options.privateKey = readText(values['private-key'], 'private key file');
  else options.secret = readSecret(values['secret-file']);
  if (values.alg !== undefined) options.algorithm = values.alg;
  if (values.kid !== undefined) options.keyId = values.kid;
  if (values.ttl !== undefined) options.ttlSeconds = parseDuration(values.ttl);
  const token = createSigner(options).sign(claims);
  writeOut({ token }, values.json, token);
}
