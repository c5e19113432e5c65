//! Does the server refuse TLS 1.0 and 1.1?
//!
//! rustls cannot speak either version, so this module offers them itself: it writes one
//! hand-built TLS 1.0/1.1 `ClientHello` (the legacy CBC suites every old server has, SNI,
//! curves; no `supported_versions` extension, so TLS 1.2+ cannot be negotiated) and reads
//! the first record of the answer. A `ServerHello` choosing 1.0 or 1.1 means the server
//! accepts the old version; an alert, a closed connection, or a `ServerHello` with a higher
//! version means it refuses. No handshake is completed, so no cryptography is needed and no
//! external tool (`openssl s_client`, whose TLS 1.0 support depends on how it was built and
//! on its security level) has to be installed on the machine running preflight.
//!
//! [`client_hello`] and [`classify`] are pure; [`probe`] does the I/O.

use std::net::SocketAddr;
use std::time::Duration;

use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

/// A legacy protocol version offered by [`probe`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LegacyVersion {
    /// TLS 1.0 (`0x0301`).
    Tls10,
    /// TLS 1.1 (`0x0302`).
    Tls11,
}

impl LegacyVersion {
    /// The wire value.
    pub fn wire(self) -> u16 {
        match self {
            Self::Tls10 => 0x0301,
            Self::Tls11 => 0x0302,
        }
    }

    /// "TLS 1.0" or "TLS 1.1".
    pub fn name(self) -> &'static str {
        match self {
            Self::Tls10 => "TLS 1.0",
            Self::Tls11 => "TLS 1.1",
        }
    }
}

/// What the server answered to a legacy `ClientHello`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LegacyAnswer {
    /// A `ServerHello` choosing this legacy version: the server accepts it.
    Accepted(u16),
    /// A TLS alert (its description code, e.g. 70 = protocol_version, 40 = handshake_failure).
    Alert(u8),
    /// The server closed or reset the connection without a ServerHello.
    Closed,
    /// A `ServerHello` with a version of TLS 1.2 or later (non-conforming, but not legacy).
    HigherVersion(u16),
    /// No answer in time.
    Timeout,
    /// Bytes that are not a TLS alert or ServerHello.
    NotTls,
    /// The TCP connection could not be opened.
    Unreachable(String),
}

impl LegacyAnswer {
    /// True when the server agreed to speak a legacy version.
    pub fn accepted(&self) -> bool {
        matches!(self, Self::Accepted(_))
    }

    /// A short description for the report.
    pub fn describe(&self) -> String {
        match self {
            Self::Accepted(v) => format!("accepted (ServerHello version {v:#06x})"),
            Self::Alert(70) => "refused (alert protocol_version)".into(),
            Self::Alert(40) => "refused (alert handshake_failure)".into(),
            Self::Alert(d) => format!("refused (alert {d})"),
            Self::Closed => "refused (connection closed)".into(),
            Self::HigherVersion(v) => format!("refused (answered with version {v:#06x})"),
            Self::Timeout => "no answer (treated as refused)".into(),
            Self::NotTls => "answer is not TLS (treated as refused)".into(),
            Self::Unreachable(e) => format!("cannot connect: {e}"),
        }
    }
}

/// Cipher suites a TLS 1.0/1.1 server can pick: ECDHE and DHE with AES-CBC, plain RSA with
/// AES-CBC and 3DES, and the renegotiation SCSV.
const LEGACY_SUITES: [u16; 11] = [
    0xc014, 0xc013, 0xc00a, 0xc009, 0x0039, 0x0033, 0x0035, 0x002f, 0x000a, 0x0005, 0x00ff,
];

fn push_u16(out: &mut Vec<u8>, v: u16) {
    out.extend_from_slice(&v.to_be_bytes());
}

fn push_vec16(out: &mut Vec<u8>, body: &[u8]) {
    push_u16(out, u16::try_from(body.len()).unwrap_or(u16::MAX));
    out.extend_from_slice(body);
}

fn extension(out: &mut Vec<u8>, kind: u16, body: &[u8]) {
    push_u16(out, kind);
    push_vec16(out, body);
}

/// One TLS record holding a `ClientHello` for `version`, with SNI `server_name` when it is a
/// DNS name (SNI may not carry IP addresses). `random` fills the 32-byte random field.
pub fn client_hello(
    version: LegacyVersion,
    server_name: Option<&str>,
    random: [u8; 32],
) -> Vec<u8> {
    let mut extensions = Vec::new();
    if let Some(name) = server_name.filter(|n| !n.is_empty() && n.len() < 256) {
        let mut list = vec![0u8]; // host_name
        push_vec16(&mut list, name.as_bytes());
        let mut sni = Vec::new();
        push_vec16(&mut sni, &list);
        extension(&mut extensions, 0x0000, &sni);
    }
    // supported_groups: x25519, secp256r1, secp384r1.
    extension(
        &mut extensions,
        0x000a,
        &[0, 6, 0x00, 0x1d, 0x00, 0x17, 0x00, 0x18],
    );
    // ec_point_formats: uncompressed.
    extension(&mut extensions, 0x000b, &[1, 0]);

    let mut hello = Vec::new();
    push_u16(&mut hello, version.wire());
    hello.extend_from_slice(&random);
    hello.push(0); // empty session id
    let suites: Vec<u8> = LEGACY_SUITES.iter().flat_map(|s| s.to_be_bytes()).collect();
    push_vec16(&mut hello, &suites);
    hello.extend_from_slice(&[1, 0]); // compression: null only
    push_vec16(&mut hello, &extensions);

    let mut handshake = vec![0x01]; // client_hello
    let len = u32::try_from(hello.len()).unwrap_or(0).to_be_bytes();
    handshake.extend_from_slice(&len[1..]);
    handshake.extend_from_slice(&hello);

    let mut record = vec![0x16]; // handshake
    push_u16(&mut record, 0x0301); // record version: 1.0 is what old clients send
    push_vec16(&mut record, &handshake);
    record
}

