#!/usr/bin/env bash
# Packs CreditScoring.Sdk, CreditScoring.Sdk.Drift, CreditScoring.Sdk.Tracking, CreditScoring.Sdk.AspNetCore, CreditScoring.Sdk.Batch, CreditScoring.Sdk.MLNet and the CreditScoring.Batch tool into a local folder feed, restores them
# into a fresh consumer project outside the repository, runs the README's C# quickstart against the packages and checks
# the figures it prints (the README's comment lines), then installs the tool from the feed and runs its quickstart.
# Run from the repository root; exits non-zero on any difference. .ci/run calls it after the tests.
set -euo pipefail
root=$(pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
feed="$work/feed"
for project in src/CreditScoring.Sdk src/CreditScoring.Sdk.Drift src/CreditScoring.Sdk.Tracking src/CreditScoring.Sdk.AspNetCore src/CreditScoring.Sdk.Batch src/CreditScoring.Sdk.MLNet samples/CreditScoring.Batch; do
  dotnet pack "$project" -c Release -o "$feed" -nologo -v q -warnaserror >/dev/null
done
version=$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' Directory.Build.props | head -n 1)
ls "$feed"

app="$work/consumer"
mkdir -p "$app"
cat > "$app/nuget.config" <<XML
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <add key="local-feed" value="$feed" />
  </packageSources>
</configuration>
XML
cat > "$app/Consumer.csproj" <<XML
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <OutputType>Exe</OutputType>
    <TargetFramework>net10.0</TargetFramework>
    <ImplicitUsings>enable</ImplicitUsings>
    <Nullable>enable</Nullable>
  </PropertyGroup>
  <ItemGroup>
    <PackageReference Include="CreditScoring.Sdk" Version="$version" />
    <PackageReference Include="CreditScoring.Sdk.Drift" Version="$version" />
  </ItemGroup>
</Project>
XML
# The README's quickstart, exactly: the first C# block under "## C# quickstart".
awk '/^## C# quickstart/{s=1} s&&/^```csharp/{c=1;next} c&&/^```/{exit} c{print}' README.md > "$app/Program.cs"
mkdir -p "$app/samples/data"
cp samples/data/modeldata-credit-data.csv "$app/samples/data/"
expected=$(grep '^// ' "$app/Program.cs" | sed 's:^// ::')
actual=$(cd "$app" && dotnet run -c Release -nologo 2>&1 | tail -n "$(echo "$expected" | wc -l)")
echo "$actual"
if [ "$actual" != "$expected" ]; then
  echo "the README's quickstart printed, against the packages:" >&2
  echo "$actual" >&2
  echo "but the README says:" >&2
  echo "$expected" >&2
  exit 1
fi

dotnet tool install --tool-path "$work/tools" --add-source "$feed" CreditScoring.Batch --version "$version" >/dev/null
tool_output=$(cd "$work" && "$work/tools/creditscoring-batch" quickstart --output-dir "$work/quickstart" 2>/dev/null)
if ! grep -q '  AUC         0.8541    0.5000' <<<"$tool_output"; then
  echo "the installed tool's quickstart did not print the README's figures:" >&2
  echo "$tool_output" >&2
  exit 1
fi
echo "packages $version: the README's quickstart and the installed creditscoring-batch tool give the README's figures"
