// `scopemint/tinybird`: a drop-in for @tinybirdco/sdk's createClient, whose
// tokens.createJWT resolves to { token }; here the JWT is minted locally.
import { guarded, rethrow } from './errors.mjs';
import { claimsJson, optionsJson } from './serialise.mjs';

export function tinybirdDropIn(wasm) {
  return {
    createClient: guarded((options) => {
      const inner = wasm.Signer.tinybirdClient(optionsJson(options, 'createClient') ?? 'null');
      const createJWT = (params) =>
        new Promise((resolve) => {
          try {
            resolve(JSON.parse(inner.signProfile('tinybirdClientCreateJWT', claimsJson(params))));
          } catch (error) {
            rethrow(error);
          }
        });
      return Object.freeze({ tokens: Object.freeze({ createJWT }) });
    }),
  };
}
