//! Vizzly (`@vizzly/auth`) tokens: dashboard, data and query-engine access
//! tokens and signed configs. ES256 over the given fields plus `expires`, an
//! ISO-8601 string (Vizzly reads `expires`, not `exp`, so no `exp`/`iat` is
//! added: the claim set stays exactly what Vizzly's own SDK produces).

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{field_error, now_millis, parse_params, within};
use crate::alg::Algorithm;
use crate::error::{invalid_option, key_invalid, Result};
use crate::json::Claims;
use crate::sign::{splice_claims, Signer};
use crate::time::format_iso8601_millis;

pub const FILTER_OPERATORS: [&str; 12] = [
    "=",
    "!=",
    ">",
    "<",
    ">=",
    "<=",
    "is_one_of",
    "is_not_one_of",
    "starts_with",
    "ends_with",
    "contains_substring",
    "does_not_contain_substring",
];

pub fn is_list_operator(op: &str) -> bool {
    matches!(op, "is_one_of" | "is_not_one_of")
}

#[derive(Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DashboardParams {
    access_type: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    organisation_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    project_id: Option<String>,
    user_reference: String,
    scope: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    dashboard_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    parent_dashboard_ids: Option<Vec<String>>,
}

#[derive(Deserialize, Serialize)]
#[serde(untagged)]
pub enum DataSetIds {
    List(Vec<String>),
    All(String),
}

#[derive(Deserialize, Serialize, Clone, Debug)]
#[serde(deny_unknown_fields)]
pub struct SecureFilter {
    pub field: String,
    pub op: String,
    pub value: Value,
}

#[derive(Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DataParams {
    data_set_ids: DataSetIds,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    secure_filters: Option<serde_json::Map<String, Value>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    parameters: Option<serde_json::Map<String, Value>>,
}

#[derive(Deserialize, Serialize)]
#[serde(untagged)]
pub enum SchemaAccess {
    All(bool),
    Tables(Vec<TableAccess>),
}

#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct TableAccess {
    table: String,
}

#[derive(Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct QueryEngineParams {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    allow_database_schema_access: Option<SchemaAccess>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    allow_data_preview_access: Option<bool>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct IdentityConfig {
    dashboard: DashboardParams,
    data: Option<DataParams>,
    query_engine: Option<QueryEngineParams>,
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

