//! Endpoint Enumeration: the devices (and gadgets) connected to the user's account that this
//! skill may address.

use crate::client::AlexaApi;
use crate::error::ApiError;

model! {
    /// `endpoint_enumeration.EndpointCapability`.
    pub struct EndpointCapability {
        /// The interface (`Alexa.Gadget.StateListener`).
        pub interface: String,
        /// `AlexaInterface`.
        #[serde(rename = "type")]
        pub kind: String,
        /// The interface version.
        pub version: String,
    }
}

model! {
    /// `endpoint_enumeration.EndpointInfo`.
    pub struct EndpointInfo {
        /// The endpoint id.
        pub endpoint_id: String,
        /// The name the user gave it.
        pub friendly_name: String,
        /// What it can do.
        pub capabilities: Vec<EndpointCapability>,
    }
}

model! {
    /// `endpoint_enumeration.EndpointEnumerationResponse`.
    pub struct Endpoints {
        /// The endpoints.
        pub endpoints: Vec<EndpointInfo>,
    }
}

impl AlexaApi {
    /// The endpoints connected to the user's account.
    pub async fn endpoints(&self) -> Result<Endpoints, ApiError> {
        self.get("/v1/endpoints", None).await
    }
}
