import { awscdk, javascript } from 'projen';

// The one place package.json, tsconfig, eslint, jest and tasks are defined. Run `npx projen` after editing.
const project = new awscdk.AwsCdkConstructLibrary({
  name: 'cdk-serverless-timer',
  description:
    'A serverless periodic and one-shot timer service for AWS CDK: millions of timers firing on the second through SQS, and the same engine running locally with no AWS.',
  author: 'cdk-serverless-timer',
  authorAddress: 'dev@cdk-serverless-timer.dev',
  repositoryUrl: 'https://github.com/cdk-serverless-timer/cdk-serverless-timer.git',
  keywords: ['cdk', 'awscdk', 'timer', 'scheduler', 'cron', 'setInterval', 'sqs', 'dynamodb', 'serverless'],
  defaultReleaseBranch: 'main',
  packageManager: javascript.NodePackageManager.NPM,
  projenrcTs: true,
  cdkVersion: '2.257.0',
  constructsVersion: '10.5.1',
  jsiiVersion: '~6.0.0',
  // Supported: the LTS lines 22, 24 and 26. Node 20 is past its end of life but still builds and runs everything.
  minNodeVersion: '20.0.0',
  // The workflows build on an LTS jsii is tested with (the newest LTS may be newer than jsii knows).
  workflowNodeVersion: '24.x',
  // The dependencies whose install scripts run (npm 11.16 and later ask for the list): native builds and binaries.
  allowScripts: ['better-sqlite3', 'classic-level', 'esbuild', 'msgpackr-extract', '@parcel/watcher'],
  // The Lambda handlers (`*.lambda.ts`) are bundled by esbuild into `assets/`; the AWS SDK v3 ships with the runtime.
  // Node.js 24: supported by Lambda until 2028 (22 ends in April 2027). The source maps are enabled in the functions
  // (`NODE_OPTIONS=--enable-source-maps`, see handler-settings.ts), so a stack trace names our TypeScript lines.
  lambdaOptions: {
    runtime: awscdk.LambdaRuntime.NODEJS_24_X,
    bundlingOptions: {
      externals: ['@aws-sdk/*'],
      sourcemap: true,
    },
  },
  // Cron expressions are parsed and matched by croner (zero dependencies, MIT): the engine needs it wherever it runs,
  // so it ships inside the package (a jsii library's plain npm dependencies must be bundled) and in the Lambda assets.
  bundledDeps: ['croner@11.0.1'],
  // Everything else a handler, the local runtime, a test or a benchmark uses is bundled or optional:
  // the published jsii module depends on aws-cdk-lib and constructs only.
  devDeps: [
    '@aws-sdk/client-cloudwatch',
    '@aws-sdk/client-dynamodb',
    '@aws-sdk/client-lambda',
    '@aws-sdk/client-sqs',
    '@aws-sdk/client-sts',
    '@aws-sdk/lib-dynamodb',
    '@aws-lambda-powertools/metrics',
    '@aws-lambda-powertools/logger',
    '@aws-lambda-powertools/batch',
    '@types/aws-lambda',
    '@types/better-sqlite3',
    'better-sqlite3@^12',
    'fast-check',
    'dynalite',
    'local-aws-sqs',
    'bullmq',
    // BullMQ 6 takes its Redis client as a peer.
    'ioredis@^5',
    'cdk-nag',
    '@aws-cdk/integ-tests-alpha@2.245.0-alpha.0',
    '@aws-cdk/integ-runner',
    // jsii-pacmak writes the installed versions of these into the Go module's go.mod: they must be the ones aws-cdk-go
    // requires at cdkVersion, or a Go consumer asks the module proxy for versions it may not serve
    // (test/bindings/go-mod-check.mjs checks it). Bump them with cdkVersion.
    '@aws-cdk/cloud-assembly-schema@53.25.0',
    '@aws-cdk/asset-node-proxy-agent-v6@2.1.1',
    // The load test's SigV4 test checks its signatures against the AWS SDK's own signer.
    '@smithy/signature-v4',
    'tsx',
  ],
  publishToPypi: {
    distName: 'cdk-serverless-timer',
    module: 'cdk_serverless_timer',
  },
  publishToMaven: {
    javaPackage: 'io.github.cdkserverlesstimer',
    mavenGroupId: 'io.github.cdk-serverless-timer',
    mavenArtifactId: 'cdk-serverless-timer',
  },
  publishToNuget: {
    dotNetNamespace: 'CdkServerlessTimer',
    packageId: 'CdkServerlessTimer',
  },
  publishToGo: {
    moduleName: 'github.com/cdk-serverless-timer/cdk-serverless-timer-go',
  },
  jestOptions: {
    // Snapshots are checked, never rewritten, by the test command; `npx projen test:update` refreshes them.
    updateSnapshot: javascript.UpdateSnapshot.NEVER,
    jestConfig: {
      // Handler tests start a DynamoDB/SQS emulator per suite; give them room on a 2-core machine.
      testTimeout: 120_000,
      maxWorkers: 2,
      // Drops the two deprecation warnings aws-cdk-lib's own TableV2 prints on every synthesis (see the file).
      setupFiles: ['<rootDir>/test/support/jest-setup.ts'],
    },
  },
  gitignore: [
    '.timers/', '.venv/', '/bench/out/', 'cdk.out/', '*.db', '*.db-shm', '*.db-wal',
    // The load test's own install, Artillery's bundle of its processor, its reports and the AWS stack's outputs.
    '/loadtest/node_modules/', '/loadtest/dist/', '/loadtest/reports/', '/loadtest/aws-outputs.json',
  ],
});

