// What each runtime runs: scopemint's signAsync / verifyAsync (and, for reference, sync
// sign / verify) against jose, on ES256, RS256 and EdDSA, with the Tinybird claim set of
// bench/payloads.mjs. Plain ES module: no node:*, no timers, so it also runs in workerd.

export const ALGORITHMS = ['ES256', 'RS256', 'EdDSA'];
export const OPERATIONS = ['sign', 'verify'];
export const LIBRARIES = ['scopemint async', 'scopemint sync', 'jose'];

// Read in setup, not at module load: workerd has no clock at global scope.
function claims() {
  return {
    workspace_id: '5f8a1c2e-3b4d-4e6f-8a9b-0c1d2e3f4a5b',
    name: 'user_analytics_frontend',
    exp: Math.floor(Date.now() / 1000) + 3600,
    scopes: [
      { type: 'PIPES:READ', resource: 'user_analytics', fixed_params: { user_id: 123, org_id: 'acme' } },
      { type: 'DATASOURCES:READ', resource: 'events', filter: "org_id = 'acme'" },
    ],
    limits: { rps: 10 },
  };
}

/** Keys, signers, verifiers and one token per algorithm; every key already imported. */
export async function setup(api, jose) {
  const state = { claims: claims() };
  for (const alg of ALGORITHMS) {
    let privateKey;
    let publicKey;
    if (alg === 'RS256') {
      // scopemint generates no RSA keys; WebCrypto (through jose) does.
      const pair = await jose.generateKeyPair('RS256', { modulusLength: 2048, extractable: true });
      privateKey = await jose.exportPKCS8(pair.privateKey);
      publicKey = await jose.exportSPKI(pair.publicKey);
    } else {
      ({ privateKey, publicKey } = api.generateKeyPair(alg));
    }
    const signer = api.createSigner({ privateKey, algorithm: alg });
    const verifier = api.createVerifier({ publicKey, algorithms: [alg] });
    const token = await signer.signAsync(state.claims);
    await verifier.verifyAsync(token);
    state[alg] = {
      signer,
      verifier,
      token,
      josePrivate: await jose.importPKCS8(privateKey, alg),
      josePublic: await jose.importSPKI(publicKey, alg),
    };
  }
  return state;
}

function operation(jose, state, library, op, alg) {
  const s = state[alg];
  const { claims: payload } = state;
  switch (`${library}/${op}`) {
    case 'scopemint async/sign': return () => s.signer.signAsync(payload);
    case 'scopemint async/verify': return () => s.verifier.verifyAsync(s.token);
    case 'scopemint sync/sign': return () => s.signer.sign(payload);
    case 'scopemint sync/verify': return () => s.verifier.verify(s.token);
    // jose adds iat like scopemint does; exp is in the claims for both.
    case 'jose/sign': return () => new jose.SignJWT(payload).setProtectedHeader({ alg, typ: 'JWT' }).setIssuedAt().sign(s.josePrivate);
    case 'jose/verify': return () => jose.jwtVerify(s.token, s.josePublic, { algorithms: [alg] });
    default: throw new Error(`no operation ${library}/${op}`);
  }
}

/** Runs `n` operations one after the other (each awaited). */
export async function batch(jose, state, library, op, alg, n) {
  const run = operation(jose, state, library, op, alg);
  for (let i = 0; i < n; i++) await run();
}
