//! Errors reading an interaction model.

/// Why an interaction model could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ModelError {
    /// The file could not be read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// The JSON is malformed or does not have the console's shape; `path` is the JSON path
    /// (`interactionModel.languageModel.intents[3].samples`) where reading failed.
    #[error("invalid interaction model at {path}: {source}")]
    Json {
        /// JSON path of the offending value.
        path: String,
        /// The underlying error.
        #[source]
        source: serde_json::Error,
    },
}
