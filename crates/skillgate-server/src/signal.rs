//! Process signals: SIGTERM/SIGINT shut down gracefully, SIGHUP reloads certificates.

use crate::server::ServerHandle;

/// Spawns the signal watchers for `handle` (Unix: SIGTERM, SIGINT, SIGHUP; elsewhere
/// Ctrl-C only).
pub fn install(handle: ServerHandle) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut term = signal(SignalKind::terminate())?;
        let mut int = signal(SignalKind::interrupt())?;
        let mut hup = signal(SignalKind::hangup())?;
        tokio::spawn(async move {
            loop {
                tokio::select! {
                    _ = term.recv() => {
                        tracing::info!("SIGTERM: finishing in-flight requests, then exiting");
                        handle.shutdown();
                    }
                    _ = int.recv() => {
                        tracing::info!("SIGINT: finishing in-flight requests, then exiting");
                        handle.shutdown();
                    }
                    _ = hup.recv() => {
                        tracing::info!("SIGHUP: reloading the TLS certificate (ACME: renewing if due)");
                        let _ = handle.reload_certificates();
                    }
                }
            }
        });
    }
    #[cfg(not(unix))]
    {
        tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                handle.shutdown();
            }
        });
    }
    Ok(())
}
