// createVerifier({ jwksUrl }): a verifier over the keys fetched so far,
// rebuilt whenever a fetch brings a new set. When to fetch is Rust's
// decision (wasm RemoteJwks); concurrent callers share one fetch in flight.
import { rethrow } from './errors.mjs';
import { boundedText } from './http.mjs';

export class RemoteJwksVerifier {
  #options;
  #remote;
  #settings;
  #verifier;
  #pending;
  #verifierFor;

  // `verifierFor(options)` builds a local verifier (createVerifier without jwksUrl's fetching).
  constructor(options, remote, verifier, verifierFor) {
    this.#options = options;
    this.#remote = remote;
    this.#settings = JSON.parse(remote.settings());
    this.#verifier = verifier;
    this.#verifierFor = verifierFor;
  }

  get algorithms() {
    return this.#verifier.algorithms;
  }

  /** Verifies with the keys fetched so far (none before the first verifyAsync). */
  verify(token) {
    return this.#verifier.verify(token);
  }

  authorize(token, request) {
    return this.#verifier.authorize(token, request);
  }

  verifyAsync(token) {
    return this.#withKeys((verifier) => verifier.verifyAsync(token));
  }

  authorizeAsync(token, request) {
    return this.#withKeys((verifier) => verifier.authorizeAsync(token, request));
  }

  async #withKeys(use) {
    if (this.#pending !== undefined || this.#remote.needsFetch()) await this.#refresh();
    try {
      return await use(this.#verifier);
    } catch (error) {
      if (error?.code !== 'ERR_JWKS_NO_MATCHING_KEY') throw error;
      // An unknown kid may be a rotated key: refetch, at most once per cooldown.
      if (this.#pending === undefined && !this.#remote.mayRefetch()) throw error;
      await this.#refresh();
      return use(this.#verifier);
    }
  }

  #refresh() {
    if (this.#pending === undefined) {
      this.#remote.started();
      this.#pending = this.#fetchKeys().finally(() => {
        this.#pending = undefined;
      });
    }
    return this.#pending;
  }

  async #fetchKeys() {
    const { url, timeoutMs, maxJwksBytes } = this.#settings;
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    let status;
    let body;
    try {
      // Redirects are refused: the keys come from the configured URL only.
      const response = await fetch(url, { signal: controller.signal, redirect: 'error', headers: { accept: 'application/json' } });
      status = response.status;
      body = await boundedText(response, maxJwksBytes);
    } catch (error) {
      rethrow(this.#remote.fetchError(controller.signal.aborted, String(error?.cause?.message ?? error?.message ?? error)));
    } finally {
      clearTimeout(timer);
    }
    let set;
    try {
      set = this.#remote.accept(status, body);
    } catch (error) {
      rethrow(error);
    }
    try {
      this.#verifier = this.#verifierFor({ ...this.#options, jwks: JSON.parse(set) });
    } catch (error) {
      rethrow(this.#remote.unusableKeys(String(error?.message ?? error)));
    }
  }
}
