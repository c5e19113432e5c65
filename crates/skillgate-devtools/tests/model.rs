//! Every envelope the devtools build parses with the framework's model, with no field the
//! model does not know (a typo in a field name would land in `extra`).

use skillgate_devtools::envelope::{self, Identity, Intent, RequestKind, Session};
use skillgate_model::{Request, RequestEnvelope};
use time::OffsetDateTime;

fn parse(kind: &RequestKind, identity: &Identity) -> RequestEnvelope {
    let mut session = Session::fresh();
    session
        .attributes
        .insert("lastDevice".into(), serde_json::json!("light"));
    let value = envelope::build(kind, identity, &session, OffsetDateTime::now_utc());
    let parsed: RequestEnvelope = serde_json::from_slice(&envelope::to_body(&value)).unwrap();
    assert_eq!(parsed.version, "1.0");
    assert!(parsed.extra.is_empty(), "{:?}", parsed.extra);
    let s = parsed.session.as_ref().unwrap();
    assert_eq!(s.session_id, session.id);
    assert!(s.new);
    let context = parsed.context.as_ref().unwrap();
    assert!(context.system.is_some());
    assert_eq!(context.viewport.is_some(), identity.screen);
    parsed
}

#[test]
fn launch_intent_and_session_end_parse_with_the_model() {
    let plain = Identity::default();
    let screen = Identity {
        screen: true,
        ..Identity::default()
    };
    for identity in [&plain, &screen] {
        let launch = parse(&RequestKind::Launch, identity);
        assert!(matches!(launch.request, Request::Launch(_)));

        let mut intent = Intent::named("TurnOnIntent");
        intent.set_slot("device", "light");
        intent.set_slot("room", "kitchen");
        let parsed = parse(&RequestKind::Intent(intent), identity);
        let Request::Intent(req) = parsed.request else {
            panic!("not an intent request");
        };
        assert_eq!(req.intent.name, "TurnOnIntent");
        assert_eq!(req.intent.slots["device"].value.as_deref(), Some("light"));
        assert_eq!(req.intent.slots["room"].value.as_deref(), Some("kitchen"));
        assert!(req.dialog_state.is_some());
        assert!(req.extra.is_empty(), "{:?}", req.extra);
        assert!(req.intent.extra.is_empty(), "{:?}", req.intent.extra);

        let ended = parse(
            &RequestKind::SessionEnded {
                reason: "USER_INITIATED".into(),
            },
            identity,
        );
        let Request::SessionEnded(req) = ended.request else {
            panic!("not a session end");
        };
        assert!(req.reason.is_some());
    }
}
