//! A grant: what one verified token allows for one request, handed to the
//! server that enforces it.

use serde::Serialize;
use serde_json::{Map, Value};

use crate::authz::rate_limit::RateLimit;
use crate::profiles::scopes::ScopeType;
use crate::sql::secure_filters::FilterGroups;

/// What a token grants for one request. Serialises to camelCase JSON.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Grant {
    /// The request's type.
    #[serde(rename = "type")]
    pub grant_type: ScopeType,
    /// The request's resource (`""` for a bare-type request without one).
    pub resource: String,
    /// The request's params with the scope's `fixed_params` applied on top.
    pub params: Map<String, Value>,
    /// Params the caller sent with a value a fixed param replaced.
    pub overridden: Vec<String>,
    /// The scope's SQL filter (Tinybird JWT `filter`, or a static scope's
    /// `:sql_filter`), for the server to apply.
    pub filter: Option<String>,
    /// Vizzly tokens: the data set's secure filters as an OR of AND-groups
    /// (a token's flat `Filter[]` becomes one-filter groups); empty if the
    /// data set is unfiltered.
    pub secure_filters: Option<FilterGroups>,
    /// The verified payload.
    pub claims: Value,
    /// The token's `limits.rps` budget, for a rate limiter to consume from
    /// (`None` when the token has no positive `rps`).
    pub rate_limit: Option<RateLimit>,
}

impl Grant {
    pub fn to_json(&self) -> String {
        // A Grant holds only strings, JSON values and lists: it always serialises.
        serde_json::to_string(self).unwrap_or_default()
    }
}
