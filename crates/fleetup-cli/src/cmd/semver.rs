//! `fleetup semver …`: node-semver operations for people.
//!
//! Each subcommand is one `semver.*` JSON operation. Predicates (`satisfies`, `intersects`,
//! `gtr`, `ltr`) print `true`/`false` and exit 0/1 like `test`, so they work in shell `if`s;
//! lookups (`valid`, `valid-range`, `min-version`, `max-satisfying`) print the answer, or
//! `null` and exit 1 when there is none. Invalid input is exit 2 with `error[CODE]: …`.

use std::process::ExitCode;

use clap::{Args, Subcommand};
use fleetup_core::Error;
use serde_json::{json, Value};

use crate::output::{op, EXIT_FALSE};

/// Options shared by every subcommand.
#[derive(Args, Clone, Copy)]
pub struct SemverOptions {
    /// Accept loose syntax (`=1.2.3`, `v 1.2.3`, `01.02.03`, `1.2.3beta`); in ranges, drop
    /// comparators that do not parse instead of failing.
    #[arg(long, global = true)]
    loose: bool,
    /// Let prerelease versions (`9.1.0-SNAPSHOT`) match ranges that do not name a prerelease of
    /// the same major.minor.patch.
    #[arg(long, global = true)]
    include_prerelease: bool,
}

impl SemverOptions {
    fn json(self) -> Value {
        json!({"loose": self.loose, "include_prerelease": self.include_prerelease})
    }
}

