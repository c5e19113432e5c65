//! Permission scopes: the strings a skill declares in its manifest, the consent card lists
//! and the voice permission request asks for.

use std::borrow::Cow;
use std::fmt;

/// A permission scope such as `alexa::alerts:reminders:skill:readwrite`.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Scope(Cow<'static, str>);

impl Scope {
    /// The device's full address.
    pub const ADDRESS_FULL: Self = Self::from_static("read::alexa:device:all:address");
    /// The device's country and postal code.
    pub const ADDRESS_COUNTRY_AND_POSTAL_CODE: Self =
        Self::from_static("read::alexa:device:all:address:country_and_postal_code");
    /// The customer's (or person's) full name.
    pub const NAME: Self = Self::from_static("alexa::profile:name:read");
    /// The customer's (or person's) given name.
    pub const GIVEN_NAME: Self = Self::from_static("alexa::profile:given_name:read");
    /// The customer's email address.
    pub const EMAIL: Self = Self::from_static("alexa::profile:email:read");
    /// The customer's (or person's) mobile number.
    pub const MOBILE_NUMBER: Self = Self::from_static("alexa::profile:mobile_number:read");
    /// Reminders.
    pub const REMINDERS: Self = Self::from_static("alexa::alerts:reminders:skill:readwrite");
    /// Timers.
    pub const TIMERS: Self = Self::from_static("alexa::alerts:timers:skill:readwrite");
    /// Reading household lists.
    pub const LISTS_READ: Self = Self::from_static("read::alexa:household:list");
    /// Writing household lists.
    pub const LISTS_WRITE: Self = Self::from_static("write::alexa:household:list");

    /// Every scope this crate knows, in the order above.
    pub const ALL: [Self; 10] = [
        Self::ADDRESS_FULL,
        Self::ADDRESS_COUNTRY_AND_POSTAL_CODE,
        Self::NAME,
        Self::GIVEN_NAME,
        Self::EMAIL,
        Self::MOBILE_NUMBER,
        Self::REMINDERS,
        Self::TIMERS,
        Self::LISTS_READ,
        Self::LISTS_WRITE,
    ];

    /// A scope known at compile time.
    pub const fn from_static(scope: &'static str) -> Self {
        Self(Cow::Borrowed(scope))
    }

    /// Any scope.
    pub fn new(scope: impl Into<String>) -> Self {
        Self(Cow::Owned(scope.into()))
    }

    /// The scope string.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The HTTP status the scope's API answers when the user has not granted it: 401 for
    /// Reminders and Timers, 403 for everything else.
    pub fn consent_status(&self) -> u16 {
        if self.0.starts_with("alexa::alerts:") {
            401
        } else {
            403
        }
    }
}

impl fmt::Debug for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Scope({})", self.0)
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<&str> for Scope {
    fn from(scope: &str) -> Self {
        Self::ALL
            .into_iter()
            .find(|s| s.as_str() == scope)
            .unwrap_or_else(|| Self::new(scope))
    }
}
