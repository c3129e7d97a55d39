# bootstrap.ps1: turns a fresh Windows node into an Octopus Server HA node (written by octohac).
# compiler/bootstrap.c renders this template once per stack into the cfn-init metadata of the
# NodeBootstrap resource (docs/bootstrap.md):
# - `#if FLAG` / `#if !FLAG` / `#else` / `#endif` lines keep only the code the cluster's topology
#   needs (the flags are listed in bootstrap.c);
# - comments, blank lines and indentation are dropped, and the statements of a block join the
#   line that opens it, so write one statement per line, no trailing comments, no here-strings,
#   no backtick continuations and no string that spans lines;
# - every `${Name}` is a stack value and stands between single quotes. bootstrap.c writes a plain
#   value in place (quotes doubled), turns a Ref or GetAtt into Fn::Sub's own `${LogicalId}` or
#   `${LogicalId.Attribute}`, and passes anything else in the Fn::Sub map. PowerShell's own `${…}`
#   is written `${!…}`.
# One script serves every node: the node's number is in C:\octohac\node-index, which the UserData
# loader writes. Phase `join` is step 1 (DNS, domain join, reboot); any other phase is steps 2 to
# 11 (11, the CloudWatch agent of `alerts`, runs before 10). Each step is idempotent behind a
# marker file; the log is C:\Octopus\bootstrap.log. Secrets are read from Secrets Manager at run
# time, by id, and never logged.
param([string]$Phase)
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
$D = 'C:\octohac'
$M = "$D\markers"
$Log = 'C:\Octopus\bootstrap.log'
$Exe = Join-Path ${!env:ProgramFiles} 'Octopus Deploy\Octopus\Octopus.Server.exe'
$Stack = '${AWS::StackName}'
$Region = '${AWS::Region}'
# the step that is running, for the log and the failure signal's unique id
$At = 'start'

function Log($text) {
    Add-Content $Log ('{0} {1}: {2}' -f (Get-Date -Format s), $Node, $text)
}

# Runs BODY once for step NUM: the marker C:\octohac\markers\step<NUM>.done records that it finished,
# so a rerun (after a reboot or a fix) skips it. -Always runs it every time (step 4 reads secrets,
# which are kept in memory only). A step body must not use the names of this function's variables
# (nor those of Retry and Wait-Until), because a script block sees its caller's variables.
function Step($num, $name, $body, [switch]$Always) {
    $Script:At = "step$num-$name"
    $mark = "$M\step$num.done"
    if (!$Always -and (Test-Path $mark)) {
        Log "$At already done"
        return
    }
    Log "$At start"
    & $body
    if (!$Always) {
        Set-Content $mark (Get-Date -Format o)
    }
    Log "$At done"
}

# ACTION's result; a failure is logged and retried after 30 s, up to TRIES attempts in all.
function Retry($what, $action, $tries = 5) {
    for ($try = 1; ; $try++) {
        try {
            return & $action
        } catch {
            if ($try -ge $tries) { throw }
            Log "$what failed (attempt $try of $tries): $_"
            Start-Sleep 30
        }
    }
}

# The first true result of TEST, polled every 15 s; after MINUTES, fails with "WHAT within MINUTES minutes".
function Wait-Until($what, $minutes, $test) {
    $end = (Get-Date).AddMinutes($minutes)
    while (!($result = & $test)) {
        if ((Get-Date) -gt $end) { throw "$what within $minutes minutes" }
        Start-Sleep 15
    }
    $result
}

# A secret's value, read at run time; with KEY, that key of the secret's JSON. Never logged.
function Get-Secret($id, $key) {
    $text = Retry "reading secret $id" { (Get-SECSecretValue -SecretId $id).SecretString }
    if (!$key) { return $text.Trim() }
    $value = ($text | ConvertFrom-Json).$key
    if (!$value) { throw "secret $id has no key $key" }
    [string]$value
}

