#!/usr/bin/env node
// Stage 1 of the typed Azure Event Grid system events (issue 25): reads the
// npm package @azure/eventgrid at a pinned version plus our own facts and
// curation files, and writes tools/azure-events/model.json, the input of the
// Rust generator. Only structure is carried over: names, wire names,
// requiredness, types, enum values. The package's doc comments are never read
// into the output, so model.json holds no description text.
//
// Node 20, no dependencies; needs `npm` (to fetch the tarball) and `tar`.
// See README.md beside this file for usage and the checks made.

import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

// The pin. Refreshing to a newer package means changing both together; the
// integrity is what `npm view @azure/eventgrid@<version> dist.integrity` says.
const PACKAGE = "@azure/eventgrid";
const VERSION = "5.12.0";
const INTEGRITY =
  "sha512-w8aXLASPOU2hkJmR8mwZJ0RKjitQWggIXfIjlkz/Q0BOXLjrq06JCcf9Y3c8KPjVIgKqtKVUhL3jqTyQLMn2vg==";

const HERE = path.dirname(fileURLToPath(import.meta.url));

class Failure extends Error {}
const fail = (msg) => {
  throw new Failure(msg);
};

// ---------------------------------------------------------------- arguments

function parseArgs(argv) {
  const opts = {
    package: null,
    facts: path.join(HERE, "swagger-facts.json"),
    names: path.join(HERE, "event-names.json"),
    out: path.join(HERE, "model.json"),
    python: null,
    check: false,
  };
  const valued = new Set(["--package", "--facts", "--names", "--out", "--python"]);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--check") opts.check = true;
    else if (a === "-h" || a === "--help") {
      process.stdout.write(
        "usage: node extract.mjs [--package DIR|FILE.tgz] [--facts FILE] [--names FILE]\n" +
          "                        [--python _event_mappings.py] [--out FILE] [--check]\n",
      );
      process.exit(0);
    } else if (valued.has(a)) {
      if (i + 1 >= argv.length) fail(`${a} needs a value`);
      opts[a.slice(2)] = argv[++i];
    } else fail(`unknown argument ${a}`);
  }
  return opts;
}

// ------------------------------------------------------------------ package

function integrityOf(file) {
  return "sha512-" + createHash("sha512").update(fs.readFileSync(file)).digest("base64");
}

function extractTarball(tgz, into) {
  const got = integrityOf(tgz);
  // A tarball that is not the pinned one would silently change the model.
  if (got !== INTEGRITY) fail(`${tgz}: integrity ${got} is not the pinned ${INTEGRITY}`);
  execFileSync("tar", ["xzf", tgz, "-C", into], { stdio: "inherit" });
  return { dir: path.join(into, "package"), integrity: got, verified: true };
}

// Returns the extracted package directory ("package/" of the tarball).
function obtainPackage(opts, tmp) {
  if (opts.package) {
    const p = path.resolve(opts.package);
    if (fs.statSync(p).isFile()) return extractTarball(p, tmp);
    // An extracted directory cannot be hashed as the tarball was; the version
    // is still checked, and the summary says the integrity was not verified.
    return { dir: p, integrity: INTEGRITY, verified: false };
  }
  const out = execFileSync(
    "npm",
    ["pack", `${PACKAGE}@${VERSION}`, "--json", "--pack-destination", tmp],
    { cwd: tmp, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] },
  );
  const [info] = JSON.parse(out);
  if (info.integrity !== INTEGRITY)
    fail(`npm reports integrity ${info.integrity}, pinned is ${INTEGRITY}`);
  return extractTarball(path.join(tmp, info.filename), tmp);
}

// ---------------------------------------------------------------- TS parser
// Only the declarations index.d.ts is generated with are understood; anything
// else in a place we read is an error rather than a guess.