#[derive(Subcommand)]
#[command(
    after_help = "Semantics are node-semver 7.8.5's, the library Kibana Fleet uses. \
    Quote ranges that contain spaces, `<`, `>` or `||`."
)]
pub enum SemverCommand {
    /// Print the normalised version (`v1.2.3+build` → `1.2.3`); exit 1 if it is not a version.
    #[command(after_help = "Examples:\n  fleetup semver valid v9.1.0\n  \
        fleetup semver valid --loose '=9.1.0'")]
    Valid {
        /// The version to check.
        #[arg(allow_hyphen_values = true)]
        version: String,
        #[command(flatten)]
        options: SemverOptions,
    },
    /// Compare two versions by precedence: prints -1, 0 or 1.
    #[command(
        after_help = "Examples:\n  fleetup semver compare 8.19.0 9.0.0      # -1\n  \
        fleetup semver compare 1.6.0-preview9 1.6.0-preview10   # 1 (identifiers compare as text)"
    )]
    Compare {
        /// The first version.
        #[arg(allow_hyphen_values = true)]
        a: String,
        /// The second version.
        #[arg(allow_hyphen_values = true)]
        b: String,
        #[command(flatten)]
        options: SemverOptions,
    },
    /// Does VERSION satisfy RANGE? Prints true/false; exit 0 when it does, 1 when not.
    #[command(
        after_help = "Examples:\n  fleetup semver satisfies 9.1.0 '^8.13.0 || ^9.0.0'\n  \
        fleetup semver satisfies --include-prerelease 9.1.0-SNAPSHOT '^8.13.0 || ^9.0.0'"
    )]
    Satisfies {
        /// The version, e.g. the Kibana version.
        #[arg(allow_hyphen_values = true)]
        version: String,
        /// The node-semver range, e.g. a package's `conditions.kibana.version`.
        #[arg(allow_hyphen_values = true)]
        range: String,
        #[command(flatten)]
        options: SemverOptions,
    },
    /// Print the highest of VERSIONS that satisfies RANGE; exit 1 if none does.
    #[command(
        after_help = "Example:\n  fleetup semver max-satisfying '^8.0.0' 7.17.0 8.12.2 8.19.1 9.0.0"
    )]
    MaxSatisfying {
        /// The node-semver range.
        #[arg(allow_hyphen_values = true)]
        range: String,
        /// Candidate versions (invalid ones are skipped).
        #[arg(required = true, allow_hyphen_values = true)]
        versions: Vec<String>,
        #[command(flatten)]
        options: SemverOptions,
    },
    /// Print the lowest version that satisfies RANGE (what Fleet reads as a package's minimum
    /// Kibana); exit 1 if no version does.
    #[command(
        after_help = "Example:\n  fleetup semver min-version '^8.13.0 || ^9.0.0'   # 8.13.0"
    )]
    MinVersion {
        /// The node-semver range.
        #[arg(allow_hyphen_values = true)]
        range: String,
        #[command(flatten)]
        options: SemverOptions,
    },
    /// Print RANGE in canonical form (`*` for any); exit 1 if it is not a valid range.
    #[command(
        after_help = "Example:\n  fleetup semver valid-range '^8.13.0 || ^9.0.0'\n  \
        # >=8.13.0 <9.0.0-0||>=9.0.0 <10.0.0-0"
    )]
    ValidRange {
        /// The node-semver range.
        #[arg(allow_hyphen_values = true)]
        range: String,
        #[command(flatten)]
        options: SemverOptions,
    },
    /// Do two ranges have a version in common? Prints true/false; exit 0 / 1.
    #[command(after_help = "Example:\n  fleetup semver intersects '^7.16.0 || ^8.0.0' '>=8.19.0'")]
    Intersects {
        /// The first range.
        #[arg(allow_hyphen_values = true)]
        range1: String,
        /// The second range.
        #[arg(allow_hyphen_values = true)]
        range2: String,
        #[command(flatten)]
        options: SemverOptions,
    },
    /// Is VERSION above every version RANGE allows (e.g. a Kibana too new for a package)?
    /// Prints true/false; exit 0 / 1.
    #[command(after_help = "Example:\n  fleetup semver gtr 9.0.0 '^7.14.0'   # true")]
    Gtr {
        /// The version.
        #[arg(allow_hyphen_values = true)]
        version: String,
        /// The node-semver range.
        #[arg(allow_hyphen_values = true)]
        range: String,
        #[command(flatten)]
        options: SemverOptions,
    },
    /// Is VERSION below every version RANGE allows (e.g. a Kibana too old for a package)?
    /// Prints true/false; exit 0 / 1.
    #[command(after_help = "Example:\n  fleetup semver ltr 8.12.0 '^8.13.0 || ^9.0.0'   # true")]
    Ltr {
        /// The version.
        #[arg(allow_hyphen_values = true)]
        version: String,
        /// The node-semver range.
        #[arg(allow_hyphen_values = true)]
        range: String,
        #[command(flatten)]
        options: SemverOptions,
    },
    /// Time `satisfies` in-process over a file of `[version, range]` pairs (for
    /// bench/semver-node); prints JSON with nanoseconds per call.
    #[command(hide = true)]
    Bench {
        /// JSON file: an array of `[version, range]` pairs.
        pairs: std::path::PathBuf,
        /// How long to run each loop, in seconds.
        #[arg(long, default_value_t = 2.0)]
        seconds: f64,
    },
}

/// Prints a predicate's answer; exit 0 for true, 1 for false.
fn predicate(v: Value) -> ExitCode {
    let yes = v.as_bool().unwrap_or(false);
    println!("{yes}");
    if yes {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(EXIT_FALSE)
    }
}

/// Prints a lookup's answer (a string), or `null` with exit 1.
fn lookup(v: Value) -> ExitCode {
    match v {
        Value::String(s) => {
            println!("{s}");
            ExitCode::SUCCESS
        }
        other => {
            println!("{other}");
            ExitCode::from(EXIT_FALSE)
        }
    }
}

/// Runs `f` over all pairs repeatedly for about `seconds`; nanoseconds per call.
fn time_loop(n: usize, seconds: f64, mut f: impl FnMut() -> u64) -> (f64, u64) {
    let mut sink = f(); // warm-up, also fills the range cache
    let start = std::time::Instant::now();
    let mut rounds = 0u64;
    while start.elapsed().as_secs_f64() < seconds {
        sink = sink.wrapping_add(f());
        rounds += 1;
    }
    let calls = (rounds as f64 * n as f64).max(1.0);
    (start.elapsed().as_secs_f64() * 1e9 / calls, sink)
}

