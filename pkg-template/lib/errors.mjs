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

// Errors thrown by the wasm glue have TokenError's shape but not its class; they become
// one here. Anything else is rethrown untouched.
export function rethrow(error) {
  if (error && error.name === 'TokenError' && typeof error.code === 'string' && !(error instanceof TokenError)) {
    const typed = new TokenError(error.code, error.message, error.claim, error.retryAfter);
    // HTTP errors of requestEmbeddableToken carry the status the API answered with.
    if (error.status !== undefined) typed.status = error.status;
    throw typed;
  }
  throw error;
}

// Runs a call into wasm, turning its errors into TokenError.
export function guarded(call) {
  return (...args) => {
    try {
      return call(...args);
    } catch (error) {
      rethrow(error);
    }
  };
}