function stripComments(s) {
  return s.replace(/\/\*[\s\S]*?\*\//g, "").replace(/\/\/[^\n]*/g, "");
}

// Splits an interface body into members at top-level semicolons.
function splitMembers(body) {
  const members = [];
  let depth = 0;
  let cur = "";
  for (const ch of body) {
    if ("{<([".includes(ch)) depth++;
    else if ("}>)]".includes(ch)) depth--;
    if (ch === ";" && depth === 0) {
      if (cur.trim()) members.push(cur.trim());
      cur = "";
    } else cur += ch;
  }
  if (cur.trim()) fail(`unterminated member in interface body: ${cur.trim()}`);
  return members;
}

function parseDeclarations(src) {
  const interfaces = new Map(); // name -> { extends: [names], props: Map(name -> ts type) }
  const aliases = new Map(); // name -> ts type text
  const known = new Map(); // alias name -> [values] from `enum KnownX`
  const code = stripComments(src);

  for (const m of code.matchAll(/^export interface (\w+)(?: extends ([^{]+))? \{$/gm)) {
    const start = m.index + m[0].length;
    const end = code.indexOf("\n}", start);
    if (end < 0) fail(`interface ${m[1]}: no closing brace`);
    const props = new Map();
    for (const member of splitMembers(code.slice(start, end))) {
      if (member.startsWith("[")) continue; // index signature: additionalProperties, checked on the mapper side
      const pm = /^(?:readonly\s+)?([A-Za-z_$][\w$]*)\??\s*:\s*([\s\S]+)$/.exec(member);
      if (!pm) fail(`interface ${m[1]}: cannot read member ${JSON.stringify(member)}`);
      props.set(pm[1], pm[2].replace(/\s+/g, " ").trim());
    }
    const ext = m[2] ? m[2].split(",").map((s) => s.trim()) : [];
    interfaces.set(m[1], { extends: ext, props });
  }
  for (const m of code.matchAll(/^export type (\w+) = ([^;]+);$/gm)) aliases.set(m[1], m[2].trim());
  for (const m of code.matchAll(/^export declare enum Known(\w+) \{([^}]*)\}/gm)) {
    const values = [];
    for (const member of m[2].split(",").map((s) => s.trim()).filter(Boolean)) {
      const em = /^\w+ = ("(?:[^"\\]|\\.)*")$/.exec(member);
      if (!em) fail(`enum Known${m[1]}: member ${JSON.stringify(member)} is not a string value`);
      values.push(JSON.parse(em[1]));
    }
    known.set(m[1], values);
  }
  return { interfaces, aliases, known };
}

// The TS type of a property, following `extends`.
function tsPropType(decl, model, prop) {
  const seen = new Set();
  const walk = (name) => {
    if (seen.has(name)) return undefined;
    seen.add(name);
    const i = decl.interfaces.get(name);
    if (!i) return undefined;
    if (i.props.has(prop)) return i.props.get(prop);
    for (const e of i.extends) {
      const t = walk(e);
      if (t !== undefined) return t;
    }
    return undefined;
  };
  return walk(model);
}

const stringUnion = (text) => {
  const parts = text.split("|").map((s) => s.trim());
  if (!parts.every((p) => /^"(?:[^"\\]|\\.)*"$/.test(p))) return null;
  return parts.map((p) => JSON.parse(p));
};

// ----------------------------------------------------------- mapper reading

const unescapeWire = (s) => s.replace(/\\\./g, "."); // autorest escapes a literal dot ("@odata\\.type") to say "not a flattening path"

// Converts one mapper type (checked against its TS type) to a model type T.
// `enums` collects the enums met, `refs` the models met.
function convertType(mt, ts, where, ctx) {
  const name = mt && mt.name;
  switch (name) {
    case "String": {
      if (ts === "string" || /^"(?:[^"\\]|\\.)*"$/.test(ts)) return { kind: "string" };
      if (/^\w+$/.test(ts) && ctx.decl.aliases.get(ts) === "string") {
        // An alias of string is an extensible enum when a Known* enum lists its values.
        if (ctx.decl.known.has(ts)) {
          ctx.addEnum(ts, [...ctx.decl.known.get(ts)], true, where);
          return { kind: "enum", name: ts };
        }
        return { kind: "string" };
      }
      return fail(`${where}: mapper String but TS type ${ts}`);
    }
    case "Enum": {
      const values = ctx.decl.aliases.has(ts) ? stringUnion(ctx.decl.aliases.get(ts)) : null;
      if (!values) fail(`${where}: mapper Enum but TS type ${ts} is not a union of string literals`);
      const allowed = mt.allowedValues || [];
      const same =
        allowed.length === values.length && [...allowed].sort().join("\0") === [...values].sort().join("\0");
      if (!same) fail(`${where}: Enum allowedValues differ from TS ${ts}`);
      ctx.addEnum(ts, [...allowed], false, where);
      return { kind: "enum", name: ts };
    }
    case "Number":
      if (ts !== "number") fail(`${where}: mapper Number but TS type ${ts}`);
      return { kind: "number" };
    case "Boolean":
      if (ts !== "boolean") fail(`${where}: mapper Boolean but TS type ${ts}`);
      return { kind: "boolean" };
    case "DateTime":
      if (ts !== "Date") fail(`${where}: mapper DateTime but TS type ${ts}`);
      return { kind: "datetime" };
    case "Composite": {
      const cls = mt.className;
      if (!cls) fail(`${where}: Composite without className`);
      const alias = ctx.decl.aliases.get(ts);
      const inUnion = alias && alias.split("|").map((s) => s.trim()).includes(cls);
      if (ts !== cls && !inUnion) fail(`${where}: mapper Composite ${cls} but TS type ${ts}`);
      ctx.refs.push(cls);
      return { kind: "model", name: cls };
    }
    case "Sequence": {
      if (!ts.endsWith("[]")) fail(`${where}: mapper Sequence but TS type ${ts}`);
      if (!mt.element || !mt.element.type) fail(`${where}: Sequence without element`);
      return { kind: "array", items: convertType(mt.element.type, ts.slice(0, -2), `${where}[]`, ctx) };
    }
    case "Dictionary": {
      if (!mt.value || !mt.value.type) fail(`${where}: Dictionary without value`);
      let inner;
      const rec = /^Record<string, (.+)>$/.exec(ts);
      const sig = /^\{ \[\w+: string\]: (.+?);? \}$/.exec(ts);
      if (rec) inner = rec[1];
      else if (sig) inner = sig[1];
      else fail(`${where}: mapper Dictionary but TS type ${ts}`);
      return { kind: "map", values: convertType(mt.value.type, inner, `${where}{}`, ctx) };
    }
    case "any":
    case "Object":
      if (!["any", "unknown"].includes(ts)) fail(`${where}: mapper ${name} but TS type ${ts}`);
      return { kind: "any" };
    default:
      return fail(`${where}: mapper type kind ${JSON.stringify(name)} is not known to this script`);
  }
}

