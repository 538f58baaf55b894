//! `fleetup standalone …`: standalone Elastic Agent configuration for a package policy.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Subcommand};
use fleetup_core::{Error, ErrorKind};
use serde_json::{json, Value};

use crate::output::op;

#[derive(Subcommand)]
pub enum StandaloneCommand {
    /// Print the `inputs:` section of a standalone elastic-agent.yml for a package policy (what
    /// Kibana's "Add agent → standalone" download holds for it).
    #[command(after_help = "Examples:\n  \
        fleetup standalone render --policy policy.json --package ./nginx-1.6.0\n  \
        fleetup standalone render --policy policy.json --package nginx-1.6.0.zip -o inputs.yml")]
    Render(RenderArgs),
    /// Carry a hand-edited standalone elastic-agent.yml to a new package version: this package's
    /// inputs are regenerated and the keys you changed are carried over.
    #[command(
        after_help = "Keys you edited by hand are compared with what the old version \
        generates for the policy. An edit is carried when the new version left that key as it \
        was; when the new version changed it too, the new value is kept and the key is reported \
        as a conflict. Other inputs and settings pass through (comments are not kept).\n\n\
        EXIT STATUS: 0 when every edit was carried, 1 when some need review, 2 on bad input.\n\n\
        Example:\n  \
        fleetup standalone upgrade elastic-agent.yml --policy policy.json \\\n      \
        --from ./nginx-1.1.0 --package ./nginx-1.6.0 -o elastic-agent.new.yml"
    )]
    Upgrade(UpgradeArgs),
}

#[derive(Args)]
pub struct RenderArgs {
    /// The package policy (JSON, as Fleet's API returns it; `{"item": …}` is fine).
    #[arg(long, value_name = "FILE")]
    policy: PathBuf,
    /// The package version to render with: a directory or a registry `.zip`.
    #[arg(long, short = 'p', value_name = "PACKAGE")]
    package: PathBuf,
    /// Write the YAML here instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    output: Option<PathBuf>,
}

#[derive(Args)]
pub struct UpgradeArgs {
    /// The standalone configuration (elastic-agent.yml, or a YAML list of inputs).
    config: PathBuf,
    /// The package policy the configuration was made from, at the old version.
    #[arg(long, value_name = "FILE")]
    policy: PathBuf,
    /// The old package version (directory or `.zip`).
    #[arg(long = "from", value_name = "PACKAGE")]
    from: PathBuf,
    /// The new package version (directory or `.zip`).
    #[arg(long, short = 'p', value_name = "PACKAGE")]
    package: PathBuf,
    /// Write the upgraded configuration here instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    output: Option<PathBuf>,
    /// Print the whole result (document, edits, errors) as JSON instead.
    #[arg(long)]
    json: bool,
}

pub fn run(command: StandaloneCommand) -> Result<ExitCode, Error> {
    match command {
        StandaloneCommand::Render(a) => render(a),
        StandaloneCommand::Upgrade(a) => upgrade(a),
    }
}

fn read(path: &Path) -> Result<String, Error> {
    std::fs::read_to_string(path).map_err(|e| {
        Error::new(
            ErrorKind::Io,
            format!("cannot read {}: {e}", path.display()),
        )
    })
}

/// A policy file: the policy itself or Fleet's `{"item": policy}`.
fn read_policy(path: &Path) -> Result<Value, Error> {
    let text = read(path)?;
    let v: Value = serde_json::from_str(&text).map_err(|e| {
        Error::new(
            ErrorKind::InvalidJson,
            format!("{} is not valid JSON: {e}", path.display()),
        )
    })?;
    Ok(match v {
        Value::Object(mut m) if m.contains_key("item") => m.remove("item").unwrap_or_default(),
        other => other,
    })
}

fn package_with_templates(path: &Path) -> Result<(Value, Value), Error> {
    let info = super::plan::load_package(path)?;
    let templates = super::plan::agent_templates(path)?;
    Ok((info, Value::Object(templates)))
}

fn write_out(output: Option<&Path>, text: &str) -> Result<(), Error> {
    match output {
        Some(p) => std::fs::write(p, text)
            .map_err(|e| Error::new(ErrorKind::Io, format!("cannot write {}: {e}", p.display()))),
        None => {
            print!("{text}");
            Ok(())
        }
    }
}

fn render(a: RenderArgs) -> Result<ExitCode, Error> {
    let policy = read_policy(&a.policy)?;
    let (info, templates) = package_with_templates(&a.package)?;
    let out = op(
        "agent.standalone_inputs",
        json!({"package_policy": policy, "package_info": info, "agent_templates": templates}),
    )?;
    write_out(a.output.as_deref(), out["yaml"].as_str().unwrap_or(""))?;
    Ok(ExitCode::SUCCESS)
}

fn upgrade(a: UpgradeArgs) -> Result<ExitCode, Error> {
    let config = read(&a.config)?;
    let policy = read_policy(&a.policy)?;
    let (old_info, old_templates) = package_with_templates(&a.from)?;
    let (info, templates) = package_with_templates(&a.package)?;
    let out = op(
        "agent.standalone_upgrade",
        json!({
            "standalone": config, "package_policy": policy,
            "current_package_info": old_info, "current_agent_templates": old_templates,
            "package_info": info, "agent_templates": templates,
        }),
    )?;
    let edits = out["edits"].as_array().map_or(&[][..], Vec::as_slice);
    let review = edits.iter().any(|e| e["outcome"] != "carried") || out.get("errors").is_some();
    if a.json {
        write_out(a.output.as_deref(), &format!("{:#}\n", out))?;
    } else {
        write_out(a.output.as_deref(), out["yaml"].as_str().unwrap_or(""))?;
        for e in edits {
            let place = match e["dataset"].as_str() {
                Some(d) => format!("{} › {d}", e["input_id"].as_str().unwrap_or("?")),
                None => e["input_id"].as_str().unwrap_or("?").to_string(),
            };
            let path = e["path"]
                .as_str()
                .filter(|p| !p.is_empty())
                .unwrap_or("(stream removed)");
            let what = match e["outcome"].as_str() {
                Some("carried") => "carried".to_string(),
                Some("conflict") => format!(
                    "CONFLICT: you set {}, the new version generates {} (kept)",
                    e.get("user").map_or("nothing".into(), Value::to_string),
                    e.get("generated")
                        .map_or("nothing".into(), Value::to_string)
                ),
                _ => "DROPPED: its input or stream is gone in the new version".to_string(),
            };
            eprintln!("{place} {path}: {what}");
        }
        for err in out["errors"].as_array().into_iter().flatten() {
            eprintln!(
                "policy error: {}",
                err["message"].as_str().unwrap_or("").trim_matches('"')
            );
        }
    }
    Ok(if review {
        ExitCode::from(crate::output::EXIT_FALSE)
    } else {
        ExitCode::SUCCESS
    })
}
