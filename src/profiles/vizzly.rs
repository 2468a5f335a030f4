//! Vizzly (`@vizzly/auth`) tokens: dashboard, data, query-engine and project
//! access tokens and signed configs. ES256 over the given fields plus
//! `expires`, an ISO-8601 string (Vizzly reads `expires`, not `exp`, so no
//! `exp`/`iat` is added: the claim set stays exactly what
//! https://docs.vizzly.co/identity/self-sign lists).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::{field_error, now_millis};
use crate::error::{invalid_option, key_invalid, Result};
use crate::jose::alg::Algorithm;
use crate::jose::json::Object;
use crate::jwt::sign::{splice_claims, Signer};
use crate::jwt::time::format_iso8601_millis;
use crate::sql::secure_filters::parse_secure_filters;
/// The operator enum, where the Vizzly token API's users look for it.
pub use crate::sql::secure_filters::FilterOp;

/// `signDashboardAccessToken`'s fields.
#[derive(Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DashboardParams {
    /// Defaults to `standard` (the SDK's default, per vizzly-co/examples node-auth).
    #[serde(default)]
    pub access_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub organisation_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub project_id: Option<String>,
    pub user_reference: String,
    /// Defaults to `read_write` (the SDK's default, per vizzly-co/examples node-auth).
    #[serde(default)]
    pub scope: Option<String>,
    /// The older dashboard template id, still passed by Vizzly's identity callback example.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dashboard_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent_dashboard_ids: Option<Vec<String>>,
}

/// `dataSetIds`: a list of ids, or `"*"` for all.
#[derive(Clone, Deserialize, Serialize)]
#[serde(untagged)]
pub enum DataSetIds {
    List(Vec<String>),
    /// Only `"*"` is valid.
    All(String),
}

impl DataSetIds {
    /// `"*"`: every data set.
    pub fn all() -> DataSetIds {
        DataSetIds::All("*".into())
    }
}

/// `signDataAccessToken`'s fields.
#[derive(Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DataParams {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project_id: Option<String>,
    pub data_set_ids: DataSetIds,
    /// Required, as in the self-sign claim set: `{}` states "no filters" on purpose.
    pub secure_filters: Option<Map<String, Value>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parameters: Option<Map<String, Value>>,
}

#[derive(Clone, Deserialize, Serialize)]
#[serde(untagged)]
pub enum SchemaAccess {
    All(bool),
    Tables(Vec<TableAccess>),
}

#[derive(Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct TableAccess {
    pub table: String,
}

/// `signQueryEngineAccessToken`'s fields.
#[derive(Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct QueryEngineParams {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project_id: Option<String>,
    pub allow_database_schema_access: Option<SchemaAccess>,
    pub allow_data_preview_access: Option<bool>,
}

/// `signProjectAccessToken`'s fields.
#[derive(Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ProjectParams {
    pub project_id: String,
    pub resources: Vec<ProjectResource>,
}

#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ProjectResource {
    pub id: String,
    pub scope: String,
}

/// Vizzly's flat identity config, the one object its docs and example apps
/// pass to `generateTokens` (https://docs.vizzly.co/dashboard/callbacks/identity).
#[derive(Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct IdentityConfig {
    pub access_type: Option<String>,
    pub organisation_id: Option<String>,
    pub project_id: Option<String>,
    pub user_reference: String,
    pub scope: Option<String>,
    pub dashboard_id: Option<String>,
    pub parent_dashboard_ids: Option<Vec<String>>,
    pub data_set_ids: Option<DataSetIds>,
    pub secure_filters: Option<Map<String, Value>>,
    pub parameters: Option<Map<String, Value>>,
    pub allow_database_schema_access: Option<SchemaAccess>,
    pub allow_data_preview_access: Option<bool>,
}

#[derive(Serialize)]
struct WithExpiry<'a, T> {
    #[serde(flatten)]
    fields: &'a T,
    expires: String,
}

fn non_empty(value: &str, field: &str) -> Result<()> {
    if value.trim().is_empty() {
        Err(field_error(field, "must be a non-empty string"))
    } else {
        Ok(())
    }
}

fn check_scope(scope: &str, field: &str) -> Result<()> {
    if matches!(scope, "read" | "read_write") {
        Ok(())
    } else {
        Err(field_error(field, "must be \"read\" or \"read_write\""))
    }
}

