//! The `byline` binary: parse arguments, run, print the error, pick the exit code.
//! Exit codes: 0 ok, 1 findings (failed files in a batch, verify problems, audit violations),
//! 2 usage or fatal error.

use std::process::ExitCode;

use clap::Parser;

/// mimalloc rather than glibc's malloc: the server allocates and frees small strings on every
/// request, and glibc's `malloc`/`free` were a quarter of its profile (tests/bench/http.sh).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = byline::cli::Cli::parse();
    match byline::cli::run(cli) {
        Ok(code) => code,
        Err(err) => {
            // A closed pipe (`byline list | head`) is not an error (ripgrep does the same).
            if err
                .chain()
                .filter_map(|e| e.downcast_ref::<std::io::Error>())
                .any(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
            {
                return ExitCode::SUCCESS;
            }
            eprintln!("error: {err:#}");
            ExitCode::from(2)
        }
    }
}
