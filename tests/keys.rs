//! Key import as an attacker would try it: degenerate public keys (RSA, EC,
//! Ed25519), DER that is not strict DER, PEM outside RFC 7468, JWK `use` /
//! `key_ops`, and key material passed as an HMAC secret in every encoding.
//! Each is refused with ERR_KEY_INVALID at import, so the Node path (which
//! hands the key Rust parsed to node:crypto) and the wasm path agree;
//! tests/js/keys.test.mjs checks the same through both JS entries.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use scopemint::{generate_key_pair, Algorithm, ErrorCode, Verifier};
use serde_json::{json, Value};

mod support;
use support::{b64, fixture, sign_at_now as sign, unb64, unhex as hex, NOW};
use support::{try_signer as signer, try_verifier as verifier};

fn verify(verifier: &Verifier, token: &str) -> scopemint::Result<()> {
    verifier.verify_at(token, NOW as f64).map(|_| ())
}

/// The error's code and message, or a panic naming `what` if it succeeded.
fn refused<T>(result: scopemint::Result<T>, what: &str) -> (ErrorCode, String) {
    match result {
        Ok(_) => panic!("{what}: accepted, expected a refusal"),
        Err(error) => (error.code, error.message),
    }
}

/// Asserts that `publicKey: key` is refused with ERR_KEY_INVALID and a message containing `needle`.
fn assert_public_refused(key: Value, needle: &str, what: &str) {
    let (code, message) = refused(verifier(json!({ "publicKey": key })), what);
    assert_eq!(code, ErrorCode::KeyInvalid, "{what}: {message}");
    assert!(
        message.contains(needle),
        "{what}: message {message:?} lacks {needle:?}"
    );
}

// --- a minimal DER writer, so tests can build what our own writer never would ---

fn tlv(tag: u8, contents: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let len = contents.len();
    if len < 0x80 {
        out.push(len as u8);
    } else if len < 0x100 {
        out.extend([0x81, len as u8]);
    } else {
        out.extend([0x82, (len >> 8) as u8, len as u8]);
    }
    out.extend_from_slice(contents);
    out
}

fn seq(parts: &[Vec<u8>]) -> Vec<u8> {
    tlv(0x30, &parts.concat())
}

/// A DER INTEGER for an unsigned magnitude (sign byte added when needed).
fn uint(magnitude: &[u8]) -> Vec<u8> {
    let start = magnitude
        .iter()
        .position(|&b| b != 0)
        .unwrap_or(magnitude.len() - 1);
    let trimmed = &magnitude[start..];
    if trimmed[0] & 0x80 != 0 {
        tlv(0x02, &[&[0][..], trimmed].concat())
    } else {
        tlv(0x02, trimmed)
    }
}

fn bit_string(bytes: &[u8]) -> Vec<u8> {
    tlv(0x03, &[&[0][..], bytes].concat())
}

const OID_RSA: [u8; 11] = [
    0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01,
];
const OID_EC: [u8; 9] = [0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];
const OID_P256: [u8; 10] = [0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];
const OID_ED25519: [u8; 5] = [0x06, 0x03, 0x2b, 0x65, 0x70];

fn rsa_spki(n: &[u8], e: &[u8]) -> Vec<u8> {
    seq(&[
        seq(&[OID_RSA.to_vec(), vec![0x05, 0x00]]),
        bit_string(&seq(&[uint(n), uint(e)])),
    ])
}

fn p256_spki(point: &[u8]) -> Vec<u8> {
    seq(&[
        seq(&[OID_EC.to_vec(), OID_P256.to_vec()]),
        bit_string(point),
    ])
}

fn ed25519_spki(x: &[u8]) -> Vec<u8> {
    seq(&[seq(&[OID_ED25519.to_vec()]), bit_string(x)])
}

fn pem(label: &str, der: &[u8]) -> String {
    let body = STANDARD.encode(der);
    let lines: Vec<&str> = body
        .as_bytes()
        .chunks(64)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect();
    format!(
        "-----BEGIN {label}-----\n{}\n-----END {label}-----\n",
        lines.join("\n")
    )
}

/// The DER inside a PEM fixture.
fn fixture_der(name: &str) -> Vec<u8> {
    let text = fixture(name);
    let body: String = text
        .lines()
        .skip_while(|l| !l.starts_with("-----BEGIN") || l.contains("PARAMETERS"))
        .skip(1)
        .take_while(|l| !l.starts_with("-----END"))
        .collect();
    STANDARD.decode(body).unwrap()
}

/// The OpenSSL-made RSA key's public JWK (n, e).
fn rsa_public_jwk() -> Value {
    signer(json!({ "privateKey": fixture("rsa2048-pkcs8.pem"), "ttlSeconds": 60 }))
        .unwrap()
        .public_jwk()
        .unwrap()
}

