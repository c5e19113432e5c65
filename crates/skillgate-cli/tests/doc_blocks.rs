//! Every code block of README.md, docs/*.md and the crates' and examples' READMEs either runs
//! here or says it does not.
//!
//! The marker is an HTML comment on the last non-blank line before the opening fence (the
//! parser is `skillgate_docs::blocks`, shared with the crate that compiles the Rust blocks):
//!
//! - `<!-- fragment: why -->`: not run (needs a deployment, the network, a running server,
//!   another terminal, or is an excerpt of a larger program). The reason is required.
//! - `<!-- file: path -->`: the block equals that file of the repository, byte for byte.
//!
//! Unmarked blocks, by language:
//!
//! - `toml`: a complete config; `skillgate check-config` must accept it.
//! - `sh` / `bash` / `shell` / `console`: only `skillgate …` commands, which must run offline
//!   and succeed, one block per fresh sandbox (empty working directory and data directory).
//! - `rust`: compiled as a doctest of `skillgate-docs` (`cargo test -p skillgate-docs`).
//! - no language or `text`: output or a diagram, not code.
//! - anything else: must be marked.
//!
//! A failure names the block as `file:line` with what to do.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use skillgate_docs::blocks::{self, Block, Kind, Marker};

const BIN: &str = env!("CARGO_BIN_EXE_skillgate");
/// How long one shell block may run.
const SHELL_LIMIT: Duration = Duration::from_secs(60);
/// What to tell the author of an unmarked block that cannot run.
const HOW_TO_MARK: &str = "put `<!-- fragment: why it does not run -->` on the line before \
     the fence (or `<!-- file: path -->` for a copy of a repository file); see \
     crates/skillgate-cli/tests/doc_blocks.rs";

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn all_blocks() -> Vec<Block> {
    let mut all = Vec::new();
    for name in blocks::markdown_files(&repo_root()) {
        let text = std::fs::read_to_string(repo_root().join(&name)).unwrap();
        match blocks::parse(&name, &text) {
            Ok(found) => all.extend(found),
            Err(e) => panic!("{e}"),
        }
    }
    all
}

/// An empty sandbox for one block: working directory, `HOME`, data directory.
struct Sandbox {
    _dir: tempfile::TempDir,
    work: PathBuf,
    home: PathBuf,
}

impl Sandbox {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let work = dir.path().join("work");
        let home = dir.path().join("home");
        std::fs::create_dir_all(&work).unwrap();
        std::fs::create_dir_all(&home).unwrap();
        Self {
            _dir: dir,
            work,
            home,
        }
    }

    /// A command in the sandbox: `skillgate` first on `PATH`, no `SKILLGATE_*` from outside,
    /// the default data directory inside the sandbox.
    fn command(&self, program: &str) -> Command {
        let mut cmd = Command::new(program);
        let bin_dir = Path::new(BIN).parent().unwrap();
        let path = std::env::var_os("PATH").unwrap_or_default();
        let mut dirs = vec![bin_dir.to_path_buf()];
        dirs.extend(std::env::split_paths(&path));
        cmd.current_dir(&self.work)
            .env("PATH", std::env::join_paths(dirs).unwrap())
            .env("HOME", &self.home)
            .env("XDG_DATA_HOME", self.home.join(".local/share"))
            .env("NO_COLOR", "1")
            .stdin(Stdio::null());
        for (name, _) in std::env::vars_os() {
            if name.to_string_lossy().starts_with("SKILLGATE_") {
                cmd.env_remove(name);
            }
        }
        cmd
    }
}

/// Runs `cmd` to completion within `limit`: `Ok(output text)` when it succeeded.
fn run(mut cmd: Command, limit: Duration) -> Result<String, String> {
    let dir = tempfile::tempdir().unwrap();
    let out_path = dir.path().join("out");
    let out = std::fs::File::create(&out_path).unwrap();
    let mut child = cmd
        .stdout(out.try_clone().unwrap())
        .stderr(out)
        .spawn()
        .map_err(|e| format!("cannot start: {e}"))?;
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            let text = std::fs::read_to_string(&out_path).unwrap_or_default();
            return Err(format!("still running after {limit:?}:\n{text}"));
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let text = std::fs::read_to_string(&out_path).unwrap_or_default();
    if status.success() {
        Ok(text)
    } else {
        Err(format!("{status}:\n{text}"))
    }
}

