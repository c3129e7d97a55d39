# node-command.ps1: the one PowerShell script of the operations template's NodeCommand document
# (an SSM Command document, docs/operations.md). The Automation documents Upgrade, PatchNodes,
# RemoveNode and Reconfigure run it on one node at a time with an Operation; each operation is
# idempotent, so a re-run resumes. compiler/lower_operations.c drops the comment lines, blank
# lines and indentation, writes ${WebPort} and ${OctopusInstance} in place and leaves
# ${AWS::Region} and ${ClusterStack} to Fn::Sub; `{{ Name }}` is an SSM document parameter, each with an
# allowedPattern that keeps quotes out. Secrets are read on the node by id and never printed.
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
[Net.ServicePointManager]::SecurityProtocol = 'Tls12'
$Operation = '{{ Operation }}'
$Version = '{{ Version }}'
$MsiUrl = '{{ MsiUrl }}'
$AdminSecret = '{{ AdminSecret }}'
$NodeName = '{{ NodeName }}'
$Exe = Join-Path $env:ProgramFiles 'Octopus Deploy\Octopus\Octopus.Server.exe'
$Api = 'http://localhost:${WebPort}/api'
Set-DefaultAWSRegion -Region '${AWS::Region}'

# Octopus.Server.exe CMD --instance <instance> ARGS...; Windows PowerShell turns a native
# command's stderr into errors, so only the exit code decides.
function Invoke-Octo($cmd) {
    Write-Output "Octopus.Server.exe $cmd $args"
    $ErrorActionPreference = 'Continue'
    & $Exe $cmd --instance '${OctopusInstance}' @args 2>&1 | Write-Output
    if ($LASTEXITCODE) { throw "Octopus.Server.exe $cmd exited with code $LASTEXITCODE" }
}

# The status of this node's ping: 200 online, 418 draining, 0 when it does not answer.
function Get-Ping {
    try {
        (Invoke-WebRequest "$Api/octopusservernodes/ping" -UseBasicParsing -TimeoutSec 10).StatusCode
    } catch {
        if ($_.Exception.Response) { [int]$_.Exception.Response.StatusCode } else { 0 }
    }
}

# Polls the ping every 15 s until it answers one of CODES; fails after MINUTES. A drained node
# whose service is already stopped (a re-run) answers 0, which `drain` accepts.
function Wait-Ping($codes, $minutes) {
    $end = (Get-Date).AddMinutes($minutes)
    while (($code = Get-Ping) -notin $codes) {
        if ((Get-Date) -gt $end) { throw "the node's ping answered $code, not $codes, within $minutes minutes" }
        Start-Sleep 15
    }
    Write-Output "ping: $code"
}

# A session on this node's Octopus API as the first administrator (the stack's AdminSecret,
# read here and kept in memory), with the CSRF header Octopus wants on cookie sessions.
function Connect-Octopus {
    $admin = (Get-SECSecretValue -SecretId $AdminSecret).SecretString | ConvertFrom-Json
    $body = @{ Username = $admin.username; Password = $admin.password } | ConvertTo-Json
    Invoke-RestMethod "$Api/users/login" -Method Post -Body $body -ContentType 'application/json' -SessionVariable web | Out-Null
    $csrf = $web.Cookies.GetCookies($Api) | Where-Object Name -like 'Octopus-Csrf-Token*'
    if ($csrf) { $web.Headers['X-Octopus-Csrf-Token'] = $csrf.Value }
    $web
}

# Maintenance mode on or off; on, waits up to an hour for the running tasks to finish. A node 1
# that does not answer while the upgrade re-runs was stopped by the earlier run, after it had
# turned maintenance mode on: nothing to do then.
function Set-Maintenance($on) {
    if ($on -and (Get-Ping) -eq 0) { Write-Output 'stopped by an earlier run of the upgrade: maintenance mode left as it is'; return }
    $web = Connect-Octopus
    $body = @{ Id = 'maintenance'; IsInMaintenanceMode = $on } | ConvertTo-Json
    Invoke-RestMethod "$Api/maintenanceconfiguration" -Method Put -Body $body -ContentType 'application/json' -WebSession $web | Out-Null
    Write-Output "maintenance mode: $on"
    if (!$on) { return }
    $end = (Get-Date).AddMinutes(60)
    while (($running = (Invoke-RestMethod "$Api/tasks?states=Executing,Cancelling&take=1" -WebSession $web).TotalResults) -gt 0) {
        if ((Get-Date) -gt $end) { throw "$running tasks still running after 60 minutes of maintenance mode" }
        Write-Output "waiting for $running running tasks"
        Start-Sleep 30
    }
}

# The Octopus Server version installed on this node, such as 2026.4.6909.
function Get-Installed {
    if ((Test-Path $Exe) -and (Get-Item $Exe).VersionInfo.ProductVersion -match '^\d+\.\d+\.\d+') { $Matches[0] }
}

