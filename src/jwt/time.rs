//! Time: the clock, and the inputs users give for instants (Unix seconds or
//! ISO-8601 strings, which is what a JS `Date` becomes in JSON).

use crate::error::{invalid_option, Error, ErrorCode, Result};
use crate::options::Timestamp;

/// Numbers above this are almost certainly milliseconds (year 5138 in seconds).
/// Every instant scopemint reads or computes stays below it, so the
/// conversions to `i64` and JS `Date` below can neither saturate nor overflow.
/// Defined in the decode crate, whose `decode` checks its clock against it too.
pub use scopemint_decode::MAX_PLAUSIBLE_SECONDS;

/// The longest lifetime a minted token may have, in every profile: a TTL
/// (`ttlInMinutes`, `ttlSeconds`, `expiryInSeconds`) or an expiry further
/// than this from the signing time is refused. 3650 days.
pub const MAX_LIFETIME_SECONDS: i64 = 3650 * 86_400;

/// A system clock before 2020-01-01T00:00:00Z is unset or broken (a board
/// that booted at 1970); trusting it would make expired tokens valid.
pub use scopemint_decode::EARLIEST_PLAUSIBLE_CLOCK;

fn clock_invalid(message: impl Into<String>) -> Error {
    Error::new(ErrorCode::ClockInvalid, message)
}

/// The current time in Unix seconds. A clock reading that is not a number,
/// infinite, before [`EARLIEST_PLAUSIBLE_CLOCK`] or past
/// [`MAX_PLAUSIBLE_SECONDS`] is `ERR_CLOCK_INVALID`: every time comparison
/// with NaN is false, so such a clock would let expired tokens through.
pub fn now_seconds() -> Result<f64> {
    plausible_clock(clock_reading())
}

/// The system clock in Unix seconds, unchecked: for `decode`, whose crate
/// checks it (the decode-only wasm gets `Date.now()` and checks it alike).
pub fn clock_reading() -> f64 {
    #[cfg(target_arch = "wasm32")]
    let reading = js_sys::Date::now() / 1000.0;
    #[cfg(not(target_arch = "wasm32"))]
    let reading = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(f64::NAN);
    reading
}

/// A system clock reading, if it can be the current time.
fn plausible_clock(reading: f64) -> Result<f64> {
    if (EARLIEST_PLAUSIBLE_CLOCK..=MAX_PLAUSIBLE_SECONDS).contains(&reading) {
        Ok(reading)
    } else {
        Err(clock_invalid(format!(
            "the system clock reads {reading} Unix seconds, which cannot be the current time"
        )))
    }
}

/// The current time in whole Unix seconds (see [`now_seconds`]).
pub fn now_whole_seconds() -> Result<i64> {
    let now = now_seconds()?;
    whole_seconds(now).ok_or_else(|| clock_invalid("the system clock is out of range"))
}

/// A caller-given "now" (`verify_at`, `authorize_at`): finite and within
/// the plausible range, or `ERR_CLOCK_INVALID`.
pub fn checked_now(now: f64) -> Result<f64> {
    if (0.0..=MAX_PLAUSIBLE_SECONDS).contains(&now) {
        Ok(now)
    } else {
        Err(clock_invalid(format!(
            "\"now\" is {now}; it must be Unix seconds from 0 to {MAX_PLAUSIBLE_SECONDS}"
        )))
    }
}

/// `seconds` floored to an integer, if it lies in `0..=MAX_PLAUSIBLE_SECONDS`
/// (where the cast is exact); `None` otherwise, never a saturated value.
pub fn whole_seconds(seconds: f64) -> Option<i64> {
    (0.0..=MAX_PLAUSIBLE_SECONDS)
        .contains(&seconds)
        .then(|| seconds.floor() as i64)
}

/// A token lifetime option in seconds (`value` in `unit`-second units):
/// finite, positive, at least one second once rounded, and at most
/// [`MAX_LIFETIME_SECONDS`].
pub fn lifetime_seconds(value: f64, unit: f64, name: &str) -> Result<i64> {
    let seconds = value * unit;
    if !seconds.is_finite() || seconds <= 0.0 {
        return Err(invalid_option(name, "must be a positive number"));
    }
    // Fractions are rounded to whole seconds; a TTL that rounds to 0 would mint expired tokens.
    let rounded = seconds.round();
    if rounded < 1.0 {
        return Err(invalid_option(name, "must be at least one second"));
    }
    if rounded > MAX_LIFETIME_SECONDS as f64 {
        return Err(lifetime_too_long(name));
    }
    Ok(rounded as i64)
}

