//! Behaviour of the core through the public Rust API: every algorithm, key
//! formats, and each rejection with its stable code.

use scopemint::{
    decode, generate_key_pair, options_from_json, Algorithm, CreateVerifierOptions, DecodeOptions,
    ErrorCode, SignOptions, Verifier,
};
use serde_json::{json, Value};

mod support;
use support::{b64, code, fixture, sign_at_now as sign, sign_options, unhex as hex_bytes, NOW};
use support::{try_signer as signer, try_verifier as verifier};

const SECRET_32: &str = "0123456789abcdef0123456789abcdef";

fn verify(verifier: &Verifier, token: &str) -> scopemint::Result<Value> {
    verifier
        .verify_at(token, NOW as f64)
        .map(|v| serde_json::from_str(&v.payload_json).unwrap())
}

/// A token with arbitrary header and payload text, HS256-signed with SECRET_32.
fn hs256_token(header: &str, payload: &str) -> String {
    hs256_segments(&b64(header.as_bytes()), &b64(payload.as_bytes()))
}

/// A correctly signed token over segments that need not be valid base64url.
fn hs256_segments(header: &str, payload: &str) -> String {
    support::hs256_signed(SECRET_32.as_bytes(), &format!("{header}.{payload}"))
}

fn hs_verifier() -> Verifier {
    verifier(json!({ "secret": SECRET_32 })).unwrap()
}

fn valid_payload() -> String {
    json!({ "sub": "u1", "exp": NOW + 60 }).to_string()
}

/// Keys for every algorithm: (signer options, verifier options).
fn key_pairs() -> Vec<(Algorithm, Value, Value)> {
    let mut pairs = Vec::new();
    for (alg, len) in [
        (Algorithm::HS256, 32),
        (Algorithm::HS384, 48),
        (Algorithm::HS512, 64),
    ] {
        let secret: Vec<u8> = (0..len as u8).collect();
        pairs.push((
            alg,
            json!({ "secret": secret, "algorithm": alg.as_str() }),
            json!({ "secret": secret, "algorithms": [alg.as_str()] }),
        ));
    }
    for alg in [
        Algorithm::RS256,
        Algorithm::RS384,
        Algorithm::RS512,
        Algorithm::PS256,
        Algorithm::PS384,
        Algorithm::PS512,
    ] {
        pairs.push((
            alg,
            json!({ "privateKey": fixture("rsa2048-pkcs8.pem"), "algorithm": alg.as_str() }),
            json!({ "publicKey": fixture("rsa2048-spki.pem"), "algorithms": [alg.as_str()] }),
        ));
    }
    for alg in [Algorithm::ES256, Algorithm::ES384, Algorithm::EdDSA] {
        let pair = generate_key_pair(alg).unwrap();
        pairs.push((
            alg,
            json!({ "privateKey": pair.private_key }),
            json!({ "publicKey": pair.public_key }),
        ));
    }
    pairs
}

#[test]
fn every_algorithm_round_trips_and_rejects_a_changed_signature() {
    for (alg, sign_opts, verify_opts) in key_pairs() {
        let s = signer(
            json!({ "ttlSeconds": 60 })
                .as_object()
                .unwrap()
                .clone()
                .into_iter()
                .chain(sign_opts.as_object().unwrap().clone())
                .collect(),
        )
        .unwrap();
        assert_eq!(s.algorithm(), alg);
        let token = sign(&s, json!({ "sub": "u1", "org": "acme" }));
        let v = verifier(verify_opts).unwrap();
        let payload = verify(&v, &token).unwrap_or_else(|e| panic!("{alg:?}: {e}"));
        assert_eq!(payload["org"], "acme");
        assert_eq!(payload["iat"], NOW);
        assert_eq!(payload["exp"], NOW + 60);

        let mut tampered = token.clone().into_bytes();
        let last = tampered.len() - 3;
        tampered[last] = if tampered[last] == b'A' { b'B' } else { b'A' };
        let tampered = String::from_utf8(tampered).unwrap();
        assert_eq!(
            code(verify(&v, &tampered)),
            ErrorCode::JwsSignatureInvalid,
            "{alg:?}"
        );
    }
}