fn bench(path: &std::path::Path, seconds: f64) -> Result<ExitCode, Error> {
    use fleetup_core::version::{self, Options, Range, Version};
    use fleetup_core::ErrorKind;
    let text = std::fs::read_to_string(path).map_err(|e| {
        Error::new(
            ErrorKind::Io,
            format!("cannot read {}: {e}", path.display()),
        )
    })?;
    let pairs: Vec<(String, String)> = serde_json::from_str(&text)
        .map_err(|e| Error::new(ErrorKind::InvalidJson, format!("{}: {e}", path.display())))?;
    let o = Options::default();
    let n = pairs.len();
    let hits = pairs
        .iter()
        .filter(|(v, r)| version::satisfies(v, r, o))
        .count();
    let (ns_str, _) = time_loop(n, seconds, || {
        pairs
            .iter()
            .map(|(v, r)| {
                u64::from(version::satisfies(
                    std::hint::black_box(v),
                    std::hint::black_box(r),
                    o,
                ))
            })
            .sum()
    });
    let parsed: Vec<(Version, Range)> = pairs
        .iter()
        .filter_map(|(v, r)| Some((Version::parse(v, o).ok()?, Range::parse(r, o).ok()?)))
        .collect();
    let (ns_parsed, _) = time_loop(parsed.len(), seconds, || {
        parsed
            .iter()
            .map(|(v, r)| u64::from(std::hint::black_box(r).test(std::hint::black_box(v))))
            .sum()
    });
    println!(
        "{}",
        json!({"pairs": n, "ns_per_call_strings": ns_str, "ns_per_call_parsed": ns_parsed, "hits": hits})
    );
    Ok(ExitCode::SUCCESS)
}

