# Shared by scripts/test and scripts/fleet (sourced, not run): installs Debian packages that a
# script needs when its commands are missing. Nothing else is downloaded.

SUDO=""
if [[ "$(id -u)" != "0" ]]; then SUDO="sudo"; fi
APT_UPDATED=""

# install_missing COMMAND... -- PACKAGE...: installs the packages unless every command exists.
install_missing() {
  local commands=() packages=() missing=""
  while [[ "$1" != "--" ]]; do commands+=("$1"); shift; done
  shift
  packages=("$@")
  for c in "${commands[@]}"; do
    command -v "$c" >/dev/null 2>&1 || missing="yes"
  done
  [[ -z "$missing" ]] && return 0
  echo "$(basename "$0"): installing ${packages[*]} (Debian packages)" >&2
  if [[ -z "$APT_UPDATED" ]]; then
    $SUDO apt-get update -qq
    APT_UPDATED="yes"
  fi
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${packages[@]}" >/dev/null
}
