//! The `context` object: the state of the device and its interfaces at request time.

use serde::Serialize;
use serde_json::{Map, Value};

use super::session::{Application, User};
use crate::NumberLike;

/// The `context` object of a request envelope.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Context {
    /// `context.System`: application, user, device, API endpoint and token.
    #[serde(rename = "System", default, skip_serializing_if = "Option::is_none")]
    pub system: Option<SystemContext>,
    /// `context.AudioPlayer`: the state of the skill's audio stream, if it played one.
    #[serde(
        rename = "AudioPlayer",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub audio_player: Option<AudioPlayerState>,
    /// `context.Viewport`: the screen of a device with a display.
    #[serde(rename = "Viewport", default, skip_serializing_if = "Option::is_none")]
    pub viewport: Option<Viewport>,
    /// `context.Viewports`: every viewport of the device (APL, APLT), kept as JSON.
    #[serde(rename = "Viewports", default, skip_serializing_if = "Option::is_none")]
    pub viewports: Option<Vec<Value>>,
    /// Other context objects (`Display`, `Geolocation`, `Extensions`, `Automotive`, …).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `context.System`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SystemContext {
    /// The skill the request is addressed to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub application: Option<Application>,
    /// The Amazon account using the skill.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<User>,
    /// The device the request came from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device: Option<Device>,
    /// The recognized speaker, if the skill uses personalization.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub person: Option<Person>,
    /// The unit (room, for Alexa Smart Properties).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<Unit>,
    /// The base URL of the Alexa APIs for this request, e.g. `https://api.amazonalexa.com`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_endpoint: Option<String>,
    /// The bearer token for the Alexa APIs (progressive responses, lists, settings, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_access_token: Option<String>,
    /// Fields this version does not know.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `context.System.device`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Device {
    /// The device id, `amzn1.ask.device.…`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_id: Option<String>,
    /// The persistent endpoint id (Alexa Smart Properties).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub persistent_endpoint_id: Option<String>,
    /// The interfaces the device supports, an object keyed by interface name
    /// (`AudioPlayer`, `Display`, `Alexa.Presentation.APL`, `VideoApp`, …). Kept as JSON
    /// because some sources send an empty array instead of an empty object; read it with
    /// [`Device::supported_interfaces`] and [`Device::supports`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supported_interfaces: Option<Value>,
    /// Fields this version does not know.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Device {
    /// The names of the interfaces the device supports.
    pub fn supported_interfaces(&self) -> Vec<&str> {
        match &self.supported_interfaces {
            Some(Value::Object(map)) => map.keys().map(String::as_str).collect(),
            _ => Vec::new(),
        }
    }

    /// Whether the device supports the named interface (e.g. `"AudioPlayer"`).
    pub fn supports(&self, interface: &str) -> bool {
        matches!(&self.supported_interfaces, Some(Value::Object(map)) if map.contains_key(interface))
    }
}

/// `context.System.person`: the recognized speaker.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Person {
    /// The person id, `amzn1.ask.person.…`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub person_id: Option<String>,
    /// The account-linking access token of the person.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_token: Option<String>,
    /// Fields this version does not know (e.g. `authenticationConfidenceLevel`).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `context.System.unit` (Alexa Smart Properties).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Unit {
    /// The unit id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit_id: Option<String>,
    /// The persistent unit id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub persistent_unit_id: Option<String>,
    /// Fields this version does not know.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

string_enum! {
    /// `playerActivity` of the AudioPlayer interface.
    pub enum PlayerActivity {
        /// Nothing was played, or playback was cleared.
        Idle = "IDLE",
        /// Playback was paused.
        Paused = "PAUSED",
        /// A stream is playing.
        Playing = "PLAYING",
        /// Playback is buffering.
        BufferUnderrun = "BUFFER_UNDERRUN",
        /// The queue finished.
        Finished = "FINISHED",
        /// Playback was stopped.
        Stopped = "STOPPED",
    }
}

/// `context.AudioPlayer`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AudioPlayerState {
    /// The token of the current or last stream.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
    /// The position in that stream.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offset_in_milliseconds: Option<NumberLike>,
    /// What the player is doing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub player_activity: Option<PlayerActivity>,
    /// Fields this version does not know.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl AudioPlayerState {
    /// The stream position in milliseconds, if sent as a whole number.
    pub fn offset_ms(&self) -> Option<u64> {
        self.offset_in_milliseconds
            .as_ref()
            .and_then(NumberLike::as_u64)
    }
}

/// `context.Viewport`: the characteristics of a device's screen.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Viewport {
    /// `HUB`, `TV`, `PC`, `MOBILE`, `AUTO`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<String>,
    /// `RECTANGLE` or `ROUND`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shape: Option<String>,
    /// Screen width in pixels.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pixel_width: Option<NumberLike>,
    /// Screen height in pixels.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pixel_height: Option<NumberLike>,
    /// Pixel density.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dpi: Option<NumberLike>,
    /// Width of the area the skill may use.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current_pixel_width: Option<NumberLike>,
    /// Height of the area the skill may use.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current_pixel_height: Option<NumberLike>,
    /// Touch support, e.g. `["SINGLE"]`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub touch: Option<Vec<String>>,
    /// Keyboard support, e.g. `["DIRECTION"]`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keyboard: Option<Vec<String>>,
    /// Fields this version does not know (`experiences`, `video`, …).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

lenient_deserialize!(Context {
    system: "System",
    audio_player: "AudioPlayer",
    viewport: "Viewport",
    viewports: "Viewports",
});

lenient_deserialize!(SystemContext {
    application: "application",
    user: "user",
    device: "device",
    person: "person",
    unit: "unit",
    api_endpoint: "apiEndpoint",
    api_access_token: "apiAccessToken",
});

lenient_deserialize!(Device {
    device_id: "deviceId",
    persistent_endpoint_id: "persistentEndpointId",
    supported_interfaces: "supportedInterfaces",
});

lenient_deserialize!(Person {
    person_id: "personId",
    access_token: "accessToken",
});

lenient_deserialize!(Unit {
    unit_id: "unitId",
    persistent_unit_id: "persistentUnitId",
});

lenient_deserialize!(AudioPlayerState {
    token: "token",
    offset_in_milliseconds: "offsetInMilliseconds",
    player_activity: "playerActivity",
});

lenient_deserialize!(Viewport {
    mode: "mode",
    shape: "shape",
    pixel_width: "pixelWidth",
    pixel_height: "pixelHeight",
    dpi: "dpi",
    current_pixel_width: "currentPixelWidth",
    current_pixel_height: "currentPixelHeight",
    touch: "touch",
    keyboard: "keyboard",
});
