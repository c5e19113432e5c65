//! The mock's state, kept in `state.json` in its directory: tokens it issued, permissions
//! granted, and everything the skill created (reminders, timers, list items, purchases,
//! messages). Saved after every change, so a reminder created in one turn (or process) is
//! listed in the next.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::error::MockError;

/// A token the mock issued.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct IssuedToken {
    /// Unix seconds after which it is expired.
    pub(crate) expires: i64,
    /// `request` (an `apiAccessToken`) or the LWA scope it was issued for.
    pub(crate) kind: String,
}

/// A household list.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct MockList {
    pub(crate) name: String,
    pub(crate) state: String,
    pub(crate) version: i64,
    pub(crate) items: BTreeMap<String, Value>,
}

/// Everything the mock remembers.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct State {
    pub(crate) next_id: u64,
    pub(crate) tokens: BTreeMap<String, IssuedToken>,
    pub(crate) granted: BTreeSet<String>,
    pub(crate) reminders: BTreeMap<String, Value>,
    pub(crate) timers: BTreeMap<String, Value>,
    pub(crate) lists: BTreeMap<String, MockList>,
    pub(crate) products: BTreeMap<String, Value>,
    pub(crate) messages: Vec<Value>,
    pub(crate) proactive_events: Vec<Value>,
    pub(crate) progressive: Vec<String>,
}

/// The shopping list's id in the mock.
pub const SHOPPING_LIST_ID: &str = "mock-shopping-list";
/// The to-do list's id in the mock.
pub const TODO_LIST_ID: &str = "mock-todo-list";
/// The product the mock sells.
pub const PREMIUM_PRODUCT_ID: &str = "amzn1.adg.product.mock-premium";

impl Default for State {
    fn default() -> Self {
        let list = |name: &str| MockList {
            name: name.to_owned(),
            state: "active".to_owned(),
            version: 1,
            items: BTreeMap::new(),
        };
        let mut lists = BTreeMap::new();
        lists.insert(SHOPPING_LIST_ID.to_owned(), list("Alexa shopping list"));
        lists.insert(TODO_LIST_ID.to_owned(), list("Alexa to-do list"));
        let mut products = BTreeMap::new();
        products.insert(
            PREMIUM_PRODUCT_ID.to_owned(),
            json!({
                "productId": PREMIUM_PRODUCT_ID,
                "referenceName": "premium",
                "name": "Premium",
                "type": "ENTITLEMENT",
                "summary": "Every room, every scene.",
                "purchasable": "PURCHASABLE",
                "entitled": "NOT_ENTITLED",
                "entitlementReason": "NOT_PURCHASED",
                "activeEntitlementCount": 0,
                "purchaseMode": "TEST"
            }),
        );
        Self {
            next_id: 1,
            tokens: BTreeMap::new(),
            granted: BTreeSet::new(),
            reminders: BTreeMap::new(),
            timers: BTreeMap::new(),
            lists,
            products,
            messages: Vec::new(),
            proactive_events: Vec::new(),
            progressive: Vec::new(),
        }
    }
}

impl State {
    /// Reads `path`, or the initial state if it does not exist.
    pub(crate) fn load(path: &Path) -> Result<Self, MockError> {
        match std::fs::read(path) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|source| MockError::State {
                path: path.to_owned(),
                source,
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Self::default()),
            Err(e) => Err(MockError::io(path, e)),
        }
    }

    /// Writes the state (to a temporary file, then renamed over the old one).
    pub(crate) fn save(&self, path: &Path) -> Result<(), MockError> {
        let tmp: PathBuf = path.with_extension("json.tmp");
        let bytes = serde_json::to_vec_pretty(self).map_err(|source| MockError::State {
            path: path.to_owned(),
            source,
        })?;
        std::fs::write(&tmp, bytes).map_err(|e| MockError::io(&tmp, e))?;
        std::fs::rename(&tmp, path).map_err(|e| MockError::io(path, e))
    }

    /// A fresh id with a prefix.
    pub(crate) fn id(&mut self, prefix: &str) -> String {
        let id = format!("{prefix}-{}", self.next_id);
        self.next_id += 1;
        id
    }
}

/// Now, in Unix seconds.
pub(crate) fn unix_now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

/// An instant as ISO 8601 (`2026-11-30T07:00:00Z`), the form Amazon's APIs use.
pub(crate) fn iso(unix: i64) -> String {
    let t =
        time::OffsetDateTime::from_unix_timestamp(unix).unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// Seconds of an ISO 8601 duration such as `PT1H2M3S` (days too); `None` if malformed.
pub(crate) fn duration_seconds(text: &str) -> Option<i64> {
    let rest = text.strip_prefix('P')?;
    let (date, time) = rest.split_once('T').unwrap_or((rest, ""));
    let mut total: i64 = 0;
    let mut any = false;
    for (part, units) in [
        (date, &[('D', 86_400)][..]),
        (time, &[('H', 3600), ('M', 60), ('S', 1)][..]),
    ] {
        let mut number = String::new();
        for c in part.chars() {
            if c.is_ascii_digit() {
                number.push(c);
            } else {
                let factor = units.iter().find(|(u, _)| *u == c)?.1;
                let n: i64 = number.parse().ok()?;
                total = total.checked_add(n.checked_mul(factor)?)?;
                number.clear();
                any = true;
            }
        }
        if !number.is_empty() {
            return None;
        }
    }
    any.then_some(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(duration_seconds("PT10M"), Some(600));
        assert_eq!(duration_seconds("PT1H0M5S"), Some(3605));
        assert_eq!(duration_seconds("P1DT1S"), Some(86_401));
        assert_eq!(duration_seconds("PT"), None);
        assert_eq!(duration_seconds("10M"), None);
        assert_eq!(duration_seconds("PT5X"), None);
        assert_eq!(duration_seconds("PT99999999999999999999S"), None);
    }

    #[test]
    fn round_trip_through_a_file() {
        let dir = std::env::temp_dir().join(format!("mock-state-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("state.json");
        let mut state = State::default();
        let id = state.id("r");
        state
            .reminders
            .insert(id.clone(), json!({"alertToken": id}));
        state.save(&path).unwrap();
        let back = State::load(&path).unwrap();
        assert!(back.reminders.contains_key("r-1"));
        assert_eq!(back.next_id, 2);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
