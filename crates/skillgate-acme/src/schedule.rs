//! When to renew and when to retry: pure functions of the certificate's dates, the failure
//! count and a random number (passed in, so tests are exact).

use std::time::{Duration, SystemTime};

/// Renewal starts at this fraction of the certificate's lifetime.
pub const RENEW_FRACTION: f64 = 2.0 / 3.0;

/// Jitter around the renewal instant: ± this fraction of the lifetime…
pub const JITTER_FRACTION: f64 = 1.0 / 30.0;

/// …but never more than this (a 90-day certificate gets ± 2 days without the cap: too much
/// for no benefit; ± 6 h spreads a fleet's renewals enough).
pub const JITTER_MAX: Duration = Duration::from_secs(6 * 3600);

/// The instant to start renewing a certificate valid from `not_before` to `not_after`:
/// two thirds into its lifetime, moved by up to ± [`JITTER_FRACTION`] of the lifetime
/// (capped at [`JITTER_MAX`]). `unit` is a random number in `[0, 1)`.
pub fn renew_at(not_before: SystemTime, not_after: SystemTime, unit: f64) -> SystemTime {
    let lifetime = not_after
        .duration_since(not_before)
        .unwrap_or(Duration::ZERO);
    let base = not_before + lifetime.mul_f64(RENEW_FRACTION);
    let spread = lifetime.mul_f64(JITTER_FRACTION).min(JITTER_MAX);
    let unit = if unit.is_finite() {
        unit.clamp(0.0, 1.0)
    } else {
        0.5
    };
    // unit 0 → base - spread, 0.5 → base, 1 → base + spread.
    let offset = spread.mul_f64((unit - 0.5).abs() * 2.0);
    if unit < 0.5 {
        base.checked_sub(offset).unwrap_or(base)
    } else {
        base + offset
    }
}

/// The wait before retry number `failures` (1 for the first retry): `initial` doubled per
/// failure, capped at `max`, then scaled by a random factor in `[0.75, 1.25)` (`unit` in
/// `[0, 1)`) and capped at `max` again.
pub fn backoff(failures: u32, initial: Duration, max: Duration, unit: f64) -> Duration {
    let exponent = failures.saturating_sub(1).min(30);
    let raw = initial.saturating_mul(1u32 << exponent).min(max);
    let unit = if unit.is_finite() {
        unit.clamp(0.0, 1.0)
    } else {
        0.5
    };
    raw.mul_f64(0.75 + unit * 0.5).min(max)
}

/// A random number in `[0, 1)` from the system's secure generator (0.5 if it fails).
pub fn random_unit() -> f64 {
    use aws_lc_rs::rand::SecureRandom as _;
    let mut bytes = [0u8; 8];
    if aws_lc_rs::rand::SystemRandom::new()
        .fill(&mut bytes)
        .is_err()
    {
        return 0.5;
    }
    // 53 random bits → [0, 1).
    (u64::from_be_bytes(bytes) >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(secs: u64) -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(secs)
    }

    #[test]
    fn renewal_is_at_two_thirds_with_bounded_jitter() {
        let day = 86_400;
        let (nb, na) = (at(1_000_000), at(1_000_000 + 90 * day));
        assert_eq!(renew_at(nb, na, 0.5), at(1_000_000 + 60 * day));
        // 90 days / 30 = 3 days, capped at 6 h.
        assert_eq!(renew_at(nb, na, 0.0), at(1_000_000 + 60 * day - 6 * 3600));
        assert_eq!(renew_at(nb, na, 1.0), at(1_000_000 + 60 * day + 6 * 3600));
        // A 30-second certificate: ± 1 s around 20 s.
        let r = renew_at(at(100), at(130), 0.0);
        assert_eq!(r, at(119));
        for u in [0.0, 0.3, 0.7, 0.999, f64::NAN, -1.0, 7.0] {
            let r = renew_at(nb, na, u);
            assert!(
                r >= at(1_000_000 + 60 * day - 6 * 3600)
                    && r <= at(1_000_000 + 60 * day + 6 * 3600)
            );
        }
        // Nonsense dates do not panic.
        assert_eq!(renew_at(at(10), at(5), 0.5), at(10));
    }

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        let s = Duration::from_secs;
        assert_eq!(backoff(1, s(10), s(3600), 0.5), s(10));
        assert_eq!(backoff(2, s(10), s(3600), 0.5), s(20));
        assert_eq!(backoff(4, s(10), s(3600), 0.5), s(80));
        assert_eq!(backoff(30, s(10), s(3600), 0.5), s(3600));
        assert_eq!(backoff(u32::MAX, s(10), s(3600), 0.99), s(3600));
        assert_eq!(backoff(1, s(10), s(3600), 0.0), Duration::from_millis(7500));
        assert_eq!(backoff(0, s(10), s(3600), 0.5), s(10));
    }

    #[test]
    fn random_units_are_in_range() {
        for _ in 0..100 {
            let u = random_unit();
            assert!((0.0..1.0).contains(&u));
        }
    }
}
