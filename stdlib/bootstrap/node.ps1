# bootstrap.ps1: turns a fresh Windows node into an Octopus Server HA node (written by octohac).
# compiler/bootstrap.c renders this template once per stack into the cfn-init metadata of the
# NodeBootstrap resource (docs/bootstrap.md):
# - `#if FLAG` / `#if !FLAG` / `#else` / `#endif` lines keep only the code the cluster's topology
#   needs (the flags are listed in bootstrap.c);
# - comments, blank lines and indentation are dropped, and the statements of a block join the
#   line that opens it, so write one statement per line (at the top level, a few short
#   assignments may share one with `;`), no trailing comments, no here-strings, no backtick
#   continuations and no string that spans lines;
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
# short assignments share a line: each line of the script costs its indentation in the YAML
$ErrorActionPreference = 'Stop'; $ProgressPreference = 'SilentlyContinue'
$D = 'C:\octohac'; $M = "$D\markers"; $Log = 'C:\Octopus\bootstrap.log'
$Exe = Join-Path ${!env:ProgramFiles} 'Octopus Deploy\Octopus\Octopus.Server.exe'
# $At: the step that is running, for the log and the failure signal's unique id
# $Sec: the secrets step 4 reads, in memory only
# $Redo: the steps phase `reconfigure` runs again on a node that finished its bootstrap (the
# Reconfigure automation, docs/operations.md): the settings, never install, database or first node
$Stack = '${AWS::StackName}'; $Region = '${AWS::Region}'; $At = 'start'; $Sec = @{}
$Redo = if ($Phase -eq 'reconfigure') { 2, 7, 9, 11 } else { @() }

function Log($text) {
    Add-Content $Log ('{0} {1}: {2}' -f (Get-Date -Format s), $Node, $text)
}

