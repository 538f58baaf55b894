//! `fleetup package …`: inspect integration packages and choose upgrade targets.

use std::path::Path;
use std::process::ExitCode;

use clap::{Args, Subcommand};
use fleetup_core::Error;
use serde_json::{json, Value};

use crate::output::op;

#[derive(Subcommand)]
pub enum PackageCommand {
    /// Summarise a package: name, version, type, release, Kibana condition, and its policy
    /// templates › inputs › streams with var counts.
    #[command(
        after_help = "SOURCE is a package directory (integrations-repository layout), a \
        `.zip` as the package registry serves it (top folder `<name>-<version>/`), or a `.json` \
        file holding the registry's package info.\n\nExamples:\n  \
        fleetup package show ./packages/nginx\n  \
        fleetup package show nginx-1.6.0.zip --json > nginx.json"
    )]
    Show(ShowArgs),
    /// Choose the version to upgrade to among candidates, with the reason each other version
    /// was not chosen.
    #[command(
        after_help = "Each CANDIDATE is a package directory, a `.zip`, a registry `.json` \
        or a bare version such as 1.6.0. Packages bring their own Kibana condition and license, \
        so --kibana and --subscription apply to them.\n\nExamples:\n  \
        fleetup package versions packages/nginx/* --installed 1.1.0 --kibana 8.5.0\n  \
        fleetup package versions 3.4.1 3.5.0 4.0.0 --installed 3.4.0 --same-major"
    )]
    Versions(VersionsArgs),
}

#[derive(Args)]
pub struct ShowArgs {
    /// Package directory, `.zip`, or registry package-info `.json`.
    source: String,
    /// Print the full PackageInfo JSON instead of the summary.
    #[arg(long)]
    json: bool,
}

#[derive(Args)]
pub struct VersionsArgs {
    /// Candidate packages (directory, `.zip`, `.json`) or bare versions.
    #[arg(required = true)]
    candidates: Vec<String>,
    /// The installed version: only newer versions are candidates.
    #[arg(long)]
    installed: Option<String>,
    /// The Kibana version, checked against each package's `conditions.kibana.version`.
    #[arg(long)]
    kibana: Option<String>,
    /// The license level (basic, gold, platinum, enterprise, trial); default basic.
    #[arg(long)]
    subscription: Option<String>,
    /// Allow prerelease versions (Fleet's "Display beta integrations").
    #[arg(long)]
    prerelease: bool,
    /// Stay within the installed major version (the agentless auto-upgrade rule).
    #[arg(long)]
    same_major: bool,
    /// A node-semver range the target must satisfy.
    #[arg(long)]
    range: Option<String>,
    /// Print the operation's JSON result.
    #[arg(long)]
    json: bool,
}

pub fn run(command: PackageCommand) -> Result<ExitCode, Error> {
    match command {
        PackageCommand::Show(a) => show(a),
        PackageCommand::Versions(a) => versions(a),
    }
}

fn load(source: &str) -> Result<Value, Error> {
    // `package.load` reads directories, `.zip` archives and registry `.json` files alike.
    op("package.load", json!({ "path": source }))
}

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => "-".into(),
        other => other.to_string(),
    }
}

fn count(v: &Value) -> usize {
    v.as_array().map_or(0, Vec::len)
}

fn show(a: ShowArgs) -> Result<ExitCode, Error> {
    let info = load(&a.source)?;
    if a.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&info).unwrap_or_else(|_| info.to_string())
        );
        return Ok(ExitCode::SUCCESS);
    }
    let kibana = info["conditions"]["kibana"]["version"]
        .as_str()
        .or_else(|| info["conditions"]["kibana.version"].as_str())
        .unwrap_or("any");
    println!(
        "{} {} — {}",
        text(&info["name"]),
        text(&info["version"]),
        text(&info["title"])
    );
    println!(
        "type {}, release {}, Kibana {kibana}, package vars {}",
        text(&info["type"]),
        text(&info["release"]),
        count(&info["vars"])
    );
    if let Some(line) = changelog_line(&a.source, &info) {
        println!("{line}");
    }
    let empty = Vec::new();
    let data_streams = info["data_streams"].as_array().unwrap_or(&empty);
    for pt in info["policy_templates"].as_array().unwrap_or(&empty) {
        println!("› {} — {}", text(&pt["name"]), text(&pt["title"]));
        if let Some(input) = pt["input"].as_str() {
            // Input package: one input defined by the template itself.
            println!("  › input {input} — {} vars", count(&pt["vars"]));
            continue;
        }
        let allowed: Option<Vec<&str>> = pt["data_streams"]
            .as_array()
            .map(|d| d.iter().filter_map(Value::as_str).collect());
        for input in pt["inputs"].as_array().unwrap_or(&empty) {
            let ty = input["type"].as_str().unwrap_or_default();
            println!(
                "  › input {ty} ({}) — {} vars",
                text(&input["title"]),
                count(&input["vars"])
            );
            for ds in data_streams {
                let path = ds["path"].as_str().unwrap_or_default();
                if allowed.as_ref().is_some_and(|a| !a.contains(&path)) {
                    continue;
                }
                for s in ds["streams"].as_array().unwrap_or(&empty) {
                    if s["input"].as_str() != Some(ty) {
                        continue;
                    }
                    let disabled = if s["enabled"] == Value::Bool(false) {
                        ", disabled by default"
                    } else {
                        ""
                    };
                    println!(
                        "    › stream {} ({}) — {} vars{disabled}",
                        text(&ds["dataset"]),
                        text(&s["title"]),
                        count(&s["vars"])
                    );
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// "changelog: N entries; breaking changes in X, Y" for packages that ship a changelog.
fn changelog_line(source: &str, info: &Value) -> Option<String> {
    let changelog = op("package.changelog", json!({ "path": source })).ok()?;
    let entries = changelog.as_array()?;
    let version = info["version"].as_str()?;
    let breaking = op(
        "fleet.breaking_changes",
        json!({"changelog": changelog, "to": version}),
    )
    .ok()?;
    let versions: Vec<String> = breaking
        .as_array()?
        .iter()
        .map(|e| text(&e["version"]))
        .collect();
    Some(if versions.is_empty() {
        format!("changelog: {} entries, no breaking changes", entries.len())
    } else {
        format!(
            "changelog: {} entries; breaking changes in {}",
            entries.len(),
            versions.join(", ")
        )
    })
}

fn versions(a: VersionsArgs) -> Result<ExitCode, Error> {
    let mut entries = Vec::with_capacity(a.candidates.len());
    for c in &a.candidates {
        if Path::new(c).exists() {
            entries.push(load(c)?);
        } else {
            entries.push(Value::String(c.clone()));
        }
    }
    let result = op(
        "package.choose_target",
        json!({
            "versions": entries,
            "installed": a.installed,
            "kibana_version": a.kibana,
            "subscription": a.subscription,
            "prerelease": a.prerelease,
            "same_major": a.same_major,
            "range": a.range,
        }),
    )?;
    if a.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&result).unwrap_or_else(|_| result.to_string())
        );
    } else {
        match result["version"].as_str() {
            Some(v) => println!("upgrade to {v}"),
            None => println!("no eligible version"),
        }
        for r in result["rejected"].as_array().into_iter().flatten() {
            println!(
                "  {:14} {:20} {}",
                text(&r["version"]),
                text(&r["code"]),
                text(&r["reason"])
            );
        }
    }
    Ok(if result["version"].is_null() {
        ExitCode::from(crate::output::EXIT_FALSE)
    } else {
        ExitCode::SUCCESS
    })
}
