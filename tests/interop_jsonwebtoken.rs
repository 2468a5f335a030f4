//! Interoperability with the Rust `jsonwebtoken` crate (Keats), an independent
//! JWS implementation: what a Rust backend receiving our tokens would use.
//! Every algorithm both support, in both directions, plus a changed payload
//! that each side must refuse.

use jsonwebtoken::{DecodingKey, EncodingKey, Header, Validation};
use scopemint::{
    generate_key_pair, options_from_json, Algorithm, CreateVerifierOptions, SignOptions, Signer,
    SignerOptions, Verifier,
};
use serde_json::{json, Value};

mod support;
use support::fixture;

const SECRET_64: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

/// One algorithm with its key material in both libraries' forms.
struct Case {
    alg: Algorithm,
    theirs: jsonwebtoken::Algorithm,
    signer: Value,
    verifier: Value,
    encoding: EncodingKey,
    decoding: DecodingKey,
}

fn cases() -> Vec<Case> {
    use jsonwebtoken::Algorithm as J;
    let mut cases = Vec::new();
    for (alg, theirs) in [
        (Algorithm::HS256, J::HS256),
        (Algorithm::HS384, J::HS384),
        (Algorithm::HS512, J::HS512),
    ] {
        cases.push(Case {
            alg,
            theirs,
            signer: json!({ "secret": SECRET_64, "algorithm": alg.as_str() }),
            verifier: json!({ "secret": SECRET_64, "algorithms": [alg.as_str()] }),
            encoding: EncodingKey::from_secret(SECRET_64.as_bytes()),
            decoding: DecodingKey::from_secret(SECRET_64.as_bytes()),
        });
    }
    let rsa_private = fixture("rsa2048-pkcs8.pem");
    let rsa_public = fixture("rsa2048-spki.pem");
    for (alg, theirs) in [
        (Algorithm::RS256, J::RS256),
        (Algorithm::RS384, J::RS384),
        (Algorithm::RS512, J::RS512),
        (Algorithm::PS256, J::PS256),
        (Algorithm::PS384, J::PS384),
        (Algorithm::PS512, J::PS512),
    ] {
        cases.push(Case {
            alg,
            theirs,
            signer: json!({ "privateKey": rsa_private, "algorithm": alg.as_str() }),
            verifier: json!({ "publicKey": rsa_public, "algorithms": [alg.as_str()] }),
            encoding: EncodingKey::from_rsa_pem(rsa_private.as_bytes()).unwrap(),
            decoding: DecodingKey::from_rsa_pem(rsa_public.as_bytes()).unwrap(),
        });
    }
    for (alg, theirs) in [(Algorithm::ES256, J::ES256), (Algorithm::ES384, J::ES384)] {
        let pair = generate_key_pair(alg).unwrap();
        cases.push(Case {
            alg,
            theirs,
            signer: json!({ "privateKey": pair.private_key }),
            verifier: json!({ "publicKey": pair.public_key }),
            encoding: EncodingKey::from_ec_pem(pair.private_key.as_bytes()).unwrap(),
            decoding: DecodingKey::from_ec_pem(pair.public_key.as_bytes()).unwrap(),
        });
    }
    let pair = generate_key_pair(Algorithm::EdDSA).unwrap();
    cases.push(Case {
        alg: Algorithm::EdDSA,
        theirs: J::EdDSA,
        signer: json!({ "privateKey": pair.private_key }),
        verifier: json!({ "publicKey": pair.public_key }),
        encoding: EncodingKey::from_ed_pem(pair.private_key.as_bytes()).unwrap(),
        decoding: DecodingKey::from_ed_pem(pair.public_key.as_bytes()).unwrap(),
    });
    cases
}

fn claims() -> Value {
    json!({
        "workspace_id": "ws-1",
        "name": "frontend",
        "scopes": [{ "type": "PIPES:READ", "resource": "sales", "fixed_params": { "org_id": "acme" } }],
    })
}

fn their_validation(alg: jsonwebtoken::Algorithm) -> Validation {
    let mut validation = Validation::new(alg);
    validation.set_required_spec_claims(&["exp"]);
    validation
}

/// Flips one character of the payload segment, keeping it valid base64url.
fn tamper_payload(token: &str) -> String {
    let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
    let payload = &mut parts[1];
    let last = payload.pop().unwrap();
    payload.push(if last == 'A' { 'Q' } else { 'A' });
    parts.join(".")
}

