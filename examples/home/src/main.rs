//! Runs the home skill once, without HTTP: a request envelope on stdin, the response
//! envelope on stdout.
//!
//! ```sh
//! cargo run -p skillgate-example-home < examples/home/requests/turn-on-kitchen-light.json
//! ```
//!
//! To serve it to Alexa, run `skillgate serve` (home is its default skill) or mount
//! `skillgate_example_home::skill()` in `skillgate-server` yourself.

use std::io::Read;
use std::process::ExitCode;

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let mut body = Vec::new();
    if let Err(e) = std::io::stdin().read_to_end(&mut body) {
        eprintln!("cannot read stdin: {e}");
        return ExitCode::FAILURE;
    }
    match skillgate_example_home::skill().handle_json(&body).await {
        Ok(out) => {
            println!("{}", String::from_utf8_lossy(&out));
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{e}");
            ExitCode::FAILURE
        }
    }
}
