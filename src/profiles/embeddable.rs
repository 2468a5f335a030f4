//! Embeddable-style security tokens. Embeddable's hosted service mints its
//! own tokens (https://docs.embeddable.com/deployment/tokens-api), so
//! scopemint offers the pieces a user owns: the validated request body for
//! that Tokens API, the request itself (URL, headers, body) and the reading of
//! its answer for `requestEmbeddableToken`, and a self-issued JWT carrying the
//! same fields for teams that run an Embeddable-style data service themselves.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::field_error;
use crate::error::{invalid_option, Error, ErrorCode, Result};
use crate::jwt::sign::Signer;
use crate::jwt::time;
use crate::random;

/// Regions of Embeddable's API (https://docs.embeddable.com/deployment/deployment-regions,
/// and the `region` variable of embeddable-hq/embeddable-public-apis).
const REGIONS: [&str; 2] = ["eu", "us"];

/// The Tokens API path under the region's host.
const TOKENS_PATH: &str = "/api/v1/security-token";

/// `requestEmbeddableToken`'s timeout when none is given, and its ceiling.
const DEFAULT_TIMEOUT_MS: u64 = 10_000;
const MAX_TIMEOUT_MS: u64 = 120_000;

/// Security-filter operators, as the row-level-security page lists them
/// (https://docs.embeddable.com/data-modeling/row-level-security/security-filters).
const OPERATORS: [&str; 16] = [
    "equals",
    "notEquals",
    "contains",
    "notContains",
    "startsWith",
    "notStartsWith",
    "endsWith",
    "notEndsWith",
    "gt",
    "gte",
    "lt",
    "lte",
    "inDateRange",
    "notInDateRange",
    "onTheDate",
    "beforeDate",
];

/// One security filter: `{ member: "<model>.<field>", operator, values }`.
#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SecurityFilter {
    pub member: String,
    pub operator: String,
    /// Strings, as the docs write them (numbers too, e.g. `"5"`).
    pub values: Vec<Value>,
}

/// The Tokens API body, field for field (`signSecurityToken`,
/// `embeddableTokenRequest` and the body of `requestEmbeddableToken`).
#[derive(Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SecurityTokenParams {
    pub embeddable_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub saved_version: Option<String>,
    /// A whole number of seconds (kept as given so a fraction is refused, not rounded).
    pub expiry_in_seconds: Value,
    pub security_context: Map<String, Value>,
    pub user: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dashboard_state: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_canvas_state: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_canvas_read_only: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub environment: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub roles: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filters: Option<Vec<SecurityFilter>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_provider: Option<String>,
}

/// `<model>.<field>`, each part a plain name.
fn is_member(member: &str) -> bool {
    let name = |part: &str| {
        let mut chars = part.chars();
        chars
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
    };
    member
        .split_once('.')
        .is_some_and(|(model, field)| name(model) && name(field))
}

fn check_filter(filter: &SecurityFilter, path: &str) -> Result<()> {
    if !is_member(&filter.member) {
        return Err(field_error(
            &format!("{path}.member"),
            format!(
                "\"{}\" is not a <model>.<field> reference (e.g. customers.id)",
                filter.member
            ),
        ));
    }
    if !OPERATORS.contains(&filter.operator.as_str()) {
        return Err(field_error(
            &format!("{path}.operator"),
            format!(
                "\"{}\" is not a security-filter operator (known: {})",
                filter.operator,
                OPERATORS.join(", ")
            ),
        ));
    }
    for (i, value) in filter.values.iter().enumerate() {
        if !value.is_string() {
            return Err(field_error(
                &format!("{path}.values[{i}]"),
                "must be a string (the docs write numbers as strings too, e.g. \"5\")",
            ));
        }
    }
    let (count, what) = match filter.operator.as_str() {
        "inDateRange" | "notInDateRange" => (Some(2), "exactly two values (from, to)"),
        "gt" | "gte" | "lt" | "lte" | "onTheDate" | "beforeDate" => (Some(1), "exactly one value"),
        _ => (None, "at least one value"),
    };
    let fits = match count {
        Some(n) => filter.values.len() == n,
        None => !filter.values.is_empty(),
    };
    if !fits {
        return Err(field_error(
            &format!("{path}.values"),
            format!("{} takes {what}", filter.operator),
        ));
    }
    if matches!(filter.operator.as_str(), "gt" | "gte" | "lt" | "lte") {
        let numeric = filter.values[0]
            .as_str()
            .and_then(|v| v.trim().parse::<f64>().ok())
            .is_some_and(f64::is_finite);
        if !numeric {
            return Err(field_error(
                &format!("{path}.values[0]"),
                format!(
                    "{} compares with a number, written as a string",
                    filter.operator
                ),
            ));
        }
    }
    Ok(())
}

