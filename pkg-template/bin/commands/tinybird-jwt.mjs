// `scopemint tinybird-jwt`: a Tinybird JWT signed locally with the workspace admin token.
import { createSigner } from '../../dist/node.mjs';
import { DURATION_HELP, parseDuration, readSecret, server, typedValue, UsageError, writeOut } from '../cli.mjs';

export default {
  summary: 'mint a Tinybird JWT with scopes, fixed params and rate limit',
  usage: 'scopemint tinybird-jwt NAME --ttl DURATION --scope TYPE --resource NAME [--fixed-params k=v,...] [--filter SQL] [--scope ... --resource ...] [--rps N] [--workspace-id ID] [--secret-file FILE] [--json]',
  details: `Signs locally with HS256 and the workspace admin token (no call to Tinybird).

Options:
  --ttl DURATION          lifetime of the token (required). ${DURATION_HELP}
  --scope TYPE            PIPES:READ, DATASOURCES:READ or DATASOURCES:APPEND; each --scope starts a new scope
  --resource NAME         the pipe or data source of the current scope
  --fixed-params k=v,...  PIPES:READ only; repeatable. Numbers become numbers, true/false booleans,
                          anything else (or a "quoted" value) a string
  --filter SQL            DATASOURCES:READ only: a SQL condition
  --rps N                 limits.rps, a positive integer
  --workspace-id ID       default: $TINYBIRD_WORKSPACE_ID
  --secret-file FILE      file holding the admin token; default: $TINYBIRD_ADMIN_TOKEN

Example:
  scopemint tinybird-jwt user_123_session --ttl 1h \\
    --scope PIPES:READ --resource user_dashboard --fixed-params user_id=123 \\
    --scope DATASOURCES:READ --resource events --filter "org_id = 'acme'" --rps 10`,
  options: {
    ttl: { type: 'string' },
    scope: { type: 'string', multiple: true },
    resource: { type: 'string', multiple: true },
    'fixed-params': { type: 'string', multiple: true },
    filter: { type: 'string', multiple: true },
    rps: { type: 'string' },
    'workspace-id': { type: 'string' },
    'secret-file': { type: 'string' },
  },
  positionals: ['NAME'],
  run: tinybirdJwt,
};

function parseKeyValues(text, flag) {
  const result = {};
  for (const pair of text.split(',')) {
    const at = pair.indexOf('=');
    if (at <= 0) throw new UsageError(`${flag}: "${pair}" is not key=value`);
    result[pair.slice(0, at).trim()] = typedValue(pair.slice(at + 1).trim());
  }
  return result;
}

function tinybirdJwt({ values, positionals, tokens }) {
  const [name] = positionals;
  if (values.ttl === undefined) throw new UsageError('--ttl is required');
  const ttl = parseDuration(values.ttl);
  // Scope flags group by position: each --scope opens a scope, the others fill the latest.
  const scopes = [];
  for (const token of tokens) {
    if (token.kind !== 'option') continue;
    if (token.name === 'scope') {
      scopes.push({ type: token.value });
      continue;
    }
    if (!['resource', 'fixed-params', 'filter'].includes(token.name)) continue;
    const current = scopes.at(-1);
    if (current === undefined) throw new UsageError(`--${token.name} must follow a --scope`);
    if (token.name === 'resource') {
      if (current.resource !== undefined) throw new UsageError('one --resource per --scope');
      current.resource = token.value;
    } else if (token.name === 'filter') {
      if (current.filter !== undefined) throw new UsageError('one --filter per --scope');
      current.filter = token.value;
    } else {
      current.fixed_params = { ...current.fixed_params, ...parseKeyValues(token.value, '--fixed-params') };
    }
  }
  if (scopes.length === 0) throw new UsageError('at least one --scope (with --resource) is required');
  for (const scope of scopes) {
    if (scope.resource === undefined) throw new UsageError(`--scope ${scope.type} needs a --resource`);
  }
  const secret = values['secret-file'] !== undefined ? readSecret(values['secret-file']) : process.env.TINYBIRD_ADMIN_TOKEN;
  if (!secret) throw new UsageError('the admin token is required: set TINYBIRD_ADMIN_TOKEN or give --secret-file');
  const workspaceId = values['workspace-id'] ?? process.env.TINYBIRD_WORKSPACE_ID;
  if (!workspaceId) throw new UsageError('the workspace id is required: give --workspace-id or set TINYBIRD_WORKSPACE_ID');
  const params = { name, expiresAt: Math.floor(Date.now() / 1000 + ttl), scopes };
  if (values.rps !== undefined) {
    // Numeric text goes as a number; anything else goes as given for the library to refuse.
    params.limits = { rps: /^\d+(\.\d+)?$/.test(values.rps) ? Number(values.rps) : values.rps };
  }
  const signerFor = scopes.some((scope) => scope.filter !== undefined) ? server().createSigner : createSigner;
  const { token } = signerFor({ secret, workspaceId }).createJWT(params);
  writeOut({ token }, values.json, token);
}
