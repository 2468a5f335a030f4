// Keys users already hold: a Node KeyObject or a WebCrypto CryptoKey is
// exported once, at creation, to what Rust imports (PEM, or a secret's
// bytes); every rule about the key is then Rust's, as for any PEM.
import { TokenError } from './errors.mjs';

const KEY_TYPES = ['private', 'public', 'secret'];

function isKeyObject(value) {
  return value !== null && typeof value === 'object' && typeof value.export === 'function'
    && typeof value.equals === 'function' && KEY_TYPES.includes(value.type);
}

function isCryptoKey(value) {
  return value !== null && typeof value === 'object' && typeof value.extractable === 'boolean'
    && Array.isArray(value.usages) && KEY_TYPES.includes(value.type) && value.algorithm !== null && typeof value.algorithm === 'object';
}

// `native` (Node only, node-crypto.mjs) reads a CryptoKey synchronously.
function exportKey(value, option, native) {
  let key = value;
  if (isCryptoKey(value)) {
    if (!value.extractable) {
      throw new TokenError('ERR_KEY_INVALID',
        `${option}: this CryptoKey is not extractable, so its key cannot be read; generate or import it with extractable: true, or pass the key as PEM or JWK`, option);
    }
    if (native === undefined) {
      throw new TokenError('ERR_KEY_INVALID',
        `${option}: a CryptoKey can only be read synchronously by the Node entry of scopemint; here, pass await crypto.subtle.exportKey('jwk', key) instead`, option);
    }
    key = native.keyObjectFrom(value);
  } else if (!isKeyObject(value)) {
    return value;
  }
  if (key.type === 'secret') {
    if (option !== 'secret') throw new TokenError('ERR_KEY_INVALID', `${option}: a secret (HMAC) key belongs in \`secret\``, option);
    return new Uint8Array(key.export());
  }
  if (option === 'secret') {
    throw new TokenError('ERR_KEY_INVALID', `secret: a ${key.type} key is not an HMAC secret; pass it as privateKey or publicKey`, option);
  }
  return key.type === 'private' ? key.export({ type: 'pkcs8', format: 'pem' }) : key.export({ type: 'spki', format: 'pem' });
}

// The options with every KeyObject / CryptoKey replaced by what Rust reads; the caller's object is not changed.
export function adaptKeys(options, native) {
  if (options === null || typeof options !== 'object') return options;
  let adapted = options;
  for (const option of ['privateKey', 'publicKey', 'secret']) {
    const value = options[option];
    const exported = exportKey(value, option, native);
    if (exported !== value) adapted = { ...adapted, [option]: exported };
  }
  return adapted;
}
