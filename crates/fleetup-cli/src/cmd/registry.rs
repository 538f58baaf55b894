//! `fleetup registry …`: registry constraint checks for people.

use std::process::ExitCode;

use clap::Subcommand;
use fleetup_core::Error;

#[derive(Subcommand)]
pub enum RegistryCommand {}

pub fn run(command: RegistryCommand) -> Result<ExitCode, Error> {
    match command {}
}