fn rsa_jwk(n: &[u8], e: &[u8]) -> Value {
    json!({ "kty": "RSA", "n": b64(n), "e": b64(e) })
}

// --- RSA ---

#[test]
fn rsa_keys_with_degenerate_exponents_are_refused_in_every_format() {
    let n = unb64(rsa_public_jwk()["n"].as_str().unwrap());
    // e = 1 makes every integer below n its own signature: anyone could forge.
    for (e, needle) in [
        (vec![1u8], "degenerate"),
        (vec![0], "degenerate"),
        (vec![2], "degenerate"),
        (vec![0x01, 0x00, 0x00], "even"),      // 65536
        (vec![0x01, 0x00, 0x02], "even"),      // 65538
        (vec![0x02, 0, 0, 0, 1], "too large"), // 2^33 + 1, beyond ring's verification limit
        (n.clone(), "too large"),              // e = n: the components swapped
    ] {
        let what = format!("e = {e:02x?}");
        assert_public_refused(rsa_jwk(&n, &e), needle, &format!("JWK {what}"));
        assert_public_refused(
            json!(pem("PUBLIC KEY", &rsa_spki(&n, &e))),
            needle,
            &format!("SPKI {what}"),
        );
        assert_public_refused(
            json!(pem("RSA PUBLIC KEY", &seq(&[uint(&n), uint(&e)]))),
            needle,
            &format!("PKCS#1 {what}"),
        );
    }
    // e = 3 is small but sound, and accepted (RFC 8017 allows it; ring verifies with it).
    verifier(json!({ "publicKey": rsa_jwk(&n, &[3]) })).unwrap();
}

#[test]
fn rsa_private_keys_with_a_degenerate_exponent_are_refused() {
    let mut jwk = signer(json!({ "privateKey": fixture("rsa2048-pkcs8.pem"), "ttlSeconds": 60 }))
        .unwrap()
        .public_jwk()
        .unwrap();
    // The private JWK of the same key, with e replaced.
    let der = fixture_der("rsa2048-pkcs1.pem");
    let parts = pkcs1_integers(&der);
    let names = ["n", "e", "d", "p", "q", "dp", "dq", "qi"];
    for (name, part) in names.iter().zip(&parts) {
        jwk[*name] = b64(part).into();
    }
    jwk.as_object_mut().unwrap().remove("use");
    signer(json!({ "privateKey": jwk, "ttlSeconds": 60 })).unwrap();
    jwk["e"] = b64(&[1]).into();
    let (code, message) = refused(
        signer(json!({ "privateKey": jwk, "ttlSeconds": 60 })),
        "e = 1",
    );
    assert_eq!(code, ErrorCode::KeyInvalid);
    assert!(message.contains("degenerate"), "{message}");
    // And as PKCS#1 PEM.
    let mut with_e1 = parts.clone();
    with_e1[1] = vec![1];
    let mut body = vec![uint(&[0])];
    body.extend(with_e1.iter().map(|p| uint(p)));
    let (code, _) = refused(
        signer(json!({ "privateKey": pem("RSA PRIVATE KEY", &seq(&body)), "ttlSeconds": 60 })),
        "PKCS#1 e = 1",
    );
    assert_eq!(code, ErrorCode::KeyInvalid);
}

/// The eight INTEGERs after the version of a PKCS#1 RSAPrivateKey, as magnitudes.
fn pkcs1_integers(der: &[u8]) -> Vec<Vec<u8>> {
    fn read(input: &[u8]) -> (u8, &[u8], &[u8]) {
        let tag = input[0];
        let (len, header) = match input[1] {
            l if l < 0x80 => (l as usize, 2),
            0x81 => (input[2] as usize, 3),
            _ => (((input[2] as usize) << 8) | input[3] as usize, 4),
        };
        (tag, &input[header..header + len], &input[header + len..])
    }
    let (_, mut body, _) = read(der);
    let mut out = Vec::new();
    while !body.is_empty() {
        let (_, value, rest) = read(body);
        let start = value
            .iter()
            .position(|&b| b != 0)
            .unwrap_or(value.len() - 1);
        out.push(value[start..].to_vec());
        body = rest;
    }
    out.remove(0); // version
    out
}

#[test]
fn rsa_moduli_that_are_even_too_small_or_too_large_are_refused() {
    let n = unb64(rsa_public_jwk()["n"].as_str().unwrap());
    let mut even = n.clone();
    *even.last_mut().unwrap() &= 0xfe;
    assert_public_refused(rsa_jwk(&even, &[1, 0, 1]), "even", "even modulus");
    assert_public_refused(
        rsa_jwk(&n[..128], &[1, 0, 1]),
        "at least 2048",
        "1024-bit modulus",
    );
    let mut huge = vec![0xc5u8; 1026]; // 8208 bits
    *huge.last_mut().unwrap() |= 1;
    assert_public_refused(
        rsa_jwk(&huge, &[1, 0, 1]),
        "larger than 8192",
        "8208-bit modulus",
    );
    // 8192 bits is still fine.
    let mut largest = vec![0xc5u8; 1024];
    *largest.last_mut().unwrap() |= 1;
    verifier(json!({ "publicKey": rsa_jwk(&largest, &[1, 0, 1]) })).unwrap();
}

