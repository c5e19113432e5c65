//! Long answers: work that may outlast Alexa's 8 seconds (an LLM, a slow service).
//!
//! [`Context::long_answer`] starts the work on its own task and sends a progressive response
//! at once. If the work finishes before the soft deadline, its answer is spoken. If not, the
//! user hears "still working, ask me again" with the session open, the work goes on, and its
//! result is kept — in memory, and in the attribute store when nobody is waiting for it —
//! until the user asks again (the same handler calling `long_answer` with the same key), on
//! this or a later session.
//!
//! ```
//! use skillgate::{Context, HandlerResult};
//! use skillgate::long_answer::LongAnswer;
//!
//! async fn plan_trip(cx: Context) -> HandlerResult {
//!     cx.long_answer(LongAnswer::new("trip-plan"), async {
//!         // … ask the slow back end …
//!         Ok("Here is your plan: …".to_owned())
//!     })
//!     .await
//! }
//! ```

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use serde_json::{Map, Value};

use crate::attributes::{AttributesKey, AttributesStore, StoreError};
use crate::context::Context;
use crate::error::HandlerError;
use crate::handler::HandlerResult;

/// Where kept results live in the persistent attributes.
pub const ATTRIBUTE: &str = "_skillgate_long_answers";

/// How long before the skill's deadline the user hears "still working".
pub const DEFAULT_SOFT_MARGIN: Duration = Duration::from_millis(1500);

/// How a long answer is told.
#[derive(Debug, Clone)]
pub struct LongAnswer {
    key: String,
    progress: Option<String>,
    still_working: String,
    reprompt: String,
    failed: String,
    soft_margin: Duration,
}

impl LongAnswer {
    /// A long answer kept under `key` (one per question: `"trip-plan"`).
    pub fn new(key: impl Into<String>) -> Self {
        Self {
            key: key.into(),
            progress: Some("One moment, I'm working on it.".to_owned()),
            still_working: "I'm still working on that. Ask me again in a moment.".to_owned(),
            reprompt: "Ask me again in a moment.".to_owned(),
            failed: "Sorry, I couldn't finish that. Please try again later.".to_owned(),
            soft_margin: DEFAULT_SOFT_MARGIN,
        }
    }

    /// What the progressive response says (`None`: no progressive response).
    pub fn progress(mut self, speech: Option<&str>) -> Self {
        self.progress = speech.map(str::to_owned);
        self
    }

    /// What the user hears when the work is not done by the soft deadline, and the reprompt.
    pub fn still_working(mut self, speech: &str, reprompt: &str) -> Self {
        self.still_working = speech.to_owned();
        self.reprompt = reprompt.to_owned();
        self
    }

    /// What the user hears when the work failed or panicked (the error is logged).
    pub fn failed(mut self, speech: &str) -> Self {
        self.failed = speech.to_owned();
        self
    }

    /// How long before the skill's deadline to stop waiting (default
    /// [`DEFAULT_SOFT_MARGIN`]).
    pub fn soft_margin(mut self, margin: Duration) -> Self {
        self.soft_margin = margin;
        self
    }
}

type Outcome = Result<String, String>;

enum Slot {
    /// Running; `waiting` when a request is waiting for it right now.
    Running {
        waiting: bool,
        done: Arc<tokio::sync::Notify>,
    },
    /// Finished, not yet delivered.
    Done(Outcome),
}

/// The jobs of one skill, by user and key.
#[derive(Default)]
pub(crate) struct LongAnswers {
    slots: Mutex<HashMap<String, Slot>>,
}

impl LongAnswers {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Slot>> {
        self.slots.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// What a request found for its key.
enum Found {
    Done(Outcome),
    Running(Arc<tokio::sync::Notify>),
    Nothing,
}

impl Context {
    /// Runs `work` as a long answer (see the module documentation).
    pub async fn long_answer<F>(&self, options: LongAnswer, work: F) -> HandlerResult
    where
        F: Future<Output = Result<String, HandlerError>> + Send + 'static,
    {
        let user = self.user_id().unwrap_or("anonymous").to_owned();
        let job = format!("{user}\u{1f}{}", options.key);
        let answers = Arc::clone(&self.shared().services.long_answers);
        // A result kept from an earlier turn: in memory, else in the store.
        let found = {
            let mut slots = answers.lock();
            match slots.remove(&job) {
                Some(Slot::Done(outcome)) => Found::Done(outcome),
                Some(Slot::Running { done, .. }) => {
                    slots.insert(
                        job.clone(),
                        Slot::Running {
                            waiting: true,
                            done: Arc::clone(&done),
                        },
                    );
                    Found::Running(done)
                }
                None => Found::Nothing,
            }
        };
        let kept = self.take_kept(&options.key).await?;
        let done = match (found, kept) {
            (Found::Done(outcome), _) => return self.deliver(outcome, &options),
            (Found::Nothing, Some(outcome)) => return self.deliver(outcome, &options),
            (Found::Running(done), _) => done,
            (Found::Nothing, None) => {
                let done = Arc::new(tokio::sync::Notify::new());
                answers.lock().insert(
                    job.clone(),
                    Slot::Running {
                        waiting: true,
                        done: Arc::clone(&done),
                    },
                );
                self.spawn(job.clone(), options.key.clone(), work, Arc::clone(&answers));
                if let Some(progress) = &options.progress {
                    self.say_progress(progress).await;
                }
                done
            }
        };
        let soft = self
            .deadline()
            .checked_sub(options.soft_margin)
            .unwrap_or_else(Instant::now);
        let _ =
            tokio::time::timeout_at(tokio::time::Instant::from_std(soft), done.notified()).await;
        let mut slots = answers.lock();
        match slots.remove(&job) {
            Some(Slot::Done(outcome)) => {
                drop(slots);
                self.deliver(outcome, &options)
            }
            Some(Slot::Running { done, .. }) => {
                slots.insert(
                    job,
                    Slot::Running {
                        waiting: false,
                        done,
                    },
                );
                drop(slots);
                self.set_session_attribute("_skillgate_pending", Value::String(options.key));
                Ok(self
                    .reply()
                    .speak(&options.still_working)
                    .reprompt(&options.reprompt)
                    .keep_session_open()
                    .build())
            }
            None => Ok(self
                .reply()
                .speak(&options.still_working)
                .reprompt(&options.reprompt)
                .keep_session_open()
                .build()),
        }
    }

