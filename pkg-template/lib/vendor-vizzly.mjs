// `scopemint/vizzly`: a drop-in for @vizzly/auth, whose signer methods
// return Promises; failures become rejections, as there.
const METHODS = [
  'signDashboardAccessToken', 'signDataAccessToken', 'signQueryEngineAccessToken', 'signProjectAccessToken',
  'generateTokens', 'signVizzlyConfig',
];

// `createSigner` is the entry's own (synchronous) createSigner.
export function vizzlyDropIn(createSigner) {
  return {
    createSigner(options) {
      const signer = createSigner(options);
      const later = (method) => (params) => new Promise((resolve) => resolve(signer[method](params)));
      return Object.fromEntries(METHODS.map((method) => [method, later(method)]));
    },
  };
}
