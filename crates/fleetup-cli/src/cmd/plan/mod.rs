//! `fleetup plan`: the main job. Plans every policy against a target package version, streaming
//! the policies through worker threads so that memory stays flat and both cores are used.

mod input;
pub mod report;

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, BufReader, BufWriter, IsTerminal, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use clap::{Args, ValueEnum};
use fleetup_core::agent::AgentTemplates;
use fleetup_core::plan::eligibility::{Decision, Mode};
use fleetup_core::plan::policy_plan::{FleetSummary, Installation, PlanContext, PlanOptions};
use fleetup_core::{Error, ErrorKind};
use serde_json::Value;

use crate::output::{EXIT_ERROR, EXIT_FALSE};
use input::PolicyStream;
use report::Style;

/// Policies per unit of work: large enough to amortise channel traffic, small enough to keep
/// memory flat and both workers busy.
const BATCH: usize = 64;

#[derive(Args)]
#[command(after_help = "EXAMPLES:\n  \
    fleetup plan examples/policies.json --package examples/packages/acme_web-2.0.0 \\\n      \
    --from examples/packages/acme_web-1.4.0\n  \
    curl … /api/fleet/package_policies | fleetup plan --package nginx-1.6.0.zip --json\n\n\
    INPUT: policies as Fleet's API returns them: {\"item\": …}, {\"items\": […]}, a JSON array, or JSON\n\
    Lines (one policy per line). Files or '-' for standard input (the default).\n\n\
    EXIT STATUS: 0 when every policy can be upgraded (or needs nothing), 1 when at least one policy\n\
    needs review or is blocked, 2 on bad input or usage.")]
pub struct PlanArgs {
    /// Policy files (JSON or JSON Lines); '-' or nothing reads standard input.
    policies: Vec<PathBuf>,
    /// The target package version: a package directory, a registry .zip, or registry package-info JSON.
    #[arg(long, short = 'p', value_name = "PACKAGE")]
    package: PathBuf,
    /// Earlier versions of the package (the policies' current versions): sharper change kinds and
    /// Kibana's deprecation gate. Repeatable.
    #[arg(long = "from", value_name = "PACKAGE")]
    from: Vec<PathBuf>,
    /// The package's Installation saved object (keep_policies_up_to_date, pending_upgrade_review), as JSON.
    #[arg(long, value_name = "FILE")]
    installation: Option<PathBuf>,
    /// Treat the package as having "Keep integration policies up to date automatically" on.
    #[arg(long)]
    keep_up_to_date: bool,
    /// Which Kibana upgrade path to emulate.
    #[arg(long, value_enum, default_value_t = ModeArg::Setup)]
    mode: ModeArg,
    /// Machine-readable output: one JSON document ({package, policies, summary}).
    #[arg(long, conflicts_with = "jsonl")]
    json: bool,
    /// Machine-readable output: one JSON line per policy, then a summary line.
    #[arg(long)]
    jsonl: bool,
    /// Show every policy and every change (default: all details only for up to 20 policies).
    #[arg(long)]
    detail: bool,
    /// Also list fields that do not change.
    #[arg(long)]
    all_fields: bool,
    /// Include the proposed policy in JSON output.
    #[arg(long)]
    proposed: bool,
    /// Colour: auto (when writing to a terminal and NO_COLOR is unset), always, never.
    #[arg(long, value_enum, default_value_t = ColorArg::Auto)]
    color: ColorArg,
    /// Never draw the progress bar.
    #[arg(long)]
    no_progress: bool,
    /// Also show what the agents will run: the agent configuration before and after (compiled
    /// from the packages' agent templates; --package and --from must be a directory or .zip).
    #[arg(long)]
    agent_diff: bool,
    /// Worker threads (default: the number of cores).
    #[arg(long, value_name = "N")]
    jobs: Option<usize>,
}