fn lifetime_too_long(name: &str) -> Error {
    invalid_option(
        name,
        format!("a token may live at most {MAX_LIFETIME_SECONDS} seconds (3650 days)"),
    )
}

/// `now + lifetime`, checked: the expiry of a token signed at `now`.
pub fn expiry_after(now: i64, lifetime: i64, name: &str) -> Result<i64> {
    now.checked_add(lifetime)
        .filter(|_| (0..=MAX_LIFETIME_SECONDS).contains(&lifetime))
        .ok_or_else(|| lifetime_too_long(name))
}

/// Refuses an explicit expiry (`expiresAt`, an `exp` claim) further than
/// [`MAX_LIFETIME_SECONDS`] from `now`.
pub fn check_expiry_within_max(exp: f64, now: i64, name: &str) -> Result<()> {
    let latest = expiry_after(now, MAX_LIFETIME_SECONDS, name)?;
    if exp.is_finite() && exp <= latest as f64 {
        Ok(())
    } else {
        Err(invalid_option(
            name,
            format!(
                "lies more than {MAX_LIFETIME_SECONDS} seconds (3650 days) after the signing time"
            ),
        ))
    }
}

/// A [`Timestamp`] option in whole Unix seconds, checked like every instant
/// option (`name` names it in errors).
pub fn instant(timestamp: &Timestamp, name: &str) -> Result<i64> {
    match timestamp {
        Timestamp::UnixSeconds(seconds) => instant_from_seconds(*seconds, name),
        Timestamp::Iso8601(text) => instant_from_iso8601(text, name),
    }
}

/// An instant given as an ISO-8601 string, in whole Unix seconds.
pub fn instant_from_iso8601(text: &str, name: &str) -> Result<i64> {
    let ms = parse_iso8601(text)
        .ok_or_else(|| invalid_option(name, format!("\"{text}\" is not an ISO-8601 date-time")))?;
    // Whole seconds, so the number range check applies to dates too.
    instant_from_seconds(ms.div_euclid(1000) as f64, name)
}

pub fn instant_from_seconds(seconds: f64, name: &str) -> Result<i64> {
    if !seconds.is_finite() || seconds < 0.0 {
        return Err(invalid_option(
            name,
            "must be a non-negative number of Unix seconds",
        ));
    }
    if seconds > MAX_PLAUSIBLE_SECONDS {
        return Err(invalid_option(
            name,
            "looks like milliseconds; give Unix seconds (or a Date)",
        ));
    }
    whole_seconds(seconds).ok_or_else(|| invalid_option(name, "is out of range"))
}

fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(month <= 2), month, day)
}

/// Dates are read by the decode crate's parser, so `decode` and options agree.
pub use scopemint_decode::parse_iso8601;

