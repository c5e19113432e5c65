//! Recording of verified requests and their answers (development and debugging), as
//! `DIR/<timestamp>-<requestId>.json` = `{"request": …, "response": …}` with tokens masked.
//! `skillgate invoke --file` replays these.

use std::path::{Path, PathBuf};

use serde_json::Value;

/// Writes request/answer pairs into a directory.
#[derive(Debug, Clone)]
pub struct Recorder {
    dir: PathBuf,
}

impl Recorder {
    /// A recorder writing into `dir` (created if needed).
    pub fn new(dir: impl Into<PathBuf>) -> std::io::Result<Self> {
        let dir = dir.into();
        std::fs::create_dir_all(&dir)?;
        Ok(Self { dir })
    }

    /// The directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Writes one pair; returns the file written. Secrets (`apiAccessToken`,
    /// `consentToken`, `accessToken`) are masked; ids are kept so replays route the same.
    pub fn write(
        &self,
        request_id: &str,
        request: &[u8],
        response: &[u8],
    ) -> std::io::Result<PathBuf> {
        let parse = |b: &[u8]| {
            serde_json::from_slice::<Value>(b)
                .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(b).into_owned()))
        };
        let mut request = parse(request);
        mask_tokens(&mut request);
        let record = serde_json::json!({"request": request, "response": parse(response)});
        let stamp = time::OffsetDateTime::now_utc()
            .format(time::macros::format_description!(
                "[year][month][day]T[hour][minute][second].[subsecond digits:3]Z"
            ))
            .unwrap_or_else(|_| "unknown".to_owned());
        let safe_id: String = request_id
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                    c
                } else {
                    '_'
                }
            })
            .take(120)
            .collect();
        let path = self.dir.join(format!("{stamp}-{safe_id}.json"));
        let text = serde_json::to_vec_pretty(&record).map_err(std::io::Error::other)?;
        // Write under a temporary name and rename, so a reader never sees a half-written
        // record (rename is atomic within one directory).
        let partial = path.with_extension("json.partial");
        std::fs::write(&partial, text)?;
        std::fs::rename(&partial, &path)?;
        Ok(path)
    }
}

/// Masks the secrets of a request envelope in place (`apiAccessToken`, `consentToken`,
/// `accessToken`), keeping ids: what recordings and the local console show.
pub fn mask_tokens(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (key, child) in map.iter_mut() {
                if matches!(
                    key.as_str(),
                    "apiAccessToken" | "consentToken" | "accessToken"
                ) && child.is_string()
                {
                    *child = Value::String("…masked…".to_owned());
                } else {
                    mask_tokens(child);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(mask_tokens),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_masked_pairs() {
        let dir = tempfile::tempdir().unwrap();
        let rec = Recorder::new(dir.path().join("rec")).unwrap();
        let req = br#"{"context":{"System":{"apiAccessToken":"SECRET","user":{"userId":"amzn1.ask.account.X"}}},"request":{"requestId":"amzn1.echo-api.request.1/2"}}"#;
        let path = rec
            .write("amzn1.echo-api.request.1/2", req, br#"{"version":"1.0"}"#)
            .unwrap();
        assert!(
            path.file_name()
                .unwrap()
                .to_str()
                .unwrap()
                .ends_with("-amzn1.echo-api.request.1_2.json")
        );
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(!text.contains("SECRET"));
        let v: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v["response"]["version"], "1.0");
        assert_eq!(
            v["request"]["context"]["System"]["user"]["userId"],
            "amzn1.ask.account.X"
        );
    }
}
