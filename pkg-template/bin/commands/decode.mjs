// `scopemint decode`: a token shown WITHOUT verifying it, for reading only.
import { decode } from '../../dist/node.mjs';
import { readToken, rejected, writeOut } from '../cli.mjs';

export default {
  summary: 'show a token WITHOUT verifying it: header, claims, profile, scopes, expiry',
  usage: 'scopemint decode TOKEN|- [--json]',
  details: `For reading only, never for access decisions: the signature is not checked.
TOKEN may be - to read it from stdin. Expired tokens are marked EXPIRED (exit 0).`,
  options: {},
  positionals: ['TOKEN'],
  run: decodeCommand,
};

function words(seconds) {
  const parts = [];
  let left = Math.floor(Math.abs(seconds));
  for (const [unit, size] of [['day', 86400], ['hour', 3600], ['minute', 60], ['second', 1]]) {
    const count = Math.floor(left / size);
    left -= count * size;
    if (count > 0) parts.push(`${count} ${unit}${count === 1 ? '' : 's'}`);
    if (parts.length === 2) break;
  }
  return parts.length ? parts.join(' ') : '0 seconds';
}

function scopeLines(payload, profile, profileInfo) {
  const lines = [];
  if (profile === 'tinybird' && Array.isArray(payload.scopes)) {
    for (const scope of payload.scopes) {
      lines.push(`  ${scope.type} ${scope.resource ?? ''}`.trimEnd());
      if (scope.fixed_params) {
        const pairs = Object.entries(scope.fixed_params).map(([k, v]) => `${k}=${JSON.stringify(v)}`);
        lines.push(`    fixed params: ${pairs.join(', ')}`);
      }
      if (scope.filter !== undefined) lines.push(`    filter: ${scope.filter}`);
    }
    if (payload.limits?.rps !== undefined) lines.push(`  limits: ${payload.limits.rps} requests per second`);
  } else if (profile === 'vizzly-data') {
    const ids = payload.dataSetIds === '*' ? '* (all data sets)' : [].concat(payload.dataSetIds).join(', ');
    lines.push(`  data sets: ${ids}`);
    // The boolean reading comes from the library (Rust), the same words decode() returns.
    for (const [dataSet, reading] of Object.entries(profileInfo?.secureFilters ?? {})) {
      lines.push(`  secure filters on ${JSON.stringify(dataSet)}: ${reading}`);
    }
  } else if (profile === 'vizzly-dashboard') {
    lines.push(`  access: ${payload.accessType}, scope: ${payload.scope}`);
    const project = payload.projectId !== undefined ? `project ${payload.projectId}` : `organisation ${payload.organisationId}`;
    lines.push(`  ${project}, user ${payload.userReference}`);
  } else if (profile === 'vizzly-query-engine') {
    lines.push(`  database schema access: ${JSON.stringify(payload.allowDatabaseSchemaAccess ?? false)}`);
    lines.push(`  data preview access: ${JSON.stringify(payload.allowDataPreviewAccess ?? false)}`);
  } else if (profile === 'vizzly-project' && Array.isArray(payload.resources)) {
    lines.push(`  project ${payload.projectId}`);
    for (const resource of payload.resources) lines.push(`  resource ${resource?.id}: ${resource?.scope}`);
  } else if (profile === 'embeddable') {
    lines.push(`  embeddable ${payload.embeddableId}, user ${payload.user}`);
    lines.push(`  security context: ${JSON.stringify(payload.securityContext)}`);
  }
  return lines;
}

// A token may state an instant that no Date can hold (exp: 1e300); toISOString would throw.
function isoString(date) {
  return date === null || Number.isNaN(date.getTime()) ? null : date.toISOString();
}

function decodeCommand({ values, positionals }) {
  const token = readToken(positionals[0]);
  let decoded;
  try {
    decoded = decode(token);
  } catch (error) {
    throw rejected(error, token);
  }
  const { header, payload, profile, profileInfo, issuedAt, expiresAt, expired, secondsLeft } = decoded;
  if (values.json) {
    writeOut(
      {
        header,
        payload,
        profile,
        profileInfo,
        issuedAt: isoString(issuedAt),
        expiresAt: isoString(expiresAt),
        expired,
        secondsLeft,
        verified: false,
      },
      true,
    );
    return;
  }
  const lines = [
    'NOT VERIFIED: decoded for reading only.',
    `header:  ${JSON.stringify(header)}`,
    `claims:  ${JSON.stringify(payload, null, 2).replace(/\n/g, '\n         ')}`,
    `profile: ${profile ?? 'none recognised'}`,
  ];
  const scopes = scopeLines(payload, profile, profileInfo);
  if (scopes.length) lines.push('scopes:', ...scopes);
  if (issuedAt) lines.push(`issued:  ${isoString(issuedAt) ?? `${payload.iat} (Unix seconds, outside the range of dates)`}`);
  if (expiresAt === null) {
    lines.push('expires: never (no exp)');
  } else if (isoString(expiresAt) === null) {
    const when = `${payload.exp ?? payload.expires} (Unix seconds, outside the range of dates)`;
    lines.push(`expires: ${when}  ${expired ? 'EXPIRED' : `(${words(secondsLeft)} left)`}`);
  } else if (expired) {
    const ago = (Date.now() - expiresAt.getTime()) / 1000;
    lines.push(`expires: ${expiresAt.toISOString()}  EXPIRED ${words(ago)} ago`);
  } else {
    lines.push(`expires: ${expiresAt.toISOString()}  (${words(secondsLeft)} left)`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}
