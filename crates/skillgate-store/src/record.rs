//! What the three stores share: how a key maps to columns, how versions are stored.

use skillgate::{AttributesKey, StoreError, Version};

/// The `device_id` column of a key: the device id, or `""` for a user-scoped key (so the
/// column can be part of the primary key). An empty device id is therefore the user scope.
pub(crate) fn device_column(key: &AttributesKey) -> &str {
    key.device_id.as_deref().unwrap_or("")
}

/// A version read from a signed 64-bit database column.
pub(crate) fn version_from_i64(raw: i64) -> Result<Version, StoreError> {
    u64::try_from(raw)
        .map(Version)
        .map_err(|_| backend_msg(format!("stored version {raw} is negative")))
}

/// A version as a signed 64-bit database value.
pub(crate) fn version_to_i64(version: Version) -> Result<i64, StoreError> {
    i64::try_from(version.0)
        .map_err(|_| backend_msg(format!("version {} does not fit the store", version.0)))
}

/// A backend failure from any error.
pub(crate) fn backend(error: impl std::error::Error + Send + Sync + 'static) -> StoreError {
    StoreError::Backend(Box::new(error))
}

/// A backend failure from a message.
pub(crate) fn backend_msg(message: String) -> StoreError {
    StoreError::Backend(message.into())
}

/// The JSON text of a value.
pub(crate) fn to_json(value: &serde_json::Value) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(backend)
}

/// A value from its stored JSON text.
pub(crate) fn from_json(text: &str) -> Result<serde_json::Value, StoreError> {
    serde_json::from_str(text).map_err(backend)
}

/// The conflict error when the stored version is not the expected one.
pub(crate) fn check(expected: Option<Version>, found: Option<Version>) -> Result<(), StoreError> {
    if expected == found {
        Ok(())
    } else {
        Err(StoreError::Conflict { expected, found })
    }
}
