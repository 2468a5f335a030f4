// `scopemint/tinybird`: a drop-in for `@tinybirdco/sdk`'s `createClient` as far as
// `tokens.createJWT` goes; the JWT is minted locally (HS256 with the admin token).
import type { TinybirdCreateJwtOptions } from './index';

export { TokenError } from './index';

export interface TinybirdClientOptions {
  /** The workspace admin token: the HS256 key of the JWTs. */
  token: string;
  /** The workspace's id, written into each JWT's `workspace_id`. */
  workspaceId: string;
  /** Accepted so the SDK's options carry over; no request is made. */
  baseUrl?: string;
}

export interface TinybirdClient {
  readonly tokens: {
    /**
     * Resolves to `{ token }`, like the SDK; rejects with a `TokenError`. A scope `filter` is SQL
     * this entry cannot check: it rejects with `ERR_FILTER_UNCHECKED`; `tinybird.createClient` from
     * `scopemint/server` checks the filter and mints it.
     */
    createJWT(options: TinybirdCreateJwtOptions): Promise<{ token: string }>;
  };
}

export function createClient(options: TinybirdClientOptions): TinybirdClient;
