<#
.SYNOPSIS
Installs the wvcir Wireshark plugin (wvcir.dll) for every Wireshark version found on this Windows
machine.

.DESCRIPTION
One build of the plugin serves every supported Wireshark version (3.4, 3.6, 4.0, 4.2, 4.4, 4.6): the
same DLL is copied into each version's personal plugin folder,
%APPDATA%\Wireshark\plugins\<major.minor>\epan\wvcir.dll.

Installed versions are found from the registry (Wireshark's uninstall entries and its
HKLM:\SOFTWARE\Wireshark key) and from the version of Wireshark.exe / tshark.exe in the
install folders found there and in $env:ProgramFiles\Wireshark. -Version names them instead
(for a portable Wireshark, or one installed elsewhere).

Build the DLL (on Linux, with MinGW-w64; see README.md):
  cargo build --release --locked -p wvcir-dissector --lib --target x86_64-pc-windows-gnu
and put target\x86_64-pc-windows-gnu\release\wvcir_dissector.dll next to this script as wvcir.dll.

.PARAMETER Dll
The plugin DLL. Default: wvcir.dll next to this script.

.PARAMETER Destination
The plugin folder to install under (<Destination>\<major.minor>\epan\wvcir.dll).
Default: $env:APPDATA\Wireshark\plugins.

.PARAMETER Version
Install for these major.minor versions instead of the ones found, e.g. -Version 4.2,4.4.

.EXAMPLE
powershell -ExecutionPolicy Bypass -File install.ps1
#>
[CmdletBinding()]
param(
    [string]$Dll = (Join-Path $PSScriptRoot 'wvcir.dll'),
    [string]$Destination = (Join-Path $env:APPDATA 'Wireshark\plugins'),
    [string[]]$Version = @()
)
Set-StrictMode -Version 2.0
$ErrorActionPreference = 'Stop'

# The Wireshark versions this build supports: the plugin's own list (abi.rs, SUPPORTED), which a
# test compares with this line.
$Supported = @('3.4', '3.6', '4.0', '4.2', '4.4', '4.6')

if (-not (Test-Path -LiteralPath $Dll -PathType Leaf)) {
    [Console]::Error.WriteLine("No plugin DLL at $Dll. Build it (see README.md) or pass -Dll PATH.")
    exit 1
}

# "4.2.5", "Wireshark 4.2.5 x64 ...", "4.2.5.0": the first major.minor in it.
function Get-MajorMinor([string]$Text) {
    if ($Text -match '(\d+)\.(\d+)') { return "$($Matches[1]).$($Matches[2])" }
    return $null
}

# A property of a registry value set, or $null (StrictMode forbids reading a missing one).
function Get-Value($Item, [string]$Name) {
    if ($null -ne $Item -and $Item.PSObject.Properties[$Name]) { return $Item.$Name }
    return $null
}

$found = @()
if ($Version.Count -gt 0) {
    $found = $Version
} else {
    $dirs = @()
    $uninstall = @(
        'HKLM:\SOFTWARE\Microsoft\Windows\CurrentVersion\Uninstall\*',
        'HKLM:\SOFTWARE\WOW6432Node\Microsoft\Windows\CurrentVersion\Uninstall\*',
        'HKCU:\SOFTWARE\Microsoft\Windows\CurrentVersion\Uninstall\*'
    )
    foreach ($key in $uninstall) {
        foreach ($entry in @(Get-ItemProperty -Path $key -ErrorAction SilentlyContinue)) {
            $name = Get-Value $entry 'DisplayName'
            if ($name -notlike 'Wireshark*') { continue }
            $v = Get-MajorMinor (Get-Value $entry 'DisplayVersion')
            if (-not $v) { $v = Get-MajorMinor $name }
            if ($v) { $found += $v }
            $dir = Get-Value $entry 'InstallLocation'
            if ($dir) { $dirs += $dir }
        }
    }
    $key = Get-ItemProperty -Path 'HKLM:\SOFTWARE\Wireshark' -ErrorAction SilentlyContinue
    foreach ($name in @('InstallDir', '(default)')) {
        $dir = Get-Value $key $name
        if ($dir) { $dirs += $dir }
    }
    if ($env:ProgramFiles) { $dirs += (Join-Path $env:ProgramFiles 'Wireshark') }
    foreach ($dir in ($dirs | Select-Object -Unique)) {
        foreach ($exe in @('Wireshark.exe', 'tshark.exe')) {
            $path = Join-Path $dir $exe
            if (Test-Path -LiteralPath $path -PathType Leaf) {
                $info = (Get-Item -LiteralPath $path).VersionInfo
                $v = Get-MajorMinor $info.ProductVersion
                if (-not $v) { $v = Get-MajorMinor $info.FileVersion }
                if ($v) { $found += $v }
            }
        }
    }
}

$found = @($found | ForEach-Object { Get-MajorMinor $_ } | Where-Object { $_ } | Sort-Object -Unique)
if ($found.Count -eq 0) {
    [Console]::Error.WriteLine("No Wireshark found (no uninstall entry, no Wireshark.exe under $env:ProgramFiles\Wireshark). " +
        "Install Wireshark, pass -Version X.Y, or copy $Dll by hand to " +
        "$Destination\<major.minor>\epan\wvcir.dll")
    exit 1
}

$installed = 0
foreach ($v in $found) {
    if ($Supported -notcontains $v) {
        Write-Warning "Wireshark ${v}: not supported by this build (supported: $($Supported -join ', ')); skipped"
        continue
    }
    $epan = Join-Path (Join-Path $Destination $v) 'epan'
    New-Item -ItemType Directory -Force -Path $epan | Out-Null
    $target = Join-Path $epan 'wvcir.dll'
    Copy-Item -LiteralPath $Dll -Destination $target -Force
    Write-Output "installed for Wireshark ${v}: $target"
    $installed++
}
if ($installed -eq 0) { exit 1 }
Write-Output 'Check: Wireshark > Help > About Wireshark > Plugins lists wvcir.dll, or: tshark -G plugins | findstr wvcir'
Write-Output '(Wireshark loads plugins when it starts: restart it.)'
