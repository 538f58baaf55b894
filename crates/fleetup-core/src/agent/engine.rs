//! The Handlebars engine of [`super`]: the `handlebars` crate with Kibana's helpers and the
//! handlebars.js behaviour it lacks (JavaScript printing, truthiness and `.length`).

use std::cell::RefCell;
use std::collections::HashMap;

use handlebars::template::{Parameter, TemplateElement};
use handlebars::{
    Context, Handlebars, Helper, HelperDef, HelperResult, Output, Path, RenderContext, RenderError,
    RenderErrorReason, Renderable, ScopedJson, Template,
};
use serde_json::Value;

use super::compile_error;
use crate::error::{Error, ErrorKind, Result};
use crate::js;

/// Most parsed templates kept per thread (templates are keyed by their text, as Kibana's cache).
const TEMPLATE_CACHE_SIZE: usize = 1024;

/// Helpers a bare `{{name}}` calls instead of printing a value: Handlebars' built-ins and Kibana's.
const HELPERS: &[&str] = &[
    "if",
    "unless",
    "each",
    "with",
    "lookup",
    "log",
    "contains",
    "escape_string",
    "escape_multiline_string",
    "to_json",
    "url_encode",
    "semverSatisfies",
];

/// Name of the helper that reads JavaScript's `.length` of an array or a string.
const LENGTH_HELPER: &str = "__fleetup_length";

/// Name of the helper that prints a value with JavaScript's `String()`.
const PRINT_HELPER: &str = "__fleetup_print";

/// Largest text one template may render (the YAML reader's document limit).
const MAX_OUTPUT: usize = crate::yaml::MAX_BYTES;

/// Most `#each` iterations one rendering may need in the worst case. Real templates nest `each`
/// at most twice over short lists; nested loops over long lists would otherwise spin for hours.
const MAX_ITERATIONS: f64 = 10_000_000.0;

/// A registered template: its name in the registry and the shape of its `#each` loops.
#[derive(Clone)]
struct Registered {
    name: String,
    /// How many `#each` blocks it has, and how deeply they nest.
    loops: (u32, u32),
}

struct Engine {
    registry: Handlebars<'static>,
    names: HashMap<String, Registered>,
}

thread_local! {
    static ENGINE: RefCell<Engine> = RefCell::new(Engine::new());
}

impl Engine {
    fn new() -> Self {
        let mut registry = Handlebars::new();
        registry.register_escape_fn(handlebars::no_escape);
        registry.register_helper("if", Box::new(IfHelper { negate: false }));
        registry.register_helper("unless", Box::new(IfHelper { negate: true }));
        registry.register_helper("contains", Box::new(ContainsHelper));
        registry.register_helper("escape_string", Box::new(TextHelper(escape_string)));
        registry.register_helper(
            "escape_multiline_string",
            Box::new(TextHelper(escape_multiline_string)),
        );
        registry.register_helper("to_json", Box::new(TextHelper(to_json)));
        registry.register_helper("url_encode", Box::new(TextHelper(url_encode_helper)));
        registry.register_helper("semverSatisfies", Box::new(SemverSatisfiesHelper));
        registry.register_helper(PRINT_HELPER, Box::new(TextHelper(print)));
        registry.register_helper(LENGTH_HELPER, Box::new(LengthHelper));
        Engine {
            registry,
            names: HashMap::new(),
        }
    }

    fn name_for(&mut self, source: &str) -> Result<Registered> {
        if let Some(found) = self.names.get(source) {
            return Ok(found.clone());
        }
        if self.names.len() >= TEMPLATE_CACHE_SIZE {
            self.registry.clear_templates();
            self.names.clear();
        }
        let mut template =
            Template::compile(source).map_err(|e| compile_error(shortened(&e.to_string())))?;
        print_like_javascript(&mut template);
        let registered = Registered {
            name: format!("t{}", self.names.len()),
            loops: loops(&template),
        };
        self.registry.register_template(&registered.name, template);
        self.names.insert(source.to_string(), registered.clone());
        Ok(registered)
    }
}