# Runs BODY once for step NUM: the marker C:\octohac\markers\step<NUM>.done records that it finished,
# so a rerun (after a reboot or a fix) skips it, unless it is one of $Redo. -Always runs it every
# time (step 3 reads secrets, which are kept in memory only). A step body must not use the names of this function's variables
# (nor those of Retry and Wait-Until), because a script block sees its caller's variables.
function Step($num, $name, $body, [switch]$Always) {
    $Script:At = "step$num-$name"
    $mark = "$M\step$num.done"
    if (!$Always -and (Test-Path $mark) -and $num -notin $Redo) {
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
#if nodes_group
# Adds this computer's account to the nodes' group, as the join account (LDAP, no RSAT needed);
# the group reaches the computer's Kerberos ticket with the join's reboot.
function Add-ToNodesGroup($credential) {
    $root = [DirectoryServices.DirectoryEntry]::new('LDAP://${DomainName}', $credential.UserName, $credential.GetNetworkCredential().Password)
    $name = '${NodesGroup}' -replace '\(', '\28' -replace '\)', '\29'
    $group = [DirectoryServices.DirectorySearcher]::new($root, "(&(objectCategory=group)(sAMAccountName=$name))").FindOne()
    if (!$group) { throw 'no group ${NodesGroup} in ${DomainName}' }
    $me = [DirectoryServices.DirectorySearcher]::new($root, "(sAMAccountName=$env:COMPUTERNAME`$)").FindOne().Properties['distinguishedname'][0]
    $entry = $group.GetDirectoryEntry()
    if (!$entry.Properties['member'].Contains($me)) {
        [void]$entry.Properties['member'].Add($me)
        $entry.CommitChanges()
    }
    Log ("added $me to " + '${NodesGroup}')
}

#endif
# The exact version the cluster runs, once node 1 has recorded it (the parameter starts as `pending`).
function Get-Recorded {
    $value = (Retry 'reading the version' { Get-SSMParameter -Name '${VersionParameter}' }).Value
    if ($value -match '^\d+\.\d') { $value }
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
    if ((Get-Item $Exe).VersionInfo.ProductVersion -match '^\d+\.\d+\.\d+') { return $Matches[0] }
    throw "cannot read the version of $Exe"
}

# SQL's result on the master catalog, through SqlClient, as the setup login (RDS: the master
# login; otherwise Octopus's own), with @catalog (the connection string's) and, with RDS,
# @login and @password (the login Octopus runs as).
function Invoke-Sql($text) {
    $csb = [Data.SqlClient.SqlConnectionStringBuilder]::new($Sec.Setup)
    $catalog = $csb.InitialCatalog
    $csb.InitialCatalog = 'master'
    $sql = [Data.SqlClient.SqlConnection]::new($csb.ConnectionString)
    try {
        $sql.Open()
        $query = $sql.CreateCommand()
        $query.CommandText = $text
        [void]$query.Parameters.AddWithValue('@catalog', $catalog)
#if rds
        [void]$query.Parameters.AddWithValue('@login', $Sec.Login)
        [void]$query.Parameters.AddWithValue('@password', $Sec.Password)
#endif
        $query.ExecuteScalar()
    } finally {
        $sql.Dispose()
    }
}

# What the Octopus catalog holds: DBNull when there is no catalog; else the version of the last
# Octopus installed on it (Octopus writes each install to OctopusServerInstallationHistory; 0 when
# a row has none), or its DB_ID before that table exists.
function Get-Schema { Invoke-Sql 'DECLARE @t sysname=QUOTENAME(@catalog)+''..OctopusServerInstallationHistory'';IF OBJECT_ID(@t)>0 EXEC(''SELECT TOP 1 ISNULL(Version,0) FROM ''+@t+'' ORDER BY Installed DESC'') ELSE SELECT DB_ID(@catalog)' }

# Refuses Octopus V when a newer Octopus has upgraded the database: an older server cannot run a
# newer schema. The failure signal's id names the database's version. Anything that is not a
# version (no catalog, no history yet) passes. Retried as step 6's probe is: a database that
# does not answer yet (a just-created instance, a failover) must not fail the node.
function Assert-Schema($v) {
    if (($db = "$(Retry 'checking the database version' { Get-Schema } 10)" -as [version]) -gt $v) {
        $Script:At = "step4-older-than-db-$db"
        throw "Octopus $v is older than the database"
    }
}

#if rds
# The login Octopus runs as, db_owner of its catalog and nothing else, made by the master
# login (kept for administration): created, or its password set to the secret's (a restored
# snapshot holds an older one), and its user in the catalog created, or mapped to it again.
function Grant-Login {
    Invoke-Sql "DECLARE @q nvarchar(max)=IIF(SUSER_ID(@login) IS NULL,'CREATE','ALTER')+' LOGIN '+QUOTENAME(@login)+' WITH PASSWORD='+QUOTENAME(@password,CHAR(39))+';USE '+QUOTENAME(@catalog)+';IF USER_ID(@login) IS NULL CREATE USER '+QUOTENAME(@login)+';ALTER USER '+QUOTENAME(@login)+' WITH LOGIN='+QUOTENAME(@login)+';ALTER ROLE db_owner ADD MEMBER '+QUOTENAME(@login);EXEC sp_executesql @q,N'@login sysname',@login" | Out-Null
}

#endif
#if rds_ca
# The region's RDS certificate authorities, trusted by the machine (roots in Root, the others
# in CA), so that SqlClient verifies the database's certificate (from step 4's schema guard on).
function Install-RdsCa {
    $pem = "$D\rds.pem"
    Retry 'downloading the RDS CAs' { Invoke-WebRequest "https://truststore.pki.rds.amazonaws.com/$Region/$Region-bundle.pem" -OutFile $pem -UseBasicParsing }
    foreach ($b in (Get-Content $pem -Raw) -split '-----[A-Z ]+-----' -match '^\s*MI') {
        $x = [Security.Cryptography.X509Certificates.X509Certificate2]::new([Convert]::FromBase64String($b))
        $s = [Security.Cryptography.X509Certificates.X509Store]::new(('CA', 'Root')[$x.Subject -eq $x.Issuer], 'LocalMachine')
        $s.Open('ReadWrite')
        $s.Add($x)
        $s.Close()
    }
}

#endif
#if fsx
$Share = '\\${FsxDnsName}\share\${SharedFolder}'
#else
$Share = '${SharedPath}'
#endif
# Any error ends the script here: the log and the failure signal name the step that failed
# (reconfigure signals nothing: the stack finished creating the node long ago; its exit code fails
# the automation's step).
trap {
    Log "$At failed: $_"
    if ($N -ge 1 -and !$Redo) { Send-Signal $false }
    exit 1
}
New-Item -ItemType Directory -Force $M, 'C:\Octopus' | Out-Null; $N = [int](Get-Content "$D\node-index")
$Node = '${ClusterName}-node-' + $N; Log "phase $Phase"; Set-DefaultAWSRegion -Region $Region
#if directory
if ($Phase -eq 'join') {
    Step 1 domain-join {
        $dns = '${DnsIps}' -split ','
        Get-NetAdapter | Where-Object Status -eq 'Up' | ForEach-Object { Set-DnsClientServerAddress -InterfaceIndex $_.ifIndex -ServerAddresses $dns }
        Log "DNS servers: $dns"
        # a rerun after a failure that came after the join itself (the group) joins no more
        $joined = Test-Member
        if ($joined) { Log 'already in the domain' }
#if self_managed
        $user = '${JoinUser}'
        if ($user -notmatch '[\\@]') { $user = '${DomainName}\' + $user }
        $password = ConvertTo-SecureString (Get-Secret '${JoinSecretId}' '${JoinSecretKey}') -AsPlainText -Force
        $credential = New-Object PSCredential($user, $password)
#if ou
        if (!$joined) { Retry 'joining the domain' { Add-Computer -DomainName '${DomainName}' -Credential $credential -OUPath '${JoinOu}' -Force } }
#else
        if (!$joined) { Retry 'joining the domain' { Add-Computer -DomainName '${DomainName}' -Credential $credential -Force } }
#endif
#if nodes_group
        Retry 'joining the nodes group' { Add-ToNodesGroup $credential }
#endif
#else
        if (!$joined) {
            Log 'waiting for the SSM domain join'
            Wait-Until 'AWS-JoinDirectoryServiceDomain did not join ${DomainName}' 30 { Test-Member }
        }
#endif
    }
    # cfn-init runs this phase with waitAfterCompletion "forever": after the reboot it resumes
    # with the next command, phase configure.
    Set-Content "$D\handled" 'rebooting'
    Log 'rebooting into the domain'
    shutdown.exe /r /t 15 /c 'octohac: domain join'
    exit 0
}
if (!(Test-Member)) {
    $At = 'step1-domain-join'
    throw 'the node is not a member of ${DomainName}'
}
#endif
if ($Redo) {
    $At = 'reconfigure'
    if (!(Test-Path "$M\step10.done")) { throw 'the node has not finished its bootstrap' }
    Invoke-Octo service --stop
}
Step 2 firewall {
    foreach ($port in '${WebPort}', '${CommsPort}') {
        $rule = "Octopus Server TCP $port"
        if (!(Get-NetFirewallRule -DisplayName $rule -ErrorAction SilentlyContinue)) {
            New-NetFirewallRule -DisplayName $rule -Protocol TCP -LocalPort $port | Out-Null
        }
    }
}
# Step 3 reads the secrets on every run, before the install, which compares versions with the database.
Step 3 secrets -Always {
#if rds
    # Setup: the master login, which creates the catalog and Octopus's login; Cs: that login
#if rds_ca
    $tls = ';Encrypt=True;TrustServerCertificate=False'
#else
    $tls = ';Encrypt=True;TrustServerCertificate=True'
#endif
    $server = 'Server=${DatabaseHost},1433;Database=${Catalog}'
    $Sec.Setup = $server + ';User ID=octopus;Password=' + (Get-Secret '${DatabaseSecretId}' password) + $tls
    $Sec.Login = Get-Secret '${DatabaseLoginSecretId}' username
    $Sec.Password = Get-Secret '${DatabaseLoginSecretId}' password
    $Sec.Cs = $server + ';User ID=' + $Sec.Login + ';Password=' + $Sec.Password + $tls
#endif
#if db_secret
    $Sec.Cs = Get-Secret '${DatabaseSecretId}' '${DatabaseSecretKey}'
    $Sec.Setup = $Sec.Cs
#endif
#if db_string
    $Sec.Cs = '${DatabaseConnectionString}'
    $Sec.Setup = $Sec.Cs
#endif
    # the master key is kept as 32 hex characters (generated, or the MasterKey parameter);
    # Octopus wants the 16 bytes in base64
    $key = Get-Secret '${MasterKeySecretId}'
    if ($key -notmatch '^[0-9a-f]{32}$') { throw 'the master key secret is not 32 hexadecimal characters' }
    $Sec.Key = [Convert]::ToBase64String([byte[]](0..15 | ForEach-Object { [Convert]::ToByte($key.Substring(2 * $_, 2), 16) }))
    if ($N -eq 1) {
        $Sec.Admin = Get-Secret '${AdminSecretId}' password
        $Sec.License = Get-Secret '${LicenseSecretId}' '${LicenseSecretKey}'
    }
#if redis
    $Sec.Redis = '${RedisHost}:6379,password=' + (Get-Secret '${RedisSecretId}' password) + ',ssl=true'
#endif
}
# Every node, a replaced node 1 included, installs exactly the version the cluster runs; only
# node 1 of a new cluster installs `octopus.version` and records what it got. The recorded
# version is also the record that the cluster has been initialised, which outlives any node
# and the database: the marker `new-cluster`, written before the record, is what lets this
# node (and no other, ever) create the database in step 6.
Step 4 install {
#if rds_ca
    Install-RdsCa
#endif
    $recorded = Get-Recorded
    if (!$recorded -and $N -ne 1) {
        Log 'waiting for node 1'
        $recorded = Wait-Until 'node 1 did not record the Octopus version' 60 { Get-Recorded }
    }
    if ($recorded) {
        Assert-Schema $recorded
        $got = Install-Msi (Get-MsiUrl $recorded)
        if ($got -ne $recorded) { throw "installed Octopus $got but the cluster runs $recorded" }
    } else {
        $got = Install-Msi (Get-MsiUrl '${OctopusVersion}')
        Assert-Schema $got
        Set-Content "$M\new-cluster" $got
        Retry 'recording the version' { Write-SSMParameter -Name '${VersionParameter}' -Value $got -Type String -Overwrite $true }
    }
    Log "installed Octopus Server $got"
}
Step 5 create-instance {
    Invoke-Octo create-instance --config C:\Octopus\OctopusServer.config --serverNodeName $Node
}
# Node 1 of a new cluster (step 4's `new-cluster`) creates the database (as the setup login)
# when the catalog does not exist yet, or finishes a create it started. A missing catalog
# anywhere else means the database was replaced or emptied under a cluster that exists: fail,
# and name that in the signal, rather than start the cluster again from an empty database.
# Then every node attaches with the master key and the connection string Octopus keeps; with
# RDS that is its own login, which the node grants first (a node replaced in a cluster that
# ran as the master login grants it too).
Step 6 database {
    $create = (Test-Path "$M\database-creating") -or (Retry 'checking the catalog' { Get-Schema } 10) -is [DBNull]
    if ($create -and !(Test-Path "$M\new-cluster")) {
        $Script:At = 'step6-catalog-missing'
        throw 'catalog missing in an initialised cluster: not creating an empty one'
    }
    if ($create) {
        Set-Content "$M\database-creating" $N
        Invoke-Octo database --create --masterKey $Sec.Key --connectionString $Sec.Setup
        Set-Content "$M\database-created" $N
    }
#if rds
    Retry 'granting the Octopus login' { Grant-Login }
#endif
    Invoke-Octo database --masterKey $Sec.Key --connectionString $Sec.Cs
}
Step 7 configure {
#if redis
    Invoke-Octo configure --webListenPrefixes 'http://+:${WebPort}/' --commsListenPort '${CommsPort}' --webForceSSL False --multiNodePollingTentaclesRedisConnectionString $Sec.Redis
#else
    Invoke-Octo configure --webListenPrefixes 'http://+:${WebPort}/' --commsListenPort '${CommsPort}' --webForceSSL False
#endif
}
# Only after node 1 created the database (no other node does): later changes in the Octopus UI are kept.
Step 8 first-node {
    if (!(Test-Path "$M\database-created")) {
        Log 'existing cluster: path, admin and licence kept'
        return
    }
#if fsx
    Retry "creating $Share" { New-Item -ItemType Directory -Force $Share | Out-Null }
#if directory
    # the service runs as LocalSystem and reaches the share as its computer account: grant
    # Modify to the nodes' group, or else to Domain Computers (the domain's SID + RID 515)
#if nodes_group
    $sid = [Security.Principal.NTAccount]::new('${NodesGroup}').Translate([Security.Principal.SecurityIdentifier]).Value
#else
    $domain = [ADSI]('LDAP://' + ([ADSI]'LDAP://RootDSE').defaultNamingContext)
    $sid = [Security.Principal.SecurityIdentifier]::new($domain.objectSid[0], 0).Value + '-515'
#endif
    icacls.exe $Share /grant ('*' + $sid + ':(OI)(CI)M') | Out-Null
    if ($LASTEXITCODE) { throw "icacls could not grant $sid Modify on $Share" }
#endif
#endif
    Invoke-Octo path --clusterShared $Share
    Invoke-Octo admin --username '${AdminUsername}' --email '${AdminEmail}' --password $Sec.Admin
    # from a file, not the command line (Octopus reads no other secret from a file): in
    # SYSTEM's temporary folder, where the Users may create files but read none of SYSTEM's
    [IO.File]::WriteAllBytes('C:\Windows\Temp\octopus.lic', [Convert]::FromBase64String($Sec.License))
    try {
        Invoke-Octo license --licenseFile C:\Windows\Temp\octopus.lic
    } finally {
        Remove-Item C:\Windows\Temp\octopus.lic
    }
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
    # retried as Install-Msi is: another install running (1618) must not fail the node
    Retry 'installing the CloudWatch agent' {
        $run = Start-Process msiexec.exe "/i $msi /quiet /norestart" -Wait -PassThru
        if ($run.ExitCode -notin 0, 3010) { throw "msiexec exited with code $($run.ExitCode)" }
    }
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
