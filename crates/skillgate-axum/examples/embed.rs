//! Mount Alexa request verification in your own axum application.
//!
//! Run: `cargo run -p skillgate-axum --example embed` (then POST to
//! http://127.0.0.1:3000/alexa; unsigned requests get 400, as they should).
//! Put it behind TLS on 443 (or use `skillgate serve`) for Alexa to reach it.

use std::sync::Arc;

use axum::Router;
use axum::routing::{get, post};
use skillgate_axum::{AlexaVerifyLayer, VerifiedAlexaRequest};
use skillgate_verify::{HttpsChainSource, Verifier, VerifierConfig};

/// Only verified requests reach this handler: the layer answered everything else.
async fn alexa(request: VerifiedAlexaRequest) -> axum::Json<serde_json::Value> {
    let v = &request.verified;
    tracing::info!(request_id = %v.request_id, request_type = %v.request_type, "verified");
    // `request.body` holds the exact bytes Alexa signed: parse them with skillgate-model.
    axum::Json(serde_json::json!({
        "version": "1.0",
        "response": {
            "outputSpeech": {"type": "PlainText", "text": "Hello from my own axum app."},
            "shouldEndSession": true
        }
    }))
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    tracing_subscriber::fmt().init();
    // Your skill id from the Alexa developer console.
    let config =
        VerifierConfig::for_skills(["amzn1.ask.skill.00000000-0000-0000-0000-000000000000"]);
    let verifier = Verifier::new(config, Arc::new(HttpsChainSource::with_defaults()?))?;
    let app = Router::new()
        // The layer applies to the routes added before it.
        .route("/alexa", post(alexa))
        .layer(AlexaVerifyLayer::new(Arc::new(verifier)).max_body_bytes(64 * 1024))
        // Routes added after the layer are not verified.
        .route("/healthz", get(|| async { "ok" }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:3000").await?;
    println!("listening on http://{}/alexa", listener.local_addr()?);
    axum::serve(listener, app).await?;
    Ok(())
}