#[derive(Clone, Copy, ValueEnum)]
enum ModeArg {
    /// Fleet's setup task: dry run, conflicting policies skipped, deprecation gate.
    Setup,
    /// The upgrade at the end of a package install: no gate.
    Install,
    /// Agentless auto-upgrade: GA only, same major, no breaking changes.
    Agentless,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ColorArg {
    Auto,
    Always,
    Never,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Format {
    Human,
    Json,
    Jsonl,
}

fn is_json(path: &std::path::Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"))
}

/// Loads a package (directory, .zip or registry JSON) into PackageInfo JSON.
pub fn load_package(path: &std::path::Path) -> Result<Value, Error> {
    let is_json = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"));
    if is_json {
        let text = std::fs::read_to_string(path).map_err(|e| {
            Error::new(
                ErrorKind::Io,
                format!("cannot read {}: {e}", path.display()),
            )
        })?;
        let info = fleetup_core::dispatch::parse_json(&text)?;
        return fleetup_core::dispatch(
            "package.from_registry_json",
            &serde_json::json!({ "info": info }),
        );
    }
    fleetup_core::dispatch(
        "package.load",
        &serde_json::json!({ "path": path.to_string_lossy() }),
    )
}

fn read_installation(path: &std::path::Path, target_version: &str) -> Result<Installation, Error> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        Error::new(
            ErrorKind::Io,
            format!("cannot read {}: {e}", path.display()),
        )
    })?;
    let doc = fleetup_core::dispatch::parse_json(&text)?;
    fleetup_core::plan::ops::installation(&doc, target_version)
}

struct Done {
    seq: u64,
    text: String,
    summary: FleetSummary,
    hidden: u64,
}

