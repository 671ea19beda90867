//! `byline serve`: hold the store as its one writer and answer HTTP until SIGINT or SIGTERM.
//!
//! Only the runtime, the listener and the signals live here; routes are in [`crate::http`].
//! It never serves a local store it could not lock: while it runs, other writers are told
//! "in use by byline serve (pid N)". On a store in PostgreSQL, which several servers share,
//! it records itself in the database instead, for `migrate --to DIR` to refuse.

use std::io::Write;
use std::net::SocketAddr;
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Args;

use crate::library::Access;

/// Arguments of `byline serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address and port to listen on (port 0 picks a free one).
    #[arg(long, default_value = "127.0.0.1:8080", value_name = "ADDR:PORT")]
    listen: SocketAddr,
}

/// Run `byline serve`: print the address once listening, stop gracefully on a signal.
pub fn run(store: &Path, args: &ServeArgs, out: &mut impl Write) -> Result<ExitCode> {
    let lib = super::open(store, Access::Write, "serve")?;
    lib.check_blobs()
        .context("cannot serve: the blob store is not usable")?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the HTTP runtime")?;
    let serving = runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(args.listen)
            .await
            .with_context(|| format!("cannot listen on {}", args.listen))?;
        let addr = listener.local_addr()?;
        // On a store in PostgreSQL, other machines cannot see this process: it says in the
        // database that it is serving, so moving the store out refuses while it runs.
        let serving = lib
            .serving(&format!("http://{addr}"))
            .context("cannot record this server in the database")?;
        // Scripts and tests read this line to learn the port.
        writeln!(out, "listening on http://{addr}")?;
        out.flush()?;
        crate::http::serve(lib, listener, stop_signal())
            .await
            .context("serving HTTP")?;
        anyhow::Ok(serving)
    })?;
    drop(serving);
    eprintln!("byline serve: stopped; every answered change was saved");
    Ok(ExitCode::SUCCESS)
}

/// Resolves on the first SIGINT (Ctrl-C) or SIGTERM.
async fn stop_signal() {
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            // Without a SIGTERM handler, Ctrl-C still stops the server.
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        () = term => {}
    }
    eprintln!("byline serve: stopping; finishing requests in flight");
}
