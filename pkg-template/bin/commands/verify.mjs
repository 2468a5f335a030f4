// `scopemint verify`: exit 0 with the payload, or exit 1 with why the token was rejected.
import { createVerifier } from '../../dist/node.mjs';
import { Failure, readSecret, readText, readToken, rejected, UsageError, writeOut } from '../cli.mjs';

export default {
  summary: 'verify a token; exit 1 when it is rejected',
  usage: 'scopemint verify TOKEN|- (--public-key FILE | --secret-file FILE | --jwks FILE) [--issuer ISS] [--audience AUD] [--alg ALG ...] [--profile vizzly] [--json]',
  details: `TOKEN may be - to read it from stdin. On rejection prints the error code and message
to stderr and exits 1.

Options:
  --public-key FILE    PEM public key (SPKI, PKCS#1, X.509 certificate)
  --secret-file FILE   HMAC secret (file contents; a trailing newline is dropped)
  --jwks FILE          JSON key set {"keys": [...]}
  --issuer ISS         required iss
  --audience AUD       required aud
  --alg ALG            allowed algorithm (repeatable); default: the key's
  --profile vizzly     expiry is Vizzly's ISO "expires" claim instead of exp`,
  options: {
    'public-key': { type: 'string' },
    'secret-file': { type: 'string' },
    jwks: { type: 'string' },
    issuer: { type: 'string' },
    audience: { type: 'string' },
    alg: { type: 'string', multiple: true },
    profile: { type: 'string' },
  },
  positionals: ['TOKEN'],
  run: verify,
};

function verify({ values, positionals }) {
  const token = readToken(positionals[0]);
  const keyFlags = ['public-key', 'secret-file', 'jwks'].filter((flag) => values[flag] !== undefined);
  if (keyFlags.length !== 1) throw new UsageError('give exactly one of --public-key, --secret-file and --jwks');
  const options = {};
  if (values['public-key'] !== undefined) options.publicKey = readText(values['public-key'], 'public key file');
  if (values['secret-file'] !== undefined) options.secret = readSecret(values['secret-file']);
  if (values.jwks !== undefined) {
    try {
      options.jwks = JSON.parse(readText(values.jwks, 'JWKS file'));
    } catch (error) {
      if (error instanceof Failure) throw error;
      throw new Failure(`JWKS file "${values.jwks}" is not JSON: ${error.message}`);
    }
  }
  if (values.issuer !== undefined) options.issuer = values.issuer;
  if (values.audience !== undefined) options.audience = values.audience;
  if (values.alg !== undefined) options.algorithms = values.alg;
  if (values.profile !== undefined) options.profile = values.profile;
  const verifier = createVerifier(options); // bad keys or options: exit 3
  let result;
  try {
    result = verifier.verify(token);
  } catch (error) {
    throw rejected(error, token, values.profile);
  }
  writeOut({ valid: true, ...result }, values.json, `valid\n${JSON.stringify(result.payload, null, 2)}`);
}