    /// Speaks a finished result. A failure is spoken as the `failed` text rather than
    /// returned as an error, so the request still ends normally and the kept result is
    /// removed from the store with the request's attributes.
    fn deliver(&self, outcome: Outcome, options: &LongAnswer) -> HandlerResult {
        self.set_session_attribute("_skillgate_pending", Value::Null);
        match outcome {
            Ok(speech) => Ok(self.reply().speak(&speech).build()),
            Err(message) => {
                tracing::error!(key = %options.key, error = %message, "long answer failed");
                Ok(self.reply().speak(&options.failed).build())
            }
        }
    }

    /// Sends the progressive response (a debug line if it fails; nothing to send without the
    /// `alexa-api` feature).
    #[cfg(feature = "alexa-api")]
    async fn say_progress(&self, speech: &str) {
        if let Err(error) = self
            .progressive_within(speech, Duration::from_secs(1))
            .await
        {
            tracing::debug!(reason = error.reason(), "progressive response not sent");
        }
    }

    #[cfg(not(feature = "alexa-api"))]
    async fn say_progress(&self, speech: &str) {
        tracing::debug!(
            speech_bytes = speech.len(),
            "progressive response not sent: built without the alexa-api feature"
        );
    }

    /// A result kept in the persistent attributes, removed from them (the change is saved
    /// with the rest of the request's attributes).
    async fn take_kept(&self, key: &str) -> Result<Option<Outcome>, HandlerError> {
        if self.attributes_key().is_err() {
            return Ok(None);
        }
        let mut value = self.attributes_value().await?;
        let Some(kept) = value
            .get_mut(ATTRIBUTE)
            .and_then(Value::as_object_mut)
            .and_then(|m| m.remove(key))
        else {
            return Ok(None);
        };
        if value[ATTRIBUTE].as_object().is_some_and(Map::is_empty) {
            if let Some(map) = value.as_object_mut() {
                map.remove(ATTRIBUTE);
            }
        }
        self.set_attributes(&value).await?;
        Ok(Some(match kept {
            Value::String(s) => Ok(s),
            other => Err(other
                .get("error")
                .and_then(Value::as_str)
                .unwrap_or("failed")
                .to_owned()),
        }))
    }

    fn spawn<F>(&self, job: String, key: String, work: F, answers: Arc<LongAnswers>)
    where
        F: Future<Output = Result<String, HandlerError>> + Send + 'static,
    {
        let store = Arc::clone(&self.shared().store);
        let attributes_key = self.attributes_key().ok();
        tokio::spawn(async move {
            // A panicking job must not leave its key "still working" forever.
            let outcome =
                match futures_util::FutureExt::catch_unwind(std::panic::AssertUnwindSafe(work))
                    .await
                {
                    Ok(result) => result.map_err(|e| e.to_string()),
                    Err(_) => Err("the long answer's work panicked".to_owned()),
                };
            let persist = {
                let mut slots = answers.lock();
                let waiting = match slots.get(&job) {
                    Some(Slot::Running { waiting, done }) => {
                        done.notify_one();
                        *waiting
                    }
                    _ => false,
                };
                slots.insert(job, Slot::Done(outcome.clone()));
                !waiting
            };
            if persist {
                if let Some(attributes_key) = attributes_key {
                    if let Err(error) = keep(store.as_ref(), &attributes_key, &key, &outcome).await
                    {
                        tracing::warn!(%error, "cannot keep a long answer in the attribute store");
                    }
                }
            }
        });
    }
}

/// Writes a finished result into the user's persistent attributes (a few tries on conflict).
async fn keep(
    store: &dyn AttributesStore,
    attributes_key: &AttributesKey,
    key: &str,
    outcome: &Outcome,
) -> Result<(), StoreError> {
    let kept = match outcome {
        Ok(speech) => Value::String(speech.clone()),
        Err(message) => serde_json::json!({ "error": message }),
    };
    let mut last = None;
    for _ in 0..3 {
        let stored = store.load(attributes_key).await?;
        let (mut value, version) = match stored {
            Some(s) => (s.value, Some(s.version)),
            None => (Value::Object(Map::new()), None),
        };
        let Some(map) = value.as_object_mut() else {
            return Ok(());
        };
        let slot = map
            .entry(ATTRIBUTE)
            .or_insert_with(|| Value::Object(Map::new()));
        if let Some(slot) = slot.as_object_mut() {
            slot.insert(key.to_owned(), kept.clone());
        }
        match store.save(attributes_key, &value, version).await {
            Ok(_) => return Ok(()),
            Err(e @ StoreError::Conflict { .. }) => last = Some(e),
            Err(e) => return Err(e),
        }
    }
    Err(last.unwrap_or(StoreError::Conflict {
        expected: None,
        found: None,
    }))
}
