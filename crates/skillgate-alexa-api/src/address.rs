//! Device Address API: the address the user set for the device, in full or only country and
//! postal code.

use crate::client::AlexaApi;
use crate::error::ApiError;
use crate::scope::Scope;

model! {
    /// `GET /v1/devices/{deviceId}/settings/address` (ask-sdk-model `device_address.Address`).
    pub struct Address {
        /// First address line.
        pub address_line1: String,
        /// Second address line.
        pub address_line2: String,
        /// Third address line.
        pub address_line3: String,
        /// ISO country code (`US`).
        pub country_code: String,
        /// State or region.
        pub state_or_region: String,
        /// City.
        pub city: String,
        /// District or county.
        pub district_or_county: String,
        /// Postal code.
        pub postal_code: String,
    }
}

model! {
    /// `GET …/settings/address/countryAndPostalCode` (`device_address.ShortAddress`).
    pub struct ShortAddress {
        /// ISO country code.
        pub country_code: String,
        /// Postal code.
        pub postal_code: String,
    }
}

impl AlexaApi {
    /// The device's full address; `None` when the user set none (204). Needs
    /// [`Scope::ADDRESS_FULL`].
    pub async fn device_address(&self) -> Result<Option<Address>, ApiError> {
        let path = format!("/v1/devices/{}/settings/address", self.device_segment()?);
        self.get_opt(&path, Some(Scope::ADDRESS_FULL)).await
    }

    /// The device's country and postal code; `None` when not set. Needs
    /// [`Scope::ADDRESS_COUNTRY_AND_POSTAL_CODE`].
    pub async fn country_and_postal_code(&self) -> Result<Option<ShortAddress>, ApiError> {
        let path = format!(
            "/v1/devices/{}/settings/address/countryAndPostalCode",
            self.device_segment()?
        );
        self.get_opt(&path, Some(Scope::ADDRESS_COUNTRY_AND_POSTAL_CODE))
            .await
    }
}