impl DashboardParams {
    fn validate(&self) -> Result<()> {
        if !matches!(self.access_type.as_str(), "standard" | "admin" | "editor") {
            return Err(field_error(
                "accessType",
                "must be \"standard\" or \"admin\" (\"editor\" is the older name of \"admin\")",
            ));
        }
        if !matches!(self.scope.as_str(), "read" | "read_write") {
            return Err(field_error("scope", "must be \"read\" or \"read_write\""));
        }
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

/// Checks one `{field, op, value}` filter; `path` names it in errors.
pub fn validate_filter(filter: &SecureFilter, path: &str) -> Result<()> {
    if filter.field.trim().is_empty() {
        return Err(field_error(
            &format!("{path}.field"),
            "must be a non-empty string",
        ));
    }
    if !FILTER_OPERATORS.contains(&filter.op.as_str()) {
        return Err(field_error(
            &format!("{path}.op"),
            format!(
                "unknown operator \"{}\" (known: {})",
                filter.op,
                FILTER_OPERATORS.join(", ")
            ),
        ));
    }
    let scalar = |v: &Value| {
        matches!(
            v,
            Value::String(_) | Value::Number(_) | Value::Bool(_) | Value::Null
        )
    };
    let value_path = format!("{path}.value");
    match (&filter.value, is_list_operator(&filter.op)) {
        (Value::Array(items), true) if items.iter().all(scalar) => Ok(()),
        (_, true) => Err(field_error(
            &value_path,
            format!(
                "\"{}\" takes a list of strings, numbers or booleans",
                filter.op
            ),
        )),
        (value, false) if scalar(value) => Ok(()),
        (_, false) => Err(field_error(
            &value_path,
            format!("\"{}\" takes a single string, number or boolean", filter.op),
        )),
    }
}

/// Parses and checks a `secureFilters` value: data set id -> list of filters.
pub fn parse_filter_list(value: &Value, path: &str) -> Result<Vec<SecureFilter>> {
    let filters: Vec<SecureFilter> = serde_json::from_value(value.clone()).map_err(|e| {
        field_error(
            path,
            format!("must be a list of {{field, op, value}} filters ({e})"),
        )
    })?;
    for (i, filter) in filters.iter().enumerate() {
        validate_filter(filter, &format!("{path}[{i}]"))?;
    }
    Ok(filters)
}

impl DataParams {
    fn validate(&self) -> Result<()> {
        let listed = match &self.data_set_ids {
            DataSetIds::All(star) if star == "*" => None,
            DataSetIds::All(_) => {
                return Err(field_error(
                    "dataSetIds",
                    "must be \"*\" or a non-empty list of data set ids",
                ))
            }
            DataSetIds::List(ids) if ids.is_empty() => {
                return Err(field_error(
                    "dataSetIds",
                    "must be \"*\" or a non-empty list of data set ids",
                ))
            }
            DataSetIds::List(ids) => {
                for (i, id) in ids.iter().enumerate() {
                    non_empty(id, &format!("dataSetIds[{i}]"))?;
                }
                Some(ids)
            }
        };
        for (data_set, filters) in self.secure_filters.iter().flatten() {
            if listed.is_some_and(|ids| !ids.contains(data_set)) {
                return Err(field_error(
                    &format!("secureFilters.{data_set}"),
                    "filters a data set that is not in dataSetIds",
                ));
            }
            parse_filter_list(filters, &format!("secureFilters.{data_set}"))?;
        }
        Ok(())
    }
}

impl QueryEngineParams {
    fn validate(&self) -> Result<()> {
        if let Some(SchemaAccess::Tables(tables)) = &self.allow_database_schema_access {
            for (i, table) in tables.iter().enumerate() {
                non_empty(
                    &table.table,
                    &format!("allowDatabaseSchemaAccess[{i}].table"),
                )?;
            }
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
    Ok(format_iso8601_millis(now_millis() + ttl * 1000))
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

pub fn sign_dashboard_access_token(signer: &Signer, params_json: &str) -> Result<String> {
    let params: DashboardParams = parse_params(params_json, "signDashboardAccessToken")?;
    params.validate()?;
    sign_fields(signer, &params)
}

pub fn sign_data_access_token(signer: &Signer, params_json: &str) -> Result<String> {
    let params: DataParams = parse_params(params_json, "signDataAccessToken")?;
    params.validate()?;
    sign_fields(signer, &params)
}

pub fn sign_query_engine_access_token(signer: &Signer, params_json: &str) -> Result<String> {
    let params: QueryEngineParams = parse_params(params_json, "signQueryEngineAccessToken")?;
    params.validate()?;
    sign_fields(signer, &params)
}

/// `{ dashboard, data?, queryEngine? }` -> the identity endpoint's response body as JSON text.
pub fn generate_tokens(signer: &Signer, identity_json: &str) -> Result<String> {
    let identity: IdentityConfig = parse_params(identity_json, "generateTokens")?;
    identity
        .dashboard
        .validate()
        .map_err(|e| within("dashboard", e))?;
    let mut response = serde_json::Map::new();
    response.insert(
        "dashboardAccessToken".into(),
        sign_fields(signer, &identity.dashboard)?.into(),
    );
    if let Some(data) = &identity.data {
        data.validate().map_err(|e| within("data", e))?;
        response.insert("dataAccessToken".into(), sign_fields(signer, data)?.into());
    }
    if let Some(query_engine) = &identity.query_engine {
        query_engine
            .validate()
            .map_err(|e| within("queryEngine", e))?;
        response.insert(
            "queryEngineAccessToken".into(),
            sign_fields(signer, query_engine)?.into(),
        );
    }
    Ok(Value::Object(response).to_string())
}

/// Signs a Vizzly config (any JSON object) for the query engine's config header.
pub fn sign_vizzly_config(signer: &Signer, config_json: &str) -> Result<String> {
    check_signer(signer)?;
    let config = Claims::scan(config_json)
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
