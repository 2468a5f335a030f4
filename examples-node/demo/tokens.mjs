// Minting what a logged-in user receives: a Tinybird JWT for the pipes and
// Vizzly tokens for a dashboard. Both pin the user's organisation server-side.
// Vizzly data tokens are enforced by GET /api/vizzly/orders (server.mjs).
import { createSigner } from 'scopemint';

export function createTokenMinter({ adminToken, workspaceId, vizzlyPrivateKey, vizzlyProjectId, ttlSeconds, rps }) {
  // Built once: keys parsed and options checked at start, not per login.
  const tinybird = createSigner({ secret: adminToken, workspaceId });
  const vizzly = createSigner({ privateKey: vizzlyPrivateKey, ttlInMinutes: Math.max(1, Math.round(ttlSeconds / 60)) });
  let serial = 0;

  return function mint(user, { ttlMs = ttlSeconds * 1000 } = {}) {
    serial += 1;
    const { token } = tinybird.createJWT({
      // Unique per login, for logs and per-token limits.
      name: `demo_${user.login}_${Date.now()}_${serial}`,
      expiresAt: new Date(Date.now() + ttlMs),
      scopes: [
        { type: 'PIPES:READ', resource: 'user_orders', fixed_params: { org_id: user.orgId, user_id: user.userId } },
        { type: 'PIPES:READ', resource: 'org_summary', fixed_params: { org_id: user.orgId } },
      ],
      limits: { rps },
    });
    // Vizzly's flat identity config. The filters must ALL hold, so they use Vizzly's
    // nested form: [[a, b]] is "a AND b" (a flat [a, b] would mean "a OR b").
    const vizzlyTokens = vizzly.generateTokens({
      accessType: 'standard',
      projectId: vizzlyProjectId,
      userReference: `user_${user.userId}`,
      scope: 'read',
      dataSetIds: ['orders'],
      secureFilters: {
        orders: [[
          { field: 'org_id', op: '=', value: user.orgId },
          { field: 'status', op: '!=', value: 'cancelled' },
        ]],
      },
    });
    return { tinybird: token, vizzly: vizzlyTokens };
  };
}
