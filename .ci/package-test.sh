#!/usr/bin/env bash
# Consumes the packages the way users do: packs Bytestream.Client and Bytestream.Testing into a
# local folder, creates a fresh console app in a temp directory whose nuget.config adds that folder
# (by path, beside the machine's default feed), `dotnet add package`s both at the exact version just
# packed, and runs an upload and download through injected cuts against the test server, comparing
# SHA-256. Exits non-zero on any failure. Called by .ci/run (step_package_test); runs alone too:
#   bash .ci/package-test.sh
#
# Every run packs a version of its own (0.1.0-pkgtest.<time>.<pid>), so a package cached in the
# global packages folder under the same version can never stand in for the one just built; the
# folders of that version are removed from the global packages folder at the end.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="$(mktemp -d /tmp/bytestream-package-test.XXXXXX)"
suffix="pkgtest.$(date +%s).$$"
packages_root="${NUGET_PACKAGES:-$HOME/.nuget/packages}"
version="" # known after the first pack

cleanup() {
  rm -rf "$work"
  if [ -n "$version" ]; then
    rm -rf "$packages_root/bytestream.client/$version" "$packages_root/bytestream.testing/$version"
  fi
}
trap cleanup EXIT

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

step() { printf 'package-test: %s (%ds)\n' "$*" "$SECONDS"; }
die() {
  echo "package-test: FAILED: $*" >&2
  exit 1
}

# Lists the entries of a .nupkg (a zip file).
zip_entries() {
  if command -v unzip >/dev/null; then
    unzip -Z1 "$1"
  else
    python3 -c 'import sys, zipfile; print("\n".join(zipfile.ZipFile(sys.argv[1]).namelist()))' "$1"
  fi
}

feed="$work/feed"
mkdir -p "$feed"

# Pack in a build of its own (its own artifacts folder), so neither the tree's build nor another
# run's is reused; CI=true in the environment makes it a ContinuousIntegrationBuild.
for project in Bytestream.Client Bytestream.Testing; do
  step "dotnet pack src/$project (version suffix $suffix)"
  log="$work/pack-$project.log"
  if ! dotnet pack "$repo/src/$project" -c Release -o "$feed" -p:VersionSuffix="$suffix" \
    --artifacts-path "$work/artifacts" >"$log" 2>&1; then
    cat "$log"
    die "dotnet pack src/$project"
  fi
  # Warnings are errors in this repository; one that slips through (NuGet, SourceLink) still fails here.
  if grep -E ': warning [A-Z]+[0-9]+' "$log"; then
    die "dotnet pack src/$project printed warnings"
  fi
done

nupkg="$(find "$feed" -name 'Bytestream.Client.*.nupkg' ! -name '*.snupkg' | head -n1)"
[ -n "$nupkg" ] || die "no Bytestream.Client package in $feed"
version="$(basename "$nupkg" .nupkg)"
version="${version#Bytestream.Client.}"
step "packed version $version"

# What a package page and a debugger need: README, XML docs and both target frameworks; symbols beside.
for id in Bytestream.Client Bytestream.Testing; do
  entries="$(zip_entries "$feed/$id.$version.nupkg")"
  for expected in README.md "lib/net8.0/$id.dll" "lib/net8.0/$id.xml" "lib/net10.0/$id.dll" "lib/net10.0/$id.xml"; do
    grep -qxF "$expected" <<<"$entries" || die "$id.$version.nupkg lacks $expected"
  done
  symbols="$(zip_entries "$feed/$id.$version.snupkg")" || die "$id.$version.snupkg missing"
  grep -qxF "lib/net10.0/$id.pdb" <<<"$symbols" || die "$id.$version.snupkg lacks lib/net10.0/$id.pdb"
done

app="$work/app"
mkdir -p "$app"
# Keep the repository's (or any parent folder's) build settings out of the fresh app.
for f in Directory.Build.props Directory.Build.targets Directory.Packages.props; do
  echo '<Project />' >"$work/$f"
