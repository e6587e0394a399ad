//! The `pulse` binary: parse the command line, run it, report failure once.

use clap::Parser;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = pulse::cli::Cli::parse();
    match pulse::cli::run(cli).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("pulse: {error:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
