#!/usr/bin/env node
/**
 * The generated Go module must require exactly the versions that aws-cdk-go, at the aws-cdk-lib version this library
 * is built against, requires itself, for every module both name. jsii-pacmak writes into go.mod the versions of the
 * npm packages installed here (@aws-cdk/cloud-assembly-schema, ...), and a Go consumer's build then asks the module
 * proxy for a version of the Go counterpart that aws-cdk-go never asked for, which may not be served.
 *
 *   node test/bindings/go-mod-check.mjs <generated go.mod> <aws-cdk-go's go.mod>
 *
 * The one exception is the jsii runtime (github.com/aws/jsii-runtime-go): the generated code calls the runtime of the
 * jsii-pacmak that wrote it, so it must be at least aws-cdk-go's, not equal to it.
 *
 * Prints one line per shared module; exits 1 naming each mismatch and what to pin.
 */
import { readFileSync } from 'node:fs';

/** Modules whose version may be newer than aws-cdk-go's (see above). */
const AT_LEAST = new Set(['github.com/aws/jsii-runtime-go']);

/** Compares two versions vX.Y.Z (no pre-release): negative, zero or positive. */
function compareVersions(a, b) {
  const parse = (v) => v.replace(/^v/, '').split(/[.+-]/).slice(0, 3).map(Number);
  const [x, y] = [parse(a), parse(b)];
  for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return x[i] - y[i];
  return 0;
}

/** module -> version, from the require lines of a go.mod (block or single-line form). */
function requirements(text) {
  const required = new Map();
  const add = (line) => {
    const match = /^\s*(\S+)\s+(v\S+)/.exec(line.replace(/\/\/.*$/, ''));
    if (match) required.set(match[1], match[2]);
  };
  let inBlock = false;
  for (const line of text.split('\n')) {
    if (/^require\s*\($/.test(line.trim())) inBlock = true;
    else if (inBlock && line.trim() === ')') inBlock = false;
    else if (inBlock) add(line);
    else if (/^require\s+\S+\s+v/.test(line.trim())) add(line.trim().slice('require'.length));
  }
  return required;
}

function main([generatedPath, upstreamPath]) {
  if (!generatedPath || !upstreamPath) {
    process.stderr.write('usage: go-mod-check.mjs <generated go.mod> <aws-cdk-go go.mod>\n');
    return 2;
  }
  const ours = requirements(readFileSync(generatedPath, 'utf8'));
  const theirs = requirements(readFileSync(upstreamPath, 'utf8'));
  const mismatches = [];
  for (const [module, version] of ours) {
    if (!theirs.has(module)) continue;
    const wanted = theirs.get(module);
    const ok = AT_LEAST.has(module) ? compareVersions(version, wanted) >= 0 : version === wanted;
    process.stdout.write(`go.mod: ${module} ${version} (aws-cdk-go requires ${wanted}${AT_LEAST.has(module) ? ', at least' : ''}): ${ok ? 'ok' : 'MISMATCH'}\n`);
    if (!ok) mismatches.push(`${module} is ${version}, aws-cdk-go requires ${AT_LEAST.has(module) ? 'at least ' : ''}${wanted}`);
  }
  for (const mismatch of mismatches) {
    process.stderr.write(`go.mod: ${mismatch}: pin the npm package this module is generated from to that version (devDependencies in .projenrc.ts)\n`);
  }
  return mismatches.length === 0 ? 0 : 1;
}

process.exitCode = main(process.argv.slice(2));