impl SecurityTokenParams {
    /// Checks every field; returns the lifetime in seconds.
    pub fn validate(&self) -> Result<i64> {
        let params = self;
        let texts = [
            ("embeddableId", Some(&params.embeddable_id)),
            ("user", Some(&params.user)),
            ("savedVersion", params.saved_version.as_ref()),
            ("dashboardState", params.dashboard_state.as_ref()),
            ("customCanvasState", params.custom_canvas_state.as_ref()),
            ("environment", params.environment.as_ref()),
            ("dataProvider", params.data_provider.as_ref()),
        ];
        for (field, value) in texts {
            if value.is_some_and(|v| v.trim().is_empty()) {
                return Err(field_error(field, "must be a non-empty string"));
            }
        }
        for (i, role) in params.roles.iter().flatten().enumerate() {
            if role.trim().is_empty() {
                return Err(field_error(
                    &format!("roles[{i}]"),
                    "must be a non-empty string",
                ));
            }
        }
        for (i, filter) in params.filters.iter().flatten().enumerate() {
            check_filter(filter, &format!("filters[{i}]"))?;
        }
        let expiry = params
            .expiry_in_seconds
            .as_i64()
            .filter(|s| *s > 0 && *s <= time::MAX_LIFETIME_SECONDS)
            .ok_or_else(|| {
                field_error(
                    "expiryInSeconds",
                    format!(
                        "must be a whole number of seconds, from 1 up to {} (3650 days)",
                        time::MAX_LIFETIME_SECONDS
                    ),
                )
            })?;
        Ok(expiry)
    }
}

/// A self-issued security token (Embeddable's answer is `{token}`). Its
/// claims are readable by anyone holding it: a JWS is signed, not encrypted.
pub fn sign_security_token(signer: &Signer, params: &SecurityTokenParams) -> Result<String> {
    let expiry = params.validate()?;
    let iat = time::now_whole_seconds()?;
    let exp = time::expiry_after(iat, expiry, "expiryInSeconds")?;
    let fields = serde_json::to_value(params)
        .map_err(|e| invalid_option("signSecurityToken", e.to_string()))?;
    let Value::Object(fields) = fields else {
        return Err(invalid_option(
            "signSecurityToken",
            "params must be an object",
        ));
    };
    // The request's fields, with the lifetime turned into `iat` / `exp`.
    let mut payload = Map::new();
    payload.insert("securityTokenId".into(), random::uuid_v4()?.into());
    payload.extend(fields.into_iter().filter(|(k, _)| k != "expiryInSeconds"));
    payload.insert("iat".into(), iat.into());
    payload.insert("exp".into(), exp.into());
    let payload = serde_json::to_vec(&payload)
        .map_err(|e| invalid_option("signSecurityToken", e.to_string()))?;
    signer.sign_payload(&payload)
}

/// The validated JSON body for Embeddable's Tokens API (no network call).
pub fn token_request(params: &SecurityTokenParams) -> Result<String> {
    params.validate()?;
    serde_json::to_string(params)
        .map_err(|e| invalid_option("embeddableTokenRequest", e.to_string()))
}

/// The most of a Tokens API answer that is read: a token answer is a few KiB,
/// so anything larger is refused rather than buffered.
pub const MAX_TOKEN_RESPONSE_BYTES: usize = 64 * 1024;

/// What `requestEmbeddableToken` sends: `{url, headers, body, timeoutMs,
/// maxResponseBytes}`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenHttpRequest {
    pub url: String,
    pub headers: Map<String, Value>,
    pub body: String,
    pub timeout_ms: u64,
    pub max_response_bytes: usize,
}

/// `requestEmbeddableToken`'s options.
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RequestOptions {
    /// Milliseconds, from 1 to 120000; 10000 when not given.
    #[serde(default, deserialize_with = "timeout_option")]
    pub timeout_ms: Option<u64>,
}

fn timeout_message() -> String {
    format!("must be a whole number of milliseconds from 1 to {MAX_TIMEOUT_MS}")
}

fn timeout_option<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> std::result::Result<Option<u64>, D::Error> {
    match Value::deserialize(deserializer)? {
        // `null` means "not given", as for the other optional options.
        Value::Null => Ok(None),
        value => value
            .as_u64()
            .map(Some)
            .ok_or_else(|| serde::de::Error::custom(timeout_message())),
    }
}

