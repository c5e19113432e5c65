//! Routing: which registered handler answers a request (no I/O, no awaiting).
//!
//! The order, documented on [`crate::SkillBuilder`] and tested here:
//!
//! 1. specific registrations (`on_launch`, `on_intent`, `on_session_ended`, `on_request`), the
//!    first match in registration order;
//! 2. predicate handlers (`on`, `handler`), the first match in registration order;
//! 3. the fallback.

use std::sync::Arc;

use crate::context::Context;
use crate::handler::{Handler, Predicate, RequestHandler};

/// What a specific registration matches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Matcher {
    /// An `IntentRequest` for this intent name (exact, case-sensitive, like Alexa's names).
    Intent(String),
    /// A request of this type (`LaunchRequest`, `AudioPlayer.PlaybackStarted`); a pattern
    /// ending in `.*` matches every type with that prefix (`AudioPlayer.*`).
    RequestType(String),
}

impl Matcher {
    fn matches(&self, request_type: &str, intent_name: Option<&str>) -> bool {
        match self {
            Self::Intent(name) => {
                request_type == "IntentRequest" && intent_name == Some(name.as_str())
            }
            Self::RequestType(pattern) => match pattern.strip_suffix('*') {
                Some(prefix) if prefix.ends_with('.') => request_type.starts_with(prefix),
                _ => request_type == pattern,
            },
        }
    }

    fn label(&self) -> String {
        match self {
            Self::Intent(name) => format!("intent handler {name}"),
            Self::RequestType(t) => format!("request handler {t}"),
        }
    }
}

/// A predicate-tier registration.
pub(crate) enum General {
    /// `.on(predicate, handler)`.
    Predicate(Predicate, Arc<dyn Handler>),
    /// `.handler(h)` with its own `can_handle`.
    Custom(Arc<dyn RequestHandler>),
}

/// The handler chosen for a request.
pub(crate) enum Selected<'a> {
    /// A plain handler.
    Plain(&'a Arc<dyn Handler>),
    /// An ASK-style handler.
    Custom(&'a Arc<dyn RequestHandler>),
    /// No handler matched and no fallback is registered.
    None,
}

/// The routing table.
#[derive(Default)]
pub(crate) struct Router {
    specific: Vec<(Matcher, Arc<dyn Handler>)>,
    general: Vec<General>,
    fallback: Option<Arc<dyn Handler>>,
}

impl Router {
    pub(crate) fn add_specific(&mut self, matcher: Matcher, handler: Arc<dyn Handler>) {
        self.specific.push((matcher, handler));
    }

    pub(crate) fn add_general(&mut self, general: General) {
        self.general.push(general);
    }

    pub(crate) fn set_fallback(&mut self, handler: Arc<dyn Handler>) {
        self.fallback = Some(handler);
    }

    /// The handler for a request, with a label naming it for the log. `use_fallback` false
    /// skips the fallback (see the skill's rule for SessionEndedRequest).
    pub(crate) fn select(&self, cx: &Context, use_fallback: bool) -> (Selected<'_>, String) {
        let request_type = cx.request_type();
        let intent_name = cx.intent_name();
        if let Some((matcher, handler)) = self
            .specific
            .iter()
            .find(|(m, _)| m.matches(request_type, intent_name))
        {
            return (Selected::Plain(handler), matcher.label());
        }
        for (i, general) in self.general.iter().enumerate() {
            match general {
                General::Predicate(predicate, handler) if predicate(cx) => {
                    return (
                        Selected::Plain(handler),
                        format!("predicate handler #{}", i + 1),
                    );
                }
                General::Custom(handler) if handler.can_handle(cx) => {
                    return (Selected::Custom(handler), format!("handler #{}", i + 1));
                }
                _ => {}
            }
        }
        match &self.fallback {
            Some(handler) if use_fallback => (Selected::Plain(handler), "fallback handler".into()),
            _ => (Selected::None, "default handler".into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intent_matcher() {
        let m = Matcher::Intent("AMAZON.HelpIntent".into());
        assert!(m.matches("IntentRequest", Some("AMAZON.HelpIntent")));
        assert!(!m.matches("IntentRequest", Some("amazon.helpintent")));
        assert!(!m.matches("CanFulfillIntentRequest", Some("AMAZON.HelpIntent")));
        assert!(!m.matches("IntentRequest", None));
    }

    #[test]
    fn request_type_matcher_and_prefix() {
        let exact = Matcher::RequestType("AudioPlayer.PlaybackStarted".into());
        assert!(exact.matches("AudioPlayer.PlaybackStarted", None));
        assert!(!exact.matches("AudioPlayer.PlaybackStopped", None));
        let prefix = Matcher::RequestType("AudioPlayer.*".into());
        assert!(prefix.matches("AudioPlayer.PlaybackStopped", None));
        assert!(!prefix.matches("AudioPlayerX", None));
        assert!(!prefix.matches("PlaybackController.NextCommandIssued", None));
        // A star not after a dot is literal.
        let odd = Matcher::RequestType("Audio*".into());
        assert!(!odd.matches("AudioPlayer.PlaybackStarted", None));
        assert!(odd.matches("Audio*", None));
    }
}