# Octopus.Server.exe CMD --instance <instance> ARGS..., logged with the value of every secret
# option shown as ********. Windows PowerShell turns a native command's stderr into errors, so
# only the exit code decides.
function Invoke-Octo($cmd) {
    $argv = @($cmd, '--instance', '${OctopusInstance}') + $args
    $hide = $false
    $shown = foreach ($word in $argv) {
        if ($hide) { '********' } else { $word }
        $hide = $word -match '^--.*(key|string|password|base64)$'
    }
    Log "Octopus.Server.exe $shown"
    $ErrorActionPreference = 'Continue'
    & $Exe @argv 2>&1 | ForEach-Object { Add-Content $Log "    $_" }
    if ($LASTEXITCODE) { throw "Octopus.Server.exe $cmd exited with code $LASTEXITCODE" }
}

# cfn-signal for this node's resource. SignalResource carries no reason text, so a failure's unique
# id names the step. The file `handled` tells the loader not to signal as well.
function Send-Signal($ok) {
    $to = '--stack', $Stack, '--resource', "Node$N", '--region', $Region
    if ($ok) {
        cfn-signal.exe -e 0 @to
    } else {
        cfn-signal.exe -e 1 -i "node$N-$At-failed" @to
    }
    Set-Content "$D\handled" $ok
}

#if directory
function Test-Member { (Get-CimInstance Win32_ComputerSystem).PartOfDomain }

#endif
# The exact version the cluster runs, once node 1 has recorded it (the parameter starts as `pending`).
function Get-Recorded {
    $value = (Retry 'reading the version parameter' { Get-SSMParameter -Name '${VersionParameter}' }).Value
    if ($value -match '^[0-9]+\.[0-9]+') { $value }
}

function Get-MsiUrl($version) {
#if download_url
    '${DownloadUrl}'
#else
#if latest
    if ($version -eq 'latest') { return 'https://octopus.com/downloads/latest/WindowsX64/OctopusServer' }
#endif
    "https://download.octopusdeploy.com/octopus/Octopus.$version-x64.msi"
#endif
}

# Downloads and installs the MSI quietly (each tried 5 times); returns the installed version.
function Install-Msi($url) {
    [Net.ServicePointManager]::SecurityProtocol = 'Tls12'
    $msi = "$D\OctopusServer.msi"
    Retry "downloading $url" { Invoke-WebRequest $url -OutFile $msi -UseBasicParsing }
    Retry 'msiexec' {
        $run = Start-Process msiexec.exe "/i $msi /quiet /norestart RUNMANAGERONEXIT=no /l*v C:\Octopus\msiexec.log" -Wait -PassThru
        if ($run.ExitCode -notin 0, 3010) { throw "msiexec exited with code $($run.ExitCode)" }
    }
    if ((Get-Item $Exe).VersionInfo.ProductVersion -match '^[0-9]+\.[0-9]+\.[0-9]+') { return $Matches[0] }
    throw "cannot read the version of $Exe"
}

# Whether the catalog exists (SELECT DB_ID on master, through SqlClient): only node 1 asks.
function Test-Catalog {
    $csb = [Data.SqlClient.SqlConnectionStringBuilder]::new($Sec.Cs)
    $catalog = $csb.InitialCatalog
    $csb.InitialCatalog = 'master'
    $sql = [Data.SqlClient.SqlConnection]::new($csb.ConnectionString)
    try {
        $sql.Open()
        $query = $sql.CreateCommand()
        $query.CommandText = 'SELECT DB_ID(@name)'
        [void]$query.Parameters.AddWithValue('@name', $catalog)
        $query.ExecuteScalar() -isnot [DBNull]
    } finally {
        $sql.Dispose()
    }
}