// --- EC ---

fn p256_point() -> Vec<u8> {
    let jwk = generate_key_pair(Algorithm::ES256).unwrap().public_jwk;
    [
        vec![4u8],
        unb64(jwk["x"].as_str().unwrap()),
        unb64(jwk["y"].as_str().unwrap()),
    ]
    .concat()
}

#[test]
fn ec_points_off_the_curve_are_refused_in_every_format() {
    let mut off = p256_point();
    off[64] ^= 1; // y + 1 (or - 1): no longer on the curve
    let jwk = json!({ "kty": "EC", "crv": "P-256", "x": b64(&off[1..33]), "y": b64(&off[33..]) });
    assert_public_refused(jwk.clone(), "not on the curve", "JWK");
    assert_public_refused(
        json!(pem("PUBLIC KEY", &p256_spki(&off))),
        "not on the curve",
        "SPKI",
    );
    // Coordinates at or above the field prime are not points either.
    let mut beyond = vec![4u8];
    beyond.extend([0xff; 64]);
    assert_public_refused(
        json!(pem("PUBLIC KEY", &p256_spki(&beyond))),
        "not on the curve",
        "x, y >= p",
    );
    // The point inside an X.509 certificate: same length, so the DER stays valid.
    let cert = fixture_der("p256-cert.pem");
    let spki = fixture_der("p256-spki.pem");
    let point = &spki[spki.len() - 65..];
    let at = cert.windows(65).position(|w| w == point).unwrap();
    let mut tampered = cert.clone();
    tampered[at + 64] ^= 1;
    assert_public_refused(
        json!(pem("CERTIFICATE", &tampered)),
        "not on the curve",
        "certificate",
    );
    // A private JWK whose public half is off the curve.
    let mut private = jwk;
    private["d"] = b64(&[7; 32]).into();
    let (code, message) = refused(
        signer(json!({ "privateKey": private, "ttlSeconds": 60 })),
        "private",
    );
    assert_eq!(code, ErrorCode::KeyInvalid);
    assert!(message.contains("not on the curve"), "{message}");
    // The untouched point still imports.
    verifier(json!({ "publicKey": pem("PUBLIC KEY", &p256_spki(&p256_point())) })).unwrap();
}

// --- Ed25519 ---

