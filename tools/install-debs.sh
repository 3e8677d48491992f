#!/bin/sh
# Install the Debian packages listed in packaging/debian-packages.txt that are missing.
set -eu
here=$(dirname "$0")/..
pkgs=$(grep -v '^#' "$here/packaging/debian-packages.txt" | tr '\n' ' ')
missing=""
for p in $pkgs; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "installing Debian packages:$missing"
export DEBIAN_FRONTEND=noninteractive
sudo_cmd=""
[ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
# Servers we install (kamailio, xrdp) must not start as system services: the tests and
# the simulator run their own instances on their own ports and stop them by PID.
policy=${POLICY_RC_D:-/usr/sbin/policy-rc.d}
own_policy=""
if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' | $sudo_cmd tee "$policy" >/dev/null
    $sudo_cmd chmod +x "$policy"
    own_policy=1
fi
cleanup() { if [ -n "$own_policy" ]; then $sudo_cmd rm -f "$policy"; fi; }
trap cleanup EXIT
$sudo_cmd apt-get install -y -q --no-install-recommends $missing >/dev/null 2>&1 || {
    $sudo_cmd apt-get update -q >/dev/null
    $sudo_cmd apt-get install -y -q --no-install-recommends $missing >/dev/null
}
