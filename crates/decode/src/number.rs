//! JSON numbers (RFC 8259 §6 grammar, checked by the scanner) to f64 without
//! core's float parser, which would be most of the small wasm. Exact for what
//! tokens carry (integers below 2^53, a few decimals); other values are close
//! approximations, only ever shown to people.

/// A JSON number's text as f64; `None` for non-numbers and out-of-range values.
pub fn parse_f64(raw: &str) -> Option<f64> {
    let bytes = raw.as_bytes();
    let (negative, digits) = match bytes.first()? {
        b'-' => (true, &bytes[1..]),
        b'0'..=b'9' => (false, bytes),
        _ => return None,
    };
    let mut mantissa: u64 = 0;
    let mut exponent: i32 = 0;
    let mut significant = 0;
    let mut pos = 0;
    let mut seen_point = false;
    while pos < digits.len() {
        match digits[pos] {
            d @ b'0'..=b'9' => {
                if significant < 19 {
                    mantissa = mantissa * 10 + u64::from(d - b'0');
                    if mantissa != 0 {
                        significant += 1;
                    }
                    if seen_point {
                        exponent -= 1;
                    }
                } else if !seen_point {
                    exponent += 1; // digits beyond u64 precision still scale the value
                }
            }
            b'.' if !seen_point => seen_point = true,
            b'e' | b'E' => break,
            _ => return None,
        }
        pos += 1;
    }
    if pos < digits.len() {
        let rest = &digits[pos + 1..];
        let (sign, rest) = match rest.first()? {
            b'-' => (-1, &rest[1..]),
            b'+' => (1, &rest[1..]),
            _ => (1, rest),
        };
        let mut e: i32 = 0;
        for &d in rest {
            if !d.is_ascii_digit() {
                return None;
            }
            e = e.saturating_mul(10).saturating_add(i32::from(d - b'0'));
        }
        exponent = exponent.saturating_add(sign * e);
    }
    let value = scale(mantissa, exponent);
    if !value.is_finite() {
        return None;
    }
    Some(if negative { -value } else { value })
}

const POWERS: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/// mantissa × 10^exponent. Exactly rounded when the mantissa fits 53 bits and
/// |exponent| <= 22 (both factors are exact doubles, one IEEE operation).
fn scale(mantissa: u64, exponent: i32) -> f64 {
    if mantissa == 0 {
        return 0.0;
    }
    let mut value = mantissa as f64;
    let mut e = exponent;
    while e > 22 {
        value *= 1e22;
        e -= 22;
    }
    while e < -22 {
        value /= 1e22;
        e += 22;
    }
    if e >= 0 {
        value * POWERS[e as usize]
    } else {
        value / POWERS[(-e) as usize]
    }
}

/// A JSON number that is a non-negative integer (no fraction, no exponent).
pub fn parse_u64(raw: &str) -> Option<u64> {
    let bytes = raw.as_bytes();
    if bytes.is_empty() || (bytes.len() > 1 && bytes[0] == b'0') {
        return None;
    }
    let mut n: u64 = 0;
    for &d in bytes {
        if !d.is_ascii_digit() {
            return None;
        }
        n = n.checked_mul(10)?.checked_add(u64::from(d - b'0'))?;
    }
    Some(n)
}