impl DashboardParams {
    /// Validates and fills Vizzly's defaults, so the claims say what is meant.
    fn validate(&mut self) -> Result<()> {
        let access_type = self.access_type.get_or_insert_with(|| "standard".into());
        if !matches!(access_type.as_str(), "standard" | "admin" | "editor") {
            return Err(field_error(
                "accessType",
                "must be \"standard\" or \"admin\" (\"editor\" is the older name of \"admin\")",
            ));
        }
        check_scope(
            self.scope.get_or_insert_with(|| "read_write".into()),
            "scope",
        )?;
        match (&self.organisation_id, &self.project_id) {
            (Some(_), Some(_)) => {
                return Err(field_error(
                    "projectId",
                    "give organisationId or projectId, not both",
                ))
            }
            (None, None) => {
                return Err(field_error(
                    "projectId",
                    "projectId (or the older organisationId) is required",
                ))
            }
            (Some(id), None) => non_empty(id, "organisationId")?,
            (None, Some(id)) => non_empty(id, "projectId")?,
        }
        non_empty(&self.user_reference, "userReference")?;
        if let Some(id) = &self.dashboard_id {
            non_empty(id, "dashboardId")?;
        }
        for (i, id) in self.parent_dashboard_ids.iter().flatten().enumerate() {
            non_empty(id, &format!("parentDashboardIds[{i}]"))?;
        }
        Ok(())
    }
}

impl DataParams {
    fn validate(&self) -> Result<()> {
        if let Some(id) = &self.project_id {
            non_empty(id, "projectId")?;
        }
        let listed = match &self.data_set_ids {
            DataSetIds::All(star) if star == "*" => None,
            DataSetIds::List(ids) if !ids.is_empty() => {
                for (i, id) in ids.iter().enumerate() {
                    non_empty(id, &format!("dataSetIds[{i}]"))?;
                }
                Some(ids)
            }
            _ => {
                return Err(field_error(
                    "dataSetIds",
                    "must be \"*\" or a non-empty list of data set ids",
                ))
            }
        };
        let filters = self.secure_filters.as_ref().ok_or_else(|| {
            field_error(
                "secureFilters",
                "is required: filters per data set, or {} to state that no data set is filtered",
            )
        })?;
        for (data_set, filters) in filters {
            if listed.is_some_and(|ids| !ids.contains(data_set)) {
                return Err(field_error(
                    &format!("secureFilters.{data_set}"),
                    "filters a data set that is not in dataSetIds",
                ));
            }
            parse_secure_filters(filters, &format!("secureFilters.{data_set}"))?;
        }
        Ok(())
    }
}

impl QueryEngineParams {
    fn validate(&self) -> Result<()> {
        if let Some(id) = &self.project_id {
            non_empty(id, "projectId")?;
        }
        match &self.allow_database_schema_access {
            None => {
                return Err(field_error(
                    "allowDatabaseSchemaAccess",
                    "is required (true or false)",
                ))
            }
            Some(SchemaAccess::Tables(tables)) => {
                for (i, table) in tables.iter().enumerate() {
                    non_empty(
                        &table.table,
                        &format!("allowDatabaseSchemaAccess[{i}].table"),
                    )?;
                }
            }
            Some(SchemaAccess::All(_)) => {}
        }
        if self.allow_data_preview_access.is_none() {
            return Err(field_error(
                "allowDataPreviewAccess",
                "is required (true or false)",
            ));
        }
        Ok(())
    }
}

impl ProjectParams {
    fn validate(&self) -> Result<()> {
        non_empty(&self.project_id, "projectId")?;
        if self.resources.is_empty() {
            return Err(field_error("resources", "must be a non-empty list"));
        }
        for (i, resource) in self.resources.iter().enumerate() {
            non_empty(&resource.id, &format!("resources[{i}].id"))?;
            check_scope(&resource.scope, &format!("resources[{i}].scope"))?;
        }
        Ok(())
    }
}

/// The `expires` value for a token signed now: exactly `new Date(now + ttl).toISOString()`.
fn expires(signer: &Signer) -> Result<String> {
    let ttl = signer.ttl_seconds().ok_or_else(|| {
        invalid_option(
            "ttlInMinutes",
            "Vizzly tokens need `ttlInMinutes` on the signer",
        )
    })?;
    let now = now_millis()?;
    let expires = ttl
        .checked_mul(1000)
        .and_then(|ttl_ms| now.checked_add(ttl_ms))
        .ok_or_else(|| invalid_option("ttlInMinutes", "overflows the expiry"))?;
    Ok(format_iso8601_millis(expires))
}

fn check_signer(signer: &Signer) -> Result<()> {
    if signer.algorithm() != Algorithm::ES256 {
        return Err(key_invalid(format!(
            "Vizzly tokens are ES256; this signer uses {} (give a P-256 `privateKey`)",
            signer.algorithm().as_str()
        )));
    }
    Ok(())
}