done
cat >"$app/nuget.config" <<EOF
<?xml version="1.0" encoding="utf-8"?>
<!-- The folder the packages were just packed into, in addition to the machine's default feed. -->
<configuration>
  <packageSources>
    <add key="bytestream-package-test" value="$feed" />
  </packageSources>
</configuration>
EOF

step "dotnet new console"
(cd "$app" && dotnet new console --name PackageConsumer --output . --framework net10.0 >/dev/null) ||
  die "dotnet new console"
# Build for net8.0 too, so both assets of each package are compiled against; it runs on net10.0.
sed -i 's|<TargetFramework>net10.0</TargetFramework>|<TargetFrameworks>net10.0;net8.0</TargetFrameworks>|' "$app/PackageConsumer.csproj"
grep -q '<TargetFrameworks>net10.0;net8.0</TargetFrameworks>' "$app/PackageConsumer.csproj" ||
  die "could not set the app's target frameworks"

for id in Bytestream.Client Bytestream.Testing; do
  step "dotnet add package $id --version $version"
  (cd "$app" && dotnet add package "$id" --version "$version") >"$work/add-$id.log" 2>&1 || {
    cat "$work/add-$id.log"
    die "dotnet add package $id"
  }
done

cat >"$app/Program.cs" <<'EOF'
// A user's first program: upload through injected cuts, download through a cut, compare SHA-256.
using System.Reflection;
using System.Security.Cryptography;
using Bytestream.Client;
using Bytestream.Testing;

var expectedVersion = args[0];
foreach (var assembly in new[] { typeof(ByteStreamClient).Assembly, typeof(ByteStreamTestServer).Assembly })
{
    var informational = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "";
    Console.WriteLine($"{assembly.GetName().Name} {informational}");
    if (!informational.StartsWith(expectedVersion, StringComparison.Ordinal))
    {
        Console.Error.WriteLine($"expected version {expectedVersion}, loaded {informational}");
        return 1;
    }
}

await using var server = await ByteStreamTestServer.StartAsync();
using var channel = server.CreateChannel();
var client = new ByteStreamClient(channel, new ByteStreamClientOptions { ChunkSize = 64 * 1024 });

byte[] data = RandomNumberGenerator.GetBytes(4 * 1024 * 1024);
var blob = new BlobResourceName("package-test", Convert.ToHexString(SHA256.HashData(data)).ToLowerInvariant(), data.Length);

server.Faults.CutWrite(afterBytes: 1024 * 1024, times: 2);
UploadResult upload = await client.UploadAsync(blob.ToUploadResourceName(Guid.NewGuid()), new MemoryStream(data));

server.Faults.CutRead(afterBytes: 512 * 1024);
using var downloaded = new MemoryStream();
long bytes = await client.DownloadAsync(blob.ToReadResourceName(), downloaded);

string sent = Convert.ToHexString(SHA256.HashData(data));
string received = Convert.ToHexString(SHA256.HashData(downloaded.ToArray()));
Console.WriteLine($"upload: {upload.CommittedSize} bytes committed, {upload.Resumes} resumes; download: {bytes} bytes");
Console.WriteLine($"SHA-256 sent {sent}, received {received}");
if (sent != received || upload.Resumes != 2 || bytes != data.Length)
{
    Console.Error.WriteLine("round trip failed");
    return 1;
}

Console.WriteLine("round trip OK");
return 0;
EOF

step "dotnet build (net10.0 and net8.0)"
(cd "$app" && dotnet build -c Release) >"$work/build.log" 2>&1 || {
  cat "$work/build.log"
  die "dotnet build of the consumer app"
}

step "dotnet run"
(cd "$app" && timeout 120 dotnet run -c Release --no-build -f net10.0 -- "$version") </dev/null ||
  die "the consumer app's round trip"
step "passed"
