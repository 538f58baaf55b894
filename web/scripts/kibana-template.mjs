// A JavaScript model of Kibana Fleet's agent template compilation (`compileTemplate`), written
// from the behaviour described in crates/fleetup-core/src/agent/template.rs and docs/API.md, on
// the same libraries Kibana uses: handlebars.js 4.7 and js-yaml 4. It is the reference side of the
// differential test in web/test/agent_parity.test.mjs (runner: web/scripts/agent-parity.mjs).
//
// `kibanaCompile(vars, meta, template)` returns `{ok: value}` or `{error: {stage, message}}`,
// `stage` being where Kibana would fail: `vars` (a var name or a `yaml` var's value),
// `handlebars` (compiling or rendering) or `yaml` (loading the rendered text).

import Handlebars from "handlebars";
import yaml from "js-yaml";
import semver from "semver";

/** A Handlebars environment of its own with Fleet's helpers (the global one stays untouched). */
function makeEnvironment() {
  const hb = Handlebars.create();

  hb.registerHelper("contains", function (item, check, options) {
    const listOrText = Array.isArray(check) || typeof check === "string";
    if (listOrText && check.includes(item)) {
      return options && options.fn ? options.fn(this) : true;
    }
    return "";
  });

  const escapeBody = (str) => str.replace(/'/g, "''").replace(/\n/g, "\n\n");
  hb.registerHelper("escape_string", (str) => (str ? `'${escapeBody(str)}'` : undefined));
  hb.registerHelper("escape_multiline_string", (str) => (str ? escapeBody(str) : undefined));

  hb.registerHelper("to_json", (value) => (typeof value === "string" ? value : JSON.stringify(value)));

  hb.registerHelper("url_encode", (text) =>
    encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`),
  );

  hb.registerHelper("semverSatisfies", function (agentVersion, range, options) {
    if (!agentVersion) return options.inverse(this);
    return semver.satisfies(semver.coerce(agentVersion), range) ? options.fn(this) : options.inverse(this);
  });

  return hb;
}

const hb = makeEnvironment();
const compiledTemplates = new Map();

const FORBIDDEN_KEYS = new Set(["__proto__", "constructor", "prototype"]);

class StageError extends Error {
  constructor(stage, message) {
    super(message);
    this.stage = stage;
  }
}

/** Template variables and the `yaml` var side table (placeholder → parsed value). */
function templateVariables(entries, meta) {
  const vars = {};
  // A plain object, as in Kibana: `in` also sees Object.prototype's names.
  const yamlValues = {};
  for (const [key, entry] of Object.entries(entries)) {
    const parts = key.split(".");
    const last = parts.pop();
    if (!last || FORBIDDEN_KEYS.has(last)) throw new StageError("vars", `Error while compiling agent template: Invalid key ${last}`);
    let target = vars;
    for (const part of parts) {
      if (FORBIDDEN_KEYS.has(part)) throw new StageError("vars", `Error while compiling agent template: Invalid key ${part}`);
      if (!target[part]) target[part] = {};
      target = target[part];
    }
    if (entry.type && entry.type === "yaml") {
      const value = entry.value;
      const placeholder = `##${key}##`;
      target[last] = value ? `"${placeholder}"` : null;
      yamlValues[placeholder] = value ? yaml.load(value) : null;
    } else if (entry.value && entry.value.isSecretRef) {
      const value = entry.value;
      const ref = (id) => `$co.elastic.secret{${id}}`;
      target[last] = value.ids ? value.ids.map(ref) : ref(value.id);
    } else {
      target[last] = entry.value;
    }
  }
  vars._meta = meta;
  return { vars, yamlValues };
}

/** A `yaml` placeholder that starts a line becomes the YAML dump of its value. */
function mergeRootLevelYaml(yamlValues, text) {
  if (Object.keys(yamlValues).length === 0 || !text) return text;
  let out = text;
  for (const [placeholder, value] of Object.entries(yamlValues)) {
    // The placeholder goes into the pattern as it is, as Kibana does.
    out = out.replace(new RegExp(`^"${placeholder}"`, "gm"), () => (value ? yaml.dump(value) : ""));
  }
  return out;
}

/** String values equal to a placeholder become its value, at any depth. */
function putBackYamlValues(yamlValues, doc) {
  if (Object.keys(yamlValues).length === 0 || !doc) return doc;
  for (const [key, value] of Object.entries(doc)) {
    if (typeof value === "object") doc[key] = putBackYamlValues(yamlValues, value);
    if (typeof value === "string" && value in yamlValues) doc[key] = yamlValues[value];
  }
  return doc;
}

/** Kibana's message for a YAML error: the duplicated key read from the text at the error mark. */
function yamlErrorMessage(err, text) {
  if (err && err.reason === "duplicated mapping key") {
    let position = err.mark && err.mark.position;
    let key = "unknown";
    if (position) {
      key = "";
      while (position < text.length && text.charAt(position) !== ":") {
        key += text.charAt(position);
        position += 1;
      }
    }
    return `YAMLException: Duplicated key "${key}" found in agent policy yaml, please check your yaml variables.`;
  }
  return err.message;
}

function compile(entries, meta, source) {
  let built;
  try {
    built = templateVariables(entries, meta);
  } catch (err) {
    if (err instanceof StageError) throw err;
    // js-yaml failing on a `yaml` var's value, or a property set on a primitive.
    throw new StageError("vars", String(err));
  }
  const { vars, yamlValues } = built;
  let rendered;
  try {
    let template = compiledTemplates.get(source);
    if (!template) {
      template = hb.compile(source, { noEscape: true });
      compiledTemplates.set(source, template);
    }
    rendered = template(vars);
  } catch (err) {
    throw new StageError("handlebars", `Error while compiling agent template: ${err.message}`);
  }
  rendered = mergeRootLevelYaml(yamlValues, rendered);
  try {
    const loaded = yaml.load(rendered, {});
    const patched = Object.entries(loaded).reduce((acc, [key, value]) => {
      const blank = value === null && typeof vars[key] === "string" && vars[key].trim() === "";
      acc[key] = blank ? "" : value;
      return acc;
    }, {});
    return putBackYamlValues(yamlValues, patched);
  } catch (err) {
    throw new StageError("yaml", yamlErrorMessage(err, rendered));
  }
}

/**
 * Compiles `template` with var entries `{name: {type?, value?}}` and meta variables
 * `{package, stream, input, agent}` the way Kibana does. The value is returned as Kibana stores
 * it (through JSON), so what JSON cannot hold is dropped as it is there.
 */
export function kibanaCompile(entries, meta, template) {
  try {
    const value = compile(entries, meta, template);
    return { ok: JSON.parse(JSON.stringify(value) ?? "null") };
  } catch (err) {
    if (err instanceof StageError) return { error: { stage: err.stage, message: err.message } };
    return { error: { stage: "internal", message: String(err && err.stack ? err.stack : err) } };
  }
}
