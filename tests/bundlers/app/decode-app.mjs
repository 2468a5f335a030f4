// The smallest browser use: only decode (the size the README promises is measured on this).
import { decode } from 'scopemint/decode';

window.__result = { profile: decode(window.__token).profile };
