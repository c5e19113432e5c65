//! The smallest complete skillgate skill: a greeting, help, stop and cancel, a fallback, and
//! a quiet end of session. Copy it to start your own.
//!
//! Intents it expects in the interaction model: `HelloIntent` (samples such as "say hello")
//! and Amazon's built-ins `AMAZON.HelpIntent`, `AMAZON.StopIntent`, `AMAZON.CancelIntent`,
//! `AMAZON.FallbackIntent`.
#![warn(missing_docs)]

use skillgate::{Context, HandlerResult, Skill};

async fn launch(cx: Context) -> HandlerResult {
    Ok(cx
        .reply()
        .speak("Welcome to hello gate. Say hello, and I will say it back.")
        .reprompt("Say hello.")
        .keep_session_open()
        .build())
}

async fn hello(cx: Context) -> HandlerResult {
    Ok(cx
        .reply()
        .speak("Hello from your own server!")
        .simple_card("Hello", "Hello from your own server!")
        .end_session()
        .build())
}

async fn help(cx: Context) -> HandlerResult {
    Ok(cx
        .reply()
        .speak("You can say hello to me. What would you like to do?")
        .reprompt("Try saying hello.")
        .keep_session_open()
        .build())
}

async fn goodbye(cx: Context) -> HandlerResult {
    Ok(cx.reply().speak("Goodbye!").end_session().build())
}

async fn fallback(cx: Context) -> HandlerResult {
    Ok(cx
        .reply()
        .speak("Sorry, I only know how to say hello. Try saying hello.")
        .reprompt("Say hello.")
        .keep_session_open()
        .build())
}

async fn session_ended(_cx: Context) -> HandlerResult {
    // Nothing to clean up; Alexa accepts no speech here, and the framework sends none.
    Ok(skillgate::Response::default())
}

/// The hello skill.
pub fn skill() -> Skill {
    Skill::builder()
        .on_launch(launch)
        .on_intent("HelloIntent", hello)
        .on_intent("AMAZON.HelpIntent", help)
        .on_intents(&["AMAZON.StopIntent", "AMAZON.CancelIntent"], goodbye)
        .on_intent("AMAZON.FallbackIntent", fallback)
        .on_session_ended(session_ended)
        .fallback(fallback)
        .build()
}
