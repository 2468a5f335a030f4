//! The typed Rust API end to end, without JSON text: every key kind, JWKS,
//! remote JWKS options, sign and verify, each vendor profile method,
//! authorize for each token kind, decode, the rate limiter, and (server
//! build) secure filters, SQL filters and data models. Options, requests and
//! params are structs and enums; claims and JWKs are maps or structs.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use scopemint::profiles::embeddable::{self, RequestOptions, SecurityFilter, SecurityTokenParams};
use scopemint::profiles::tinybird::{self, ClientOptions, CreateJwtParams, JwtScope, Limits};
use scopemint::profiles::vizzly::{
    self, DashboardParams, DataParams, DataSetIds, FilterOp, IdentityConfig, ProjectParams,
    ProjectResource, QueryEngineParams, SchemaAccess,
};
use scopemint::{
    decode, generate_key_pair, Algorithm, AuthorizeOptions, DecodeOptions, ErrorCode, Jti, JwkSet,
    Key, OneOrMany, PrivateKeyFormat, RateLimiter, RemoteJwks, RemoteJwksOptions, Request,
    ScopeType, Secret, SignOptions, Signer, SignerOptions, Timestamp, Verifier, VerifierOptions,
    VerifierProfile,
};
use serde::Serialize;
use serde_json::{Map, Value};

mod support;
use support::{fixture, system_now, NOW};

const SECRET: &str = "a-typed-api-secret-of-32-bytes!!";

/// Claims as a struct: what a Rust backend would sign.
#[derive(Serialize)]
struct Session {
    sub: &'static str,
    org: &'static str,
    roles: Vec<&'static str>,
}

fn session() -> Session {
    Session {
        sub: "user_1",
        org: "acme",
        roles: vec!["viewer"],
    }
}

fn map(members: &[(&str, Value)]) -> Map<String, Value> {
    members
        .iter()
        .map(|(name, value)| (name.to_string(), value.clone()))
        .collect()
}

fn hmac_signer() -> Signer {
    Signer::new(SignerOptions {
        secret: Some(Secret::from(SECRET)),
        ttl_seconds: Some(600.0),
        workspace_id: Some("ws_1".into()),
        ..SignerOptions::default()
    })
    .unwrap()
}

fn hmac_verifier() -> Verifier {
    Verifier::new(VerifierOptions {
        secret: Some(Secret::new(SECRET.as_bytes())),
        ..VerifierOptions::default()
    })
    .unwrap()
}

/// The DER inside a PEM's base64 lines.
fn pem_der(pem: &str) -> Vec<u8> {
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    STANDARD.decode(body).unwrap()
}

/// Signs a session at NOW and verifies it; the claims come back as a map.
fn round_trip(signer: &Signer, verifier: &Verifier) -> Map<String, Value> {
    let token = signer
        .sign_claims_at(&session(), &SignOptions::default(), NOW)
        .unwrap();
    let verified = verifier.verify_at(&token, NOW as f64).unwrap();
    assert_eq!(
        verified.header().unwrap()["alg"],
        signer.algorithm().as_str()
    );
    verified.claims().unwrap()
}

