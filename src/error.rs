//! One error type for the whole crate. Every failure carries a stable code
//! string that callers (and the JS `TokenError`) can match on; messages may
//! change between releases, codes may not.

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCode {
    /// The token is not a well-formed compact JWS/JWT.
    JwtMalformed,
    /// `exp` (or `maxTokenAgeSeconds`) is in the past.
    JwtExpired,
    /// `nbf` is in the future.
    JwtNotYetValid,
    /// A claim is missing, of the wrong type or has an unexpected value.
    JwtClaimInvalid,
    /// The signature does not match.
    JwsSignatureInvalid,
    /// The header's `alg` is not in the allowlist (or is `none`).
    JoseAlgNotAllowed,
    /// A header the library refuses to process (`crit`, `b64: false`).
    JoseHeaderUnsupported,
    /// A key could not be imported or does not fit the algorithm.
    KeyInvalid,
    /// No key in the key set matches the token's `kid` / `alg`.
    JwksNoMatchingKey,
    /// A remote JWKS (`jwksUrl`) could not be fetched (network error, refused connection).
    JwksFetchFailed,
    /// A remote JWKS did not answer within `timeoutMs`.
    JwksTimeout,
    /// A remote JWKS answered, but not with a usable key set (status, size, JSON, key count).
    JwksInvalid,
    /// The token is longer than `maxTokenBytes`.
    TokenTooLarge,
    /// An option passed to a signer, verifier or call is invalid.
    InvalidOption,
    /// A scope string (`TYPE:resource[:filter]`) is not one of the known forms.
    ScopeInvalid,
    /// A valid token does not grant the requested access (`Verifier::authorize`).
    ScopeDenied,
    /// The token's `limits.rps` is used up; `Error::retry_after` says for how long.
    RateLimited,
    /// The shared rate-limit store (Redis) did not answer in time or failed.
    RateLimitUnavailable,
    /// An issuer-written SQL filter is not a single boolean expression (server build).
    FilterInvalid,
    /// A SQL filter reached the main build, which has no SQL parser (the
    /// `scopemint` entry); only `scopemint/server` can check it.
    FilterUnchecked,
    /// A data-model template failed to compile or render safely (server build).
    TemplateInvalid,
    /// The clock (the system's, or a `now` given to `verify_at`) is not a
    /// plausible current time: NaN, infinite, negative, before 2020 or absurdly late.
    ClockInvalid,
    /// Embeddable's Tokens API answered with an HTTP error; `Error::status` holds it.
    EmbeddableHttp,
    /// Embeddable's Tokens API did not answer within `timeoutMs`.
    EmbeddableTimeout,
    /// Embeddable's Tokens API could not be reached (DNS, connection, TLS).
    EmbeddableNetwork,
    /// Embeddable's Tokens API answered 2xx with something other than `{"token": "…"}`.
    EmbeddableResponseInvalid,
}

