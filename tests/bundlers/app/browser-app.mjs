// A browser app: the page shows the result for the test to read.
import { run } from './checks.mjs';

window.__result = run();