/// Classifies the first bytes the server sent back (`None` on a closed connection).
/// Returns `None` when more bytes are needed.
pub fn classify(bytes: &[u8]) -> Option<LegacyAnswer> {
    if bytes.is_empty() {
        return Some(LegacyAnswer::Closed);
    }
    let content_type = bytes[0];
    if content_type != 0x15 && content_type != 0x16 {
        return Some(LegacyAnswer::NotTls);
    }
    // Record header: type, version (2), length (2).
    if bytes.len() < 5 {
        return None;
    }
    if bytes[1] != 0x03 {
        return Some(LegacyAnswer::NotTls);
    }
    match content_type {
        0x15 => bytes.get(6).map(|d| LegacyAnswer::Alert(*d)),
        _ => {
            // Handshake: msg type (1), length (3), server_version (2).
            let msg = bytes.get(5..11)?;
            if msg[0] != 0x02 {
                return Some(LegacyAnswer::NotTls);
            }
            let version = u16::from_be_bytes([msg[4], msg[5]]);
            if version <= 0x0302 {
                Some(LegacyAnswer::Accepted(version))
            } else {
                Some(LegacyAnswer::HigherVersion(version))
            }
        }
    }
}

/// Connects to `addr`, offers `version` only, and classifies the answer.
pub async fn probe(
    addr: SocketAddr,
    server_name: Option<&str>,
    version: LegacyVersion,
    timeout: Duration,
) -> LegacyAnswer {
    let work = async {
        let mut stream = match tokio::net::TcpStream::connect(addr).await {
            Ok(s) => s,
            Err(e) => return LegacyAnswer::Unreachable(e.to_string()),
        };
        let hex = skillgate_devtools::random::hex(32);
        let mut random = [0u8; 32];
        for (i, b) in random.iter_mut().enumerate() {
            *b = hex
                .get(2 * i..2 * i + 2)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .unwrap_or(0);
        }
        if stream
            .write_all(&client_hello(version, server_name, random))
            .await
            .is_err()
        {
            return LegacyAnswer::Closed;
        }
        let mut received = Vec::new();
        let mut buf = [0u8; 512];
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => {
                    return classify(&received).unwrap_or(LegacyAnswer::Closed);
                }
                Ok(n) => {
                    received.extend_from_slice(&buf[..n]);
                    if let Some(answer) = classify(&received) {
                        return answer;
                    }
                    if received.len() > 16 * 1024 {
                        return LegacyAnswer::NotTls;
                    }
                }
            }
        }
    };
    tokio::time::timeout(timeout, work)
        .await
        .unwrap_or(LegacyAnswer::Timeout)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hello_is_a_well_formed_record() {
        let rec = client_hello(LegacyVersion::Tls11, Some("skill.example.com"), [7; 32]);
        assert_eq!(rec[0], 0x16);
        let len = usize::from(u16::from_be_bytes([rec[3], rec[4]]));
        assert_eq!(rec.len(), 5 + len);
        assert_eq!(rec[5], 0x01);
        let hs_len = u32::from_be_bytes([0, rec[6], rec[7], rec[8]]) as usize;
        assert_eq!(hs_len + 4, len);
        assert_eq!(&rec[9..11], &[0x03, 0x02]);
        let text = String::from_utf8_lossy(&rec);
        assert!(text.contains("skill.example.com"));
        // No supported_versions extension (0x002b) anywhere after the suites.
        let hello = client_hello(LegacyVersion::Tls10, None, [0; 32]);
        assert!(!hello.windows(2).any(|w| w == [0x00, 0x2b]));
    }

    #[test]
    fn classifies_answers() {
        assert_eq!(classify(&[]), Some(LegacyAnswer::Closed));
        assert_eq!(classify(&[0x15, 3, 1]), None);
        assert_eq!(
            classify(&[0x15, 3, 1, 0, 2, 2, 70]),
            Some(LegacyAnswer::Alert(70))
        );
        let hello = [0x16, 3, 1, 0, 0x40, 0x02, 0, 0, 0x3c, 0x03, 0x01];
        assert_eq!(classify(&hello), Some(LegacyAnswer::Accepted(0x0301)));
        assert!(classify(&hello).unwrap().accepted());
        let hello12 = [0x16, 3, 3, 0, 0x40, 0x02, 0, 0, 0x3c, 0x03, 0x03];
        assert_eq!(
            classify(&hello12),
            Some(LegacyAnswer::HigherVersion(0x0303))
        );
        assert_eq!(classify(b"HTTP/1.1 400 Bad"), Some(LegacyAnswer::NotTls));
        assert_eq!(classify(&[0x16, 3, 1, 0, 4, 0x0b]), None);
        assert_eq!(
            classify(&[0x16, 3, 1, 0, 4, 0x0b, 0, 0, 0, 0, 0]),
            Some(LegacyAnswer::NotTls)
        );
    }
}
