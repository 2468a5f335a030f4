// The verified-token cache and its whole policy: Rust says how many tokens it may hold
// (cacheCapacity) and until when each result stands (verifyIo's answer); this decides when
// a stored result is served, and which entry goes first when it is full.
export class VerifyCache {
  // token -> { result, since, validUntil }; insertion order makes the oldest entry first to go.
  #entries = new Map();
  #capacity;

  constructor(capacity) {
    this.#capacity = capacity;
  }

  // The stored result, or undefined. A clock that went back before `since` (or reads NaN)
  // is not trusted: the entry goes and Rust re-checks.
  get(token) {
    const hit = this.#entries.get(token);
    if (hit === undefined) return undefined;
    const now = Date.now() / 1000;
    if (hit.since <= now && now < hit.validUntil) return hit.result;
    this.#entries.delete(token);
    return undefined;
  }

  // Keeps `result` (frozen: every hit hands out the same object) until `validUntil`, Unix
  // seconds; NaN or a past instant keeps nothing.
  remember(token, result, validUntil) {
    const since = Date.now() / 1000;
    if (!(validUntil > since)) return;
    if (this.#entries.size >= this.#capacity) this.#entries.delete(this.#entries.keys().next().value);
    this.#entries.set(token, { result: deepFreeze(result), since, validUntil });
  }
}

function deepFreeze(value) {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const member of Object.values(value)) deepFreeze(member);
  }
  return value;
}
