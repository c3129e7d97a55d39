# bootstrap.ps1: turns a fresh Windows node into an Octopus Server HA node (written by octohac).
# The template is rendered through Fn::Sub: CloudFormation fills in the stack values below from the
# variable map of the NodeBootstrap resource. One script serves every node;
# the node's number comes from the machine environment variable OCTOHAC_NODE_INDEX (set by UserData).
# Phase `join` is step 1 (DNS, domain join, reboot); phase `configure` is steps 2 to 10. Each step is
# idempotent behind a marker file; the log is C:\Octopus\bootstrap.log. Secrets are read at run time.
param(
    [ValidateSet('join', 'configure')]
    [string]$Phase = 'configure'
)

$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

# ---- stack values (Fn::Sub) -------------------------------------------------------------------
$Region            = '${AWS::Region}'
$StackName         = '${AWS::StackName}'
$ClusterName       = '${ClusterName}'
$InstanceName      = '${OctopusInstance}'
$OctopusVersion    = '${OctopusVersion}'
$DownloadUrl       = '${DownloadUrl}'
$VersionParameter  = '${VersionParameter}'
$WebPort           = '${WebPort}'
$CommsPort         = '${CommsPort}'
$TaskCap           = '${TaskCap}'
$AdminUsername     = '${AdminUsername}'
$AdminEmail        = '${AdminEmail}'
$AdminSecretId     = '${AdminSecretId}'
$MasterKeySecretId = '${MasterKeySecretId}'
$MasterKeyFormat   = '${MasterKeyFormat}'
$LicenseSecretId   = '${LicenseSecretId}'
$LicenseSecretKey  = '${LicenseSecretKey}'
$DatabaseMode      = '${DatabaseMode}'
$DatabaseHost      = '${DatabaseHost}'
$DatabaseUser      = '${DatabaseUser}'
$DatabaseSecretId  = '${DatabaseSecretId}'
$DatabaseSecretKey = '${DatabaseSecretKey}'
$DatabaseString    = '${DatabaseConnectionString}'
$Catalog           = '${Catalog}'
$SharedPath        = '${SharedPath}'
$SharedCreate      = '${SharedCreate}'
$DirectoryMode     = '${DirectoryMode}'
$DomainName        = '${DomainName}'
$DnsIps            = '${DnsIps}'
$JoinUser          = '${JoinUser}'
$JoinSecretId      = '${JoinSecretId}'
$JoinSecretKey     = '${JoinSecretKey}'
$JoinOu            = '${JoinOu}'
$RedisHost         = '${RedisHost}'
$RedisSecretId     = '${RedisSecretId}'

# ---- fixed locations ----------------------------------------------------------------------------
$WorkDir    = 'C:\octohac'
$MarkerDir  = Join-Path $WorkDir 'markers'
$OctopusDir = 'C:\Octopus'
$LogFile    = Join-Path $OctopusDir 'bootstrap.log'
$ConfigFile = Join-Path $OctopusDir 'OctopusServer.config'
$ServerExe  = Join-Path ${!env:ProgramFiles} 'Octopus Deploy\Octopus\Octopus.Server.exe'
$CfnDir     = Join-Path ${!env:ProgramFiles} 'Amazon\cfn-bootstrap'
$Script:CurrentStep = 'start'
$Script:StepId = 'start'

New-Item -ItemType Directory -Force -Path $WorkDir, $MarkerDir, $OctopusDir | Out-Null

function Write-Log {
    param([string]$Message)
    $line = '{0} node {1}: {2}' -f (Get-Date -Format 'yyyy-MM-dd HH:mm:ss'), $NodeIndex, $Message
    Add-Content -Path $LogFile -Value $line
    Write-Host $line
}

function Get-NodeIndex {
    $value = $env:OCTOHAC_NODE_INDEX
    if (-not $value) {
        $value = [Environment]::GetEnvironmentVariable('OCTOHAC_NODE_INDEX', 'Machine')
    }
    if (-not ($value -match '^[0-9]+$')) {
        throw 'OCTOHAC_NODE_INDEX is not set: the UserData loader sets it before cfn-init runs'
    }
    return [int]$value
}

