// Column order of the table: scopemint first, then the peers.
import * as scopemint from './scopemint.mjs';
import * as fastJwt from './fast-jwt.mjs';
import * as jose from './jose.mjs';
import * as jsonwebtoken from './jsonwebtoken.mjs';

export const libraries = [scopemint, fastJwt, jose, jsonwebtoken];
export const peers = libraries.filter((lib) => lib !== scopemint);
export { jose };