pub fn run(args: PlanArgs) -> Result<ExitCode, Error> {
    let target = load_package(&args.package)?;
    let mut ctx = PlanContext::new(target)?;
    if !is_json(&args.package) {
        if let Some(changelog) = fleetup_core::package::load::load_changelog(&args.package)? {
            ctx.set_changelog(&changelog);
        }
    }
    for p in &args.from {
        ctx.add_previous(load_package(p)?);
    }
    let mut inst = match &args.installation {
        Some(p) => read_installation(p, ctx.target_version())?,
        None => Installation::default(),
    };
    if args.keep_up_to_date {
        inst.keep_policies_up_to_date = Some(true);
    }
    ctx.set_installation(inst);
    ctx.set_mode(match args.mode {
        ModeArg::Setup => Mode::Setup,
        ModeArg::Install => Mode::Install,
        ModeArg::Agentless => Mode::Agentless,
    });
    if args.agent_diff {
        ctx.set_agent_templates(agent_templates(&args.package)?);
        for p in &args.from {
            ctx.add_previous_agent_templates(load_package(p)?, agent_templates(p)?);
        }
    }
    ctx.set_options(PlanOptions {
        include_unchanged: args.all_fields,
        include_proposed: args.proposed,
    });

    let format = if args.json {
        Format::Json
    } else if args.jsonl {
        Format::Jsonl
    } else {
        Format::Human
    };
    let stdout_tty = io::stdout().is_terminal();
    let style = Style {
        color: match args.color {
            ColorArg::Always => true,
            ColorArg::Never => false,
            ColorArg::Auto => stdout_tty && std::env::var_os("NO_COLOR").is_none(),
        },
    };
    let show_progress = !args.no_progress && io::stderr().is_terminal();
    let jobs = args
        .jobs
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get()))
        .max(1);

    let sources: Vec<Box<dyn Read + Send>> = if args.policies.is_empty() {
        vec![Box::new(io::stdin())]
    } else {
        let mut v: Vec<Box<dyn Read + Send>> = Vec::new();
        for p in &args.policies {
            if p.as_os_str() == "-" {
                v.push(Box::new(io::stdin()));
            } else {
                let f = File::open(p).map_err(|e| {
                    Error::new(ErrorKind::Io, format!("cannot open {}: {e}", p.display()))
                })?;
                v.push(Box::new(f));
            }
        }
        v
    };

    let stdout = io::stdout();
    let mut out = BufWriter::with_capacity(1 << 16, stdout.lock());
    let write_err =
        |e: io::Error| Error::new(ErrorKind::Io, format!("cannot write the report: {e}"));
    let package = ctx.target_name().to_string();
    let version = ctx.target_version().to_string();
    match format {
        Format::Human => {
            writeln!(
                out,
                "{} {} → {}",
                style.bold("fleetup plan:"),
                package,
                version
            )
            .map_err(write_err)?;
        }
        Format::Json => {
            let head = serde_json::json!({"name": package, "version": version});
            write!(out, "{{\"package\":{head},\"policies\":[").map_err(write_err)?;
        }
        Format::Jsonl => {}
    }

    let detail = args.detail;
    let ctx = &ctx;
    let (work_tx, work_rx) = mpsc::sync_channel::<(u64, Vec<Vec<u8>>)>(jobs * 2);
    let work_rx = std::sync::Mutex::new(work_rx);
    let (done_tx, done_rx) = mpsc::sync_channel::<Done>(jobs * 2);
    let mut total = FleetSummary::default();
    let mut hidden_total = 0u64;
    let mut read_error: Option<Error> = None;

    std::thread::scope(|scope| -> Result<(), Error> {
        // Reader: split the inputs into raw policies, in batches.
        let reader = scope.spawn(move || -> Result<u64, Error> {
            let mut seq = 0u64;
            let mut batch = Vec::with_capacity(BATCH);
            for src in sources {
                let mut stream = PolicyStream::new(BufReader::with_capacity(1 << 16, src));
                loop {
                    let next = stream.next_policy().map_err(|e| {
                        Error::new(ErrorKind::InvalidJson, format!("cannot read policies: {e}"))
                    })?;
                    let Some(raw) = next else { break };
                    batch.push(raw);
                    if batch.len() == BATCH {
                        if work_tx.send((seq, std::mem::take(&mut batch))).is_err() {
                            return Ok(seq);
                        }
                        seq += 1;
                    }
                }
            }
            if !batch.is_empty() && work_tx.send((seq, batch)).is_ok() {
                seq += 1;
            }
            Ok(seq)
        });
        // Workers: parse, plan and render each batch.
        let work_rx = &work_rx;
        for _ in 0..jobs {
            let done_tx = done_tx.clone();
            scope.spawn(move || loop {
                let job = match work_rx.lock() {
                    Ok(rx) => rx.recv(),
                    Err(_) => return,
                };
                let Ok((seq, batch)) = job else { return };
                let done = plan_batch(ctx, seq, &batch, format, style, detail);
                if done_tx.send(done).is_err() {
                    return;
                }
            });
        }
        drop(done_tx);
        // Writer (this thread): in input order.
        let mut pending: BTreeMap<u64, Done> = BTreeMap::new();
        let mut next = 0u64;
        let mut first_json = true;
        let started = Instant::now();
        let mut last_draw = Instant::now() - Duration::from_secs(1);
        for done in done_rx {
            pending.insert(done.seq, done);
            while let Some(d) = pending.remove(&next) {
                if format == Format::Json && !d.text.is_empty() {
                    if !first_json {
                        out.write_all(b",").map_err(write_err)?;
                    }
                    first_json = false;
                }
                out.write_all(d.text.as_bytes()).map_err(write_err)?;
                total.merge(&d.summary);
                hidden_total += d.hidden;
                next += 1;
            }
            if show_progress && last_draw.elapsed() > Duration::from_millis(100) {
                last_draw = Instant::now();
                let rate = total.policies as f64 / started.elapsed().as_secs_f64().max(1e-6);
                eprint!(
                    "\r\x1b[2K{} policies planned ({:.0}/s)…",
                    total.policies, rate
                );
            }
        }
        if show_progress {
            eprint!("\r\x1b[2K");
        }
        match reader.join() {
            Ok(Ok(_)) => {}
            Ok(Err(e)) => read_error = Some(e),
            Err(_) => {
                read_error = Some(Error::new(
                    ErrorKind::Internal,
                    "the policy reader panicked",
                ))
            }
        }
        Ok(())
    })?;

    let summary_json =
        serde_json::to_value(&total).map_err(|e| Error::new(ErrorKind::Internal, e.to_string()))?;
    match format {
        Format::Human => {
            let mut s = String::new();
            // Small runs show everything; large ones only what needs a person.
            report::render_summary(&mut s, style, &total, &package, &version, hidden_total);
            out.write_all(s.as_bytes()).map_err(write_err)?;
        }
        Format::Json => {
            writeln!(out, "],\"summary\":{summary_json}}}").map_err(write_err)?;
        }
        Format::Jsonl => {
            writeln!(out, "{}", serde_json::json!({"summary": summary_json})).map_err(write_err)?;
        }
    }
    out.flush().map_err(write_err)?;
    if let Some(e) = read_error {
        return Err(e);
    }
    let blocked = [
        Decision::NeedsReview,
        Decision::BlockedByDeprecations,
        Decision::BlockedByBreakingChanges,
    ]
    .iter()
    .any(|d| total.count(*d) > 0);
    Ok(if total.errors > 0 {
        ExitCode::from(EXIT_ERROR)
    } else if blocked {
        ExitCode::from(EXIT_FALSE)
    } else {
        ExitCode::SUCCESS
    })
}

