//! `fleetup`: plan Elastic Fleet integration upgrades from the command line.
//!
//! Each subcommand lives in `cmd/`; every one is a thin layer over the core's JSON operations.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod cmd;
mod output;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "fleetup",
    version,
    about = "Plan Elastic Fleet integration upgrades exactly as Kibana performs them",
    long_about = "Plan Elastic Fleet integration upgrades exactly as Kibana performs them.\n\n\
        Every capability is also available as a JSON operation: see `fleetup call --help`."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Plan an integration upgrade for every policy: conflicts, changes and what Kibana will do.
    Plan(cmd::plan::PlanArgs),
    /// Answer JSON operation requests: JSON Lines in on stdin, one response line out per request.
    Call(cmd::call::CallArgs),
    /// Compare versions and test ranges with node-semver semantics (what Kibana Fleet uses).
    #[command(subcommand)]
    Semver(cmd::semver::SemverCommand),
    /// Test constraints with the package registry's semantics (Masterminds semver v3).
    #[command(subcommand)]
    Registry(cmd::registry::RegistryCommand),
    /// Inspect integration packages (directory, .zip, registry JSON) and choose upgrade targets.
    #[command(subcommand)]
    Package(cmd::package::PackageCommand),
    /// Standalone Elastic Agent configuration: render a policy's inputs, or carry a hand-edited
    /// elastic-agent.yml to a new package version.
    #[command(subcommand)]
    Standalone(cmd::standalone::StandaloneCommand),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Plan(args) => cmd::plan::run(args),
        Command::Call(args) => cmd::call::run(args),
        Command::Semver(c) => cmd::semver::run(c),
        Command::Registry(c) => cmd::registry::run(c),
        Command::Package(c) => cmd::package::run(c),
        Command::Standalone(c) => cmd::standalone::run(c),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            output::print_error(&e);
            ExitCode::from(output::EXIT_ERROR)
        }
    }
}