# Runs BODY once: a marker file records that step NUMBER finished, so a rerun (after a reboot or a
# failed attempt) skips it. -Always runs the body every time (steps that only read or wait).
function Invoke-Step {
    param([int]$Number, [string]$Name, [scriptblock]$Body, [switch]$Always)
    $Script:CurrentStep = 'step {0} ({1})' -f $Number, $Name
    $Script:StepId = 'step{0}-{1}' -f $Number, ($Name -replace '[^A-Za-z0-9]+', '-')
    $marker = Join-Path $MarkerDir ('step{0}.done' -f $Number)
    if ((-not $Always) -and (Test-Path $marker)) {
        Write-Log ('{0}: already done' -f $Script:CurrentStep)
        return
    }
    Write-Log ('{0}: start' -f $Script:CurrentStep)
    & $Body
    if (-not $Always) {
        Set-Content -Path $marker -Value (Get-Date -Format 'o')
    }
    Write-Log ('{0}: done' -f $Script:CurrentStep)
}

function Invoke-WithRetry {
    param([scriptblock]$Action, [string]$What, [int]$Attempts = 5, [int]$DelaySeconds = 30)
    for ($attempt = 1; $attempt -le $Attempts; $attempt++) {
        try {
            return (& $Action)
        } catch {
            if ($attempt -eq $Attempts) { throw }
            Write-Log ('{0} failed (attempt {1} of {2}): {3}; retrying' -f $What, $attempt, $Attempts, $_.Exception.Message)
            Start-Sleep -Seconds $DelaySeconds
        }
    }
}

# SignalResource carries no reason text: a failure signal's unique id names the failed step, and
# the whole reason is in the log.
function Send-Signal {
    param([bool]$Success)
    $cfnSignal = Join-Path $CfnDir 'cfn-signal.exe'
    $resource = 'Node{0}' -f $NodeIndex
    if ($Success) {
        & $cfnSignal -e 0 --stack $StackName --resource $resource --region $Region
    } else {
        $id = 'node{0}-{1}-failed' -f $NodeIndex, $Script:StepId
        & $cfnSignal -e 1 -i $id --stack $StackName --resource $resource --region $Region
    }
    Set-Content -Path (Join-Path $WorkDir 'signalled') -Value $Success
}

# ---- secrets (read at run time, never written to the log) ------------------------------------------
function Get-SecretText {
    param([string]$SecretId, [string]$JsonKey)
    $text = Invoke-WithRetry -What ('reading secret {0}' -f $SecretId) -Action {
        (Get-SECSecretValue -SecretId $SecretId -Region $Region).SecretString
    }
    if ($JsonKey) {
        $value = ($text | ConvertFrom-Json).$JsonKey
        if (-not $value) { throw ('secret {0} has no key {1}' -f $SecretId, $JsonKey) }
        return [string]$value
    }
    return $text.Trim()
}

function ConvertTo-MasterKey {
    param([string]$Text)
    if ($MasterKeyFormat -ne 'hex') { return $Text }
    if (-not ($Text -match '^[0-9a-f]{32}$')) { throw 'the master key secret is not 32 hexadecimal characters' }
    $bytes = New-Object byte[] 16
    for ($i = 0; $i -lt 16; $i++) {
        $bytes[$i] = [Convert]::ToByte($Text.Substring($i * 2, 2), 16)
    }
    return [Convert]::ToBase64String($bytes)
}

# ---- Octopus.Server.exe ---------------------------------------------------------------------------
$SensitiveOptions = @('--masterKey', '--connectionString', '--password', '--licenseBase64',
    '--multiNodePollingTentaclesRedisConnectionString')

