# ps_syntax.broken.ps1: a deliberately broken PowerShell script. The syntax check
# (ps_syntax.sh) must reject it, which shows that the check can fail. The mistake is the
# kind a bad Fn::Sub value would make: a value that closes its single-quoted string.
$DomainName = 'o'neil.example.com'
function Test-Domain {
    if ($DomainName -eq '') {
        Write-Host 'no domain'
}
