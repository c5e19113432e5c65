//! Random identifiers in the shapes Alexa uses, from the system's secure generator.

use aws_lc_rs::rand::{SecureRandom, SystemRandom};

/// Fills `out` with random bytes; falls back to zeros only if the OS generator fails
/// (never on a working system) — identifiers need to be distinct, not secret.
fn fill(out: &mut [u8]) {
    if SystemRandom::new().fill(out).is_err() {
        out.fill(0);
    }
}

/// `n` random bytes as lowercase hex.
pub fn hex(n: usize) -> String {
    let mut bytes = vec![0u8; n];
    fill(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A random version-4 UUID string (`xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx`).
pub fn uuid() -> String {
    let mut b = [0u8; 16];
    fill(&mut b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

/// `n` random characters from Alexa's opaque-id alphabet (upper-case letters and digits).
pub fn opaque(n: usize) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut bytes = vec![0u8; n];
    fill(&mut bytes);
    bytes
        .iter()
        .map(|b| char::from(ALPHABET[usize::from(*b) % ALPHABET.len()]))
        .collect()
}

/// `n` random bytes in URL-safe base64 without padding (JWT segments).
pub fn base64url(n: usize) -> String {
    use base64::Engine as _;
    let mut bytes = vec![0u8; n];
    fill(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuid_has_version_and_variant() {
        let id = uuid();
        assert_eq!(id.len(), 36);
        let parts: Vec<&str> = id.split('-').collect();
        assert_eq!(
            parts.iter().map(|p| p.len()).collect::<Vec<_>>(),
            [8, 4, 4, 4, 12]
        );
        assert!(parts[2].starts_with('4'));
        assert!(matches!(&parts[3][..1], "8" | "9" | "a" | "b"));
        assert_ne!(uuid(), uuid());
    }

    #[test]
    fn hex_and_opaque_have_requested_length() {
        assert_eq!(hex(8).len(), 16);
        assert!(hex(8).chars().all(|c| c.is_ascii_hexdigit()));
        let o = opaque(40);
        assert_eq!(o.len(), 40);
        assert!(
            o.chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
        );
    }
}
