//! Localized message catalogs: messages per locale, looked up by key with a locale fallback.
//!
//! A catalog holds templates such as `"Turned on the {device}."` per locale. A lookup for
//! `de-AT` tries `de-AT`, then `de`, then the catalog's default locale (and that locale's
//! language), so a skill can ship one German catalog for every German-speaking market.
//!
//! Templates use `{name}` placeholders; `{{` and `}}` stand for literal braces. A placeholder
//! without an argument is left as written (and logged), so a missing argument is audible in
//! testing but never a crash.
//!
//! ```
//! use skillgate::Catalog;
//!
//! let catalog = Catalog::from_toml(
//!     "en-US",
//!     r#"
//!     [en]
//!     on = "Turned on the {device}."
//!     [de]
//!     on = "{device} ist an."
//!     "#,
//! )
//! .unwrap();
//! assert_eq!(catalog.t("de-AT", "on", &[("device", "Licht")]), "Licht ist an.");
//! assert_eq!(catalog.t("fr-FR", "on", &[("device", "light")]), "Turned on the light.");
//! ```

use std::collections::HashMap;
use std::path::Path;

/// Why a catalog could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    /// The TOML text is not valid TOML.
    #[error("catalog is not valid TOML: {0}")]
    Toml(#[from] toml::de::Error),
    /// The JSON text is not valid JSON.
    #[error("catalog is not valid JSON: {0}")]
    Json(#[from] serde_json::Error),
    /// The file could not be read.
    #[error("cannot read catalog file {path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The file name ends neither in `.toml` nor in `.json`.
    #[error("catalog file {0} must end in .toml or .json")]
    UnknownFormat(String),
}

/// Messages per locale with fallback from `de-AT` to `de` to a default locale.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    default_locale: String,
    /// Normalized locale (lowercase, `-` separated) → key → template.
    messages: HashMap<String, HashMap<String, String>>,
}

impl Catalog {
    /// An empty catalog whose last fallback is `default_locale` (for example `"en-US"`).
    pub fn new(default_locale: &str) -> Self {
        Self {
            default_locale: normalize(default_locale),
            messages: HashMap::new(),
        }
    }

    /// A catalog from TOML text: one table per locale, each mapping keys to templates.
    pub fn from_toml(default_locale: &str, text: &str) -> Result<Self, CatalogError> {
        let mut catalog = Self::new(default_locale);
        catalog.merge_toml(text)?;
        Ok(catalog)
    }

    /// A catalog from JSON text: `{"en": {"key": "template"}, "de": {…}}`.
    pub fn from_json(default_locale: &str, text: &str) -> Result<Self, CatalogError> {
        let mut catalog = Self::new(default_locale);
        catalog.merge_json(text)?;
        Ok(catalog)
    }

    /// A catalog from a `.toml` or `.json` file.
    pub fn from_file(default_locale: &str, path: impl AsRef<Path>) -> Result<Self, CatalogError> {
        let mut catalog = Self::new(default_locale);
        catalog.merge_file(path)?;
        Ok(catalog)
    }

    /// Adds (or replaces) the messages of TOML text.
    pub fn merge_toml(&mut self, text: &str) -> Result<&mut Self, CatalogError> {
        let tables: HashMap<String, HashMap<String, String>> = toml::from_str(text)?;
        self.merge(tables);
        Ok(self)
    }

    /// Adds (or replaces) the messages of JSON text.
    pub fn merge_json(&mut self, text: &str) -> Result<&mut Self, CatalogError> {
        let tables: HashMap<String, HashMap<String, String>> = serde_json::from_str(text)?;
        self.merge(tables);
        Ok(self)
    }

