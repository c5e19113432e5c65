//! What a native skill costs per request after verification: `Skill::handle_json` on a
//! request the size Alexa sends (parse the full envelope, route, run the handler, check the
//! answer against Alexa's limits, serialize it), and each part alone; plus the number of heap
//! allocations per request, counted with dhat's allocator and printed before the
//! timings (an allocation added to the hot path shows up there even when the time does not
//! move on a noisy machine).
//!
//! Run: `cargo bench -p skillgate --bench dispatch`; `cargo test -p skillgate --benches` runs
//! each benchmark once as a smoke test.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use skillgate::{Context, HandlerResult, Skill};
use skillgate_model::{RequestEnvelope, limits};

/// dhat's allocator: forwards to the system allocator, and counts every allocation while a
/// `dhat::Profiler` runs (only during the counting, not during the timings).
#[global_allocator]
static ALLOCATOR: dhat::Alloc = dhat::Alloc;

/// Heap blocks allocated by `f`, on average over `runs` calls (a `dhat::Profiler` must run).
fn allocations_per_call(runs: u64, mut f: impl FnMut()) -> f64 {
    let before = dhat::HeapStats::get().total_blocks;
    for _ in 0..runs {
        f();
    }
    (dhat::HeapStats::get().total_blocks - before) as f64 / runs as f64
}

async fn launch(cx: Context) -> HandlerResult {
    Ok(cx
        .reply()
        .speak("Welcome home. Ask me about a device.")
        .reprompt("Try saying: turn on the kitchen light.")
        .keep_session_open()
        .build())
}

async fn device(cx: Context) -> HandlerResult {
    let device = cx.slot_value("device").unwrap_or("device").to_owned();
    Ok(cx
        .reply()
        .speak(&format!("The {device} is on."))
        .simple_card("Home", format!("{device}: on"))
        .end_session()
        .build())
}

fn skill() -> Skill {
    Skill::builder()
        .on_launch(launch)
        .on_intent("DeviceStatusIntent", device)
        .build()
}

/// A request shaped like Alexa's (and `skillgate sign`'s): session, System with device,
/// user and a 1.9 KB API access token, AudioPlayer state.
fn envelope(request: &str) -> Vec<u8> {
    let token =
        "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiIsImtpZCI6IjEifQ.".to_owned() + &"QUJD".repeat(460);
    let user = "amzn1.ask.account.".to_owned() + &"A".repeat(180);
    format!(
        r#"{{"version":"1.0","session":{{"new":true,"sessionId":"amzn1.echo-api.session.0c3d71bc-90c6-4a4e-96a6-681095a096c3","application":{{"applicationId":"amzn1.ask.skill.00000000-0000-4000-8000-000000000000"}},"attributes":{{}},"user":{{"userId":"{user}"}}}},"context":{{"AudioPlayer":{{"playerActivity":"IDLE"}},"System":{{"apiAccessToken":"{token}","apiEndpoint":"https://api.amazonalexa.com","application":{{"applicationId":"amzn1.ask.skill.00000000-0000-4000-8000-000000000000"}},"device":{{"deviceId":"amzn1.ask.device.{device}","supportedInterfaces":{{"AudioPlayer":{{}}}}}},"user":{{"userId":"{user}"}}}}}},"request":{request}}}"#,
        device = "B".repeat(180),
    )
    .into_bytes()
}

const LAUNCH: &str = r#"{"type":"LaunchRequest","requestId":"amzn1.echo-api.request.e4db4b7d-a006-4c66-bb01-c5bfb47334c5","timestamp":"2026-11-30T09:58:19Z","locale":"en-US","shouldLinkResultBeReturned":false}"#;
const INTENT: &str = r#"{"type":"IntentRequest","requestId":"amzn1.echo-api.request.e4db4b7d-a006-4c66-bb01-c5bfb47334c6","timestamp":"2026-11-30T09:58:19Z","locale":"en-US","dialogState":"COMPLETED","intent":{"name":"DeviceStatusIntent","confirmationStatus":"NONE","slots":{"device":{"name":"device","value":"light","confirmationStatus":"NONE","source":"USER"}}}}"#;

fn benches(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let skill = skill();
    let launch = envelope(LAUNCH);
    let intent = envelope(INTENT);
    // One profiler for the counting (dhat allows one per process), dropped before the timings.
    let profiler = dhat::Profiler::builder().testing().build();
    for (name, body) in [("launch", &launch), ("intent", &intent)] {
        let answer = rt
            .block_on(skill.handle_json(body))
            .expect("the bench request is valid");
        assert!(
            String::from_utf8_lossy(&answer).contains("outputSpeech"),
            "the skill answered"
        );
        let per_request = allocations_per_call(200, || {
            black_box(rt.block_on(skill.handle_json(body)).ok());
        });
        let per_parse = allocations_per_call(200, || {
            black_box(RequestEnvelope::from_slice(body).ok());
        });
        eprintln!(
            "allocations per {name} request ({} bytes): handle_json {per_request:.1}, envelope parse {per_parse:.1}",
            body.len()
        );
    }

    drop(profiler);

    let mut group = c.benchmark_group("dispatch");
    group.bench_function("handle_json_launch", |b| {
        b.iter(|| rt.block_on(skill.handle_json(black_box(&launch))))
    });
    group.bench_function("handle_json_intent", |b| {
        b.iter(|| rt.block_on(skill.handle_json(black_box(&intent))))
    });
    // What the framework uses: one pass when every member fits (Alexa's requests).
    group.bench_function("model_parse_launch", |b| {
        b.iter(|| RequestEnvelope::from_slice(black_box(&launch)))
    });
    // The tolerant reading alone (`serde_json::from_slice`), the fallback of the one above.
    group.bench_function("model_parse_launch_tolerant", |b| {
        b.iter(|| serde_json::from_slice::<RequestEnvelope>(black_box(&launch)))
    });
    let parsed: RequestEnvelope = serde_json::from_slice(&launch).expect("parses");
    group.bench_function("route_and_handle_parsed_launch", |b| {
        b.iter(|| rt.block_on(skill.handle(black_box(parsed.clone()))))
    });
    let answer = rt.block_on(skill.handle(parsed.clone()));
    group.bench_function("limits_check_answer", |b| {
        b.iter(|| limits::validate(black_box(&answer), Some(&parsed.request)))
    });
    group.bench_function("response_serialize", |b| {
        b.iter(|| serde_json::to_vec(black_box(&answer)))
    });
    group.finish();
}

criterion_group!(dispatch, benches);
criterion_main!(dispatch);
