// The three claim sets every library signs. Built once per process so every
// library signs byte-identical input; `exp` is an hour ahead so verifies pass.

const hourAhead = Math.floor(Date.now() / 1000) + 3600;

export const payloads = [
  {
    name: 'tinybird',
    claims: {
      workspace_id: '5f8a1c2e-3b4d-4e6f-8a9b-0c1d2e3f4a5b',
      name: 'user_analytics_frontend',
      exp: hourAhead,
      scopes: [
        { type: 'PIPES:READ', resource: 'user_analytics', fixed_params: { user_id: 123, org_id: 'acme' } },
        { type: 'DATASOURCES:READ', resource: 'events', filter: "org_id = 'acme'" },
      ],
      limits: { rps: 10 },
    },
  },
  {
    name: 'vizzly',
    claims: {
      dataSetIds: ['hr-payroll-data', 'hr-people-data'],
      secureFilters: {
        'hr-payroll-data': [{ field: 'field_user_id', op: '=', value: 'u1' }],
        'hr-people-data': [{ field: 'field_user_id', op: '=', value: 'u1' }],
      },
      expires: new Date(hourAhead * 1000).toISOString(),
    },
  },
  { name: 'tiny', claims: { sub: 'user_1' } },
];

// scopemint refuses tokens without `exp` unless told otherwise; peers accept
// them silently. Passing this flag keeps the claim sets identical across libraries.
export const hasExp = (claims) => typeof claims.exp === 'number';
