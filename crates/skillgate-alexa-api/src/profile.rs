//! Customer Profile (the account holder) and Person Profile (the recognized speaker) APIs.

use crate::client::AlexaApi;
use crate::error::ApiError;
use crate::scope::Scope;

model! {
    /// A phone number (`ups.PhoneNumber`).
    pub struct PhoneNumber {
        /// The country calling code (`+1`).
        pub country_code: String,
        /// The number.
        pub phone_number: String,
    }
}

/// Whose profile: the Amazon account's holder, or the person Alexa recognized by voice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    Customer,
    Person,
}

impl Who {
    fn path(self, field: &str) -> String {
        match self {
            Self::Customer => format!("/v2/accounts/~current/settings/Profile.{field}"),
            Self::Person => format!("/v2/persons/~current/profile/{field}"),
        }
    }
}

impl AlexaApi {
    async fn profile_text(
        &self,
        who: Who,
        field: &str,
        scope: Scope,
    ) -> Result<Option<String>, ApiError> {
        self.get_opt(&who.path(field), Some(scope)).await
    }

    /// The account holder's full name. Needs [`Scope::NAME`].
    pub async fn customer_name(&self) -> Result<Option<String>, ApiError> {
        self.profile_text(Who::Customer, "name", Scope::NAME).await
    }

    /// The account holder's given name. Needs [`Scope::GIVEN_NAME`].
    pub async fn customer_given_name(&self) -> Result<Option<String>, ApiError> {
        self.profile_text(Who::Customer, "givenName", Scope::GIVEN_NAME)
            .await
    }

    /// The account holder's email address. Needs [`Scope::EMAIL`].
    pub async fn customer_email(&self) -> Result<Option<String>, ApiError> {
        self.profile_text(Who::Customer, "email", Scope::EMAIL)
            .await
    }

    /// The account holder's mobile number. Needs [`Scope::MOBILE_NUMBER`].
    pub async fn customer_mobile_number(&self) -> Result<Option<PhoneNumber>, ApiError> {
        self.get_opt(
            &Who::Customer.path("mobileNumber"),
            Some(Scope::MOBILE_NUMBER),
        )
        .await
    }

    /// The recognized speaker's full name. Needs [`Scope::NAME`] (person level).
    pub async fn person_name(&self) -> Result<Option<String>, ApiError> {
        self.profile_text(Who::Person, "name", Scope::NAME).await
    }

    /// The recognized speaker's given name. Needs [`Scope::GIVEN_NAME`] (person level).
    pub async fn person_given_name(&self) -> Result<Option<String>, ApiError> {
        self.profile_text(Who::Person, "givenName", Scope::GIVEN_NAME)
            .await
    }

    /// The recognized speaker's mobile number. Needs [`Scope::MOBILE_NUMBER`] (person level).
    pub async fn person_mobile_number(&self) -> Result<Option<PhoneNumber>, ApiError> {
        self.get_opt(
            &Who::Person.path("mobileNumber"),
            Some(Scope::MOBILE_NUMBER),
        )
        .await
    }
}
