//! The fenced code blocks of a Markdown file, with the marker line that says what each is.
//!
//! A block's marker is the HTML comment on the last non-blank line before its opening fence:
//!
//! - `<!-- fragment: why -->`: an excerpt that does not run as shown (it needs a real
//!   deployment, the network, another terminal, or it is part of a larger program). The reason
//!   is required.
//! - `<!-- file: path/from/the/repository/root -->`: the block is a copy of that file, byte
//!   for byte (the test compares them).
//!
//! An unmarked block runs, according to its language ([`Kind`]): `toml` is a complete config
//! that `skillgate check-config` accepts, `sh` is `skillgate …` commands that run offline,
//! `rust` compiles (as a doctest of this crate). A block without a language, or `text`, is
//! output or a diagram and is not code. Any other language needs a marker.
//!
//! This file is also compiled into this crate's build script (`#[path]`), so the parser that
//! picks the Rust blocks to compile is the one the checking test uses.

/// What a block is, from the comment line before it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Marker {
    /// No marker: the block runs as its language says.
    None,
    /// `<!-- fragment: reason -->`.
    Fragment {
        /// Why the block does not run as shown (empty when the marker gave none).
        reason: String,
    },
    /// `<!-- file: path -->`: a copy of that file.
    File {
        /// The path, relative to the repository root.
        path: String,
    },
}

/// How an unmarked block is checked, from the first word of its info string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// No language, `text`, `txt` or `output`: not code.
    Text,
    /// `toml`: a complete configuration file.
    Toml,
    /// `sh`, `bash`, `shell` or `console`: commands.
    Shell,
    /// `rust`: compiles.
    Rust,
    /// Anything else: needs a marker.
    Other,
}

/// One fenced code block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    /// The Markdown file, as the caller named it.
    pub file: String,
    /// The 1-based line of the opening fence.
    pub line: usize,
    /// The info string after the opening fence (trimmed).
    pub info: String,
    /// The content, each line ending with `\n`.
    pub code: String,
    /// The marker before the fence.
    pub marker: Marker,
}

impl Block {
    /// The first word of the info string, lower case (`rust` for "rust,no_run").
    pub fn lang(&self) -> String {
        self.info
            .split(|c: char| c == ',' || c.is_whitespace() || c == '{')
            .next()
            .unwrap_or("")
            .to_ascii_lowercase()
    }

    /// How the block is checked when it has no marker.
    pub fn kind(&self) -> Kind {
        match self.lang().as_str() {
            "" | "text" | "txt" | "output" => Kind::Text,
            "toml" => Kind::Toml,
            "sh" | "bash" | "shell" | "console" => Kind::Shell,
            "rust" => Kind::Rust,
            _ => Kind::Other,
        }
    }

    /// `file:line`, for messages.
    pub fn location(&self) -> String {
        format!("{}:{}", self.file, self.line)
    }

    /// Whether the block is a Rust block that must compile (unmarked `rust`).
    pub fn compiles_as_rust(&self) -> bool {
        self.marker == Marker::None && self.kind() == Kind::Rust
    }
}

/// A Markdown file that cannot be split into blocks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnclosedFence {
    /// The file.
    pub file: String,
    /// The line of the fence that is never closed.
    pub line: usize,
}

impl std::fmt::Display for UnclosedFence {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}: code fence never closed", self.file, self.line)
    }
}

impl std::error::Error for UnclosedFence {}

/// An opening or closing fence: its character, length and the info string.
fn fence(line: &str) -> Option<(char, usize, &str, usize)> {
    let indent = line.len() - line.trim_start().len();
    let rest = &line[indent..];
    let c = rest.chars().next().filter(|c| *c == '`' || *c == '~')?;
    let len = rest.chars().take_while(|x| *x == c).count();
    if len < 3 {
        return None;
    }
    let info = rest[len..].trim();
    if c == '`' && info.contains('`') {
        return None;
    }
    Some((c, len, info, indent))
}

/// The marker in an HTML comment line, if it is one.
fn marker(line: &str) -> Marker {
    let Some(inner) = line
        .trim()
        .strip_prefix("<!--")
        .and_then(|l| l.strip_suffix("-->"))
        .map(str::trim)
    else {
        return Marker::None;
    };
    if let Some(rest) = inner.strip_prefix("fragment") {
        let rest = rest.trim_start();
        if rest.is_empty() || rest.starts_with(':') {
            return Marker::Fragment {
                reason: rest.trim_start_matches(':').trim().to_owned(),
            };
        }
    }
    if let Some(path) = inner.strip_prefix("file:") {
        return Marker::File {
            path: path.trim().to_owned(),
        };
    }
    Marker::None
}