pub(super) fn render(source: &str, context: &Value) -> Result<String> {
    ENGINE.with(|engine| {
        let mut engine = engine.borrow_mut();
        let registered = engine.name_for(source)?;
        // Every `#each` iterates over some value of the context, so the largest collection in it
        // bounds each loop: count × largest^depth bounds the whole rendering.
        let (count, depth) = registered.loops;
        if count > 0 {
            let worst = f64::from(count) * (largest_collection(context) as f64).powi(depth as i32);
            if worst > MAX_ITERATIONS {
                return Err(Error::new(
                    ErrorKind::LimitExceeded,
                    format!(
                        "Error while compiling agent template: its loops could run {worst:.0} times over these values (limit {MAX_ITERATIONS:.0})"
                    ),
                ));
            }
        }
        let mut out = CappedText::default();
        match engine.registry.render_to_write(&registered.name, context, &mut out) {
            Ok(()) => Ok(String::from_utf8(out.bytes).unwrap_or_default()),
            Err(_) if out.exceeded => Err(Error::new(
                ErrorKind::LimitExceeded,
                format!("Error while compiling agent template: the rendered text exceeds {MAX_OUTPUT} bytes"),
            )),
            Err(e) => Err(compile_error(shortened(&render_error_message(&e)))),
        }
    })
}

/// The rendered text, refusing to grow past [`MAX_OUTPUT`].
#[derive(Default)]
struct CappedText {
    bytes: Vec<u8>,
    exceeded: bool,
}

impl std::io::Write for CappedText {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.bytes.len() + buf.len() > MAX_OUTPUT {
            self.exceeded = true;
            return Err(std::io::Error::other("rendered text too large"));
        }
        self.bytes.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// `(number of #each blocks, deepest nesting of #each blocks)`.
fn loops(template: &Template) -> (u32, u32) {
    let mut count = 0;
    let mut deepest = 0;
    fn walk(t: &Template, depth: u32, count: &mut u32, deepest: &mut u32) {
        for element in &t.elements {
            if let TemplateElement::HelperBlock(ht) = element {
                let is_each = matches!(&ht.name, Parameter::Name(n) if n == "each");
                let inner = if is_each {
                    *count += 1;
                    *deepest = (*deepest).max(depth + 1);
                    depth + 1
                } else {
                    depth
                };
                for child in [&ht.template, &ht.inverse].into_iter().flatten() {
                    walk(child, inner, count, deepest);
                }
            }
        }
    }
    walk(template, 0, &mut count, &mut deepest);
    (count, deepest)
}

/// The size of the largest array or object anywhere in `v`.
fn largest_collection(v: &Value) -> usize {
    match v {
        Value::Array(a) => a
            .iter()
            .map(largest_collection)
            .max()
            .unwrap_or(0)
            .max(a.len()),
        Value::Object(m) => m
            .values()
            .map(largest_collection)
            .max()
            .unwrap_or(0)
            .max(m.len()),
        _ => 0,
    }
}

/// Parser errors quote the offending line, which can be the whole template: keep messages short.
fn shortened(message: &str) -> String {
    const MAX: usize = 600;
    if message.len() <= MAX {
        return message.to_string();
    }
    let mut end = MAX;
    while !message.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &message[..end])
}

fn render_error_message(e: &RenderError) -> String {
    match e.reason() {
        RenderErrorReason::HelperNotFound(name) => format!("Missing helper: \"{name}\""),
        RenderErrorReason::Other(text) => text.clone(),
        other => other.to_string(),
    }
}

/// Rewrites every `{{path}}` that is not a helper into `{{__fleetup_print path}}`, so values
/// print as handlebars.js prints them.
fn print_like_javascript(template: &mut Template) {
    for element in &mut template.elements {
        match element {
            TemplateElement::Expression(ht) | TemplateElement::HtmlExpression(ht) => {
                if ht.block || !ht.params.is_empty() || !ht.hash.is_empty() {
                    read_length_like_javascript(&mut ht.params);
                    continue;
                }
                let path = match &ht.name {
                    Parameter::Name(n) if HELPERS.contains(&n.as_str()) => continue,
                    Parameter::Name(n) => match Path::parse(n) {
                        Ok(p) => p,
                        Err(_) => continue,
                    },
                    Parameter::Path(Path::Relative((_, raw)) | Path::Local((_, _, raw)))
                        if HELPERS.contains(&raw.as_str()) =>
                    {
                        continue
                    }
                    Parameter::Path(p) => p.clone(),
                    _ => continue,
                };
                ht.params = vec![Parameter::Path(path)];
                ht.name = Parameter::Name(PRINT_HELPER.into());
                read_length_like_javascript(&mut ht.params);
            }
            TemplateElement::HelperBlock(ht) => {
                read_length_like_javascript(&mut ht.params);
                if let Some(t) = ht.template.as_mut() {
                    print_like_javascript(t);
                }
                if let Some(t) = ht.inverse.as_mut() {
                    print_like_javascript(t);
                }
            }
            _ => {}
        }
    }
}

