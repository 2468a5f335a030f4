// Reads at most `limit` + 1 bytes of a response body, so an oversized
// answer is seen as oversized (and refused in Rust) without being buffered.
export async function boundedText(response, limit) {
  const declared = Number(response.headers.get('content-length'));
  if (response.body === null) return '';
  const reader = response.body.getReader();
  const chunks = [];
  let size = 0;
  if (declared > limit) size = limit + 1;
  while (size <= limit) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    size += value.byteLength;
  }
  if (size > limit) {
    reader.cancel().catch(() => {});
    return 'x'.repeat(limit + 1);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return new TextDecoder().decode(bytes);
}