#[test]
fn a_token_for_one_algorithm_is_refused_by_a_verifier_for_another() {
    let hs = signer(json!({ "secret": SECRET_32, "ttlSeconds": 60 })).unwrap();
    let rsa_verifier = verifier(json!({ "publicKey": fixture("rsa2048-spki.pem") })).unwrap();
    assert_eq!(
        code(verify(&rsa_verifier, &sign(&hs, json!({})))),
        ErrorCode::JoseAlgNotAllowed
    );
    let ps = signer(json!({ "privateKey": fixture("rsa2048-pkcs8.pem"), "algorithm": "PS256", "ttlSeconds": 60 })).unwrap();
    assert_eq!(
        code(verify(&rsa_verifier, &sign(&ps, json!({})))),
        ErrorCode::JoseAlgNotAllowed
    );
}

#[test]
fn private_key_formats_all_import() {
    for (file, alg) in [
        ("rsa2048-pkcs8.pem", Algorithm::RS256),
        ("rsa2048-pkcs1.pem", Algorithm::RS256),
        ("p256-sec1.pem", Algorithm::ES256),
        ("p384-sec1.pem", Algorithm::ES384),
        ("ed25519-pkcs8.pem", Algorithm::EdDSA),
    ] {
        let s = signer(json!({ "privateKey": fixture(file), "ttlSeconds": 60 }))
            .unwrap_or_else(|e| panic!("{file}: {e}"));
        assert_eq!(s.algorithm(), alg, "{file}");
        // The exported public JWK verifies what the key signs.
        let v = verifier(json!({ "publicKey": s.public_jwk().unwrap() })).unwrap();
        verify(&v, &sign(&s, json!({}))).unwrap();
    }
}

#[test]
fn public_key_formats_all_import() {
    let rsa =
        signer(json!({ "privateKey": fixture("rsa2048-pkcs1.pem"), "ttlSeconds": 60 })).unwrap();
    let rsa_token = sign(&rsa, json!({}));
    for file in ["rsa2048-spki.pem", "rsa2048-pkcs1-public.pem"] {
        verify(
            &verifier(json!({ "publicKey": fixture(file) })).unwrap(),
            &rsa_token,
        )
        .unwrap();
    }
    let ec = signer(json!({ "privateKey": fixture("p256-sec1.pem"), "ttlSeconds": 60 })).unwrap();
    let ec_token = sign(&ec, json!({}));
    for file in ["p256-spki.pem", "p256-cert.pem"] {
        verify(
            &verifier(json!({ "publicKey": fixture(file) })).unwrap(),
            &ec_token,
        )
        .unwrap_or_else(|e| panic!("{file}: {e}"));
    }
    // Our own SPKI export equals OpenSSL's.
    assert_eq!(
        ec.public_key_pem().unwrap().trim(),
        fixture("p256-spki.pem").trim()
    );
}

