# Sourced by the scripts that install a missing Debian package (obtain-chromium.sh, cluster/obtain-postgres.sh,
# cluster/obtain-jemalloc.sh): who may install it, where apt's output goes, and the install itself.

# Sets as_root to the prefix that runs a command as root: nothing when we are root, `sudo -n` when sudo asks for no
# password. Returns 1 when neither.
set_as_root() {
  if [ "$(id -u)" = 0 ]; then
    as_root=()
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    as_root=(sudo -n)
  else
    return 1
  fi
}

# Prints the log file of NAME's install, in the same cache as obtain-temporal.sh, and creates its folder.
install_log() {
  local log="${JOURNEY_ENGINE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/journey-engine}/$1-install.log"
  mkdir -p "$(dirname "$log")"
  echo "$log"
}

# apt-get update && apt-get install -y PACKAGE with as_root (set_as_root first); apt's hundreds of lines go to LOG.
apt_install() {
  { "${as_root[@]}" apt-get update -q && DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -q "$1"; } >"$2" 2>&1
}