/// `x.length` in a parameter becomes `(__fleetup_length x)`: handlebars.js reads JavaScript's
/// `length` of arrays and strings (`{{#if tags.length}}`), which the crate cannot navigate to.
fn read_length_like_javascript(params: &mut [Parameter]) {
    for p in params {
        let Parameter::Path(Path::Relative((_, raw))) = p else {
            continue;
        };
        let Some(parent) = raw
            .strip_suffix(".length")
            .or_else(|| raw.strip_suffix("/length"))
        else {
            continue;
        };
        if let Ok(parent) = Path::parse(parent) {
            *p = Parameter::Subexpression(handlebars::template::Subexpression::new(
                Parameter::Name(LENGTH_HELPER.into()),
                vec![Parameter::Path(parent)],
                std::collections::HashMap::new(),
            ));
        }
    }
}

/// The JavaScript `length` of an array (items) or a string (UTF-16 units); missing otherwise.
struct LengthHelper;

impl HelperDef for LengthHelper {
    fn call_inner<'reg: 'rc, 'rc>(
        &self,
        h: &Helper<'rc>,
        _: &'reg Handlebars<'reg>,
        _: &'rc Context,
        _: &mut RenderContext<'reg, 'rc>,
    ) -> Result<ScopedJson<'rc>, RenderError> {
        Ok(match param(h, 0) {
            Some(Value::Array(a)) => ScopedJson::Derived(Value::from(a.len())),
            Some(Value::String(s)) => ScopedJson::Derived(Value::from(s.encode_utf16().count())),
            Some(Value::Object(m)) => match m.get("length") {
                Some(v) => ScopedJson::Derived(v.clone()),
                None => ScopedJson::Missing,
            },
            _ => ScopedJson::Missing,
        })
    }
}

fn param<'a>(h: &'a Helper<'_>, i: usize) -> Option<&'a Value> {
    h.param(i)
        .filter(|p| !p.is_value_missing())
        .map(|p| p.value())
}

fn helper_error(message: impl Into<String>) -> RenderError {
    RenderErrorReason::Other(message.into()).into()
}

/// handlebars.js prints `undefined`/`null` as nothing and everything else with `String()`.
fn js_print(v: Option<&Value>) -> String {
    match v {
        None | Some(Value::Null) => String::new(),
        Some(v) => js::to_js_string(v),
    }
}

/// An inline helper that only turns its parameters into text.
struct TextHelper(fn(&Helper<'_>) -> std::result::Result<String, RenderError>);

impl HelperDef for TextHelper {
    fn call<'reg: 'rc, 'rc>(
        &self,
        h: &Helper<'rc>,
        _: &'reg Handlebars<'reg>,
        _: &'rc Context,
        _: &mut RenderContext<'reg, 'rc>,
        out: &mut dyn Output,
    ) -> HelperResult {
        out.write(&(self.0)(h)?)?;
        Ok(())
    }
}

/// Renders `block` when there is one (the chosen branch of a block helper).
fn render_block<'reg: 'rc, 'rc>(
    block: Option<&'rc Template>,
    r: &'reg Handlebars<'reg>,
    ctx: &'rc Context,
    rc: &mut RenderContext<'reg, 'rc>,
    out: &mut dyn Output,
) -> HelperResult {
    match block {
        Some(t) => t.render(r, ctx, rc, out),
        None => Ok(()),
    }
}

/// `{{path}}` (see [`print_like_javascript`]).
fn print(h: &Helper<'_>) -> std::result::Result<String, RenderError> {
    Ok(js_print(param(h, 0)))
}

/// handlebars.js `if`/`unless`: falsy values and empty arrays are false, `{}` is true.
struct IfHelper {
    negate: bool,
}

impl HelperDef for IfHelper {
    fn call<'reg: 'rc, 'rc>(
        &self,
        h: &Helper<'rc>,
        r: &'reg Handlebars<'reg>,
        ctx: &'rc Context,
        rc: &mut RenderContext<'reg, 'rc>,
        out: &mut dyn Output,
    ) -> HelperResult {
        let name = if self.negate { "#unless" } else { "#if" };
        if h.params().len() != 1 {
            return Err(helper_error(format!(
                "{name} requires exactly one argument"
            )));
        }
        let value = param(h, 0);
        let include_zero = h
            .hash_get("includeZero")
            .is_some_and(|v| js::truthy(Some(v.value())));
        let empty = match value {
            Some(Value::Array(a)) => a.is_empty(),
            Some(Value::Number(n)) if include_zero && n.as_f64() == Some(0.0) => false,
            other => !js::truthy(other),
        };
        let chosen = if empty != self.negate {
            h.inverse()
        } else {
            h.template()
        };
        render_block(chosen, r, ctx, rc, out)
    }
}