/// The project's documentation whose code blocks are checked, relative to `root` (the
/// repository): `README.md`, then `docs/*.md`, `crates/*/README.md` and `examples/*/README.md`,
/// each group sorted.
pub fn markdown_files(root: &std::path::Path) -> Vec<String> {
    let mut names = vec!["README.md".to_owned()];
    names.extend(in_dir(root, "docs", |name| {
        name.ends_with(".md").then(|| format!("docs/{name}"))
    }));
    for parent in ["crates", "examples"] {
        names.extend(in_dir(root, parent, |name| {
            let readme = format!("{parent}/{name}/README.md");
            root.join(&readme).is_file().then_some(readme)
        }));
    }
    names
}

/// The entries of `root/dir` that `pick` maps to a path, sorted (none if it cannot be read).
fn in_dir(root: &std::path::Path, dir: &str, pick: impl Fn(&str) -> Option<String>) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(root.join(dir)) else {
        return Vec::new();
    };
    let mut found: Vec<String> = entries
        .filter_map(Result::ok)
        .filter_map(|e| e.file_name().into_string().ok())
        .filter_map(|name| pick(&name))
        .collect();
    found.sort();
    found
}

/// Every fenced code block of `text` (the contents of `file`), in order.
pub fn parse(file: &str, text: &str) -> Result<Vec<Block>, UnclosedFence> {
    let lines: Vec<&str> = text.lines().collect();
    let mut blocks = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let Some((c, len, info, indent)) = fence(lines[i]) else {
            i += 1;
            continue;
        };
        let start = i;
        let before = lines[..start]
            .iter()
            .rev()
            .find(|l| !l.trim().is_empty())
            .copied()
            .unwrap_or("");
        let mut code = String::new();
        i += 1;
        loop {
            let Some(line) = lines.get(i) else {
                return Err(UnclosedFence {
                    file: file.to_owned(),
                    line: start + 1,
                });
            };
            if let Some((c2, len2, rest, _)) = fence(line)
                && c2 == c
                && len2 >= len
                && rest.is_empty()
            {
                break;
            }
            // Content is indented like its fence (a block inside a list item).
            let strip = line.len() - line.trim_start().len();
            code.push_str(&line[strip.min(indent)..]);
            code.push('\n');
            i += 1;
        }
        blocks.push(Block {
            file: file.to_owned(),
            line: start + 1,
            info: info.to_owned(),
            code,
            marker: marker(before),
        });
        i += 1;
    }
    Ok(blocks)
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = "# Title\n\n```sh\nskillgate init\n```\n\n<!-- fragment: needs a server -->\n\
        ```toml\nlisten = \"x\"\n```\n\n<!-- file: examples/a.py -->\n\n~~~~python\nprint(1)\n\
        ```\n~~~~\n\n  ```rust,no_run\n  fn main() {}\n  ```\n\n<!-- a comment -->\n```\nplain\n```\n";

    #[test]
    fn finds_every_block_with_its_line_marker_and_code() {
        let blocks = parse("doc.md", DOC).unwrap();
        let summary: Vec<_> = blocks
            .iter()
            .map(|b| {
                (
                    b.line,
                    b.lang(),
                    b.kind(),
                    b.marker.clone(),
                    b.code.as_str(),
                )
            })
            .collect();
        assert_eq!(
            summary,
            vec![
                (
                    3,
                    "sh".into(),
                    Kind::Shell,
                    Marker::None,
                    "skillgate init\n"
                ),
                (
                    8,
                    "toml".into(),
                    Kind::Toml,
                    Marker::Fragment {
                        reason: "needs a server".into()
                    },
                    "listen = \"x\"\n"
                ),
                (
                    14,
                    "python".into(),
                    Kind::Other,
                    Marker::File {
                        path: "examples/a.py".into()
                    },
                    "print(1)\n```\n"
                ),
                (
                    19,
                    "rust".into(),
                    Kind::Rust,
                    Marker::None,
                    "fn main() {}\n"
                ),
                (24, "".into(), Kind::Text, Marker::None, "plain\n"),
            ]
        );
        assert!(blocks[3].compiles_as_rust());
        assert!(!blocks[1].compiles_as_rust());
        assert_eq!(blocks[0].location(), "doc.md:3");
    }

    #[test]
    fn a_fragment_marker_may_have_no_reason_and_other_comments_are_not_markers() {
        assert_eq!(
            marker("<!-- fragment -->"),
            Marker::Fragment {
                reason: String::new()
            }
        );
        assert_eq!(marker("<!-- fragments are fun -->"), Marker::None);
        assert_eq!(marker("<!-- TODO -->"), Marker::None);
        assert_eq!(marker("text <!-- fragment -->"), Marker::None);
    }

    #[test]
    fn an_unclosed_fence_is_an_error_naming_its_line() {
        let err = parse("x.md", "a\n\n```sh\nskillgate init\n").unwrap_err();
        assert_eq!(err.to_string(), "x.md:3: code fence never closed");
        // A shorter fence does not close a longer one.
        assert!(parse("x.md", "````\n```\n").is_err());
    }
}