#[test]
fn tokens_we_mint_verify_with_jsonwebtoken() {
    for case in cases() {
        let options = json!({ "ttlSeconds": 120 });
        let mut signer_options = case.signer.clone();
        signer_options
            .as_object_mut()
            .unwrap()
            .extend(options.as_object().unwrap().clone());
        let signer = Signer::new(
            options_from_json::<SignerOptions>(&signer_options.to_string(), "signer").unwrap(),
        )
        .unwrap();
        assert_eq!(signer.algorithm(), case.alg);
        let token = signer
            .sign(&claims().to_string(), &SignOptions::default())
            .unwrap();

        let decoded =
            jsonwebtoken::decode::<Value>(&token, &case.decoding, &their_validation(case.theirs))
                .unwrap_or_else(|e| {
                    panic!("{}: jsonwebtoken refused our token: {e}", case.alg.as_str())
                });
        assert_eq!(decoded.header.alg, case.theirs);
        assert_eq!(
            decoded.claims["scopes"],
            claims()["scopes"],
            "{}",
            case.alg.as_str()
        );
        assert!(decoded.claims["exp"].as_i64().unwrap() > decoded.claims["iat"].as_i64().unwrap());

        let refused = jsonwebtoken::decode::<Value>(
            &tamper_payload(&token),
            &case.decoding,
            &their_validation(case.theirs),
        );
        assert!(
            refused.is_err(),
            "{}: a changed payload verified",
            case.alg.as_str()
        );
    }
}

#[test]
fn tokens_jsonwebtoken_mints_verify_with_us() {
    let now = support::system_now() as i64;
    for case in cases() {
        let mut claims = claims();
        claims["exp"] = json!(now + 120);
        claims["iat"] = json!(now);
        let token =
            jsonwebtoken::encode(&Header::new(case.theirs), &claims, &case.encoding).unwrap();
        let verifier = Verifier::new(
            options_from_json::<CreateVerifierOptions>(&case.verifier.to_string(), "verifier")
                .unwrap()
                .verifier_options(),
        )
        .unwrap();
        let verified = verifier.verify(&token).unwrap_or_else(|e| {
            panic!(
                "{}: we refused jsonwebtoken's token: {e:?}",
                case.alg.as_str()
            )
        });
        let payload: Value = serde_json::from_str(&verified.payload_json).unwrap();
        assert_eq!(payload, claims, "{}", case.alg.as_str());

        let refused = verifier.verify(&tamper_payload(&token)).unwrap_err();
        assert_eq!(
            refused.code,
            scopemint::ErrorCode::JwsSignatureInvalid,
            "{}",
            case.alg.as_str()
        );
    }
}

/// The difference that decision 1 in docs/decisions.md rests on: jsonwebtoken
/// refuses a duplicate registered claim (`exp`) but reads a payload with two
/// `scopes` members, keeping one; scopemint refuses both, so no two readers of one
/// token can disagree on what it grants.
#[test]
fn a_duplicate_grant_claim_is_read_by_jsonwebtoken_and_refused_by_us() {
    let now = support::system_now() as i64;
    let payload = format!(
        r#"{{"exp":{},"scopes":[{{"type":"PIPES:READ","resource":"a"}}],"scopes":[{{"type":"DATASOURCES:READ","resource":"b"}}]}}"#,
        now + 3600
    );
    let token = support::hs256_token(
        SECRET_64.as_bytes(),
        br#"{"alg":"HS256","typ":"JWT"}"#,
        payload.as_bytes(),
    );

    let theirs = jsonwebtoken::decode::<Value>(
        &token,
        &DecodingKey::from_secret(SECRET_64.as_bytes()),
        &their_validation(jsonwebtoken::Algorithm::HS256),
    );
    let read = theirs
        .expect("jsonwebtoken now refuses duplicate names")
        .claims;
    assert_eq!(
        read["scopes"][0]["resource"], "b",
        "jsonwebtoken keeps the last member"
    );

    let verifier = support::verifier(json!({ "secret": SECRET_64 }));
    assert_eq!(
        verifier.verify(&token).unwrap_err().code,
        scopemint::ErrorCode::JwtMalformed
    );
}
