// The one TokenError class. Every entry (scopemint, scopemint/server, scopemint/decode,
// scopemint/vizzly, …) and both module formats import this module, so `instanceof
// TokenError` holds whichever entry threw.
export class TokenError extends Error {
  constructor(code, message, claim, retryAfter) {
    super(message);
    this.name = 'TokenError';
    this.code = code;
    if (claim !== undefined) this.claim = claim;
    if (retryAfter !== undefined) this.retryAfter = retryAfter;
  }
}