/// Kibana's `contains`: renders the block (or returns true) when `check` (an array or a string)
/// includes `item`; otherwise prints nothing — the `else` block is never used.
struct ContainsHelper;

impl HelperDef for ContainsHelper {
    fn call<'reg: 'rc, 'rc>(
        &self,
        h: &Helper<'rc>,
        r: &'reg Handlebars<'reg>,
        ctx: &'rc Context,
        rc: &mut RenderContext<'reg, 'rc>,
        out: &mut dyn Output,
    ) -> HelperResult {
        let item = param(h, 0);
        let found = match param(h, 1) {
            Some(Value::Array(list)) => list.iter().any(|v| match item {
                Some(item) => same_value_zero(v, item),
                None => false,
            }),
            Some(Value::String(s)) => s.contains(&match item {
                None => "undefined".to_string(),
                Some(v) => js::to_js_string(v),
            }),
            _ => false,
        };
        if !found {
            return Ok(());
        }
        match h.template() {
            Some(t) => t.render(r, ctx, rc, out),
            None => {
                out.write("true")?;
                Ok(())
            }
        }
    }
}

/// `Array.prototype.includes` equality for JSON values (objects never equal: compared by identity).
fn same_value_zero(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Object(_) | Value::Array(_), _) => false,
        _ => a == b,
    }
}

/// Kibana's `escape_string`: `'…'` with `''` for quotes and doubled newlines. Falsy values print
/// nothing; a non-string fails as `str.replace` does in JavaScript.
fn escape_string(h: &Helper<'_>) -> std::result::Result<String, RenderError> {
    Ok(escaped(h)?.map(|e| format!("'{e}'")).unwrap_or_default())
}

/// Kibana's `escape_multiline_string`: [`escape_string`] without the surrounding quotes.
fn escape_multiline_string(h: &Helper<'_>) -> std::result::Result<String, RenderError> {
    Ok(escaped(h)?.unwrap_or_default())
}

fn escaped(h: &Helper<'_>) -> std::result::Result<Option<String>, RenderError> {
    // Without an argument handlebars.js passes its options object: truthy, not a string.
    if h.params().is_empty() {
        return Err(helper_error("str.replace is not a function"));
    }
    let value = param(h, 0);
    if !js::truthy(value) {
        return Ok(None);
    }
    let Some(Value::String(s)) = value else {
        return Err(helper_error("str.replace is not a function"));
    };
    Ok(Some(s.replace('\'', "''").replace('\n', "\n\n")))
}

/// Kibana's `to_json`: strings are taken as already-serialised JSON; anything else is
/// `JSON.stringify`d.
fn to_json(h: &Helper<'_>) -> std::result::Result<String, RenderError> {
    Ok(match param(h, 0) {
        Some(Value::String(s)) => s.clone(),
        Some(v) => js::json_stringify(v),
        None => String::new(),
    })
}

/// Kibana's `url_encode`: `encodeURIComponent` plus `!'()*` percent-encoded.
fn url_encode_helper(h: &Helper<'_>) -> std::result::Result<String, RenderError> {
    let text = match param(h, 0) {
        // Without an argument handlebars.js passes its options object.
        None if h.params().is_empty() => "[object Object]".to_string(),
        None => "undefined".to_string(),
        Some(v) => js::to_js_string(v),
    };
    Ok(url_encode(&text))
}

/// `encodeURIComponent(text)` with `!'()*` also escaped (upper-case hex).
pub fn url_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Kibana's `semverSatisfies agentVersion "range"` block: the block when the coerced agent
/// version satisfies the range, the `else` block otherwise or without an agent version.
struct SemverSatisfiesHelper;

impl HelperDef for SemverSatisfiesHelper {
    fn call<'reg: 'rc, 'rc>(
        &self,
        h: &Helper<'rc>,
        r: &'reg Handlebars<'reg>,
        ctx: &'rc Context,
        rc: &mut RenderContext<'reg, 'rc>,
        out: &mut dyn Output,
    ) -> HelperResult {
        let agent = param(h, 0).filter(|v| js::truthy(Some(v)));
        let range = param(h, 1).map(js::to_js_string).unwrap_or_default();
        let yes = agent.is_some_and(|v| {
            crate::version::coerce(&js::to_js_string(v)).is_some_and(|version| {
                crate::version::satisfies(&version, &range, crate::version::Options::default())
            })
        });
        render_block(
            if yes { h.template() } else { h.inverse() },
            r,
            ctx,
            rc,
            out,
        )
    }
}