/// The commands of a shell block: comments dropped, `\` continuations joined. In a
/// `console` block only the lines after a `$ ` prompt are commands; the rest is output.
fn shell_commands(block: &Block) -> Vec<String> {
    let console = block.lang() == "console";
    let mut commands = Vec::new();
    let mut current = String::new();
    for line in block.code.lines() {
        let mut line = line.trim();
        if current.is_empty() {
            if console {
                match line.strip_prefix("$ ") {
                    Some(command) => line = command.trim(),
                    None => continue,
                }
            }
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
        }
        match line.strip_suffix('\\') {
            Some(part) => {
                current.push_str(part);
                current.push(' ');
            }
            None => {
                current.push_str(line);
                commands.push(std::mem::take(&mut current));
            }
        }
    }
    if !current.is_empty() {
        commands.push(current);
    }
    commands
}

/// A command without its trailing `# comment`.
fn without_comment(command: &str) -> &str {
    command.find(" #").map_or(command, |i| &command[..i])
}

/// Checks one unmarked shell block: only plain, offline `skillgate` commands, all succeed.
fn check_shell(block: &Block) -> Result<(), String> {
    let commands = shell_commands(block);
    if commands.is_empty() {
        return Err("a shell block with no command".into());
    }
    for command in &commands {
        let plain = without_comment(command);
        let words: Vec<&str> = plain.split_whitespace().collect();
        if words.first() != Some(&"skillgate") {
            return Err(format!(
                "runs `{command}`; this test runs only `skillgate …` commands"
            ));
        }
        if let Some(op) = [";", "&", "|", "`", "$(", ">", "<"]
            .iter()
            .find(|op| plain.contains(**op))
        {
            return Err(format!(
                "runs `{command}`, with the shell operator `{op}`; this test runs only plain \
                 `skillgate …` commands"
            ));
        }
        if words.iter().skip(1).find(|w| !w.starts_with('-')) == Some(&"serve") {
            return Err(format!(
                "runs `{command}`, which does not return; a running server is not offline"
            ));
        }
    }
    let sandbox = Sandbox::new();
    let mut cmd = sandbox.command("bash");
    cmd.args(["-euo", "pipefail", "-c", &commands.join("\n")]);
    run(cmd, SHELL_LIMIT)
        .map(|_| ())
        .map_err(|e| format!("failed: {e}"))
}

/// Checks one unmarked TOML block with `skillgate check-config`.
fn check_toml(block: &Block) -> Result<(), String> {
    let sandbox = Sandbox::new();
    let config = sandbox.work.join("skillgate.toml");
    std::fs::write(&config, &block.code).unwrap();
    let mut cmd = sandbox.command(BIN);
    cmd.arg("--data-dir")
        .arg(sandbox.home.join("data"))
        .arg("check-config")
        .arg(&config);
    run(cmd, SHELL_LIMIT)
        .map(|_| ())
        .map_err(|e| format!("`skillgate check-config` rejects it as a complete config: {e}"))
}

/// Checks one block marked as a copy of a file.
fn check_file(block: &Block, path: &str) -> Result<(), String> {
    let full = repo_root().join(path);
    let text = std::fs::read_to_string(&full)
        .map_err(|e| format!("marked as a copy of `{path}`, which cannot be read: {e}"))?;
    if text != block.code {
        let line = match text
            .lines()
            .zip(block.code.lines())
            .position(|(a, b)| a != b)
        {
            Some(i) => format!("first at line {} of the file", i + 1),
            None => format!(
                "the file has {} lines, the block {}",
                text.lines().count(),
                block.code.lines().count()
            ),
        };
        return Err(format!(
            "differs from `{path}` ({line}): copy the file into the block"
        ));
    }
    Ok(())
}

