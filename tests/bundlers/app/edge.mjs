// A Vercel Edge / Next.js middleware-style function body, run in the edge-runtime package.
import { run } from './checks.mjs';

globalThis.__result = run();
