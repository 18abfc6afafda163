#!/usr/bin/env bash
# npm run test:bindings: builds the Python, Java and Go packages of this library and runs, for each, a consumer app
# written as a user of that language would (test/bindings/<language>/) against the package just built; checks that
# the Go module requires exactly what aws-cdk-go requires; generates the .NET sources, and builds the C# consumer
# where a .NET SDK exists. Uses the per-user caches of pip, Maven (~/.m2) and Go; leaves nothing else behind.
set -euo pipefail
cd "$(dirname "$0")/../.."
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION="${JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION:-20}"
# The apps' own output, readable: the jsii runtime's banner about this machine's Node 20, and aws-cdk-lib's warnings
# about its own deprecated TableGrantsProps fields, which its TableV2 prints on every synthesis (as in TypeScript).
export JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION=1 JSII_DEPRECATED=quiet
root="$PWD"
work="$(mktemp -d "${TMPDIR:-/tmp}/cdk-serverless-timer-bindings.XXXXXX")"
trap 'rm -rf "$work"' EXIT
results=()
say() { printf 'bindings: %s\n' "$*"; }
elapsed() { echo "$(( SECONDS - $1 )) s"; }

# The packages are built from the compiled library (.jsii, which embeds the README, and lib/): compile it afresh.
npx projen compile > "$work/compile.log" 2>&1 || { cat "$work/compile.log"; exit 1; }

# The versions the consumers pin: aws-cdk-lib as this library is built against, and this package's own.
cdk_version="$(node -p "require('./node_modules/aws-cdk-lib/package.json').version")"
version="$(node -p "require('./package.json').version")"

started=$SECONDS
rm -rf dist/python dist/java dist/go dist/dotnet
npx jsii-pacmak --targets python --targets java --targets go > "$work/pacmak.log" 2>&1 || { cat "$work/pacmak.log"; exit 1; }
results+=("packages python, java, go built in $(elapsed "$started")")

# Go: the generated module's requirements against aws-cdk-go's own, at this aws-cdk-lib version.
started=$SECONDS
gomod_json="$(cd "$work" && go mod download -json "github.com/aws/aws-cdk-go/awscdk/v2@v${cdk_version}")"
upstream_mod="$(node -e 'process.stdout.write(JSON.parse(process.argv[1]).GoMod)' "$gomod_json")"
node test/bindings/go-mod-check.mjs dist/go/cdkserverlesstimer/go.mod "$upstream_mod"
(cd test/bindings/go && go test -count=1 -v ./... > "$work/go.log" 2>&1) || { cat "$work/go.log"; say "go consumer FAILED"; exit 1; }
results+=("go: module requirements match aws-cdk-go v${cdk_version}; $(grep -c '^--- PASS' "$work/go.log") consumer tests passed in $(elapsed "$started")")

# Python: a virtual environment with the wheel just built, aws-cdk-lib at the same version and pytest.
started=$SECONDS
export PYTHONDONTWRITEBYTECODE=1
python3 -m venv "$work/venv"
"$work/venv/bin/pip" install --quiet --disable-pip-version-check dist/python/*.whl "aws-cdk-lib==${cdk_version}" pytest
"$work/venv/bin/python" -m pytest -q -p no:cacheprovider test/bindings/python > "$work/python.log" 2>&1 || { cat "$work/python.log"; say "python consumer FAILED"; exit 1; }
results+=("python: $(grep -Eo "[0-9]+ passed" "$work/python.log" | grep -Eo "[0-9]+") consumer tests passed in $(elapsed "$started")")

# Java: Maven reads the package from the repository the build wrote (dist/java). Maven keeps every artifact it
# resolved in its local repository and never reads a release version again: the copy of an earlier build (same
# version number) would be tested instead of this one. That one artifact is dropped first.
started=$SECONDS
rm -rf "${HOME}/.m2/repository/io/github/cdk-serverless-timer"
(cd test/bindings/java && mvn -B -Dtimer.repo="file://${root}/dist/java" -Dtimer.version="$version" test > "$work/java.log" 2>&1) \
  || { cat "$work/java.log"; rm -rf test/bindings/java/target; say "java consumer FAILED"; exit 1; }
rm -rf test/bindings/java/target
results+=("java: $(grep -Eo 'Tests run: [0-9]+, Failures: 0, Errors: 0' "$work/java.log" | tail -1 | grep -Eo '[0-9]+' | head -1) consumer tests passed in $(elapsed "$started")")

# .NET: the sources jsii writes (no SDK is needed for that); the C# consumer is built where an SDK exists.
started=$SECONDS
npx jsii-pacmak --targets dotnet --code-only > "$work/dotnet.log" 2>&1 || { cat "$work/dotnet.log"; exit 1; }
sources="$(find dist/dotnet -name '*.cs' | wc -l)"
if command -v dotnet > /dev/null; then
  npx jsii-pacmak --targets dotnet > "$work/dotnet-pack.log" 2>&1 || { cat "$work/dotnet-pack.log"; exit 1; }
  (cd test/bindings/csharp && dotnet run -p:TimerSource="${root}/dist/dotnet" -p:BaseOutputPath="$work/dotnet/")
  results+=("dotnet: ${sources} C# sources generated; consumer built and run in $(elapsed "$started")")
else
  results+=("dotnet: ${sources} C# sources generated in dist/dotnet; the C# consumer was NOT compiled: no .NET SDK on this machine")
fi

for result in "${results[@]}"; do say "$result"; done