impl ErrorCode {
    pub const ALL: [ErrorCode; 26] = [
        ErrorCode::JwtMalformed,
        ErrorCode::JwtExpired,
        ErrorCode::JwtNotYetValid,
        ErrorCode::JwtClaimInvalid,
        ErrorCode::JwsSignatureInvalid,
        ErrorCode::JoseAlgNotAllowed,
        ErrorCode::JoseHeaderUnsupported,
        ErrorCode::KeyInvalid,
        ErrorCode::JwksNoMatchingKey,
        ErrorCode::JwksFetchFailed,
        ErrorCode::JwksTimeout,
        ErrorCode::JwksInvalid,
        ErrorCode::TokenTooLarge,
        ErrorCode::InvalidOption,
        ErrorCode::ScopeInvalid,
        ErrorCode::ScopeDenied,
        ErrorCode::RateLimited,
        ErrorCode::RateLimitUnavailable,
        ErrorCode::FilterInvalid,
        ErrorCode::FilterUnchecked,
        ErrorCode::TemplateInvalid,
        ErrorCode::ClockInvalid,
        ErrorCode::EmbeddableHttp,
        ErrorCode::EmbeddableTimeout,
        ErrorCode::EmbeddableNetwork,
        ErrorCode::EmbeddableResponseInvalid,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::JwtMalformed => "ERR_JWT_MALFORMED",
            ErrorCode::JwtExpired => "ERR_JWT_EXPIRED",
            ErrorCode::JwtNotYetValid => "ERR_JWT_NOT_YET_VALID",
            ErrorCode::JwtClaimInvalid => "ERR_JWT_CLAIM_INVALID",
            ErrorCode::JwsSignatureInvalid => "ERR_JWS_SIGNATURE_INVALID",
            ErrorCode::JoseAlgNotAllowed => "ERR_JOSE_ALG_NOT_ALLOWED",
            ErrorCode::JoseHeaderUnsupported => "ERR_JOSE_HEADER_UNSUPPORTED",
            ErrorCode::KeyInvalid => "ERR_KEY_INVALID",
            ErrorCode::JwksNoMatchingKey => "ERR_JWKS_NO_MATCHING_KEY",
            ErrorCode::JwksFetchFailed => "ERR_JWKS_FETCH_FAILED",
            ErrorCode::JwksTimeout => "ERR_JWKS_TIMEOUT",
            ErrorCode::JwksInvalid => "ERR_JWKS_INVALID",
            ErrorCode::TokenTooLarge => "ERR_TOKEN_TOO_LARGE",
            ErrorCode::InvalidOption => "ERR_INVALID_OPTION",
            ErrorCode::ScopeInvalid => "ERR_SCOPE_INVALID",
            ErrorCode::ScopeDenied => "ERR_SCOPE_DENIED",
            ErrorCode::RateLimited => "ERR_RATE_LIMITED",
            ErrorCode::RateLimitUnavailable => "ERR_RATE_LIMIT_UNAVAILABLE",
            ErrorCode::FilterInvalid => "ERR_FILTER_INVALID",
            ErrorCode::FilterUnchecked => "ERR_FILTER_UNCHECKED",
            ErrorCode::TemplateInvalid => "ERR_TEMPLATE_INVALID",
            ErrorCode::ClockInvalid => "ERR_CLOCK_INVALID",
            ErrorCode::EmbeddableHttp => "ERR_EMBEDDABLE_HTTP",
            ErrorCode::EmbeddableTimeout => "ERR_EMBEDDABLE_TIMEOUT",
            ErrorCode::EmbeddableNetwork => "ERR_EMBEDDABLE_NETWORK",
            ErrorCode::EmbeddableResponseInvalid => "ERR_EMBEDDABLE_RESPONSE_INVALID",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Error {
    pub code: ErrorCode,
    pub message: String,
    /// The claim (or option) involved, when there is one.
    pub claim: Option<String>,
    /// For `ERR_RATE_LIMITED`: seconds until a request would be allowed.
    pub retry_after: Option<f64>,
    /// For `ERR_EMBEDDABLE_HTTP`: the HTTP status the API answered with.
    pub status: Option<u16>,
}

// Written out because `f64` is not `Eq`: retry-after values compare by bits,
// which is exact equality for the finite values the limiter produces.
impl PartialEq for Error {
    fn eq(&self, other: &Self) -> bool {
        self.code == other.code
            && self.message == other.message
            && self.claim == other.claim
            && self.retry_after.map(f64::to_bits) == other.retry_after.map(f64::to_bits)
            && self.status == other.status
    }
}

impl Eq for Error {}

impl Error {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Error {
            code,
            message: message.into(),
            claim: None,
            retry_after: None,
            status: None,
        }
    }

    pub fn with_retry_after(mut self, seconds: f64) -> Self {
        self.retry_after = Some(seconds);
        self
    }

    pub fn with_status(mut self, status: u16) -> Self {
        self.status = Some(status);
        self
    }

    pub fn with_claim(mut self, claim: impl Into<String>) -> Self {
        self.claim = Some(claim.into());
        self
    }

    pub fn code(&self) -> &'static str {
        self.code.as_str()
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code.as_str(), self.message)
    }
}

impl std::error::Error for Error {}

pub type Result<T> = std::result::Result<T, Error>;

pub(crate) fn malformed(message: impl Into<String>) -> Error {
    Error::new(ErrorCode::JwtMalformed, message)
}

pub(crate) fn invalid_option(option: &str, message: impl Into<String>) -> Error {
    Error::new(
        ErrorCode::InvalidOption,
        format!("{option}: {}", message.into()),
    )
    .with_claim(option)
}

pub(crate) fn key_invalid(message: impl Into<String>) -> Error {
    Error::new(ErrorCode::KeyInvalid, message)
}

pub(crate) fn claim_invalid(claim: &str, message: impl Into<String>) -> Error {
    Error::new(
        ErrorCode::JwtClaimInvalid,
        format!("\"{claim}\" claim {}", message.into()),
    )
    .with_claim(claim)
}