pub fn run(command: SemverCommand) -> Result<ExitCode, Error> {
    Ok(match command {
        SemverCommand::Bench { pairs, seconds } => return bench(&pairs, seconds),
        SemverCommand::Valid { version, options } => lookup(op(
            "semver.valid",
            json!({"version": version, "options": options.json()}),
        )?),
        SemverCommand::Compare { a, b, options } => {
            let v = op(
                "semver.compare",
                json!({"a": a, "b": b, "options": options.json()}),
            )?;
            println!("{v}");
            ExitCode::SUCCESS
        }
        SemverCommand::Satisfies {
            version,
            range,
            options,
        } => {
            // `satisfies` is false for invalid input; say why on stderr so a typo is not
            // mistaken for a "no".
            let o = options.json();
            if op("semver.valid", json!({"version": version, "options": o}))?.is_null() {
                eprintln!("note: `{version}` is not a valid version");
            }
            if op("semver.valid_range", json!({"range": range, "options": o}))?.is_null() {
                eprintln!("note: `{range}` is not a valid range");
            }
            predicate(op(
                "semver.satisfies",
                json!({"version": version, "range": range, "options": o}),
            )?)
        }
        SemverCommand::MaxSatisfying {
            range,
            versions,
            options,
        } => lookup(op(
            "semver.max_satisfying",
            json!({"versions": versions, "range": range, "options": options.json()}),
        )?),
        SemverCommand::MinVersion { range, options } => lookup(op(
            "semver.min_version",
            json!({"range": range, "options": options.json()}),
        )?),
        SemverCommand::ValidRange { range, options } => lookup(op(
            "semver.valid_range",
            json!({"range": range, "options": options.json()}),
        )?),
        SemverCommand::Intersects {
            range1,
            range2,
            options,
        } => predicate(op(
            "semver.intersects",
            json!({"range1": range1, "range2": range2, "options": options.json()}),
        )?),
        SemverCommand::Gtr {
            version,
            range,
            options,
        } => predicate(op(
            "semver.gtr",
            json!({"version": version, "range": range, "options": options.json()}),
        )?),
        SemverCommand::Ltr {
            version,
            range,
            options,
        } => predicate(op(
            "semver.ltr",
            json!({"version": version, "range": range, "options": options.json()}),
        )?),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Cli {
        #[command(subcommand)]
        command: SemverCommand,
    }

    fn exit(args: &[&str]) -> Result<ExitCode, Error> {
        let argv = std::iter::once("semver").chain(args.iter().copied());
        match Cli::try_parse_from(argv) {
            Ok(cli) => run(cli.command),
            Err(e) => panic!("arguments {args:?} did not parse: {e}"),
        }
    }

    fn code(args: &[&str]) -> ExitCode {
        match exit(args) {
            Ok(code) => code,
            Err(e) => panic!("{args:?} failed: {e}"),
        }
    }

    const NO: u8 = EXIT_FALSE;

    #[test]
    fn predicates_exit_zero_for_true_one_for_false() {
        let fleet = "^8.13.0 || ^9.0.0";
        assert_eq!(code(&["satisfies", "9.1.0", fleet]), ExitCode::SUCCESS);
        assert_eq!(
            code(&["satisfies", "9.1.0-SNAPSHOT", fleet]),
            ExitCode::from(NO)
        );
        assert_eq!(
            code(&["satisfies", "--include-prerelease", "9.1.0-SNAPSHOT", fleet]),
            ExitCode::SUCCESS
        );
        assert_eq!(
            code(&["satisfies", "not a version", fleet]),
            ExitCode::from(NO)
        );
        assert_eq!(
            code(&["intersects", "^7.16.0 || ^8.0.0", ">=8.19.0"]),
            ExitCode::SUCCESS
        );
        assert_eq!(
            code(&["intersects", "^7.0.0", ">=8.0.0"]),
            ExitCode::from(NO)
        );
        assert_eq!(code(&["gtr", "9.0.0", "^7.14.0"]), ExitCode::SUCCESS);
        assert_eq!(code(&["ltr", "9.0.0", "^7.14.0"]), ExitCode::from(NO));
    }

    #[test]
    fn lookups_exit_one_when_there_is_no_answer() {
        assert_eq!(code(&["valid", "v9.1.0"]), ExitCode::SUCCESS);
        assert_eq!(code(&["valid", "=9.1.0"]), ExitCode::from(NO));
        assert_eq!(code(&["valid", "--loose", "=9.1.0"]), ExitCode::SUCCESS);
        assert_eq!(code(&["valid-range", "1.2.3 - 2.3.4"]), ExitCode::SUCCESS);
        assert_eq!(code(&["valid-range", "blerg"]), ExitCode::from(NO));
        assert_eq!(
            code(&["min-version", "^8.13.0 || ^9.0.0"]),
            ExitCode::SUCCESS
        );
        assert_eq!(code(&["min-version", ">4 <3"]), ExitCode::from(NO));
        assert_eq!(
            code(&["max-satisfying", "^8.0.0", "7.17.0", "8.12.2", "9.0.0"]),
            ExitCode::SUCCESS
        );
        assert_eq!(
            code(&["max-satisfying", "^10.0.0", "7.17.0"]),
            ExitCode::from(NO)
        );
        assert_eq!(
            code(&["compare", "1.6.0-preview9", "1.6.0-preview10"]),
            ExitCode::SUCCESS
        );
    }

    #[test]
    fn invalid_input_is_an_error() {
        let e = exit(&["compare", "1.2.3", "nope"]).expect_err("invalid version");
        assert_eq!(e.code(), "INVALID_VERSION");
        let e = exit(&["min-version", "blerg"]).expect_err("invalid range");
        assert_eq!(e.code(), "INVALID_RANGE");
    }
}