#[test]
fn bad_keys_are_refused_with_key_invalid() {
    let cases = [
        json!({ "privateKey": fixture("rsa1024-pkcs8.pem") }),
        json!({ "privateKey": fixture("p521-sec1.pem") }),
        json!({ "privateKey": fixture("rsa2048-spki.pem") }),
        json!({ "privateKey": "-----BEGIN PRIVATE KEY-----\nnot base64!\n-----END PRIVATE KEY-----" }),
        json!({ "privateKey": "hello" }),
        json!({ "privateKey": fixture("p256-sec1.pem"), "algorithm": "RS256" }),
        json!({ "privateKey": fixture("rsa2048-pkcs8.pem"), "algorithm": "ES256" }),
        json!({ "secret": "too short" }),
        json!({ "secret": SECRET_32, "algorithm": "HS384" }),
        json!({ "secret": fixture("rsa2048-spki.pem") }),
        json!({ "secret": "{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"}" }),
    ];
    for options in cases {
        assert_eq!(
            code(signer(options.clone())),
            ErrorCode::KeyInvalid,
            "{options}"
        );
    }
    assert_eq!(
        code(verifier(json!({ "publicKey": fixture("p256-sec1.pem") }))),
        ErrorCode::KeyInvalid
    );
    assert_eq!(
        code(verifier(json!({ "secret": fixture("p256-spki.pem") }))),
        ErrorCode::KeyInvalid
    );
    let private_jwk =
        json!({ "kty": "OKP", "crv": "Ed25519", "d": b64(&[1; 32]), "x": b64(&[2; 32]) });
    assert_eq!(
        code(verifier(json!({ "publicKey": private_jwk }))),
        ErrorCode::KeyInvalid
    );
}

#[test]
fn unknown_and_mistyped_options_fail_at_construction() {
    for options in [
        json!({ "secret": SECRET_32, "ttl": 5 }),
        json!({ "secret": SECRET_32, "ttlSeconds": "5" }),
        json!({ "secret": SECRET_32, "ttlSeconds": 5, "ttlInMinutes": 1 }),
        json!({ "secret": SECRET_32, "ttlSeconds": -5 }),
        json!({ "secret": SECRET_32, "algorithm": "none" }),
        json!({ "secret": SECRET_32, "privateKey": fixture("p256-sec1.pem") }),
        json!({}),
    ] {
        assert_eq!(
            code(signer(options.clone())),
            ErrorCode::InvalidOption,
            "{options}"
        );
    }
    for options in [
        json!({ "secret": SECRET_32, "algorithms": ["RS256"] }),
        json!({ "secret": SECRET_32, "algorithms": [] }),
        json!({ "secret": SECRET_32, "clockToleranceSeconds": -1 }),
        json!({ "secret": SECRET_32, "clockToleranceSeconds": 86_401 }),
        json!({ "secret": SECRET_32, "clockToleranceSeconds": 1e300 }),
        json!({ "secret": SECRET_32, "currentTime": null }),
        json!({ "secret": SECRET_32, "maxTokenBytes": 0 }),
        json!({ "secret": SECRET_32, "audience": [] }),
        json!({ "publicKey": fixture("p256-spki.pem"), "secret": SECRET_32 }),
    ] {
        assert_eq!(
            code(verifier(options.clone())),
            ErrorCode::InvalidOption,
            "{options}"
        );
    }
}

#[test]
fn signing_refuses_conflicts_and_tokens_that_never_expire() {
    let s = signer(json!({ "secret": SECRET_32, "ttlSeconds": 60 })).unwrap();
    let conflicts = [
        (json!({ "exp": NOW + 5 }), json!({ "expiresAt": NOW + 10 })),
        (json!({ "nbf": NOW }), json!({ "notBefore": NOW })),
        (json!({ "iss": "a" }), json!({ "issuer": "b" })),
        (json!({ "sub": "a" }), json!({ "subject": "a" })),
        (json!({ "aud": "a" }), json!({ "audience": "b" })),
        (json!({ "jti": "a" }), json!({ "jti": true })),
        (json!({}), json!({ "expiresAt": 1_800_000_000_000u64 })),
        (json!({}), json!({ "expiresAt": "next week" })),
        (json!({}), json!({ "expiresAt": null })),
        (json!({}), json!({ "header": { "alg": "none" } })),
        (json!({}), json!({ "header": { "crit": ["x"] } })),
        (json!({ "exp": "soon" }), json!({})),
        (json!({ "aud": 5 }), json!({})),
    ];
    for (claims, options) in conflicts {
        // Options are read per call, as the JS signer reads them: some fail there.
        let result = options_from_json::<SignOptions>(&options.to_string(), "sign options")
            .and_then(|options| s.sign_at(&claims.to_string(), &options, NOW));
        assert_eq!(code(result), ErrorCode::InvalidOption, "{claims} {options}");
    }
    assert_eq!(
        code(s.sign_at("[1]", &SignOptions::default(), NOW)),
        ErrorCode::InvalidOption
    );
    assert_eq!(
        code(s.sign_at("{\"a\":1,\"a\":2}", &SignOptions::default(), NOW)),
        ErrorCode::InvalidOption
    );

    let no_ttl = signer(json!({ "secret": SECRET_32 })).unwrap();
    assert_eq!(
        code(no_ttl.sign_at("{}", &SignOptions::default(), NOW)),
        ErrorCode::InvalidOption
    );
    let forever = signer(json!({ "secret": SECRET_32, "allowMissingExpiry": true })).unwrap();
    let token = forever.sign_at("{}", &SignOptions::default(), NOW).unwrap();
    assert_eq!(
        code(verify(&hs_verifier(), &token)),
        ErrorCode::JwtClaimInvalid
    );
    verify(
        &verifier(json!({ "secret": SECRET_32, "allowMissingExpiry": true })).unwrap(),
        &token,
    )
    .unwrap();
}

#[test]
fn sign_options_set_registered_claims_and_header() {
    let s = signer(
        json!({ "secret": SECRET_32, "ttlInMinutes": 2, "issuer": "https://app", "keyId": "k1" }),
    )
    .unwrap();
    let options = sign_options(json!({
        "expiresAt": "2027-01-15T08:00:10.000Z", "notBefore": NOW - 5, "jti": true,
        "subject": "u1", "audience": ["a", "b"], "header": { "typ": "at+jwt", "cty": "x" }
    }));
    let token = s.sign_at("{\"org\":\"acme\"}", &options, NOW).unwrap();
    let decoded = decode(&token, &DecodeOptions::default()).unwrap();
    let header: Value = serde_json::from_str(&decoded.header_json).unwrap();
    assert_eq!(
        header,
        json!({ "alg": "HS256", "typ": "at+jwt", "kid": "k1", "cty": "x" })
    );
    let payload: Value = serde_json::from_str(&decoded.payload_json).unwrap();
    assert_eq!(payload["exp"], NOW + 10);
    assert_eq!(payload["nbf"], NOW - 5);
    assert_eq!(payload["iss"], "https://app");
    assert_eq!(payload["aud"], json!(["a", "b"]));
    assert_eq!(payload["jti"].as_str().unwrap().len(), 36);
    // The default TTL applies when no expiry is given.
    let token = sign(&s, json!({}));
    let payload = verify(&hs_verifier(), &token).unwrap();
    assert_eq!(payload["exp"], NOW + 120);
}

#[test]
fn unsecured_and_unlisted_algorithms_are_refused() {
    let v = hs_verifier();
    for alg in ["none", "None", "NONE", "nOnE"] {
        let token = format!(
            "{}.{}.",
            b64(format!("{{\"alg\":\"{alg}\"}}").as_bytes()),
            b64(valid_payload().as_bytes())
        );
        assert_eq!(
            code(verify(&v, &token)),
            ErrorCode::JoseAlgNotAllowed,
            "{alg}"
        );
    }
    for header in [
        r#"{"alg":"HS512"}"#,
        r#"{"alg":"hs256"}"#,
        r#"{"alg":"RS256"}"#,
    ] {
        assert_eq!(
            code(verify(&v, &hs256_token(header, &valid_payload()))),
            ErrorCode::JoseAlgNotAllowed,
            "{header}"
        );
    }
}

#[test]
fn unsupported_header_extensions_are_refused_and_key_urls_ignored() {
    let v = hs_verifier();
    let payload = valid_payload();
    for header in [
        r#"{"alg":"HS256","crit":["exp"],"exp":1}"#,
        r#"{"alg":"HS256","b64":false,"crit":["b64"]}"#,
        r#"{"alg":"HS256","b64":false}"#,
    ] {
        assert_eq!(
            code(verify(&v, &hs256_token(header, &payload))),
            ErrorCode::JoseHeaderUnsupported,
            "{header}"
        );
    }
    assert_eq!(
        code(verify(
            &v,
            &hs256_token(r#"{"alg":"HS256","crit":[]}"#, &payload)
        )),
        ErrorCode::JwtMalformed
    );
    // jku / x5u / jwk are never followed: the verifier's own key decides.
    let header = r#"{"alg":"HS256","jku":"https://evil.example/jwks","x5u":"https://evil.example/c","jwk":{"kty":"oct","k":"AAAA"}}"#;
    verify(&v, &hs256_token(header, &payload)).unwrap();
}

#[test]
fn malformed_tokens_are_refused() {
    let v = hs_verifier();
    let good = hs256_token(r#"{"alg":"HS256"}"#, &valid_payload());
    let parts: Vec<&str> = good.split('.').collect();
    let cases = [
        format!("{}.{}", parts[0], parts[1]),
        format!("{good}.{}", parts[2]),
        format!("{}=.{}.{}", parts[0], parts[1], parts[2]),
        hs256_segments(parts[0], &format!("{}+", parts[1])),
        hs256_segments(parts[0], &format!("{}=", parts[1])),
        format!("{}.{}.{}==", parts[0], parts[1], parts[2]),
        hs256_token("not json", &valid_payload()),
        hs256_token(r#"{"alg":"HS256","alg":"HS256"}"#, &valid_payload()),
        hs256_token(r#"{"alg":"HS256"}"#, "[1,2]"),
        hs256_token(r#"{"alg":"HS256"}"#, r#"{"exp":1900000000,"exp":1}"#),
        hs256_token(
            r#"{"alg":"HS256"}"#,
            r#"{"exp":1900000000,"x":{"a":1,"a":2}}"#,
        ),
        hs256_token(r#"{"alg":"HS256","kid":5}"#, &valid_payload()),
        hs256_token(r#"{"alg":5}"#, &valid_payload()),
        String::new(),
        "..".to_string(),
    ];
    for token in cases {
        assert_eq!(code(verify(&v, &token)), ErrorCode::JwtMalformed, "{token}");
    }
    // Invalid UTF-8 in the payload.
    let token = hs256_segments(&b64(br#"{"alg":"HS256"}"#), &b64(&[b'{', 0xff, b'}']));
    assert_eq!(code(verify(&v, &token)), ErrorCode::JwtMalformed);
}

#[test]
fn deep_nesting_and_oversized_tokens_are_refused_without_crashing() {
    let v = hs_verifier();
    let deep = format!(
        r#"{{"exp":1900000000,"x":{}1{}}}"#,
        "[".repeat(5000),
        "]".repeat(5000)
    );
    assert_eq!(
        code(verify(&v, &hs256_token(r#"{"alg":"HS256"}"#, &deep))),
        ErrorCode::JwtMalformed
    );
    let huge = "a".repeat(16 * 1024 + 1);
    assert_eq!(code(verify(&v, &huge)), ErrorCode::TokenTooLarge);
    assert_eq!(
        code(decode(&huge, &DecodeOptions::default())),
        ErrorCode::TokenTooLarge
    );
    let small = verifier(json!({ "secret": SECRET_32, "maxTokenBytes": 50 })).unwrap();
    let token = hs256_token(r#"{"alg":"HS256"}"#, &valid_payload());
    assert_eq!(code(verify(&small, &token)), ErrorCode::TokenTooLarge);
}

#[test]
fn time_claims_respect_the_clock_tolerance_on_both_sides() {
    let token = |claims: Value| hs256_token(r#"{"alg":"HS256"}"#, &claims.to_string());
    let strict = hs_verifier();
    let lenient = verifier(json!({ "secret": SECRET_32, "clockToleranceSeconds": 30 })).unwrap();
    let at = |v: &Verifier, t: &str, now: i64| v.verify_at(t, now as f64).map(|_| ());

    let expiring = token(json!({ "exp": NOW }));
    assert!(at(&strict, &expiring, NOW - 1).is_ok());
    assert_eq!(code(at(&strict, &expiring, NOW)), ErrorCode::JwtExpired);
    assert!(at(&lenient, &expiring, NOW + 29).is_ok());
    assert_eq!(
        code(at(&lenient, &expiring, NOW + 30)),
        ErrorCode::JwtExpired
    );

    let future = token(json!({ "exp": NOW + 100, "nbf": NOW }));
    assert!(at(&strict, &future, NOW).is_ok());
    assert_eq!(
        code(at(&strict, &future, NOW - 1)),
        ErrorCode::JwtNotYetValid
    );
    assert!(at(&lenient, &future, NOW - 30).is_ok());
    assert_eq!(
        code(at(&lenient, &future, NOW - 31)),
        ErrorCode::JwtNotYetValid
    );

    for claims in [
        json!({ "exp": "1900000000" }),
        json!({ "exp": NOW + 100, "nbf": true }),
        json!({ "exp": NOW + 100, "iat": [1] }),
    ] {
        let error = at(&strict, &token(claims.clone()), NOW).unwrap_err();
        assert_eq!(error.code, ErrorCode::JwtClaimInvalid, "{claims}");
        assert!(error.claim.is_some());
    }

    let aged = verifier(json!({ "secret": SECRET_32, "maxTokenAgeSeconds": 60 })).unwrap();
    let issued = token(json!({ "exp": NOW + 1000, "iat": NOW }));
    assert!(at(&aged, &issued, NOW + 60).is_ok());
    assert_eq!(code(at(&aged, &issued, NOW + 61)), ErrorCode::JwtExpired);
    assert_eq!(
        code(at(&aged, &token(json!({ "exp": NOW + 1000 })), NOW)),
        ErrorCode::JwtClaimInvalid
    );

    // 2027-01-15T08:00:00Z is NOW.
    let fixed =
        verifier(json!({ "secret": SECRET_32, "currentTime": "2027-01-15T08:00:00Z" })).unwrap();
    assert_eq!(
        code(fixed.verify(&token(json!({ "exp": NOW })))),
        ErrorCode::JwtExpired
    );
    assert!(fixed.verify(&token(json!({ "exp": NOW + 1 }))).is_ok());
}

#[test]
fn issuer_audience_typ_and_required_claims_are_checked() {
    let token = |header: &str, claims: Value| hs256_token(header, &claims.to_string());
    let plain = r#"{"alg":"HS256"}"#;
    let exp = NOW + 100;
    let v = verifier(json!({ "secret": SECRET_32, "issuer": ["a", "b"], "audience": "api", "requiredClaims": ["org"], "typ": "JWT" }))
        .unwrap();
    let good = token(
        r#"{"alg":"HS256","typ":"application/jwt"}"#,
        json!({ "exp": exp, "iss": "b", "aud": ["x", "api"], "org": 1 }),
    );
    verify(&v, &good).unwrap();
    let failures = [
        (
            r#"{"alg":"HS256","typ":"JWT"}"#,
            json!({ "exp": exp, "iss": "c", "aud": "api", "org": 1 }),
            "iss",
        ),
        (
            r#"{"alg":"HS256","typ":"JWT"}"#,
            json!({ "exp": exp, "aud": "api", "org": 1 }),
            "iss",
        ),
        (
            r#"{"alg":"HS256","typ":"JWT"}"#,
            json!({ "exp": exp, "iss": "a", "aud": ["x"], "org": 1 }),
            "aud",
        ),
        (
            r#"{"alg":"HS256","typ":"JWT"}"#,
            json!({ "exp": exp, "iss": "a", "aud": 7, "org": 1 }),
            "aud",
        ),
        (
            r#"{"alg":"HS256","typ":"JWT"}"#,
            json!({ "exp": exp, "iss": "a", "aud": "api" }),
            "org",
        ),
        (
            plain,
            json!({ "exp": exp, "iss": "a", "aud": "api", "org": 1 }),
            "typ",
        ),
    ];
    for (header, claims, claim) in failures {
        let error = verify(&v, &token(header, claims.clone())).unwrap_err();
        assert_eq!(
            (error.code, error.claim.as_deref()),
            (ErrorCode::JwtClaimInvalid, Some(claim)),
            "{claims}"
        );
    }
}

#[test]
fn jwks_selects_keys_by_kid() {
    let a = generate_key_pair(Algorithm::ES256).unwrap();
    let b = generate_key_pair(Algorithm::EdDSA).unwrap();
    let c = generate_key_pair(Algorithm::ES256).unwrap();
    let with_kid = |jwk: &Value, kid: &str| {
        let mut jwk = jwk.clone();
        jwk["kid"] = kid.into();
        jwk
    };
    let jwks = json!({ "keys": [with_kid(&a.public_jwk, "a"), with_kid(&b.public_jwk, "b"), with_kid(&c.public_jwk, "c"),
        { "kty": "RSA", "use": "enc", "n": "x", "e": "AQAB" }] });
    let v = verifier(json!({ "jwks": jwks })).unwrap();
    let signer_for = |pair: &scopemint::GeneratedKeyPair, kid: &str| {
        signer(json!({ "privateKey": pair.private_key, "keyId": kid, "ttlSeconds": 60 })).unwrap()
    };
    verify(&v, &sign(&signer_for(&a, "a"), json!({}))).unwrap();
    verify(&v, &sign(&signer_for(&b, "b"), json!({}))).unwrap();
    assert_eq!(
        code(verify(&v, &sign(&signer_for(&a, "c"), json!({})))),
        ErrorCode::JwsSignatureInvalid
    );
    assert_eq!(
        code(verify(&v, &sign(&signer_for(&a, "zzz"), json!({})))),
        ErrorCode::JwksNoMatchingKey
    );
    let no_kid = signer(json!({ "privateKey": a.private_key, "ttlSeconds": 60 })).unwrap();
    assert_eq!(
        code(verify(&v, &sign(&no_kid, json!({})))),
        ErrorCode::JwksNoMatchingKey
    );
    // With a single key in the set, a token without kid is fine.
    let single = verifier(json!({ "jwks": { "keys": [a.public_jwk] } })).unwrap();
    verify(&single, &sign(&no_kid, json!({}))).unwrap();
    // A broken signing key in the set is an error, not silently skipped.
    assert_eq!(
        code(verifier(
            json!({ "jwks": { "keys": [{ "kty": "EC", "crv": "P-256", "x": "AA" }] } })
        )),
        ErrorCode::KeyInvalid
    );
}

#[test]
fn ecdsa_signatures_out_of_range_or_in_der_form_are_refused() {
    let pair = generate_key_pair(Algorithm::ES256).unwrap();
    let s = signer(json!({ "privateKey": pair.private_key, "ttlSeconds": 60 })).unwrap();
    let v = verifier(json!({ "publicKey": pair.public_key })).unwrap();
    let token = sign(&s, json!({}));
    let (input, _) = token.rsplit_once('.').unwrap();
    let n = hex_bytes("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551");
    let mut forged = vec![
        [0u8; 64].to_vec(),                        // r = s = 0 (CVE-2022-21449)
        [n.clone(), n.clone()].concat(),           // r = s = n
        [vec![0xff; 32], vec![0xff; 32]].concat(), // r, s > n
    ];
    // A valid signature re-encoded as DER is still refused: JWS needs raw r||s.
    let raw = scopemint_signature(&token);
    let der = {
        let int = |b: &[u8]| {
            let mut v = b.to_vec();
            if v[0] & 0x80 != 0 {
                v.insert(0, 0);
            }
            [vec![0x02, v.len() as u8], v].concat()
        };
        let body = [int(&raw[..32]), int(&raw[32..])].concat();
        [vec![0x30, body.len() as u8], body].concat()
    };
    forged.push(der);
    forged.push(raw[..63].to_vec());
    for signature in forged {
        assert_eq!(
            code(verify(&v, &format!("{input}.{}", b64(&signature)))),
            ErrorCode::JwsSignatureInvalid
        );
    }
}

fn scopemint_signature(token: &str) -> Vec<u8> {
    support::unb64(token.rsplit('.').next().unwrap())
}

#[test]
fn decode_reads_without_verifying() {
    let token = hs256_token(
        r#"{"alg":"HS256","kid":"x"}"#,
        &json!({ "exp": 1_900_000_000, "iat": 1_000, "sub": "u" }).to_string(),
    );
    let decoded = decode(&token, &DecodeOptions::default()).unwrap();
    assert_eq!(decoded.issued_at, Some(1000.0));
    assert_eq!(decoded.expires_at, Some(1_900_000_000.0));
    assert!(!decoded.expired());
    let forged = format!(
        "{}.{}.AAAA",
        token.split('.').next().unwrap(),
        token.split('.').nth(1).unwrap()
    );
    assert!(decode(&forged, &DecodeOptions::default()).is_ok());
    assert_eq!(
        code(decode("a.b", &DecodeOptions::default())),
        ErrorCode::JwtMalformed
    );
}

#[test]
fn every_error_code_is_distinct_and_prefixed() {
    let codes: Vec<&str> = ErrorCode::ALL.iter().map(|c| c.as_str()).collect();
    let mut unique = codes.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), codes.len());
    assert!(codes.iter().all(|c| c.starts_with("ERR_")));
}

#[test]
fn the_header_cache_never_skips_a_check_that_depends_on_the_token() {
    let v = hs_verifier();
    let good = hs256_token(r#"{"alg":"HS256","typ":"JWT"}"#, &valid_payload());
    for _ in 0..3 {
        verify(&v, &good).unwrap();
    }
    // Same header segment, so a cached header: the signature and claims are still checked.
    let (input, _) = good.rsplit_once('.').unwrap();
    assert_eq!(
        code(verify(&v, &format!("{input}.AAAA"))),
        ErrorCode::JwsSignatureInvalid
    );
    let expired = hs256_token(
        r#"{"alg":"HS256","typ":"JWT"}"#,
        &json!({ "exp": NOW - 1 }).to_string(),
    );
    assert_eq!(code(verify(&v, &expired)), ErrorCode::JwtExpired);
    // Headers that failed are not cached as good ones.
    let bad = hs256_token(r#"{"alg":"HS256","crit":["x"]}"#, &valid_payload());
    for _ in 0..2 {
        assert_eq!(code(verify(&v, &bad)), ErrorCode::JoseHeaderUnsupported);
    }
    // More distinct headers than the cache holds still verify correctly.
    for i in 0..20 {
        verify(
            &v,
            &hs256_token(
                &format!(r#"{{"alg":"HS256","kid":"k{i}"}}"#),
                &valid_payload(),
            ),
        )
        .unwrap();
    }
}

#[test]
fn verified_tokens_report_until_when_they_may_be_cached() {
    let v = hs_verifier();
    let token = hs256_token(
        r#"{"alg":"HS256"}"#,
        &json!({ "exp": NOW + 60, "iat": NOW }).to_string(),
    );
    assert_eq!(
        v.verify_at(&token, NOW as f64).unwrap().valid_until,
        Some((NOW + 60) as f64)
    );
    let aged = verifier(
        json!({ "secret": SECRET_32, "maxTokenAgeSeconds": 10, "clockToleranceSeconds": 2 }),
    )
    .unwrap();
    assert_eq!(
        aged.verify_at(&token, NOW as f64).unwrap().valid_until,
        Some((NOW + 12) as f64)
    );
    let fixed = verifier(json!({ "secret": SECRET_32, "currentTime": NOW })).unwrap();
    assert_eq!(fixed.verify(&token).unwrap().valid_until, None);
    // The JS cache's size is read with the createVerifier options, beside the verifier's.
    let cache_capacity = |options: Value| {
        options_from_json::<CreateVerifierOptions>(&options.to_string(), "createVerifier")
            .unwrap()
            .into_parts()
            .cache
            .capacity()
    };
    assert_eq!(
        code(cache_capacity(
            json!({ "secret": SECRET_32, "cache": { "maxEntries": 0 } })
        )),
        ErrorCode::InvalidOption
    );
    assert_eq!(
        cache_capacity(json!({ "secret": SECRET_32, "cache": true })).unwrap(),
        1000
    );
    assert_eq!(cache_capacity(json!({ "secret": SECRET_32 })).unwrap(), 0);
}
