//! Runs the hello skill once, without HTTP: a request envelope on stdin, the response
//! envelope on stdout.
//!
//! ```sh
//! echo '{"version":"1.0","request":{"type":"LaunchRequest","requestId":"r1","locale":"en-US"}}' \
//!   | cargo run -p skillgate-example-hello
//! ```
//!
//! To serve it to Alexa, mount `skillgate_example_hello::skill()` in `skillgate-server`; the
//! interaction model for the developer console is `examples/hello/interaction-model.json`.

use std::io::Read;
use std::process::ExitCode;

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let mut body = Vec::new();
    if let Err(e) = std::io::stdin().read_to_end(&mut body) {
        eprintln!("cannot read stdin: {e}");
        return ExitCode::FAILURE;
    }
    match skillgate_example_hello::skill().handle_json(&body).await {
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