/// What is wrong with one block, if anything; and whether it was run.
fn check(block: &Block) -> Result<bool, String> {
    match &block.marker {
        Marker::Fragment { reason } if reason.is_empty() => {
            Err("`<!-- fragment -->` needs a reason: `<!-- fragment: why -->`".into())
        }
        Marker::Fragment { .. } => Ok(false),
        Marker::File { path } => check_file(block, path).map(|()| true),
        Marker::None => match block.kind() {
            Kind::Text => Ok(false),
            // Compiled by skillgate-docs, whose build script uses the same parser.
            Kind::Rust => Ok(false),
            Kind::Toml => check_toml(block).map(|()| true),
            Kind::Shell => check_shell(block).map(|()| true),
            Kind::Other => Err(format!("a `{}` block this test cannot run", block.lang())),
        },
    }
}

#[test]
fn every_block_in_readme_and_docs_runs_or_is_marked() {
    let blocks = all_blocks();
    assert!(
        blocks.len() > 20,
        "found only {} blocks: is the parser broken?",
        blocks.len()
    );
    let mut problems = Vec::new();
    let mut ran = 0;
    for block in &blocks {
        match check(block) {
            Ok(true) => ran += 1,
            Ok(false) => {}
            Err(problem) => problems.push(format!(
                "{}: ```{} block: {problem}\n    {HOW_TO_MARK}",
                block.location(),
                block.info
            )),
        }
    }
    assert!(
        problems.is_empty(),
        "{} of {} code blocks in README.md, docs/ and the crate READMEs fail (each must run, match its file, or be marked):\n{}",
        problems.len(),
        blocks.len(),
        problems.join("\n")
    );
    assert!(ran > 0, "no block ran");
    println!("{ran} of {} blocks ran or matched their file", blocks.len());
}

#[test]
fn an_unmarked_block_that_cannot_run_is_named_by_file_and_line() {
    let doc = "# Doc\n\n```python\nprint('hi')\n```\n\n<!-- fragment -->\n```sh\nls\n```\n\n\
               ```sh\ncargo build\n```\n\n```toml\nlisten = 42\n```\n\n```sh\nskillgate --version\n```\n\n\
               ```console\n$ skillgate --version   # the version\nskillgate 0.1.0\n```\n\n\
               ```sh\nskillgate --version | tee out\n```\n";
    let found = blocks::parse("docs/new.md", doc).unwrap();
    let results: Vec<(String, Result<bool, String>)> =
        found.iter().map(|b| (b.location(), check(b))).collect();
    assert_eq!(results.len(), 7);
    assert_eq!(results[0].0, "docs/new.md:3");
    assert!(
        matches!(&results[0].1, Err(e) if e.contains("`python` block")),
        "{results:?}"
    );
    assert!(
        matches!(&results[1].1, Err(e) if e.contains("needs a reason")),
        "{results:?}"
    );
    assert!(
        matches!(&results[2].1, Err(e) if e.contains("runs `cargo build`")),
        "{results:?}"
    );
    assert_eq!(results[3].0, "docs/new.md:16");
    assert!(
        matches!(&results[3].1, Err(e) if e.contains("check-config")),
        "{results:?}"
    );
    assert_eq!(results[4].1, Ok(true), "{results:?}");
    assert_eq!(results[5].1, Ok(true), "{results:?}");
    assert!(
        matches!(&results[6].1, Err(e) if e.contains("shell operator `|`")),
        "{results:?}"
    );
}

#[test]
fn a_file_block_must_equal_its_file() {
    let doc = "<!-- file: examples/gateway-node/package.json -->\n```json\n{}\n```\n";
    let found = blocks::parse("docs/x.md", doc).unwrap();
    let err = check(&found[0]).unwrap_err();
    assert!(
        err.contains("differs from `examples/gateway-node/package.json`"),
        "{err}"
    );
    let missing = "<!-- file: no/such/file.py -->\n```python\n```\n";
    let found = blocks::parse("docs/x.md", missing).unwrap();
    assert!(check(&found[0]).unwrap_err().contains("cannot be read"));
}