/// Small runs show every policy in full; beyond this many, clean policies are counted, not shown.
const DETAIL_LIMIT: u64 = 20;

/// A package's agent templates (registry JSON has none: an error that says so).
pub fn agent_templates(path: &std::path::Path) -> Result<AgentTemplates, Error> {
    if is_json(path) {
        return Err(Error::new(
            ErrorKind::InvalidArgument,
            format!(
                "this needs the package's agent templates: {} is registry JSON; give a directory or .zip",
                path.display()
            ),
        ));
    }
    fleetup_core::package::load_agent_templates(path)
}

fn plan_batch(
    ctx: &PlanContext,
    seq: u64,
    batch: &[Vec<u8>],
    format: Format,
    style: Style,
    detail: bool,
) -> Done {
    let mut text = String::new();
    let mut summary = FleetSummary::default();
    let mut hidden = 0u64;
    let mut first = true;
    for (i, raw) in batch.iter().enumerate() {
        let plan = match serde_json::from_slice::<Value>(raw) {
            Ok(policy) => ctx.plan(&policy),
            Err(e) => ctx.failed(Error::new(
                ErrorKind::InvalidJson,
                format!("invalid policy JSON: {e}"),
            )),
        };
        let plan_json =
            || serde_json::to_string(&plan).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"));
        summary.add(&plan);
        match format {
            Format::Json => {
                if !first {
                    text.push(',');
                }
                first = false;
                text.push_str(&plan_json());
            }
            Format::Jsonl => {
                text.push_str(&plan_json());
                text.push('\n');
            }
            Format::Human => {
                let position = seq * BATCH as u64 + i as u64;
                let needs_person = !matches!(
                    plan.decision,
                    Decision::UpgradeAutomatically
                        | Decision::UpgradeAvailable
                        | Decision::AlreadyCurrent
                );
                if detail || position < DETAIL_LIMIT || needs_person {
                    report::render_policy(
                        &mut text,
                        style,
                        &plan,
                        detail || position < DETAIL_LIMIT,
                    );
                    if let Some(a) = &plan.agent_configuration {
                        report::render_agent_configuration(&mut text, style, a);
                    }
                } else {
                    hidden += 1;
                }
            }
        }
    }
    Done {
        seq,
        text,
        summary,
        hidden,
    }
}