#[test]
fn every_key_kind_signs_and_verifies_from_typed_options() {
    // HMAC: a secret from text or bytes.
    let claims = round_trip(&hmac_signer(), &hmac_verifier());
    assert_eq!(claims["sub"], "user_1");
    assert_eq!(claims["exp"], NOW + 600);

    // RSA: PEM files, and an explicit algorithm from the enum.
    let rsa = Signer::new(SignerOptions {
        private_key: Some(Key::pem(fixture("rsa2048-pkcs8.pem"))),
        algorithm: Some(Algorithm::PS256),
        ttl_in_minutes: Some(5.0),
        ..SignerOptions::default()
    })
    .unwrap();
    let rsa_verifier = Verifier::new(VerifierOptions {
        public_key: Some(Key::pem(fixture("rsa2048-spki.pem"))),
        algorithms: Some(vec![Algorithm::PS256]),
        ..VerifierOptions::default()
    })
    .unwrap();
    assert_eq!(round_trip(&rsa, &rsa_verifier)["org"], "acme");

    // EC: PKCS#8 and SPKI DER.
    let pair = generate_key_pair(Algorithm::ES256).unwrap();
    let ec = Signer::new(SignerOptions {
        private_key: Some(Key::der(pem_der(&pair.private_key))),
        ttl_seconds: Some(60.0),
        ..SignerOptions::default()
    })
    .unwrap();
    assert_eq!(ec.algorithm(), Algorithm::ES256);
    let ec_verifier = Verifier::new(VerifierOptions {
        public_key: Some(Key::der(pem_der(&pair.public_key))),
        ..VerifierOptions::default()
    })
    .unwrap();
    assert_eq!(round_trip(&ec, &ec_verifier)["roles"][0], "viewer");

    // Ed25519: a PEM signer, verified with its public JWK.
    let ed = Signer::new(SignerOptions {
        private_key: Some(Key::pem(fixture("ed25519-pkcs8.pem"))),
        key_id: Some("ed-1".into()),
        ttl_seconds: Some(60.0),
        ..SignerOptions::default()
    })
    .unwrap();
    let Some(Value::Object(jwk)) = ed.public_jwk() else {
        panic!("an Ed25519 signer has a public JWK")
    };
    let ed_verifier = Verifier::new(VerifierOptions {
        public_key: Some(Key::jwk(jwk.clone())),
        ..VerifierOptions::default()
    })
    .unwrap();
    assert_eq!(round_trip(&ed, &ed_verifier)["sub"], "user_1");

    // JWKS: the token's kid picks the key among several.
    let Some(Value::Object(ec_jwk)) = ec.public_jwk() else {
        panic!("an EC signer has a public JWK")
    };
    let mut ec_jwk = ec_jwk;
    ec_jwk.insert("kid".into(), "ec-1".into());
    let set = Verifier::new(VerifierOptions {
        jwks: Some(JwkSet::new(vec![jwk, ec_jwk])),
        algorithms: Some(vec![Algorithm::EdDSA, Algorithm::ES256]),
        ..VerifierOptions::default()
    })
    .unwrap();
    assert_eq!(round_trip(&ed, &set)["org"], "acme");
    // Without a kid, the one ES256 key in the set is the only candidate.
    assert_eq!(round_trip(&ec, &set)["org"], "acme");
    let unknown_kid = SignOptions {
        header: Some(map(&[("kid", "rotated-away".into())])),
        ..SignOptions::default()
    };
    let token = ec.sign_claims_at(&session(), &unknown_kid, NOW).unwrap();
    assert_eq!(
        set.verify_at(&token, NOW as f64).unwrap_err().code,
        ErrorCode::JwksNoMatchingKey
    );
}

/// What a platform crypto API is handed: the DER openssl wrote for the same
/// key (PKCS#1 for RSA, PKCS#8 otherwise), and nothing for an HMAC secret.
#[test]
fn private_key_der_names_its_format_as_an_enum() {
    let from_pkcs8 = |file: &str| {
        Signer::new(SignerOptions {
            private_key: Some(Key::pem(fixture(file))),
            ..SignerOptions::default()
        })
        .unwrap()
    };
    let rsa = from_pkcs8("rsa2048-pkcs8.pem");
    let (der, format) = rsa.private_key_der().unwrap();
    assert_eq!(format, PrivateKeyFormat::Pkcs1);
    assert_eq!(format.as_str(), "pkcs1");
    assert_eq!(der, pem_der(&fixture("rsa2048-pkcs1.pem")));

    let ed = from_pkcs8("ed25519-pkcs8.pem");
    let (der, format) = ed.private_key_der().unwrap();
    assert_eq!(format, PrivateKeyFormat::Pkcs8);
    assert_eq!(format.as_str(), "pkcs8");
    assert_eq!(der, pem_der(&fixture("ed25519-pkcs8.pem")));

    assert!(hmac_signer().private_key_der().is_none());
}