    /// Adds (or replaces) the messages of a `.toml` or `.json` file.
    pub fn merge_file(&mut self, path: impl AsRef<Path>) -> Result<&mut Self, CatalogError> {
        let path = path.as_ref();
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| CatalogError::Io {
            path: shown.clone(),
            source,
        })?;
        match path.extension().and_then(|e| e.to_str()) {
            Some(ext) if ext.eq_ignore_ascii_case("toml") => self.merge_toml(&text),
            Some(ext) if ext.eq_ignore_ascii_case("json") => self.merge_json(&text),
            _ => Err(CatalogError::UnknownFormat(shown)),
        }
    }

    /// Adds one message (builder style).
    pub fn with(mut self, locale: &str, key: &str, template: &str) -> Self {
        self.insert(locale, key, template);
        self
    }

    /// Adds one message.
    pub fn insert(&mut self, locale: &str, key: &str, template: &str) {
        self.messages
            .entry(normalize(locale))
            .or_default()
            .insert(key.to_owned(), template.to_owned());
    }

    /// The default locale (normalized: lowercase).
    pub fn default_locale(&self) -> &str {
        &self.default_locale
    }

    /// The template for `key` in `locale`, following the fallback chain.
    pub fn lookup(&self, locale: &str, key: &str) -> Option<&str> {
        let locale = normalize(locale);
        fallback_chain(&locale, &self.default_locale)
            .find_map(|loc| self.messages.get(loc).and_then(|m| m.get(key)))
            .map(String::as_str)
    }

    /// The message for `key` in `locale` with its placeholders filled, or `None` when no locale
    /// in the fallback chain has the key.
    pub fn format<S: AsRef<str>>(
        &self,
        locale: &str,
        key: &str,
        args: &[(&str, S)],
    ) -> Option<String> {
        self.lookup(locale, key)
            .map(|template| fill(template, args, key))
    }

    /// The message for `key` in `locale` with its placeholders filled; a missing key gives the
    /// key itself (and a warning in the log), so a gap in a catalog is audible, never a crash.
    pub fn t<S: AsRef<str>>(&self, locale: &str, key: &str, args: &[(&str, S)]) -> String {
        self.format(locale, key, args).unwrap_or_else(|| {
            tracing::warn!(locale, key, "message key missing from the catalog");
            key.to_owned()
        })
    }

    fn merge(&mut self, tables: HashMap<String, HashMap<String, String>>) {
        for (locale, messages) in tables {
            self.messages
                .entry(normalize(&locale))
                .or_default()
                .extend(messages);
        }
    }
}

/// Lowercase, `_` → `-`, trimmed: `de_AT` and `de-at` are the same locale.
fn normalize(locale: &str) -> String {
    locale
        .trim()
        .chars()
        .map(|c| match c {
            '_' => '-',
            c => c.to_ascii_lowercase(),
        })
        .collect()
}

/// `de-at` → `de-at`, `de`, then the same for the default locale: the locales to look in,
/// in order. Empty ones are skipped; a locale can come twice (`de` for `de-at` with a `de`
/// default), which changes nothing for a first-match search. Borrowed, so a lookup (twice
/// per answer, on every request) allocates only the normalized locale.
fn fallback_chain<'a>(locale: &'a str, default: &'a str) -> impl Iterator<Item = &'a str> {
    fn with_parents(locale: &str) -> impl Iterator<Item = &str> {
        std::iter::successors(Some(locale), |current| {
            current.rfind('-').map(|i| &current[..i])
        })
        .filter(|loc| !loc.is_empty())
    }
    with_parents(locale).chain(with_parents(default))
}

