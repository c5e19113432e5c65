//! In-skill purchasing: the Buy, Upsell and Cancel directives, and the `Connections.Response`
//! that comes back, routed by name and `purchaseResult` with the product id carried through.
//!
//! ```
//! use skillgate::purchase::{Purchase, PurchaseResult};
//! use skillgate::{Context, Skill};
//!
//! let skill = Skill::builder()
//!     .on_intent("BuyPremiumIntent", |cx: Context| async move {
//!         Ok(cx.reply().add_directive(Purchase::buy("amzn1.adg.product.premium", "buy-1")).build())
//!     })
//!     .on_purchase_result(Some("Buy"), Some(PurchaseResult::Accepted), |cx: Context| async move {
//!         let product = cx.purchase().and_then(|p| p.product_id).unwrap_or_default();
//!         Ok(cx.reply().speak("Thanks! Premium is yours.").build())
//!     })
//!     .build();
//! # let _ = skill;
//! ```

use std::future::Future;

use serde_json::json;
use skillgate_model::Request;
use skillgate_model::response::ConnectionsSendRequest;

use crate::context::Context;
use crate::handler::HandlerResult;
use crate::skill::SkillBuilder;

/// The purchase directives.
#[derive(Debug, Clone, Copy)]
pub struct Purchase;

impl Purchase {
    /// `Buy`: Alexa offers the product; `token` comes back in the response.
    pub fn buy(product_id: &str, token: &str) -> ConnectionsSendRequest {
        send(
            "Buy",
            json!({"InSkillProduct": {"productId": product_id}}),
            token,
        )
    }

    /// `Upsell`: Alexa says `message`, then offers the product.
    pub fn upsell(product_id: &str, message: &str, token: &str) -> ConnectionsSendRequest {
        send(
            "Upsell",
            json!({"InSkillProduct": {"productId": product_id}, "upsellMessage": message}),
            token,
        )
    }

    /// `Cancel`: Alexa offers to cancel the subscription or return the entitlement.
    pub fn cancel(product_id: &str, token: &str) -> ConnectionsSendRequest {
        send(
            "Cancel",
            json!({"InSkillProduct": {"productId": product_id}}),
            token,
        )
    }
}

fn send(name: &str, payload: serde_json::Value, token: &str) -> ConnectionsSendRequest {
    ConnectionsSendRequest {
        name: name.to_owned(),
        payload: Some(payload),
        token: Some(token.to_owned()),
        extra: Default::default(),
    }
}

/// `purchaseResult` of a purchase's `Connections.Response`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum PurchaseResult {
    /// The user bought it.
    Accepted,
    /// The user said no.
    Declined,
    /// The user already owns it.
    AlreadyPurchased,
    /// Something failed (payment, region).
    Error,
    /// A value this version does not know.
    Other(String),
}

impl PurchaseResult {
    fn parse(text: &str) -> Self {
        match text {
            "ACCEPTED" => Self::Accepted,
            "DECLINED" => Self::Declined,
            "ALREADY_PURCHASED" => Self::AlreadyPurchased,
            "ERROR" => Self::Error,
            other => Self::Other(other.to_owned()),
        }
    }
}

/// A purchase's outcome, read from the `Connections.Response`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PurchaseOutcome {
    /// `Buy`, `Upsell` or `Cancel`.
    pub name: String,
    /// The result.
    pub result: PurchaseResult,
    /// The product.
    pub product_id: Option<String>,
    /// The token the skill sent.
    pub token: Option<String>,
    /// Amazon's message, if any.
    pub message: Option<String>,
}

impl Context {
    /// The outcome of a Buy, Upsell or Cancel, if this request is one.
    pub fn purchase(&self) -> Option<PurchaseOutcome> {
        let Request::ConnectionsResponse(r) = self.request() else {
            return None;
        };
        let name = r.name.clone()?;
        if !matches!(name.as_str(), "Buy" | "Upsell" | "Cancel") {
            return None;
        }
        let payload = r.payload.as_ref();
        let text = |key: &str| {
            payload
                .and_then(|p| p.get(key))
                .and_then(|v| v.as_str())
                .map(str::to_owned)
        };
        Some(PurchaseOutcome {
            result: PurchaseResult::parse(text("purchaseResult").as_deref().unwrap_or("ERROR")),
            product_id: text("productId"),
            message: text("message"),
            token: r.token.clone(),
            name,
        })
    }
}

impl SkillBuilder {
    /// Handles purchase outcomes: `name` (`Buy`, `Upsell`, `Cancel`; `None` for any) and
    /// `result` (`None` for any). Registered among the predicate handlers, in order.
    pub fn on_purchase_result<F, Fut>(
        self,
        name: Option<&str>,
        result: Option<PurchaseResult>,
        handler: F,
    ) -> Self
    where
        F: Fn(Context) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = HandlerResult> + Send + 'static,
    {
        let name = name.map(str::to_owned);
        self.on(
            move |cx: &Context| {
                cx.purchase().is_some_and(|p| {
                    name.as_ref().is_none_or(|n| *n == p.name)
                        && result.as_ref().is_none_or(|r| *r == p.result)
                })
            },
            handler,
        )
    }

    /// Handles the answer to a voice permission request (`Connections.Response` `AskFor`);
    /// read it with [`Context::permission_result`].
    pub fn on_permission_result<F, Fut>(self, handler: F) -> Self
    where
        F: Fn(Context) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = HandlerResult> + Send + 'static,
    {
        self.on(|cx: &Context| cx.permission_result().is_some(), handler)
    }

    /// Handles household-list events (`AlexaHouseholdListEvent.*`); read them with
    /// [`Context::list_event`].
    pub fn on_list_event<F, Fut>(self, handler: F) -> Self
    where
        F: Fn(Context) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = HandlerResult> + Send + 'static,
    {
        self.on_request("AlexaHouseholdListEvent.*", handler)
    }

    /// Handles `Messaging.MessageReceived` (a message from
    /// [`skillgate_alexa_api::OutOfSession::send_skill_message`]; no session, no speech).
    pub fn on_skill_message<F, Fut>(self, handler: F) -> Self
    where
        F: Fn(Context) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = HandlerResult> + Send + 'static,
    {
        self.on_request("Messaging.MessageReceived", handler)
    }
}
