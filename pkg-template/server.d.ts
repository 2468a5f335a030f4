// `scopemint/server`: everything `scopemint` exports, on a larger wasm that also
// parses SQL filters and renders data-model templates. For servers, not browsers.
import type { SqlDialect } from './index';

export * from './index';

export interface SqlFilterOptions {
  /** Whose SQL the filter is written in. Default `'clickhouse'` (Tinybird's engine). */
  dialect?: SqlDialect;
  /** Accept subqueries (`IN (SELECT …)`, `EXISTS (…)`). Default `false`. */
  allowSubqueries?: boolean;
}

export interface RenderDataModelOptions {
  dialect: SqlDialect;
  /** Parameters the surrounding query already binds; numbering starts after them. Default `0`. */
  paramOffset?: number;
  /** The only names `identifier(…)` may produce (each of the strict grammar). Default: any strict name. */
  allowedIdentifiers?: string[];
}

export interface RenderedDataModel {
  /** The SQL with every template value replaced by a placeholder (`$1` / `?` / `{p1:Type}`). */
  sql: string;
  /** The values to bind, in placeholder order. */
  params: unknown[];
}

/**
 * Parses an issuer-written SQL filter (Tinybird `filter` / static `sql_filter`) and returns it
 * normalised: a canonical rendering that parses back to the same expression. Throws
 * `ERR_FILTER_INVALID` unless it is exactly one boolean expression with no `;`, comment
 * (MySQL executable comments included), placeholder or variable (`?`, `$1`, `:name`, `@name`,
 * `{name:Type}`, `%s`), bare column, escape whose meaning depends on server settings, or
 * (by default) subquery. Here `createJWT`, `formatScope` and `authorize` check filters the same way.
 */
export function normalizeSqlFilter(filter: string, options?: SqlFilterOptions): string;

/**
 * Renders an Embeddable-style data model (`{{ COMPILE_CONTEXT.securityContext.x }}` or the single-brace
 * `{ COMPILE_CONTEXT.securityContext.x }`, `{% if … %}`, `list(…)`, `identifier(…)`) with every value
 * bound as a parameter. Throws `ERR_TEMPLATE_INVALID`.
 */
export function renderDataModel(
  template: string,
  securityContext: Record<string, unknown>,
  options: RenderDataModelOptions,
): RenderedDataModel;
