//! The human report of `fleetup plan`, in the spirit of `terraform plan`: a header, each policy
//! with its conflicts and what to do about them, its changes grouped by input › stream, and a
//! summary line.

use std::fmt::Write as _;

use fleetup_core::plan::changes::{Change, Severity};
use fleetup_core::plan::eligibility::Decision;
use fleetup_core::plan::policy_plan::{FleetSummary, PolicyPlan};

/// ANSI styling, off when not writing to a terminal or when `NO_COLOR` is set.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    pub color: bool,
}

impl Style {
    fn paint(&self, code: &str, text: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }
    pub fn bold(&self, t: &str) -> String {
        self.paint("1", t)
    }
    pub fn red(&self, t: &str) -> String {
        self.paint("31", t)
    }
    pub fn yellow(&self, t: &str) -> String {
        self.paint("33", t)
    }
    pub fn green(&self, t: &str) -> String {
        self.paint("32", t)
    }
    pub fn dim(&self, t: &str) -> String {
        self.paint("2", t)
    }
    pub fn cyan(&self, t: &str) -> String {
        self.paint("36", t)
    }
}

/// The decision as a short coloured label.
pub fn decision_label(style: Style, d: Decision) -> String {
    match d {
        Decision::UpgradeAutomatically => style.green("upgrades automatically"),
        Decision::UpgradeAvailable => style.green("can be upgraded"),
        Decision::NeedsReview => style.red("needs review"),
        Decision::BlockedByDeprecations => style.yellow("blocked by new deprecations"),
        Decision::BlockedByBreakingChanges => style.yellow("blocked by breaking changes"),
        Decision::AlreadyCurrent => style.dim("already current"),
        Decision::NewerThanTarget => style.dim("newer than target"),
    }
}

fn marker(style: Style, c: &Change) -> String {
    use fleetup_core::plan::changes::ChangeKind::*;
    let sym = match c.kind {
        InputAdded | StreamAdded | VarAdded | VarAddedRequired => "+",
        InputRemoved | StreamRemoved | VarRemoved | VarRemovedUserValue => "-",
        _ => "~",
    };
    match c.severity {
        Severity::Conflict => style.red("✗"),
        Severity::Attention => style.yellow(sym),
        Severity::Info => style.dim(sym),
    }
}

fn group_label(c: &Change) -> String {
    match (c.scope, &c.input, &c.dataset) {
        ("package", _, _) => "package settings".to_string(),
        (_, Some(i), Some(d)) => format!("{i} › {d}"),
        (_, Some(i), None) => i.clone(),
        _ => "policy".to_string(),
    }
}

/// Renders one policy. `detail` lists every change; otherwise only conflicts and attention items.
pub fn render_policy(out: &mut String, style: Style, p: &PolicyPlan, detail: bool) {
    let name = p.name.as_deref().unwrap_or("(unnamed policy)");
    let id =
        p.id.as_deref()
            .map(|i| format!(" ({i})"))
            .unwrap_or_default();
    let from = p.from_version.as_deref().unwrap_or("?");
    let _ = writeln!(
        out,
        "\n{} {}{} {} → {}: {}",
        style.bold("●"),
        style.bold(name),
        style.dim(&id),
        from,
        p.to_version,
        decision_label(style, p.decision)
    );
    for r in &p.reasons {
        if matches!(r.code, "clean_upgrade" | "already_current") {
            continue;
        }
        let _ = writeln!(out, "    {} {}", style.dim("why:"), r.message);
    }
    let conflicts: Vec<&Change> = p
        .changes
        .iter()
        .filter(|c| c.severity == Severity::Conflict)
        .collect();
    if !conflicts.is_empty() {
        let _ = writeln!(
            out,
            "  {}",
            style.red(&format!(
                "Conflicts ({}), fix before upgrading:",
                conflicts.len()
            ))
        );
        for c in conflicts {
            let _ = writeln!(
                out,
                "    {} {}: {}",
                marker(style, c),
                group_label(c),
                c.message
            );
            if let Some(path) = &c.proposed_path {
                let _ = writeln!(
                    out,
                    "      {} provide a value at {path} (a `plan.resolve` edit), or disable that stream",
                    style.cyan("fix:"),
                );
            }
        }
    }
    let rest: Vec<&Change> = p
        .changes
        .iter()
        .filter(|c| {
            c.severity != Severity::Conflict && (detail || c.severity == Severity::Attention)
        })
        .collect();
    if rest.is_empty() {
        let hidden = p.changes.len()
            - p.changes
                .iter()
                .filter(|c| c.severity == Severity::Conflict)
                .count();
        if hidden > 0 && !detail {
            let _ = writeln!(
                out,
                "  {}",
                style.dim(&format!(
                    "{hidden} informational change(s); --detail lists them"
                ))
            );
        }
        return;
    }
    let _ = writeln!(out, "  Changes:");
    // Group by input › stream, keeping first-seen order.
    let mut groups: Vec<(String, Vec<&Change>)> = Vec::new();
    for c in rest {
        let g = group_label(c);
        match groups.iter_mut().find(|(k, _)| *k == g) {
            Some((_, v)) => v.push(c),
            None => groups.push((g, vec![c])),
        }
    }
    for (g, items) in groups {
        let _ = writeln!(out, "    {}", style.bold(&g));
        for c in items {
            let _ = writeln!(out, "      {} {}", marker(style, c), c.message);
        }
    }
    if !detail {
        let info = p
            .changes
            .iter()
            .filter(|c| c.severity == Severity::Info)
            .count();
        if info > 0 {
            let _ = writeln!(
                out,
                "  {}",
                style.dim(&format!(
                    "…and {info} informational change(s); --detail lists them"
                ))
            );
        }
    }
}