/// Replaces `{name}` placeholders; `{{` and `}}` are literal braces.
fn fill<S: AsRef<str>>(template: &str, args: &[(&str, S)], key: &str) -> String {
    let mut out = String::with_capacity(template.len() + 16);
    let mut rest = template;
    while let Some(i) = rest.find(['{', '}']) {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        if tail.starts_with("{{") || tail.starts_with("}}") {
            out.push_str(&tail[..1]);
            rest = &tail[2..];
            continue;
        }
        if let Some(after) = tail.strip_prefix('}') {
            out.push('}');
            rest = after;
            continue;
        }
        match tail.find('}') {
            Some(end) => {
                let name = &tail[1..end];
                match args.iter().find(|(n, _)| *n == name) {
                    Some((_, value)) => out.push_str(value.as_ref()),
                    None => {
                        tracing::warn!(key, placeholder = name, "no argument for placeholder");
                        out.push_str(&tail[..=end]);
                    }
                }
                rest = &tail[end + 1..];
            }
            None => {
                out.push_str(tail);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOML: &str = r#"
        [en]
        hello = "Hello, {name}!"
        only_en = "English only"
        [en-GB]
        hello = "Good day, {name}!"
        [de]
        hello = "Hallo, {name}!"
        [de-AT]
        hello = "Servus, {name}!"
        [de-DE]
        bye = "Tschüss"
    "#;

    fn catalog() -> Catalog {
        Catalog::from_toml("en-US", TOML).unwrap()
    }

    #[test]
    fn exact_locale_wins() {
        let c = catalog();
        assert_eq!(c.t("de-AT", "hello", &[("name", "Anna")]), "Servus, Anna!");
        assert_eq!(c.t("en-GB", "hello", &[("name", "Ann")]), "Good day, Ann!");
    }

    #[test]
    fn region_falls_back_to_language() {
        let c = catalog();
        assert_eq!(c.t("de-CH", "hello", &[("name", "Jo")]), "Hallo, Jo!");
        assert_eq!(c.t("en-US", "hello", &[("name", "Jo")]), "Hello, Jo!");
    }

    #[test]
    fn language_falls_back_to_default_locale() {
        let c = catalog();
        // de-AT has no "only_en", nor has de: the default en-US → en has it.
        assert_eq!(c.t::<&str>("de-AT", "only_en", &[]), "English only");
        assert_eq!(c.t("fr-FR", "hello", &[("name", "Luc")]), "Hello, Luc!");
        // A sibling region is not a fallback: de-AT does not borrow from de-DE.
        assert_eq!(c.lookup("de-AT", "bye"), None);
    }

    #[test]
    fn the_fallback_chain_is_the_locale_its_parents_then_the_defaults() {
        let chain: Vec<&str> = fallback_chain("zh-hant-tw", "en-us").collect();
        assert_eq!(chain, ["zh-hant-tw", "zh-hant", "zh", "en-us", "en"]);
        let chain: Vec<&str> = fallback_chain("", "en-us").collect();
        assert_eq!(chain, ["en-us", "en"]);
        assert_eq!(normalize("  De_aT "), "de-at");
    }

    #[test]
    fn locale_spelling_is_normalized() {
        let c = catalog();
        assert_eq!(c.lookup("DE_at", "hello"), Some("Servus, {name}!"));
    }

    #[test]
    fn missing_key_gives_the_key() {
        let c = catalog();
        assert_eq!(c.format::<&str>("en-US", "nope", &[]), None);
        assert_eq!(c.t::<&str>("en-US", "nope", &[]), "nope");
    }

    #[test]
    fn placeholders_and_escapes() {
        let c = Catalog::new("en")
            .with("en", "k", "{{literal}} {a} and {b}, {missing} }} {unclosed")
            .with("en", "n", "{n} items");
        assert_eq!(
            c.t("en", "k", &[("a", "1"), ("b", "2")]),
            "{literal} 1 and 2, {missing} } {unclosed"
        );
        let count = 3.to_string();
        assert_eq!(c.t("en", "n", &[("n", count)]), "3 items");
        // Multi-byte text around placeholders.
        let c = Catalog::new("de").with("de", "k", "Grüße, {wer}! ✓");
        assert_eq!(c.t("de", "k", &[("wer", "Jürgen")]), "Grüße, Jürgen! ✓");
    }

    #[test]
    fn json_and_merge() {
        let mut c = Catalog::from_json("en-US", r#"{"en": {"a": "A"}, "de": {"a": "Ä"}}"#).unwrap();
        c.merge_toml("[en]\na = \"A2\"\nb = \"B\"").unwrap();
        assert_eq!(c.lookup("en-US", "a"), Some("A2"));
        assert_eq!(c.lookup("en-US", "b"), Some("B"));
        assert_eq!(c.lookup("de-DE", "a"), Some("Ä"));
    }

    #[test]
    fn bad_input_is_an_error() {
        assert!(matches!(
            Catalog::from_toml("en", "[en]\nx = 3"),
            Err(CatalogError::Toml(_))
        ));
        assert!(matches!(
            Catalog::from_json("en", "{"),
            Err(CatalogError::Json(_))
        ));
    }

    #[test]
    fn files_by_extension() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        let toml_path = dir.join("m.toml");
        std::fs::write(&toml_path, "[en]\nx = \"from toml\"").unwrap();
        let json_path = dir.join("m.json");
        std::fs::write(&json_path, r#"{"en": {"y": "from json"}}"#).unwrap();
        let txt_path = dir.join("m.txt");
        std::fs::write(&txt_path, "").unwrap();
        let mut c = Catalog::from_file("en", &toml_path).unwrap();
        c.merge_file(&json_path).unwrap();
        assert_eq!(c.lookup("en", "x"), Some("from toml"));
        assert_eq!(c.lookup("en", "y"), Some("from json"));
        assert!(matches!(
            c.merge_file(&txt_path),
            Err(CatalogError::UnknownFormat(_))
        ));
        assert!(matches!(
            c.merge_file(dir.join("absent.toml")),
            Err(CatalogError::Io { .. })
        ));
    }
}