/// Builds the Tokens API request from `{ apiKey, region | baseUrl, ...body }`
/// (the body's fields beside the API key and where to send it) and the
/// options, validating everything first.
pub fn token_http_request(
    mut params: Map<String, Value>,
    options: &RequestOptions,
) -> Result<TokenHttpRequest> {
    let api_key = match params.remove("apiKey") {
        Some(Value::String(key)) if !key.trim().is_empty() && !key.contains(['\r', '\n']) => key,
        Some(_) => {
            return Err(field_error(
                "apiKey",
                "must be a non-empty string on one line",
            ))
        }
        None => {
            return Err(field_error(
                "apiKey",
                "is required (your Embeddable API key)",
            ))
        }
    };
    let base = match (params.remove("region"), params.remove("baseUrl")) {
        (Some(_), Some(_)) => {
            return Err(field_error("region", "give region or baseUrl, not both"))
        }
        (Some(Value::String(region)), None) if REGIONS.contains(&region.as_str()) => {
            format!("https://api.{region}.embeddable.com")
        }
        (Some(region), None) => {
            return Err(field_error(
                "region",
                format!("{region} is not a region (known: {})", REGIONS.join(", ")),
            ))
        }
        (None, Some(Value::String(url))) => {
            let host = url
                .strip_prefix("https://")
                .or_else(|| url.strip_prefix("http://"))
                .unwrap_or_default();
            if host.is_empty()
                || host.contains(['?', '#', '@'])
                || url.chars().any(|c| c.is_whitespace() || c.is_control())
            {
                return Err(field_error(
                    "baseUrl",
                    format!(
                        "\"{url}\" is not an http(s) base URL (scheme and host, optionally a path)"
                    ),
                ));
            }
            url.trim_end_matches('/').to_string()
        }
        (None, Some(_)) => return Err(field_error("baseUrl", "must be a string")),
        (None, None) => {
            return Err(field_error(
                "region",
                format!("is required: one of {}, or a baseUrl", REGIONS.join(", ")),
            ))
        }
    };
    let body: SecurityTokenParams =
        crate::options::from_value(Value::Object(params), "requestEmbeddableToken")?;
    body.validate()?;
    let timeout_ms = match options.timeout_ms {
        None => DEFAULT_TIMEOUT_MS,
        Some(ms) if (1..=MAX_TIMEOUT_MS).contains(&ms) => ms,
        Some(_) => return Err(invalid_option("timeoutMs", timeout_message())),
    };
    let mut headers = Map::new();
    headers.insert("Content-Type".into(), "application/json".into());
    headers.insert("Accept".into(), "application/json".into());
    headers.insert("Authorization".into(), format!("Bearer {api_key}").into());
    Ok(TokenHttpRequest {
        url: format!("{base}{TOKENS_PATH}"),
        headers,
        body: serde_json::to_string(&body)
            .map_err(|e| invalid_option("requestEmbeddableToken", e.to_string()))?,
        timeout_ms,
        max_response_bytes: MAX_TOKEN_RESPONSE_BYTES,
    })
}

/// Reads the Tokens API's answer: its token, or a typed error.
pub fn token_http_response(status: u16, body: &str) -> Result<String> {
    if body.len() > MAX_TOKEN_RESPONSE_BYTES {
        return Err(Error::new(
            ErrorCode::EmbeddableResponseInvalid,
            format!(
                "Embeddable's Tokens API answered HTTP {status} with more than {MAX_TOKEN_RESPONSE_BYTES} bytes"
            ),
        )
        .with_status(status));
    }
    let parsed: Option<Value> = serde_json::from_str(body).ok();
    if !(200..300).contains(&status) {
        // Embeddable's examples read `errorMessage` from error answers.
        let detail = parsed
            .as_ref()
            .and_then(|v| v.get("errorMessage").or_else(|| v.get("message")))
            .and_then(Value::as_str)
            .map(|m| format!(": {}", m.chars().take(500).collect::<String>()))
            .unwrap_or_default();
        return Err(Error::new(
            ErrorCode::EmbeddableHttp,
            format!("Embeddable's Tokens API answered HTTP {status}{detail}"),
        )
        .with_status(status));
    }
    match parsed.as_ref().and_then(|v| v.get("token")).and_then(Value::as_str) {
        Some(token) if !token.is_empty() => Ok(token.to_string()),
        _ => Err(Error::new(
            ErrorCode::EmbeddableResponseInvalid,
            format!(
                "Embeddable's Tokens API answered HTTP {status} without a JSON {{\"token\": \"…\"}} body"
            ),
        )
        .with_status(status)),
    }
}

/// The error for a request that never got an answer: `"timeout"` (after
/// `timeout_ms`) or anything else the platform's fetch reported.
pub fn token_transport_error(kind: &str, timeout_ms: u64, detail: &str) -> Error {
    let detail: String = detail.chars().take(300).collect();
    match kind {
        "timeout" => Error::new(
            ErrorCode::EmbeddableTimeout,
            format!("Embeddable's Tokens API did not answer within {timeout_ms} ms"),
        ),
        _ => Error::new(
            ErrorCode::EmbeddableNetwork,
            format!("Embeddable's Tokens API could not be reached: {detail}"),
        ),
    }
}
