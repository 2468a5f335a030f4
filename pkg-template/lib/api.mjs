// The public API of one wasm build, assembled from the modules beside this one. The JS
// layer only adapts types: objects become JSON text on the way in, JSON text becomes
// objects on the way out, and wasm errors become TokenError. Every rule lives in Rust.
// Each entry (scripts/build-pkg.mjs writes them) calls createApi once with its wasm glue.
import { guarded, TokenError } from './errors.mjs';
import { checkTokenLength, textArgument, toDate, tokenText } from './arguments.mjs';
import { claimsJson, optionsJson } from './serialise.mjs';
import { adaptKeys } from './keys.mjs';
import { Signer } from './signer.mjs';
import { Verifier } from './verifier.mjs';
import { RemoteJwksVerifier } from './remote-jwks.mjs';
import { createWasmIo } from './wasm-io.mjs';
import { createRateLimiter } from './rate-limiter.mjs';
import { embeddableTokenRequest, requestEmbeddableToken } from './vendor-embeddable.mjs';
import { vizzlyDropIn } from './vendor-vizzly.mjs';
import { tinybirdDropIn } from './vendor-tinybird.mjs';

// `native`, given only by the Node entry, signs and verifies asymmetric
// signatures with node:crypto (see node-crypto.mjs); `web`, given by the other
// entries, does so for signAsync / verifyAsync on WebCrypto (web-crypto.mjs).
// Rust still builds and checks everything else.
export function createApi(wasm, native, web) {
  // One byte channel per wasm instance, shared by its signers and verifiers.
  const io = createWasmIo(wasm, native?.codec);
  const createSigner = guarded((options) => new Signer(new wasm.Signer(optionsJson(adaptKeys(options, native), 'createSigner') ?? 'null'), io, native, web));

  const createVerifier = guarded((given) => {
    const options = adaptKeys(given, native);
    const json = optionsJson(options, 'createVerifier') ?? 'null';
    const verifier = new Verifier(new wasm.Verifier(json), io, native, web);
    const remote = options !== null && typeof options === 'object' ? wasm.remoteJwks(json) : undefined;
    if (remote === undefined) return verifier;
    const verifierFor = (keyed) => new Verifier(new wasm.Verifier(optionsJson(keyed, 'createVerifier')), io, native, web);
    return new RemoteJwksVerifier(options, remote, verifier, verifierFor);
  });

  const decode = guarded((token, options) => {
    const json = optionsJson(options, 'decode');
    checkTokenLength(token, wasm.decodeMaxTokenBytes(json));
    const decoded = JSON.parse(wasm.decode(tokenText(token), json));
    decoded.issuedAt = toDate(decoded.issuedAt);
    decoded.expiresAt = toDate(decoded.expiresAt);
    return decoded;
  });

  // jose's decodeProtectedHeader: the header of a compact JWS or JWE, NOT verified.
  const decodeProtectedHeader = guarded((token, options) => {
    const json = optionsJson(options, 'decodeProtectedHeader');
    checkTokenLength(token, wasm.decodeMaxTokenBytes(json));
    return JSON.parse(wasm.decodeProtectedHeader(tokenText(token), json));
  });

  // Only the server wasm (`scopemint/server`) carries a SQL parser and a template engine.
  const serverOnly = typeof wasm.normalizeSqlFilter === 'function'
    ? {
        normalizeSqlFilter: guarded((filter, options) =>
          wasm.normalizeSqlFilter(textArgument(filter, 'filter'), optionsJson(options, 'normalizeSqlFilter')),
        ),
        renderDataModel: guarded((template, securityContext, options) =>
          JSON.parse(
            wasm.renderDataModel(
              textArgument(template, 'template'),
              claimsJson(securityContext, 'securityContext'),
              optionsJson(options, 'renderDataModel') ?? 'null',
            ),
          ),
        ),
      }
    : {};

  return {
    ...serverOnly,
    createSigner,
    createVerifier,
    createRateLimiter: guarded((options) => createRateLimiter(wasm, options)),
    decode,
    decodeProtectedHeader,
    generateKeyPair: guarded((algorithm) => JSON.parse(wasm.generateKeyPair(String(algorithm)))),
    parseScope: guarded((text) => JSON.parse(wasm.parseScope(String(text)))),
    formatScope: guarded((scope) => wasm.formatScope(claimsJson(scope, 'scope'))),
    embeddableTokenRequest: guarded((params) => embeddableTokenRequest(wasm, params)),
    requestEmbeddableToken: (params, options) => requestEmbeddableToken(wasm, params, options),
    compileSecureFilters: guarded((filters, options) =>
      JSON.parse(wasm.compileSecureFilters(claimsJson(filters, 'filters'), optionsJson(options, 'compileSecureFilters') ?? 'null')),
    ),
    vizzly: vizzlyDropIn(createSigner),
    tinybird: tinybirdDropIn(wasm),
    TokenError,
  };
}
