//! The HTML of the console: the page layout and the requests pane (rows and detail).
//! Everything goes through maud, which escapes every interpolated value: request bodies
//! are attacker-controlled and are only ever shown as text.

use maud::{DOCTYPE, Markup, html};

use crate::entry::{Entry, Step};

/// Which pane a page shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pane {
    /// The live requests list.
    Requests,
    /// The simulator.
    Simulator,
    /// The interaction model.
    Model,
}

/// A whole page: header, navigation, then `body`.
pub fn layout(pane: Pane, body: Markup) -> Markup {
    let link = |target: Pane, href: &str, label: &str| {
        html! {
            a href=(href) aria-current=[(pane == target).then_some("page")] { (label) }
        }
    };
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { "skillgate console" }
                link rel="stylesheet" href="/console/assets/console.css";
                script src="/console/assets/console.js" defer {}
            }
            body {
                header {
                    h1 { "skillgate console" }
                    nav {
                        (link(Pane::Requests, "/console/", "Requests"))
                        (link(Pane::Simulator, "/console/simulator", "Simulator"))
                        (link(Pane::Model, "/console/model", "Model"))
                    }
                    span.dev { "development only" }
                }
                main { (body) }
            }
        }
    }
}

/// The requests pane: filters, the table (newest first), the detail area.
pub fn requests(entries: &[std::sync::Arc<Entry>], skills: &[String], last_seq: u64) -> Markup {
    html! {
        section #requests-pane data-last-seq=(last_seq) {
            div.toolbar {
                label { "Skill "
                    select #filter-skill {
                        option value="" { "all" }
                        @for skill in skills { option value=(skill) { (skill) } }
                    }
                }
                label { "Outcome "
                    select #filter-outcome {
                        option value="" { "all" }
                        option value="verified" { "verified" }
                        option value="refused" { "refused" }
                        option value="error" { "skill error" }
                    }
                }
                span #live-status.status { "connecting…" }
            }
            div.scroll {
                table #requests {
                    thead { tr {
                        th { "time" } th { "skill" } th { "type" } th { "intent and slots" }
                        th { "verdict" } th { "status" } th { "ms" } th { "said" }
                    } }
                    tbody #request-rows {
                        @for entry in entries.iter().rev() { (row(entry)) }
                    }
                }
            }
            p.empty #no-requests hidden[!entries.is_empty()] {
                "No request yet: run " code { "skillgate invoke" } " or use the simulator."
            }
            section #detail aria-live="polite" {}
        }
    }
}

/// One table row (also the data of a server-sent event).
pub fn row(entry: &Entry) -> Markup {
    let class = entry.class.as_str();
    html! {
        tr.request.(class) data-seq=(entry.seq) data-skill=(entry.skill) data-outcome=(class)
            tabindex="0" {
            td { (entry.time) }
            td { (entry.skill) }
            td { (entry.request_type) }
            td.intent {
                (entry.intent)
                @for (name, value) in &entry.slots {
                    " " span.slot { (name) "=" span.value { (value) } }
                }
            }
            td.verdict {
                @match (entry.failed_check, entry.reason) {
                    (Some(check), Some(reason)) => { "refused: " (check) " (" (reason) ")" }
                    (None, Some(reason)) => { "refused (" (reason) ")" }
                    _ => { (entry.outcome) }
                }
            }
            td { (entry.status) }
            td { (format!("{:.1}", entry.latency_ms)) }
            td.said { (entry.said) }
        }
    }
}

/// The detail of one request: verdict, steps, request and response JSON.
pub fn detail(entry: &Entry) -> Markup {
    html! {
        h2 { "Request #" (entry.seq) " — " (entry.skill) }
        dl.summary {
            dt { "time (UTC)" } dd { (entry.time) }
            dt { "type" } dd { (entry.request_type) }
            dt { "intent" } dd { (entry.intent) }
            dt { "verdict" } dd.verdict {
                @if let Some(reason) = entry.reason {
                    "refused by " (entry.failed_check.unwrap_or("?")) ": " (reason)
                    @if let Some(detail) = &entry.detail { " — " (detail) }
                } @else { "verified; " (entry.outcome) }
            }
            dt { "status" } dd { (entry.status) }
            dt { "latency" } dd { (format!("{:.1} ms", entry.latency_ms)) }
            dt { "said" } dd { (entry.said) }
        }
        h3 { "Verifier steps" }
        ol.steps {
            @for (name, step) in &entry.steps {
                @let (class, label) = match step {
                    Step::Passed => ("passed", "passed"),
                    Step::Failed => ("failed", "FAILED"),
                    Step::NotRun => ("notrun", "not run"),
                };
                li.(class) { (name) ": " (label) }
            }
        }
        h3 { "Request (tokens masked)" }
        pre.json #request-json { (entry.request_json) }
        h3 { "Response" }
        pre.json #response-json {
            @if entry.response_json.is_empty() { "(none: the request was refused)" }
            @else { (entry.response_json) }
        }
    }
}

/// A markup fragment on one line (newlines as character references), for an SSE `data:`.
pub fn one_line(markup: Markup) -> String {
    markup
        .into_string()
        .replace('\r', "&#13;")
        .replace('\n', "&#10;")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entry::Class;

    fn hostile() -> Entry {
        Entry {
            seq: 3,
            time: "00:00:00.000".into(),
            skill: "home\"><b>".into(),
            request_type: "IntentRequest".into(),
            intent: "<img src=x onerror=alert(1)>".into(),
            slots: vec![("room".into(), "<script>window.pwned=1</script>\nx".into())],
            class: Class::Refused,
            outcome: "rejected",
            failed_check: Some("signature"),
            reason: Some("signature_mismatch"),
            detail: Some("</td><script>".into()),
            status: 400,
            latency_ms: 1.0,
            said: "&amp;".into(),
            request_json: "{\"a\":\"</pre><script>\"}".into(),
            response_json: String::new(),
            steps: vec![("signature", Step::Failed)],
        }
    }

    #[test]
    fn everything_from_a_request_is_escaped() {
        let e = hostile();
        for html in [
            row(&e).into_string(),
            detail(&e).into_string(),
            one_line(row(&e)),
        ] {
            assert!(!html.contains("<script"), "{html}");
            assert!(!html.contains("<img"), "{html}");
            assert!(!html.contains("<b>"), "{html}");
            assert!(html.contains("&lt;script&gt;"), "{html}");
        }
        assert!(row(&e).into_string().contains("&amp;amp;"));
        assert!(
            row(&e)
                .into_string()
                .contains("data-skill=\"home&quot;&gt;&lt;b&gt;\"")
        );
        assert!(!one_line(row(&e)).contains('\n'));
    }

    #[test]
    fn the_page_links_only_its_own_assets() {
        let page = layout(Pane::Requests, requests(&[], &["home".into()], 0)).into_string();
        assert!(page.starts_with("<!DOCTYPE html>"));
        assert!(page.contains("src=\"/console/assets/console.js\""));
        assert!(!page.contains("<script>"), "no inline script: {page}");
        assert!(!page.contains("style="), "no inline style: {page}");
    }
}
