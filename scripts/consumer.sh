#!/usr/bin/env bash
# Uses L2LOnnx as a new user would, from packages built out of this clone:
#   1. packs L2LOnnx.Runtime, L2LOnnx.MLNet, L2LOnnx.TorchSharp, L2LOnnx.Train and the l2l tool (for
#      this machine's platform) into a local folder feed, out/feed, and checks every package's
#      metadata (license, readme, repository and commit, XML docs, symbols with Source Link);
#   2. copies the consumer samples (tests/Consumer: the README's custom loop, its ML.NET program and
#      its TorchSharp loop) to a temporary folder outside the solution, with their own nuget.config
#      (the feed, then the usual source), builds them from the packages, runs them and checks their
#      output: the loss falls, the accuracy clears a bound;
#   3. installs the tool into a temporary tool path (dotnet tool install --tool-path) and runs
#      `l2l --help` and `l2l inspect models/quadratic.onnx`.
# Prints one line per check and ends with "N passed, M failed". scripts/test.sh runs it after the
# unit tests. About 4-5 minutes on the 2-core VM: the tool package, which carries libtorch
# (460 MB uncompressed), is compressed in the background while the samples build. The tool is packed
# for this machine's platform (the project's default; see train/L2LOnnx.Cli/L2LOnnx.Cli.csproj).
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

feed="$root/out/feed"
work="$(mktemp -d "${TMPDIR:-/tmp}/l2l-consumer.XXXXXX")"
tool_pid=""
cleanup() { [ -n "$tool_pid" ] && kill "$tool_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

version="$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' Directory.Build.props | head -n 1)"
rid="$(dotnet --info | sed -n 's/^ *RID: *//p' | head -n 1)"
start=$(date +%s)
passed=0; failed=0
say() { printf '[consumer %3ss] %s\n' "$(( $(date +%s) - start ))" "$*"; }
ok() { say "ok    $*"; passed=$((passed + 1)); }
bad() { say "FAIL  $*"; failed=$((failed + 1)); }
# A log's MSBuild/NuGet warnings and errors, one per line (the "N Warning(s)" summary excluded).
diagnostics() { grep -E ': (warning|error) [A-Z]+[0-9]+' "$1" | sort -u; }

# --- 1. pack -----------------------------------------------------------------------------------
rm -rf "$feed"; mkdir -p "$feed"
libraries=(runtime/L2LOnnx.Runtime interop/L2LOnnx.MLNet interop/L2LOnnx.TorchSharp train/L2LOnnx.Train)
tool=train/L2LOnnx.Cli
say "building the libraries and the tool ($version, Release)"
: > "$work/build.log"
# The tool references every library but the TorchSharp bridge.
for project in "$tool" interop/L2LOnnx.TorchSharp; do
  dotnet build "$project" -c Release --nologo -v q >> "$work/build.log" 2>&1 || echo "build of $project failed" >> "$work/build.log"
done
if grep -q 'failed$' "$work/build.log"; then
  cat "$work/build.log"; bad "build"; echo "$passed passed, $failed failed"; exit 1
fi

# The tool package (libtorch inside) takes minutes to compress: pack it while the samples build.
say "packing the l2l tool for $rid in the background"
( dotnet pack "$tool" -c Release -o "$feed" --nologo -v q > "$work/tool-pack.log" 2>&1
  echo $? > "$work/tool-pack.rc" ) &
tool_pid=$!

: > "$work/pack.log"
for project in "${libraries[@]}"; do
  dotnet pack "$project" -c Release --no-build -o "$feed" --nologo -v q >> "$work/pack.log" 2>&1 || echo "pack of $project failed" >> "$work/pack.log"
done
if [ -z "$(diagnostics "$work/pack.log")" ] && ! grep -q 'failed$' "$work/pack.log"; then
  ok "dotnet pack: ${#libraries[@]} libraries packed, no warnings"
else
  cat "$work/pack.log"; bad "dotnet pack of the libraries: warnings or errors above"
fi

# Each library package: license, readme, repository with commit, XML docs; its symbols package
# holds a portable PDB whose Source Link maps the sources to the canonical repository.
for project in "${libraries[@]}"; do
  id="${project##*/}"
  problems="$(/usr/bin/python3 - "$feed/$id.$version.nupkg" "$feed/$id.$version.snupkg" "$id" <<'PY'
import re, sys, zipfile
nupkg, snupkg, id = sys.argv[1:]
problems = []
try:
    with zipfile.ZipFile(nupkg) as z:
        names = z.namelist()
        nuspec = z.read(f"{id}.nuspec").decode()
        for needle in ('<license type="expression">MIT</license>', "<readme>README.md</readme>",
                       "<projectUrl>https://github.com/l2lonnx/l2lonnx</projectUrl>", "<tags>", "<description>"):
            if needle not in nuspec:
                problems.append(f"nuspec lacks {needle}")
        if not re.search(r'<repository type="git" url="https://github.com/l2lonnx/l2lonnx"[^>]* commit="[0-9a-f]{40}"', nuspec):
            problems.append("nuspec lacks <repository> with the canonical URL and the commit")
        for entry in ("README.md", "LICENSE", f"lib/net10.0/{id}.dll", f"lib/net10.0/{id}.xml"):
            if entry not in names:
                problems.append(f"no {entry} in the package")
    with zipfile.ZipFile(snupkg) as z:
        pdb = z.read(f"lib/net10.0/{id}.pdb")
        if b"https://raw.githubusercontent.com/l2lonnx/l2lonnx/" not in pdb:
            problems.append("the PDB has no Source Link to raw.githubusercontent.com/l2lonnx/l2lonnx")
except (OSError, KeyError, zipfile.BadZipFile) as e:
    problems.append(str(e))
print("; ".join(problems))
PY
)"
  if [ -z "$problems" ]; then ok "$id.$version.nupkg + .snupkg: MIT, readme, repository + commit, XML docs, Source Link"
  else bad "$id: $problems"; fi
