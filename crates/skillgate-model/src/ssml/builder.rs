//! A small builder for SSML documents that escapes every piece of text it is given.

use super::escape::escape;

/// Builds an SSML document piece by piece. Text and attribute values are escaped, so the
/// result is always well-formed.
///
/// ```
/// use skillgate_model::ssml::Ssml;
///
/// let ssml = Ssml::new()
///     .text("Tom & Jerry")
///     .pause_ms(300)
///     .say_as("digits", "42")
///     .build();
/// assert_eq!(
///     ssml,
///     r#"<speak>Tom &amp; Jerry<break time="300ms"/><say-as interpret-as="digits">42</say-as></speak>"#
/// );
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Ssml {
    body: String,
}

impl Ssml {
    /// An empty document.
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends text (escaped).
    pub fn text(mut self, text: &str) -> Self {
        self.body.push_str(&escape(text));
        self
    }

    /// Appends an SSML fragment as is. The caller vouches that it is well-formed; use
    /// [`super::check`] on the result if unsure.
    pub fn raw(mut self, fragment: &str) -> Self {
        self.body.push_str(fragment);
        self
    }

    /// Appends a pause: `<break time="Nms"/>` (Alexa allows at most 10 seconds).
    pub fn pause_ms(mut self, milliseconds: u32) -> Self {
        self.body
            .push_str(&format!("<break time=\"{milliseconds}ms\"/>"));
        self
    }

    /// Appends a pause of a given SSML time: `<break time="…"/>`, e.g. `"1s"` or `"250ms"`.
    pub fn break_time(self, time: &str) -> Self {
        self.empty_element("break", &[("time", time)])
    }

    /// Appends a pause by strength: `<break strength="…"/>` (`none`, `x-weak`, `weak`,
    /// `medium`, `strong`, `x-strong`).
    pub fn pause_strength(self, strength: &str) -> Self {
        self.empty_element("break", &[("strength", strength)])
    }

    /// Appends `<say-as interpret-as="…">text</say-as>` (`characters`, `digits`, `cardinal`,
    /// `ordinal`, `date`, `telephone`, `interjection`, `expletive`, …).
    pub fn say_as(self, interpret_as: &str, text: &str) -> Self {
        self.element("say-as", &[("interpret-as", interpret_as)], text)
    }

    /// Appends an audio clip: `<audio src="…"/>` (an HTTPS MP3; at most five per response).
    pub fn audio(self, src: &str) -> Self {
        self.empty_element("audio", &[("src", src)])
    }

    /// Appends `<emphasis level="…">text</emphasis>` (`strong`, `moderate`, `reduced`).
    pub fn emphasis(self, level: &str, text: &str) -> Self {
        self.element("emphasis", &[("level", level)], text)
    }

    /// Appends a sentence: `<s>text</s>`.
    pub fn sentence(self, text: &str) -> Self {
        self.element("s", &[], text)
    }

    /// Appends a paragraph: `<p>text</p>`.
    pub fn paragraph(self, text: &str) -> Self {
        self.element("p", &[], text)
    }

    /// Appends `<sub alias="…">text</sub>`: speak `alias` instead of `text`.
    pub fn sub(self, alias: &str, text: &str) -> Self {
        self.element("sub", &[("alias", alias)], text)
    }

    /// Appends `<lang xml:lang="…">text</lang>`.
    pub fn lang(self, language: &str, text: &str) -> Self {
        self.element("lang", &[("xml:lang", language)], text)
    }

    /// Appends `<voice name="…">text</voice>` (an Amazon Polly voice).
    pub fn voice(self, name: &str, text: &str) -> Self {
        self.element("voice", &[("name", name)], text)
    }

    /// Appends `<phoneme alphabet="…" ph="…">text</phoneme>` (`ipa` or `x-sampa`).
    pub fn phoneme(self, alphabet: &str, ph: &str, text: &str) -> Self {
        self.element("phoneme", &[("alphabet", alphabet), ("ph", ph)], text)
    }

    /// Appends `<prosody …>text</prosody>` with the given attributes (`rate`, `pitch`,
    /// `volume`).
    pub fn prosody(self, attributes: &[(&str, &str)], text: &str) -> Self {
        self.element("prosody", attributes, text)
    }

    /// Appends whispered text: `<amazon:effect name="whispered">text</amazon:effect>`.
    pub fn whisper(self, text: &str) -> Self {
        self.element("amazon:effect", &[("name", "whispered")], text)
    }

    /// Appends `<name attr="value" …>text</name>` with text and values escaped.
    pub fn element(mut self, name: &str, attributes: &[(&str, &str)], text: &str) -> Self {
        self.open(name, attributes);
        self.body.push('>');
        self.body.push_str(&escape(text));
        self.body.push_str("</");
        self.body.push_str(name);
        self.body.push('>');
        self
    }

    /// Appends `<name attr="value" …/>` with values escaped.
    pub fn empty_element(mut self, name: &str, attributes: &[(&str, &str)]) -> Self {
        self.open(name, attributes);
        self.body.push_str("/>");
        self
    }

    fn open(&mut self, name: &str, attributes: &[(&str, &str)]) {
        self.body.push('<');
        self.body.push_str(name);
        for (key, value) in attributes {
            self.body.push(' ');
            self.body.push_str(key);
            self.body.push_str("=\"");
            self.body.push_str(&escape(value));
            self.body.push('"');
        }
    }

    /// The content so far, without `<speak>`.
    pub fn fragment(&self) -> &str {
        &self.body
    }

    /// The document: the content wrapped in `<speak>…</speak>`.
    pub fn build(&self) -> String {
        format!("<speak>{}</speak>", self.body)
    }
}