/// Every small-order point in both sign encodings, including the
/// non-canonical ones (x = 0 with the sign bit; y = p and y = p + 1).
fn ed25519_small_order_encodings() -> Vec<[u8; 32]> {
    both_signs(&[
        "0100000000000000000000000000000000000000000000000000000000000000",
        "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        "0000000000000000000000000000000000000000000000000000000000000000",
        "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
        "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
        "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    ])
}

/// Everything refused: the above, and other non-canonical y (p + 5, 2^255 - 1).
fn ed25519_degenerate_encodings() -> Vec<[u8; 32]> {
    let mut all = ed25519_small_order_encodings();
    all.extend(both_signs(&[
        "f2ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    ]));
    all
}

fn both_signs(ys: &[&str]) -> Vec<[u8; 32]> {
    let mut out = Vec::new();
    for y in ys {
        let y: [u8; 32] = hex(y).try_into().unwrap();
        let mut negative = y;
        negative[31] |= 0x80;
        out.push(y);
        out.push(negative);
    }
    out
}

#[test]
fn the_small_order_list_is_complete_according_to_curve25519_dalek() {
    use curve25519_dalek::edwards::CompressedEdwardsY;
    let mut canonical = Vec::new();
    for encoding in ed25519_small_order_encodings() {
        if let Some(point) = CompressedEdwardsY(encoding).decompress() {
            assert!(
                point.is_small_order(),
                "{encoding:02x?} is not of small order"
            );
            if point.compress().0 == encoding && !canonical.contains(&encoding) {
                canonical.push(encoding);
            }
        }
    }
    // The torsion subgroup of edwards25519 has exactly 8 elements: all covered.
    assert_eq!(canonical.len(), 8);
}

#[test]
fn ed25519_small_order_and_non_canonical_keys_are_refused() {
    for x in ed25519_degenerate_encodings() {
        let what = format!("x = {}", hex_string(&x));
        let (code, _) = refused(
            verifier(json!({ "publicKey": { "kty": "OKP", "crv": "Ed25519", "x": b64(&x) } })),
            &what,
        );
        assert_eq!(code, ErrorCode::KeyInvalid, "JWK {what}");
        let (code, _) = refused(
            verifier(json!({ "publicKey": pem("PUBLIC KEY", &ed25519_spki(&x)) })),
            &what,
        );
        assert_eq!(code, ErrorCode::KeyInvalid, "SPKI {what}");
        let (code, _) = refused(
            verifier(
                json!({ "jwks": { "keys": [{ "kty": "OKP", "crv": "Ed25519", "x": b64(&x), "kid": "k" }] } }),
            ),
            &what,
        );
        assert_eq!(code, ErrorCode::KeyInvalid, "JWKS {what}");
    }
    // An ordinary key is fine.
    let pair = generate_key_pair(Algorithm::EdDSA).unwrap();
    verifier(json!({ "publicKey": pair.public_key })).unwrap();
}

fn hex_string(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

// --- strict DER and PEM ---

#[test]
fn der_that_is_not_strict_der_is_refused() {
    let good = fixture_der("p256-spki.pem");
    verifier(json!({ "publicKey": pem("PUBLIC KEY", &good) })).unwrap();
    let body = &good[2..]; // the SEQUENCE's contents (length 0x59 < 0x80)
    let algorithm = &body[..21];
    let key = &body[21..];
    let variants: Vec<(&str, Vec<u8>)> = vec![
        (
            "non-minimal outer length",
            [&[0x30, 0x81, 0x59][..], body].concat(),
        ),
        (
            "two-byte outer length",
            [&[0x30, 0x82, 0x00, 0x59][..], body].concat(),
        ),
        (
            "indefinite length",
            [&[0x30, 0x80][..], body, &[0, 0]].concat(),
        ),
        (
            "trailing bytes after the key",
            [good.clone(), vec![0]].concat(),
        ),
        (
            "extra element in the AlgorithmIdentifier",
            seq(&[
                seq(&[OID_EC.to_vec(), OID_P256.to_vec(), vec![0x05, 0x00]]),
                key.to_vec(),
            ]),
        ),
        (
            "non-minimal length inside",
            seq(&[
                [&[0x30, 0x81, 0x13][..], &algorithm[2..]].concat(),
                key.to_vec(),
            ]),
        ),
        (
            "BER-style constructed bit string",
            seq(&[algorithm.to_vec(), tlv(0x23, &bit_string(&key[3..]))]),
        ),
    ];
    for (what, der) in variants {
        let (code, message) = refused(
            verifier(json!({ "publicKey": pem("PUBLIC KEY", &der) })),
            what,
        );
        assert_eq!(code, ErrorCode::KeyInvalid, "{what}: {message}");
    }
}

#[test]
fn non_minimal_integers_are_refused() {
    let n = unb64(rsa_public_jwk()["n"].as_str().unwrap());
    let padded_e = tlv(0x02, &[0, 1, 0, 1]); // 65537 with a superfluous zero byte
    let spki = seq(&[
        seq(&[OID_RSA.to_vec(), vec![0x05, 0x00]]),
        bit_string(&seq(&[uint(&n), padded_e.clone()])),
    ]);
    assert_public_refused(
        json!(pem("PUBLIC KEY", &spki)),
        "DER",
        "SPKI with 00 01 00 01",
    );
    assert_public_refused(
        json!(pem("RSA PUBLIC KEY", &seq(&[uint(&n), padded_e]))),
        "DER",
        "PKCS#1 with 00 01 00 01",
    );
    // A negative modulus (no sign byte) is not a modulus.
    let negative_n = seq(&[tlv(0x02, &n), uint(&[1, 0, 1])]);
    assert_public_refused(
        json!(pem("RSA PUBLIC KEY", &negative_n)),
        "DER",
        "negative n",
    );
    // RSA parameters must be NULL, Ed25519 parameters absent.
    let no_null = seq(&[
        seq(&[OID_RSA.to_vec()]),
        bit_string(&seq(&[uint(&n), uint(&[1, 0, 1])])),
    ]);
    assert_public_refused(
        json!(pem("PUBLIC KEY", &no_null)),
        "NULL",
        "RSA without NULL",
    );
    let x = unb64(
        generate_key_pair(Algorithm::EdDSA).unwrap().public_jwk["x"]
            .as_str()
            .unwrap(),
    );
    let with_params = seq(&[
        seq(&[OID_ED25519.to_vec(), vec![0x05, 0x00]]),
        bit_string(&x),
    ]);
    assert_public_refused(
        json!(pem("PUBLIC KEY", &with_params)),
        "no parameters",
        "Ed25519 with NULL",
    );
}

#[test]
fn private_keys_with_trailing_or_loose_der_are_refused() {
    let good = fixture_der("ed25519-pkcs8.pem");
    signer(json!({ "privateKey": pem("PRIVATE KEY", &good), "ttlSeconds": 60 })).unwrap();
    for (what, der) in [
        ("trailing byte", [good.clone(), vec![0]].concat()),
        ("long-form length", [&[0x30, 0x81][..], &good[1..]].concat()),
        ("cut short", good[..good.len() - 1].to_vec()),
    ] {
        let (code, _) = refused(
            signer(json!({ "privateKey": pem("PRIVATE KEY", &der), "ttlSeconds": 60 })),
            what,
        );
        assert_eq!(code, ErrorCode::KeyInvalid, "{what}");
    }
}

#[test]
fn pem_follows_rfc_7468_with_the_escaped_newline_convenience() {
    let text = fixture("p256-spki.pem");
    // Accepted: as written, CRLF, one long line, literal `\n` escapes, text around it.
    let der = fixture_der("p256-spki.pem");
    let one_line = format!(
        "-----BEGIN PUBLIC KEY-----\n{}\n-----END PUBLIC KEY-----",
        STANDARD.encode(&der)
    );
    for accepted in [
        text.clone(),
        text.replace('\n', "\r\n"),
        one_line.clone(),
        text.trim_end().replace('\n', "\\n"),
        format!("issued for tests\n{text}trailing words\n"),
    ] {
        verifier(json!({ "publicKey": accepted.clone() }))
            .unwrap_or_else(|e| panic!("{accepted:?}: {e}"));
    }
    // Refused: space inside the base64, uneven line widths, a header line,
    // padding in the middle, a mismatched END label.
    let lines: Vec<&str> = text.lines().collect();
    let refused_texts = [
        text.replacen("MFkw", "MF kw", 1),
        format!(
            "{}\n{}\n{}{}\n{}\n",
            lines[0],
            &lines[1][..10],
            &lines[1][10..],
            lines[2],
            lines[3]
        ),
        text.replacen("-----\n", "-----\nComment: x\n\n", 1),
        one_line.replace("-----END PUBLIC KEY-----", "-----END PRIVATE KEY-----"),
        format!(
            "{}\n{}==\n{}\n{}",
            lines[0],
            &lines[1][..8],
            &lines[1][8..],
            lines[2..].join("\n")
        ),
    ];
    for text in refused_texts {
        let (code, _) = refused(verifier(json!({ "publicKey": text.clone() })), &text);
        assert_eq!(code, ErrorCode::KeyInvalid, "{text:?}");
    }
}

// --- JWK use / key_ops ---

#[test]
fn jwk_use_and_key_ops_must_allow_the_operation() {
    let pair = generate_key_pair(Algorithm::ES256).unwrap();
    let with = |extra: Value| {
        let mut jwk = pair.public_jwk.clone();
        jwk.as_object_mut().unwrap().remove("use");
        for (k, v) in extra.as_object().unwrap() {
            jwk[k] = v.clone();
        }
        jwk
    };
    for allowed in [
        json!({}),
        json!({ "key_ops": ["verify"] }),
        json!({ "key_ops": ["sign", "verify"] }),
        json!({ "use": "sig" }),
    ] {
        verifier(json!({ "publicKey": with(allowed.clone()) }))
            .unwrap_or_else(|e| panic!("{allowed}: {e}"));
    }
    for refused_meta in [
        json!({ "use": "enc" }),
        json!({ "key_ops": ["encrypt"] }),
        json!({ "key_ops": ["sign"] }),
        json!({ "key_ops": [] }),
        json!({ "key_ops": ["verify", "verify"] }),
        json!({ "key_ops": "verify" }),
        json!({ "key_ops": [1] }),
        json!({ "use": 1 }),
    ] {
        let (code, _) = refused(
            verifier(json!({ "publicKey": with(refused_meta.clone()) })),
            &refused_meta.to_string(),
        );
        assert_eq!(code, ErrorCode::KeyInvalid, "{refused_meta}");
    }
    // A private JWK must allow `sign`.
    let ed = generate_key_pair(Algorithm::EdDSA).unwrap();
    let seed = fixture_der_from_pem(&ed.private_key);
    let private = json!({ "kty": "OKP", "crv": "Ed25519", "d": b64(&seed[seed.len() - 32..]) });
    signer(json!({ "privateKey": private, "ttlSeconds": 60 })).unwrap();
    let mut verify_only = private.clone();
    verify_only["key_ops"] = json!(["verify"]);
    let (code, _) = refused(
        signer(json!({ "privateKey": verify_only, "ttlSeconds": 60 })),
        "key_ops verify",
    );
    assert_eq!(code, ErrorCode::KeyInvalid);
    let mut signing = private;
    signing["key_ops"] = json!(["sign"]);
    signer(json!({ "privateKey": signing, "ttlSeconds": 60 })).unwrap();
}

fn fixture_der_from_pem(text: &str) -> Vec<u8> {
    let body: String = text.lines().filter(|l| !l.starts_with("-----")).collect();
    STANDARD.decode(body).unwrap()
}

#[test]
fn jwks_keys_not_for_verifying_are_never_used() {
    // RFC 7517 §4.2 (use) and §4.3 (key_ops): https://www.rfc-editor.org/rfc/rfc7517#section-4.3
    let good = generate_key_pair(Algorithm::ES256).unwrap();
    let other = generate_key_pair(Algorithm::ES256).unwrap();
    let with = |jwk: &Value, extra: Value| {
        let mut jwk = jwk.clone();
        jwk.as_object_mut().unwrap().remove("use");
        for (k, v) in extra.as_object().unwrap() {
            jwk[k] = v.clone();
        }
        jwk
    };
    let token_by_other = sign(
        &signer(json!({ "privateKey": other.private_key, "keyId": "other", "ttlSeconds": 60 }))
            .unwrap(),
        json!({ "sub": "x" }),
    );
    for meta in [
        json!({ "use": "enc" }),
        json!({ "key_ops": ["encrypt"] }),
        json!({ "key_ops": ["wrapKey", "encrypt"] }),
        json!({ "key_ops": ["sign"] }),
    ] {
        // The only key with the token's kid is not for verifying: no key matches.
        let mut tagged = meta.clone();
        tagged["kid"] = "other".into();
        let jwks = json!({ "keys": [
            with(&good.public_jwk, json!({ "kid": "good" })),
            with(&other.public_jwk, tagged),
        ] });
        let v = verifier(json!({ "jwks": jwks })).unwrap();
        let (code, _) = refused(verify(&v, &token_by_other), &meta.to_string());
        assert_eq!(code, ErrorCode::JwksNoMatchingKey, "{meta}");
        // With the key allowed, the same token verifies.
        let allowed = json!({ "keys": [with(&other.public_jwk, json!({ "kid": "other", "key_ops": ["verify"] }))] });
        verify(
            &verifier(json!({ "jwks": allowed })).unwrap(),
            &token_by_other,
        )
        .unwrap();
        // A set of nothing but such keys cannot verify anything at all.
        let only = json!({ "keys": [with(&other.public_jwk, meta.clone())] });
        let (code, _) = refused(verifier(json!({ "jwks": only })), &meta.to_string());
        assert_eq!(code, ErrorCode::KeyInvalid, "{meta}");
    }
    // A malformed key_ops in a set is an error, not a silent skip.
    let broken = json!({ "keys": [with(&good.public_jwk, json!({ "key_ops": "verify" }))] });
    assert_eq!(
        refused(verifier(json!({ "jwks": broken })), "key_ops string").0,
        ErrorCode::KeyInvalid
    );
}

// --- key confusion: key material as an HMAC secret ---

/// Every recognisable encoding of `der`.
fn encodings(der: &[u8]) -> Vec<(String, Value)> {
    let hex_lower = hex_string(der);
    let base64 = STANDARD.encode(der);
    let wrapped: Vec<String> = base64
        .as_bytes()
        .chunks(64)
        .map(|c| String::from_utf8(c.to_vec()).unwrap())
        .collect();
    vec![
        ("raw DER bytes".into(), json!(der)),
        ("hex".into(), json!(hex_lower.clone())),
        ("HEX".into(), json!(hex_lower.to_uppercase())),
        ("base64".into(), json!(base64.clone())),
        (
            "base64 without padding".into(),
            json!(base64.trim_end_matches('=')),
        ),
        ("base64 wrapped at 64".into(), json!(wrapped.join("\n"))),
        ("base64url".into(), json!(b64(der))),
    ]
}

fn assert_secret_refused(secret: Value, what: &str) {
    let (code, message) = refused(verifier(json!({ "secret": secret.clone() })), what);
    assert_eq!(code, ErrorCode::KeyInvalid, "verifier, {what}: {message}");
    assert!(message.contains("`secret` holds"), "{what}: {message}");
    let (code, _) = refused(signer(json!({ "secret": secret, "ttlSeconds": 60 })), what);
    assert_eq!(code, ErrorCode::KeyInvalid, "signer, {what}");
}

#[test]
fn key_material_in_any_encoding_is_refused_as_an_hmac_secret() {
    let ed = generate_key_pair(Algorithm::EdDSA).unwrap();
    let ders = [
        ("RSA SPKI", fixture_der("rsa2048-spki.pem")),
        ("RSA PKCS#1 public", fixture_der("rsa2048-pkcs1-public.pem")),
        ("RSA PKCS#1 private", fixture_der("rsa2048-pkcs1.pem")),
        ("P-256 SPKI", fixture_der("p256-spki.pem")),
        ("P-256 certificate", fixture_der("p256-cert.pem")),
        ("P-384 SEC1", fixture_der("p384-sec1.pem")),
        ("Ed25519 PKCS#8", fixture_der("ed25519-pkcs8.pem")),
        ("Ed25519 SPKI", fixture_der_from_pem(&ed.public_key)),
    ];
    for (name, der) in &ders {
        for (encoding, secret) in encodings(der) {
            assert_secret_refused(secret, &format!("{name} as {encoding}"));
        }
    }
    // JWK JSON, however its member names are written.
    let jwk = ed.public_jwk.to_string();
    let escaped = jwk.replacen("\"kty\"", "\"\\u006b\\u0074\\u0079\"", 1);
    assert!(escaped.contains("\\u006b"));
    for (what, text) in [
        ("JWK", jwk.clone()),
        ("JWK with escaped member names", escaped.clone()),
        ("JWK after a byte order mark", format!("\u{feff}{jwk}")),
        (
            "pretty-printed JWK",
            serde_json::to_string_pretty(&ed.public_jwk).unwrap(),
        ),
        ("JWKS", json!({ "keys": [ed.public_jwk] }).to_string()),
        ("base64 of a JWK", STANDARD.encode(&escaped)),
        ("PEM", ed.public_key.clone()),
        (
            "PEM with escaped newlines",
            ed.public_key.replace('\n', "\\n"),
        ),
        ("base64 of a PEM", STANDARD.encode(&ed.public_key)),
    ] {
        assert_secret_refused(json!(text), what);
    }
    // OpenSSH public keys (made by ssh-keygen; tests/fixtures/README.md).
    for file in [
        "ssh-ed25519.pub",
        "ssh-rsa.pub",
        "ssh-ecdsa-p256.pub",
        "ssh-ed25519-rfc4716.pub",
    ] {
        let text = fixture(file);
        assert_secret_refused(json!(text.clone()), file);
        assert_secret_refused(json!(text.trim()), &format!("{file} trimmed"));
        // authorized_keys options before the key.
        assert_secret_refused(
            json!(format!("no-pty,from=\"10.0.0.1\" {text}")),
            &format!("{file} with options"),
        );
        // The bare blob, as base64 and as raw bytes.
        let blob = text
            .split_whitespace()
            .find(|t| t.starts_with("AAAA"))
            .unwrap();
        assert_secret_refused(json!(blob), &format!("{file} blob"));
        assert_secret_refused(
            json!(STANDARD.decode(blob).unwrap()),
            &format!("{file} raw blob"),
        );
    }
}

#[test]
fn ordinary_secrets_are_not_mistaken_for_keys() {
    // Deterministic pseudo-random secrets in every form people use.
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state as u8
    };
    for round in 0..300 {
        let len = 32 + round % 40;
        let bytes: Vec<u8> = (0..len).map(|_| next()).collect();
        for secret in [
            json!(bytes.clone()),
            json!(hex_string(&bytes)),
            json!(STANDARD.encode(&bytes)),
            json!(b64(&bytes)),
        ] {
            verifier(json!({ "secret": secret.clone() }))
                .unwrap_or_else(|e| panic!("{secret}: {e}"));
        }
    }
    // A DER-looking first byte alone is not enough.
    let mut looks_like_der = vec![0x30u8, 0x1e];
    looks_like_der.extend([0xab; 30]);
    verifier(json!({ "secret": looks_like_der })).unwrap();
    // Words that name key types, without a key, are a secret like any other.
    verifier(json!({ "secret": "ssh-ed25519 and kty are just words in this long passphrase" }))
        .unwrap();
}

// --- certificates: every field strict DER, though only the key is read ---

/// A DER tree, kept just well enough to write it back.
enum Node {
    Primitive(u8, Vec<u8>),
    Constructed(u8, Vec<Node>),
}

fn parse_tree(mut input: &[u8]) -> Vec<Node> {
    let mut nodes = Vec::new();
    while !input.is_empty() {
        let tag = input[0];
        let (len, header) = match input[1] {
            l if l < 0x80 => (l as usize, 2),
            0x81 => (input[2] as usize, 3),
            _ => (((input[2] as usize) << 8) | input[3] as usize, 4),
        };
        let value = &input[header..header + len];
        nodes.push(if tag & 0x20 != 0 {
            Node::Constructed(tag, parse_tree(value))
        } else {
            Node::Primitive(tag, value.to_vec())
        });
        input = &input[header + len..];
    }
    nodes
}

/// Writes the tree back; the `target`-th node in document order gets a
/// non-minimal length (three bytes, the first zero).
fn write_tree(nodes: &[Node], target: usize, counter: &mut usize) -> Vec<u8> {
    let mut out = Vec::new();
    for node in nodes {
        let here = *counter;
        *counter += 1;
        let (tag, value) = match node {
            Node::Primitive(tag, value) => (*tag, value.clone()),
            Node::Constructed(tag, children) => (*tag, write_tree(children, target, counter)),
        };
        if here == target {
            out.extend([tag, 0x83, 0, (value.len() >> 8) as u8, value.len() as u8]);
            out.extend(value);
        } else {
            out.extend(tlv(tag, &value));
        }
    }
    out
}

#[test]
fn certificates_must_be_strict_der_in_every_field() {
    let cert = fixture_der("p256-cert.pem");
    let tree = parse_tree(&cert);
    // Written back unchanged, it still imports (the re-encoder is faithful).
    assert_eq!(write_tree(&tree, usize::MAX, &mut 0), cert);
    verifier(json!({ "publicKey": pem("CERTIFICATE", &cert) })).unwrap();
    let mut count = 0;
    write_tree(&tree, usize::MAX, &mut count);
    // A non-minimal length anywhere, in the issuer's names as in the key, is refused.
    for target in 0..count {
        let lengthened = write_tree(&tree, target, &mut 0);
        let (code, _) = refused(
            verifier(json!({ "publicKey": pem("CERTIFICATE", &lengthened) })),
            &format!("long length at node {target}"),
        );
        assert_eq!(code, ErrorCode::KeyInvalid, "node {target}");
    }
    for (what, der) in [
        ("trailing byte", [cert.clone(), vec![0]].concat()),
        ("cut short", cert[..cert.len() - 1].to_vec()),
    ] {
        let (code, _) = refused(
            verifier(json!({ "publicKey": pem("CERTIFICATE", &der) })),
            what,
        );
        assert_eq!(code, ErrorCode::KeyInvalid, "{what}");
    }
    // Deep nesting is bounded, not a stack overflow.
    let mut deep = vec![0x05, 0x00];
    for _ in 0..2000 {
        deep = tlv(0x30, &deep);
    }
    let (code, _) = refused(
        verifier(json!({ "publicKey": pem("CERTIFICATE", &deep) })),
        "deep",
    );
    assert_eq!(code, ErrorCode::KeyInvalid);
}

// --- deterministic mutation smoke test (cargo fuzz is not part of `make test`) ---

#[test]
fn mutated_key_der_is_refused_with_key_invalid_or_imports_consistently() {
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = move |n: usize| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % n as u64) as usize
    };
    let files = [
        ("PUBLIC KEY", "rsa2048-spki.pem"),
        ("PUBLIC KEY", "p256-spki.pem"),
        ("RSA PUBLIC KEY", "rsa2048-pkcs1-public.pem"),
        ("CERTIFICATE", "p256-cert.pem"),
        ("PRIVATE KEY", "ed25519-pkcs8.pem"),
        ("PRIVATE KEY", "rsa2048-pkcs8.pem"),
        ("EC PRIVATE KEY", "p384-sec1.pem"),
    ];
    let mut accepted = 0;
    for (label, file) in files {
        let original = fixture_der(file);
        for _ in 0..150 {
            let mut der = original.clone();
            match next(4) {
                0 => der[next(original.len())] ^= 1 << next(8),
                1 => der.truncate(next(original.len())),
                2 => der.insert(next(original.len()), next(256) as u8),
                _ => {
                    let at = next(original.len());
                    der[at] = [0x00, 0x7f, 0x80, 0x81, 0xff][next(5)];
                }
            }
            let text = pem(label, &der);
            if label.contains("PRIVATE") {
                match signer(json!({ "privateKey": text, "ttlSeconds": 60 })) {
                    Err(error) => assert_eq!(
                        error.code,
                        ErrorCode::KeyInvalid,
                        "{file}: {}",
                        error.message
                    ),
                    Ok(s) => {
                        // What imports must sign, and its public key must verify that signature.
                        accepted += 1;
                        let token = sign(&s, json!({}));
                        let v =
                            verifier(json!({ "publicKey": s.public_key_pem().unwrap() })).unwrap();
                        verify(&v, &token).unwrap();
                    }
                }
            } else {
                match verifier(json!({ "publicKey": text })) {
                    Err(error) => assert_eq!(
                        error.code,
                        ErrorCode::KeyInvalid,
                        "{file}: {}",
                        error.message
                    ),
                    Ok(_) => accepted += 1,
                }
            }
            // As a secret, the key-material detector sees broken DER too: it may pass as
            // an ordinary secret, but a refusal must be one of the secret's own codes.
            if let Err(error) = verifier(json!({ "secret": der })) {
                assert!(
                    matches!(error.code, ErrorCode::KeyInvalid | ErrorCode::InvalidOption),
                    "{file}: {error:?}"
                );
            }
        }
    }
    // Mutations inside values (a bit of a modulus, a certificate name) still
    // parse; the test would prove nothing if every case were refused.
    assert!(accepted > 0);
}