#if fsx
$Share = '\\${FsxDnsName}\share\${SharedFolder}'
#else
$Share = '${SharedPath}'
#endif
$Sec = @{}
# Any error ends the script here: the log and the failure signal name the step that failed.
trap {
    Log "$At failed: $_"
    if ($N -ge 1) { Send-Signal $false }
    exit 1
}
New-Item -ItemType Directory -Force $M, 'C:\Octopus' | Out-Null
$N = [int](Get-Content "$D\node-index")
$Node = '${ClusterName}-node-' + $N
Log "phase $Phase"
Set-DefaultAWSRegion -Region $Region
#if directory
if ($Phase -eq 'join') {
    Step 1 domain-join {
        $dns = '${DnsIps}' -split ','
        Get-NetAdapter | Where-Object Status -eq 'Up' | ForEach-Object { Set-DnsClientServerAddress -InterfaceIndex $_.ifIndex -ServerAddresses $dns }
        Log "DNS servers set to $dns"
        if (Test-Member) {
            Log 'already a member of the domain'
            return
        }
#if self_managed
        $user = '${JoinUser}'
        if ($user -notmatch '[\\@]') { $user = '${DomainName}\' + $user }
        $password = ConvertTo-SecureString (Get-Secret '${JoinSecretId}' '${JoinSecretKey}') -AsPlainText -Force
        $credential = New-Object PSCredential($user, $password)
#if ou
        Retry 'joining the domain' { Add-Computer -DomainName '${DomainName}' -Credential $credential -OUPath '${JoinOu}' -Force }
#else
        Retry 'joining the domain' { Add-Computer -DomainName '${DomainName}' -Credential $credential -Force }
#endif
#else
        Log 'waiting for the SSM domain join'
        Wait-Until 'AWS-JoinDirectoryServiceDomain did not join ${DomainName}' 30 { Test-Member }
#endif
    }
    # cfn-init runs this phase with waitAfterCompletion "forever": after the reboot it resumes
    # with the next command, phase configure.
    Set-Content "$D\handled" 'rebooting'
    Log 'restarting to complete the domain join'
    shutdown.exe /r /t 15 /c 'octohac: domain join'
    exit 0
}
if (!(Test-Member)) {
    $At = 'step1-domain-join'
    throw 'the node is not a member of ${DomainName}'
}
#endif
Step 2 firewall {
    foreach ($port in '${WebPort}', '${CommsPort}') {
        $rule = "Octopus Server TCP $port"
        if (!(Get-NetFirewallRule -DisplayName $rule -ErrorAction SilentlyContinue)) {
            New-NetFirewallRule -DisplayName $rule -Direction Inbound -Protocol TCP -LocalPort $port -Action Allow | Out-Null
        }
    }
}
# Every node, a replaced node 1 included, installs exactly the version the cluster runs; only
# node 1 of a new cluster installs `octopus.version` and records what it got.
Step 3 install {
    $recorded = Get-Recorded
    if (!$recorded -and $N -ne 1) {
        Log 'waiting for node 1 to record the Octopus version'
        $recorded = Wait-Until 'node 1 did not record the Octopus version' 60 { Get-Recorded }
    }
    if ($recorded) {
        $got = Install-Msi (Get-MsiUrl $recorded)
        if ($got -ne $recorded) { throw "installed Octopus $got but the cluster runs $recorded" }
    } else {
        $got = Install-Msi (Get-MsiUrl '${OctopusVersion}')
        Retry 'recording the version' { Write-SSMParameter -Name '${VersionParameter}' -Value $got -Type String -Overwrite $true }
    }
    Log "installed Octopus Server $got"
}
Step 4 secrets -Always {
#if rds
    $Sec.Cs = 'Server=${DatabaseHost},1433;Database=${Catalog};User ID=octopus;Password=' + (Get-Secret '${DatabaseSecretId}' password) + ';Encrypt=True;TrustServerCertificate=True'
#endif
#if db_secret
    $Sec.Cs = Get-Secret '${DatabaseSecretId}' '${DatabaseSecretKey}'
#endif
#if db_string
    $Sec.Cs = '${DatabaseConnectionString}'
#endif
    $key = Get-Secret '${MasterKeySecretId}'
#if hex_key
    # generated: 32 hex characters; Octopus wants the 16 bytes in base64
    if ($key -notmatch '^[0-9a-f]{32}$') { throw 'the master key secret is not 32 hexadecimal characters' }
    $key = [Convert]::ToBase64String([byte[]](0..15 | ForEach-Object { [Convert]::ToByte($key.Substring(2 * $_, 2), 16) }))
#endif
    $Sec.Key = $key
    if ($N -eq 1) {
        $Sec.Admin = Get-Secret '${AdminSecretId}' password
        $Sec.License = Get-Secret '${LicenseSecretId}' '${LicenseSecretKey}'
    }
#if redis
    $Sec.Redis = '${RedisHost}:6379,password=' + (Get-Secret '${RedisSecretId}' password) + ',ssl=true'
#endif
}
Step 5 create-instance {
    Invoke-Octo create-instance --config C:\Octopus\OctopusServer.config --serverNodeName $Node
}
# Node 1 creates the database when the catalog does not exist yet, or finishes a create it
# started; every other case (nodes 2 to N, a replaced node 1) attaches with the master key.
Step 6 database {
    $create = $N -eq 1 -and ((Test-Path "$M\database-creating") -or !(Retry 'checking the catalog' { Test-Catalog } 10))
    if ($create) {
        Set-Content "$M\database-creating" $N
        Invoke-Octo database --create --masterKey $Sec.Key --connectionString $Sec.Cs
        Set-Content "$M\database-created" $N
    } else {
        Invoke-Octo database --masterKey $Sec.Key --connectionString $Sec.Cs
    }
}
Step 7 configure {
#if redis
    Invoke-Octo configure --webListenPrefixes 'http://+:${WebPort}/' --commsListenPort '${CommsPort}' --webForceSSL False --multiNodePollingTentaclesRedisConnectionString $Sec.Redis
#else
    Invoke-Octo configure --webListenPrefixes 'http://+:${WebPort}/' --commsListenPort '${CommsPort}' --webForceSSL False
#endif
}
# Only after node 1 created the database: later changes in the Octopus UI are kept.
Step 8 first-node {
    if ($N -ne 1 -or !(Test-Path "$M\database-created")) {
        Log 'the cluster exists: path, admin and licence are kept'
        return
    }
#if fsx
    Retry "creating $Share" { New-Item -ItemType Directory -Force $Share | Out-Null }
#if directory
    # the service runs as LocalSystem and reaches the share as its computer account: grant
    # Domain Computers (the domain's SID + RID 515) Modify
    $domain = [ADSI]('LDAP://' + ([ADSI]'LDAP://RootDSE').defaultNamingContext)
    $sid = [Security.Principal.SecurityIdentifier]::new($domain.objectSid[0], 0).Value
    icacls.exe $Share /grant "*$sid-515:(OI)(CI)M" | Out-Null
    if ($LASTEXITCODE) { throw "icacls could not grant Domain Computers Modify on $Share" }
#endif
#endif
    Invoke-Octo path --clusterShared $Share
    Invoke-Octo admin --username '${AdminUsername}' --email '${AdminEmail}' --password $Sec.Admin
    # quoted for the tree-sitter grammar of the syntax check, which reads `4 ` as a redirection
    Invoke-Octo license '--licenseBase64' $Sec.License
}
Step 9 service {
    Invoke-Octo node --taskCap '${TaskCap}'
    Invoke-Octo service --install --reconfigure --start
}
#if alerts
# Before step 10, so that a node is ready only once it is watched (docs/monitoring.md). The agent's
# MSI comes from AWS's regional bucket (without NAT, through the S3 endpoint); its configuration
# (logs, disk metric) is the SSM parameter the template writes.
Step 11 cloudwatch-agent {
    [Net.ServicePointManager]::SecurityProtocol = 'Tls12'
    $msi = "$D\cwagent.msi"
    Retry 'downloading the CloudWatch agent' { Invoke-WebRequest "https://amazoncloudwatch-agent-$Region.s3.$Region.amazonaws.com/windows/amd64/latest/amazon-cloudwatch-agent.msi" -OutFile $msi -UseBasicParsing }
    $run = Start-Process msiexec.exe "/i $msi /quiet /norestart" -Wait -PassThru
    if ($run.ExitCode -notin 0, 3010) { throw "msiexec exited with code $($run.ExitCode)" }
    & "${!env:ProgramFiles}\Amazon\AmazonCloudWatchAgent\amazon-cloudwatch-agent-ctl.ps1" -a fetch-config -m ec2 -s -c 'ssm:${AgentConfig}'
}
#endif
Step 10 ready {
    $ping = 'http://localhost:${WebPort}/api/octopusservernodes/ping'
    Wait-Until "$ping did not answer 200" 20 {
        try {
            (Invoke-WebRequest $ping -UseBasicParsing -TimeoutSec 10).StatusCode -eq 200
        } catch {
            Log "$ping not ready yet: $_"
        }
    }
    Send-Signal $true
}
exit 0