/// Unix milliseconds as `YYYY-MM-DDTHH:MM:SS.sssZ`, exactly like JS `Date#toISOString`.
pub fn format_iso8601_millis(unix_ms: i64) -> String {
    let days = unix_ms.div_euclid(86_400_000);
    let ms_of_day = unix_ms.rem_euclid(86_400_000);
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
        ms_of_day / 3_600_000,
        ms_of_day / 60_000 % 60,
        ms_of_day / 1000 % 60,
        ms_of_day % 1000
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_what_js_date_serialises_to() {
        assert_eq!(parse_iso8601("1970-01-01T00:00:00.000Z"), Some(0));
        assert_eq!(
            parse_iso8601("2024-02-29T12:34:56.789Z"),
            Some(1_709_210_096_789)
        );
        assert_eq!(
            parse_iso8601("2024-02-29T14:34:56.789+02:00"),
            Some(1_709_210_096_789)
        );
        assert_eq!(parse_iso8601("2024-02-29"), Some(1_709_164_800_000));
        assert_eq!(parse_iso8601("2024-02-29T12:34Z"), Some(1_709_210_040_000));
    }

    #[test]
    fn refuses_ambiguous_or_impossible_dates() {
        for bad in [
            "2023-02-29",
            "2024-13-01",
            "2024-01-01T10:00:00",
            "2024-01-01T25:00:00Z",
            "tomorrow",
            "",
            "2024-01-01T10:00:00.Z",
        ] {
            assert_eq!(parse_iso8601(bad), None, "{bad}");
        }
    }

    #[test]
    fn formats_like_to_iso_string() {
        assert_eq!(
            format_iso8601_millis(1_709_210_096_789),
            "2024-02-29T12:34:56.789Z"
        );
        assert_eq!(format_iso8601_millis(0), "1970-01-01T00:00:00.000Z");
        for ms in [0, 951_782_400_000, 1_709_210_096_789, 4_102_444_800_123] {
            assert_eq!(parse_iso8601(&format_iso8601_millis(ms)), Some(ms));
        }
    }

    #[test]
    fn a_broken_clock_is_an_error_not_a_time() {
        for reading in [
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            -1.0,
            0.0,
            EARLIEST_PLAUSIBLE_CLOCK - 1.0,
            MAX_PLAUSIBLE_SECONDS + 1.0,
            8.64e12,
        ] {
            let error = plausible_clock(reading).unwrap_err();
            assert_eq!(error.code, ErrorCode::ClockInvalid, "{reading}");
        }
        assert_eq!(plausible_clock(1_800_000_000.5).unwrap(), 1_800_000_000.5);
        assert!(now_seconds().is_ok(), "this machine's clock is plausible");
    }

    #[test]
    fn lifetimes_are_bounded_and_never_saturate() {
        let max = MAX_LIFETIME_SECONDS;
        assert_eq!(
            lifetime_seconds(max as f64, 1.0, "ttlSeconds").unwrap(),
            max
        );
        assert_eq!(lifetime_seconds(0.6, 1.0, "ttlSeconds").unwrap(), 1);
        for (value, unit) in [
            ((max + 1) as f64, 1.0),
            (1e300, 1.0),
            (1e300, 60.0),
            (f64::MAX, 60.0),
            (9.3e18, 1.0),
            (0.4, 1.0),
            (0.0, 1.0),
            (-1.0, 60.0),
            (f64::NAN, 1.0),
        ] {
            let error = lifetime_seconds(value, unit, "ttl").unwrap_err();
            assert_eq!(error.code, ErrorCode::InvalidOption, "{value} x {unit}");
            assert_eq!(error.claim.as_deref(), Some("ttl"));
        }
        assert!(expiry_after(i64::MAX - 1, 10, "ttl").is_err());
        assert!(expiry_after(0, -1, "ttl").is_err());
        assert!(expiry_after(1_800_000_000, max + 1, "ttl").is_err());
        assert_eq!(
            expiry_after(1_800_000_000, 60, "ttl").unwrap(),
            1_800_000_060
        );
        assert!(
            check_expiry_within_max((1_800_000_000 + max) as f64, 1_800_000_000, "exp").is_ok()
        );
        for exp in [(1_800_000_001 + max) as f64, 1e300, f64::INFINITY, f64::NAN] {
            assert!(
                check_expiry_within_max(exp, 1_800_000_000, "exp").is_err(),
                "{exp}"
            );
        }
        assert_eq!(whole_seconds(-0.5), None);
        assert_eq!(whole_seconds(1e19), None);
        assert_eq!(whole_seconds(f64::NAN), None);
    }

    #[test]
    fn iso_dates_outside_the_instant_range_are_refused() {
        for text in ["1969-12-31T23:59:59Z", "9999-12-31T00:00:00Z", "0000-01-01"] {
            let error = instant_from_iso8601(text, "expiresAt").unwrap_err();
            assert_eq!(error.code, ErrorCode::InvalidOption, "{text}");
        }
    }

    #[test]
    fn numbers_that_look_like_milliseconds_are_refused() {
        assert!(instant_from_seconds(1_700_000_000_000.0, "expiresAt").is_err());
        assert!(instant_from_seconds(-1.0, "expiresAt").is_err());
        assert_eq!(
            instant_from_seconds(1_700_000_000.9, "expiresAt").unwrap(),
            1_700_000_000
        );
    }
}
