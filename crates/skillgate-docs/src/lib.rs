//! The code blocks of the project's documentation (`README.md`, `docs/*.md`, the crates' and
//! examples' READMEs: [`blocks::markdown_files`]) as tests.
//!
//! - [`blocks`] splits a Markdown file into its fenced code blocks and reads the marker
//!   before each (`<!-- fragment: why -->`, `<!-- file: path -->`); the `doc_blocks` test of
//!   `skillgate-cli` runs the TOML and shell blocks with the real binary with it.
//! - [`compiled`] holds every Rust block that is not a fragment, one module per block, so
//!   that `cargo test -p skillgate-docs` compiles each as a doctest (named after its file and
//!   line, e.g. `compiled::readme_md_line_156`).

pub mod blocks;

/// One module per unmarked Rust block of the files [`blocks::markdown_files`] lists; its doc
/// is the block.
pub mod compiled {
    include!(concat!(env!("OUT_DIR"), "/rust_blocks.rs"));
}
