//! `fleetup semver …`: node-semver operations for people.

use std::process::ExitCode;

use clap::Subcommand;
use fleetup_core::Error;

#[derive(Subcommand)]
pub enum SemverCommand {}

pub fn run(command: SemverCommand) -> Result<ExitCode, Error> {
    match command {}
}
