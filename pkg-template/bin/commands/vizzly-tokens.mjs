// `scopemint vizzly-tokens`: the body a Vizzly identity endpoint returns.
import { createSigner } from '../../dist/node.mjs';
import { DURATION_HELP, parseDuration, readText, typedValue, UsageError, writeOut } from '../cli.mjs';

export default {
  summary: 'print a Vizzly identity response (dashboard, data, query-engine tokens)',
  usage: 'scopemint vizzly-tokens --private-key FILE --ttl DURATION (--project ID | --organisation ID) --user REF [--access-type standard|admin] [--scope read|read_write] [--data-sets a,b|*] [--secure-filter SPEC ...] [--or-secure-filter SPEC ...] [--query-engine] [--json]',
  details: `Prints {"dashboardAccessToken", "dataAccessToken"?, "queryEngineAccessToken"?}, the body an
identity endpoint returns. Tokens are ES256 and carry an ISO-8601 "expires" claim.

Options:
  --private-key FILE       P-256 private key (PEM)
  --ttl DURATION           lifetime of the tokens (required). ${DURATION_HELP}
  --project ID             Vizzly project id (or --organisation ID, the older name; exactly one)
  --user REF               user reference Vizzly may store
  --access-type TYPE       standard (Vizzly's default) or admin
  --scope SCOPE            read or read_write (Vizzly's default)
  --data-sets LIST         comma-separated data set ids, or '*' for all; adds a data access token
  --secure-filter SPEC     repeatable, needs --data-sets: 'dataSet:field=value'; operators
                           = != > < >= <=, or any Vizzly operator in brackets:
                           'dataSet:field[is_one_of]a,b', 'dataSet:name[starts_with]Jo'.
                           Values are typed like --fixed-params of tinybird-jwt.
                           Filters of one data set are ANDed: all must match
  --or-secure-filter SPEC  starts another group for its data set: rows match if every
                           filter of ANY group matches (Vizzly's OR of AND-groups)
  --query-engine           adds a query-engine (Config Manager) token with schema and preview access`,
  options: {
    'private-key': { type: 'string' },
    ttl: { type: 'string' },
    project: { type: 'string' },
    organisation: { type: 'string' },
    user: { type: 'string' },
    'access-type': { type: 'string' },
    scope: { type: 'string' },
    'data-sets': { type: 'string' },
    'secure-filter': { type: 'string', multiple: true },
    'or-secure-filter': { type: 'string', multiple: true },
    'query-engine': { type: 'boolean', default: false },
  },
  run: vizzlyTokens,
};

const SYMBOL_OPS = ['!=', '>=', '<=', '=', '>', '<'];

/** 'dataSet:field=value' or 'dataSet:field[op]value' -> [dataSet, {field, op, value}]. */
function parseSecureFilter(spec) {
  const colon = spec.indexOf(':');
  if (colon <= 0) throw new UsageError(`--secure-filter: "${spec}" is not dataSet:field=value`);
  const dataSet = spec.slice(0, colon);
  const rest = spec.slice(colon + 1);
  const named = /^([^[\]]+)\[([a-z_]+)\](.*)$/.exec(rest);
  if (named) {
    const [, field, op, raw] = named;
    const value = op.endsWith('_one_of') ? raw.split(',').map((v) => typedValue(v.trim())) : typedValue(raw);
    return [dataSet, { field: field.trim(), op, value }];
  }
  // The first operator character splits field from value; two-character operators first.
  const at = rest.search(/[!<>=]/);
  if (at <= 0) throw new UsageError(`--secure-filter: "${spec}" has no operator (=, !=, >, <, >=, <= or [op])`);
  const op = SYMBOL_OPS.find((candidate) => rest.startsWith(candidate, at));
  if (op === undefined) throw new UsageError(`--secure-filter: "${spec}" has no operator`);
  return [dataSet, { field: rest.slice(0, at).trim(), op, value: typedValue(rest.slice(at + op.length).trim()) }];
}

function vizzlyTokens({ values, tokens }) {
  for (const flag of ['private-key', 'ttl', 'user']) {
    if (values[flag] === undefined) throw new UsageError(`--${flag} is required`);
  }
  if ((values.project === undefined) === (values.organisation === undefined)) {
    throw new UsageError('give exactly one of --project and --organisation');
  }
  const ttlSeconds = parseDuration(values.ttl);
  // Vizzly's flat identity config; accessType and scope default in the library as Vizzly's do.
  const identity = {
    userReference: values.user,
    ...(values['access-type'] !== undefined ? { accessType: values['access-type'] } : {}),
    ...(values.scope !== undefined ? { scope: values.scope } : {}),
    ...(values.project !== undefined ? { projectId: values.project } : { organisationId: values.organisation }),
  };
  const filterFlags = tokens.filter((t) => t.kind === 'option' && (t.name === 'secure-filter' || t.name === 'or-secure-filter'));
  if (filterFlags.length > 0 && values['data-sets'] === undefined) {
    throw new UsageError('--secure-filter needs --data-sets');
  }
  if (values['data-sets'] !== undefined) {
    const list = values['data-sets'].trim();
    identity.dataSetIds = list === '*' ? '*' : list.split(',').map((id) => id.trim()).filter(Boolean);
    // Always the nested form (OR of AND-groups), so the token says exactly what the flags said.
    const secureFilters = {};
    for (const flag of filterFlags) {
      const [dataSet, filter] = parseSecureFilter(flag.value);
      const groups = (secureFilters[dataSet] ??= []);
      if (flag.name === 'or-secure-filter' || groups.length === 0) groups.push([]);
      groups[groups.length - 1].push(filter);
    }
    identity.secureFilters = secureFilters;
  }
  if (values['query-engine']) {
    identity.allowDatabaseSchemaAccess = true;
    identity.allowDataPreviewAccess = true;
  }
  const privateKey = readText(values['private-key'], 'private key file');
  const result = createSigner({ privateKey, ttlSeconds }).generateTokens(identity);
  writeOut(result, values.json);
}