#[test]
fn typed_keys_fail_closed_like_json_ones() {
    // DER that is not a key, a public key where a private one belongs, a JWK missing members.
    for key in [
        Key::der(vec![0x30, 0x03, 0x02, 0x01, 0x00]),
        Key::pem(fixture("rsa2048-spki.pem")),
        Key::jwk(map(&[("kty", "EC".into())])),
    ] {
        let error = Signer::new(SignerOptions {
            private_key: Some(key.clone()),
            ..SignerOptions::default()
        })
        .err()
        .unwrap_or_else(|| panic!("{key:?} signed"));
        assert_eq!(error.code, ErrorCode::KeyInvalid, "{key:?}: {error}");
    }
    // A private key is never a verifier's key.
    let error = Verifier::new(VerifierOptions {
        public_key: Some(Key::pem(fixture("rsa2048-pkcs8.pem"))),
        ..VerifierOptions::default()
    })
    .err()
    .unwrap();
    assert_eq!(error.code, ErrorCode::KeyInvalid);
    // Public key material given as a secret is refused (algorithm confusion).
    let error = Signer::new(SignerOptions {
        secret: Some(Secret::from(fixture("rsa2048-spki.pem"))),
        ..SignerOptions::default()
    })
    .err()
    .unwrap();
    assert_eq!(error.code, ErrorCode::KeyInvalid);
    // Two key sources, or none.
    for options in [
        VerifierOptions {
            secret: Some(Secret::from(SECRET)),
            public_key: Some(Key::pem(fixture("rsa2048-spki.pem"))),
            ..VerifierOptions::default()
        },
        VerifierOptions::default(),
    ] {
        let error = Verifier::new(options).err().unwrap();
        assert_eq!(error.claim.as_deref(), Some("publicKey"));
    }
}

#[test]
fn sign_options_are_enums_and_checked_like_js_ones() {
    let signer = hmac_signer();
    let options = SignOptions {
        expires_at: Some(Timestamp::Iso8601("2027-01-15T09:00:00.000Z".into())),
        not_before: Some(Timestamp::UnixSeconds(NOW as f64)),
        jti: Some(Jti::Random),
        audience: Some(OneOrMany::from(vec!["a".to_string(), "b".to_string()])),
        issuer: Some("https://issuer.example".into()),
        header: Some(map(&[("cty", "session".into())])),
        ..SignOptions::default()
    };
    let token = signer.sign_claims_at(&session(), &options, NOW).unwrap();
    let verifier = Verifier::new(VerifierOptions {
        secret: Some(Secret::from(SECRET)),
        issuer: Some("https://issuer.example".into()),
        audience: Some("b".into()),
        required_claims: Some(vec!["jti".into()]),
        current_time: Some(Timestamp::UnixSeconds(NOW as f64 + 1.0)),
        ..VerifierOptions::default()
    })
    .unwrap();
    let verified = verifier.verify(&token).unwrap();
    let claims = verified.claims().unwrap();
    assert_eq!(claims["exp"], NOW + 3600);
    assert_eq!(claims["nbf"], NOW);
    assert_eq!(claims["jti"].as_str().unwrap().len(), 36);
    assert_eq!(verified.header().unwrap()["cty"], "session");
    // A fixed clock past the expiry, given as a SystemTime.
    let later = std::time::UNIX_EPOCH + std::time::Duration::from_secs(NOW as u64 + 7200);
    let expired = Verifier::new(VerifierOptions {
        secret: Some(Secret::from(SECRET)),
        current_time: Some(Timestamp::from(later)),
        ..VerifierOptions::default()
    })
    .unwrap();
    assert_eq!(
        expired.verify(&token).unwrap_err().code,
        ErrorCode::JwtExpired
    );

    for (bad, claim) in [
        (
            SignOptions {
                expires_at: Some(Timestamp::UnixSeconds(1.8e12)),
                ..SignOptions::default()
            },
            "expiresAt",
        ),
        (
            SignOptions {
                not_before: Some(Timestamp::Iso8601("next week".into())),
                ..SignOptions::default()
            },
            "notBefore",
        ),
        (
            SignOptions {
                jti: Some(Jti::Id(String::new())),
                ..SignOptions::default()
            },
            "jti",
        ),
        (
            SignOptions {
                subject: Some("someone else".into()),
                ..SignOptions::default()
            },
            "subject",
        ),
    ] {
        let error = signer.sign_claims_at(&session(), &bad, NOW).unwrap_err();
        assert_eq!(error.code, ErrorCode::InvalidOption, "{error}");
        assert_eq!(error.claim.as_deref(), Some(claim), "{error}");
    }
    // Claims that are not an object.
    let error = signer
        .sign_claims_at(&vec![1, 2], &SignOptions::default(), NOW)
        .unwrap_err();
    assert_eq!(error.claim.as_deref(), Some("claims"));
}