// Handler adapters, the local runtime, benchmarks and integ apps use devDependencies that are bundled or optional.
for (const pattern of ['src/aws/**', 'src/local/**', 'bench/**', 'integ/**', 'examples/**', 'loadtest/**']) {
  project.eslint?.allowDevDeps(pattern);
}
project.eslint?.addLintPattern('bench');
project.eslint?.addLintPattern('loadtest');
// The load test has its own package.json (Artillery and its plugins) and uses the repository's devDependencies too.
project.eslint?.addOverride({
  files: ['loadtest/**'],
  rules: { 'import/no-extraneous-dependencies': ['error', { devDependencies: true, optionalDependencies: false, packageDir: ['.', './loadtest'] }] },
});

// The package bin: `cdk-serverless-timer local` runs the whole service on one machine. tsc writes it without the
// executable bit, and npm packs a file with the mode it has: the Python and Java packages run the bin from the packed
// tarball, where a file without the bit cannot be executed.
project.addBins({ 'cdk-serverless-timer': 'lib/local/cli.js' });
project.compileTask.exec('chmod +x lib/local/cli.js');

for (const pattern of ['/bench/', '/loadtest/', '/integ/', '/.ci/', '/examples/', '.timers/']) {
  project.addPackageIgnore(pattern);
}

// Construct tests synthesize stacks that reference the bundled handlers: bundle before testing.
project.testTask.prependSpawn(project.tasks.tryFind('bundle')!);
// The load test's TypeScript (its Artillery processor, recorder and stack) has its own tsconfig: type-check it too.
project.testTask.exec('tsc --noEmit -p loadtest/tsconfig.json');

// Integration tests (integ/integ.*.ts) run with integ-runner; tsx runs the TypeScript apps (ts-node fails on ESM deps).
const integArgs = '--language typescript --directory integ --app "npx tsx {filePath}"';
project.addTask('integ:snapshot', {
  description: 'Refresh the integration test snapshots offline (synthesis only, no deployment)',
  exec: `integ-runner ${integArgs} --dry-run --update-on-failed`,
  receiveArgs: true,
});
const integVerify = project.addTask('integ:verify', {
  description: 'Compare the integration test snapshots with a fresh synthesis (offline, no deployment)',
  exec: `integ-runner ${integArgs} --dry-run`,
  receiveArgs: true,
});
// Deploys every time (integ-runner alone skips tests whose snapshot is unchanged), after checking the credentials.
project.addTask('integ:deploy', {
  description: 'Deploy the integration tests to the account and region of your AWS credentials, run their assertions and destroy them',
  exec: `tsx integ/deploy.ts ${integArgs}`,
  receiveArgs: true,
});
// A failed or interrupted integ-runner leaves its cloud assembly next to the test.
project.gitignore.addPatterns('/integ/cdk-integ.out.*/');
project.testTask.spawn(integVerify);

// The Python, Java and Go packages, each used by a consumer app in its language; the .NET sources (test/bindings).
// What the consumer apps build stays out of git (added here: given to the constructor's gitignore option, these
// patterns did not reach .gitignore).
project.gitignore.addPatterns('test/bindings/java/target/', 'test/bindings/csharp/bin/', 'test/bindings/csharp/obj/');
project.addTask('test:bindings', {
  description: 'Build the Python, Java and Go packages and run a consumer app of each against them; generate the .NET sources',
  exec: 'bash test/bindings/run.sh',
});

// The README's examples are the docs of every language: they must compile under jsii-rosetta's strict mode.
const rosetta = project.addTask('rosetta:check', {
  description: 'Compile the README examples with jsii-rosetta in strict mode',
  exec: 'jsii-rosetta extract --compile --strict --fail --output .jsii.tabl.json',
});
project.postCompileTask.spawn(rosetta);
project.gitignore.addPatterns('.jsii.tabl.json');

// `npm start` runs the runtime itself, not through projen and tsx's CLI, each one more process a signal sent to npm
// would stop at. npm passes SIGTERM and SIGINT on to the script's process, which `exec` makes the runtime (a POSIX
// shell would keep SIGINT to itself); `--stop-with-parent` stops it if npm ends some other way (SIGKILL).
const startCommand = 'node --import tsx src/local/cli.ts local --callback examples/print-firing.ts';
project.addTask('start', {
  description: 'Run the whole timer service on this machine (HTTP API + SQLite + ticker), printing each firing',
  exec: startCommand,
  receiveArgs: true,
});
project.package.setScript('start', `exec ${startCommand} --stop-with-parent`);

project.addTask('bench:dispatch', {
  description: 'Benchmark: tick dispatch against local DynamoDB/SQS emulators versus the raw SendMessageBatch ceiling',
  exec: 'tsx bench/dispatch.ts',
  receiveArgs: true,
});

project.addTask('bench:tick-scale', {
  description: 'Benchmark: one shard of 300k periodic timers ticked in deadline-bound invocations that continue themselves, on local DynamoDB/SQS emulators',
  exec: 'tsx bench/tick-scale.ts',
  receiveArgs: true,
});

project.addTask('bench:local', {
  description: 'Benchmark: the local runtime with 100k periodic timers versus BullMQ on a local Redis',
  exec: 'tsx bench/local.ts',
  receiveArgs: true,
});

project.synth();
