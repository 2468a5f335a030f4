// Embeddable's Tokens API. Rust builds the request and reads the answer; this
// only moves bytes through the platform's fetch.
import { rethrow } from './errors.mjs';
import { boundedText } from './http.mjs';
import { claimsJson, optionsJson } from './serialise.mjs';

// The request requestEmbeddableToken would send, as data; the caller turns errors into TokenError.
export function embeddableTokenRequest(wasm, params) {
  return JSON.parse(wasm.embeddableTokenRequest(claimsJson(params, 'embeddableTokenRequest')));
}

// POSTs to Embeddable's Tokens API.
export async function requestEmbeddableToken(wasm, params, options) {
  let request;
  try {
    request = JSON.parse(
      wasm.embeddableTokenHttpRequest(claimsJson(params), optionsJson(options, 'requestEmbeddableToken')),
    );
  } catch (error) {
    rethrow(error);
  }
  let status;
  let text;
  try {
    const response = await fetch(request.url, {
      method: 'POST',
      headers: request.headers,
      body: request.body,
      // A redirect would carry the API key elsewhere: it fails instead.
      redirect: 'error',
      signal: AbortSignal.timeout(request.timeoutMs),
    });
    status = response.status;
    text = await boundedText(response, request.maxResponseBytes);
  } catch (error) {
    const timedOut = error !== null && typeof error === 'object' && (error.name === 'TimeoutError' || error.name === 'AbortError');
    rethrow(wasm.embeddableTransportError(timedOut ? 'timeout' : 'network', request.timeoutMs, String(error && error.message)));
  }
  try {
    return JSON.parse(wasm.embeddableTokenHttpResponse(status, text));
  } catch (error) {
    rethrow(error);
  }
}