# Stops the service; with $Version (an upgrade), not on a node that already runs it: a re-run
# of the upgrade keeps the nodes it has finished serving.
function Stop-Node {
    if ($Version -and (Get-Installed) -eq $Version) { Write-Output "this node already runs $Version and keeps running"; return }
    Invoke-Octo service --stop
}

# database --upgrade, unless this node already serves (a re-run after StartNode1: Octopus starts
# only on a database of its own version, and refuses the upgrade while other nodes run).
function Update-Database {
    if ((Get-Ping) -in 200, 418) { Write-Output 'this node already serves on its version: the database is upgraded'; return }
    Invoke-Octo database --upgrade
}

# The MSI of $Version (from $MsiUrl when given), unless this node already runs it (a re-run skips
# the install); never an older version than the node runs (Octopus cannot run on a schema newer
# than itself), and the MSI must install exactly $Version.
function Install-Version {
    $have = Get-Installed
    if ($have -eq $Version) { Write-Output "Octopus $have is installed: nothing to do"; return }
    if ($have -and [version]$Version -lt [version]$have) { throw "Octopus $have runs here, newer than $Version; Octopus has no downgrade" }
    $msi = 'C:\octohac\upgrade.msi'
    $log = 'C:\Octopus\upgrade-msiexec.log'
    $url = if ($MsiUrl) { $MsiUrl } else { "https://download.octopusdeploy.com/octopus/Octopus.$Version-x64.msi" }
    Invoke-WebRequest $url -OutFile $msi -UseBasicParsing
    $run = Start-Process msiexec.exe "/i $msi /quiet /norestart RUNMANAGERONEXIT=no /l*v $log" -Wait -PassThru
    if ($run.ExitCode -notin 0, 3010) { throw "msiexec exited with code $($run.ExitCode); see $log" }
    $got = Get-Installed
    if ($got -ne $Version) { throw "$url installed Octopus $got, not $Version" }
    Write-Output "Octopus $have replaced by $Version"
}

# Deletes the node record named $NodeName through the API (nothing when it is already gone).
function Remove-NodeRecord {
    $web = Connect-Octopus
    # a variable first: Windows PowerShell passes a JSON array down a pipe as one object
    $all = Invoke-RestMethod "$Api/octopusservernodes/all" -WebSession $web
    $node = @($all | Where-Object Name -eq $NodeName)
    if ($node.Count -gt 1) { throw "$($node.Count) node records are named $NodeName" }
    if ($node.Count -eq 0) { Write-Output "no node record named $NodeName, nothing to do"; return }
    Invoke-RestMethod "$Api/octopusservernodes/$($node[0].Id)" -Method Delete -WebSession $web | Out-Null
    Write-Output "deleted the node record $NodeName ($($node[0].Id))"
}

# Rewrites C:\octohac\bootstrap.ps1 from NodeBootstrap's current metadata (UTF-8 with a byte
# order mark, which Windows PowerShell needs for characters outside ASCII) and runs its
# `reconfigure` phase, which never re-runs the install, instance or database steps.
function Update-Bootstrap {
    $json = cfn-get-metadata.exe --stack '${ClusterStack}' --resource NodeBootstrap --region '${AWS::Region}'
    if ($LASTEXITCODE) { throw "cfn-get-metadata exited with code $LASTEXITCODE" }
    $meta = ($json -join "`n") | ConvertFrom-Json
    $text = $meta.'AWS::CloudFormation::Init'.config.files.'C:\octohac\bootstrap.ps1'.content
    if (!$text) { throw 'the metadata of NodeBootstrap has no C:\octohac\bootstrap.ps1' }
    [IO.File]::WriteAllText('C:\octohac\bootstrap.ps1', $text, [Text.UTF8Encoding]::new($true))
    powershell.exe -NoLogo -NoProfile -NonInteractive -ExecutionPolicy Bypass -File C:\octohac\bootstrap.ps1 -Phase reconfigure
    if ($LASTEXITCODE) { throw "bootstrap.ps1 -Phase reconfigure exited with code $LASTEXITCODE; see C:\Octopus\bootstrap.log" }
}

# An operation, or two joined by `+` (drain+stop, start+undrain), run in that order.
foreach ($step in $Operation -split '\+') {
    switch ($step) {
        'maintenance-on' { Set-Maintenance $true }
        'maintenance-off' { Set-Maintenance $false }
        'drain' { Invoke-Octo node '--drain=true' '--wait=3600'; Wait-Ping 418, 0 5 }
        'stop' { Stop-Node }
        'install' { Install-Version }
        'upgrade-database' { Update-Database }
        'start' { Invoke-Octo service --start; Wait-Ping 200, 418 20 }
        'undrain' { Invoke-Octo node '--drain=false'; Wait-Ping 200 10 }
        'remove-node-record' { Remove-NodeRecord }
        'reconfigure' { Update-Bootstrap }
    }
}