function Invoke-Octopus {
    param([string[]]$Arguments)
    $shown = New-Object System.Collections.Generic.List[string]
    $hideNext = $false
    foreach ($argument in $Arguments) {
        if ($hideNext) { $shown.Add('********') } else { $shown.Add($argument) }
        $hideNext = $SensitiveOptions -contains $argument
    }
    Write-Log ('Octopus.Server.exe {0}' -f ($shown -join ' '))
    # Windows PowerShell turns a native command's stderr into errors: judge by the exit code only
    $ErrorActionPreference = 'Continue'
    & $ServerExe @Arguments 2>&1 | ForEach-Object { Add-Content -Path $LogFile -Value ('    ' + $_) }
    if ($LASTEXITCODE -ne 0) {
        throw ('Octopus.Server.exe {0} exited with code {1}' -f $Arguments[0], $LASTEXITCODE)
    }
}

# ---- step 1: DNS and the domain join ---------------------------------------------------------------
function Test-DomainMember {
    return [bool](Get-CimInstance -ClassName Win32_ComputerSystem).PartOfDomain
}

function Set-DirectoryDns {
    if (-not $DnsIps) { return }
    $servers = $DnsIps -split ','
    Get-NetAdapter | Where-Object { $_.Status -eq 'Up' } | ForEach-Object {
        Set-DnsClientServerAddress -InterfaceIndex $_.ifIndex -ServerAddresses $servers
    }
    Write-Log ('DNS servers set to {0}' -f $DnsIps)
}

function Wait-DomainMember {
    param([int]$Minutes)
    $deadline = (Get-Date).AddMinutes($Minutes)
    while (-not (Test-DomainMember)) {
        if ((Get-Date) -gt $deadline) {
            throw ('the SSM association AWS-JoinDirectoryServiceDomain did not join {0} within {1} minutes' -f $DomainName, $Minutes)
        }
        Start-Sleep -Seconds 15
    }
}