/// The closing summary line(s).
pub fn render_summary(
    out: &mut String,
    style: Style,
    s: &FleetSummary,
    package: &str,
    version: &str,
    hidden: u64,
) {
    let _ = writeln!(out);
    if hidden > 0 {
        let _ = writeln!(
            out,
            "{}",
            style.dim(&format!(
                "{hidden} polic{} without conflicts not shown (--detail shows every policy)",
                if hidden == 1 { "y" } else { "ies" }
            ))
        );
    }
    let mut parts = Vec::new();
    for d in Decision::ALL {
        let n = s.count(*d);
        if n > 0 {
            parts.push(format!("{n} {}", decision_label(style, *d)));
        }
    }
    let _ = writeln!(
        out,
        "{} {} polic{} → {package} {version}: {}.",
        style.bold("Plan:"),
        s.policies,
        if s.policies == 1 { "y" } else { "ies" },
        if parts.is_empty() {
            "nothing to do".to_string()
        } else {
            parts.join(", ")
        }
    );
    if s.conflicts > 0 {
        let _ = writeln!(
            out,
            "{} field conflict(s) block upgrades; {} change(s) need attention.",
            style.red(&s.conflicts.to_string()),
            style.yellow(&s.attention.to_string())
        );
    } else if s.attention > 0 {
        let _ = writeln!(
            out,
            "{} change(s) need attention.",
            style.yellow(&s.attention.to_string())
        );
    }
}

/// The agent configuration diff under a policy: its structured changes in words, then the
/// unified YAML diff (secrets are already masked by the core).
pub fn render_agent_configuration(out: &mut String, style: Style, diff: &serde_json::Value) {
    if let Some(e) = diff.get("error") {
        let e = e["message"]
            .as_str()
            .unwrap_or("cannot compile the agent templates");
        let _ = writeln!(out, "  {} {e}", style.red("agent configuration:"));
        return;
    }
    let changes = diff["changes"].as_array().map_or(&[][..], Vec::as_slice);
    if changes.is_empty() {
        let _ = writeln!(out, "  {}\n", style.dim("agent configuration: unchanged"));
        return;
    }
    let _ = writeln!(out, "  {}", style.bold("agent configuration:"));
    for c in changes {
        let _ = writeln!(out, "    {}", c["message"].as_str().unwrap_or(""));
    }
    for line in diff["unified"].as_str().unwrap_or("").lines() {
        let shown = if line.starts_with('+') && !line.starts_with("+++") {
            style.green(line)
        } else if line.starts_with('-') && !line.starts_with("---") {
            style.red(line)
        } else if line.starts_with("@@") {
            style.cyan(line)
        } else {
            line.to_string()
        };
        let _ = writeln!(out, "    {shown}");
    }
    out.push('\n');
}