#[test]
fn decode_reads_a_typed_token_without_verifying() {
    let token = hmac_signer()
        .sign_claims_at(&session(), &SignOptions::default(), NOW)
        .unwrap();
    let decoded = decode(&token, &DecodeOptions::default()).unwrap();
    assert_eq!(decoded.issued_at, Some(NOW as f64));
    assert_eq!(decoded.expires_at, Some((NOW + 600) as f64));
    let payload: Map<String, Value> = serde_json::from_str(&decoded.payload_json).unwrap();
    assert_eq!(payload["org"], "acme");
    let error = decode(
        &token,
        &DecodeOptions {
            max_token_bytes: Some(16),
        },
    )
    .unwrap_err();
    assert_eq!(error.code, ErrorCode::TokenTooLarge);
}

#[test]
fn remote_jwks_options_are_one_struct_for_the_verifier_and_its_fetcher() {
    let options = VerifierOptions {
        remote_jwks: RemoteJwksOptions {
            jwks_url: Some("https://issuer.example/.well-known/jwks.json".into()),
            cooldown_seconds: Some(5.0),
            ..RemoteJwksOptions::default()
        },
        algorithms: Some(vec![Algorithm::ES256]),
        ..VerifierOptions::default()
    };
    let remote = RemoteJwks::from_options(options.remote_jwks_options())
        .unwrap()
        .unwrap();
    assert_eq!(remote.cooldown_seconds, 5.0);
    assert_eq!(remote.timeout_ms, 5000.0);
    // Before the first fetch the verifier has no key.
    let verifier = Verifier::new(options).unwrap();
    let token = hmac_signer()
        .sign_claims_at(&session(), &SignOptions::default(), NOW)
        .unwrap();
    assert_eq!(
        verifier.verify_at(&token, NOW as f64).unwrap_err().code,
        ErrorCode::JwksNoMatchingKey
    );
    let error = Verifier::new(VerifierOptions {
        remote_jwks: RemoteJwksOptions {
            timeout_ms: Some(100.0),
            ..RemoteJwksOptions::default()
        },
        secret: Some(Secret::from(SECRET)),
        ..VerifierOptions::default()
    })
    .err()
    .unwrap();
    assert_eq!(error.claim.as_deref(), Some("timeoutMs"));
}

/// Tinybird: `createJWT` with typed scopes, then `authorize` with typed
/// requests (https://www.tinybird.co/docs/forward/get-started/authentication/jwts),
/// and the grant's rate limit consumed by the in-memory limiter.
#[test]
fn tinybird_jwt_create_authorize_and_rate_limit() {
    let signer = hmac_signer();
    let params = CreateJwtParams {
        name: "frontend".into(),
        expires_at: Some(Timestamp::UnixSeconds(system_now().floor() + 3600.0)),
        scopes: vec![
            JwtScope {
                scope_type: ScopeType::PipesRead,
                resource: "top_pages".into(),
                fixed_params: Some(map(&[("org_id", "acme".into())])),
                filter: None,
            },
            JwtScope {
                scope_type: ScopeType::DatasourcesRead,
                resource: "events".into(),
                fixed_params: None,
                // Only the server build parses (and so mints) SQL filters.
                filter: cfg!(feature = "server").then(|| "org_id = 'acme'".into()),
            },
        ],
        limits: Some(Limits {
            rps: Some(2.into()),
        }),
        workspace_id: None,
    };
    let token = tinybird::create_jwt(&signer, &params).unwrap();
    let verifier = hmac_verifier();
    let grant = verifier
        .authorize(
            &token,
            &Request::new(ScopeType::PipesRead, "top_pages")
                .with_param("org_id", "evil")
                .with_param("day", "2027-01-15"),
            &AuthorizeOptions::default(),
        )
        .unwrap();
    assert_eq!(grant.params["org_id"], "acme");
    assert_eq!(grant.params["day"], "2027-01-15");
    assert_eq!(grant.overridden, ["org_id"]);
    let grant_events = verifier
        .authorize(
            &token,
            &Request::new(ScopeType::DatasourcesRead, "events"),
            &AuthorizeOptions::default(),
        )
        .unwrap();
    assert_eq!(
        grant_events.filter.is_some(),
        cfg!(feature = "server"),
        "{:?}",
        grant_events.filter
    );
    let denied = verifier
        .authorize(
            &token,
            &Request::new(ScopeType::PipesRead, "other"),
            &AuthorizeOptions::default(),
        )
        .unwrap_err();
    assert_eq!(denied.code, ErrorCode::ScopeDenied);

    // rps 2: two requests in the same instant pass, the third waits.
    let limit = grant.rate_limit.clone().unwrap();
    assert_eq!(limit.rps, 2);
    let limiter = RateLimiter::default();
    let now = NOW as f64;
    assert_eq!(limiter.consume(&limit, now).unwrap().remaining, 1);
    assert_eq!(limiter.consume(&limit, now).unwrap().remaining, 0);
    let limited = limiter.consume(&limit, now).unwrap_err();
    assert_eq!(limited.code, ErrorCode::RateLimited);
    assert_eq!(limited.retry_after, Some(1.0));

    // The `scopemint/tinybird` client: the admin token as a typed option.
    let client = tinybird::client_signer(ClientOptions {
        token: SECRET.into(),
        workspace_id: "ws_2".into(),
        base_url: Some("https://api.tinybird.co".into()),
    })
    .unwrap();
    let client_token = tinybird::create_jwt_for(
        &client,
        &CreateJwtParams {
            limits: None,
            ..params
        },
        tinybird::Caller::Client,
    )
    .unwrap();
    let claims = verifier.verify(&client_token).unwrap().claims().unwrap();
    assert_eq!(claims["workspace_id"], "ws_2");
}

