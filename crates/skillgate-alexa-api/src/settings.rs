//! Device Settings: the device's time zone and the units the user prefers. No permission
//! needed.

use crate::client::AlexaApi;
use crate::error::ApiError;

string_enum! {
    /// `System.distanceUnits` (`ups.DistanceUnits`).
    pub enum DistanceUnits {
        /// Kilometres.
        Metric = "METRIC",
        /// Miles.
        Imperial = "IMPERIAL",
    }
}

string_enum! {
    /// `System.temperatureUnit` (`ups.TemperatureUnit`).
    pub enum TemperatureUnit {
        /// Celsius.
        Celsius = "CELSIUS",
        /// Fahrenheit.
        Fahrenheit = "FAHRENHEIT",
    }
}

impl AlexaApi {
    async fn device_setting<T: serde::de::DeserializeOwned>(
        &self,
        name: &str,
    ) -> Result<T, ApiError> {
        let path = format!("/v2/devices/{}/settings/{name}", self.device_segment()?);
        self.get(&path, None).await
    }

    /// The device's IANA time zone (`America/Los_Angeles`).
    pub async fn time_zone(&self) -> Result<String, ApiError> {
        self.device_setting("System.timeZone").await
    }

    /// The distance units the user prefers.
    pub async fn distance_units(&self) -> Result<DistanceUnits, ApiError> {
        self.device_setting("System.distanceUnits").await
    }

    /// The temperature unit the user prefers.
    pub async fn temperature_unit(&self) -> Result<TemperatureUnit, ApiError> {
        self.device_setting("System.temperatureUnit").await
    }
}