fn sign_fields<T: Serialize>(signer: &Signer, fields: &T) -> Result<String> {
    check_signer(signer)?;
    let payload = serde_json::to_vec(&WithExpiry {
        fields,
        expires: expires(signer)?,
    })
    .map_err(|e| invalid_option("claims", e.to_string()))?;
    signer.sign_payload(&payload)
}

pub fn sign_dashboard_access_token(signer: &Signer, mut params: DashboardParams) -> Result<String> {
    params.validate()?;
    sign_fields(signer, &params)
}

pub fn sign_data_access_token(signer: &Signer, params: &DataParams) -> Result<String> {
    params.validate()?;
    sign_fields(signer, params)
}

pub fn sign_query_engine_access_token(
    signer: &Signer,
    params: &QueryEngineParams,
) -> Result<String> {
    params.validate()?;
    sign_fields(signer, params)
}

/// `{projectId, resources: [{id, scope}]}`, e.g. for the query engine to save
/// configs (https://docs.vizzly.co/query-engines/self-hosted/config/storage/vizzly-api).
pub fn sign_project_access_token(signer: &Signer, params: &ProjectParams) -> Result<String> {
    params.validate()?;
    sign_fields(signer, params)
}

/// The identity endpoint's response body (`generateTokens`).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VizzlyTokens {
    pub dashboard_access_token: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_access_token: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub query_engine_access_token: Option<String>,
}

/// Flat identity config -> the identity endpoint's tokens:
/// `dashboardAccessToken` always, `dataAccessToken` when a data field is
/// given, `queryEngineAccessToken` when an `allow*` flag is.
pub fn generate_tokens(signer: &Signer, identity: IdentityConfig) -> Result<VizzlyTokens> {
    let mut dashboard = DashboardParams {
        access_type: identity.access_type,
        organisation_id: identity.organisation_id,
        project_id: identity.project_id.clone(),
        user_reference: identity.user_reference,
        scope: identity.scope,
        dashboard_id: identity.dashboard_id,
        parent_dashboard_ids: identity.parent_dashboard_ids,
    };
    dashboard.validate()?;
    let data = match (
        identity.data_set_ids,
        identity.secure_filters,
        identity.parameters,
    ) {
        (None, None, None) => None,
        (Some(data_set_ids), secure_filters, parameters) => Some(DataParams {
            project_id: identity.project_id.clone(),
            data_set_ids,
            secure_filters,
            parameters,
        }),
        (None, _, _) => {
            return Err(field_error(
                "dataSetIds",
                "is required with secureFilters or parameters (they make a data access token)",
            ))
        }
    };
    let query_engine = match (
        identity.allow_database_schema_access,
        identity.allow_data_preview_access,
    ) {
        (None, None) => None,
        // One flag given: the other is not granted.
        (schema, preview) => Some(QueryEngineParams {
            project_id: identity.project_id,
            allow_database_schema_access: Some(schema.unwrap_or(SchemaAccess::All(false))),
            allow_data_preview_access: Some(preview.unwrap_or(false)),
        }),
    };
    if let Some(data) = &data {
        data.validate()?;
    }
    if let Some(query_engine) = &query_engine {
        query_engine.validate()?;
    }
    Ok(VizzlyTokens {
        dashboard_access_token: sign_fields(signer, &dashboard)?,
        data_access_token: data.as_ref().map(|d| sign_fields(signer, d)).transpose()?,
        query_engine_access_token: query_engine
            .as_ref()
            .map(|q| sign_fields(signer, q))
            .transpose()?,
    })
}

/// Signs a Vizzly config (any JSON object) for the query engine's config header.
pub fn sign_vizzly_config(signer: &Signer, config: &Map<String, Value>) -> Result<String> {
    let text =
        serde_json::to_string(config).map_err(|e| invalid_option("config", e.to_string()))?;
    sign_vizzly_config_text(signer, &text)
}

/// [`sign_vizzly_config`] of the config as JSON text, which is signed as
/// written (the wasm adapter's form).
pub(crate) fn sign_vizzly_config_text(signer: &Signer, config_json: &str) -> Result<String> {
    check_signer(signer)?;
    let config = Object::parse(config_json)
        .map_err(|e| invalid_option("config", format!("must be a JSON object: {e}")))?;
    if config.contains("expires") {
        return Err(field_error(
            "expires",
            "is set by the signer from ttlInMinutes; remove it from the config",
        ));
    }
    let payload = splice_claims(
        config_json,
        config.is_empty(),
        &[("expires", Value::String(expires(signer)?))],
    )?;
    signer.sign_payload(&payload)
}
