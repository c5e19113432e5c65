//! Errors: [`HandlerError`] for what a handler returns, [`SkillError`] for what the framework
//! reports.

use std::fmt;
use std::time::Duration;

use skillgate_model::limits::Violations;

use crate::attributes::StoreError;

/// The error a handler returns. Any `std::error::Error` converts into it, so `?` works inside
/// handlers on any fallible call; [`HandlerError::msg`] makes one from text.
///
/// Like `anyhow::Error`, it deliberately does not implement `std::error::Error` itself (that
/// would conflict with the blanket conversion).
pub struct HandlerError {
    kind: HandlerErrorKind,
}

enum HandlerErrorKind {
    Message(String),
    Source(Box<dyn std::error::Error + Send + Sync + 'static>),
    Panic(String),
}

impl HandlerError {
    /// An error with a message.
    pub fn msg(message: impl fmt::Display) -> Self {
        Self {
            kind: HandlerErrorKind::Message(message.to_string()),
        }
    }

    /// The error that stands for a handler that panicked (with the panic's message).
    pub fn panic(message: impl Into<String>) -> Self {
        Self {
            kind: HandlerErrorKind::Panic(message.into()),
        }
    }

    /// Whether this error stands for a panic caught by the framework.
    pub fn is_panic(&self) -> bool {
        matches!(self.kind, HandlerErrorKind::Panic(_))
    }

    /// The wrapped error, when it was made from one.
    pub fn source_error(&self) -> Option<&(dyn std::error::Error + Send + Sync + 'static)> {
        match &self.kind {
            HandlerErrorKind::Source(e) => Some(e.as_ref()),
            _ => None,
        }
    }

    /// Downcasts the wrapped error.
    pub fn downcast_ref<E: std::error::Error + 'static>(&self) -> Option<&E> {
        self.source_error().and_then(|e| e.downcast_ref::<E>())
    }
}

impl<E: std::error::Error + Send + Sync + 'static> From<E> for HandlerError {
    fn from(error: E) -> Self {
        Self {
            kind: HandlerErrorKind::Source(Box::new(error)),
        }
    }
}

impl fmt::Display for HandlerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            HandlerErrorKind::Message(m) => f.write_str(m),
            HandlerErrorKind::Source(e) => {
                write!(f, "{e}")?;
                let mut source = e.source();
                while let Some(s) = source {
                    write!(f, ": {s}")?;
                    source = s.source();
                }
                Ok(())
            }
            HandlerErrorKind::Panic(m) => write!(f, "handler panicked: {m}"),
        }
    }
}

impl fmt::Debug for HandlerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "HandlerError({self})")
    }
}

/// What went wrong while a skill answered a request. [`crate::Skill::handle`] turns each of
/// these into a spoken apology (or an empty answer where speech is not allowed);
/// [`crate::Skill::try_handle`] returns them so authors see them in tests.
#[derive(Debug, thiserror::Error)]
pub enum SkillError {
    /// The body is not a request envelope.
    #[error("the body is not an Alexa request envelope: {0}")]
    InvalidRequest(#[source] serde_json::Error),
    /// The response could not be serialized.
    #[error("cannot serialize the response: {0}")]
    Serialize(#[source] serde_json::Error),
    /// A handler (or interceptor) failed and no error handler produced an answer.
    #[error("{stage} failed: {message}")]
    Handler {
        /// Which handler or interceptor failed.
        stage: String,
        /// The error's message.
        message: String,
    },
    /// The skill was still running at the deadline.
    #[error("{stage} was still running at the {deadline:?} deadline")]
    Deadline {
        /// Which handler or interceptor overran.
        stage: String,
        /// The deadline.
        deadline: Duration,
    },
    /// The response breaks one or more of Alexa's rules and would be rejected.
    #[error("the response breaks Alexa's limits: {violations}")]
    Limits {
        /// Every violated limit, each naming its rule.
        violations: Violations,
    },
    /// The persistent attributes could not be loaded or saved.
    #[error("persistent attributes: {0}")]
    Attributes(#[from] StoreError),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    #[error("outer")]
    struct Outer(#[source] std::io::Error);

    #[test]
    fn any_error_converts_and_keeps_its_chain() {
        fn fallible() -> Result<(), HandlerError> {
            Err(Outer(std::io::Error::other("inner")))?;
            Ok(())
        }
        let e = fallible().unwrap_err();
        assert_eq!(e.to_string(), "outer: inner");
        assert!(e.downcast_ref::<Outer>().is_some());
        assert!(!e.is_panic());
    }

    #[test]
    fn messages_and_panics() {
        assert_eq!(HandlerError::msg("boom").to_string(), "boom");
        let p = HandlerError::panic("index out of bounds");
        assert!(p.is_panic());
        assert_eq!(p.to_string(), "handler panicked: index out of bounds");
        assert!(p.source_error().is_none());
    }
}