/// Static scope strings (https://www.tinybird.co/docs/api-reference/token-api):
/// a token carrying `scopes: ["PIPES:READ:top_pages"]`, and a bare request.
#[test]
fn static_scope_tokens_authorize_typed_requests() {
    #[derive(Serialize)]
    struct StaticToken {
        scopes: Vec<String>,
    }
    let token = hmac_signer()
        .sign_claims_at(
            &StaticToken {
                scopes: vec![
                    scopemint::format_scope(&scopemint::Scope {
                        scope_type: ScopeType::PipesRead,
                        resource: Some("top_pages".into()),
                        filter: None,
                    })
                    .unwrap(),
                    "WORKSPACE:READ_ALL".into(),
                ],
            },
            &SignOptions::default(),
            NOW,
        )
        .unwrap();
    let verifier = hmac_verifier();
    let options = AuthorizeOptions::default();
    let at = NOW as f64;
    verifier
        .authorize_at(
            &token,
            &Request::new(ScopeType::PipesRead, "top_pages"),
            &options,
            at,
        )
        .unwrap();
    // READ_ALL grants reads of anything, not appends.
    verifier
        .authorize_at(
            &token,
            &Request::new(ScopeType::DatasourcesRead, "any"),
            &options,
            at,
        )
        .unwrap();
    let error = verifier
        .authorize_at(
            &token,
            &Request::new(ScopeType::DatasourcesAppend, "any"),
            &options,
            at,
        )
        .unwrap_err();
    assert_eq!(error.code, ErrorCode::ScopeDenied);
    // A bare type needs no resource; a resource type refuses to go without one.
    let error = verifier
        .authorize_at(&token, &Request::bare(ScopeType::PipesRead), &options, at)
        .unwrap_err();
    assert_eq!(error.claim.as_deref(), Some("resource"));
    // The request is only read once the token verifies: a bad token fails with its own code.
    let error = verifier
        .authorize_with("not.a.token", &options, at, || {
            panic!("read before verifying")
        })
        .unwrap_err();
    assert_eq!(error.code, ErrorCode::JwtMalformed);
}

fn vizzly_filters(filters: Vec<SecurityFilterSpec>) -> Value {
    serde_json::to_value(filters).unwrap()
}

/// A Vizzly filter as `{field, op, value}` (https://docs.vizzly.co/identity/properties/secure-filters).
#[derive(Serialize)]
struct SecurityFilterSpec {
    field: &'static str,
    /// `FilterOp::as_str`: the operator as Vizzly writes it.
    op: &'static str,
    value: Value,
}