// ------------------------------------------------------------ event names

function readJson(file) {
  try {
    return JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (e) {
    return fail(`${file}: ${e.message}`);
  }
}

function parsePredicates(src) {
  const at = src.indexOf("interface SystemEventNameToEventData {");
  if (at < 0) fail("predicates.d.ts: interface SystemEventNameToEventData not found");
  const body = stripComments(src.slice(at, src.indexOf("\n}", at)));
  const map = new Map();
  for (const m of body.matchAll(/^\s*("(?:[^"\\]|\\.)*")\s*:\s*(\w+);$/gm)) {
    const name = JSON.parse(m[1]);
    if (map.has(name)) fail(`predicates.d.ts: ${JSON.stringify(name)} twice`);
    map.set(name, m[2]);
  }
  if (map.size === 0) fail("predicates.d.ts: no entries read");
  return map;
}

// SystemEventNames members of the Python package, as [constant, value].
function parsePython(src) {
  const at = src.indexOf("class SystemEventNames(");
  if (at < 0) fail("python file: class SystemEventNames not found");
  const code = src.slice(at).replace(/#[^\n]*/g, "");
  return [...code.matchAll(/^[ \t]+(\w+)[ \t]*=[ \t]*(?:\(\s*)?"([^"]*)"/gm)].map((m) => [m[1], m[2]]);
}

// predicates ∪ corrections ∪ additions ∪ facts events; a name given two data
// types is an error.
function mergeEvents(predicates, names, factsEvents, classes) {
  const merged = new Map(); // event -> { data, from }
  const warnings = [];
  const put = (event, data, from) => {
    if (typeof event !== "string" || event !== event.trim() || !/^[\w.]+$/.test(event))
      fail(`${from}: event name ${JSON.stringify(event)} is not a plain dotted name`);
    const had = merged.get(event);
    if (had && had.data !== data)
      fail(`name conflict: ${event} is ${had.data} (${had.from}) and ${data} (${from})`);
    // The facts file restates most names, which is agreement, not news; a
    // curation entry that restates one is dead weight worth a warning.
    if (had && from.startsWith("event-names.json")) warnings.push(`${event} from ${from} is already given by ${had.from}`);
    if (had) had.confirmedBy.push(from);
    else merged.set(event, { data, from, confirmedBy: [] });
  };

  const corrections = new Map();
  for (const c of names.corrections || []) {
    if (!predicates.has(c.from))
      fail(`event-names.json: correction from ${JSON.stringify(c.from)}: not in predicates.d.ts (fixed upstream? then drop the correction)`);
    if (predicates.get(c.from) !== c.data)
      fail(`event-names.json: correction from ${JSON.stringify(c.from)}: predicates.d.ts maps it to ${predicates.get(c.from)}, not ${c.data}`);
    if (predicates.has(c.to)) fail(`event-names.json: correction target ${c.to} is already in predicates.d.ts`);
    corrections.set(c.from, c);
  }
  for (const [event, data] of predicates) {
    const c = corrections.get(event);
    if (c) put(c.to, data, "predicates.d.ts (corrected)");
    else put(event, data, "predicates.d.ts");
  }
  for (const [event, data] of Object.entries(names.additions || {})) put(event, data, "event-names.json additions");
  for (const [event, data] of factsEvents) put(event, data, "swagger-facts.json events");

  for (const [event, { data, from }] of merged)
    if (!classes.has(data)) fail(`event ${event} (${from}): data type ${data} has no model in mappers.js`);
  return { merged, warnings };
}

// Resolves the facts file's Swagger names to the package's. The package was
// generated from an older Swagger with some definitions renamed, so every
// difference is declared in event-names.json ("swagger"), and an entry there
// that no longer matches anything is an error too, so the declarations stay
// exact across refreshes. All problems are gathered before failing.
function resolveFacts(facts, sw, byClass) {
  const problems = [];
  const renames = new Map(Object.entries(sw.definitions || {}));
  const wireRenames = sw.properties || {};
  const absent = sw.notInPackage || {};
  const absentDefs = new Set(absent.definitions || []);
  const absentEvents = new Set(absent.events || []);
  const absentProps = absent.properties || {};
  const used = new Set();
  const mapperWires = (cls) => new Set(Object.values(byClass.get(cls).type.modelProperties || {}).map((p) => unescapeWire(p.serializedName)));

  const classOf = (def, where) => {
    if (absentDefs.has(def)) {
      used.add(`def:${def}`);
      return null;
    }
    const cls = renames.has(def) ? renames.get(def) : def;
    if (renames.has(def)) used.add(`rename:${def}`);
    if (!byClass.has(cls)) problems.push(`${where}: ${def} has no model in mappers.js`);
    return byClass.has(cls) ? cls : null;
  };

  const factsEvents = new Map();
  for (const [event, def] of Object.entries(facts.events)) {
    if (absentEvents.has(event)) {
      used.add(`event:${event}`);
      if (absentDefs.has(def)) used.add(`def:${def}`);
      if (!absentDefs.has(def) && byClass.has(renames.get(def) ?? def))
        problems.push(`event-names.json swagger.notInPackage.events ${event}: its data type ${def} is in the package`);
      continue;
    }
    const cls = classOf(def, `swagger-facts.json events ${event}`);
    if (cls) factsEvents.set(event, cls);
  }

  const factsFormats = [];
  let formats = 0;
  let skipped = 0;
  for (const def of Object.keys(facts.formats).sort()) {
    const entries = Object.entries(facts.formats[def]).sort(([a], [b]) => (a < b ? -1 : 1));
    formats += entries.length;
    const cls = classOf(def, "swagger-facts.json formats");
    if (!cls) {
      skipped += entries.length;
      continue;
    }
    const wires = mapperWires(cls);
    for (const [swWire, fmt] of entries) {
      const where = `swagger-facts.json formats ${def}.${swWire}`;
      if (typeof fmt !== "string" || !fmt) problems.push(`${where}: not a format`);
      if ((absentProps[def] || []).includes(swWire)) {
        used.add(`prop:${def}.${swWire}`);
        if (wires.has(swWire)) problems.push(`event-names.json swagger.notInPackage.properties ${def}.${swWire}: ${cls} has it`);
        skipped++;
        continue;
      }
      const wire = wireRenames[def] && swWire in wireRenames[def] ? wireRenames[def][swWire] : swWire;
      if (wire !== swWire) used.add(`wire:${def}.${swWire}`);
      if (!wires.has(wire)) problems.push(`${where}: ${cls} has no property "${wire}" in mappers.js`);
      else factsFormats.push({ cls, wire, fmt, def });
    }
  }

  // Contradictory declarations are errors; unused ones only warnings, since
  // they change nothing (and a run with an empty facts file uses none).
  const unused = [];
  for (const [def, cls] of renames) {
    if (!used.has(`rename:${def}`)) unused.push(`definitions.${def}`);
    if (byClass.has(def)) problems.push(`event-names.json swagger.definitions ${def}: the package has a model of that very name`);
    if (!byClass.has(cls)) problems.push(`event-names.json swagger.definitions ${def}: target ${cls} is not in mappers.js`);
  }
  for (const def of absentDefs) {
    if (!used.has(`def:${def}`)) unused.push(`notInPackage.definitions ${def}`);
    if (byClass.has(def)) problems.push(`event-names.json swagger.notInPackage.definitions ${def}: the package has it`);
  }
  for (const event of absentEvents) if (!used.has(`event:${event}`)) unused.push(`notInPackage.events ${event}`);
  for (const [def, props] of Object.entries(absentProps))
    for (const w of props) if (!used.has(`prop:${def}.${w}`)) unused.push(`notInPackage.properties ${def}.${w}`);
  for (const [def, map] of Object.entries(wireRenames))
    for (const w of Object.keys(map)) if (!used.has(`wire:${def}.${w}`)) unused.push(`properties ${def}.${w}`);

  if (problems.length) fail(problems.join("\n"));
  return { factsEvents, factsFormats, factsCount: { formats, skipped }, unused };
}

// The Python rule: a member XxxEventName whose XxxEventData is a mapper gives
// that event name. Checks that event-names.json holds exactly what the rule
// adds, so the committed curation can be reproduced from the Python package.
function checkPython(pyFile, names, merged, classes, predicates) {
  const members = parsePython(fs.readFileSync(pyFile, "utf8"));
  if (members.length === 0) fail(`${pyFile}: no SystemEventNames members read`);
  const ignored = new Map(Object.entries(names.pythonIgnored || {}));
  const derived = new Map();
  for (const [constant, value] of members) {
    if (ignored.has(constant)) {
      if (ignored.get(constant) !== value)
        fail(`event-names.json pythonIgnored ${constant}: Python now says ${value}, not ${ignored.get(constant)}`);
      ignored.delete(constant);
      continue;
    }
    if (!constant.endsWith("EventName")) continue;
    const data = constant.slice(0, -"EventName".length) + "EventData";
    if (!classes.has(data)) continue;
    if (derived.has(value) && derived.get(value) !== data)
      fail(`name conflict in Python: ${value} is ${derived.get(value)} and ${data}`);
    derived.set(value, data);
  }
  for (const constant of ignored.keys()) fail(`event-names.json pythonIgnored ${constant}: not in the Python file`);

  const additions = new Map(Object.entries(names.additions || {}));
  const problems = [];
  for (const [event, data] of derived) {
    const had = merged.get(event);
    if (had && had.data !== data) problems.push(`name conflict: Python gives ${event} = ${data}, merged has ${had.data} (${had.from})`);
    else if (!had) problems.push(`Python gives ${event} = ${data}, missing from event-names.json additions`);
  }
  for (const [event, data] of additions) {
    if (derived.get(event) !== data) problems.push(`event-names.json addition ${event} = ${data} is not given by the Python rule`);
    if (predicates.has(event)) problems.push(`event-names.json addition ${event} is already in predicates.d.ts`);
  }
  for (const c of names.corrections || [])
    if (derived.get(c.to) !== c.data) problems.push(`correction target ${c.to} = ${c.data} is not given by the Python rule`);
  if (problems.length) fail(problems.join("\n"));
  return { members: members.length, derived: derived.size };
}

// ------------------------------------------------------------------ formats

const INTEGER_FORMATS = new Set(["int32", "int64"]);
const FLOAT_FORMATS = new Set(["double", "float", "decimal"]);

// Applies a facts format ("int64", "date-time", "int32[]", ...) to T.
function applyFormat(t, fmt, where) {
  if (fmt.endsWith("[]")) {
    if (t.kind !== "array") fail(`${where}: format ${fmt} on a ${t.kind}`);
    return { kind: "array", items: applyFormat(t.items, fmt.slice(0, -2), `${where}[]`) };
  }
  switch (t.kind) {
    case "string":
      return { kind: "string", format: fmt };
    case "number":
      if (INTEGER_FORMATS.has(fmt)) return { kind: "integer", format: fmt };
      if (FLOAT_FORMATS.has(fmt)) return { kind: "number" };
      return fail(`${where}: format ${fmt} on a Number`);
    case "datetime":
      if (fmt !== "date-time") fail(`${where}: format ${fmt} on a DateTime`);
      return t;
    default:
      return fail(`${where}: format ${fmt} on a ${t.kind}`);
  }
}

// ------------------------------------------------------------------ output

function sortKeys(v) {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === "object") {
    const o = {};
    for (const k of Object.keys(v).sort()) o[k] = sortKeys(v[k]);
    return o;
  }
  return v;
}

const kindLabel = (t) => (t.kind === "array" ? `array<${kindLabel(t.items)}>` : t.kind === "map" ? `map<${kindLabel(t.values)}>` : t.kind);

// --------------------------------------------------------------------- main

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "azure-events-"));
  try {
    return await run(opts, tmp);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

async function run(opts, tmp) {
  const pkg = obtainPackage(opts, tmp);
  const pj = readJson(path.join(pkg.dir, "package.json"));
  if (pj.name !== PACKAGE || pj.version !== VERSION)
    fail(`${pkg.dir}: is ${pj.name}@${pj.version}, pinned is ${PACKAGE}@${VERSION}`);

  const esm = path.join(pkg.dir, "dist", "esm");
  const mappers = await import(pathToFileURL(path.join(esm, "generated", "models", "mappers.js")).href);
  const decl = parseDeclarations(fs.readFileSync(path.join(esm, "generated", "models", "index.d.ts"), "utf8"));
  const predicates = parsePredicates(fs.readFileSync(path.join(esm, "predicates.d.ts"), "utf8"));
  const facts = readJson(opts.facts);
  const names = readJson(opts.names);
  for (const k of ["formats", "events"])
    if (!facts[k] || typeof facts[k] !== "object") fail(`${opts.facts}: "${k}" object missing`);

  // Mappers by class name; the export `discriminators` is the one non-mapper.
  const byClass = new Map();
  for (const [exp, m] of Object.entries(mappers)) {
    if (exp === "discriminators") continue;
    const cls = m && m.type && m.type.className;
    if (!cls || m.type.name !== "Composite") fail(`mappers.js: export ${exp} is not a Composite mapper`);
    if (cls !== exp) fail(`mappers.js: export ${exp} has className ${cls}`);
    byClass.set(cls, m);
  }
  const discriminators = mappers.discriminators || {};

  const { factsEvents, factsFormats, factsCount, unused } = resolveFacts(facts, names.swagger || {}, byClass);
  const { merged, warnings } = mergeEvents(predicates, names, factsEvents, byClass);
  let python = null;
  if (opts.python) python = checkPython(opts.python, names, merged, byClass, predicates);

  // Which model owns each mapper property object: Object.assign copies the
  // base's property objects by reference, so identity tells inheritance and
  // a facts format given on a base definition reaches every subtype.
  const owners = new Map(); // property object -> [class]
  for (const [cls, m] of byClass)
    for (const p of Object.values(m.type.modelProperties || {})) {
      if (!owners.has(p)) owners.set(p, []);
      owners.get(p).push(cls);
    }

  // Formats keyed by model and wire name, after inheritance.
  const formats = new Map(); // `${cls}\0${wire}` -> { fmt, def }
  for (const f of factsFormats) {
    const m = byClass.get(f.cls);
    const p = Object.values(m.type.modelProperties || {}).find((q) => unescapeWire(q.serializedName) === f.wire);
    for (const cls of owners.get(p)) {
      const key = `${cls}\0${f.wire}`;
      const had = formats.get(key);
      if (had && had.fmt !== f.fmt) fail(`format conflict on ${cls}.${f.wire}: ${had.fmt} (${had.def}) and ${f.fmt} (${f.def})`);
      if (!had) formats.set(key, { fmt: f.fmt, def: f.def });
    }
  }

  // Walk from the event data types through properties and subtypes.
  const models = {};
  const enums = new Map(); // name -> { values, extensible, where }
  const applied = new Map(); // format -> count
  const ctx = {
    decl,
    refs: [],
    addEnum(name, values, extensible, where) {
      values.sort();
      const had = enums.get(name);
      if (had && (had.extensible !== extensible || had.values.join("\0") !== values.join("\0")))
        fail(`name conflict: enum ${name} at ${where} differs from the one at ${had.where}`);
      if (!had) enums.set(name, { values, extensible, where });
    },
  };
  const queue = [...new Set([...merged.values()].map((e) => e.data))].sort();
  while (queue.length) {
    const cls = queue.shift();
    if (models[cls]) continue;
    const m = byClass.get(cls);
    if (!m) fail(`model ${cls} is referenced but has no mapper`);
    if (m.type.additionalProperties) fail(`${cls}: additionalProperties are not expressible in model.json`);
    if (!decl.interfaces.has(cls)) fail(`${cls}: no interface in index.d.ts`);
    ctx.refs = [];
    const properties = [];
    const wires = new Set();
    for (const [prop, p] of Object.entries(m.type.modelProperties || {})) {
      const where = `${cls}.${prop}`;
      const wire = unescapeWire(p.serializedName);
      if (!wire) fail(`${where}: no serializedName`);
      if (wires.has(wire)) fail(`name conflict: ${cls} has wire name ${wire} twice`);
      wires.add(wire);
      const ts = tsPropType(decl, cls, prop);
      if (ts === undefined) fail(`${where}: not in the TS interface`);
      let type = convertType(p.type, ts, where, ctx);
      const f = formats.get(`${cls}\0${wire}`);
      if (f) {
        if (type.kind === "enum") fail(`${where}: format ${f.fmt} on an enum`);
        type = applyFormat(type, f.fmt, where);
        applied.set(f.fmt, (applied.get(f.fmt) || 0) + 1);
      }
      properties.push({ property: prop, wire, required: p.required === true, type });
    }

    // A polymorphic base lists its subtypes by discriminator value; a subtype
    // points back through uberParent and carries no table of its own.
    let discriminator = null;
    const pd = m.type.polymorphicDiscriminator;
    if (pd && m.type.uberParent === cls) {
      const subtypes = {};
      for (const [key, sub] of Object.entries(discriminators)) {
        if (!key.startsWith(`${cls}.`)) continue;
        const value = key.slice(cls.length + 1);
        if (sub.serializedName !== value) fail(`discriminators ${key}: subtype says ${sub.serializedName}`);
        subtypes[value] = sub.type.className;
        ctx.refs.push(sub.type.className);
      }
      const wire = unescapeWire(pd.serializedName);
      if (!wires.has(wire)) fail(`${cls}: discriminator ${wire} is not a property`);
      discriminator = { wire, subtypes };
    } else if (pd && !byClass.has(m.type.uberParent)) fail(`${cls}: uberParent ${m.type.uberParent} has no mapper`);

    models[cls] = { properties, discriminator };
    queue.push(...ctx.refs);
  }

  for (const name of enums.keys()) if (byClass.has(name)) fail(`name conflict: ${name} is both an enum and a model`);

  const events = [...merged.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([type, { data }]) => ({ type, data }));
  const enumsOut = {};
  for (const [name, e] of enums) enumsOut[name] = { values: e.values, extensible: e.extensible };

  const model = {
    source: { package: PACKAGE, version: VERSION, integrity: pkg.integrity, facts: facts.source ?? null },
    models,
    enums: enumsOut,
    events,
  };
  const text = JSON.stringify(sortKeys(model), null, 2) + "\n";

  // --------------------------------------------------------------- summary
  const byKind = new Map();
  for (const m of Object.values(models))
    for (const p of m.properties) byKind.set(kindLabel(p.type), (byKind.get(kindLabel(p.type)) || 0) + 1);
  const line = (map) => [...map].sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => `${k} ${v}`).join(", ") || "none";
  const out = process.stdout;
  out.write(`${PACKAGE}@${VERSION} integrity ${pkg.verified ? "verified" : "NOT verified (directory given)"}\n`);
  out.write(`models: ${Object.keys(models).length}\n`);
  out.write(`events: ${events.length} (predicates.d.ts ${predicates.size}, corrections ${(names.corrections || []).length}, additions ${Object.keys(names.additions || {}).length}, facts ${factsEvents.size} of ${Object.keys(facts.events).length})\n`);
  const confirmed = [...merged.values()].filter((e) => e.from.startsWith("swagger") || e.confirmedBy.some((f) => f.startsWith("swagger"))).length;
  out.write(`events in the facts file: ${confirmed} of ${events.length}\n`);
  out.write(`enums: ${enums.size} (extensible ${[...enums.values()].filter((e) => e.extensible).length})\n`);
  out.write(`properties: ${[...byKind.values()].reduce((a, b) => a + b, 0)} by kind: ${line(byKind)}\n`);
  out.write(`formats: ${factsCount.formats} in facts (${factsCount.skipped} on what the package lacks), applied ${[...applied.values()].reduce((a, b) => a + b, 0)}: ${line(applied)}\n`);
  if (python) out.write(`python: ${python.members} SystemEventNames members, ${python.derived} matching a data type, consistent\n`);
  for (const w of warnings) out.write(`warning: ${w}\n`);
  if (unused.length) out.write(`warning: ${unused.length} swagger declarations in event-names.json are not used by this facts file: ${unused.join(", ")}\n`);

  if (opts.check) {
    const old = fs.existsSync(opts.out) ? fs.readFileSync(opts.out, "utf8") : null;
    if (old !== text) fail(`${opts.out} is not what the inputs give; rerun without --check`);
    out.write(`${opts.out}: up to date\n`);
  } else {
    fs.writeFileSync(opts.out, text);
    out.write(`wrote ${opts.out}\n`);
  }
}

main().catch((e) => {
  process.stderr.write(`extract.mjs: ${e instanceof Failure ? e.message : e.stack}\n`);
  process.exit(1);
});