function Join-SelfManagedDomain {
    $password = Get-SecretText -SecretId $JoinSecretId -JsonKey $JoinSecretKey
    $user = $JoinUser
    if (-not ($user.Contains('\') -or $user.Contains('@'))) { $user = '{0}\{1}' -f $DomainName, $JoinUser }
    $secure = ConvertTo-SecureString -String $password -AsPlainText -Force
    $credential = New-Object System.Management.Automation.PSCredential($user, $secure)
    $options = @{ DomainName = $DomainName; Credential = $credential; Force = $true }
    if ($JoinOu) { $options['OUPath'] = $JoinOu }
    Invoke-WithRetry -What ('joining {0}' -f $DomainName) -Action { Add-Computer @options }
}

function Invoke-JoinPhase {
    Invoke-Step -Number 1 -Name 'domain join' -Body {
        Set-DirectoryDns
        if (Test-DomainMember) {
            Write-Log ('already a member of {0}' -f $DomainName)
        } elseif ($DirectoryMode -eq 'self-managed') {
            Join-SelfManagedDomain
        } else {
            Write-Log 'waiting for the SSM association AWS-JoinDirectoryServiceDomain'
            Wait-DomainMember -Minutes 30
        }
    }
    # cfn-init runs this phase with waitAfterCompletion "forever": it resumes with the next command
    # (phase configure) after this reboot.
    Set-Content -Path (Join-Path $WorkDir 'rebooting') -Value (Get-Date -Format 'o')
    Write-Log 'restarting to complete the domain join'
    & shutdown.exe /r /t 15 /c 'octohac: domain join'
}

# ---- step 3: the Octopus Server MSI ----------------------------------------------------------------
function Get-RecordedVersion {
    $value = Invoke-WithRetry -What 'reading the version parameter' -Action {
        (Get-SSMParameter -Name $VersionParameter -Region $Region).Value
    }
    if ($value -match '^[0-9]+\.[0-9]+') { return $value }
    return $null
}

function Wait-RecordedVersion {
    $deadline = (Get-Date).AddMinutes(60)
    while ($true) {
        $version = Get-RecordedVersion
        if ($version) { return $version }
        if ((Get-Date) -gt $deadline) { throw 'node 1 did not record the Octopus version within 60 minutes' }
        Start-Sleep -Seconds 30
    }
}

function Get-MsiUrl {
    param([string]$Version)
    if ($DownloadUrl) { return $DownloadUrl }
    if ($Version -eq 'latest') { return 'https://octopus.com/downloads/latest/WindowsX64/OctopusServer' }
    return ('https://download.octopusdeploy.com/octopus/Octopus.{0}-x64.msi' -f $Version)
}

function Get-InstalledVersion {
    $text = (Get-Item $ServerExe).VersionInfo.ProductVersion
    if ($text -match '^([0-9]+\.[0-9]+\.[0-9]+)') { return $Matches[1] }
    throw ('cannot read the Octopus Server version from {0}' -f $text)
}

function Install-OctopusMsi {
    param([string]$Url)
    [Net.ServicePointManager]::SecurityProtocol = [Net.SecurityProtocolType]::Tls12
    $msi = Join-Path $WorkDir 'OctopusServer.msi'
    $msiLog = Join-Path $OctopusDir 'msiexec.log'
    Invoke-WithRetry -What ('downloading {0}' -f $Url) -Action {
        Invoke-WebRequest -Uri $Url -OutFile $msi -UseBasicParsing
    }
    Invoke-WithRetry -What 'msiexec' -Action {
        $arguments = @('/i', ('"{0}"' -f $msi), '/quiet', '/norestart', 'RUNMANAGERONEXIT=no', '/l*v', ('"{0}"' -f $msiLog))
        $process = Start-Process -FilePath 'msiexec.exe' -ArgumentList $arguments -Wait -PassThru
        if (($process.ExitCode -ne 0) -and ($process.ExitCode -ne 3010)) {
            throw ('msiexec exited with code {0}; see {1}' -f $process.ExitCode, $msiLog)
        }
    }
    if (-not (Test-Path $ServerExe)) { throw ('the MSI did not install {0}' -f $ServerExe) }
}

function Install-Octopus {
    $recorded = Get-RecordedVersion
    if ((-not $recorded) -and ($NodeIndex -ne 1)) {
        Write-Log 'waiting for node 1 to record the installed Octopus version'
        $recorded = Wait-RecordedVersion
    }
    if ($recorded) {
        # every node, a replaced node 1 included, installs exactly the version the cluster runs
        Install-OctopusMsi -Url (Get-MsiUrl -Version $recorded)
        $installed = Get-InstalledVersion
        if ($installed -ne $recorded) {
            throw ('installed Octopus {0} but the cluster runs {1}' -f $installed, $recorded)
        }
        Write-Log ('installed Octopus Server {0}' -f $installed)
        return
    }
    Install-OctopusMsi -Url (Get-MsiUrl -Version $OctopusVersion)
    $installed = Get-InstalledVersion
    Invoke-WithRetry -What 'recording the version parameter' -Action {
        Write-SSMParameter -Name $VersionParameter -Value $installed -Type String -Overwrite $true -Region $Region | Out-Null
    }
    Write-Log ('installed Octopus Server {0} and recorded it in {1}' -f $installed, $VersionParameter)
}

# ---- step 6: the database ----------------------------------------------------------------------------
function Get-ConnectionString {
    switch ($DatabaseMode) {
        'rds' {
            $password = Get-SecretText -SecretId $DatabaseSecretId -JsonKey 'password'
            return ('Server={0},1433;Database={1};User ID={2};Password={3};Encrypt=True;TrustServerCertificate=True' -f $DatabaseHost, $Catalog, $DatabaseUser, $password)
        }
        'secret' { return (Get-SecretText -SecretId $DatabaseSecretId -JsonKey $DatabaseSecretKey) }
        default { return $DatabaseString }
    }
}

function Test-CatalogExists {
    param([string]$ConnectionString)
    $builder = New-Object System.Data.SqlClient.SqlConnectionStringBuilder($ConnectionString)
    $name = $builder.InitialCatalog
    if (-not $name) { $name = $Catalog }
    $builder.InitialCatalog = 'master'
    $connection = New-Object System.Data.SqlClient.SqlConnection($builder.ConnectionString)
    try {
        $connection.Open()
        $command = $connection.CreateCommand()
        $command.CommandText = 'SELECT DB_ID(@name)'
        $command.Parameters.AddWithValue('@name', $name) | Out-Null
        $result = $command.ExecuteScalar()
        return -not ($result -is [System.DBNull])
    } finally {
        $connection.Dispose()
    }
}

# ---- step 8: the shared folder ----------------------------------------------------------------------
function Get-DomainComputersSid {
    $root = [ADSI]'LDAP://RootDSE'
    $domain = [ADSI]('LDAP://' + $root.defaultNamingContext)
    $sid = New-Object System.Security.Principal.SecurityIdentifier($domain.objectSid[0], 0)
    return ($sid.Value + '-515')
}

function Initialize-SharedFolder {
    if ($SharedCreate -ne 'true') { return }
    Invoke-WithRetry -What ('creating {0}' -f $SharedPath) -Action {
        New-Item -ItemType Directory -Force -Path $SharedPath | Out-Null
    }
    if ($DirectoryMode -ne 'none') {
        $grant = '*{0}:(OI)(CI)M' -f (Get-DomainComputersSid)
        & icacls.exe $SharedPath /grant $grant | Out-Null
        if ($LASTEXITCODE -ne 0) { throw ('icacls could not grant Domain Computers Modify on {0}' -f $SharedPath) }
        Write-Log ('granted Domain Computers Modify on {0}' -f $SharedPath)
    }
}

# ---- step 10: readiness ---------------------------------------------------------------------------------
function Wait-NodeReady {
    $url = 'http://localhost:{0}/api/octopusservernodes/ping' -f $WebPort
    $deadline = (Get-Date).AddMinutes(20)
    while ($true) {
        try {
            $response = Invoke-WebRequest -Uri $url -UseBasicParsing -TimeoutSec 10
            if ($response.StatusCode -eq 200) { return }
        } catch {
            Write-Log ('{0} not ready yet: {1}' -f $url, $_.Exception.Message)
        }
        if ((Get-Date) -gt $deadline) { throw ('{0} did not answer 200 within 20 minutes' -f $url) }
        Start-Sleep -Seconds 15
    }
}

# ---- phase configure: steps 2 to 10 -----------------------------------------------------------------------
function Invoke-ConfigurePhase {
    Remove-Item -Path (Join-Path $WorkDir 'rebooting') -ErrorAction SilentlyContinue
    if (($DirectoryMode -ne 'none') -and (-not (Test-DomainMember))) {
        $Script:CurrentStep = 'step 1 (domain join)'
        $Script:StepId = 'step1-domain-join'
        throw ('the node is not a member of {0}' -f $DomainName)
    }

    Invoke-Step -Number 2 -Name 'firewall' -Body {
        $ports = @($WebPort, $CommsPort) | Select-Object -Unique
        foreach ($port in $ports) {
            $rule = 'Octopus Server TCP {0}' -f $port
            if (-not (Get-NetFirewallRule -DisplayName $rule -ErrorAction SilentlyContinue)) {
                New-NetFirewallRule -DisplayName $rule -Direction Inbound -Protocol TCP -LocalPort $port -Action Allow | Out-Null
            }
        }
    }

    Invoke-Step -Number 3 -Name 'install Octopus Server' -Body { Install-Octopus }

    $secrets = @{}
    Invoke-Step -Number 4 -Name 'read secrets' -Always -Body {
        $secrets.ConnectionString = Get-ConnectionString
        $secrets.MasterKey = ConvertTo-MasterKey -Text (Get-SecretText -SecretId $MasterKeySecretId -JsonKey '')
        if ($NodeIndex -eq 1) {
            $secrets.AdminPassword = Get-SecretText -SecretId $AdminSecretId -JsonKey 'password'
            $secrets.License = Get-SecretText -SecretId $LicenseSecretId -JsonKey $LicenseSecretKey
        }
        if ($RedisHost) {
            $secrets.Redis = '{0}:6379,password={1},ssl=true' -f $RedisHost, (Get-SecretText -SecretId $RedisSecretId -JsonKey 'password')
        }
    }

    Invoke-Step -Number 5 -Name 'create-instance' -Body {
        Invoke-Octopus @('create-instance', '--instance', $InstanceName, '--config', $ConfigFile,
            '--serverNodeName', ('{0}-node-{1}' -f $ClusterName, $NodeIndex))
    }

    $createdMarker = Join-Path $MarkerDir 'database-created'
    $creatingMarker = Join-Path $MarkerDir 'database-creating'
    Invoke-Step -Number 6 -Name 'database' -Body {
        $exists = $true
        if ($NodeIndex -eq 1) {
            $exists = Invoke-WithRetry -What 'checking the catalog' -Attempts 10 -Action {
                Test-CatalogExists -ConnectionString $secrets.ConnectionString
            }
            # a create that this node started and did not finish is finished by running it again
            if (Test-Path $creatingMarker) { $exists = $false }
        }
        if (($NodeIndex -eq 1) -and (-not $exists)) {
            Set-Content -Path $creatingMarker -Value (Get-Date -Format 'o')
            Invoke-Octopus @('database', '--instance', $InstanceName, '--create',
                '--masterKey', $secrets.MasterKey, '--connectionString', $secrets.ConnectionString)
            Set-Content -Path $createdMarker -Value (Get-Date -Format 'o')
        } else {
            Invoke-Octopus @('database', '--instance', $InstanceName,
                '--masterKey', $secrets.MasterKey, '--connectionString', $secrets.ConnectionString)
        }
    }

    Invoke-Step -Number 7 -Name 'configure' -Body {
        $arguments = @('configure', '--instance', $InstanceName,
            '--webListenPrefixes', ('http://+:{0}/' -f $WebPort), '--commsListenPort', $CommsPort,
            '--webForceSSL', 'False')
        if ($RedisHost) {
            $arguments += @('--multiNodePollingTentaclesRedisConnectionString', $secrets.Redis)
        }
        Invoke-Octopus $arguments
    }

    Invoke-Step -Number 8 -Name 'first node' -Body {
        if (($NodeIndex -ne 1) -or (-not (Test-Path $createdMarker))) {
            Write-Log 'the cluster already exists: shared storage, admin and licence are kept'
            return
        }
        Initialize-SharedFolder
        Invoke-Octopus @('path', '--instance', $InstanceName, '--clusterShared', $SharedPath)
        Invoke-Octopus @('admin', '--instance', $InstanceName, '--username', $AdminUsername,
            '--email', $AdminEmail, '--password', $secrets.AdminPassword)
        Invoke-Octopus @('license', '--instance', $InstanceName, '--licenseBase64', $secrets.License)
    }

    Invoke-Step -Number 9 -Name 'service' -Body {
        Invoke-Octopus @('node', '--instance', $InstanceName, '--taskCap', $TaskCap)
        Invoke-Octopus @('service', '--instance', $InstanceName, '--install', '--reconfigure', '--start')
    }

    Invoke-Step -Number 10 -Name 'ready' -Body {
        Wait-NodeReady
        Write-Log ('{0}-node-{1} is ready' -f $ClusterName, $NodeIndex)
        Send-Signal -Success $true
    }
}

# ---- main ---------------------------------------------------------------------------------------------------
$NodeIndex = 0
try {
    $NodeIndex = Get-NodeIndex
    Write-Log ('bootstrap phase {0} on stack {1} in {2}' -f $Phase, $StackName, $Region)
    Import-Module AWSPowerShell -ErrorAction SilentlyContinue
    if ($Phase -eq 'join') {
        Invoke-JoinPhase
    } else {
        Invoke-ConfigurePhase
    }
    exit 0
} catch {
    $reason = '{0} failed: {1}' -f $Script:CurrentStep, $_.Exception.Message
    Write-Log $reason
    if ($NodeIndex -gt 0) {
        Send-Signal -Success $false
    }
    exit 1
}