/// Vizzly (https://docs.vizzly.co/identity/self-sign): every token method
/// from typed params, and data tokens authorized with their secure filters.
#[test]
fn vizzly_methods_and_authorize() {
    let pair = generate_key_pair(Algorithm::ES256).unwrap();
    let signer = Signer::new(SignerOptions {
        private_key: Some(Key::pem(&pair.private_key)),
        ttl_in_minutes: Some(60.0),
        ..SignerOptions::default()
    })
    .unwrap();
    let verifier = Verifier::new(VerifierOptions {
        public_key: Some(Key::pem(&pair.public_key)),
        profile: Some(VerifierProfile::Vizzly),
        ..VerifierOptions::default()
    })
    .unwrap();
    let claims_of = |token: &str| verifier.verify(token).unwrap().claims().unwrap();

    let dashboard = vizzly::sign_dashboard_access_token(
        &signer,
        DashboardParams {
            project_id: Some("prj_1".into()),
            user_reference: "u1".into(),
            ..DashboardParams::default()
        },
    )
    .unwrap();
    let claims = claims_of(&dashboard);
    // Vizzly's defaults are filled in, and only `expires` is added.
    assert_eq!(claims["accessType"], "standard");
    assert_eq!(claims["scope"], "read_write");
    assert!(claims["expires"].is_string() && !claims.contains_key("exp"));

    let mut secure_filters = Map::new();
    secure_filters.insert(
        "orders".into(),
        vizzly_filters(vec![SecurityFilterSpec {
            field: "org_id",
            op: FilterOp::Eq.as_str(),
            value: "acme".into(),
        }]),
    );
    let data = vizzly::sign_data_access_token(
        &signer,
        &DataParams {
            project_id: Some("prj_1".into()),
            data_set_ids: DataSetIds::List(vec!["orders".into(), "regions".into()]),
            secure_filters: Some(secure_filters.clone()),
            parameters: None,
        },
    )
    .unwrap();
    let grant = verifier
        .authorize(
            &data,
            &Request::new(ScopeType::DatasourcesRead, "orders"),
            &AuthorizeOptions::default(),
        )
        .unwrap();
    let groups = grant.secure_filters.clone().unwrap();
    assert_eq!(groups[0][0].op, FilterOp::Eq);
    // `regions` has no filters entry while `orders` has: refused unless the server opts in.
    let regions = Request::new(ScopeType::DatasourcesRead, "regions");
    let error = verifier
        .authorize(&data, &regions, &AuthorizeOptions::default())
        .unwrap_err();
    assert_eq!(error.code, ErrorCode::ScopeDenied);
    let lenient = AuthorizeOptions {
        allow_unfiltered_data_sets: true,
    };
    let open = verifier.authorize(&data, &regions, &lenient).unwrap();
    assert_eq!(open.secure_filters.unwrap().len(), 0);

    let query_engine = vizzly::sign_query_engine_access_token(
        &signer,
        &QueryEngineParams {
            allow_database_schema_access: Some(SchemaAccess::All(false)),
            allow_data_preview_access: Some(true),
            ..QueryEngineParams::default()
        },
    )
    .unwrap();
    assert_eq!(claims_of(&query_engine)["allowDataPreviewAccess"], true);

    let project = vizzly::sign_project_access_token(
        &signer,
        &ProjectParams {
            project_id: "prj_1".into(),
            resources: vec![ProjectResource {
                id: "cfg".into(),
                scope: "read".into(),
            }],
        },
    )
    .unwrap();
    assert_eq!(claims_of(&project)["resources"][0]["id"], "cfg");

    let tokens = vizzly::generate_tokens(
        &signer,
        IdentityConfig {
            project_id: Some("prj_1".into()),
            user_reference: "u1".into(),
            data_set_ids: Some(DataSetIds::all()),
            secure_filters: Some(secure_filters),
            ..IdentityConfig::default()
        },
    )
    .unwrap();
    assert!(tokens.query_engine_access_token.is_none());
    let data_claims = claims_of(tokens.data_access_token.as_deref().unwrap());
    assert_eq!(data_claims["dataSetIds"], "*");
    claims_of(&tokens.dashboard_access_token);

    let config =
        vizzly::sign_vizzly_config(&signer, &map(&[("dataSets", Vec::<Value>::new().into())]))
            .unwrap();
    assert!(claims_of(&config)["dataSets"].is_array());

    // A field rule: the same error as from JS.
    let error = vizzly::sign_project_access_token(
        &signer,
        &ProjectParams {
            project_id: "prj_1".into(),
            resources: vec![ProjectResource {
                id: "cfg".into(),
                scope: "write".into(),
            }],
        },
    )
    .unwrap_err();
    assert_eq!(error.claim.as_deref(), Some("resources[0].scope"));
}

