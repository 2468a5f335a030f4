// Static files: the page from ./public, and scopemint's browser build from
// pkg/dist under /scopemint/ so the page can decode tokens itself. Only files
// inside those two folders are ever served.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const PUBLIC = fileURLToPath(new URL('./public/', import.meta.url));
const SCOPEMINT_DIST = fileURLToPath(new URL('../../pkg/dist/', import.meta.url));

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
};

// The page runs only our own scripts; 'wasm-unsafe-eval' lets it compile scopemint's wasm.
const CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:; base-uri 'none'; frame-ancestors 'none'";

/** Maps a URL path to a file, or null. */
function resolve(pathname) {
  let root;
  let rest;
  if (pathname === '/') [root, rest] = [PUBLIC, 'index.html'];
  else if (pathname.startsWith('/scopemint/')) [root, rest] = [SCOPEMINT_DIST, pathname.slice('/scopemint/'.length)];
  else [root, rest] = [PUBLIC, pathname.slice(1)];
  let decoded;
  try {
    decoded = decodeURIComponent(rest);
  } catch {
    return null;
  }
  const file = path.resolve(root, decoded);
  // No `..` escapes, no directories, only known types.
  if (!file.startsWith(root) || !TYPES[path.extname(file)]) return null;
  return file;
}

/** Serves the file for a GET, or returns false so the caller can 404. */
export async function serveStatic(req, res, url) {
  const file = resolve(url.pathname);
  if (file === null) return false;
  let body;
  try {
    body = await readFile(file);
  } catch {
    return false;
  }
  res.writeHead(200, {
    'content-type': TYPES[path.extname(file)],
    'content-security-policy': CSP,
    'x-content-type-options': 'nosniff',
    'cache-control': 'no-cache',
  });
  res.end(req.method === 'HEAD' ? undefined : body);
  return true;
}
