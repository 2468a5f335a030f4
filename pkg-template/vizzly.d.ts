// `scopemint/vizzly`: a drop-in for `@vizzly/auth`. Methods return Promises, as Vizzly's SDK does.
import type {
  SignerOptions,
  VizzlyDashboardParams,
  VizzlyDataParams,
  VizzlyIdentityConfig,
  VizzlyProjectParams,
  VizzlyQueryEngineParams,
  VizzlyTokens,
} from './index';

export interface VizzlySigner {
  signDashboardAccessToken(params: VizzlyDashboardParams): Promise<string>;
  signDataAccessToken(params: VizzlyDataParams): Promise<string>;
  signQueryEngineAccessToken(params: VizzlyQueryEngineParams): Promise<string>;
  signProjectAccessToken(params: VizzlyProjectParams): Promise<string>;
  generateTokens(identityConfig: VizzlyIdentityConfig): Promise<VizzlyTokens>;
  signVizzlyConfig(config: Record<string, unknown>): Promise<string>;
}

/** `privateKey`: the P-256 key Vizzly's CLI writes (`BEGIN EC PRIVATE KEY`), or any P-256 PEM/JWK. */
export function createSigner(options: SignerOptions & { ttlInMinutes: number }): VizzlySigner;
