/**
 * The library's public type names read well in every language: none of them is also the name of a type in a
 * namespace that a user of the construct imports beside it (the namespaces the README's examples import). In C# and
 * Java two imported types of one name make every unqualified use ambiguous (CS0104), as `DeadLetterQueue` was with
 * the SQS module's. The names of aws-cdk-lib and constructs come from their jsii assemblies, the names that reach
 * every language.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';
import * as ts from 'typescript';

const ROOT = path.join(__dirname, '..', '..');

/** The jsii assembly of an installed package (following a compressed file's redirect). */
function assembly(pkg: string): { types: Record<string, { name: string; namespace?: string }> } {
  const dir = path.dirname(require.resolve(`${pkg}/package.json`));
  const file = JSON.parse(fs.readFileSync(path.join(dir, '.jsii'), 'utf8'));
  if (file.schema === 'jsii/file-redirect') return JSON.parse(zlib.gunzipSync(fs.readFileSync(path.join(dir, file.filename))).toString('utf8'));
  return file;
}

/** Namespace -> type names declared directly in it ('' is the package's root), for an assembly. */
function typesByNamespace(pkg: string): Map<string, Set<string>> {
  const byNamespace = new Map<string, Set<string>>();
  for (const fqn of Object.keys(assembly(pkg).types)) {
    const parts = fqn.slice(pkg.length + 1).split('.');
    const name = parts.pop()!;
    // A type nested in a class (CfnQueue.RedrivePolicyProperty) is used through its class: it cannot clash.
    const namespace = parts.filter((p) => /^[a-z]/.test(p)).join('.');
    if (parts.some((p) => /^[A-Z]/.test(p))) continue;
    if (!byNamespace.has(namespace)) byNamespace.set(namespace, new Set());
    byNamespace.get(namespace)!.add(name);
  }
  return byNamespace;
}

/** The modules the README's TypeScript examples import, as [package, namespace]: 'aws-cdk-lib/aws-sqs' -> aws_sqs. */
function readmeImports(): Array<[string, string]> {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const modules = new Set<string>();
  for (const block of readme.matchAll(/```ts\n([\s\S]*?)```/g)) {
    for (const match of block[1].matchAll(/from '([^']+)'/g)) modules.add(match[1]);
  }
  return [...modules].filter((m) => m === 'constructs' || m.startsWith('aws-cdk-lib')).map((m) => {
    const [pkg, sub] = m.split('/');
    return [pkg, sub ? sub.replace(/-/g, '_') : ''];
  });
}

/** The names src/index.ts exports: every public type of the library. */
function publicTypeNames(): string[] {
  const program = ts.createProgram([path.join(ROOT, 'src', 'index.ts')], { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 });
  const checker = program.getTypeChecker();
  const index = checker.getSymbolAtLocation(program.getSourceFile(path.join(ROOT, 'src', 'index.ts'))!)!;
  return checker.getExportsOfModule(index).map((symbol) => symbol.getName()).sort();
}

const imports = readmeImports();
const ours = publicTypeNames();

test('the check reads what it needs: the README imports SQS, and the SQS module has a DeadLetterQueue', () => {
  expect(imports).toEqual(expect.arrayContaining([['aws-cdk-lib', ''], ['aws-cdk-lib', 'aws_sqs'], ['aws-cdk-lib', 'aws_lambda']]));
  expect(typesByNamespace('aws-cdk-lib').get('aws_sqs')).toContain('DeadLetterQueue');
  expect(ours).toEqual(expect.arrayContaining(['ServerlessTimer', 'ServerlessTimerProps', 'TimerDeadLetterQueue', 'TimerMetricName']));
});

test('no public type of ours has the name of a type in a namespace the README imports beside it', () => {
  const assemblies = new Map(['aws-cdk-lib', 'constructs'].map((pkg) => [pkg, typesByNamespace(pkg)]));
  const clashes = imports.flatMap(([pkg, namespace]) => {
    const names = assemblies.get(pkg)!.get(namespace) ?? new Set<string>();
    return ours.filter((name) => names.has(name)).map((name) => `${name} is also ${pkg}${namespace ? `.${namespace}` : ''}.${name}`);
  });
  expect(clashes).toEqual([]);
});