/// Embeddable (https://docs.embeddable.com/deployment/tokens-api): a
/// self-issued token and the Tokens API request, from the typed body.
#[test]
fn embeddable_methods() {
    let params = SecurityTokenParams {
        embeddable_id: "dash-1".into(),
        expiry_in_seconds: 3600.into(),
        security_context: map(&[("userId", "u1".into())]),
        user: "u1@example.com".into(),
        roles: Some(vec!["viewer".into()]),
        filters: Some(vec![SecurityFilter {
            member: "customers.country".into(),
            operator: "equals".into(),
            values: vec!["NL".into()],
        }]),
        ..SecurityTokenParams::default()
    };
    let token = embeddable::sign_security_token(&hmac_signer(), &params).unwrap();
    let claims = hmac_verifier().verify(&token).unwrap().claims().unwrap();
    assert_eq!(claims["embeddableId"], "dash-1");
    assert_eq!(
        claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(),
        3600
    );

    let body: Map<String, Value> =
        serde_json::from_str(&embeddable::token_request(&params).unwrap()).unwrap();
    assert_eq!(body["user"], "u1@example.com");

    let Value::Object(mut request) = serde_json::to_value(&params).unwrap() else {
        panic!("the params are an object")
    };
    request.insert("apiKey".into(), "key-1".into());
    request.insert("region".into(), "eu".into());
    let http = embeddable::token_http_request(
        request,
        &RequestOptions {
            timeout_ms: Some(250),
        },
    )
    .unwrap();
    assert_eq!(
        http.url,
        "https://api.eu.embeddable.com/api/v1/security-token"
    );
    assert_eq!(http.timeout_ms, 250);
    assert_eq!(
        embeddable::token_http_response(200, r#"{"token":"t"}"#).unwrap(),
        "t"
    );

    let error = embeddable::sign_security_token(
        &hmac_signer(),
        &SecurityTokenParams {
            expiry_in_seconds: 0.into(),
            ..params
        },
    )
    .unwrap_err();
    assert_eq!(error.claim.as_deref(), Some("expiryInSeconds"));
}

/// The server build: a grant's secure filters compiled to bound SQL, an
/// issuer SQL filter checked, and a data model rendered, all from typed values.
#[cfg(feature = "server")]
#[test]
fn server_filters_and_data_models() {
    use scopemint::{
        compile_filters_from, normalize_sql_filter, render_data_model_value, Dialect,
        FilterOptions, RenderOptions,
    };

    let groups = vec![vec![scopemint::SecureFilter {
        field: "org_id".into(),
        op: FilterOp::IsOneOf,
        value: vec![Value::from("acme"), Value::from("beta")].into(),
    }]];
    let bound = compile_filters_from(&groups, Dialect::Postgres, 1).unwrap();
    assert_eq!(bound.params, [Value::from("acme"), Value::from("beta")]);
    assert!(
        bound.sql.contains("$2") && bound.sql.contains("$3"),
        "{}",
        bound.sql
    );

    let normalized = normalize_sql_filter(
        "org_id = 'acme'",
        &FilterOptions {
            dialect: Dialect::Clickhouse,
            ..FilterOptions::default()
        },
    )
    .unwrap();
    assert!(normalized.contains("org_id"), "{normalized}");

    let context = Value::Object(map(&[("org", "acme".into())]));
    let rendered = render_data_model_value(
        "SELECT * FROM orders WHERE org_id = {{ securityContext.org }}",
        &context,
        &RenderOptions {
            dialect: Dialect::Sqlite,
            param_offset: 0,
            allowed_identifiers: None,
        },
    )
    .unwrap();
    assert_eq!(rendered.params, [Value::from("acme")]);
    assert!(!rendered.sql.contains("acme"), "{}", rendered.sql);
}