done

# --- 2. the consumer samples, outside the solution --------------------------------------------
# Their own package folder, so that this run's packages are used even if an older build of the same
# version was ever restored into the global folder; everything else comes from the global folder
# (as a fallback folder of links, without any L2LOnnx or l2l package) or from the usual source.
global="${NUGET_PACKAGES:-$HOME/.nuget/packages}"
mkdir -p "$work/fallback"
if [ -d "$global" ]; then
  for package in "$global"/*; do
    case "${package##*/}" in l2lonnx.*|l2l|l2l.*) ;; *) ln -s "$package" "$work/fallback/" ;; esac
  done
fi
export NUGET_PACKAGES="$work/packages"
cp -r tests/Consumer "$work/consumer"
cat > "$work/consumer/nuget.config" <<EOF
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <clear />
    <add key="local" value="$feed" />
    <add key="nuget.org" value="https://api.nuget.org/v3/index.json" protocolVersion="3" />
  </packageSources>
  <packageSourceMapping>
    <packageSource key="local">
      <package pattern="L2LOnnx.*" />
      <package pattern="l2l" />
      <package pattern="l2l.*" />
    </packageSource>
    <packageSource key="nuget.org">
      <package pattern="*" />
    </packageSource>
  </packageSourceMapping>
  <fallbackPackageFolders>
    <add key="machine" value="$work/fallback" />
  </fallbackPackageFolders>
</configuration>
EOF

# sample name, then an awk program that reads its output and exits 0 when the output is right.
run_sample() {
  local name=$1 verdict=$2 dir="$work/consumer/$1"
  if ! dotnet build "$dir" -c Release --nologo -v q -p:L2LOnnxVersion="$version" > "$work/$name.build.log" 2>&1; then
    cat "$work/$name.build.log"; bad "$name: does not build from the packages"; return
  fi
  if ! ls -d "$work/packages"/l2lonnx.*/"$version" > /dev/null 2>&1; then
    bad "$name: restored L2LOnnx from somewhere else than this run's feed"; return
  fi
  if ! (cd "$work" && timeout 600 dotnet "$dir/bin/Release/net10.0/$name.dll") > "$work/$name.out" 2>&1; then
    cat "$work/$name.out"; bad "$name: exited with an error"; return
  fi
  sed 's/^/          /' "$work/$name.out"
  if awk "$verdict" "$work/$name.out"; then ok "$name: built from the feed, ran, output as expected"
  else bad "$name: output not as expected"; fi
}

say "building and running the consumer samples from the feed (outside the solution)"
# "loss 123.456 at step 0, 1.234 after 100 steps": the learned optimizer cuts the loss tenfold.
run_sample CustomLoop '/^loss / { gsub(",", ""); found = 1; good = ($5 < $2 / 10) } END { exit !(found && good) }'
# "test: accuracy 93.9 %, ...": at least 90 % of held-out tumours right.
run_sample MLNetProgram '/^test: accuracy / { found = 1; good = ($3 >= 90) } END { exit !(found && good) }'
# "cross-entropy 0.712 at step 0, 0.301 at step 199; training accuracy 88.1 %": the loss halves.
run_sample TorchSharpLoop '/^cross-entropy / { gsub("[,;]", ""); found = 1; good = ($6 < $2 / 2 && $10 >= 80) } END { exit !(found && good) }'

# --- 3. the tool ---------------------------------------------------------------------------------
say "waiting for the tool package"
wait "$tool_pid"; tool_pid=""
if [ "$(cat "$work/tool-pack.rc" 2>/dev/null)" = 0 ] && [ -z "$(diagnostics "$work/tool-pack.log")" ] \
   && [ -f "$feed/l2l.$version.nupkg" ] && [ -f "$feed/l2l.$rid.$version.nupkg" ]; then
  ok "dotnet pack: l2l.$version.nupkg (pointer) and l2l.$rid.$version.nupkg ($(( $(stat -c %s "$feed/l2l.$rid.$version.nupkg") / 1048576 )) MB), no warnings"
else
  cat "$work/tool-pack.log"; bad "dotnet pack of the tool"
fi

tools="$work/tools"
if (cd "$work/consumer" && dotnet tool install l2l --tool-path "$tools" --version "$version") > "$work/tool-install.log" 2>&1; then
  if find "$tools/.store" -name libtorch_cpu.so | grep -q . && find "$tools/.store" -name libLibTorchSharp.so | grep -q .; then
    ok "dotnet tool install --tool-path: l2l $version installed, with libtorch and LibTorchSharp for $rid"
  else
    bad "the installed tool lacks libtorch_cpu.so or libLibTorchSharp.so"
  fi
else
  cat "$work/tool-install.log"; bad "dotnet tool install l2l"
fi
if "$tools/l2l" --help > "$work/help.out" 2>&1 && grep -q 'meta-train' "$work/help.out"; then
  ok "l2l --help lists the commands"
else
  cat "$work/help.out"; bad "l2l --help"
fi
# inspect loads the file in the runtime and imports it into TorchSharp: both native stacks work.
if "$tools/l2l" inspect models/quadratic.onnx > "$work/inspect.out" 2>&1 \
   && grep -q '^contract v1 *yes' "$work/inspect.out" && grep -q '^TorchSharp *imports' "$work/inspect.out"; then
  sed 's/^/          /' "$work/inspect.out" | tail -n 3
  ok "l2l inspect models/quadratic.onnx: contract v1, engine chosen, imports into TorchSharp"
else
  cat "$work/inspect.out"; bad "l2l inspect models/quadratic.onnx"
fi

say "done"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
