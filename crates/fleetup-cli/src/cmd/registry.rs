//! `fleetup registry …`: registry constraint checks for people.

use std::process::ExitCode;

use clap::Subcommand;
use fleetup_core::Error;
use serde_json::{json, Value};

use crate::output;

#[derive(Subcommand)]
pub enum RegistryCommand {
    /// Does VERSION satisfy CONSTRAINT as the package registry decides? Prints true or false.
    #[command(
        after_help = "This is the check the Elastic package registry applies to a package's\n\
        `conditions.kibana.version` (Masterminds semver v3.4.0), which differs from Fleet's node-semver:\n\
        `,` is AND, `!=` exists, an empty constraint is invalid, and a prerelease comparator lets\n\
        prereleases of any version through for its whole AND group.\n\n\
        Exit status: 0 when satisfied, 1 when not, 2 for an invalid version or constraint.\n\n\
        Examples:\n  \
        fleetup registry satisfies 8.19.0 '^7.17.6 || ^8.3.0'        # true\n  \
        fleetup registry satisfies 1.2.3 '>= 1.2, < 3.0.0'           # true (comma = AND)\n  \
        fleetup registry satisfies 3.4.5-alpha.9 '>1.2.3-alpha.3'    # true (node-semver: false)\n  \
        fleetup registry satisfies --why 7.17.0 '^8.0.0'             # false, and why"
    )]
    Satisfies {
        /// The version, read as the registry reads a Kibana version (`v1.2` and `1.2` are accepted).
        version: String,
        /// The constraint, e.g. `^8.13.0 || ^9.0.0`.
        constraint: String,
        /// Let prerelease versions match every group (the library's `IncludePrerelease`).
        #[arg(long)]
        include_prerelease: bool,
        /// When the answer is false, print the library's reasons on standard error.
        #[arg(long)]
        why: bool,
    },
    /// Is CONSTRAINT valid for the package registry? Prints its normal form.
    #[command(
        after_help = "Prints the constraint as the registry's library writes it back\n\
        (hyphen ranges rewritten, commas and extra spaces gone) and exits 0; for an invalid\n\
        constraint prints the library's reason on standard error and exits 1.\n\n\
        Examples:\n  \
        fleetup registry valid '>= 1.2, < 3.0.0'   # >=1.2 <3.0.0\n  \
        fleetup registry valid '1.2.3 - 2.3.4'     # >=1.2.3 <=2.3.4\n  \
        fleetup registry valid ''                  # invalid: improper constraint"
    )]
    Valid {
        /// The constraint to check.
        constraint: String,
    },
}

pub fn run(command: RegistryCommand) -> Result<ExitCode, Error> {
    match command {
        RegistryCommand::Satisfies {
            version,
            constraint,
            include_prerelease,
            why,
        } => {
            let args = json!({
                "version": version,
                "constraint": constraint,
                "include_prerelease": include_prerelease,
            });
            let result = output::op("registry.validate", args)?;
            let ok = result["ok"].as_bool().unwrap_or(false);
            println!("{ok}");
            if ok {
                return Ok(ExitCode::SUCCESS);
            }
            if why {
                for reason in result["errors"].as_array().into_iter().flatten() {
                    eprintln!("  {}", reason.as_str().unwrap_or_default());
                }
            }
            Ok(ExitCode::from(output::EXIT_FALSE))
        }
        RegistryCommand::Valid { constraint } => {
            match output::op(
                "registry.valid_constraint",
                json!({ "constraint": constraint }),
            )? {
                Value::String(normal) => {
                    println!("{normal}");
                    Ok(ExitCode::SUCCESS)
                }
                _ => {
                    // `registry.satisfies` reports the parse error with the library's reason.
                    let args = json!({"version": "0.0.0", "constraint": constraint});
                    if let Err(e) = output::op("registry.satisfies", args) {
                        output::print_error(&e);
                    }
                    Ok(ExitCode::from(output::EXIT_FALSE))
                }
            }
        }
    }
}
