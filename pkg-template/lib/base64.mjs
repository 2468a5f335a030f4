// base64 text to bytes for the universal entry's inline wasm. Runs once per cold start on
// about a megabyte, so no per-character callback: the native decoder where there is one
// (Uint8Array.fromBase64), else one plain loop over atob's output.
export function bytesFromBase64(text) {
  if (typeof Uint8Array.fromBase64 === 'function') return Uint8Array.fromBase64(text);
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

// Bytes to unpadded base64url, for signatures WebCrypto computed (signer.mjs).
export function base64urlFromBytes(bytes) {
  if (typeof bytes.toBase64 === 'function') return bytes.toBase64({ alphabet: 'base64url', omitPadding: true });
  let binary = '';
  for (let i = 0; i < bytes.length; i++) binary += String.fromCharCode(bytes[i]);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

// Hex text to bytes, for the decode-only wasm: hex keeps byte boundaries, so it gzips to
// about 15% less than base64 (what a browser bundle pays for).
export function bytesFromHex(text) {
  if (typeof Uint8Array.fromHex === 'function') return Uint8Array.fromHex(text);
  const bytes = new Uint8Array(text.length >> 1);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(text.slice(2 * i, 2 * i + 2), 16);
  return bytes;
}
