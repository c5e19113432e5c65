//! Handlers, error handlers and interceptors: the code a skill author registers.
//!
//! Every kind is a trait with a blanket implementation for async closures and `async fn`s, so
//! authors write plain functions:
//!
//! ```
//! use skillgate::{Context, HandlerResult};
//!
//! async fn help(cx: Context) -> HandlerResult {
//!     Ok(cx.reply().speak("Say: turn on the kitchen light.").reprompt("What now?").build())
//! }
//! ```

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use skillgate_model::Response;

use crate::context::Context;
use crate::error::HandlerError;

/// A boxed, sendable future.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// What a handler returns: the response Alexa will get, or an error for the error handlers.
pub type HandlerResult = Result<Response, HandlerError>;

/// A request handler: turns a request (in its [`Context`]) into a response.
pub trait Handler: Send + Sync + 'static {
    /// Handles the request.
    fn handle(&self, cx: Context) -> BoxFuture<'static, HandlerResult>;
}

impl<F, Fut> Handler for F
where
    F: Fn(Context) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = HandlerResult> + Send + 'static,
{
    fn handle(&self, cx: Context) -> BoxFuture<'static, HandlerResult> {
        Box::pin(self(cx))
    }
}

/// A handler in the style of the ASK SDKs: it says itself whether it can handle a request.
/// Register it with [`crate::SkillBuilder::handler`]; it is tried among the predicate handlers.
pub trait RequestHandler: Send + Sync + 'static {
    /// Whether this handler takes the request.
    fn can_handle(&self, cx: &Context) -> bool;
    /// Handles the request.
    fn handle(&self, cx: Context) -> BoxFuture<'static, HandlerResult>;
}

/// A handler for errors (and panics) of handlers and interceptors.
pub trait ErrorHandler: Send + Sync + 'static {
    /// Makes an answer from the error, or fails again (the next error handler is tried, then
    /// the framework's apology).
    fn handle(&self, cx: Context, error: HandlerError) -> BoxFuture<'static, HandlerResult>;
}

impl<F, Fut> ErrorHandler for F
where
    F: Fn(Context, HandlerError) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = HandlerResult> + Send + 'static,
{
    fn handle(&self, cx: Context, error: HandlerError) -> BoxFuture<'static, HandlerResult> {
        Box::pin(self(cx, error))
    }
}

/// Runs before the handler (logging, loading state, checks). An error skips the handler and
/// goes to the error handlers.
pub trait RequestInterceptor: Send + Sync + 'static {
    /// Inspects (and through the context's attributes, prepares) the request.
    fn intercept(&self, cx: Context) -> BoxFuture<'static, Result<(), HandlerError>>;
}

impl<F, Fut> RequestInterceptor for F
where
    F: Fn(Context) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<(), HandlerError>> + Send + 'static,
{
    fn intercept(&self, cx: Context) -> BoxFuture<'static, Result<(), HandlerError>> {
        Box::pin(self(cx))
    }
}

/// Runs after the handler on its response, and may change it. An error goes to the error
/// handlers.
pub trait ResponseInterceptor: Send + Sync + 'static {
    /// Inspects or rewrites the response.
    fn intercept(&self, cx: Context, response: Response) -> BoxFuture<'static, HandlerResult>;
}

impl<F, Fut> ResponseInterceptor for F
where
    F: Fn(Context, Response) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = HandlerResult> + Send + 'static,
{
    fn intercept(&self, cx: Context, response: Response) -> BoxFuture<'static, HandlerResult> {
        Box::pin(self(cx, response))
    }
}

/// A predicate deciding whether a handler takes a request.
pub(crate) type Predicate = Arc<dyn Fn(&Context) -> bool + Send + Sync>;
